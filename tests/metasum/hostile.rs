//! The hostile-input suite (issue 12): the release of each of these once
//! damaged a file, crashed, ran away or printed what a reader misreads.
//! Every run here is bounded by the test itself, in time (a timeout) and
//! in memory (`ulimit -v`), and must end with a chosen exit status and
//! message, never 101 (a panic) or a signal.

use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{Run, SEED_NOTE, binary};

/// Address space a run may take: the old code needed 4 GB for a 3,000-id
/// list and 24 GB for 10,000 `and` terms.
#[cfg(unix)]
const MEMORY_KB: u64 = 2_000_000;
/// Time a run may take (a debug build, on a loaded two-core machine).
const TIMEOUT: Duration = Duration::from_secs(120);

/// `metasum ARGS` under the memory limit, with no colours and the seed.
#[cfg(unix)]
fn metasum(args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KB}; exec \"$0\" \"$@\""))
        .arg(binary())
        .args(args)
        .env_remove("METASUM_DATA")
        .env("NO_COLOR", "1");
    cmd
}

/// `metasum ARGS` with no colours and the seed, bounded in time only:
/// Windows has no `ulimit` (a job object could bound its memory).
#[cfg(not(unix))]
fn metasum(args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_remove("METASUM_DATA")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs `cmd` with `input` on stdin, within [`TIMEOUT`].
fn run_with(mut cmd: Command, input: &[u8]) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = wait(child);
    let _ = writer.join();
    out
}

fn run(args: &[&str]) -> Run {
    run_with(metasum(args), b"")
}

/// The outcome of `child`, which must end within [`TIMEOUT`] with an exit
/// status (not a signal) other than a panic's 101.
fn wait(mut child: std::process::Child) -> Run {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let status = wait_for(&mut child);
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    };
    assert_ne!(run.code, Some(101), "panicked: {}", run.stderr);
    assert!(
        run.code.is_some(),
        "ended by a signal: {status:?} {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const QUERY: &str = "findings where id < 3 show id";
#[cfg(unix)]
const RESULT: &str = "id\n1\n2\n";

// -- Files damaged or written where they should not be --------------------

#[test]
#[cfg(unix)] // a Unix device (/dev/null)
fn output_to_a_device_writes_through_and_leaves_the_device() {
    // As root, `--output /dev/null` replaced the device with a regular
    // file. Where the test may make device nodes (as root), it writes to a
    // null device of its own, so that a regression damages nothing else.
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&own)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let device = if made {
        own
    } else {
        PathBuf::from("/dev/null")
    };
    let r = run(&["-c", QUERY, "--output", device.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        std::fs::metadata(&device)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
#[cfg(unix)] // symbolic links need an administrator on Windows
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(dir.path(), "real.csv", "old\n");
    let link = dir.path().join("out.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = run(&["-c", QUERY, "--output", link.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), RESULT);
}

#[test]
#[cfg(unix)] // symbolic links need an administrator on Windows
fn a_symlink_planted_beside_the_output_is_not_followed() {
    // The temporary file was `.NAME.PID.tmp`, opened without O_EXCL: a link
    // planted there had its target overwritten. `$$` is the shell's PID,
    // which `exec` hands to metasum.
    let dir = tempfile::tempdir().unwrap();
    let victim = write(dir.path(), "victim.txt", "precious\n");
    let status = Command::new("sh")
        .arg("-c")
        .arg("ln -s victim.txt .out.csv.$$.tmp && exec \"$0\" -c \"$1\" --output out.csv")
        .arg(binary())
        .arg(QUERY)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        RESULT
    );
}

#[test]
#[cfg(unix)] // /dev/stdout is Unix's
fn output_to_dev_stdout_goes_where_stdout_goes() {
    // It was read as a link to `pipe:[53531]`, and a `>>` file was
    // replaced by the results alone.
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "log.txt", "PRECIOUS LOG\n");
    let sh = |script: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(binary())
            .arg(QUERY)
            .arg(&log)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(
        sh("\"$0\" -c \"$1\" --output /dev/stdout | cat"),
        (Some(0), RESULT.to_string())
    );
    assert_eq!(
        sh("\"$0\" -c \"$1\" --output /dev/stdout >> \"$2\""),
        (Some(0), String::new())
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("PRECIOUS LOG\n{RESULT}")
    );
}

#[test]
#[cfg(unix)] // Unix permission bits
fn output_keeps_the_permissions_and_links_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let private = write(dir.path(), "private.csv", "old\n");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let linked = dir.path().join("linked.csv");
    std::fs::hard_link(&private, &linked).unwrap();
    let r = run(&["-c", QUERY, "--output", private.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&linked).unwrap(), RESULT);
}

