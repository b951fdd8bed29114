//! metasum's engine: datasets loaded into polars frames, the computed figures
//! of a qualitative metasummary (FES, intensity), queries checked and run on
//! polars, results formatted, and the consistency report.

#![warn(missing_docs)]

// The stages, bottom to top: each uses the ones below it and the modules
// at the root (errors, exact numbers, escaping), never one above
// (ARCHITECTURE.md; the engine's `layers` test keeps the rule).
pub mod error;
pub mod escape;
pub mod exact;
pub mod problem;
pub mod words;

pub mod analyses;
pub mod count;
pub mod present;
pub mod query;
pub mod review;

// The public modules where the binary and the tests name them.
pub use analyses::agreement;
pub use analyses::cerqual;
pub use analyses::check;
pub use analyses::diff;
pub use present::export;
pub use present::format;
pub use present::raster;
pub use present::report;
pub use present::worksheet;
pub use query::registry;
pub use query::session;
pub use query::table;
pub use review::atomic;
pub use review::dataset;
pub use review::import;

pub use review::dataset::{Dataset, LoadError, Problem};

use polars::prelude::{Expr, PlSmallStr};

/// The column named exactly `name`. polars' own `col()` reads `*` and
/// `^...$` as patterns, so a dataset column named `^zz$` vanished from
/// results and exports and one named `*` broke every query; every module
/// that builds polars expressions imports this one instead.
pub(crate) fn col(name: impl Into<PlSmallStr>) -> Expr {
    Expr::Column(name.into())
}
pub use error::{Error, QueryError, Result};
pub use polars;
pub use present::format::Format;
pub use query::session::{Outcome, QueryResult, Session};
pub use review::dataset::search::SearchStage;
