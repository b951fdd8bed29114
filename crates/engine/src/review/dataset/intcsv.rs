//! The fast path for a file of plain whole numbers or ids (`evidence.csv`,
//! which can hold millions of links): the body is split at line ends and
//! parsed on every core straight into the final columns, a text id
//! (`Smith2019`, `T1.2`) looked up as its stand-in number on the way.
//!
//! It accepts only the simplest layout: a header naming known integer
//! columns, then one row per line of comma-separated digits, or of ids
//! written exactly as their table writes them. Anything else
//! (quotes, spaces, blank lines, empty or negative cells, extra columns)
//! makes it give up, and the file is read again by the general reader,
//! which reports every problem with its line and column. The fast path never
//! reports a problem itself, so both paths accept the same files and build
//! the same table.

use polars::prelude::*;

use super::csvfile::{ColumnSpec, Kind, Lines, ReadTable};
use super::id_table::{BLOCK, IdTable, Pending, splat, zero_bytes};
use super::keys::Keys;
use super::parallel::{on_each, threads_for};

/// How the fast path reads one column's cells.
enum Cells<'a> {
    /// Plain digits; `positive`: not 0.
    Digits { positive: bool },
    /// An id exactly as written in its table: its stand-in number
    /// ([`Keys::Text`]), looked up a block of cells at a time.
    Ids(IdTable<'a>),
}

/// More digits than this could overflow an `i64`; such files go the slow way.
const MAX_DIGITS: usize = 18;

/// Reads `bytes` when every column is a known whole-number column (not
/// `id`) and every cell is plain digits; `None` otherwise.
#[cfg(test)]
pub fn read_plain_ints(bytes: &[u8], specs: &[ColumnSpec]) -> Option<ReadTable> {
    read_plain(bytes, specs, &[])
}

/// Reads `bytes` when every column is a known whole-number column (not
/// `id`) or a reference column of `keys` (the ids of the table it names),
/// every cell plain digits or, in a text-keyed reference column, an id of
/// its table exactly as written (its stand-in number is stored, as
/// resolving it would); `None` otherwise.
pub fn read_plain(bytes: &[u8], specs: &[ColumnSpec], keys: &[(&str, &Keys)]) -> Option<ReadTable> {
    let header_end = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..header_end]).ok()?;
    let header = header.strip_suffix('\r').unwrap_or(header);
    let names: Vec<&str> = header.split(',').collect();
    let mut cells = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let spec = specs.iter().find(|s| s.name == *name)?;
        if spec.name == "id" || names[..i].contains(name) {
            return None; // ids must also be checked for repeats: slow path
        }
        let keys = keys.iter().find(|(n, _)| n == name).map(|(_, k)| *k);
        cells.push(match (spec.kind, keys) {
            (Kind::Id, _) | (Kind::Key, Some(Keys::Numbers)) => Cells::Digits { positive: true },
            (Kind::Key, Some(keys @ Keys::Text { .. })) => {
                Cells::Ids(IdTable::new(keys.text_ids()?)?)
            }
            // An empty cell is allowed in an Int column: slow path.
            (Kind::Int, _) => Cells::Digits { positive: false },
            _ => return None,
        });
    }
    if specs.iter().any(|s| s.required && !names.contains(&s.name)) {
        return None;
    }

    let body = &bytes[header_end + 1..];
    let chunks = split_at_line_ends(body, threads_for(body.len()));
    let rows: Vec<usize> = on_each(chunks.clone(), count_rows)?;
    let height: usize = rows.iter().sum();
    // One fresh (lazily zeroed) allocation per column, never a copy of one.
    let mut columns: Vec<Vec<i64>> = names.iter().map(|_| vec![0; height]).collect();

    // Each chunk writes its own disjoint stretch of every column.
    let mut parts: Vec<Vec<&mut [i64]>> = chunks.iter().map(|_| Vec::new()).collect();
    for column in &mut columns {
        let mut rest: &mut [i64] = column;
        for (part, n) in parts.iter_mut().zip(&rows) {
            let (mine, tail) = rest.split_at_mut(*n);
            part.push(mine);
            rest = tail;
        }
    }
    let parsing = chunks.into_iter().zip(parts).collect();
    let parsed = on_each(parsing, |(chunk, mut out)| {
        parse_rows(chunk, &cells, &mut out)
    })?;
    if !parsed.into_iter().all(|p| p) {
        return None;
    }

    let columns = names
        .iter()
        .zip(columns)
        .map(|(name, values)| Int64Chunked::from_vec((*name).into(), values).into_column())
        .collect();
    let frame = DataFrame::new(height, columns).ok()?;
    Some(ReadTable {
        frame,
        lines: Lines::AfterHeader,
    })
}

