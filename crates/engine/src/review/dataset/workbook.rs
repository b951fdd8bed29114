//! A dataset kept as a spreadsheet: sheets `studies`, `papers`, `findings`,
//! `evidence` (the columns of the CSV files), or a `matrix` sheet (findings
//! as rows, one column per study headed by its id, evidence marked in the
//! cells). Sheets are turned into CSV text so one loader validates both
//! forms.
//!
//! A workbook is a zip of XML files, and either can be hostile: a 1 MB zip
//! can inflate to gigabytes, and one cell at XFD1048576 made calamine's
//! rectangular range ask for 549 GB. So the archive is measured inflated
//! before calamine opens it, an `.xlsx` sheet is read cell by cell, and
//! only the cells present are kept (a stray cell far to the right is a
//! located problem, not 16,384 columns of every row).

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook, open_workbook_auto};

use super::files::{Layout, ReviewFile};
use super::workbook_limits::{self as limits, MAX_CELLS};
use crate::problem::Problem;

/// Whether metasum reads the sheet `name`; any other sheet is left unread.
fn is_read(name: &str) -> bool {
    ReviewFile::ALL.iter().any(|f| f.sheet() == name)
}

/// A workbook read as dataset files.
pub struct SheetFiles {
    /// File name (`studies.csv`, ...) -> CSV bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// File name -> the sheet it came from and the sheet row of each CSV
    /// line (index 0 is line 1), so problems name sheet rows.
    pub rows: BTreeMap<String, (String, Vec<u64>)>,
    /// Problems found in the sheets themselves (a cell beyond the header, a
    /// matrix cell that is not an evidence mark), located by sheet, row and
    /// column.
    pub problems: Vec<Problem>,
    /// Sheets of a workbook, or a folder's `matrix.csv` beside its files.
    pub layout: Layout,
}

impl SheetFiles {
    /// Points `problem` (found in the CSV text a sheet became) at the
    /// sheet and its rows (its message names sheets already: the loader
    /// knows it reads a workbook, [`super::files::Layout`]).
    pub fn locate(&self, problem: &mut Problem) {
        if problem.sheet.is_some() {
            return; // found in the sheet, located already
        }
        if let Some((sheet, rows)) = self.rows.get(&problem.file) {
            let row = |line: u64| rows.get((line as usize).checked_sub(1)?).copied();
            problem.line = problem.line.and_then(row);
            problem.first = problem.first.and_then(row);
            match self.layout {
                Layout::Workbook => problem.sheet = Some(sheet.clone()),
                // A folder's matrix.csv: its own lines.
                Layout::Folder => problem.file = ReviewFile::Matrix.file().to_string(),
            }
        }
    }
}

