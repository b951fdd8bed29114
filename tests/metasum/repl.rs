//! The REPL driven through a pseudo-terminal: a query, a completion, a dot
//! command, an error followed by a good query, multi-line input, Ctrl-D.

use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

fn start() -> PtySession {
    start_with(&[])
}

/// The shell started with `args`.
fn start_with(args: &[&str]) -> PtySession {
    let mut cmd = std::process::Command::new(crate::util::binary());
    cmd.args(args);
    spawn(cmd)
}

/// `cmd` (the shell, or a command that ends by running it) in a terminal.
fn spawn(mut cmd: std::process::Command) -> PtySession {
    let home = tempfile::tempdir().unwrap().keep();
    // History goes to a fresh data directory; no colours in the transcript.
    cmd.env("XDG_DATA_HOME", &home)
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env_remove("METASUM_DATA");
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("Type .help for help").unwrap();
    p
}

/// Waits for the prompt, then types `line` and Enter. (Input typed before
/// the shell is reading may be discarded when it switches the terminal mode.)
fn enter(p: &mut PtySession, line: &str) {
    p.exp_string("metasum> ").unwrap();
    p.send_line(line).unwrap();
}

#[test]
fn query_dot_command_error_then_good_query_then_ctrl_d() {
    let mut p = start();
    enter(
        &mut p,
        "findings where perspective = recipient and fes > 30 show id, fes",
    );
    p.exp_string("44.0").unwrap();
    p.exp_string("(2 rows)").unwrap();

    enter(&mut p, ".tables");
    p.exp_string("evidence  158 rows").unwrap();

    // An error is shown and the shell goes on.
    enter(&mut p, "findings where fes > recipient");
    p.exp_string("`fes` is a number, `recipient` is text")
        .unwrap();
    enter(&mut p, "studies count by country");
    p.exp_string("Australia").unwrap();
    p.exp_string("(4 rows)").unwrap();

    p.exp_string("metasum> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn tab_completes_a_value_and_open_input_continues_on_the_next_line() {
    let mut p = start();
    // `reci<TAB>` after `perspective =` becomes `recipient`.
    p.exp_string("metasum> ").unwrap();
    p.send("findings where perspective = reci\t").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_line(" show id").unwrap();
    p.exp_string("findings where perspective = recipient")
        .unwrap();
    p.exp_string("(4 rows)").unwrap();

    // A trailing `where` continues the statement on the next line, after
    // the continuation prompt.
    enter(&mut p, "studies where");
    p.exp_string("    ...> ").unwrap();
    p.send_line("intensity > 50 show id, intensity").unwrap();
    p.exp_string("54.2").unwrap();
    p.exp_string("(2 rows)").unwrap();

    enter(&mut p, "let good = studies where quality != low");
    enter(&mut p, ".lets");
    p.exp_string("good: 22 rows of studies").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
}

#[test]
fn output_to_a_file_that_cannot_be_written_keeps_results_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("no-such-folder").join("out.csv");
    let good = dir.path().join("out.csv");
    let mut p = start();
    enter(&mut p, &format!(".output {}", bad.display()));
    p.exp_string("results still go to stdout").unwrap();
    enter(&mut p, "findings where fes > 40 show id, fes");
    p.exp_string("(3 rows)").unwrap();

    enter(&mut p, &format!(".output {}", good.display()));
    enter(&mut p, "studies where quality = low show id");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        // CSV, as the file's extension says; the rows alone (the count is
        // shown on the terminal only).
        "id\n3\n7\n9\n"
    );
}

#[test]
fn output_given_to_the_shell_is_written_after_each_statement() {
    // `metasum --output FILE` on a terminal wrote nothing at all.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("session.csv");
    let mut p = start_with(&["--output", out.to_str().unwrap()]);
    enter(&mut p, "papers where id = 19 show id");
    enter(&mut p, ".lets");
    p.exp_string("no names bound yet").unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id\n19\n");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id\n19\n");
}

