//! The interactive shell: rustyline with history, completion and
//! multi-line input; statements go to the shared [`Executor`].

mod dot;
mod helper;

use std::path::PathBuf;

use metasum_engine::{Dataset, Format, Session};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};

use crate::executor::Executor;
use crate::output::{Sink, errln, outln};
use dot::DotCommand;
use helper::{MetasumHelper, as_statement};

/// Where the REPL keeps its history: the user's data directory.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("metasum");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

/// Runs the shell until `.quit` or Ctrl-D. Errors are printed and the shell
/// goes on.
pub fn run(mut executor: Executor) {
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .map(|b| b.build());
    let mut editor: Editor<MetasumHelper, FileHistory> = match config.and_then(Editor::with_config)
    {
        Ok(e) => e,
        Err(e) => {
            errln!("error: cannot start the interactive shell: {e}");
            return;
        }
    };
    editor.set_helper(Some(MetasumHelper::new(&executor.session)));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let ds = executor.session.dataset();
    outln!(
        "metasum {}: {} ({}). Type .help for help, Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION"),
        if ds.meta.title.is_empty() {
            "dataset"
        } else {
            &ds.meta.title
        },
        ds.origin
    );
    loop {
        match editor.readline("metasum> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                let mut new_dataset = false;
                if line.trim_start().starts_with('.') {
                    match DotCommand::parse(&line) {
                        Ok(DotCommand::Quit) => break,
                        Ok(command) => new_dataset = dot_command(&mut executor, command),
                        Err(e) => errln!("error: {e}"),
                    }
                } else {
                    executor.run_source("<input>", &as_statement(&line), 1);
                }
                flush(&executor);
                if let Some(helper) = editor.helper_mut() {
                    if new_dataset {
                        *helper = MetasumHelper::new(&executor.session);
                    } else {
                        helper.refresh_lets(&executor.session);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                errln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
}

/// Rewrites an `.output` file with everything sent to it so far.
fn flush(executor: &Executor) {
    if let Err(e) = executor.sink.rewrite() {
        let path = executor
            .sink
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        errln!("error: could not write {path}: {e}");
    }
}

/// Carries out a dot command; returns whether the dataset changed.
fn dot_command(executor: &mut Executor, command: DotCommand) -> bool {
    match command {
        DotCommand::Help => {
            let _ = crate::output::print_stdout(&DotCommand::help());
        }
        DotCommand::Tables => {
            let ds = executor.session.dataset();
            for (name, frame) in [
                ("findings", &ds.findings),
                ("studies", &ds.studies),
                ("papers", &ds.papers),
                ("evidence", &ds.evidence),
            ] {
                outln!("{name:<9} {} rows", frame.height());
            }
            for (name, binding) in executor.session.lets() {
                outln!(
                    "{name:<9} {} rows of {} (let)",
                    binding.frame.height(),
                    binding.kind.name()
                );
            }
        }
        DotCommand::Schema(table) => schema(executor, table),
        DotCommand::Format(Format::Xlsx) => {
            errln!(
                "error: xlsx is written from the command line: metasum --format xlsx --output FILE.xlsx"
            )
        }
        DotCommand::Format(f) => executor.format = f,
        DotCommand::Output(path) => {
            // Tried now, so a bad path leaves results where they went.
            match Sink::shell_output(path.as_deref()) {
                Ok(sink) => executor.set_sink(sink),
                Err(e) => errln!(
                    "error: cannot write {}: {e}; results still go to {}",
                    path.as_deref()
                        .unwrap_or(std::path::Path::new("-"))
                        .display(),
                    executor
                        .sink
                        .path()
                        .map_or("stdout".to_string(), |p| p.display().to_string())
                ),
            }
        }
        DotCommand::Read(path) => {
            executor.run_file(&path);
        }
        DotCommand::Data(dir) => match Dataset::load(&dir) {
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
                return true;
            }
            Err(e) => crate::output::print_stderr(&format!("error: {e}")),
        },
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
        DotCommand::Quit => {}
    }
    false
}

fn schema(executor: &Executor, table: Option<String>) {
    let tables: Vec<String> = match table {
        Some(t) => vec![t],
        None => ["findings", "studies", "papers", "evidence"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    for table in tables {
        let script = match metasum_query::parse(&table) {
            Ok(s) => s,
            Err(_) => {
                errln!("error: `{table}` is not a table name");
                continue;
            }
        };
        let Some(metasum_query::ast::StatementKind::Query(q)) =
            script.statements.first().map(|s| &s.kind)
        else {
            continue;
        };
        match executor.session.columns_of(q) {
            Ok(columns) => {
                outln!("{table}:");
                for (name, ty) in columns {
                    outln!(
                        "  {name:<13} {:<14} {}",
                        ty.describe(),
                        crate::schema::meaning(&table, &name)
                    );
                }
            }
            Err(e) => errln!("error: {e}"),
        }
    }
}
