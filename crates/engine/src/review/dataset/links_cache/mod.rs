//! A checked copy of a large folder's evidence links, kept between runs so
//! that the next run over the same files reads numbers, not CSV.
//!
//! Written only after `evidence.csv` was read and found without a problem,
//! so a copy holds links that passed every check against these studies and
//! findings. It is used only when everything the checks depended on is as
//! it was: the file's bytes (their length and hash, [`Content`]), the ids
//! of studies and findings ([`fingerprint`]) and the build of metasum that
//! wrote it. Anything else is a miss and the CSV is read (and checked)
//! again. The bytes, not the file system's times, decide: on a synced or
//! network folder (rclone, FUSE) a same-size edit with its time set back
//! kept the change time too, and the copy of the old links was used.
//!
//! Where copies are kept, who may read them and how one is written whole:
//! [`super::cache_folder`]. One copy per `evidence.csv` path.
//!
//! Measured on 20M links (BENCHMARKS.md): the FES filter takes 216 ms
//! with the copy against 748 ms parsing and checking the CSV (text ids:
//! 255 against 1,295 ms); hashing the file's 208 MB adds 30-36 ms to a
//! warm run, and no memory (BENCHMARKS.md, issue 28).
//!
//! The copy also keeps the links grouped by study and by finding
//! ([`index`]), so that a `has` lookup or the first rows of a view read
//! only their own links: at 20M links `findings where studies has 13 show
//! id` takes 0.15 s and 44 MiB instead of 0.31 s and 359 MiB, `findings
//! limit 1` 0.12 s and 55 MiB instead of 0.39 s and 364 MiB.

use std::fs::{self, File};
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

mod index;
mod words;

use words::{Checksum, read_exact_at, read_piece, read_u64, write_piece, write_u64};

use super::TableKeys;
use super::cache_folder::{self, CopyOf, Skip};
use super::keys::Keys;

/// Smaller files are parsed faster than a copy pays for itself (1 MiB of
/// links, about 100,000, parse in a few milliseconds), and are not kept.
pub const MIN_BYTES: u64 = 1 << 20;

/// The first bytes of every copy; the digit changes with the layout.
const MAGIC: &[u8; 8] = b"MSLINKS3";

/// Values read, written and summed at a time (1 MiB of `u32`s).
const CHUNK: usize = 1 << 18;

/// The bytes of `evidence.csv` hashed a piece at a time, the pieces on
/// every core: the hash does not depend on how many cores there are.
const PIECE: u64 = 16 << 20;

/// What `evidence.csv` holds, as far as a copy must match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Content {
    /// Its length in bytes.
    pub len: u64,
    /// The 64-bit XXH3 of the XXH3s of its pieces.
    pub hash: u64,
}

impl Content {
    /// The content of the open file `file`, read a piece per thread at a
    /// time (at memory speed from the page cache; BENCHMARKS.md).
    pub(super) fn of(file: &File) -> io::Result<Content> {
        let len = file.metadata()?.len();
        let pieces = len.div_ceil(PIECE).max(1);
        let threads = super::parallel::cores() as u64;
        let per_thread = pieces.div_ceil(threads.min(pieces));
        let hashes: Vec<io::Result<Vec<u64>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..pieces)
                .step_by(per_thread as usize)
                .map(|first| {
                    let last = (first + per_thread).min(pieces);
                    scope.spawn(move || (first..last).map(|p| piece_hash(file, p, len)).collect())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("a hashing thread failed")))
                })
                .collect()
        });
        let mut pieces = Vec::new();
        for piece in hashes {
            pieces.extend(piece?);
        }
        Ok(Content::joined(len, &pieces))
    }

    /// The content of `bytes`, as [`Content::of`] a file holding them
    /// hashes it: the copy of links parsed from these bytes is kept under
    /// their own hash (the file may have changed since it was hashed).
    pub(super) fn of_bytes(bytes: &[u8]) -> Content {
        let pieces: Vec<u64> = (bytes.chunks(PIECE as usize))
            .map(xxhash_rust::xxh3::xxh3_64)
            .collect();
        let pieces = if pieces.is_empty() {
            vec![xxhash_rust::xxh3::xxh3_64(&[])]
        } else {
            pieces
        };
        Content::joined(bytes.len() as u64, &pieces)
    }

    /// The length and the hash of the pieces' hashes.
    fn joined(len: u64, pieces: &[u64]) -> Content {
        let mut all = xxhash_rust::xxh3::Xxh3::new();
        all.update(&len.to_le_bytes());
        for hash in pieces {
            all.update(&hash.to_le_bytes());
        }
        Content {
            len,
            hash: all.digest(),
        }
    }
}

