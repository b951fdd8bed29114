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
/// statement.
pub fn polars_error(span: Span, e: polars::prelude::PolarsError) -> QueryError {
    QueryError::new(span, format!("could not run the query: {e}"))
}
