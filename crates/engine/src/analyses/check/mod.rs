//! `metasum check`: where a valid dataset disagrees with itself: the FES a
//! paper printed against the FES computed from its evidence, and published
//! participant totals against the sums of the study columns.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

mod cerqual;
mod search;
mod second_papers;

pub use cerqual::{CerqualWarning, CerqualWarningKind};
pub use search::{SearchFinding, SearchFindingKind};
pub use second_papers::MaybeOneStudy;

use crate::review::dataset::TableKeys;
use crate::{Dataset, count::views};

/// What `check` found in a dataset that loaded without problems.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    /// Where the data came from.
    pub origin: String,
    /// Title from `dataset.toml`.
    pub title: String,
    /// Row counts: studies, papers, findings, evidence links.
    pub counts: [usize; 4],
    /// Findings that have a `reported_fes`.
    pub fes_compared: usize,
    /// Reported FES values that differ from the computed ones.
    pub fes_disagreements: Vec<FesDisagreement>,
    /// One line per published total.
    pub totals: Vec<TotalCheck>,
    /// Claims in `claims.csv`.
    pub claims: usize,
    /// Linked claims citing exactly the finding's studies.
    pub claims_exact: usize,
    /// Linked claims whose citations differ from the finding's studies.
    pub claim_differences: Vec<ClaimDifference>,
    /// Citations in `citations.csv` compared with `studies.csv` years.
    pub citations: usize,
    /// Cited years that differ from `studies.csv`.
    pub year_differences: Vec<YearDifference>,
    /// Stages in `search.csv`, for `plot flow`.
    pub search_stages: usize,
    /// What the counts of `search.csv` say (warnings and notes).
    pub search_findings: Vec<SearchFinding>,
    /// Findings assessed in `cerqual.csv` (`None` without the file).
    pub cerqual_assessed: Option<usize>,
    /// The CERQual judgements that need an explanation or a second look.
    pub cerqual_warnings: Vec<CerqualWarning>,
    /// Stored columns left out because metasum computes them.
    pub ignored_columns: Vec<(String, String)>,
    /// Studies that support no finding (id, author): counted in
    /// every FES denominator, yet not evidence of anything.
    pub studies_without_findings: Vec<(i64, String)>,
    /// Findings no study supports (id, name): FES 0.
    pub findings_without_evidence: Vec<(i64, String)>,
    /// Findings quoted in a study (extracts.csv) that evidence.csv does
    /// not link to it: (finding, study, passages).
    pub quoted_unlinked: Vec<(i64, i64, usize)>,
    /// Studies that may be one study reported twice (same first author,
    /// close years, a title word their papers share).
    pub maybe_one_study: Vec<MaybeOneStudy>,
    /// `[columns]` descriptions of no column of studies or findings (a
    /// typo, or a column since renamed).
    pub undescribed: Vec<String>,
    /// The declared quality concerns, how many studies have one, and how
    /// many have no quality code (they stay in).
    pub concerns: (Vec<String>, usize, usize),
    /// Why `profile` can leave no study out, when it cannot (a warning).
    pub quality_note: Option<String>,
    /// How the dataset writes its ids (the ids above are numbers).
    pub keys: TableKeys,
}

/// A claim whose cited studies are not the linked finding's studies.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimDifference {
    /// The claim's id in `claims.csv`.
    pub claim: i64,
    /// Its line in `claims.csv`.
    pub line: u64,
    /// The statement of the text.
    pub statement: String,
    /// The finding the claim is linked to.
    pub finding: i64,
    /// That finding's name.
    pub finding_name: String,
    /// Cited for the claim but not evidence of the finding: the text and the
    /// table disagree.
    pub not_listed: Vec<i64>,
    /// Evidence of the finding not cited for the claim (the claim may be a
    /// part of the finding).
    pub not_cited: Vec<i64>,
    /// The finding's studies.
    pub listed: Vec<i64>,
}

