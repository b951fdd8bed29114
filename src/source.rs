//! Reading scripts as they arrive: a file, stdin, a FIFO or a device is
//! read a statement at a time, so `yes 'findings limit 1' | metasum` prints
//! as it goes in bounded memory and `metasum run /dev/zero` stops at a
//! clear error instead of reading forever.
//!
//! A statement ends at a line that does not start with white space (the
//! language's own rule: indented lines continue the statement above), or
//! at a line that ends with `;`, so a statement sent down a pipe followed
//! by `;` runs at once.

use std::io::{BufRead, Read};

/// The longest statement read (1 MiB): longer text is an error at its
/// first line, not an ever-growing buffer.
pub const MAX_STATEMENT: usize = 1 << 20;

/// The text of one or more statements, and the 1-based line of the script
/// it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The statements' lines, line ends included.
    pub text: String,
    /// The script line `text` starts on.
    pub first_line: usize,
}

/// A problem reading the script, located as `NAME:LINE:COLUMN`.
#[derive(Debug)]
pub struct ReadError {
    /// What went wrong, with where.
    pub message: String,
    /// Whether reading can go on after it (a bad statement, not a broken
    /// stream).
    pub recoverable: bool,
    /// Whether the bad line is indented, so continues the statement above.
    continues: bool,
}

/// Statements read from `reader` a chunk at a time.
pub struct Chunks<R> {
    reader: R,
    name: String,
    /// Lines read so far.
    line: usize,
    /// A line read ahead (it starts the next chunk), with its number.
    ahead: Option<(String, usize)>,
    /// An error met after a statement ended (a line that cannot be read,
    /// which starts the next one), or one that ends the script: told next.
    error: Option<ReadError>,
    done: bool,
}

/// What reading one line gave.
enum Line {
    Text(String),
    End,
}

impl<R: BufRead> Chunks<R> {
    /// Reads the script `name` (used in messages) from `reader`.
    pub fn new(name: &str, reader: R) -> Chunks<R> {
        Chunks {
            reader,
            name: name.to_string(),
            line: 0,
            ahead: None,
            error: None,
            done: false,
        }
    }

    /// The next chunk, an error, or `None` at the end of the script.
    pub fn next_chunk(&mut self) -> Option<Result<Chunk, ReadError>> {
        if let Some(e) = self.error.take() {
            return Some(Err(self.drop_statement(e)));
        }
        if self.done {
            return None;
        }
        let (mut text, first_line) = match self.ahead.take() {
            Some(ahead) => ahead,
            None => match self.read_line() {
                Ok(Line::Text(t)) => (t, self.line),
                Ok(Line::End) => {
                    self.done = true;
                    return None;
                }
                Err(e) => return Some(Err(self.drop_statement(e))),
            },
        };
        // Each line is looked at once (a long statement is not rescanned
        // for every line added to it).
        let mut ended = ends_statement(&text);
        while !ended {
            match self.read_line() {
                Ok(Line::Text(next)) if next.starts_with([' ', '\t']) => {
                    if text.len() + next.len() > MAX_STATEMENT {
                        return Some(Err(self.too_long(first_line)));
                    }
                    ended = ends_statement(&next);
                    text.push_str(&next);
                }
                Ok(Line::Text(next)) => {
                    self.ahead = Some((next, self.line));
                    break;
                }
                Ok(Line::End) => {
                    self.done = true;
                    break;
                }
                // A bad line of its own starts the next statement: this
                // one is whole.
                Err(e) if !e.continues => {
                    self.error = Some(e);
                    break;
                }
                Err(e) => return Some(Err(self.drop_statement(e))),
            }
        }
        Some(Ok(Chunk { text, first_line }))
    }

