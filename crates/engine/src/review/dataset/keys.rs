//! Ids as the reviewer wrote them: whole numbers (`7`) or text (`Smith2019`,
//! `T1.2`).
//!
//! Inside the engine every id is a whole number, so views, joins and the
//! evidence index work the same for every review. A table whose ids are all
//! positive whole numbers keeps them; a table with any other id gets a
//! stand-in number per id, its rank in natural order (`T1.2` before
//! `T1.10`), so sorting by the stand-in sorts the ids naturally. The text
//! goes back in at the edges: references while loading, values in
//! conditions, and the ids in results and exports.

use std::cmp::Ordering;

use polars::prelude::*;

use super::csvfile::ReadTable;
use crate::problem::{Listed, Problem};

/// How one table's ids are written.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Keys {
    /// Positive whole numbers, used as they are.
    #[default]
    Numbers,
    /// Text: the id whose stand-in number is `k` is `ids[k - 1]`.
    Text {
        /// The ids in natural order.
        ids: Vec<String>,
        /// Id -> stand-in number, made from `ids` when first needed
        /// ([`Keys::numbers`]).
        numbers: Numbers,
    },
}

/// Text id -> its stand-in number (polars' fast hash: the links' fast
/// path looks up every cell of `evidence.csv` here), made when first
/// needed: a run that names no study by its id, such as `studies count
/// by country`, never makes it (100,000 ids: some 15 ms).
#[derive(Debug, Clone, Default)]
pub struct Numbers(std::sync::OnceLock<PlHashMap<String, i64>>);

impl PartialEq for Numbers {
    /// Made from the ids, which are compared.
    fn eq(&self, _: &Numbers) -> bool {
        true
    }
}

/// Each of the text ids `ids` (in natural order) -> its stand-in number:
/// the `k`th stands for `k`.
fn numbers_of(ids: &[String]) -> PlHashMap<String, i64> {
    (ids.iter().enumerate())
        .map(|(k, id)| (id.clone(), k as i64 + 1))
        .collect()
}

/// The distinct ids of `cells` in natural order, and each cell's rank
/// among them (its stand-in number). The rows are sorted, not the ids
/// looked up in a map afterwards: that map, made for every load, took 9%
/// of loading 100,000 text ids (perf, round six), and is now made only
/// when a run needs it ([`Keys::numbers`]).
fn ranked(cells: &[Option<&str>]) -> (Vec<String>, Vec<Option<i64>>) {
    let mut rows: Vec<usize> = (0..cells.len()).filter(|r| cells[*r].is_some()).collect();
    let text = |row: usize| cells[row].unwrap_or_default();
    // Only equal ids compare equal: an unstable sort ranks them the same.
    rows.sort_unstable_by(|a, b| natural_cmp(text(*a), text(*b)));
    let mut ids: Vec<String> = Vec::new();
    let mut numbers = vec![None; cells.len()];
    for row in rows {
        if ids.last().is_none_or(|last| last != text(row)) {
            ids.push(text(row).to_string());
        }
        numbers[row] = Some(ids.len() as i64);
    }
    (ids, numbers)
}

/// What a reference written as some text names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// The id (a stand-in number for a text id).
    Id(i64),
    /// Ids are numbers and this is not a positive whole number.
    NotANumber,
    /// Ids are text and no row has this one.
    Unknown,
}

