//! The tables of a folder besides the links (`dataset.toml`, studies,
//! papers, findings) read, typed and made ready to check; or taken from
//! the cache's checked copy of them ([`tables_cache`]).

use std::path::Path;

use super::{Reading, resolve_references};
use crate::review::dataset::cache_folder::Skip;
use crate::review::dataset::csvfile::{Lines, ReadTable};
use crate::review::dataset::files::{Layout, ReviewFile};
use crate::review::dataset::meta::FIRST_GROUPING;
use crate::review::dataset::{Meta, TableKeys, labels, tables_cache};

/// A folder's tables besides the links, as read and made ready to check
/// (or taken from a checked copy).
pub(super) struct Core {
    pub meta: Meta,
    pub studies: Option<ReadTable>,
    pub papers: Option<ReadTable>,
    pub findings: Option<ReadTable>,
    pub keys: TableKeys,
    pub study_labels: std::sync::OnceLock<polars::prelude::PlHashMap<i64, String>>,
    pub ignored_columns: Vec<(String, String)>,
}

/// The cache's copy of a folder's tables: its entry, the tables it kept
/// for the files as they are (if it has them), and why the cache may not
/// be used, when someone else could have written it.
#[derive(Default)]
pub(super) struct Kept {
    pub copy: Option<tables_cache::Entry>,
    pub tables: Option<tables_cache::Tables>,
    pub note: Option<String>,
}

impl Core {
    /// The tables a checked copy kept: no line of theirs is pointed at
    /// (they passed every check), and the labels are made when needed.
    pub(super) fn kept(kept: tables_cache::Tables) -> Core {
        let table = |frame| ReadTable {
            frame,
            lines: Lines::AfterHeader,
        };
        Core {
            meta: kept.meta,
            studies: Some(table(kept.studies)),
            papers: kept.papers.map(table),
            findings: Some(table(kept.findings)),
            keys: kept.keys,
            study_labels: std::sync::OnceLock::new(),
            ignored_columns: kept.ignored_columns,
        }
    }
}

impl Reading<'_> {
    /// `dataset.toml`, studies, papers and findings read, typed, respelt
    /// as declared, their ids made numbers, the papers' references
    /// resolved and computed columns left out: ready to check.
    pub(super) fn core(&mut self, layout: Layout) -> Core {
        let mut meta = self.meta();
        let mut studies = self.table(ReviewFile::Studies, true, &meta);
        let mut papers = self.table(ReviewFile::Papers, false, &meta);
        let mut findings = self.table(ReviewFile::Findings, true, &meta);
        crate::review::dataset::declared::respell(&mut meta, studies.as_ref(), findings.as_ref());
        if meta.group_by.is_none()
            && let Some(findings) = &findings
            && let Some(first) = (findings.frame.get_column_names().into_iter())
                .find(|c| c.eq_ignore_ascii_case(FIRST_GROUPING))
        {
            // Reviews made before the grouping was declared group by this.
            meta.group_by = Some(first.to_string());
        }
        if let Some(studies) = studies.as_mut() {
            declared_spelling(studies, "quality", &meta.quality);
        }
        if let (Some(findings), Some(group)) = (findings.as_mut(), meta.group_by.as_deref()) {
            declared_spelling(findings, group, &meta.groups);
        }
        let keys = self.keys(&mut studies, &mut findings, &mut papers);
        let study_labels = std::sync::OnceLock::new();
        let reserved = meta.matrix_lead();
        let labels = studies.as_ref();
        if let Some(labels) =
            labels.and_then(|s| labels::study_labels(s, &reserved, &mut self.problems))
        {
            _ = study_labels.set(labels);
        }
        let read = (studies.is_some(), findings.is_some());
        if let Some(papers) = papers.as_mut() {
            let papers_of = (ReviewFile::Papers, layout);
            resolve_references(papers, papers_of, &keys, read, &mut self.problems);
        }
        let ignored_columns = drop_computed(&mut studies, &mut findings);
        Core {
            meta,
            studies,
            papers,
            findings,
            keys,
            study_labels,
            ignored_columns,
        }
    }

    /// The cache's copy for the bytes the folder's files hold now (see
    /// [`Reading::kept_tables`]); none when one of them cannot be read
    /// (reading it again tells why).
    fn tables_copy(&mut self, dir: &Path, cache: &Path) -> Result<tables_cache::Entry, Skip> {
        for file in tables_cache::FILES {
            match self.source.read(file.file()) {
                Ok(bytes) => self.read_ahead.push((file, bytes)),
                Err(_) => {
                    self.read_ahead.clear();
                    return Err(Skip::Unused);
                }
            }
        }
        let files: Vec<(ReviewFile, Option<&[u8]>)> = (self.read_ahead.iter())
            .map(|(f, b)| (*f, b.as_deref()))
            .collect();
        tables_cache::Entry::new(cache, dir, &files)
    }

    /// The cache's copy of the tables of the folder `dir` (in the cache
    /// folder `cache`) and what it kept, for the bytes their files hold
    /// now: those bytes are kept and read from here on, so that the
    /// tables read are the ones the copy was looked up for.
    pub(super) fn kept_tables(&mut self, dir: &Path, cache: &Path) -> Kept {
        let copy = match self.tables_copy(dir, cache) {
            Ok(copy) => copy,
            Err(Skip::Untrusted(why)) => {
                return Kept {
                    note: Some(why),
                    ..Kept::default()
                };
            }
            Err(Skip::Unused) => return Kept::default(),
        };
        match copy.load() {
            Ok(tables) => Kept {
                copy: Some(copy),
                tables,
                note: None,
            },
            // Neither read nor written over.
            Err(Skip::Untrusted(why)) => Kept {
                note: Some(why),
                ..Kept::default()
            },
            Err(Skip::Unused) => Kept::default(),
        }
    }
}

