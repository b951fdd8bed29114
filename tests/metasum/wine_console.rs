//! The Windows build on Windows' console, driven from Linux: Wine's
//! console turns a pseudo-terminal into a Windows console (key events in,
//! the screen it keeps out), so the shell reads through rustyline's
//! Windows side and writes through the console's. `.ci/windows` builds
//! metasum.exe and runs these with `METASUM_WINDOWS_EXE` naming it
//! (`--ignored`: elsewhere there is no Windows program to run).
//!
//! Each test has a Wine folder of its own (`WINEPREFIX`), made on first
//! use (seconds), so that what metasum keeps in the user's folders
//! (history in `%APPDATA%`, figures and the links cache in
//! `%LOCALAPPDATA%`) is found there and nowhere else.
//!
//! Not testable this way, and so not tested here: Ctrl-C at the shell's
//! prompt. Windows gives it to the shell as a key (rustyline turns the
//! console's processed input off); Wine turns the terminal's Ctrl-C into
//! a console event whatever the console's mode, which ends the run as
//! Ctrl-C during a statement does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

use crate::util::root;

/// metasum.exe under Wine with the Wine folder `prefix`, in a terminal.
fn start(prefix: &Path, args: &[&str], colours: bool) -> PtySession {
    let exe = std::env::var_os("METASUM_WINDOWS_EXE").expect("METASUM_WINDOWS_EXE is not set");
    let mut cmd = Command::new("wine");
    cmd.arg(exe)
        .args(args)
        .current_dir(root())
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // The tests' stand-in for what Wine 8 lacks (see .ci/windows).
        // No Mono or Gecko to offer to install in a new Wine folder (a
        // dialog that would wait where there is a display).
        .env("WINEDLLOVERRIDES", "bcryptprimitives=n;mscoree,mshtml=")
        .env_remove("DISPLAY")
        .env_remove("METASUM_DATA")
        .env_remove("NO_COLOR");
    if !colours {
        cmd.env("NO_COLOR", "1");
    }
    // A new Wine folder takes seconds to make.
    spawn_command(cmd, Some(120_000)).unwrap()
}

/// Waits for the prompt, then types `keys` and Enter (or, after a Tab,
/// nothing more). The console draws the prompt's space as a cursor move.
fn enter(p: &mut PtySession, keys: &str) {
    p.exp_string("metasum>").unwrap();
    match keys.strip_suffix('\t') {
        Some(keys) => p.send(&format!("{keys}\t")).unwrap(),
        None => p.send(&format!("{keys}\r")).unwrap(),
    };
    p.flush().unwrap();
}

