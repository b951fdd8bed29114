//! A checked copy of a large folder's tables besides the links (studies,
//! papers and findings as loaded: typed, ids made numbers, every check
//! passed, with `dataset.toml` as read), kept between runs so that the
//! next run over the same files reads columns, not CSV.
//!
//! Written only after the whole folder loaded without a problem, so a
//! copy holds tables that passed every check. It is used only when
//! everything their load depended on is as it was: the bytes of
//! [`FILES`] (their length and hash, or that the file is absent), the
//! folder's path and the build of metasum that wrote it. Anything else is
//! a miss and the files are read and checked again. The review's other
//! files (claims, citations, search, CERQual, coding, extracts) are
//! small, and are still read each run and checked against the ids the
//! copy holds; the links have their own copy ([`super::links_cache`]).
//!
//! The copy is `MAGIC`, then length-prefixed pieces (the key; the rest
//! of the load as JSON; the text ids of each table that has them, as
//! length-prefixed pieces in one piece; studies, findings and the papers
//! of papers.csv each as an Arrow IPC file), then the XXH3 of everything after the magic. Where it is kept
//! and how it is written whole: [`super::cache_folder`].
//!
//! Measured at 100,000 studies and 20,000 findings (BENCHMARKS.md): a
//! run of `studies count by country` took 110-120 ms, 75 ms of it
//! parsing and checking these files.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars_io::ipc::{IpcReader, IpcWriter};
use polars_io::{SerReader, SerWriter};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::cache_folder::{self, CopyOf, Skip};
use super::files::ReviewFile;
use super::keys::Keys;
use super::{Dataset, Meta, TableKeys};

/// The files a copy stands for, as their bytes decide it.
pub(super) const FILES: [ReviewFile; 4] = [
    ReviewFile::Meta,
    ReviewFile::Studies,
    ReviewFile::Papers,
    ReviewFile::Findings,
];

/// Smaller files are parsed in a few milliseconds (about 17 ms a MB on
/// this machine), faster than a copy pays for itself, and are not kept.
pub const MIN_BYTES: u64 = 256 << 10;

/// [`MIN_BYTES`], or none while a test of this thread keeps every copy.
fn min_bytes() -> u64 {
    #[cfg(test)]
    if tests::KEEP_EVERY_COPY.get() {
        return 0;
    }
    MIN_BYTES
}

/// The first bytes of every copy; the digit changes with the layout.
const MAGIC: &[u8; 8] = b"MSTABLE1";

/// A folder's tables besides the links, as a load without problems made
/// them from [`FILES`] (kept by [`Entry::store`]).
#[derive(Debug, Clone)]
pub(super) struct Tables {
    /// `dataset.toml`, as the tables' columns respelt it.
    pub meta: Meta,
    /// The studies and findings, final (computed columns left out).
    pub studies: DataFrame,
    pub findings: DataFrame,
    /// The papers of papers.csv; `None` without the file (one paper per
    /// study is made up each run, quicker than read from a copy).
    pub papers: Option<DataFrame>,
    /// How each table's ids are written.
    pub keys: TableKeys,
    /// Stored columns named like computed ones, left out.
    pub ignored_columns: Vec<(String, String)>,
}

/// The part of [`Tables`] that is not a frame, as the copy holds it.
#[derive(Serialize, Deserialize)]
struct Described {
    meta: Meta,
    /// Whether the ids of studies, findings and papers are text (each
    /// table's then follow, a piece each: as JSON 100,000 ids took 8 ms
    /// to read).
    text_keys: [bool; 3],
    ignored_columns: Vec<(String, String)>,
}

/// One folder's copy: where it lives and what it must match.
#[derive(Debug)]
pub(super) struct Entry {
    file: PathBuf,
    key: Vec<u8>,
}

impl Entry {
    /// The copy of the tables of the folder `dir`, whose [`FILES`] hold
    /// `files` (`None`: absent), kept in the cache folder `cache`; or why
    /// there is none to use.
    pub(super) fn new(
        cache: &Path,
        dir: &Path,
        files: &[(ReviewFile, Option<&[u8]>)],
    ) -> Result<Entry, Skip> {
        let bytes: usize = files.iter().filter_map(|(_, b)| b.map(<[u8]>::len)).sum();
        if (bytes as u64) < min_bytes() {
            return Err(Skip::Unused);
        }
        let (file, mut key) = CopyOf::Tables.place(cache, dir)?;
        for (file, bytes) in files {
            let content = bytes.map(|b| (b.len(), xxh3_64(b)));
            key.extend_from_slice(format!("\n{} {content:?}", file.file()).as_bytes());
        }
        Ok(Entry { file, key })
    }

