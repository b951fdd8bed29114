//! Problems found while loading a dataset, each naming file, line and column.

use std::fmt;

/// One thing wrong with a dataset, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File name inside the dataset folder, e.g. `studies.csv`.
    pub file: String,
    /// The sheet the file was read from, when the dataset is a workbook;
    /// `line` and `first` are then sheet rows.
    pub sheet: Option<String>,
    /// 1-based line, when the problem sits on one line.
    pub line: Option<u64>,
    /// 1-based column (character), when known (only for `dataset.toml`).
    pub col: Option<u64>,
    /// The CSV column the problem is in, when it is in one.
    pub column: Option<String>,
    /// What is wrong, as a sentence fragment.
    pub message: String,
    /// For something repeated: the line it first stood on.
    pub first: Option<u64>,
}

impl Problem {
    /// A problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_string(),
            sheet: None,
            line: None,
            col: None,
            column: None,
            message: message.into(),
            first: None,
        }
    }

    /// A problem on one line of a file.
    pub fn at(file: &str, line: u64, message: impl Into<String>) -> Self {
        Problem {
            line: Some(line),
            ..Problem::file(file, message)
        }
    }

    /// A problem in one cell: a line and a named column.
    pub fn cell(file: &str, line: u64, column: &str, message: impl Into<String>) -> Self {
        Problem {
            column: Some(column.to_string()),
            ..Problem::at(file, line, message)
        }
    }

    /// The same problem, for something that first stood on line `first`.
    pub fn repeating(self, first: u64) -> Self {
        Problem {
            first: Some(first),
            ..self
        }
    }
}

/// The most problems of one kind listed for one file: a sheet of millions
/// of bad references would otherwise hold a problem each (2 million took
/// 1.15 GB); the rest are counted in one last problem.
pub const MAX_LISTED: usize = 1_000;

/// Counts problems of one kind as they are found, keeping the first
/// [`MAX_LISTED`].
pub struct Listed<'a> {
    problems: &'a mut Vec<Problem>,
    file: String,
    more: usize,
    listed: usize,
}

impl<'a> Listed<'a> {
    /// Problems of one kind in `file`, appended to `problems`.
    pub fn new(problems: &'a mut Vec<Problem>, file: &str) -> Listed<'a> {
        Listed {
            problems,
            file: file.to_string(),
            more: 0,
            listed: 0,
        }
    }

    /// Adds a problem, or counts it past the first [`MAX_LISTED`].
    pub fn push(&mut self, problem: Problem) {
        if self.listed < MAX_LISTED {
            self.problems.push(problem);
            self.listed += 1;
        } else {
            self.more += 1;
        }
    }
}

impl Drop for Listed<'_> {
    fn drop(&mut self) {
        if self.more > 0 {
            self.problems.push(Problem::file(
                &self.file,
                format!(
                    "and {} more problems like the {MAX_LISTED} above, not listed",
                    self.more
                ),
            ));
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match &self.sheet {
            Some(sheet) => {
                write!(f, "sheet {sheet}")?;
                if let Some(row) = self.line {
                    write!(f, ", row {row}")?;
                }
                "row"
            }
            None => {
                write!(f, "{}", self.file)?;
                if let Some(line) = self.line {
                    write!(f, ":{line}")?;
                    if let Some(col) = self.col {
                        write!(f, ":{col}")?;
                    }
                }
                "line"
            }
        };
        write!(f, ": ")?;
        if let Some(column) = &self.column {
            write!(f, "column `{column}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(first) = self.first {
            write!(f, " (first on {unit} {first})")?;
        }
        Ok(())
    }
}

/// A dataset that could not be loaded: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// Where the dataset was looked for (a folder path, or `embedded seed`).
    pub origin: String,
    /// All problems found; never empty.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        let noun = if n == 1 { "problem" } else { "problems" };
        writeln!(f, "dataset {} has {n} {noun}:", self.origin)?;
        for p in &self.problems {
            // Name files by their path, so a terminal or editor can open them.
            if std::path::Path::new(&self.origin).is_dir() {
                write!(f, "  {}/", self.origin.trim_end_matches('/'))?;
            } else {
                write!(f, "  ")?;
            }
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
