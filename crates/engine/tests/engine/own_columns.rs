//! A review's own columns, groups and participants, declared in its
//! `dataset.toml` (issue 30), on `tests/data/telehealth-review`: 14 studies
//! keyed author-year, findings `T1.2` grouped by a `review question` column,
//! quality in GRADE-CERQual's words, participants counted as `patients`,
//! `carers` and `clinicians`. Every figure below was worked out by hand
//! from its CSV files (the sums over each finding's studies, 14 studies in
//! all, 12 without the two of serious concerns).

use std::path::PathBuf;

use metasum_engine::registry::meaning_in;
use metasum_engine::table::TableKind;
use metasum_engine::{Dataset, Format, Session, check, export, format, report, worksheet};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/telehealth-review")
}

fn review() -> Dataset {
    Dataset::load(&dir()).expect("the telehealth review loads")
}

/// The CSV of `src` on the review.
fn csv(src: &str) -> String {
    csv_of(review(), src)
}

/// The CSV of `src` on `ds`.
fn csv_of(ds: Dataset, src: &str) -> String {
    let script = metasum_query::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let mut session = Session::new(ds);
    let result = session.run(&script.statements[0]).unwrap().unwrap();
    format::render_result(&result, Format::Csv).unwrap()
}

#[test]
fn findings_lead_with_the_column_that_groups_them() {
    let out = csv("findings where `review question` = Q2 sort by fes desc show id, n, fes");
    assert_eq!(
        out,
        "id,n,fes\nT2.2,12,85.7\nT2.1,5,35.7\nT2.3,2,14.3\nT2.10,0,0.0\n"
    );
    let header = csv("findings limit 1");
    assert!(
        header.starts_with("id,review question,name,n,fes,studies\n"),
        "{header}"
    );
}

#[test]
fn profile_sums_the_review_s_own_participant_groups() {
    let out = csv(
        "profile where id in (T1.1, T2.3, T2.10) show id, patients, carers, clinicians, concern_n, fes_without_concerns, drop, flag",
    );
    assert_eq!(
        out,
        [
            "id,patients,carers,clinicians,concern_n,fes_without_concerns,drop,flag",
            // 6 studies, two of serious concerns: 4/12 without them; 6/14 - 4/12 = 9.5 points.
            "T1.1,95,16,20,2,33.3,9.5,true",
            // No study of T2.3 reported carers: unknown, not 0.
            "T2.3,9,,4,0,16.7,-2.4,false",
            "T2.10,,,,0,0.0,0.0,false",
            "",
        ]
        .join("\n")
    );
}

