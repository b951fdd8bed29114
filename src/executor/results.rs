//! Where a run's results go: stdout or the --output file (a
//! [`Destination`]), written as they come or kept for the document written
//! at the end (a workbook, a Parquet or Arrow file, one JSON document);
//! what such a file refuses.

use std::io::IsTerminal;
use std::path::Path;

use metasum_engine::{Format, Outcome, format};

use super::Executor;
use crate::kept::{Kept, json_document};
use crate::output::{Sink, errln, error};
use crate::save;
use crate::target::{FileKind, Target, figure_files};

/// Where results go, and what a run has kept for it so far.
pub struct Destination {
    sink: Sink,
    target: Option<Target>,
    sheets: Vec<(String, Kept)>,
    json: Option<Vec<(String, String)>>,
    format: Format,
    wrote: bool,
}

impl Destination {
    /// The shell's file `path` (`.output`, `.once`), tried now, its format
    /// named by its extension (else `format`), nothing in it yet; `None`:
    /// the screen, which is never sent a binary format (then `table`).
    pub fn file(path: Option<&Path>, format: Format) -> std::io::Result<Destination> {
        let kind = path.map(FileKind::of);
        let format = match kind.and_then(FileKind::format) {
            Some(named) => named,
            None if path.is_none() && format.is_binary() => Format::Table,
            None => format,
        };
        Ok(Destination {
            sink: Sink::shell_output(path)?,
            // What the file can hold, as for --output: one result in a
            // .csv, one figure in an .svg.
            target: kind.map(Target::new),
            sheets: Vec::new(),
            // JSON into a file is one document of what it was sent.
            json: (path.is_some() && format == Format::Json).then(Vec::new),
            format,
            wrote: false,
        })
    }
}

impl Executor {
    /// Why the run's output cannot take `outcome`, if it cannot: a figure
    /// in JSON, a second result in a file of one, what the --output file
    /// cannot hold.
    pub(super) fn accepts(
        &mut self,
        outcome: &metasum_engine::Result<Outcome>,
    ) -> Result<(), String> {
        // JSON output is one document, so it holds no figure.
        let figure_in_json = self.json.is_some() && matches!(outcome, Ok(Outcome::Figure(_)));
        let holds_a_result = self.holds_a_result();
        match (self.target.as_mut(), outcome) {
            _ if figure_in_json => Err(format!(
                "a figure cannot go into JSON output: write it to an {} file",
                figure_files()
            )),
            (_, Ok(Outcome::Rows(_))) if holds_a_result => Err(crate::target::one_result_only(
                FileKind::of_format(self.format).name(),
            )),
            (Some(target), Ok(outcome)) => target.accept(outcome),
            _ => Ok(()),
        }
    }

    /// `outcome` of the statement `text` sent where the run's results go:
    /// written, kept for the document written at the end (a workbook, a
    /// Parquet or Arrow file, JSON), or nothing for a bound name.
    pub(super) fn send(&mut self, text: &str, outcome: Outcome) -> Result<(), String> {
        match outcome {
            Outcome::Bound(_) => Ok(()),
            Outcome::Figure(svg) if self.keeps_figures() => {
                save::tell_missing_glyphs(&svg);
                self.keep(text, Kept::Figure(svg));
                Ok(())
            }
            Outcome::Figure(svg) if self.on_a_terminal() => figure_to_file(&svg),
            Outcome::Figure(svg) => self.write(svg),
            Outcome::Rows(result) if self.format.is_binary() => {
                self.keep(text, Kept::Rows(result));
                Ok(())
            }
            Outcome::Rows(result) => {
                let rendered = format::render_result_with(&result, self.format, self.options())
                    .map_err(|e| format!("could not format the result: {e}"))?;
                if self.json.is_some() {
                    let statement = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    (self.json.iter_mut())
                        .for_each(|kept| kept.push((statement.clone(), rendered.clone())));
                    return Ok(());
                }
                let separator = if self.wrote && self.format != Format::Json {
                    "\n"
                } else {
                    ""
                };
                let written = self.write(format!("{separator}{rendered}"));
                self.tell_rows(result.frame.height());
                written
            }
        }
    }

    /// How results are written: CSV cells as `--raw` says, and a table on a
    /// terminal fitted to its width.
    pub(super) fn options(&self) -> format::Options {
        let width = match (&self.sink, self.format) {
            (Sink::Stdout, Format::Table) => crate::output::terminal_width(),
            _ => None,
        };
        format::Options {
            csv_cells: self.csv_cells,
            width,
            headers: self.headers,
            dpi: self.dpi,
        }
    }

    /// Whether results are shown on a terminal (not a pipe, not a file).
    fn on_a_terminal(&self) -> bool {
        matches!(self.sink, Sink::Stdout) && std::io::stdout().is_terminal()
    }

    /// "(4 rows)" after a table or Markdown shown on a terminal: a count is
    /// for the person reading, never part of a file or a pipe.
    pub(super) fn tell_rows(&self, rows: usize) {
        let shown = matches!(self.sink, Sink::Stdout)
            && matches!(self.format, Format::Table | Format::Markdown | Format::Line)
            && std::io::stdout().is_terminal();
        if shown {
            // A closed terminal ends the process quietly (print_stdout).
            let _ = crate::output::print_stdout(&format!("({})\n", format::row_count(rows)));
        }
    }

    /// Whether any result or figure has been sent to where results go now
    /// (written, or kept to be written).
    pub fn sent_anything(&self) -> bool {
        self.wrote
            || !self.sheets.is_empty()
            || self.json.as_ref().is_some_and(|kept| !kept.is_empty())
    }

