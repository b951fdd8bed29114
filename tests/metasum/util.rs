//! What the end-to-end tests share: the binary with a known environment,
//! the review folders, a run's exit code and text, and Debian's programs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What a run on the embedded seed says on stderr.
pub const SEED_NOTE: &str = "note: no --data given and no dataset in this folder: using the embedded seed review (peer support in mental health, 25 studies); give yours with --data DIR\n";

/// How the system says a file is not there (Windows: "File not found.").
pub const NOT_FOUND: &str = if cfg!(windows) {
    "File not found"
} else {
    "No such file"
};

/// The repository's root (the binary's package).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The seed review's folder, as a dataset folder on disk.
pub fn seed() -> PathBuf {
    root().join("datasets/peer-support")
}

/// The metasum binary's path. Run under Wine, a test is given a Unix path
/// (`/work/...`), which Windows' CreateProcess cannot find: made absolute
/// the Windows way it names the current drive (`Z:\work\...`).
pub fn binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_metasum"));
    std::path::absolute(&path).unwrap_or(path)
}

/// The metasum binary, never told a dataset by the environment
/// (`METASUM_DATA`) and never colouring (`NO_COLOR`).
pub fn metasum() -> Command {
    let mut cmd = Command::new(binary());
    cmd.env_remove("METASUM_DATA").env("NO_COLOR", "1");
    cmd
}

/// [`metasum`] run in the folder `dir`.
pub fn metasum_in(dir: &Path) -> Command {
    let mut cmd = metasum();
    cmd.current_dir(dir);
    cmd
}

/// A finished run: exit code and its output as text.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Copies the files of the folder `from` (not its folders) into `to`,
/// made when missing.
pub fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Runs `cmd` to the end.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Standard output as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A program on PATH, or `None` with the reason told ([`skipped`]), for
/// tests that need one from Debian (`package`). CI (`METASUM_REQUIRE_TOOLS`,
/// set by `.ci/run`, which installs them) never skips: there a missing
/// program fails the test. On Windows a program is `NAME.exe`.
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&file))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("METASUM_REQUIRE_TOOLS").is_none(),
            "{name} (Debian's {package}) is required here"
        );
        skipped(&format!("{file} is not installed (Debian's {package})"));
    }
    found
}

/// Says that a test skipped its checks, and why: on stderr, and as a line
/// of the file `METASUM_SKIPPED` names, if set (`.ci/windows` counts them).
pub fn skipped(why: &str) {
    eprintln!("skipped: {why}");
    if let Some(log) = std::env::var_os("METASUM_SKIPPED") {
        use std::io::Write;
        let test = std::thread::current().name().unwrap_or("?").to_string();
        let line = format!("{test}: {why}\n");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        file.write_all(line.as_bytes()).unwrap();
    }
}
