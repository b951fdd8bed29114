//! `extracts.csv` (optional): the coded passages that support each
//! finding, as a QDA project holds them (`metasum import project.qdpx`
//! writes it). FES never reads it: `evidence.csv` holds the links. It is
//! what the `extracts` table, the worksheet and the report quote.

use super::claims::{Known, field, id, records};
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

const FILE: &str = ReviewFile::Extracts.file();

/// The columns every `extracts.csv` has.
pub const COLUMNS: [&str; 5] = ["finding", "paper", "place", "quote", "coder"];

/// The column that ties a row to the QDA project's coding it came from, so
/// that importing the project again adds nothing twice (optional).
pub use super::files::QDA_GUID as GUID;

/// The place of a coding of a source as a whole (it quotes nothing).
pub const WHOLE_SOURCE: &str = "whole source";

/// One coded passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    /// The finding it was coded with.
    pub finding: i64,
    /// The paper it is in.
    pub paper: i64,
    /// Where it is in its source (`characters 120-245`, `page 3`).
    pub place: String,
    /// Its text.
    pub quote: String,
    /// Who coded it (empty when the project does not say).
    pub coder: String,
    /// The project's coding it came from (empty when typed by hand).
    pub guid: String,
}

/// Parses `extracts.csv`: `finding,paper,place,quote,coder` (and
/// `qda_guid`). Every problem is located.
pub fn parse_extracts(
    bytes: &[u8],
    findings: Known<'_>,
    papers: Known<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<Extract> {
    let mut out = Vec::new();
    let before = problems.len();
    for (line, fields) in records(FILE, bytes, &COLUMNS, problems) {
        let finding = id(
            FILE,
            line,
            "finding",
            field(&fields, "finding"),
            findings,
            "finding",
            problems,
        );
        let paper = id(
            FILE,
            line,
            "paper",
            field(&fields, "paper"),
            papers,
            "paper",
            problems,
        );
        let (Some(finding), Some(paper)) = (finding, paper) else {
            continue;
        };
        let text = |name: &str| field(&fields, name).to_string();
        out.push(Extract {
            finding,
            paper,
            place: text("place"),
            quote: text("quote"),
            coder: text("coder"),
            guid: text(GUID),
        });
    }
    if problems.len() > before {
        return Vec::new();
    }
    out
}
