//! End-to-end tests of the binary: -c, stdin, run, formats, --output, exit
//! codes, error rendering, --keep-going (saved scripts: `saved_scripts.rs`).

use std::path::Path;

use crate::util::*;

const FES_QUERY: &str = "findings where perspective = recipient and fes > 30 show id, name, fes";

#[test]
fn one_shot_query_prints_csv_when_not_on_a_terminal() {
    let r = run(metasum().args(["-c", FES_QUERY]));
    assert_eq!(r.code, Some(0));
    insta::assert_snapshot!(r.stdout, @r"
    id,name,fes
    14,Peer support workers are role models,44.0
    15,Peer support workers are easy to build rapport with,40.0
    ");
    assert_eq!(r.stderr, SEED_NOTE);
}

#[test]
fn several_statements_separated_by_semicolons() {
    let r = run(metasum().args([
        "-c",
        "let uk = studies where country = UK; uk show id, author",
    ]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    insta::assert_snapshot!(r.stdout, @r"
    id,author
    8,Doherty et al.
    22,Straughan & Bucjenham
    23,Truman et al.
    ");
}

#[test]
fn script_from_stdin() {
    let r = run(metasum().write_stdin("# a script on stdin\nstudies count by country\n"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "country,count\nUSA,16\nCanada,4\nUK,3\nAustralia,2\n"
    );
}

#[test]
fn run_dash_reads_stdin() {
    let r = run(metasum()
        .args(["run", "-"])
        .write_stdin("papers where study = 18 show id, citation"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "id,citation\n19,Pudlinski (1998)\n20,Pudlinski (2001)\n"
    );
}

#[test]
fn all_four_formats() {
    let mut out = String::new();
    for format in ["table", "csv", "json", "markdown"] {
        let r = run(metasum().args(["--format", format, "-c", FES_QUERY]));
        assert_eq!(r.code, Some(0));
        out.push_str(&format!("--- {format}\n{}", r.stdout));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.md");
    let r = run(metasum()
        .args(["--format", "markdown", "-c", FES_QUERY, "--output"])
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("| id | name | fes |"), "{written}");
    // The table alone: a row count is for a terminal, not for a manuscript.
    assert!(written.ends_with("| 40.0 |\n"), "{written}");
    assert!(!written.contains("rows"), "{written}");
    // Only the result file: the temporary was renamed into place.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn output_file_is_not_touched_when_a_statement_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.csv");
    std::fs::write(&path, "previous\n").unwrap();
    let r = run(metasum()
        .args([
            "-c",
            "findings limit 1; findings where fes > recipient",
            "--output",
        ])
        .arg(&path));
    assert_eq!(r.code, Some(1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous\n");
    assert!(r.stderr.contains("was not written"), "{}", r.stderr);
}

#[test]
fn exit_codes() {
    assert_eq!(
        run(metasum().args(["-c", "findings limit 1"])).code,
        Some(0)
    );
    assert_eq!(
        run(metasum().args(["-c", "findings wher fes > 3"])).code,
        Some(1)
    );
    assert_eq!(
        run(metasum().args(["-c", "findings where fes > recipient"])).code,
        Some(1)
    );
    assert_eq!(
        run(metasum().args(["--data", "tests/data/bad-ids", "-c", "findings"])).code,
        Some(1)
    );
    assert_eq!(
        run(metasum().args(["--format", "xml", "-c", "findings"])).code,
        Some(2)
    );
    assert_eq!(run(metasum().args(["run"])).code, Some(2));
    assert_eq!(
        run(metasum().args(["run", "no-such-script.msq"])).code,
        Some(1)
    );
}

fn write_script(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("review.msq");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn error_on_line_3_of_a_script_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        dir.path(),
        "findings limit 1\nstudies limit 1\nfindings where fes >\npapers limit 1\n",
    );
    let r = run(metasum()
        .arg("run")
        .arg(&script)
        .current_dir(dir.path())
        .arg("--format")
        .arg("csv"));
    assert_eq!(r.code, Some(1));
    // A script with a syntax error runs nothing.
    assert!(r.stdout.is_empty());
    let stderr = r
        .stderr
        .replace(&script.display().to_string(), "review.msq");
    insta::assert_snapshot!(stderr);
}

#[test]
fn query_error_in_a_script_is_drawn_under_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        dir.path(),
        "findings limit 1\n\nfindings where perspectve = worker\n",
    );
    let r = run(metasum().arg("run").arg(&script));
    assert_eq!(r.code, Some(1));
    // The statement before the failing one has run.
    assert!(r.stdout.starts_with("id,perspective"), "{}", r.stdout);
    insta::assert_snapshot!(
        r.stderr
            .replace(&script.display().to_string(), "review.msq")
    );
}

#[test]
fn keep_going_runs_everything_and_reports_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        dir.path(),
        "findings where fes > recipient\nstudies count by country\nfindings wher x\npapers where study = 12 show id\n",
    );
    let stop = run(metasum().arg("run").arg(&script));
    assert_eq!(stop.code, Some(1));
    assert!(
        stop.stdout.is_empty(),
        "syntax errors stop the run before anything runs"
    );

    let go = run(metasum().arg("run").arg(&script).arg("--keep-going"));
    assert_eq!(go.code, Some(1));
    assert_eq!(
        go.stdout,
        "country,count\nUSA,16\nCanada,4\nUK,3\nAustralia,2\n\nid\n12\n13\n"
    );
    assert!(
        go.stderr.contains("unknown keyword `wher`"),
        "{}",
        go.stderr
    );
    assert!(
        go.stderr.contains("`fes` is a number, `recipient` is text"),
        "{}",
        go.stderr
    );
}

#[test]
fn keep_going_when_every_statement_succeeds_is_an_ordinary_run() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        dir.path(),
        "studies count by country\nfindings where fes >= 40 show id, fes\n",
    );
    let expected = "country,count\nUSA,16\nCanada,4\nUK,3\nAustralia,2\n\n\
                    id,fes\n1,44.0\n14,44.0\n15,40.0\n23,44.0\n";
    let plain = run(metasum().arg("run").arg(&script));
    let go = run(metasum().arg("run").arg(&script).arg("--keep-going"));
    for r in [&plain, &go] {
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), expected, SEED_NOTE)
        );
    }
    // Two results: not one CSV document, so not a .csv file.
    let path = dir.path().join("out.txt");
    let r = run(metasum()
        .arg("run")
        .arg(&script)
        .arg("--keep-going")
        .arg("--output")
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
}

