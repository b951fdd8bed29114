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
    // Pairs only within one first author (in lower case): all pairs of
    // 100,000 studies would be 5e9 comparisons.
    let mut by_author: PlHashMap<String, Vec<usize>> = PlHashMap::default();
    for (k, (_, author, _)) in studies.iter().enumerate() {
        by_author.entry(author.to_lowercase()).or_default().push(k);
    }
    // Only the pairs that share a title word are kept, each under its
    // rows (a thousand studies of one author would be 500,000 pairs).
    let mut found: Vec<((usize, usize), MaybeOneStudy)> = Vec::new();
    for same in by_author.values_mut() {
        // By year: each study's partners are the next ones, up to two
        // years on.
        same.sort_by_key(|&k| (studies[k].2, k));
        for (i, &k) in same.iter().enumerate() {
            let near = (same[i + 1..].iter())
                .take_while(|&&j| studies[j].2.saturating_sub(studies[k].2) <= 2);
            for &j in near {
                let (k, j) = (k.min(j), k.max(j));
                if let Some(maybe) = shared_word(&studies[k], &studies[j], &words) {
                    found.push(((k, j), maybe));
                }
            }
        }
    }
    // In the studies' order, as a reader goes down Table 1.
    found.sort_unstable_by_key(|(rows, _)| *rows);
    Ok(found.into_iter().map(|(_, maybe)| maybe).collect())
}

/// Two studies (id, first author, year; the first is the earlier row of
/// Table 1) as a pair that may be one study, when their papers' titles
/// share a distinctive word.
fn shared_word(
    (a, author, year_a): &(i64, String, i64),
    (b, _, year_b): &(i64, String, i64),
    words: &PlHashMap<i64, Vec<String>>,
) -> Option<MaybeOneStudy> {
    let (of_a, of_b) = (words.get(a)?, words.get(b)?);
    let word = of_a.iter().find(|w| of_b.contains(w))?;
    let ((first, y1), (second, y2)) = match year_a <= year_b {
        true => ((*a, *year_a), (*b, *year_b)),
        false => ((*b, *year_b), (*a, *year_a)),
    };
    Some(MaybeOneStudy {
        first,
        second,
        author: author.clone(),
        years: (y1, y2),
        word: word.clone(),
    })
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

    /// Every pair of studies in order, as the check once compared them.
    fn all_pairs(ds: &Dataset) -> Vec<(i64, i64, String, String)> {
        let titles = ds.papers.column("title").unwrap();
        let words = title_words(ds.papers.column("study").unwrap(), titles).unwrap();
        let ids = ds.studies.column("id").unwrap().i64().unwrap().clone();
        let authors = ds.studies.column("author").unwrap().str().unwrap().clone();
        let years = ds.studies.column("year").unwrap().i64().unwrap().clone();
        let studies: Vec<(i64, String, i64)> = (0..ids.len())
            .map(|i| {
                let author = first_author(authors.get(i).unwrap()).unwrap();
                (ids.get(i).unwrap(), author, years.get(i).unwrap())
            })
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
                    let (first, second) = if year_a <= year_b { (*a, *b) } else { (*b, *a) };
                    found.push((first, second, author.clone(), word.clone()));
                }
            }
        }
        found
    }

    #[test]
    fn pairs_within_an_author_and_two_years_are_all_pairs_found() {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let authors = ["Okafor", "okafor", "Smith et al.", "Lee & Ng", "Diaz"];
        let words = [
            "wards",
            "carers",
            "recovery",
            "housing",
            "stigma",
            "clubhouse",
        ];
        let (mut studies, mut papers) = (
            String::from("id,author,year\n"),
            String::from("id,study,citation,title\n"),
        );
        for k in 0..80 {
            let (author, year) = (authors[next(5) as usize], 2000 + next(9));
            studies.push_str(&format!("{k},{author},{year}\n"));
            for p in 0..=next(2) {
                let title = format!(
                    "{} and {}",
                    words[next(6) as usize],
                    words[next(6) as usize]
                );
                papers.push_str(&format!("{k}{p},{k},c,{title}\n"));
            }
        }
        let files: std::collections::BTreeMap<String, Vec<u8>> = [
            ("studies.csv", studies),
            ("papers.csv", papers),
            ("findings.csv", "id,name\n1,Trust\n".into()),
            ("evidence.csv", "finding,study\n1,0\n".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_bytes()))
        .collect();
        let ds = Dataset::from_files(&files, "pairs").unwrap();
        let found: Vec<_> = (maybe_one_study(&ds).unwrap().into_iter())
            .map(|m| (m.first, m.second, m.author, m.word))
            .collect();
        let expected = all_pairs(&ds);
        assert!(expected.len() > 20, "{}", expected.len());
        assert_eq!(found, expected);
    }

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
