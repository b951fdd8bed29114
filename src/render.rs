//! Error messages for people: parse and query errors drawn under the source
//! line with ariadne (file:line:column, a caret under the span, hints).

use std::io::IsTerminal;

use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind};
use metasum_engine::QueryError;
use metasum_query::Span;

use crate::output::ERROR;

/// Whether to colour what goes to stderr: a terminal that reads colours,
/// and no `NO_COLOR`.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal()
        && console_reads_colours()
}

/// Whether Windows' console reads the colour codes, asked to: Windows
/// Terminal does already; cmd.exe and PowerShell in the classic console
/// do once asked (Windows 10 and later); a console that cannot is given
/// plain text, not codes shown as text.
#[cfg(windows)]
fn console_reads_colours() -> bool {
    winapi_util::console::Console::stderr()
        .and_then(|mut console| console.set_virtual_terminal_processing(true))
        .is_ok()
}

#[cfg(not(windows))]
fn console_reads_colours() -> bool {
    true
}

/// An error to draw: message, main span and label, more labels, hints.
pub struct Diagnostic {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// The same diagnostic for the text with `by` bytes put before it.
    fn shifted(&self, by: usize) -> Diagnostic {
        let shift = |s: Span| Span::new(s.start + by, s.end + by);
        Diagnostic {
            message: self.message.clone(),
            span: shift(self.span),
            label: self.label.clone(),
            secondary: self
                .secondary
                .iter()
                .map(|(s, l)| (shift(*s), l.clone()))
                .collect(),
            hints: self.hints.clone(),
        }
    }
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
/// A line longer than [`LONG_LINE`] bytes (a generated `in (...)` list, a
/// 100,000-deep nesting) is shown in part: the text around each span, with
/// `...` for what is left out; the header still gives the true column.
///
/// `src` may be a part of a longer script that starts on line
/// `first_line` of it (a script is run a statement at a time): lines are
/// numbered as in the script.
pub fn render(
    name: &str,
    src: &str,
    first_line: usize,
    diagnostic: &Diagnostic,
    color: bool,
) -> String {
    // Lines before the text stand in as empty lines, so ariadne numbers
    // the lines (in its header and its margin) as in the script.
    let offset = first_line.saturating_sub(1);
    let padded;
    let (src, diagnostic) = if offset == 0 {
        (src, diagnostic)
    } else {
        padded = (
            format!("{}{src}", "\n".repeat(offset)),
            diagnostic.shifted(offset),
        );
        (padded.0.as_str(), &padded.1)
    };
    let spans: Vec<Span> = std::iter::once(diagnostic.span)
        .chain(diagnostic.secondary.iter().map(|(s, _)| *s))
        .collect();
    let clipped = Clipped::new(src, &spans);
    let drawn = draw(name, &clipped, diagnostic, color);
    if !clipped.shortened {
        return drawn;
    }
    // ariadne counted the column in the shortened line; give the true one.
    let (line, shown_col) = clipped.span(diagnostic.span).line_col(&clipped.text);
    let (_, col) = diagnostic.span.line_col(src);
    drawn.replacen(
        &format!("{name}:{line}:{shown_col} "),
        &format!("{name}:{line}:{col} "),
        1,
    )
}

/// Draws `diagnostic` with ariadne against the (possibly shortened) source.
fn draw(name: &str, clipped: &Clipped, diagnostic: &Diagnostic, color: bool) -> String {
    // A span at the very end (e.g. "found end of input") needs a character
    // to stand under.
    let src = format!("{} ", clipped.text);
    let range = |s: Span| {
        let s = clipped.span(s);
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
        let (line, col) = clipped.span(diagnostic.span).line_col(&src);
        return format!("{ERROR}{name}:{line}:{col}: {}\n", diagnostic.message);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `c`, or a stand-in of the same length in bytes (so spans still fit) for
/// a character that would act on the terminal or hide itself: an escape
/// sequence in a script is shown, not obeyed.
fn visible(c: char) -> char {
    if matches!(c, '\n' | '\t' | '\r') || !metasum_query::error::is_invisible(c) {
        return c;
    }
    match c.len_utf8() {
        1 => '?',
        2 => '\u{00BF}',
        _ => '\u{FFFD}',
    }
}

/// Lines longer than this many bytes are shown in part.
pub const LONG_LINE: usize = 240;
/// What stands for text left out.
const ELLIPSIS: &str = "...";
/// Bytes kept on either side of a span's ends on a long line.
const CONTEXT: usize = 60;

/// The source with each long line cut down to the text around the spans
/// on it, and where the kept pieces came from.
struct Clipped {
    text: String,
    /// Whether any text was left out.
    shortened: bool,
    /// (start in the source, end in the source, start in `text`), in order.
    kept: Vec<(usize, usize, usize)>,
}

impl Clipped {
    fn new(src: &str, spans: &[Span]) -> Clipped {
        let points: Vec<usize> = spans
            .iter()
            .flat_map(|s| [s.start, s.end])
            .map(|p| p.min(src.len()))
            .collect();
        let mut clipped = Clipped {
            text: String::with_capacity(src.len().min(4096)),
            shortened: false,
            kept: Vec::new(),
        };
        let mut line_start = 0;
        for line in src.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let line_end = line_start + body.len();
            if body.len() <= LONG_LINE {
                clipped.keep(src, line_start, line_start + line.len());
            } else {
                clipped.keep_parts(src, line_start, line_end, &points);
                if line.len() > body.len() {
                    clipped.keep(src, line_end, line_end + 1);
                }
            }
            line_start += line.len();
        }
        clipped
    }

    /// Keeps the windows around `points` of the line `start..end`, with
    /// `...` where text is left out.
    fn keep_parts(&mut self, src: &str, start: usize, end: usize, points: &[usize]) {
        let floor = |mut i: usize| {
            while !src.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let mut windows: Vec<(usize, usize)> = points
            .iter()
            .filter(|&&p| (start..=end).contains(&p))
            .map(|&p| {
                (
                    floor(p.saturating_sub(CONTEXT).max(start)),
                    floor((p + CONTEXT).min(end)),
                )
            })
            .collect();
        if windows.is_empty() {
            windows.push((start, floor(start + 2 * CONTEXT)));
        }
        windows.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in windows {
            match merged.last_mut() {
                Some(last) if a <= last.1 + ELLIPSIS.len() => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        // A gap no longer than the `...` that would stand for it is kept.
        let mut at = start;
        for (a, b) in merged {
            if a > at + ELLIPSIS.len() {
                self.leave_out();
                self.keep(src, a, b);
            } else {
                self.keep(src, at, b);
            }
            at = b;
        }
        if end > at + ELLIPSIS.len() {
            self.leave_out();
        } else {
            self.keep(src, at, end);
        }
    }

    fn leave_out(&mut self) {
        self.text.push_str(ELLIPSIS);
        self.shortened = true;
    }

    fn keep(&mut self, src: &str, start: usize, end: usize) {
        self.kept.push((start, end, self.text.len()));
        self.text.extend(src[start..end].chars().map(visible));
    }

    /// Where source offset `offset` ended up in `text` (an offset that was
    /// left out moves to the next kept piece).
    fn offset(&self, offset: usize) -> usize {
        for &(start, end, to) in &self.kept {
            if offset <= end {
                return to + offset.saturating_sub(start);
            }
        }
        self.text.len()
    }

    /// `span` in `text`.
    fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(start: usize, end: usize) -> Diagnostic {
        Diagnostic {
            message: "parentheses nested too deep".to_string(),
            span: Span::new(start, end),
            label: "here".to_string(),
            secondary: Vec::new(),
            hints: Vec::new(),
        }
    }

    #[test]
    fn a_short_script_is_drawn_whole() {
        let src = "findings\nfindings wher fes > 3\n";
        let out = render("s.msq", src, 1, &diagnostic(18, 22), false);
        assert!(out.contains("s.msq:2:10 "), "{out}");
        assert!(out.contains("findings wher fes > 3"), "{out}");
    }

    #[test]
    fn a_long_line_is_shown_around_the_span_with_the_true_column() {
        let src = format!("findings\nfindings where {}x", "(".repeat(100_000));
        let at = 9 + 15 + 5_000;
        let out = render("deep.msq", &src, 1, &diagnostic(at, at + 1), false);
        assert!(out.contains("deep.msq:2:5016 "), "{out}");
        assert!(out.len() < 1_000, "{} bytes: {out}", out.len());
        let line = out.lines().find(|l| l.contains("((")).unwrap();
        assert!(line.contains("...((("), "{line}");
        assert!(line.trim_end().ends_with("(((..."), "{line}");
        // The caret stands under the kept piece at the same place: CONTEXT
        // characters after the `...`.
        let lines: Vec<&str> = out.lines().collect();
        let at_line = lines.iter().position(|l| l.contains("((")).unwrap();
        let caret = lines[at_line + 1].rfind('|').unwrap();
        assert_eq!(caret, line.find("...").unwrap() + 3 + CONTEXT, "{out}");
    }

    #[test]
    fn both_ends_of_an_unclosed_paren_on_a_long_line_are_kept() {
        let list = (1..2_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let src = format!("studies where id in ({list}");
        let open = src.find('(').unwrap();
        let mut d = diagnostic(src.len(), src.len());
        d.secondary
            .push((Span::new(open, open + 1), "opened here".to_string()));
        let out = render("ids.msq", &src, 1, &d, false);
        assert!(
            out.contains(&format!("ids.msq:1:{} ", src.len() + 1)),
            "{out}"
        );
        assert!(out.contains("studies where id in (1, 2, 3"), "{out}");
        assert!(out.contains("1998, 1999"), "{out}");
        assert!(out.contains("opened here"), "{out}");
        assert!(out.len() < 1_500, "{} bytes: {out}", out.len());
    }

    #[test]
    fn a_gap_as_short_as_the_ellipsis_is_kept() {
        // One byte after the window: kept, not replaced by a longer `...`.
        let src = "x".repeat(LONG_LINE + 1);
        let at = LONG_LINE - CONTEXT;
        let clipped = Clipped::new(&src, &[Span::new(at, at)]);
        assert!(clipped.shortened);
        assert_eq!(clipped.text, format!("...{}", &src[at - CONTEXT..]));
        let near_start = Clipped::new(&src, &[Span::new(CONTEXT + 2, CONTEXT + 2)]);
        assert!(near_start.text.starts_with("xx"), "{}", near_start.text);
    }

    #[test]
    fn lines_are_numbered_as_in_the_whole_script() {
        let src = "findings wher fes > 3\n";
        let out = render("s.msq", src, 40, &diagnostic(9, 13), false);
        assert!(out.contains("s.msq:40:10 "), "{out}");
        assert!(out.contains("40 |"), "{out}");
    }

    #[test]
    fn escape_sequences_in_a_script_are_shown_not_obeyed() {
        let src = "findings \u{1b}[2J\u{202e} x";
        let out = render("s.msq", src, 1, &diagnostic(9, 10), false);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
        assert!(out.contains("?[2J\u{FFFD} x"), "{out}");
    }

    #[test]
    fn clipping_keeps_characters_whole() {
        let src = format!("{}é{}", "é".repeat(300), "x".repeat(300));
        let clipped = Clipped::new(&src, &[Span::new(600, 602)]);
        assert!(clipped.text.starts_with("...é"), "{}", clipped.text);
        assert_eq!(&clipped.text[clipped.offset(600)..][..2], "é");
    }
}
