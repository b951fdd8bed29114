//! RIS, as EndNote, Zotero, Covidence and Rayyan export it: `TAG  - value`
//! lines, each record from `TY` to `ER`. A line that is no tag continues
//! the value before it (some exporters wrap long abstracts).

use super::{Name, Record, first_year, lines};
use crate::review::dataset::Problem;

/// The records of a RIS file named `file`; every malformed line or record
/// is a problem with its line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, Vec<Problem>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    // The record being read: its first line and its fields so far.
    let mut open: Option<(u64, Vec<(String, String)>)> = None;
    for (i, raw) in lines(text.trim_start_matches('\u{feff}')).enumerate() {
        let line = i as u64 + 1;
        let trimmed = raw.trim_end();
        match tag(trimmed) {
            Some(("TY", _)) if open.is_some() => {
                let (start, _) = open.take().unwrap_or_default();
                problems.push(Problem::at(
                    file,
                    start,
                    format!(
                        "the record starting here has no `ER  -` before the next `TY` (line {line})"
                    ),
                ));
                open = Some((line, Vec::new()));
            }
            Some(("TY", _)) => open = Some((line, Vec::new())),
            Some(("ER", _)) => match open.take() {
                Some((start, fields)) => match record(&fields) {
                    Ok(r) => records.push(Record { line: start, ..r }),
                    Err(why) => problems.push(Problem::at(file, start, why)),
                },
                None => problems.push(Problem::at(
                    file,
                    line,
                    "`ER  -` ends no record (no `TY  -` before it)",
                )),
            },
            Some((t, value)) => match &mut open {
                Some((_, fields)) => fields.push((t.to_string(), value.to_string())),
                None => problems.push(Problem::at(
                    file,
                    line,
                    format!("`{t}` outside a record: a record starts with `TY  -`"),
                )),
            },
            None if trimmed.trim().is_empty() => {}
            None => match open.as_mut().and_then(|(_, f)| f.last_mut()) {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(trimmed.trim());
                }
                None => problems.push(Problem::at(
                    file,
                    line,
                    format!(
                        "expected a RIS line (`TY  - JOUR`), found `{}`",
                        excerpt(trimmed)
                    ),
                )),
            },
        }
    }
    if let Some((start, _)) = open {
        problems.push(Problem::at(
            file,
            start,
            "the record starting here has no `ER  -` (the file ends first)",
        ));
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// `AU  - Smith, Jane` as (`AU`, `Smith, Jane`): two capitals or a capital
/// and a digit, two spaces, a dash, then the value.
fn tag(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let is_tag = b.len() >= 5
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && &b[2..5] == b"  -";
    is_tag.then(|| (&line[..2], line[5..].trim()))
}

/// The first 40 characters of `text`, for messages.
fn excerpt(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A record from its fields: authors (AU, A1), year (PY, Y1, DA), title
/// (TI, T1), journal (T2, JO, JF, JA), DOI (DO, or a doi.org UR).
/// Its line is set by the caller; the error says what is wrong.
fn record(fields: &[(String, String)]) -> Result<Record, &'static str> {
    let all = |tags: &[&str]| -> Vec<&str> {
        (fields.iter())
            .filter(|(t, v)| tags.contains(&t.as_str()) && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let first = |tags: &[&str]| -> String {
        tags.iter()
            .find_map(|t| all(&[t]).first().map(|v| v.to_string()))
            .unwrap_or_default()
    };
    let authors: Vec<Name> = (all(&["AU", "A1"]).into_iter().map(Name::parse))
        .filter(|n| !n.family.is_empty())
        .collect();
    let title = first(&["TI", "T1"]);
    if authors.is_empty() {
        return Err(
            "the record starting here has no author (AU): a study needs one (a group may be the author)",
        );
    }
    let doi = match first(&["DO"]) {
        d if !d.is_empty() => d,
        _ => all(&["UR"])
            .into_iter()
            .find_map(|u| u.split_once("doi.org/").map(|(_, d)| d.to_string()))
            .unwrap_or_default(),
    };
    Ok(Record {
        authors,
        year: first_year(&first(&["PY", "Y1", "DA"])),
        title,
        journal: first(&["T2", "JO", "JF", "JA"]),
        doi,
        study: super::study_of(all(&["KW"])),
        line: 0,
    })
}
