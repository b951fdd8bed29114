//! The engine, tested through its public API: one test binary (ripgrep's
//! and cargo's layout), a module per feature and one shared `util`.

mod util;

mod agreement;
mod cerqual;
mod figures;
mod hostile;
mod independent;
mod layers;
mod links_cache;
mod load;
mod matrix_file;
mod own_columns;
mod queries;
mod report;
mod spreadsheets;
