//! One writer of a dataset folder at a time, and no reader that sees half
//! of a change: `import` (and `export` into a folder) hold the folder's
//! lock from reading the files they change to putting the new ones in
//! place, and a load of a folder reads again when a writer was at work
//! meanwhile. Two imports started together then run one after the other,
//! the second adding to what the first wrote (before, each wrote its own
//! version over the other's, and studies.csv could hold one run's rows and
//! papers.csv the other's), and no run reads papers.csv of a change with
//! studies.csv of the one before.
//!
//! A writer's lock is the operating system's advisory lock on the file
//! [`LOCK_FILE`], made in the folder for the time of the change and
//! removed after it (a review folder keeps no file of metasum's). On
//! Windows it is made beside the folder instead (`.NAME.metasum.lock`,
//! [`lock_path`]): Windows moves no folder while a file in it is open, and
//! `export` swaps the folder while holding the lock, with other writers
//! opening the lock file as they wait. A
//! reader takes no lock and makes no file: it notes the dataset files
//! (size, time, inode: a writer replaces files, so each change is a new
//! inode), reads, and reads again if a writer held the lock or a file is
//! not the one noted ([`read_consistently`]). A lock file left by a writer
//! that was killed is not held, and is taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The lock file's name in a dataset folder while a writer is at work.
pub const LOCK_FILE: &str = ".metasum.lock";

/// How long a run waits for another metasum to finish with the folder.
const WAIT: Duration = Duration::from_secs(120);

/// A dataset folder's writer lock, held until dropped.
pub struct DatasetLock {
    /// The locked file (`None` once let go).
    file: Option<File>,
    path: PathBuf,
    /// Listed for an interrupted run (Ctrl-C) to remove the lock file.
    _listed: super::Pending<()>,
}

impl std::fmt::Debug for DatasetLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatasetLock({})", self.path.display())
    }
}

impl DatasetLock {
    /// The folder's lock for a writer: waits for other writers (at most
    /// two minutes), making the lock file.
    pub fn write(folder: &Path) -> io::Result<DatasetLock> {
        let path = lock_path(folder);
        let started = Instant::now();
        loop {
            let file = open(&path, true)?;
            if !file.metadata()?.is_file() {
                return Err(io::Error::other(format!(
                    "{} is not a regular file: remove it",
                    path.display()
                )));
            }
            match file.try_lock() {
                // Locked, it must still be the file at its path: the writer
                // before may have removed it (or an export swapped the
                // folder) while this run waited.
                Ok(()) if same_file(&file, &path) => {
                    let _listed = super::Pending::new((), path.clone());
                    return Ok(DatasetLock {
                        file: Some(file),
                        path,
                        _listed,
                    });
                }
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => {
                    // Closed while waiting: an open handle would keep
                    // Windows from removing the file or moving its folder.
                    drop(file);
                    wait_or_give_up(folder, started)?
                }
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
    }
}

impl Drop for DatasetLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            release(file, &self.path);
        }
    }
}

/// Removes the lock file (still locked, so a writer waiting on it finds
/// it gone and makes its own), then lets it go.
#[cfg(unix)]
fn release(file: File, path: &Path) {
    if same_file(&file, path) {
        let _ = std::fs::remove_file(path);
    }
    let _ = file.unlock();
}

/// Lets the lock go and closes it, then removes the file: Windows removes
/// a file only once no handle has it open, and metasum's handles refuse
/// deletion while open ([`open`]), so the file stays when another run has
/// opened it meanwhile, and that run takes it over.
#[cfg(not(unix))]
fn release(file: File, path: &Path) {
    let _ = file.unlock();
    drop(file);
    let _ = std::fs::remove_file(path);
}

/// Waits a little, or fails once another writer has held the folder for
/// [`WAIT`].
fn wait_or_give_up(folder: &Path, started: Instant) -> io::Result<()> {
    if started.elapsed() > WAIT {
        return Err(io::Error::other(format!(
            "another metasum has been writing {} for {} s (its lock is {LOCK_FILE} there); try again when it is done",
            folder.display(),
            WAIT.as_secs(),
        )));
    }
    std::thread::sleep(Duration::from_millis(20));
    Ok(())
}

/// The lock file at `path`, opened (made, for a writer) without following
/// a link and without waiting on a FIFO (one put there would block every
/// run), readable and writable by its owner, readable by others.
fn open(path: &Path, make: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(make).create(make).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32).mode(0o644);
    }
    // Shared for reading and writing, not for deleting: nobody removes
    // the lock file from under a holder ([`release`]).
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_SHARE_READ: u32 = 1;
        const FILE_SHARE_WRITE: u32 = 2;
        options.share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE);
    }
    options.open(path)
}

