//! `save "FILE"`: a statement's result written to a file of its own, in the
//! format the file's extension names. What a file can hold is checked
//! before a script runs (rows into .csv .json .md .xlsx, a figure into .svg
//! .png .xlsx, one statement per file); the file is written whole when its
//! statement has run, and left as it was when the statement fails.

use std::path::{Path, PathBuf};

use metasum_engine::{Format, QueryResult, format, raster};
use metasum_query::ast::{Save, Statement, StatementKind};

use crate::render::Diagnostic;
use crate::target::FileKind;

/// The files a script's `save` clauses name, to refuse a second statement
/// saving into the same file (it would silently replace the first).
#[derive(Default)]
pub struct Saves {
    /// `--output-dir`: where relative file names go (else the working
    /// directory).
    dir: Option<PathBuf>,
    /// Each file named so far, with the script line that named it.
    named: Vec<(PathBuf, usize)>,
}

impl Saves {
    /// Relative file names go under `dir`.
    pub fn new(dir: Option<PathBuf>) -> Saves {
        Saves {
            dir,
            named: Vec::new(),
        }
    }

    /// A new script: no file named yet.
    pub fn forget(&mut self) {
        self.named.clear();
    }

    /// The file `save` names: under `--output-dir` when relative.
    pub fn path(&self, save: &Save) -> PathBuf {
        match &self.dir {
            Some(dir) => dir.join(&save.path),
            None => PathBuf::from(&save.path),
        }
    }

    /// Why `statement`'s `save` cannot be carried out, before anything
    /// runs; `line` is the script line the statement starts on. The file is
    /// counted as named when it can be.
    pub fn check(&mut self, statement: &Statement, save: &Save, line: usize) -> Option<Diagnostic> {
        let figure = matches!(statement.kind, StatementKind::Plot { .. });
        let kind = FileKind::of(Path::new(&save.path));
        let refused = match kind {
            FileKind::Other => Some(format!(
                "`save` needs a file name ending in .csv, .json, .md or .xlsx for rows{}",
                if figure {
                    "; .svg for this figure"
                } else {
                    ", or .svg for a figure"
                }
            )),
            _ => kind.refuses(figure),
        };
        let path = self.path(save);
        let earlier = self.named.iter().find(|(named, _)| *named == path);
        let refused = refused.or_else(|| {
            earlier.map(|(_, line)| {
                format!(
                    "{} is saved by an earlier statement (line {line}): a file holds one statement's result",
                    save.path
                )
            })
        });
        match refused {
            Some(message) => Some(Diagnostic {
                message,
                span: save.path_span,
                label: "this file".to_string(),
                secondary: Vec::new(),
                hints: Vec::new(),
            }),
            None => {
                self.named.push((path, line));
                None
            }
        }
    }
}

/// What a saved statement gives: rows or a figure.
pub enum Saved<'a> {
    /// A query's rows; `sheet` names them in a workbook.
    Rows {
        /// The rows.
        result: &'a QueryResult,
        /// The workbook sheet's name.
        sheet: &'a str,
    },
    /// A figure; `sheet` names its picture in a workbook.
    Figure {
        /// The figure, as SVG.
        svg: &'a str,
        /// The workbook sheet's name.
        sheet: &'a str,
    },
}

/// The document `saved` makes in `path`, in the format its extension
/// names (checked by [`Saves::check`]).
pub fn document(saved: Saved, path: &Path, options: format::Options) -> Result<Vec<u8>, String> {
    let kind = FileKind::of(path);
    let failed = |e: metasum_engine::Error| e.to_string();
    match saved {
        Saved::Figure { svg, sheet } => match kind {
            FileKind::Png => raster::png(svg, raster::DEFAULT_DPI).map_err(failed),
            FileKind::Xlsx => {
                let sheets = [(format::sheet_name(sheet, &[]), format::Sheet::Figure(svg))];
                format::xlsx_results(&sheets).map_err(failed)
            }
            _ => Ok(svg.as_bytes().to_vec()),
        },
        Saved::Rows { result, sheet } => match kind.format() {
            Some(Format::Xlsx) => {
                let sheets = [(format::sheet_name(sheet, &[]), format::Sheet::Rows(result))];
                format::xlsx_results(&sheets).map_err(failed)
            }
            Some(format) => format::render_result_with(result, format, options)
                .map(String::into_bytes)
                .map_err(|e| e.to_string()),
            None => Err(format!("{} cannot hold rows", kind.name())),
        },
    }
}

/// Writes `bytes` to `path` whole: readers see the old file or the new one.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !folder.is_dir() {
            return Err(format!(
                "cannot write {}: there is no folder {}",
                path.display(),
                folder.display()
            ));
        }
    }
    metasum_engine::atomic::write_atomically(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
