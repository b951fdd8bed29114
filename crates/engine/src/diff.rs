//! What changed between two versions of a review (a living review's
//! update): the tables `changes` (studies, papers and findings added,
//! removed or renamed, evidence links added and removed), `fes_changes`
//! (each finding's n and FES before and after) and `intensity_changes`,
//! of the dataset against the one it is compared with (`--compare OLD`,
//! or `metasum diff OLD NEW`). Ids are as each version writes them: the
//! two versions number text ids each their own way, so they are compared
//! as written.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use polars::prelude::*;

use crate::{Dataset, views};

/// The version a dataset is compared with, and the FES a finding may be
/// told to have crossed.
#[derive(Debug)]
pub struct Previous {
    /// The earlier version.
    pub dataset: Dataset,
    /// `--crossing P`: findings whose FES went from below P% to P% or more,
    /// or back.
    pub crossing: Option<f64>,
}

/// Compares `dataset` with `previous`.
pub fn compare(mut dataset: Dataset, previous: Previous) -> Dataset {
    dataset.previous = Some(Arc::new(previous));
    dataset
}

/// Why the change tables are empty, when the dataset is compared with none.
pub fn note(ds: &Dataset) -> Option<String> {
    ds.previous.is_none().then(|| {
        "nothing to compare with: give the earlier version with --compare OLD (or run `metasum diff OLD NEW`)".to_string()
    })
}

/// One version's findings: key -> (name, n, fes, its studies' keys).
type Findings = BTreeMap<String, (String, i64, f64, BTreeSet<String>)>;

/// The findings of `ds` with their n, FES and studies, by written key.
fn findings(ds: &Dataset) -> PolarsResult<(Findings, Vec<String>)> {
    let frame = views::findings_view(ds, None)?.collect()?;
    let ids = frame.column("id")?.i64()?;
    let names = frame.column("name")?.str()?;
    let ns = frame.column("n")?.i64()?;
    let fes = frame.column("fes")?.f64()?;
    let studies = frame.column("studies")?.list()?;
    let mut out = Findings::new();
    let mut order = Vec::new();
    for (i, list) in studies.amortized_iter().enumerate() {
        let key = ds.keys.findings.text(ids.get(i).unwrap_or_default());
        let linked: BTreeSet<String> = match list {
            Some(s) => (s.as_ref().i64()?.iter().flatten())
                .map(|id| ds.keys.studies.text(id))
                .collect(),
            None => BTreeSet::new(),
        };
        let name = names.get(i).unwrap_or_default().to_string();
        out.insert(
            key.clone(),
            (
                name,
                ns.get(i).unwrap_or(0),
                fes.get(i).unwrap_or(0.0),
                linked,
            ),
        );
        order.push(key);
    }
    Ok((out, order))
}

/// Each study's written key and label.
fn studies(ds: &Dataset) -> PolarsResult<BTreeMap<String, String>> {
    let ids = ds.studies.column("id")?.cast(&DataType::Int64)?;
    Ok((ids.i64()?.iter().flatten())
        .map(|id| (ds.keys.studies.text(id), ds.study_label(id)))
        .collect())
}

/// Each paper's written key.
fn papers(ds: &Dataset) -> PolarsResult<BTreeSet<String>> {
    let ids = ds.papers.column("id")?.cast(&DataType::Int64)?;
    Ok((ids.i64()?.iter().flatten())
        .map(|id| ds.keys.papers.text(id))
        .collect())
}

