//! Checks that span more than one cell: references between tables, repeated
//! evidence, coded values against `dataset.toml`, reserved column names.

use std::collections::HashMap;

use polars::prelude::*;

use super::csvfile::ReadTable;
use super::files::{Entity, ReviewFile};
use super::{Meta, TableKeys};
use crate::problem::{Listed, Problem};

mod repeats;
use repeats::any_link_repeated;

/// The tables of one dataset as read so far (a table that could not be read
/// at all is `None`, and checks that need it are skipped).
pub struct Tables<'a> {
    pub meta: &'a Meta,
    pub studies: Option<&'a ReadTable>,
    pub papers: Option<&'a ReadTable>,
    pub findings: Option<&'a ReadTable>,
    pub evidence: Option<&'a ReadTable>,
    /// The ids of `studies` (present with the table).
    pub study_ids: Option<&'a IdIndex>,
    /// The ids of `findings` (present with the table).
    pub finding_ids: Option<&'a IdIndex>,
    /// How the ids are written (for messages).
    pub keys: &'a super::TableKeys,
    /// How the files are kept (for messages that name one).
    pub layout: super::files::Layout,
}

impl<'a> Tables<'a> {
    /// The tables of a check of `evidence.csv` alone, against the ids of
    /// the tables that could be read: the folder's links read when first
    /// needed, or with the rest of a refused folder.
    pub fn evidence_only(
        meta: &'a Meta,
        evidence: Option<&'a ReadTable>,
        (study_ids, finding_ids): (Option<&'a IdIndex>, Option<&'a IdIndex>),
        keys: &'a super::TableKeys,
        layout: super::files::Layout,
    ) -> Tables<'a> {
        Tables {
            meta,
            studies: None,
            papers: None,
            findings: None,
            evidence,
            study_ids,
            finding_ids,
            keys,
            layout,
        }
    }

    /// Appends every cross-table problem to `problems`.
    pub fn check(&self, problems: &mut Vec<Problem>) {
        for (file, table) in [
            (ReviewFile::Studies.file(), self.studies),
            (ReviewFile::Findings.file(), self.findings),
        ] {
            if let Some(table) = table {
                at_most_max_rows(problems, file, table);
            }
        }
        if let Some(studies) = self.studies {
            not_empty(problems, ReviewFile::Studies.file(), studies, "author");
            coded(
                problems,
                ReviewFile::Studies.file(),
                studies,
                "quality",
                &self.meta.quality,
                false,
            );
        }
        if let Some(findings) = self.findings {
            not_empty(problems, ReviewFile::Findings.file(), findings, "name");
        }
        let tables = (self.studies, self.findings);
        super::declared::check(self.meta, tables, self.layout, problems);
        // The references the registry lists, against the tables read.
        for (kind, table) in [
            (ReviewFile::Papers, self.papers),
            (ReviewFile::Evidence, self.evidence),
        ] {
            let Some(table) = table else { continue };
            for (column, entity) in kind.references() {
                let targets = match entity {
                    Entity::Study => self.study_ids,
                    Entity::Finding => self.finding_ids,
                    Entity::Paper => None,
                };
                if let Some(targets) = targets {
                    let (file, target) = (kind.file(), entity.file().named(self.layout));
                    references(problems, file, table, column, targets, &target);
                }
            }
        }
        if let Some(evidence) = self.evidence {
            let maybe_repeated = match (self.finding_ids, self.study_ids) {
                (Some(findings), Some(studies)) => any_link_repeated(evidence, findings, studies),
                _ => true,
            };
            if maybe_repeated {
                repeated_links(problems, evidence, self.keys);
            }
        }
        sort(problems);
    }
}

/// Problems in the order they are told: by file (in [`ReviewFile::ALL`]
/// order), then line.
pub fn sort(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        let order = |f: &str| {
            (ReviewFile::ALL.iter())
                .position(|x| x.file() == f)
                .unwrap_or(usize::MAX)
        };
        // A problem of no one line (the count of those not listed)
        // after the lines of its file.
        let line = |p: &Problem| p.line.unwrap_or(u64::MAX);
        (order(&a.file), line(a)).cmp(&(order(&b.file), line(b)))
    });
}

fn int_cells<'a>(table: &'a ReadTable, column: &str) -> Option<&'a Int64Chunked> {
    table.frame.column(column).ok()?.i64().ok()
}

fn text_cells<'a>(table: &'a ReadTable, column: &str) -> Option<&'a StringChunked> {
    table.frame.column(column).ok()?.str().ok()
}

