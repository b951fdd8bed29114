//! How a person reads a study's name: its `label` when the reviewer gives
//! one, else `author (year)`, as a reference list cites it; two studies of
//! one author and year become `(2019a)` and `(2019b)`.

use std::collections::HashMap;

use super::csvfile::ReadTable;
use super::problem::Problem;

/// Study id (as a number) -> label, for every study of `studies`. Two
/// studies with one label (given, or made from author and year), or a
/// label that is a matrix column's name, is a located problem.
pub fn study_labels(studies: &ReadTable, problems: &mut Vec<Problem>) -> HashMap<i64, String> {
    let frame = &studies.frame;
    let (Ok(ids), Ok(authors)) = (frame.column("id"), frame.column("author")) else {
        return HashMap::new();
    };
    let (Ok(ids), Ok(authors)) = (ids.i64(), authors.str()) else {
        return HashMap::new();
    };
    let years: Vec<Option<i64>> = match frame.column("year").ok().and_then(|y| y.i64().ok()) {
        Some(years) => years.iter().collect(),
        None => vec![None; frame.height()],
    };
    let given: Vec<Option<&str>> = match frame.column("label").ok().and_then(|l| l.str().ok()) {
        Some(labels) => labels.iter().collect(),
        None => vec![None; frame.height()],
    };
    // Author and year of the studies without a label, to find the ones
    // that need a letter.
    let cite = |row: usize| {
        let author = authors.get(row).unwrap_or_default();
        (author.to_string(), years[row])
    };
    let mut shared: HashMap<(String, Option<i64>), usize> = HashMap::new();
    for row in (0..frame.height()).filter(|r| given[*r].is_none()) {
        *shared.entry(cite(row)).or_default() += 1;
    }
    let mut lettered: HashMap<(String, Option<i64>), u32> = HashMap::new();
    let mut labelled = Vec::with_capacity(frame.height());
    for (row, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        let label = match given[row] {
            Some(label) => label.to_string(),
            None => {
                let (author, year) = cite(row);
                let letter = if shared[&(author.clone(), year)] > 1 {
                    let k = lettered.entry((author.clone(), year)).or_default();
                    *k += 1;
                    letter(*k)
                } else {
                    String::new()
                };
                match year {
                    Some(year) => format!("{author} ({year}{letter})"),
                    None if letter.is_empty() => author,
                    None => format!("{author} ({letter})"),
                }
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

/// Labels name the matrix's columns, which must differ from each other
/// and from the matrix's own: each clash is a problem at its line.
fn check_distinct(labelled: &[(u64, i64, String)], problems: &mut Vec<Problem>) {
    let mut placed: HashMap<&str, u64> = HashMap::new();
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
