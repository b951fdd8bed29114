//! The links kept a second time, grouped by study and by finding, so that
//! a `has` lookup reads the links of one study or finding (and the few
//! checked blocks that hold them), not all of them.
//!
//! An index is the distinct ids of one column, sorted; where each one's
//! run of values ends; and the values: the ids of the other column linked
//! to it, sorted and without repeats. The values are checked a block at a
//! time, each block against its own checksum, so a lookup reads and checks
//! only the blocks its run lies in; the ids, the ends and the blocks'
//! checksums are read whole and checked by one sum the copy's trailer
//! keeps (at 100,000 studies, 1.2 MB).

use std::fs::File;
use std::io::{self, Write};

use polars::prelude::*;

use super::words::{Checksum, read_exact_at};

/// The indexes a copy keeps, in the order it keeps them: by the first
/// column, the ids of the second linked to each (the findings of each
/// study, the studies of each finding).
pub(super) const INDEXES: [(&str, &str); 2] = [("study", "finding"), ("finding", "study")];

/// Values checked together: a lookup reads whole blocks (64 KiB).
const BLOCK: usize = 1 << 14;

/// What the copy's trailer says of one index: its sizes, and the sum of
/// its ids, ends and block checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placed {
    /// How many distinct ids it has a run for.
    pub distinct: u64,
    /// How many values its runs hold.
    pub values: u64,
    /// The checksum of its sizes, ids, ends and block checksums.
    pub sum: u64,
}

/// The bytes [`Placed`] takes in the trailer.
pub(super) const PLACED_BYTES: u64 = 24;

impl Placed {
    /// The trailer's bytes for this index.
    pub(super) fn to_bytes(self) -> [u8; PLACED_BYTES as usize] {
        let mut bytes = [0u8; PLACED_BYTES as usize];
        for (at, n) in [self.distinct, self.values, self.sum]
            .into_iter()
            .enumerate()
        {
            bytes[8 * at..8 * at + 8].copy_from_slice(&n.to_le_bytes());
        }
        bytes
    }

    /// The index the trailer's `bytes` describe.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<Placed> {
        let word = |at: usize| {
            let word = bytes.get(8 * at..8 * at + 8)?;
            Some(u64::from_le_bytes(word.try_into().ok()?))
        };
        Some(Placed {
            distinct: word(0)?,
            values: word(1)?,
            sum: word(2)?,
        })
    }

    /// How many blocks its values are checked in.
    fn blocks(self) -> u64 {
        self.values.div_ceil(BLOCK as u64)
    }

    /// The bytes its section takes: ids, ends, values, block checksums;
    /// `None` for sizes no file could have.
    pub(super) fn section_len(self) -> Option<u64> {
        let ids = self.distinct.checked_mul(12)?;
        let values = self.values.checked_mul(4)?;
        let sums = self.blocks().checked_mul(8)?;
        ids.checked_add(values)?.checked_add(sums)
    }

    /// The index whose section starts at `start` of `file`, its ids, ends
    /// and block checksums read and checked; `None` when they do not
    /// match the trailer's sum (the copy is damaged: read the CSV).
    pub(super) fn open(self, file: &File, start: u64) -> Option<Lookup<'_>> {
        let distinct = usize::try_from(self.distinct).ok()?;
        let blocks = usize::try_from(self.blocks()).ok()?;
        let ids = read_words(file, start, distinct, u32::from_le_bytes)?;
        let ends = read_words(
            file,
            start + 4 * self.distinct,
            distinct,
            u64::from_le_bytes,
        )?;
        let values_at = start + 12 * self.distinct;
        let sums = read_words(
            file,
            values_at + 4 * self.values,
            blocks,
            u64::from_le_bytes,
        )?;
        if summed(self.distinct, self.values, &ids, &ends, &sums) != self.sum {
            return None;
        }
        Some(Lookup {
            file,
            last: None,
            values: self.values,
            values_at,
            ids,
            ends,
            sums,
        })
    }
}

/// An index opened for lookups.
pub(super) struct Lookup<'a> {
    /// The copy.
    file: &'a File,
    /// How many values its runs hold, and where the first is.
    values: u64,
    values_at: u64,
    /// Its ids, the end of each one's run, each block's checksum: checked.
    ids: Vec<u32>,
    ends: Vec<u64>,
    sums: Vec<u64>,
    /// The block read last, checked: the next id's run often starts in it
    /// (the links of the first 1,000 studies lie in a few blocks).
    last: Option<(u64, Vec<u32>)>,
}

impl Lookup<'_> {
    /// The ids of the other column linked to `id`, the blocks they are in
    /// read and checked; `None` when one does not match its checksum.
    pub(super) fn linked(&mut self, id: i64) -> Option<Vec<i64>> {
        let found = u32::try_from(id).ok().map(|id| self.ids.binary_search(&id));
        let Some(Ok(k)) = found else {
            return Some(Vec::new());
        };
        let begin = if k == 0 { 0 } else { self.ends[k - 1] };
        let end = self.ends[k];
        if begin >= end || end > self.values {
            return None;
        }
        let block = BLOCK as u64;
        let mut linked = Vec::with_capacity((end - begin) as usize);
        for b in begin / block..end.div_ceil(block) {
            let words = self.block(b)?;
            let first = b * block;
            let from = (begin.max(first) - first) as usize;
            let to = (end.min(first + block) - first) as usize;
            linked.extend(words[from..to].iter().map(|&v| i64::from(v)));
        }
        Some(linked)
    }

    /// The values of block `b`, read and checked (or kept from the last
    /// read); `None` when they do not match its checksum.
    fn block(&mut self, b: u64) -> Option<&[u32]> {
        if self.last.as_ref().is_none_or(|(at, _)| *at != b) {
            let first = b * BLOCK as u64;
            let len = (self.values - first).min(BLOCK as u64) as usize;
            let at = self.values_at + 4 * first;
            let words = read_words(self.file, at, len, u32::from_le_bytes)?;
            if block_sum(&words) != *self.sums.get(b as usize)? {
                return None;
            }
            self.last = Some((b, words));
        }
        self.last.as_ref().map(|(_, words)| words.as_slice())
    }
}

