//! The `matrix` sheet of a workbook: one row per finding, its columns
//! (`id`, `perspective`, `name`, ...) followed by one column per study,
//! headed by the study's id, with a mark where the study has the finding.
//! Split here into the findings and evidence a CSV dataset would hold.
//!
//! Marks are read as a reviewer writes them, and nothing else is: metasum's
//! own matrix output (1/0) pasted back once gave every finding FES 100,
//! because any non-empty cell, `0` included, counted as evidence.

use super::workbook::{SheetRows, column_letters};
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

/// What a cell of a study column says: evidence, no evidence, or `None`
/// for text that is no mark (refused with its place).
pub(super) fn mark(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "false" => Some(false),
        "1" | "x" | "\u{2713}" | "\u{2714}" | "yes" | "true" => Some(true),
        _ => None,
    }
}

/// Whether a filled cell is an evidence mark.
fn is_mark(text: &str) -> bool {
    mark(text).is_some()
}

/// Finding columns of the CSV format: never study columns. (A review's
/// own columns, its grouping among them, are finding columns when their
/// header names no study and their cells are not evidence marks.)
const FINDING_COLUMNS: [&str; 3] = ["id", "name", "reported_fes"];

/// How a column of the matrix sheet is read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    /// Describes the findings (goes to findings.csv).
    Attribute,
    /// Evidence marks for the study with this id.
    Study(String),
    /// Left out, with a problem reported.
    Refused,
}

