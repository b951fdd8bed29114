//! Carrying out the dot commands, for the shell and for scripts: each
//! works on the [`Executor`] that runs the statements.

use metasum_engine::{Dataset, Format, Session, registry};
use metasum_query::ast::{SourceKind, TABLES};

use crate::executor::{Destination, Executor};
use crate::output::{Sink, error, outln};
use crate::target::FileKind;

use super::DotCommand;

/// The format the name of the `.output` file says, if it says one.
fn named_format(executor: &Executor) -> Option<Format> {
    match &executor.sink {
        Sink::Rewrite { path, .. } => FileKind::of(path).format(),
        _ => None,
    }
}

/// JSON into an `.output` file is one document of every result sent there
/// (rewritten after each statement); on the screen, one per statement.
pub fn keep_json_for_a_file(executor: &mut Executor) {
    if matches!(executor.sink, Sink::Rewrite { .. }) {
        executor.one_json_document();
    } else {
        executor.stop_json_document();
    }
}

/// What carrying out a dot command did.
pub struct Done {
    /// It did what it was asked (a script stops at one that did not).
    pub ok: bool,
    /// The session reads another dataset now (`.data`).
    pub new_dataset: bool,
}

/// Carries out a dot command.
pub fn run(executor: &mut Executor, command: DotCommand) -> Done {
    let done = |ok: bool| Done {
        ok,
        new_dataset: false,
    };
    match command {
        DotCommand::Help => {
            let _ = crate::output::print_stdout(&DotCommand::help());
        }
        DotCommand::Tables => list_tables(executor),
        DotCommand::Schema(table) => return done(schema(executor, table)),
        DotCommand::Format(f) => return done(set_format(executor, f)),
        DotCommand::Output(path) => return done(set_output(executor, path)),
        DotCommand::Read(path) => return done(read(executor, &path)),
        DotCommand::Data(dir) => {
            let loaded = load_data(executor, &dir);
            return Done {
                ok: loaded,
                new_dataset: loaded,
            };
        }
        DotCommand::Lets => {
            if executor.session.lets().is_empty() {
                outln!("no names bound yet (let NAME = query)");
            }
            for (name, binding) in executor.session.lets() {
                outln!(
                    "{name}: {} rows of {}",
                    binding.frame.height(),
                    binding.kind.name()
                );
            }
        }
        DotCommand::Headers(on) => {
            executor.headers = match on {
                true => metasum_engine::format::Headers::Shown,
                false => metasum_engine::format::Headers::Hidden,
            }
        }
        // The loop carries these out: they change its own state.
        DotCommand::Quit | DotCommand::Once(_) | DotCommand::Timer(_) => {}
    }
    done(true)
}

/// `.read FILE`: its statements run (a script that reads itself is
/// refused by [`Executor::run_file`]).
fn read(executor: &mut Executor, path: &std::path::Path) -> bool {
    // No `save` in the script may replace the script.
    executor.protect_scripts(std::slice::from_ref(&path.to_path_buf()));
    executor.run_file(path)
}

/// `.tables`: the dataset's tables with their rows, then the `let` names.
fn list_tables(executor: &Executor) {
    outln!("{}", tables_text(executor.session.dataset()).trim_end());
    for (name, binding) in executor.session.lets() {
        outln!(
            "{name:<9} {} rows of {} (let)",
            binding.frame.height(),
            binding.kind.name()
        );
    }
}

/// `.format F`, unless the results go where F cannot: a binary format to
/// the screen, or a format the `.output` file's name contradicts (CSV into
/// `t2.xlsx` would make a file that is neither).
fn set_format(executor: &mut Executor, f: Format) -> bool {
    if f.is_binary() && !matches!(executor.sink, Sink::Rewrite { .. }) {
        error!(
            "{} goes to a file: `.output FILE.{}` first",
            FileKind::of_format(f).name(),
            f.name()
        );
        false
    } else if named_format(executor).is_some_and(|named| named != f) {
        let path = executor.sink.path().map(|p| p.display().to_string());
        error!(
            "{} is {}: `.output` a file of the format first",
            path.unwrap_or_default(),
            FileKind::of(executor.sink.path().unwrap_or(std::path::Path::new(""))).name()
        );
        false
    } else {
        executor.format = f;
        keep_json_for_a_file(executor);
        true
    }
}

/// `.output FILE` (or back to the screen), tried now: a bad path leaves
/// results where they went.
fn set_output(executor: &mut Executor, path: Option<std::path::PathBuf>) -> bool {
    match Destination::file(path.as_deref(), executor.format) {
        Ok(destination) => {
            executor.swap_destination(destination);
            true
        }
        Err(e) => {
            error!(
                "cannot write {}: {e}; results still go to {}",
                path.as_deref()
                    .unwrap_or(std::path::Path::new("-"))
                    .display(),
                executor
                    .sink
                    .path()
                    .map_or("stdout".to_string(), |p| p.display().to_string())
            );
            false
        }
    }
}

/// `.data DIR`: a new session on the dataset at `dir`, keeping the old
/// one's settings; whether it loaded.
fn load_data(executor: &mut Executor, dir: &std::path::Path) -> bool {
    match Dataset::load_cached(dir, executor.cache_folder.as_deref()) {
        Ok(ds) => {
            outln!(
                "dataset: {} ({} studies, {} findings); let names cleared",
                ds.origin,
                ds.studies.height(),
                ds.findings.height()
            );
            // The new session keeps the settings of the old one
            // (`--threshold` was lost: 12 flags at 1 point became 3).
            let threshold = executor.session.threshold();
            executor.session = Session::new(ds);
            executor.session.set_threshold(threshold);
            true
        }
        Err(e) => {
            error!("{e}");
            false
        }
    }
}

fn schema(executor: &Executor, table: Option<String>) -> bool {
    let mut ok = true;
    let tables: Vec<String> = match table {
        Some(t) => vec![t],
        None => TABLES.iter().map(|t| t.name().to_string()).collect(),
    };
    for table in tables {
        let script = match metasum_query::parse(&table) {
            Ok(s) => s,
            Err(_) => {
                error!("`{table}` is not a table name");
                ok = false;
                continue;
            }
        };
        let Some(metasum_query::ast::StatementKind::Query(q)) =
            script.statements.first().map(|s| &s.kind)
        else {
            continue;
        };
        let kind = match &q.source.kind {
            SourceKind::Name(name) => executor.session.lets().get(name).map(|b| b.kind),
            table => registry::of_source(table).map(|d| d.kind),
        };
        match executor.session.columns_of(q) {
            Ok(columns) => {
                outln!("{table}:");
                for (name, ty) in columns {
                    outln!(
                        "  {name:<13} {:<14} {}",
                        ty.describe(),
                        crate::schema::meaning(executor.session.dataset(), kind, &name)
                    );
                }
            }
            Err(e) => {
                error!("{e}");
                ok = false;
            }
        }
    }
    ok
}

/// `.tables`: every table (from the registry) with its rows and what a row
/// is.
pub fn tables_text(ds: &Dataset) -> String {
    registry::TABLES
        .iter()
        .map(|t| {
            let rows = match registry::rows(ds, t.kind) {
                Some(rows) => format!("{rows} rows"),
                None => "? rows (its file has problems: `check` lists them)".to_string(),
            };
            format!("{:<9} {rows}: {}\n", t.source.name(), t.row)
        })
        .collect()
}