    /// The tables kept for these files, or `None` (no copy, another
    /// version of the files, or a damaged copy).
    pub(super) fn load(&self) -> Result<Option<Tables>, Skip> {
        Ok(if cache_folder::usable(&self.file)? {
            self.read()
        } else {
            None
        })
    }

    /// The copy's tables, if it is whole and for these files.
    fn read(&self) -> Option<Tables> {
        let bytes = fs::read(&self.file).ok()?;
        let body = bytes.strip_prefix(MAGIC)?;
        let (body, sum) = body.split_at(body.len().checked_sub(8)?);
        if xxh3_64(body).to_le_bytes() != sum {
            return None;
        }
        let mut pieces = Pieces(body);
        if pieces.next()? != self.key.as_slice() {
            return None;
        }
        let described: Described = serde_json::from_slice(pieces.next()?).ok()?;
        let mut keys = Vec::new();
        for text in described.text_keys {
            keys.push(match text {
                true => Keys::of_text(ids_of(pieces.next()?)?),
                false => Keys::Numbers,
            });
        }
        let [studies_keys, findings_keys, papers_keys] = <[Keys; 3]>::try_from(keys).ok()?;
        let mut frames = pieces.map(|piece| IpcReader::new(io::Cursor::new(piece)).finish().ok());
        let (studies, findings) = (frames.next()??, frames.next()??);
        let papers = match frames.next() {
            Some(papers) => Some(papers?),
            None => None,
        };
        if frames.next().is_some() {
            return None;
        }
        Some(Tables {
            meta: described.meta,
            studies,
            findings,
            papers,
            keys: TableKeys {
                studies: studies_keys,
                findings: findings_keys,
                papers: papers_keys,
            },
            ignored_columns: described.ignored_columns,
        })
    }

    /// Keeps the tables of `dataset` (loaded from the bytes this entry
    /// was made for, with no problem) for the next run, written whole or
    /// not at all: what [`Entry::load`] gives back as [`Tables`].
    pub(super) fn store(&self, dataset: &Dataset) -> io::Result<()> {
        let keys = [
            &dataset.keys.studies,
            &dataset.keys.findings,
            &dataset.keys.papers,
        ];
        let described = Described {
            meta: dataset.meta.clone(),
            text_keys: keys.map(Keys::is_text),
            ignored_columns: dataset.ignored_columns.clone(),
        };
        let mut pieces = vec![self.key.clone(), serde_json::to_vec(&described)?];
        for ids in keys.iter().filter_map(|k| k.text_ids()) {
            pieces.push(joined(ids.iter().map(String::as_bytes)));
        }
        let papers = dataset.papers_stored.then_some(&dataset.papers);
        let frames = [Some(&dataset.studies), Some(&dataset.findings), papers];
        for frame in frames.into_iter().flatten() {
            let mut bytes = Vec::new();
            IpcWriter::new(&mut bytes)
                .finish(&mut frame.clone())
                .map_err(io::Error::other)?;
            pieces.push(bytes);
        }
        cache_folder::write_whole(&self.file, |file| write_copy(file, &pieces))
    }
}

/// The text ids of a piece [`joined`] them into.
fn ids_of(piece: &[u8]) -> Option<Vec<String>> {
    (Pieces(piece).map(|id| String::from_utf8(id.to_vec()).ok())).collect()
}

/// `pieces`, each after its length, one after another (read back by
/// [`Pieces`]).
fn joined<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for piece in pieces {
        bytes.extend_from_slice(&(piece.len() as u64).to_le_bytes());
        bytes.extend_from_slice(piece);
    }
    bytes
}

/// The copy's bytes: the magic, each piece after its length, then the
/// XXH3 of everything after the magic.
fn write_copy(file: File, pieces: &[Vec<u8>]) -> io::Result<()> {
    let mut out = BufWriter::new(file);
    let mut sum = xxhash_rust::xxh3::Xxh3::new();
    out.write_all(MAGIC)?;
    for piece in pieces {
        for bytes in [&(piece.len() as u64).to_le_bytes()[..], piece] {
            sum.update(bytes);
            out.write_all(bytes)?;
        }
    }
    out.write_all(&sum.digest().to_le_bytes())?;
    // Not synced to disk: a copy cut short by a crash fails its sum and
    // is read as a miss.
    out.flush()
}

/// Length-prefixed pieces, one after another.
struct Pieces<'a>(&'a [u8]);

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let (piece, rest) = rest.split_at_checked(len)?;
        self.0 = rest;
        Some(piece)
    }
}

#[cfg(test)]
mod tests;