    /// After a line that could not be read: the statement it belongs to is
    /// dropped whole (run without that line it could mean something else:
    /// `findings` without its `where`), its other lines skipped.
    fn drop_statement(&mut self, e: ReadError) -> ReadError {
        if !e.recoverable {
            return self.fail(e);
        }
        loop {
            match self.read_line() {
                Ok(Line::Text(next)) if next.starts_with([' ', '\t']) => {}
                Ok(Line::Text(next)) => {
                    self.ahead = Some((next, self.line));
                    break;
                }
                Ok(Line::End) => {
                    self.done = true;
                    break;
                }
                Err(later) if later.recoverable => {}
                Err(later) => {
                    self.error = Some(later);
                    break;
                }
            }
        }
        e
    }

    /// One line with its line end, checked to be UTF-8 and not too long.
    fn read_line(&mut self) -> Result<Line, ReadError> {
        let mut bytes = Vec::new();
        let limit = (MAX_STATEMENT + 1) as u64;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| ReadError {
                message: format!("cannot read {}: {e}", self.name),
                recoverable: false,
                continues: false,
            })?;
        if read == 0 {
            return Ok(Line::End);
        }
        self.line += 1;
        if bytes.len() > MAX_STATEMENT {
            return Err(self.too_long(self.line));
        }
        if self.line == 1 && bytes.starts_with("\u{feff}".as_bytes()) {
            // A byte order mark (Notepad writes one) is not part of the script.
            bytes.drain(..3);
        }
        let continues = bytes.starts_with(b" ") || bytes.starts_with(b"\t");
        String::from_utf8(bytes)
            .map(Line::Text)
            .map_err(|e| ReadError {
                message: not_utf8(&self.name, self.line, e.as_bytes(), e.utf8_error()),
                recoverable: true,
                continues,
            })
    }

    /// A statement past [`MAX_STATEMENT`] ends the script: what follows
    /// (an endless line from `/dev/zero`, a stream of indented lines) could
    /// go on for ever, and nothing in it can be trusted to be a statement.
    fn too_long(&mut self, line: usize) -> ReadError {
        self.done = true;
        ReadError {
            message: format!(
                "{}:{line}:1: the statement is longer than {} MiB; the script is read no further (split it, e.g. with `let`)",
                self.name,
                MAX_STATEMENT >> 20
            ),
            recoverable: false,
            continues: false,
        }
    }

    fn fail(&mut self, e: ReadError) -> ReadError {
        if !e.recoverable {
            self.done = true;
        }
        e
    }
}