#[test]
fn check_compares_the_review_s_own_published_totals() {
    let text = check::check(&review()).unwrap().to_string();
    for line in [
        "patients: published 175, sum 175 (13 of 14 studies have a count): agree",
        "warning: carers: published 46, sum 45, off by 1 (8 of 14 studies have a count)",
        "clinicians: published 47, sum 47 (10 of 14 studies have a count): agree",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn schema_says_what_the_review_says_of_its_columns() {
    let ds = review();
    let meaning = |kind, column| meaning_in(&ds, kind, column);
    assert_eq!(
        meaning(TableKind::Studies, "setting").as_deref(),
        Some("where the care was delivered (home or clinic)")
    );
    assert_eq!(
        meaning(TableKind::Studies, "patients").as_deref(),
        Some("older adults receiving care taking part (empty: not reported)")
    );
    assert_eq!(
        meaning(TableKind::Profile, "carers").as_deref(),
        Some("computed: family carers summed over its studies (empty: none reported)")
    );
    assert_eq!(
        meaning(TableKind::Findings, "review question").as_deref(),
        Some("the finding's group (group_findings_by; codes in dataset.toml)")
    );
    // The method's own columns keep the engine's words; nobody's else.
    assert_eq!(
        meaning(TableKind::Findings, "fes").as_deref(),
        Some("computed: frequency effect size, 100 * n / studies in scope")
    );
    assert_eq!(
        meaning(TableKind::Studies, "country").as_deref(),
        Some("where the study was done")
    );
    let seed = Dataset::seed().unwrap();
    assert_eq!(meaning_in(&seed, TableKind::Studies, "setting"), None);
    assert_eq!(meaning(TableKind::Studies, "workers"), None);
}

#[test]
fn worksheet_and_report_group_by_the_review_question_in_its_words() {
    let mut session = Session::new(review());
    let sheet = worksheet::worksheet(&mut session, "T1.2").unwrap();
    for line in [
        "Review question: How do older adults experience telehealth? (Q1)",
        "| patients | 71 |",
        "| carers | 33 |",
        "| clinicians | 8 |",
    ] {
        assert!(sheet.contains(line), "{line}\n{sheet}");
    }
    let html = report::report(&mut session).unwrap();
    for part in [
        "Abstracted findings grouped by review question,",
        "Table 2.1. How do older adults experience telehealth? (3 findings)",
        "Table 2.2. What shapes how telehealth is delivered? (4 findings)",
        "patients: older adults receiving care; carers: family carers; clinicians: clinicians delivering care",
        "grouped by review question.</figcaption>",
    ] {
        assert!(html.contains(part), "{part}");
    }
}

#[test]
fn figures_head_each_group_with_its_label() {
    let script = metasum_query::parse("plot fes").unwrap();
    let mut session = Session::new(review());
    let svg = match session.execute(&script.statements[0]).unwrap() {
        metasum_engine::Outcome::Figure(svg) => svg,
        _ => panic!("plot gives a figure"),
    };
    assert!(
        svg.contains("How do older adults experience telehealth?"),
        "{svg}"
    );
    assert!(svg.contains("What shapes how telehealth is delivered?"));
}

#[test]
fn an_export_keeps_every_declaration() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("copy");
    let ds = review();
    export::export(&ds, &target).unwrap();
    let back = Dataset::load(&target).unwrap();
    assert_eq!(back.meta, ds.meta);
    assert_eq!(csv_of(back, "profile"), csv_of(review(), "profile"));
}

/// A review without a grouping column: findings lead with id and name,
/// Table 2 is one table, and the figures one group.
#[test]
fn a_review_that_groups_no_findings() {
    let files = crate::util::files_of(&dir());
    let mut files = files;
    let toml = String::from_utf8(files["dataset.toml"].clone()).unwrap();
    let toml = toml.replace("group_findings_by = \"review question\"\n", "");
    let toml = toml.split("[groups]").next().unwrap().to_string()
        + &toml[toml.find("[quality]").unwrap()..];
    files.insert("dataset.toml".into(), toml.into_bytes());
    let ds = Dataset::from_files(&files, "ungrouped").unwrap();
    assert_eq!(ds.meta.group_by, None);
    let header = csv_of(ds.clone(), "findings limit 1");
    let mut session = Session::new(ds);
    assert!(
        header.starts_with("id,name,n,fes,studies,review question\n"),
        "{header}"
    );
    let html = report::report(&mut session).unwrap();
    assert!(html.contains("Table 2. Abstracted findings (7 findings)"));
    let script = metasum_query::parse("plot fes").unwrap();
    let metasum_engine::Outcome::Figure(svg) = session.execute(&script.statements[0]).unwrap()
    else {
        panic!("plot gives a figure")
    };
    assert!(svg.contains("All findings"));
}

/// What `dataset.toml` declares must exist: each mistake a located
/// problem, not a silently empty column.
#[test]
fn declarations_that_name_no_column_are_refused() {
    let cases = [
        (
            "group_findings_by = \"theme\"\n",
            "dataset.toml: group_findings_by = \"theme\" names no column of findings.csv",
        ),
        (
            "[participants]\nnurses = \"\"\n",
            "dataset.toml: [participants] `nurses` names no column of studies.csv",
        ),
        (
            "[groups]\nQ1 = \"\"\n",
            "dataset.toml: [groups] lists the codes of the column that groups findings, but none is named: add group_findings_by = \"COLUMN\" (a column of findings.csv)",
        ),
        (
            "group_findings_by = \"review question\"\n[groups]\nQ1 = \"\"\n[perspectives]\nQ2 = \"\"\n",
            "dataset.toml:4:1: [perspectives] is the first name of [groups]: keep one of them",
        ),
    ];
    for (toml, expected) in cases {
        let err = crate::util::with_file(&dir(), "bad", "dataset.toml", toml).unwrap_err();
        assert!(err.contains(expected), "{toml}\n{err}");
    }
}

/// The error a one-statement query gives on the review, with the text
/// under its span and its hints.
fn error(src: &str) -> (String, String, Vec<String>) {
    let script = metasum_query::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let mut session = Session::new(review());
    let e = session.run(&script.statements[0]).unwrap_err();
    let e = e.as_query().expect("a statement error").clone();
    (
        e.message,
        src[e.span.start..e.span.end].to_string(),
        e.hints,
    )
}

/// A value that is none of a column's declared codes matched no row in
/// silence; now it is refused at the value, with the codes and the nearest.
#[test]
fn a_value_that_is_no_declared_code_is_refused_with_the_nearest() {
    let (message, under, hints) = error("studies where quality = serious");
    assert_eq!(message, "`serious` is not a code of `quality`");
    assert_eq!(under, "serious");
    assert_eq!(
        hints,
        [
            "dataset.toml declares: `\"no or very minor concerns\"`, `\"minor concerns\"`, `\"moderate concerns\"`, `\"serious concerns\"`",
            "did you mean `\"serious concerns\"`?",
        ]
    );
    // The grouping column's codes, in `among` sets and `in` lists too.
    let (message, under, hints) = error("findings where `review question` in (Q1, q3)");
    assert_eq!(message, "`q3` is not a code of `review question`");
    assert_eq!(under, "q3");
    assert_eq!(hints[1], "did you mean `Q1`?");
    let (message, _, _) = error("findings among (studies where quality != \"low\")");
    assert_eq!(message, "`low` is not a code of `quality`");
    // Any case names a code, as text is compared.
    assert_eq!(
        csv("studies where quality = \"Serious Concerns\" show id"),
        "id\nGarcia2016\nOkafor2020\n"
    );
}

/// `not in` is the `!=` of a list: true where the value is none of them,
/// or missing.
#[test]
fn not_in_keeps_the_rows_with_none_of_the_values() {
    assert_eq!(
        csv(
            "studies where quality not in (\"serious concerns\", \"moderate concerns\") and patients > 12 show id"
        ),
        "id\nAhmed2018\nKowalski2021\nSmith2018a\n"
    );
    assert_eq!(
        csv("studies where carers not in (4, 8) and setting = home show id, carers"),
        "id,carers\nAhmed2018,3\nBerg2017,6\nBrown2020,\nLindqvist2021,\nRossi2017,5\nTanaka2022,7\n"
    );
}

/// An id on the command line is named as in a query: in any case when
/// only one id is spelt that way.
#[test]
fn the_worksheet_names_a_finding_in_any_case() {
    let mut session = Session::new(review());
    let sheet = worksheet::worksheet(&mut session, "t2.3").unwrap();
    assert!(sheet.starts_with("# Worksheet: finding T2.3\n"), "{sheet}");
}

/// One rule of case: an id, a code or a CERQual level is named in any
/// case when only one is spelt that way, in the files as in queries and on
/// the command line, and is then what the dataset declares.
#[test]
fn ids_codes_and_levels_are_named_in_any_case() {
    let files = crate::util::files_of(&dir());
    let text = |name: &str| String::from_utf8(files[name].clone()).unwrap();
    // A reference to an id in another case, and a quality code so written.
    let evidence = text("evidence.csv") + "t2.3,okafor2020\n";
    let studies = text("studies.csv").replace(
        "Okafor2020,Okafor,2020,Nigeria,clinic,15,,,serious concerns",
        "Okafor2020,Okafor,2020,Nigeria,clinic,15,,,Serious Concerns",
    );
    let mut changed = files.clone();
    changed.insert("evidence.csv".into(), evidence.into_bytes());
    changed.insert("studies.csv".into(), studies.into_bytes());
    let ds = Dataset::from_files(&changed, "cases").unwrap();
    // Okafor2020 is still of serious concern (a concern in profile), and
    // now supports T2.3.
    assert_eq!(
        csv_of(
            ds.clone(),
            "profile where id = T2.3 show id, n, concern_n, concern_studies"
        ),
        "id,n,concern_n,concern_studies\nT2.3,3,1,Okafor (2020)\n"
    );
    assert_eq!(
        csv_of(ds, "studies where id = OKAFOR2020 show id, quality"),
        "id,quality\nOkafor2020,serious concerns\n"
    );
    // A CERQual level in another case is the level.
    let cerqual = "finding,methodological_limitations,coherence,adequacy,relevance,confidence\nT1.2,Minor Concerns,no or very minor concerns,MODERATE CONCERNS,minor concerns,Moderate\n";
    let ds = crate::util::with_file(&dir(), "levels", "cerqual.csv", cerqual).unwrap();
    assert_eq!(
        csv_of(ds, "cerqual show finding, adequacy, confidence"),
        "finding,adequacy,confidence\nT1.2,moderate concerns,moderate\n"
    );
    // Two codes one in any case cannot be told apart.
    let toml = "[quality]\nlow = \"\"\nLow = \"\"\n";
    let err = crate::util::with_file(&dir(), "twins", "dataset.toml", toml).unwrap_err();
    assert!(
        err.contains("[quality] `low` and `Low` differ only in case"),
        "{err}"
    );
}

/// The review's dataset.toml with `from` replaced by `to`.
fn with_toml(from: &str, to: &str) -> Result<Dataset, String> {
    let toml = std::fs::read_to_string(dir().join("dataset.toml")).unwrap();
    assert!(toml.contains(from), "{from}");
    crate::util::with_file(&dir(), "declared", "dataset.toml", &toml.replace(from, to))
}

/// A declaration that names one of metasum's own columns, or a name it
/// computes a column under, would sum years or hide a sum behind `fes`:
/// refused at dataset.toml, as is a total of no participant group.
#[test]
fn declarations_name_the_review_s_own_columns() {
    let participants = "[participants]\npatients = \"older adults receiving care\"";
    for (to, says) in [
        (
            format!("{participants}\nyear = \"\""),
            "[participants] `year` is one of metasum's own columns of studies.csv",
        ),
        (
            format!("{participants}\ncountry = \"\""),
            "[participants] `country` is one of metasum's own columns of studies.csv",
        ),
        (
            format!("{participants}\nfes = \"\""),
            "[participants] `fes` is a name metasum computes a column under",
        ),
    ] {
        let err = with_toml(
            "[participants]\npatients = \"older adults receiving care\"",
            &to,
        )
        .unwrap_err();
        assert!(err.contains(says), "{to}\n{err}");
    }
    let err = with_toml("[published_totals]\n", "[published_totals]\nsetting = 5\n").unwrap_err();
    assert!(
        err.contains("[published_totals] `setting` is not a participant group"),
        "{err}"
    );
    for group in ["name", "id", "n"] {
        let err = with_toml(
            "group_findings_by = \"review question\"",
            &format!("group_findings_by = \"{group}\""),
        )
        .unwrap_err();
        assert!(
            err.contains(&format!("group_findings_by = \"{group}\" ")),
            "{err}"
        );
    }
}

/// Names in dataset.toml follow the rule of case too: `PATIENTS` is the
/// column `patients`, a concern `Serious Concerns` the code.
#[test]
fn declared_names_and_concerns_in_any_case() {
    let ds = with_toml("patients = \"older adults", "PATIENTS = \"older adults").unwrap();
    assert_eq!(
        csv_of(ds, "profile where id = T1.1 show patients"),
        "patients\n95\n"
    );
    let ds = with_toml(
        "quality_concerns = [\"serious concerns\"]",
        "quality_concerns = [\"Serious Concerns\"]",
    )
    .unwrap();
    assert_eq!(ds.meta.quality_concerns, ["serious concerns"]);
}

/// A reference that two ids differing only in case could mean is told
/// as such, not as a missing id.
#[test]
fn a_reference_to_ids_that_differ_only_in_case_is_told_as_such() {
    let files = crate::util::files_of(&dir());
    let studies = String::from_utf8(files["studies.csv"].clone()).unwrap()
        + "smith2018A,Smith,2018,UK,home,,,,minor concerns\n";
    let evidence = String::from_utf8(files["evidence.csv"].clone()).unwrap() + "T1.3,SMITH2018A\n";
    let mut changed = files.clone();
    changed.insert("studies.csv".into(), studies.into_bytes());
    changed.insert("evidence.csv".into(), evidence.into_bytes());
    let err = Dataset::from_files(&changed, "twins")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "study `SMITH2018A` could be any of Smith2018a, smith2018A (they differ only in case)"
        ),
        "{err}"
    );
}

/// A description of no column changes no figure: `check` warns of it.
#[test]
fn check_warns_of_a_description_of_no_column() {
    let ds = with_toml("setting = ", "setings = ").unwrap();
    let text = check::check(&ds).unwrap().to_string();
    assert!(
        text.contains("warning: dataset.toml: [columns] `setings` describes no column"),
        "{text}"
    );
}
