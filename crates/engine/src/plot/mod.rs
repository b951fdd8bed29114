//! Figures for a manuscript, as SVG: FES per finding (bars), the study x
//! finding matrix (heatmap), and the search flow (PRISMA-style). Labels are
//! measured with the font the figures are drawn with and wrapped onto as
//! many lines as they need: nothing is cut.

mod measure;
mod svg;

mod statement;
use std::collections::BTreeMap;

use polars::prelude::*;

use svg::Svg;

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
        for (perspective, colour, label) in groups {
            svg.heading(10.0, y + heading_at, label);
            y += head_h;
            let in_group =
                (rows.iter().zip(&self.names)).filter(|(r, _)| r.perspective == *perspective);
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

/// One finding as the figures see it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// The finding's id.
    pub id: i64,
    /// Its perspective code, e.g. `recipient`.
    pub perspective: String,
    /// Its name.
    pub name: String,
    /// Supporting studies.
    pub n: i64,
    /// Its FES (missing when no study is in scope).
    pub fes: Option<f64>,
    /// The ids of its studies.
    pub studies: Vec<i64>,
}

/// The rows of a findings result, for the figures.
pub fn finding_rows(frame: &DataFrame) -> PolarsResult<Vec<FindingRow>> {
    let ids = frame.column("id")?.i64()?;
    let perspectives = frame.column("perspective")?.str()?;
    let names = frame.column("name")?.str()?;
    let ns = frame.column("n")?.i64()?;
    let fes = frame.column("fes")?.f64()?;
    let studies = frame.column("studies")?.list()?;
    let mut rows = Vec::with_capacity(frame.height());
    for (i, list) in studies.amortized_iter().enumerate() {
        let studies = match list {
            Some(s) => s.as_ref().i64()?.iter().flatten().collect(),
            None => Vec::new(),
        };
        rows.push(FindingRow {
            id: ids.get(i).unwrap_or_default(),
            perspective: perspectives.get(i).unwrap_or_default().to_string(),
            name: names.get(i).unwrap_or_default().to_string(),
            n: ns.get(i).unwrap_or_default(),
            fes: fes.get(i),
            studies,
        });
    }
    Ok(rows)
}

/// One stage of the search flow (`search.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchStage {
    /// Short key, referred to by `parents`.
    pub stage: String,
    /// Records at this stage.
    pub count: i64,
    /// The stages that feed this one.
    pub parents: Vec<String>,
    /// The text in the box.
    pub label: String,
}

