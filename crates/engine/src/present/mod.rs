//! The present stage: results as tables, files, figures, the report, worksheets, exports.

pub mod export;
pub mod format;
pub(crate) mod plot;
pub mod raster;
pub mod report;
pub mod worksheet;
