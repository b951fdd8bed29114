//! One executor shared by the REPL, `-c`, stdin and `run`: parse a source,
//! run its statements on the session, send results to the sink, draw errors.

use metasum_engine::polars::prelude::DataFrame;
use metasum_engine::{Format, Session, format};
use metasum_query::ast::StatementKind;

use crate::output::Sink;
use crate::render::{self, Diagnostic};

/// The session plus how results are written.
pub struct Executor {
    pub session: Session,
    pub format: Format,
    pub sink: Sink,
    pub keep_going: bool,
    pub color: bool,
    /// Whether a result has been written (to separate the next one).
    wrote: bool,
    /// Results kept for an xlsx workbook (one sheet each).
    sheets: Vec<(String, DataFrame)>,
}

impl Executor {
    /// An executor on `session`.
    pub fn new(session: Session, format: Format, sink: Sink, keep_going: bool) -> Executor {
        Executor {
            session,
            format,
            sink,
            keep_going,
            color: render::use_color(),
            wrote: false,
            sheets: Vec::new(),
        }
    }

    /// Runs the statements of `src` (named `name` in messages). Returns
    /// whether every statement ran.
    ///
    /// A script with syntax errors runs nothing and reports them all; with
    /// `keep_going` its good statements run. A failing statement stops the
    /// run unless `keep_going`.
    pub fn run_source(&mut self, name: &str, src: &str) -> bool {
        let (script, errors) = metasum_query::parse_partial(src);
        for e in &errors {
            eprint!(
                "{}",
                render::render(name, src, &Diagnostic::from(e), self.color)
            );
        }
        if !errors.is_empty() && !self.keep_going {
            return false;
        }
        let mut ok = errors.is_empty();
        for statement in &script.statements {
            let outcome = match &statement.kind {
                StatementKind::Plot {
                    figure,
                    span,
                    query,
                } => self
                    .session
                    .plot(*figure, *span, query.as_ref())
                    .map(Outcome::Figure),
                _ => self
                    .session
                    .run(statement)
                    .map(|r| r.map_or(Outcome::Nothing, Outcome::Rows)),
            };
            let written = match outcome {
                Ok(Outcome::Nothing) => Ok(()),
                Ok(Outcome::Figure(svg)) => self.write(svg),
                Ok(Outcome::Rows(result)) if self.format == Format::Xlsx => {
                    let name = format!("result {}", self.sheets.len() + 1);
                    self.sheets.push((name, result.frame));
                    Ok(())
                }
                Ok(Outcome::Rows(result)) => match format::render_result(&result, self.format) {
                    Ok(text) => {
                        let separator = if self.wrote && self.format != Format::Json {
                            "\n"
                        } else {
                            ""
                        };
                        self.write(format!("{separator}{text}"))
                    }
                    Err(e) => Err(format!("could not format the result: {e}")),
                },
                Err(e) => {
                    eprint!(
                        "{}",
                        render::render(name, src, &Diagnostic::from(&e), self.color)
                    );
                    ok = false;
                    if !self.keep_going {
                        return false;
                    }
                    Ok(())
                }
            };
            if let Err(e) = written {
                eprintln!("error: {e}");
                return false;
            }
        }
        ok
    }

    /// Sends later results to `sink`; the first result there needs no
    /// separator before it.
    pub fn set_sink(&mut self, sink: Sink) {
        self.sink = sink;
        self.wrote = false;
    }

    /// Sends rendered output to the sink.
    fn write(&mut self, text: String) -> Result<(), String> {
        self.sink
            .write(&text)
            .map_err(|e| format!("could not write the result: {e}"))?;
        self.wrote = true;
        Ok(())
    }

    /// The xlsx workbook of the results kept so far (for `--format xlsx`).
    pub fn workbook(&self) -> Result<Vec<u8>, String> {
        let sheets: Vec<(String, &DataFrame)> =
            self.sheets.iter().map(|(n, f)| (n.clone(), f)).collect();
        format::xlsx(&sheets)
    }
}

/// What one statement produced.
enum Outcome {
    Rows(metasum_engine::QueryResult),
    Figure(String),
    Nothing,
}
