//! Where results go: stdout, an `--output` file written whole at the end,
//! or the shell's `.output` file; and messages to stderr that never panic.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use metasum_engine::atomic::{OutputFile, writable, write_atomically};

/// The destination of results.
pub enum Sink {
    /// Printed as they come.
    Stdout,
    /// `--output FILE`: written as results come to a temporary file, which
    /// [`Sink::commit`] puts in place (a device or FIFO is written
    /// straight through).
    File {
        /// The path as given, for messages.
        path: PathBuf,
        /// The file being written.
        file: Box<OutputFile>,
    },
    /// The shell's `.output FILE`: everything sent so far, rewritten whole
    /// by [`Sink::rewrite`] after each statement.
    Rewrite {
        /// The file.
        path: PathBuf,
        /// What it holds.
        buffer: String,
    },
}

impl Sink {
    /// The sink for `--output PATH` (`-` is stdout): the file is opened now,
    /// so a path that cannot be written is reported before any work.
    pub fn output(path: Option<&Path>) -> std::io::Result<Sink> {
        match path {
            None => Ok(Sink::Stdout),
            Some(p) if p.as_os_str() == "-" => Ok(Sink::Stdout),
            Some(p) => Ok(Sink::File {
                path: p.to_path_buf(),
                file: Box::new(OutputFile::create(p)?),
            }),
        }
    }

    /// The sink for the shell's `.output PATH` (and `--output` given to the
    /// shell): rewritten whole after each statement that sends it
    /// something. Whether it can be written is tried now, so that a path
    /// that cannot be is told at once, without touching the file: until a
    /// result comes, it stays as it was (an empty `.parquet` or `.xlsx`
    /// would be no document). `-` or none is stdout.
    pub fn shell_output(path: Option<&Path>) -> std::io::Result<Sink> {
        match path {
            None => Ok(Sink::Stdout),
            Some(p) if p.as_os_str() == "-" => Ok(Sink::Stdout),
            Some(p) => {
                writable(p)?;
                Ok(Sink::Rewrite {
                    path: p.to_path_buf(),
                    buffer: String::new(),
                })
            }
        }
    }

    /// Adds one rendered result.
    pub fn write(&mut self, text: &str) -> std::io::Result<()> {
        match self {
            Sink::Stdout => print_stdout(text),
            Sink::File { file, .. } => file.write_all(text.as_bytes()),
            Sink::Rewrite { buffer, .. } => {
                buffer.push_str(text);
                Ok(())
            }
        }
    }

    /// Adds bytes (a workbook) to a file sink.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::File { file, .. } => file.write_all(bytes),
            _ => Err(std::io::Error::other("binary output needs --output FILE")),
        }
    }

    /// Rewrites a `.output` file with everything sent to it so far.
    pub fn rewrite(&self) -> std::io::Result<()> {
        match self {
            Sink::Rewrite { path, buffer } => write_atomically(path, buffer.as_bytes()),
            _ => Ok(()),
        }
    }

    /// Puts an `--output` file in place; stdout needs nothing.
    pub fn commit(self) -> std::io::Result<()> {
        match self {
            Sink::File { file, .. } => file.commit(),
            Sink::Stdout | Sink::Rewrite { .. } => Ok(()),
        }
    }

    /// The file results go to, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Sink::Stdout => None,
            Sink::File { path, .. } | Sink::Rewrite { path, .. } => Some(path),
        }
    }
}

/// The width of the terminal stdout is, if it is one.
pub fn terminal_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    window_columns(&stdout).filter(|w| *w > 0)
}

/// The columns of the terminal window `stdout` is.
#[cfg(unix)]
fn window_columns(stdout: &std::io::Stdout) -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(stdout).ok()?;
    Some(usize::from(size.ws_col))
}

/// The columns of the console window `stdout` is (its visible part, not
/// its scroll-back buffer's width).
#[cfg(windows)]
fn window_columns(stdout: &std::io::Stdout) -> Option<usize> {
    let info = winapi_util::console::screen_buffer_info(stdout).ok()?;
    let window = info.window_rect();
    usize::try_from(i32::from(window.right) - i32::from(window.left) + 1).ok()
}

/// Prints `text` to stdout. When the reader has gone away (`metasum ... |
/// head`), the process ends quietly with status 0, as ripgrep and other
/// Unix filters do, instead of panicking or reporting every later write.
/// Any other write error (a full disk behind `> file`) is returned.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = &written
        && reader_gone(e)
    {
        std::process::exit(0);
    }
    written
}

/// Whether a write failed because the reader of a pipe went away: Unix's
/// EPIPE; on Windows also "Pipe not connected" (os error 233), which the
/// standard library does not count as a broken pipe (it does 109 and 232).
fn reader_gone(e: &std::io::Error) -> bool {
    /// `ERROR_PIPE_NOT_CONNECTED`.
    const PIPE_NOT_CONNECTED: i32 = 233;
    e.kind() == std::io::ErrorKind::BrokenPipe
        || (cfg!(windows) && e.raw_os_error() == Some(PIPE_NOT_CONNECTED))
}

/// Writes `text` to stderr. A closed or full stderr (`2>/dev/full`, a
/// reader that left) is ignored: the message is lost, the run goes on and
/// its exit status still tells what happened (`eprint!` panicked here).
pub fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `println!` for the shell's own messages (banner, `.help`, `.tables`):
/// a reader that went away ends the process quietly instead of a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        // The banner and `.schema` quote the dataset (its title, its
        // columns): shown as a terminal cannot act on them.
        let line = format!($($arg)*);
        let mut line = metasum_engine::escape::message_safe(&line).into_owned();
        line.push('\n');
        let _ = $crate::output::print_stdout(&line);
    }};
}
pub(crate) use outln;

/// `eprintln!` for metasum's messages: what they quote from the data is
/// shown as a terminal cannot act on it (`message_safe`: an escape
/// sequence or direction override as U+FFFD), and a closed stderr ends
/// nothing.
macro_rules! errln {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let mut line = metasum_engine::escape::message_safe(&line).into_owned();
        line.push('\n');
        $crate::output::print_stderr(&line);
    }};
}
pub(crate) use errln;

/// What starts every error metasum tells: `error: `.
pub const ERROR: &str = "error: ";

/// [`errln!`] of an error: the line starts with [`ERROR`].
macro_rules! error {
    ($($arg:tt)*) => {{
        $crate::output::errln!("{}{}", $crate::output::ERROR, format_args!($($arg)*));
    }};
}
pub(crate) use error;
