//! The cache folder: where metasum keeps checked copies of a large
//! review's files between runs ([`super::links_cache`] for the links,
//! [`super::tables_cache`] for the other tables), who may read them, and
//! how one is written so that no reader ever sees half of it.
//!
//! The folder and each copy must belong to the user running metasum and
//! be writable by no one else ([`trusted`]): a copy planted in a shared
//! folder is not read, and nothing is written there. A copy is written to
//! a temporary file and renamed into place; one that cannot be written (a
//! full disk, a file-size limit) costs the next run its parse, and leaves
//! no temporary file. Copies may be deleted at any time.

use std::fs::{self, File, Metadata};
use std::hash::{DefaultHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};

/// What a copy in the cache folder is of; each is named after its kind
/// and the path of what it copies, so the folder grows with the number of
/// reviews, not of runs.
#[derive(Debug, Clone, Copy)]
pub(super) enum CopyOf {
    /// A folder's `evidence.csv` ([`super::links_cache`]).
    Links,
    /// A folder's other tables ([`super::tables_cache`]).
    Tables,
}

impl CopyOf {
    const ALL: [CopyOf; 2] = [CopyOf::Links, CopyOf::Tables];

    /// How the names of copies of this kind begin.
    fn prefix(self) -> &'static str {
        match self {
            CopyOf::Links => "links-",
            CopyOf::Tables => "tables-",
        }
    }

    /// Where the copy of `of` (a file or folder) goes in the cache folder
    /// `dir`, made when missing, and how its key begins: this build and
    /// `of`'s path, as canonical as it can be made (the caller adds what
    /// the copy must match); or why the cache may not be used.
    pub(super) fn place(self, dir: &Path, of: &Path) -> Result<(PathBuf, Vec<u8>), Skip> {
        prepare(dir)?;
        let mut key = build_key()?;
        let of = fs::canonicalize(of).unwrap_or_else(|_| of.to_path_buf());
        let of = of.as_os_str().as_encoded_bytes();
        key.extend_from_slice(of);
        let mut name = DefaultHasher::new();
        name.write(of);
        let file = dir.join(format!("{}{:016x}.bin", self.prefix(), name.finish()));
        Ok((file, key))
    }
}

/// Why the cache was not used, when it matters to the reviewer.
#[derive(Debug)]
pub(super) enum Skip {
    /// The files are too small to be worth a copy, or the cache folder
    /// cannot be made or is no folder: a miss, told to no one.
    Unused,
    /// The cache folder or copy may have been written by someone else.
    Untrusted(String),
}

/// Whether `meta` (of a cache folder or copy) belongs to this user and no
/// one else may write it: otherwise what it holds may be someone else's.
#[cfg(unix)]
pub(super) fn trusted(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw() && meta.mode() & 0o022 == 0
}

/// Whether `meta` (of a cache folder or copy) may be used: a user's own
/// folders are not shared on Windows.
#[cfg(not(unix))]
pub(super) fn trusted(_: &Metadata) -> bool {
    true
}

/// The cache folder `dir`, made (for this user only) when missing, or why
/// it may not be used.
fn prepare(dir: &Path) -> Result<(), Skip> {
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // A folder that cannot be made is a miss, as an unwritable one.
        let _ = builder.create(dir);
    }
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(Skip::Unused),
        Ok(meta) if trusted(&meta) => Ok(()),
        Ok(_) => Err(Skip::Untrusted(format!(
            "the cache folder {} is not a folder of yours that only you can write: it is neither read nor written (give another with --cache-dir, or --no-cache)",
            dir.display()
        ))),
        Err(_) => Err(Skip::Unused),
    }
}

/// The first line of every copy's key: this version and build of metasum.
/// Another build may read or check the files differently, and the version
/// is not bumped for every change.
/// A build that cannot be told from another (its program file or time
/// unknown) keeps no copy.
fn build_key() -> Result<Vec<u8>, Skip> {
    let mut key = Vec::new();
    key.extend_from_slice(concat!("metasum ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
    let build = std::env::current_exe().and_then(fs::metadata);
    let (len, modified) = (build.map(|m| (m.len(), m.modified())))
        .ok()
        .and_then(|(len, modified)| Some((len, modified.ok()?)))
        .ok_or(Skip::Unused)?;
    key.extend_from_slice(format!("{len} {modified:?}\n").as_bytes());
    Ok(key)
}

/// Whether the copy at `file` is a file of this user's (else `false`, or
/// why it may not be read).
pub(super) fn usable(file: &Path) -> Result<bool, Skip> {
    // A FIFO would block the run, and a device never end; a link may
    // lead anywhere.
    match fs::symlink_metadata(file) {
        Ok(meta) if meta.is_file() && trusted(&meta) => Ok(true),
        Ok(meta) if meta.is_file() || meta.is_symlink() => Err(Skip::Untrusted(format!(
            "the cache's copy {} is not a file of yours that only you can write: it is not read",
            file.display()
        ))),
        _ => Ok(false),
    }
}

/// Writes the copy `file` whole through `write` under another name, then
/// renames it over the old copy, so a reader never sees half of one; a
/// copy that cannot be written leaves nothing behind.
pub(super) fn write_whole(
    file: &Path,
    write: impl FnOnce(File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    remove_stale_partials(dir);
    let temporary = file.with_extension(format!("{}.{PARTIAL}", std::process::id()));
    let written = create_new(&temporary)
        .and_then(write)
        .and_then(|()| fs::rename(&temporary, file));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// The last part of the name of a copy being written.
const PARTIAL: &str = "partial";

/// A new file at `path`: never through a link or FIFO left at its name
/// (one a crashed run of the same process id left is removed first).
fn create_new(path: &Path) -> io::Result<File> {
    let create = || {
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path)
    };
    create().or_else(|_| fs::remove_file(path).and_then(|()| create()))
}

/// Removes the temporary copies of runs killed while writing them (an
/// hour old: no run takes that long to write one).
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && trusted(&m) && m.modified().is_ok_and(|t| t < hour_ago));
        let copy = CopyOf::ALL.iter().any(|c| name.starts_with(c.prefix()));
        if copy && name.ends_with(&format!(".{PARTIAL}")) && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}
