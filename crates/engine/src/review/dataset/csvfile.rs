//! Reading one CSV file of a dataset into typed columns, with every bad cell
//! reported by line and column.

use std::collections::HashMap;

use metasum_query::error::excerpt;

use polars::prelude::*;

use super::cells::{Builder, Row, finish_column};
use crate::problem::{MAX_LISTED, Problem};

pub use super::cells::{MAX_COUNT, parse_bool};

/// What a known column holds, and so how each cell is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A positive whole number that must be present (the evidence links'
    /// fast path, when both their tables have whole-number ids).
    Id,
    /// An id or a reference to one, as written (`7`, `Smith2019`), that
    /// must be present; [`super::keys::Keys`] turns it into a number.
    Key,
    /// A whole number, possibly empty (`year`).
    Int,
    /// A count: a whole number from 0 to [`MAX_COUNT`], possibly empty
    /// (participants).
    Count,
    /// A number with or without decimals, possibly empty (`reported_fes`).
    Float,
    /// `true`/`false` (also `yes`/`no`), possibly empty.
    Bool,
    /// Free text, possibly empty.
    Text,
}

/// The problems of a file's rows past the first [`MAX_LISTED`] (those
/// told from `listed_from` on), and the `not_listed` ones counted before,
/// told as one count.
pub(super) fn tell_unlisted(
    file: &str,
    listed_from: usize,
    mut not_listed: usize,
    problems: &mut Vec<Problem>,
) {
    not_listed += cap(listed_from, problems);
    if not_listed > 0 {
        problems.push(Problem::unlisted(
            file,
            not_listed,
            format!("and {not_listed} more problems in its rows, not listed"),
        ));
    }
}

/// The problems told from `listed_from` on cut to the first
/// [`MAX_LISTED`]; how many were cut.
fn cap(listed_from: usize, problems: &mut Vec<Problem>) -> usize {
    let kept = listed_from + MAX_LISTED;
    let cut = problems.len().saturating_sub(kept);
    problems.truncate(kept);
    cut
}

/// The header line of a CSV file: its column names (a byte order mark
/// dropped), or `None` with the problem told.
fn read_header(
    file: &str,
    bytes: &[u8],
    reader: &mut csv::Reader<&[u8]>,
    problems: &mut Vec<Problem>,
) -> Option<Vec<String>> {
    let mut header = csv::ByteRecord::new();
    match read_trimmed(reader, &mut header) {
        Ok(true) => {}
        Ok(false) => {
            problems.push(Problem::file(
                file,
                "file is empty (expected a header line)",
            ));
            return None;
        }
        Err(e) => {
            problems.push(csv_problem(file, bytes, &e));
            return None;
        }
    }
    let mut headers = Vec::with_capacity(header.len());
    for field in header.iter() {
        match std::str::from_utf8(field) {
            Ok(name) => headers.push(name.trim_start_matches('\u{feff}').to_string()),
            Err(_) => {
                problems.push(Problem::at(file, 1, "header is not valid UTF-8 text"));
                return None;
            }
        }
    }
    Some(headers)
}

/// A column the dataset format knows about.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec<'a> {
    /// Header name.
    pub name: &'a str,
    /// Cell type.
    pub kind: Kind,
    /// Whether the file must have this column.
    pub required: bool,
}

/// A CSV file read into a polars frame, with what is needed to point back at
/// its lines.
pub struct ReadTable {
    /// The typed frame: known columns with their kind, extra columns typed by
    /// what all their cells parse as.
    pub frame: DataFrame,
    /// Where each row starts in the file.
    pub lines: Lines,
}

/// The 1-based line each row of a [`ReadTable`] starts on.
pub enum Lines {
    /// Listed row by row (blank lines skipped, quoted cells over several
    /// lines).
    Listed(Vec<u64>),
    /// One row per line after the header: row `r` is on line `r + 2`.
    AfterHeader,
}

impl ReadTable {
    /// The 1-based line row `row` starts on.
    pub fn line(&self, row: usize) -> u64 {
        match &self.lines {
            Lines::Listed(lines) => lines[row],
            Lines::AfterHeader => row as u64 + 2,
        }
    }
}

