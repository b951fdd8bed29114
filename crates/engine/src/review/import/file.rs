//! A dataset's `studies.csv` or `papers.csv` as `import` reads and extends
//! it: checked first with the loader's own reader (a file the dataset
//! could not load is refused, never rewritten), columns found as the loader
//! finds them (any case), and new rows appended to the bytes as they are
//! (byte order mark, line ends and quoting of the rows there kept). Only
//! when a column must be added is the file written anew.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ImportError;
use crate::review::atomic::OutputFile;
use crate::review::dataset::csvfile::read_table;
use crate::review::dataset::files::ReviewFile;

/// The bytes of the review's file at `path`, `None` when there is none. A
/// FIFO, device or folder where a file belongs is refused: reading it
/// would wait without end, or fail.
pub(super) fn read_file(path: &Path) -> Result<Option<Vec<u8>>, ImportError> {
    let cannot = |why: String| ImportError::Io(format!("cannot read {}: {why}", path.display()));
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e.to_string())),
        Ok(meta) if !meta.is_file() => return Err(cannot("it is not a regular file".into())),
        Ok(_) => {}
    }
    std::fs::read(path)
        .map(Some)
        .map_err(|e| cannot(e.to_string()))
}

/// One CSV file of the dataset, with the rows an import adds.
pub(super) struct CsvFile {
    /// Which of the review's files it is.
    pub kind: ReviewFile,
    path: PathBuf,
    /// The file as it is (`None`: there is none yet).
    original: Option<Vec<u8>>,
    /// Its columns.
    pub header: Vec<String>,
    /// Its rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
    /// Rows to add, each as long as the header.
    added: Vec<Vec<String>>,
    /// A column was added: the file is written anew.
    widened: bool,
}

impl CsvFile {
    /// The file of `kind` in `folder`, checked as the loader checks it.
    pub fn open(folder: &Path, kind: ReviewFile) -> Result<CsvFile, ImportError> {
        let name = kind.file();
        let path = folder.join(name);
        let original = read_file(&path)?;
        let Some(bytes) = &original else {
            return Ok(CsvFile {
                kind,
                path,
                original,
                header: Vec::new(),
                rows: Vec::new(),
                added: Vec::new(),
                widened: true,
            });
        };
        let mut problems = Vec::new();
        read_table(name, bytes, kind.columns(), &mut problems);
        if !problems.is_empty() {
            return Err(ImportError::Problems(problems));
        }
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let bad = |e: csv::Error| ImportError::Io(format!("cannot read {}: {e}", path.display()));
        let header: Vec<String> = reader
            .headers()
            .map_err(bad)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for row in reader.records() {
            let mut row: Vec<String> = row.map_err(bad)?.iter().map(str::to_string).collect();
            row.resize(header.len(), String::new());
            rows.push(row);
        }
        Ok(CsvFile {
            kind,
            path,
            original,
            header,
            rows,
            added: Vec::new(),
            widened: false,
        })
    }

    /// Whether the file is there (not one an import makes).
    pub fn exists(&self) -> bool {
        self.original.is_some()
    }

    /// Adds a paper per study of `studies` (id and study the study's id,
    /// its citation `author (year)`, its year): the papers the loader
    /// gives a dataset without papers.csv.
    pub fn one_per_study(&mut self, studies: &CsvFile) {
        let (ids, authors, years) = (
            studies.values("id"),
            studies.values("author"),
            studies.values("year"),
        );
        for i in 0..ids.len() {
            let (author, year) = (authors[i].trim(), years[i].trim());
            let citation = match year {
                "" => author.to_string(),
                y => format!("{author} ({y})"),
            };
            let row = [
                ("id", ids[i].trim().to_string()),
                ("study", ids[i].trim().to_string()),
                ("citation", citation),
                ("year", year.to_string()),
            ];
            self.add(&row);
        }
        // Written as rows already there: the loader read them so.
        self.rows.append(&mut self.added);
    }

