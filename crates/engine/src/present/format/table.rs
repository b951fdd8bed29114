//! The `table` format: aligned columns for a terminal, numbers to the
//! right, and (given a width) lines fitted to it by shortening long text
//! with `…`, as DuckDB's shell does.

use std::fmt::Write;

use super::Cell;
use crate::escape::terminal_safe;

/// The narrowest a text column is shortened to.
const MIN_TEXT_WIDTH: usize = 8;

/// The rows as aligned columns, each line at most `width` characters when
/// shortening text columns can make it so.
pub(super) fn table(
    names: &[String],
    columns: &[Vec<Cell>],
    rows: usize,
    width: Option<usize>,
    headers: bool,
) -> String {
    let names: Vec<String> = names.iter().map(|n| terminal_safe(n)).collect();
    let texts: Vec<Vec<String>> = (columns.iter())
        .map(|c| c.iter().map(|x| terminal_safe(&x.text(", "))).collect())
        .collect();
    let numeric: Vec<bool> = (columns.iter())
        .map(|c| c.iter().any(Cell::is_number))
        .collect();
    let mut widths: Vec<usize> = (names.iter().zip(&texts))
        .map(|(n, t)| {
            t.iter()
                .chain([n])
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    if let Some(width) = width {
        fit(&mut widths, &numeric, width);
    }
    // One line: cells shortened and padded to their column's width,
    // numbers to the right.
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = (cells.iter().enumerate())
            .map(|(c, s)| {
                let s = shorten(s, widths[c]);
                let fill = " ".repeat(widths[c].saturating_sub(s.chars().count()));
                if numeric[c] {
                    format!("{fill}{s}")
                } else {
                    format!("{s}{fill}")
                }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = String::new();
    if headers {
        let _ = writeln!(out, "{}", line(names.iter().map(String::as_str).collect()));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let _ = writeln!(out, "{}", rule.join("  "));
    }
    for r in 0..rows {
        let _ = writeln!(
            out,
            "{}",
            line(texts.iter().map(|t| t[r].as_str()).collect())
        );
    }
    out
}

/// The `line` format: each record as a block of `name = value` lines, the
/// names aligned, a blank line between records.
pub(super) fn records(names: &[String], columns: &[Vec<Cell>], rows: usize) -> String {
    let names: Vec<String> = names.iter().map(|n| terminal_safe(n)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for r in 0..rows {
        if r > 0 {
            out.push('\n');
        }
        for (name, column) in names.iter().zip(columns) {
            let value = terminal_safe(&column[r].text(", "));
            let _ = writeln!(out, "{name:>width$} = {value}");
        }
    }
    out
}

/// Narrows the widest text columns, one character at a time, until a line
/// (columns and the two spaces between them) fits `width` or every text
/// column is down to [`MIN_TEXT_WIDTH`]; numbers are never cut.
fn fit(widths: &mut [usize], numeric: &[bool], width: usize) {
    let line = |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    while line(widths) > width {
        let widest = (0..widths.len())
            .filter(|c| !numeric[*c] && widths[*c] > MIN_TEXT_WIDTH)
            .max_by_key(|c| (widths[*c], std::cmp::Reverse(*c)));
        match widest {
            Some(c) => widths[c] -= 1,
            None => break,
        }
    }
}

/// `text` in at most `width` characters: cut, with `…` as its last.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut short: String = text.chars().take(width.saturating_sub(1)).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<String>, Vec<Vec<Cell>>) {
        let names = vec!["id".to_string(), "name".to_string(), "fes".to_string()];
        let columns = vec![
            vec![Cell::Int(1), Cell::Int(22)],
            vec![
                Cell::Text("Peer support workers are easy to build rapport with".into()),
                Cell::Text("Pay".into()),
            ],
            vec![Cell::Float(40.0, Some(1)), Cell::Float(8.0, Some(1))],
        ];
        (names, columns)
    }

    #[test]
    fn a_wide_table_is_fitted_to_the_width_by_shortening_text() {
        let (names, columns) = sample();
        let fitted = table(&names, &columns, 2, Some(30), true);
        for line in fitted.lines() {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
        assert!(fitted.contains(" Peer support worker…  40.0"), "{fitted}");
        // Numbers are whole.
        assert!(fitted.contains("40.0") && fitted.contains("22"), "{fitted}");
        // Without a width, or when it fits, nothing is cut.
        let whole = table(&names, &columns, 2, None, true);
        assert!(whole.contains("easy to build rapport with"), "{whole}");
        assert_eq!(table(&names, &columns, 2, Some(200), true), whole);
    }

    #[test]
    fn line_shows_each_record_as_a_block() {
        let (names, columns) = sample();
        assert_eq!(
            records(&names, &columns, 2),
            "  id = 1\nname = Peer support workers are easy to build rapport with\n fes = 40.0\n\
             \n  id = 22\nname = Pay\n fes = 8.0\n"
        );
    }

    #[test]
    fn a_table_too_wide_for_any_shortening_keeps_its_numbers() {
        let (names, columns) = sample();
        let narrow = table(&names, &columns, 2, Some(5), true);
        assert!(narrow.contains(" Peer su…  40.0"), "{narrow}");
        assert!(narrow.contains("40.0"), "{narrow}");
    }
}
