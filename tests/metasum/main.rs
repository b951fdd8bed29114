//! The metasum binary, end to end: one test binary (ripgrep's and cargo's
//! layout), a module per feature and one shared `util`. One binary links
//! polars once; fifteen linked it fifteen times.

mod util;

mod browser;
mod check;
mod cli;
mod columnar;
mod diff;
mod guide;
mod hostile;
mod import;
mod lazy_links;
mod links_cache;
mod pictures;
mod qda;
#[cfg(unix)] // A pseudo-terminal drives the shell (rexpect).
mod repl;
mod report;
mod save;
mod saved_scripts;
mod serve;
mod text_keys;
mod windows;
#[cfg(unix)] // Wine's console driven through a pseudo-terminal.
mod wine_console;
