//! Results as an Excel workbook: a sheet per result, numbers as numbers; a
//! figure as a picture on a sheet of its own.

use polars::prelude::*;

use super::{Cell, Cells, round_half_up};

/// An Excel workbook with one sheet per `(name, frame)`: numbers as numbers
/// (fes and intensity rounded to one decimal), lists joined with `;`, text
/// as text (never a formula).
pub fn xlsx(sheets: &[(String, &DataFrame)]) -> crate::Result<Vec<u8>> {
    let sheets = (sheets.iter())
        .map(|(name, frame)| Ok((name.clone(), Content::Cells(Cells::of(frame)?))))
        .collect::<PolarsResult<Vec<_>>>()?;
    write_xlsx(&sheets).map_err(crate::Error::Output)
}

/// What a sheet of results holds.
pub enum Sheet<'a> {
    /// A query's rows.
    Rows(&'a crate::QueryResult),
    /// A figure (SVG), placed as a picture.
    Figure(&'a str),
}

/// What [`write_xlsx`] puts on a sheet.
enum Content {
    Cells(Cells),
    /// A PNG at 192 dpi: Excel reads its resolution and shows it at the
    /// figure's size, sharp when zoomed or printed.
    Picture(Vec<u8>),
}

/// [`xlsx`] of results: a matrix's cells are numbers a spreadsheet can
/// sum; a figure is a picture on its sheet, with the sheet's name as its
/// text alternative.
pub fn xlsx_results(sheets: &[(String, Sheet)]) -> crate::Result<Vec<u8>> {
    let sheets = (sheets.iter())
        .map(|(name, sheet)| {
            let content = match sheet {
                Sheet::Rows(result) => Content::Cells(Cells::of_result(result)?),
                Sheet::Figure(svg) => Content::Picture(crate::present::raster::png(svg, 2 * 96)?),
            };
            Ok((name.clone(), content))
        })
        .collect::<crate::Result<Vec<_>>>()?;
    write_xlsx(&sheets).map_err(crate::Error::Output)
}

/// The longest sheet name Excel takes.
const MAX_SHEET_NAME: usize = 31;

/// A sheet name for the result of `statement`, not one of `taken` (Excel
/// compares names in any case): the statement's words, without the
/// characters a sheet name cannot hold (`[]:*?/\`), shortened to 31
/// characters with `…`, and `(2)`, `(3)`, ... when taken already (or
/// `History`, which Excel reserves).
pub fn sheet_name(statement: &str, taken: &[String]) -> String {
    let words: Vec<&str> = statement
        .split(|c: char| c.is_whitespace() || c.is_control() || "[]:*?/\\".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let base = words.join(" ");
    let base = base.trim_matches('\'');
    let base = if base.is_empty() { "result" } else { base };
    // Excel counts UTF-16 units: an emoji takes two of the 31.
    let units = |text: &str| text.encode_utf16().count();
    let shortened = |text: &str, room: usize| -> String {
        if units(text) <= room {
            return text.to_string();
        }
        let mut short = String::new();
        for c in text.chars() {
            if units(&short) + c.len_utf16() + 1 > room {
                break;
            }
            short.push(c);
        }
        short.truncate(short.trim_end().len());
        short.push('…');
        short
    };
    // Excel keeps the name "History" for itself.
    let is_taken = |name: &str| {
        name.eq_ignore_ascii_case("history")
            || taken
                .iter()
                .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    let name = shortened(base, MAX_SHEET_NAME);
    if !is_taken(&name) {
        return name;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            shortened(base, MAX_SHEET_NAME - suffix.len()) + &suffix
        })
        .find(|name| !is_taken(name))
        .unwrap_or_default()
}

/// [`xlsx`], failing with what went wrong.
fn write_xlsx(sheets: &[(String, Content)]) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for (name, content) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name.as_str()).map_err(err)?;
        let cells = match content {
            Content::Cells(cells) => cells,
            Content::Picture(png) => {
                let picture = rust_xlsxwriter::Image::new_from_buffer(png)
                    .map_err(err)?
                    .set_alt_text(name.as_str());
                sheet.insert_image(0, 0, &picture).map_err(err)?;
                continue;
            }
        };
        // The header row stays in view as the reader scrolls.
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        for (c, (column, name)) in cells.columns.iter().zip(&cells.names).enumerate() {
            let c = c as u16;
            sheet.write_string(0, c, name.as_str()).map_err(err)?;
            for (r, cell) in column.iter().enumerate() {
                let r = r as u32 + 1;
                match cell {
                    Cell::Missing => {}
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, c, *b).map_err(err)?;
                    }
                    Cell::Int(i) => {
                        sheet.write_number(r, c, *i as f64).map_err(err)?;
                    }
                    Cell::Float(x, Some(d)) => {
                        sheet
                            .write_number(r, c, round_half_up(*x, *d))
                            .map_err(err)?;
                    }
                    Cell::Float(x, None) => {
                        sheet.write_number(r, c, *x).map_err(err)?;
                    }
                    Cell::Text(_) | Cell::List(_) => {
                        sheet.write_string(r, c, cell.text(";")).map_err(err)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_named_by_its_statement_shortened_and_unique() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            sheet_name("findings  sort by fes", &none),
            "findings sort by fes"
        );
        let long = "findings where perspective = recipient and fes > 30";
        let name = sheet_name(long, &none);
        assert_eq!(name.chars().count(), 31);
        assert_eq!(name, "findings where perspective = r…");
        let taken = vec![name.clone()];
        let second = sheet_name(long, &taken);
        assert_eq!(second, "findings where perspective… (2)");
        assert_eq!(second.chars().count(), 31);
        assert_eq!(
            sheet_name("FINDINGS sort by fes", &["findings sort by fes".into()]),
            "FINDINGS sort by fes (2)"
        );
        // What a sheet name cannot hold is left out.
        assert_eq!(
            sheet_name("studies where id in [1, 2]", &none),
            "studies where id in 1, 2"
        );
        assert_eq!(sheet_name("'", &none), "result");
        assert_eq!(sheet_name("History", &none), "History (2)");
        // Control characters split words; an emoji counts as two units.
        assert_eq!(
            sheet_name("findings where name ~ \"a\u{1}b\"", &none),
            "findings where name ~ \"a b\""
        );
        let emoji = sheet_name(
            "findings where name ~ \"é漢字🙂 emoji text long enough\"",
            &none,
        );
        assert!(emoji.encode_utf16().count() <= 31, "{emoji}");
        assert!(emoji.ends_with('…'), "{emoji}");
    }
}