/// Reads `bytes` (the contents of `file`) against the known `specs`.
///
/// Returns `None` when the file cannot be read as CSV at all; every problem
/// found is appended to `problems` either way.
pub fn read_table(
    file: &str,
    bytes: &[u8],
    specs: &[ColumnSpec],
    problems: &mut Vec<Problem>,
) -> Option<ReadTable> {
    let mut rows = CsvRows::open(file, bytes, specs, problems)?;
    let headers = rows.headers.clone();
    let kinds: Vec<Option<Kind>> = headers
        .iter()
        .map(|h| specs.iter().find(|s| s.name == h).map(|s| s.kind))
        .collect();
    // About one row per 40 bytes: room for most files' rows at once.
    let rows_guess = bytes.len() / 40;
    let mut builders: Vec<Builder> = (kinds.iter().zip(&headers))
        .map(|(kind, name)| Builder::of(*kind, name, rows_guess))
        .collect();
    let mut lines = Vec::with_capacity(rows_guess);
    // One record reused for every row: no allocation per row.
    let mut record = csv::ByteRecord::new();
    while let Some(line) = rows.next(&mut record, problems).ok()? {
        lines.push(line);
        let row = Row {
            file,
            line,
            headers: &headers,
            kinds: &kinds,
        };
        row.push(&record, &mut builders, problems);
    }

    let height = lines.len();
    let columns: Vec<Column> = (headers.iter().zip(builders))
        .map(|(name, b)| finish_column(name, b))
        .collect();
    let listed = (rows.listed_from + MAX_LISTED).saturating_sub(problems.len());
    if let Some(ids) = headers.iter().position(|h| h == "id") {
        let unlisted = repeated_ids(file, &columns[ids], &lines, listed, problems);
        rows.not_listed += unlisted;
    }
    // Rows left out (of the wrong length): the table is then incomplete,
    // and nothing may be checked against it (its ids would be missing).
    if rows.finish(problems) {
        return None;
    }
    match DataFrame::new(height, columns) {
        Ok(frame) => Some(ReadTable {
            frame,
            lines: Lines::Listed(lines),
        }),
        Err(e) => {
            problems.push(Problem::file(
                file,
                format!("could not build the table: {e}"),
            ));
            None
        }
    }
}

/// The one configuration of the CSV reader: the header read as a row,
/// and flexible: a row of the wrong length is reported with its line and
/// reading goes on (the csv crate would stop at it). Its records are read
/// by [`read_trimmed`].
fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// The next record of `reader` into `record`, each field trimmed of ASCII
/// whitespace, as the csv crate's `Trim::All` would. That option makes a
/// new record for every row, trimmed or not: 27% of reading a
/// 100,000-row `studies.csv` (perf, round six). Here only a row with
/// something to trim pays for it.
fn read_trimmed(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::ByteRecord,
) -> csv::Result<bool> {
    let read = reader.read_byte_record(record)?;
    let padded = |field: &[u8]| {
        field.first().is_some_and(u8::is_ascii_whitespace)
            || field.last().is_some_and(u8::is_ascii_whitespace)
    };
    if record.iter().any(padded) {
        record.trim();
    }
    Ok(read)
}

/// The column names of the header of `bytes` (the contents of `file`), read
/// as [`CsvRows`] reads them, for a reader that checks them its own way;
/// `None` when there is no header (told).
pub(super) fn header_of(
    file: &str,
    bytes: &[u8],
    problems: &mut Vec<Problem>,
) -> Option<Vec<String>> {
    read_header(file, bytes, &mut csv_reader(bytes), problems)
}

/// The rows of a CSV file, read the one way every file of a review is
/// read (the typed tables by [`read_table`], the others' readers by
/// records): a header of UTF-8 names (a byte order mark dropped) checked
/// against the known columns, fields trimmed, blank rows (or rows of commas
/// only, as a spreadsheet writes an empty row) skipped, a row of the wrong
/// length told at its line and left out, and past [`MAX_LISTED`] problems
/// in the rows the rest only counted (a file of millions of bad cells would
/// otherwise hold a problem each).
pub(super) struct CsvRows<'a> {
    file: &'a str,
    bytes: &'a [u8],
    reader: csv::Reader<&'a [u8]>,
    /// The header's column names.
    pub headers: Vec<String>,
    /// Whether a row of the wrong length was left out.
    pub rows_left_out: bool,
    /// Where the problems of the rows start.
    pub listed_from: usize,
    /// Problems past the listed ones, counted.
    pub not_listed: usize,
}

