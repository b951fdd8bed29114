//! Dot commands (`.tables`, `.schema`, ...): one enum that parses them and
//! renders `.help` (here), and their carrying out ([`run`]), for the shell
//! and for scripts.

mod run;

#[allow(unused_imports)]
pub use run::Done;
#[cfg(test)]
pub use run::tables_text;
pub use run::{keep_json_for_a_file, run};

use std::path::PathBuf;

use metasum_engine::Format;

use crate::target::{figure_files, row_files};

/// A REPL command starting with `.`.
#[derive(Debug, Clone, PartialEq)]
pub enum DotCommand {
    Help,
    Tables,
    Schema(Option<String>),
    Format(Format),
    /// `None`: back to stdout.
    Output(Option<PathBuf>),
    /// The next statement's results to this file only.
    Once(PathBuf),
    /// Show how long each statement takes.
    Timer(bool),
    /// Column names at the head of tables and CSV, or not.
    Headers(bool),
    Read(PathBuf),
    Data(PathBuf),
    Lets,
    Quit,
}

/// Stands for `.format`'s usage in [`COMMANDS`]: the formats' names, from
/// [`Format::ALL`].
const FORMAT_USAGE: &str = ".format";

/// Usage and meaning of every command, in `.help` order (`.format`'s
/// usage lists the formats it takes).
pub fn commands() -> Vec<(String, &'static str)> {
    (COMMANDS.iter())
        .map(|&(usage, meaning)| match usage {
            FORMAT_USAGE => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                (format!("{FORMAT_USAGE} {}", names.join("|")), meaning)
            }
            usage => (usage.to_string(), meaning),
        })
        .collect()
}

/// Usage and meaning of every command, in `.help` order.
const COMMANDS: [(&str, &str); 12] = [
    (".help", "show this help"),
    (".tables", "list the tables and their row counts"),
    (
        ".schema [TABLE]",
        "columns of TABLE (or of every table) with types and meanings",
    ),
    (
        FORMAT_USAGE,
        "how results are written (xlsx, parquet, arrow: to an .output file)",
    ),
    (
        ".output FILE|stdout",
        "send results to FILE (rewritten whole after each statement; its extension names the format) or back to the screen",
    ),
    (
        ".once FILE",
        "send the next statement's results to FILE, then back to where they went",
    ),
    (".timer on|off", "show how long each statement takes"),
    (
        ".headers on|off",
        "column names at the head of tables and CSV, or the rows alone",
    ),
    (".read FILE", "run the statements of a script"),
    (
        ".data DIR",
        "switch to another dataset folder (let names are cleared)",
    ),
    (".lets", "list the names bound with let"),
    (".quit", "leave (Ctrl-D does too)"),
];

impl DotCommand {
    /// Parses a line that starts with `.`.
    pub fn parse(line: &str) -> Result<DotCommand, String> {
        let line = line.trim();
        let (name, arg) = match line.split_once(char::is_whitespace) {
            Some((n, a)) => (n, Some(a.trim()).filter(|a| !a.is_empty())),
            None => (line, None),
        };
        let need = |what: &str| {
            arg.map(str::to_string)
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name {
            ".help" | ".h" => Ok(DotCommand::Help),
            ".tables" => Ok(DotCommand::Tables),
            ".schema" => Ok(DotCommand::Schema(arg.map(str::to_string))),
            ".format" | ".mode" => need(&format!("a format: {}", Format::names()))?
                .parse()
                .map(DotCommand::Format),
            ".output" => Ok(DotCommand::Output(
                match need("a file, or stdout")?.as_str() {
                    "stdout" | "-" => None,
                    path => Some(PathBuf::from(path)),
                },
            )),
            ".once" => need("a file").map(|f| DotCommand::Once(f.into())),
            ".timer" | ".headers" => {
                let on = match need("on or off")?.as_str() {
                    "on" => true,
                    "off" => false,
                    other => return Err(format!("{name} takes on or off, not `{other}`")),
                };
                Ok(match name {
                    ".timer" => DotCommand::Timer(on),
                    _ => DotCommand::Headers(on),
                })
            }
            ".read" => need("a script file").map(|f| DotCommand::Read(f.into())),
            ".data" => need("a dataset folder").map(|d| DotCommand::Data(d.into())),
            ".lets" => Ok(DotCommand::Lets),
            ".quit" | ".exit" | ".q" => Ok(DotCommand::Quit),
            other => {
                let names: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(u, _)| u.split(' ').next().unwrap_or(u))
                    .collect();
                Err(format!(
                    "unknown command `{other}`; commands: {}",
                    names.join(" ")
                ))
            }
        }
    }

