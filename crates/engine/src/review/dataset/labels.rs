//! How a person reads a study's name: its `label` when the reviewer gives
//! one, else `author (year)`, as a reference list cites it; two studies of
//! one author and year become `(2019a)` and `(2019b)`.

use polars::prelude::{DataFrame, PlHashMap};

use super::csvfile::ReadTable;
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

/// The studies' labels when two of them could clash, checked: two
/// studies with one label (given, or made from author and year), or a
/// label that is a matrix column's name, is a located problem. `None` when
/// no clash is possible; [`labels_of`] then makes them when first needed.
///
/// Labels made from author and year alone cannot clash when every study
/// has a year: `author (year)` ends in ` (`, digits, the letter and `)`,
/// so the last ` (` splits it back into the author and the year, the
/// letters tell apart the studies of one author and year, and no matrix
/// column name (`reserved`) holds ` (` (when one does, they are checked).
/// Then nothing is made at load: at 10,000 studies
/// the labels took 1.3 ms of every process (3.3 ms with std's SipHash and
/// a `String` key per study), whether or not a statement showed one.
pub fn study_labels(
    studies: &ReadTable,
    reserved: &[&str],
    problems: &mut Vec<Problem>,
) -> Option<PlHashMap<i64, String>> {
    if !may_clash(&studies.frame) && !reserved.iter().any(|c| c.contains(" (")) {
        return None;
    }
    let labelled = labelled(&studies.frame);
    let lines: Vec<(u64, &str)> = (labelled.iter())
        .map(|(row, _, label)| (studies.line(*row), label.as_str()))
        .collect();
    check_distinct(&lines, reserved, problems);
    Some(
        (labelled.into_iter())
            .map(|(_, id, label)| (id, label))
            .collect(),
    )
}

/// Study id (as a number) -> label, for every study of `frame` (loaded,
/// so already checked).
pub fn labels_of(frame: &DataFrame) -> PlHashMap<i64, String> {
    (labelled(frame).into_iter())
        .map(|(_, id, label)| (id, label))
        .collect()
}

/// Whether two labels could be the same: a `label` column is given, or
/// a study has no year.
fn may_clash(frame: &DataFrame) -> bool {
    let has_label = frame.column("label").is_ok();
    let years = frame.column("year").ok().and_then(|y| y.i64().ok());
    has_label || years.is_none_or(|y| y.null_count() > 0)
}

/// (row, id, label) of every study with an id, in row order: its `label`,
/// else `author (year)`, lettered within one author and year.
fn labelled(frame: &DataFrame) -> Vec<(usize, i64, String)> {
    let (Ok(ids), Ok(authors)) = (frame.column("id"), frame.column("author")) else {
        return Vec::new();
    };
    let (Ok(ids), Ok(authors)) = (ids.i64(), authors.str()) else {
        return Vec::new();
    };
    let rows = frame.height();
    let authors: Vec<&str> = authors.iter().map(Option::unwrap_or_default).collect();
    let years: Vec<Option<i64>> = match frame.column("year").ok().and_then(|y| y.i64().ok()) {
        Some(years) => years.iter().collect(),
        None => vec![None; rows],
    };
    let given: Vec<Option<&str>> = match frame.column("label").ok().and_then(|l| l.str().ok()) {
        Some(labels) => labels.iter().collect(),
        None => vec![None; rows],
    };
    // Author and year of the studies without a label, to find the ones
    // that need a letter.
    let mut shared: PlHashMap<(&str, Option<i64>), u32> = PlHashMap::default();
    for row in (0..rows).filter(|r| given[*r].is_none()) {
        *shared.entry((authors[row], years[row])).or_default() += 1;
    }
    let mut lettered: PlHashMap<(&str, Option<i64>), u32> = PlHashMap::default();
    let mut labelled = Vec::with_capacity(rows);
    for (row, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        let label = match given[row] {
            Some(label) => label.to_string(),
            None => {
                let cite = (authors[row], years[row]);
                let letter = if shared[&cite] > 1 {
                    let k = lettered.entry(cite).or_default();
                    *k += 1;
                    letter(*k)
                } else {
                    String::new()
                };
                cited(cite, &letter)
            }
        };
        labelled.push((row, id, label));
    }
    labelled
}

