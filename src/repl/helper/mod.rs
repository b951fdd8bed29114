//! The rustyline helper: Tab completes keywords, tables, columns, `let`
//! names and text values, with what the parser expects next. (Whether a
//! statement is open is decided by the reading loop, [`super::input`], so
//! that each line gets its prompt.)

use std::collections::BTreeMap;

use metasum_engine::Session;
use metasum_engine::polars::prelude::*;
use metasum_engine::table::{ColumnType, TableKind};
use metasum_query::ast::{
    Figure, KEYWORDS, Plot, Query, SourceKind, Statement, StatementKind, TABLES, column_text,
};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::dot::commands;

/// Text columns with more distinct values than this are not completed.
const MAX_VALUES: usize = 500;

/// A review with more links than this has its tables' values read from
/// the stored rows, and only its small tables run, at start-up.
const MAX_LINKS: usize = 100_000;

/// In such a review, the tables of the review's text are run for their
/// values only when they have at most this many rows.
const MAX_ROWS: usize = 10_000;

/// What completion draws on, refreshed after each statement.
#[derive(Debug, Default)]
pub struct MetasumHelper {
    /// Columns of each table and `let` name.
    columns: BTreeMap<String, Vec<String>>,
    /// Distinct values of text columns: (table, column) -> values.
    values: BTreeMap<(String, String), Vec<String>>,
    lets: Vec<String>,
    /// The open statement the line being typed continues (as a script,
    /// ending in a continuation), or empty.
    pending: String,
}

impl MetasumHelper {
    /// Completion data for the session's dataset and names: each table's
    /// columns from its plan, and the distinct values of its text columns.
    /// In a large review the values come from the stored rows and the
    /// small tables: running every table started a shell on 20M links in
    /// 13.7 s and 1.6 GB.
    pub fn new(session: &Session) -> MetasumHelper {
        let mut helper = MetasumHelper::default();
        let large = (session.dataset().links()).is_ok_and(|links| links.height() > MAX_LINKS);
        // Not the matrix: its columns are the studies (thousands in a large
        // review), and its other columns are the findings'.
        for table in TABLES.iter().filter(|t| **t != SourceKind::Matrix) {
            let name = table.name();
            let Ok(script) = metasum_query::parse(name) else {
                continue;
            };
            let Some(metasum_query::ast::StatementKind::Query(q)) =
                script.statements.first().map(|s| &s.kind)
            else {
                continue;
            };
            if let Ok(columns) = session.columns_of(q) {
                let names = columns.into_iter().map(|(c, _)| c).collect();
                helper.columns.insert(name.to_string(), names);
            }
            helper.learn_values_of(session, table, q, large);
        }
        helper.refresh_lets(session);
        helper
    }

    /// The text values of `table` (queried by `q`): from its rows, or in a
    /// `large` review from the stored rows, and only from the small tables
    /// of the review's text besides.
    fn learn_values_of(&mut self, session: &Session, table: &SourceKind, q: &Query, large: bool) {
        let name = table.name();
        let run = |helper: &mut MetasumHelper| {
            if let Ok(result) = session.query(q) {
                helper.learn_values(name, &result.frame);
            }
        };
        let (ds, kind) = match metasum_engine::registry::of_source(table) {
            Some(def) if large => (session.dataset(), def.kind),
            // Every table of a review of up to 100,000 links runs in
            // milliseconds.
            _ => return run(self),
        };
        // The views add numbers and lists to the stored rows.
        let stored = match kind {
            TableKind::Findings => Some(&ds.findings),
            TableKind::Studies => Some(&ds.studies),
            TableKind::Papers => Some(&ds.papers),
            _ => None,
        };
        if let Some(frame) = stored {
            return self.learn_values(name, frame);
        }
        // The others are computed from the links or another version.
        let text = matches!(
            kind,
            TableKind::Claims | TableKind::Citations | TableKind::Search | TableKind::Cerqual
        );
        if text && metasum_engine::registry::rows(ds, kind).is_some_and(|n| n <= MAX_ROWS) {
            run(self);
        }
    }

    /// The line about to be read continues `pending` (see
    /// [`super::input::read`]).
    pub fn set_pending(&mut self, pending: &str) {
        pending.clone_into(&mut self.pending);
    }

    /// Picks up `let` names bound since the last call.
    pub fn refresh_lets(&mut self, session: &Session) {
        self.lets = session.lets().keys().cloned().collect();
        for (name, binding) in session.lets() {
            if !self.columns.contains_key(name) {
                self.learn(name, &binding.frame);
            }
        }
    }