#[test]
fn output_to_a_folder_or_a_missing_folder_fails_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (path, says) in [
        (dir.path().to_path_buf(), "it is a folder"),
        (dir.path().join("no/such/out.csv"), "there is no folder "),
    ] {
        let r = run(&["-c", QUERY, "--output", path.to_str().unwrap()]);
        assert_eq!(r.code, Some(1));
        assert!(r.stdout.is_empty());
        let stderr = r.stderr.strip_prefix(SEED_NOTE).unwrap_or_default();
        assert!(stderr.starts_with("error: cannot write "), "{}", r.stderr);
        assert!(r.stderr.contains(says), "{}", r.stderr);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
#[cfg(unix)] // a FIFO (mkfifo) is Unix's
fn a_fifo_gets_nothing_from_a_refused_or_failing_run_and_is_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // No reader: a run that opened the FIFO would wait for one for ever.
    let path = fifo.to_str().unwrap().to_string();
    let refused = within_timeout(move || {
        let two = ["-c", "findings; studies", "--output", &path];
        let failing = ["-c", "findings; bogus", "--output", &path];
        (run(&two), run(&failing))
    });
    let (two, failing) = refused();
    assert_eq!(two.code, Some(2), "{}", two.stderr);
    assert_eq!(failing.code, Some(1), "{}", failing.stderr);
}

#[test]
#[cfg(unix)] // a FIFO (mkfifo) is Unix's
fn output_to_a_fifo_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let read = within_timeout({
        let fifo = fifo.clone();
        move || std::fs::read_to_string(fifo).unwrap()
    });
    let r = run(&["-c", QUERY, "--output", fifo.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // A FIFO replaced by a file would leave the reader waiting for ever.
    assert_eq!(read(), RESULT);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn export_over_an_earlier_export_keeps_no_file_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    let out = out.to_str().unwrap();
    assert_eq!(run(&["export", out]).code, Some(0));
    assert!(Path::new(out).join("claims.csv").exists());
    let r = run(&["--data", "tests/data/valid-minimal", "export", out]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // The seed's claims, citations and search flow are gone with it.
    let mut names: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "dataset.toml",
            "evidence.csv",
            "findings.csv",
            "papers.csv",
            "studies.csv"
        ]
    );
    let r = run(&["--data", out, "plot", "flow"]);
    assert_ne!(r.code, Some(0));
    let r = run(&["--data", out, "-c", "studies count by country"]);
    assert_eq!(r.stdout, "country,count\nUK,2\nUSA,1\n");
}

