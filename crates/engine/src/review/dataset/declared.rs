//! What `dataset.toml` declares of the review's own columns, against the
//! tables: the grouping column, the participant groups and the published
//! totals each name a column of the review's own (not one of metasum's,
//! not one it computes), in any case.

use super::csvfile::ReadTable;
use super::files::{Layout, ReviewFile};
use super::meta::Meta;
use crate::problem::Problem;

/// The names `meta` declares written as the tables write them, when they
/// differ only in case (`PATIENTS` for `patients`): one rule of case.
pub(super) fn respell(meta: &mut Meta, studies: Option<&ReadTable>, findings: Option<&ReadTable>) {
    let columns_of = |table: Option<&ReadTable>| -> Vec<String> {
        (table.iter())
            .flat_map(|t| t.frame.get_column_names())
            .map(|c| c.to_string())
            .collect()
    };
    let (of_studies, of_findings) = (columns_of(studies), columns_of(findings));
    let written = |name: &mut String, columns: &[String]| {
        if !columns.contains(name) {
            let lower = name.to_lowercase();
            if let Some(c) = columns.iter().find(|c| c.to_lowercase() == lower) {
                *name = c.clone();
            }
        }
    };
    for (name, _) in meta.participants.iter_mut() {
        written(name, &of_studies);
    }
    for (name, _) in meta.published_totals.iter_mut() {
        written(name, &of_studies);
    }
    if let Some(group) = meta.group_by.as_mut() {
        written(group, &of_findings);
    }
    let both: Vec<String> = of_studies.into_iter().chain(of_findings).collect();
    for (name, _) in meta.columns.iter_mut() {
        written(name, &both);
    }
}

/// Every declaration that names no column of the review's own, told at
/// `dataset.toml`.
pub(super) fn check(
    meta: &Meta,
    (studies, findings): (Option<&ReadTable>, Option<&ReadTable>),
    layout: Layout,
    problems: &mut Vec<Problem>,
) {
    let told = |message: String| Problem::file(ReviewFile::Meta.file(), message);
    let groups = meta.participant_groups();
    if let Some(studies) = studies {
        for (column, _) in &meta.participants {
            if let Some(why) = not_own(column, ReviewFile::Studies, studies, layout) {
                problems.push(told(format!("[participants] `{column}` {why}")));
            }
        }
        for (column, _) in &meta.published_totals {
            if let Some(why) = not_own(column, ReviewFile::Studies, studies, layout) {
                problems.push(told(format!("[published_totals] `{column}` {why}")));
            } else if !groups.contains(&column.as_str()) {
                problems.push(told(format!(
                    "[published_totals] `{column}` is not a participant group: list it under [participants] (a total is of participants)"
                )));
            }
        }
    }
    if let Some(findings) = findings {
        grouping(meta, findings, layout, problems);
    }
    // A `[columns]` description changes no figure: one of no column (a
    // typo, a column since renamed) is `check`'s warning, not a refusal.
}

/// Why `column` is not one of the review's own columns of `file` (read as
/// `table`): metasum's, computed by metasum, or none; `None` when it is.
fn not_own(column: &str, file: ReviewFile, table: &ReadTable, layout: Layout) -> Option<String> {
    let named = file.named(layout);
    let lower = column.to_lowercase();
    let is = |names: &[&str]| names.iter().any(|n| n.to_lowercase() == lower);
    let method: Vec<&str> = file.columns().iter().map(|c| c.name).collect();
    if is(&method) {
        return Some(format!(
            "is one of metasum's own columns of {named}, not one of the review's"
        ));
    }
    if is(&file.computed_anywhere()) {
        return Some(format!(
            "is a name metasum computes a column under; rename the column of {named}"
        ));
    }
    table
        .frame
        .column(column)
        .is_err()
        .then(|| format!("names no column of {named}"))
}

/// The column that groups findings: the review's own, its codes checked;
/// codes declared for no grouping are a problem.
fn grouping(meta: &Meta, findings: &ReadTable, layout: Layout, problems: &mut Vec<Problem>) {
    let file = ReviewFile::Findings;
    let told = |message: String| Problem::file(ReviewFile::Meta.file(), message);
    match &meta.group_by {
        Some(column) => match not_own(column, file, findings, layout) {
            None if meta.participant_groups().contains(&column.as_str()) => {
                problems.push(told(format!(
                    "group_findings_by = \"{column}\" is also a participant group: profile sums the one and shows the other under one name; rename one"
                )))
            }
            None => super::validate::coded(problems, file.file(), findings, column, &meta.groups, true),
            Some(why) => problems.push(told(format!("group_findings_by = \"{column}\" {why}"))),
        },
        None if !meta.groups.is_empty() => problems.push(told(format!(
            "[groups] lists the codes of the column that groups findings, but none is named: add group_findings_by = \"COLUMN\" (a column of {})",
            file.named(layout)
        ))),
        None => {}
    }
}
