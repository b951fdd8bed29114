//! `plot matrix`: the study x finding matrix as a heatmap.

use super::svg::Svg;
use super::{FindingRow, Heads, NameColumn, Texts, groups, measure};

/// The study x finding matrix as a heatmap: findings grouped by perspective,
/// studies by id; a filled cell where the study contains the finding.
///
/// `studies` are (id, label); labels stand rotated above their columns.
pub fn matrix_chart(
    rows: &[FindingRow],
    studies: &[(i64, String)],
    labels: &[(String, String)],
    texts: Texts,
) -> String {
    let groups = groups(rows, labels);
    let (label_w, cell, head_h, size) = (430.0, 16.0, 22.0, 11.0);
    let width = label_w + cell * studies.len() as f64 + 40.0;
    let heads = Heads::new(
        texts,
        "Studies (columns) containing each abstracted finding (rows)",
        width,
    );
    // Room above the grid for the subtitle and the longest study label,
    // rotated.
    let longest = (studies.iter())
        .map(|(_, s)| measure::width(s, 9.0, false))
        .fold(0.0, f64::max);
    let top = (heads.top() + longest + 10.0).ceil();
    let names = NameColumn::new(rows, size, label_w, cell, 3.0);
    let legend_h = 30.0 + 18.0 * groups.len() as f64;
    let body = top + groups.len() as f64 * head_h + names.height() + legend_h + 20.0;
    let mut svg = Svg::new(width, body + heads.caption_height());
    heads.draw(&mut svg);
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
                let (fill, class, tip) = if r.studies.binary_search(id).is_ok() {
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
    heads.draw_caption(&mut svg, body);
    svg.finish()
}
