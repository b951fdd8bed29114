//! Percentages at exact boundaries: every comparison, flag, crossing and
//! rounding is decided as on the exact ratio, which this module computes in
//! whole numbers, without the engine. A drop of exactly 5 points (38 of 56
//! studies against 22 of 35) is not "more than 5"; 13 of 16 (81.25%) shows
//! 81.3; 5 of 8 (62.5%) is drawn as 63%.

use std::collections::BTreeMap;

use metasum_engine::diff::{Previous, compare};
use metasum_engine::exact::Points;
use metasum_engine::polars::prelude::*;
use metasum_engine::{Dataset, Outcome, Session, format};

/// A review of `studies` studies (`S1`...; the first `concern` of quality
/// `low`, a declared concern) and one finding per entry of `findings`,
/// each given the studies it is linked to.
fn review(studies: usize, concern: usize, findings: &[Vec<usize>]) -> Dataset {
    let mut files = BTreeMap::new();
    let mut s = String::from("id,author,year,quality\n");
    for i in 1..=studies {
        let q = if i <= concern { "low" } else { "high" };
        s += &format!("S{i},Author{i},2020,{q}\n");
    }
    files.insert("studies.csv".to_string(), s.into_bytes());
    let mut f = String::from("id,perspective,name\n");
    let mut e = String::from("finding,study\n");
    for (i, linked) in findings.iter().enumerate() {
        f += &format!("F{},a,Finding {}\n", i + 1, i + 1);
        for s in linked {
            e += &format!("F{},S{s}\n", i + 1);
        }
    }
    files.insert("findings.csv".to_string(), f.into_bytes());
    files.insert("evidence.csv".to_string(), e.into_bytes());
    let toml = "title = \"boundaries\"\nquality_concerns = [\"low\"]\n[quality]\nlow = \"Low\"\nhigh = \"High\"\n";
    files.insert("dataset.toml".to_string(), toml.as_bytes().to_vec());
    Dataset::from_files(&files, "boundaries").unwrap()
}

