//! Where results go: stdout, or a file written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use metasum_engine::atomic::write_atomically;

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
