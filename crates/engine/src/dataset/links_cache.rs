//! A checked copy of a large folder's evidence links, kept between runs so
//! that the next run over the same files reads numbers, not CSV.
//!
//! Written only after `evidence.csv` was read and found without a problem,
//! so a copy holds links that passed every check against these studies and
//! findings. It is used only when everything the checks depended on is as
//! it was: the file (its path, size, modification and change times, inode),
//! the ids of studies and findings ([`fingerprint`]) and the build of
//! metasum that wrote it. Anything else is
//! a miss and the CSV is read (and checked) again. The copy ends with a
//! checksum, is written to a temporary file and renamed into place, and
//! may be deleted at any time. One copy per `evidence.csv` path, so the
//! cache grows with the number of reviews, not of runs.
//!
//! Measured on 20M links (BENCHMARKS.md): the FES filter takes 216 ms
//! with the copy against 748 ms parsing and checking the CSV (text ids:
//! 255 against 1,295 ms), and 352 against 533 MiB (the CSV's bytes are
//! never held).

use std::fs::{self, File, Metadata};
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::TableKeys;
use super::keys::Keys;

/// Smaller files are parsed faster than a copy pays for itself (1 MiB of
/// links, about 100,000, parse in a few milliseconds), and are not kept.
pub const MIN_BYTES: u64 = 1 << 20;

/// The first bytes of every copy; the digit changes with the layout.
const MAGIC: &[u8; 8] = b"MSLINKS1";

/// Values read, written and summed at a time (1 MiB of `u32`s).
const CHUNK: usize = 1 << 18;

/// A file changed within this many seconds of being read might change
/// again within the same timestamp; it is not kept (as git does).
const SETTLED_SECS: u64 = 2;

/// One `evidence.csv`'s copy: where it lives and what it must match.
#[derive(Debug)]
pub(super) struct Entry {
    file: PathBuf,
    key: Vec<u8>,
    stamp: Stamp,
    evidence: PathBuf,
}

/// What the file system says of a file: any change to its bytes changes it.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    unix: (i64, i64, u64, u64),
}

impl Stamp {
    fn of(meta: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            // The change time cannot be set back by hand, as the
            // modification time can (`touch -d`, `cp -p`).
            #[cfg(unix)]
            unix: (meta.ctime(), meta.ctime_nsec(), meta.ino(), meta.dev()),
        }
    }

    /// Whether the file has not changed for a while: by its change time,
    /// which `touch -r`, `cp -p` or `rsync -t` cannot set back as they set
    /// the modification time. On a file system that keeps whole seconds,
    /// a second edit in the second of a kept copy would otherwise look
    /// like no edit at all (found by an adversarial pass).
    fn settled(&self) -> bool {
        let now = std::time::SystemTime::now();
        let old = |t: std::time::SystemTime| {
            now.duration_since(t)
                .is_ok_and(|age| age.as_secs() >= SETTLED_SECS)
        };
        #[cfg(unix)]
        let changed = u64::try_from(self.unix.0)
            .ok()
            .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        #[cfg(not(unix))]
        let changed = self.modified;
        self.modified.is_some_and(old) && changed.is_some_and(old)
    }
}

