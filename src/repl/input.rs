//! What the shell reads: a line at a time, with a `...>` prompt while a
//! statement is open, until it has whole statements or a dot command.
//! Lines typed or pasted run as a script would, except that a line after an
//! open statement (a trailing `where`, `and`, `,` or an open `(`) continues
//! it.

use rustyline::Editor;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::helper::MetasumHelper;
use crate::output::error;

/// The prompt for a new statement.
pub const PROMPT: &str = "metasum> ";
/// The prompt while a statement is open (as wide as [`PROMPT`]).
pub const CONTINUE: &str = "    ...> ";

/// What the person gave the shell.
pub enum Input {
    /// A dot command (`.help`), as typed.
    Dot(String),
    /// Statements, as a script (see [`as_script`]); `last` when they were
    /// left open at Ctrl-D: run them (their error says what is missing),
    /// then leave.
    Statements { script: String, last: bool },
    /// Ctrl-C on an empty line: nothing to do.
    Nothing,
    /// Ctrl-D on an empty line, or the terminal is gone.
    End,
}

/// Reads lines until they make whole statements or a dot command. Every
/// line read is kept (a paste arrives as lines, and each is a statement or
/// part of one); Ctrl-C drops an open statement.
pub fn read(editor: &mut Editor<MetasumHelper, FileHistory>) -> Input {
    let mut pending = String::new();
    loop {
        if let Some(helper) = editor.helper_mut() {
            helper.set_pending(&as_open_script(&pending));
        }
        let prompt = if pending.is_empty() { PROMPT } else { CONTINUE };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) if pending.is_empty() => return Input::Nothing,
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) if pending.is_empty() => return Input::End,
            Err(ReadlineError::Eof) => {
                return Input::Statements {
                    script: as_script(&pending),
                    last: true,
                };
            }
            Err(e) => {
                error!("{e}");
                return Input::End;
            }
        };
        if pending.is_empty() {
            if line.trim().is_empty() {
                continue;
            }
            if line.trim_start().starts_with('.') {
                let _ = editor.add_history_entry(line.as_str());
                return Input::Dot(line);
            }
        } else {
            pending.push('\n');
        }
        pending.push_str(&line);
        let script = as_script(&pending);
        if !metasum_query::is_incomplete(&script) {
            let _ = editor.add_history_entry(pending.as_str());
            return Input::Statements {
                script,
                last: false,
            };
        }
    }
}

/// The shell's lines as a script: a line that follows an open statement is
/// indented, so that it continues the statement (`findings where` then
/// `fes > 30` is one query); any other line is as typed (a pasted script
/// runs as the file would).
pub fn as_script(lines: &str) -> String {
    let mut script = String::with_capacity(lines.len() + 16);
    // Where the statement being read starts in `script`.
    let mut statement = 0;
    for (i, line) in lines.split('\n').enumerate() {
        if i > 0 {
            script.push('\n');
            let indented = line.starts_with([' ', '\t']);
            // Only an unindented line can start a statement; whether it
            // does depends on the one before it being whole.
            if !indented && metasum_query::is_incomplete(&script[statement..]) {
                script.push(' ');
            } else if !indented {
                statement = script.len();
            }
        }
        script.push_str(line);
    }
    script
}

/// [`as_script`] of an open statement, ready for the next line: what the
/// completer reads before the line being typed.
fn as_open_script(lines: &str) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut script = as_script(lines);
    script.push_str("\n ");
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_after_an_open_statement_continues_it() {
        assert_eq!(
            as_script("findings where\nfes > 30"),
            "findings where\n fes > 30"
        );
        assert_eq!(
            as_script("findings where fes > 3 and\n(n > 2 or\nn < 1)"),
            "findings where fes > 3 and\n (n > 2 or\n n < 1)"
        );
        assert_eq!(
            as_script("findings show id,\nname"),
            "findings show id,\n name"
        );
        for open in [
            "findings where",
            "findings among (studies",
            "findings show id,",
        ] {
            assert!(metasum_query::is_incomplete(&as_script(open)), "{open}");
        }
    }

    #[test]
    fn a_pasted_script_is_the_script() {
        for script in [
            "findings limit 1\nstudies limit 1\nplot fes",
            "findings\n  where fes > 30\nstudies",
            "findings limit 1; studies limit 1\n# a comment\nfindings",
            "findings wher x\nstudies",
        ] {
            assert_eq!(as_script(script), script);
        }
        let parsed =
            metasum_query::parse(&as_script("findings limit 1\nstudies limit 1\nplot fes"));
        assert_eq!(parsed.unwrap().statements.len(), 3);
        // A statement left open, then whole ones after it.
        assert_eq!(
            as_script("findings where\nfes > 30\nstudies"),
            "findings where\n fes > 30\nstudies"
        );
    }

    #[test]
    fn the_completer_reads_the_open_statement_before_the_line() {
        assert_eq!(as_open_script(""), "");
        assert_eq!(as_open_script("findings where"), "findings where\n ");
    }
}