/// Whether `path` names a spreadsheet metasum reads.
pub fn is_workbook(path: &Path) -> bool {
    extension(path).is_some_and(|e| ["xlsx", "xlsm", "xls", "ods"].contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// A cell as text; empty cells are empty text. Spreadsheet errors become
/// their `#DIV/0!` text, which the loader refuses with its place.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => date_text(d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// [`cell_text`] for the cells an `.xlsx` sheet streams.
fn cell_ref_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => date_text(d),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A date cell as the spreadsheet shows it (`2019-05-01`, with the time
/// when there is one); a duration as its number of days. Its serial number
/// (43586) would be read as a number: a year typed into a date cell would
/// become a wrong year instead of an error.
fn date_text(d: &calamine::ExcelDateTime) -> String {
    match d.as_datetime() {
        Some(t) if d.is_datetime() => {
            let day = t.format("%Y-%m-%d").to_string();
            match t.format("%H:%M:%S").to_string() {
                time if time == "00:00:00" => day,
                time => format!("{day} {time}"),
            }
        }
        _ => float_text(d.as_f64()),
    }
}

/// A number as a person typed it: `4`, not `4.0`.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A sheet as the cells it holds: non-empty rows in order, each with its
/// 1-based sheet row and its (0-based column, text) cells.
#[derive(Default)]
struct Sheet {
    rows: Vec<(u64, Vec<(usize, String)>)>,
}

impl Sheet {
    /// Builds a sheet from cells in any order.
    fn from_cells(mut cells: Vec<(u32, u32, String)>) -> Sheet {
        cells.sort_unstable_by_key(|(r, c, _)| (*r, *c));
        let mut sheet = Sheet::default();
        for (r, c, text) in cells {
            let row = u64::from(r) + 1;
            match sheet.rows.last_mut() {
                Some((last, cells)) if *last == row => cells.push((c as usize, text)),
                _ => sheet.rows.push((row, vec![(c as usize, text)])),
            }
        }
        sheet
    }

    /// The text of the first cell (`dataset.toml` keeps its text in one).
    fn cell(&self, row: usize) -> String {
        self.rows
            .get(row)
            .and_then(|(_, cells)| cells.first())
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }
}

/// Reads the dataset sheets of the workbook at `path`.
pub fn read(path: &Path) -> Result<SheetFiles, String> {
    let sheets = read_sheets(path)?;
    let mut out = SheetFiles {
        files: BTreeMap::new(),
        rows: BTreeMap::new(),
        problems: Vec::new(),
        layout: Layout::Workbook,
    };
    let has = |f: ReviewFile| sheets.iter().any(|(s, _)| *s == f.sheet());
    if has(ReviewFile::Matrix) && (has(ReviewFile::Findings) || has(ReviewFile::Evidence)) {
        return Err(
            "the workbook has a `matrix` sheet and `findings`/`evidence` sheets: keep one form"
                .into(),
        );
    }
    let study_ids: Vec<String> = sheets
        .iter()
        .find(|(s, _)| *s == ReviewFile::Studies.sheet())
        .map(|(_, sheet)| column_values(sheet, "id"))
        .unwrap_or_default();
    for (name, sheet) in &sheets {
        let Some(file) = ReviewFile::ALL.into_iter().find(|f| f.sheet() == *name) else {
            continue; // only sheets metasum reads are kept (`is_read`)
        };
        match file {
            ReviewFile::Meta => {
                // The TOML text in one cell: A2 under a `dataset.toml`
                // heading (as `export` writes it), else A1.
                let text = if sheet.cell(0) == ReviewFile::Meta.file() {
                    sheet.cell(1)
                } else {
                    sheet.cell(0)
                };
                out.files.insert(file.file().into(), text.into_bytes());
            }
            ReviewFile::Matrix => {
                let rows = sheet_rows(name, sheet, &mut out.problems)?;
                let (findings, evidence) = super::matrix_sheet::split(
                    rows,
                    &study_ids,
                    Layout::Workbook,
                    &mut out.problems,
                );
                for (file, rows) in [
                    (ReviewFile::Findings, findings),
                    (ReviewFile::Evidence, evidence),
                ] {
                    out.add(file.file(), name, &rows)?;
                }
            }
            file => {
                let rows = sheet_rows(name, sheet, &mut out.problems)?;
                out.add(file.file(), name, &rows)?;
            }
        }
    }
    Ok(out)
}

/// Rows of text as the CSV files have them: each row as wide as the
/// header, with its 1-based sheet row.
pub(super) type SheetRows = Vec<(u64, Vec<String>)>;

impl SheetFiles {
    pub(super) fn add(&mut self, file: &str, sheet: &str, rows: &SheetRows) -> Result<(), String> {
        let (bytes, lines) = to_csv(rows)?;
        self.files.insert(file.into(), bytes);
        self.rows.insert(file.into(), (sheet.into(), lines));
        Ok(())
    }
}

/// The sheet's rows as wide as its header (the first non-empty row). A
/// cell to the right of the header is a problem at its place, and is left
/// out: one stray cell at XFD1048576 would otherwise widen every row to
/// 16,384 columns.
fn sheet_rows(name: &str, sheet: &Sheet, problems: &mut Vec<Problem>) -> Result<SheetRows, String> {
    let Some((header_row, header)) = sheet.rows.first() else {
        return Ok(Vec::new());
    };
    let width = header.last().map_or(0, |(c, _)| c + 1);
    if width.saturating_mul(sheet.rows.len()) > MAX_CELLS {
        return Err(format!(
            "sheet `{name}` has a header {width} columns wide (to cell {}{header_row}) over {} rows: more than {MAX_CELLS} cells; delete what stands to the right of its columns",
            column_letters(width - 1),
            sheet.rows.len()
        ));
    }
    let mut rows = Vec::with_capacity(sheet.rows.len());
    for (row, cells) in &sheet.rows {
        let mut texts = vec![String::new(); width];
        for (c, text) in cells {
            match texts.get_mut(*c) {
                Some(slot) => *slot = text.clone(),
                None => {
                    let mut p = Problem::at(
                        &format!("{name}.csv"),
                        *row,
                        format!(
                            "cell {}{row} holds `{}`, to the right of the header's last column ({}); delete it or give its column a header",
                            column_letters(*c),
                            metasum_query::error::excerpt(text),
                            column_letters(width.saturating_sub(1)),
                        ),
                    );
                    p.sheet = Some(name.to_string());
                    problems.push(p);
                }
            }
        }
        rows.push((*row, texts));
    }
    Ok(rows)
}

/// The values of the column headed `name` (trimmed), below its header.
fn column_values(sheet: &Sheet, name: &str) -> Vec<String> {
    let Some((_, header)) = sheet.rows.first() else {
        return Vec::new();
    };
    let Some(col) = header
        .iter()
        .find(|(_, h)| h.trim() == name)
        .map(|(c, _)| *c)
    else {
        return Vec::new();
    };
    sheet.rows[1..]
        .iter()
        .filter_map(|(_, cells)| cells.iter().find(|(c, _)| *c == col))
        .map(|(_, t)| t.trim().to_string())
        .collect()
}

/// Spreadsheet column letters of a 0-based column: 0 is `A`, 16383 `XFD`.
pub(super) fn column_letters(mut col: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The sheets metasum reads, each as the cells it holds.
fn read_sheets(path: &Path) -> Result<Vec<(String, Sheet)>, String> {
    let cannot = |e: String| format!("cannot read the workbook: {e}");
    let ext = extension(path).unwrap_or_default();
    if ["xlsx", "xlsm", "ods"].contains(&ext.as_str()) {
        limits::check_inflated_size(path)?;
    }
    if ext == "ods" {
        limits::check_ods_cells(path)?;
    }
    let mut out = Vec::new();
    if ext == "xlsx" || ext == "xlsm" {
        let mut book: Xlsx<_> = open_workbook(path).map_err(|e| cannot(format!("{e}")))?;
        for name in book.sheet_names() {
            if !is_read(&name) {
                continue;
            }
            let mut reader = book
                .worksheet_cells_reader(&name)
                .map_err(|e| format!("sheet `{name}`: {e}"))?;
            let mut cells = Vec::new();
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| format!("sheet `{name}`: {e}"))?
            {
                let text = cell_ref_text(cell.get_value());
                if text.is_empty() {
                    continue;
                }
                if cells.len() == MAX_CELLS {
                    return Err(too_many_cells(&name));
                }
                let (r, c) = cell.get_position();
                cells.push((r, c, text));
            }
            out.push((name, Sheet::from_cells(cells)));
        }
        return Ok(out);
    }
    // Other formats through calamine's ranges (`.ods` is measured above;
    // `.xls` is limited by its format to 65,536 x 256).
    let mut book = open_workbook_auto(path).map_err(|e| cannot(format!("{e}")))?;
    for name in book.sheet_names() {
        if !is_read(&name) {
            continue;
        }
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("sheet `{name}`: {e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = cell_text(cell);
                if text.is_empty() {
                    continue;
                }
                if cells.len() == MAX_CELLS {
                    return Err(too_many_cells(&name));
                }
                cells.push((r0 + r as u32, c0 + c as u32, text));
            }
        }
        out.push((name, Sheet::from_cells(cells)));
    }
    Ok(out)
}

fn too_many_cells(name: &str) -> String {
    format!("sheet `{name}` holds more than {MAX_CELLS} cells; metasum reads no more")
}

/// CSV text of `rows` (each as wide as the first) and the sheet row of
/// each line.
fn to_csv(rows: &SheetRows) -> Result<(Vec<u8>, Vec<u64>), String> {
    let mut w = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    let mut lines = Vec::with_capacity(rows.len());
    for (row, cells) in rows {
        // One CSV line per sheet row (a line break inside a cell would shift
        // the line numbers that problems report).
        w.write_record(cells.iter().map(|c| c.replace(['\r', '\n'], " ")))
            .map_err(|e| e.to_string())?;
        lines.push(*row);
    }
    Ok((w.into_inner().map_err(|e| e.to_string())?, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_a_spreadsheet_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn a_cell_right_of_the_header_is_a_problem_not_a_wider_table() {
        let sheet = Sheet::from_cells(vec![
            (0, 0, "id".into()),
            (0, 1, "author".into()),
            (1, 0, "1".into()),
            (1, 1, "Ames".into()),
            (1_048_575, 16_383, "stray".into()),
        ]);
        let mut problems = Vec::new();
        let rows = sheet_rows("studies", &sheet, &mut problems).unwrap();
        assert!(rows.iter().all(|(_, cells)| cells.len() == 2));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(1_048_576));
        assert!(
            problems[0]
                .message
                .starts_with("cell XFD1048576 holds `stray`"),
            "{}",
            problems[0].message
        );
    }
}
