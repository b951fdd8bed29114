//! How far two coders agree (`coding.csv`): per finding, the 2x2 table of
//! their decisions over all studies, percent agreement, Cohen's kappa and
//! Gwet's AC1 (which behaves on rare codes, where kappa collapses), and
//! the pooled figures; and the links they disagree on, for the
//! reconciliation meeting.

use polars::prelude::*;

use crate::Dataset;

/// Two coders' decisions on one finding over all studies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Table2x2 {
    /// Both found it.
    pub both: u64,
    /// Only the first coder.
    pub first_only: u64,
    /// Only the second coder.
    pub second_only: u64,
    /// Neither.
    pub neither: u64,
}

impl Table2x2 {
    fn n(&self) -> f64 {
        (self.both + self.first_only + self.second_only + self.neither) as f64
    }

    /// Observed agreement, as a proportion.
    pub fn observed(&self) -> Option<f64> {
        let n = self.n();
        (n > 0.0).then(|| (self.both + self.neither) as f64 / n)
    }

    /// Cohen's kappa: (po - pe) / (1 - pe), pe from each coder's own
    /// rates. Undefined (with why) when pe is 1: both coders gave every
    /// study the one same code.
    pub fn kappa(&self) -> Result<f64, &'static str> {
        let n = self.n();
        let po = self.observed().ok_or("no study to compare")?;
        let first_yes = (self.both + self.first_only) as f64 / n;
        let second_yes = (self.both + self.second_only) as f64 / n;
        let pe = first_yes * second_yes + (1.0 - first_yes) * (1.0 - second_yes);
        if (1.0 - pe).abs() < 1e-12 {
            return Err("kappa undefined: both coders gave every study the same code");
        }
        Ok((po - pe) / (1.0 - pe))
    }

    /// Gwet's AC1: (po - pe) / (1 - pe) with pe = 2 p (1 - p), p the mean
    /// rate of "found" over both coders.
    pub fn ac1(&self) -> Result<f64, &'static str> {
        let n = self.n();
        let po = self.observed().ok_or("no study to compare")?;
        let p = (2 * self.both + self.first_only + self.second_only) as f64 / (2.0 * n);
        let pe = 2.0 * p * (1.0 - p);
        Ok((po - pe) / (1.0 - pe))
    }

    /// The sum of two tables (pooled figures).
    fn add(self, other: Table2x2) -> Table2x2 {
        Table2x2 {
            both: self.both + other.both,
            first_only: self.first_only + other.first_only,
            second_only: self.second_only + other.second_only,
            neither: self.neither + other.neither,
        }
    }
}

/// Each finding's 2x2 table, in the findings' order: (id, name, table).
fn tables(ds: &Dataset) -> PolarsResult<Vec<(i64, String, Table2x2)>> {
    let Some(coding) = ds.coding.as_ref().filter(|c| c.coders.len() == 2) else {
        return Ok(Vec::new());
    };
    let studies = ds.studies.column("id")?.cast(&DataType::Int64)?;
    let studies: Vec<i64> = studies.i64()?.iter().flatten().collect();
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    let names = ds.findings.column("name")?.cast(&DataType::String)?;
    let mut out = Vec::new();
    for (id, name) in ids.i64()?.iter().zip(names.str()?.iter()) {
        let Some(id) = id else { continue };
        let mut t = Table2x2::default();
        for s in &studies {
            match (
                coding.links[0].contains(&(id, *s)),
                coding.links[1].contains(&(id, *s)),
            ) {
                (true, true) => t.both += 1,
                (true, false) => t.first_only += 1,
                (false, true) => t.second_only += 1,
                (false, false) => t.neither += 1,
            }
        }
        out.push((id, name.unwrap_or("").to_string(), t));
    }
    Ok(out)
}

/// Why the agreement tables are empty, or who the first and second coder
/// are.
pub fn note(ds: &Dataset) -> String {
    match &ds.coding {
        None => "this dataset has no coding.csv: no double coding to compare (see docs/DATASET.md)"
            .into(),
        Some(c) if c.coders.len() == 2 => {
            format!(
                "first coder: {}, second coder: {}",
                c.coders[0], c.coders[1]
            )
        }
        Some(c) if c.coders.is_empty() => {
            "coding.csv has no links yet: agreement compares the links two coders made".into()
        }
        Some(c) => {
            let alike = (c.coders.iter().enumerate())
                .any(|(i, a)| c.coders[i + 1..].iter().any(|b| a.eq_ignore_ascii_case(b)));
            format!(
                "agreement compares two coders, and coding.csv has {} ({}){}",
                c.coders.len(),
                c.coders.join(", "),
                if alike {
                    ": two names differ only in case"
                } else {
                    ""
                }
            )
        }
    }
}