/// `author (year)` with the year's letter, `author` without a year.
fn cited((author, year): (&str, Option<i64>), letter: &str) -> String {
    use std::fmt::Write;
    let mut label = String::with_capacity(author.len() + 8 + letter.len());
    label.push_str(author);
    match year {
        // Writing to a String cannot fail.
        Some(year) => _ = write!(label, " ({year}{letter})"),
        None if letter.is_empty() => {}
        None => _ = write!(label, " ({letter})"),
    }
    label
}

/// Labels name the matrix's columns, which must differ from each other
/// and from the matrix's own: each clash is a problem at its line.
fn check_distinct(labelled: &[(u64, &str)], reserved: &[&str], problems: &mut Vec<Problem>) {
    let mut placed: PlHashMap<&str, u64> =
        PlHashMap::with_capacity_and_hasher(labelled.len(), Default::default());
    for &(line, label) in labelled {
        let problem =
            |message: String| Problem::cell(ReviewFile::Studies.file(), line, "label", message);
        if let Some(first) = placed.get(label) {
            problems.push(
                problem(format!(
                    "two studies are labelled `{label}` (a `label` cell, or author and year); give one of them another `label`"
                ))
                .repeating(*first),
            );
        } else if reserved.contains(&label) {
            problems.push(problem(format!(
                "`{label}` cannot label a study: the matrix has a column of that name"
            )));
        }
        placed.entry(label).or_insert(line);
    }
}

/// `a`, `b`, ..., `z`, `aa`, `ab`, ... for the `k`-th study (from 1).
fn letter(k: u32) -> String {
    let mut k = k;
    let mut out = Vec::new();
    while k > 0 {
        k -= 1;
        out.push(char::from(b'a' + (k % 26) as u8));
        k /= 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::Column;

    #[test]
    fn labels_made_from_author_and_year_never_clash_when_every_study_has_a_year() {
        // Authors that look like labels, and one author and year twice.
        let authors = [
            "Smith",
            "Smith",
            "Smith (2019a)",
            "Smith (2019",
            "Smith (2019b) (2019",
            "id",
            "",
            "",
            "Jones (-5)",
        ];
        let years = [2019i64, 2019, 2019, 2019, 2019, 2020, 2019, 2019, -5];
        let ids: Vec<i64> = (1..=authors.len() as i64).collect();
        let frame = DataFrame::new(
            ids.len(),
            vec![
                Column::new("id".into(), ids),
                Column::new("author".into(), authors),
                Column::new("year".into(), years),
            ],
        )
        .unwrap();
        assert!(!may_clash(&frame));
        let labels = labels_of(&frame);
        let mut distinct: Vec<&String> = labels.values().collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), authors.len(), "{labels:?}");
        assert!(
            labels
                .values()
                .all(|l| !["id", "perspective", "name", "n", "fes"].contains(&l.as_str()))
        );
        assert_eq!(labels[&1], "Smith (2019a)");
        assert_eq!(labels[&3], "Smith (2019a) (2019)");
    }

    #[test]
    fn a_label_column_or_a_missing_year_is_checked_when_loading() {
        let frame = |year: Option<i64>, label: Option<&str>| {
            let mut columns = vec![
                Column::new("id".into(), [1i64]),
                Column::new("author".into(), ["A"]),
                Column::new("year".into(), [year]),
            ];
            if let Some(label) = label {
                columns.push(Column::new("label".into(), [label]));
            }
            DataFrame::new(1, columns).unwrap()
        };
        assert!(!may_clash(&frame(Some(2019), None)));
        assert!(may_clash(&frame(None, None)));
        assert!(may_clash(&frame(Some(2019), Some("A 2019"))));
    }

    #[test]
    fn letters_count_like_spreadsheet_columns() {
        assert_eq!([1, 2, 26, 27, 28].map(letter), ["a", "b", "z", "aa", "ab"]);
    }
}
