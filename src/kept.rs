//! What a run keeps to write when it ends (or, in the shell, after each
//! statement): results and figures for a workbook or a .png file, and JSON
//! results as one document; and the statement text they are named by.

use metasum_engine::{Format, QueryResult, format};

use crate::target::FileKind;

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

/// The one document `kept` (each under its sheet name) makes in a file of
/// `kind`: a workbook of every result and figure; the one result of a
/// Parquet or Arrow file; the one figure of an .svg, .png or .pdf file,
/// drawn at `dpi`. `None` when a file of the kind is not made whole from
/// what is kept (rows in a text format are written as they come). What
/// `--output`, the shell's `.output` and `save` write.
pub fn document(
    kind: FileKind,
    kept: &[(String, Kept)],
    dpi: u32,
) -> Option<metasum_engine::Result<Vec<u8>>> {
    match kind {
        FileKind::Rows(Format::Xlsx) => {
            let sheets: Vec<(String, format::Sheet)> = (kept.iter())
                .map(|(name, kept)| (name.clone(), kept.sheet()))
                .collect();
            Some(format::xlsx_results(&sheets))
        }
        FileKind::Rows(format) if format.holds_one_result() => {
            (kept.iter()).find_map(|(_, kept)| match kept {
                Kept::Rows(result) => Some(format::columnar(result, format)),
                Kept::Figure(_) => None,
            })
        }
        kind => match kept {
            [(_, Kept::Figure(svg))] => kind.figure_document(svg, dpi),
            _ => None,
        },
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
    fn each_kind_of_file_is_one_document_of_what_it_holds() {
        use metasum_engine::{Dataset, Outcome, Session};
        let mut session = Session::new(Dataset::seed().unwrap());
        let rows = session
            .rows_of_text("findings where fes > 30", "test")
            .unwrap();
        let Ok(Outcome::Figure(svg)) = session.execute_text("plot fes", "test") else {
            panic!("no figure");
        };
        let both = [
            ("rows".to_string(), Kept::Rows(rows.clone())),
            ("fes".to_string(), Kept::Figure(svg.clone())),
        ];
        let starts = |kind, kept: &[(String, Kept)]| {
            document(kind, kept, 96).map(|d| d.unwrap()[..4].to_vec())
        };
        // A workbook holds every result and figure (a zip).
        assert_eq!(
            starts(FileKind::Rows(Format::Xlsx), &both),
            Some(b"PK\x03\x04".to_vec())
        );
        // A Parquet file holds the one result, whatever else was kept.
        assert_eq!(
            starts(FileKind::Rows(Format::Parquet), &both),
            Some(b"PAR1".to_vec())
        );
        // A picture holds one figure, and only when it is all there is.
        let figure = &both[1..];
        assert_eq!(starts(FileKind::Png, figure), Some(b"\x89PNG".to_vec()));
        assert_eq!(starts(FileKind::Pdf, figure), Some(b"%PDF".to_vec()));
        assert_eq!(starts(FileKind::Png, &both), None);
        // Text formats are written as results come, not as one document.
        assert_eq!(starts(FileKind::Rows(Format::Csv), &both[..1]), None);
        assert_eq!(starts(FileKind::Other, figure), None);
    }

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
