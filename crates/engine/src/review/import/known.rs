//! The papers a dataset has, to tell a record already there from a new
//! one: by DOI, by title and year, by a citation holding the title.

use std::collections::HashMap;

use super::file::CsvFile;
use super::{doi_key, title_key};

/// The papers a dataset has, and those an import has added so far (`true`
/// beside the id): by DOI, by title and year, and by their citation (a
/// papers.csv without a title column), by year (a record is looked for
/// among its year's only).
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
