//! `plot flow`: the search and selection flow from `search.csv`, laid out as
//! PRISMA 2020 draws it for the stages the data has: each stage a box
//! below the stages it came from, and beside the way into a stage a box of
//! the records excluded on it, when `search.csv` gives that number or the
//! counts imply it.

use std::collections::BTreeMap;

use super::svg::Svg;
use super::{Heads, Texts, first_baseline, line_height, measure};
use crate::review::dataset::search::SearchStage;

/// A box of records excluded on the way into a stage.
struct Exclusion {
    /// Its text, wrapped, then its count line.
    lines: Vec<String>,
    count: String,
}

/// The stages' levels: each a row below the stages it came from (a stage
/// without parents that feeds a later one sits just above its child).
fn levels(stages: &[SearchStage]) -> crate::Result<BTreeMap<&str, usize>> {
    let mut level: BTreeMap<&str, usize> = BTreeMap::new();
    // Longest path from a root; stages.len() rounds suffice without a cycle.
    for _ in 0..=stages.len() {
        for s in stages {
            let l = (s.parents.iter())
                .map(|p| level.get(p.as_str()).map_or(0, |l| l + 1))
                .max()
                .unwrap_or(0);
            level.insert(&s.stage, l);
        }
    }
    for s in stages.iter().filter(|s| s.parents.is_empty()) {
        let child = (stages.iter())
            .filter(|c| c.parents.contains(&s.stage))
            .map(|c| level[c.stage.as_str()])
            .min();
        if let Some(child) = child {
            level.insert(&s.stage, child.saturating_sub(1));
        }
    }
    for s in stages {
        for p in &s.parents {
            if (level.get(p.as_str())).is_none_or(|lp| *lp >= level[s.stage.as_str()]) {
                return Err(crate::Error::Output(format!(
                    "search stage `{}`: parent `{p}` is missing or in a cycle",
                    s.stage
                )));
            }
        }
    }
    Ok(level)
}

/// `2890` as `2,890`, as PRISMA flow diagrams write counts.
fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The records excluded on the way into `s`: as `search.csv` gives them,
/// else as the counts imply them (see [`SearchStage::came_in`]).
fn exclusion(
    s: &SearchStage,
    stages: &[SearchStage],
    wrap: impl Fn(&str) -> Vec<String>,
) -> Option<Exclusion> {
    let label = match s.excluded_label.trim() {
        "" => "Records excluded",
        given => given,
    };
    if let Some(given) = s.excluded {
        return Some(Exclusion {
            lines: wrap(label),
            count: format!("n = {}", thousands(given)),
        });
    }
    if s.is_last(stages) {
        return None;
    }
    let total = s.came_in(stages)?;
    let count = i128::from(s.count);
    (total > count).then(|| Exclusion {
        lines: wrap(label),
        // Said to be implied, with the sum, so a reader can check it.
        count: format!(
            "n = {} ({} − {})",
            thousands(total - count),
            thousands(total),
            thousands(count)
        ),
    })
}

