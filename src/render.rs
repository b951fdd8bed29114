//! Error messages for people: parse and query errors drawn under the source
//! line with ariadne (file:line:column, a caret under the span, hints).

use std::io::IsTerminal;

use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind};
use metasum_engine::QueryError;
use metasum_query::Span;

/// Whether to colour what goes to stderr: a terminal, and no `NO_COLOR`.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// An error to draw: message, main span and label, more labels, hints.
pub struct Diagnostic {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub hints: Vec<String>,
}

impl From<&metasum_query::Error> for Diagnostic {
    fn from(e: &metasum_query::Error) -> Self {
        Diagnostic {
            message: e.message(),
            span: e.span,
            label: e.label(),
            secondary: e.secondary(),
            hints: e.hints.clone(),
        }
    }
}

impl From<&QueryError> for Diagnostic {
    fn from(e: &QueryError) -> Self {
        Diagnostic {
            message: e.message.clone(),
            span: e.span,
            label: "here".to_string(),
            secondary: Vec::new(),
            hints: e.hints.clone(),
        }
    }
}

/// Draws `diagnostic` against `src` (named `name`, e.g. a file path).
pub fn render(name: &str, src: &str, diagnostic: &Diagnostic, color: bool) -> String {
    // A span at the very end (e.g. "found end of input") needs a character
    // to stand under.
    let src = format!("{src} ");
    let range = |s: Span| {
        let start = s.start.min(src.len() - 1);
        let end = s.end.max(start + 1).min(src.len());
        (name.to_string(), start..end)
    };
    let config = Config::default()
        .with_color(color)
        .with_char_set(CharSet::Ascii)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(ReportKind::Error, range(diagnostic.span))
        .with_config(config)
        .with_message(&diagnostic.message)
        .with_label(
            Label::new(range(diagnostic.span))
                .with_message(&diagnostic.label)
                .with_order(0),
        );
    for (i, (span, label)) in diagnostic.secondary.iter().enumerate() {
        report = report.with_label(
            Label::new(range(*span))
                .with_message(label)
                .with_order(i as i32 + 1),
        );
    }
    for hint in &diagnostic.hints {
        report = report.with_help(hint);
    }
    let mut out = Vec::new();
    let cache = ariadne::sources(vec![(name.to_string(), src.as_str())]);
    if report.finish().write(cache, &mut out).is_err() {
        let (line, col) = diagnostic.span.line_col(&src);
        return format!("error: {name}:{line}:{col}: {}\n", diagnostic.message);
    }
    String::from_utf8_lossy(&out).into_owned()
}
