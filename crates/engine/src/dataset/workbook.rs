//! A dataset kept as a spreadsheet: sheets `studies`, `papers`, `findings`,
//! `evidence` (the columns of the CSV files), or a `matrix` sheet (findings
//! as rows, study ids as column headers, any non-empty cell is evidence).
//! Sheets are turned into CSV text so one loader validates both forms.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use super::problem::Problem;

/// A workbook read as dataset files.
pub struct SheetFiles {
    /// File name (`studies.csv`, ...) -> CSV bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// File name -> the sheet it came from and the sheet row of each CSV
    /// line (index 0 is line 1), so problems name sheet rows.
    pub rows: BTreeMap<String, (String, Vec<u64>)>,
}

impl SheetFiles {
    /// Points `problem` (found in the CSV text a sheet became) at the
    /// sheet and its rows, and names sheets, not files, in its message.
    pub fn locate(&self, problem: &mut Problem) {
        if let Some((sheet, rows)) = self.rows.get(&problem.file) {
            let row = |line: u64| rows.get((line as usize).checked_sub(1)?).copied();
            problem.line = problem.line.and_then(row);
            problem.first = problem.first.and_then(row);
            problem.sheet = Some(sheet.clone());
        }
        for file in super::FILES {
            if let Some(stem) = file.strip_suffix(".csv") {
                problem.message = problem.message.replace(file, &format!("sheet {stem}"));
            }
        }
    }
}

/// Whether `path` names a spreadsheet metasum reads.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Rows of text, each with its 1-based sheet row.
type SheetRows = Vec<(u64, Vec<String>)>;

/// A sheet as rows of text, with the 1-based sheet row of each.
fn sheet_rows(range: &calamine::Range<Data>) -> SheetRows {
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell_text));
            (first_row + i as u64 + 1, cells)
        })
        .collect()
}

fn to_csv(rows: &[(u64, Vec<String>)]) -> Result<(Vec<u8>, Vec<u64>), String> {
    let width = rows.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    let mut w = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    let mut lines = Vec::new();
    for (row, cells) in rows {
        // One CSV line per sheet row (a line break inside a cell would shift
        // the line numbers that problems report), every row `width` wide.
        let cells = (0..width).map(|i| {
            cells
                .get(i)
                .map_or(String::new(), |c| c.replace(['\r', '\n'], " "))
        });
        w.write_record(cells).map_err(|e| e.to_string())?;
        lines.push(*row);
    }
    Ok((w.into_inner().map_err(|e| e.to_string())?, lines))
}

/// Reads the dataset sheets of the workbook at `path`.
pub fn read(path: &Path) -> Result<SheetFiles, String> {
    let mut workbook =
        open_workbook_auto(path).map_err(|e| format!("cannot read the workbook: {e}"))?;
    let names = workbook.sheet_names();
    let mut out = SheetFiles {
        files: BTreeMap::new(),
        rows: BTreeMap::new(),
    };
    let has = |n: &str| names.iter().any(|s| s == n);
    if has("matrix") && (has("findings") || has("evidence")) {
        return Err(
            "the workbook has a `matrix` sheet and `findings`/`evidence` sheets: keep one form"
                .into(),
        );
    }
    for sheet in &names {
        let range = workbook
            .worksheet_range(sheet)
            .map_err(|e| format!("sheet `{sheet}`: {e}"))?;
        let rows = sheet_rows(&range);
        if sheet == "dataset.toml" {
            // The TOML text in one cell: A2 under a `dataset.toml` heading
            // (as `export` writes it), else A1.
            let cell = |i: usize| {
                rows.get(i)
                    .and_then(|(_, r)| r.first())
                    .cloned()
                    .unwrap_or_default()
            };
            let text = if cell(0) == "dataset.toml" {
                cell(1)
            } else {
                cell(0)
            };
            out.files.insert("dataset.toml".into(), text.into_bytes());
            continue;
        }
        if sheet == "matrix" {
            let (findings, evidence) = split_matrix(&rows);
            for (file, rows) in [("findings.csv", findings), ("evidence.csv", evidence)] {
                let (bytes, lines) = to_csv(&rows)?;
                out.files.insert(file.into(), bytes);
                out.rows.insert(file.into(), ("matrix".into(), lines));
            }
            continue;
        }
        let file = format!("{sheet}.csv");
        if super::FILES.contains(&file.as_str()) {
            let (bytes, lines) = to_csv(&rows)?;
            out.files.insert(file.clone(), bytes);
            out.rows.insert(file, (sheet.clone(), lines));
        }
    }
    Ok(out)
}

/// The findings and evidence of a `matrix` sheet: columns whose header is a
/// whole number are studies; the others describe the finding.
fn split_matrix(rows: &[(u64, Vec<String>)]) -> (SheetRows, SheetRows) {
    let Some((header_row, header)) = rows.first() else {
        return (Vec::new(), Vec::new());
    };
    let study_columns: Vec<(usize, &String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim().parse::<i64>().is_ok())
        .collect();
    let id_column = header.iter().position(|h| h.trim() == "id");
    let attributes: Vec<usize> = (0..header.len())
        .filter(|i| !study_columns.iter().any(|(c, _)| c == i) && !header[*i].is_empty())
        .collect();
    let mut findings = vec![(
        *header_row,
        attributes.iter().map(|i| header[*i].clone()).collect(),
    )];
    let mut evidence = vec![(
        *header_row,
        vec!["finding".to_string(), "study".to_string()],
    )];
    for (row, cells) in &rows[1..] {
        let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
        findings.push((*row, attributes.iter().map(|i| cell(*i)).collect()));
        let finding = id_column.map(cell).unwrap_or_default();
        for (c, study) in &study_columns {
            if !cell(*c).trim().is_empty() {
                evidence.push((*row, vec![finding.clone(), study.trim().to_string()]));
            }
        }
    }
    (findings, evidence)
}
