//! The figures a paper would print, against expectations computed without
//! the engine: a small reference that reads the seed's CSV files and
//! counts, and values read off the paper (Table 2, the appraisal).

mod boundaries;
mod missing;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use metasum_engine::polars::prelude::*;
use metasum_engine::{Dataset, Session};

/// The seed as plain collections, read with the csv crate.
struct Reference {
    /// Study id -> quality code.
    quality: BTreeMap<i64, String>,
    /// Finding id -> the studies that contain it.
    studies_of: BTreeMap<i64, BTreeSet<i64>>,
}

impl Reference {
    fn read() -> Reference {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/peer-support");
        let rows = |file: &str| -> Vec<csv::StringRecord> {
            let mut reader = csv::Reader::from_path(dir.join(file)).unwrap();
            reader.records().map(Result::unwrap).collect()
        };
        let header = |file: &str, name: &str| -> usize {
            let mut reader = csv::Reader::from_path(dir.join(file)).unwrap();
            reader
                .headers()
                .unwrap()
                .iter()
                .position(|h| h == name)
                .unwrap()
        };
        let (id, quality) = (
            header("studies.csv", "id"),
            header("studies.csv", "quality"),
        );
        let quality = rows("studies.csv")
            .iter()
            .map(|r| (r[id].parse().unwrap(), r[quality].to_string()))
            .collect();
        let mut studies_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for r in rows("findings.csv") {
            studies_of.entry(r[0].parse().unwrap()).or_default();
        }
        let (f, s) = (
            header("evidence.csv", "finding"),
            header("evidence.csv", "study"),
        );
        for r in rows("evidence.csv") {
            studies_of
                .entry(r[f].parse().unwrap())
                .or_default()
                .insert(r[s].parse().unwrap());
        }
        Reference {
            quality,
            studies_of,
        }
    }

