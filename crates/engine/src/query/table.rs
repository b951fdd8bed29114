//! What a query's rows are (findings, studies, ...), and the columns it can
//! name, with their types as the language sees them.

use polars::prelude::*;

use metasum_query::ast::{Ident, SourceKind, column_text};
use metasum_query::error::excerpt;

use crate::count::views::ListOf;
use crate::error::QueryError;

/// Which table the rows of a result come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Findings with n, fes and their studies.
    Findings,
    /// Studies with n, intensity, their findings and papers.
    Studies,
    /// Papers as stored.
    Papers,
    /// Evidence links as stored.
    Evidence,
    /// Findings with their evidence profile.
    Profile,
    /// The study x finding matrix.
    Matrix,
    /// Statements of the text with the studies they cite.
    Claims,
    /// Author-year citations in the text.
    Citations,
    /// The search and selection flow.
    Search,
    /// The CERQual assessments as stored.
    Cerqual,
    /// The Summary of Qualitative Findings (CERQual).
    Soqf,
    /// Each finding's CERQual judgements.
    EvidenceProfile,
    /// Each coder's own links.
    Coding,
    /// The coded passages that support each finding.
    Extracts,
    /// How far two coders agree.
    Agreement,
    /// The links two coders disagree on.
    Disagreements,
    /// What changed since the version compared with.
    Changes,
    /// Each finding's n and FES before and after.
    FesChanges,
    /// Each study's intensity before and after.
    IntensityChanges,
    /// A `count by` result.
    Counts,
}

impl TableKind {
    /// The table a query names (`None` for a `let` name). Exhaustive: a
    /// table the language gains does not compile until it is a kind here,
    /// and then until [`crate::query::registry::def`] has its entry.
    pub fn of_source(source: &SourceKind) -> Option<TableKind> {
        Some(match source {
            SourceKind::Findings => TableKind::Findings,
            SourceKind::Studies => TableKind::Studies,
            SourceKind::Papers => TableKind::Papers,
            SourceKind::Evidence => TableKind::Evidence,
            SourceKind::Profile => TableKind::Profile,
            SourceKind::Matrix => TableKind::Matrix,
            SourceKind::Claims => TableKind::Claims,
            SourceKind::Citations => TableKind::Citations,
            SourceKind::Search => TableKind::Search,
            SourceKind::Cerqual => TableKind::Cerqual,
            SourceKind::Soqf => TableKind::Soqf,
            SourceKind::EvidenceProfile => TableKind::EvidenceProfile,
            SourceKind::Coding => TableKind::Coding,
            SourceKind::Extracts => TableKind::Extracts,
            SourceKind::Agreement => TableKind::Agreement,
            SourceKind::Disagreements => TableKind::Disagreements,
            SourceKind::Changes => TableKind::Changes,
            SourceKind::FesChanges => TableKind::FesChanges,
            SourceKind::IntensityChanges => TableKind::IntensityChanges,
            SourceKind::Name(_) => return None,
        })
    }

    /// The table's name in queries (from [`crate::query::registry`]).
    pub fn name(self) -> &'static str {
        match crate::query::registry::def(self) {
            Some(def) => def.source.name(),
            None => "counts",
        }
    }
}

/// The columns [`crate::analyses::matrix::widen`] gives the rows of `findings` (described by
/// `findings`): its `lead` (id, the grouping when there is one, name, n
/// and fes), then a text column per study (its marks and the two margins).
pub fn matrix_info(findings: &TableInfo, lead: &[&str], studies: &[i64]) -> TableInfo {
    let mut columns: Vec<(String, ColumnType)> = (lead.iter())
        .filter_map(|c| findings.columns.iter().find(|(name, _)| name == c).cloned())
        .collect();
    columns.extend(studies.iter().map(|s| (s.to_string(), ColumnType::Text)));
    TableInfo {
        kind: TableKind::Matrix,
        columns,
    }
}

