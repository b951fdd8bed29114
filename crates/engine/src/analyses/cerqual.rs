//! The GRADE-CERQual tables a journal asks for, from `cerqual.csv`:
//! `cerqual` (the assessments as stored), `soqf` (the Summary of
//! Qualitative Findings) and `evidence_profile` (each component's level and
//! explanation). Ids are numbers here, as in every table before
//! [`crate::query::keyed::present`]; the contributing studies are named by label.

use polars::prelude::*;

use crate::Dataset;
use crate::review::dataset::{Assessment, COMPONENTS};

/// Why `soqf`, `evidence_profile` and `cerqual` have no rows, when the
/// dataset has no `cerqual.csv`.
pub fn note(ds: &Dataset) -> Option<String> {
    ds.cerqual.is_none().then(|| {
        "this dataset has no cerqual.csv: the CERQual tables are empty (see docs/DATASET.md)"
            .to_string()
    })
}

/// The assessments in the order of the findings (Table 2's order).
fn in_finding_order(ds: &Dataset) -> PolarsResult<Vec<&Assessment>> {
    let Some(all) = &ds.cerqual else {
        return Ok(Vec::new());
    };
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    let position: PlHashMap<i64, usize> = (ids.i64()?.iter().enumerate())
        .filter_map(|(i, id)| Some((id?, i)))
        .collect();
    let mut ordered: Vec<&Assessment> = all.iter().collect();
    ordered.sort_by_key(|a| position.get(&a.finding).copied().unwrap_or(usize::MAX));
    Ok(ordered)
}

/// Each finding's name, by id (also for `disagreements`).
pub(crate) fn names(ds: &Dataset) -> PolarsResult<PlHashMap<i64, String>> {
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    let names = ds.findings.column("name")?.cast(&DataType::String)?;
    Ok((ids.i64()?.iter().zip(names.str()?.iter()))
        .filter_map(|(id, name)| Some((id?, name.unwrap_or("").to_string())))
        .collect())
}

/// The contributing studies of each finding of `rows`, by label, in id
/// order: only those findings' (every finding's studies by label, at 20M
/// links, took 2 s and over 1 GB, even for no assessment).
fn contributing(ds: &Dataset, rows: &[&Assessment]) -> PolarsResult<PlHashMap<i64, Vec<String>>> {
    if rows.is_empty() {
        return Ok(PlHashMap::new());
    }
    let wanted: PlHashSet<i64> = rows.iter().map(|a| a.finding).collect();
    let links = ds.links()?;
    let findings = links.column("finding")?.cast(&DataType::Int64)?;
    let studies = links.column("study")?.cast(&DataType::Int64)?;
    let mut ids: PlHashMap<i64, Vec<i64>> = PlHashMap::new();
    for (f, s) in findings.i64()?.iter().zip(studies.i64()?.iter()) {
        if let (Some(f), Some(s)) = (f, s)
            && wanted.contains(&f)
        {
            ids.entry(f).or_default().push(s);
        }
    }
    Ok(ids
        .into_iter()
        .map(|(f, mut studies)| {
            studies.sort_unstable();
            studies.dedup();
            let labels = studies.into_iter().map(|s| ds.study_label(s)).collect();
            (f, labels)
        })
        .collect())
}

