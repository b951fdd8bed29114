//! One executor shared by the REPL, `-c`, stdin and `run`: parse a source,
//! run its statements on the session, send results to the sink, draw errors.

use metasum_engine::{Format, Outcome, Session, format};
use metasum_query::ast::{Save, Statement, StatementKind};

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::dot::DotCommand;
use crate::kept::{Kept, json_document, statement_text};
use crate::output::{Sink, errln, error, print_stderr};
use crate::render::{self, Diagnostic};
use crate::save::{self, Saves};
use crate::source::{self, is_small_file};
use crate::target::{FileKind, Target};

mod results;

pub use results::Destination;

/// The session plus how results are written.
pub struct Executor {
    pub session: Session,
    pub format: Format,
    pub sink: Sink,
    pub keep_going: bool,
    pub color: bool,
    /// Whether a result has been written (to separate the next one).
    wrote: bool,
    /// Results kept for an xlsx workbook (a sheet each), or the figure
    /// kept for a .png file, with their names.
    sheets: Vec<(String, Kept)>,
    /// A batch run's JSON results (statement, rendered array), kept to be
    /// written as one document when the run ends; `None` when each result
    /// is written as it comes (the shell, other formats).
    json: Option<Vec<(String, String)>>,
    /// The `--output` file of a batch run, to refuse what it cannot hold.
    target: Option<Target>,
    /// A result was refused because the output file cannot hold it.
    usage_error: bool,
    /// CSV cells guarded against formulas (the default) or as they are.
    csv_cells: format::CsvCells,
    /// Column names at the head of a table or CSV (the shell's `.headers`).
    pub headers: format::Headers,
    /// The files `save` clauses name.
    saves: Saves,
    /// The resolution of figures drawn into PNG files (`--dpi`).
    pub dpi: u32,
    /// Where copies of the links and tables of datasets the shell loads
    /// (`.data`) may be kept (`--cache-dir`); `None` to read them every time.
    pub cache_folder: Option<std::path::PathBuf>,
    /// The scripts `.read` is reading, outermost first: one that reads
    /// itself is refused.
    pub reading: Vec<PathBuf>,
}

impl Executor {
    /// An executor on `session`.
    pub fn new(session: Session, format: Format, sink: Sink, keep_going: bool) -> Executor {
        let mut executor = Executor {
            session,
            format,
            sink,
            keep_going,
            color: render::use_color(),
            wrote: false,
            sheets: Vec::new(),
            json: None,
            target: None,
            usage_error: false,
            csv_cells: format::CsvCells::Guarded,
            headers: format::Headers::Shown,
            saves: Saves::default(),
            dpi: metasum_engine::raster::DEFAULT_DPI,
            cache_folder: None,
            reading: Vec::new(),
        };
        executor.saves.set_output(executor.sink.path());
        executor
    }

    /// `save` clauses write relative file names under `dir`
    /// (`--output-dir`) rather than the working directory.
    pub fn set_save_dir(&mut self, dir: Option<PathBuf>) {
        self.saves = Saves::new(dir);
        self.saves.set_output(self.sink.path());
    }

    /// No `save` may replace one of `inputs`, the files the run reads its
    /// datasets from (after [`Executor::set_save_dir`], which starts anew).
    pub fn protect_inputs(&mut self, inputs: &[PathBuf]) {
        self.saves.protect(inputs);
    }

    /// The scripts the run reads: no `save` may replace one.
    pub fn protect_scripts(&mut self, scripts: &[PathBuf]) {
        self.saves.protect_scripts(scripts);
    }

    /// The files `save` clauses named may be named again (the shell's next
    /// input); within a run, one file holds one statement's result.
    pub fn forget_saves(&mut self) {
        self.saves.forget();
    }

    /// Writes CSV cells as `cells` says (`--raw`: as the data has them).
    pub fn set_csv_cells(&mut self, cells: format::CsvCells) {
        self.csv_cells = cells;
    }

    /// Refuses, from now on, results the `--output` file cannot hold (rows
    /// into an .svg, a figure into a .csv, ...): the run stops and the file
    /// is not written.
    pub fn set_target(&mut self, target: Option<Target>) -> Option<Target> {
        // A new file: what the last one could not hold is behind us.
        self.usage_error = false;
        std::mem::replace(&mut self.target, target)
    }

