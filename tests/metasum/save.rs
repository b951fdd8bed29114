//! `save "FILE"`: a script writes each result to a file of its own. Every
//! file is read back with a real reader (csv, serde_json, calamine,
//! roxmltree); a `save` that cannot be carried out runs nothing.

use std::path::Path;

use crate::util::*;

/// Runs `script` (written to `review.msq` in `dir`) with `args`; returns
/// the exit status, stdout and stderr.
fn run(dir: &Path, script: &str, args: &[&str]) -> (Option<i32>, String, String) {
    std::fs::write(dir.join("review.msq"), script).unwrap();
    let out = metasum_in(dir)
        .args(["run", "review.msq"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

const REVIEW: &str = r#"# Table 2, the sensitivity table and the three figures.
findings show id, name, n, fes save "table2.csv"
let adequate = studies where quality = adequate save "adequate.xlsx"
findings among adequate show id, n, fes save "sensitivity.json"
findings where perspective = recipient show id, fes save "recipients.md"
plot fes save "fes.svg"
plot matrix save "matrix.svg"
plot flow save "flow.svg"
"#;

#[test]
fn a_script_writes_every_table_and_figure_to_its_own_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(dir.path(), REVIEW, &["--output-dir", "out"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "", "saved results are not printed");
    let out = dir.path().join("out");
    assert_eq!(
        files_in(&out),
        [
            "adequate.xlsx",
            "fes.svg",
            "flow.svg",
            "matrix.svg",
            "recipients.md",
            "sensitivity.json",
            "table2.csv"
        ]
    );
    let table2 = std::path::Path::new("out").join("table2.csv");
    assert!(
        stderr.contains(&format!("wrote {} (24 rows)", table2.display())),
        "{stderr}"
    );

    // CSV: Table 2, FES as numbers the paper printed (finding 1: 11 of 25).
    let mut csv = csv::Reader::from_path(out.join("table2.csv")).unwrap();
    assert_eq!(csv.headers().unwrap(), vec!["id", "name", "n", "fes"]);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 24);
    assert_eq!((&rows[0][2], &rows[0][3]), ("11", "44.0"));

    // JSON: one document, numbers as numbers, FES among the 22.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    let rows = json.as_array().expect("one result is an array of objects");
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[13]["n"], serde_json::json!(10));
    assert_eq!(rows[13]["fes"], serde_json::json!(45.5));

    // xlsx: the sheet is named by the `let`, numbers stored as numbers.
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(out.join("adequate.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["adequate"]);
    let sheet = book.worksheet_range("adequate").unwrap();
    assert_eq!(sheet.height(), 23, "a header and the 22 adequate studies");
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("id".into())));
    assert_eq!(sheet.get((1, 0)), Some(&Data::Float(1.0)));

    // Markdown: a table and nothing else (no row count).
    let md = std::fs::read_to_string(out.join("recipients.md")).unwrap();
    assert!(md.starts_with("| id | fes |"), "{md}");
    assert_eq!(md.lines().count(), 2 + 4, "{md}");

    // SVG: each file one document with one <svg> root.
    for figure in ["fes.svg", "matrix.svg", "flow.svg"] {
        let text = std::fs::read_to_string(out.join(figure)).unwrap();
        let doc = roxmltree::Document::parse(&text).expect(figure);
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{figure}");
    }
}

#[test]
fn without_output_dir_files_go_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["-c", "studies count by country save \"countries.csv\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("countries.csv")).unwrap();
    assert!(text.starts_with("country,count\nUSA,"), "{text}");
}

#[test]
fn a_save_that_cannot_be_carried_out_runs_nothing_and_says_where() {
    let cases = [
        (
            "plot fes save \"fes.csv\"",
            "review.msq:3:15",
            "a figure cannot go into a CSV file",
        ),
        (
            "findings save \"t2.svg\"",
            "review.msq:3:15",
            "rows cannot go into an SVG file",
        ),
        (
            "findings save \"t2.txt\"",
            "review.msq:3:15",
            "needs a file name ending in .csv, .json, .md, .xlsx, .parquet or .arrow",
        ),
        (
            "studies save \"t2.csv\"",
            "review.msq:3:14",
            "t2.csv is written by the statement at review.msq:2",
        ),
        (
            "findings save t2.csv",
            "review.msq:3:15",
            "expected a file name in double quotes",
        ),
    ];
    for (bad, at, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let script = format!("# good, then bad\nfindings save \"t2.csv\"\n{bad}\n");
        let (code, stdout, stderr) = run(dir.path(), &script, &[]);
        assert_eq!(code, Some(1), "{bad}: {stderr}");
        assert!(stderr.contains(at), "{bad}: {stderr}");
        assert!(stderr.contains(says), "{bad}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(
            files_in(dir.path()),
            ["review.msq"],
            "{bad}: nothing written"
        );
    }
}

#[test]
fn a_failing_statement_leaves_its_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "old\n").unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        "findings where nosuch > 1 save \"t.csv\"\n",
        &["--keep-going"],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("review.msq:1:16"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.csv")).unwrap(),
        "old\n"
    );
    assert_eq!(files_in(dir.path()), ["review.msq", "t.csv"]);
}

#[test]
fn a_missing_folder_is_named_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        "findings save \"t2.csv\"\nfindings save \"results/t.csv\"\n",
        &[],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("there is no folder results to write results/t.csv in"),
        "{stderr}"
    );
    assert!(stderr.contains("review.msq:2:15"), "{stderr}");
    assert_eq!(files_in(dir.path()), ["review.msq"]);
}

