//! `metasum check`: where a valid dataset disagrees with itself: the FES a
//! paper printed against the FES computed from its evidence, and published
//! participant totals against the sums of the study columns.

use std::fmt;

use polars::prelude::*;

use crate::{Dataset, stats};

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
}

/// A finding whose printed FES is not what its evidence gives.
#[derive(Debug, Clone, PartialEq)]
pub struct FesDisagreement {
    pub finding: i64,
    pub name: String,
    pub reported: f64,
    /// Supporting studies and all studies: the exact FES is `100 * n / of`.
    pub n: i64,
    pub of: usize,
}

/// A published participant total set beside the sum of its column.
#[derive(Debug, Clone, PartialEq)]
pub struct TotalCheck {
    pub column: String,
    pub published: i64,
    pub sum: i64,
    /// Studies with a count in the column, and studies in all.
    pub counted: usize,
    pub studies: usize,
}

impl TotalCheck {
    /// Whether the column adds up to the published figure.
    pub fn agrees(&self) -> bool {
        self.published == self.sum
    }
}

impl CheckReport {
    /// Number of warnings the report carries.
    pub fn warnings(&self) -> usize {
        self.fes_disagreements.len() + self.totals.iter().filter(|t| !t.agrees()).count()
    }
}

/// Whether a printed FES agrees with `100 * n / of`: equal after rounding
/// half up to a whole percent (as papers print it), or within 0.05 when the
/// paper printed decimals.
pub fn fes_agrees(reported: f64, n: i64, of: usize) -> bool {
    let of = of as i64;
    let whole = (200 * n + of) / (2 * of); // round half up, in integers
    reported == whole as f64 || (reported - 100.0 * n as f64 / of as f64).abs() < 0.05
}

/// Compares what a dataset prints about itself with what its data give.
pub fn check(ds: &Dataset) -> PolarsResult<CheckReport> {
    let of = ds.studies.height();
    let findings = stats::findings_view(ds, None)?.collect()?;
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
    let mut totals = Vec::new();
    for (column, published) in &ds.meta.published_totals {
        let cells = ds.studies.column(column)?.cast(&DataType::Int64)?;
        let cells = cells.i64()?;
        totals.push(TotalCheck {
            column: column.clone(),
            published: *published,
            sum: cells.sum().unwrap_or(0),
            counted: cells.len() - cells.null_count(),
            studies: of,
        });
    }
    Ok(CheckReport {
        origin: ds.origin.clone(),
        title: ds.meta.title.clone(),
        counts: [
            of,
            ds.papers.height(),
            ds.findings.height(),
            ds.evidence.height(),
        ],
        fes_compared,
        fes_disagreements,
        totals,
    })
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [studies, papers, findings, links] = self.counts;
        writeln!(f, "dataset: {}", self.origin)?;
        if !self.title.is_empty() {
            writeln!(f, "  {}", self.title)?;
        }
        writeln!(
            f,
            "  {studies} studies, {papers} papers, {findings} findings, {links} evidence links: valid"
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "Reported FES against FES computed from the evidence (n = {studies}):"
        )?;
        if self.fes_compared == 0 {
            writeln!(f, "  no finding has a reported_fes; nothing to compare")?;
        } else if self.fes_disagreements.is_empty() {
            writeln!(
                f,
                "  all {} reported FES values agree with the computed ones",
                self.fes_compared
            )?;
        } else {
            let agree = self.fes_compared - self.fes_disagreements.len();
            writeln!(
                f,
                "  {agree} of {} reported FES values agree; these do not:",
                self.fes_compared
            )?;
            for d in &self.fes_disagreements {
                let exact = 100.0 * d.n as f64 / d.of as f64;
                writeln!(
                    f,
                    "  warning: finding {} \"{}\": reported {}, computed {exact:.1} ({} of {} studies)",
                    d.finding, d.name, d.reported, d.n, d.of
                )?;
            }
        }
        if !self.totals.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Published participant totals against the sums of studies.csv:"
            )?;
            for t in &self.totals {
                let coverage = format!("{} of {} studies have a count", t.counted, t.studies);
                if t.agrees() {
                    writeln!(
                        f,
                        "  {}: published {}, sum {} ({coverage}): agree",
                        t.column, t.published, t.sum
                    )?;
                } else {
                    writeln!(
                        f,
                        "  warning: {}: published {}, sum {}, off by {} ({coverage})",
                        t.column,
                        t.published,
                        t.sum,
                        t.published - t.sum
                    )?;
                }
            }
        }
        writeln!(f)?;
        match self.warnings() {
            0 => writeln!(f, "no warnings"),
            1 => writeln!(f, "1 warning"),
            n => writeln!(f, "{n} warnings"),
        }
    }
}

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
}
