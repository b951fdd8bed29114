//! The matrix a reviewer keeps (a workbook's `matrix` sheet, or a folder's
//! `matrix.csv`): one row per finding, its columns (`id`, `name`, ...)
//! followed by one column per study, headed by the study's id, with a mark
//! where the study has the finding. Split here into the findings and
//! evidence a CSV dataset would hold.
//!
//! Marks are read as a reviewer writes them, and nothing else is: metasum's
//! own matrix output (1/0) pasted back once gave every finding FES 100,
//! because any non-empty cell, `0` included, counted as evidence.

use super::workbook::{SheetRows, column_letters};
use crate::problem::Problem;
use crate::review::dataset::files::{Layout, ReviewFile};

/// What a cell of a study column says: evidence, no evidence, or `None`
/// for text that is no mark (refused with its place).
pub(super) fn mark(text: &str) -> Option<bool> {
    // `✔️` as an emoji keyboard writes it: the check mark and U+FE0F.
    match text
        .trim()
        .trim_end_matches('\u{FE0F}')
        .to_lowercase()
        .as_str()
    {
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

/// The findings and evidence of a matrix. A column is a study column
/// when its header is the id of a study in the studies' table
/// (`study_ids`) or a whole number (a study id that, if it is missing, the
/// loader reports); other columns describe the findings. Problems go to
/// `problems`, each with its row and column, one per cause: the columns
/// of marks that name no study are one problem (with the ids they most
/// likely mean, or the missing studies' table), a totals row is one.
pub(super) fn split(
    rows: SheetRows,
    study_ids: &[String],
    layout: Layout,
    problems: &mut Vec<Problem>,
) -> (SheetRows, SheetRows) {
    let Some((header_row, header)) = rows.first() else {
        return (Vec::new(), Vec::new());
    };
    let body = &rows[1..];
    let at = Place {
        layout,
        header_row: *header_row,
    };
    let columns = classify(header, body, study_ids, &at, problems);
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
        if let Some(problem) = totals_row(*row, cells, &columns, id_column, &at) {
            problems.push(problem);
            continue;
        }
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
                None => problems.push(at.problem(
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

/// Where the matrix is kept, for its problems.
struct Place {
    layout: Layout,
    header_row: u64,
}

impl Place {
    /// A problem at `row` and `column` of the matrix.
    fn problem(&self, row: u64, column: &str, message: String) -> Problem {
        match self.layout {
            Layout::Workbook => {
                let mut p = Problem::cell(ReviewFile::Evidence.file(), row, column, message);
                p.sheet = Some(ReviewFile::Matrix.sheet());
                p
            }
            Layout::Folder => Problem::cell(ReviewFile::Matrix.file(), row, column, message),
        }
    }
}

/// How each column is read; the columns of marks whose header names no
/// study are refused, in one problem.
fn classify(
    header: &[String],
    body: &[(u64, Vec<String>)],
    study_ids: &[String],
    at: &Place,
    problems: &mut Vec<Problem>,
) -> Vec<Column> {
    let mut unnamed: Vec<&str> = Vec::new();
    let columns = (header.iter().enumerate())
        .map(|(c, h)| {
            let h = h.trim();
            let cells = || body.iter().filter_map(|(_, r)| r.get(c)).map(|t| t.trim());
            if h.is_empty() {
                if cells().any(|t| !t.is_empty()) {
                    problems.push(at.problem(
                        at.header_row,
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
            if let Some(id) = study_named(h, study_ids) {
                return Column::Study(id.to_string());
            }
            if h.parse::<u64>().is_ok_and(|n| n > 0) {
                return Column::Study(h.to_string());
            }
            // Half or more marks: a study column whose header names no study (a
            // typo, an author-year label). Read as a finding column, its
            // evidence would vanish without a word.
            let filled = cells().filter(|t| !t.is_empty()).count();
            let marks = cells().filter(|t| !t.is_empty() && is_mark(t)).count();
            if marks > 0 && marks * 2 >= filled {
                unnamed.push(h);
                return Column::Refused;
            }
            Column::Attribute
        })
        .collect();
    if let Some(first) = unnamed.first() {
        problems.push(at.problem(
            at.header_row,
            first,
            unnamed_columns(&unnamed, study_ids, at.layout),
        ));
    }
    columns
}

/// The one message for the columns of marks whose headers name no study:
/// the studies' table is missing, or each header with the id it most
/// likely means.
fn unnamed_columns(unnamed: &[&str], study_ids: &[String], layout: Layout) -> String {
    let studies = ReviewFile::Studies.named(layout);
    let (findings_file, evidence_file) = match layout {
        Layout::Workbook => ("a `findings` sheet", "an `evidence` sheet"),
        Layout::Folder => (ReviewFile::Findings.file(), ReviewFile::Evidence.file()),
    };
    let count = crate::words::count_of(unnamed.len(), "column holds", "columns hold");
    if study_ids.is_empty() {
        return format!(
            "{count} evidence marks, and there are no studies to name: add {studies} (an `id`, `author` and `year` per study), and head each study column with its study's id"
        );
    }
    let listed: Vec<String> = (unnamed.iter().take(10))
        .map(|h| match nearest_id(h, study_ids) {
            Some(id) => format!("`{}` (`{id}`?)", metasum_query::error::excerpt(h)),
            None => format!("`{}`", metasum_query::error::excerpt(h)),
        })
        .collect();
    let more = match unnamed.len() {
        n if n > 10 => format!(" and {} more", n - 10),
        _ => String::new(),
    };
    format!(
        "{count} evidence marks under a header that is not the id of a study in {studies}: {}{more}; head each study column with its study's id exactly (a column that describes the findings with yes/no values belongs in {findings_file}, beside {evidence_file})",
        listed.join(", ")
    )
}

/// The study id `header` names by the one rule of case: written exactly
/// so, else the one spelt so in another case.
fn study_named<'a>(header: &str, ids: &'a [String]) -> Option<&'a str> {
    if let Some(id) = ids.iter().find(|id| *id == header) {
        return Some(id);
    }
    let lower = header.to_lowercase();
    let mut alike = ids.iter().filter(|id| id.to_lowercase() == lower);
    match (alike.next(), alike.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The study id a header most likely means: the one written alike but for
/// case, spaces and punctuation (`Nguyen 2019` for `Nguyen2019`), else
/// one within two edits.
fn nearest_id<'a>(header: &str, ids: &'a [String]) -> Option<&'a str> {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = plain(header);
    if let Some(id) = ids.iter().find(|id| plain(id) == wanted) {
        return Some(id);
    }
    (ids.iter())
        .map(|id| (metasum_query::edit_distance(&wanted, &plain(id)), id))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, id)| id.as_str())
}

/// One problem for a row of totals (whole numbers, some above 1, under
/// the study columns, and no finding id or one saying total): metasum
/// counts n and FES itself, and the row is left out.
fn totals_row(
    row: u64,
    cells: &[String],
    columns: &[Column],
    id_column: Option<usize>,
    at: &Place,
) -> Option<Problem> {
    let marks: Vec<&str> = (columns.iter().zip(cells))
        .filter(|(c, _)| matches!(c, Column::Study(_)))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let counts = !marks.is_empty()
        && marks.iter().all(|t| t.parse::<u64>().is_ok())
        && marks.iter().any(|t| t.parse::<u64>().is_ok_and(|n| n > 1));
    let id = id_column
        .and_then(|c| cells.get(c))
        .map_or("", |t| t.trim());
    // An empty id, or one a spreadsheet's totals row has: `Total`,
    // `Totals`, `Sum`, `n`, `Count`.
    let lower = id.to_lowercase();
    let says_total =
        id.is_empty() || lower.contains("total") || ["sum", "n", "count"].contains(&lower.as_str());
    (counts && says_total).then(|| {
        at.problem(
            row,
            id_column.map_or("id", |_| "id"),
            "looks like a totals row (counts, not evidence marks, under the study columns): delete it; metasum counts each finding's studies and each study's findings itself".into(),
        )
    })
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
            &["4", "Trust", "\u{2714}\u{FE0F}", "", ""],
        ]);
        let mut problems = Vec::new();
        let (findings, evidence) = split(sheet, &[], Layout::Workbook, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(findings[0].1, ["id", "name"]);
        let expected = [
            ("1", "1"),
            ("2", "1"),
            ("2", "2"),
            ("3", "1"),
            ("3", "2"),
            ("4", "1"),
        ];
        assert_eq!(
            links(&evidence),
            expected.map(|(f, s)| (f.to_string(), s.to_string()))
        );
    }

    #[test]
    fn text_keys_of_the_studies_sheet_head_study_columns() {
        let sheet = rows(&[&["id", "name", "Smith2019"], &["1", "Low pay", "1"]]);
        let mut problems = Vec::new();
        let (_, evidence) = split(
            sheet,
            &["Smith2019".into()],
            Layout::Workbook,
            &mut problems,
        );
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
        let (findings, evidence) = split(sheet, &["1".into()], Layout::Workbook, &mut problems);
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
            split(sheet, &["1".into()], Layout::Workbook, &mut problems);
            assert_eq!(problems.len(), 1, "{cells:?}");
            assert!(
                problems[0]
                    .message
                    .contains("evidence marks under a header that is not the id"),
                "{cells:?}"
            );
        }
        // A column of text that holds a mark or two describes the findings.
        let sheet = rows(&[
            &["id", "theme", "1"],
            &["1", "pay", "1"],
            &["2", "x", "0"],
            &["3", "roles", "1"],
        ]);
        let mut problems = Vec::new();
        let (findings, _) = split(sheet, &[], Layout::Workbook, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(findings[0].1, ["id", "theme"]);
    }

    /// Fourteen columns headed `Nguyen 2019` where the ids are
    /// `Nguyen2019`: one problem, each header with the id it means.
    #[test]
    fn columns_that_name_no_study_are_one_problem_with_the_ids_they_mean() {
        let ids: Vec<String> = ["Nguyen2019", "Smith2018a", "Okafor2020"]
            .map(String::from)
            .to_vec();
        let sheet = rows(&[
            &["id", "name", "Nguyen 2019", "smith-2018a", "Zed 1999"],
            &["1", "a", "1", "x", "1"],
            &["2", "b", "0", "", "0"],
        ]);
        let mut problems = Vec::new();
        split(sheet, &ids, Layout::Folder, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "matrix.csv");
        assert_eq!(problems[0].column.as_deref(), Some("Nguyen 2019"));
        assert_eq!(
            problems[0].message,
            "3 columns hold evidence marks under a header that is not the id of a study in studies.csv: `Nguyen 2019` (`Nguyen2019`?), `smith-2018a` (`Smith2018a`?), `Zed 1999`; head each study column with its study's id exactly (a column that describes the findings with yes/no values belongs in findings.csv, beside evidence.csv)"
        );
        // Without any studies: one problem, that says to add them.
        let sheet = rows(&[
            &["id", "name", "Nguyen 2019", "Lee 2020"],
            &["1", "a", "1", "x"],
        ]);
        let mut problems = Vec::new();
        split(sheet, &[], Layout::Workbook, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.starts_with(
                "2 columns hold evidence marks, and there are no studies to name: add sheet studies"
            ),
            "{}",
            problems[0].message
        );
    }

    /// A header names its study in any case, when one id is spelt so.
    #[test]
    fn a_header_names_its_study_in_any_case() {
        let sheet = rows(&[&["id", "name", "nguyen2019"], &["1", "a", "x"]]);
        let mut problems = Vec::new();
        let ids = ["Nguyen2019".to_string()];
        let (_, evidence) = split(sheet, &ids, Layout::Folder, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            links(&evidence),
            [("1".to_string(), "Nguyen2019".to_string())]
        );
    }

    /// A row of counts under the study columns (a spreadsheet's totals):
    /// one problem, the row left out, not a problem per cell.
    #[test]
    fn a_totals_row_is_one_problem() {
        let sheet = rows(&[
            &["id", "name", "1", "2", "3"],
            &["1", "a", "1", "0", "1"],
            &["2", "b", "1", "1", ""],
            &["", "Total", "2", "1", "1"],
        ]);
        let mut problems = Vec::new();
        let (findings, evidence) = split(sheet, &[], Layout::Folder, &mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(4));
        // A totals row headed `Sum` or `n` is one too.
        for id in ["Sum", "n"] {
            let sheet = rows(&[
                &["id", "name", "1", "2"],
                &["1", "a", "1", "0"],
                &[id, "", "3", "2"],
            ]);
            let mut problems = Vec::new();
            split(sheet, &[], Layout::Folder, &mut problems);
            assert_eq!(problems.len(), 1, "{id}: {problems:?}");
        }
        assert!(
            problems[0].message.starts_with("looks like a totals row"),
            "{problems:?}"
        );
        assert_eq!(findings.len(), 3);
        assert_eq!(links(&evidence).len(), 4);
    }

    #[test]
    fn anything_else_in_a_study_column_is_refused_with_its_place() {
        let sheet = rows(&[&["id", "4"], &["1", "1"], &["2", "maybe"]]);
        let mut problems = Vec::new();
        split(sheet, &[], Layout::Workbook, &mut problems);
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
