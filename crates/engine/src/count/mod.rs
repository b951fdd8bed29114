//! The count stage: n, FES and intensity from the links, among a scope.

pub(crate) mod link_counts;
pub(crate) mod scope;
pub(crate) mod views;