impl Keys {
    /// Turns the text `column` of `table` (read from `file`) into whole
    /// numbers: the ids themselves when every one is a positive whole
    /// number written as such, else each id's rank in natural order. Empty
    /// cells stay empty (the reader has reported them); an id holding `;`
    /// is a problem.
    pub fn assign(
        table: &mut ReadTable,
        (file, column): (&str, &str),
        problems: &mut Vec<Problem>,
    ) -> Keys {
        // Numbers only when each is written as its number is (`7`, not
        // `07` or `+7`): `01` and `1` are then two ids, shown as written.
        // Read from the column in place: most reviews number their ids.
        let numbers: Option<Vec<Option<i64>>> = table
            .frame
            .column(column)
            .ok()
            .and_then(|c| c.str().ok())
            .and_then(|cells| {
                let cell = |c: Option<&str>| match c {
                    None => Some(None),
                    Some(text) => whole_number(text).map(Some),
                };
                cells.iter().map(cell).collect()
            });
        if let Some(numbers) = numbers {
            replace(table, column, numbers);
            return Keys::Numbers;
        }
        let Some(cells) = text_cells(table, column) else {
            return Keys::Numbers;
        };
        // Lists of ids are written joined by `;` (a finding's studies, a
        // claim's citations): an id holding one would read as two.
        for (row, cell) in cells.iter().enumerate() {
            if cell.is_some_and(|id| id.contains(';')) {
                problems.push(Problem::cell(
                    file,
                    table.line(row),
                    column,
                    "an id may not contain `;` (it separates the ids of a list)",
                ));
            }
        }
        let (ids, column_numbers) = ranked(&cells.iter().collect::<Vec<_>>());
        replace(table, column, column_numbers);
        Keys::of_text(ids)
    }

    /// Text ids `ids`, in natural order: the `k`th stands for `k`.
    pub(crate) fn of_text(ids: Vec<String>) -> Keys {
        Keys::Text {
            ids,
            numbers: Numbers::default(),
        }
    }

    /// Each text id -> its stand-in number; `None` for numbered ids.
    pub fn numbers(&self) -> Option<&PlHashMap<String, i64>> {
        match self {
            Keys::Numbers => None,
            Keys::Text { ids, numbers } => Some(numbers.0.get_or_init(|| numbers_of(ids))),
        }
    }

    /// The text ids in natural order; `None` for numbered ids.
    pub(super) fn text_ids(&self) -> Option<&[String]> {
        match self {
            Keys::Numbers => None,
            Keys::Text { ids, .. } => Some(ids),
        }
    }

    /// The id a reference written `text` names.
    pub fn resolve(&self, text: &str) -> Resolved {
        match self {
            Keys::Numbers => match text.parse::<i64>() {
                Ok(n) if n > 0 => Resolved::Id(n),
                _ => Resolved::NotANumber,
            },
            Keys::Text { .. } => (self.numbers().and_then(|n| n.get(text)))
                .map_or(Resolved::Unknown, |n| Resolved::Id(*n)),
        }
    }

    /// The text ids a person's `text` names: the one written exactly so,
    /// else each written so in another case (an id is named in any case
    /// when only one is spelt that way; LANGUAGE.md). Empty for numbered
    /// ids.
    pub fn spelt(&self, text: &str) -> Vec<&String> {
        let (Keys::Text { ids, .. }, Some(numbers)) = (self, self.numbers()) else {
            return Vec::new();
        };
        match numbers.get_key_value(text) {
            Some((exact, _)) => vec![exact],
            None => {
                let text = text.to_lowercase();
                ids.iter().filter(|id| id.to_lowercase() == text).collect()
            }
        }
    }

    /// The id `text` names by the one rule of case: written exactly so,
    /// else the one id spelt so in another case ([`Keys::spelt`]).
    pub fn named(&self, text: &str) -> Resolved {
        match (self.resolve(text), self.spelt(text).as_slice()) {
            (Resolved::Unknown, [one]) => self.resolve(one),
            (resolved, _) => resolved,
        }
    }

    /// The text ids' numbers by the ids' lower case (several where ids
    /// differ only in case).
    fn by_lower_case(&self) -> PlHashMap<String, Vec<i64>> {
        let mut index: PlHashMap<String, Vec<i64>> = PlHashMap::default();
        if let Some(numbers) = self.numbers() {
            for (id, number) in numbers {
                index.entry(id.to_lowercase()).or_default().push(*number);
            }
        }
        index
    }

    /// Whether the ids are text (and the numbers stand-ins).
    pub fn is_text(&self) -> bool {
        matches!(self, Keys::Text { .. })
    }

