//! The tables read as the dataset holds them, as frames: `papers` and
//! `evidence` as stored, and the tables about the review's own text,
//! `claims`, `citations` and `search` ([`crate::query::registry::Rows::Stored`]).
//! Ids are numbers here (stand-ins for text ids), like every other table's
//! before [`crate::query::keyed::present`].

use polars::prelude::*;

use crate::Dataset;

/// `papers` as stored.
pub fn papers(ds: &Dataset) -> PolarsResult<DataFrame> {
    Ok(ds.papers.clone())
}

/// `evidence` as stored.
pub fn evidence(ds: &Dataset) -> PolarsResult<DataFrame> {
    Ok(ds.links()?.clone())
}

/// `claims`: id, section, statement, studies (a list), finding.
pub fn claims(ds: &Dataset) -> PolarsResult<DataFrame> {
    let c = &ds.claims;
    let studies: ListChunked = c
        .iter()
        .map(|x| Some(Series::new(PlSmallStr::EMPTY, x.studies.clone())))
        .collect();
    frame(vec![
        column("id", c, |x| x.id),
        column("section", c, |x| x.section.clone()),
        column("statement", c, |x| x.statement.clone()),
        studies.with_name("studies".into()).into_column(),
        column("finding", c, |x| x.finding),
    ])
}

/// `citations`: study, cited_as, year, section.
pub fn citations(ds: &Dataset) -> PolarsResult<DataFrame> {
    let c = &ds.citations;
    frame(vec![
        column("study", c, |x| x.study),
        column("cited_as", c, |x| x.cited_as.clone()),
        column("year", c, |x| x.year),
        column("section", c, |x| x.section.clone()),
    ])
}

/// `search`: stage, count, parent (`;`-separated), label, excluded,
/// excluded_label.
pub fn search(ds: &Dataset) -> PolarsResult<DataFrame> {
    let s = &ds.search;
    frame(vec![
        column("stage", s, |x| x.stage.clone()),
        column("count", s, |x| x.count),
        column("parent", s, |x| x.parents.join(";")),
        column("label", s, |x| x.label.clone()),
        column("excluded", s, |x| x.excluded),
        column("excluded_label", s, |x| x.excluded_label.clone()),
    ])
}

/// `coding`: finding, study, coder: each coder's own links, as stored.
pub fn coding(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(i64, i64, String)> = Vec::new();
    if let Some(c) = &ds.coding {
        for (coder, links) in c.coders.iter().zip(&c.links) {
            rows.extend(links.iter().map(|(f, s)| (*f, *s, coder.clone())));
        }
    }
    frame(vec![
        column("finding", &rows, |x| x.0),
        column("study", &rows, |x| x.1),
        column("coder", &rows, |x| x.2.clone()),
    ])
}

/// `extracts`: finding, paper, study (the paper's), place, quote, coder,
/// qda_guid.
pub fn extracts(ds: &Dataset) -> PolarsResult<DataFrame> {
    let ids = ds.papers.column("id")?.i64()?;
    let studies = ds.papers.column("study")?.i64()?;
    let study_of: PlHashMap<i64, Option<i64>> = (ids.iter())
        .zip(studies.iter())
        .filter_map(|(id, study)| Some((id?, study)))
        .collect();
    let e = &ds.extracts;
    frame(vec![
        column("finding", e, |x| x.finding),
        column("paper", e, |x| x.paper),
        column("study", e, |x| study_of.get(&x.paper).copied().flatten()),
        column("place", e, |x| x.place.clone()),
        column("quote", e, |x| x.quote.clone()),
        column("coder", e, |x| x.coder.clone()),
        // Kept through an export: what a second import recognises.
        column(super::extracts::GUID, e, |x| x.guid.clone()),
    ])
}

/// A column named `name` with `value` of each of `rows`.
fn column<T, V>(name: &str, rows: &[T], value: impl Fn(&T) -> V) -> Column
where
    Series: NamedFrom<Vec<V>, [V]>,
{
    Column::new(name.into(), rows.iter().map(value).collect::<Vec<V>>())
}

/// A frame of equally long `columns`.
fn frame(columns: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new(columns.first().map_or(0, Column::len), columns)
}
