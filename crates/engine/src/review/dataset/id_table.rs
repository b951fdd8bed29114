//! Text ids looked up by their bytes, many at a time: the links' fast path
//! ([`super::intcsv`]) finds the stand-in number of every cell of
//! `evidence.csv` here.
//!
//! A lookup among 100,000 ids waits on memory, not on arithmetic: a map of
//! them is larger than a core's share of the cache, so each cell's lookup
//! missed it twice (the map's control bytes, then its entry). `perf` put
//! 55-66% of reading 20M text-keyed links in those probes (round six).
//! This table is made to look up a block of cells at once, in stages:
//! every cell's slot is fetched before any is read, then every candidate
//! id before any is compared, so the misses of a block overlap instead of
//! following one another.

use std::hash::BuildHasher;

use polars::prelude::PlHashMap;

/// An id of up to 31 bytes and its length, as four words (distinct for
/// distinct byte strings).
type Packed = [u64; 4];

/// Cells looked up together: enough misses in flight to cover the memory's
/// latency, few enough to stay in the nearest cache.
pub(super) const BLOCK: usize = 32;

/// The longest id packed; longer ones are looked up as text.
const MAX_PACKED: usize = 31;

/// Text ids and their stand-in numbers (the `k`th id in natural order
/// stands for `k`), looked up by a cell's bytes.
pub(super) struct IdTable<'a> {
    /// The packed ids in rank order: `keys[k]` stands for `k + 1`; an id
    /// too long to pack has a key no id packs to.
    keys: Vec<Packed>,
    /// Open addressing with linear probing: 0 is empty, otherwise the
    /// hash's high half (a tag, to pass over other ids without reading
    /// them) above the id's index in `keys` plus one.
    slots: Vec<u64>,
    /// `slots.len() - 1` (a power of two less one).
    mask: usize,
    /// Drawn afresh every run, so no file can be written to make its ids
    /// collide.
    seed: [u64; 2],
    /// Ids longer than [`MAX_PACKED`] bytes.
    long: PlHashMap<&'a str, i64>,
}

/// A cell's packed id waiting for its block, and the row it goes to.
pub(super) type Pending = (Packed, usize);

