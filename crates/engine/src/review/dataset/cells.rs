//! One cell of a CSV file made a typed value, and the typed columns built
//! from a file's rows ([`super::csvfile::read_table`] reads the rows).

use polars::prelude::*;

use super::csvfile::{Kind, spreadsheet_error};
use crate::problem::Problem;

/// A cell's text as every reader takes it: read as UTF-8 (a byte that is
/// not is told and shown as U+FFFD), a formula's guard dropped (a leading
/// `'` before `=`, `+`, `-`, `@`: how metasum and spreadsheets keep text
/// from being read as a formula); `None` for a spreadsheet error such as
/// `#N/A` (told at the cell).
pub(super) fn cell_text<'r>(
    file: &str,
    line: u64,
    column: &str,
    raw: &'r [u8],
    problems: &mut Vec<Problem>,
) -> Option<std::borrow::Cow<'r, str>> {
    use std::borrow::Cow;
    let text = String::from_utf8_lossy(raw);
    if let Cow::Owned(_) = text {
        problems.push(Problem::cell(
            file,
            line,
            column,
            format!("is not valid UTF-8 text (read as `{text}`; save the file as UTF-8)"),
        ));
    }
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(crate::escape::formula_unguarded(t)),
        Cow::Owned(t) => match crate::escape::formula_unguarded(&t).len() == t.len() {
            true => Cow::Owned(t),
            false => Cow::Owned(t[1..].to_string()),
        },
    };
    if let Some(error) = spreadsheet_error(&text) {
        problems.push(Problem::cell(
            file,
            line,
            column,
            format!(
                "holds the spreadsheet error `{error}` (a formula that failed; fix it in the spreadsheet)"
            ),
        ));
        return None;
    }
    Some(text)
}

/// One row of a file being read: where it is, and its columns.
pub(super) struct Row<'a> {
    pub file: &'a str,
    pub line: u64,
    pub headers: &'a [String],
    pub kinds: &'a [Option<Kind>],
}

impl Row<'_> {
    /// The row's cells pushed onto their columns' builders, each problem
    /// told at its cell.
    pub fn push(
        &self,
        record: &csv::ByteRecord,
        builders: &mut [Builder],
        problems: &mut Vec<Problem>,
    ) {
        let (file, line) = (self.file, self.line);
        for (i, raw) in record.iter().enumerate() {
            let name = &self.headers[i];
            let Some(text) = cell_text(file, line, name, raw, problems) else {
                // Told once: not also as a value of the wrong type.
                push_missing(&mut builders[i]);
                continue;
            };
            let text = text.as_ref();
            let cell = (!text.is_empty()).then_some(text);
            push_cell(&mut builders[i], self.kinds[i], cell, |msg| {
                problems.push(Problem::cell(file, line, name, msg))
            });
        }
    }
}

/// A column's cells as they are read, by the kind of the column.
pub(super) enum Builder {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Text cells go straight into the column: one `String` per cell
    /// was a quarter of reading a 100,000-row `studies.csv` (perf).
    Text(StringChunkedBuilder),
    /// An extra column: kept as text until every cell has been seen.
    Infer(StringChunkedBuilder),
}

impl Builder {
    /// The builder of a column `name` of `kind` (`None`: an extra column),
    /// with room for `rows` cells.
    pub fn of(kind: Option<Kind>, name: &str, rows: usize) -> Builder {
        match kind {
            Some(Kind::Id | Kind::Int | Kind::Count) => Builder::Int(Vec::with_capacity(rows)),
            Some(Kind::Float) => Builder::Float(Vec::new()),
            Some(Kind::Bool) => Builder::Bool(Vec::new()),
            Some(Kind::Text | Kind::Key) => {
                Builder::Text(StringChunkedBuilder::new(name.into(), rows))
            }
            None => Builder::Infer(StringChunkedBuilder::new(name.into(), rows)),
        }
    }
}