/// One index as written: its ids, the end of each one's run, the values.
pub(super) struct Index {
    ids: Vec<u32>,
    ends: Vec<u64>,
    values: Vec<u32>,
}

impl Index {
    /// The values of `of` linked to each id of `by` (columns of ids that
    /// fit a `u32`, as the copy's columns do): every pair sorted. (Placing
    /// them by counting instead, for ids numbered from 1, was tried: the
    /// first run at 20M links took 2.5 s and 670 MiB against 2.6 s and
    /// 579 MiB, the time within the noise.)
    pub(super) fn build(by: &Int64Chunked, of: &Int64Chunked) -> Index {
        let mut pairs: Vec<u64> = (by.into_no_null_iter())
            .zip(of.into_no_null_iter())
            .map(|(b, o)| (u64::from(b as u32) << 32) | u64::from(o as u32))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut ids = Vec::new();
        let mut ends = Vec::new();
        for (at, pair) in pairs.iter().enumerate() {
            let id = (pair >> 32) as u32;
            if ids.last() == Some(&id) {
                *ends.last_mut().expect("an end per id") += 1;
            } else {
                ids.push(id);
                ends.push(at as u64 + 1);
            }
        }
        let values = pairs.into_iter().map(|p| p as u32).collect();
        Index { ids, ends, values }
    }

    /// Writes the section and says where it is in the trailer's terms.
    pub(super) fn write(&self, out: &mut impl Write) -> io::Result<Placed> {
        let sums: Vec<u64> = self.values.chunks(BLOCK).map(block_sum).collect();
        for words in [
            bytemuck::cast_slice::<u32, u8>(&little(&self.ids, u32::to_le)),
            bytemuck::cast_slice(&little(&self.ends, u64::to_le)),
            bytemuck::cast_slice(&little(&self.values, u32::to_le)),
            bytemuck::cast_slice(&little(&sums, u64::to_le)),
        ] {
            out.write_all(words)?;
        }
        let (distinct, values) = (self.ids.len() as u64, self.values.len() as u64);
        Ok(Placed {
            distinct,
            values,
            sum: summed(distinct, values, &self.ids, &self.ends, &sums),
        })
    }
}

/// The checksum the trailer keeps for an index.
fn summed(distinct: u64, values: u64, ids: &[u32], ends: &[u64], sums: &[u64]) -> u64 {
    let mut sum = Checksum::default();
    sum.add(&distinct.to_le_bytes());
    sum.add(&values.to_le_bytes());
    sum.add(bytemuck::cast_slice(&little(ids, u32::to_le)));
    sum.add(bytemuck::cast_slice(&little(ends, u64::to_le)));
    sum.add(bytemuck::cast_slice(&little(sums, u64::to_le)));
    sum.finish()
}

/// The checksum of one block of values.
fn block_sum(words: &[u32]) -> u64 {
    let mut sum = Checksum::default();
    sum.add(bytemuck::cast_slice(&little(words, u32::to_le)));
    sum.finish()
}

/// `words` as their little-endian bytes are read (`to_le` of each: a copy
/// only on a big-endian machine).
fn little<W: bytemuck::Pod>(words: &[W], to_le: fn(W) -> W) -> std::borrow::Cow<'_, [W]> {
    if cfg!(target_endian = "little") {
        words.into()
    } else {
        words.iter().map(|w| to_le(*w)).collect::<Vec<_>>().into()
    }
}

/// `count` little-endian words of `N` bytes from `offset` of `file`.
fn read_words<const N: usize, W>(
    file: &File,
    offset: u64,
    count: usize,
    word: fn([u8; N]) -> W,
) -> Option<Vec<W>> {
    let mut bytes = vec![0u8; count.checked_mul(N)?];
    read_exact_at(file, &mut bytes, offset).ok()?;
    Some(
        (bytes.chunks_exact(N))
            .map(|w| word(w.try_into().unwrap_or([0; N])))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_holds_each_ids_links_sorted_once() {
        // Ids past 2^31 and far beyond the number of links; repeats.
        let by = [4_000_000_000i64, 7, 7, 4_000_000_000, 7, 1];
        let of = [2i64, 9, 1, 2, 9, 4_000_000_001];
        let index = Index::build(
            &Int64Chunked::from_vec("by".into(), by.to_vec()),
            &Int64Chunked::from_vec("of".into(), of.to_vec()),
        );
        assert_eq!(index.ids, [1, 7, 4_000_000_000]);
        assert_eq!(index.ends, [1, 3, 4]);
        assert_eq!(index.values, [4_000_000_001, 1, 9, 2]);
        let none = Int64Chunked::from_vec("none".into(), Vec::new());
        let empty = Index::build(&none, &none);
        assert!(empty.ids.is_empty() && empty.ends.is_empty() && empty.values.is_empty());
    }
}