impl<'a> CsvRows<'a> {
    /// `bytes` (the contents of `file`) with its header read and checked
    /// against `specs`; `None` when it has no usable header (told).
    pub fn open(
        file: &'a str,
        bytes: &'a [u8],
        specs: &[ColumnSpec],
        problems: &mut Vec<Problem>,
    ) -> Option<CsvRows<'a>> {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            problems.push(Problem::file(
                file,
                "file is empty (expected a header line)",
            ));
            return None;
        }
        let mut reader = csv_reader(bytes);
        let headers = read_header(file, bytes, &mut reader, problems)?;
        let before = problems.len();
        check_headers(file, &headers, specs, problems);
        if problems.len() > before {
            return None;
        }
        Some(CsvRows {
            file,
            bytes,
            reader,
            headers,
            rows_left_out: false,
            listed_from: problems.len(),
            not_listed: 0,
        })
    }

    /// The line of the next row as long as the header, read into `record`;
    /// `Ok(None)` at the end, `Err(())` where the file stops being CSV
    /// (told).
    pub fn next(
        &mut self,
        record: &mut csv::ByteRecord,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<u64>, ()> {
        loop {
            self.not_listed += cap(self.listed_from, problems);
            match read_trimmed(&mut self.reader, record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    problems.push(csv_problem(self.file, self.bytes, &e));
                    return Err(());
                }
            }
            let line = record.position().map_or(0, |p| line_of(self.bytes, p));
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            if record.len() != self.headers.len() {
                problems.push(Problem::at(
                    self.file,
                    line,
                    format!(
                        "row has {} fields, but the header has {}{}",
                        record.len(),
                        self.headers.len(),
                        separator_hint(record)
                    ),
                ));
                self.rows_left_out = true;
                continue;
            }
            return Ok(Some(line));
        }
    }

    /// The problems past the listed ones told as one count; whether rows
    /// were left out.
    pub fn finish(self, problems: &mut Vec<Problem>) -> bool {
        tell_unlisted(self.file, self.listed_from, self.not_listed, problems);
        self.rows_left_out
    }
}

/// Tells each id of the `ids` column (rows on `lines`) that repeats an
/// earlier one, up to `listed` of them; returns how many more there were.
/// Ids are compared as read: whole numbers, or text borrowed from the
/// column (hashing an owned copy of each was a sixth of reading a
/// 100,000-row `studies.csv`).
fn repeated_ids(
    file: &str,
    ids: &Column,
    lines: &[u64],
    listed: usize,
    problems: &mut Vec<Problem>,
) -> usize {
    let (mut told, mut unlisted) = (0, 0);
    let mut tell = |row: usize, first: u64, id: &dyn std::fmt::Display| {
        if told < listed {
            told += 1;
            let problem = Problem::cell(file, lines[row], "id", format!("id {id} repeats"));
            problems.push(problem.repeating(first));
        } else {
            unlisted += 1;
        }
    };
    // polars' fast hash: with std's SipHash, ids read as text cost 1 ms
    // per 10,000 rows here.
    if let Ok(numbers) = ids.i64() {
        let mut seen: PlHashMap<i64, u64> = PlHashMap::with_capacity(numbers.len());
        for (row, id) in numbers.iter().enumerate() {
            let Some(id) = id else { continue };
            let first = *seen.entry(id).or_insert(lines[row]);
            if first != lines[row] {
                tell(row, first, &id);
            }
        }
    } else if let Ok(texts) = ids.str() {
        let mut seen: PlHashMap<&str, u64> = PlHashMap::with_capacity(texts.len());
        for (row, id) in texts.iter().enumerate() {
            let Some(id) = id else { continue };
            let first = *seen.entry(id).or_insert(lines[row]);
            if first != lines[row] {
                tell(row, first, &id);
            }
        }
    }
    unlisted
}

fn check_headers(
    file: &str,
    headers: &[String],
    specs: &[ColumnSpec],
    problems: &mut Vec<Problem>,
) {
    // Queries name columns in any case, so `Quality` and `quality` would be
    // one name for two columns.
    let mut seen: HashMap<String, &str> = HashMap::new();
    for h in headers {
        if h.is_empty() {
            problems.push(Problem::at(file, 1, "header has an empty column name"));
            continue;
        }
        match seen.insert(h.to_lowercase(), h) {
            Some(first) if first == h => problems.push(Problem::at(
                file,
                1,
                format!("column `{h}` appears twice in the header"),
            )),
            Some(first) => problems.push(Problem::at(
                file,
                1,
                format!(
                    "columns `{first}` and `{h}` differ only in case (queries name columns in any case); rename one"
                ),
            )),
            None => {}
        }
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !headers.iter().any(|h| h == spec.name) {
            let shown: Vec<String> = headers.iter().map(|h| excerpt(h)).collect();
            problems.push(Problem::at(
                file,
                1,
                format!(
                    "missing required column `{}` (header has: {}){}",
                    spec.name,
                    shown.join(", "),
                    header_separator_hint(headers)
                ),
            ));
        }
    }
}