impl<'a> IdTable<'a> {
    /// The table of `ids` (distinct, as [`super::keys::Keys::Text`] holds
    /// them, in natural order); `None` when there are too many to index
    /// with 32 bits.
    pub(super) fn new(ids: &'a [String]) -> Option<IdTable<'a>> {
        u32::try_from(ids.len()).ok().filter(|n| *n < u32::MAX)?;
        let size = (2 * ids.len()).next_power_of_two().max(16);
        let random = std::collections::hash_map::RandomState::new();
        let mut table = IdTable {
            keys: Vec::with_capacity(ids.len()),
            slots: vec![0; size],
            mask: size - 1,
            seed: [random.hash_one(1u8), random.hash_one(2u8)],
            long: PlHashMap::default(),
        };
        for (k, id) in ids.iter().enumerate() {
            let Some(key) = packed(id.as_bytes()) else {
                table.keys.push([u64::MAX; 4]);
                table.long.insert(id.as_str(), k as i64 + 1);
                continue;
            };
            let hash = table.hash(&key);
            let at = table.probe(hash, |_| false);
            table.slots[at] = (hash & !0xffff_ffff) | (k as u64 + 1);
            table.keys.push(key);
        }
        Some(table)
    }

    /// The stand-in number of the id written `cell`, if there is one.
    pub(super) fn get(&self, cell: &[u8]) -> Option<i64> {
        match packed(cell) {
            Some(key) => self.find(&key, self.hash(&key)),
            None => std::str::from_utf8(cell)
                .ok()
                .and_then(|id| self.long.get(id).copied()),
        }
    }

    /// Adds the cell at `at` of `chunk`, which goes to `row` of `column`,
    /// to `pending` (an id too long to pack is looked up and written at
    /// once), and returns where the cell ends: at a comma, a line end or
    /// the chunk's end. `None` when the cell is quoted, or too long to
    /// pack and no id; a short cell that is no id is found by
    /// [`IdTable::resolve`].
    pub(super) fn queue(
        &self,
        (chunk, at): (&[u8], usize),
        row: usize,
        pending: &mut Vec<Pending>,
        column: &mut [i64],
    ) -> Option<usize> {
        if chunk.get(at) == Some(&b'"') {
            // The general reader unquotes it (`"Jr"` is the id `Jr`), and
            // an id may hold quotes (`"Jr"`, written `"""Jr"""`): only
            // it can tell.
            return None;
        }
        let (end, key) = cell(chunk, at);
        match key {
            Some(key) => pending.push((key, row)),
            None => column[row] = self.get(&chunk[at..end])?,
        }
        Some(end)
    }

    /// Writes the stand-in number of each of `pending` to its row of
    /// `column`, [`BLOCK`] at a time, and empties it. `false` when one is
    /// no id.
    pub(super) fn resolve(&self, pending: &mut Vec<Pending>, column: &mut [i64]) -> bool {
        let all = (pending.chunks(BLOCK)).all(|block| self.resolve_block(block, column));
        pending.clear();
        all
    }

    /// [`IdTable::resolve`] of at most [`BLOCK`] cells.
    fn resolve_block(&self, pending: &[Pending], column: &mut [i64]) -> bool {
        let mut hashes = [0u64; BLOCK];
        let mut found = [0u64; BLOCK];
        // Every first slot fetched before any is read.
        for ((key, _), hash) in pending.iter().zip(&mut hashes) {
            *hash = self.hash(key);
            prefetch(&self.slots[*hash as usize & self.mask]);
        }
        // Every candidate's id fetched before any is compared: the first
        // slot with the key's tag (or the empty one ending its run).
        for (hash, slot) in hashes.iter().zip(&mut found).take(pending.len()) {
            *slot = self.slots[self.probe(*hash, |s| same_tag(s, *hash))];
            if *slot != 0 {
                prefetch(&self.keys[index(*slot)]);
            }
        }
        for (((key, row), hash), slot) in pending.iter().zip(&hashes).zip(&found) {
            let number = match *slot {
                0 => return false,
                s if self.keys[index(s)] == *key => index(s) as i64 + 1,
                // Another id with the same tag (one in 2^32): probe on.
                _ => match self.find(key, *hash) {
                    Some(number) => number,
                    None => return false,
                },
            };
            column[*row] = number;
        }
        true
    }

    /// The stand-in number of the packed id `key`, whose hash is `hash`.
    fn find(&self, key: &Packed, hash: u64) -> Option<i64> {
        let found = |s: u64| same_tag(s, hash) && self.keys[index(s)] == *key;
        let s = self.slots[self.probe(hash, found)];
        (s != 0).then(|| index(s) as i64 + 1)
    }

    /// The first slot, from `hash`'s own on, that is empty or that
    /// `wanted` accepts: the table is at most half full, so there is one.
    fn probe(&self, hash: u64, wanted: impl Fn(u64) -> bool) -> usize {
        let mut at = hash as usize & self.mask;
        while self.slots[at] != 0 && !wanted(self.slots[at]) {
            at = (at + 1) & self.mask;
        }
        at
    }

    /// A hash of `key` keyed by this run's seed (two folded multiplies, as
    /// foldhash mixes).
    fn hash(&self, key: &Packed) -> u64 {
        let [a, b, c, d] = *key;
        let low = fold(a ^ self.seed[0], b ^ self.seed[1]);
        let high = fold(c ^ self.seed[1], d ^ self.seed[0]);
        fold(low ^ 0x243f_6a88_85a3_08d3, high ^ 0x1319_8a2e_0370_7344)
    }
}

/// Whether the slot `s` holds an id whose hash has `hash`'s tag.
fn same_tag(s: u64, hash: u64) -> bool {
    (s ^ hash) >> 32 == 0
}

/// The index in `keys` a nonempty slot holds.
fn index(slot: u64) -> usize {
    (slot & 0xffff_ffff) as usize - 1
}

/// The two halves of the full product of `x` and `y`, folded together.
fn fold(x: u64, y: u64) -> u64 {
    let product = u128::from(x) * u128::from(y);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Up to [`MAX_PACKED`] bytes and their count as four words; `None` for
/// longer ones.
fn packed(bytes: &[u8]) -> Option<Packed> {
    if bytes.len() > MAX_PACKED {
        return None;
    }
    let mut flat = [0u8; 32];
    flat[..bytes.len()].copy_from_slice(bytes);
    Some(with_length(words(&flat), bytes.len()))
}

/// `key` (its bytes past `len` zero) with `len` in its last byte, where no
/// id of at most [`MAX_PACKED`] bytes has one of its own.
fn with_length(mut key: Packed, len: usize) -> Packed {
    key[3] |= (len as u64) << 56;
    key
}

/// The 32 bytes of `flat` as four little-endian words.
fn words(flat: &[u8; 32]) -> Packed {
    let word = |k: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&flat[8 * k..8 * k + 8]);
        u64::from_le_bytes(w)
    };
    [word(0), word(1), word(2), word(3)]
}

