//! `cerqual.csv` (optional): the review's GRADE-CERQual assessment of each
//! finding, as the reviewers judged it: the four components, each with its
//! level of concern and an explanation, and the overall confidence with
//! its explanation. metasum keeps, checks and shows the judgements; it
//! never computes one (CERQual says the overall confidence is a judgement).

use std::collections::HashMap;

use super::claims::{Known, id, records};
use crate::problem::Problem;
use crate::review::dataset::files::{Layout, ReviewFile};

const FILE: &str = ReviewFile::Cerqual.file();

/// The four components of a CERQual assessment: the column that holds each
/// in `cerqual.csv` (its explanation in `COLUMN_explanation`) and its name.
pub const COMPONENTS: [(&str, &str); 4] = [
    ("methodological_limitations", "Methodological limitations"),
    ("coherence", "Coherence"),
    ("adequacy", "Adequacy"),
    ("relevance", "Relevance"),
];

/// How much a component gives concern, as CERQual words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Concern {
    /// No or very minor concerns.
    NoOrVeryMinor,
    /// Minor concerns.
    Minor,
    /// Moderate concerns.
    Moderate,
    /// Serious concerns.
    Serious,
}

impl Concern {
    /// Every level, least concern first.
    pub const ALL: [Concern; 4] = [
        Concern::NoOrVeryMinor,
        Concern::Minor,
        Concern::Moderate,
        Concern::Serious,
    ];

    /// The level as CERQual writes it.
    pub fn code(self) -> &'static str {
        match self {
            Concern::NoOrVeryMinor => "no or very minor concerns",
            Concern::Minor => "minor concerns",
            Concern::Moderate => "moderate concerns",
            Concern::Serious => "serious concerns",
        }
    }
}

/// The overall confidence in a review finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// High confidence.
    High,
    /// Moderate confidence.
    Moderate,
    /// Low confidence.
    Low,
    /// Very low confidence.
    VeryLow,
}

impl Confidence {
    /// Every level, highest first.
    pub const ALL: [Confidence; 4] = [
        Confidence::High,
        Confidence::Moderate,
        Confidence::Low,
        Confidence::VeryLow,
    ];

    /// The level as CERQual writes it.
    pub fn code(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Moderate => "moderate",
            Confidence::Low => "low",
            Confidence::VeryLow => "very low",
        }
    }
}

/// A level and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement<L> {
    /// The level.
    pub level: L,
    /// The reviewers' explanation (empty when not given).
    pub explanation: String,
}

/// One finding's CERQual assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The finding (its id as a number).
    pub finding: i64,
    /// The summarised review finding, as the SoQF table words it (empty:
    /// the finding's name stands for it).
    pub summary: String,
    /// The four components, in the order of [`COMPONENTS`].
    pub components: [Judgement<Concern>; 4],
    /// The overall confidence.
    pub confidence: Judgement<Confidence>,
    /// Its line in `cerqual.csv`.
    pub line: u64,
}

/// `Minor Concerns `, `minor`, `Minor concerns` all as `minor concerns`:
/// lower case, one space between words, the word "concerns" optional.
pub(crate) fn concern(text: &str) -> Option<Concern> {
    let words = normal(text);
    let words = words.strip_suffix(" concerns").unwrap_or(&words);
    Concern::ALL
        .into_iter()
        .find(|c| c.code().strip_suffix(" concerns") == Some(words))
}

/// `High`, `high confidence`, `Very low` as the confidence they name.
pub(crate) fn confidence(text: &str) -> Option<Confidence> {
    let words = normal(text);
    let words = words.strip_suffix(" confidence").unwrap_or(&words);
    Confidence::ALL.into_iter().find(|c| c.code() == words)
}

/// Lower case, words separated by one space.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A header as metasum names the column: `Methodological limitations`,
/// `methodological-limitations` and `methodological_limitations` alike.
fn column_name(header: &str) -> String {
    normal(&header.replace(['_', '-'], " ")).replace(' ', "_")
}

/// Every column `cerqual.csv` may have.
fn known_columns() -> Vec<String> {
    let mut known = vec!["finding".to_string(), "summary".to_string()];
    for (c, _) in COMPONENTS {
        known.push(c.to_string());
        known.push(format!("{c}_explanation"));
    }
    known.extend([
        "confidence".to_string(),
        "confidence_explanation".to_string(),
    ]);
    known
}