/// The CERQual levels `column` of `kind` holds, least first, when it is a
/// column of levels of a CERQual table ([`crate::analyses::cerqual::levels`]).
pub(crate) fn levels(kind: TableKind, column: &str) -> Option<Vec<&'static str>> {
    let cerqual = matches!(
        kind,
        TableKind::Cerqual | TableKind::Soqf | TableKind::EvidenceProfile
    );
    cerqual
        .then(|| crate::analyses::cerqual::levels(column))
        .flatten()
}

/// The table whose rows carry `list`, and the table of its items (the
/// other table, which an `among` set restricts).
pub fn list_tables(list: ListOf) -> (TableKind, TableKind) {
    match list {
        ListOf::StudiesOfFindings => (TableKind::Findings, TableKind::Studies),
        ListOf::FindingsOfStudies => (TableKind::Studies, TableKind::Findings),
    }
}

/// Column types as the language sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Whole or decimal numbers.
    Number,
    /// Text.
    Text,
    /// `true`/`false`.
    Bool,
    /// A list whose items have the given (scalar) type.
    List(ScalarType),
}

/// Item types of a list column.
pub type ScalarType = &'static ColumnType;

impl ColumnType {
    /// The type of a polars column.
    pub fn of(dtype: &DataType) -> ColumnType {
        match dtype {
            DataType::Boolean => ColumnType::Bool,
            DataType::String => ColumnType::Text,
            DataType::List(inner) => ColumnType::List(match ColumnType::of(inner) {
                ColumnType::Number => &ColumnType::Number,
                ColumnType::Bool => &ColumnType::Bool,
                _ => &ColumnType::Text,
            }),
            d if d.is_primitive_numeric() => ColumnType::Number,
            _ => ColumnType::Text,
        }
    }

    /// "a number", "text", ...
    pub fn describe(self) -> &'static str {
        match self {
            ColumnType::Number => "a number",
            ColumnType::Text => "text",
            ColumnType::Bool => "true or false",
            ColumnType::List(_) => "a list",
        }
    }
}

/// The shape of a (planned) result: its table and columns.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The table the rows come from.
    pub kind: TableKind,
    /// Column names and types, in order.
    pub columns: Vec<(String, ColumnType)>,
}

impl TableInfo {
    /// The shape of a polars schema.
    pub fn new(kind: TableKind, schema: &Schema) -> TableInfo {
        let columns = schema
            .iter()
            .map(|(name, dtype)| (name.to_string(), ColumnType::of(dtype)))
            .collect();
        TableInfo { kind, columns }
    }

    /// The column a name refers to (case-insensitive), or an error listing
    /// the columns there are, with a suggestion for a typo.
    pub fn resolve(&self, ident: &Ident) -> Result<(String, ColumnType), QueryError> {
        if let Some((name, ty)) = self
            .columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(&ident.name))
        {
            return Ok((name.clone(), *ty));
        }
        let names: Vec<&str> = self.columns.iter().map(|(c, _)| c.as_str()).collect();
        // Each as a query must write it (`` `Sample size` `` in backquotes).
        let typed: Vec<_> = names.iter().map(|c| column_text(c)).collect();
        let mut err = QueryError::new(
            ident.span,
            format!(
                "unknown column `{}` in {}",
                excerpt(&ident.name),
                self.kind.name()
            ),
        )
        .hint(format!("{} has: {}", self.kind.name(), typed.join(", ")));
        if let Some(best) = did_you_mean(&ident.name, &names) {
            err = err.hint(match column_text(best) {
                plain if plain == best => format!("did you mean `{best}`?"),
                quoted => format!("did you mean {quoted}? (backquotes included)"),
            });
        }
        Err(err)
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        // Two edits cannot bridge more (and a 1 MB word would cost a table
        // of 1 MB times the candidate's length).
        .filter(|c| word.chars().count().abs_diff(c.chars().count()) <= 2)
        .map(|c| (metasum_query::edit_distance(&word, &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min()
        .map(|(_, c)| c)
}
