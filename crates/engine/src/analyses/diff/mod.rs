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

mod changes;
mod columns;

pub use changes::changes;

use crate::exact::{self, Points};
use crate::{Dataset, count::views};

pub use crate::review::dataset::Previous;

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

/// One version's findings: key -> (name, n of its studies, its studies' keys).
type Findings = BTreeMap<String, (String, Share, BTreeSet<String>)>;

/// A count out of a whole: a finding's n of the studies, a study's n of the
/// findings. Its percentage (FES, intensity) is made from these two, so
/// that a change is the exact difference of two ratios.
#[derive(Debug, Clone, Copy)]
struct Share {
    n: i64,
    of: i64,
}

impl Share {
    /// `100 * n / of`: missing when the whole is 0 (0 of 0 is no percentage).
    fn percent(self) -> Option<f64> {
        exact::percent(self.n, self.of)
    }
}

/// The findings of `ds` with their n, FES and studies, by written key.
fn findings(ds: &Dataset) -> PolarsResult<(Findings, Vec<String>)> {
    let frame = views::findings_view(ds, None)?.collect()?;
    let ids = frame.column("id")?.i64()?;
    let names = frame.column("name")?.str()?;
    let ns = frame.column("n")?.i64()?;
    let of = ds.studies.height() as i64;
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
                Share {
                    n: ns.get(i).unwrap_or(0),
                    of,
                },
                linked,
            ),
        );
        order.push(key);
    }
    Ok((out, order))
}

/// One version's rows by key: name, and n of the whole (FES, intensity).
type Figures = BTreeMap<String, (String, Share)>;

/// A version's n and value (missing where it has no such row).
type Figure = Option<Share>;

/// One finding's or study's figures in both versions: its key, name, n
/// and value (FES, intensity) before, n and value after.
struct BeforeAfter {
    key: String,
    name: String,
    before: Figure,
    after: Figure,
}

impl BeforeAfter {
    /// After less before, in percentage points (missing when one version
    /// lacks it), made from the counts by one division.
    fn change(&self) -> Option<f64> {
        let (a, b) = (self.after?, self.before?);
        exact::percent_difference(a.n, a.of, b.n, b.of)
    }

    /// Whether the change is more than `points` either way, decided in
    /// whole numbers.
    fn changed_by_more_than(&self, points: Points) -> bool {
        let (Some(a), Some(b)) = (self.after, self.before) else {
            return false;
        };
        let up = points.compare_difference(a.n, a.of, b.n, b.of);
        let down = points.compare_difference(b.n, b.of, a.n, a.of);
        up == Some(std::cmp::Ordering::Greater) || down == Some(std::cmp::Ordering::Greater)
    }
}

/// Pairs the rows of two versions (`was`, `now` in `order`) by key.
fn pair(was: &Figures, now: &Figures, order: &[String]) -> Vec<BeforeAfter> {
    let mut rows: Vec<BeforeAfter> = (order.iter())
        .map(|key| BeforeAfter {
            key: key.clone(),
            name: now[key].0.clone(),
            before: was.get(key).map(|b| b.1),
            after: Some(now[key].1),
        })
        .collect();
    rows.extend(
        was.iter()
            .filter(|(k, _)| !now.contains_key(*k))
            .map(|(key, b)| BeforeAfter {
                key: key.clone(),
                name: b.0.clone(),
                before: Some(b.1),
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
    let figure = |pick: fn(&BeforeAfter) -> Figure| {
        (
            rows.iter()
                .map(|r| pick(r).map(|p| p.n))
                .collect::<Vec<_>>(),
            rows.iter()
                .map(|r| pick(r).and_then(Share::percent))
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

/// Each finding of either version with its n of the studies before and
/// after (the largest change first), and the `--crossing` percentage.
fn fes_rows(ds: &Dataset) -> PolarsResult<(Vec<BeforeAfter>, Option<Points>)> {
    let Some(previous) = &ds.previous else {
        return Ok((Vec::new(), None));
    };
    let figures = |f: Findings| -> Figures {
        f.into_iter()
            .map(|(k, (name, share, _))| (k, (name, share)))
            .collect()
    };
    let ((was, _), (now, order)) = (findings(&previous.dataset)?, findings(ds)?);
    Ok((
        pair(&figures(was), &figures(now), &order),
        previous.crossing,
    ))
}

/// `above P%` or `below P%` when a finding's FES went from below `p` to
/// `p` or more, or back; missing otherwise. Decided in whole numbers.
fn crossed(row: &BeforeAfter, p: Points) -> Option<String> {
    let (b, a) = (row.before?, row.after?);
    if b.of == 0 || a.of == 0 {
        return None;
    }
    let reached = |s: Share| p.compare_percent(s.n, s.of) != std::cmp::Ordering::Less;
    match (reached(b), reached(a)) {
        (false, true) => Some(format!("above {p}%")),
        (true, false) => Some(format!("below {p}%")),
        _ => None,
    }
}

/// `fes_changes`: each finding of either version with its n and FES before
/// and after, the change in percentage points, and (with `--crossing P`)
/// whether it crossed P%; the largest change first.
pub fn fes_changes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let (rows, crossing) = fes_rows(ds)?;
    let mut columns = before_after_columns(&rows, "finding", "fes");
    if let Some(p) = crossing {
        columns.push(Column::new(
            "crossed".into(),
            rows.iter().map(|r| crossed(r, p)).collect::<Vec<_>>(),
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
        let of = d.findings.height() as i64;
        let mut out = BTreeMap::new();
        let mut order = Vec::new();
        for i in 0..frame.height() {
            if let (Some(id), Some(n)) = (ids.get(i), ns.get(i)) {
                let key = d.keys.studies.text(id);
                out.insert(key.clone(), (d.study_label(id), Share { n, of }));
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
pub fn summary(ds: &Dataset, points: Points) -> PolarsResult<String> {
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
        ("study changed", "study", "studies", "changed"),
        ("paper changed", "paper", "papers", "changed"),
        ("finding changed", "finding", "findings", "changed"),
        ("link added", "evidence link", "evidence links", "added"),
        ("link removed", "evidence link", "evidence links", "removed"),
        ("column added", "column", "columns", "added"),
        ("column removed", "column", "columns", "removed"),
        ("column renamed", "column", "columns", "renamed"),
    ]
    .iter()
    .filter_map(|(kind, one, more, did)| {
        let n = *counts.get(kind)?;
        Some(format!("{} {did}", crate::words::count_of(n, one, more)))
    })
    .collect();
    let (rows, _) = fes_rows(ds)?;
    let moved: Vec<String> = (rows.iter())
        .filter(|r| r.changed_by_more_than(points))
        .filter_map(|r| {
            let change = crate::exact::round_half_up(r.change()?, 1);
            Some(format!("{} ({change:+.1})", r.key))
        })
        .collect();
    if !moved.is_empty() {
        parts.push(format!(
            "{} changed by more than {points} points: {}",
            crate::words::count_of(moved.len(), "finding", "findings"),
            moved.join(", ")
        ));
    }
    if parts.is_empty() {
        return Ok("no change".into());
    }
    Ok(parts.join("; "))
}
