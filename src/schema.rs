//! What each column means, for `.schema` (from the engine's table registry).

use metasum_engine::registry;
use metasum_engine::table::TableKind;

/// A one-line meaning of `column` in rows of `kind` (`None`: not known).
pub fn meaning(kind: Option<TableKind>, column: &str) -> &'static str {
    if let Some(m) = kind.and_then(|k| registry::meaning(k, column)) {
        return m;
    }
    match kind {
        Some(TableKind::Counts) if column == "count" => "rows in the group",
        Some(TableKind::Counts) => "the value counted by",
        Some(TableKind::Matrix) => "a study: 1 where it contains the finding, else 0",
        _ => "from the dataset's CSV file",
    }
}
