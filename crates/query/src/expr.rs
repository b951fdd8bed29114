//! Conditions after `where`: `or` < `and` < `not` < comparisons, with
//! parentheses. A chain of `or`s (or of `and`s) is read in a loop into one
//! node with all its terms, so its length never deepens the recursion.

use nom::Parser;
use nom::bytes::complete::tag;
use nom::character::complete::char;

use crate::ast::*;
use crate::error::{Error, ErrorKind, Expect, excerpt};
use crate::lex::{self, PErr, PResult, keyword, ws};
use crate::parse::P;

/// One term as itself, several as a chain node spanning them all.
fn chain(mut terms: Vec<Expr>, kind: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if terms.len() == 1 {
        return terms.remove(0);
    }
    let span = terms[0].span.to(terms[terms.len() - 1].span);
    Expr {
        kind: kind(terms),
        span,
    }
}

impl<'s> P<'s> {
    /// A condition; `depth` counts enclosing parentheses and `not`s.
    pub fn expr(&self, i: &'s str, depth: usize) -> PResult<'s, Expr> {
        let (mut i, first) = self.and_expr(i, depth)?;
        let mut terms = vec![first];
        while let Ok((rest, _)) = keyword("or")(ws(i)) {
            let (rest, term) = self.and_expr(ws(rest), depth)?;
            terms.push(term);
            i = rest;
        }
        Ok((i, chain(terms, ExprKind::Or)))
    }

    fn and_expr(&self, i: &'s str, depth: usize) -> PResult<'s, Expr> {
        let (mut i, first) = self.not_expr(i, depth)?;
        let mut terms = vec![first];
        while let Ok((rest, _)) = keyword("and")(ws(i)) {
            let (rest, term) = self.not_expr(ws(rest), depth)?;
            terms.push(term);
            i = rest;
        }
        Ok((i, chain(terms, ExprKind::And)))
    }

    fn not_expr(&self, i: &'s str, depth: usize) -> PResult<'s, Expr> {
        if let Ok((rest, _)) = keyword("not")(i) {
            self.check_depth(i, depth + 1)?;
            let (rest, inner) = self.not_expr(ws(rest), depth + 1)?;
            let span = self.span(i, i).to(inner.span);
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::Not(Box::new(inner)),
                    span,
                },
            ));
        }
        self.atom(i, depth)
    }