/// The ids a query gives, as written (`F3`).
fn ids(session: &mut Session, query: &str) -> Vec<String> {
    let result = session.rows_of_text(query, "test").unwrap();
    let column = result.frame.columns()[0].cast(&DataType::String).unwrap();
    column
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

/// A whole number of twentieths of a point (`units * 0.05`) as a query
/// writes it: `62.5`, `5`, `0.05`.
fn written(twentieths: i64) -> String {
    let hundredths = twentieths * 5;
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.abs();
    match h % 100 {
        0 => format!("{sign}{}", h / 100),
        r if r % 10 == 0 => format!("{sign}{}.{}", h / 100, r / 10),
        r => format!("{sign}{}.{r:02}", h / 100),
    }
}

/// `num / den` (`den` > 0) rounded half away from zero to tenths, as text.
fn tenths(num: i64, den: i64) -> String {
    // 10 * num / den, rounded half away from zero, in whole numbers.
    let t = (20 * num.abs() + den) / (2 * den);
    let sign = if num < 0 && t != 0 { "-" } else { "" };
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// The text cells of a rendered CSV column.
fn shown(frame: &DataFrame, column: &str) -> Vec<String> {
    let one = frame.select([column]).unwrap();
    let csv = format::render(&one, metasum_engine::Format::Csv).unwrap();
    csv.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn fes_at_every_twentieth_of_a_point_compares_and_rounds_exactly() {
    for total in 1..=200usize {
        // Every n whose FES, 100 n / N, is a multiple of 0.05.
        let ns: Vec<usize> = (0..=total).filter(|n| (2000 * n) % total == 0).collect();
        let findings: Vec<Vec<usize>> = ns.iter().map(|n| (1..=*n).collect()).collect();
        let mut session = Session::new(review(total, 0, &findings));
        let all = session
            .rows_of_text("findings show id, fes", "test")
            .unwrap()
            .frame;
        let expected: Vec<String> = ns
            .iter()
            .map(|n| tenths(100 * *n as i64, total as i64))
            .collect();
        assert_eq!(shown(&all, "fes"), expected, "FES of N = {total}");
        for (i, n) in ns.iter().enumerate() {
            let value = written((2000 * n / total) as i64);
            let at_least: Vec<String> = (i..ns.len()).map(|j| format!("F{}", j + 1)).collect();
            let above: Vec<String> = (i + 1..ns.len()).map(|j| format!("F{}", j + 1)).collect();
            let q = |op: &str| format!("findings where fes {op} {value} show id");
            assert_eq!(
                ids(&mut session, &q(">=")),
                at_least,
                "{n}/{total} >= {value}"
            );
            assert_eq!(ids(&mut session, &q(">")), above, "{n}/{total} > {value}");
            assert_eq!(
                ids(&mut session, &q("=")),
                [format!("F{}", i + 1)],
                "{n}/{total}"
            );
        }
    }
}

/// Every finding a review of `total` studies, `concern` of them of
/// concern, can have: `n_c` studies of concern and `n_w` others.
fn every_split(total: usize, concern: usize) -> (Vec<Vec<usize>>, Vec<(i64, i64)>) {
    let mut findings = Vec::new();
    let mut counts = Vec::new();
    for n_c in 0..=concern {
        for n_w in 0..=total - concern {
            let mut linked: Vec<usize> = (1..=n_c).collect();
            linked.extend(concern + 1..=concern + n_w);
            findings.push(linked);
            counts.push(((n_c + n_w) as i64, n_w as i64));
        }
    }
    (findings, counts)
}

#[test]
fn drops_flags_and_thresholds_are_decided_on_the_exact_difference() {
    // (studies, of concern): 56 and 21 is the issue's review.
    for (total, concern) in [(56usize, 21usize), (16, 6), (40, 15), (20, 4), (25, 3)] {
        let without = total - concern;
        let (findings, counts) = every_split(total, concern);
        let mut session = Session::new(review(total, concern, &findings));
        // The drop of each finding, in whole numbers: 100 * d / (N * W).
        let (n_total, n_without) = (total as i64, without as i64);
        let den = n_total * n_without;
        let drop_num: Vec<i64> = counts
            .iter()
            .map(|(n, w)| n * n_without - w * n_total)
            .collect();
        let profile = session
            .rows_of_text("profile show id, drop", "test")
            .unwrap()
            .frame;
        let drops: Vec<f64> = (profile.column("drop").unwrap().f64().unwrap())
            .iter()
            .map(Option::unwrap)
            .collect();
        let order: Vec<usize> = ids(&mut session, "profile show id")
            .iter()
            .map(|id| id[1..].parse::<usize>().unwrap() - 1)
            .collect();
        for (row, &i) in order.iter().enumerate() {
            assert_eq!(
                drops[row],
                (100 * drop_num[i]) as f64 / den as f64,
                "the drop of {:?} is its one rounded division",
                counts[i]
            );
        }
        let shown_drops = shown(&profile, "drop");
        for (row, &i) in order.iter().enumerate() {
            assert_eq!(
                shown_drops[row],
                tenths(100 * drop_num[i], den),
                "{:?}",
                counts[i]
            );
        }
        // Every drop that is a whole number of twentieths of a point, as a
        // threshold and in a query.
        let mut boundaries: Vec<i64> = drop_num
            .iter()
            .filter(|d| **d > 0 && (2000 * **d) % den == 0)
            .map(|d| 2000 * d / den)
            .collect();
        boundaries.sort();
        boundaries.dedup();
        assert!(!boundaries.is_empty());
        for twentieths in boundaries {
            let value = written(twentieths);
            // d / den compared with twentieths / 2000, in whole numbers.
            let pick = |keep: fn(i64, i64) -> bool| -> Vec<String> {
                let mut kept: Vec<usize> = (0..counts.len())
                    .filter(|&i| keep(2000 * drop_num[i], twentieths * den))
                    .collect();
                kept.sort();
                kept.iter().map(|i| format!("F{}", i + 1)).collect()
            };
            let sorted = |mut v: Vec<String>| {
                v.sort_by_key(|id| id[1..].parse::<usize>().unwrap());
                v
            };
            let above = pick(|a, b| a > b);
            let at_least = pick(|a, b| a >= b);
            let q = |op: &str| format!("profile where drop {op} {value} show id");
            assert_eq!(sorted(ids(&mut session, &q(">"))), above, "drop > {value}");
            assert_eq!(
                sorted(ids(&mut session, &q(">="))),
                at_least,
                "drop >= {value}"
            );
            session.set_threshold(Points::parse(&value).unwrap());
            assert_eq!(
                sorted(ids(&mut session, "profile where flag = true show id")),
                above,
                "--threshold {value} flags the drops above it only"
            );
        }
    }
}

#[test]
fn the_issues_drop_of_exactly_five_is_not_flagged_or_drawn_bold() {
    // 38 of 56 studies, 22 of the 35 without a declared concern.
    let mut linked: Vec<usize> = (1..=16).collect();
    linked.extend(22..=43);
    let mut session = Session::new(review(56, 21, &[linked]));
    let profile = session.rows_of_text("profile", "test").unwrap().frame;
    assert_eq!(shown(&profile, "drop"), ["5.0"]);
    assert_eq!(shown(&profile, "flag"), ["false"]);
    let Outcome::Figure(svg) = session.execute_text("plot sensitivity", "test").unwrap() else {
        panic!("plot sensitivity draws a figure");
    };
    assert!(svg.contains("67.9% → 62.9%"), "{svg}");
    assert!(!svg.contains("font-weight=\"bold\" class=\"values flag\""));
    session.set_threshold(Points::parse("4.99").unwrap());
    let Outcome::Figure(svg) = session.execute_text("plot sensitivity", "test").unwrap() else {
        panic!("plot sensitivity draws a figure");
    };
    assert!(svg.contains("font-weight=\"bold\" class=\"values flag\""));
}

#[test]
fn figures_round_half_up_from_the_exact_value() {
    // Of 16 studies: 13 is 81.25%, 10 is 62.5%.
    let findings = vec![(1..=13).collect::<Vec<_>>(), (1..=10).collect()];
    let mut session = Session::new(review(16, 0, &findings));
    let Outcome::Figure(svg) = session.execute_text("plot fes", "test").unwrap() else {
        panic!("plot fes draws a figure");
    };
    assert!(svg.contains("FES 81.3% (13 studies)"), "{svg}");
    assert!(svg.contains(">81%<"), "{svg}");
    assert!(svg.contains("FES 62.5% (10 studies)"), "{svg}");
    assert!(svg.contains(">63%<"), "{svg}");
}

/// A review's second version, compared with its first: finding `i` is in
/// `before[i]` of `old` studies and `after[i]` of `new`.
fn update(old: usize, new: usize, pairs: &[(usize, usize)], crossing: Option<&str>) -> Session {
    let was: Vec<Vec<usize>> = pairs.iter().map(|(b, _)| (1..=*b).collect()).collect();
    let now: Vec<Vec<usize>> = pairs.iter().map(|(_, a)| (1..=*a).collect()).collect();
    let previous = Previous {
        dataset: review(old, 0, &was),
        crossing: crossing.map(|p| Points::parse(p).unwrap()),
    };
    Session::new(compare(review(new, 0, &now), previous))
}

#[test]
fn changes_and_crossings_are_decided_on_the_exact_difference() {
    // From 35 studies to 56: 22 to 38 of them is exactly 5 points up, 7 to
    // 10 is 2.14 down, 14 (40%) to 28 (50%) is 10 up and reaches 50%.
    let mut session = update(35, 56, &[(22, 38), (7, 10), (14, 28)], Some("50"));
    let changes = session
        .rows_of_text("fes_changes show finding, fes_change, crossed", "test")
        .unwrap()
        .frame;
    // 100 * (38 * 35 - 22 * 56) / (56 * 35) = 5; 100 * (10/56 - 7/35) =
    // -2.142857...; 100 * (28/56 - 14/35) = 10.
    let change = |f: &str| -> f64 {
        let keys = changes.column("finding").unwrap().str().unwrap().clone();
        let i = keys.iter().position(|k| k == Some(f)).unwrap();
        changes
            .column("fes_change")
            .unwrap()
            .f64()
            .unwrap()
            .get(i)
            .unwrap()
    };
    assert_eq!(change("F1"), 5.0);
    assert_eq!(change("F3"), 10.0);
    assert_eq!(
        change("F2"),
        (100 * (10 * 35 - 7 * 56)) as f64 / (56.0 * 35.0)
    );
    assert_eq!(
        ids(
            &mut session,
            "fes_changes where fes_change > 5 show finding"
        ),
        ["F3"]
    );
    assert_eq!(
        ids(
            &mut session,
            "fes_changes where fes_change >= 5 show finding"
        ),
        ["F3", "F1"]
    );
    // F3 went from 40% to exactly 50%: it reached the crossing.
    assert_eq!(
        ids(
            &mut session,
            "fes_changes where crossed = \"above 50%\" show finding"
        ),
        ["F3"]
    );
    assert_eq!(
        ids(
            &mut session,
            "fes_changes where crossed is missing show finding"
        ),
        ["F1", "F2"]
    );
    let summary = metasum_engine::diff::summary(session.dataset(), Points::whole(5)).unwrap();
    assert!(
        summary.contains("1 finding changed by more than 5 points: F3 (+10.0)"),
        "{summary}"
    );
    // 10 of 200 to 10 of 201: -0.0248... points, shown as 0.0, not -0.0.
    let mut slight = update(200, 201, &[(10, 10)], None);
    let frame = slight
        .rows_of_text("fes_changes show fes_change", "test")
        .unwrap()
        .frame;
    assert_eq!(shown(&frame, "fes_change"), ["0.0"]);
}
