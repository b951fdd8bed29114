//! GRADE-CERQual on datasets/cerqual-example: the SoQF and Evidence Profile
//! tables, what `check` says of each judgement, and every problem of
//! `cerqual.csv` located.

use std::path::{Path, PathBuf};

use metasum_engine::check::{CerqualWarningKind, check};
use metasum_engine::{Dataset, Outcome, QueryResult, Session, format};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/cerqual-example")
}

fn rows(ds: Dataset, src: &str) -> QueryResult {
    let mut session = Session::new(ds);
    let script = metasum_query::parse(src).unwrap();
    match session.execute(&script.statements[0]).unwrap() {
        Outcome::Rows(r) => r,
        other => panic!("{other:?}"),
    }
}

fn csv(ds: Dataset, src: &str) -> String {
    format::render_result(&rows(ds, src), format::Format::Csv).unwrap()
}

#[test]
fn soqf_lists_each_assessed_finding_with_its_confidence_and_studies_by_label() {
    let ds = Dataset::load(&example()).unwrap();
    let out = csv(ds.clone(), "soqf show finding, confidence, studies");
    assert_eq!(
        out,
        "finding,confidence,studies\n\
         F1,high,García (2017);Jones (2018);Okafor & Lee (2020);Smith et al. (2019);Svensson (2016)\n\
         F2,moderate,Jones (2018);Müller et al. (2022);Nguyen et al. (2021);Smith et al. (2019)\n\
         F3,high,Müller et al. (2022);Okafor & Lee (2020);Svensson (2016)\n\
         F4,very low,Ahmed (2021);García (2017)\n"
    );
    // Filtered like any table.
    assert_eq!(
        csv(ds.clone(), "soqf where confidence = high show finding"),
        "finding\nF1\nF3\n"
    );
    assert_eq!(
        csv(ds.clone(), "soqf where confidence = low")
            .lines()
            .count(),
        1
    );
    let summary = csv(ds.clone(), "soqf where finding = F2 show summary");
    assert_eq!(
        summary,
        "summary\nFeeling understood by a peer reduced people's sense of isolation.\n"
    );
    // The evidence profile: each component's level and explanation.
    let profile = csv(
        ds.clone(),
        "evidence_profile where finding = F3 show adequacy, adequacy_explanation, confidence",
    );
    assert_eq!(
        profile,
        "adequacy,adequacy_explanation,confidence\nserious concerns,Three studies with thin data.,high\n"
    );
    // In Markdown and a workbook too.
    let md = format::render_result(
        &rows(ds.clone(), "soqf show finding, confidence"),
        format::Format::Markdown,
    )
    .unwrap();
    assert!(
        md.starts_with("| finding | confidence |\n| --- | --- |\n| F1 | high |"),
        "{md}"
    );
    let book =
        format::xlsx_results(&[("soqf".into(), format::Sheet::Rows(&rows(ds, "soqf")))]).unwrap();
    assert!(book.starts_with(b"PK"));
}

#[test]
fn check_warns_of_each_judgement_that_needs_a_look_and_never_sets_one() {
    let ds = Dataset::load(&example()).unwrap();
    let report = check(&ds).unwrap();
    assert_eq!(report.cerqual_assessed, Some(4));
    let findings = &ds.keys.findings;
    let warnings: Vec<(String, CerqualWarningKind)> = (report.cerqual_warnings.iter())
        .map(|w| (findings.text(w.finding), w.kind.clone()))
        .collect();
    assert_eq!(
        warnings,
        [
            ("F5".to_string(), CerqualWarningKind::NotAssessed),
            (
                "F2".to_string(),
                CerqualWarningKind::LimitationsDespiteQuality(3, 4)
            ),
            // Unexplained: a judgement against its components, its
            // explanation empty (explained, it would be answered).
            (
                "F3".to_string(),
                CerqualWarningKind::HighDespiteSerious(vec!["adequacy"])
            ),
            (
                "F3".to_string(),
                CerqualWarningKind::NoExplanation("confidence_explanation".into())
            ),
            ("F4".to_string(), CerqualWarningKind::VeryLowWithoutConcerns),
            (
                "F4".to_string(),
                CerqualWarningKind::NoExplanation("relevance_explanation".into())
            ),
            (
                "F4".to_string(),
                CerqualWarningKind::NoExplanation("confidence_explanation".into())
            ),
        ]
    );
    let text = report.to_string();
    assert!(text.contains("  warning: finding F3 (cerqual.csv:4): confidence high while adequacy has serious concerns"), "{text}");
    // The stored confidence is what the tables show: none is computed.
    let stored = csv(ds, "soqf where finding = F3 show confidence");
    assert_eq!(stored, "confidence\nhigh\n");
}

