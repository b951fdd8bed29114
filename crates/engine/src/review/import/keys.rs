//! The keys an import gives new studies and papers: `Smith2019`,
//! `Smith2019a`, ... or the next whole numbers where the ids are numbers.

use std::collections::{HashMap, HashSet};

use super::Record;

/// `García` as `Garcia`, `Müller` as `Muller`, `王` as `Wang`, `Иванов` as
/// `Ivanov`: a name in ASCII letters, for a key.
pub(super) fn ascii(text: &str) -> String {
    deunicode::deunicode(text)
}

/// `Smith2019` for a record: its first author's family name in ASCII
/// letters (capitalised), then its year (`nd` without one).
pub(super) fn base_key(r: &Record) -> String {
    let family = r.authors.first().map_or("Anon", |a| a.family.as_str());
    let letters: String = ascii(family)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    let mut name = match letters.as_str() {
        "" => "Anon".to_string(),
        l => l.to_string(),
    };
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    match r.year {
        Some(y) => format!("{name}{y}"),
        None => format!("{name}nd"),
    }
}

/// The keys of a table, compared in any case (as the loader's ids are),
/// and where the search for a free suffix of each base stopped, so that
/// 10,000 records of one author-year take as long as 10,000 others (the
/// search from `a` each time made them quadratic).
pub(super) struct Taken {
    keys: HashSet<String>,
    suffixes: HashMap<String, usize>,
}

impl Taken {
    pub(super) fn of(ids: &[&str]) -> Taken {
        Taken {
            keys: ids.iter().map(|k| k.trim().to_lowercase()).collect(),
            suffixes: HashMap::new(),
        }
    }

    /// Whether `key` is taken (in any case).
    pub(super) fn contains(&self, key: &str) -> bool {
        self.keys.contains(&key.to_lowercase())
    }

    /// `key`, now taken.
    pub(super) fn take(&mut self, key: String) -> String {
        self.keys.insert(key.to_lowercase());
        key
    }

    /// `base`, or `base` with `a`, `b`, ... `z`, `aa`, ... when it is
    /// taken (`doe2015` takes `Doe2015`) or `lettered` (several studies of
    /// the import share it); now taken. The letters start at `b` after an
    /// unlettered `base` (a reviewer reads that one as the `a`), else at
    /// `a`.
    pub(super) fn unique(&mut self, base: &str, lettered: bool) -> String {
        let lower = base.to_lowercase();
        let taken = self.keys.contains(&lower);
        // `Okafor2021a` there already: a new one is lettered too, never
        // the bare `Okafor2021` a reader would take for the `a`.
        let lettered = lettered || self.keys.contains(&format!("{lower}a"));
        if !taken && !lettered {
            return self.take(base.to_string());
        }
        let next = self.suffixes.entry(lower).or_insert(usize::from(taken));
        loop {
            let key = format!("{base}{}", suffix(*next));
            *next += 1;
            if !self.keys.contains(&key.to_lowercase()) {
                return self.take(key);
            }
        }
    }
}

/// `a`, `b`, ... `z`, `aa`, `ab`, ... for 0, 1, ...
fn suffix(mut n: usize) -> String {
    let mut suffix = String::new();
    loop {
        suffix.insert(0, (b'a' + (n % 26) as u8) as char);
        if n < 26 {
            return suffix;
        }
        n = n / 26 - 1;
    }
}

/// The next whole numbers of an id column that holds only whole numbers
/// (`None` from [`Numbering::next`] when it holds anything else, or
/// nothing).
pub(super) struct Numbering {
    next: Option<u64>,
}

impl Numbering {
    pub(super) fn of(ids: &[&str]) -> Numbering {
        let numbers: Option<Vec<u64>> = ids.iter().map(|id| id.trim().parse().ok()).collect();
        Numbering {
            next: numbers
                .filter(|n| !n.is_empty())
                .and_then(|n| n.into_iter().max())
                .and_then(|max| max.checked_add(1)),
        }
    }

    /// The next number, as text.
    pub(super) fn next(&mut self) -> Option<String> {
        let n = self.next?;
        self.next = n.checked_add(1);
        Some(n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::import::Name;

    #[test]
    fn keys_are_author_year_in_ascii_and_made_unique() {
        let record = |family: &str, year| Record {
            authors: vec![Name {
                family: family.into(),
                given: "A".into(),
            }],
            year,
            title: "T".into(),
            journal: String::new(),
            doi: String::new(),
            study: None,
            line: 1,
        };
        assert_eq!(base_key(&record("García", Some(2019))), "Garcia2019");
        assert_eq!(
            base_key(&record("Müller-Lüdenscheidt", Some(2020))),
            "MullerLudenscheidt2020"
        );
        assert_eq!(base_key(&record("van der Berg", None)), "VanderBergnd");
        assert_eq!(
            base_key(&record("Łukasiewicz", Some(1930))),
            "Lukasiewicz1930"
        );
        assert_eq!(base_key(&record("王", Some(2001))), "Wang2001");
        assert_eq!(base_key(&record("Иванов", Some(2021))), "Ivanov2021");
        assert_eq!(base_key(&record("山田", Some(2021))), "ShanTian2021");
        let mut taken = Taken::of(&["smith2019", "Smith2019a"]);
        assert_eq!(taken.unique("Smith2019", false), "Smith2019b");
        assert_eq!(taken.unique("Smith2019", false), "Smith2019c");
        assert_eq!(taken.unique("Lee2020", false), "Lee2020");
        // After an unlettered key, the next is `b`: the first reads as `a`.
        assert_eq!(taken.unique("Lee2020", false), "Lee2020b");
        // Lettered ones there: the next letter, never the bare key.
        let mut lettered = Taken::of(&["Okafor2021a"]);
        assert_eq!(lettered.unique("Okafor2021", false), "Okafor2021b");
        // Two of one import: `a` and `b`, as reviewers letter them.
        assert_eq!(taken.unique("Okafor2021", true), "Okafor2021a");
        assert_eq!(taken.unique("Okafor2021", true), "Okafor2021b");
        let mut all = Taken::of(&["k"]);
        for c in b'a'..=b'z' {
            all.take(format!("K{}", c as char));
        }
        assert_eq!(all.unique("K", false), "Kaa");
        assert_eq!(suffix(0), "a");
        assert_eq!(suffix(26), "aa");
    }
}