    /// The `.help` text: the language in brief, then the commands.
    pub fn help() -> String {
        let tables: Vec<&str> = (metasum_query::ast::TABLES.iter())
            .map(|t| t.name())
            .collect();
        let mut out = format!(
            "A statement asks one question; it ends at `;` or the end of the line.\n\
             \n\
             \x20 TABLE [among SET] [where CONDITION] [count by COLUMN, ...]\n\
             \x20       [sort by COLUMN [desc], ...] [limit N] [show COLUMN, ...]\n\
             \x20 let NAME = QUERY          name a result: a table, or an `among` set\n\
             \x20 plot fes|matrix|sensitivity [QUERY] [title \"T\"] [caption \"C\"]\n\
             \x20                          a figure of findings (SVG); plot flow\n\
             \x20 STATEMENT save \"FILE\"     its result to FILE, not the screen\n\
             \n\
             Tables: {}.\n\
             Conditions: fes > 30, perspective = recipient (= != < <= > >=),\n\
             \x20 quality in (low, adequate), studies has 13, name ~ \"pay\" (contains),\n\
             \x20 country is missing; joined with and, or, not and parentheses.\n\
             A column whose name is not a plain word goes in backquotes: `Sample size`.\n\
             Example: findings among (studies where quality != low) where fes > 30\n\
             \n",
            tables.join(", ")
        );
        let commands = commands();
        let width = commands.iter().map(|(u, _)| u.len()).max().unwrap_or(0);
        for (usage, meaning) in commands {
            out.push_str(&format!("  {usage:width$}  {meaning}\n"));
        }
        out.push_str(&format!(
            "\nTab completes keywords, tables, columns and values; a second Tab lists\n\
             what can come next. A line that leaves its statement open (an open `(`,\n\
             a trailing `where`, `and`, `or` or `,`) continues on the next, after\n\
             `...>`; Ctrl-C drops it. A pasted script runs statement by statement.\n\
             `save \"FILE\"` after a statement writes its result to FILE\n\
             ({} for rows;\n\
             {} for a figure).\n",
            row_files(),
            figure_files()
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command_in_the_help() {
        for (usage, _) in commands() {
            let line = usage
                .replace("[TABLE]", "findings")
                .replace("table|csv|json|markdown|xlsx|parquet|arrow|line", "csv")
                .replace("FILE|stdout", "stdout")
                .replace("on|off", "on")
                .replace("FILE", "x.msq")
                .replace("DIR", "datasets/x");
            assert!(DotCommand::parse(&line).is_ok(), "{line}");
            assert!(DotCommand::help().contains(&usage));
        }
    }

    #[test]
    fn help_explains_the_language_without_pointing_at_a_file() {
        let help = DotCommand::help();
        for table in metasum_query::ast::TABLES {
            assert!(help.contains(table.name()), "{}", table.name());
        }
        for form in [
            "let NAME = QUERY",
            "plot fes|matrix|sensitivity",
            "caption",
            "among SET",
            "is missing",
        ] {
            assert!(help.contains(form), "{form}");
        }
        assert!(!help.contains("docs/"), "{help}");
        // Every example in it parses.
        assert!(
            metasum_query::parse("findings among (studies where quality != low) where fes > 30")
                .is_ok()
        );
        assert!(
            metasum_query::parse(
                "studies where `Sample size` > 10 and name ~ \"pay\" and country is missing"
            )
            .is_ok()
        );
    }

    #[test]
    fn arguments_are_parsed() {
        assert_eq!(
            DotCommand::parse(".format markdown"),
            Ok(DotCommand::Format(Format::Markdown))
        );
        assert_eq!(
            DotCommand::parse(".output stdout"),
            Ok(DotCommand::Output(None))
        );
        assert_eq!(DotCommand::parse(".schema"), Ok(DotCommand::Schema(None)));
        assert!(DotCommand::parse(".format").unwrap_err().contains("needs"));
        // `.help` names every format `.format` takes.
        let (usage, _) = (commands().into_iter())
            .find(|(u, _)| u.starts_with(".format"))
            .unwrap();
        let listed: Vec<&str> = usage[".format ".len()..].split('|').collect();
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(listed, names);
        assert!(
            DotCommand::parse(".frobnicate")
                .unwrap_err()
                .contains("unknown command")
        );
    }
}