/// What the terminal showed until `text`, back to UTF-8 (rexpect gives
/// each byte as a char).
fn shown_until(p: &mut PtySession, text: &str) -> String {
    let needle: String = text.bytes().map(char::from).collect();
    let got = p.exp_string(&needle).unwrap();
    let bytes: Vec<u8> = got.chars().map(|c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether `shown` sets a foreground colour (`ESC[31m`, `ESC[38;5;246m`):
/// the console draws with escapes of its own (cursor moves, `ESC[K`)
/// whether or not there are colours.
fn colour(shown: &str) -> bool {
    shown.split("\x1b[").skip(1).any(|escape| {
        let end = escape.find(|c: char| !(c.is_ascii_digit() || c == ';'));
        let (params, last) = escape.split_at(end.unwrap_or(escape.len()));
        let first: u32 = params.split(';').next().unwrap_or("").parse().unwrap_or(0);
        last.starts_with('m') && matches!(first, 30..=38 | 90..=97)
    })
}

/// The paths `under` (`AppData/Roaming/metasum/history`, ...) the Wine
/// users' folders that exist, whatever the user is called there.
fn in_user_folder(prefix: &Path, under: &str) -> Vec<PathBuf> {
    let users = prefix.join("drive_c/users");
    (std::fs::read_dir(users).unwrap().flatten())
        .map(|user| user.path().join(under))
        .filter(|path| path.exists())
        .collect()
}

#[test]
fn colours_are_told_from_the_console_s_own_escapes() {
    assert!(colour("\x1b[31mError:\x1b[39m") && colour("x\x1b[38;5;246m|"));
    assert!(!colour("\x1b[K\x1b[1C\x1b[?25h\x1b[3C\x1b[39m\x1b[0m"));
}

#[test]
#[ignore = "needs METASUM_WINDOWS_EXE (a Windows build) and Wine: .ci/windows runs it"]
fn the_shell_edits_completes_recalls_and_shows_unicode_on_the_windows_console() {
    let prefix = tempfile::tempdir().unwrap();
    let mut p = start(
        prefix.path(),
        &["--data", "tests/data/telehealth-review"],
        false,
    );
    p.exp_string("Type .help for help").unwrap();

    // Tab completes a value; a name with ü comes back as UTF-8.
    enter(&mut p, "studies where country = Germ\t");
    // Keys typed while the completion is drawn may be lost, as in a
    // terminal: typed after it.
    p.exp_string("Germany").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send(" show id, author\r").unwrap();
    p.flush().unwrap();
    let shown = shown_until(&mut p, "(1 row)");
    // The id and the author.
    assert_eq!(shown.matches("Müller").count(), 2, "{shown:?}");
    // Typed Unicode reaches the query.
    enter(&mut p, "studies where author = \"García\" show id");
    let shown = shown_until(&mut p, "(1 row)");
    assert!(shown.contains("Garcia2016"), "{shown:?}");

    // Left moves back through the line: `cont` mended to `count`.
    let left = "\x1b[D".repeat("nt by setting".len());
    enter(&mut p, &format!("studies cont by setting{left}u"));
    let shown = shown_until(&mut p, "(2 rows)");
    assert!(
        shown.contains("clinic") && shown.contains("home"),
        "{shown:?}"
    );
    // Up recalls it.
    enter(&mut p, "\x1b[A");
    p.exp_string("(2 rows)").unwrap();

    // A device's name is refused at `.output`; the shell goes on.
    enter(&mut p, ".output aux.csv");
    let shown = shown_until(&mut p, "AUX is the name of a device on Windows");
    assert!(!colour(&shown), "NO_COLOR: {shown:?}");
    // A figure goes to the user's local application data.
    enter(&mut p, "plot fes");
    // (The console wraps at 80 columns: matched up to the file's name.)
    let (_, told) = p.exp_regex(r"figure written to \S+figure-").unwrap();
    assert!(
        told.contains(r"\AppData\Local\metasum\figures\figure-"),
        "{told:?}"
    );
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();

    // The history is in the user's roaming application data.
    let history = in_user_folder(prefix.path(), "AppData/Roaming/metasum/history");
    assert_eq!(history.len(), 1, "{history:?}");
    let kept = std::fs::read_to_string(&history[0]).unwrap();
    assert!(kept.contains("studies count by setting"), "{kept}");
    assert!(kept.contains("García"), "{kept}");
}

#[test]
#[ignore = "needs METASUM_WINDOWS_EXE (a Windows build) and Wine: .ci/windows runs it"]
fn errors_are_coloured_and_the_links_cache_is_in_local_application_data() {
    let prefix = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let review = crate::links_cache::review(dir.path(), true);
    let data = review.to_str().unwrap();
    let mut p = start(prefix.path(), &["--data", data], true);
    p.exp_string("Type .help for help").unwrap();
    // The console was asked for colours (VT processing) and shows them.
    enter(&mut p, "findings where fes > recipient");
    let shown = shown_until(&mut p, "is text");
    assert!(colour(&shown), "no colour: {shown:?}");
    enter(&mut p, "findings limit 1 show id");
    p.exp_string("(1 row)").unwrap();
    enter(&mut p, ".quit");
    p.exp_eof().unwrap();
    let cache = in_user_folder(prefix.path(), "AppData/Local/metasum");
    assert_eq!(cache.len(), 1, "{cache:?}");
    let copies: Vec<String> = (std::fs::read_dir(&cache[0]).unwrap().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("links-") && name.ends_with(".bin"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
}

#[test]
#[ignore = "needs METASUM_WINDOWS_EXE (a Windows build) and Wine: .ci/windows runs it"]
fn ctrl_c_stops_serve() {
    let prefix = tempfile::tempdir().unwrap();
    let mut p = start(prefix.path(), &["serve", "--port", "0"], false);
    p.exp_string("Ctrl-C stops it").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    use rexpect::process::WaitStatus;
    assert!(matches!(status, WaitStatus::Exited(_, 130)), "{status:?}");
}