/// Splits `body` into at most `parts` pieces, each ending at a line end.
fn split_at_line_ends(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::with_capacity(parts);
    let mut rest = body;
    for k in (1..parts).rev() {
        let mut cut = rest.len() - rest.len() / (k + 1);
        while cut < rest.len() && rest[cut - 1] != b'\n' {
            cut += 1;
        }
        let (head, tail) = rest.split_at(cut);
        chunks.push(head);
        rest = tail;
        if rest.is_empty() {
            return chunks;
        }
    }
    chunks.push(rest);
    chunks
}

/// The rows in `chunk`: its line ends, plus a last line with no line end.
fn count_rows(chunk: &[u8]) -> usize {
    let ends = count_line_feeds(chunk);
    ends + usize::from(chunk.last().is_some_and(|&b| b != b'\n'))
}

/// How many `\n` bytes `bytes` holds, eight bytes at a time.
fn count_line_feeds(bytes: &[u8]) -> usize {
    let words = bytes.chunks_exact(8);
    let tail = words.remainder().iter().filter(|&&b| b == b'\n').count();
    words
        .map(|w| {
            let x = u64::from_le_bytes(w.try_into().unwrap_or_default()) ^ splat(b'\n');
            zero_bytes(x).count_ones() as usize
        })
        .sum::<usize>()
        + tail
}

/// Parses the rows of `chunk` into `out` (one slice per column, exactly as
/// long as the chunk has rows). `false` when any row is not plain digits
/// or ids as written.
fn parse_rows(chunk: &[u8], kinds: &[Cells], out: &mut [&mut [i64]]) -> bool {
    let last = kinds.len() - 1;
    let height = out.first().map_or(0, |c| c.len());
    // Each id column's cells waiting to be looked up as a block.
    let mut pending: Vec<Vec<Pending>> = kinds.iter().map(|_| Vec::with_capacity(BLOCK)).collect();
    let mut at = 0;
    for row in 0..height {
        for (column, (cells, kind)) in out.iter_mut().zip(kinds).enumerate() {
            let start = at;
            let must_be_positive = match kind {
                Cells::Digits { positive } => *positive,
                Cells::Ids(ids) => {
                    let waiting = &mut pending[column];
                    let Some(end) = ids.queue((chunk, at), row, waiting, cells) else {
                        return false;
                    };
                    if waiting.len() == BLOCK && !ids.resolve(waiting, cells) {
                        return false;
                    }
                    at = end;
                    if !end_of_cell(chunk, &mut at, column == last) {
                        return false;
                    }
                    continue;
                }
            };
            let mut value: i64 = 0;
            while let Some(digit) = chunk.get(at).and_then(|b| b.checked_sub(b'0')) {
                if digit > 9 {
                    break;
                }
                if at - start == MAX_DIGITS {
                    // One digit more could overflow (the fuzzer found 90
                    // digits: a panic in a debug build): the slow way.
                    return false;
                }
                value = value * 10 + i64::from(digit);
                at += 1;
            }
            let digits = at - start;
            if digits == 0 || (must_be_positive && value == 0) {
                return false;
            }
            cells[row] = value;
            if !end_of_cell(chunk, &mut at, column == last) {
                return false;
            }
        }
    }
    for ((cells, kind), waiting) in out.iter_mut().zip(kinds).zip(&mut pending) {
        if let Cells::Ids(ids) = kind
            && !ids.resolve(waiting, cells)
        {
            return false;
        }
    }
    at == chunk.len()
}

