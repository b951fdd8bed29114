//! The table `changes`: the studies, papers and findings removed, added
//! and changed from the earlier version to this one, their links, and
//! their columns.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::{columns, findings};
use crate::Dataset;
use crate::review::dataset::files::ReviewFile;

/// A stored table's rows by written key, each as its cells' text by column.
pub(super) type RowTexts = BTreeMap<String, BTreeMap<String, String>>;

/// A stored table of one version: its rows, and its columns' names.
struct Table {
    rows: RowTexts,
    names: columns::Names,
}

/// A stored table's rows by written key: each row's cells as text, by
/// column as queries name it ([`columns::name_key`]; ids in `refs` columns
/// written as their version writes them), so that two versions compare
/// cell by cell.
fn row_texts(
    frame: &DataFrame,
    key_of: impl Fn(i64) -> String,
    refs: &[(&str, &crate::review::dataset::keys::Keys)],
) -> PolarsResult<Table> {
    let ids = frame.column("id")?.cast(&DataType::Int64)?;
    let ids = ids.i64()?;
    let others: Vec<&Column> = frame
        .columns()
        .iter()
        .filter(|c| c.name() != "id")
        .collect();
    let names = (others.iter())
        .map(|c| (columns::name_key(c.name()), c.name().to_string()))
        .collect();
    let mut rows = BTreeMap::new();
    for i in 0..frame.height() {
        let Some(id) = ids.get(i) else { continue };
        let mut cells = BTreeMap::new();
        for column in &others {
            let value = column.get(i)?;
            let text = match (
                refs.iter().find(|(c, _)| *c == column.name().as_str()),
                &value,
            ) {
                (_, AnyValue::Null) => String::new(),
                (Some((_, keys)), v) => v.extract::<i64>().map_or(v.to_string(), |n| keys.text(n)),
                (None, v) => v.get_str().map_or_else(|| v.to_string(), str::to_string),
            };
            cells.insert(columns::name_key(column.name()), text);
        }
        rows.insert(key_of(id), cells);
    }
    Ok(Table { rows, names })
}

