//! metasum's engine: datasets loaded into polars frames, the computed figures
//! of a qualitative metasummary (FES, intensity), and the consistency report.

pub mod check;
pub mod dataset;
pub mod stats;

pub use dataset::{Dataset, LoadError, Problem};
pub use polars;
