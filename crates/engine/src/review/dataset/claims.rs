//! Optional narrative files checked by `metasum check`: `claims.csv` (the
//! studies a review's text cites for a statement, linked to a finding where
//! one matches) and `citations.csv` (author-year citations of included
//! studies in the text).

use super::cells::cell_text;
use super::csvfile::{ColumnSpec, CsvRows, Kind};
use super::keys::{Keys, Resolved};
use super::validate::IdIndex;
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

/// A statement of the review's text and the studies it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim's id in `claims.csv`.
    pub id: i64,
    /// Where in the text, e.g. "Discussion".
    pub section: String,
    /// The statement, as the text words it.
    pub statement: String,
    /// Study ids cited for the statement, as cited.
    pub studies: Vec<i64>,
    /// The finding the statement reports, when one matches.
    pub finding: Option<i64>,
    /// Line in `claims.csv`.
    pub line: u64,
}

/// An author-year citation of an included study in the review's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The study cited.
    pub study: i64,
    /// The citation as the text gives it, e.g. "Fisk et al. (2006)".
    pub cited_as: String,
    /// The year in the citation.
    pub year: i64,
    /// Where in the text.
    pub section: String,
    /// Line in `citations.csv`.
    pub line: u64,
}

/// The rows of an optional file as (line, field by header name), read as
/// every file is ([`CsvRows`]: one reader), its `required` columns checked;
/// every problem told.
pub(super) fn records(
    file: &str,
    bytes: &[u8],
    required: &[&'static str],
    problems: &mut Vec<Problem>,
) -> Vec<(u64, Vec<(String, String)>)> {
    let specs: Vec<ColumnSpec> = (required.iter())
        .map(|&name| ColumnSpec {
            name,
            kind: Kind::Text,
            required: true,
        })
        .collect();
    let Some(mut rows) = CsvRows::open(file, bytes, &specs, problems) else {
        return Vec::new();
    };
    let headers = rows.headers.clone();
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    loop {
        let line = match rows.next(&mut record, problems) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(()) => return Vec::new(),
        };
        // A row with a spreadsheet error (told) is left out: read as empty,
        // the cell would be told again as a value of the wrong kind.
        let fields: Option<Vec<(String, String)>> = (headers.iter().zip(record.iter()))
            .map(|(name, raw)| {
                let text = cell_text(file, line, name, raw, problems)?;
                Some((name.clone(), text.into_owned()))
            })
            .collect();
        if let Some(fields) = fields {
            out.push((line, fields));
        }
    }
    rows.finish(problems);
    out
}

pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The ids of one table, for resolving references to it: its index (absent
/// when the table could not be read) and how its ids are written.
pub type Known<'a> = (Option<&'a IdIndex>, &'a Keys);

pub(super) fn id(
    file: &str,
    line: u64,
    column: &str,
    text: &str,
    (known, keys): Known<'_>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<i64> {
    match keys.named(text) {
        // A table that could not be read names nothing: its problems are
        // reported, not one "does not exist" per reference to it.
        Resolved::Id(n) if known.is_none_or(|k| k.contains(n)) => Some(n),
        Resolved::Id(_) | Resolved::Unknown => {
            problems.push(Problem::cell(
                file,
                line,
                column,
                format!("{what} {text} does not exist"),
            ));
            None
        }
        Resolved::NotANumber => {
            problems.push(Problem::cell(
                file,
                line,
                column,
                format!("expected a {what} id, found `{text}`"),
            ));
            None
        }
    }
}

/// Parses `claims.csv`: `id,section,statement,studies,finding` with studies
/// separated by `;`.
pub fn parse_claims(
    bytes: &[u8],
    studies: Known<'_>,
    findings: Known<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<Claim> {
    const FILE: &str = ReviewFile::Claims.file();
    let mut claims = Vec::new();
    for (line, fields) in records(FILE, bytes, &["id", "statement", "studies"], problems) {
        let Ok(claim_id) = field(&fields, "id").parse::<i64>() else {
            problems.push(Problem::cell(
                FILE,
                line,
                "id",
                format!("expected a whole number, found `{}`", field(&fields, "id")),
            ));
            continue;
        };
        let cited: Vec<i64> = field(&fields, "studies")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(|s| id(FILE, line, "studies", s, studies, "study", problems))
            .collect();
        let finding = match field(&fields, "finding") {
            "" => None,
            f => id(FILE, line, "finding", f, findings, "finding", problems),
        };
        claims.push(Claim {
            id: claim_id,
            section: field(&fields, "section").to_string(),
            statement: field(&fields, "statement").to_string(),
            studies: cited,
            finding,
            line,
        });
    }
    claims
}

/// Parses `citations.csv`: `study,cited_as,year,section`.
pub fn parse_citations(
    bytes: &[u8],
    studies: Known<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<Citation> {
    const FILE: &str = ReviewFile::Citations.file();
    let mut citations = Vec::new();
    for (line, fields) in records(FILE, bytes, &["study", "cited_as", "year"], problems) {
        let study = id(
            FILE,
            line,
            "study",
            field(&fields, "study"),
            studies,
            "study",
            problems,
        );
        let year = field(&fields, "year").parse::<i64>();
        if year.is_err() {
            problems.push(Problem::cell(
                FILE,
                line,
                "year",
                format!(
                    "expected a whole number, found `{}`",
                    field(&fields, "year")
                ),
            ));
        }
        if let (Some(study), Ok(year)) = (study, year) {
            citations.push(Citation {
                study,
                cited_as: field(&fields, "cited_as").to_string(),
                year,
                section: field(&fields, "section").to_string(),
                line,
            });
        }
    }
    citations
}