#[test]
fn the_seed_has_no_assessment_and_gets_none() {
    let ds = Dataset::seed().unwrap();
    assert!(ds.cerqual.is_none());
    let soqf = rows(ds.clone(), "soqf");
    assert_eq!(soqf.frame.height(), 0);
    assert!(
        soqf.notes.iter().any(|n| n.contains("no cerqual.csv")),
        "{:?}",
        soqf.notes
    );
    let report = check(&ds).unwrap();
    assert_eq!(report.cerqual_assessed, None);
    assert!(report.cerqual_warnings.is_empty());
    assert!(!report.to_string().contains("CERQual"));
}

/// The example's files with `cerqual.csv` replaced.
fn with_cerqual(text: &str) -> Result<Dataset, String> {
    crate::util::with_file(&example(), "example", "cerqual.csv", text)
}

#[test]
fn every_problem_of_cerqual_csv_is_located() {
    let head = "finding,methodological_limitations,coherence,adequacy,relevance,confidence\n";
    for (rows, says) in [
        (
            "F1,minor,some concerns,minor,minor,high\n",
            "cerqual.csv:2: column `coherence`: expected no or very minor concerns, minor concerns, moderate concerns, serious concerns, found `some concerns`",
        ),
        (
            "F1,minor,minor,minor,minor,medium\n",
            "cerqual.csv:2: column `confidence`: expected high, moderate, low, very low, found `medium`",
        ),
        (
            "F9,minor,minor,minor,minor,high\n",
            "cerqual.csv:2: column `finding`: finding F9 does not exist",
        ),
        (
            "F1,minor,minor,minor,minor,high\nF1,minor,minor,minor,minor,low\n",
            "cerqual.csv:3: column `finding`: finding F1 is assessed already on line 2",
        ),
    ] {
        let e = with_cerqual(&format!("{head}{rows}")).unwrap_err();
        assert!(e.contains(says), "{says}\n{e}");
    }
    for (text, says) in [
        (
            &*format!("{}Coherence\n", head.trim_end().to_string() + ","),
            "cerqual.csv:1: column `Coherence` appears twice",
        ),
        (
            "finding,methodological_limitations,coherence,adequacy,relevance,confidence,Coherence explanaton\n",
            "cerqual.csv:1: unknown column `Coherence explanaton`",
        ),
        ("", "cerqual.csv:1: is empty"),
    ] {
        let e = with_cerqual(text).unwrap_err();
        assert!(e.contains(says), "{says}\n{e}");
    }
    let e = with_cerqual("finding,coherence\nF1,minor\n").unwrap_err();
    assert!(
        e.contains("cerqual.csv:1: missing required column `methodological_limitations`"),
        "{e}"
    );
    // Levels as reviewers write them are read.
    let ok = with_cerqual(&format!(
        "{head}F1,Minor Concerns, no or very minor ,SERIOUS,moderate,Very low confidence\n"
    ))
    .unwrap();
    assert_eq!(ok.cerqual.unwrap()[0].confidence.level.code(), "very low");
}

