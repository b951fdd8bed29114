//! CSL JSON, as Zotero exports it: an array of items with `author`
//! (`family`/`given` or `literal`), `issued` (`date-parts`, `raw` or
//! `literal`),
//! `title`, `container-title` and `DOI`.

use serde_json::Value;
use serde_json::value::RawValue;

use super::{LineStarts, Name, Record, first_year};
use crate::review::dataset::Problem;

/// The items of a CSL JSON file named `file` as records; a syntax error,
/// or an item or field of the wrong shape, is a problem with its line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, Vec<Problem>> {
    let text = text.trim_start_matches('\u{feff}');
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        vec![Problem::at(
            file,
            e.line() as u64,
            format!("not CSL JSON (an array of items): {e}"),
        )]
    })?;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let starts = LineStarts::of(text);
    for raw in items {
        // Each item is a slice of the text: its place gives its line.
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let line = starts.line(offset);
        match record(raw, line) {
            Ok(r) => records.push(r),
            Err(why) => problems.push(Problem::at(file, line, why)),
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// An item's `author`: each person's family name (or a group's
/// `literal` name) and given names.
fn authors(value: Option<&Value>) -> Result<Vec<Name>, String> {
    Ok(match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(people)) => people
            .iter()
            .map(|p| match p {
                Value::Object(p) => {
                    let part = |k: &str| {
                        p.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .trim()
                            .to_string()
                    };
                    match (part("family"), part("literal")) {
                        (family, _) if !family.is_empty() => Ok(Name {
                            family,
                            given: part("given"),
                        }),
                        (_, literal) if !literal.is_empty() => Ok(Name {
                            family: literal,
                            given: String::new(),
                        }),
                        _ => Err("an author needs a `family` or `literal` name".to_string()),
                    }
                }
                _ => Err(
                    "an author must be an object ({\"family\": ..., \"given\": ...})".to_string(),
                ),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`author` must be a list of names".into()),
    })
}

/// An item's year, from `issued`: its `date-parts`, else its `raw` or
/// `literal` text ("Spring 2019").
fn year(value: Option<&Value>) -> Result<Option<i32>, String> {
    Ok(match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(issued)) => {
            let written = |key: &str| match issued.get(key) {
                Some(Value::String(text)) => first_year(text),
                _ => None,
            };
            match issued.get("date-parts") {
                Some(Value::Array(parts)) => (parts.first().and_then(Value::as_array))
                    .and_then(|p| p.first())
                    .and_then(|y| match y {
                        Value::Number(n) => n.as_i64().and_then(|y| i32::try_from(y).ok()),
                        Value::String(s) => first_year(s),
                        _ => None,
                    }),
                _ => None,
            }
            // `raw` and `literal` ("Spring 2019") as the text gives them.
            .or_else(|| written("raw"))
            .or_else(|| written("literal"))
        }
        Some(_) => return Err("`issued` must be a date ({\"date-parts\": [[2019]]})".into()),
    })
}

/// One item as a record, or what is wrong with it.
fn record(raw: &RawValue, line: u64) -> Result<Record, String> {
    let item: Value = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    let Value::Object(item) = item else {
        return Err("an item must be an object ({...})".into());
    };
    let text = |key: &str| -> Result<String, String> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.trim().to_string()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(format!("`{key}` must be text")),
        }
    };
    let authors = authors(item.get("author"))?;
    let title = text("title")?;
    if authors.is_empty() {
        return Err(
            "the item has no author: a study needs one (a group may be the author, as `literal`)"
                .into(),
        );
    }
    let year = year(item.get("issued"))?;
    Ok(Record {
        authors,
        year,
        title,
        journal: text("container-title")?,
        doi: text("DOI")?,
        study: super::study_of(text("keyword")?.split([',', ';'])),
        line,
    })
}