/// A study cited in the text with another year than `studies.csv` gives.
#[derive(Debug, Clone, PartialEq)]
pub struct YearDifference {
    /// The study cited.
    pub study: i64,
    /// The citation as the text gives it, e.g. "Fisk et al. (2006)".
    pub cited_as: String,
    /// The year in the citation.
    pub cited_year: i64,
    /// Where in the text.
    pub section: String,
    /// The year in `studies.csv` (missing when none is recorded).
    pub table_year: Option<i64>,
    /// The line in `citations.csv`.
    pub line: u64,
}

/// A finding whose printed FES is not what its evidence gives.
#[derive(Debug, Clone, PartialEq)]
pub struct FesDisagreement {
    /// The finding's id.
    pub finding: i64,
    /// The finding's name.
    pub name: String,
    /// The FES the paper printed (`reported_fes`).
    pub reported: f64,
    /// Supporting studies: the exact FES is `100 * n / of`.
    pub n: i64,
    /// All studies.
    pub of: usize,
}

/// A published participant total set beside the sum of its column.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalCheck {
    /// The participant column, e.g. `workers`.
    pub column: String,
    /// The total the paper printed (`dataset.toml`).
    pub published: i64,
    /// The sum of the column over the studies with a count (wide enough
    /// never to wrap: a wrapped sum was reported "off by -59").
    pub sum: i128,
    /// Studies with a count in the column.
    pub counted: usize,
    /// Studies in all.
    pub studies: usize,
}

impl TotalCheck {
    /// Whether the column adds up to the published figure.
    pub fn agrees(&self) -> bool {
        i128::from(self.published) == self.sum
    }
}

impl CheckReport {
    /// Number of warnings the report carries.
    pub fn warnings(&self) -> usize {
        self.fes_disagreements.len()
            + self.totals.iter().filter(|t| !t.agrees()).count()
            + self
                .claim_differences
                .iter()
                .filter(|c| !c.not_listed.is_empty())
                .count()
            + self.year_differences.len()
            + self.cerqual_warnings.len()
            + (self.search_findings.iter())
                .filter(|f| f.is_warning())
                .count()
            + self.studies_without_findings.len()
            + self.findings_without_evidence.len()
            + self.maybe_one_study.len()
            + self.quoted_unlinked.len()
            + self.undescribed.len()
            + usize::from(self.quality_note.is_some())
    }
}

/// Whether a printed FES agrees with `100 * n / of`: equal after rounding
/// half up to a whole percent (as papers print it), or to as many decimals
/// as the paper printed (33.3 for 1 of 3; 33.35 agrees with 667 of 2000
/// at two decimals, not with 2 of 6).
pub fn fes_agrees(reported: f64, n: i64, of: usize) -> bool {
    let of = of as i64;
    let whole = (200 * n + of) / (2 * of); // round half up, in integers
    let decimals = crate::exact::decimals(reported) as usize;
    reported == whole as f64
        || (decimals > 0
            && crate::exact::round_half_up(crate::exact::ratio(100 * n, of), decimals) == reported)
}