    /// Sends results to `destination` (the shell's `.output`, `.once`)
    /// and gives back where they went, with what was kept for it (a
    /// workbook's sheets, a Parquet file's result, JSON results) and its
    /// format, to be put back whole after `.once`.
    pub fn swap_destination(&mut self, destination: Destination) -> Destination {
        // No `save` may write the file the results go to.
        self.saves.set_output(destination.sink.path());
        // A new file: what the last one could not hold is behind us.
        self.usage_error = false;
        Destination {
            sink: std::mem::replace(&mut self.sink, destination.sink),
            target: std::mem::replace(&mut self.target, destination.target),
            sheets: std::mem::replace(&mut self.sheets, destination.sheets),
            json: std::mem::replace(&mut self.json, destination.json),
            format: std::mem::replace(&mut self.format, destination.format),
            wrote: std::mem::replace(&mut self.wrote, destination.wrote),
        }
    }

    /// Sends rendered output to the sink.
    pub(super) fn write(&mut self, text: String) -> Result<(), String> {
        self.sink
            .write(&text)
            .map_err(|e| format!("could not write the result: {e}"))?;
        self.wrote = true;
        Ok(())
    }

    /// Ends a batch run: an `--output` file is put in place when every
    /// statement ran (`ok`), and otherwise left as it was, `--keep-going` or
    /// not (a failed run never replaces a good file with part of its
    /// results). Returns whether the run succeeded in all.
    pub fn finish(mut self, ok: bool) -> bool {
        // The process ends after this.
        self.session.keep_dataset_to_exit();
        // No result at all is still one document: `[]`; a refused run
        // writes nothing.
        if let Some(kept) = self.json.take().filter(|_| !self.usage_error) {
            // Written like any result: to stdout now, or into the
            // `--output` file that is put in place below when `ok`.
            if let Err(e) = self.write(json_document(&kept)) {
                error!("{e}");
                return false;
            }
        }
        let sink = std::mem::replace(&mut self.sink, Sink::Stdout);
        let Some(path) = sink.path().map(|p| p.display().to_string()) else {
            return ok;
        };
        if !ok {
            let why = match self.usage_error {
                true => "it cannot hold this run's results",
                false => "a statement failed",
            };
            errln!("note: {path} was not written, because {why}");
            return false;
        }
        let mut sink = sink;
        let written = match self.kept_document() {
            Some(document) => document
                .map_err(std::io::Error::other)
                .and_then(|bytes| sink.write_bytes(&bytes)),
            None => Ok(()),
        };
        match written.and_then(|()| sink.commit()) {
            Ok(()) => true,
            Err(e) => {
                error!("could not write {path}: {e}");
                false
            }
        }
    }

    /// Whether the run's one result is kept for a file of a format that
    /// holds one (Parquet, Arrow), so that another cannot go in.
    pub(super) fn holds_a_result(&self) -> bool {
        self.format.holds_one_result()
            && (self.sheets.iter()).any(|(_, kept)| matches!(kept, Kept::Rows(_)))
    }

    /// Whether figures are kept to be written at the end: as pictures in
    /// a workbook, or drawn into a .png file.
    pub(super) fn keeps_figures(&self) -> bool {
        let kind = self.target.as_ref().map(Target::kind);
        self.format == Format::Xlsx
            || kind.is_some_and(|k| k.holds_one_figure() && k != FileKind::Svg)
    }

    /// Keeps a result or figure under a name its statement gives, unique
    /// among the kept ones.
    pub(super) fn keep(&mut self, statement: &str, kept: Kept) {
        let taken: Vec<String> = self.sheets.iter().map(|(n, _)| n.clone()).collect();
        self.sheets
            .push((format::sheet_name(statement, &taken), kept));
    }

    /// The document of what was kept so far: the xlsx workbook (for
    /// `--format xlsx`), or the picture of the figure for a .png file; none
    /// when nothing is kept for the end.
    pub fn kept_document(&self) -> Option<metasum_engine::Result<Vec<u8>>> {
        let kind = match self.format {
            format if format.is_binary() => FileKind::Rows(format),
            _ if self.keeps_figures() => self.target.as_ref().map(Target::kind)?,
            _ => return None,
        };
        crate::kept::document(kind, &self.sheets, self.dpi)
    }
}

/// A figure sent to a terminal: an SVG's source is no picture, so it is
/// written to a file of its own (in the user's cache folder) and the
/// terminal is told where; `save "F.svg"` puts a figure where one says.
fn figure_to_file(svg: &str) -> Result<(), String> {
    let dir = dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("metasum")
        .join("figures");
    let cannot =
        |e: std::io::Error| format!("could not write the figure into {}: {e}", dir.display());
    std::fs::create_dir_all(&dir).map_err(cannot)?;
    // A name no other figure has, of this shell or another.
    let (path, mut file) = (1..)
        .map(|k| dir.join(format!("figure-{}-{k}.svg", std::process::id())))
        .find_map(|path| {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            file.ok().map(|file| (path, file))
        })
        .ok_or("no free figure file name")?;
    std::io::Write::write_all(&mut file, svg.as_bytes()).map_err(cannot)?;
    save::tell_missing_glyphs(svg);
    let told = format!(
        "figure written to {} (open it in a browser; `save \"NAME.svg\"` after the statement writes it where you say, .png and .pdf too)\n",
        path.display()
    );
    // A closed terminal ends the process quietly (print_stdout).
    let _ = crate::output::print_stdout(&told);
    Ok(())
}
