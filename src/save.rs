//! `save "FILE"`: a statement's result written to a file of its own, in the
//! format the file's extension names. What a file can hold is checked
//! before a script runs (rows into .csv .json .md .xlsx .parquet .arrow, a
//! figure into .svg .png .pdf .xlsx, one statement per file); the file is written whole when its
//! statement has run, and left as it was when the statement fails.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use metasum_engine::{Format, Outcome, QueryResult, format, raster};
use metasum_query::ast::{Save, Statement, StatementKind};

use crate::kept::Kept;
use crate::render::Diagnostic;
use crate::target::{FileKind, figure_files, row_files};

/// The files a run's `save` clauses name, to refuse a second statement
/// saving into the same file (it would silently replace the first).
#[derive(Default)]
pub struct Saves {
    /// `--output-dir`: where relative file names go (else the working
    /// directory).
    dir: Option<PathBuf>,
    /// Each file named so far, with what named it (`the statement at
    /// review.msq:3`).
    named: Files,
    /// The file the run's own results go to (`--output`, `.output`), which
    /// no `save` may name.
    output: Files,
    /// The files of the datasets the run reads (`--data`, `--compare`),
    /// which no `save` may replace.
    inputs: Files,
}

/// Files by every name that tells them apart.
#[derive(Default)]
struct Files {
    /// By path, links followed (those that lead nowhere yet too).
    paths: HashMap<PathBuf, String>,
    /// By device and inode (on Windows volume and file index), for a file
    /// that is there: its hard links.
    inodes: HashMap<(u64, u64), String>,
}

impl Files {
    fn clear(&mut self) {
        self.paths.clear();
        self.inodes.clear();
    }

    fn insert(&mut self, path: &Path, by: String) {
        if let Some(inode) = inode(path) {
            self.inodes.insert(inode, by.clone());
        }
        self.paths.insert(same_file(path), by);
    }

    fn get(&self, path: &Path) -> Option<&String> {
        (self.paths.get(&same_file(path))).or_else(|| inode(path).and_then(|i| self.inodes.get(&i)))
    }
}

impl Saves {
    /// Relative file names go under `dir`.
    pub fn new(dir: Option<PathBuf>) -> Saves {
        Saves {
            dir,
            ..Saves::default()
        }
    }

    /// The shell's next input: the files named before may be saved again.
    pub fn forget(&mut self) {
        self.named.clear();
    }

    /// The run's own results go to `path` (none: the screen); no `save` may
    /// name it.
    pub fn set_output(&mut self, path: Option<&Path>) {
        self.output.clear();
        if let Some(path) = path {
            self.output
                .insert(path, "the run's own output (--output, .output)".to_string());
        }
    }

    /// The files the run reads its datasets from: no `save` may name one.
    pub fn protect(&mut self, inputs: &[PathBuf]) {
        for input in inputs {
            let what =
                "a file of the dataset this run reads: saving into it would replace the data";
            self.inputs.insert(input, what.to_string());
        }
    }

    /// The scripts the run reads: no `save` may name one (a script named
    /// `analysis.csv` saved its own result over itself).
    pub fn protect_scripts(&mut self, scripts: &[PathBuf]) {
        for script in scripts.iter().filter(|s| s.as_os_str() != "-") {
            let what = "the script this run reads: saving into it would replace the script";
            self.inputs.insert(script, what.to_string());
        }
    }

    /// The file `save` names: under `--output-dir` when relative.
    pub fn path(&self, save: &Save) -> PathBuf {
        match &self.dir {
            Some(dir) => dir.join(&save.path),
            None => PathBuf::from(&save.path),
        }
    }

    /// Why `statement`'s `save` cannot be carried out, told before anything
    /// runs; `at` says where the statement is (`review.msq:3`). The file
    /// is counted as named when it can be saved.
    pub fn check(&mut self, statement: &Statement, save: &Save, at: &str) -> Option<Diagnostic> {
        let figure = matches!(statement.kind, StatementKind::Plot(_));
        let path = self.path(save);
        let refused = match FileKind::of(Path::new(&save.path)) {
            FileKind::Other if figure => Some(format!(
                "`save` needs a file name ending in {} for a figure",
                figure_files()
            )),
            FileKind::Other => Some(format!(
                "`save` needs a file name ending in {} for rows",
                row_files()
            )),
            kind => kind.refuses(figure),
        }
        .or_else(|| unwritable(&path))
        .or_else(|| {
            let what = self.inputs.get(&path)?;
            Some(format!("{} is {what}", save.path))
        })
        .or_else(|| {
            let earlier = self.named.get(&path).or_else(|| self.output.get(&path))?;
            Some(format!(
                "{} is written by {earlier}: a file holds one statement's result",
                save.path
            ))
        });
        match refused {
            Some(message) => Some(at_the_file(save, message)),
            None => {
                self.named.insert(&path, format!("the statement at {at}"));
                None
            }
        }
    }
}

/// Whether `path` names one of `files`, however either is spelled (`./`,
/// `..`, a link, a hard link).
pub fn names_one_of(path: &Path, files: &[PathBuf]) -> bool {
    let mut known = Files::default();
    for file in files {
        known.insert(file, String::new());
    }
    known.get(path).is_some()
}

/// The files a dataset at `path` is read from: the workbook itself, or
/// each dataset file of the folder.
pub fn dataset_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        (metasum_engine::dataset::files::ReviewFile::folder_files().iter())
            .map(|name| path.join(name))
            .collect()
    } else {
        vec![path.to_path_buf()]
    }
}

