//! BibTeX and BibLaTeX, as Zotero and JabRef export them, read by the
//! `biblatex` crate (names, braces, LaTeX accents, `@string`s).

use biblatex::{ChunksExt, Entry, RetrievalError};

use super::{LineStarts, Name, Record, first_year};
use crate::review::dataset::Problem;

/// The entries of a `.bib` file named `file` as records; a syntax error or
/// a malformed name list is a problem with its line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, Vec<Problem>> {
    let bibliography = super::bib_limits::read(file, text)?;
    let starts = LineStarts::of(text);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for entry in bibliography.iter() {
        // Where the entry is: the `@` before its first field.
        let at = (entry.fields.values())
            .filter_map(|chunks| chunks.first().map(|c| c.span.start))
            .min()
            .map_or(0, |offset| {
                let start = text[..offset.min(text.len())].rfind('@').unwrap_or(offset);
                starts.line(start)
            });
        match record(file, entry, at) {
            Ok(record) => records.push(record),
            Err(problem) => problems.push(*problem),
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// The record of one entry (`at`: its line in `file`), or the problem that
/// keeps it out.
fn record(file: &str, entry: &Entry, at: u64) -> Result<Record, Box<Problem>> {
    let authors: Vec<Name> = match entry.author() {
        Ok(people) => people
            .into_iter()
            // `and others` (et al.) names no one.
            .filter(|p| !p.name.is_empty() && p.name != "others")
            .map(|p| Name {
                family: match p.prefix.as_str() {
                    "" => p.name,
                    prefix => format!("{prefix} {}", p.name),
                },
                given: p.given_name,
            })
            .collect(),
        Err(RetrievalError::Missing(_)) => Vec::new(),
        Err(e) => {
            return Err(Box::new(Problem::at(
                file,
                at,
                format!(
                    "entry `{}`: the author field cannot be read: {e:?}",
                    entry.key
                ),
            )));
        }
    };
    let text_of = |field: &str| {
        entry
            .get(field)
            .map(|c| c.format_verbatim())
            .unwrap_or_default()
    };
    let title = text_of("title");
    if authors.is_empty() {
        return Err(Box::new(Problem::at(
            file,
            at,
            format!(
                "entry `{}` has no author: a study needs one (a group may be the author)",
                entry.key
            ),
        )));
    }
    let journal = match text_of("journaltitle") {
        j if j.is_empty() => text_of("journal"),
        j => j,
    };
    let year = first_year(&text_of("date")).or_else(|| first_year(&text_of("year")));
    Ok(Record {
        authors,
        year,
        title,
        journal,
        doi: text_of("doi"),
        study: super::study_of(text_of("keywords").split([',', ';'])),
        line: at,
    })
}