/// Perspectives in order of first appearance, each with its colour and label.
fn groups<'a>(
    rows: &'a [FindingRow],
    labels: &[(String, String)],
) -> Vec<(&'a str, &'static str, String)> {
    let mut out: Vec<(&str, &'static str, String)> = Vec::new();
    for r in rows {
        if !out.iter().any(|(p, _, _)| *p == r.perspective) {
            let colour = PALETTE[out.len() % PALETTE.len()];
            let label = labels
                .iter()
                .find(|(k, _)| *k == r.perspective)
                .map_or(r.perspective.clone(), |(_, l)| l.clone());
            out.push((r.perspective.as_str(), colour, label));
        }
    }
    out
}

/// Horizontal bars of FES per finding, grouped and coloured by perspective,
/// in the rows' order within each group, labelled with the percentage.
pub fn fes_chart(rows: &[FindingRow], labels: &[(String, String)], subtitle: &str) -> String {
    let groups = groups(rows, labels);
    let (label_w, bar_w, row_h, head_h, size) = (430.0, 380.0, 20.0, 26.0, 12.0);
    let width = label_w + bar_w + 70.0;
    let subtitle = measure::wrap(subtitle, size, false, width - 20.0);
    let top = 50.0 + line_height(size) * subtitle.len() as f64;
    // Each name in lines that fit left of the bars; its row as tall as
    // they need.
    let names = NameColumn::new(rows, size, label_w, row_h, 6.0);
    let max = rows.iter().filter_map(|r| r.fes).fold(0.0f64, f64::max);
    let scale = ((max / 10.0).ceil() * 10.0).max(10.0);
    let height = top + groups.len() as f64 * head_h + names.height() + 70.0;
    let mut svg = Svg::new(width, height);
    svg.title("Frequency effect size (FES) of each abstracted finding");
    svg.subtitle(&subtitle);
    let layout = (top, head_h, 17.0);
    let y = names.draw(
        &mut svg,
        rows,
        &groups,
        layout,
        "",
        |svg, r, colour, middle| {
            let fes = r.fes.unwrap_or(0.0);
            let w = bar_w * fes / scale;
            let tip = format!(
                "{}: FES {:.1}% ({})",
                r.name,
                crate::format::round_half_up(fes, 1),
                crate::format::count_of(r.n.max(0) as usize, "study", "studies")
            );
            svg.rect(
                [label_w, middle - 7.0, w, 14.0],
                colour,
                Some("bar"),
                Some(&tip),
            );
            svg.text(
                label_w + w + 4.0,
                first_baseline(middle, 1, size),
                &format!("{:.0}%", crate::format::round_half_up(fes, 0)),
                "start",
                "",
                None,
            );
        },
    );
    // Axis: ticks every 10 points.
    svg.line(label_w, y + 4.0, label_w + bar_w, y + 4.0, "#333");
    let mut tick = 0.0;
    while tick <= scale + 1e-9 {
        let x = label_w + bar_w * tick / scale;
        svg.line(x, y + 4.0, x, y + 9.0, "#333");
        svg.text(x, y + 22.0, &format!("{tick:.0}%"), "middle", "", None);
        tick += 10.0;
    }
    svg.text(
        label_w + bar_w / 2.0,
        y + 42.0,
        "FES: percent of the studies that contain the finding",
        "middle",
        "",
        None,
    );
    svg.finish()
}

/// The study x finding matrix as a heatmap: findings grouped by perspective,
/// studies by id; a filled cell where the study contains the finding.
///
/// `studies` are (id, label); labels stand rotated above their columns.
pub fn matrix_chart(
    rows: &[FindingRow],
    studies: &[(i64, String)],
    labels: &[(String, String)],
    subtitle: &str,
) -> String {
    let groups = groups(rows, labels);
    let (label_w, cell, head_h, size) = (430.0, 16.0, 22.0, 11.0);
    let width = label_w + cell * studies.len() as f64 + 40.0;
    let subtitle = measure::wrap(subtitle, 12.0, false, width - 20.0);
    // Room above the grid for the subtitle and the longest study label,
    // rotated.
    let longest = (studies.iter())
        .map(|(_, s)| measure::width(s, 9.0, false))
        .fold(0.0, f64::max);
    let top = (50.0 + line_height(12.0) * subtitle.len() as f64 + longest + 10.0).ceil();
    let names = NameColumn::new(rows, size, label_w, cell, 3.0);
    let legend_h = 30.0 + 18.0 * groups.len() as f64;
    let height = top + groups.len() as f64 * head_h + names.height() + legend_h + 20.0;
    let mut svg = Svg::new(width, height);
    svg.title("Studies (columns) containing each abstracted finding (rows)");
    svg.subtitle(&subtitle);
    for (i, (_, s)) in studies.iter().enumerate() {
        let x = label_w + cell * i as f64 + cell / 2.0 + 3.0;
        let y = top - 6.0;
        svg.text(
            x,
            y,
            s,
            "start",
            &format!(r#"font-size="9" transform="rotate(-90 {x:.1} {y:.1})""#),
            Some(&format!("study {s}")),
        );
    }
    let layout = (top, head_h, 15.0);
    let style = r#"font-size="11""#;
    let mut y = names.draw(
        &mut svg,
        rows,
        &groups,
        layout,
        style,
        |svg, r, colour, middle| {
            for (i, (id, s)) in studies.iter().enumerate() {
                let x = label_w + cell * i as f64;
                let (fill, class, tip) = if r.studies.contains(id) {
                    (colour, "cell on", format!("study {s} contains: {}", r.name))
                } else {
                    (
                        "#eeeeee",
                        "cell",
                        format!("study {s} does not contain: {}", r.name),
                    )
                };
                let square = [x + 1.0, middle - cell / 2.0 + 1.0, cell - 2.0, cell - 2.0];
                svg.rect(square, fill, Some(class), Some(&tip));
            }
        },
    );
    y += 24.0;
    svg.heading(10.0, y, "Perspective");
    for (_, colour, label) in &groups {
        y += 18.0;
        svg.rect([10.0, y - 11.0, 12.0, 12.0], colour, Some("legend"), None);
        svg.text(28.0, y, label, "start", "", None);
    }
    svg.finish()
}

/// The search flow: one box per stage with its count, stages placed in
/// levels below their parents, arrows from parents to children.
pub fn flow_chart(stages: &[SearchStage]) -> crate::Result<String> {
    let mut level: BTreeMap<&str, usize> = BTreeMap::new();
    // Longest path from a root; stages.len() rounds suffice without a cycle.
    for _ in 0..=stages.len() {
        for s in stages {
            let l = s
                .parents
                .iter()
                .map(|p| level.get(p.as_str()).map_or(0, |l| l + 1))
                .max()
                .unwrap_or(0);
            level.insert(&s.stage, l);
        }
    }
    // A stage without parents that feeds a later level (records added
    // along the way, e.g. from reference lists) sits just above its child.
    for s in stages.iter().filter(|s| s.parents.is_empty()) {
        let child = stages
            .iter()
            .filter(|c| c.parents.contains(&s.stage))
            .map(|c| level[c.stage.as_str()])
            .min();
        if let Some(child) = child {
            level.insert(&s.stage, child.saturating_sub(1));
        }
    }
    for s in stages {
        for p in &s.parents {
            if level
                .get(p.as_str())
                .is_none_or(|lp| *lp >= level[s.stage.as_str()])
            {
                return Err(crate::Error::Output(format!(
                    "search stage `{}`: parent `{p}` is missing or in a cycle",
                    s.stage
                )));
            }
        }
    }
    let levels = level.values().max().map_or(0, |m| m + 1);
    let per_level: Vec<Vec<&SearchStage>> = (0..levels)
        .map(|l| {
            stages
                .iter()
                .filter(|s| level[s.stage.as_str()] == l)
                .collect()
        })
        .collect();
    let (box_w, gap_x, gap_y, top, size) = (300.0, 40.0, 44.0, 50.0, 12.0);
    // Every label whole, on as many lines as it needs; the boxes as tall as
    // the longest.
    let label_lines: BTreeMap<&str, Vec<String>> = (stages.iter())
        .map(|s| {
            (
                s.stage.as_str(),
                measure::wrap(&s.label, size, false, box_w - 20.0),
            )
        })
        .collect();
    let most = label_lines.values().map(Vec::len).max().unwrap_or(1);
    let box_h = 14.0 + line_height(size) * most as f64 + 24.0;
    let widest = per_level.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let width = widest * box_w + (widest + 1.0) * gap_x;
    let height = top + levels as f64 * (box_h + gap_y) + 10.0;
    let mut svg = Svg::new(width, height);
    svg.arrow_marker();
    svg.title("Search and selection");
    let mut centre: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (l, row) in per_level.iter().enumerate() {
        let row_w = row.len() as f64 * box_w + (row.len() as f64 - 1.0) * gap_x;
        let x0 = (width - row_w) / 2.0;
        let y = top + l as f64 * (box_h + gap_y);
        for (i, s) in row.iter().enumerate() {
            let x = x0 + i as f64 * (box_w + gap_x);
            svg.frame(x, y, box_w, box_h);
            // The label centred in the room above the count.
            let lines = &label_lines[s.stage.as_str()];
            let room = box_h - 24.0;
            let first = first_baseline(y + room / 2.0 + 2.0, lines.len(), size);
            svg.lines(
                x + box_w / 2.0,
                first,
                lines,
                line_height(size),
                "middle",
                "",
            );
            svg.text(
                x + box_w / 2.0,
                y + box_h - 10.0,
                &format!("n = {}", s.count),
                "middle",
                r#"font-weight="bold""#,
                None,
            );
            centre.insert(&s.stage, (x + box_w / 2.0, y));
        }
    }
    for s in stages {
        let (cx, cy) = centre[s.stage.as_str()];
        // Arrows from several parents end side by side, each towards the
        // side its parent is on, not in one point.
        let k = s.parents.len() as f64;
        let mut parents: Vec<(f64, f64)> = s.parents.iter().map(|p| centre[p.as_str()]).collect();
        parents.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (i, (px, py)) in parents.into_iter().enumerate() {
            let end = cx + (i as f64 - (k - 1.0) / 2.0) * 40.0;
            svg.arrow(px, py + box_h, end, cy);
        }
    }
    Ok(svg.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_rejects_a_cycle() {
        let stage = |s: &str, p: &str| SearchStage {
            stage: s.into(),
            count: 1,
            parents: vec![p.into()],
            label: s.into(),
        };
        assert!(flow_chart(&[stage("a", "b"), stage("b", "a")]).is_err());
    }
}