#[test]
fn one_file_is_one_statements_however_it_is_spelled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let absolute = dir.path().canonicalize().unwrap().join("a.csv");
    for second in [
        "./a.csv".to_string(),
        "sub/../a.csv".to_string(),
        // In quotes a backslash is written `\\` (Windows).
        absolute.display().to_string().replace('\\', "\\\\"),
    ] {
        let script = format!("findings save \"a.csv\"\nstudies save \"{second}\"\n");
        let (code, _, stderr) = run(dir.path(), &script, &[]);
        assert_eq!(code, Some(1), "{second}: {stderr}");
        assert!(
            stderr.contains("is written by the statement at review.msq:1"),
            "{second}: {stderr}"
        );
        assert!(!dir.path().join("a.csv").exists(), "{second}");
    }
    // Two scripts of one run, and a `save` of the --output file.
    std::fs::write(dir.path().join("one.msq"), "findings save \"a.csv\"\n").unwrap();
    let (code, _, stderr) = run(dir.path(), "studies save \"a.csv\"\n", &["one.msq"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("review.msq:1"), "{stderr}");
    let (code, _, stderr) = run(dir.path(), "findings save \"r.csv\"\n", &["-o", "r.csv"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("r.csv is written by the run's own output"),
        "{stderr}"
    );
    assert!(!dir.path().join("r.csv").exists());
    // A link, to a file there or not there yet (Unix: symbolic links need
    // an administrator on Windows), and a hard link.
    #[cfg(unix)]
    std::os::unix::fs::symlink("new.csv", dir.path().join("to-new.csv")).unwrap();
    std::fs::write(dir.path().join("old.csv"), "old\n").unwrap();
    std::fs::hard_link(dir.path().join("old.csv"), dir.path().join("hard.csv")).unwrap();
    let pairs: &[(&str, &str)] = match cfg!(unix) {
        true => &[("new.csv", "to-new.csv"), ("old.csv", "hard.csv")],
        false => &[("old.csv", "hard.csv")],
    };
    for &(first, second) in pairs {
        let script = format!("findings save \"{first}\"\nstudies save \"{second}\"\n");
        let (code, _, stderr) = run(dir.path(), &script, &[]);
        assert_eq!(code, Some(1), "{second}: {stderr}");
        assert!(stderr.contains("review.msq:2:14"), "{second}: {stderr}");
    }
    assert!(!dir.path().join("new.csv").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("old.csv")).unwrap(),
        "old\n"
    );
}

#[test]
fn a_let_saves_the_rows_it_binds() {
    // The query reads the name it rebinds: the rows saved are those bound.
    let dir = tempfile::tempdir().unwrap();
    let script = "let a = studies\nlet a = a count by country save \"c.csv\"\na\n";
    let (code, stdout, stderr) = run(dir.path(), script, &["--format", "csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    let saved = std::fs::read_to_string(dir.path().join("c.csv")).unwrap();
    assert_eq!(saved, stdout);
    assert!(saved.starts_with("country,count\nUSA,16\n"), "{saved}");
}

#[test]
fn saved_results_stay_out_of_the_runs_own_output() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        "findings limit 1 save \"one.csv\"\nplot fes save \"fes.svg\"\nstudies limit 2 show id\n",
        &["--output", "rest.json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "");
    // The run's JSON is one document holding the one result not saved.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("rest.json")).unwrap()).unwrap();
    assert_eq!(json, serde_json::json!([{"id": 1}, {"id": 2}]));

    // Every figure saved: an --output .svg would get none, and is refused.
    let (code, _, stderr) = run(dir.path(), "plot fes save \"fes.svg\"\n", &["-o", "x.svg"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!dir.path().join("x.svg").exists());
}

#[test]
fn no_result_is_written_over_the_dataset_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("review");
    std::fs::create_dir(&data).unwrap();
    let source = root().join("tests/data/author-year-review");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    let before = std::fs::read(data.join("studies.csv")).unwrap();
    let in_review = |args: &[&str]| {
        metasum()
            .current_dir(dir.path())
            .args(["--data", "review"])
            .args(args)
            .output()
            .unwrap()
    };
    // However the file is spelled.
    let out = in_review(&[
        "-c",
        "findings",
        "--output",
        "./review/../review/studies.csv",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("results would replace the data"));
    let out = in_review(&["-c", "findings save \"review/studies.csv\""]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("saving into it would replace the data"));
    assert_eq!(std::fs::read(data.join("studies.csv")).unwrap(), before);
    // A file of its own beside the data is fine.
    let out = in_review(&["-c", "findings", "--output", "review/summary.csv"]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_script_cannot_save_or_output_over_itself() {
    let dir = tempfile::tempdir().unwrap();
    // A script with a name a result could have.
    let script = "findings limit 1 show id save \"./analysis.csv\"\n";
    std::fs::write(dir.path().join("analysis.csv"), script).unwrap();
    let out = metasum_in(dir.path())
        .args(["run", "analysis.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // As a `save` into a dataset file: the statement fails, nothing runs.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is the script this run reads"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("analysis.csv")).unwrap(),
        script
    );
    let plain = "findings limit 1 show id\n";
    std::fs::write(dir.path().join("plain.csv"), plain).unwrap();
    let out = metasum_in(dir.path())
        .args(["run", "plain.csv", "--output", "./plain.csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is the script this run reads"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plain.csv")).unwrap(),
        plain
    );
}
