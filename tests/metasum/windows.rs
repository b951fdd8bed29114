//! What a reviewer on Windows meets, run under Wine by `.ci/run`: paths
//! with a drive letter and backslashes, a file another program holds
//! open, the names Windows keeps for devices. A CRLF script with a Unix
//! first line runs everywhere. (A reader that closes the pipe early:
//! `cli::a_reader_that_stops_early_ends_the_run_quietly`, on every system.)

use std::path::{Path, PathBuf};

use crate::util::*;

/// A copy of the author-year review in a folder whose name has a space.
fn review_in(dir: &Path) -> PathBuf {
    let review = dir.join("My Review");
    copy_files(&root().join("tests/data/telehealth-review"), &review);
    review
}

#[test]
fn a_crlf_script_with_a_unix_first_line_runs() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("t2.msq");
    std::fs::write(
        &script,
        "#!/usr/bin/env -S metasum run\r\n# Notepad's line ends\r\nfindings where fes > 80 show id, fes\r\n",
    )
    .unwrap();
    let review = review_in(dir.path());
    let r = run(metasum().arg("--data").arg(&review).arg("run").arg(&script));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // T2.2: 6 of the review's 7 studies.
    assert_eq!(r.stdout, "id,fes\nT2.2,85.7\n");
}

/// `path` as Windows writes it: a drive letter, backslashes.
#[cfg(windows)]
fn windows_path(path: &Path) -> String {
    let text = path.display().to_string();
    let bytes = text.as_bytes();
    assert!(
        bytes.len() > 3 && bytes[1] == b':' && bytes[2] == b'\\',
        "{text}"
    );
    text
}