/// `changes`: one row per change: `change` (`study added`, `finding
/// renamed`, `link removed`, ...), `key`, `name`, `detail`.
pub fn changes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    if let Some(previous) = &ds.previous {
        let old = &previous.dataset;
        let (before, after) = (studies(old)?, studies(ds)?);
        for (key, label) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
            rows.push([
                "study removed".into(),
                key.clone(),
                label.clone(),
                String::new(),
            ]);
        }
        for (key, label) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            rows.push([
                "study added".into(),
                key.clone(),
                label.clone(),
                String::new(),
            ]);
        }
        let (paper_before, paper_after) = (papers(old)?, papers(ds)?);
        for key in paper_before.difference(&paper_after) {
            rows.push([
                "paper removed".into(),
                key.clone(),
                String::new(),
                String::new(),
            ]);
        }
        for key in paper_after.difference(&paper_before) {
            rows.push([
                "paper added".into(),
                key.clone(),
                String::new(),
                String::new(),
            ]);
        }
        let ((was, _), (now, order)) = (findings(old)?, findings(ds)?);
        for (key, (name, ..)) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
            rows.push([
                "finding removed".into(),
                key.clone(),
                name.clone(),
                String::new(),
            ]);
        }
        for key in &order {
            let (name, _, _, linked) = &now[key];
            match was.get(key) {
                None => rows.push([
                    "finding added".into(),
                    key.clone(),
                    name.clone(),
                    String::new(),
                ]),
                Some((old_name, _, _, old_links)) => {
                    if old_name != name {
                        rows.push([
                            "finding renamed".into(),
                            key.clone(),
                            name.clone(),
                            format!("was: {old_name}"),
                        ]);
                    }
                    let label = |study: &String, labels: &BTreeMap<String, String>| {
                        let label = labels.get(study).cloned().unwrap_or_default();
                        format!("study {study} ({label})")
                    };
                    for study in old_links.difference(linked) {
                        rows.push([
                            "link removed".into(),
                            key.clone(),
                            name.clone(),
                            label(study, &before),
                        ]);
                    }
                    for study in linked.difference(old_links) {
                        rows.push([
                            "link added".into(),
                            key.clone(),
                            name.clone(),
                            label(study, &after),
                        ]);
                    }
                }
            }
        }
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

/// One version's rows by key: name, n and value (FES, intensity).
type Figures = BTreeMap<String, (String, i64, f64)>;

/// One finding's or study's figures in both versions: its key, name, n
/// and value (FES, intensity) before, n and value after.
struct BeforeAfter {
    key: String,
    name: String,
    before: Option<(i64, f64)>,
    after: Option<(i64, f64)>,
}

impl BeforeAfter {
    /// After less before, in percentage points (missing when one version
    /// lacks it).
    fn change(&self) -> Option<f64> {
        Some(self.after?.1 - self.before?.1)
    }
}