/// The search flow: one box per stage with its count, stages placed in
/// levels below their parents, lines from parents joining above each
/// stage into one arrow, and from that joint an arrow to the box of the
/// records excluded there.
pub fn flow_chart(stages: &[SearchStage], texts: Texts) -> crate::Result<String> {
    let level = levels(stages)?;
    let levels = level.values().max().map_or(0, |m| m + 1);
    let per_level: Vec<Vec<&SearchStage>> = (0..levels)
        .map(|l| {
            (stages.iter())
                .filter(|s| level[s.stage.as_str()] == l)
                .collect()
        })
        .collect();
    let (box_w, gap_x, gap_y, size) = (300.0, 40.0, 44.0, 12.0);
    let line_h = line_height(size);
    let wrap = |text: &str| measure::wrap(text, size, false, box_w - 20.0);
    // Every label whole, on as many lines as it needs; the boxes as tall as
    // the longest.
    let label_lines: BTreeMap<&str, Vec<String>> = (stages.iter())
        .map(|s| (s.stage.as_str(), wrap(&s.label)))
        .collect();
    let most = label_lines.values().map(Vec::len).max().unwrap_or(1);
    let box_h = 14.0 + line_h * most as f64 + 24.0;
    let excluded: BTreeMap<&str, Exclusion> = (stages.iter())
        .filter_map(|s| Some((s.stage.as_str(), exclusion(s, stages, wrap)?)))
        .collect();
    let excluded_h = |e: &Exclusion| 14.0 + line_h * e.lines.len() as f64 + 24.0;
    // The room above each level: an exclusion box between it and the
    // level before, with room for the arrows above and below it.
    let gap_above = |l: usize| {
        (per_level[l].iter())
            .filter_map(|s| excluded.get(s.stage.as_str()))
            .map(|e| excluded_h(e) + 2.0 * 18.0)
            .fold(gap_y, f64::max)
    };
    // The column of each exclusion box right of the stages: one column
    // per exclusion of a level, so that two never overlap.
    let column: BTreeMap<&str, f64> = (per_level.iter())
        .flat_map(|row| {
            (row.iter())
                .filter(|s| excluded.contains_key(s.stage.as_str()))
                .enumerate()
                .map(|(k, s)| (s.stage.as_str(), k as f64))
        })
        .collect();
    let columns = column.values().map(|k| k + 1.0).fold(0.0, f64::max);
    let widest = per_level.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let main_w = widest * box_w + (widest + 1.0) * gap_x;
    let width = main_w + columns * (box_w + gap_x);
    let heads = Heads::new(texts, "Search and selection", width);
    let mut tops = vec![heads.top()];
    for l in 1..levels {
        tops.push(tops[l - 1] + box_h + gap_above(l));
    }
    let body = tops.last().map_or(heads.top(), |t| t + box_h) + 10.0;
    let mut svg = Svg::new(width, body + heads.caption_height());
    svg.arrow_marker();
    heads.draw(&mut svg);
    // Each stage's box: its label centred above its count.
    let mut centre: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (l, row) in per_level.iter().enumerate() {
        let row_w = row.len() as f64 * box_w + (row.len() as f64 - 1.0) * gap_x;
        let x0 = (main_w - row_w) / 2.0;
        for (i, s) in row.iter().enumerate() {
            let x = x0 + i as f64 * (box_w + gap_x);
            let count = format!("n = {}", thousands(s.count));
            draw_box(
                &mut svg,
                [x, tops[l], box_w, box_h],
                &label_lines[s.stage.as_str()],
                &count,
            );
            centre.insert(&s.stage, (x + box_w / 2.0, tops[l]));
        }
    }
    for s in stages.iter().filter(|s| !s.parents.is_empty()) {
        let (cx, cy) = centre[s.stage.as_str()];
        let l = level[s.stage.as_str()];
        // Where the lines from the parents join: the middle of the room
        // above the stage.
        let joint = tops[l] - gap_above(l) / 2.0;
        let parents: Vec<(f64, f64)> = s.parents.iter().map(|p| centre[p.as_str()]).collect();
        for (px, py) in &parents {
            svg.line(*px, py + box_h, *px, joint, "#333");
        }
        let left = parents.iter().map(|p| p.0).fold(cx, f64::min);
        let right = parents.iter().map(|p| p.0).fold(cx, f64::max);
        if right > left {
            svg.line(left, joint, right, joint, "#333");
        }
        svg.arrow(cx, joint, cx, cy);
        if let Some(e) = excluded.get(s.stage.as_str()) {
            let k = column[s.stage.as_str()];
            let (x, h) = (main_w + k * (box_w + gap_x), excluded_h(e));
            svg.arrow(right, joint, x, joint);
            draw_box(&mut svg, [x, joint - h / 2.0, box_w, h], &e.lines, &e.count);
        }
    }
    heads.draw_caption(&mut svg, body);
    Ok(svg.finish())
}

/// A box at `[x, y, w, h]`: `lines` centred in the room above `count`,
/// which is bold at its foot.
fn draw_box(svg: &mut Svg, [x, y, w, h]: [f64; 4], lines: &[String], count: &str) {
    let size = 12.0;
    svg.frame(x, y, w, h);
    let room = h - 24.0;
    let first = first_baseline(y + room / 2.0 + 2.0, lines.len(), size);
    svg.lines(x + w / 2.0, first, lines, line_height(size), "middle", "");
    svg.text(
        x + w / 2.0,
        y + h - 10.0,
        count,
        "middle",
        r#"font-weight="bold""#,
        None,
    );
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
            excluded: None,
            excluded_label: String::new(),
            line: 0,
        };
        assert!(flow_chart(&[stage("a", "b"), stage("b", "a")], Texts::default()).is_err());
    }
}
