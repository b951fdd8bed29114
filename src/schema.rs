//! What each column means, for `.schema`: the engine's table registry for
//! the method's own columns, the review's `dataset.toml` for its own.

use metasum_engine::Dataset;
use metasum_engine::registry;
use metasum_engine::table::TableKind;

/// A one-line meaning of `column` in rows of `kind` (`None`: not known)
/// of the review `ds`.
pub fn meaning(ds: &Dataset, kind: Option<TableKind>, column: &str) -> String {
    if let Some(m) = kind.and_then(|k| registry::meaning_in(ds, k, column)) {
        return m;
    }
    match kind {
        Some(TableKind::Counts) if column == "count" => "rows in the group",
        Some(TableKind::Counts) => "the value counted by",
        Some(TableKind::Matrix) => "a study: 1 where it contains the finding, else 0",
        _ => "from the dataset's CSV file (describe it in dataset.toml's [columns])",
    }
    .to_string()
}
