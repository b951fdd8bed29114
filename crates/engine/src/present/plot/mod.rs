//! Figures for a manuscript, as SVG: FES per finding (bars), the study x
//! finding matrix (heatmap), and the search flow (PRISMA-style). Labels are
//! measured with the font the figures are drawn with and wrapped onto as
//! many lines as they need: nothing is cut.

mod fes;
mod flow;
mod matrix;
mod measure;
mod sensitivity;
mod statement;
mod svg;

pub use fes::fes_chart;
pub use flow::flow_chart;
pub use matrix::matrix_chart;
pub use sensitivity::{Legend, Without, sensitivity_chart};

use polars::prelude::*;

use svg::Svg;

/// The most cells a matrix figure draws (findings x studies): 250 studies
/// by 200 findings, a figure 4,000 px wide and a 7 MB SVG. A larger one
/// cannot be read (each cell a few pixels on any screen or page) and
/// grows without bound: at 10,000 studies by 2,000 findings it was
/// 3.26 GB. `plot matrix` refuses more, and the report leaves it out.
pub const MATRIX_CELLS: usize = 50_000;

/// The most findings a figure of bars or dots (`fes`, `sensitivity`)
/// draws: 1,000 rows are some 16,000 px tall already.
pub const FIGURE_FINDINGS: usize = 1_000;

/// Colours for perspectives, in the order they first appear.
const PALETTE: [&str; 8] = [
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
];

/// The distance between the baselines of two lines of a label, for each
/// font size used: 12 px text on 14 px lines, 11 px on 13.
fn line_height(size: f64) -> f64 {
    size + 2.0
}

/// Where the first of `lines` lines of `size` px text sits so that the
/// block is centred on `middle` (a baseline is about a third of the size
/// below the middle of its line).
fn first_baseline(middle: f64, lines: usize, size: f64) -> f64 {
    middle - line_height(size) * (lines as f64 - 1.0) / 2.0 + size / 3.0
}

/// The findings' names at the left of a chart: each wrapped to the room it
/// has, each row as tall as its name needs (at least `min_row`).
struct NameColumn {
    names: Vec<Vec<String>>,
    /// Font size of the names, in px.
    size: f64,
    /// Where the names' column ends (they stop 8 px short of it).
    right: f64,
    /// The least height of a row, and the room above and below a name.
    min_row: f64,
    pad: f64,
}

impl NameColumn {
    fn new(rows: &[FindingRow], size: f64, right: f64, min_row: f64, pad: f64) -> NameColumn {
        let names = (rows.iter())
            .map(|r| measure::wrap(&r.name, size, false, right - 18.0))
            .collect();
        NameColumn {
            names,
            size,
            right,
            min_row,
            pad,
        }
    }

    fn row_height(&self, name: &[String]) -> f64 {
        f64::max(
            self.min_row,
            line_height(self.size) * name.len() as f64 + self.pad,
        )
    }

    /// The height of all rows.
    fn height(&self) -> f64 {
        self.names.iter().map(|n| self.row_height(n)).sum()
    }

