//! Parse errors: where (a [`Span`]), what was expected, what was found.
//! Rendering with source snippets happens in the CLI, not here.

use std::fmt;

use crate::span::Span;

/// What the parser was looking for when it stopped. Each doc comment shows an
/// input that produces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expect {
    /// `where fes > 3`: a table (any of [`crate::ast::TABLES`]) or a `let` name
    Source,
    /// `let = studies`: a name after `let`
    Name,
    /// `let good studies`: `=` after the name
    Equals,
    /// `findings among where`: a `let` name or a parenthesised query
    Set,
    /// `findings where`: a condition
    Condition,
    /// `findings where fes 30`: an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `has`, `~`, `is`)
    Operator,
    /// `findings where fes >`: a value (a number, a "quoted text" or a bare word)
    Value,
    /// `findings where name ~ role`: a "quoted text"
    Text,
    /// `findings where id in 1`: `(`
    OpenParen,
    /// `findings where (fes > 3`: `)`
    CloseParen,
    /// `findings where id in (1 2)`: `,` or `)`
    CommaOrClose,
    /// `findings where n is 3`: `missing` or `not missing`
    Missing,
    /// `findings count studies`, `findings sort fes`: `by`
    By,
    /// `findings sort by`: a column name
    Column,
    /// `findings limit x`: a whole number
    Count,
    /// `plot bars`: a figure (any of [`crate::ast::Figure::ALL`])
    Figure,
    /// `findings fes > 3`: a clause (`among`, `where`, `count by`, `sort by`, `limit`, `show`, `save`) or the end of the statement
    Clause,
    /// `findings save table2.csv`: a file name in double quotes
    Path,
    /// `findings save "t2.csv" limit 1`, `plot flow findings`: the end of the statement
    End,
}

/// "a table (`findings`, ...) or a `let` name", from [`crate::ast::TABLES`].
static SOURCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let names: Vec<String> = crate::ast::TABLES
        .iter()
        .map(|t| format!("`{}`", t.name()))
        .collect();
    format!("a table ({}) or a `let` name", names.join(", "))
});

/// "a figure: `fes`, ... or `flow`", from [`crate::ast::Figure::ALL`].
static FIGURE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let names: Vec<String> = (crate::ast::Figure::ALL.iter())
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let (last, rest) = names.split_last().expect("figures");
    format!("a figure: {} or {last}", rest.join(", "))
});

impl Expect {
    /// How the expectation reads in a message.
    pub fn describe(self) -> &'static str {
        match self {
            Expect::Source => &SOURCE,
            Expect::Name => "a name",
            Expect::Equals => "`=`",
            Expect::Set => "a `let` name or a query in parentheses",
            Expect::Condition => "a condition (e.g. `fes > 30`)",
            Expect::Operator => {
                "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `has`, `~`, `is`)"
            }
            Expect::Value => "a value",
            Expect::Text => "a \"quoted text\"",
            Expect::OpenParen => "`(`",
            Expect::CloseParen => "`)`",
            Expect::CommaOrClose => "`,` or `)`",
            Expect::Missing => "`missing` or `not missing`",
            Expect::By => "`by`",
            Expect::Column => "a column name",
            Expect::Count => "a whole number",
            Expect::Figure => &FIGURE,
            Expect::Clause => {
                "`among`, `where`, `count by`, `sort by`, `limit`, `show`, `save` or the end of the statement"
            }
            Expect::Path => "a file name in double quotes (e.g. `save \"table2.csv\"`)",
            Expect::End => "the end of the statement",
        }
    }
}

/// What kind of error it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something other than what was expected (see [`Error::expected`]).
    Unexpected {
        /// What stood there, e.g. "end of line", "`wher`".
        found: String,
        /// The token after which the expectation arose, e.g. `>`.
        after: Option<String>,
    },
    /// `findings wher fes > 3`: a word where a clause keyword belongs.
    UnknownKeyword {
        /// The word as written.
        found: String,
        /// The keyword it most resembles, if any.
        suggestion: Option<&'static str>,
    },
    /// `findings where (fes > 3`: a `(` with no `)`; `open` is the `(`.
    Unclosed {
        /// The `(` that is never closed.
        open: Span,
    },
    /// `findings where name ~ "role`: a string with no closing quote.
    UnclosedText,
    /// `findings where name ~ "caf\u00e9"`: an escape that is not `\"`,
    /// `\\`, `\n` or `\t`.
    UnknownEscape {
        /// The escape as written, e.g. `\u`.
        found: String,
    },
    /// `findings save "C:\new\table.csv"`: a file name holding a new
    /// line or a tab, which `\n` and `\t` make (a Windows path's
    /// backslashes read as escapes).
    ControlInPath {
        /// What made it, e.g. `\n`.
        found: String,
    },
    /// ``studies sort by `Sample size``: a backquoted column name with no
    /// closing backquote on its line.
    UnclosedName,
    /// ``studies sort by ``: backquotes with no name between them.
    EmptyName,
    /// `findings where perspective = and`: a keyword where a value belongs.
    KeywordAsValue {
        /// The keyword as written.
        word: String,
    },
    /// `findings limit 99999999999999999999999`: a number too large.
    NumberTooLarge,
    /// Parentheses and `not`s nested deeper than [`crate::MAX_DEPTH`]
    /// (`not not not ... x = 1`, `((((x = 1))))`).
    TooDeep,
}

