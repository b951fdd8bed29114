//! End-to-end: `metasum check` on the embedded seed and on broken datasets.

use assert_cmd::Command;

fn metasum() -> Command {
    let mut cmd = Command::cargo_bin("metasum").unwrap();
    cmd.env_remove("METASUM_DATA").env("NO_COLOR", "1");
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn check_on_the_embedded_seed_reports_agreement_and_totals() {
    let out = metasum().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn check_works_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum()
        .arg("check")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("all 24 reported FES values agree"));
}

#[test]
fn broken_dataset_exits_1_naming_file_and_line() {
    let out = metasum()
        .args(["check", "--data", "tests/data/duplicate-evidence"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "tests/data/duplicate-evidence/evidence.csv:5: finding 1 in study 2 is listed twice"
        ),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn data_folder_from_the_environment() {
    let out = metasum()
        .arg("check")
        .env("METASUM_DATA", "tests/data/valid-minimal")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Minimal valid review"));
}

#[test]
fn missing_folder_exits_1() {
    let out = metasum()
        .args(["check", "--data", "tests/data/no-such-folder"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("does not exist")
    );
}

#[test]
fn usage_error_exits_2() {
    let out = metasum().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