/// A hint when a one-field header holds `;` or tabs: a file saved with
/// another separator (European Excel saves "CSV" with `;`).
fn header_separator_hint(headers: &[String]) -> String {
    match headers {
        [one] if one.contains(';') => {
            "; the header is separated by `;`, as Excel saves CSV in some languages: save the file as comma-separated CSV (in Excel: CSV UTF-8 (Comma delimited))".into()
        }
        [one] if one.contains('\t') => {
            "; the header is separated by tabs: save the file as comma-separated CSV".into()
        }
        _ => String::new(),
    }
}

/// What may be wrong with a row of the wrong length: a row of one field
/// holding `;` was saved with another separator.
fn separator_hint(record: &csv::ByteRecord) -> String {
    match record.iter().collect::<Vec<_>>().as_slice() {
        [one] if one.contains(&b';') => {
            " (it is separated by `;`: save the file as comma-separated CSV)".into()
        }
        _ => " (is this a CSV file with a header line?)".into(),
    }
}

/// The error value a spreadsheet writes for a formula that failed, when
/// `text` is one (`#DIV/0!`, `#N/A`, ...): data lost, not text.
pub fn spreadsheet_error(text: &str) -> Option<&str> {
    // Every error starts with `#`: most cells are told apart by one byte.
    if !text.starts_with('#') {
        return None;
    }
    const ERRORS: [&str; 16] = [
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#DATA!",
    ];
    ERRORS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(text))
        .copied()
}

/// The 1-based line a record starts on.
pub(super) fn line_of(bytes: &[u8], position: &csv::Position) -> u64 {
    // After a CRLF line end the csv crate starts the next record at the
    // `\n`, which it still counts on the line before.
    let at_line_feed = bytes.get(position.byte() as usize) == Some(&b'\n');
    position.line() + u64::from(at_line_feed)
}

fn csv_problem(file: &str, bytes: &[u8], e: &csv::Error) -> Problem {
    let line = e.position().map(|p| line_of(bytes, p));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "row has {len} fields, but the header has {expected_len} (is this a CSV file with a header line?)"
        ),
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_string(),
        _ => format!("not readable as CSV: {e}"),
    };
    match line {
        Some(l) => Problem::at(file, l, message),
        None => Problem::file(file, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDIES: &[ColumnSpec] = &[
        ColumnSpec {
            name: "id",
            kind: Kind::Id,
            required: true,
        },
        ColumnSpec {
            name: "year",
            kind: Kind::Int,
            required: true,
        },
    ];

    fn problem_lines(text: &str) -> Vec<u64> {
        let mut problems = Vec::new();
        read_table("studies.csv", text.as_bytes(), STUDIES, &mut problems);
        problems.iter().map(|p| p.line.unwrap()).collect()
    }

    #[test]
    fn lines_are_right_with_windows_line_ends() {
        for end in ["\n", "\r\n"] {
            let text = ["id,year", "1,2001", "2,soon", "3,2003"].join(end);
            assert_eq!(problem_lines(&text), vec![3], "{end:?}");
            let text = ["id,year", "1,2001", "2,2002", "3,2003,extra"].join(end);
            assert_eq!(problem_lines(&text), vec![4], "{end:?}");
        }
    }

    #[test]
    fn fields_and_headers_are_trimmed_of_ascii_whitespace_only() {
        let read = |text: &str| {
            let mut problems = Vec::new();
            let table = read_table("studies.csv", text.as_bytes(), STUDIES, &mut problems);
            assert!(problems.is_empty(), "{problems:?}");
            let table = table.unwrap();
            let lines: Vec<u64> = (0..table.frame.height()).map(|r| table.line(r)).collect();
            (table.frame, lines)
        };
        let (plain, plain_lines) = read("id,year,note\n1,2001,a b\n2,2002,\u{a0}c\n\n3,2003,\n");
        // Padding of every ASCII kind, on the header, one field or every
        // one, and a row of spaces alone (skipped as an empty row): the
        // same table, its rows on the same lines. A no-break space is
        // kept, as the csv crate's own trimming kept it.
        let (padded, padded_lines) =
            read(" id\t, year ,note\r\n1 ,\t2001,  a b\x0c\n 2,2002,\u{a0}c\n  ,  , \n3, 2003 ,\n");
        assert_eq!(plain.height(), 3);
        assert!(plain.equals_missing(&padded), "{plain:?}\n{padded:?}");
        assert_eq!(plain_lines, [2, 3, 5]);
        assert_eq!(plain_lines, padded_lines);
    }
}