#[test]
fn export_keeps_the_assessments() {
    let ds = Dataset::load(&example()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    metasum_engine::export::export(&ds, &out).unwrap();
    let again = Dataset::load(&out).unwrap();
    assert_eq!(again.cerqual, ds.cerqual);
    assert_eq!(
        csv(again, "evidence_profile"),
        csv(ds.clone(), "evidence_profile")
    );
    // And through a workbook: its `cerqual` sheet.
    let book = dir.path().join("review.xlsx");
    metasum_engine::export::export(&ds, &book).unwrap();
    let again = Dataset::load(&book).unwrap();
    assert_eq!(csv(again, "evidence_profile"), csv(ds, "evidence_profile"));
}

fn worksheet(ds: Dataset, finding: &str) -> Result<String, String> {
    metasum_engine::worksheet::worksheet(&mut Session::new(ds), finding).map_err(|e| e.to_string())
}

#[test]
fn the_worksheet_shows_what_a_judgement_needs_and_the_judgement() {
    let ds = Dataset::load(&example()).unwrap();
    let sheet = worksheet(ds.clone(), "F3").unwrap();
    // F3: Okafor2020, Svensson2016, Muller2022 of 8 studies: FES 37.5;
    // Muller2022 (serious concerns) is the one of concern: without it 2
    // of the other 4 studies not of concern, 50.0.
    for line in [
        "# Worksheet: finding F3",
        "**Role ambiguity strains peer workers**",
        "Perspective: Experiences of peer workers (worker)",
        "| n | 3 |",
        "| fes | 37.5 |",
        "| concern\\_studies | Müller et al. (2022) |",
        "| fes\\_without\\_concerns | 50.0 |",
        "## Contributing studies (3)",
        "| Adequacy | serious concerns | Three studies with thin data. |",
        "Overall confidence: **high**. Not explained yet (confidence_explanation is empty).",
    ] {
        assert!(sheet.lines().any(|l| l == line), "{line}\n{sheet}");
    }
    let studies: Vec<&str> = sheet
        .lines()
        .filter(|l| {
            l.starts_with("| Muller2022")
                || l.starts_with("| Okafor2020")
                || l.starts_with("| Svensson2016")
        })
        .collect();
    assert_eq!(studies.len(), 3, "{sheet}");
    assert!(
        studies[0].contains("serious concerns"),
        "each study's quality: {sheet}"
    );
    assert!(
        worksheet(ds.clone(), "F5")
            .unwrap()
            .contains("Not assessed: cerqual.csv has no row for this finding.")
    );
    let e = worksheet(ds, "F9").unwrap_err();
    assert!(
        e.contains("no finding is `F9` (findings: F1, F2, F3, F4, F5)"),
        "{e}"
    );
    let seed = worksheet(Dataset::seed().unwrap(), "1").unwrap();
    assert!(seed.contains("This dataset has no cerqual.csv"), "{seed}");
    assert!(
        seed.contains("| n | 11 |"),
        "finding 1 of the seed is in 11 studies: {seed}"
    );
}

#[test]
fn levels_compare_and_sort_by_rank_not_by_their_text() {
    let ds = Dataset::load(&example()).unwrap();
    // Alphabetically "moderate" and "very low" are > "low"; by rank only
    // moderate and high are.
    assert_eq!(
        csv(ds.clone(), "soqf where confidence > low show finding"),
        "finding\nF1\nF2\nF3\n"
    );
    assert_eq!(
        csv(ds.clone(), "soqf where confidence <= low show finding"),
        "finding\nF4\n"
    );
    assert_eq!(
        csv(ds.clone(), "soqf sort by confidence desc show confidence"),
        "confidence\nhigh\nhigh\nmoderate\nvery low\n"
    );
    // Concerns: more concern is greater; levels in the words reviewers use.
    assert_eq!(
        csv(
            ds.clone(),
            "evidence_profile where adequacy >= \"Moderate concerns\" show finding"
        ),
        "finding\nF2\nF3\n"
    );
    assert_eq!(
        csv(
            ds.clone(),
            "evidence_profile where coherence > \"no or very minor\" show finding"
        ),
        "finding\nF2\nF3\n"
    );
    let mut session = Session::new(ds);
    let script = metasum_query::parse("soqf where confidence = medium").unwrap();
    let e = session
        .execute(&script.statements[0])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`confidence` is a CERQual level, and `medium` is none"),
        "{e}"
    );
}

/// A judgement against its components, with an explanation, is answered:
/// `check` warns only while the explanation is empty.
#[test]
fn an_explained_judgement_is_answered() {
    let text = std::fs::read_to_string(example().join("cerqual.csv")).unwrap();
    let explained = text
        .replace(
            ",High,\n",
            ",High,Two rich studies from the setting in question outweigh the thin ones.\n",
        )
        .replace(
            ",High,\r\n",
            ",High,Two rich studies from the setting in question outweigh the thin ones.\r\n",
        );
    assert_ne!(explained, text);
    let ds = crate::util::with_file(&example(), "explained", "cerqual.csv", &explained).unwrap();
    let warnings = check(&ds).unwrap().cerqual_warnings;
    assert!(
        !warnings
            .iter()
            .any(|w| matches!(w.kind, CerqualWarningKind::HighDespiteSerious(_))),
        "{warnings:?}"
    );
}