/// Whether a writer is known to hold the folder's lock now. A lock that
/// cannot be looked at (another user's, a FIFO or a link at its name) is
/// not waited for: the reader's check that the files stayed as they were
/// still holds.
fn writer_at_work(folder: &Path) -> io::Result<bool> {
    let Ok(file) = open(&lock_path(folder), false) else {
        return Ok(false);
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(false);
    }
    Ok(matches!(
        file.try_lock_shared(),
        Err(TryLockError::WouldBlock)
    ))
}

/// Where the lock file of the dataset folder `folder` is: in it
/// ([`LOCK_FILE`]).
#[cfg(not(windows))]
fn lock_path(folder: &Path) -> PathBuf {
    folder.join(LOCK_FILE)
}

/// Where the lock file of the dataset folder `folder` is: beside it, as
/// `.NAME.metasum.lock` (in it for a drive's root, which has no name).
#[cfg(windows)]
fn lock_path(folder: &Path) -> PathBuf {
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    match (folder.parent(), folder.file_name()) {
        (Some(parent), Some(name)) => {
            parent.join(format!(".{}{LOCK_FILE}", name.to_string_lossy()))
        }
        _ => folder.join(LOCK_FILE),
    }
}

/// A file of the folder as a reader found it.
type Seen = Option<(u64, SystemTime, u64)>;

/// The `files` of `folder` as they are now.
fn seen(folder: &Path, files: &[impl AsRef<Path>]) -> Vec<Seen> {
    (files.iter())
        .map(|name| {
            let meta = std::fs::metadata(folder.join(name)).ok()?;
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            Some((meta.len(), modified, inode(&meta)))
        })
        .collect()
}

/// `read()` of the `files` of `folder`, done again until no writer was at
/// work while it ran (at most two minutes): what it read is one version
/// of the dataset.
pub fn read_consistently<T>(
    folder: &Path,
    files: &[impl AsRef<Path>],
    mut read: impl FnMut() -> T,
) -> io::Result<T> {
    let started = Instant::now();
    loop {
        if writer_at_work(folder)? {
            wait_or_give_up(folder, started)?;
            continue;
        }
        let before = seen(folder, files);
        let result = read();
        if !writer_at_work(folder)? && seen(folder, files) == before {
            return Ok(result);
        }
        wait_or_give_up(folder, started)?;
    }
}

/// Whether `file` is still the file at `path`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            a.dev() == b.dev() && a.ino() == b.ino()
        }
        _ => false,
    }
}

/// Whether `file` is still the file at `path` (a file open here cannot be
/// removed or swapped away on Windows).
#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// A file's inode, which a replaced file changes.
#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_exclude_each_other_and_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let writer = DatasetLock::write(dir.path()).unwrap();
        let path = lock_path(dir.path());
        assert_eq!(path.starts_with(dir.path()), cfg!(not(windows)));
        assert!(writer_at_work(dir.path()).unwrap());
        let other = File::open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        // Closed first: Windows removes a file once no handle has it open.
        drop(other);
        drop(writer);
        assert!(!path.exists());
        assert!(!writer_at_work(dir.path()).unwrap());
        // A file left by a writer killed at work is not held.
        std::fs::write(&path, "").unwrap();
        assert!(!writer_at_work(dir.path()).unwrap());
        drop(DatasetLock::write(dir.path()).unwrap());
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_at_the_lock_files_name_blocks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        assert!(!writer_at_work(dir.path()).unwrap());
        let refused = DatasetLock::write(dir.path()).unwrap_err();
        assert!(
            refused.to_string().contains("not a regular file"),
            "{refused}"
        );
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &path).unwrap();
        assert!(DatasetLock::write(dir.path()).is_err());
        assert!(
            !dir.path().join("elsewhere").exists(),
            "a link is not followed"
        );
    }

    #[test]
    fn a_read_during_a_change_is_done_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "1").unwrap();
        let mut reads = 0;
        let got = read_consistently(dir.path(), &["a.csv"], || {
            reads += 1;
            if reads == 1 {
                // A writer replaces the file while the first read runs.
                std::fs::write(dir.path().join("new"), "2").unwrap();
                std::fs::rename(dir.path().join("new"), dir.path().join("a.csv")).unwrap();
            }
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap()
        })
        .unwrap();
        assert_eq!((reads, got.as_str()), (2, "2"));
    }
}