impl Entry {
    /// The copy for the `evidence.csv` at `evidence`, kept in `dir`,
    /// valid for ids of this `fingerprint`; `None` when the file is not
    /// worth a copy or cannot be looked at.
    pub(super) fn new(dir: &Path, evidence: &Path, fingerprint: u64) -> Option<Entry> {
        let meta = fs::metadata(evidence).ok()?;
        if !meta.is_file() || meta.len() < MIN_BYTES {
            return None;
        }
        let path = fs::canonicalize(evidence).ok()?;
        let stamp = Stamp::of(&meta);
        let mut key = Vec::new();
        key.extend_from_slice(concat!("metasum ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
        // This build of metasum: another one may read or check the links
        // differently, and the version is not bumped for every change.
        let build = std::env::current_exe().and_then(fs::metadata);
        key.extend_from_slice(format!("{:?}\n", build.map(|m| Stamp::of(&m)).ok()).as_bytes());
        key.extend_from_slice(path.as_os_str().as_encoded_bytes());
        key.extend_from_slice(format!("\n{stamp:?}\nids {fingerprint:016x}\n").as_bytes());
        let mut name = DefaultHasher::new();
        name.write(path.as_os_str().as_encoded_bytes());
        Some(Entry {
            file: dir.join(format!("links-{:016x}.bin", name.finish())),
            key,
            stamp,
            evidence: evidence.to_path_buf(),
        })
    }

    /// The links kept for these files, or `None` (no copy, another
    /// version of the files, or a damaged copy).
    pub(super) fn load(&self) -> Option<DataFrame> {
        // A FIFO would block the run, and a device never end.
        if !fs::metadata(&self.file).ok()?.is_file() {
            return None;
        }
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
        // The length the header promises, before any allocation of that
        // size: a damaged count must not ask for terabytes.
        let start = file.stream_position().ok()?;
        let column_len = (rows as u64).checked_mul(4)?;
        let trailer = 8 * (names.len() as u64 + 1);
        let promised = (column_len.checked_mul(count)?).checked_add(start + trailer)?;
        if count as usize != names.len() || promised != len {
            return None;
        }
        let mut sums = vec![0u8; trailer as usize];
        file.seek(SeekFrom::Start(len - trailer)).ok()?;
        file.read_exact(&mut sums).ok()?;
        let sums: Vec<u64> = (sums.chunks_exact(8))
            .map(|s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
            .collect();
        if sums.last() != Some(&sum.finish()) {
            return None;
        }
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
        for ((name, column), expected) in names.into_iter().zip(columns).zip(&sums) {
            let (ids, sum) = column?;
            if sum != *expected {
                return None;
            }
            frame.push(Int64Chunked::from_vec(name.into(), ids).into_column());
        }
        DataFrame::new(rows, frame).ok()
    }

    /// Keeps `links` (read from the file this entry was made for, with
    /// no problem) for the next run: written whole under another name,
    /// then renamed over the old copy, so a reader never sees half of
    /// one. Nothing is kept when the file changed since (or only just
    /// before) it was looked at, or a link does not fit the layout.
    pub(super) fn store(&self, links: &DataFrame) -> io::Result<()> {
        let now = fs::metadata(&self.evidence).map(|m| Stamp::of(&m))?;
        if now != self.stamp || !self.stamp.settled() {
            return Err(io::Error::other("the file is changing"));
        }
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
        let dir = self.file.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let temporary = self
            .file
            .with_extension(format!("{}.partial", std::process::id()));
        let written = write_copy(&temporary, &self.key, links.height(), &columns)
            .and_then(|()| fs::rename(&temporary, &self.file));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written
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
/// as little-endian `u32`; the checksum of each column, then of the
/// header (everything between magic and columns).
fn write_copy(
    path: &Path,
    key: &[u8],
    rows: usize,
    columns: &[(&str, &Int64Chunked)],
) -> io::Result<()> {
    // A new file: never through a link or FIFO left at its name (one a
    // crashed run of the same process id left is removed first).
    let create = || File::options().write(true).create_new(true).open(path);
    let file = create().or_else(|_| fs::remove_file(path).and_then(|()| create()))?;
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
    sums.push(header.finish());
    for sum in sums {
        out.write_all(&sum.to_le_bytes())?;
    }
    // Not synced to disk: a copy cut short by a crash fails its length
    // or checksum and is read as a miss.
    out.flush()
}

fn write_u64(out: &mut impl Write, sum: &mut Checksum, n: u64) -> io::Result<()> {
    let bytes = n.to_le_bytes();
    sum.add(&bytes);
    out.write_all(&bytes)
}

fn write_piece(out: &mut impl Write, sum: &mut Checksum, piece: &[u8]) -> io::Result<()> {
    write_u64(out, sum, piece.len() as u64)?;
    sum.add(piece);
    out.write_all(piece)
}

fn read_u64(file: &mut File, sum: &mut Checksum) -> Option<u64> {
    let mut bytes = [0u8; 8];
    file.read_exact(&mut bytes).ok()?;
    sum.add(&bytes);
    Some(u64::from_le_bytes(bytes))
}

/// A length-prefixed piece of at most `max` bytes.
fn read_piece(file: &mut File, sum: &mut Checksum, max: u64) -> Option<Vec<u8>> {
    let len = read_u64(file, sum)?;
    if len > max {
        return None;
    }
    let mut piece = vec![0u8; len as usize];
    file.read_exact(&mut piece).ok()?;
    sum.add(&piece);
    Some(piece)
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

/// A fast sum over the copy's bytes: a changed word always changes it
/// (each step is invertible), and four lanes keep it near memory speed.
/// Pieces must be added in the same sizes when written and read.
#[derive(Default)]
struct Checksum {
    lanes: [u64; 4],
    pieces: u64,
}

impl Checksum {
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

    fn step(lane: u64, word: u64) -> u64 {
        (lane ^ word).wrapping_mul(Self::MULTIPLIER).rotate_left(31)
    }

    fn add(&mut self, piece: &[u8]) {
        let mut blocks = piece.chunks_exact(32);
        for block in &mut blocks {
            for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = Self::step(*lane, u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
            }
        }
        let mut tail = [0u8; 32];
        let rest = blocks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        tail[31] = rest.len() as u8;
        for (lane, word) in self.lanes.iter_mut().zip(tail.chunks_exact(8)) {
            *lane = Self::step(*lane, u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        }
        self.pieces += 1;
    }

    fn finish(&self) -> u64 {
        (self.lanes.iter()).fold(self.pieces, |sum, lane| Self::step(sum, *lane))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder with an `evidence.csv` of `links` lines, made long ago (as
    /// far as its modification time says) and settled.
    fn evidence(dir: &Path, links: usize) -> PathBuf {
        let mut text = String::from("finding,study\n");
        for k in 0..links {
            text.push_str(&format!("{},{}\n", k % 97 + 1, k % 1009 + 1));
        }
        let path = dir.join("evidence.csv");
        fs::write(&path, text).unwrap();
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        // Its change time cannot be set back: wait until it is settled.
        std::thread::sleep(std::time::Duration::from_secs(SETTLED_SECS + 1));
        path
    }

    fn frame(rows: usize) -> DataFrame {
        let findings: Vec<i64> = (0..rows as i64).map(|k| k % 97 + 1).collect();
        let studies: Vec<i64> = (0..rows as i64).map(|k| k % 1009 + 1 + (1 << 31)).collect();
        df!("finding" => findings, "study" => studies).unwrap()
    }

    #[test]
    fn a_copy_reads_back_equal_and_only_for_the_same_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = evidence(dir.path(), 200_000);
        let cache = dir.path().join("cache");
        let entry = Entry::new(&cache, &file, 7).unwrap();
        assert!(entry.load().is_none(), "nothing kept yet");
        // More rows than one chunk, ids up to u32::MAX.
        let links = frame(CHUNK * 2 + 5);
        entry.store(&links).unwrap();
        assert!(entry.load().unwrap().equals(&links));
        // Other ids, or the file changed: a miss.
        assert!(Entry::new(&cache, &file, 8).unwrap().load().is_none());
        fs::write(&file, fs::read(&file).unwrap()).unwrap();
        assert!(Entry::new(&cache, &file, 7).unwrap().load().is_none());
        // No leftovers: one copy, no temporary file.
        assert_eq!(fs::read_dir(&cache).unwrap().count(), 1);
    }

    #[test]
    fn a_damaged_copy_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let file = evidence(dir.path(), 200_000);
        let cache = dir.path().join("cache");
        let entry = Entry::new(&cache, &file, 7).unwrap();
        entry.store(&frame(1000)).unwrap();
        let good = fs::read(&entry.file).unwrap();
        // A row count that would overflow the length it promises.
        let rows_at = 16 + entry.key.len();
        let mut huge = good.clone();
        huge[rows_at..rows_at + 8].copy_from_slice(&(1u64 << 61).to_le_bytes());
        fs::write(&entry.file, &huge).unwrap();
        assert!(entry.load().is_none());
        // Every seventh byte flipped (one bit), and cuts every 331 bytes.
        for at in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            fs::write(&entry.file, &bad).unwrap();
            assert!(entry.load().is_none(), "byte {at} flipped");
        }
        for len in (0..good.len()).step_by(331) {
            fs::write(&entry.file, &good[..len]).unwrap();
            assert!(entry.load().is_none(), "cut at {len}");
        }
        fs::remove_file(&entry.file).unwrap();
        assert!(entry.load().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_folder_at_the_copys_name_is_a_miss_and_never_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let file = evidence(dir.path(), 200_000);
        let cache = dir.path().join("cache");
        let entry = Entry::new(&cache, &file, 7).unwrap();
        fs::create_dir_all(&cache).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&entry.file)
            .status();
        assert!(made.unwrap().success());
        assert!(entry.load().is_none());
        // Written over by a good copy (renamed into place).
        entry.store(&frame(10)).unwrap();
        assert!(entry.load().unwrap().equals(&frame(10)));
        fs::remove_file(&entry.file).unwrap();
        fs::create_dir(&entry.file).unwrap();
        assert!(entry.load().is_none());
        assert!(entry.store(&frame(10)).is_err());
    }

    #[test]
    fn small_changing_or_unfit_files_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let small = evidence(dir.path(), 10);
        assert!(Entry::new(&cache, &small, 7).is_none());
        let file = evidence(dir.path(), 200_000);
        let entry = Entry::new(&cache, &file, 7).unwrap();
        let too_big = df!("finding" => [1i64], "study" => [1i64 << 32]).unwrap();
        assert!(entry.store(&too_big).is_err());
        // Just written: might change again within its timestamp, even
        // with its modification time set back (as `cp -p` does).
        fs::write(&file, fs::read(&file).unwrap()).unwrap();
        let entry = Entry::new(&cache, &file, 7).unwrap();
        assert!(entry.store(&frame(10)).is_err());
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let entry = Entry::new(&cache, &file, 7).unwrap();
        assert!(entry.store(&frame(10)).is_err());
        assert!(!cache.exists() || fs::read_dir(&cache).unwrap().count() == 0);
    }

    #[test]
    fn the_fingerprint_follows_the_ids_and_their_text() {
        let ids = |v: &[i64]| Column::new("id".into(), v.to_vec());
        let numbers = TableKeys::default();
        let base = fingerprint(&ids(&[1, 2]), &ids(&[1]), &numbers);
        assert_eq!(base, fingerprint(&ids(&[1, 2]), &ids(&[1]), &numbers));
        assert_ne!(base, fingerprint(&ids(&[1, 3]), &ids(&[1]), &numbers));
        assert_ne!(base, fingerprint(&ids(&[1]), &ids(&[2, 1]), &numbers));
        let text = |a: &str| TableKeys {
            studies: Keys::Text {
                ids: vec![a.to_string(), "B".to_string()],
                numbers: PlHashMap::default(),
            },
            ..TableKeys::default()
        };
        let one = fingerprint(&ids(&[1, 2]), &ids(&[1]), &text("A"));
        assert_ne!(one, base);
        assert_ne!(one, fingerprint(&ids(&[1, 2]), &ids(&[1]), &text("A2")));
    }
}