#[test]
fn data_keeps_the_threshold_and_read_schema_format_and_ctrl_c_work() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("twenty.msq");
    std::fs::write(&script, "papers where id = 20 show id\n").unwrap();
    let mut p = start_with(&["--threshold", "1"]);
    // Table 2 against the adequate studies: 12 findings drop by more than
    // one point (1, 2, 5, 7, 9, 12, 17, 19, 20, 21, 23, 24).
    enter(&mut p, "profile where flag = true count by flag");
    p.exp_regex(r"true\s+12").unwrap();
    // `.data` built a new session with the default threshold: 3 flags.
    enter(&mut p, ".data datasets/peer-support");
    p.exp_string("(25 studies, 24 findings); let names cleared")
        .unwrap();
    enter(&mut p, "profile where flag = true count by flag");
    p.exp_regex(r"true\s+12").unwrap();

    enter(&mut p, ".format csv");
    enter(&mut p, "papers where id = 19 show id");
    p.exp_string("id\r\n19\r\n").unwrap();
    enter(&mut p, &format!(".read {}", script.display()));
    p.exp_string("id\r\n20\r\n").unwrap();
    enter(&mut p, ".schema papers");
    p.exp_regex(r"citation\s+text").unwrap();

    // Ctrl-C drops the line being typed; the shell goes on.
    p.exp_string("metasum> ").unwrap();
    p.send("findings wher").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_control('c').unwrap();
    enter(&mut p, "papers where id = 21 show id");
    p.exp_string("id\r\n21\r\n").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
}

#[test]
fn timer_headers_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.csv");
    let mut p = start();
    enter(&mut p, ".timer on");
    enter(&mut p, "papers where id = 19 show id");
    p.exp_string("(1 row)").unwrap();
    p.exp_string("time: ").unwrap();
    enter(&mut p, ".timer off");
    // The rows alone, then the names back.
    enter(&mut p, ".headers off");
    enter(&mut p, "papers where id = 19 show id, study");
    let shown = p.exp_string("(1 row)").unwrap();
    // (The typed line is echoed: look at what follows it.)
    let result = shown.rsplit("show id, study").next().unwrap_or_default();
    assert!(
        !result.contains("study") && result.contains("19     18"),
        "{shown:?}"
    );
    enter(&mut p, ".headers on");
    enter(&mut p, ".format csv");
    enter(&mut p, &format!(".once {}", once.display()));
    enter(&mut p, "studies where id = 2 show id");
    // The next result is back on the screen.
    enter(&mut p, "studies where id = 14 show author");
    p.exp_string("Meehan et al.").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&once).unwrap(), "id\n2\n");
}

#[test]
fn a_wide_table_fits_the_terminal() {
    let mut cmd = std::process::Command::new("sh");
    let metasum = crate::util::binary();
    let metasum = metasum.display();
    cmd.args(["-c", &format!("stty cols 60 rows 30; exec '{metasum}'")]);
    let mut p = spawn(cmd);
    enter(&mut p, "findings where id = 15 show id, name, fes");
    // 60 columns: the name is shortened with `…`, the number kept whole.
    let shown = p.exp_string("(1 row)").unwrap();
    let row = shown
        .lines()
        .find(|l| l.trim_start().starts_with("15 "))
        .unwrap_or_else(|| panic!("no row in {shown:?}"));
    // rexpect reads the terminal's bytes one char each: back to UTF-8.
    let row = String::from_utf8(row.chars().map(|c| c as u8).collect()).unwrap();
    assert!(
        row.contains('…') && row.trim_end().ends_with("40.0"),
        "{row:?}"
    );
    assert!(row.trim_end().chars().count() <= 60, "{row:?}");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
}

#[test]
fn a_workbook_from_the_shell_has_a_sheet_per_result() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("results.xlsx");
    let mut p = start();
    enter(&mut p, ".format xlsx");
    p.exp_string("`.output FILE.xlsx` first").unwrap();
    // The extension names the format.
    enter(&mut p, &format!(".output {}", book.display()));
    enter(&mut p, "studies where id = 2 show id");
    enter(&mut p, "findings where id = 15 show fes");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    let mut book = calamine::open_workbook_auto(&book).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "studies where id = 2 show id",
            "findings where id = 15 show fes"
        ]
    );
    let fes = book.worksheet_range_at(1).unwrap().unwrap();
    assert_eq!(fes.get((1, 0)), Some(&Data::Float(40.0)));
}

