//! The papers a dataset has, to tell a record already there from a new
//! one: by DOI, by title and year, by a citation holding the title.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::file::CsvFile;

/// The papers a dataset has, and those an import has added so far (`true`
/// beside the id): by DOI, by title and year, and by their citation (a
/// papers.csv without a title column), by year (a record is looked for
/// among its year's only).
#[derive(Clone)]
pub(super) struct Known {
    by_doi: HashMap<String, (String, bool)>,
    by_title: HashMap<(String, String), (String, bool)>,
    citations: HashMap<String, Vec<(String, String)>>,
}

impl Known {
    /// The papers of `papers.csv`.
    pub(super) fn of(papers: &CsvFile) -> Known {
        let mut known = Known {
            by_doi: HashMap::new(),
            by_title: HashMap::new(),
            citations: HashMap::new(),
        };
        let ids = papers.values("id");
        let (dois, titles, years, cited) = (
            papers.values("doi"),
            papers.values("title"),
            papers.values("year"),
            papers.values("citation"),
        );
        for i in 0..ids.len() {
            let id = ids[i].to_string();
            if !dois[i].trim().is_empty() {
                (known.by_doi)
                    .entry(doi_key(dois[i]))
                    .or_insert((id.clone(), false));
            }
            if !titles[i].trim().is_empty() {
                let key = (title_key(titles[i]), years[i].trim().to_string());
                known.by_title.entry(key).or_insert((id.clone(), false));
            } else if !cited[i].trim().is_empty() {
                (known
                    .citations
                    .entry(years[i].trim().to_string())
                    .or_default())
                .push((title_key(cited[i]), id));
            }
        }
        known
    }

    /// The paper a record of `doi` and `title` (its key and year) is
    /// already, and how it was found.
    pub(super) fn find(&self, doi: &str, title: &(String, String)) -> Option<(String, String)> {
        let present = |(id, now): &(String, bool), how: String| {
            let how = if *now {
                format!("{how}, added by this import")
            } else {
                how
            };
            (id.clone(), how)
        };
        (self.by_doi.get(doi).filter(|_| !doi.is_empty()))
            .map(|p| present(p, format!("same DOI {doi}")))
            .or_else(|| {
                (self.by_title.get(title).filter(|_| !title.0.is_empty()))
                    .map(|p| present(p, "same title and year".into()))
            })
            .or_else(|| {
                // A citation that holds the title, of the same year.
                (self.citations.get(&title.1).into_iter().flatten())
                    .find(|(cited, _)| !title.0.is_empty() && cited.contains(&title.0))
                    .map(|(_, id)| {
                        (
                            id.clone(),
                            "its citation has the same title, same year".into(),
                        )
                    })
            })
    }

    /// The paper `paper` this import adds, of `doi` and `title`.
    pub(super) fn insert(&mut self, doi: String, title: (String, String), paper: String) {
        if !doi.is_empty() {
            self.by_doi.insert(doi, (paper.clone(), true));
        }
        if !title.0.is_empty() {
            self.by_title.insert(title, (paper, true));
        }
    }
}

/// A DOI as metasum compares it: lower case, without `https://doi.org/` or
/// `doi:`.
pub(super) fn doi_key(doi: &str) -> String {
    let doi = doi.trim().to_lowercase();
    let doi = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .fold(doi, |d, prefix| {
        d.strip_prefix(prefix).map(str::to_string).unwrap_or(d)
    });
    doi.trim().to_string()
}

/// A title as metasum compares it: its letters and digits in any script,
/// lower case, accents and compatibility forms folded (`Ｈ` as `h`, `é`
/// as `e`, `Łódź` as `lodz`, `Straße` as `strasse`), one space between
/// words (`{HIV}` and `HIV` alike). Titles in Chinese or Russian compare
/// whole, never by their Latin part alone.
pub(super) fn title_key(title: &str) -> String {
    let mut folded = String::new();
    for c in title.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        // Latin letters NFKD leaves whole (ł ø æ đ ß) as ASCII; other
        // scripts as they are.
        let latin = matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}');
        match deunicode::deunicode_char(c).filter(|_| latin) {
            Some(ascii) => folded.push_str(&ascii.to_lowercase()),
            None => folded.extend(c.to_lowercase()),
        }
    }
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