#[test]
fn concurrent_exports_leave_one_whole_dataset() {
    // 20 of 30 concurrent pairs left old and new files mixed.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    let out = out.to_str().unwrap();
    for round in 0..10 {
        let spawn = |args: &[&str]| {
            metasum(args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(&["export", out]);
        let b = spawn(&["--data", "tests/data/valid-minimal", "export", out]);
        assert_eq!(wait_status(a), Some(0), "round {round}");
        assert_eq!(wait_status(b), Some(0), "round {round}");
        let files = std::fs::read_dir(out).unwrap().count();
        let r = run(&["--data", out, "-c", "studies count by country"]);
        assert_eq!(r.code, Some(0), "round {round}: {}", r.stderr);
        match files {
            8 => assert!(
                r.stdout.starts_with("country,count\nUSA,16\n"),
                "{}",
                r.stdout
            ),
            5 => assert_eq!(r.stdout, "country,count\nUK,2\nUSA,1\n"),
            n => panic!("round {round}: {n} files"),
        }
        let hidden = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(hidden, 1, "round {round}: nothing but the export is left");
    }
}

#[test]
fn export_never_replaces_a_folder_of_other_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "thesis.docx", "years of work");
    let r = run(&["export", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("thesis.docx"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("thesis.docx")).unwrap(),
        "years of work"
    );
}

#[test]
fn keep_going_writes_no_output_file_when_a_statement_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Markdown: a file that holds several results.
    let out = write(dir.path(), "keep.md", "good results\n");
    let r = run(&[
        "--keep-going",
        "-c",
        "findings limit 1; findings where fes > recipient; studies limit 1",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "good results\n");
    assert!(r.stderr.contains("was not written"), "{}", r.stderr);
}

// -- Wrong data without an error ------------------------------------------

#[test]
fn keep_going_resumes_outside_comments_and_quoted_text() {
    // Both ran the text after the `;` as a statement.
    for script in [
        "findings wher x  # note; evidence limit 1\npapers where id = 19 show id\n",
        "findings wher name ~ \"a; evidence limit 1\"\npapers where id = 19 show id\n",
    ] {
        let r = run_with(metasum(&["--keep-going"]), script.as_bytes());
        assert_eq!(r.code, Some(1));
        assert_eq!(r.stdout, "id\n19\n", "{script}");
        assert_eq!(r.stderr.matches("Error:").count(), 1, "{}", r.stderr);
    }
}

// -- Crashes and runaway processes -----------------------------------------

#[test]
fn long_chains_and_lists_end_in_bounded_time_and_memory() {
    let or = vec!["id = 19"; 10_000].join(" or ");
    let and: Vec<String> = (0..10_000).map(|i| format!("id != {}", i + 100)).collect();
    let ids: Vec<String> = (1..=6_000).map(|i| i.to_string()).collect();
    for (script, expected) in [
        (format!("papers where {or} show id"), "id\n19\n"),
        (
            format!("papers where {} and id = 19 show id", and.join(" and ")),
            "id\n19\n",
        ),
        (
            format!(
                "studies where id in ({}) and country = UK show id",
                ids.join(",")
            ),
            "id\n8\n22\n23\n",
        ),
    ] {
        let r = run_with(metasum(&[]), script.as_bytes());
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(r.stdout, expected);
    }
}

#[test]
fn a_statement_of_forty_thousand_lines_from_a_pipe_ends() {
    // Each line rescanned the whole statement: over 120 s.
    let mut script = String::from("findings where fes > 1\n");
    for _ in 0..40_000 {
        script.push_str("  and fes > 1\n");
    }
    script.push_str("  show id\n");
    let r = run_with(metasum(&[]), script.as_bytes());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 25, "{}", r.stdout);
}

#[test]
fn statements_from_a_pipe_run_as_they_arrive() {
    // `yes 'findings limit 1' | metasum` printed nothing and grew to 2 GB.
    let mut child = metasum(&[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"papers where id = 19 show id;\n").unwrap();
    stdin.flush().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Before stdin closes (a run that waits for the end would never answer).
    let (first_lines, stdout) = within_timeout(move || {
        let mut lines = String::new();
        for _ in 0..2 {
            stdout.read_line(&mut lines).unwrap();
        }
        (lines, stdout)
    })();
    assert_eq!(first_lines, "id\n19\n");
    let mut stdout = stdout;
    // Then a long stream, read as it is written: every answer comes, in
    // memory bounded by `ulimit` (the whole stream is never held).
    let reader = std::thread::spawn(move || {
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        rest
    });
    for _ in 0..20_000 {
        stdin.write_all(b"papers where id = 19 show id\n").unwrap();
    }
    drop(stdin);
    let status = wait_status(child);
    assert_eq!(status, Some(0));
    assert_eq!(reader.join().unwrap().matches("19\n").count(), 20_000);
}

/// Runs `work` on a thread; the function returned waits for its result at
/// most [`TIMEOUT`], failing the test past that (a blocked read would
/// otherwise hang the suite).
fn within_timeout<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> impl FnOnce() -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(work());
    });
    move || {
        receive
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|e| panic!("no answer within {TIMEOUT:?}: {e}"))
    }
}

/// The exit status of `child`, waiting at most [`TIMEOUT`].
fn wait_status(mut child: std::process::Child) -> Option<i32> {
    wait_for(&mut child).code()
}