/// `agreement`: per finding, and pooled over all (`finding` = `all`), the
/// 2x2 counts, percent agreement, kappa and AC1 (missing, with why, when
/// undefined).
pub fn agreement(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut rows = tables(ds)?;
    if !rows.is_empty() {
        let pooled = rows
            .iter()
            .fold(Table2x2::default(), |sum, (_, _, t)| sum.add(*t));
        rows.push((i64::MIN, "all findings, pooled".into(), pooled));
    }
    let key = |id: i64| {
        if id == i64::MIN {
            "all".to_string()
        } else {
            ds.keys.findings.text(id)
        }
    };
    let count = |pick: fn(&Table2x2) -> u64| rows.iter().map(|r| pick(&r.2)).collect::<Vec<u64>>();
    let why = |r: &(i64, String, Table2x2)| -> String {
        match (r.2.kappa(), r.2.ac1()) {
            (Err(why), _) | (_, Err(why)) => why.to_string(),
            _ => String::new(),
        }
    };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "finding".into(),
                rows.iter().map(|r| key(r.0)).collect::<Vec<_>>(),
            ),
            Column::new(
                "name".into(),
                rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            ),
            Column::new("both".into(), count(|t| t.both)),
            Column::new("first_only".into(), count(|t| t.first_only)),
            Column::new("second_only".into(), count(|t| t.second_only)),
            Column::new("neither".into(), count(|t| t.neither)),
            Column::new(
                "percent_agreement".into(),
                rows.iter()
                    .map(|r| r.2.observed().map(|p| 100.0 * p))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "kappa".into(),
                rows.iter().map(|r| r.2.kappa().ok()).collect::<Vec<_>>(),
            ),
            Column::new(
                "ac1".into(),
                rows.iter().map(|r| r.2.ac1().ok()).collect::<Vec<_>>(),
            ),
            Column::new("note".into(), rows.iter().map(why).collect::<Vec<_>>()),
        ],
    )
}

/// `disagreements`: each link one coder made and the other did not:
/// finding, its name, study, its label, who coded it.
pub fn disagreements(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut rows: Vec<[String; 5]> = Vec::new();
    if let Some(coding) = ds.coding.as_ref().filter(|c| c.coders.len() == 2) {
        // The names only: the 2x2 tables are not needed here.
        let names = crate::analyses::cerqual::names(ds)?;
        let mut differing: Vec<(i64, i64, usize)> = Vec::new();
        for k in 0..2 {
            for (f, s) in coding.links[k].difference(&coding.links[1 - k]) {
                differing.push((*f, *s, k));
            }
        }
        differing.sort_unstable();
        for (f, s, k) in differing {
            rows.push([
                ds.keys.findings.text(f),
                names.get(&f).cloned().unwrap_or_default(),
                ds.keys.studies.text(s),
                ds.study_label(s),
                coding.coders[k].clone(),
            ]);
        }
    }
    let column = |i: usize, name: &str| {
        Column::new(
            name.into(),
            rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>(),
        )
    };
    DataFrame::new(
        rows.len(),
        vec![
            column(0, "finding"),
            column(1, "name"),
            column(2, "study"),
            column(3, "label"),
            column(4, "coded_by"),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_and_ac1_match_worked_examples() {
        // The textbook example (Wikipedia, "Cohen's kappa": 50 proposals,
        // 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no): po = 0.7, pe = 0.5,
        // kappa = 0.4. AC1 by hand: p = (25 + 30) / 100 = 0.55, pe = 2 x
        // 0.55 x 0.45 = 0.495, AC1 = 0.205 / 0.505 = 0.40594.
        let t = Table2x2 {
            both: 20,
            first_only: 5,
            second_only: 10,
            neither: 15,
        };
        assert!((t.observed().unwrap() - 0.7).abs() < 1e-12);
        assert!((t.kappa().unwrap() - 0.4).abs() < 1e-12);
        assert!((t.ac1().unwrap() - 0.405_940_594).abs() < 1e-6);
        // A rare code (Gwet's paradox): 1 study of 20 found by one coder
        // only, 19 by neither: po = 0.95 but kappa = 0 (pe = 0.95); AC1 by
        // hand: p = 1/40, pe = 2 x 0.025 x 0.975 = 0.04875, AC1 = (0.95 -
        // 0.04875) / 0.95125 = 0.94744.
        let rare = Table2x2 {
            both: 0,
            first_only: 1,
            second_only: 0,
            neither: 19,
        };
        assert!(rare.kappa().unwrap().abs() < 1e-12);
        assert!((rare.ac1().unwrap() - 0.947_437_582).abs() < 1e-6);
        // Neither coder used the finding: kappa undefined, AC1 is 1.
        let unused = Table2x2 {
            neither: 10,
            ..Default::default()
        };
        assert!(unused.kappa().is_err());
        assert!((unused.ac1().unwrap() - 1.0).abs() < 1e-12);
    }
}