/// The XXH3 of the `index`th piece of `file` (of `len` bytes).
fn piece_hash(file: &File, index: u64, len: u64) -> io::Result<u64> {
    let start = index * PIECE;
    let end = (start + PIECE).min(len);
    let mut hash = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut at = start;
    while at < end {
        let n = ((end - at) as usize).min(buffer.len());
        read_exact_at(file, &mut buffer[..n], at)?;
        hash.update(&buffer[..n]);
        at += n as u64;
    }
    Ok(hash.digest())
}

/// A copy's header and trailer, read and checked: where its columns and
/// indexes are and what they must sum to.
struct Opened {
    /// The copy, open.
    file: File,
    /// Where the first column starts.
    start: u64,
    /// How many links, and the name of each column.
    rows: usize,
    names: Vec<String>,
    /// Each column's checksum.
    column_sums: Vec<u64>,
    /// Each of [`index::INDEXES`], and where its section starts.
    indexes: Vec<index::Placed>,
    index_at: Vec<u64>,
}

/// One `evidence.csv`'s copy: where it lives and what it must match.
#[derive(Debug)]
pub(super) struct Entry {
    file: PathBuf,
    key: Vec<u8>,
}

impl Entry {
    /// The copy for the `evidence.csv` at `evidence` holding `content`,
    /// kept in `dir`, valid for ids of this `fingerprint`; or why there is
    /// none to use.
    pub(super) fn new(
        dir: &Path,
        evidence: &Path,
        content: Content,
        fingerprint: u64,
    ) -> Result<Entry, Skip> {
        if content.len < MIN_BYTES {
            return Err(Skip::Unused);
        }
        let (file, mut key) = CopyOf::Links.place(dir, evidence)?;
        key.extend_from_slice(format!("\n{content:?}\nids {fingerprint:016x}\n").as_bytes());
        Ok(Entry { file, key })
    }

    /// The links kept for these files, or `None` (no copy, another
    /// version of the files, or a damaged copy).
    pub(super) fn load(&self) -> Result<Option<DataFrame>, Skip> {
        Ok(if self.usable()? { self.read() } else { None })
    }

    /// Whether the copy is a file of this user's (else `false`, or why it
    /// may not be read).
    fn usable(&self) -> Result<bool, Skip> {
        cache_folder::usable(&self.file)
    }

    /// For each of `ids`, the ids of the `of` column linked to it by the
    /// `by` column (one of [`index::INDEXES`]: the findings of each study),
    /// read from the copy's index without reading the other links; `None`
    /// when there is no whole copy for these files, as [`Entry::load`].
    pub(super) fn linked(
        &self,
        (by, of): (&str, &str),
        ids: &[i64],
    ) -> Result<Option<Vec<Vec<i64>>>, Skip> {
        if !self.usable()? {
            return Ok(None);
        }
        let Some(k) = index::INDEXES.iter().position(|pair| *pair == (by, of)) else {
            return Ok(None);
        };
        let Some(opened) = self.open() else {
            return Ok(None);
        };
        let linked = (opened.indexes[k].open(&opened.file, opened.index_at[k]))
            .and_then(|mut index| ids.iter().map(|id| index.linked(*id)).collect());
        // Closed first: Windows removes an open file only once it is closed.
        drop(opened);
        if linked.is_none() {
            // The copy is for these files but damaged where a whole read
            // does not look: removed, so the next read of the links
            // parses the CSV and keeps a good one.
            let _ = fs::remove_file(&self.file);
        }
        Ok(linked)
    }

