//! A dataset folder's `evidence.csv` is read when a statement first needs
//! it: a statement on stored columns runs while the file is broken, one
//! that counts fails with the file's problems located (as a dataset that
//! cannot be loaded), and `check` still reads and reports it.

use std::path::{Path, PathBuf};

use crate::util::*;

/// The author-year review with a link to a study it does not have, and
/// a link given twice, in `evidence.csv`.
fn broken_links(dir: &Path) -> PathBuf {
    let data = dir.join("review");
    std::fs::create_dir(&data).unwrap();
    let source = root().join("tests/data/author-year-review");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    let evidence = data.join("evidence.csv");
    let mut text = std::fs::read_to_string(&evidence).unwrap();
    text.push_str("T1.2,Nobody2020\nT2.1,Jones2018\n");
    std::fs::write(&evidence, text).unwrap();
    data
}

fn metasum_on(data: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = metasum()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

/// What the broken file's problems say, wherever they are told.
fn tells_the_links_problems(stderr: &str) {
    assert!(stderr.contains("evidence.csv:9"), "{stderr}");
    assert!(stderr.contains("Nobody2020"), "{stderr}");
    assert!(stderr.contains("evidence.csv:10"), "{stderr}");
}

#[test]
fn statements_on_stored_columns_run_while_the_links_are_broken() {
    let dir = tempfile::tempdir().unwrap();
    let data = broken_links(dir.path());
    for statement in [
        "studies count by country",
        "papers",
        "findings where perspective = worker show id, name",
        "studies where quality != \"serious concerns\" sort by year show id, year",
        "claims",
    ] {
        let (code, stdout, stderr) = metasum_on(&data, &["--format", "csv", "-c", statement]);
        assert_eq!(code, Some(0), "{statement}: {stderr}");
        assert!(
            stdout.lines().count() > 1 || statement == "claims",
            "{statement}: {stdout}"
        );
    }
    let (_, counts, _) = metasum_on(
        &data,
        &["--format", "csv", "-c", "studies count by country"],
    );
    let good = root().join("tests/data/author-year-review");
    let (_, expected, _) = metasum_on(
        &good,
        &["--format", "csv", "-c", "studies count by country"],
    );
    assert_eq!(counts, expected);
}

#[test]
fn a_statement_that_counts_fails_with_the_links_problems_located() {
    let dir = tempfile::tempdir().unwrap();
    let data = broken_links(dir.path());
    for statement in [
        "findings",
        "studies",
        "evidence",
        "profile",
        "matrix",
        "findings where fes > 10 show id",
        "studies among (findings where perspective = worker) count by country",
        "plot fes",
    ] {
        let (code, stdout, stderr) = metasum_on(&data, &["-c", statement]);
        assert_eq!(code, Some(1), "{statement}: {stderr}");
        assert_eq!(stdout, "", "{statement}");
        tells_the_links_problems(&stderr);
    }
    // In one run: the statement before runs, the one that counts fails,
    // and so does the next one that needs the links.
    let script = "studies count by country\nfindings\nstudies show id\nstudies";
    let (code, stdout, stderr) =
        metasum_on(&data, &["--keep-going", "--format", "csv", "-c", script]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.contains("country,count"), "{stdout}");
    assert!(stdout.contains("Smith2019"), "{stdout}");
    assert_eq!(stderr.matches("Nobody2020").count(), 2, "{stderr}");
}

#[test]
fn check_and_the_commands_on_every_file_still_report_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let data = broken_links(dir.path());
    for command in [
        vec!["check"],
        vec!["report"],
        vec!["worksheet", "T1.2"],
        vec!["export", "out"],
    ] {
        let (code, _, stderr) = metasum_on(&data, &command);
        assert_eq!(code, Some(1), "{command:?}: {stderr}");
        tells_the_links_problems(&stderr);
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_dataset_broken_elsewhere_is_refused_with_the_links_problems_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = broken_links(dir.path());
    let studies = data.join("studies.csv");
    let mut text = std::fs::read_to_string(&studies).unwrap();
    text.push_str("Smith2019,Again,2019,UK,minor concerns,3\n");
    std::fs::write(&studies, text).unwrap();
    let (code, _, stderr) = metasum_on(&data, &["-c", "papers"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("studies.csv:"), "{stderr}");
    tells_the_links_problems(&stderr);
}

#[test]
fn a_folder_read_as_needed_gives_what_the_embedded_seed_gives() {
    // The seed's folder reads its links when first needed; the embedded
    // seed reads them with the rest.
    let folder = root().join("datasets/peer-support");
    let script = "studies count by country\nfindings\nstudies\nprofile\nmatrix\nfindings where perspective = recipient show id, name";
    let out = |data: Option<&Path>| {
        let mut command = metasum();
        if let Some(data) = data {
            command.arg("--data").arg(data);
        }
        let out = command
            .args(["--format", "csv", "-c", script])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(out(Some(&folder)), out(None));
}

#[test]
#[cfg(unix)] // FIFOs are Unix's
fn a_fifo_or_folder_in_place_of_a_file_is_a_located_problem_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let data = broken_links(dir.path());
    let evidence = data.join("evidence.csv");
    std::fs::remove_file(&evidence).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&evidence).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let run = |args: &[&str]| {
        let out = metasum()
            .arg("--data")
            .arg(&data)
            .args(args)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(run(&["-c", "studies count by country"]).0, Some(0));
    for args in [&["-c", "findings"][..], &["check"]] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("evidence.csv"), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    // A folder named like a required file, the same.
    std::fs::remove_file(data.join("studies.csv")).unwrap();
    std::fs::create_dir(data.join("studies.csv")).unwrap();
    let (code, stderr) = run(&["-c", "papers"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("studies.csv") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}
