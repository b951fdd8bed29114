//! Byte ranges into the source text, and line/column for messages.

use std::ops::Range;

/// A byte range `start..end` of the source a node or error came from.
///
/// Spans always compare equal, so that two ASTs compare by structure alone
/// (`parse(display(ast)) == ast` holds although the positions differ).
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a range, for slicing and for renderers.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Whether the span is exactly `start..end` (spans otherwise compare
    /// equal; this is for tests of positions).
    pub fn is(self, start: usize, end: usize) -> bool {
        self.start == start && self.end == end
    }

    /// 1-based line and column (in characters) of the span's start in `src`.
    pub fn line_col(self, src: &str) -> (usize, usize) {
        let before = src.get(..self.start).unwrap_or(src);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}
