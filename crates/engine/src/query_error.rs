//! Errors found while checking or running a query, with the span of the
//! offending token.

use std::fmt;

use metasum_query::Span;

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
pub fn polars_error(span: Span, e: polars::prelude::PolarsError) -> QueryError {
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
    QueryError::new(span, format!("could not run the query: {message}"))
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
