//! How a person reads a study's name: its `label` when the reviewer gives
//! one, else `author (year)`, as a reference list cites it; two studies of
//! one author and year become `(2019a)` and `(2019b)`.

use polars::prelude::PlHashMap;

use super::csvfile::ReadTable;
use super::problem::Problem;

/// Study id (as a number) -> label, for every study of `studies`. Two
/// studies with one label (given, or made from author and year), or a
/// label that is a matrix column's name, is a located problem.
///
/// Every load makes them, so they are made in one pass with polars' fast
/// hash maps and no string but the label itself: at 10,000 studies the
/// first version (a `String` key per map entry, std's SipHash) took 3.3 ms,
/// most of what loading the studies had come to cost.
pub fn study_labels(studies: &ReadTable, problems: &mut Vec<Problem>) -> PlHashMap<i64, String> {
    let frame = &studies.frame;
    let (Ok(ids), Ok(authors)) = (frame.column("id"), frame.column("author")) else {
        return PlHashMap::default();
    };
    let (Ok(ids), Ok(authors)) = (ids.i64(), authors.str()) else {
        return PlHashMap::default();
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
        labelled.push((studies.line(row), id, label));
    }
    check_distinct(&labelled, problems);
    labelled
        .into_iter()
        .map(|(_, id, label)| (id, label))
        .collect()
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
fn check_distinct(labelled: &[(u64, i64, String)], problems: &mut Vec<Problem>) {
    let mut placed: PlHashMap<&str, u64> =
        PlHashMap::with_capacity_and_hasher(labelled.len(), Default::default());
    for (line, _, label) in labelled {
        let problem = |message: String| Problem::cell("studies.csv", *line, "label", message);
        if let Some(first) = placed.get(label.as_str()) {
            problems.push(
                problem(format!(
                    "two studies are labelled `{label}` (a `label` cell, or author and year); give one of them another `label`"
                ))
                .repeating(*first),
            );
        } else if MATRIX_COLUMNS.contains(&label.as_str()) {
            problems.push(problem(format!(
                "`{label}` cannot label a study: the matrix has a column of that name"
            )));
        }
        placed.entry(label).or_insert(*line);
    }
}

/// The matrix's own columns, beside one per study label.
const MATRIX_COLUMNS: [&str; 5] = ["id", "perspective", "name", "n", "fes"];

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

    #[test]
    fn letters_count_like_spreadsheet_columns() {
        assert_eq!([1, 2, 26, 27, 28].map(letter), ["a", "b", "z", "aa", "ab"]);
    }
}