/// Compares what a dataset prints about itself with what its data give.
pub fn check(ds: &Dataset) -> crate::Result<CheckReport> {
    let of = ds.studies.height();
    // The counts without the list columns, which `check` never reads: at
    // 20M links the lists were most of its remaining 3.2 s.
    let counted = |list| {
        let options = views::ViewOptions {
            lists_later: true,
            ..Default::default()
        };
        views::view_with(ds, None, list, options)?.collect()
    };
    let findings = counted(views::ListOf::StudiesOfFindings)?;
    let (fes_compared, fes_disagreements) = reported_fes(&findings, of)?;
    let totals = published_totals(ds)?;
    let (claims_exact, claim_differences) = claim_differences(ds)?;
    let findings_without_evidence = unlinked(&findings, "name")?;
    let studies = counted(views::ListOf::FindingsOfStudies)?;
    let studies_without_findings = unlinked(&studies, "author")?;
    Ok(CheckReport {
        origin: ds.origin.clone(),
        title: ds.meta.title.clone(),
        counts: [
            of,
            ds.papers.height(),
            ds.findings.height(),
            ds.links()?.height(),
        ],
        fes_compared,
        fes_disagreements,
        totals,
        claims: ds.claims.len(),
        claims_exact,
        claim_differences,
        citations: ds.citations.len(),
        year_differences: year_differences(ds)?,
        search_stages: ds.search.len(),
        search_findings: search::search_findings(&ds.search, of, ds.papers.height()),
        cerqual_assessed: ds.cerqual.as_ref().map(Vec::len),
        cerqual_warnings: cerqual::cerqual_warnings(ds)?,
        ignored_columns: ds.ignored_columns.clone(),
        studies_without_findings,
        findings_without_evidence,
        maybe_one_study: second_papers::maybe_one_study(ds)?,
        quoted_unlinked: quoted_unlinked(ds)?,
        undescribed: (ds.meta.columns.iter())
            .map(|(c, _)| c)
            .filter(|c| ds.studies.column(c).is_err() && ds.findings.column(c).is_err())
            .cloned()
            .collect(),
        concerns: {
            let (of_concern, unappraised) = studies_of_concern(ds)?;
            (ds.meta.quality_concerns.clone(), of_concern, unappraised)
        },
        quality_note: crate::analyses::profile::quality_note(ds),
        keys: ds.keys.clone(),
    })
}

/// The findings extracts quote in a study that the evidence links do not
/// tie to it, with how many passages: a link removed when the coders
/// reconciled, or a passage coded after the links were made.
fn quoted_unlinked(ds: &Dataset) -> crate::Result<Vec<(i64, i64, usize)>> {
    if ds.extracts.is_empty() {
        return Ok(Vec::new());
    }
    let column = |frame: &DataFrame, name: &str| -> crate::Result<Vec<Option<i64>>> {
        Ok(frame
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .collect())
    };
    let study_of: std::collections::HashMap<i64, i64> = (column(&ds.papers, "id")?.into_iter())
        .zip(column(&ds.papers, "study")?)
        .filter_map(|(p, s)| Some((p?, s?)))
        .collect();
    let links = ds.links()?;
    let linked: std::collections::HashSet<(i64, i64)> = (column(links, "finding")?.into_iter())
        .zip(column(links, "study")?)
        .filter_map(|(f, s)| Some((f?, s?)))
        .collect();
    let mut quoted: std::collections::BTreeMap<(i64, i64), usize> = Default::default();
    for e in &ds.extracts {
        if let Some(&study) = study_of.get(&e.paper)
            && !linked.contains(&(e.finding, study))
        {
            *quoted.entry((e.finding, study)).or_default() += 1;
        }
    }
    Ok(quoted.into_iter().map(|((f, s), n)| (f, s, n)).collect())
}

/// How many findings state the FES the paper printed, and those whose
/// printed FES is not `n` of the `of` studies at the printed decimals.
fn reported_fes(findings: &DataFrame, of: usize) -> crate::Result<(usize, Vec<FesDisagreement>)> {
    let mut fes_compared = 0;
    let mut fes_disagreements = Vec::new();
    if let Ok(reported) = findings
        .column("reported_fes")
        .and_then(|c| c.cast(&DataType::Float64))
    {
        let ids = findings.column("id")?.i64()?;
        let names = findings.column("name")?.str()?;
        let ns = findings.column("n")?.i64()?;
        for (((id, name), n), reported) in ids
            .iter()
            .zip(names.iter())
            .zip(ns.iter())
            .zip(reported.f64()?.iter())
        {
            let (Some(id), Some(n), Some(reported)) = (id, n, reported) else {
                continue;
            };
            fes_compared += 1;
            if of == 0 || !fes_agrees(reported, n, of) {
                fes_disagreements.push(FesDisagreement {
                    finding: id,
                    name: name.unwrap_or_default().to_string(),
                    reported,
                    n,
                    of,
                });
            }
        }
    }
    Ok((fes_compared, fes_disagreements))
}