    /// The studies for which `keep` holds.
    fn studies(&self, keep: impl Fn(&str) -> bool) -> BTreeSet<i64> {
        self.quality
            .iter()
            .filter(|(_, q)| keep(q))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Per finding: (n, FES) among `scope`.
    fn fes_among(&self, scope: &BTreeSet<i64>) -> Vec<(i64, i64, f64)> {
        self.studies_of
            .iter()
            .map(|(f, studies)| {
                let n = studies.intersection(scope).count() as i64;
                (*f, n, (n * 100) as f64 / scope.len() as f64)
            })
            .collect()
    }
}

/// The rows of the last result of `src` on the seed.
fn frame(src: &str) -> DataFrame {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(Dataset::seed().unwrap());
    let mut last = None;
    for s in &script.statements {
        last = session.run(s).unwrap().map(|r| r.frame).or(last);
    }
    last.unwrap()
}

fn ints(df: &DataFrame, column: &str) -> Vec<Option<i64>> {
    df.column(column).unwrap().i64().unwrap().iter().collect()
}

fn floats(df: &DataFrame, column: &str) -> Vec<Option<f64>> {
    df.column(column).unwrap().f64().unwrap().iter().collect()
}

fn bools(df: &DataFrame, column: &str) -> Vec<Option<bool>> {
    df.column(column).unwrap().bool().unwrap().iter().collect()
}

#[test]
fn fes_of_every_finding_is_its_studies_over_all_25() {
    let reference = Reference::read();
    let all = reference.studies(|_| true);
    assert_eq!(all.len(), 25);
    let df = frame("findings show id, n, fes");
    let got: Vec<(i64, i64, f64)> = ints(&df, "id")
        .into_iter()
        .zip(ints(&df, "n"))
        .zip(floats(&df, "fes"))
        .map(|((id, n), fes)| (id.unwrap(), n.unwrap(), fes.unwrap()))
        .collect();
    assert_eq!(got, reference.fes_among(&all));
    // Table 2 prints 44% for low pay (finding 1) and 8% for finding 22.
    assert_eq!(got[0], (1, 11, 44.0));
    assert_eq!(got[21], (22, 2, 8.0));
}

#[test]
fn fes_among_the_adequate_studies_counts_among_22() {
    let reference = Reference::read();
    let adequate = reference.studies(|q| q != "low");
    assert_eq!(adequate.len(), 22, "studies 3, 7 and 9 are of low quality");
    let df = frame("findings among (studies where quality != low) show id, n, fes");
    let got: Vec<(i64, i64, f64)> = ints(&df, "id")
        .into_iter()
        .zip(ints(&df, "n"))
        .zip(floats(&df, "fes"))
        .map(|((id, n), fes)| (id.unwrap(), n.unwrap(), fes.unwrap()))
        .collect();
    assert_eq!(got, reference.fes_among(&adequate));
    // Low pay: 11 studies, 7 and 9 of them of low quality: 9 of 22.
    assert_eq!(got[0], (1, 9, 900.0 / 22.0));
}

#[test]
fn profile_flags_exactly_the_findings_that_drop_past_the_threshold() {
    let reference = Reference::read();
    let all = reference.fes_among(&reference.studies(|_| true));
    let adequate = reference.fes_among(&reference.studies(|q| q != "low"));
    let drops: Vec<(i64, f64)> = all
        .iter()
        .zip(&adequate)
        .map(|((id, _, fes), (_, _, fes_a))| (*id, fes - fes_a))
        .collect();
    let flagged = |points: f64| -> Vec<i64> {
        drops
            .iter()
            .filter(|(_, d)| *d > points)
            .map(|(id, _)| *id)
            .collect()
    };
    assert_eq!(flagged(5.0), [7, 23, 24]);
    assert_eq!(flagged(1.0).len(), 12);
    // Finding 5 drops by 4.7 points: near the line, not over it.
    let five = drops[4].1;
    assert!((five - 4.727).abs() < 0.001 && five < 5.0, "{five}");

    let df = frame("profile show id, drop, flag");
    let got: Vec<i64> = ints(&df, "id")
        .into_iter()
        .zip(bools(&df, "flag"))
        .filter(|(_, f)| *f == Some(true))
        .map(|(id, _)| id.unwrap())
        .collect();
    assert_eq!(got, [7, 23, 24]);
    let got_drops: Vec<f64> = floats(&df, "drop")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    for ((id, expected), got) in drops.iter().zip(&got_drops) {
        assert!(
            (expected - got).abs() < 1e-9,
            "finding {id}: {got} vs {expected}"
        );
    }
}

#[test]
fn intensity_of_every_study_is_its_findings_over_24() {
    let reference = Reference::read();
    let mut findings_of: BTreeMap<i64, usize> = reference.quality.keys().map(|s| (*s, 0)).collect();
    for studies in reference.studies_of.values() {
        for s in studies {
            *findings_of.get_mut(s).unwrap() += 1;
        }
    }
    let df = frame("studies show id, n, intensity");
    for ((id, n), intensity) in ints(&df, "id")
        .into_iter()
        .zip(ints(&df, "n"))
        .zip(floats(&df, "intensity"))
    {
        let expected = findings_of[&id.unwrap()] as i64;
        assert_eq!(n, Some(expected), "study {id:?}");
        assert_eq!(intensity, Some((expected * 100) as f64 / 24.0));
    }
    // Studies 4 and 7 have the most findings: 13 of 24 (54.2%).
    assert_eq!(findings_of[&4], 13);
    assert_eq!(findings_of[&7], 13);
}

#[test]
fn among_an_empty_set_nothing_is_counted_and_no_percentage_is_made_up() {
    // Findings among no studies: n 0, FES missing (no denominator).
    let df = frame("findings among (studies where id = 0)");
    assert!(ints(&df, "n").iter().all(|n| *n == Some(0)));
    assert!(floats(&df, "fes").iter().all(Option::is_none));
    // Studies among no findings: intensity missing.
    let df = frame("studies among (findings where id = 0)");
    assert!(ints(&df, "n").iter().all(|n| *n == Some(0)));
    assert!(floats(&df, "intensity").iter().all(Option::is_none));
    // A matrix among no studies: no study columns, margins without values.
    let df = frame("matrix among (studies where id = 0)");
    assert_eq!(
        df.get_column_names(),
        ["id", "perspective", "name", "n", "fes"]
    );
    assert_eq!(df.height(), 24 + 2);
}

#[test]
fn a_profile_among_studies_all_of_low_quality_has_nothing_to_compare_with() {
    // fes_without_concerns cannot be computed: drop and flag are missing, not 0 and
    // false.
    let df = frame(
        "profile among (studies where quality = low) show id, n, concern_n, fes_without_concerns, drop, flag",
    );
    assert!(
        floats(&df, "fes_without_concerns")
            .iter()
            .all(Option::is_none)
    );
    assert!(floats(&df, "drop").iter().all(Option::is_none));
    assert!(bools(&df, "flag").iter().all(Option::is_none));
    // Low pay (finding 1) is in 2 of the 3 low-quality studies (7 and 9).
    assert_eq!(ints(&df, "n")[0], Some(2));
    assert_eq!(ints(&df, "concern_n")[0], Some(2));
}

#[test]
fn has_with_an_id_that_does_not_exist_finds_nothing() {
    assert_eq!(frame("findings where studies has 99").height(), 0);
    assert_eq!(frame("studies where findings has 0").height(), 0);
}

#[test]
fn missing_values_are_a_group_of_their_own_and_sort_last() {
    // 23 of the 25 studies report no recipients (Table 1: only 3 and 4 do).
    let df = frame("studies count by recipients");
    assert_eq!(ints(&df, "recipients")[0], None);
    assert_eq!(ints(&df, "count")[0], Some(23));
    assert_eq!(ints(&df, "count").iter().flatten().sum::<i64>(), 25);
    for desc in ["asc", "desc"] {
        let df = frame(&format!(
            "studies sort by recipients {desc} show id, recipients"
        ));
        let values = ints(&df, "recipients");
        assert!(
            values[..2].iter().all(Option::is_some),
            "{desc}: {values:?}"
        );
        assert!(
            values[2..].iter().all(Option::is_none),
            "{desc}: {values:?}"
        );
    }
}