    /// Whether a failing statement leaves the rest to run: `--keep-going`,
    /// unless the output file could not hold a result (that is not a
    /// failing statement: nothing after it runs).
    fn goes_on(&self) -> bool {
        self.keep_going && !self.usage_error
    }

    /// Whether the run stopped on a result its output file cannot hold.
    pub fn usage_error(&self) -> bool {
        self.usage_error
    }

    /// When every statement has run: whether the output file can be
    /// written (an .svg file nothing was drawn into cannot); a refusal is
    /// told and counts as a usage error.
    pub fn target_complete(&mut self) -> bool {
        let no_rows = self.format.holds_one_result() && !self.holds_a_result();
        let finished = match self.target.as_ref().map(Target::finished) {
            _ if no_rows => Some(Err(format!(
                "this run gives no rows to write into {} (a query gives them)",
                FileKind::of_format(self.format).name()
            ))),
            finished => finished,
        };
        match finished {
            Some(Err(refused)) => {
                error!("{refused}");
                self.usage_error = true;
                false
            }
            _ => true,
        }
    }

    /// Keeps JSON results to write them as one document at
    /// [`Executor::finish`]: a plain array of objects for one result, and
    /// for several an array of `{"statement": ..., "rows": [...]}`, one per
    /// result, in order. Does nothing for other formats.
    pub fn one_json_document(&mut self) {
        self.json = (self.format == Format::Json).then(Vec::new);
    }

    /// Writes each JSON result as it comes again.
    pub fn stop_json_document(&mut self) {
        self.json = None;
    }

    /// The JSON document of the results kept so far (the shell rewrites
    /// its `.output` file with it), if JSON results are being kept.
    pub fn json_so_far(&self) -> Option<String> {
        self.json.as_deref().map(json_document)
    }

    /// Runs the scripts at `paths` in order (`-` is stdin). A name that is
    /// missing or a folder runs nothing, as a syntax error does, unless
    /// `keep_going` (then the others run). Only named, not opened, first:
    /// opening a FIFO would wait for its writer.
    pub fn run_files(&mut self, paths: &[PathBuf]) -> bool {
        let unreadable: Vec<&PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .filter(|path| {
                let why = match std::fs::metadata(path) {
                    Ok(m) if m.is_dir() => "it is a folder".to_string(),
                    Ok(_) => return false,
                    Err(e) => e.to_string(),
                };
                error!("cannot read {}: {why}", path.display());
                true
            })
            .collect();
        let mut ok = unreadable.is_empty();
        if !ok && !self.goes_on() {
            return false;
        }
        for path in paths.iter().filter(|p| !unreadable.contains(p)) {
            ok &= self.run_file(path);
            if !ok && !self.goes_on() {
                break;
            }
        }
        ok
    }

    /// Runs the script at `path` (`-` is stdin).
    pub fn run_file(&mut self, path: &Path) -> bool {
        if path.as_os_str() == "-" {
            let stdin = std::io::stdin();
            let whole = is_small_file(&stdin);
            return self.run_script("<stdin>", stdin.lock(), whole);
        }
        let name = path.display().to_string();
        match std::fs::File::open(path) {
            Ok(file) if file.metadata().is_ok_and(|m| m.is_dir()) => {
                error!("cannot read {name}: it is a folder");
                false
            }
            Ok(file) => {
                // A script that reads itself (`.read`, however deep) is
                // refused, not followed until the stack runs out.
                let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                if self.reading.contains(&key) {
                    error!("{name} reads itself (`.read`): a script cannot run within itself");
                    return false;
                }
                if self.reading.len() >= MAX_READ_DEPTH {
                    error!("{name}: scripts read one another more than {MAX_READ_DEPTH} deep");
                    return false;
                }
                let whole = is_small_file(&file);
                self.reading.push(key);
                let ok = self.run_script(&name, std::io::BufReader::new(file), whole);
                self.reading.pop();
                ok
            }
            Err(e) => {
                error!("cannot read {name}: {e}");
                false
            }
        }
    }