    /// The id as the reviewer wrote it.
    pub fn text(&self, id: i64) -> String {
        match self {
            Keys::Numbers => id.to_string(),
            Keys::Text { ids, .. } => usize::try_from(id - 1)
                .ok()
                .and_then(|k| ids.get(k))
                .cloned()
                .unwrap_or_else(|| id.to_string()),
        }
    }

    /// Turns the text reference `column` of `table` (in `file`) into the
    /// ids of `target` (`what` names one of them, `target_file` holds
    /// them); a reference that names none is a located problem, its cell
    /// left empty.
    pub fn resolve_column(
        &self,
        table: &mut ReadTable,
        column: &str,
        (file, what, target_file): (&str, &str, &str),
        problems: &mut Vec<Problem>,
    ) {
        let Some(cells) = text_cells(table, column) else {
            return;
        };
        // A file of millions of unknown references: the first ones listed,
        // the rest counted (2M were listed: 200 MB of messages, 1.4 GB).
        let mut listed = Listed::new(problems, file);
        // Made at the first reference not written as its id is: the ids
        // by their lower case, for the one rule of case (DATASET.md).
        let mut in_any_case: Option<PlHashMap<String, Vec<i64>>> = None;
        let ids = cells
            .iter()
            .enumerate()
            .map(|(row, cell)| {
                let text = cell?;
                let mut several = None;
                let resolved = match self.resolve(text) {
                    Resolved::Unknown => {
                        let index = in_any_case.get_or_insert_with(|| self.by_lower_case());
                        match index.get(&text.to_lowercase()).map(Vec::as_slice) {
                            Some([one]) => Resolved::Id(*one),
                            Some(ids) => {
                                // In the ids' order (their numbers are), not the map's.
                                let mut ids = ids.to_vec();
                                ids.sort_unstable();
                                several = Some(ids.iter().map(|id| self.text(*id)).collect::<Vec<_>>());
                                Resolved::Unknown
                            }
                            None => Resolved::Unknown,
                        }
                    }
                    resolved => resolved,
                };
                let why = match (resolved, several) {
                    (_, Some(ids)) => format!(
                        "{what} `{text}` could be any of {} (they differ only in case): write it as one of them exactly",
                        ids.join(", ")
                    ),
                    (resolved, None) => match resolved {
                    Resolved::Id(id) => return Some(id),
                    Resolved::NotANumber => {
                        format!("expected a positive whole number, found `{text}`")
                    }
                    Resolved::Unknown => {
                        format!("{what} `{text}` does not exist in {target_file}")
                    }
                    },
                };
                listed.push(Problem::cell(file, table.line(row), column, why));
                None
            })
            .collect();
        replace(table, column, ids);
    }
}

/// The positive whole number `text` writes, when written as one writes it
/// (no sign, no leading zero).
fn whole_number(text: &str) -> Option<i64> {
    let canonical =
        !text.is_empty() && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
    text.parse::<i64>().ok().filter(|n| canonical && *n > 0)
}

/// The cells of the text `column` of `table`, if it has one (shared with
/// the table: no copy of each cell).
fn text_cells(table: &ReadTable, column: &str) -> Option<StringChunked> {
    let column = table.frame.column(column).ok()?;
    column.str().ok().cloned()
}

/// Puts `ids` in place of `column` of `table`.
fn replace(table: &mut ReadTable, column: &str, ids: Vec<Option<i64>>) {
    let ids = Column::new(column.into(), ids);
    // The column exists (its cells were just read).
    let _ = table.frame.with_column(ids);
}

/// Natural order: runs of digits compare as numbers (`T1.2` < `T1.10`,
/// `Smith2019` < `Smith2019a`); otherwise character by character. Ties
/// (`T01` and `T1`) are broken by plain order, so distinct ids never
/// compare equal.
///
/// Byte by byte, which for UTF-8 is the order of the characters (a digit
/// byte is never part of a longer character): char by char, natural
/// order took 10% of loading 100,000 text ids (perf, round six).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        match (x.get(i), y.get(j)) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (m, n) = (digit_run(&x[i..]), digit_run(&y[j..]));
                (i, j) = (i + m.len(), j + n.len());
                let (m, n) = (without_zeros(m), without_zeros(n));
                let by_value = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(c), Some(d)) if c != d => return c.cmp(d),
            _ => (i, j) = (i + 1, j + 1),
        }
    }
}

