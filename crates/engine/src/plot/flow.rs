//! `plot flow`: the search and selection flow from `search.csv`.

use std::collections::BTreeMap;

use super::svg::Svg;
use super::{Heads, Texts, first_baseline, line_height, measure};

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

/// The search flow: one box per stage with its count, stages placed in
/// levels below their parents, arrows from parents to children.
pub fn flow_chart(stages: &[SearchStage], texts: Texts) -> crate::Result<String> {
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
    let (box_w, gap_x, gap_y, size) = (300.0, 40.0, 44.0, 12.0);
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
    let heads = Heads::new(texts, "Search and selection", width);
    let top = heads.top();
    let body = top + levels as f64 * (box_h + gap_y) + 10.0;
    let mut svg = Svg::new(width, body + heads.caption_height());
    svg.arrow_marker();
    heads.draw(&mut svg);
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
    heads.draw_caption(&mut svg, body);
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
        assert!(flow_chart(&[stage("a", "b"), stage("b", "a")], Texts::default()).is_err());
    }
}
