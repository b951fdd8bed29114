//! The review stage: a review on disk: read and checked, imported into, its files written safely.

pub mod atomic;
pub mod dataset;
pub mod import;