/// Each total `dataset.toml` says the paper published, beside the sum of
/// the column's cells.
fn published_totals(ds: &Dataset) -> crate::Result<Vec<TotalCheck>> {
    let of = ds.studies.height();
    let mut totals = Vec::new();
    for (column, published) in &ds.meta.published_totals {
        let cells = ds.studies.column(column)?.cast(&DataType::Int64)?;
        let cells = cells.i64()?;
        totals.push(TotalCheck {
            column: column.clone(),
            published: *published,
            sum: cells.iter().flatten().map(i128::from).sum(),
            counted: cells.len() - cells.null_count(),
            studies: of,
        });
    }
    Ok(totals)
}

/// How many studies have a quality code declared a concern, and how many
/// have no quality code.
fn studies_of_concern(ds: &Dataset) -> PolarsResult<(usize, usize)> {
    let Ok(quality) = ds.studies.column("quality") else {
        return Ok((0, ds.studies.height()));
    };
    let concerns = &ds.meta.quality_concerns;
    let quality = quality.str()?;
    let of_concern = quality
        .iter()
        .filter(|q| q.is_some_and(|q| concerns.iter().any(|c| c == q)))
        .count();
    Ok((of_concern, quality.null_count()))
}

/// The rows of a findings or studies view with `n` = 0: their ids and
/// their text in `column` (a finding's name, a study's author).
fn unlinked(view: &DataFrame, column: &str) -> PolarsResult<Vec<(i64, String)>> {
    let ids = view.column("id")?.i64()?;
    let ns = view.column("n")?.i64()?;
    let texts = view.column(column)?.str()?;
    Ok(ids
        .iter()
        .zip(ns.iter())
        .zip(texts.iter())
        .filter_map(|((id, n), text)| match (id, n) {
            (Some(id), Some(0)) => Some((id, text.unwrap_or_default().to_string())),
            _ => None,
        })
        .collect())
}

/// Linked claims compared with the evidence of their finding: how many agree
/// exactly, and every one that does not.
fn claim_differences(ds: &Dataset) -> PolarsResult<(usize, Vec<ClaimDifference>)> {
    // Only the findings claims cite: a set of studies for every finding
    // was 70% of `check`'s 21 s at 20M links, claims or none.
    let mut evidence: BTreeMap<i64, BTreeSet<i64>> = (ds.claims.iter())
        .filter_map(|c| Some((c.finding?, BTreeSet::new())))
        .collect();
    if evidence.is_empty() {
        return Ok((0, Vec::new()));
    }
    let links = ds.links()?;
    let findings = links.column("finding")?.i64()?;
    let studies = links.column("study")?.i64()?;
    for (f, s) in findings.iter().zip(studies.iter()) {
        if let (Some(f), Some(s)) = (f, s)
            && let Some(listed) = evidence.get_mut(&f)
        {
            listed.insert(s);
        }
    }
    let names: BTreeMap<i64, String> = ds
        .findings
        .column("id")?
        .i64()?
        .iter()
        .zip(ds.findings.column("name")?.str()?.iter())
        .filter_map(|(id, name)| Some((id?, name.unwrap_or_default().to_string())))
        .collect();
    let mut exact = 0;
    let mut differences = Vec::new();
    for claim in &ds.claims {
        let Some(finding) = claim.finding else {
            continue;
        };
        let listed = evidence.get(&finding).cloned().unwrap_or_default();
        let cited: BTreeSet<i64> = claim.studies.iter().copied().collect();
        if cited == listed {
            exact += 1;
            continue;
        }
        differences.push(ClaimDifference {
            claim: claim.id,
            line: claim.line,
            statement: claim.statement.clone(),
            finding,
            finding_name: names.get(&finding).cloned().unwrap_or_default(),
            not_listed: cited.difference(&listed).copied().collect(),
            not_cited: listed.difference(&cited).copied().collect(),
            listed: listed.into_iter().collect(),
        });
    }
    Ok((exact, differences))
}