    /// Where the column `name` is, found as the loader and queries find
    /// columns (any case, spaces around it aside).
    pub fn column(&self, name: &str) -> Option<usize> {
        (self.header.iter()).position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    /// The column `name`, added at the end when the file has none.
    pub fn ensure(&mut self, name: &str) -> usize {
        if let Some(i) = self.column(name) {
            return i;
        }
        self.header.push(name.to_string());
        for row in self.rows.iter_mut().chain(self.added.iter_mut()) {
            row.push(String::new());
        }
        self.widened = true;
        self.header.len() - 1
    }

    /// The cells of the column `name` as the loader reads them (spaces
    /// around and a formula's guard dropped; empty where the file has
    /// none).
    pub fn values(&self, name: &str) -> Vec<&str> {
        match self.column(name) {
            Some(i) => (self.rows.iter())
                .map(|r| crate::escape::formula_unguarded(r[i].trim()))
                .collect(),
            None => vec![""; self.rows.len()],
        }
    }

    /// Whether an import changes it.
    pub fn changed(&self) -> bool {
        !self.added.is_empty()
            || (self.widened && (self.original.is_some() || !self.header.is_empty()))
    }

    /// The line each added row starts on in the file as it would be
    /// written (a cell may span lines), for the problems of that file.
    pub fn added_lines(&self) -> Vec<u64> {
        let Ok(bytes) = self.bytes() else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            lines.push(record.position().map_or(0, |p| p.line()));
        }
        lines.split_off(lines.len().saturating_sub(self.added.len()))
    }

    /// Sets the cell of column `name` of row `row` (a row there), the
    /// file then written anew.
    pub fn set(&mut self, row: usize, name: &str, value: String) {
        let i = self.ensure(name);
        self.rows[row][i] = crate::escape::formula_safe(value);
        self.widened = true;
    }

    /// Adds a row with these cells (the others empty), each guarded as
    /// metasum's CSV output guards it: reviewers open these files in a
    /// spreadsheet, where a title `=HYPERLINK(...)` would run.
    pub fn add(&mut self, cells: &[(&str, String)]) {
        let mut row = vec![String::new(); self.header.len()];
        for (name, value) in cells {
            let i = self.ensure(name);
            row.resize(self.header.len(), String::new());
            row[i] = crate::escape::formula_safe(value.clone());
        }
        self.added.push(row);
    }

    /// The file with its new rows: appended to its bytes, or written anew
    /// (with its byte order mark and line ends) when it gained a column.
    pub(super) fn bytes(&self) -> Result<Vec<u8>, ImportError> {
        let original = self.original.as_deref().unwrap_or_default();
        let crlf = original.windows(2).any(|w| w == b"\r\n");
        let terminator = if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let failed =
            |e: String| ImportError::Io(format!("cannot write {}: {e}", self.path.display()));
        let mut w = csv::WriterBuilder::new()
            .terminator(terminator)
            .from_writer(Vec::new());
        let mut out = Vec::new();
        if self.widened {
            if original.starts_with("\u{feff}".as_bytes()) {
                out.extend_from_slice("\u{feff}".as_bytes());
            }
            w.write_record(&self.header)
                .map_err(|e| failed(e.to_string()))?;
            for row in &self.rows {
                w.write_record(row).map_err(|e| failed(e.to_string()))?;
            }
        } else {
            out.extend_from_slice(original);
            if !original.is_empty() && !original.ends_with(b"\n") {
                out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
        }
        for row in &self.added {
            w.write_record(row).map_err(|e| failed(e.to_string()))?;
        }
        out.extend(w.into_inner().map_err(|e| failed(e.to_string()))?);
        Ok(out)
    }
}

/// Writes `files` whole, all or none: each is opened (so a file that
/// cannot be written is told before any is) and filled first, then each
/// put in place.
pub(super) fn write_all(
    files: &[&CsvFile],
    others: &[(PathBuf, Vec<u8>)],
) -> Result<(), ImportError> {
    let mut pending = Vec::new();
    let each = (files.iter().map(|f| Ok((&f.path, f.bytes()?))))
        .chain(others.iter().map(|(path, bytes)| Ok((path, bytes.clone()))));
    for file in each {
        let (path, bytes): (&PathBuf, Vec<u8>) = file?;
        let failed =
            |e: std::io::Error| ImportError::Io(format!("cannot write {}: {e}", path.display()));
        let mut out = OutputFile::create(path).map_err(failed)?;
        out.write_all(&bytes).map_err(failed)?;
        pending.push((out, path));
    }
    for (out, path) in pending {
        out.commit()
            .map_err(|e| ImportError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}