    fn atom(&self, i: &'s str, depth: usize) -> PResult<'s, Expr> {
        if let Ok((inner, _)) = char::<_, PErr>('(').parse(i) {
            self.check_depth(i, depth + 1)?;
            let (rest, mut e) = self.expr(ws(inner), depth + 1)?;
            let rest = self.close_paren(ws(rest), i, &[Expect::CloseParen])?;
            e.span = self.span(i, rest);
            return Ok((rest, e));
        }
        let (rest, column) = match self.backquoted(i) {
            Some(found) => found?,
            None => self
                .name(i)
                .map_err(|_| self.unexpected(i, &[Expect::Condition]))?,
        };
        let (rest, kind) = self.comparison(ws(rest), &column)?;
        let span = column.span.to(self.span(rest, rest));
        Ok((rest, Expr { kind, span }))
    }

    /// What follows a column in a condition (`= 3`, `~ "peer"`, `in (..)`,
    /// `has 13`, `is not missing`), as the condition's kind.
    fn comparison(&self, i: &'s str, column: &Ident) -> PResult<'s, ExprKind> {
        Ok(if let Ok((rest, op)) = lex::operator(i) {
            let op = match op {
                "=" => CompareOp::Eq,
                "!=" => CompareOp::NotEq,
                "<" => CompareOp::Lt,
                "<=" => CompareOp::LtEq,
                ">" => CompareOp::Gt,
                _ => CompareOp::GtEq,
            };
            let (rest, value) = self.value(ws(rest))?;
            (
                rest,
                ExprKind::Compare {
                    column: column.clone(),
                    op,
                    value,
                },
            )
        } else if let Ok((rest, _)) = tag::<_, _, PErr>("~").parse(i) {
            let (rest, pattern) = self.text(ws(rest))?;
            (
                rest,
                ExprKind::Contains {
                    column: column.clone(),
                    pattern,
                },
            )
        } else if let Some((rest, negated)) = Self::in_keyword(i) {
            let (rest, values) = self.value_list(ws(rest))?;
            (
                rest,
                ExprKind::In {
                    column: column.clone(),
                    values,
                    negated,
                },
            )
        } else if let Ok((rest, _)) = keyword("has")(i) {
            let (rest, value) = self.value(ws(rest))?;
            (
                rest,
                ExprKind::Has {
                    column: column.clone(),
                    value,
                },
            )
        } else if let Ok((rest, _)) = keyword("is")(i) {
            let at = ws(rest);
            let (at, negated) = match keyword("not")(at) {
                Ok((r, _)) => (ws(r), true),
                Err(_) => (at, false),
            };
            let (rest, _) =
                keyword("missing")(at).map_err(|_| self.unexpected(at, &[Expect::Missing]))?;
            (
                rest,
                ExprKind::Missing {
                    column: column.clone(),
                    negated,
                },
            )
        } else {
            return Err(self.unexpected(i, &[Expect::Operator]));
        })
    }

    /// `in` or `not in`, and whether it was `not in`.
    fn in_keyword(i: &'s str) -> Option<(&'s str, bool)> {
        if let Ok((rest, _)) = keyword("in")(i) {
            return Some((rest, false));
        }
        let (rest, _) = keyword("not")(i).ok()?;
        let (rest, _) = keyword("in")(ws(rest)).ok()?;
        Some((rest, true))
    }

    /// A number, a quoted text, or a bare word (text, never a column),
    /// alone after an operator: more words after a bare word are a value
    /// of several words written without its quotes.
    fn value(&self, i: &'s str) -> PResult<'s, Value> {
        let (rest, value) = self.list_value(i)?;
        if let ValueKind::Text(_) = &value.kind
            && !i.starts_with('"')
            && let Some(end) = more_words(rest)
        {
            // `quality != serious concerns`: one value of several words.
            let words = &i[..i.len() - end.len()];
            let hint = format!(
                "a value of several words is written in quotes: \"{}\"",
                excerpt(words)
            );
            return Err(self.unquoted(i, end, words, hint));
        }
        Ok((rest, value))
    }

    /// A number, a quoted text, or a bare word: one value of a list.
    fn list_value(&self, i: &'s str) -> PResult<'s, Value> {
        // `12b`, `2019-Smith`, `1.2.3`: an id that starts like a number
        // but is not one; as a bare value it is neither.
        let run = i
            .find(|c: char| !(lex::is_word_char(c) || matches!(c, '-' | '.')))
            .unwrap_or(i.len());
        let glued = &i[..run];
        if glued.starts_with(|c: char| c.is_ascii_digit())
            && lex::number(i).is_ok_and(|(rest, _)| rest.len() > i.len() - run)
            || glued.starts_with(|c: char| c.is_ascii_digit()) && lex::number(i).is_err()
        {
            let mut error = self.unexpected_error(i, &[Expect::Value]);
            error.span = self.span(i, &i[run..]);
            if let ErrorKind::Unexpected { found, .. } = &mut error.kind {
                *found = format!("`{glued}`");
            }
            error.hints.push(format!(
                "a value that is not a number is written in quotes: \"{glued}\""
            ));
            return Err(self.failure(i, error));
        }
        if let Ok((rest, n)) = lex::number(i) {
            if let Some(after) = rest.strip_prefix('%') {
                // `fes > 30%`: percentages are compared as their numbers.
                return Err(self.unquoted(i, after, &format!("{n}%"), {
                    format!("a percentage is written as its number, without `%`: {n}")
                }));
            }
            let number = n
                .parse::<f64>()
                .map_err(|_| self.unexpected(i, &[Expect::Value]))?;
            return Ok((
                rest,
                Value {
                    kind: ValueKind::Number(number),
                    span: self.span(i, rest),
                },
            ));
        }
        if lex::quote(i).is_ok() {
            return self.text(i);
        }
        let (rest, w) = lex::bare_value(i).map_err(|_| self.unexpected(i, &[Expect::Value]))?;
        if is_keyword(w) {
            return Err(self.failure(
                i,
                Error {
                    span: self.span(i, rest),
                    kind: ErrorKind::KeywordAsValue {
                        word: w.to_string(),
                    },
                    expected: vec![Expect::Value],
                    hints: vec![format!("to compare with the text `{w}`, quote it: \"{w}\"")],
                },
            ));
        }
        Ok((
            rest,
            Value {
                kind: ValueKind::Text(w.to_string()),
                span: self.span(i, rest),
            },
        ))
    }

    /// "expected a value, found `WRITTEN`" for the text from `i` to `end`
    /// that is not one value as written, with `hint` saying how it is.
    fn unquoted(
        &self,
        i: &'s str,
        end: &'s str,
        written: &str,
        hint: String,
    ) -> nom::Err<PErr<'s>> {
        let mut error = self.unexpected_error(i, &[Expect::Value]);
        error.span = self.span(i, end);
        if let ErrorKind::Unexpected { found, .. } = &mut error.kind {
            *found = format!("`{}`", excerpt(written));
        }
        error.hints.push(hint);
        self.failure(i, error)
    }

    /// A quoted text (after `~`, or as a value).
    fn text(&self, i: &'s str) -> PResult<'s, Value> {
        let Ok((body, _)) = lex::quote(i) else {
            let mut err = self.unexpected(i, &[Expect::Text]);
            if let (nom::Err::Failure(PErr { error: Some(e), .. }), Ok((_, w))) =
                (&mut err, lex::bare_value(i))
            {
                e.hints
                    .push(format!("write the text in quotes: \"{}\"", excerpt(w)));
            }
            return Err(err);
        };
        let (rest, s) = lex::quoted_rest(body).map_err(|e| {
            self.quoted_error(
                i,
                e,
                Expect::Text,
                "text must close on the line it starts on".into(),
            )
        })?;
        Ok((
            rest,
            Value {
                kind: ValueKind::Text(s),
                span: self.span(i, rest),
            },
        ))
    }

    /// `( value {, value} )` after `in`.
    fn value_list(&self, i: &'s str) -> PResult<'s, Vec<Value>> {
        let open = i;
        let Ok((rest, _)) = char::<_, PErr>('(').parse(i) else {
            return Err(self.unexpected(i, &[Expect::OpenParen]));
        };
        let (mut i, first) = self.list_value(ws(rest))?;
        let mut values = vec![first];
        loop {
            let at = ws(i);
            if let Ok((rest, _)) = char::<_, PErr>(',').parse(at) {
                let start = ws(rest);
                let (rest, v) = self.list_value(start)?;
                values.push(v);
                i = rest;
            } else {
                let mut err = self.close_paren(at, open, &[Expect::CommaOrClose]);
                // `in (minor concerns, low)`: two values, or one of two words.
                if let (Err(nom::Err::Failure(PErr { error: Some(e), .. })), Some(last)) =
                    (&mut err, values.last())
                    && let ValueKind::Text(_) = &last.kind
                    && !self.src[last.span.start..].starts_with('"')
                    && let Some(end) = more_words(i)
                {
                    let words = &self.src[last.span.start..self.off(end)];
                    e.hints.push(format!(
                        "a value of several words is written in quotes: \"{}\"",
                        excerpt(words)
                    ));
                }
                return err.map(|rest| (rest, values));
            }
        }
    }
}

/// Where the words after a bare value end, when more words follow it on
/// its line that are neither keywords nor likely typos of one (`serious
/// concerns` after `serious`): a value of several words written without
/// its quotes. `None` when none follows.
fn more_words(rest: &str) -> Option<&str> {
    let mut end = None;
    let mut at = rest;
    loop {
        let next = at.trim_start_matches([' ', '\t']);
        if next.len() == at.len() {
            return end;
        }
        match lex::bare_value(next) {
            Ok((after, w))
                if !is_keyword(w)
                    && !crate::parse::FIGURE_TEXTS
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(w))
                    && crate::hints::closest_clause(w).is_none() =>
            {
                end = Some(after);
                at = after;
            }
            _ => return end,
        }
    }
}