    /// The copy's header and trailer, if they are whole, for these files,
    /// and promise the length the file has.
    fn open(&self) -> Option<Opened> {
        let mut file = File::open(&self.file).ok()?;
        let len = file.metadata().ok()?.len();
        let mut sum = Checksum::default();
        let mut magic = [0u8; 8];
        file.read_exact(&mut magic).ok()?;
        if &magic != MAGIC {
            return None;
        }
        let key = read_piece(&mut file, &mut sum, 1 << 20)?;
        if key != self.key {
            return None;
        }
        let rows = usize::try_from(read_u64(&mut file, &mut sum)?).ok()?;
        let count = read_u64(&mut file, &mut sum)?;
        let mut names = Vec::new();
        for _ in 0..count.min(16) {
            let name = read_piece(&mut file, &mut sum, 256)?;
            names.push(String::from_utf8(name).ok()?);
        }
        if count as usize != names.len() {
            return None;
        }
        let start = file.stream_position().ok()?;
        let trailer = index::PLACED_BYTES * index::INDEXES.len() as u64 + 8 * (count + 1);
        let mut words = vec![0u8; trailer as usize];
        file.seek(SeekFrom::Start(len.checked_sub(trailer)?)).ok()?;
        file.read_exact(&mut words).ok()?;
        let (placed, sums) = words.split_at(index::PLACED_BYTES as usize * index::INDEXES.len());
        let sums: Vec<u64> = (sums.chunks_exact(8))
            .map(|s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
            .collect();
        if sums.last() != Some(&sum.finish()) {
            return None;
        }
        let indexes: Vec<index::Placed> = (placed.chunks_exact(index::PLACED_BYTES as usize))
            .map(index::Placed::from_bytes)
            .collect::<Option<_>>()?;
        // The length the header and trailer promise, before any
        // allocation of a size they give: a damaged count must not ask
        // for terabytes.
        let column_len = (rows as u64).checked_mul(4)?;
        let mut at = start.checked_add(column_len.checked_mul(count)?)?;
        let mut index_at = Vec::new();
        for placed in &indexes {
            index_at.push(at);
            at = at.checked_add(placed.section_len()?)?;
        }
        if at.checked_add(trailer)? != len {
            return None;
        }
        Some(Opened {
            file,
            start,
            rows,
            names,
            column_sums: sums[..sums.len() - 1].to_vec(),
            indexes,
            index_at,
        })
    }

    /// The copy's links, if it is whole and for these files.
    fn read(&self) -> Option<DataFrame> {
        let Opened {
            start,
            rows,
            names,
            column_sums,
            ..
        } = self.open()?;
        let column_len = rows as u64 * 4;
        // A column per thread, each widened as it is read into the
        // buffer polars keeps (at 20M links the copy first took 296 ms to
        // read, the columns in turn and copied once more by
        // `Column::new`; the whole has lookup now takes 160 ms).
        let columns = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..names.len())
                .map(|k| {
                    let offset = start + column_len * k as u64;
                    scope.spawn(move || read_column(&self.file, offset, rows))
                })
                .collect();
            let read: Vec<_> = readers
                .into_iter()
                .map(|r| r.join().ok().flatten())
                .collect();
            read
        });
        let mut frame = Vec::with_capacity(names.len());
        for ((name, column), expected) in names.into_iter().zip(columns).zip(&column_sums) {
            let (ids, sum) = column?;
            if sum != *expected {
                return None;
            }
            frame.push(Int64Chunked::from_vec(name.into(), ids).into_column());
        }
        DataFrame::new(rows, frame).ok()
    }

    /// Keeps `links` (read from the bytes this entry was made for, with
    /// no problem) for the next run: written whole under another name,
    /// then renamed over the old copy, so a reader never sees half of
    /// one; a copy that cannot be written leaves nothing behind. Nothing
    /// is kept when a link does not fit the layout.
    pub(super) fn store(&self, links: &DataFrame) -> io::Result<()> {
        let columns = (links.columns().iter())
            .map(|c| Ok((c.name().as_str(), c.i64()?)))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(io::Error::other)?;
        let fits = |c: &Int64Chunked| {
            c.null_count() == 0
                && c.into_no_null_iter()
                    .all(|id| (1..=i64::from(u32::MAX)).contains(&id))
        };
        if !columns.iter().all(|(_, c)| fits(c)) {
            return Err(io::Error::other("an id does not fit the layout"));
        }
        cache_folder::write_whole(&self.file, |file| {
            write_copy(file, &self.key, links.height(), &columns)
        })
    }
}

