//! The metasum query language: text in, an AST with spans (or errors that
//! point at the exact place) out. See `docs/LANGUAGE.md`.
//!
//! ```
//! let script = metasum_query::parse("findings where perspective = recipient and fes > 30").unwrap();
//! assert_eq!(script.statements.len(), 1);
//! ```

#![warn(missing_docs)]

pub mod ast;
mod display;
pub mod error;
mod expr;
mod hints;
mod lex;
mod parse;
pub use hints::edit_distance;
pub mod span;

pub use ast::Script;
pub use error::{Error, ErrorKind, Expect};
pub use span::Span;

/// How deeply parentheses (and `not`s) may nest before the parser refuses.
pub const MAX_DEPTH: usize = 128;

/// Parses a script: every statement, or every error (one per bad statement).
pub fn parse(src: &str) -> Result<Script, Vec<Error>> {
    let (script, errors) = parse_partial(src);
    if errors.is_empty() {
        Ok(script)
    } else {
        Err(errors)
    }
}

/// Parses what it can: the good statements, and one error per bad one (for
/// running a script with `--keep-going`).
pub fn parse_partial(src: &str) -> (Script, Vec<Error>) {
    let p = parse::P { src };
    let mut statements = Vec::new();
    let mut errors = Vec::new();
    // A byte order mark (Notepad saves one) is not part of the script.
    let mut i = src.strip_prefix('\u{feff}').unwrap_or(src);
    loop {
        i = skip_blank(i);
        if i.is_empty() {
            break;
        }
        match p.statement(i) {
            Ok((rest, statement)) => {
                statements.push(statement);
                i = rest;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let at = p.off(e.rest);
                // A mismatch nothing committed to: report what stands there.
                errors.push(
                    e.error
                        .map_or_else(|| p.unexpected_error(e.rest, &[Expect::Source]), |b| *b),
                );
                i = &src[next_statement(src, p.off(i), at)..];
            }
            // `complete` parsers never ask for more input; treat it as the end.
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    (Script { statements }, errors)
}

/// Whether `src` is an unfinished statement that more lines could complete
/// (an open `(`, a trailing `where`, `and`, `or`, an operator): the REPL keeps
/// reading then.
pub fn is_incomplete(src: &str) -> bool {
    match parse(src) {
        Ok(_) => false,
        Err(errors) => errors.iter().any(|e| {
            e.span.start >= src.trim_end().len()
                && matches!(
                    &e.kind,
                    ErrorKind::Unclosed { .. } | ErrorKind::Unexpected { .. }
                )
        }),
    }
}

/// Skips white space, comments and statement separators between statements.
fn skip_blank(mut i: &str) -> &str {
    loop {
        let rest = lex::ws(i).trim_start_matches([';', '\n', ' ', '\t', '\r']);
        if rest.len() == i.len() {
            return i;
        }
        i = rest;
    }
}

/// The offset where the statement that starts at `start` and has an error
/// at `at` ends, so parsing can go on after it: the first `;` or line break
/// not followed by an indented line, at or after `at`, that is not inside a
/// quoted text, a backquoted name or a `#` comment (`findings wher x  # note; evidence` is one
/// bad statement, not two).
pub(crate) fn next_statement(src: &str, start: usize, at: usize) -> usize {
    let bytes = src.as_bytes();
    let mut k = start.min(src.len());
    while k < bytes.len() {
        match bytes[k] {
            b'"' => k = text_end(bytes, k + 1),
            // A backquoted column name ends at its backquote or line end.
            b'`' => {
                k = bytes[k + 1..memchr_newline(bytes, k)]
                    .iter()
                    .position(|b| *b == b'`')
                    .map_or(memchr_newline(bytes, k), |n| k + 1 + n + 1)
            }
            b'#' => {
                k = memchr_newline(bytes, k);
                continue;
            }
            b';' if k >= at => return k + 1,
            b'\n' if k >= at && !matches!(bytes.get(k + 1), Some(b' ' | b'\t')) => {
                return k + 1;
            }
            _ => k += 1,
        }
    }
    src.len()
}

/// The offset after the closing `"` of a text whose body starts at `k`, or
/// of the line end where an unclosed text stops.
fn text_end(bytes: &[u8], mut k: usize) -> usize {
    while k < bytes.len() {
        match bytes[k] {
            b'"' => return k + 1,
            b'\n' => return k,
            b'\\' if bytes.get(k + 1) == Some(&b'\n') => return k + 1,
            b'\\' => k += 2,
            _ => k += 1,
        }
    }
    bytes.len()
}

/// The offset of the next line break at or after `k` (or the end).
fn memchr_newline(bytes: &[u8], k: usize) -> usize {
    bytes[k..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |n| k + n)
}
