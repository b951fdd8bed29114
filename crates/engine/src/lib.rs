//! metasum's engine: datasets loaded into polars frames, the computed figures
//! of a qualitative metasummary (FES, intensity), queries checked and run on
//! polars, results formatted, and the consistency report.

#![warn(missing_docs)]

pub mod agreement;
pub mod atomic;
pub mod cerqual;
pub mod check;
pub mod dataset;
pub mod diff;
pub mod error;
pub mod escape;
pub mod exact;
pub mod export;
mod filter;
pub mod format;
pub mod import;
mod keyed;
mod link_counts;
pub(crate) mod matrix;
mod plan;
pub(crate) mod plot;
pub mod problem;
pub(crate) mod profile;
mod pushdown;
pub mod raster;
pub mod registry;
pub mod report;
mod run;
pub mod session;
pub mod table;

pub(crate) mod views;
pub mod words;
pub mod worksheet;

pub use dataset::{Dataset, LoadError, Problem};

use polars::prelude::{Expr, PlSmallStr};

/// The column named exactly `name`. polars' own `col()` reads `*` and
/// `^...$` as patterns, so a dataset column named `^zz$` vanished from
/// results and exports and one named `*` broke every query; every module
/// that builds polars expressions imports this one instead.
pub(crate) fn col(name: impl Into<PlSmallStr>) -> Expr {
    Expr::Column(name.into())
}
pub use dataset::search::SearchStage;
pub use error::{Error, QueryError, Result};
pub use format::Format;
pub use polars;
pub use session::{Outcome, QueryResult, Session};