/// An error about `save`'s file, with a caret under its name.
pub fn at_the_file(save: &Save, message: String) -> Diagnostic {
    Diagnostic {
        message,
        span: save.path_span,
        label: "this file".to_string(),
        secondary: Vec::new(),
        hints: Vec::new(),
    }
}

/// Why `path` cannot be written, when that can be told before it is: no
/// folder to hold it, or a folder at the path.
fn unwritable(path: &Path) -> Option<String> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    match folder {
        Some(folder) if !folder.is_dir() => Some(format!(
            "there is no folder {} to write {} in",
            folder.display(),
            path.display()
        )),
        _ if path.is_dir() => Some(format!("{} is a folder, not a file", path.display())),
        _ => None,
    }
}

/// One spelling for each file: `a.csv`, `./a.csv`, `sub/../a.csv`, its
/// absolute path and a link to it (even one to a file not made yet) are
/// one file.
fn same_file(path: &Path) -> PathBuf {
    if let Ok(file) = std::fs::canonicalize(path) {
        return file;
    }
    // A new file, or a link to one: where the links lead, by its folder's
    // true path and its name.
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(folder) => folder.join(target),
            None => target,
        };
    }
    let absolute = std::path::absolute(&path).unwrap_or(path);
    match (absolute.parent(), absolute.file_name()) {
        (Some(folder), Some(name)) => std::fs::canonicalize(folder)
            .map(|folder| folder.join(name))
            .unwrap_or(absolute),
        _ => absolute,
    }
}

/// The device and inode of the file at `path`, if there is one.
#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

/// The volume and file index of the file at `path`, if there is one:
/// Windows' inode (one file's hard links, and its 8.3 short name, share
/// them). The file is opened for a moment to ask (sharing reading,
/// writing and deleting: another program is not disturbed).
#[cfg(windows)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    let file = std::fs::File::open(path).ok()?;
    let info = winapi_util::file::information(&file).ok()?;
    Some((info.volume_serial_number(), info.file_index()))
}

/// Writes what a statement gave (`outcome`) to `path`, the file its `save`
/// names, and tells on stderr what was written. A `let` saves `shown`: its
/// rows as a query shows them (the binding keeps ids as the planner reads
/// them), computed before the name was bound. `name` names a workbook's
/// sheet.
pub fn save(
    path: &Path,
    outcome: &Outcome,
    shown: Option<metasum_engine::Result<QueryResult>>,
    name: &str,
    options: format::Options,
) -> Result<(), String> {
    let rows = |result: &QueryResult| format!(" ({})", format::row_count(result.frame.height()));
    let bound;
    let (saved, told) = match outcome {
        Outcome::Figure(svg) => (Saved::Figure { svg, sheet: name }, String::new()),
        Outcome::Rows(result) => (
            Saved::Rows {
                result,
                sheet: name,
            },
            rows(result),
        ),
        Outcome::Bound(_) => {
            bound = shown.ok_or("no rows to save")?.map_err(|e| e.to_string())?;
            (
                Saved::Rows {
                    result: &bound,
                    sheet: name,
                },
                rows(&bound),
            )
        }
    };
    if let (
        Saved::Figure { svg, .. },
        FileKind::Png | FileKind::Pdf | FileKind::Rows(Format::Xlsx),
    ) = (&saved, FileKind::of(path))
    {
        tell_missing_glyphs(svg);
    }
    let bytes = document(saved, path, options)?;
    write(path, &bytes)?;
    crate::output::errln!("wrote {}{told}", path.display());
    Ok(())
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
    let (sheet, kept) = match saved {
        Saved::Figure { svg, sheet } => (sheet, Kept::Figure(svg.to_string())),
        Saved::Rows { result, sheet } => (sheet, Kept::Rows(result.clone())),
    };
    let kept = [(format::sheet_name(sheet, &[]), kept)];
    if let Some(document) = crate::kept::document(kind, &kept, options.dpi) {
        return document.map_err(|e| e.to_string());
    }
    match (&kept[0].1, kind.format()) {
        (Kept::Rows(result), Some(format)) => format::render_result_with(result, format, options)
            .map(String::into_bytes)
            .map_err(|e| e.to_string()),
        (Kept::Rows(_), None) => Err(format!("{} cannot hold rows", kind.name())),
        (Kept::Figure(_), _) => Err(format!("{} cannot hold a figure", kind.name())),
    }
}

/// Tells (on stderr) which characters of a figure drawn as a picture the
/// embedded font lacks: they show as boxes.
pub fn tell_missing_glyphs(svg: &str) {
    let missing = raster::missing_glyphs(svg);
    if missing.is_empty() {
        return;
    }
    let named: Vec<String> = (missing.iter().take(5))
        .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
        .collect();
    let more = match missing.len() {
        0..=5 => String::new(),
        n => format!(" and {} more", n - 5),
    };
    crate::output::errln!(
        "note: the font pictures are drawn with has no {}{more}: {} as boxes in the picture; an .svg file shows them in the viewer's fonts",
        named.join(", "),
        if missing.len() == 1 {
            "it shows"
        } else {
            "they show"
        }
    );
}

/// Writes `bytes` to `path` whole: readers see the old file or the new one.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    // A missing folder was told before the script ran (`Saves::check`).
    metasum_engine::atomic::write_atomically(path, bytes).map_err(|e| {
        // What went wrong (`permission denied`, `file name too long`), not
        // the name of the temporary file it happened to.
        let why = match e.kind() {
            std::io::ErrorKind::Other => e.to_string(),
            kind => kind.to_string(),
        };
        format!("cannot write {}: {why}", path.display())
    })
}