/// "country: UK -> USA; year: 2019 -> 2020": the cells of the columns both
/// versions have (as queries name them, or `renamed`) that differ, named
/// as `now` writes them; `skip` names columns compared elsewhere.
fn differences(
    was: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    (names, renamed): (&columns::Names, &columns::Renamed),
    skip: &[&str],
) -> String {
    (now.iter())
        .filter(|(c, _)| !skip.contains(&c.as_str()))
        .filter_map(|(c, v)| {
            let old = was.get(renamed.get(c).unwrap_or(c))?;
            let shown = names.get(c).unwrap_or(c);
            (old != v).then(|| format!("{shown}: {old} -> {v}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The two versions of a stored table compared column by column: rows
/// of `changes` for the columns, and the renamed ones.
fn compare_columns(
    rows: &mut Vec<Change>,
    file: &str,
    (was, now): (&Table, &Table),
) -> columns::Renamed {
    columns::changes(rows, file, (&was.names, &now.names), (&was.rows, &now.rows))
}

/// Rows of `changes` for one stored table: removed, added and changed
/// (`what` is `study`, `paper`, `finding`), named by `name`.
fn table_changes(
    rows: &mut Vec<Change>,
    (what, file): (&str, ReviewFile),
    (was, now): (&Table, &Table),
    name: impl Fn(&BTreeMap<String, String>) -> String,
    skip: &[&str],
) {
    let renamed = compare_columns(rows, file.file(), (was, now));
    let (was, names, now) = (&was.rows, &now.names, &now.rows);
    for (key, cells) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
        rows.push(change(
            &format!("{what} removed"),
            key,
            &name(cells),
            String::new(),
        ));
    }
    for (key, cells) in now.iter().filter(|(k, _)| !was.contains_key(*k)) {
        rows.push(change(
            &format!("{what} added"),
            key,
            &name(cells),
            String::new(),
        ));
    }
    for (key, cells) in now {
        if let Some(old) = was.get(key) {
            let changed = differences(old, cells, (names, &renamed), skip);
            if !changed.is_empty() {
                rows.push(change(
                    &format!("{what} changed"),
                    key,
                    &name(cells),
                    changed,
                ));
            }
        }
    }
}

/// The label of the study written `key` in `d`.
fn label(d: &Dataset, key: &str) -> String {
    match d.keys.studies.resolve(key) {
        crate::review::dataset::keys::Resolved::Id(id) => d.study_label(id),
        _ => String::new(),
    }
}

/// `changes`: one row per change: `change` (`study added`, `study
/// changed`, `finding renamed`, `link removed`, ...), `key`, `name`,
/// `detail` (what changed; a link's study).
pub fn changes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut rows: Vec<Change> = Vec::new();
    if let Some(previous) = &ds.previous {
        let old = &previous.dataset;
        study_changes(&mut rows, old, ds)?;
        paper_changes(&mut rows, old, ds)?;
        finding_changes(&mut rows, old, ds)?;
    }
    let column = |i: usize, name: &str| {
        Column::new(
            name.into(),
            rows.iter().map(|r| r[i].clone()).collect::<Vec<String>>(),
        )
    };
    DataFrame::new(
        rows.len(),
        vec![
            column(0, "change"),
            column(1, "key"),
            column(2, "name"),
            column(3, "detail"),
        ],
    )
}

/// A row of `changes`: change, key, name, detail.
pub(super) type Change = [String; 4];

/// The row of `changes` that says `what` of `key` (`name`), with `detail`.
pub(super) fn change(what: &str, key: &str, name: &str, detail: String) -> Change {
    [what.to_string(), key.to_string(), name.to_string(), detail]
}

/// The studies removed, added and changed from `old` to `ds`, and their
/// columns added, removed or renamed.
fn study_changes(rows: &mut Vec<Change>, old: &Dataset, ds: &Dataset) -> PolarsResult<()> {
    let studies = |d: &Dataset| row_texts(&d.studies, |id| d.keys.studies.text(id), &[]);
    let (before, after) = (studies(old)?, studies(ds)?);
    let renamed = compare_columns(rows, ReviewFile::Studies.file(), (&before, &after));
    let names = &after.names;
    let (before, after) = (before.rows, after.rows);
    let (label_before, label_after) = (|k: &String| label(old, k), |k: &String| label(ds, k));
    for (key, _) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
        rows.push(change(
            "study removed",
            key,
            &label_before(key),
            String::new(),
        ));
    }
    for (key, _) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
        rows.push(change("study added", key, &label_after(key), String::new()));
    }
    for (key, cells) in &after {
        if let Some(was) = before.get(key) {
            let changed = differences(was, cells, (names, &renamed), &[]);
            if !changed.is_empty() {
                rows.push(change("study changed", key, &label_after(key), changed));
            }
        }
    }
    Ok(())
}

/// The papers removed, added and changed, where both versions have
/// papers.csv.
fn paper_changes(rows: &mut Vec<Change>, old: &Dataset, ds: &Dataset) -> PolarsResult<()> {
    // Papers only where both versions have papers.csv: made up one per
    // study, they would pair papers of different studies.
    if old.papers_stored && ds.papers_stored {
        let papers = |d: &Dataset| {
            row_texts(
                &d.papers,
                |id| d.keys.papers.text(id),
                &[("study", &d.keys.studies)],
            )
        };
        let citation =
            |cells: &BTreeMap<String, String>| cells.get("citation").cloned().unwrap_or_default();
        table_changes(
            rows,
            ("paper", ReviewFile::Papers),
            (&papers(old)?, &papers(ds)?),
            citation,
            &[],
        );
    }
    Ok(())
}

/// The findings removed, added, renamed and changed, their links removed
/// and added, and their columns added, removed or renamed.
fn finding_changes(rows: &mut Vec<Change>, old: &Dataset, ds: &Dataset) -> PolarsResult<()> {
    let (label_before, label_after) = (|k: &String| label(old, k), |k: &String| label(ds, k));
    let ((was, _), (now, order)) = (findings(old)?, findings(ds)?);
    let link = |study: &String, labels: &dyn Fn(&String) -> String| {
        format!("study {study} ({})", labels(study))
    };
    for (key, (name, _, links)) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
        rows.push(change("finding removed", key, name, String::new()));
        for study in links {
            rows.push(change(
                "link removed",
                key,
                name,
                link(study, &label_before),
            ));
        }
    }
    let finding_rows = |d: &Dataset| row_texts(&d.findings, |id| d.keys.findings.text(id), &[]);
    let (finding_before, finding_after) = (finding_rows(old)?, finding_rows(ds)?);
    let renamed_findings = compare_columns(
        rows,
        ReviewFile::Findings.file(),
        (&finding_before, &finding_after),
    );
    let finding_names = &finding_after.names;
    let (finding_before, finding_after) = (finding_before.rows, finding_after.rows);
    for key in &order {
        let (name, _, linked) = &now[key];
        let Some((old_name, _, old_links)) = was.get(key) else {
            rows.push(change("finding added", key, name, String::new()));
            for study in linked {
                rows.push(change("link added", key, name, link(study, &label_after)));
            }
            continue;
        };
        if old_name != name {
            rows.push(change(
                "finding renamed",
                key,
                name,
                format!("was: {old_name}"),
            ));
        }
        if let (Some(a), Some(b)) = (finding_before.get(key), finding_after.get(key)) {
            let changed = differences(a, b, (finding_names, &renamed_findings), &["name"]);
            if !changed.is_empty() {
                rows.push(change("finding changed", key, name, changed));
            }
        }
        for study in old_links.difference(linked) {
            rows.push(change(
                "link removed",
                key,
                name,
                link(study, &label_before),
            ));
        }
        for study in linked.difference(old_links) {
            rows.push(change("link added", key, name, link(study, &label_after)));
        }
    }
    Ok(())
}
