//! A review keyed the way reviewers key them (`tests/data/author-year-review`):
//! studies by author-year (`Smith2019`, `Smith2019a`), findings by theme
//! code (`T1.2`, `T1.10`), papers `P1`..., CERQual-style quality codes with
//! declared concerns and a header with a space. Every figure below is
//! counted by hand from its four files.

use crate::util::*;

const DATA: &str = "tests/data/author-year-review";

/// stdout of `metasum --data DATA ARGS`, which must succeed.
fn metasum_on(args: &[&str]) -> String {
    let out = metasum()
        .args(["--data", DATA])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn query(q: &str) -> String {
    metasum_on(&["-c", q])
}

#[test]
fn findings_and_studies_show_the_ids_as_written_in_natural_order() {
    // T1.2 before T1.10: digit runs sort as numbers.
    assert_eq!(
        query("findings"),
        "id,perspective,name,n,fes,studies\n\
         T1.2,worker,Low pay,3,75.0,Ahmed2021;Jones2018;Smith2019\n\
         T1.10,recipient,Feeling understood,1,25.0,Smith2019a\n\
         T2.1,recipient,Role models,3,75.0,Jones2018;Smith2019;Smith2019a\n"
    );
    // Jones2018 has two papers (P2, P3); each study's intensity is of 3.
    assert_eq!(
        query("studies show id, n, intensity, findings, papers, `Sample size`"),
        "id,n,intensity,findings,papers,Sample size\n\
         Ahmed2021,1,33.3,T1.2,1,8\n\
         Jones2018,2,66.7,T1.2;T2.1,2,40\n\
         Smith2019,2,66.7,T1.2;T2.1,1,12\n\
         Smith2019a,2,66.7,T1.10;T2.1,1,\n"
    );
    assert_eq!(
        query("findings sort by id desc show id"),
        "id\nT2.1\nT1.10\nT1.2\n"
    );
}

#[test]
fn conditions_name_ids_as_written() {
    assert_eq!(
        query("findings where studies has Smith2019a show id"),
        "id\nT1.10\nT2.1\n"
    );
    // In any case, when only one id is spelt that way; an id no row has
    // matches nothing.
    assert_eq!(
        query("findings where id in (t1.2, T9) show id, n"),
        "id,n\nT1.2,3\n"
    );
    assert_eq!(
        query("studies where id ~ \"smith\" show id"),
        "id\nSmith2019\nSmith2019a\n"
    );
    assert_eq!(
        query("findings where id > T1.2 show id"),
        "id\nT1.10\nT2.1\n"
    );
    assert_eq!(
        query("papers where study = Jones2018 show id"),
        "id\nP2\nP3\n"
    );
    assert_eq!(
        query("evidence count by study"),
        "study,count\nJones2018,2\nSmith2019,2\nSmith2019a,2\nAhmed2021,1\n"
    );
}

#[test]
fn among_a_set_of_text_ids_counts_only_those_studies() {
    // Among Smith2019 and Smith2019a: T1.2 in 1 of 2, T1.10 in 1, T2.1 in 2.
    assert_eq!(
        query("findings among (studies where id ~ \"smith\") show id, n, fes"),
        "id,n,fes\nT1.2,1,50.0\nT1.10,1,50.0\nT2.1,2,100.0\n"
    );
    let script = "let recipients = findings where perspective = recipient\n\
                  studies among recipients where n > 0 show id, n, intensity";
    assert_eq!(
        metasum_on(&["-c", script]),
        "id,n,intensity\nJones2018,1,50.0\nSmith2019,1,50.0\nSmith2019a,2,100.0\n"
    );
}

#[test]
fn profile_leaves_out_the_declared_cerqual_concerns() {
    // Concerns: Jones2018 (serious), Ahmed2021 (moderate), listed by
    // label (author and year). Without them 2
    // studies remain: T1.2 has Smith2019 (1 of 2), T1.10 Smith2019a (1),
    // T2.1 both Smiths (2).
    assert_eq!(
        query(
            "profile show id, n, fes, concern_n, concern_studies, fes_without_concerns, drop, flag"
        ),
        "id,n,fes,concern_n,concern_studies,fes_without_concerns,drop,flag\n\
         T1.2,3,75.0,2,Ahmed (2021);Jones (2018),50.0,25.0,true\n\
         T1.10,1,25.0,0,,50.0,-25.0,false\n\
         T2.1,3,75.0,1,Jones (2018),100.0,-25.0,false\n"
    );
}

#[test]
fn the_matrix_has_a_column_per_study_by_label() {
    // Labels are author (year); ids stay what queries use.
    assert_eq!(
        query("matrix"),
        "id,perspective,name,n,fes,Ahmed (2021),Jones (2018),Smith et al. (2019),Smith & Lee (2019)\n\
         T1.2,worker,Low pay,3,75.0,1,1,1,0\n\
         T1.10,recipient,Feeling understood,1,25.0,0,0,0,1\n\
         T2.1,recipient,Role models,3,75.0,0,1,1,1\n\
         ,,n (findings shown in the study),,,1,2,2,2\n\
         ,,intensity (% of the findings shown),,,33.3,66.7,66.7,66.7\n"
    );
    let svg = query("plot matrix findings among (studies where id != Jones2018)");
    for study in [
        "Ahmed (2021)",
        "Smith et al. (2019)",
        "Smith &amp; Lee (2019)",
    ] {
        assert!(svg.contains(&format!("{study} contains")), "{study}");
    }
    // No column for Jones (2018); the subtitle names the set it was left
    // out by, as written.
    assert!(!svg.contains("Jones (2018)"));
    assert!(svg.contains("studies where id != Jones2018"), "{svg}");
    let svg = query("plot fes findings where studies has Smith2019a");
    for finding in [
        "Feeling understood: FES 25.0% (1 study)",
        "Role models: FES 75.0% (3 studies)",
    ] {
        assert!(svg.contains(finding), "{finding}");
    }
    assert!(!svg.contains("Low pay"));
}

#[test]
fn check_and_export_keep_the_ids_as_written() {
    let report = metasum_on(&["check"]);
    assert!(
        report.contains("4 studies, 5 papers, 3 findings, 7 evidence links: valid"),
        "{report}"
    );
    let dir = tempfile::tempdir().unwrap();
    for target in ["out", "out.xlsx"] {
        let path = dir.path().join(target);
        metasum_on(&["export", path.to_str().unwrap()]);
        let back = metasum()
            .arg("--data")
            .arg(&path)
            .args(["-c", "findings; papers"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(back.stdout).unwrap(),
            query("findings; papers"),
            "{target}"
        );
    }
    let evidence = std::fs::read_to_string(dir.path().join("out/evidence.csv")).unwrap();
    assert!(evidence.starts_with("finding,study\nT1.2,"), "{evidence}");
}

#[test]
fn a_reference_to_an_id_no_row_has_is_located() {
    let files: Vec<(&str, String)> = [
        "dataset.toml",
        "studies.csv",
        "findings.csv",
        "papers.csv",
        "evidence.csv",
    ]
    .into_iter()
    .map(|file| {
        let mut text = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
        if file == "evidence.csv" {
            text.push_str("T1.2,Smith2091\nT3,Jones2018\n");
        }
        (file, text)
    })
    .collect();
    let (code, _, stderr) = on_files(&files, "findings");
    assert_eq!(code, 1);
    for problem in [
        "evidence.csv:9: column `study`: study `Smith2091` does not exist in studies.csv",
        "evidence.csv:10: column `finding`: finding `T3` does not exist in findings.csv",
    ] {
        assert!(stderr.contains(problem), "{problem}\n{stderr}");
    }
}

#[test]
fn labels_are_the_label_column_else_author_year_lettered_when_shared() {
    let (_, out, _) = matrix_of(
        "id,author,year,label\nS1,Smith,2019,\nS2,Smith,2019,\nS3,Lee,,\nS4,Okafor,2020,Okafor's trial\n",
    );
    assert_eq!(
        out.lines().next().unwrap(),
        "id,perspective,name,n,fes,Smith (2019a),Smith (2019b),Lee,Okafor's trial"
    );
}

/// Runs `query` on a dataset folder holding `files` (name, contents):
/// exit code, stdout, stderr.
fn on_files(files: &[(&str, String)], query: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = metasum()
        .arg("--data")
        .arg(dir.path())
        .args(["-c", query])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `query` on a dataset of `studies`, `findings` and `evidence`
/// (CSV bodies after their headers).
fn on(studies: &str, findings: &str, evidence: &str, query: &str) -> (i32, String, String) {
    let files = [
        ("studies.csv", format!("id,author,year\n{studies}")),
        ("findings.csv", format!("id,perspective,name\n{findings}")),
        ("evidence.csv", format!("finding,study\n{evidence}")),
    ];
    on_files(&files, query)
}

/// One finding, `F1`, in every study of `studies` (a CSV with a `label`
/// column); the matrix of it.
fn matrix_of(studies: &str) -> (i32, String, String) {
    let ids: Vec<&str> = studies
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let evidence: String = ids.iter().map(|id| format!("F1,{id}\n")).collect();
    let files = [
        ("studies.csv", studies.to_string()),
        (
            "findings.csv",
            "id,perspective,name\nF1,worker,Low pay\n".to_string(),
        ),
        ("evidence.csv", format!("finding,study\n{evidence}")),
    ];
    on_files(&files, "matrix")
}

// Found by an adversarial pass over text ids.

#[test]
fn a_text_id_equal_to_another_studys_number_does_not_break_the_matrix() {
    // `A` stands in as 1 and `2` as 2 inside; the columns were renamed one
    // by one, and `2` clashed.
    let (code, out, _) = on("2,Ames,2000\nA,Bell,2001\n", "T1,w,a\n", "T1,2\n", "matrix");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("id,perspective,name,n,fes,Ames (2000),Bell (2001)\n"),
        "{out}"
    );
}

#[test]
fn ids_written_differently_are_different_ids() {
    // `01` and `1` were both read as 1: two rows with id 1, FES over 3.
    let studies = "01,Ames,2000\n1,Bell,2001\n2,Cole,2002\n";
    let (code, out, _) = on(studies, "F1,w,a\n", "F1,1\nF1,01\n", "studies show id, n");
    assert_eq!((code, out.as_str()), (0, "id,n\n01,1\n1,1\n2,0\n"));
    // A bare 01 is the number 1, which both ids read as: quote it.
    let (code, _, err) = on(studies, "F1,w,a\n", "F1,1\n", "studies where id = 01");
    assert_eq!(code, 1);
    assert!(err.contains("could be any of the ids 01, 1"), "{err}");
    let (_, out, _) = on(
        studies,
        "F1,w,a\n",
        "F1,1\n",
        "studies where id = \"01\" show id",
    );
    assert_eq!(out, "id\n01\n");
}

#[test]
fn a_bare_number_names_the_one_id_that_reads_as_it() {
    let findings = "1.10,w,a\n1.2,w,b\n";
    let (_, out, _) = on(
        "S1,Ames,2000\n",
        findings,
        "1.10,S1\n",
        "findings where id = 1.10 show id, n",
    );
    assert_eq!(out, "id,n\n1.10,1\n");
    // With 1.1 and 1.10 both there, 1.10 (the number 1.1) is ambiguous.
    let (code, _, err) = on(
        "S1,Ames,2000\n",
        "1.10,w,a\n1.1,w,b\n",
        "1.10,S1\n",
        "findings where id = 1.10",
    );
    assert_eq!(code, 1);
    assert!(err.contains("could be any of the ids 1.1, 1.10"), "{err}");
}

#[test]
fn ids_in_case_only_twins_must_be_written_exactly() {
    let studies = "Smith2019,Smith,2019\nsmith2019,Smyth,2019\n";
    let (code, _, err) = on(
        studies,
        "F1,w,a\n",
        "F1,Smith2019\n",
        "studies where id = SMITH2019",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("could be any of the ids Smith2019, smith2019"),
        "{err}"
    );
    let (_, out, _) = on(
        studies,
        "F1,w,a\n",
        "F1,Smith2019\n",
        "studies where id = smith2019 show n",
    );
    assert_eq!(out, "n\n0\n");
}

#[test]
fn an_id_holding_a_semicolon_and_a_repeated_link_are_told_with_the_ids() {
    let (code, _, err) = on(
        "A;B,Ames,2000\nA,Bell,2001\n",
        "F1,w,a\n",
        "F1,A\n",
        "findings",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("studies.csv:2: column `id`: an id may not contain `;`"),
        "{err}"
    );
    let (code, _, err) = on(
        "S1,Ames,2000\n",
        "T1.2,w,a\nT1.10,w,b\n",
        "T1.10,S1\nT1.10,S1\n",
        "findings",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("finding T1.10 in study S1 is listed twice"),
        "{err}"
    );
}

#[test]
fn a_label_two_studies_would_share_or_a_matrix_column_name_is_refused() {
    let (code, _, err) = matrix_of(
        "id,author,year,label\nS1,Smith,2019,\nS2,Lee,2020,Smith (2019)\nS3,Ng,2021,fes\n",
    );
    assert_eq!(code, 1);
    for problem in [
        "studies.csv:3: column `label`: two studies are labelled `Smith (2019)`",
        "studies.csv:4: column `label`: `fes` cannot label a study",
    ] {
        assert!(err.contains(problem), "{problem}\n{err}");
    }
}

#[test]
fn a_count_bound_by_let_keeps_its_ids_and_an_unknown_id_is_noted() {
    let out = metasum()
        .args(["--data", DATA, "-c"])
        .arg("let c = evidence count by study\nc where study = Smith2019a\nfindings among (studies where id != Jonse2018) show id, n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "study,count\nSmith2019a,2\n\nid,n\nT1.2,3\nT1.10,1\nT2.1,3\n"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no row has the id `Jonse2018`"), "{err}");
}

#[test]
fn references_to_a_table_that_could_not_be_read_are_not_each_a_problem() {
    // studies.csv empty: its ids are unknown, so the evidence naming
    // Smith2019 and the rest was reported row by row as "expected a
    // positive whole number".
    let files = [
        ("studies.csv", String::new()),
        (
            "findings.csv",
            "id,perspective,name\nT1.2,worker,Low pay\n".to_string(),
        ),
        (
            "evidence.csv",
            "finding,study\nT1.2,Smith2019\nT1.2,Jones2018\n".to_string(),
        ),
    ];
    let (code, _, err) = on_files(&files, "findings");
    assert_eq!(code, 1);
    assert!(err.contains("has 1 problem:"), "{err}");
    assert!(err.contains("studies.csv: file is empty"), "{err}");
}