/// A text column of `rows`.
fn text<'a>(
    name: &str,
    rows: &[&'a Assessment],
    value: impl Fn(&'a Assessment) -> String,
) -> Column {
    Column::new(
        name.into(),
        rows.iter().map(|a| value(a)).collect::<Vec<String>>(),
    )
}

/// The finding ids of `rows`.
fn finding(rows: &[&Assessment]) -> Column {
    Column::new(
        "finding".into(),
        rows.iter().map(|a| a.finding).collect::<Vec<i64>>(),
    )
}

/// The contributing studies of `rows`' findings, by label.
fn studies(ds: &Dataset, rows: &[&Assessment]) -> PolarsResult<Column> {
    let by_finding = contributing(ds, rows)?;
    let lists: ListChunked = (rows.iter())
        .map(|a| {
            let labels = by_finding.get(&a.finding).cloned().unwrap_or_default();
            Some(Series::new(PlSmallStr::EMPTY, labels))
        })
        .collect();
    Ok(lists.with_name("studies".into()).into_series().into())
}

/// The summarised finding, or the finding's name when none is given.
fn summary(names: &PlHashMap<i64, String>, a: &Assessment) -> String {
    match a.summary.as_str() {
        "" => names.get(&a.finding).cloned().unwrap_or_default(),
        given => given.to_string(),
    }
}

/// The four components' levels and explanations, as columns.
fn component_columns(rows: &[&Assessment]) -> Vec<Column> {
    let mut columns = Vec::new();
    for (k, (name, _)) in COMPONENTS.iter().enumerate() {
        columns.push(text(name, rows, |a| {
            a.components[k].level.code().to_string()
        }));
        columns.push(text(&format!("{name}_explanation"), rows, |a| {
            a.components[k].explanation.clone()
        }));
    }
    columns
}

/// `cerqual`: the assessments as `cerqual.csv` holds them (what `export`
/// writes back).
pub fn cerqual(ds: &Dataset) -> PolarsResult<DataFrame> {
    let rows = in_finding_order(ds)?;
    let mut columns = vec![
        finding(&rows),
        text("summary", &rows, |a| a.summary.clone()),
    ];
    columns.extend(component_columns(&rows));
    columns.push(text("confidence", &rows, |a| {
        a.confidence.level.code().into()
    }));
    columns.push(text("confidence_explanation", &rows, |a| {
        a.confidence.explanation.clone()
    }));
    DataFrame::new(rows.len(), columns)
}

/// `soqf`: the Summary of Qualitative Findings: each finding (as
/// summarised), the confidence in it and why, and its studies.
pub fn soqf(ds: &Dataset) -> PolarsResult<DataFrame> {
    let rows = in_finding_order(ds)?;
    let names = names(ds)?;
    DataFrame::new(
        rows.len(),
        vec![
            finding(&rows),
            text("summary", &rows, |a| summary(&names, a)),
            text("confidence", &rows, |a| a.confidence.level.code().into()),
            text("explanation", &rows, |a| a.confidence.explanation.clone()),
            studies(ds, &rows)?,
        ],
    )
}

/// `evidence_profile`: each finding's four components (level and
/// explanation), its overall confidence and why, and its studies.
pub fn evidence_profile(ds: &Dataset) -> PolarsResult<DataFrame> {
    let rows = in_finding_order(ds)?;
    let names = names(ds)?;
    let mut columns = vec![
        finding(&rows),
        text("summary", &rows, |a| summary(&names, a)),
    ];
    columns.extend(component_columns(&rows));
    columns.push(text("confidence", &rows, |a| {
        a.confidence.level.code().into()
    }));
    columns.push(text("confidence_explanation", &rows, |a| {
        a.confidence.explanation.clone()
    }));
    columns.push(studies(ds, &rows)?);
    DataFrame::new(rows.len(), columns)
}

/// The CERQual levels a column of a CERQual table (cerqual, soqf,
/// evidence_profile) holds, least first (`very low` .. `high`; `no or very
/// minor concerns` .. `serious concerns`), when it holds them: such a
/// column compares and sorts by rank, not by its text (`confidence > low`
/// is moderate and high).
pub(crate) fn levels(column: &str) -> Option<Vec<&'static str>> {
    use crate::review::dataset::{Concern, Confidence};
    if column == "confidence" {
        return Some(Confidence::ALL.iter().rev().map(|c| c.code()).collect());
    }
    COMPONENTS
        .iter()
        .any(|(c, _)| *c == column)
        .then(|| Concern::ALL.iter().map(|c| c.code()).collect())
}

/// The rank (from 0, least) of a level as written in a query (`low`,
/// `"Minor concerns"`, `serious`), among `levels`.
pub(crate) fn rank_of(levels: &[&str], written: &str) -> Option<usize> {
    let code = crate::review::dataset::cerqual::confidence(written)
        .map(|c| c.code())
        .or_else(|| crate::review::dataset::cerqual::concern(written).map(|c| c.code()))?;
    levels.iter().position(|l| *l == code)
}

/// `column`'s levels as their ranks (missing for anything else).
pub(crate) fn rank(column: &str, levels: &[&str]) -> Expr {
    let mut ranked = lit(NULL).cast(DataType::Int64);
    for (i, level) in levels.iter().enumerate().rev() {
        ranked = when(col(column).eq(lit(*level)))
            .then(lit(i as i64))
            .otherwise(ranked);
    }
    ranked
}