/// Where the cell at `at` of `chunk` ends (at a comma, a line end or the
/// end of the chunk), and its bytes packed when there are at most
/// [`MAX_PACKED`] of them. Copying a cell of any length into a key byte
/// by byte and reading the key back as words stalled every lookup (27% of
/// the parsing, perf): where 32 bytes are left, they are read as words
/// once, searched for the cell's end and masked there.
fn cell(chunk: &[u8], at: usize) -> (usize, Option<Packed>) {
    let Some(ahead) = chunk[at..].first_chunk::<32>() else {
        let end = cell_end(chunk, at);
        return (end, packed(&chunk[at..end]));
    };
    let mut key = words(ahead);
    let Some(len) = (key.iter().enumerate()).find_map(|(k, w)| Some(8 * k + first_cell_end(*w)?))
    else {
        return (cell_end(chunk, at + 32), None);
    };
    for (k, w) in key.iter_mut().enumerate() {
        let kept = len.saturating_sub(8 * k).min(8);
        *w &= if kept == 8 {
            !0
        } else {
            (1u64 << (8 * kept)) - 1
        };
    }
    (at + len, Some(with_length(key, len)))
}

/// The first comma or line end of `chunk` from `from`, else its end.
fn cell_end(chunk: &[u8], from: usize) -> usize {
    (chunk[from..].iter())
        .position(|&b| matches!(b, b',' | b'\r' | b'\n'))
        .map_or(chunk.len(), |n| from + n)
}

/// The first byte of the little-endian word `w` that ends a cell (a comma,
/// `\r` or `\n`), if any.
fn first_cell_end(w: u64) -> Option<usize> {
    let ends =
        zero_bytes(w ^ splat(b',')) | zero_bytes(w ^ splat(b'\r')) | zero_bytes(w ^ splat(b'\n'));
    (ends != 0).then(|| ends.trailing_zeros() as usize / 8)
}