/// Cited years that differ from the year `studies.csv` gives the study.
fn year_differences(ds: &Dataset) -> PolarsResult<Vec<YearDifference>> {
    let years: BTreeMap<i64, Option<i64>> = ds
        .studies
        .column("id")?
        .i64()?
        .iter()
        .zip(ds.studies.column("year")?.i64()?.iter())
        .filter_map(|(id, year)| Some((id?, year)))
        .collect();
    Ok(ds
        .citations
        .iter()
        .filter_map(|c| {
            let table_year = years.get(&c.study).copied().flatten();
            (table_year != Some(c.year)).then(|| YearDifference {
                study: c.study,
                cited_as: c.cited_as.clone(),
                cited_year: c.year,
                section: c.section.clone(),
                table_year,
                line: c.line,
            })
        })
        .collect())
}

mod report;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_to_whole_percent() {
        assert!(fes_agrees(44.0, 11, 25));
        assert!(fes_agrees(33.0, 1, 3)); // 33.33
        assert!(fes_agrees(67.0, 2, 3)); // 66.67
        assert!(fes_agrees(13.0, 1, 8)); // 12.5 rounds up
        assert!(!fes_agrees(12.0, 1, 8));
        assert!(fes_agrees(33.3, 1, 3)); // printed with a decimal
        assert!(fes_agrees(12.5, 1, 8) && fes_agrees(33.33, 1, 3));
        assert!(!fes_agrees(12.6, 1, 8) && !fes_agrees(33.34, 1, 3) && !fes_agrees(33.4, 1, 3));
        assert!(fes_agrees(81.3, 13, 16) && !fes_agrees(81.2, 13, 16)); // 81.25
        assert!(!fes_agrees(40.0, 11, 25));
    }

    #[test]
    fn seed_fes_all_agree_and_totals_are_reported() {
        let ds = Dataset::seed().unwrap();
        let report = check(&ds).unwrap();
        assert_eq!(report.counts, [25, 27, 24, 158]);
        assert_eq!(report.fes_compared, 24);
        assert!(
            report.fes_disagreements.is_empty(),
            "{:?}",
            report.fes_disagreements
        );
        let columns: Vec<&str> = report.totals.iter().map(|t| t.column.as_str()).collect();
        assert_eq!(columns, ["workers", "staff", "recipients"]);
        // Only studies 3 and 4 print all three counts, so only they are assigned.
        for t in &report.totals {
            assert_eq!(t.counted, 2, "{t:?}");
            assert!(!t.agrees());
        }
    }

    #[test]
    fn seed_narrative_cites_studies_table_2_does_not_list() {
        let report = check(&Dataset::seed().unwrap()).unwrap();
        let extra: Vec<(i64, i64, Vec<i64>)> = report
            .claim_differences
            .iter()
            .filter(|d| !d.not_listed.is_empty())
            .map(|d| (d.claim, d.finding, d.not_listed.clone()))
            .collect();
        // "not role models (4, 8, 9, 13)": Table 2 lists 4, 8, 9 only.
        assert!(extra.contains(&(20, 17, vec![13])), "{extra:?}");
        assert_eq!(extra.len(), 5);
        // Fisk et al. is 2000 in Table 1 but 2006 in the appraisal section.
        let years: Vec<(i64, i64, Option<i64>)> = report
            .year_differences
            .iter()
            .map(|y| (y.study, y.cited_year, y.table_year))
            .collect();
        assert_eq!(years, [(9, 2006, Some(2000))]);
    }
}