#[test]
fn a_missing_script_among_several_runs_nothing_unless_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.msq");
    let last = dir.path().join("last.msq");
    std::fs::write(&first, "findings where id = 22 show n\n").unwrap();
    std::fs::write(&last, "studies where id = 18 show n\n").unwrap();
    let missing = dir.path().join("mising.msq");
    // Two results when both run: not a .csv file.
    let out = dir.path().join("out.txt");
    let runs = |keep_going: bool| {
        let mut cmd = metasum();
        cmd.arg("run").arg(&first).arg(&missing).arg(&last);
        cmd.arg(dir.path()).arg("--output").arg(&out);
        if keep_going {
            cmd.arg("--keep-going");
        }
        run(&mut cmd)
    };
    for keep_going in [false, true] {
        let r = runs(keep_going);
        assert_eq!(r.code, Some(1), "keep going: {keep_going}");
        assert!(r.stdout.is_empty());
        assert!(!out.exists(), "a failed run writes no --output");
        assert!(
            r.stderr.contains(&format!("mising.msq: {NOT_FOUND}")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("it is a folder"), "{}", r.stderr);
    }
    // Without --output: nothing runs, or (keep going) both good scripts do.
    let names = |keep_going: &str| {
        let mut cmd = metasum();
        cmd.args([keep_going, "run"])
            .arg(&first)
            .arg(&missing)
            .arg(&last);
        run(&mut cmd)
    };
    assert_eq!(names("--format=csv").stdout, "");
    assert_eq!(names("--keep-going").stdout, "n\n2\n\nn\n1\n");
}

