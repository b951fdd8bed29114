//! The AST printed as canonical text (`Display`): what `parse` reads back
//! as the same tree (the corpus test checks it), what the executor names a
//! statement's results by.

use std::fmt;

use crate::ast::*;

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StatementKind::Query(q) => write!(f, "{q}")?,
            StatementKind::Let { name, query } => write!(f, "let {} = {query}", name.name)?,
            StatementKind::Plot(Plot {
                figure,
                query,
                title,
                caption,
                ..
            }) => {
                write!(f, "plot {}", figure.name())?;
                if let Some(q) = query {
                    write!(f, " {q}")?;
                }
                for (word, text) in [("title", title), ("caption", caption)] {
                    if let Some(text) = text {
                        write!(f, " {word} ")?;
                        write_quoted(f, &text.text)?;
                    }
                }
            }
        }
        match &self.save {
            Some(save) => {
                write!(f, " save ")?;
                write_quoted(f, &save.path)
            }
            None => Ok(()),
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source.kind.name())?;
        if let Some(set) = &self.among {
            match &set.kind {
                SetKind::Name(n) => write!(f, " among {n}")?,
                SetKind::Query(q) => write!(f, " among ({q})")?,
            }
        }
        if let Some(e) = &self.filter {
            write!(f, " where {e}")?;
        }
        let names = |ids: &[Ident]| {
            ids.iter()
                .map(|i| listed_column_text(&i.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.count_by.is_empty() {
            write!(f, " count by {}", names(&self.count_by))?;
        }
        if !self.sort_by.is_empty() {
            let keys: Vec<String> = self
                .sort_by
                .iter()
                .map(|k| {
                    format!(
                        "{} {}",
                        listed_column_text(&k.column.name),
                        if k.descending { "desc" } else { "asc" }
                    )
                })
                .collect();
            write!(f, " sort by {}", keys.join(", "))?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " limit {}", limit.rows)?;
        }
        if !self.show.is_empty() {
            write!(f, " show {}", names(&self.show))?;
        }
        Ok(())
    }
}

/// Binding strength, for printing parentheses only where needed.
fn precedence(e: &Expr) -> u8 {
    match e.kind {
        ExprKind::Or(..) => 1,
        ExprKind::And(..) => 2,
        ExprKind::Not(..) => 3,
        _ => 4,
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if precedence(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// Writes the terms of a chain joined by `op`; a term that binds no
/// tighter than the chain itself (a parenthesised chain of the same kind)
/// keeps its parentheses.
fn write_chain(f: &mut fmt::Formatter<'_>, terms: &[Expr], op: &str, min: u8) -> fmt::Result {
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            write!(f, " {op} ")?;
        }
        write_operand(f, term, min)?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Or(terms) => write_chain(f, terms, "or", 2),
            ExprKind::And(terms) => write_chain(f, terms, "and", 3),
            ExprKind::Not(a) => {
                write!(f, "not ")?;
                write_operand(f, a, 3)
            }
            ExprKind::Compare { column, op, value } => {
                write!(f, "{} {} {value}", column_text(&column.name), op.symbol())
            }
            ExprKind::In {
                column,
                values,
                negated,
            } => {
                let vs: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                let not = if *negated { "not " } else { "" };
                write!(
                    f,
                    "{} {not}in ({})",
                    column_text(&column.name),
                    vs.join(", ")
                )
            }
            ExprKind::Has { column, value } => {
                write!(f, "{} has {value}", column_text(&column.name))
            }
            ExprKind::Contains { column, pattern } => match &pattern.kind {
                // `~` takes only quoted text.
                ValueKind::Text(t) => {
                    write!(f, "{} ~ ", column_text(&column.name)).and_then(|_| write_quoted(f, t))
                }
                ValueKind::Number(_) => write!(f, "{} ~ \"{pattern}\"", column_text(&column.name)),
            },
            ExprKind::Missing { column, negated } => {
                write!(
                    f,
                    "{} is {}missing",
                    column_text(&column.name),
                    if *negated { "not " } else { "" }
                )
            }
        }
    }
}

/// Whether `s` can be written as a bare word and read back as the same text.
fn is_bare_word(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !is_keyword(s)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ValueKind::Number(n) => write!(f, "{n}"),
            ValueKind::Text(s) if is_bare_word(s) => write!(f, "{s}"),
            ValueKind::Text(s) => write_quoted(f, s),
        }
    }
}

/// Writes `s` as a quoted text, escaping what needs it.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "\"")?;
    for c in s.chars() {
        match c {
            '"' => write!(f, "\\\"")?,
            '\\' => write!(f, "\\\\")?,
            '\n' => write!(f, "\\n")?,
            '\t' => write!(f, "\\t")?,
            c => write!(f, "{c}")?,
        }
    }
    write!(f, "\"")
}
