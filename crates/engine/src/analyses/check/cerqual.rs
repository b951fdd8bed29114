//! What `check` says of the CERQual assessments: the judgements that need
//! an explanation or a second look. It never computes a confidence level:
//! CERQual starts each finding at high confidence and the reviewers
//! downgrade it for concerns, as a judgement.

use polars::prelude::*;

use crate::Dataset;
use crate::review::dataset::{COMPONENTS, Concern, Confidence};

/// One thing `check` says of a finding's assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct CerqualWarning {
    /// The finding (its id as a number).
    pub finding: i64,
    /// Its line in `cerqual.csv` (`None`: the finding is not assessed).
    pub line: Option<u64>,
    /// What needs a look.
    pub kind: CerqualWarningKind,
}

/// What needs a look in an assessment.
#[derive(Debug, Clone, PartialEq)]
pub enum CerqualWarningKind {
    /// The finding has no row in `cerqual.csv`.
    NotAssessed,
    /// High confidence while (these components) have serious concerns.
    HighDespiteSerious(Vec<&'static str>),
    /// Very low confidence while no component has more than minor concerns.
    VeryLowWithoutConcerns,
    /// (This column's) explanation is empty.
    NoExplanation(String),
    /// Methodological limitations judged of no or very minor concern while
    /// (this many of these many) contributing studies have a declared
    /// quality concern.
    LimitationsDespiteQuality(i64, i64),
}

/// The warnings for `ds`'s assessments (none without `cerqual.csv`).
pub fn cerqual_warnings(ds: &Dataset) -> PolarsResult<Vec<CerqualWarning>> {
    let Some(assessments) = &ds.cerqual else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    for id in ids.i64()?.iter().flatten() {
        if !assessments.iter().any(|a| a.finding == id) {
            out.push(CerqualWarning {
                finding: id,
                line: None,
                kind: CerqualWarningKind::NotAssessed,
            });
        }
    }
    let concerns = concern_counts(ds)?;
    for a in assessments {
        let mut warn = |kind| {
            out.push(CerqualWarning {
                finding: a.finding,
                line: Some(a.line),
                kind,
            })
        };
        let serious: Vec<&'static str> = (COMPONENTS.iter().zip(&a.components))
            .filter(|(_, j)| j.level == Concern::Serious)
            .map(|((column, _), _)| *column)
            .collect();
        // A judgement against the components is the reviewers' to make;
        // once its explanation says why, it is answered.
        let unexplained = a.confidence.explanation.trim().is_empty();
        if a.confidence.level == Confidence::High && !serious.is_empty() && unexplained {
            warn(CerqualWarningKind::HighDespiteSerious(serious));
        }
        let at_most_minor = a.components.iter().all(|j| j.level <= Concern::Minor);
        if a.confidence.level == Confidence::VeryLow && at_most_minor && unexplained {
            warn(CerqualWarningKind::VeryLowWithoutConcerns);
        }
        for ((column, _), j) in COMPONENTS.iter().zip(&a.components) {
            if j.explanation.trim().is_empty() {
                warn(CerqualWarningKind::NoExplanation(format!(
                    "{column}_explanation"
                )));
            }
        }
        if a.confidence.explanation.trim().is_empty() {
            warn(CerqualWarningKind::NoExplanation(
                "confidence_explanation".into(),
            ));
        }
        if let Some(&(of_concern, n)) = concerns.get(&a.finding) {
            let limitations = a.components[0].level;
            if limitations == Concern::NoOrVeryMinor && 2 * of_concern > n {
                warn(CerqualWarningKind::LimitationsDespiteQuality(of_concern, n));
            }
        }
    }
    Ok(out)
}

/// Per finding: its studies with a declared quality concern, and all its
/// studies (none when no concern is declared: nothing to compare).
fn concern_counts(ds: &Dataset) -> PolarsResult<PlHashMap<i64, (i64, i64)>> {
    if crate::analyses::profile::quality_note(ds).is_some() {
        return Ok(PlHashMap::new());
    }
    let profile = crate::analyses::profile::profile_view(
        ds,
        None,
        crate::analyses::profile::DEFAULT_THRESHOLD,
    )?
    .select([col("id"), col("concern_n"), col("n")])
    .collect()?;
    let ids = profile.column("id")?.i64()?;
    let of_concern = profile.column("concern_n")?.i64()?;
    let n = profile.column("n")?.i64()?;
    Ok((ids.iter().zip(of_concern.iter()).zip(n.iter()))
        .filter_map(|((id, c), n)| Some((id?, (c?, n?))))
        .collect())
}
