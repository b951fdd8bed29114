//! What a run keeps to write when it ends (or, in the shell, after each
//! statement): results and figures for a workbook or a .png file, and JSON
//! results as one document; and the statement text they are named by.

use metasum_engine::{QueryResult, format};

/// A result or figure kept to be written when the run ends.
pub enum Kept {
    /// A query's rows.
    Rows(QueryResult),
    /// A figure, as SVG.
    Figure(String),
}

impl Kept {
    /// What its sheet in a workbook holds.
    pub fn sheet(&self) -> format::Sheet<'_> {
        match self {
            Kept::Rows(result) => format::Sheet::Rows(result),
            Kept::Figure(svg) => format::Sheet::Figure(svg),
        }
    }
}

/// The JSON results of a run as one document: the one result's array, or
/// an array of `{"statement": ..., "rows": [...]}`.
pub fn json_document(kept: &[(String, String)]) -> String {
    if let [(_, only)] = kept {
        return only.clone();
    }
    let mut out = String::from("[");
    for (i, (statement, rows)) in kept.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str("  {\"statement\": ");
        metasum_engine::format::json_string(&mut out, statement);
        out.push_str(", \"rows\": ");
        out.push_str(rows.trim_end());
        out.push('}');
    }
    out.push_str("\n]\n");
    out
}

/// The text of `statement` in `src`, without its `save` clause and its
/// comments: what names its result (a sheet, a JSON entry).
pub fn statement_text(src: &str, statement: &metasum_query::ast::Statement) -> String {
    let end = statement
        .save
        .as_ref()
        .map_or(statement.span.end, |s| s.span.start);
    without_comments(src[statement.span.start..end].trim_end())
}

/// `text` without its `#` comments (a `#` in quoted text or a backquoted
/// name is no comment).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut quote, mut escaped, mut comment) = (None, false, false);
    for c in text.chars() {
        match c {
            '\n' => comment = false,
            _ if comment => continue,
            '#' if quote.is_none() => {
                comment = true;
                continue;
            }
            '\\' if quote == Some('"') && !escaped => {
                escaped = true;
                out.push(c);
                continue;
            }
            '"' | '`' if quote == Some(c) && !escaped => quote = None,
            '"' | '`' if quote.is_none() => quote = Some(c),
            _ => {}
        }
        escaped = false;
        out.push(c);
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_is_named_without_its_comments_and_save() {
        let src = "findings limit 1 # the first one\n  show id # \"x\"\n  save \"t.xlsx\"";
        let script = metasum_query::parse(src).unwrap();
        let text = statement_text(src, &script.statements[0]);
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            ["findings", "limit", "1", "show", "id"]
        );
        // A `#` in quoted text or a backquoted name stays.
        assert_eq!(
            without_comments("findings where name ~ \"#1 \\\" #2\" # note"),
            "findings where name ~ \"#1 \\\" #2\""
        );
        assert_eq!(
            without_comments("studies show `a#b` # c"),
            "studies show `a#b`"
        );
    }
}