#[cfg(windows)]
#[test]
fn paths_with_a_drive_letter_and_backslashes_work_everywhere_a_path_goes() {
    let dir = tempfile::tempdir().unwrap();
    let review = windows_path(&review_in(dir.path()));
    let out = windows_path(dir.path());
    // --data, --output, and `save` under --output-dir; in quotes a path
    // is written with `/` or doubled backslashes.
    let doubled = format!("{}\\\\saved\\\\t2.csv", out.replace('\\', "\\\\"));
    let slashed = format!("{}/t12.csv", out.replace('\\', "/"));
    let query = format!(
        "findings where fes > 80 show id, fes save \"{doubled}\"; findings where id = T1.2 show id, fes save \"{slashed}\"; findings where id = T1.1 show id save \"t11.csv\""
    );
    let r = run(metasum().args([
        "--data",
        &review,
        "--output-dir",
        &format!("{out}\\saved"),
        "-c",
        &query,
    ]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let all = format!("{out}\\all.csv");
    let r = run(metasum().args([
        "--data",
        &review,
        "-c",
        "findings where fes > 80 show id",
        "--output",
        &all,
    ]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("saved/t2.csv"), "id,fes\nT2.2,85.7\n");
    assert_eq!(read("t12.csv"), "id,fes\nT1.2,50.0\n");
    assert_eq!(read("saved/t11.csv"), "id\nT1.1\n");
    assert_eq!(read("all.csv"), "id\nT2.2\n");
    // `import` into a new folder; `export` to a workbook and into a
    // folder, new and again over itself (swapped whole).
    let imported = format!("{out}\\Imported Review");
    let ris = std::path::absolute(root().join("tests/data/import/zotero.ris")).unwrap();
    let i = run(metasum().args(["--data", &imported, "import", &windows_path(&ris)]));
    assert_eq!(i.code, Some(0), "{}", i.stderr);
    assert!(dir.path().join("Imported Review/studies.csv").is_file());
    let count = |data: &str| {
        run(metasum().args(["--data", data, "-c", "findings where fes > 50 show id, fes"]))
    };
    let there = count(&review);
    for copy in [
        format!("{out}\\copy.xlsx"),
        format!("{out}\\copy"),
        format!("{out}\\copy"),
    ] {
        let e = run(metasum().args(["--data", &review, "export", &copy]));
        assert_eq!(e.code, Some(0), "{copy}: {}", e.stderr);
        let back = count(&copy);
        assert_eq!(
            (back.code, &back.stdout),
            (Some(0), &there.stdout),
            "{copy}"
        );
    }
    let mut left: Vec<String> = (std::fs::read_dir(dir.path()).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let made = [
        "Imported Review",
        "My Review",
        "all.csv",
        "copy",
        "copy.xlsx",
        "saved",
        "t12.csv",
    ];
    assert_eq!(left, made, "no old folder kept beside the new one");
    // A problem names the file by the system's own separators.
    std::fs::remove_file(dir.path().join("copy/evidence.csv")).unwrap();
    let broken = count(&format!("{out}\\copy"));
    assert!(
        broken
            .stderr
            .contains(&format!("{out}\\copy\\evidence.csv")),
        "{}",
        broken.stderr
    );
}

#[cfg(windows)]
#[test]
fn a_file_another_program_holds_open_is_named_and_left_as_it_was() {
    use std::os::windows::fs::OpenOptionsExt;
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("table2.csv");
    std::fs::write(&table, "yesterday's table\n").unwrap();
    // As Excel opens a workbook: others may read it, not write or remove it.
    const FILE_SHARE_READ: u32 = 1;
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&table)
        .unwrap();
    for how in [
        ["--output", "table2.csv"],
        ["-c", "findings save \"table2.csv\""],
    ] {
        let mut cmd = metasum_in(dir.path());
        if how[0] == "--output" {
            cmd.args(["-c", "findings"]);
        }
        let r = run(cmd.args(how));
        assert_eq!(r.code, Some(1), "{how:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("table2.csv") && r.stderr.contains("it is open in "),
            "{how:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("it was not changed"), "{}", r.stderr);
    }
    drop(held);
    assert_eq!(
        std::fs::read_to_string(&table).unwrap(),
        "yesterday's table\n"
    );
    let r = run(metasum_in(dir.path()).args(["-c", "findings", "--output", "table2.csv"]));
    assert_eq!(r.code, Some(0), "closed, it is written: {}", r.stderr);

    // A dataset folder exported again while one of its files is open:
    // Windows moves no folder then; the file is named.
    let review = review_in(dir.path());
    let export = || {
        run(metasum_in(dir.path())
            .arg("--data")
            .arg(&review)
            .args(["export", "copy"]))
    };
    assert_eq!(export().code, Some(0));
    let findings = dir.path().join("copy/findings.csv");
    let before = std::fs::read(&findings).unwrap();
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&findings)
        .unwrap();
    let r = export();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("findings.csv is open in "),
        "{}",
        r.stderr
    );
    drop(held);
    // The same review exported: the same bytes, whichever folder is there.
    assert_eq!(std::fs::read(&findings).unwrap(), before);
    // Windows refuses to move the folder: nothing else is left. (Wine
    // moves it, then cannot remove the file held: the old folder is
    // kept beside, and said where.)
    let (kept, mut left): (Vec<String>, Vec<String>) = (std::fs::read_dir(dir.path()).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .partition(|name| name.starts_with(".copy."));
    left.sort();
    assert_eq!(left, ["My Review", "copy", "table2.csv"]);
    assert!(kept.len() <= 1, "{kept:?}");
    for old in kept {
        assert!(r.stderr.contains(&old), "{old} not told: {}", r.stderr);
    }
}

#[cfg(windows)]
#[test]
fn the_names_windows_keeps_for_devices_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let runs: [&[&str]; 5] = [
        &["-c", "findings", "--output", "CON"],
        &["-c", "findings", "--output", "aux.csv"],
        &["-c", "findings save \"nul.csv\""],
        &["-c", "plot fes", "--output", "Com1.svg"],
        &["export", "prn"],
    ];
    for args in runs {
        let r = run(metasum_in(dir.path()).args(args));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("is the name of a device on Windows"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