#[test]
fn c_with_a_subcommand_is_a_usage_error() {
    for sub in [
        &["run", "queries/table2.msq"][..],
        &["check"],
        &["export", "x.csv"],
    ] {
        let r = run(metasum().args(["-c", "findings"]).args(sub));
        assert_eq!(r.code, Some(2), "{sub:?}");
        assert!(r.stdout.is_empty());
        assert!(
            r.stderr.contains("-c cannot be combined with a subcommand"),
            "{}",
            r.stderr
        );
    }
    assert!(!Path::new("x.csv").exists());
}

#[test]
fn script_may_start_with_a_shebang_line() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(
        dir.path(),
        "#!/usr/bin/env -S metasum run\nevidence where finding = 22\n",
    );
    let r = run(metasum().arg("run").arg(&script));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "finding,study\n22,2\n22,10\n");
}

#[test]
fn help_documents_the_options() {
    let r = run(metasum().arg("--help"));
    assert_eq!(r.code, Some(0));
    for option in [
        "--data",
        "--format",
        "--output",
        "--keep-going",
        "-c",
        "run",
        "check",
        "METASUM_DATA",
    ] {
        assert!(r.stdout.contains(option), "--help lacks {option}");
    }
}

#[test]
fn matrix_shows_marks_in_markdown_and_numbers_in_csv() {
    let q = "matrix among (studies where country = Australia) where n > 0";
    let md = run(metasum().args(["--format", "markdown", "-c", q]));
    assert_eq!(md.code, Some(0), "{}", md.stderr);
    insta::assert_snapshot!(md.stdout);
    let csv = run(metasum().args(["--format", "csv", "-c", q]));
    assert!(
        // Studies 14 and 24 of Table 1, by label.
        csv.stdout
            .starts_with("id,perspective,name,n,fes,Meehan et al. (2002),Yuen et al. (2003)\n"),
        "{}",
        csv.stdout
    );
}

#[test]
fn threshold_option_changes_the_flags() {
    let count = |threshold: &str| {
        let r = run(metasum().args([
            "--threshold",
            threshold,
            "-c",
            "profile where flag = true show id",
        ]));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        r.stdout.lines().count() - 1
    };
    // Computed by hand from Table 2 against the 22 adequate studies: 12
    // findings drop by more than 1 point, 3 (7, 23, 24) by more than 5.
    assert_eq!(count("1"), 12);
    assert_eq!(count("5"), 3);
    assert_eq!(count("100"), 0);
}

