//! A folder's `matrix.csv` (the study x finding matrix a reviewer keeps in
//! a spreadsheet, saved as CSV): read by the one CSV reader, split as a
//! workbook's `matrix` sheet is ([`super::matrix_sheet`]) into the
//! findings.csv and evidence.csv it stands for, beside the folder's other
//! files. The loader then reads those; their problems point at the lines
//! of matrix.csv ([`SheetFiles::locate`]).

use std::collections::BTreeMap;

use super::Source;
use super::cells::cell_text;
use super::csvfile::CsvRows;
use super::files::{Layout, ReviewFile};
use super::workbook::{SheetFiles, SheetRows};
use crate::problem::Problem;

/// The files of `source` with its `matrix` (the bytes of matrix.csv) in
/// place of findings.csv and evidence.csv. Problems of the matrix itself
/// (a mark that is none, a column of marks that names no study) go to the
/// result's `problems`; a folder that holds both forms is one problem.
pub(super) fn expand(source: &Source<'_>, matrix: &[u8]) -> Result<SheetFiles, Box<Problem>> {
    let mut out = SheetFiles {
        files: BTreeMap::new(),
        rows: BTreeMap::new(),
        problems: Vec::new(),
        layout: Layout::Folder,
    };
    let unreadable =
        |name: &str, e: std::io::Error| Problem::file(name, format!("cannot be read: {e}"));
    for file in ReviewFile::ALL {
        let name = file.file();
        if file == ReviewFile::Matrix {
            continue;
        }
        let Some(bytes) = source.read(name).map_err(|e| unreadable(name, e))? else {
            continue;
        };
        if matches!(file, ReviewFile::Findings | ReviewFile::Evidence) {
            return Err(Box::new(Problem::file(
                ReviewFile::Matrix.file(),
                format!(
                    "the folder has both {} and {name}: keep one form (the matrix, or {} with {})",
                    ReviewFile::Matrix.file(),
                    ReviewFile::Findings.file(),
                    ReviewFile::Evidence.file()
                ),
            )));
        }
        out.files.insert(name.to_string(), bytes);
    }
    let study_ids = out
        .files
        .get(ReviewFile::Studies.file())
        .map(|bytes| study_ids(bytes))
        .unwrap_or_default();
    let rows = rows(matrix, &mut out.problems);
    if rows.is_empty() {
        // Unreadable (told): it stands for no findings, not empty ones.
        return Ok(out);
    }
    let (findings, evidence) =
        super::matrix_sheet::split(rows, &study_ids, Layout::Folder, &mut out.problems);
    let sheet = ReviewFile::Matrix.file();
    for (file, rows) in [
        (ReviewFile::Findings, findings),
        (ReviewFile::Evidence, evidence),
    ] {
        out.add(file.file(), sheet, &rows)
            .map_err(|e| Box::new(Problem::file(sheet, e)))?;
    }
    Ok(out)
}

/// The rows of matrix.csv, its header first, each with its line.
fn rows(bytes: &[u8], problems: &mut Vec<Problem>) -> SheetRows {
    let file = ReviewFile::Matrix.file();
    let Some(mut reader) = CsvRows::open(file, bytes, &[], problems) else {
        return Vec::new();
    };
    let headers = reader.headers.clone();
    let mut rows: SheetRows = vec![(1, headers.clone())];
    let mut record = csv::ByteRecord::new();
    while let Ok(Some(line)) = reader.next(&mut record, problems) {
        let cells: Option<Vec<String>> = (headers.iter().zip(record.iter()))
            .map(|(name, raw)| Some(cell_text(file, line, name, raw, problems)?.into_owned()))
            .collect();
        // A row with a spreadsheet error (told) is left out.
        if let Some(cells) = cells {
            rows.push((line, cells));
        }
    }
    reader.finish(problems);
    rows
}

/// The ids of studies.csv as written (its problems are the loader's to tell).
fn study_ids(bytes: &[u8]) -> Vec<String> {
    let mut ignored = Vec::new();
    let file = ReviewFile::Studies.file();
    super::claims::records(file, bytes, &["id"], &mut ignored)
        .into_iter()
        .map(|(_, fields)| super::claims::field(&fields, "id").trim().to_string())
        .collect()
}