/// Whether a line ends its statement whatever follows: its last character
/// outside quoted text and comments is `;`.
fn ends_statement(line: &str) -> bool {
    let mut last = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => break,
            '"' => {
                last = Some('"');
                while let Some(c) = chars.next() {
                    match c {
                        '"' | '\n' => break,
                        '\\' => {
                            chars.next();
                        }
                        _ => {}
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => last = Some(c),
        }
    }
    last == Some(';')
}

/// `NAME:LINE:COLUMN: ...` for the first byte of a line that is not UTF-8
/// (the column counted in characters).
fn not_utf8(name: &str, line: usize, bytes: &[u8], e: std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    // Everything before `at` is valid, so this never fails.
    let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let column = before.chars().count() + 1;
    format!(
        "{name}:{line}:{column}: the script is not UTF-8 text (byte 0x{:02X}); save it as UTF-8",
        bytes[at]
    )
}

/// Larger scripts are run as they are read: 8 MiB of one-line statements
/// parse to about 150 MB of trees, held until they run.
const WHOLE: u64 = 8 << 20;

/// Whether `file` is a regular file small enough to read whole before
/// running it (see [`crate::executor::Executor::run_script`]); a pipe or
/// device is not.
#[cfg(unix)]
pub fn is_small_file(file: &impl std::os::fd::AsFd) -> bool {
    small(file.as_fd().try_clone_to_owned().map(std::fs::File::from))
}

/// Whether `file` is a regular file small enough to read whole before
/// running it; a pipe or console is not.
#[cfg(windows)]
pub fn is_small_file(file: &impl std::os::windows::io::AsHandle) -> bool {
    small(
        file.as_handle()
            .try_clone_to_owned()
            .map(std::fs::File::from),
    )
}

/// Whether `file` (a second handle on what was opened) is a regular file
/// of at most [`WHOLE`] bytes.
fn small(file: std::io::Result<std::fs::File>) -> bool {
    (file.and_then(|f| f.metadata())).is_ok_and(|m| m.is_file() && m.len() <= WHOLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &[u8]) -> Vec<Result<Chunk, String>> {
        let mut reader = Chunks::new("s.msq", text);
        let mut out = Vec::new();
        while let Some(c) = reader.next_chunk() {
            out.push(c.map_err(|e| e.message));
        }
        out
    }

    fn chunk(text: &str, first_line: usize) -> Result<Chunk, String> {
        Ok(Chunk {
            text: text.to_string(),
            first_line,
        })
    }

    #[test]
    fn statements_split_where_an_unindented_line_starts() {
        assert_eq!(
            chunks(b"findings\n  where fes > 3\n\n# note\nstudies"),
            [
                chunk("findings\n  where fes > 3\n", 1),
                chunk("\n", 3),
                chunk("# note\n", 4),
                chunk("studies", 5)
            ]
        );
    }

    #[test]
    fn a_semicolon_ends_a_chunk_without_waiting_for_the_next_line() {
        assert!(ends_statement("findings limit 1;\n"));
        assert!(ends_statement("findings; studies ;  \n"));
        assert!(!ends_statement("findings # done;\n"));
        assert!(!ends_statement("findings where name ~ \"a;\"\n"));
        assert!(!ends_statement("findings\n"));
    }

    #[test]
    fn a_bad_byte_is_placed_by_line_and_character_column() {
        // Line 2; "é" is one character, so the bad byte is column 4.
        let out = chunks(b"findings\nn\xc3\xa9 \xff x\nstudies\n");
        assert_eq!(out[0], chunk("findings\n", 1));
        assert_eq!(
            out[1],
            Err("s.msq:2:4: the script is not UTF-8 text (byte 0xFF); save it as UTF-8".into())
        );
        // Reading goes on after it.
        assert_eq!(out[2], chunk("studies\n", 3));
    }

    #[test]
    fn a_statement_with_a_bad_line_is_dropped_whole() {
        // `findings show id` ran without its `where` (all 24 ids).
        let out = chunks(
            b"findings show id\n  where fes > 40 and name ~ \"caf\xe9\"\n  and n > 1\nstudies\n",
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            out[0].as_ref().unwrap_err().starts_with("s.msq:2:"),
            "{out:?}"
        );
        assert_eq!(out[1], chunk("studies\n", 4));
    }

    #[test]
    fn a_statement_of_many_lines_is_one_chunk() {
        let mut text = String::from("findings where fes > 1\n");
        for _ in 0..40_000 {
            text.push_str("  and fes > 1\n");
        }
        let out = chunks(text.as_bytes());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().text.len(), text.len());
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            chunks("\u{feff}findings".as_bytes()),
            [chunk("findings", 1)]
        );
    }

    #[test]
    fn an_endless_line_is_an_error_after_a_bounded_read() {
        // What `metasum run /dev/zero` reads: no line end, ever.
        let zeros = std::io::BufReader::new(std::io::repeat(0).take(3 * MAX_STATEMENT as u64));
        let mut reader = Chunks::new("/dev/zero", zeros);
        let err = reader.next_chunk().unwrap().unwrap_err();
        assert!(
            err.message
                .starts_with("/dev/zero:1:1: the statement is longer than 1 MiB"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_statement_of_many_lines_past_the_limit_ends_the_script() {
        let line = format!("  and {}\n", "x".repeat(1000));
        let mut text = String::from("findings where a = 1\n");
        for _ in 0..(MAX_STATEMENT / line.len() + 1) {
            text.push_str(&line);
        }
        text.push_str("studies\n");
        let out = chunks(text.as_bytes());
        assert_eq!(out.len(), 1);
        assert!(out[0].as_ref().unwrap_err().starts_with("s.msq:1:1: "));
    }
}