/// `rows` ids from `offset` of the copy at `path`, and their checksum.
fn read_column(path: &Path, offset: u64, rows: usize) -> Option<(Vec<i64>, u64)> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut sum = Checksum::default();
    // Eight-byte words under the `u32`s, for the checksum.
    let mut buffer = vec![0u64; CHUNK / 2];
    let mut ids: Vec<i64> = Vec::with_capacity(rows);
    while ids.len() < rows {
        let n = (rows - ids.len()).min(CHUNK);
        let words = &mut bytemuck::cast_slice_mut::<u64, u32>(&mut buffer)[..n];
        file.read_exact(bytemuck::cast_slice_mut(words)).ok()?;
        sum.add(bytemuck::cast_slice(words));
        ids.extend(words.iter().map(|w| i64::from(u32::from_le(*w))));
    }
    Some((ids, sum.finish()))
}

/// The copy's bytes: magic, key, rows, column names; each column's ids
/// as little-endian `u32`; each of [`index::INDEXES`]; then the trailer:
/// where each index lies ([`index::Placed`]), the checksum of each
/// column, then of the header (everything between magic and columns).
fn write_copy(
    file: File,
    key: &[u8],
    rows: usize,
    columns: &[(&str, &Int64Chunked)],
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut header = Checksum::default();
    out.write_all(MAGIC)?;
    write_piece(&mut out, &mut header, key)?;
    write_u64(&mut out, &mut header, rows as u64)?;
    write_u64(&mut out, &mut header, columns.len() as u64)?;
    for (name, _) in columns {
        write_piece(&mut out, &mut header, name.as_bytes())?;
    }
    let mut sums = Vec::new();
    let mut buffer: Vec<u32> = Vec::with_capacity(CHUNK);
    for (_, ids) in columns {
        let mut sum = Checksum::default();
        let mut values = ids.into_no_null_iter();
        loop {
            buffer.clear();
            // Checked in `store`: every id fits.
            buffer.extend(values.by_ref().take(CHUNK).map(|id| (id as u32).to_le()));
            if buffer.is_empty() {
                break;
            }
            sum.add(bytemuck::cast_slice(&buffer));
            out.write_all(bytemuck::cast_slice(&buffer))?;
        }
        sums.push(sum.finish());
    }
    let column = |name: &str| (columns.iter().find(|(n, _)| *n == name)).map(|(_, c)| *c);
    let pairs = (index::INDEXES.iter())
        .map(|(by, of)| column(by).zip(column(of)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| io::Error::other("the links lack a column an index needs"))?;
    // One index at a time, each a sorted copy of every link: the first
    // run at 20M links takes 2.6 s and 580 MB (1.2 s and 548 MB without
    // the indexes); built on two threads it took 2.9 s and 940 MB.
    let mut placed = Vec::new();
    for (by, of) in pairs {
        placed.push(index::Index::build(by, of).write(&mut out)?);
    }
    for index in placed {
        out.write_all(&index.to_bytes())?;
    }
    sums.push(header.finish());
    for sum in sums {
        out.write_all(&sum.to_le_bytes())?;
    }
    // Not synced to disk: a copy cut short by a crash fails its length
    // or checksum and is read as a miss.
    out.flush()
}

/// What the checks of the links depended on besides the file: the ids of
/// studies and findings (as numbers) and the text they stand for.
pub(super) fn fingerprint(studies: &Column, findings: &Column, keys: &TableKeys) -> u64 {
    let mut hash = DefaultHasher::new();
    for ids in [studies, findings] {
        match ids.i64() {
            Ok(ids) => ids.iter().for_each(|id| hash.write_i64(id.unwrap_or(0))),
            Err(_) => hash.write_u8(0xff),
        }
        hash.write_u8(0);
    }
    for keys in [&keys.studies, &keys.findings] {
        if let Keys::Text { ids, .. } = keys {
            for id in ids {
                hash.write(id.as_bytes());
                hash.write_u8(0xff);
            }
        }
        hash.write_u8(0);
    }
    hash.finish()
}

#[cfg(test)]
mod tests;