/// Whether the header names each column once, names only columns metasum
/// knows (a misspelt `Coherence explanaton` would lose every coherence
/// explanation without a word), and names the `required` ones. Each
/// problem is told at line 1.
fn header_is_sound(
    bytes: &[u8],
    required: &[&str],
    layout: Layout,
    problems: &mut Vec<Problem>,
) -> bool {
    let before = problems.len();
    let empty = bytes.iter().all(|b| b.is_ascii_whitespace());
    let header = match empty {
        true => Vec::new(),
        false => match super::csvfile::header_of(FILE, bytes, problems) {
            Some(header) => header,
            None => return false, // told
        },
    };
    if header.iter().all(|h| h.is_empty()) {
        problems.push(Problem::at(
            FILE,
            1,
            "is empty: it needs a header line (finding, the four components, confidence, ...)",
        ));
        return false;
    }
    let known = known_columns();
    let mut seen: Vec<String> = Vec::new();
    for written in &header {
        let name = column_name(written);
        if seen.contains(&name) {
            problems.push(Problem::at(
                FILE,
                1,
                format!("column `{written}` appears twice"),
            ));
        } else if !known.contains(&name) {
            problems.push(Problem::at(
                FILE,
                1,
                format!(
                    "unknown column `{written}` ({} has: {}; keep other notes in a {} of their own)",
                    ReviewFile::Cerqual.named(layout),
                    known.join(", "),
                    match layout {
                        Layout::Folder => "file",
                        Layout::Workbook => "sheet",
                    }
                ),
            ));
        }
        seen.push(name);
    }
    for r in required {
        if !seen.iter().any(|s| s == r) {
            problems.push(Problem::at(
                FILE,
                1,
                format!("missing required column `{r}`"),
            ));
        }
    }
    problems.len() == before
}

/// Parses `cerqual.csv`: per finding, the four components' levels
/// (required) and explanations, `confidence` (required) and
/// `confidence_explanation`, and optionally `summary`. Every problem is
/// located by line and column.
pub fn parse_cerqual(
    bytes: &[u8],
    findings: Known<'_>,
    layout: Layout,
    problems: &mut Vec<Problem>,
) -> Vec<Assessment> {
    let required: Vec<&str> = std::iter::once("finding")
        .chain(COMPONENTS.iter().map(|(c, _)| *c))
        .chain(["confidence"])
        .collect();
    if !header_is_sound(bytes, &required, layout, problems) {
        return Vec::new();
    }
    let rows = records(FILE, bytes, &[], problems);
    let mut first: HashMap<i64, u64> = HashMap::new();
    let mut out: Vec<Assessment> = Vec::new();
    for (line, fields) in rows {
        let fields: Vec<(String, String)> = (fields.into_iter())
            .map(|(k, v)| (column_name(&k), v))
            .collect();
        if let Some(assessment) = assessment(line, &fields, findings, &mut first, problems) {
            out.push(assessment);
        }
    }
    out
}

/// The assessment of one row of `cerqual.csv` (at `line`, its fields by
/// column name), or `None` with its problems told; `first` holds the line
/// each finding was first assessed on.
fn assessment(
    line: u64,
    fields: &[(String, String)],
    findings: Known<'_>,
    first: &mut HashMap<i64, u64>,
    problems: &mut Vec<Problem>,
) -> Option<Assessment> {
    let get = |name: &str| {
        (fields.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    };
    let text = |name: &str| get(name).unwrap_or("").to_string();
    let finding = id(
        FILE,
        line,
        "finding",
        &text("finding"),
        findings,
        "finding",
        problems,
    )?;
    if let Some(before) = first.insert(finding, line) {
        first.insert(finding, before);
        problems.push(Problem::cell(
            FILE,
            line,
            "finding",
            format!(
                "finding {} is assessed already on line {before}",
                text("finding")
            ),
        ));
        return None;
    }
    let mut ok = true;
    let mut level = |column: &str| -> Concern {
        concern(&text(column)).unwrap_or_else(|| {
            let expected: Vec<&str> = Concern::ALL.iter().map(|c| c.code()).collect();
            problems.push(Problem::cell(
                FILE,
                line,
                column,
                format!("expected {}, found `{}`", expected.join(", "), text(column)),
            ));
            ok = false;
            Concern::Serious
        })
    };
    let components = COMPONENTS.map(|(column, _)| Judgement {
        level: level(column),
        explanation: text(&format!("{column}_explanation")),
    });
    let Some(overall) = confidence(&text("confidence")) else {
        let expected: Vec<&str> = Confidence::ALL.iter().map(|c| c.code()).collect();
        problems.push(Problem::cell(
            FILE,
            line,
            "confidence",
            format!(
                "expected {}, found `{}`",
                expected.join(", "),
                text("confidence")
            ),
        ));
        return None;
    };
    ok.then(|| Assessment {
        finding,
        summary: text("summary"),
        components,
        confidence: Judgement {
            level: overall,
            explanation: text("confidence_explanation"),
        },
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_in_the_ways_reviewers_write_them() {
        for written in ["minor concerns", "Minor Concerns", " minor ", "MINOR"] {
            assert_eq!(concern(written), Some(Concern::Minor), "{written}");
        }
        assert_eq!(
            concern("No or very minor concerns"),
            Some(Concern::NoOrVeryMinor)
        );
        assert_eq!(concern("some concerns"), None);
        assert_eq!(concern(""), None);
        assert_eq!(confidence("Very  low"), Some(Confidence::VeryLow));
        assert_eq!(confidence("High confidence"), Some(Confidence::High));
        assert_eq!(confidence("medium"), None);
        assert_eq!(
            column_name("Methodological limitations"),
            "methodological_limitations"
        );
        assert_eq!(
            column_name("Confidence-Explanation"),
            "confidence_explanation"
        );
    }
}