/// Steps over the end of a cell at `at`: a comma, or for the `last` cell
/// of a row its line end (or the end of the chunk). `false` when
/// something else is there.
fn end_of_cell(chunk: &[u8], at: &mut usize, last: bool) -> bool {
    if !last {
        let comma = chunk.get(*at) == Some(&b',');
        *at += 1;
        return comma;
    }
    if chunk.get(*at) == Some(&b'\r') {
        *at += 1;
    }
    match chunk.get(*at) {
        Some(b'\n') => {
            *at += 1;
            true
        }
        None => true,
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::csvfile::read_table;
    use super::super::keys::Resolved;
    use super::*;

    fn both_ways(text: &str) -> Option<DataFrame> {
        let specs = &super::super::numbered_links();
        let fast = read_plain_ints(text.as_bytes(), specs);
        let mut problems = Vec::new();
        let slow = read_table("evidence.csv", text.as_bytes(), specs, &mut problems);
        if let Some(fast) = &fast {
            let slow = slow.expect("what the fast path reads, the general reader reads");
            assert!(problems.is_empty(), "{problems:?}");
            assert!(fast.frame.equals(&slow.frame));
            for row in 0..fast.frame.height() {
                assert_eq!(fast.line(row), slow.line(row), "{text:?} row {row}");
            }
        }
        fast.map(|t| t.frame)
    }

    /// Text ids as [`Keys::assign`] numbers them: in natural order.
    /// The whole numbers of `column`.
    fn ids(frame: &DataFrame, column: &str) -> Vec<Option<i64>> {
        frame
            .column(column)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect()
    }

    fn text_keys(ids: &[&str]) -> Keys {
        Keys::of_text(ids.iter().map(|id| id.to_string()).collect())
    }

    #[test]
    fn text_ids_are_looked_up_as_resolving_them_would() {
        // Ids of up to 31 bytes are looked up packed, longer ones as
        // text: both kinds, the edges, and ids that differ only past a
        // prefix.
        let (studies, findings) = (
            text_keys(&[
                "Jones2018",
                "Smith2019",
                "Smith2019abcdef",
                "Smith2019abcdefg",
                "Smith2019abcdefghijklmnopqrstuv",
                "Smith2019abcdefghijklmnopqrstuvw",
            ]),
            text_keys(&["T1.2", "T1.10"]),
        );
        let lookups = [("study", &studies), ("finding", &findings)];
        let specs = crate::review::dataset::files::ReviewFile::Evidence.columns();
        let read = |text: &str| read_plain(text.as_bytes(), specs, &lookups).map(|t| t.frame);
        let frame =
            read("finding,study\nT1.10,Smith2019\nT1.2,Jones2018\r\nT1.2,Smith2019").unwrap();
        let column = |name: &str| -> Vec<Option<i64>> {
            frame.column(name).unwrap().i64().unwrap().iter().collect()
        };
        assert_eq!(column("finding"), [Some(2), Some(1), Some(1)]);
        assert_eq!(column("study"), [Some(2), Some(1), Some(2)]);
        let frame = read("finding,study\nT1.2,Smith2019abcdefg\nT1.2,Smith2019abcdef\n").unwrap();
        assert_eq!(ids(&frame, "study"), [Some(4), Some(3)]);
        let frame = read(concat!(
            "finding,study\n",
            "T1.2,Smith2019abcdefghijklmnopqrstuvw\n",
            "T1.2,Smith2019abcdefghijklmnopqrstuv\n",
            "T1.2,Smith2019abcdefg\n",
        ))
        .unwrap();
        assert_eq!(ids(&frame, "study"), [Some(6), Some(5), Some(4)]);
        // The slow path, where a problem gets its line, for anything but
        // an id written exactly as its table writes it.
        for odd in [
            "finding,study\nT1.2, Smith2019\n",
            "finding,study\nT1.2,\"Smith2019\"\n",
            "finding,study\nT1.2,smith2019\n",
            "finding,study\nT1.2,Nobody2020\n",
            "finding,study\nT1.2,Smith2019abcde\n",
            "finding,study\nT1.2,Smith2019abcdefgh\n",
            "finding,study\nT1.2,Smith2019abcdefghijklmnopqrstu\n",
            "finding,study\nT1.2,Smith2019abcdefghijklmnopqrstuvwx\n",
            "finding,study\nT1.2,Smith2019abcdefghijklmnopqrstuW\n",
            "finding,study\nT1.2,Smith2019\0\n",
            "finding,study\nT1.2,\n",
            "finding,study\nT1.2,Smith2019,\n",
            "finding,study\nT1.2,Smith2019\n\n",
            "finding,study\nT1.2\n",
        ] {
            assert!(read(odd).is_none(), "{odd:?}");
        }
        // Whole-number ids in one table, text in the other.
        let numbered = Keys::Numbers;
        let mixed = [("study", &numbered), ("finding", &findings)];
        let frame = read_plain(b"finding,study\nT1.2,7\n", specs, &mixed)
            .unwrap()
            .frame;
        assert_eq!(
            frame.column("study").unwrap().i64().unwrap().get(0),
            Some(7)
        );
        assert!(read_plain(b"finding,study\nT1.2,0\n", specs, &mixed).is_none());
    }

    #[test]
    fn a_quoted_id_is_left_to_the_general_reader() {
        // `"""Jr"""` in studies.csv is the id `"Jr"`; in evidence.csv the
        // cell `"Jr"` names `Jr`, which only the general reader unquotes.
        let studies = text_keys(&["\"Jr\"", "Jr"]);
        let findings = text_keys(&["T1.2"]);
        let lookups = [("study", &studies), ("finding", &findings)];
        let specs = crate::review::dataset::files::ReviewFile::Evidence.columns();
        let read = |text: &str| read_plain(text.as_bytes(), specs, &lookups).map(|t| t.frame);
        assert!(read("finding,study\nT1.2,\"Jr\"\n").is_none());
        assert!(read("finding,study\n\"T1.2\",Jr\n").is_none());
        let frame = read("finding,study\nT1.2,Jr\n").unwrap();
        assert_eq!(ids(&frame, "study"), [Some(2)]);
    }

    #[test]
    fn every_row_of_many_blocks_of_text_ids_is_looked_up() {
        // Many blocks of lookups in several chunks, and an unknown id
        // early and among the last rows (waiting for the last lookups).
        let studies: Vec<String> = (1..=500).map(|k| format!("Author{k}y2019")).collect();
        let keys = Keys::of_text(studies.clone());
        let findings = text_keys(&["T1.2", "T1.10"]);
        let lookups = [("study", &keys), ("finding", &findings)];
        let specs = crate::review::dataset::files::ReviewFile::Evidence.columns();
        let rows = 100_000;
        let mut text = String::from("finding,study\n");
        let mut expected = Vec::new();
        for row in 0..rows {
            let k = (row * 7919) % studies.len();
            text.push_str(&format!("T1.{},{}\n", 2 + 8 * (row % 2), studies[k]));
            let Resolved::Id(number) = keys.resolve(&studies[k]) else {
                panic!("{} is an id", studies[k]);
            };
            expected.push(Some(number));
        }
        let frame = read_plain(text.as_bytes(), specs, &lookups).unwrap().frame;
        assert_eq!(ids(&frame, "study"), expected);
        let finding = ids(&frame, "finding");
        assert!((finding.iter().enumerate()).all(|(row, f)| *f == Some(1 + (row % 2) as i64)));
        for bad_row in [40, rows - 3] {
            let line_start = (text.match_indices('\n').nth(bad_row).unwrap().0) + 1;
            let mut bad = text.clone();
            bad.replace_range(line_start..line_start + 4, "T1.3");
            assert!(
                read_plain(bad.as_bytes(), specs, &lookups).is_none(),
                "{bad_row}"
            );
        }
    }

    #[test]
    fn reads_plain_rows_with_or_without_a_last_line_end() {
        for text in [
            "finding,study\n1,2\n3,40\n",
            "finding,study\n1,2\n3,40",
            "finding,study\r\n1,2\r\n3,40\r\n",
            "study,finding\n2,1\n40,3\n",
        ] {
            let frame = both_ways(text).expect(text);
            assert_eq!(frame.height(), 2, "{text}");
            assert_eq!(ids(&frame, "study"), [Some(2), Some(40)]);
        }
        assert_eq!(both_ways("finding,study\n").unwrap().height(), 0);
    }

    #[test]
    fn a_number_too_long_for_an_i64_is_given_up_on_without_overflow() {
        // Found by the loader fuzzer: 90 digits overflowed the multiplication
        // (a panic in a debug build, caught in its thread, printed to the
        // terminal). Called here on this thread, so a panic fails the test.
        let mut finding = [0i64; 1];
        let mut study = [0i64; 1];
        let digits = format!("1,1{}\n", "8".repeat(90));
        let mut out: [&mut [i64]; 2] = [&mut finding, &mut study];
        assert!(!parse_rows(
            digits.as_bytes(),
            &[
                Cells::Digits { positive: true },
                Cells::Digits { positive: true }
            ],
            &mut out
        ));
        let mut out: [&mut [i64]; 2] = [&mut finding, &mut study];
        assert!(parse_rows(
            b"1,999999999999999999\n",
            &[
                Cells::Digits { positive: true },
                Cells::Digits { positive: true }
            ],
            &mut out
        ));
        assert_eq!(study[0], 999_999_999_999_999_999);
    }

    #[test]
    fn gives_up_on_anything_but_plain_digits() {
        for text in [
            "finding,study\n1,2\n\n3,4\n",             // blank line
            "finding,study\n1, 2\n",                   // space
            "finding,study\n\"1\",2\n",                // quotes
            "finding,study\n1,\n",                     // empty cell
            "finding,study\n0,2\n",                    // not positive
            "finding,study\n-1,2\n",                   // negative
            "finding,study\n1,2,3\n",                  // extra field
            "finding,study\n1\n",                      // missing field
            "finding,study,page\n1,2,3\n",             // extra column
            "finding\n1\n",                            // missing column
            "finding,finding\n1,2\n",                  // repeated column
            "finding,study\n1,2\n\n",                  // two line ends at the end
            "finding,study\n1,99999999999999999999\n", // too long
            "\u{feff}finding,study\n1,2\n",            // byte order mark
            "finding,study",                           // no line end after the header
        ] {
            assert!(both_ways(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn line_feeds_are_counted_exactly_around_every_byte() {
        let mut bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        bytes.extend(b"\n\n\x8a\x0b\x09\n");
        for start in 0..9 {
            let part = &bytes[start..];
            let plain = part.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_line_feeds(part), plain, "from {start}");
        }
    }

    #[test]
    fn chunks_split_only_at_line_ends_and_cover_the_body() {
        let body = b"1,2\n33,44\n555,666\n7,8";
        for parts in 1..6 {
            let chunks = split_at_line_ends(body, parts);
            assert_eq!(chunks.concat(), body.to_vec());
            for c in &chunks[..chunks.len() - 1] {
                assert!(c.is_empty() || c.ends_with(b"\n"), "{parts}: {chunks:?}");
            }
            let rows: usize = chunks.iter().map(|c| count_rows(c)).sum();
            assert_eq!(rows, 4);
        }
    }

    #[test]
    fn a_large_file_parses_on_several_threads_in_order() {
        let mut text = String::from("finding,study\n");
        for i in 1..=300_000 {
            text.push_str(&format!("{},{}\n", i % 97 + 1, i));
        }
        let frame = both_ways(&text).unwrap();
        let study = frame.column("study").unwrap().i64().unwrap();
        assert_eq!(study.len(), 300_000);
        assert!(
            study
                .iter()
                .enumerate()
                .all(|(i, s)| s == Some(i as i64 + 1))
        );
    }
}
