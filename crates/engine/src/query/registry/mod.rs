//! The tables a query can read, defined once: the name queries use (from
//! [`metasum_query::ast::TABLES`]), what a row is, and what each known
//! column means. Name resolution, `.tables`, `.schema`, completion and the
//! error hints all read this list.

use metasum_query::ast::SourceKind;

use crate::review::dataset::files::ReviewFile;
use polars::prelude::{DataFrame, DataType, IntoColumn, PlSmallStr, PolarsResult, StringChunked};

use crate::Dataset;
use crate::query::table::TableKind;

pub use crate::review::dataset::files::Entity;
pub use tables::TABLES;

mod tables;

/// One table.
#[derive(Debug)]
pub struct TableDef {
    /// The rows' kind.
    pub kind: TableKind,
    /// Its name in queries.
    pub source: SourceKind,
    /// What one row is.
    pub row: &'static str,
    /// The columns it always has (stored or computed), with their meaning;
    /// a dataset may add its own.
    pub columns: &'static [(&'static str, &'static str)],
    /// The table whose columns this one shows too (profile and matrix rows
    /// are findings): a column not described here is described there.
    pub built_from: Option<TableKind>,
    /// The columns that hold ids, and whose (a list column holds several):
    /// shown as the reviewer wrote them, and named so in conditions.
    pub ids: &'static [(&'static str, Entity)],
    /// How its rows are made.
    pub(crate) rows: Rows,
}

/// How a table's rows are made.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    /// Counted by a view of its own from the stored tables.
    Computed,
    /// As the dataset holds them (ids as numbers): a stored table, or one
    /// the review's text gives.
    Stored(fn(&Dataset) -> PolarsResult<DataFrame>),
}

impl Rows {
    /// The rows of a table the dataset holds or its text gives (`None` for
    /// one counted by a view), with every empty text cell missing: one rule
    /// for every table, so that `is missing` finds an empty explanation
    /// and JSON, Parquet and Arrow hold null there, never `""`.
    pub(crate) fn stored(self, ds: &Dataset) -> Option<PolarsResult<DataFrame>> {
        match self {
            Rows::Computed => None,
            Rows::Stored(make) => Some(make(ds).and_then(empty_is_missing)),
        }
    }
}

/// `frame` with each empty text cell (or one of spaces only) made missing.
fn empty_is_missing(mut frame: DataFrame) -> PolarsResult<DataFrame> {
    let names: Vec<PlSmallStr> = (frame.columns().iter())
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.name().clone())
        .collect();
    for name in names {
        let texts = frame.column(&name)?.str()?;
        if !texts.iter().any(|t| t.is_some_and(|t| t.trim().is_empty())) {
            continue;
        }
        let kept: StringChunked = (texts.iter())
            .map(|t| t.filter(|t| !t.trim().is_empty()))
            .collect();
        frame.with_column(kept.with_name(name).into_column())?;
    }
    Ok(frame)
}

/// The file a table is read from, when it is one the review keeps
/// (studies, papers, ..., claims, cerqual, coding).
pub fn file_of(kind: TableKind) -> Option<ReviewFile> {
    let source = &def(kind)?.source;
    (ReviewFile::ALL.into_iter()).find(|f| f.source().as_ref() == Some(source))
}

/// The definition of the table `kind` (`None` for a `count by` result).
/// Exhaustive: a new kind of table does not compile until it has its
/// entry here.
pub fn def(kind: TableKind) -> Option<&'static TableDef> {
    Some(match kind {
        TableKind::Findings => &tables::FINDINGS,
        TableKind::Studies => &tables::STUDIES,
        TableKind::Papers => &tables::PAPERS,
        TableKind::Evidence => &tables::EVIDENCE,
        TableKind::Profile => &tables::PROFILE,
        TableKind::Matrix => &tables::MATRIX,
        TableKind::Claims => &tables::CLAIMS,
        TableKind::Citations => &tables::CITATIONS,
        TableKind::Search => &tables::SEARCH,
        TableKind::Cerqual => &tables::CERQUAL,
        TableKind::Soqf => &tables::SOQF,
        TableKind::EvidenceProfile => &tables::EVIDENCE_PROFILE,
        TableKind::Coding => &tables::CODING,
        TableKind::Extracts => &tables::EXTRACTS,
        TableKind::Agreement => &tables::AGREEMENT,
        TableKind::Disagreements => &tables::DISAGREEMENTS,
        TableKind::Changes => &tables::CHANGES,
        TableKind::FesChanges => &tables::FES_CHANGES,
        TableKind::IntensityChanges => &tables::INTENSITY_CHANGES,
        TableKind::Counts => return None,
    })
}

/// The definition of the table a query names (`None` for a `let` name).
pub fn of_source(source: &SourceKind) -> Option<&'static TableDef> {
    def(TableKind::of_source(source)?)
}

