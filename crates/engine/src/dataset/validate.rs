//! Checks that span more than one cell: references between tables, repeated
//! evidence, coded values against `dataset.toml`, reserved column names.

use std::collections::HashSet;

use polars::prelude::*;

use super::Meta;
use super::csvfile::ReadTable;
use super::problem::Problem;

/// The tables of one dataset as read so far (a table that could not be read
/// at all is `None`, and checks that need it are skipped).
pub struct Tables<'a> {
    pub meta: &'a Meta,
    pub studies: Option<&'a ReadTable>,
    pub papers: Option<&'a ReadTable>,
    pub findings: Option<&'a ReadTable>,
    pub evidence: Option<&'a ReadTable>,
}

impl Tables<'_> {
    /// Appends every cross-table problem to `problems`.
    pub fn check(&self, problems: &mut Vec<Problem>) {
        if let Some(studies) = self.studies {
            not_empty(problems, "studies.csv", studies, "author");
            coded(
                problems,
                "studies.csv",
                studies,
                "quality",
                &self.meta.quality,
                false,
            );
            for (column, _) in &self.meta.published_totals {
                if !studies
                    .frame
                    .get_column_names()
                    .iter()
                    .any(|c| c.as_str() == column)
                {
                    problems.push(Problem::file(
                        "dataset.toml",
                        format!("[published_totals] `{column}` names no column of studies.csv"),
                    ));
                }
            }
        }
        if let Some(findings) = self.findings {
            not_empty(problems, "findings.csv", findings, "name");
            coded(
                problems,
                "findings.csv",
                findings,
                "perspective",
                &self.meta.perspectives,
                true,
            );
        }
        let study_ids = self.studies.map(ids);
        let finding_ids = self.findings.map(ids);
        if let (Some(papers), Some(study_ids)) = (self.papers, &study_ids) {
            references(
                problems,
                "papers.csv",
                papers,
                "study",
                study_ids,
                "studies.csv",
            );
        }
        if let Some(evidence) = self.evidence {
            if let Some(finding_ids) = &finding_ids {
                references(
                    problems,
                    "evidence.csv",
                    evidence,
                    "finding",
                    finding_ids,
                    "findings.csv",
                );
            }
            if let Some(study_ids) = &study_ids {
                references(
                    problems,
                    "evidence.csv",
                    evidence,
                    "study",
                    study_ids,
                    "studies.csv",
                );
            }
            repeated_links(problems, evidence);
        }
        problems.sort_by(|a, b| {
            let order = |f: &str| {
                super::FILES
                    .iter()
                    .position(|x| *x == f)
                    .unwrap_or(usize::MAX)
            };
            (order(&a.file), a.line).cmp(&(order(&b.file), b.line))
        });
    }
}

fn int_cells<'a>(table: &'a ReadTable, column: &str) -> Option<&'a Int64Chunked> {
    table.frame.column(column).ok()?.i64().ok()
}

fn text_cells<'a>(table: &'a ReadTable, column: &str) -> Option<&'a StringChunked> {
    table.frame.column(column).ok()?.str().ok()
}

/// A set of positive ids: a bitmap when the ids are dense enough, else a
/// hash set (lookups run once per evidence row).
pub enum IdSet {
    Dense(Vec<bool>),
    Sparse(HashSet<i64>),
}

impl IdSet {
    fn new(ids: Vec<i64>) -> IdSet {
        let max = ids.iter().copied().max().unwrap_or(0).max(0) as usize;
        if max <= 16 * ids.len() + 1024 {
            let mut bits = vec![false; max + 1];
            for id in ids.into_iter().filter(|id| *id >= 0) {
                bits[id as usize] = true;
            }
            IdSet::Dense(bits)
        } else {
            IdSet::Sparse(ids.into_iter().collect())
        }
    }

    fn contains(&self, id: i64) -> bool {
        match self {
            IdSet::Dense(bits) => usize::try_from(id)
                .ok()
                .and_then(|i| bits.get(i))
                .copied()
                .unwrap_or(false),
            IdSet::Sparse(set) => set.contains(&id),
        }
    }
}

fn ids(table: &ReadTable) -> IdSet {
    match int_cells(table, "id") {
        Some(c) => IdSet::new(c.iter().flatten().collect()),
        None => IdSet::Sparse(HashSet::new()),
    }
}

fn not_empty(problems: &mut Vec<Problem>, file: &str, table: &ReadTable, column: &str) {
    if let Some(cells) = text_cells(table, column) {
        for (row, cell) in cells.iter().enumerate() {
            if cell.is_none() {
                problems.push(Problem::cell(
                    file,
                    table.lines[row],
                    column,
                    "is empty (a value is required)",
                ));
            }
        }
    }
}

/// Values of `column` must be among the codes `dataset.toml` defines (when it
/// defines any); `required` also rejects empty cells.
fn coded(
    problems: &mut Vec<Problem>,
    file: &str,
    table: &ReadTable,
    column: &str,
    codes: &[(String, String)],
    required: bool,
) {
    let Some(cells) = text_cells(table, column) else {
        return;
    };
    let known = codes
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (row, cell) in cells.iter().enumerate() {
        let line = table.lines[row];
        match cell {
            None if required => problems.push(Problem::cell(
                file,
                line,
                column,
                "is empty (a value is required)",
            )),
            None => {}
            Some(value) if !codes.is_empty() && !codes.iter().any(|(k, _)| k == value) => problems
                .push(Problem::cell(
                    file,
                    line,
                    column,
                    format!("unknown {column} `{value}` (dataset.toml defines: {known})"),
                )),
            Some(_) => {}
        }
    }
}

fn references(
    problems: &mut Vec<Problem>,
    file: &str,
    table: &ReadTable,
    column: &str,
    targets: &IdSet,
    target_file: &str,
) {
    let Some(cells) = int_cells(table, column) else {
        return;
    };
    for (row, cell) in cells.iter().enumerate() {
        if let Some(id) = cell {
            if !targets.contains(id) {
                problems.push(Problem::cell(
                    file,
                    table.lines[row],
                    column,
                    format!("{column} {id} does not exist in {target_file}"),
                ));
            }
        }
    }
}

fn repeated_links(problems: &mut Vec<Problem>, evidence: &ReadTable) {
    let (Some(findings), Some(studies)) =
        (int_cells(evidence, "finding"), int_cells(evidence, "study"))
    else {
        return;
    };
    // Fast path: sort (finding, study, row) and look for equal neighbours;
    // only when some pair repeats are the lines looked up.
    let mut pairs: Vec<(i64, i64, usize)> = findings
        .iter()
        .zip(studies.iter())
        .enumerate()
        .filter_map(|(row, pair)| match pair {
            (Some(f), Some(s)) => Some((f, s, row)),
            _ => None,
        })
        .collect();
    pairs.sort_unstable();
    let mut repeats: Vec<(usize, usize, i64, i64)> = pairs
        .windows(2)
        .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        .map(|w| (w[1].2, first_row(&pairs, w[1].0, w[1].1), w[1].0, w[1].1))
        .collect();
    repeats.sort_unstable();
    for (row, first, f, s) in repeats {
        let (line, first) = (evidence.lines[row], evidence.lines[first]);
        problems.push(Problem::at(
            "evidence.csv",
            line,
            format!("finding {f} in study {s} is listed twice (first on line {first})"),
        ));
    }
}

/// The first row holding the pair (rows sorted within equal pairs).
fn first_row(pairs: &[(i64, i64, usize)], f: i64, s: i64) -> usize {
    let at = pairs.partition_point(|p| (p.0, p.1) < (f, s));
    pairs[at].2
}
