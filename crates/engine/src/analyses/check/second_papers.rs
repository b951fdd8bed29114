//! Studies that may be one study reported twice: the same first author,
//! years at most two apart, and a distinctive word shared by their papers'
//! titles (a setting, a sample, a programme's name). A report and its
//! follow-up counted as two studies would count each of their findings
//! twice in every FES.

use polars::prelude::*;

use crate::Dataset;

/// Two studies that may be one: their ids, the first author's family name,
/// their years and a title word their papers share.
#[derive(Debug, Clone, PartialEq)]
pub struct MaybeOneStudy {
    /// The earlier study's id.
    pub first: i64,
    /// The other study's id.
    pub second: i64,
    /// Their first author, as the `author` cells begin.
    pub author: String,
    /// Their years.
    pub years: (i64, i64),
    /// A distinctive word of both studies' paper titles.
    pub word: String,
}

/// Words of titles too common in qualitative research to say two papers
/// report one study.
const COMMON: [&str; 24] = [
    "study",
    "studies",
    "qualitative",
    "quantitative",
    "research",
    "support",
    "health",
    "mental",
    "experiences",
    "experience",
    "perspectives",
    "people",
    "service",
    "services",
    "review",
    "analysis",
    "among",
    "their",
    "based",
    "about",
    "evaluation",
    "programme",
    "program",
    "interview",
];

/// The pairs of studies of one first author, at most two years apart,
/// whose papers' titles share a distinctive word. None without a `title`
/// column in papers.csv (the seed's papers have only citations).
pub fn maybe_one_study(ds: &Dataset) -> PolarsResult<Vec<MaybeOneStudy>> {
    let Ok(titles) = ds.papers.column("title") else {
        return Ok(Vec::new());
    };
    let words = title_words(ds.papers.column("study")?, titles)?;
    let ids = ds.studies.column("id")?.cast(&DataType::Int64)?;
    let authors = ds.studies.column("author")?.cast(&DataType::String)?;
    let years = ds.studies.column("year")?.cast(&DataType::Int64)?;
    let studies: Vec<(i64, String, i64)> = (ids.i64()?.iter())
        .zip(authors.str()?.iter())
        .zip(years.i64()?.iter())
        .filter_map(|((id, author), year)| Some((id?, first_author(author?)?, year?)))
        .collect();
    let mut found = Vec::new();
    for (k, (a, author, year_a)) in studies.iter().enumerate() {
        for (b, other, year_b) in &studies[k + 1..] {
            if author.to_lowercase() != other.to_lowercase() || (year_a - year_b).abs() > 2 {
                continue;
            }
            let (Some(of_a), Some(of_b)) = (words.get(a), words.get(b)) else {
                continue;
            };
            if let Some(word) = of_a.iter().find(|w| of_b.contains(w)) {
                let ((first, y1), (second, y2)) = match year_a <= year_b {
                    true => ((*a, *year_a), (*b, *year_b)),
                    false => ((*b, *year_b), (*a, *year_a)),
                };
                found.push(MaybeOneStudy {
                    first,
                    second,
                    author: author.clone(),
                    years: (y1, y2),
                    word: word.clone(),
                });
            }
        }
    }
    Ok(found)
}

/// Each study's distinctive title words (five letters or more, not
/// [`COMMON`]), in lower case, in the order its papers' titles give them.
fn title_words(study: &Column, titles: &Column) -> PolarsResult<PlHashMap<i64, Vec<String>>> {
    let study = study.cast(&DataType::Int64)?;
    let titles = titles.cast(&DataType::String)?;
    let mut words: PlHashMap<i64, Vec<String>> = PlHashMap::default();
    for (study, title) in study.i64()?.iter().zip(titles.str()?.iter()) {
        let (Some(study), Some(title)) = (study, title) else {
            continue;
        };
        let of = words.entry(study).or_default();
        for word in title.split(|c: char| !c.is_alphanumeric()) {
            let word = word.to_lowercase();
            if word.chars().count() >= 5 && !COMMON.contains(&word.as_str()) && !of.contains(&word)
            {
                of.push(word);
            }
        }
    }
    Ok(words)
}

/// The family name an `author` cell begins with (`Okafor` of `Okafor &
/// Lee`, `Smith et al.`, `Smith, J.`), as written.
fn first_author(author: &str) -> Option<String> {
    let end = [" et al", " &", ",", ";", " and "]
        .iter()
        .filter_map(|sep| author.find(sep))
        .min()
        .unwrap_or(author.len());
    let name = author[..end].trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_author_is_the_family_name_an_author_cell_begins_with() {
        for (cell, name) in [
            ("Okafor & Lee", "Okafor"),
            ("Smith et al.", "Smith"),
            ("Smith, J.", "Smith"),
            ("World Health Organization", "World Health Organization"),
        ] {
            assert_eq!(first_author(cell).as_deref(), Some(name), "{cell}");
        }
        assert_eq!(first_author("  "), None);
    }
}