/// How many rows the table `kind` has in `ds` before any condition (a
/// findings view, the profile and the matrix have one per finding); `None`
/// for the evidence links when they cannot be read (their problems are
/// told to the statement that needs them).
pub fn rows(ds: &crate::Dataset, kind: TableKind) -> Option<usize> {
    Some(match kind {
        TableKind::Findings | TableKind::Profile | TableKind::Matrix => ds.findings.height(),
        TableKind::Studies => ds.studies.height(),
        TableKind::Papers => ds.papers.height(),
        TableKind::Evidence => ds.links().ok()?.height(),
        TableKind::Claims => ds.claims.len(),
        TableKind::Citations => ds.citations.len(),
        TableKind::Search => ds.search.len(),
        TableKind::Cerqual | TableKind::Soqf | TableKind::EvidenceProfile => {
            ds.cerqual.as_ref().map_or(0, Vec::len)
        }
        TableKind::Coding => ds
            .coding
            .as_ref()
            .map_or(0, |c| c.links.iter().map(|l| l.len()).sum()),
        TableKind::Extracts => ds.extracts.len(),
        TableKind::Agreement => ds.coding.as_ref().map_or(0, |_| ds.findings.height() + 1),
        TableKind::Disagreements => 0,
        // Counted when asked for: comparing two versions is the work.
        TableKind::Changes | TableKind::FesChanges | TableKind::IntensityChanges => 0,
        TableKind::Counts => 0,
    })
}

/// What `column` of rows of `kind` means in the review `ds`: the
/// registry's meaning of the method's own columns, else what the review's
/// `dataset.toml` says of its own (the grouping column, a participant
/// group, a `[columns]` entry; in `profile` a group's sum), when anyone
/// says.
pub fn meaning_in(ds: &Dataset, kind: TableKind, column: &str) -> Option<String> {
    if let Some(known) = meaning(kind, column) {
        return Some(known.to_string());
    }
    let stored = match kind {
        TableKind::Studies | TableKind::Findings | TableKind::Matrix => true,
        TableKind::Profile => false,
        _ => return None,
    };
    let meta = &ds.meta;
    if meta.participant_groups().contains(&column) && kind != TableKind::Findings {
        let whom = meta.counts_whom(column).unwrap_or(column);
        return Some(if stored {
            format!("{whom} taking part (empty: not reported)")
        } else {
            format!("computed: {whom} summed over its studies (empty: none reported)")
        });
    }
    if let Some(said) = meta.describes(column) {
        return Some(said.to_string());
    }
    (meta.group_by.as_deref() == Some(column) && kind != TableKind::Studies)
        .then(|| "the finding's group (group_findings_by; codes in dataset.toml)".to_string())
}

/// What `column` of `table` means, when the table defines it.
pub fn meaning(kind: TableKind, column: &str) -> Option<&'static str> {
    let def = def(kind)?;
    def.columns
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(column))
        .map(|(_, m)| *m)
        .or_else(|| meaning(def.built_from?, column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use metasum_query::ast::TABLES as NAMES;

    #[test]
    fn the_references_the_loader_checks_are_id_columns_of_other_tables() {
        for def in &TABLES {
            let Some(file) = file_of(def.kind) else {
                continue;
            };
            for reference in file.references() {
                assert!(def.ids.contains(reference), "{}", def.source.name());
                assert_ne!(reference.1.file(), file, "{}", def.source.name());
            }
        }
    }

    #[test]
    fn a_typed_file_is_read_and_computed_columns_as_described_and_nothing_else() {
        let mut typed = 0;
        for def in &TABLES {
            let Some(file) = file_of(def.kind) else {
                continue;
            };
            if file.columns().is_empty() {
                continue;
            }
            typed += 1;
            let mut known: Vec<&str> = (file.columns().iter().map(|c| c.name))
                .chain(file.computed().iter().copied())
                .collect();
            let mut described: Vec<&str> = def.columns.iter().map(|(c, _)| *c).collect();
            known.sort_unstable();
            described.sort_unstable();
            assert_eq!(known, described, "{}", def.source.name());
        }
        // The four files of every dataset: studies, papers, findings, evidence.
        assert_eq!(typed, 4);
        // The loader takes its columns from there: a seed column is typed
        // as it says (year a number, not text).
        let ds = crate::Dataset::seed().unwrap();
        let year = ds.studies.column("year").unwrap();
        assert!(year.dtype().is_integer(), "{}", year.dtype());
    }

    #[test]
    fn every_file_of_a_table_is_one_tables_and_every_tables_file_is_listed() {
        for file in ReviewFile::ALL {
            let tables = TABLES
                .iter()
                .filter(|d| Some(&d.source) == file.source().as_ref());
            assert_eq!(
                tables.count(),
                usize::from(file.source().is_some()),
                "{file:?}"
            );
        }
    }

    #[test]
    fn each_kind_finds_its_own_entry_and_each_name_its_kind() {
        for t in &TABLES {
            assert!(
                std::ptr::eq(def(t.kind).unwrap(), *t),
                "{}",
                t.source.name()
            );
            assert_eq!(TableKind::of_source(&t.source), Some(t.kind));
        }
        assert!(def(TableKind::Counts).is_none());
        assert_eq!(TableKind::of_source(&SourceKind::Name("x".into())), None);
    }

    #[test]
    fn the_registry_defines_every_table_the_language_names_in_its_order() {
        let sources: Vec<&SourceKind> = TABLES.iter().map(|t| &t.source).collect();
        assert_eq!(sources, NAMES.iter().collect::<Vec<_>>());
        for t in &TABLES {
            assert_eq!(t.kind.name(), t.source.name());
            assert!(
                !t.columns.is_empty() || t.built_from.is_some(),
                "{}",
                t.kind.name()
            );
        }
    }
}
