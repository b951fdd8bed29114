//! How a person reads a study's name: its `label` when the reviewer gives
//! one, else `author (year)`, as a reference list cites it; two studies of
//! one author and year become `(2019a)` and `(2019b)`.

use std::collections::HashMap;

use super::csvfile::ReadTable;
use super::problem::Problem;

/// Study id (as a number) -> label, for every study of `studies`; a
/// repeated `label` is a located problem.
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
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (row, label) in given.iter().enumerate() {
        if let Some(label) = label {
            let line = studies.line(row);
            if let Some(first) = seen.insert(label, line) {
                problems.push(
                    Problem::cell(
                        "studies.csv",
                        line,
                        "label",
                        format!("label `{label}` repeats"),
                    )
                    .repeating(first),
                );
            }
        }
    }
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
    let mut labels = HashMap::with_capacity(frame.height());
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
        labels.insert(id, label);
    }
    labels
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

    #[test]
    fn letters_count_like_spreadsheet_columns() {
        assert_eq!([1, 2, 26, 27, 28].map(letter), ["a", "b", "z", "aa", "ab"]);
    }
}