/// The leading run of ASCII digits of `bytes`.
fn digit_run(bytes: &[u8]) -> &[u8] {
    let end = (bytes.iter())
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    &bytes[..end]
}

/// `digits` without their leading zeros.
fn without_zeros(digits: &[u8]) -> &[u8] {
    let first = (digits.iter())
        .position(|b| *b != b'0')
        .unwrap_or(digits.len());
    &digits[first..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut ids = vec![
            "T1.10",
            "T1.2",
            "T2.1",
            "T1.1",
            "Smith2019a",
            "Smith2019",
            "Ames2001",
            "T01.1",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "Ames2001",
                "Smith2019",
                "Smith2019a",
                "T01.1",
                "T1.1",
                "T1.2",
                "T1.10",
                "T2.1"
            ]
        );
        // Huge digit runs compare by length, without overflow.
        assert_eq!(
            natural_cmp("x99999999999999999999999", "x100000000000000000000000"),
            Ordering::Less
        );
    }

    /// Natural order as it was first written, character by character:
    /// the oracle of the byte-by-byte [`natural_cmp`].
    fn natural_cmp_by_chars(a: &str, b: &str) -> Ordering {
        fn digits(s: &str) -> (&str, &str) {
            let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            s.split_at(end)
        }
        let (mut x, mut y) = (a, b);
        loop {
            match (x.chars().next(), y.chars().next()) {
                (None, None) => return a.cmp(b),
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                    let ((m, rest_x), (n, rest_y)) = (digits(x), digits(y));
                    let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                    let by_value = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                    if by_value != Ordering::Equal {
                        return by_value;
                    }
                    (x, y) = (rest_x, rest_y);
                }
                (Some(c), Some(d)) => {
                    if c != d {
                        return c.cmp(&d);
                    }
                    (x, y) = (&x[c.len_utf8()..], &y[d.len_utf8()..]);
                }
            }
        }
    }

    #[test]
    fn natural_order_by_bytes_is_natural_order_by_characters() {
        // Every pair of strings built from pieces that meet at digit runs,
        // zeros, letters, characters of two to four bytes and their ends.
        let pieces = [
            "", "0", "00", "1", "9", "10", "a", "A", "T", ".", "é", "ä", "€", "😀", "\u{7f}",
        ];
        let mut texts = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in ["", "2", "é", "x"] {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        for a in &texts {
            for b in &texts {
                assert_eq!(natural_cmp(a, b), natural_cmp_by_chars(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn ranks_are_the_natural_order_of_the_distinct_ids() {
        let cells = [Some("T1.10"), None, Some("T1.2"), Some("T1.10"), Some("A")];
        let (ids, numbers) = ranked(&cells);
        assert_eq!(ids, ["A", "T1.2", "T1.10"]);
        assert_eq!(numbers, [Some(3), None, Some(2), Some(3), Some(1)]);
        assert_eq!(ranked(&[]), (vec![], vec![]));
    }

    #[test]
    fn text_ids_resolve_to_their_rank_and_back() {
        let keys = Keys::of_text(vec!["T1.2".into(), "T1.10".into()]);
        assert_eq!(keys.resolve("T1.10"), Resolved::Id(2));
        assert_eq!(keys.resolve("T1.3"), Resolved::Unknown);
        assert_eq!(keys.text(2), "T1.10");
        assert_eq!(Keys::Numbers.resolve("7"), Resolved::Id(7));
        assert_eq!(Keys::Numbers.resolve("0"), Resolved::NotANumber);
        assert_eq!(Keys::Numbers.resolve("T1"), Resolved::NotANumber);
    }
}
