//! `metasum export`: the whole dataset written out, computed columns
//! included, as a folder of CSV files or one workbook. Loading the export
//! gives the same query results (computed columns are recomputed, not read).

use std::path::Path;

use polars::prelude::*;

use crate::format::{Format, render, xlsx};
use crate::{Dataset, stats};

/// The tables of an export: name and frame.
fn tables(ds: &Dataset) -> PolarsResult<Vec<(String, DataFrame)>> {
    let mut out = vec![
        (
            "studies".to_string(),
            stats::studies_view(ds, None)?.collect()?,
        ),
        ("papers".to_string(), ds.papers.clone()),
        (
            "findings".to_string(),
            stats::findings_view(ds, None)?.collect()?,
        ),
        ("evidence".to_string(), ds.evidence.clone()),
    ];
    if !ds.claims.is_empty() {
        let c = &ds.claims;
        out.push((
            "claims".into(),
            DataFrame::new(
                c.len(),
                vec![
                    Column::new("id".into(), c.iter().map(|x| x.id).collect::<Vec<_>>()),
                    Column::new(
                        "section".into(),
                        c.iter().map(|x| x.section.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "statement".into(),
                        c.iter().map(|x| x.statement.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "studies".into(),
                        c.iter()
                            .map(|x| {
                                x.studies
                                    .iter()
                                    .map(i64::to_string)
                                    .collect::<Vec<_>>()
                                    .join(";")
                            })
                            .collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "finding".into(),
                        c.iter().map(|x| x.finding).collect::<Vec<_>>(),
                    ),
                ],
            )?,
        ));
    }
    if !ds.citations.is_empty() {
        let c = &ds.citations;
        out.push((
            "citations".into(),
            DataFrame::new(
                c.len(),
                vec![
                    Column::new(
                        "study".into(),
                        c.iter().map(|x| x.study).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "cited_as".into(),
                        c.iter().map(|x| x.cited_as.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new("year".into(), c.iter().map(|x| x.year).collect::<Vec<_>>()),
                    Column::new(
                        "section".into(),
                        c.iter().map(|x| x.section.clone()).collect::<Vec<_>>(),
                    ),
                ],
            )?,
        ));
    }
    if !ds.search.is_empty() {
        let s = &ds.search;
        out.push((
            "search".into(),
            DataFrame::new(
                s.len(),
                vec![
                    Column::new(
                        "stage".into(),
                        s.iter().map(|x| x.stage.clone()).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "count".into(),
                        s.iter().map(|x| x.count).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "parent".into(),
                        s.iter().map(|x| x.parents.join(";")).collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "label".into(),
                        s.iter().map(|x| x.label.clone()).collect::<Vec<_>>(),
                    ),
                ],
            )?,
        ));
    }
    Ok(out)
}

/// `dataset.toml` for the dataset's description.
fn meta_toml(ds: &Dataset) -> String {
    let mut t = toml::Table::new();
    let m = &ds.meta;
    for (k, v) in [
        ("title", &m.title),
        ("citation", &m.citation),
        ("notes", &m.notes),
    ] {
        if !v.is_empty() {
            t.insert(k.into(), toml::Value::String(v.clone()));
        }
    }
    let table = |pairs: &[(String, String)]| {
        toml::Value::Table(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
                .collect(),
        )
    };
    if !m.perspectives.is_empty() {
        t.insert("perspectives".into(), table(&m.perspectives));
    }
    if !m.quality.is_empty() {
        t.insert("quality".into(), table(&m.quality));
    }
    if !m.published_totals.is_empty() {
        let totals = m
            .published_totals
            .iter()
            .map(|(k, v)| (k.clone(), toml::Value::Integer(*v)))
            .collect();
        t.insert("published_totals".into(), toml::Value::Table(totals));
    }
    toml::to_string(&t).unwrap_or_default()
}

/// Writes the dataset to `target`: a workbook when it ends in `.xlsx`, else
/// a folder (created if needed) of CSV files plus `dataset.toml`.
pub fn export(ds: &Dataset, target: &Path) -> Result<(), String> {
    let tables = tables(ds).map_err(|e| e.to_string())?;
    let toml = meta_toml(ds);
    if target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        let meta = DataFrame::new(1, vec![Column::new("dataset.toml".into(), [toml.as_str()])])
            .map_err(|e| e.to_string())?;
        let mut sheets: Vec<(String, &DataFrame)> = vec![("dataset.toml".into(), &meta)];
        sheets.extend(tables.iter().map(|(n, f)| (n.clone(), f)));
        let bytes = xlsx(&sheets)?;
        return std::fs::write(target, bytes)
            .map_err(|e| format!("cannot write {}: {e}", target.display()));
    }
    std::fs::create_dir_all(target)
        .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(target.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write("dataset.toml", &toml)?;
    for (name, frame) in &tables {
        write(
            &format!("{name}.csv"),
            &render(frame, Format::Csv).map_err(|e| e.to_string())?,
        )?;
    }
    Ok(())
}
