//! The analyses stage: what a reviewer computes from the counts: profile, matrix, CERQual, agreement, diff, check.

pub mod agreement;
pub mod cerqual;
pub mod check;
pub mod diff;
pub(crate) mod matrix;
pub(crate) mod profile;