#[test]
fn output_from_the_shell_holds_what_its_file_can() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("one.csv");
    let mut p = start();
    enter(&mut p, &format!(".output {}", csv.display()));
    enter(&mut p, "papers where id = 19 show id");
    enter(&mut p, "papers where id = 20 show id");
    p.exp_string("a CSV file holds one result").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "id\n19\n");
}

#[test]
fn a_parquet_file_from_the_shell_holds_one_typed_result() {
    use metasum_engine::polars::prelude::DataType;
    use polars_io::SerReader;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t2.parquet");
    let mut p = start();
    enter(&mut p, ".format parquet");
    p.exp_string("a Parquet file goes to a file: `.output FILE.parquet` first")
        .unwrap();
    enter(&mut p, &format!(".output {}", file.display()));
    enter(&mut p, "findings where id <= 3 show id, fes");
    enter(&mut p, "studies");
    p.exp_string("a Parquet file holds one result").unwrap();
    // CSV into t2.parquet would make a file that is neither.
    enter(&mut p, ".format csv");
    p.exp_string("is a Parquet file: `.output` a file of the format first")
        .unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    let reader = polars_io::parquet::read::ParquetReader::new(std::fs::File::open(&file).unwrap());
    let frame = reader.finish().unwrap();
    assert_eq!(frame.shape(), (3, 2), "{frame}");
    assert_eq!(frame.schema().get("fes"), Some(&DataType::Float64));
}

#[test]
fn once_leaves_the_output_file_and_its_kept_result_as_they_were() {
    use polars_io::SerReader;
    let dir = tempfile::tempdir().unwrap();
    let (kept, once) = (dir.path().join("t2.parquet"), dir.path().join("t1.md"));
    // A good file `.output` names stays as it is until a result comes.
    std::fs::write(&kept, b"not yet replaced").unwrap();
    let mut p = start();
    enter(&mut p, &format!(".output {}", kept.display()));
    enter(&mut p, "let a = findings");
    enter(&mut p, "plot fes");
    p.exp_string("a figure cannot go into").unwrap();
    p.exp_string("metasum> ").unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), b"not yet replaced");
    p.send_line("studies show id").unwrap();
    // `.once` writes its own file in its own format, then results go back
    // to the Parquet file with its result.
    enter(&mut p, &format!(".once {}", once.display()));
    enter(&mut p, "papers where id = 19 show id");
    enter(&mut p, "findings");
    p.exp_string("a Parquet file holds one result").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    assert_eq!(
        std::fs::read_to_string(&once).unwrap(),
        "| id |\n| ---: |\n| 19 |\n"
    );
    let reader = polars_io::parquet::read::ParquetReader::new(std::fs::File::open(&kept).unwrap());
    assert_eq!(reader.finish().unwrap().shape(), (25, 1));
}

#[test]
fn json_sent_by_the_shell_to_a_file_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let mut p = start();
    enter(&mut p, &format!(".output {}", json.display()));
    enter(&mut p, "papers where id = 19 show id");
    enter(&mut p, "papers where id = 20 show id");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    let text = std::fs::read_to_string(&json).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(doc[0]["rows"], serde_json::json!([{"id": 19}]), "{doc}");
    assert_eq!(doc[1]["rows"], serde_json::json!([{"id": 20}]), "{doc}");
}

/// The three statements of a pasted script, and what each prints.
const PASTED: [(&str, &str); 3] = [
    ("findings where id = 3 show name", "Helps own recovery"),
    ("studies where id = 8\n  show country", "UK"),
    ("studies count by country", "Australia"),
];

