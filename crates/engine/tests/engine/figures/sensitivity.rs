//! The sensitivity figure: each finding's FES with all studies and without
//! the studies of quality concern, the flag in bold, refused without
//! declared concerns or studies in scope.

use super::*;

#[test]
fn the_sensitivity_figure_shows_each_fes_with_and_without_the_studies_of_concern() {
    // By hand, from tests/data/author-year-review: 4 studies, of which
    // Jones2018 (serious) and Ahmed2021 (moderate) are of declared concern.
    // T1.2 Low pay: Smith2019, Jones2018, Ahmed2021: 3/4 = 75%; without
    //   them Smith2019 of 2: 50%, a drop of 25 points (flagged, bold).
    // T1.10 Feeling understood: Smith2019a: 1/4 = 25%; without: 1/2 = 50%.
    // T2.1 Role models: Jones2018, Smith2019a, Smith2019: 75%; without: 2/2.
    let (svg, texts) = drawn_on("author-year-review", "plot sensitivity");
    assert_readable("plot sensitivity", &svg);
    let value = |v: &str| {
        texts
            .iter()
            .find(|(t, _)| t == v)
            .unwrap_or_else(|| panic!("{v}: {texts:?}"))
            .1
    };
    assert!(value("75.0% → 50.0%"), "the drop past 5 points is bold");
    assert!(!value("25.0% → 50.0%"));
    assert!(!value("75.0% → 100.0%"));
    let all: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        all.contains(&"All findings (n = 4 studies; 2 not of quality concern)"),
        "{all:?}"
    );
    assert!(all.contains(&"FES among all 4 studies"), "{all:?}");
    assert!(
        all.contains(&"FES without the 2 studies of quality concern (quality: moderate concerns, serious concerns), among the other 2"),
        "{all:?}"
    );
    // A filled dot at each FES and an open one at each FES without; the
    // dots of T1.2 in the order of its drop (without left of all).
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let dots = |class: &str| -> Vec<f64> {
        elements(&doc, "circle", class)
            .iter()
            .map(|c| c.attribute("cx").unwrap().parse().unwrap())
            .collect()
    };
    let (with, without) = (dots("all"), dots("without"));
    assert_eq!((with.len(), without.len()), (3, 3));
    // Positions in proportion to FES: 25% and 75% (all), 50% and 100%.
    let mut with_sorted = with.clone();
    with_sorted.sort_by(f64::total_cmp);
    let mut without_sorted = without.clone();
    without_sorted.sort_by(f64::total_cmp);
    // All at 25, 75, 75; without at 50, 50, 100.
    let step = with_sorted[2] - with_sorted[0]; // 50 points
    assert!((with_sorted[2] - with_sorted[1]).abs() < 0.01);
    assert!((without_sorted[2] - without_sorted[0] - step).abs() < 0.2);
    assert!((without_sorted[0] - with_sorted[0] - step / 2.0).abs() < 0.2);

    // Among the UK studies (Smith2019, Smith2019a), none of concern:
    // nothing changes, and nothing is bold.
    let (_, texts) = drawn_on(
        "author-year-review",
        "plot sensitivity findings among (studies where country = UK)",
    );
    let mut values: Vec<(&str, bool)> = (texts.iter())
        .filter(|(t, _)| t.contains('→'))
        .map(|(t, bold)| (t.as_str(), *bold))
        .collect();
    values.sort();
    assert_eq!(
        values,
        [
            ("100.0% → 100.0%", false),
            ("50.0% → 50.0%", false),
            ("50.0% → 50.0%", false)
        ]
    );
}

#[test]
fn the_sensitivity_figure_is_refused_without_declared_concerns() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/no-declared-concerns");
    let mut session = Session::new(Dataset::load(&path).unwrap());
    let script = metasum_query::parse("plot sensitivity").unwrap();
    let e = session
        .execute(&script.statements[0])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`plot sensitivity` needs studies of declared quality concern"),
        "{e}"
    );
}

/// Each finding's values in `svg` (a sensitivity figure): name -> (the
/// text "a% → b%", bold).
fn sensitivity_values(svg: &str) -> BTreeMap<String, (String, bool)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    (doc.descendants())
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "values"))
        })
        .map(|n| {
            let tip = n
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap();
            let name = tip.rsplit_once(": FES ").unwrap().0.to_string();
            let shown: String = n
                .children()
                .filter(|c| c.is_text())
                .filter_map(|c| c.text())
                .collect();
            (name, (shown, n.attribute("font-weight") == Some("bold")))
        })
        .collect()
}

#[test]
fn every_sensitivity_row_shows_its_own_findings_profile_in_any_order() {
    // Drawn grouped by perspective whatever the query's order: each row's
    // values and flag must be its own finding's, as `profile` gives them.
    let mut session = Session::new(Dataset::seed().unwrap());
    let script =
        metasum_query::parse("profile show name, fes, fes_without_concerns, flag").unwrap();
    let Outcome::Rows(profile) = session.execute(&script.statements[0]).unwrap() else {
        panic!("rows")
    };
    let f = &profile.frame;
    let names = f.column("name").unwrap().str().unwrap();
    let fes = f.column("fes").unwrap().f64().unwrap();
    let without = f.column("fes_without_concerns").unwrap().f64().unwrap();
    let flags = f.column("flag").unwrap().bool().unwrap();
    let expected: BTreeMap<String, (String, bool)> = (0..f.height())
        .map(|i| {
            let shown = format!(
                "{:.1}% → {:.1}%",
                fes.get(i).unwrap(),
                without.get(i).unwrap()
            );
            (
                names.get(i).unwrap().to_string(),
                (shown, flags.get(i).unwrap()),
            )
        })
        .collect();
    assert_eq!(
        expected.values().filter(|(_, flag)| *flag).count(),
        3,
        "the seed flags three"
    );
    for src in [
        "plot sensitivity",
        "plot sensitivity findings sort by fes desc",
        "plot sensitivity findings sort by name",
    ] {
        let svg = draw(src);
        assert_readable(src, &svg);
        assert_eq!(sensitivity_values(&svg), expected, "{src}");
    }
}

#[test]
fn sensitivity_of_no_study_in_scope_is_refused() {
    let mut session = Session::new(Dataset::seed().unwrap());
    let script =
        metasum_query::parse("plot sensitivity findings among (studies where id = 999)").unwrap();
    let e = session
        .execute(&script.statements[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no study in scope"), "{e}");
}
