//! End-to-end: `metasum check` on the embedded seed and on broken datasets.

use std::path::Path;

use crate::util::*;

#[test]
fn check_on_the_embedded_seed_reports_agreement_and_totals() {
    let out = metasum().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    // Counted in the seed's files (25 studies in Table 1, 27 papers, the
    // 24 findings of Table 2 and their 158 study links), and the totals the
    // paper printed (279 workers, 232 staff, 88 recipients) against the
    // only two studies that report counts (65, 40 and 6).
    for line in [
        "  25 studies, 27 papers, 24 findings, 158 evidence links: valid",
        "  all 24 reported FES values agree with the computed ones",
        "  3 of 25 studies left out, of declared quality concern (low)",
        "  warning: workers: published 279, sum 65, off by 214 (2 of 25 studies have a count)",
        "  warning: staff: published 232, sum 40, off by 192 (2 of 25 studies have a count)",
        "  warning: recipients: published 88, sum 6, off by 82 (2 of 25 studies have a count)",
    ] {
        assert!(report.lines().any(|l| l == line), "{line}\n{report}");
    }
    insta::assert_snapshot!(report);
}

#[test]
fn check_reports_a_printed_fes_that_disagrees_and_exits_0() {
    // Role models: 1 of 3 studies is 33.3%, not the 40 printed.
    let out = metasum()
        .args(["check", "--data", "tests/data/fes-disagrees"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    for line in [
        "  1 of 2 reported FES values agree; these do not:",
        "  warning: finding 2 \"Role models, sometimes\": reported 40, computed 33.3 (1 of 3 studies)",
    ] {
        assert!(report.lines().any(|l| l == line), "{line}\n{report}");
    }
    // The published total (10 workers) agrees: the FES is the one warning.
    assert!(report.ends_with("\n1 warning\n"), "{report}");
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

#[test]
fn quality_codes_without_a_declared_concern_are_said_in_check_and_profile() {
    let data = "tests/data/no-declared-concerns";
    let out = metasum().args(["check", "--data", data]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = stdout(&out);
    assert!(
        report.contains(
            "  warning: dataset.toml declares no quality code a concern, so no study is left out"
        ),
        "{report}"
    );
    assert!(report.ends_with("\n1 warning\n"), "{report}");

    let out = metasum()
        .args(["--data", data, "-c"])
        .arg("profile show id, fes, concern_n, fes_without_concerns, flag")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Missing, not 0 and false: nothing says which studies are of concern.
    assert_eq!(
        stdout(&out),
        "id,fes,concern_n,fes_without_concerns,flag\n1,75.0,,,\n2,50.0,,,\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("note: dataset.toml declares no quality code a concern")
            && stderr.contains("`quality_concerns` (codes: \"no or very minor concerns\", \"minor concerns\", \"moderate concerns\", \"serious concerns\")"),
        "{stderr}"
    );
}

#[test]
fn declared_cerqual_concerns_are_left_out_by_profile() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "studies.csv",
        "findings.csv",
        "evidence.csv",
        "dataset.toml",
    ] {
        let from = Path::new("tests/data/no-declared-concerns").join(file);
        let mut text = std::fs::read_to_string(from).unwrap();
        if file == "dataset.toml" {
            text.insert_str(
                0,
                "quality_concerns = [\"moderate concerns\", \"serious concerns\"]\n",
            );
        }
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let out = metasum()
        .arg("--data")
        .arg(dir.path())
        .arg("-c")
        .arg("profile show id, fes, concern_n, concern_studies, fes_without_concerns, drop, flag")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    // Studies 2 (serious) and 3 (moderate) are of concern, shown by label;
    // 1 and 4 remain.
    // Finding 1: 3 of 4 (75), then study 1 of 1 and 4 = 50; finding 2:
    // 2 of 4 (50), then study 4 of 1 and 4 = 50.
    assert_eq!(
        stdout(&out),
        "id,fes,concern_n,concern_studies,fes_without_concerns,drop,flag\n\
         1,75.0,2,Bell (2003);Cole (2005),50.0,25.0,true\n2,50.0,1,Bell (2003),50.0,0.0,false\n"
    );
    let out = metasum()
        .arg("check")
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    let report = stdout(&out);
    assert!(
        report.contains(
            "  2 of 4 studies left out, of declared quality concern (moderate concerns, serious concerns)"
        ),
        "{report}"
    );
    assert!(!report.contains("no quality code"), "{report}");
    // A study with no quality code is not of concern: it stays in, and
    // check says so.
    let studies = dir.path().join("studies.csv");
    let text = std::fs::read_to_string(&studies).unwrap();
    let text = text.replace("Diaz,2010,Spain,minor concerns", "Diaz,2010,Spain,");
    std::fs::write(&studies, text).unwrap();
    let out = metasum()
        .arg("check")
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(
            "  note: 1 study has no quality code; no concern is declared for it, so it stays in"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_says_whether_the_search_counts_add_up_naming_the_line() {
    // tests/data/prisma-search adds up: 1,204 + 31 came in, 880 screened,
    // 355 duplicates removed.
    let out = metasum()
        .args(["--data", "tests/data/prisma-search", "check"])
        .output()
        .unwrap();
    let report = stdout(&out);
    assert!(
        report.contains("Search flow (search.csv, 6 stages):\n  the counts add up"),
        "{report}"
    );
    // A copy where 300 duplicates are said removed and more reports are
    // assessed than were sought.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("tests/data/prisma-search").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let search = std::fs::read_to_string(dir.path().join("search.csv"))
        .unwrap()
        .replace(
            "880,databases;registers,Records screened,355",
            "880,databases;registers,Records screened,300",
        )
        .replace(
            "assessed,60,sought,Reports assessed for eligibility,4,",
            "assessed,70,sought,Reports assessed for eligibility,,",
        );
    std::fs::write(dir.path().join("search.csv"), search).unwrap();
    let out = metasum()
        .arg("--data")
        .arg(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings, not errors");
    let report = stdout(&out);
    for line in [
        "  warning: stage `screened` (search.csv:4): 1235 records came in and 880 went on, so 355 were excluded, but `excluded` says 300",
        "  warning: stage `assessed` (search.csv:6): 70 records, more than the 64 that came in from the stages before it",
    ] {
        assert!(report.lines().any(|l| l == line), "{line}\n{report}");
    }
}

#[test]
fn one_of_each_is_singular() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("studies.csv", "id,author,year\n1,Ahmed,2019\n");
    write("findings.csv", "id,perspective,name\n1,a,One\n");
    write("evidence.csv", "finding,study\n1,1\n");
    let out = metasum()
        .arg("--data")
        .arg(dir.path())
        .arg("check")
        .output()
        .unwrap();
    let report = stdout(&out);
    assert!(
        report.contains("  1 study, 1 paper, 1 finding, 1 evidence link: valid"),
        "{report}"
    );
}