/// What each pasted statement prints, in order; then Ctrl-D leaves.
fn shows_the_pasted_results_then_leaves(mut p: PtySession) {
    for (_, shows) in PASTED {
        p.exp_string(shows).unwrap();
    }
    p.exp_string("(4 rows)").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_pasted_script_runs_every_statement_with_or_without_bracketed_paste() {
    let script: Vec<&str> = PASTED.iter().map(|(s, _)| *s).collect();
    // Without bracketed paste the lines arrive as if typed, all at once,
    // before the first has run (a terminal sends Enter as CR). The
    // indented line is its own statement there: the shell cannot wait for
    // the next line before running a whole one.
    let mut p = start();
    p.exp_string("metasum> ").unwrap();
    let typed = [script[0], "studies where id = 8 show country", script[2]];
    p.send(&format!("{}\r", typed.join("\r"))).unwrap();
    p.flush().unwrap();
    shows_the_pasted_results_then_leaves(p);

    // With bracketed paste the script is one edit; Enter runs all of it,
    // the indented line continuing the statement above it, as in a file.
    let mut p = start();
    p.exp_string("metasum> ").unwrap();
    p.send(&format!("\x1b[200~{}\n\x1b[201~", script.join("\n")))
        .unwrap();
    p.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send("\r").unwrap();
    p.flush().unwrap();
    shows_the_pasted_results_then_leaves(p);
}

#[test]
fn tab_lists_only_what_can_come_next_and_continues_an_open_statement() {
    let mut p = start();
    p.exp_string("metasum> ").unwrap();
    // Tab twice after `where`: the columns and `not`, no `and` or `among`.
    p.send("findings where \t\t").unwrap();
    p.flush().unwrap();
    let listed = p.exp_string("not").unwrap();
    for column in ["perspective", "fes", "reported_fes"] {
        assert!(listed.contains(column), "{column} not in {listed:?}");
    }
    assert!(
        !listed.contains("among") && !listed.contains(" and"),
        "{listed:?}"
    );
    // The list is followed by the line as it was; it goes on.
    p.send("fes > 40 and\r").unwrap();
    p.flush().unwrap();
    p.exp_string("    ...> ").unwrap();
    // On the continuation line, Tab knows the statement's table.
    p.send("persp\t").unwrap();
    p.flush().unwrap();
    p.exp_string("perspective").unwrap();
    p.send(" = reci\t show id\r").unwrap();
    p.flush().unwrap();
    // Finding 14 (44%); 15, at 40%, is not above 40.
    p.exp_string("14").unwrap();
    p.exp_string("(1 row)").unwrap();
    // Ctrl-C drops an open statement.
    enter(&mut p, "studies where");
    p.exp_string("    ...> ").unwrap();
    p.send_control('c').unwrap();
    enter(&mut p, "studies count by country");
    p.exp_string("(4 rows)").unwrap();
    // Ctrl-D on an open statement says what is missing, then leaves.
    enter(&mut p, "findings where fes >");
    p.exp_string("    ...> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("expected a value").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn the_shell_saves_files_again_but_never_its_own_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("r.msq");
    let saved = dir.path().join("r.csv");
    std::fs::write(&script, format!("findings save \"{}\"\n", saved.display())).unwrap();
    let mut p = start();
    // A script read twice saves its file twice: each input is its own run.
    for _ in 0..2 {
        enter(&mut p, &format!(".read {}", script.display()));
        p.exp_string("wrote").unwrap();
        p.exp_string("(24 rows)").unwrap();
    }
    // The file results go to is not a `save`'s.
    let output = dir.path().join("o.csv");
    enter(&mut p, &format!(".output {}", output.display()));
    enter(&mut p, &format!("studies save \"{}\"", output.display()));
    p.exp_string("is written by the run's own output").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    // Nothing was sent to it: `.output` tried it, and made nothing.
    assert!(!output.exists());
}

/// `.schema` in the review's own words: what its `dataset.toml` says of
/// its columns and participant groups (issue 30), on a review not shaped
/// like the seed.
#[test]
fn schema_describes_a_review_s_own_columns() {
    let mut p = start_with(&["--data", "tests/data/telehealth-review"]);
    enter(&mut p, ".schema studies");
    p.exp_regex(r"setting\s+text\s+where the care was delivered \(home or clinic\)")
        .unwrap();
    p.exp_regex(r"patients\s+a number\s+older adults receiving care taking part")
        .unwrap();
    enter(&mut p, ".schema profile");
    p.exp_regex(
        r"clinicians\s+a number\s+computed: clinicians delivering care summed over its studies",
    )
    .unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
}

/// A figure on a terminal is a file the terminal is told of, never its
/// SVG source printed as text.
#[test]
fn a_figure_in_the_shell_goes_to_a_file_and_says_where() {
    let mut p = start();
    enter(&mut p, "plot fes");
    let (before, path) = p.exp_regex(r"figure written to (\S+\.svg)").unwrap();
    assert!(!before.contains("<svg"), "{before}");
    let path = path
        .trim_start_matches("figure written to ")
        .trim()
        .to_string();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{path}");
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
}