#[test]
fn xlsx_output_has_a_sheet_per_result() {
    use calamine::{Reader, open_workbook_auto};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let r = run(metasum()
        .args([
            "--format",
            "xlsx",
            "-c",
            "studies count by country; findings sort by fes desc limit 3 show id, fes",
            "--output",
        ])
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut book = open_workbook_auto(&path).unwrap();
    // Each sheet named by its statement, within Excel's 31 characters.
    assert_eq!(
        book.sheet_names(),
        [
            "studies count by country",
            "findings sort by fes desc limi…"
        ]
    );
    let counts = book.worksheet_range("studies count by country").unwrap();
    assert_eq!(counts.get_size(), (5, 2));
    assert_eq!(counts.get((1, 0)).unwrap().to_string(), "USA");
    assert_eq!(counts.get((1, 1)).unwrap().to_string(), "16");
    let top = book
        .worksheet_range("findings sort by fes desc limi…")
        .unwrap();
    assert_eq!(top.get((1, 1)).unwrap().to_string(), "44");
}

#[test]
fn xlsx_without_output_is_a_usage_error() {
    assert_eq!(
        run(metasum().args(["--format", "xlsx", "-c", "findings"])).code,
        Some(2)
    );
}

#[test]
fn export_then_data_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let q = "findings among (studies where quality != low) where fes > 30 show id, n, fes; studies count by country";
    let seed = run(metasum().args(["-c", q]));
    for target in ["review", "review.xlsx"] {
        let path = dir.path().join(target);
        let e = run(metasum().arg("export").arg(&path));
        assert_eq!(e.code, Some(0), "{}", e.stderr);
        let back = run(metasum().arg("--data").arg(&path).args(["-c", q]));
        assert_eq!(back.code, Some(0), "{}", back.stderr);
        assert_eq!(back.stdout, seed.stdout, "{target}");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    // `metasum -c ... | head -1`: far more output than a pipe buffers, and
    // the reader leaves after one line.
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let statements = vec!["findings"; 500].join("; ");
    let mut child = std::process::Command::new(crate::util::binary())
        .env_remove("METASUM_DATA")
        .args(["-c", &statements])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id,perspective,name"), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, SEED_NOTE);
}

#[test]
fn a_script_that_is_not_utf8_is_placed_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.msq");
    std::fs::write(
        &path,
        b"findings limit 1\nfindings where name ~ \"r\xf4le\"\n",
    )
    .unwrap();
    let r = run(metasum().arg("run").arg(&path));
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stdout, "", "nothing runs from a script that is not text");
    assert!(
        r.stderr
            .contains("latin1.msq:2:25: the script is not UTF-8 text (byte 0xF4)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_header_with_a_space_is_named_in_backquotes_and_hinted_so() {
    let data = ["--data", "tests/data/odd-column-names", "-c"];
    let r = run(metasum()
        .args(data)
        .arg("studies where `Sample size` > 20 show id, `Sample size`"));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (Some(0), "id,Sample size\n3,30\n")
    );
    let r = run(metasum().args(data).arg("studies where sample_size > 20"));
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("did you mean `Sample size`? (backquotes included)"),
        "{}",
        r.stderr
    );
    let r = run(metasum().args(data).arg("studies sort by `Sample size"));
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("unclosed column name: missing closing backquote"),
        "{}",
        r.stderr
    );
}