    /// From `top` down: each group's heading (`head_h` tall, its baseline
    /// `heading_at` below its top), then its rows' names, `style`d; `each`
    /// draws the rest of a row (its bar, its cells) about the row's middle.
    /// Returns where the rows end.
    fn draw(
        &self,
        svg: &mut Svg,
        rows: &[FindingRow],
        groups: &[(&str, &'static str, String)],
        (top, head_h, heading_at): (f64, f64, f64),
        style: &str,
        mut each: impl FnMut(&mut Svg, &FindingRow, &'static str, f64),
    ) -> f64 {
        let mut y = top;
        for (group, colour, label) in groups {
            svg.heading(10.0, y + heading_at, label);
            y += head_h;
            let in_group = (rows.iter().zip(&self.names)).filter(|(r, _)| r.group == *group);
            for (r, name) in in_group {
                let h = self.row_height(name);
                let middle = y + h / 2.0;
                let first = first_baseline(middle, name.len(), self.size);
                let right = self.right - 8.0;
                svg.lines(right, first, name, line_height(self.size), "end", style);
                each(svg, r, colour, middle);
                y += h;
            }
        }
        y
    }
}

/// The end of an FES axis: the highest FES shown, rounded up to 10 points
/// (at least 10).
fn fes_scale(max: f64) -> f64 {
    ((max / 10.0).ceil() * 10.0).max(10.0)
}

/// The FES axis under rows that end at `y`: a tick every 10 points up to
/// `scale`, each placed by `x`, and what FES is.
fn fes_axis(svg: &mut Svg, y: f64, scale: f64, x: impl Fn(f64) -> f64) {
    svg.line(x(0.0), y + 4.0, x(scale), y + 4.0, "#333");
    let mut tick = 0.0;
    while tick <= scale + 1e-9 {
        svg.line(x(tick), y + 4.0, x(tick), y + 9.0, "#333");
        svg.text(
            x(tick),
            y + 22.0,
            &format!("{tick:.0}%"),
            "middle",
            "",
            None,
        );
        tick += 10.0;
    }
    svg.text(
        x(scale / 2.0),
        y + 42.0,
        "FES: percent of the studies that contain the finding",
        "middle",
        "",
        None,
    );
}

/// What a figure says of itself besides its drawing, as the statement
/// gives it: a title instead of the figure's own, what it shows (under the
/// title), a caption (under the figure).
#[derive(Debug, Clone, Copy, Default)]
pub struct Texts<'a> {
    /// `title "..."`.
    pub title: Option<&'a str>,
    /// The scope and n, under the title.
    pub subtitle: Option<&'a str>,
    /// `caption "..."`.
    pub caption: Option<&'a str>,
}

/// A figure's title, subtitle and caption, wrapped to its width.
struct Heads {
    title: Vec<String>,
    subtitle: Vec<String>,
    caption: Vec<String>,
}

/// Title lines: 15 px bold, 18 px apart.
const TITLE_LINE: f64 = 18.0;

impl Heads {
    /// `texts` for a figure `width` wide whose own title is `own`.
    fn new(texts: Texts, own: &str, width: f64) -> Heads {
        let wrap = |text: Option<&str>, size, bold| match text {
            Some(t) if !t.trim().is_empty() => measure::wrap(t, size, bold, width - 20.0),
            _ => Vec::new(),
        };
        Heads {
            title: wrap(Some(texts.title.unwrap_or(own)), 15.0, true),
            subtitle: wrap(texts.subtitle, 12.0, false),
            caption: wrap(texts.caption, 12.0, false),
        }
    }

    /// The baselines of the first title line and the first subtitle line:
    /// the subtitle moves up when the statement's title is empty.
    fn baselines(&self) -> (f64, f64) {
        let title = 24.0;
        match self.title.len() {
            0 => (title, title),
            n => (title, title + 20.0 + TITLE_LINE * (n - 1) as f64),
        }
    }

    /// Where the figure's drawing may start, below the title and subtitle.
    fn top(&self) -> f64 {
        let (title, subtitle) = self.baselines();
        match (self.title.len(), self.subtitle.len()) {
            (0, 0) => 30.0,
            (t, 0) => title + TITLE_LINE * (t - 1) as f64 + 26.0,
            (_, n) => subtitle + line_height(12.0) * (n - 1) as f64 + 20.0,
        }
    }

    /// The room the caption takes under the drawing.
    fn caption_height(&self) -> f64 {
        match self.caption.len() {
            0 => 0.0,
            n => line_height(12.0) * n as f64 + 12.0,
        }
    }

    /// Draws the title and subtitle at the top left.
    fn draw(&self, svg: &mut Svg) {
        let (title, subtitle) = self.baselines();
        let style = r#"font-size="15" font-weight="bold""#;
        svg.lines(10.0, title, &self.title, TITLE_LINE, "start", style);
        let grey = r##"fill="#444""##;
        svg.lines(
            10.0,
            subtitle,
            &self.subtitle,
            line_height(12.0),
            "start",
            grey,
        );
    }

    /// Draws the caption under a drawing that ends at `bottom`.
    fn draw_caption(&self, svg: &mut Svg, bottom: f64) {
        let first = bottom + 4.0 + 12.0;
        svg.lines(10.0, first, &self.caption, line_height(12.0), "start", "");
    }
}

/// One finding as the figures see it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// The finding's id.
    pub id: i64,
    /// The code of its group (the review's grouping column, e.g. the
    /// seed's `recipient`); empty when the review groups no findings.
    pub group: String,
    /// Its name.
    pub name: String,
    /// Supporting studies.
    pub n: i64,
    /// Its FES (missing when no study is in scope).
    pub fes: Option<f64>,
    /// The ids of its studies, in order.
    pub studies: Vec<i64>,
}

/// The rows of a findings result, for the figures, grouped by the column
/// `group` (none: one group).
pub fn finding_rows(frame: &DataFrame, group: Option<&str>) -> PolarsResult<Vec<FindingRow>> {
    let ids = frame.column("id")?.i64()?;
    let groups = match group {
        Some(column) => Some(frame.column(column)?.cast(&DataType::String)?),
        None => None,
    };
    let groups = groups.as_ref().map(|g| g.str()).transpose()?;
    let names = frame.column("name")?.str()?;
    let ns = frame.column("n")?.i64()?;
    let fes = frame.column("fes")?.f64()?;
    let studies = frame.column("studies")?.list()?;
    let mut rows = Vec::with_capacity(frame.height());
    for (i, list) in studies.amortized_iter().enumerate() {
        let mut studies: Vec<i64> = match list {
            Some(s) => s.as_ref().i64()?.iter().flatten().collect(),
            None => Vec::new(),
        };
        // In order, for the matrix's look-up of each cell.
        studies.sort_unstable();
        rows.push(FindingRow {
            id: ids.get(i).unwrap_or_default(),
            group: (groups.and_then(|g| g.get(i)))
                .unwrap_or_default()
                .to_string(),
            name: names.get(i).unwrap_or_default().to_string(),
            n: ns.get(i).unwrap_or_default(),
            fes: fes.get(i),
            studies,
        });
    }
    Ok(rows)
}
/// A group's heading without a label: its code, or for a review that
/// groups no findings, one heading over them all.
fn ungrouped(code: &str) -> String {
    if code.is_empty() {
        "All findings".to_string()
    } else {
        code.to_string()
    }
}

/// The findings' groups in order of first appearance, each with its colour
/// and label (its label in `dataset.toml`, else its code).
fn groups<'a>(
    rows: &'a [FindingRow],
    labels: &[(String, String)],
) -> Vec<(&'a str, &'static str, String)> {
    let mut out: Vec<(&str, &'static str, String)> = Vec::new();
    for r in rows {
        if !out.iter().any(|(p, _, _)| *p == r.group) {
            let colour = PALETTE[out.len() % PALETTE.len()];
            let label = labels
                .iter()
                .find(|(k, _)| *k == r.group)
                .map_or_else(|| ungrouped(&r.group), |(_, l)| l.clone());
            out.push((r.group.as_str(), colour, label));
        }
    }
    out
}
