//! The query stage: the table registry; statements planned and run.

pub(crate) mod filter;
pub(crate) mod keyed;
pub(crate) mod plan;
pub(crate) mod pushdown;
pub mod registry;
pub mod session;
pub mod table;