    /// Runs a script read from `reader` (named `name` in messages) in
    /// [`source::Chunks`] of whole statements. Returns whether every
    /// statement ran.
    ///
    /// `whole`: the script is a file of bounded size, read and checked in
    /// full first, so that a syntax error (or a line that is not UTF-8)
    /// anywhere in it runs nothing. Otherwise (a pipe, a FIFO, a device)
    /// each statement runs as it arrives, in bounded memory.
    ///
    /// A failing statement stops the script unless `keep_going`; a
    /// statement past [`source::MAX_STATEMENT`] or a read error always does.
    pub fn run_script(&mut self, name: &str, reader: impl BufRead, whole: bool) -> bool {
        let mut chunks = source::Chunks::new(name, reader);
        if !whole {
            let mut ok = true;
            while let Some(chunk) = chunks.next_chunk() {
                let ran = match chunk {
                    Ok(chunk) => self.run_chunk(name, chunk),
                    Err(e) => {
                        error!("{}", e.message);
                        if !e.recoverable {
                            return false;
                        }
                        false
                    }
                };
                ok &= ran;
                if !ok && !self.goes_on() {
                    return false;
                }
            }
            return ok;
        }
        let mut parsed = Vec::new();
        let mut ok = true;
        while let Some(chunk) = chunks.next_chunk() {
            match chunk {
                Ok(chunk) => {
                    let p = self.parse(name, chunk);
                    ok &= p.errors == 0;
                    parsed.push(p);
                }
                Err(e) => {
                    error!("{}", e.message);
                    ok = false;
                    if !e.recoverable {
                        break;
                    }
                }
            }
        }
        if !ok && !self.goes_on() {
            return false;
        }
        for p in &parsed {
            ok &= self.run_parsed(name, p);
            if !ok && !self.goes_on() {
                return false;
            }
        }
        ok
    }

    /// Runs the statements of `src` (named `name` in messages; its first
    /// line is line `first_line` of that script): `-c` and a line of the
    /// shell. Returns whether every statement ran.
    ///
    /// Text with syntax errors runs nothing and reports them all; with
    /// `keep_going` its good statements run. A failing statement stops the
    /// run unless `keep_going`.
    pub fn run_source(&mut self, name: &str, src: &str, first_line: usize) -> bool {
        if first_line == 1 && src.lines().any(|l| l.starts_with('.')) {
            // Dot commands among the statements: each line read as a
            // script's is, a dot command a chunk of its own.
            return self.run_script(name, src.as_bytes(), true);
        }
        let chunk = source::Chunk {
            text: src.to_string(),
            first_line,
        };
        self.run_chunk(name, chunk)
    }

    /// Parses and runs one chunk (see [`Executor::run_source`]).
    fn run_chunk(&mut self, name: &str, chunk: source::Chunk) -> bool {
        let parsed = self.parse(name, chunk);
        if parsed.errors > 0 && !self.goes_on() {
            return false;
        }
        self.run_parsed(name, &parsed) && parsed.errors == 0
    }

    /// Parses a chunk of a script and reports its syntax errors, and the
    /// `save` clauses that cannot be carried out (their statements do not
    /// run).
    fn parse(&mut self, name: &str, chunk: source::Chunk) -> Parsed {
        if chunk.text.trim_start().starts_with('.') {
            return parse_dot(name, chunk);
        }
        let (mut script, errors) = metasum_query::parse_partial(&chunk.text);
        let draw = |d: &Diagnostic| {
            print_stderr(&render::render(
                name,
                &chunk.text,
                chunk.first_line,
                d,
                self.color,
            ))
        };
        for e in &errors {
            draw(&Diagnostic::from(e));
        }
        let mut refused = Vec::new();
        for statement in &script.statements {
            let Some(save) = &statement.save else {
                continue;
            };
            let line = chunk.first_line + statement.span.line_col(&chunk.text).0 - 1;
            if let Some(why) = self.saves.check(statement, save, &format!("{name}:{line}")) {
                refused.push(statement.span.start);
                draw(&why);
            }
        }
        script
            .statements
            .retain(|s| !refused.contains(&s.span.start));
        Parsed {
            errors: errors.len() + refused.len(),
            chunk,
            script,
            dot: None,
        }
    }