/// The ids of a table and the position of each: built once per table, and
/// used by every reference check (millions of evidence rows, claims,
/// citations).
#[derive(Debug, Default)]
pub struct IdIndex {
    positions: Positions,
    /// How many ids the table has.
    len: usize,
}

/// How an id's index is found: by arithmetic when the ids are exactly 1
/// to their count (a text-keyed table's stand-in numbers, when no id is
/// repeated), else a lookup array when the ids are dense enough, else a
/// hash map.
#[derive(Debug)]
enum Positions {
    /// The ids are exactly `1..=len`, each once: the index of `id` is
    /// `id - 1`. Checking 20M text-keyed links looked each id up in an
    /// array four times (9-12% of reading them, perf).
    Consecutive,
    Dense(Vec<u32>),
    Sparse(HashMap<i64, u32>),
}

impl Default for Positions {
    fn default() -> Self {
        Positions::Dense(Vec::new())
    }
}

const ABSENT: u32 = u32::MAX;

impl IdIndex {
    /// The index of the `id` column of `table`.
    pub fn of(table: &ReadTable) -> IdIndex {
        let ids: Vec<i64> = int_cells(table, "id")
            .map(|c| c.iter().flatten().collect())
            .unwrap_or_default();
        IdIndex::new(&ids)
    }

    fn new(ids: &[i64]) -> IdIndex {
        let max = ids.iter().copied().max().unwrap_or(0).max(0) as usize;
        let positions = if max <= 16 * ids.len() + 1024 {
            let mut index = vec![ABSENT; max + 1];
            let mut each_once = true;
            for (position, id) in ids.iter().enumerate() {
                match usize::try_from(*id) {
                    Ok(id) => {
                        each_once &= index[id] == ABSENT;
                        index[id] = position as u32;
                    }
                    Err(_) => each_once = false,
                }
            }
            // `len` ids, each once, none past `len`, 0 not among them:
            // exactly 1 to `len`.
            if each_once && max == ids.len() && index[0] == ABSENT {
                Positions::Consecutive
            } else {
                Positions::Dense(index)
            }
        } else {
            Positions::Sparse(
                ids.iter()
                    .enumerate()
                    .map(|(position, id)| (*id, position as u32))
                    .collect(),
            )
        };
        IdIndex {
            positions,
            len: ids.len(),
        }
    }

    /// A distinct index below the table's count for each of its ids (its
    /// position among the table's ids, or `id - 1`); `None` when `id` is
    /// not one.
    #[inline]
    fn get(&self, id: i64) -> Option<u32> {
        match &self.positions {
            Positions::Consecutive => (1..=self.len as i64).contains(&id).then(|| (id - 1) as u32),
            Positions::Dense(index) => usize::try_from(id)
                .ok()
                .and_then(|i| index.get(i))
                .copied()
                .filter(|p| *p != ABSENT),
            Positions::Sparse(map) => map.get(&id).copied(),
        }
    }

    /// Whether the table has the id `id`.
    #[inline]
    pub fn contains(&self, id: i64) -> bool {
        self.get(id).is_some()
    }
}

/// A table of more rows than [`crate::exact::MAX_ROWS`] is refused at its
/// first row past the limit: past it, two percentages of the review could
/// round to one double, and a comparison or a rounding could be wrong.
fn at_most_max_rows(problems: &mut Vec<Problem>, file: &str, table: &ReadTable) {
    let max = crate::exact::MAX_ROWS;
    if table.frame.height() > max {
        problems.push(Problem::at(
            file,
            table.line(max),
            format!(
                "holds {} rows; metasum decides percentages exactly for at most {max} studies and {max} findings",
                table.frame.height()
            ),
        ));
    }
}

fn not_empty(problems: &mut Vec<Problem>, file: &str, table: &ReadTable, column: &str) {
    if let Some(cells) = text_cells(table, column) {
        for (row, cell) in cells.iter().enumerate() {
            if cell.is_none() {
                problems.push(Problem::cell(
                    file,
                    table.line(row),
                    column,
                    "is empty (a value is required)",
                ));
            }
        }
    }
}

/// Values of `column` must be among the codes `dataset.toml` defines (when it
/// defines any); `required` also rejects empty cells.
/// Refuses each cell of `column` that is none of the declared `codes`
/// (any value when none are declared), and an empty one when `required`.
pub(super) fn coded(
    problems: &mut Vec<Problem>,
    file: &str,
    table: &ReadTable,
    column: &str,
    codes: &[(String, String)],
    required: bool,
) {
    let Some(cells) = text_cells(table, column) else {
        return;
    };
    let known = codes
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (row, cell) in cells.iter().enumerate() {
        let line = table.line(row);
        match cell {
            None if required => problems.push(Problem::cell(
                file,
                line,
                column,
                "is empty (a value is required)",
            )),
            None => {}
            Some(value) if !codes.is_empty() && !codes.iter().any(|(k, _)| k == value) => problems
                .push(Problem::cell(
                    file,
                    line,
                    column,
                    format!("unknown {column} `{value}` (dataset.toml defines: {known})"),
                )),
            Some(_) => {}
        }
    }
}

