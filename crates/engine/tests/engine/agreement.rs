//! How far two coders agree, on tests/data/two-coders (10 studies, coders
//! Ana and Ben), against figures computed by hand below; the links they
//! disagree on; FES from the reconciled links only; every problem of
//! coding.csv located.

use std::path::{Path, PathBuf};

use metasum_engine::{Dataset, Outcome, QueryResult, Session};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/two-coders")
}

fn rows(ds: Dataset, src: &str) -> QueryResult {
    let mut session = Session::new(ds);
    let script = metasum_query::parse(src).unwrap();
    match session.execute(&script.statements[0]).unwrap() {
        Outcome::Rows(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn kappa_and_ac1_match_the_hand_computed_figures() {
    // F1: both S1-S4 (4), Ana only S5 (1), Ben only S6, S7 (2), neither 3.
    //   po = 7/10 = 0.7; Ana 5/10, Ben 6/10: pe = 0.5x0.6 + 0.5x0.4 = 0.5;
    //   kappa = 0.2/0.5 = 0.400. AC1: p = 11/20 = 0.55, pe = 2x0.55x0.45 =
    //   0.495, AC1 = 0.205/0.505 = 0.406.
    // F2: Ana only S1, neither 9: po = 0.9, pe = 0.1x0 + 0.9x1 = 0.9,
    //   kappa = 0.000; AC1: p = 1/20, pe = 0.095, AC1 = 0.805/0.905 = 0.890.
    // F3: no coder used it: kappa undefined (pe = 1), AC1 = 1.000.
    // Pooled (30 pairs): both 4, 2, 2, neither 22: po = 26/30; each coder
    //   6/30: pe = 0.04 + 0.64 = 0.68, kappa = 0.18667/0.32 = 0.583;
    //   p = 12/60 = 0.2, pe = 0.32, AC1 = 0.54667/0.68 = 0.804.
    let result = rows(Dataset::load(&data()).unwrap(), "agreement");
    assert!(
        result
            .notes
            .contains(&"first coder: Ana, second coder: Ben".to_string()),
        "{:?}",
        result.notes
    );
    let f = &result.frame;
    let keys: Vec<&str> = f
        .column("finding")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(keys, ["F1", "F2", "F3", "all"]);
    let counts = |c: &str| -> Vec<u64> {
        f.column(c)
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .flatten()
            .collect()
    };
    assert_eq!(counts("both"), [4, 0, 0, 4]);
    assert_eq!(counts("first_only"), [1, 1, 0, 2]);
    assert_eq!(counts("second_only"), [2, 0, 0, 2]);
    assert_eq!(counts("neither"), [3, 9, 10, 22]);
    let figures =
        |c: &str| -> Vec<Option<f64>> { f.column(c).unwrap().f64().unwrap().iter().collect() };
    let close = |got: &[Option<f64>], want: &[Option<f64>]| {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 0.0005, "{got:?} vs {want:?}"),
                (None, None) => {}
                _ => panic!("{got:?} vs {want:?}"),
            }
        }
    };
    close(
        &figures("kappa"),
        &[Some(0.400), Some(0.000), None, Some(0.583)],
    );
    close(
        &figures("ac1"),
        &[Some(0.406), Some(0.890), Some(1.000), Some(0.804)],
    );
    close(
        &figures("percent_agreement"),
        &[Some(70.0), Some(90.0), Some(100.0), Some(86.667)],
    );
    let notes: Vec<Option<&str>> = f.column("note").unwrap().str().unwrap().iter().collect();
    // Only the finding with an undefined kappa has a note; the others'
    // are missing, not empty text.
    assert_eq!(
        notes,
        [
            None,
            None,
            Some("kappa undefined: both coders gave every study the same code"),
            None
        ]
    );
}

#[test]
fn disagreements_list_exactly_the_differing_links_and_fes_uses_the_reconciled_ones() {
    let ds = Dataset::load(&data()).unwrap();
    let d = rows(ds.clone(), "disagreements show finding, study, coded_by");
    let text = metasum_engine::format::render_result(&d, metasum_engine::Format::Csv).unwrap();
    assert_eq!(
        text,
        "finding,study,coded_by\nF1,S5,Ana\nF1,S6,Ben\nF1,S7,Ben\nF2,S1,Ana\n"
    );
    // evidence.csv (reconciled: F1 in S1-S6, F2 nowhere), not coding.csv.
    let fes = rows(ds, "findings show id, n, fes");
    let text = metasum_engine::format::render_result(&fes, metasum_engine::Format::Csv).unwrap();
    assert_eq!(text, "id,n,fes\nF1,6,60.0\nF2,0,0.0\nF3,1,10.0\n");
}

/// The example's files with `coding.csv` replaced.
fn with_coding(text: &str) -> Result<Dataset, String> {
    crate::util::with_file(&data(), "two-coders", "coding.csv", text)
}

#[test]
fn every_problem_of_coding_csv_is_located() {
    let head = "finding,study,coder\n";
    for (rows, says) in [
        (
            "F1,S1,Ana\nF1,S1,Ana\nF1,S1,Ben\n",
            "coding.csv:3: Ana coded this link already on line 2",
        ),
        (
            "F1,S99,Ana\nF1,S1,Ben\n",
            "coding.csv:2: column `study`: study S99 does not exist",
        ),
        ("F1,S1,\nF1,S1,Ben\n", "coding.csv:2: column `coder`"),
    ] {
        let e = with_coding(&format!("{head}{rows}")).unwrap_err();
        assert!(e.contains(says), "{says}\n{e}");
    }
}

#[test]
fn without_coding_csv_the_tables_are_empty_and_say_why_and_export_keeps_it() {
    let seed = rows(Dataset::seed().unwrap(), "agreement");
    assert_eq!(seed.frame.height(), 0);
    assert!(seed.notes[0].contains("no coding.csv"), "{:?}", seed.notes);
    let ds = Dataset::load(&data()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    metasum_engine::export::export(&ds, &dir.path().join("out")).unwrap();
    let again = Dataset::load(&dir.path().join("out")).unwrap();
    assert_eq!(again.coding, ds.coding);
}

#[test]
fn other_than_two_coders_leaves_the_dataset_usable_and_the_agreement_tables_say_why() {
    // One coder has finished, a third has begun; names in two Unicode
    // forms are one coder.
    for (rows, says) in [
        // Set up, not yet coded: said so, not "has 0 ()".
        (
            "",
            "coding.csv has no links yet: agreement compares the links two coders made",
        ),
        (
            "F1,S1,Ana\n",
            "agreement compares two coders, and coding.csv has 1 (Ana)",
        ),
        (
            "F1,S1,Ana\nF1,S1,ana\nF1,S2,Ben\n",
            "has 3 (Ana, ana, Ben): two names differ only in case",
        ),
        (
            "F1,S1,Jos\u{e9}\nF1,S2,Jose\u{301}\nF1,S1,Ben\n",
            "first coder: Jos\u{e9}, second coder: Ben",
        ),
    ] {
        let ds = with_coding(&format!("finding,study,coder\n{rows}")).unwrap();
        let agreement = super_rows(ds.clone(), "agreement");
        assert!(
            agreement.notes.iter().any(|n| n.contains(says)),
            "{says}: {:?}",
            agreement.notes
        );
        // The dataset itself works: FES from evidence.csv.
        assert_eq!(super_rows(ds, "findings").frame.height(), 3);
    }
}

fn super_rows(ds: Dataset, src: &str) -> QueryResult {
    rows(ds, src)
}
