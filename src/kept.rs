//! What a run keeps to write when it ends (or, in the shell, after each
//! statement): results and figures for a workbook or a .png file, and JSON
//! results as one document.

use metasum_engine::{QueryResult, format};

/// A result or figure kept to be written when the run ends.
pub enum Kept {
    /// A query's rows.
    Rows(QueryResult),
    /// A figure, as SVG.
    Figure(String),
}

impl Kept {
    /// What its sheet in a workbook holds.
    pub fn sheet(&self) -> format::Sheet<'_> {
        match self {
            Kept::Rows(result) => format::Sheet::Rows(result),
            Kept::Figure(svg) => format::Sheet::Figure(svg),
        }
    }
}

/// The JSON results of a run as one document: the one result's array, or
/// an array of `{"statement": ..., "rows": [...]}`.
pub fn json_document(kept: &[(String, String)]) -> String {
    if let [(_, only)] = kept {
        return only.clone();
    }
    let mut out = String::from("[");
    for (i, (statement, rows)) in kept.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str("  {\"statement\": ");
        metasum_engine::format::json_string(&mut out, statement);
        out.push_str(", \"rows\": ");
        out.push_str(rows.trim_end());
        out.push('}');
    }
    out.push_str("\n]\n");
    out
}