/// The findings and evidence of a matrix sheet. A column is a study column
/// when its header is the id of a study in the `studies` sheet
/// (`study_ids`) or a whole number (a study id that, if it is missing, the
/// loader reports); other columns describe the findings. Problems go to
/// `problems`, each with its sheet row and column.
pub(super) fn split(
    rows: SheetRows,
    study_ids: &[String],
    problems: &mut Vec<Problem>,
) -> (SheetRows, SheetRows) {
    let Some((header_row, header)) = rows.first() else {
        return (Vec::new(), Vec::new());
    };
    let body = &rows[1..];
    let problem = |row: u64, column: &str, message: String| {
        let mut p = Problem::cell(ReviewFile::Evidence.file(), row, column, message);
        p.sheet = Some("matrix".into());
        p
    };
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let h = h.trim();
            let cells = || body.iter().filter_map(|(_, r)| r.get(c)).map(|t| t.trim());
            if h.is_empty() {
                if cells().any(|t| !t.is_empty()) {
                    problems.push(problem(
                        *header_row,
                        &column_letters(c),
                        "holds values under an empty header; give it a header (a study id, or the name of a finding column)".into(),
                    ));
                    return Column::Refused;
                }
                return Column::Attribute;
            }
            if FINDING_COLUMNS.contains(&h) {
                return Column::Attribute;
            }
            if study_ids.iter().any(|id| id == h) || h.parse::<u64>().is_ok_and(|n| n > 0) {
                return Column::Study(h.to_string());
            }
            // Half or more marks: a study column whose header names no study (a
            // typo, an author-year label). Read as a finding column, its
            // evidence would vanish without a word.
            let filled = cells().filter(|t| !t.is_empty()).count();
            let marks = cells().filter(|t| !t.is_empty() && is_mark(t)).count();
            if marks > 0 && marks * 2 >= filled {
                problems.push(problem(
                    *header_row,
                    h,
                    format!(
                        "holds evidence marks in {marks} of its {filled} filled cells, but `{}` is not the id of a study in sheet studies; head each study column with its study's id (a column that describes the findings with yes/no values belongs in a `findings` sheet, beside an `evidence` sheet)",
                        metasum_query::error::excerpt(h)
                    ),
                ));
                return Column::Refused;
            }
            Column::Attribute
        })
        .collect();
    let attributes: Vec<usize> = (0..header.len())
        .filter(|c| columns[*c] == Column::Attribute && !header[*c].trim().is_empty())
        .collect();
    let id_column = header.iter().position(|h| h.trim() == "id");
    let mut findings = vec![(
        *header_row,
        attributes.iter().map(|c| header[*c].clone()).collect(),
    )];
    let mut evidence = vec![(
        *header_row,
        vec!["finding".to_string(), "study".to_string()],
    )];
    for (row, cells) in body {
        let cell = |c: usize| cells.get(c).cloned().unwrap_or_default();
        findings.push((*row, attributes.iter().map(|c| cell(*c)).collect()));
        let finding = id_column.map(cell).unwrap_or_default();
        for (c, column) in columns.iter().enumerate() {
            let Column::Study(study) = column else {
                continue;
            };
            let text = cell(c);
            match mark(&text) {
                Some(true) => evidence.push((*row, vec![finding.clone(), study.clone()])),
                Some(false) => {}
                None => problems.push(problem(
                    *row,
                    study,
                    format!(
                        "`{}` is not an evidence mark: write 1 (or x, \u{2713}, yes, true) where the study has the finding, 0 (or blank, no, false) where it has not",
                        metasum_query::error::excerpt(&text)
                    ),
                )),
            }
        }
    }
    (findings, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> SheetRows {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| (i as u64 + 1, cells.iter().map(|c| c.to_string()).collect()))
            .collect()
    }

    fn links(evidence: &SheetRows) -> Vec<(String, String)> {
        evidence[1..]
            .iter()
            .map(|(_, r)| (r[0].clone(), r[1].clone()))
            .collect()
    }

    #[test]
    fn zeros_are_no_evidence_and_every_common_mark_is_read() {
        let sheet = rows(&[
            &["id", "name", "1", "2", "3"],
            &["1", "Low pay", "1", "0", ""],
            &["2", "Role models", "x", "\u{2713}", "no"],
            &["3", "Rapport", "TRUE", "Yes", "false"],
        ]);
        let mut problems = Vec::new();
        let (findings, evidence) = split(sheet, &[], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(findings[0].1, ["id", "name"]);
        let expected = [("1", "1"), ("2", "1"), ("2", "2"), ("3", "1"), ("3", "2")];
        assert_eq!(
            links(&evidence),
            expected.map(|(f, s)| (f.to_string(), s.to_string()))
        );
    }

    #[test]
    fn text_keys_of_the_studies_sheet_head_study_columns() {
        let sheet = rows(&[&["id", "name", "Smith2019"], &["1", "Low pay", "1"]]);
        let mut problems = Vec::new();
        let (_, evidence) = split(sheet, &["Smith2019".into()], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            links(&evidence),
            [("1".to_string(), "Smith2019".to_string())]
        );
    }

    #[test]
    fn a_column_of_marks_that_names_no_study_is_refused() {
        let sheet = rows(&[
            &["id", "name", "Smith 2019"],
            &["1", "Low pay", "1"],
            &["2", "Rapport", "0"],
        ]);
        let mut problems = Vec::new();
        let (findings, evidence) = split(sheet, &["1".into()], &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].column.as_deref(), Some("Smith 2019"));
        assert_eq!(problems[0].line, Some(1));
        // Neither a finding column nor evidence.
        assert_eq!(findings[0].1, ["id", "name"]);
        assert!(links(&evidence).is_empty());
    }

    #[test]
    fn a_column_of_mostly_marks_is_refused_whatever_its_marks() {
        // TRUE/FALSE as Excel writes them, or marks with one slip: the
        // column became a finding column and its evidence was lost.
        for cells in [["TRUE", "FALSE", "true"], ["x", "maybe", ""], ["1", "", ""]] {
            let sheet = rows(&[
                &["id", "name", "Smith 2019"],
                &["1", "a", cells[0]],
                &["2", "b", cells[1]],
                &["3", "c", cells[2]],
            ]);
            let mut problems = Vec::new();
            split(sheet, &["1".into()], &mut problems);
            assert_eq!(problems.len(), 1, "{cells:?}");
            assert!(problems[0].message.contains("filled cells"), "{cells:?}");
        }
        // A column of text that holds a mark or two describes the findings.
        let sheet = rows(&[
            &["id", "theme", "1"],
            &["1", "pay", "1"],
            &["2", "x", "0"],
            &["3", "roles", "1"],
        ]);
        let mut problems = Vec::new();
        let (findings, _) = split(sheet, &[], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(findings[0].1, ["id", "theme"]);
    }

    #[test]
    fn anything_else_in_a_study_column_is_refused_with_its_place() {
        let sheet = rows(&[&["id", "4"], &["1", "1"], &["2", "maybe"]]);
        let mut problems = Vec::new();
        split(sheet, &[], &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(3));
        assert_eq!(problems[0].column.as_deref(), Some("4"));
        assert!(
            problems[0]
                .message
                .starts_with("`maybe` is not an evidence mark")
        );
    }
}
