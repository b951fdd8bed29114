//! A folder's `matrix.csv` in place of findings.csv and evidence.csv
//! (issue 31): `tests/data/telehealth-matrix` is the telehealth review kept
//! as a study x finding matrix, marked as reviewers mark (x, 1, ✓, yes; 0
//! and blank), and gives that review's answers; its mistakes are told at
//! matrix.csv's lines.

use std::path::{Path, PathBuf};

use metasum_engine::{Dataset, Format, Session, format};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

fn csv(ds: Dataset, src: &str) -> String {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(ds);
    let result = session.run(&script.statements[0]).unwrap().unwrap();
    format::render_result(&result, Format::Csv).unwrap()
}

#[test]
fn a_matrix_gives_the_answers_of_its_findings_and_evidence() {
    let matrix = Dataset::load(&data("telehealth-matrix")).unwrap();
    let files = Dataset::load(&data("telehealth-review")).unwrap();
    for q in [
        "findings",
        "studies",
        "profile",
        "matrix",
        "evidence",
        "agreement",
    ] {
        assert_eq!(csv(matrix.clone(), q), csv(files.clone(), q), "{q}");
    }
}

/// The problems of the matrix, as the loader tells them.
fn problems(matrix: &str) -> Vec<String> {
    let err =
        crate::util::with_file(&data("telehealth-matrix"), "m", "matrix.csv", matrix).unwrap_err();
    err.lines().skip(1).map(|l| l.trim().to_string()).collect()
}

#[test]
fn a_matrix_s_mistakes_are_told_at_its_lines() {
    let head = "id,review question,name,Nguyen2019,Smith2018a\n";
    // A mark that is none; a finding id twice (found in the findings the
    // matrix stands for, told at the matrix's line).
    assert_eq!(
        problems(&format!("{head}T1,Q1,A,x,maybe\nT2,Q1,B,1,\nT1,Q2,C,,1\n")),
        [
            "matrix.csv:2: column `Smith2018a`: `maybe` is not an evidence mark: write 1 (or x, ✓, yes, true) where the study has the finding, 0 (or blank, no, false) where it has not",
            "matrix.csv:4: column `id`: id T1 repeats (first on line 2)",
        ]
    );
    // A header that names no study, written with a space: one problem
    // that says which id it means.
    let out = problems("id,review question,name,Nguyen 2019\nT1,Q1,A,x\n");
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with("matrix.csv:1: column `Nguyen 2019`: 1 column holds evidence marks under a header that is not the id of a study in studies.csv: `Nguyen 2019` (`Nguyen2019`?)"), "{out:?}");
}

#[test]
fn a_folder_keeps_one_form() {
    let mut files = crate::util::files_of(&data("telehealth-matrix"));
    files.insert("findings.csv".into(), b"id,name\nT1,A\n".to_vec());
    let err = Dataset::from_files(&files, "both").unwrap_err().to_string();
    assert!(
        err.contains("matrix.csv: the folder has both matrix.csv and findings.csv: keep one form"),
        "{err}"
    );
}