/// The cells of `column` of `table` that name one of the declared `codes`
/// in another case (`Serious concerns` for `serious concerns`), written as
/// declared: codes are named in any case (the one rule of case,
/// DATASET.md), and every comparison and count then sees one spelling. A
/// cell that is no code in any case is left for the check to refuse.
fn declared_spelling(table: &mut ReadTable, column: &str, codes: &[(String, String)]) {
    let Some(cells) = table.frame.column(column).ok().and_then(|c| c.str().ok()) else {
        return;
    };
    let declared = |cell: &str| -> Option<&str> {
        if codes.iter().any(|(c, _)| c == cell) {
            return None;
        }
        let lower = cell.to_lowercase();
        let mut matching = codes.iter().filter(|(c, _)| c.to_lowercase() == lower);
        match (matching.next(), matching.next()) {
            (Some((code, _)), None) => Some(code.as_str()),
            _ => None,
        }
    };
    if !cells.iter().flatten().any(|cell| declared(cell).is_some()) {
        return;
    }
    let respelt: Vec<Option<String>> = (cells.iter())
        .map(|cell| cell.map(|c| declared(c).unwrap_or(c).to_string()))
        .collect();
    let column = polars::prelude::Column::new(column.into(), respelt);
    // The column exists (its cells were just read).
    let _ = table.frame.with_column(column);
}

/// Columns metasum computes: stored columns of these names (in any case)
/// are left out, and listed as (file, column).
fn drop_computed(
    studies: &mut Option<ReadTable>,
    findings: &mut Option<ReadTable>,
) -> Vec<(String, String)> {
    let mut ignored = Vec::new();
    for (file, table) in [
        (ReviewFile::Studies, studies),
        (ReviewFile::Findings, findings),
    ] {
        let Some(table) = table else { continue };
        let computed = file.computed();
        // Any case: queries name columns in any case, so a stored `FES`
        // would stand beside the computed `fes` under one name.
        let stored: Vec<String> = (table.frame.get_column_names().iter())
            .filter(|c| computed.iter().any(|n| n.eq_ignore_ascii_case(c)))
            .map(|c| c.to_string())
            .collect();
        for name in stored {
            if let Ok(frame) = table.frame.drop(&name) {
                table.frame = frame;
                ignored.push((file.file().to_string(), name));
            }
        }
    }
    ignored
}
