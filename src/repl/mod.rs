//! The interactive shell: rustyline with history, completion and
//! multi-line input; statements go to the shared [`Executor`].

pub mod helper;
mod input;

use std::path::PathBuf;

use metasum_engine::Format;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

use crate::dot::{self, DotCommand};
use crate::executor::{Destination, Executor};
use crate::output::{Sink, errln, error, outln};
use helper::MetasumHelper;
use input::Input;

/// Where the REPL keeps its history: the user's data directory.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("metasum");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

/// Runs the shell until `.quit` or Ctrl-D. Errors are printed and the shell
/// goes on.
/// The line editor of the shell, completing from `executor`'s session,
/// with the history at `history`; `None` when it cannot start (told).
fn editor(
    executor: &Executor,
    history: Option<&std::path::Path>,
) -> Option<Editor<MetasumHelper, FileHistory>> {
    let config = Config::builder()
        .auto_add_history(false)
        // Tab completes what all candidates share; a second Tab lists them.
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .map(|b| b.build());
    let mut editor: Editor<MetasumHelper, FileHistory> = match config.and_then(Editor::with_config)
    {
        Ok(e) => e,
        Err(e) => {
            error!("cannot start the interactive shell: {e}");
            return None;
        }
    };
    editor.set_helper(Some(MetasumHelper::new(&executor.session)));
    if let Some(path) = history {
        let _ = editor.load_history(path);
    }
    Some(editor)
}

/// `.once FILE`: the next statement's results go to FILE; where they went
/// before, with what was kept for it (a workbook's sheets, a Parquet
/// file's result), is put back whole after it (`after_once`; a second
/// `.once` keeps the first place to go back to).
fn once(executor: &mut Executor, path: &std::path::Path, after_once: &mut Option<Destination>) {
    match Destination::file(Some(path), executor.format) {
        Ok(once) => {
            let before = executor.swap_destination(once);
            after_once.get_or_insert(before);
        }
        Err(e) => error!("cannot write {}: {e}", path.display()),
    }
}

pub fn run(mut executor: Executor) {
    // `metasum --output FILE.json` on a terminal: one document there too.
    dot::keep_json_for_a_file(&mut executor);
    let history = history_path();
    let Some(mut editor) = editor(&executor, history.as_deref()) else {
        return;
    };
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
    // `.timer on`; the sink to go back to after `.once FILE`.
    let mut timer = false;
    let mut after_once: Option<Destination> = None;
    loop {
        let mut new_dataset = false;
        let input = input::read(&mut editor);
        // Each input may save again what the one before saved.
        executor.forget_saves();
        match input {
            Input::Dot(line) => match DotCommand::parse(&line) {
                Ok(DotCommand::Quit) => break,
                Ok(DotCommand::Timer(on)) => timer = on,
                Ok(DotCommand::Once(path)) => once(&mut executor, &path, &mut after_once),
                Ok(command) => new_dataset = dot::run(&mut executor, command).new_dataset,
                Err(e) => error!("{e}"),
            },
            Input::Statements { script, last } => {
                let started = std::time::Instant::now();
                executor.run_source("<input>", &script, 1);
                flush(&executor);
                if timer {
                    errln!("time: {:.3} s", started.elapsed().as_secs_f64());
                }
                if let Some(before) = after_once.take() {
                    executor.swap_destination(before);
                }
                if last {
                    break;
                }
            }
            Input::Nothing => continue,
            Input::End => break,
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
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
}

/// Rewrites an `.output` file with everything sent to it so far (a
/// workbook with a sheet per result for `.format xlsx`; the figure drawn
/// for a .png).
fn flush(executor: &Executor) {
    // Nothing sent to the file yet: it stays as it was.
    if !executor.sent_anything() {
        return;
    }
    let kept = match &executor.sink {
        Sink::Rewrite { path, .. } => executor.kept_document().map(|d| (path, d)),
        _ => None,
    };
    let written = match (&executor.sink, executor.format) {
        _ if kept.is_some() => kept.into_iter().try_for_each(|(path, document)| {
            let bytes = document.map_err(std::io::Error::other)?;
            metasum_engine::atomic::write_atomically(path, &bytes)
        }),
        (Sink::Rewrite { path, .. }, Format::Json) => match executor.json_so_far() {
            Some(document) => metasum_engine::atomic::write_atomically(path, document.as_bytes()),
            None => executor.sink.rewrite(),
        },
        _ => executor.sink.rewrite(),
    };
    if let Err(e) = written {
        let path = executor
            .sink
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        error!("could not write {path}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metasum_engine::table::TableKind;
    use metasum_engine::{Dataset, Session, registry};
    use metasum_query::ast::StatementKind;
    use metasum_query::ast::TABLES;

    /// Every table the language names is listed by `.tables`, completed by
    /// Tab, named by the "expected a table" error, described by `.schema`
    /// and answers a query: all from one list, so a table left out of any
    /// of them fails here.
    #[test]
    fn every_table_is_everywhere_a_person_looks_for_tables() {
        let ds = Dataset::seed().unwrap();
        let listed = dot::tables_text(&ds);
        let session = Session::new(ds);
        let helper = MetasumHelper::new(&session);
        let completed = helper.candidates("", 0).1;
        let hint = metasum_query::parse("where fes > 3").unwrap_err()[0].message();
        for table in TABLES {
            let name = table.name();
            assert!(
                listed
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(name)),
                "{name} not in .tables:\n{listed}"
            );
            assert!(completed.iter().any(|w| w == name), "{name} not completed");
            assert!(hint.contains(&format!("`{name}`")), "{name} not in: {hint}");
            let script = metasum_query::parse(name).unwrap();
            let StatementKind::Query(q) = &script.statements[0].kind else {
                panic!("{name} is not a query")
            };
            let columns = session.columns_of(q).unwrap();
            session.query(q).unwrap();
            // Every column the seed gives is described (a matrix's study
            // columns, named by label, are described as studies).
            let kind = registry::of_source(&q.source.kind).unwrap().kind;
            for (column, _) in &columns {
                let described = registry::meaning_in(session.dataset(), kind, column).is_some()
                    || kind == TableKind::Matrix && column.contains(" (");
                assert!(described, "{name}.{column} has no meaning for .schema");
            }
        }
    }
}