/// Pairs the rows of two versions (`was`, `now` in `order`) by key.
fn pair(was: &Figures, now: &Figures, order: &[String]) -> Vec<BeforeAfter> {
    let mut rows: Vec<BeforeAfter> = (order.iter())
        .map(|key| BeforeAfter {
            key: key.clone(),
            name: now[key].0.clone(),
            before: was.get(key).map(|b| (b.1, b.2)),
            after: Some((now[key].1, now[key].2)),
        })
        .collect();
    rows.extend(
        was.iter()
            .filter(|(k, _)| !now.contains_key(*k))
            .map(|(key, b)| BeforeAfter {
                key: key.clone(),
                name: b.0.clone(),
                before: Some((b.1, b.2)),
                after: None,
            }),
    );
    // The largest change first; what only one version has last.
    rows.sort_by(|a, b| {
        let size = |r: &BeforeAfter| r.change().map(f64::abs);
        size(b)
            .partial_cmp(&size(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows
}

/// The columns of `rows`, named `key`, `name`, `n_before`, `VALUE_before`,
/// `n_after`, `VALUE_after`, `VALUE_change`.
fn before_after_columns(rows: &[BeforeAfter], key: &str, value: &str) -> Vec<Column> {
    let figure = |pick: fn(&BeforeAfter) -> Option<(i64, f64)>| {
        (
            rows.iter()
                .map(|r| pick(r).map(|p| p.0))
                .collect::<Vec<_>>(),
            rows.iter()
                .map(|r| pick(r).map(|p| p.1))
                .collect::<Vec<_>>(),
        )
    };
    let (n_before, before) = figure(|r| r.before);
    let (n_after, after) = figure(|r| r.after);
    vec![
        Column::new(
            key.into(),
            rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "name".into(),
            rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        ),
        Column::new("n_before".into(), n_before),
        Column::new(format!("{value}_before").into(), before),
        Column::new("n_after".into(), n_after),
        Column::new(format!("{value}_after").into(), after),
        Column::new(
            format!("{value}_change").into(),
            rows.iter().map(BeforeAfter::change).collect::<Vec<_>>(),
        ),
    ]
}

/// `fes_changes`: each finding of either version with its n and FES before
/// and after, the change in percentage points, and (with `--crossing P`)
/// whether it crossed P%; the largest change first.
pub fn fes_changes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let (rows, crossing) = match &ds.previous {
        Some(previous) => {
            let figures = |f: Findings| -> Figures {
                f.into_iter()
                    .map(|(k, (name, n, fes, _))| (k, (name, n, fes)))
                    .collect()
            };
            let ((was, _), (now, order)) = (findings(&previous.dataset)?, findings(ds)?);
            (
                pair(&figures(was), &figures(now), &order),
                previous.crossing,
            )
        }
        None => (Vec::new(), None),
    };
    let mut columns = before_after_columns(&rows, "finding", "fes");
    if let Some(p) = crossing {
        let crossed = |r: &BeforeAfter| match (r.before, r.after) {
            (Some((_, b)), Some((_, a))) if b < p && a >= p => format!("above {p}%"),
            (Some((_, b)), Some((_, a))) if b >= p && a < p => format!("below {p}%"),
            _ => String::new(),
        };
        columns.push(Column::new(
            "crossed".into(),
            rows.iter().map(crossed).collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(rows.len(), columns)
}

/// `intensity_changes`: each study of either version with its n and
/// intensity before and after, and the change; the largest change first.
pub fn intensity_changes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let version = |d: &Dataset| -> PolarsResult<(Figures, Vec<String>)> {
        let frame = views::studies_view(d, None)?.collect()?;
        let ids = frame.column("id")?.i64()?;
        let ns = frame.column("n")?.i64()?;
        let intensity = frame.column("intensity")?.f64()?;
        let mut out = BTreeMap::new();
        let mut order = Vec::new();
        for i in 0..frame.height() {
            if let (Some(id), Some(n), Some(x)) = (ids.get(i), ns.get(i), intensity.get(i)) {
                let key = d.keys.studies.text(id);
                out.insert(key.clone(), (d.study_label(id), n, x));
                order.push(key);
            }
        }
        Ok((out, order))
    };
    let rows = match &ds.previous {
        Some(previous) => {
            let ((was, _), (now, order)) = (version(&previous.dataset)?, version(ds)?);
            pair(&was, &now, &order)
        }
        None => Vec::new(),
    };
    let mut columns = before_after_columns(&rows, "study", "intensity");
    columns[1].rename("label".into());
    DataFrame::new(rows.len(), columns)
}

/// What an update changed, in a sentence or two for a terminal: "3 studies
/// added; 5 findings changed by more than 5 points: T1 (+8.0), ...".
pub fn summary(ds: &Dataset, points: f64) -> PolarsResult<String> {
    let changes = changes(ds)?;
    let kinds = changes.column("change")?.str()?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for kind in kinds.iter().flatten() {
        *counts.entry(kind).or_default() += 1;
    }
    let mut parts: Vec<String> = [
        ("study added", "study", "studies", "added"),
        ("study removed", "study", "studies", "removed"),
        ("paper added", "paper", "papers", "added"),
        ("paper removed", "paper", "papers", "removed"),
        ("finding added", "finding", "findings", "added"),
        ("finding removed", "finding", "findings", "removed"),
        ("finding renamed", "finding", "findings", "renamed"),
        ("link added", "evidence link", "evidence links", "added"),
        ("link removed", "evidence link", "evidence links", "removed"),
    ]
    .iter()
    .filter_map(|(kind, one, more, did)| {
        let n = *counts.get(kind)?;
        Some(format!("{} {did}", crate::format::count_of(n, one, more)))
    })
    .collect();
    let fes = fes_changes(ds)?;
    let keys = fes.column("finding")?.str()?;
    let change = fes.column("fes_change")?.f64()?;
    let moved: Vec<String> = (keys.iter().zip(change.iter()))
        .filter_map(|(k, c)| {
            let c = c?;
            (c.abs() > points).then(|| format!("{} ({c:+.1})", k.unwrap_or("")))
        })
        .collect();
    if !moved.is_empty() {
        parts.push(format!(
            "{} changed by more than {points} points: {}",
            crate::format::count_of(moved.len(), "finding", "findings"),
            moved.join(", ")
        ));
    }
    if parts.is_empty() {
        return Ok("no change".into());
    }
    Ok(parts.join("; "))
}