/// One parse error: the span it points at, what kind it is, what was
/// expected there, and hints for fixing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Where the problem is (the caret goes under it).
    pub span: Span,
    /// What went wrong.
    pub kind: ErrorKind,
    /// What would have been accepted there.
    pub expected: Vec<Expect>,
    /// How to fix it, one sentence each.
    pub hints: Vec<String>,
}

impl Error {
    /// The one-line message.
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Unexpected { found, after } => {
                let expected = match self.expected.as_slice() {
                    [] => "something else".to_string(),
                    [one] => one.describe().to_string(),
                    [rest @ .., last] => {
                        let rest: Vec<&str> = rest.iter().map(|e| e.describe()).collect();
                        format!("{} or {}", rest.join(", "), last.describe())
                    }
                };
                match after {
                    Some(a) => format!("expected {expected} after `{a}`, found {found}"),
                    None => format!("expected {expected}, found {found}"),
                }
            }
            ErrorKind::UnknownKeyword { found, suggestion } => match suggestion {
                Some(s) => format!("unknown keyword `{found}`; did you mean `{s}`?"),
                None => format!("unknown keyword `{found}`"),
            },
            ErrorKind::Unclosed { .. } => "unclosed `(`".to_string(),
            ErrorKind::UnclosedText => "unclosed text: missing closing `\"`".to_string(),
            ErrorKind::UnknownEscape { found } => {
                format!("unknown escape `{found}` in quoted text")
            }
            ErrorKind::ControlInPath { found } => {
                let what = if found.ends_with('n') {
                    "new line"
                } else {
                    "tab"
                };
                format!("`{found}` puts a {what} in the file name")
            }
            ErrorKind::UnclosedName => {
                "unclosed column name: missing closing backquote".to_string()
            }
            ErrorKind::EmptyName => "empty column name between backquotes".to_string(),
            ErrorKind::KeywordAsValue { word } => {
                format!("`{word}` is a keyword, not a value")
            }
            ErrorKind::NumberTooLarge => "number is too large".to_string(),
            ErrorKind::TooDeep => format!(
                "parentheses and `not`s nested more than {} deep",
                crate::MAX_DEPTH
            ),
        }
    }

    /// A short label for the span itself (shown under the caret).
    pub fn label(&self) -> String {
        match &self.kind {
            ErrorKind::Unexpected { .. } => match self.expected.as_slice() {
                [one] => format!("expected {}", one.describe()),
                _ => "unexpected here".to_string(),
            },
            ErrorKind::UnknownKeyword { .. } => "not a keyword".to_string(),
            ErrorKind::Unclosed { .. } => "expected `)` here".to_string(),
            ErrorKind::UnclosedText => "text starts here".to_string(),
            ErrorKind::UnknownEscape { .. } => "not an escape".to_string(),
            ErrorKind::ControlInPath { .. } => "not a folder's backslash".to_string(),
            ErrorKind::UnclosedName => "name starts here".to_string(),
            ErrorKind::EmptyName => "empty".to_string(),
            ErrorKind::KeywordAsValue { .. } => "keyword".to_string(),
            ErrorKind::NumberTooLarge => "too large".to_string(),
            ErrorKind::TooDeep => "too deep".to_string(),
        }
    }

    /// Further spans worth pointing at, with their labels (the `(` of an
    /// unclosed parenthesis).
    pub fn secondary(&self) -> Vec<(Span, String)> {
        match &self.kind {
            ErrorKind::Unclosed { open } => vec![(*open, "this `(` is never closed".to_string())],
            _ => Vec::new(),
        }
    }
}

/// How many characters of a token a message repeats.
const EXCERPT_CHARS: usize = 40;

/// `text` as a message shows it: at most 40 characters (then `…`, so a
/// 1 MB word is not echoed back whole), and every character a reader could
/// not see spelled out (`U+FEFF`, `U+0000`, `U+200B`), so "found ``" never
/// happens.
pub fn excerpt(text: &str) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if is_invisible(c) {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that print as nothing, move the cursor or reorder text:
/// control characters, zero-width and direction marks, the byte order mark,
/// the no-break space and the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00A0}' | '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message())
    }
}

impl std::error::Error for Error {}