/// Waits for `child` at most [`TIMEOUT`], killing it (and failing) past that.
fn wait_for(child: &mut std::process::Child) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("still running after {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[cfg(unix)] // /dev/zero is Unix's
fn a_script_with_no_line_ends_stops_at_a_clear_error() {
    // `metasum run /dev/zero` grew to 4.4 GB in 3 s.
    let r = run(&["run", "/dev/zero"]);
    assert_eq!(r.code, Some(1));
    assert!(
        (r.stderr.strip_prefix(SEED_NOTE).unwrap_or_default())
            .starts_with("error: /dev/zero:1:1: the statement is longer than 1 MiB"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_closed_or_full_stderr_ends_the_run_without_a_panic() {
    // `2>/dev/full` panicked with exit 101 (Linux's full device; macOS
    // has none, and sh would fail the redirection itself).
    #[cfg(target_os = "linux")]
    let full = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" -c 'findings wher' 2>/dev/full")
        .arg(binary())
        .status()
        .unwrap();
    #[cfg(target_os = "linux")]
    assert_eq!(full.code(), Some(1));
    // A reader of stderr that left (`2>&1 >/dev/null | head -1`).
    let dir = tempfile::tempdir().unwrap();
    let many: String = (0..2_000).map(|_| "findings wher x\n").collect();
    let script = write(dir.path(), "many-errors.msq", &many);
    let mut child = metasum(&["--keep-going", "run"])
        .arg(&script)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(wait_status(child), Some(1));
}

#[test]
fn a_header_only_studies_file_is_reported_without_a_panic() {
    let r = run(&["--data", "tests/data/header-only-studies", "-c", "findings"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("study 1 does not exist in studies.csv"),
        "{}",
        r.stderr
    );
}

// -- Output that a reader or terminal misreads -------------------------------

#[test]
fn odd_column_names_and_cells_are_written_safely() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("odd");
    std::fs::create_dir(&data).unwrap();
    write(
        &data,
        "studies.csv",
        "id,author,year,=cmd|calc\n1,Ames,2001,x\n",
    );
    write(
        &data,
        "findings.csv",
        "id,perspective,name\n1,worker,\"Low \u{1b}[31mpay\u{7}\"\n",
    );
    write(&data, "evidence.csv", "finding,study\n1,1\n");
    let data = data.to_str().unwrap();
    let r = run(&["--data", data, "-c", "studies"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // The header was written raw: a spreadsheet ran it as a formula.
    assert!(r.stdout.starts_with("id,author,year,n,"), "{}", r.stdout);
    assert!(r.stdout.contains(",'=cmd|calc\n"), "{}", r.stdout);
    // --raw: the data as it is, for R and Python.
    let raw = run(&["--data", data, "--raw", "-c", "studies"]);
    assert_eq!(raw.code, Some(0), "{}", raw.stderr);
    assert!(raw.stdout.contains(",=cmd|calc\n"), "{}", raw.stdout);
    assert!(!raw.stdout.contains('\''), "{}", raw.stdout);
    let r = run(&["--data", data, "--format", "table", "-c", "findings"]);
    assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'));
    assert!(
        r.stdout.contains("Low \u{FFFD}[31mpay\u{FFFD}"),
        "{}",
        r.stdout
    );
    let r = run(&["--data", data, "-c", "plot fes"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    roxmltree::Document::parse(&r.stdout).expect("the figure is well-formed XML");
}

// -- Unclear errors ------------------------------------------------------------

#[test]
fn a_byte_order_mark_is_accepted_and_invisible_characters_are_named() {
    let r = run_with(
        metasum(&[]),
        "\u{feff}papers where id = 19 show id\n".as_bytes(),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "id\n19\n");
    let r = run_with(metasum(&[]), b"papers\0 where id = 19\n");
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("found `U+0000`"), "{}", r.stderr);
}

#[test]
fn a_huge_identifier_is_not_echoed_whole() {
    let src = format!("findings {}\n", "w".repeat(1_000_000));
    let r = run_with(metasum(&[]), src.as_bytes());
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.len() < 2_000, "{} bytes", r.stderr.len());
}

#[test]
fn a_threshold_that_is_not_a_number_of_points_is_a_usage_error() {
    for bad in ["NaN", "-1", "inf", "101"] {
        let r = run(&[&format!("--threshold={bad}"), "-c", "profile"]);
        assert_eq!(r.code, Some(2), "{bad}");
        assert!(r.stderr.contains("percentage points"), "{}", r.stderr);
    }
}

#[test]
fn a_figure_too_large_to_draw_as_a_picture_is_refused_and_nothing_written() {
    // 3,000 studies: the matrix is some 40,000 pixels wide in SVG, 125,000
    // at 300 dpi; its pixels would take gigabytes.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("wide");
    std::fs::create_dir(&data).unwrap();
    let studies: String = (1..=3000)
        .map(|i| format!("{i},Author{i},2001\n"))
        .collect();
    write(&data, "studies.csv", &format!("id,author,year\n{studies}"));
    write(
        &data,
        "findings.csv",
        "id,perspective,name\n1,worker,Low pay\n",
    );
    let links: String = (1..=3000).map(|i| format!("1,{i}\n")).collect();
    write(&data, "evidence.csv", &format!("finding,study\n{links}"));
    let data = data.to_str().unwrap();
    for name in ["m.png", "m.xlsx"] {
        let path = dir.path().join(name);
        let r = run(&[
            "--data",
            data,
            "-c",
            "plot matrix",
            "--output",
            path.to_str().unwrap(),
        ]);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("more than 40 million: ask for fewer dots per inch"),
            "{name}: {}",
            r.stderr
        );
        assert!(!path.exists(), "{name}");
    }
    // As SVG it is drawn.
    let r = run(&["--data", data, "-c", "plot matrix"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

/// `metasum ARGS` under the memory limit and the shell limits `ulimits`
/// (`-f 1000`, `-n 5`), in `dir`.
#[cfg(unix)]
fn limited(dir: &Path, ulimits: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KB}; ulimit {ulimits}; exec \"$0\" \"$@\""
        ))
        .arg(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("METASUM_DATA")
        .env_remove("METASUM_CACHE_DIR")
        .env_remove("METASUM_NO_CACHE")
        .env("NO_COLOR", "1");
    run_with(cmd, b"")
}

#[test]
#[cfg(unix)] // file size and descriptor limits are Unix's `ulimit`
fn a_file_size_limit_fails_a_write_without_killing_the_run_or_leaving_a_file() {
    let dir = tempfile::tempdir().unwrap();
    // 200,000 links: a copy in the cache of 1.6 MB, past a 1 MB limit.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut evidence = String::from("finding,study\n");
    for k in 0..200_000 {
        evidence.push_str(&format!("{},{}\n", k / 2000 + 1, k % 2000 + 1));
    }
    std::fs::write(data.join("evidence.csv"), evidence).unwrap();
    let studies: String = (1..=2000).map(|i| format!("{i},A{i},2020\n")).collect();
    std::fs::write(
        data.join("studies.csv"),
        format!("id,author,year\n{studies}"),
    )
    .unwrap();
    let findings: String = (1..=300).map(|i| format!("{i},a,F{i}\n")).collect();
    std::fs::write(
        data.join("findings.csv"),
        format!("id,perspective,name\n{findings}"),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let args = [
        "--data",
        "data",
        "--cache-dir",
        "cache",
        "-c",
        "findings limit 1 show id, n",
    ];
    let r = limited(dir.path(), "-f 1000", &args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.starts_with("id,n\n1,"), "{}", r.stdout);
    let left: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    // An --output past the limit: an error, and the file as it was.
    std::fs::write(dir.path().join("out.csv"), "kept").unwrap();
    let args = ["--data", "data", "-c", "evidence", "--output", "out.csv"];
    let r = limited(dir.path(), "-f 100", &args);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("File too large"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
        "kept"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
#[cfg(unix)] // file size and descriptor limits are Unix's `ulimit`
fn too_few_open_files_are_raised_or_refused_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    // A hard limit of 5: refused, with what to do.
    let r = limited(dir.path(), "-n 5", &["-c", "findings limit 1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("needs at least 32 open files"),
        "{}",
        r.stderr
    );
    // A soft limit of 6 under a higher hard one: raised, and the run goes.
    let r = limited(dir.path(), "-Sn 6", &["-c", "findings limit 1 show id"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (Some(0), "id\n1\n"),
        "{}",
        r.stderr
    );
    // --output onto a file with another hard link, with few files: both
    // names hold the result.
    let target = dir.path().join("out.csv");
    std::fs::write(&target, "old").unwrap();
    std::fs::hard_link(&target, dir.path().join("other.csv")).unwrap();
    let r = limited(
        dir.path(),
        "-Sn 8",
        &["-c", "findings limit 1 show id", "--output", "out.csv"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "id\n1\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other.csv")).unwrap(),
        "id\n1\n"
    );
}

#[test]
fn an_or_chain_of_a_whole_mebibyte_runs_within_the_memory_limit() {
    // 94,000 terms just under the 1 MiB statement limit: 1.9 GB (4.2 GB
    // with `let`) before chains ran in parts, an abort under this limit.
    let chain: Vec<String> = (0..94_000).map(|i| format!("id = {}", i % 30)).collect();
    let statement = format!("findings where {} show id", chain.join(" or "));
    assert!(statement.len() < 1 << 20 && statement.len() > 900_000);
    for src in [statement.clone(), format!("let x = {statement}\nx limit 3")] {
        let r = run_with(metasum(&["run", "-"]), src.as_bytes());
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout.starts_with("id\n1\n2\n3\n"), "{}", r.stdout);
    }
}

/// Whether `text` holds a character that acts on a terminal (ESC, BEL, a
/// carriage return, a direction override).
fn acts_on_a_terminal(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn messages_quoting_the_data_never_act_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    // A year cell that writes the clipboard (OSC 52), a name that turns
    // the line around, an author with a bell.
    let clipboard = "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}";
    std::fs::write(
        data.join("studies.csv"),
        format!("id,author,year\n1,Ann\u{7},{clipboard}\n2,Bo,2020\n"),
    )
    .unwrap();
    std::fs::write(
        data.join("findings.csv"),
        "id,perspective,name,reported_fes\n1,a,\u{202E}Reversed,12\n",
    )
    .unwrap();
    std::fs::write(data.join("evidence.csv"), "finding,study\n1,2\n").unwrap();
    let r = run(&["--data", data.to_str().unwrap(), "-c", "findings"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("studies.csv:2"), "{}", r.stderr);
    assert!(!acts_on_a_terminal(&r.stderr), "{:?}", r.stderr);
    // Fixed year: `check` warns of the reported FES, quoting the name.
    std::fs::write(
        data.join("studies.csv"),
        "id,author,year\n1,Ann\u{7},2019\n2,Bo,2020\n",
    )
    .unwrap();
    let r = run(&["--data", data.to_str().unwrap(), "check"]);
    assert!(
        r.stdout.contains("reported 12, computed 50.0"),
        "{}",
        r.stdout
    );
    assert!(!acts_on_a_terminal(&r.stdout), "{:?}", r.stdout);
    // The report keeps the name as written, isolated from its sentence.
    let out = dir.path().join("r.html");
    let r = run(&[
        "--data",
        data.to_str().unwrap(),
        "report",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    let line = html
        .lines()
        .find(|l| l.contains("reported 12, computed 50.0"))
        .unwrap();
    assert!(
        line.contains("&quot;<bdi>\u{FFFD}Reversed</bdi>&quot;: reported 12"),
        "{line}"
    );
    // Import messages quoting a record's DOI.
    let ris = dir.path().join("r.ris");
    let doi = "10.1/x\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202E}";
    let record = format!("TY  - JOUR\nAU  - Lee, A.\nTI  - T\nPY  - 2020\nDO  - {doi}\nER  - \n");
    std::fs::write(&ris, format!("{record}\n{record}")).unwrap();
    let refs = dir.path().join("refs");
    let r = run(&[
        "--data",
        refs.to_str().unwrap(),
        "import",
        ris.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("already present"), "{}", r.stderr);
    assert!(!acts_on_a_terminal(&r.stderr), "{:?}", r.stderr);
}
