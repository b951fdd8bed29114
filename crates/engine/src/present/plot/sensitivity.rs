//! `plot sensitivity`: each finding's FES among all the studies in scope
//! beside its FES without the studies of declared quality concern, as a
//! dot (dumbbell) chart: the figure a reader judges a sensitivity analysis
//! by at a glance.

use super::svg::Svg;
use super::{
    FindingRow, Heads, NameColumn, Texts, fes_axis, fes_scale, first_baseline, groups, line_height,
    measure,
};
use crate::exact::round_half_up;

/// One finding's FES without the studies of concern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Without {
    /// The FES among the studies not of concern; missing when every study
    /// in scope is of concern.
    pub fes: Option<f64>,
    /// Whether it drops by more than the threshold.
    pub flagged: bool,
}

/// What the legend says of the two dots and the flag.
pub struct Legend {
    /// "FES among all 25 studies".
    pub all: String,
    /// "FES among the 22 studies not rated low".
    pub without: String,
    /// "Bold: FES drops by more than 5 points without them".
    pub flag: String,
}

/// A filled dot at each finding's FES among all studies, an open dot at its
/// FES without the studies of concern, a line between, and both values
/// (bold when the drop passes the threshold) at the right. `without` is
/// keyed by finding id (the rows are drawn grouped by perspective, not in
/// their order).
pub fn sensitivity_chart(
    rows: &[FindingRow],
    without: &std::collections::HashMap<i64, Without>,
    labels: &[(String, String)],
    legend: &Legend,
    texts: Texts,
) -> String {
    let groups = groups(rows, labels);
    let (label_w, plot_w, values_w, row_h, head_h, size) = (430.0, 340.0, 120.0, 20.0, 26.0, 12.0);
    let width = label_w + plot_w + values_w;
    let heads = Heads::new(
        texts,
        "FES with all studies and without the studies of quality concern",
        width,
    );
    let top = heads.top();
    let names = NameColumn::new(rows, size, label_w, row_h, 6.0);
    let max = (rows.iter().filter_map(|r| r.fes))
        .chain(without.values().filter_map(|w| w.fes))
        .fold(0.0f64, f64::max);
    let scale = fes_scale(max);
    let x = |fes: f64| label_w + 10.0 + (plot_w - 20.0) * fes / scale;
    let legend_lines: Vec<Vec<String>> = [&legend.all, &legend.without, &legend.flag]
        .iter()
        .map(|t| measure::wrap(t, size, false, width - 50.0))
        .collect();
    let legend_h: f64 = 30.0
        + (legend_lines.iter())
            .map(|l| line_height(size) * l.len() as f64 + 6.0)
            .sum::<f64>();
    let rows_end = top + groups.len() as f64 * head_h + names.height();
    let body = rows_end + 60.0 + legend_h;
    let mut svg = Svg::new(width, body + heads.caption_height());
    heads.draw(&mut svg);
    // Light lines every 10 points behind the dots.
    let mut tick = 0.0;
    while tick <= scale + 1e-9 {
        svg.line(x(tick), top, x(tick), rows_end + 4.0, "#e4e4e4");
        tick += 10.0;
    }
    let layout = (top, head_h, 17.0);
    let y = names.draw(
        &mut svg,
        rows,
        &groups,
        layout,
        "",
        |svg, r, colour, middle| {
            let w = without.get(&r.id).copied().unwrap_or(Without {
                fes: None,
                flagged: false,
            });
            if let (Some(all), Some(wo)) = (r.fes, w.fes) {
                svg.line(x(all), middle, x(wo), middle, "#888");
            }
            if let Some(wo) = w.fes {
                svg.circle([x(wo), middle, 5.0], "white", Some(colour), "without");
            }
            if let Some(all) = r.fes {
                svg.circle([x(all), middle, 5.0], colour, None, "all");
            }
            // One decimal, as FES is shown everywhere: a drop of 5.3
            // points must not read as 28% -> 23%.
            let shown = |fes: Option<f64>| match fes {
                Some(f) => format!("{:.1}%", round_half_up(f, 1)),
                None => "–".to_string(),
            };
            let values = format!("{} → {}", shown(r.fes), shown(w.fes));
            let tip = format!(
                "{}: FES {} with all studies, {} without the studies of quality concern",
                r.name,
                shown(r.fes),
                shown(w.fes)
            );
            let style = if w.flagged {
                r#"font-weight="bold" class="values flag""#
            } else {
                r#"class="values""#
            };
            svg.text(
                label_w + plot_w + 10.0,
                first_baseline(middle, 1, size),
                &values,
                "start",
                style,
                Some(&tip),
            );
        },
    );
    fes_axis(&mut svg, y, scale, x);
    draw_legend(&mut svg, y + 50.0 + 24.0, &legend_lines, size);
    heads.draw_caption(&mut svg, body);
    svg.finish()
}

/// The legend from `y` down: which dot is which (all studies, without the
/// studies of concern), what bold means; `lines` are its three texts,
/// wrapped.
fn draw_legend(svg: &mut Svg, mut y: f64, lines: &[Vec<String>], size: f64) {
    svg.heading(10.0, y, "Legend");
    let grey = "#555";
    for (i, lines) in lines.iter().enumerate() {
        y += 20.0;
        match i {
            0 => svg.circle([16.0, y - 4.0, 5.0], grey, None, "legend"),
            1 => svg.circle([16.0, y - 4.0, 5.0], "white", Some(grey), "legend"),
            _ => {}
        }
        let style = if i == 2 { r#"font-weight="bold""# } else { "" };
        svg.lines(30.0, y, lines, line_height(size), "start", style);
        y += line_height(size) * (lines.len() as f64 - 1.0);
    }
}