#[test]
fn claims_citations_and_search_are_tables_to_query() {
    // Counted in the seed's claims.csv: the claims citing study 7.
    let r = run(metasum().args(["-c", "claims where studies has 7 show id"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "id\n15\n17\n19\n23\n24\n26\n27\n29\n30\n");
    let r = run(metasum().args(["-c", "citations count by study sort by study show study"]));
    assert_eq!(r.stdout, "study\n3\n7\n9\n");
    let r = run(metasum().args(["-c", "search where `count` > 100 show stage, count"]));
    assert_eq!(r.stdout, "stage,count\nidentified,2890\n");
    // And they survive an export.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    assert_eq!(run(metasum().arg("export").arg(&out)).code, Some(0));
    let q = "claims; citations; search";
    let back = run(metasum().arg("--data").arg(&out).args(["-c", q]));
    assert_eq!(back.stdout, run(metasum().args(["-c", q])).stdout);
}

#[test]
fn json_with_several_results_is_one_document() {
    let r = run(metasum().args([
        "--format",
        "json",
        "-c",
        "findings where id <= 2 show id; let s = studies; studies where id = 3 show id, author",
    ]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    let results = doc.as_array().expect("an array of results");
    // The `let` binds rows but gives no result.
    assert_eq!(results.len(), 2, "{doc}");
    assert_eq!(results[0]["statement"], "findings where id <= 2 show id");
    assert_eq!(
        results[0]["rows"],
        serde_json::json!([{"id": 1}, {"id": 2}])
    );
    assert_eq!(
        results[1]["statement"],
        "studies where id = 3 show id, author"
    );
    assert_eq!(results[1]["rows"].as_array().map(Vec::len), Some(1));
}

#[test]
fn json_with_one_result_is_a_plain_array_in_a_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    let r = run(metasum()
        .args([
            "--format",
            "json",
            "-c",
            "findings where id <= 2 show id",
            "--output",
        ])
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(doc, serde_json::json!([{"id": 1}, {"id": 2}]));
    // Two results into the file: one document as well.
    let r = run(metasum()
        .args([
            "--format",
            "json",
            "-c",
            "findings limit 1 show id; papers limit 1 show id",
            "--output",
        ])
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(doc.as_array().map(Vec::len), Some(2), "{doc}");
}

#[test]
fn an_output_file_gets_the_format_its_extension_names() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    for (name, query) in [
        ("fes.svg", "plot fes"),
        ("t.xlsx", "findings where id <= 2 show id, name"),
        ("t.json", "findings where id <= 2 show id, name"),
        ("t.md", "findings where id <= 2 show id, name"),
        ("t.csv", "findings where id <= 2 show id, name"),
    ] {
        let r = run(metasum().args(["-c", query, "--output"]).arg(at(name)));
        assert_eq!(r.code, Some(0), "{name}: {}", r.stderr);
    }
    // Each parsed by a reader of its kind.
    let svg = std::fs::read_to_string(at("fes.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("one SVG document");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(at("t.xlsx")).expect("a workbook");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(
        sheet.get((0, 0)),
        Some(&calamine::Data::String("id".into()))
    );
    assert_eq!(sheet.get((1, 0)), Some(&calamine::Data::Float(1.0)));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(at("t.json")).unwrap()).unwrap();
    assert_eq!(json[1]["id"], 2);
    let md = std::fs::read_to_string(at("t.md")).unwrap();
    assert!(md.starts_with("| id | name |\n| ---: | --- |\n"), "{md}");
    let mut csv = csv::Reader::from_path(at("t.csv")).unwrap();
    assert_eq!(csv.records().count(), 2);
}

#[test]
fn what_an_output_file_cannot_hold_is_a_usage_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args, says) in [
        (
            "mixed.svg",
            vec!["-c", "findings limit 1; plot fes"],
            "rows cannot go into an SVG file",
        ),
        (
            "two.svg",
            vec!["-c", "plot fes; plot flow"],
            "holds one figure",
        ),
        (
            "fes.csv",
            vec!["-c", "plot fes"],
            "a figure cannot go into a CSV file",
        ),
        (
            "rows.png",
            vec!["-c", "findings limit 1"],
            "rows cannot go into a PNG file",
        ),
        (
            "two.png",
            vec!["-c", "plot fes; plot flow"],
            "a PNG file holds one figure",
        ),
        (
            "fes.eps",
            vec!["-c", "plot fes"],
            "write it to an .svg, .png, .pdf or .xlsx file",
        ),
        (
            "two.csv",
            vec!["-c", "findings limit 1; studies limit 1"],
            "a CSV file holds one result",
        ),
        (
            "t.json",
            vec!["--format", "csv", "-c", "findings"],
            "--format csv contradicts",
        ),
        (
            "nothing.svg",
            vec!["-c", "let x = findings"],
            "draws no figure",
        ),
        (
            "fig.svg",
            vec!["--format", "json", "-c", "plot fes"],
            "does not apply to an SVG file",
        ),
        (
            "t.csv",
            vec!["--format", "xlsx", "-c", "findings"],
            "--format xlsx contradicts",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, "kept\n").unwrap();
        // --keep-going does not go past it either.
        let r = run(metasum()
            .args(&args)
            .arg("--keep-going")
            .arg("--output")
            .arg(&path));
        assert_eq!(r.code, Some(2), "{name}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept\n", "{name}");
        assert!(r.stdout.is_empty(), "{name}");
    }
    // Nothing beside the files: no temporary left.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 11);
}

#[test]
fn matrix_cells_are_numbers_in_json_and_in_a_workbook() {
    let r = run(metasum().args(["--format", "json", "-c", "matrix where id = 1"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Finding 1 is in Chinman et al. (2008), not in Armstrong et al. (1995).
    assert_eq!(rows[0]["Chinman et al. (2008)"], 1);
    assert_eq!(rows[0]["Armstrong et al. (1995)"], 0);
    // The margins: n a whole number, intensity a percentage.
    assert_eq!(rows[1]["Chinman et al. (2008)"], 1);
    assert_eq!(rows[2]["Chinman et al. (2008)"], 100.0);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.xlsx");
    let r = run(metasum()
        .args(["-c", "matrix where id = 1", "--output"])
        .arg(&path));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let column = (0..sheet.width())
        .find(|c| sheet.get((0, *c)) == Some(&Data::String("Chinman et al. (2008)".into())))
        .expect("a column per study, by label");
    assert_eq!(sheet.get((1, column)), Some(&Data::Float(1.0)));
    assert_eq!(sheet.get((3, column)), Some(&Data::Float(100.0)));
}

#[test]
fn json_on_stdout_is_one_document_even_with_no_result_and_holds_no_figure() {
    for script in ["let x = findings", ";;", "# only a comment"] {
        let r = run(metasum().args(["--format", "json", "-c", script]));
        assert_eq!(r.code, Some(0), "{script}: {}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
        assert_eq!(doc, serde_json::json!([]), "{script}");
    }
    let r = run(metasum().args(["--format", "json", "-c", "findings limit 1; plot fes"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains("a figure cannot go into JSON output"),
        "{}",
        r.stderr
    );
    // A workbook cannot go to stdout, `-o -` included.
    let r = run(metasum().args(["--format", "xlsx", "-o", "-", "-c", "findings"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

/// A copy of the repository's folder `from` in a new temporary folder.
fn copy_of(from: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&root().join(from), dir.path());
    dir
}

#[test]
fn run_inside_a_review_folder_metasum_reads_that_review_and_says_so() {
    let dir = copy_of("tests/data/two-coders");
    let r = run(metasum()
        .current_dir(dir.path())
        .args(["-c", "agreement show finding, kappa"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("note: no --data given: using the dataset in this folder ("),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("coding.csv"), "{}", r.stderr);
    assert!(r.stdout.starts_with("finding,kappa\n"), "{}", r.stdout);
    let report = run(metasum()
        .current_dir(dir.path())
        .args(["report", "--output", "r.html"]));
    assert_eq!(report.code, Some(0), "{}", report.stderr);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("Double coding: two reviewers coded each study"));
    assert!(!html.contains("embedded seed"));
    // --data still decides, and METASUM_DATA as --data.
    let seed = root().join("datasets/peer-support");
    let named = run(metasum()
        .current_dir(dir.path())
        .env("METASUM_DATA", &seed)
        .args(["-c", "studies count by country limit 1"]));
    assert_eq!((named.code, named.stderr.as_str()), (Some(0), ""));
    assert_eq!(named.stdout, "country,count\nUSA,16\n");
}

#[test]
fn a_folder_with_only_a_file_any_folder_may_hold_is_no_review() {
    // A `search.csv` or `claims.csv` of some other project is not a
    // dataset: the run is on the seed, and says so.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("search.csv"), "stage,count,parent\na,1,\n").unwrap();
    let r = run(metasum()
        .current_dir(dir.path())
        .args(["-c", "studies limit 1 show id"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr, SEED_NOTE);
}

#[test]
fn a_run_on_the_embedded_seed_says_so_and_its_exports_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(metasum().current_dir(dir.path()).args(["export", "copy"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr, format!("{SEED_NOTE}wrote copy\n"));
    let toml = std::fs::read_to_string(dir.path().join("copy/dataset.toml")).unwrap();
    assert!(toml.starts_with("# Exported by metasum "), "{toml}");
    assert!(
        toml.lines().next().unwrap().contains("embedded seed"),
        "{toml}"
    );
}

#[test]
fn export_onto_the_dataset_it_reads_is_refused_however_spelled() {
    let dir = copy_of("tests/data/two-coders");
    let data = dir.path();
    let toml = data.join("dataset.toml");
    std::fs::write(
        &toml,
        format!(
            "# my own notes\n{}",
            std::fs::read_to_string(&toml).unwrap()
        ),
    )
    .unwrap();
    let before = std::fs::read(&toml).unwrap();
    let parent = data.parent().unwrap();
    let name = data.file_name().unwrap().to_str().unwrap();
    for (cwd, data_arg, target) in [
        (data, None, ".".to_string()),
        (data, None, "./".to_string()),
        (data, Some("."), format!("../{name}")),
        (parent, Some(name), format!("{name}/")),
        (parent, Some(name), format!("./{name}/../{name}")),
    ] {
        let mut cmd = metasum();
        cmd.current_dir(cwd);
        if let Some(d) = data_arg {
            cmd.args(["--data", d]);
        }
        let r = run(cmd.args(["export", &target]));
        assert_eq!(r.code, Some(2), "export {target}: {}", r.stderr);
        assert!(
            r.stderr.contains("is a dataset this run reads"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(std::fs::read(&toml).unwrap(), before);
    // The version a run compares with is read as well.
    let seed = root().join("datasets/peer-support");
    let r = run(metasum()
        .current_dir(parent)
        .arg("--data")
        .arg(&seed)
        .args(["--compare", name, "export", name]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(std::fs::read(&toml).unwrap(), before);
    // A workbook with a sheet of the reviewer's own, exported onto itself.
    let book = parent.join(format!("{name}.xlsx"));
    let made = run(metasum().arg("--data").arg(data).arg("export").arg(&book));
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    let bytes = std::fs::read(&book).unwrap();
    let again = run(metasum().arg("--data").arg(&book).arg("export").arg(&book));
    assert_eq!(again.code, Some(2), "{}", again.stderr);
    assert_eq!(std::fs::read(&book).unwrap(), bytes);
    std::fs::remove_file(&book).unwrap();
}

/// Dot commands in `-c`, on stdin and in a script file, as sqlite3 and
/// DuckDB take them; those that change the shell's own state are refused
/// at their line, and then nothing runs.
#[test]
fn dot_commands_run_in_c_stdin_and_scripts() {
    let r = run(metasum().args(["-c", "papers where id = 19 show id\n.schema papers"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("id\n19\npapers:\n  id            a number       the paper's id\n"),
        "{}",
        r.stdout
    );
    let r =
        run(metasum().write_stdin(".tables\nlet w = findings where perspective = worker\n.lets\n"));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.starts_with("findings  24 rows"), "{}", r.stdout);
    assert!(
        r.stdout.ends_with("w: 11 rows of findings\n"),
        "{}",
        r.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.msq");
    std::fs::write(&script, "findings limit 1\n.output t.csv\n").unwrap();
    let r = run(metasum_in(dir.path()).args(["run", "s.msq"]));
    assert_ne!(r.code, Some(0));
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains("s.msq:2: `.output` works in the shell"),
        "{}",
        r.stderr
    );
}

/// A dot command that fails stops the run as a failing statement does:
/// `.data` of no review must not leave the queries after it on the one
/// before (and an --output file unwritten); a script that reads itself is
/// refused, not followed until the stack runs out; `.format` is the run's
/// option, not a script's.
#[test]
fn a_failing_dot_command_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(metasum_in(dir.path()).args([
        "--output",
        "o.csv",
        "-c",
        ".data /no/such/review\nfindings limit 1",
    ]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(!dir.path().join("o.csv").exists());
    std::fs::write(dir.path().join("a.msq"), ".read b.msq\n").unwrap();
    std::fs::write(dir.path().join("b.msq"), ".read a.msq\nfindings\n").unwrap();
    let r = run(metasum_in(dir.path()).args(["run", "a.msq"]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("a.msq reads itself"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // A dot command is one line: an indented line after it is not its.
    let r = run(metasum_in(dir.path()).args(["-c", ".headers off\n  findings limit 1"]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("-c:1: `.headers` is one line"),
        "{}",
        r.stderr
    );
    let r = run(metasum_in(dir.path()).args(["-c", ".bogus"]));
    assert!(
        r.stderr.contains("-c:1: unknown command `.bogus`;"),
        "{}",
        r.stderr
    );
    let r = run(metasum_in(dir.path()).args(["--output", "o.xlsx", "-c", ".format csv\nfindings"]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("`.format` works in the shell"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("o.xlsx").exists());
}