    fn learn(&mut self, table: &str, frame: &DataFrame) {
        let names = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        self.columns.insert(table.to_string(), names);
        self.learn_values(table, frame);
    }

    /// The distinct values of the text columns of `frame`, rows of `table`.
    fn learn_values(&mut self, table: &str, frame: &DataFrame) {
        for column in frame.columns() {
            if ColumnType::of(column.dtype()) != ColumnType::Text {
                continue;
            }
            let Ok(unique) = column.as_materialized_series().unique() else {
                continue;
            };
            if unique.len() > MAX_VALUES {
                continue;
            }
            let Ok(strings) = unique.str() else { continue };
            let mut values: Vec<String> = strings.iter().flatten().map(str::to_string).collect();
            values.sort();
            self.values
                .insert((table.to_string(), column.name().to_string()), values);
        }
    }

    /// Candidates for the word that ends at `pos` in `line`, and where it starts.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        // A backquoted column name being typed: complete from its backquote.
        let start = start - usize::from(before[..start].ends_with('`'));
        let prefix = &before[start..];
        if before.trim_start().starts_with('.') && !before.trim_start().contains(' ') {
            let names = (commands().into_iter())
                .map(|(u, _)| u.split(' ').next().unwrap_or(&u).to_string());
            return (start, matching(names, prefix));
        }
        if naming_a_file(before) {
            return (start, Vec::new());
        }
        let statement = &before[before.rfind(';').map_or(0, |i| i + 1)..];
        let table = source_table(statement);
        if let (Some(table), Some(column)) = (table, column_before_value(&before[..start]))
            && let Some(values) = self.values.get(&(table.to_string(), column.to_string()))
        {
            let quoted = values.iter().map(|v| quote_if_needed(v));
            return (start, matching(quoted, prefix));
        }
        let columns = || -> Vec<String> {
            (table
                .and_then(|t| self.columns.get(t))
                .into_iter()
                .flatten())
            .map(|c| column_text(c).into_owned())
            .collect()
        };
        let mut words: Vec<String> = match expected_next(&before[..start]) {
            // Only what can come next, columns first where one belongs.
            Some(Next::Columns { not }) => {
                let mut words = columns();
                words.sort();
                words.extend(not.then(|| "not".to_string()));
                return (start, matching(words.into_iter(), prefix));
            }
            Some(Next::Sources { start, save }) => {
                let mut words: Vec<String> = TABLES.iter().map(|t| t.name().to_string()).collect();
                words.extend(self.lets.iter().cloned());
                if start {
                    words.extend(["let", "plot"].map(String::from));
                }
                if save {
                    words.push("save".to_string());
                }
                words
            }
            Some(Next::Sets) => self.lets.clone(),
            Some(Next::Words(words)) => words.iter().map(|w| w.to_string()).collect(),
            None => {
                let mut words: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
                words.extend(TABLES.iter().map(|t| t.name().to_string()));
                words.extend(self.lets.iter().cloned());
                words.extend(columns());
                words
            }
        };
        words.sort();
        words.dedup();
        (start, matching(words.into_iter(), prefix))
    }
}

/// What the parser expects after `head` (the text before the word being
/// completed), when it can tell.
enum Next {
    /// A column (`sort by `, `show id, `); in a condition also `not`.
    Columns { not: bool },
    /// A table or a `let` name (and, at a statement's `start`, `let` or
    /// `plot`).
    Sources { start: bool, save: bool },
    /// A `let` name (after `among`).
    Sets,
    /// One of these words.
    Words(&'static [&'static str]),
}

/// Asks the parser what may follow `head`: the expectation of an error at
/// its end, or (when `head` is a whole statement) a clause or a
/// connective.
fn expected_next(head: &str) -> Option<Next> {
    let statement = head.rsplit(';').next().unwrap_or(head);
    if statement.trim().is_empty() {
        return Some(Next::Sources {
            start: true,
            save: false,
        });
    }
    let errors = match metasum_query::parse(statement) {
        Ok(script) => return Some(after_a_whole(script.statements.last()?)),
        Err(errors) => errors,
    };
    // Only an error at the end says what comes next; one before it means
    // the text is wrong, and anything may be meant.
    let last = errors.last()?;
    if last.span.start < statement.trim_end().len() {
        return None;
    }
    use metasum_query::Expect;
    match last.expected.first()? {
        Expect::Condition => Some(Next::Columns { not: true }),
        Expect::Column => Some(Next::Columns { not: false }),
        Expect::Source => Some(Next::Sources {
            start: false,
            save: false,
        }),
        // A file name, or nothing after one.
        Expect::Path | Expect::End => Some(Next::Words(&[])),
        Expect::Set => Some(Next::Sets),
        Expect::Figure => Some(Next::Words(FIGURES.as_slice())),
        Expect::By => Some(Next::Words(&["by"])),
        Expect::Missing => Some(Next::Words(&["missing", "not"])),
        Expect::Operator => Some(Next::Words(&["in", "not", "has", "is"])),
        _ => None,
    }
}