    /// Runs the good statements of a parsed chunk. Returns whether every
    /// one ran; a failing one stops the rest unless `keep_going`.
    fn run_parsed(&mut self, name: &str, parsed: &Parsed) -> bool {
        if let Some(command) = &parsed.dot {
            return crate::dot::run(self, command.clone()).ok;
        }
        let (src, first_line) = (parsed.chunk.text.as_str(), parsed.chunk.first_line);
        let color = self.color;
        let draw = |d: Diagnostic| render::render(name, src, first_line, &d, color);
        let mut ok = true;
        for statement in &parsed.script.statements {
            let outcome = self.session.execute(statement);
            self.tell_notes(&outcome);
            let outcome = match (&statement.save, outcome) {
                (Some(save), Ok(outcome)) => {
                    if let Err(e) = self.save(src, statement, save, outcome) {
                        print_stderr(&draw(save::at_the_file(save, e)));
                        ok = false;
                        if !self.goes_on() {
                            return false;
                        }
                    }
                    continue;
                }
                (_, outcome) => outcome,
            };
            if let Err(refused) = self.accepts(&outcome) {
                error!("{refused}");
                self.usage_error = true;
                return false;
            }
            let written = match outcome {
                Ok(outcome) => self.send(&statement_text(src, statement), outcome),
                Err(e) => {
                    match &e {
                        // At the span of the statement, with a caret.
                        metasum_engine::Error::Query(e) => print_stderr(&draw(Diagnostic::from(e))),
                        e => error!("{e}"),
                    }
                    ok = false;
                    if !self.goes_on() {
                        return false;
                    }
                    Ok(())
                }
            };
            if let Err(e) = written {
                error!("{e}");
                return false;
            }
        }
        ok
    }

    /// The notes of a statement's run on stderr: they are for the person
    /// running the query, never part of a result file or a pipe.
    fn tell_notes(&self, outcome: &metasum_engine::Result<Outcome>) {
        if let Some(note) = self.session.dataset().take_cache_note() {
            errln!("note: {note}");
        }
        if let Ok(Outcome::Rows(result)) = outcome {
            for note in &result.notes {
                errln!("note: {note}");
            }
        }
    }

    /// `statement ... save "FILE"`: its outcome (for a `let`, the rows it
    /// bound, as a query shows them) written to FILE.
    fn save(
        &self,
        src: &str,
        statement: &Statement,
        save: &Save,
        outcome: Outcome,
    ) -> Result<(), String> {
        let shown = match &outcome {
            Outcome::Bound(name) => Some(self.session.bound_rows(name, statement.span)),
            _ => None,
        };
        let name = match &statement.kind {
            StatementKind::Let { name, .. } => name.name.clone(),
            _ => statement_text(src, statement),
        };
        let options = format::Options {
            width: None,
            ..self.options()
        };
        let path = self.saves.path(save);
        save::save(&path, &outcome, shown, &name, options)
    }
}

/// A chunk of a script, parsed: its good statements and how many syntax
/// errors it had (reported already).
/// How deep scripts may read one another (`.read` in a script read by
/// `.read` ...).
const MAX_READ_DEPTH: usize = 16;

struct Parsed {
    chunk: source::Chunk,
    script: metasum_query::Script,
    errors: usize,
    /// The dot command the chunk is (`.schema studies`), if it is one.
    dot: Option<DotCommand>,
}

/// A chunk that is a dot command (`.schema studies`, `.tables`), as
/// sqlite3 and DuckDB take them in scripts, `-c` and stdin; those that
/// change the shell's own state are the shell's.
fn parse_dot(name: &str, chunk: source::Chunk) -> Parsed {
    let mut lines = chunk.text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default().trim();
    let continued = lines.next().is_some();
    let command = first.split_whitespace().next().unwrap_or(first);
    let refused = |why: &str| Err(format!("`{command}` {why}"));
    let parsed = match DotCommand::parse(first) {
        // An indented line after it would be read into its argument.
        Ok(_) if continued => refused(
            "is one line: the line after it starts with a space, which continues a statement; start that line at its beginning",
        ),
        Ok(DotCommand::Output(_) | DotCommand::Once(_)) => refused(
            "works in the shell; a script sends a result to a file with `save \"FILE\"` after its statement, or the run with --output",
        ),
        Ok(DotCommand::Timer(_)) => refused("works in the shell"),
        Ok(DotCommand::Format(_)) => refused(
            "works in the shell; a run names its format with --format or --output's extension",
        ),
        Ok(DotCommand::Quit) => refused("works in the shell; a script ends at its end"),
        Ok(command) => Ok(command),
        // Its own words name the command.
        Err(e) => Err(e),
    };
    let (dot, errors) = match parsed {
        Ok(command) => (Some(command), 0),
        Err(why) => {
            error!("{name}:{}: {why}", chunk.first_line);
            (None, 1)
        }
    };
    Parsed {
        chunk,
        script: metasum_query::Script {
            statements: Vec::new(),
        },
        errors,
        dot,
    }
}
