//! Results as an Excel workbook: a sheet per result, numbers as numbers.

use polars::prelude::*;

use super::{Cell, Cells, round_half_up};

/// An Excel workbook with one sheet per `(name, frame)`: numbers as numbers
/// (fes and intensity rounded to one decimal), lists joined with `;`, text
/// as text (never a formula).
pub fn xlsx(sheets: &[(String, &DataFrame)]) -> crate::Result<Vec<u8>> {
    let sheets = (sheets.iter())
        .map(|(name, frame)| Ok((name.clone(), Cells::of(frame)?)))
        .collect::<PolarsResult<Vec<_>>>()?;
    write_xlsx(&sheets).map_err(crate::Error::Output)
}

/// [`xlsx`] of query results: a matrix's cells are numbers a spreadsheet
/// can sum.
pub fn xlsx_results(sheets: &[(String, &crate::QueryResult)]) -> crate::Result<Vec<u8>> {
    let sheets = (sheets.iter())
        .map(|(name, result)| Ok((name.clone(), Cells::of_result(result)?)))
        .collect::<PolarsResult<Vec<_>>>()?;
    write_xlsx(&sheets).map_err(crate::Error::Output)
}

/// [`xlsx`], failing with what went wrong.
fn write_xlsx(sheets: &[(String, Cells)]) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for (name, cells) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name.as_str()).map_err(err)?;
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
