//! Lexical pieces, as nom parsers over `&str`: white space (with comments and
//! continuation lines), words, numbers, quoted text, symbols.
//!
//! A statement ends at `;` or at a line end; a line that starts with white
//! space continues the statement above it. `#` comments run to the line end.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{opt, recognize};
use nom::error::ParseError;
use nom::{IResult, Parser};

use crate::error::Error;

/// nom's error type here: where parsing stopped and, once the parser has
/// committed (`cut`), the error to report.
#[derive(Debug)]
pub struct PErr<'a> {
    /// The input left where the error arose.
    pub rest: &'a str,
    /// The error to report; `None` for a recoverable mismatch.
    pub error: Option<Box<Error>>,
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _: nom::error::ErrorKind) -> Self {
        PErr {
            rest: input,
            error: None,
        }
    }

    fn append(_: &'a str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep whichever got further.
        if other.rest.len() <= self.rest.len() {
            other
        } else {
            self
        }
    }
}

/// Result of the parsers in this crate.
pub type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// Whether `c` may appear in a word after its first character.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Skips spaces, tabs, comments, and line breaks followed by an indented
/// line. Never fails; stops before a line break that ends a statement.
pub fn ws(mut i: &str) -> &str {
    loop {
        let start = i.len();
        i = i.trim_start_matches([' ', '\t', '\r']);
        if i.starts_with('#') {
            i = &i[i.find('\n').unwrap_or(i.len())..];
        }
        if let Some(next) = i.strip_prefix('\n')
            && next.starts_with([' ', '\t'])
        {
            i = next;
        }
        if i.len() == start {
            return i;
        }
    }
}

/// A word: a letter or `_`, then letters, digits and `_` (column and table
/// names, keywords).
pub fn word(i: &str) -> PResult<'_, &str> {
    recognize((
        take_while1(|c: char| c.is_alphabetic() || c == '_'),
        take_while(is_word_char),
    ))
    .parse(i)
}

/// The outcome of reading a backquoted column name (see [`backquoted`]).
pub enum Backquoted {
    /// The name, backquotes removed and doubled backquotes made single.
    Name(String),
    /// No closing backquote before the line ends.
    Unclosed,
    /// Nothing between the backquotes.
    Empty,
}

/// A column name in backquotes, for a header that is not a word or is a
/// keyword (`` `Sample size` ``, `` `count` ``); a doubled backquote stands
/// for one. Fails (recoverably) when `i` does not start with a backquote;
/// the rest returned is after the closing backquote (or at the line end
/// when there is none).
pub fn backquoted(i: &str) -> PResult<'_, Backquoted> {
    let (body, _) = char('`').parse(i)?;
    let mut name = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        match c {
            '`' if chars.peek().is_some_and(|(_, c)| *c == '`') => {
                name.push('`');
                chars.next();
            }
            '`' if name.is_empty() => return Ok((&body[k + 1..], Backquoted::Empty)),
            '`' => return Ok((&body[k + 1..], Backquoted::Name(name))),
            '\n' => return Ok((&body[k..], Backquoted::Unclosed)),
            c => name.push(c),
        }
    }
    Ok(("", Backquoted::Unclosed))
}

/// A bare-word value: like a word, but `-` and `.` may follow the first
/// character (`not-reported`, `v1.2`).
pub fn bare_value(i: &str) -> PResult<'_, &str> {
    recognize((
        take_while1(|c: char| c.is_alphabetic() || c == '_'),
        take_while(|c: char| is_word_char(c) || c == '-' || c == '.'),
    ))
    .parse(i)
}

/// The keyword `kw`, in any case, not followed by more word characters.
pub fn keyword<'a>(kw: &'static str) -> impl Fn(&'a str) -> PResult<'a, &'a str> {
    move |i: &'a str| {
        let (rest, w) = word(i)?;
        if w.eq_ignore_ascii_case(kw) {
            Ok((rest, w))
        } else {
            Err(nom::Err::Error(PErr {
                rest: i,
                error: None,
            }))
        }
    }
}

/// A number: optional `-`, digits, optional decimals; not glued to a word.
pub fn number(i: &str) -> PResult<'_, &str> {
    let (rest, n) = recognize((opt(char('-')), digit1, opt((char('.'), digit1)))).parse(i)?;
    if rest.starts_with(is_word_char) {
        return Err(nom::Err::Error(PErr {
            rest: i,
            error: None,
        }));
    }
    Ok((rest, n))
}

/// The start of a quoted text: `"`.
pub fn quote(i: &str) -> PResult<'_, char> {
    char('"').parse(i)
}

/// The body of a quoted text after its opening `"`, up to and including the
/// closing `"`, with `\"`, `\\`, `\n` and `\t` unescaped. Fails (recoverably)
/// when the text is not closed on its line, and fails for good (`rest` at
/// the backslash) on any other escape: `\u00e9` or `\.` kept as `u00e9` or
/// `.` would search for other text than the one written.
pub fn quoted_rest(i: &str) -> PResult<'_, String> {
    let mut out = String::new();
    let mut chars = i.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((&i[at + 1..], out)),
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                // A text closes on its own line, a backslash or not (a
                // script read a statement at a time could not join them).
                Some((_, '\n')) | None => break,
                Some((_, c)) if c == '"' || c == '\\' => out.push(c),
                Some(_) => {
                    return Err(nom::Err::Failure(PErr {
                        rest: &i[at..],
                        error: None,
                    }));
                }
            },
            c => out.push(c),
        }
    }
    Err(nom::Err::Error(PErr {
        rest: i,
        error: None,
    }))
}

/// A comparison operator symbol.
pub fn operator(i: &str) -> PResult<'_, &str> {
    alt((
        tag("!="),
        tag("<="),
        tag(">="),
        tag("="),
        tag("<"),
        tag(">"),
    ))
    .parse(i)
}

/// Whether `i` (after white space) is at the end of a statement: end of
/// input, `;`, or a line break.
pub fn at_statement_end(i: &str) -> bool {
    i.is_empty() || i.starts_with([';', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_continues_onto_indented_lines_only() {
        assert_eq!(ws("  # note\n  where"), "where");
        assert_eq!(ws(" \nwhere"), "\nwhere");
        assert_eq!(ws("\t\r\n\tx"), "x");
    }

    #[test]
    fn keywords_are_case_insensitive_and_whole_words() {
        assert!(keyword("where")("WHERE x").is_ok());
        assert!(keyword("where")("wherever").is_err());
    }

    #[test]
    fn numbers_are_not_glued_to_words() {
        assert_eq!(number("-3.5 ").unwrap().1, "-3.5");
        assert!(number("3abc").is_err());
    }

    #[test]
    fn quoted_text_unescapes_and_must_close_on_its_line() {
        assert_eq!(
            quoted_rest(r#"a \"b\" c" rest"#).unwrap(),
            (" rest", "a \"b\" c".to_string())
        );
        assert!(quoted_rest("open\n\"").is_err());
        assert!(quoted_rest("open \\\nstill\"").is_err());
        // Any other escape is refused for good, at its backslash.
        match quoted_rest(r#"caf\u00e9" rest"#) {
            Err(nom::Err::Failure(e)) => assert!(e.rest.starts_with("\\u")),
            other => panic!("{other:?}"),
        }
    }
}
