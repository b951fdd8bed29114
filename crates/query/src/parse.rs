//! Statements and queries: the clause structure of the language. Conditions
//! are in [`crate::expr`], lexical pieces in [`crate::lex`].

use nom::Parser;
use nom::character::complete::char;

use crate::ast::*;
use crate::error::{Error, ErrorKind, Expect, excerpt};
use crate::hints::{closest_clause, describe_found, previous_token};
use crate::lex::{self, PErr, PResult, at_statement_end, keyword, ws};
use crate::span::Span;

/// The parser over one source text; positions are offsets into `src`.
pub struct P<'s> {
    pub src: &'s str,
}

/// Clause keywords, in the order clauses must come; used for suggestions.
pub(crate) const CLAUSES: [&str; 9] = [
    "among", "where", "count", "sort", "limit", "show", "save", "let", "plot",
];

/// The words of a figure's texts after its query (`title "..."`).
pub(crate) const FIGURE_TEXTS: [&str; 2] = ["title", "caption"];

impl<'s> P<'s> {
    /// Byte offset of the remaining input `rest`.
    pub fn off(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    /// The span from `from` (remaining input at the start) to `to`.
    pub fn span(&self, from: &str, to: &str) -> Span {
        Span::new(self.off(from), self.off(to))
    }

    /// An error at `rest`, with the token found there and the one before it.
    pub fn unexpected(&self, rest: &'s str, expected: &[Expect]) -> nom::Err<PErr<'s>> {
        self.failure(rest, self.unexpected_error(rest, expected))
    }

    /// The error [`P::unexpected`] carries.
    pub fn unexpected_error(&self, rest: &str, expected: &[Expect]) -> Error {
        let at = self.off(rest);
        let (found, len) = describe_found(rest);
        Error {
            span: Span::new(at, at + len),
            kind: ErrorKind::Unexpected {
                found,
                after: previous_token(self.src, at),
            },
            expected: expected.to_vec(),
            hints: Vec::new(),
        }
    }

    /// A committed failure carrying `error`.
    pub fn failure(&self, rest: &'s str, error: Error) -> nom::Err<PErr<'s>> {
        nom::Err::Failure(PErr {
            rest,
            error: Some(Box::new(error)),
        })
    }

    /// One statement, starting at a non-blank position.
    pub fn statement(&self, i: &'s str) -> PResult<'s, Statement> {
        let start = i;
        if let Ok((rest, _)) = keyword("let")(i) {
            let rest = ws(rest);
            let (rest, name) = self
                .name(rest)
                .map_err(|_| self.unexpected(rest, &[Expect::Name]))?;
            let rest = ws(rest);
            let (rest, _) = char::<_, PErr>('=')
                .parse(rest)
                .map_err(|_| self.unexpected(rest, &[Expect::Equals]))?;
            let (rest, query) = self.query(ws(rest), 0)?;
            let (rest, save) = self.save(rest)?;
            self.end_of_statement(rest, 0)?;
            let span = self.span(start, rest);
            return Ok((
                rest,
                Statement {
                    kind: StatementKind::Let { name, query },
                    save,
                    span,
                },
            ));
        }
        if let Ok((rest, _)) = keyword("plot")(i) {
            return self.plot(start, ws(rest));
        }
        let (rest, query) = self.query(i, 0)?;
        let (rest, save) = self.save(rest)?;
        self.end_of_statement(rest, 0)?;
        let span = self.span(start, rest);
        Ok((
            rest,
            Statement {
                kind: StatementKind::Query(query),
                save,
                span,
            },
        ))
    }

    /// `save "FILE"` at the end of a statement, if there.
    fn save(&self, i: &'s str) -> PResult<'s, Option<Save>> {
        let start = ws(i);
        let Ok((rest, _)) = keyword("save")(start) else {
            return Ok((i, None));
        };
        // `save` commits: a file name must follow.
        let at = ws(rest);
        let (rest, path) = self.quoted(at, Expect::Path, "the file name")?;
        if let Some((within, len, found)) = control_in_quoted(&at[..at.len() - rest.len()]) {
            let off = self.off(at) + within;
            return Err(self.failure(
                &at[within..],
                Error {
                    span: Span::new(off, off + len),
                    kind: ErrorKind::ControlInPath { found },
                    expected: vec![Expect::Path],
                    hints: vec![PATH_HINT.into()],
                },
            ));
        }
        let save = Save {
            path,
            span: self.span(start, rest),
            path_span: self.span(at, rest),
        };
        let after = ws(rest);
        if !at_statement_end(after) {
            let mut err = self.unexpected(after, &[Expect::End]);
            if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                e.hints
                    .push("`save \"FILE\"` comes last in a statement".into());
            }
            return Err(err);
        }
        Ok((rest, Some(save)))
    }

    /// A text in double quotes at `at` (`at` has no blank before it),
    /// which must be there: what follows `save`, `title` or `caption`
    /// (`what` names it in messages).
    fn quoted(&self, at: &'s str, expect: Expect, what: &str) -> PResult<'s, String> {
        let Ok((body, _)) = lex::quote(at) else {
            let mut err = self.unexpected(at, &[expect]);
            let written = at
                .split(|c: char| c.is_whitespace() || matches!(c, ';' | '#'))
                .next()
                .filter(|w| !w.is_empty());
            if let (nom::Err::Failure(PErr { error: Some(e), .. }), Some(w)) = (&mut err, written) {
                e.hints
                    .push(format!("write {what} in quotes: \"{}\"", excerpt(w)));
            }
            return Err(err);
        };
        lex::quoted_rest(body).map_err(|e| {
            self.quoted_error(
                at,
                e,
                expect,
                format!("{what} must close on the line it starts on"),
            )
        })
    }

    /// The error of a quoted text starting at `at` that `quoted_rest`
    /// refused: an unknown escape (at its backslash), else a text not
    /// closed on its line (`hint` says so).
    pub fn quoted_error(
        &self,
        at: &'s str,
        refused: nom::Err<PErr<'s>>,
        expect: Expect,
        hint: String,
    ) -> nom::Err<PErr<'s>> {
        if let nom::Err::Failure(PErr { rest, .. }) = refused {
            let off = self.off(rest);
            let escape: String = rest.chars().take(2).collect();
            return self.failure(
                rest,
                Error {
                    span: Span::new(off, off + escape.len()),
                    kind: ErrorKind::UnknownEscape { found: escape },
                    expected: vec![expect],
                    hints: if expect == Expect::Path {
                        vec![PATH_HINT.into()]
                    } else {
                        vec![
                            "the escapes are \\\", \\\\, \\n and \\t; write a backslash as \\\\"
                                .into(),
                        ]
                    },
                },
            );
        }
        let off = self.off(at);
        self.failure(
            at,
            Error {
                span: Span::new(off, off + 1),
                kind: ErrorKind::UnclosedText,
                expected: vec![expect],
                hints: vec![hint],
            },
        )
    }

    /// `title "..."` and `caption "..."`, each if there, after a plot's
    /// figure or query. Right after the figure the word counts only when a
    /// quote follows it (`plot fes title` draws the `let` name `title`);
    /// after the query it commits.
    fn figure_texts(
        &self,
        i: &'s str,
        committed: bool,
    ) -> PResult<'s, (Option<Quoted>, Option<Quoted>)> {
        let mut rest = i;
        let mut texts = [None, None];
        // In either order, each once.
        loop {
            let start = ws(rest);
            let Some((k, word, after)) = (FIGURE_TEXTS.into_iter().enumerate())
                .filter(|(k, _)| texts[*k].is_none())
                .find_map(|(k, word)| keyword(word)(start).ok().map(|(after, _)| (k, word, after)))
            else {
                // A second title or caption.
                let again = FIGURE_TEXTS
                    .into_iter()
                    .enumerate()
                    .find(|(k, word)| texts[*k].is_some() && keyword(word)(start).is_ok());
                if let Some((_, word)) = again {
                    let mut err = self.unexpected(start, &[Expect::End]);
                    if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                        e.hints.push(format!("a figure has one `{word}`"));
                    }
                    return Err(err);
                }
                break;
            };
            let at = ws(after);
            if !committed && !at.starts_with('"') {
                break;
            }
            let what = format!("the {word}");
            let (after, text) = self.quoted(at, Expect::Text, &what)?;
            texts[k] = Some(Quoted {
                text,
                span: self.span(start, after),
            });
            rest = after;
        }
        let [title, caption] = texts;
        Ok((rest, (title, caption)))
    }

    /// `plot FIGURE [query] [title "..."] [caption "..."]`, after `plot`.
    fn plot(&self, start: &'s str, i: &'s str) -> PResult<'s, Statement> {
        let (rest, word) = lex::word(i).map_err(|_| self.unexpected(i, &[Expect::Figure]))?;
        let figure =
            Figure::from_name(word).ok_or_else(|| self.unexpected(i, &[Expect::Figure]))?;
        let figure_span = self.span(i, rest);
        let (rest, (mut title, mut caption)) = self.figure_texts(rest, false)?;
        let at = ws(rest);
        let ends = at_statement_end(at) || keyword("save")(at).is_ok();
        if !figure.takes_query() && !ends {
            let mut err = self.unexpected(at, &[Expect::End]);
            if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                e.hints.push(
                    "`plot flow` draws the dataset's search and takes no query; `title \"...\"`, `caption \"...\"` and `save \"flow.svg\"` may follow it"
                        .into(),
                );
            }
            return Err(err);
        }
        let (rest, query) = if ends || title.is_some() || caption.is_some() {
            (rest, None)
        } else {
            let (rest, q) = self.query(at, 0)?;
            (rest, Some(q))
        };
        let rest = if query.is_some() {
            let (rest, texts) = self.figure_texts(rest, true)?;
            (title, caption) = texts;
            rest
        } else {
            rest
        };
        let texts_given = title.is_some() || caption.is_some();
        // A title or caption right after the figure ends its query: only
        // `save` may follow (a clause there is not expected, so the error
        // must not list the clauses).
        let after = ws(rest);
        if query.is_none()
            && texts_given
            && !at_statement_end(after)
            && keyword("save")(after).is_err()
        {
            let mut err = self.unexpected(after, &[Expect::End]);
            if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                e.hints.push(
                    "a figure's query comes before its `title \"...\"` and `caption \"...\"`, and `save` after them".into(),
                );
            }
            return Err(err);
        }
        let (rest, save) = self.save(rest)?;
        // Told where a title or caption may be what was meant.
        self.end_of_statement(rest, 0).map_err(|mut err| {
            if let (nom::Err::Failure(PErr { error: Some(e), .. }), true) = (&mut err, texts_given) {
                e.hints.push(
                    "a figure's `title \"...\"` and `caption \"...\"` come after its query, before `save`".into(),
                );
            }
            err
        })?;
        let span = self.span(start, rest);
        Ok((
            rest,
            Statement {
                kind: StatementKind::Plot(Plot {
                    figure,
                    span: figure_span,
                    query,
                    title,
                    caption,
                }),
                save,
                span,
            },
        ))
    }

    /// A name that is not a keyword (a `let` name, a table, a column).
    pub fn name(&self, i: &'s str) -> PResult<'s, Ident> {
        let (rest, w) = lex::word(i)?;
        if is_keyword(w) {
            return Err(nom::Err::Error(PErr {
                rest: i,
                error: None,
            }));
        }
        Ok((
            rest,
            Ident {
                name: w.to_string(),
                span: self.span(i, rest),
            },
        ))
    }

    /// A column name in `count by`, `sort by` and `show`: any word, so that
    /// `sort by count` works after `count by`, or a backquoted name.
    fn column(&self, i: &'s str) -> PResult<'s, Ident> {
        if let Some(found) = self.backquoted(i) {
            return found;
        }
        let (rest, w) = lex::word(i).map_err(|_| self.unexpected(i, &[Expect::Column]))?;
        Ok((
            rest,
            Ident {
                name: w.to_string(),
                span: self.span(i, rest),
            },
        ))
    }

    /// A column name in backquotes (`` `Sample size` ``), when `i` starts
    /// with a backquote: for a header that is not a word, or is a keyword.
    pub fn backquoted(&self, i: &'s str) -> Option<PResult<'s, Ident>> {
        let (rest, name) = lex::backquoted(i).ok()?;
        let kind = match name {
            lex::Backquoted::Name(name) => {
                let span = self.span(i, rest);
                return Some(Ok((rest, Ident { name, span })));
            }
            lex::Backquoted::Unclosed => ErrorKind::UnclosedName,
            lex::Backquoted::Empty => ErrorKind::EmptyName,
        };
        let at = self.off(i);
        let (span, hint) = match kind {
            ErrorKind::EmptyName => (
                Span::new(at, at + 2),
                "write the column's name between the backquotes: `Sample size`",
            ),
            _ => (
                Span::new(at, at + 1),
                "a column name in backquotes closes on its line: `Sample size`",
            ),
        };
        Some(Err(self.failure(
            i,
            Error {
                span,
                kind,
                expected: vec![Expect::Column],
                hints: vec![hint.into()],
            },
        )))
    }

    /// A query; `depth` counts the parentheses around it.
    pub fn query(&self, i: &'s str, depth: usize) -> PResult<'s, Query> {
        let start = i;
        let (mut i, source) = match lex::word(i) {
            Ok((rest, w)) if !is_keyword(w) => (
                rest,
                Source {
                    kind: SourceKind::from_word(w),
                    span: self.span(i, rest),
                },
            ),
            _ => {
                let mut err = self.unexpected(i, &[Expect::Source]);
                if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                    e.hints.push(
                        "a query starts with the table it reads, e.g. `findings where fes > 30`"
                            .into(),
                    );
                }
                return Err(err);
            }
        };
        let mut query = Query::of(source);
        let mut end = i;
        if let Ok((rest, _)) = keyword("among")(ws(i)) {
            let (rest, set) = self.set(ws(rest), depth)?;
            query.among = Some(set);
            (i, end) = (rest, rest);
        }
        if let Ok((rest, _)) = keyword("where")(ws(i)) {
            let (rest, e) = self.expr(ws(rest), depth)?;
            query.filter = Some(e);
            (i, end) = (rest, rest);
        }
        if let Ok((rest, _)) = keyword("count")(ws(i)) {
            let rest = self.by(ws(rest))?;
            let (rest, cols) = self.column_list(rest)?;
            query.count_by = cols;
            (i, end) = (rest, rest);
        }
        if let Ok((rest, _)) = keyword("sort")(ws(i)) {
            let rest = self.by(ws(rest))?;
            let (rest, keys) = self.sort_keys(rest)?;
            query.sort_by = keys;
            (i, end) = (rest, rest);
        }
        if let Ok((kw_rest, _)) = keyword("limit")(ws(i)) {
            let at = ws(kw_rest);
            let (rest, digits) = nom::character::complete::digit1::<_, PErr>(at)
                .ok()
                .filter(|(rest, _)| !rest.starts_with(lex::is_word_char) && !rest.starts_with('.'))
                .ok_or_else(|| self.unexpected(at, &[Expect::Count]))?;
            let rows = digits.parse::<u64>().map_err(|_| {
                self.failure(
                    at,
                    Error {
                        span: self.span(at, rest),
                        kind: ErrorKind::NumberTooLarge,
                        expected: vec![Expect::Count],
                        hints: Vec::new(),
                    },
                )
            })?;
            query.limit = Some(Limit {
                rows,
                span: self.span(at, rest),
            });
            (i, end) = (rest, rest);
        }
        if let Ok((rest, _)) = keyword("show")(ws(i)) {
            let (rest, cols) = self.column_list(ws(rest))?;
            query.show = cols;
            end = rest;
        }
        query.span = self.span(start, end);
        Ok((end, query))
    }

    /// `by`, committed to after `count` or `sort`.
    fn by(&self, i: &'s str) -> Result<&'s str, nom::Err<PErr<'s>>> {
        keyword("by")(i)
            .map(|(rest, _)| ws(rest))
            .map_err(|_| self.unexpected(i, &[Expect::By]))
    }

    fn column_list(&self, i: &'s str) -> PResult<'s, Vec<Ident>> {
        let (mut i, first) = self.column(i)?;
        let mut cols = vec![first];
        while let Ok((rest, _)) = char::<_, PErr>(',').parse(ws(i)) {
            let (rest, c) = self.column(ws(rest))?;
            cols.push(c);
            i = rest;
        }
        Ok((i, cols))
    }

    fn sort_keys(&self, i: &'s str) -> PResult<'s, Vec<SortKey>> {
        let mut keys = Vec::new();
        let mut i = i;
        loop {
            let (rest, column) = self.column(i)?;
            let mut end = rest;
            let mut descending = false;
            if let Ok((r, _)) = keyword("desc")(ws(rest)) {
                (end, descending) = (r, true);
            } else if let Ok((r, _)) = keyword("asc")(ws(rest)) {
                end = r;
            }
            keys.push(SortKey {
                column,
                descending,
                span: self.span(i, end),
            });
            match char::<_, PErr>(',').parse(ws(end)) {
                Ok((rest, _)) => i = ws(rest),
                Err(_) => return Ok((end, keys)),
            }
        }
    }

    /// The `among` set: a `let` name or `( query )`.
    fn set(&self, i: &'s str, depth: usize) -> PResult<'s, Set> {
        if let Ok((rest, name)) = self.name(i) {
            return Ok((
                rest,
                Set {
                    kind: SetKind::Name(name.name),
                    span: name.span,
                },
            ));
        }
        let Ok((inner, _)) = char::<_, PErr>('(').parse(i) else {
            return Err(self.unexpected(i, &[Expect::Set]));
        };
        self.check_depth(i, depth + 1)?;
        let (rest, query) = self.query(ws(inner), depth + 1)?;
        let rest = ws(rest);
        if keyword("save")(rest).is_ok() {
            // `save` ends a whole statement, not the query of a set.
            let mut err = self.unexpected(rest, &[Expect::CloseParen]);
            if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                e.hints
                    .push("`save \"FILE\"` goes at the end of the statement, after the `)`".into());
            }
            return Err(err);
        }
        let rest = self.close_paren(rest, i, &[Expect::Clause, Expect::CloseParen])?;
        Ok((
            rest,
            Set {
                kind: SetKind::Query(Box::new(query)),
                span: self.span(i, rest),
            },
        ))
    }

    /// The `)` matching the `(` at `open`: an unclosed error at the end of
    /// the statement, else an unexpected-token error.
    pub fn close_paren(
        &self,
        i: &'s str,
        open: &'s str,
        expected: &[Expect],
    ) -> Result<&'s str, nom::Err<PErr<'s>>> {
        if let Ok((rest, _)) = char::<_, PErr>(')').parse(i) {
            return Ok(rest);
        }
        if at_statement_end(i) {
            let at = self.off(i);
            return Err(self.failure(
                i,
                Error {
                    span: Span::new(at, at),
                    kind: ErrorKind::Unclosed {
                        open: Span::new(self.off(open), self.off(open) + 1),
                    },
                    expected: vec![Expect::CloseParen],
                    hints: Vec::new(),
                },
            ));
        }
        Err(self.unexpected(i, expected))
    }

    /// An error when `depth` passes [`crate::MAX_DEPTH`].
    pub fn check_depth(&self, at: &'s str, depth: usize) -> Result<(), nom::Err<PErr<'s>>> {
        if depth <= crate::MAX_DEPTH {
            return Ok(());
        }
        let off = self.off(at);
        Err(self.failure(
            at,
            Error {
                span: Span::new(off, off + 1),
                kind: ErrorKind::TooDeep,
                expected: Vec::new(),
                hints: vec!["split the query with `let`".into()],
            },
        ))
    }

    /// After a complete query: the statement must end here (or, inside
    /// parentheses, a `)` follows, which the caller takes).
    fn end_of_statement(&self, i: &'s str, depth: usize) -> Result<(), nom::Err<PErr<'s>>> {
        let i = ws(i);
        if at_statement_end(i) || (depth > 0 && i.starts_with(')')) {
            return Ok(());
        }
        if let Ok((rest, w)) = lex::word(i) {
            let at = self.off(i);
            let lower = w.to_ascii_lowercase();
            if CLAUSES.contains(&lower.as_str()) || is_keyword(w) {
                let mut err = self.unexpected(i, &[Expect::Clause]);
                if let nom::Err::Failure(PErr { error: Some(e), .. }) = &mut err {
                    e.hints.push(
                        "clauses go in this order: among, where, count by, sort by, limit, show, save"
                            .into(),
                    );
                }
                return Err(err);
            }
            let suggestion = closest_clause(&lower);
            return Err(self.failure(
                i,
                Error {
                    span: Span::new(at, self.off(rest)),
                    kind: ErrorKind::UnknownKeyword {
                        found: excerpt(w),
                        suggestion,
                    },
                    expected: vec![Expect::Clause],
                    hints: Vec::new(),
                },
            ));
        }
        Err(self.unexpected(i, &[Expect::Clause]))
    }
}

/// How to write a Windows path in quotes.
const PATH_HINT: &str = "in quotes a backslash starts an escape (\\n, \\t, \\\\, \\\"): write a path with `/`, which Windows reads too (\"C:/Users/me/table2.csv\"), or double each backslash";

/// The first new line or tab a quoted text `quoted` (from its opening
/// quote) makes: its offset there, its length in bytes and what made it,
/// an escape (`\n`, `\t`) or the character itself (a tab, shown `\t`).
fn control_in_quoted(quoted: &str) -> Option<(usize, usize, String)> {
    let mut chars = quoted.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('n' | 't'))) => return Some((at, 2, format!("\\{e}"))),
                _ => continue,
            },
            '\t' | '\n' => return Some((at, 1, c.escape_default().to_string())),
            _ => {}
        }
    }
    None
}
