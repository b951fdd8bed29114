//! The query language, tested through its public API: one test binary
//! (ripgrep's and cargo's layout), a module per feature.

mod corpus;
mod language_doc;
mod robust;