/// `byte` in every byte of a word.
pub(super) const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The high bit of each byte set exactly where that byte of `x` is zero
/// (exact: no sum carries out of its byte, unlike the shorter trick).
pub(super) fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Asks for the cache line holding `value` without waiting for it.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it reads nothing into the
    // program and cannot fault, and the pointer is a valid reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids of every length from 1 to 40 bytes, some alike but for one byte.
    fn ids() -> Vec<String> {
        let mut ids: Vec<String> = (1..=40)
            .flat_map(|n| {
                let base = "Author12345y2019abcdefghijklmnopqrstuvwxyz";
                [base[..n].to_string(), format!("{}Z", &base[..n - 1])]
            })
            .collect();
        ids.extend((0..3000).map(|k| format!("Author{k}y{}", 1990 + k % 30)));
        ids.extend(["T1.2", "T1.10", "é", "Ωmega2020"].map(String::from));
        ids.sort();
        ids.dedup();
        ids
    }

    fn resolve_all(table: &IdTable, cells: &[&[u8]]) -> Option<Vec<i64>> {
        let mut column = vec![0; cells.len()];
        let mut pending = Vec::new();
        for (row, cell) in cells.iter().enumerate() {
            let line = [*cell, b"\n"].concat();
            if table.queue((&line, 0), row, &mut pending, &mut column)? != cell.len() {
                return None;
            }
            if pending.len() == BLOCK && !table.resolve(&mut pending, &mut column) {
                return None;
            }
        }
        table.resolve(&mut pending, &mut column).then_some(column)
    }

    #[test]
    fn more_cells_than_a_block_are_all_written() {
        let ids = ids();
        let table = IdTable::new(&ids).unwrap();
        let short: Vec<(i64, Packed)> = (1..)
            .zip(&ids)
            .filter_map(|(number, id)| Some((number, packed(id.as_bytes())?)))
            .take(3 * BLOCK + 5)
            .collect();
        let mut column = vec![0; short.len()];
        let mut pending: Vec<Pending> = (short.iter().enumerate())
            .map(|(row, (_, key))| (*key, row))
            .collect();
        assert!(table.resolve(&mut pending, &mut column));
        assert!(pending.is_empty());
        let numbers: Vec<i64> = short.iter().map(|(number, _)| *number).collect();
        assert_eq!(column, numbers);
    }

    #[test]
    fn every_id_is_found_one_at_a_time_and_in_blocks() {
        let ids = ids();
        let table = IdTable::new(&ids).unwrap();
        for (k, id) in ids.iter().enumerate() {
            assert_eq!(table.get(id.as_bytes()), Some(k as i64 + 1), "{id}");
        }
        // Every id, in an order unlike the table's, across many blocks.
        let order: Vec<usize> = (0..ids.len()).map(|k| (k * 7919) % ids.len()).collect();
        let cells: Vec<&[u8]> = order.iter().map(|k| ids[*k].as_bytes()).collect();
        let numbers = resolve_all(&table, &cells).unwrap();
        for (k, number) in order.iter().zip(numbers) {
            assert_eq!(number, *k as i64 + 1, "{}", ids[*k]);
        }
    }

    #[test]
    fn near_misses_are_not_found() {
        let ids = ids();
        let table = IdTable::new(&ids).unwrap();
        for id in &ids {
            let bytes = id.as_bytes();
            for odd in [
                [bytes, b"x"].concat(),
                bytes[..bytes.len() - 1].to_vec(),
                id.to_lowercase().replace('a', "b").into_bytes(),
                [b" ", bytes].concat(),
            ] {
                if ids.iter().any(|id| id.as_bytes() == odd) {
                    continue;
                }
                assert_eq!(table.get(&odd), None, "{odd:?}");
                let block: Vec<&[u8]> = vec![ids[0].as_bytes(), &odd, b"T1.2"];
                assert_eq!(resolve_all(&table, &block), None, "{odd:?}");
            }
        }
        assert_eq!(table.get(b""), None);
        assert_eq!(table.get(&[0xff; 3]), None);
        assert_eq!(IdTable::new(&[]).unwrap().get(b"x"), None);
    }

    #[test]
    fn a_cell_ends_at_its_first_comma_or_line_end_and_is_packed_as_its_bytes() {
        // Every length up to 40, every ending, bytes of every kind around
        // it (the words read past the end must not leak into the key), and
        // every distance from the end of the chunk.
        let fill: Vec<u8> = (0..=255u8).rev().cycle().take(80).collect();
        for len in 0..40 {
            for ending in [&b","[..], b"\r\n", b"\n", b""] {
                for (tail, filler) in [(0, 0u8), (5, 1), (40, 2)] {
                    let mut body: Vec<u8> = (fill.iter().copied())
                        .filter(|b| !matches!(b, b',' | b'\r' | b'\n'))
                        .skip(usize::from(filler) * 3)
                        .take(len)
                        .collect();
                    body.resize(len, b'x');
                    let mut chunk = b"T1.2,".to_vec();
                    chunk.extend(&body);
                    chunk.extend(ending);
                    if !ending.is_empty() {
                        chunk.extend(&fill[..tail]);
                    }
                    let (end, key) = cell(&chunk, 5);
                    assert_eq!(end, 5 + len, "{len} {ending:?} {tail}");
                    assert_eq!(key, packed(&body), "{len} {ending:?} {tail}");
                }
            }
        }
    }

    #[test]
    fn a_cells_end_is_found_in_a_word_exactly() {
        let plain =
            |w: u64| (w.to_le_bytes().iter()).position(|b| matches!(b, b',' | b'\r' | b'\n'));
        let bytes = [
            0u8, 1, 9, 10, 11, 12, 13, 14, 43, 44, 45, 0x7f, 0x80, 0x8a, 0xac, 0xff,
        ];
        let mut w = 0u64;
        for k in 0..200_000u64 {
            // Every byte of the list at every place, in many mixtures.
            let b = bytes[(k as usize * 7 + (k as usize >> 3)) % bytes.len()];
            w = (w << 8) | u64::from(b);
            assert_eq!(first_cell_end(w), plain(w), "{w:#x}");
        }
    }

    #[test]
    fn an_id_passed_over_for_another_with_its_tag_is_still_found() {
        // Tags of 32 bits almost never collide; put one in front by hand.
        let ids: Vec<String> = ["Jones2018", "Smith2019"].map(String::from).to_vec();
        let mut table = IdTable::new(&ids).unwrap();
        let smith = packed(b"Smith2019").unwrap();
        let hash = table.hash(&smith);
        table.slots.fill(0);
        let at = hash as usize & table.mask;
        let tag = hash & !0xffff_ffff;
        table.slots[at] = tag | 1; // Jones2018's index under Smith2019's tag
        table.slots[(at + 1) & table.mask] = tag | 2;
        assert_eq!(table.get(b"Smith2019"), Some(2));
        assert_eq!(resolve_all(&table, &[b"Smith2019"]), Some(vec![2]));
        assert_eq!(table.get(b"Jones2018"), None);
    }
}
