//! `metasum export`: the whole dataset written out, computed columns
//! included, as a folder of CSV files or one workbook. Loading the export
//! gives the same query results (computed columns are recomputed, not read).

use std::path::Path;

use polars::prelude::*;

use crate::present::format::{Format, render, xlsx};
use crate::query::registry;
use crate::query::table::TableKind::{Findings, Studies};
use crate::review::atomic::{DatasetLock, FolderSwap, LOCK_FILE, write_atomically};
use crate::review::dataset::files::ReviewFile;
use crate::{Dataset, count::views, query::keyed};

/// The tables of an export, in the order of a dataset's files
/// ([`ReviewFile::ALL`]): the file and its frame. Findings and studies
/// with their computed columns, every other table as the registry reads
/// it (a table of the review's text only when it has rows: its file is
/// optional).
fn tables(ds: &Dataset) -> PolarsResult<Vec<(ReviewFile, DataFrame)>> {
    // Ids as the reviewer wrote them (text ids are numbers inside).
    let written = |kind, frame| keyed::present(ds, kind, frame);
    let mut out = Vec::new();
    for file in ReviewFile::ALL {
        let Some(def) =
            (registry::TABLES.iter()).find(|d| Some(&d.source) == file.source().as_ref())
        else {
            continue;
        };
        let frame = match (def.kind, def.rows) {
            (Studies, _) => views::studies_view(ds, None)?.collect()?,
            (Findings, _) => views::findings_view(ds, None)?.collect()?,
            (_, rows) => match rows.stored(ds) {
                Some(frame) => frame?,
                None => continue,
            },
        };
        if frame.height() > 0 || file.always() {
            out.push((file, written(def.kind, frame)?));
        }
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
    if let Some(group) = &m.group_by {
        t.insert(
            "group_findings_by".into(),
            toml::Value::String(group.clone()),
        );
    }
    for (key, pairs) in [
        ("groups", &m.groups),
        ("participants", &m.participants),
        ("columns", &m.columns),
    ] {
        if !pairs.is_empty() {
            t.insert(key.into(), table(pairs));
        }
    }
    if !m.quality_concerns.is_empty() {
        let concerns = m.quality_concerns.iter().cloned().map(toml::Value::String);
        t.insert(
            "quality_concerns".into(),
            toml::Value::Array(concerns.collect()),
        );
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
    // Where the copy came from, in a comment the loader skips: an export
    // of the embedded seed says so, wherever it is opened later.
    let from = std::path::Path::new(&ds.origin)
        .file_name()
        .map_or(ds.origin.clone(), |n| n.to_string_lossy().into_owned());
    format!(
        "# Exported by metasum {} from {}.\n{}",
        env!("CARGO_PKG_VERSION"),
        from.replace(['\n', '\r'], " "),
        toml::to_string(&t).unwrap_or_default()
    )
}

/// Writes the dataset to `target`: a workbook when it ends in `.xlsx`, else
/// a folder of CSV files plus `dataset.toml`. Either is written whole: the
/// workbook through a temporary file, the folder built beside the target
/// and swapped in, so a failed or concurrent export never leaves files of
/// two datasets mixed (a `claims.csv` of an earlier export does not
/// survive into this one). An existing folder is replaced only when it
/// holds nothing but dataset files.
pub fn export(ds: &Dataset, target: &Path) -> crate::Result<()> {
    export_to(ds, target).map_err(crate::Error::Output)
}

/// [`export`], failing with what went wrong.
fn export_to(ds: &Dataset, target: &Path) -> Result<(), String> {
    let tables = tables(ds).map_err(|e| e.to_string())?;
    let toml = meta_toml(ds);
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", target.display());
    if target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        let meta = DataFrame::new(
            1,
            vec![Column::new(ReviewFile::Meta.file().into(), [toml.as_str()])],
        )
        .map_err(|e| e.to_string())?;
        let mut sheets: Vec<(String, &DataFrame)> = vec![(ReviewFile::Meta.sheet(), &meta)];
        sheets.extend(tables.iter().map(|(file, f)| (file.sheet(), f)));
        let bytes = xlsx(&sheets).map_err(|e| e.to_string())?;
        return write_atomically(target, &bytes).map_err(cannot);
    }
    // An existing dataset folder is replaced while no other metasum reads
    // or writes it; its lock file goes with it (on Windows it is beside
    // the folder).
    let lock = match target.is_dir() {
        true => Some(DatasetLock::write(target).map_err(cannot)?),
        false => None,
    };
    let mut allowed = ReviewFile::folder_files();
    allowed.push(LOCK_FILE);
    let folder = FolderSwap::create(target, &allowed).map_err(cannot)?;
    folder
        .write(ReviewFile::Meta.file(), toml.as_bytes())
        .map_err(cannot)?;
    for (file, frame) in &tables {
        let text = render(frame, Format::Csv).map_err(|e| e.to_string())?;
        folder.write(file.file(), text.as_bytes()).map_err(cannot)?;
    }
    let committed = folder.commit().map_err(cannot);
    drop(lock);
    committed
}