/// Whether the cursor is in the file name of a `save` clause (`save "fi`):
/// a file name is not completed. Quotes are followed through the whole
/// input (`save "x;stu` is one name), `\"` escaping one.
fn naming_a_file(before: &str) -> bool {
    let mut open = None;
    let mut escaped = false;
    for (at, c) in before.char_indices() {
        match c {
            '\\' if open.is_some() && !escaped => {
                escaped = true;
                continue;
            }
            '"' if open.is_some() && !escaped => open = None,
            '"' if open.is_none() => open = Some(at),
            _ => {}
        }
        escaped = false;
    }
    open.is_some_and(|at| {
        let word = before[..at].trim_end();
        word.len() >= 4
            && word.is_char_boundary(word.len() - 4)
            && word[word.len() - 4..].eq_ignore_ascii_case("save")
    })
}

/// The figures' names, for `plot `.
static FIGURES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| Figure::ALL.iter().map(|f| f.name()).collect());

/// What may follow a whole statement: a clause or a connective, then
/// `save`; after `plot fes` a query too; nothing after `save "FILE"`.
fn after_a_whole(statement: &Statement) -> Next {
    match &statement.kind {
        _ if statement.save.is_some() => Next::Words(&[]),
        StatementKind::Plot(Plot {
            figure: Figure::Flow,
            ..
        }) => Next::Words(&["title", "caption", "save"]),
        StatementKind::Plot(Plot { query: None, .. }) => Next::Sources {
            start: false,
            save: true,
        },
        StatementKind::Plot(_) => Next::Words(&[
            "among", "where", "and", "or", "count", "sort", "asc", "desc", "limit", "show",
            "title", "caption", "save",
        ]),
        _ => Next::Words(&[
            "among", "where", "and", "or", "count", "sort", "asc", "desc", "limit", "show", "save",
        ]),
    }
}

fn matching(words: impl Iterator<Item = String>, prefix: &str) -> Vec<String> {
    let lower = prefix.trim_start_matches('`').to_lowercase();
    words
        .filter(|w| {
            w.trim_start_matches(['"', '`'])
                .to_lowercase()
                .starts_with(&lower)
        })
        .collect()
}

fn quote_if_needed(v: &str) -> String {
    let bare = v
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !metasum_query::ast::is_keyword(v);
    if bare {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The table a statement reads: its first word, after `let NAME =`.
fn source_table(statement: &str) -> Option<&str> {
    let mut words = statement.split_whitespace();
    let first = words.next()?;
    if first.eq_ignore_ascii_case("let") {
        let _name = words.next()?;
        let rest = statement.split_once('=')?.1;
        return rest
            .split_whitespace()
            .next()
            .map(|w| w.trim_start_matches('('));
    }
    Some(first)
}

/// The column whose value is being typed: `perspective = rec`, `x != `, or
/// inside `x in (a, `.
fn column_before_value(before: &str) -> Option<&str> {
    let t = before.trim_end();
    let t = if let Some(open) = t.rfind('(').filter(|&i| !t[i..].contains(')')) {
        let head = t[..open].trim_end();
        if !head.to_lowercase().ends_with(" in") {
            return None;
        }
        &head[..head.len() - 2]
    } else {
        t.strip_suffix("!=").or_else(|| t.strip_suffix('='))?
    };
    let t = t.trim_end();
    if let Some(quoted) = t.strip_suffix('`') {
        // `` `Study design` = ``: the name between the backquotes.
        return quoted.rfind('`').map(|open| &quoted[open + 1..]);
    }
    t.rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .filter(|w| !w.is_empty())
}

impl Completer for MetasumHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        // The open statement comes before the line, so that the parser
        // knows what the line continues.
        let (start, words) = if self.pending.is_empty() {
            self.candidates(line, pos)
        } else {
            let whole = format!("{}{line}", self.pending);
            let (start, words) = self.candidates(&whole, self.pending.len() + pos);
            (start.saturating_sub(self.pending.len()), words)
        };
        Ok((
            start,
            words
                .into_iter()
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

impl Validator for MetasumHelper {}

impl Hinter for MetasumHelper {
    type Hint = String;
}

impl Highlighter for MetasumHelper {}

impl Helper for MetasumHelper {}

#[cfg(test)]
mod tests;
