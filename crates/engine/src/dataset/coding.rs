//! `coding.csv` (optional): double coding. Each row says that a coder, on
//! their own, found a finding in a study; two coders code every study.
//! FES never reads it: `evidence.csv` holds the reconciled links. It is
//! what the `agreement` and `disagreements` tables compare.

use std::collections::{BTreeSet, HashMap};

use super::claims::{Known, field, id, records};
use super::problem::Problem;

const FILE: &str = "coding.csv";

/// Two coders' own links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// The two coders, in the order they first appear.
    pub coders: [String; 2],
    /// (finding, study) pairs each coder marked, by coder.
    pub links: [BTreeSet<(i64, i64)>; 2],
}

/// Parses `coding.csv`: `finding,study,coder`; exactly two coders. Every
/// problem is located.
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
        let coder = field(&fields, "coder").trim();
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
    if coders.len() != 2 {
        problems.push(Problem::file(
            FILE,
            format!(
                "agreement compares two coders, and coding.csv has {}{}",
                coders.len(),
                match coders.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", coders.join(", ")),
                }
            ),
        ));
    }
    if problems.len() > before {
        return None;
    }
    let mut links = links.into_iter();
    let mut coders = coders.into_iter();
    Some(Coding {
        coders: [coders.next()?, coders.next()?],
        links: [links.next()?, links.next()?],
    })
}
