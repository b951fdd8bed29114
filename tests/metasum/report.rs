//! `metasum report`: the HTML page written whole to a file whose name says
//! HTML, or to stdout; nothing written when it cannot be made.

use crate::util::*;

#[test]
fn report_writes_one_html_page_to_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["report", "--output", "review.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("{SEED_NOTE}wrote review.html\n")
    );
    assert!(out.stdout.is_empty());
    let html = std::fs::read_to_string(dir.path().join("review.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // The same page on stdout.
    let out = metasum_in(dir.path()).arg("report").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), html);
    // --threshold reaches the profile and the sensitivity figure.
    let out = metasum_in(dir.path())
        .args(["report", "--threshold", "50"])
        .output()
        .unwrap();
    let strict = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("more than 5 percentage points"));
    assert!(strict.contains("more than 50 percentage points"));
}

#[test]
fn a_report_goes_only_into_an_html_file_and_an_html_file_only_holds_a_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("review.txt"), "kept\n").unwrap();
    let out = metasum_in(dir.path())
        .args(["report", "--output", "review.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("must end in .html"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("review.txt")).unwrap(),
        "kept\n"
    );
    for args in [
        vec!["-c", "findings", "--output", "t.html"],
        vec!["-c", "plot fes", "--output", "t.html"],
        vec!["-c", "findings save \"t.html\""],
    ] {
        let out = metasum_in(dir.path()).args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(if args.len() == 2 { 1 } else { 2 }),
            "{args:?}: {out:?}"
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("an HTML file holds the review's report"),
            "{args:?}: {out:?}"
        );
        assert!(!dir.path().join("t.html").exists());
    }
}

#[test]
fn a_broken_dataset_gets_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("tests/data/malformed-row");
    let out = metasum_in(dir.path())
        .arg("--data")
        .arg(&data)
        .args(["report", "--output", "review.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!dir.path().join("review.html").exists());
}

#[test]
fn report_output_goes_to_a_device_and_a_bad_path_is_told_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    // A device or pipe takes the page whatever its name (/dev/stdout is
    // Unix's).
    #[cfg(unix)]
    {
        let out = metasum_in(dir.path())
            .args(["report", "--output", "/dev/stdout"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("<!DOCTYPE html>"));
    }
    std::fs::create_dir(dir.path().join("d.html")).unwrap();
    for (args, code, says) in [
        (
            ["report", "--output", "d.html"],
            1,
            "cannot write d.html: it is a folder",
        ),
        (
            ["report", "--output", "missing/r.html"],
            1,
            "cannot write missing/r.html",
        ),
        // --format has nothing to say about an HTML page.
        (
            ["report", "--format", "json"],
            2,
            "does not apply to report",
        ),
    ] {
        let out = metasum_in(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {out:?}"
        );
    }
}

#[test]
fn worksheet_writes_markdown_to_a_md_file_or_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let data = root().join("datasets/cerqual-example");
    let run = |args: &[&str]| {
        metasum_in(dir.path())
            .arg("--data")
            .arg(&data)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["worksheet", "F1", "--output", "F1.md"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let sheet = std::fs::read_to_string(dir.path().join("F1.md")).unwrap();
    assert!(sheet.starts_with("# Worksheet: finding F1\n"));
    assert_eq!(
        String::from_utf8(run(&["worksheet", "F1"]).stdout).unwrap(),
        sheet
    );
    let out = run(&["worksheet", "F1", "--output", "F1.txt"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!dir.path().join("F1.txt").exists());
    let out = run(&["worksheet", "nope", "--output", "x.md"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no finding is `nope`"));
    assert!(!dir.path().join("x.md").exists());
}

/// The page is sent to others: it names the review by its folder's name,
/// never by this machine's path (the check section named it whole).
#[test]
fn the_report_never_shows_the_machine_s_paths() {
    let data = root().join("tests/data/telehealth-review");
    let out = metasum()
        .args(["--data", data.to_str().unwrap(), "report"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains("dataset: <bdi>telehealth-review</bdi>"),
        "no check section"
    );
    assert!(!html.contains(root().to_str().unwrap()));
    // Run in the folder, `.` is named by the folder's name.
    let out = metasum()
        .current_dir(&data)
        .args(["--data", ".", "report"])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("dataset: <bdi>telehealth-review</bdi>"));
}
