//! Where results go: stdout, or a file written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The destination of results.
pub enum Sink {
    /// Printed as they come.
    Stdout,
    /// Collected, then written to `path` in one piece by [`Sink::finish`].
    File { path: PathBuf, buffer: String },
}

impl Sink {
    /// A sink for `--output`/`.output`, or stdout.
    pub fn new(path: Option<PathBuf>) -> Sink {
        match path {
            Some(path) => Sink::File {
                path,
                buffer: String::new(),
            },
            None => Sink::Stdout,
        }
    }

    /// Adds one rendered result.
    pub fn write(&mut self, text: &str) -> std::io::Result<()> {
        match self {
            Sink::Stdout => print_stdout(text),
            Sink::File { buffer, .. } => {
                buffer.push_str(text);
                Ok(())
            }
        }
    }

    /// Writes a file sink's contents; stdout needs nothing.
    pub fn finish(&self) -> std::io::Result<()> {
        match self {
            Sink::Stdout => Ok(()),
            Sink::File { path, buffer } => write_atomically(path, buffer.as_bytes()),
        }
    }

    /// The file results go to, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Sink::Stdout => None,
            Sink::File { path, .. } => Some(path),
        }
    }
}

/// Prints `text` to stdout. When the reader has gone away (`metasum ... |
/// head`), the process ends quietly with status 0, as ripgrep and other
/// Unix filters do, instead of panicking or reporting every later write.
/// Any other write error (a full disk behind `> file`) is returned.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = &written
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
    written
}

/// `println!` for the shell's own messages (banner, `.help`, `.tables`):
/// a reader that went away ends the process quietly instead of a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        let _ = $crate::output::print_stdout(&line);
    }};
}
pub(crate) use outln;

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: readers see the old file or the new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("output path names no file"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("out.csv");
        assert!(write_atomically(&path, b"new").is_err());
    }
}
