//! `plot fes`: FES per finding as horizontal bars.

use super::svg::Svg;
use super::{FindingRow, Heads, NameColumn, Texts, fes_axis, fes_scale, first_baseline, groups};

/// Horizontal bars of FES per finding, grouped and coloured by perspective,
/// in the rows' order within each group, labelled with the percentage.
pub fn fes_chart(rows: &[FindingRow], labels: &[(String, String)], texts: Texts) -> String {
    let groups = groups(rows, labels);
    let (label_w, bar_w, row_h, head_h, size) = (430.0, 380.0, 20.0, 26.0, 12.0);
    let width = label_w + bar_w + 70.0;
    let heads = Heads::new(
        texts,
        "Frequency effect size (FES) of each abstracted finding",
        width,
    );
    let top = heads.top();
    // Each name in lines that fit left of the bars; its row as tall as
    // they need.
    let names = NameColumn::new(rows, size, label_w, row_h, 6.0);
    let max = rows.iter().filter_map(|r| r.fes).fold(0.0f64, f64::max);
    let scale = fes_scale(max);
    let body = top + groups.len() as f64 * head_h + names.height() + 70.0;
    let mut svg = Svg::new(width, body + heads.caption_height());
    heads.draw(&mut svg);
    let layout = (top, head_h, 17.0);
    let y = names.draw(
        &mut svg,
        rows,
        &groups,
        layout,
        "",
        |svg, r, colour, middle| {
            // No study in scope: no FES, and no bar at 0% claiming one.
            let Some(fes) = r.fes else {
                svg.text(
                    label_w + 4.0,
                    first_baseline(middle, 1, size),
                    "– (no study in scope)",
                    "start",
                    "",
                    None,
                );
                return;
            };
            let w = bar_w * fes / scale;
            let tip = format!(
                "{}: FES {:.1}% ({})",
                r.name,
                crate::exact::round_half_up(fes, 1),
                crate::words::count_of(r.n.max(0) as usize, "study", "studies")
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
                &format!("{:.0}%", crate::exact::round_half_up(fes, 0)),
                "start",
                "",
                None,
            );
        },
    );
    fes_axis(&mut svg, y, scale, |fes| label_w + bar_w * fes / scale);
    heads.draw_caption(&mut svg, body);
    svg.finish()
}