fn references(
    problems: &mut Vec<Problem>,
    file: &str,
    table: &ReadTable,
    column: &str,
    targets: &IdIndex,
    target_file: &str,
) {
    let Some(cells) = int_cells(table, column) else {
        return;
    };
    // Millions of rows: scan the plain values; only rows that fail are
    // looked at again.
    if let Ok(values) = cells.cont_slice()
        && super::parallel::all(values, |id| targets.contains(*id))
    {
        return;
    }
    let mut listed = Listed::new(problems, file);
    for (row, cell) in cells.iter().enumerate() {
        if let Some(id) = cell
            && !targets.contains(id)
        {
            listed.push(Problem::cell(
                file,
                table.line(row),
                column,
                format!("{column} {id} does not exist in {target_file}"),
            ));
        }
    }
}

/// Reports every repeated (finding, study) pair with both its lines.
fn repeated_links(problems: &mut Vec<Problem>, evidence: &ReadTable, keys: &TableKeys) {
    let (Some(findings), Some(studies)) =
        (int_cells(evidence, "finding"), int_cells(evidence, "study"))
    else {
        return;
    };
    // Sort (finding, study, row) and look for equal neighbours.
    let mut pairs: Vec<(i64, i64, usize)> = findings
        .iter()
        .zip(studies.iter())
        .enumerate()
        .filter_map(|(row, pair)| match pair {
            (Some(f), Some(s)) => Some((f, s, row)),
            _ => None,
        })
        .collect();
    pairs.sort_unstable();
    let mut repeats: Vec<(usize, usize, i64, i64)> = pairs
        .windows(2)
        .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        .map(|w| (w[1].2, first_row(&pairs, w[1].0, w[1].1), w[1].0, w[1].1))
        .collect();
    repeats.sort_unstable();
    let mut listed = Listed::new(problems, ReviewFile::Evidence.file());
    for (row, first, f, s) in repeats {
        let (line, first) = (evidence.line(row), evidence.line(first));
        listed.push(
            Problem::at(
                ReviewFile::Evidence.file(),
                line,
                format!(
                    "finding {} in study {} is listed twice",
                    keys.findings.text(f),
                    keys.studies.text(s)
                ),
            )
            .repeating(first),
        );
    }
}

/// The first row holding the pair (rows sorted within equal pairs).
fn first_row(pairs: &[(i64, i64, usize)], f: i64, s: i64) -> usize {
    let at = pairs.partition_point(|p| (p.0, p.1) < (f, s));
    pairs[at].2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_index_knows_exactly_its_ids_and_gives_each_its_own_index() {
        let mut tables: Vec<Vec<i64>> = vec![
            vec![],
            vec![1],
            vec![3, 1, 2],
            vec![1, 2, 2],
            vec![2, 3],
            vec![0, 1],
            vec![-1, 2],
            vec![1, 3, 3],
            vec![5, 1, 2, 3, 4],
            vec![1, 1_000_000],
        ];
        // Every table of up to four ids from -1 to 4.
        for n in 0..=4u32 {
            for code in 0..6usize.pow(n) {
                let ids = (0..n).map(|k| (code / 6usize.pow(k) % 6) as i64 - 1);
                tables.push(ids.collect());
            }
        }
        for ids in tables {
            let index = IdIndex::new(&ids);
            let mut seen = std::collections::HashMap::new();
            for id in -2..8 {
                // Ids are positive (checked as read); a negative one is
                // not indexed.
                let has = ids.contains(&id) && id >= 0;
                assert_eq!(index.contains(id), has, "{ids:?} {id}");
                if let Some(at) = index.get(id) {
                    assert!((at as usize) < ids.len(), "{ids:?} {id}");
                    assert_eq!(*seen.entry(at).or_insert(id), id, "{ids:?}: shared index");
                }
            }
            let consecutive = matches!(index.positions, Positions::Consecutive);
            let mut sorted = ids.clone();
            sorted.sort();
            let exactly = sorted == (1..=ids.len() as i64).collect::<Vec<_>>();
            assert_eq!(consecutive, exactly, "{ids:?}");
        }
    }
}