/// The largest participant count of one study: a billion is more than any
/// study has, and keeps sums over millions of studies far from overflow.
pub const MAX_COUNT: i64 = 1_000_000_000;

/// Parses a boolean cell the way a spreadsheet user would write it.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

fn push_cell(
    builder: &mut Builder,
    kind: Option<Kind>,
    cell: Option<&str>,
    mut report: impl FnMut(String),
) {
    match builder {
        Builder::Int(v) => {
            let value = match (kind, cell) {
                (Some(Kind::Id), None) => {
                    report("is empty (expected a positive whole number)".into());
                    None
                }
                (_, None) => None,
                (k, Some(s)) => match s.parse::<i64>() {
                    Ok(n) if k == Some(Kind::Id) && n <= 0 => {
                        report(format!("expected a positive whole number, found `{s}`"));
                        None
                    }
                    Ok(n) if k == Some(Kind::Count) && !(0..=MAX_COUNT).contains(&n) => {
                        report(format!(
                            "expected a count from 0 to {MAX_COUNT}, found `{s}`"
                        ));
                        None
                    }
                    Ok(n) => Some(n),
                    Err(_) => {
                        let what = match k {
                            Some(Kind::Id) => "a positive whole number",
                            Some(Kind::Count) => "a count (a whole number, 0 or more)",
                            _ => "a whole number",
                        };
                        report(format!("expected {what}, found `{s}`"));
                        None
                    }
                },
            };
            v.push(value);
        }
        Builder::Float(v) => v.push(cell.and_then(|s| match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                report(format!("expected a number, found `{s}`"));
                None
            }
        })),
        Builder::Bool(v) => v.push(cell.and_then(|s| {
            let b = parse_bool(s);
            if b.is_none() {
                report(format!("expected true or false, found `{s}`"));
            }
            b
        })),
        Builder::Text(v) if kind == Some(Kind::Key) && cell.is_none() => {
            report("is empty (an id is required)".into());
            v.append_null()
        }
        Builder::Text(v) | Builder::Infer(v) => v.append_option(cell),
    }
}

/// A missing value, with no check (its problem is told already).
fn push_missing(builder: &mut Builder) {
    match builder {
        Builder::Int(v) => v.push(None),
        Builder::Float(v) => v.push(None),
        Builder::Bool(v) => v.push(None),
        Builder::Text(v) | Builder::Infer(v) => v.append_null(),
    }
}

pub(super) fn finish_column(name: &str, builder: Builder) -> Column {
    let name: PlSmallStr = name.into();
    match builder {
        Builder::Int(v) => Column::new(name, v),
        Builder::Float(v) => Column::new(name, v),
        Builder::Bool(v) => Column::new(name, v),
        Builder::Text(v) => v.finish().into_column(),
        Builder::Infer(v) => infer_column(name, v.finish()),
    }
}

/// Types an extra column by what every non-empty cell parses as: whole
/// numbers, then numbers, then booleans, else text.
fn infer_column(name: PlSmallStr, cells: StringChunked) -> Column {
    let present = || cells.iter().flatten();
    if present().next().is_some() {
        if present().all(|s| s.parse::<i64>().is_ok()) {
            let v: Vec<Option<i64>> = cells
                .iter()
                .map(|c| c.and_then(|s| s.parse().ok()))
                .collect();
            return Column::new(name, v);
        }
        if present().all(|s| s.parse::<f64>().is_ok_and(f64::is_finite)) {
            let v: Vec<Option<f64>> = cells
                .iter()
                .map(|c| c.and_then(|s| s.parse().ok()))
                .collect();
            return Column::new(name, v);
        }
        if present().all(|s| parse_bool(s).is_some()) {
            let v: Vec<Option<bool>> = cells.iter().map(|c| c.and_then(parse_bool)).collect();
            return Column::new(name, v);
        }
    }
    cells.into_column()
}
