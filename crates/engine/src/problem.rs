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
    /// For the last line of a long list: how many problems it stands for,
    /// not listed (0 for a problem of its own).
    pub unlisted: u64,
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
            message: shortened(message.into()),
            first: None,
            unlisted: 0,
        }
    }

    /// The problems of `file` past the ones listed: `n` of them, told in
    /// one line (`message`), counted as `n`.
    pub fn unlisted(file: &str, n: usize, message: impl Into<String>) -> Self {
        Problem {
            unlisted: n as u64,
            ..Problem::file(file, message)
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

/// The longest message kept whole: a message quotes the cell it is about,
/// and a cell of 300 MB made a message of 300 MB.
const MAX_MESSAGE: usize = 500;

/// `message`, cut after [`MAX_MESSAGE`] bytes (at a character) with `…`.
fn shortened(mut message: String) -> String {
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
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
            self.problems.push(Problem::unlisted(
                &self.file,
                self.more,
                format!(
                    "and {} more problems like the {MAX_LISTED} above, not listed",
                    self.more
                ),
            ));
        }
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: message`, the data it quotes made safe for a
    /// terminal (`escape::message_safe`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = ProblemText(self).to_string();
        f.write_str(&crate::escape::message_safe(&text))
    }
}

/// A problem as text, before it is made safe.
struct ProblemText<'a>(&'a Problem);

impl fmt::Display for ProblemText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        let unit = match &p.sheet {
            Some(sheet) => {
                write!(f, "sheet {sheet}")?;
                if let Some(row) = p.line {
                    write!(f, ", row {row}")?;
                }
                "row"
            }
            None => {
                write!(f, "{}", p.file)?;
                if let Some(line) = p.line {
                    write!(f, ":{line}")?;
                    if let Some(col) = p.col {
                        write!(f, ":{col}")?;
                    }
                }
                "line"
            }
        };
        write!(f, ": ")?;
        if let Some(column) = &p.column {
            write!(f, "column `{column}`: ")?;
        }
        write!(f, "{}", p.message)?;
        if let Some(first) = p.first {
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
        // The line standing for the problems not listed counts as them.
        let n: u64 = (self.problems.iter())
            .map(|p| if p.unlisted > 0 { p.unlisted } else { 1 })
            .sum();
        let noun = if n == 1 { "problem" } else { "problems" };
        let origin = crate::escape::message_safe(&self.origin);
        writeln!(f, "dataset {origin} has {n} {noun}:")?;
        for p in &self.problems {
            // Name files by their path, so a terminal or editor can open them,
            // with the separator the folder was given with (Windows:
            // `C:\Reviews\tele\studies.csv`, `data/tele/studies.csv`).
            if std::path::Path::new(&self.origin).is_dir() {
                let separator = if cfg!(windows) && origin.contains('\\') {
                    '\\'
                } else {
                    '/'
                };
                write!(
                    f,
                    "  {}{separator}",
                    origin.trim_end_matches(['/', separator])
                )?;
            } else {
                write!(f, "  ")?;
            }
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_cell_makes_a_short_message_and_unlisted_problems_count() {
        let cell = "é".repeat(100_000);
        let p = Problem::cell(
            "evidence.csv",
            9,
            "study",
            format!("study `{cell}` does not exist"),
        );
        assert!(
            p.message.len() <= MAX_MESSAGE + '…'.len_utf8(),
            "{}",
            p.message.len()
        );
        assert!(p.message.ends_with('…'));
        let mut problems = Vec::new();
        {
            let mut listed = Listed::new(&mut problems, "evidence.csv");
            for line in 0..(MAX_LISTED as u64 + 5) {
                listed.push(Problem::at("evidence.csv", line, "bad"));
            }
        }
        assert_eq!(problems.len(), MAX_LISTED + 1);
        let error = LoadError {
            origin: "x".into(),
            problems,
        };
        let text = error.to_string();
        assert!(
            text.starts_with("dataset x has 1005 problems:"),
            "{}",
            &text[..60]
        );
        assert!(text.contains("and 5 more problems like the 1000 above, not listed"));
    }
}
