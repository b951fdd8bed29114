//! The engine's one error type, [`Error`]: a statement that cannot run (at
//! a span of it), a dataset that cannot be loaded (every problem, located
//! in its files), or an output that cannot be made. Rendering (carets,
//! colours) is the binary's.

use std::fmt;

use metasum_query::Span;

pub use crate::problem::LoadError;

/// Everything the engine's public functions fail with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A statement that cannot run: what is wrong, at which span, and hints.
    Query(QueryError),
    /// A dataset that cannot be loaded: every problem found, located.
    Load(LoadError),
    /// A result, figure, report or export that cannot be made or written.
    Output(String),
}

impl Error {
    /// The statement's error, when this is one.
    pub fn as_query(&self) -> Option<&QueryError> {
        match self {
            Error::Query(e) => Some(e),
            _ => None,
        }
    }

    /// The dataset's problems when it could not be loaded (none for any
    /// other error).
    pub fn problems(&self) -> &[crate::problem::Problem] {
        self.as_load().map_or(&[], |e| e.problems.as_slice())
    }

    /// The dataset's problems, when it could not be loaded.
    pub fn as_load(&self) -> Option<&LoadError> {
        match self {
            Error::Load(e) => Some(e),
            _ => None,
        }
    }
}

/// A result of the engine's public functions.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Query(e) => write!(f, "{e}"),
            Error::Load(e) => write!(f, "{e}"),
            Error::Output(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<QueryError> for Error {
    fn from(e: QueryError) -> Self {
        Error::Query(e)
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Load(e)
    }
}

/// A polars failure outside a statement (formatting a result, computing a
/// report) is an output that could not be made, told by its first line.
impl From<polars::prelude::PolarsError> for Error {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Error::Output(first_line(&e))
    }
}

/// A query that cannot run: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The token the error is about.
    pub span: Span,
    /// One-line message.
    pub message: String,
    /// Suggestions, e.g. "did you mean `fes`?".
    pub hints: Vec<String>,
}

impl QueryError {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        QueryError {
            span,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// The same error with a hint added.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for QueryError {}

/// Polars failures while running a checked plan are reported at the whole
/// statement, by their first line: polars follows it with the plan it
/// failed on ("Resolved plan until failure: ..."), which tells a reader
/// nothing.
pub(crate) fn polars_error(span: Span, e: polars::prelude::PolarsError) -> QueryError {
    QueryError::new(span, format!("could not run the query: {}", first_line(&e)))
}

/// The first line of a polars error, at most 300 characters.
fn first_line(e: &polars::prelude::PolarsError) -> String {
    let text = e.to_string();
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("an error in polars");
    let mut message: String = first.chars().take(300).collect();
    if message.len() < first.len() {
        message.push('…');
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::PolarsError;

    #[test]
    fn a_polars_error_is_told_by_its_first_line_without_the_plan() {
        let e = PolarsError::ComputeError(
            "duplicate: column with name 'id' has more than one occurrence\n\nResolved plan until failure:\n\n\t---> FAILED HERE RESOLVING 'select' <---\nDF [\"id\"]".into(),
        );
        let err = polars_error(Span::new(0, 1), e);
        assert_eq!(
            err.message,
            "could not run the query: duplicate: column with name 'id' has more than one occurrence"
        );
    }
}
