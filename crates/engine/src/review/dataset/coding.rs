//! `coding.csv` (optional): double coding. Each row says that a coder, on
//! their own, found a finding in a study; two coders code every study.
//! FES never reads it: `evidence.csv` holds the reconciled links. It is
//! what the `agreement` and `disagreements` tables compare.

use std::collections::{BTreeSet, HashMap};

use super::claims::{Known, field, id, records};
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

const FILE: &str = ReviewFile::Coding.file();

/// The coders' own links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// The coders, in the order they first appear (agreement compares two).
    pub coders: Vec<String>,
    /// (finding, study) pairs each coder marked, by coder.
    pub links: Vec<BTreeSet<(i64, i64)>>,
}

/// Parses `coding.csv`: `finding,study,coder`. Every problem is located.
/// Other than two coders is no problem of the dataset (one coder may not
/// have finished): the agreement tables say so.
pub fn parse_coding(
    bytes: &[u8],
    findings: Known<'_>,
    studies: Known<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Coding> {
    let mut coders: Vec<String> = Vec::new();
    let mut links: Vec<BTreeSet<(i64, i64)>> = Vec::new();
    let mut first: HashMap<(i64, i64, usize), u64> = HashMap::new();
    let before = problems.len();
    for (line, fields) in records(FILE, bytes, &["finding", "study", "coder"], problems) {
        // One coder however the name's letters are encoded (NFC).
        let coder: String =
            unicode_normalization::UnicodeNormalization::nfc(field(&fields, "coder").trim())
                .collect();
        let coder = coder.as_str();
        if coder.is_empty() {
            problems.push(Problem::cell(
                FILE,
                line,
                "coder",
                "who coded the link? (empty)",
            ));
            continue;
        }
        let finding = id(
            FILE,
            line,
            "finding",
            field(&fields, "finding"),
            findings,
            "finding",
            problems,
        );
        let study = id(
            FILE,
            line,
            "study",
            field(&fields, "study"),
            studies,
            "study",
            problems,
        );
        let k = match coders.iter().position(|c| c == coder) {
            Some(k) => k,
            None => {
                coders.push(coder.to_string());
                links.push(BTreeSet::new());
                coders.len() - 1
            }
        };
        let (Some(finding), Some(study)) = (finding, study) else {
            continue;
        };
        if let Some(earlier) = first.insert((finding, study, k), line) {
            first.insert((finding, study, k), earlier);
            problems.push(Problem::at(
                FILE,
                line,
                format!("{coder} coded this link already on line {earlier}"),
            ));
            continue;
        }
        links[k].insert((finding, study));
    }
    if problems.len() > before {
        return None;
    }
    Some(Coding { coders, links })
}
