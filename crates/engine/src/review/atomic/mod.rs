//! Files and folders written whole, or not at all, without damaging what
//! was at the target path: used by `--output`, `.output` and `export`.
//!
//! - A new path, or a regular file this user owns: the content goes to a
//!   temporary file created exclusively (`O_EXCL`, an unpredictable name)
//!   beside it, renamed over the target once complete. The replaced file's
//!   permissions (and, as root, its owner) are kept; a symlink is followed,
//!   so its target is replaced and the link stays a link.
//! - A regular file that cannot be replaced without changing it (other hard
//!   links, another owner, a folder this user may not write, a bind mount
//!   or sticky folder where the rename fails): the content is still made
//!   in full first, and only then copied into the file (truncated), so the
//!   file keeps its owner, links and permissions. This last copy is not
//!   atomic.
//! - A device, FIFO, socket or pipe, including `/dev/stdout` and
//!   `/dev/fd/N` (whatever the shell made of them: a `>>` file is
//!   appended to): the content is kept in memory and written at commit, so
//!   a run that fails or is refused sends nothing (and never waits for a
//!   FIFO's reader).
//! - A folder (`export`) is built beside the target, then swapped in
//!   ([`FolderSwap`]).
//!
//! Temporary files and folders are listed while they exist, so that an
//! interrupted run can remove them ([`remove_unfinished`]).

mod folder;
mod in_use;
mod lock;

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::NamedTempFile;

pub use folder::FolderSwap;
pub use lock::{DatasetLock, LOCK_FILE, read_consistently};

/// Names Windows keeps for devices in every folder, whatever the
/// extension (`aux.csv` opens the AUX device, not a file).
const WINDOWS_DEVICES: [&str; 30] = [
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM1", "COM2", "COM3", "COM4", "COM5",
    "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5",
    "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// The device `path`'s file name names on Windows (`CON`, `nul`,
/// `aux.csv`, `com1 .txt`, `con:`, `aux:stream`), if it does.
pub fn windows_device(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split(['.', ':']).next()?.trim_end_matches([' ', '.']);
    (WINDOWS_DEVICES.iter())
        .find(|d| d.eq_ignore_ascii_case(stem))
        .map(|d| d.to_string())
}

/// Refuses, on Windows, a path whose name is a device's: writing `CON`
/// or `aux.csv` there reaches a device (or fails with "Invalid handle"),
/// never a file.
///
/// A `:` in the file name is refused there too: `table.csv:notes` names a
/// hidden stream of `table.csv`, which Explorer and Excel never show.
pub fn refuse_device_name(path: &Path) -> io::Result<()> {
    if !cfg!(windows) {
        return Ok(());
    }
    if let Some(device) = windows_device(path) {
        return Err(io::Error::other(format!(
            "{device} is the name of a device on Windows, not of a file (whatever its extension): choose another name"
        )));
    }
    if stream_name(path) {
        return Err(io::Error::other(
            "a ':' in a file name names a hidden part of another file on Windows, not a file: choose another name",
        ));
    }
    Ok(())
}

/// Whether `path`'s file name holds a `:` (on Windows, a file's alternate
/// stream; a drive, `C:`, is a prefix, not a file name).
fn stream_name(path: &Path) -> bool {
    (path.file_name()).is_some_and(|name| name.to_string_lossy().contains(':'))
}

/// Whether `path` can be written, found without changing it: a file there
/// is opened for appending (nothing is appended); for a new one, a file is
/// made in its folder and removed. Refused as [`OutputFile::create`]
/// refuses: a device's name on Windows, a file another program holds.
pub fn writable(path: &Path) -> io::Result<()> {
    match file_path(path)? {
        // A FIFO's open waits for its reader: asked, as `create` asks.
        Some(meta) if !meta.is_file() || through_open_file(path) => can_write(path, &meta),
        Some(_) => (OpenOptions::new().append(true).open(path))
            .map(drop)
            .map_err(|e| in_use::explained(e, path)),
        // A temporary file made in the folder, removed when dropped.
        None => temp_in(path, Near::Beside).map(drop),
    }
}

/// What `path` is (links followed by the kernel: `/dev/stdout` is
/// whatever the process's stdout is), `None` for nothing yet, once it is
/// known that a file may be written there: not empty, no device's name
/// on Windows, not a folder.
fn file_path(path: &Path) -> io::Result<Option<Metadata>> {
    if path.as_os_str().is_empty() {
        return Err(io::Error::other("the path is empty"));
    }
    refuse_device_name(path)?;
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(io::Error::other("it is a folder, not a file")),
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A file being written: [`OutputFile::commit`] puts it in place;
/// dropping it uncommitted leaves the target as it was (for a regular file
/// or a new path).
pub struct OutputFile {
    target: PathBuf,
    how: How,
}

enum How {
    /// A temporary file renamed over `target` at commit.
    Replace {
        temp: Pending<NamedTempFile>,
        /// The permissions of the file replaced.
        old: Option<Metadata>,
    },
    /// A temporary file copied into `target` at commit.
    FillInPlace { temp: Pending<NamedTempFile> },
    /// A device, FIFO or pipe: the content, written to it at commit.
    Through(Vec<u8>),
}

impl OutputFile {
    /// Starts writing `path`. Fails at once (before anything is computed)
    /// when the path cannot be written: a missing folder, a folder at the
    /// path, no permission.
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let meta = file_path(path)?;
        if let Some(m) = &meta
            && (!m.is_file() || through_open_file(path))
        {
            // Told now if it cannot be written; opened only at commit
            // (a FIFO's open waits for its reader).
            can_write(path, m)?;
            return Ok(OutputFile {
                target: path.to_path_buf(),
                how: How::Through(Vec::new()),
            });
        }
        let target = resolve_links(path)?;
        let how = match meta {
            None => How::Replace {
                temp: Pending::file(temp_in(&target, Near::Beside)?),
                old: None,
            },
            Some(old) => {
                // A file this user may not write is refused, as a plain
                // write would be, not replaced behind its back.
                (OpenOptions::new().write(true).open(&target))
                    .map_err(|e| in_use::explained(e, &target))?;
                match temp_in(&target, Near::Beside) {
                    Ok(temp) if replaceable(&old) => {
                        let _ = temp.as_file().set_permissions(old.permissions());
                        How::Replace {
                            temp: Pending::file(temp),
                            old: Some(old),
                        }
                    }
                    Ok(temp) => How::FillInPlace {
                        temp: Pending::file(temp),
                    },
                    // A folder this user may not write in.
                    Err(_) => How::FillInPlace {
                        temp: Pending::file(temp_in(&target, Near::SystemTemp)?),
                    },
                }
            }
        };
        Ok(OutputFile { target, how })
    }

    /// The file the content goes to (a symlink resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the content in place: renames the temporary file over the
    /// target (after syncing it), or fills the target with it.
    pub fn commit(self) -> io::Result<()> {
        match self.how {
            How::Replace { temp, old } => {
                let temp = temp.finish();
                temp.as_file().sync_all()?;
                if let Some(old) = &old {
                    keep_owner(temp.as_file(), old);
                    let _ = temp.as_file().set_permissions(old.permissions());
                }
                match temp.persist(&self.target) {
                    Ok(_) => {
                        sync_parent(&self.target);
                        Ok(())
                    }
                    // The file is there but cannot be renamed over (a bind
                    // mount, a sticky folder): written into instead.
                    // (A failure of `fill` is not retold as the file being
                    // open elsewhere and left unchanged: it empties it first.)
                    Err(e) if old.is_some() => fill(&e.file, &self.target),
                    Err(e) => Err(in_use::explained(e.error, &self.target)),
                }
            }
            How::FillInPlace { temp } => fill(&temp.finish(), &self.target),
            How::Through(content) => {
                // Appending: `>` emptied the file already, `>>` keeps it.
                let mut file = OpenOptions::new().append(true).open(&self.target)?;
                file.write_all(&content)?;
                file.flush()
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.how {
            How::Replace { temp, .. } | How::FillInPlace { temp } => temp.get()?.write(buf),
            How::Through(content) => {
                content.extend_from_slice(buf);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.how {
            How::Replace { temp, .. } | How::FillInPlace { temp } => temp.get()?.flush(),
            How::Through(_) => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` whole (see the module notes): readers see the
/// old file or the new one, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OutputFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Copies the finished temporary file into `target`, emptied first.
///
/// Both files are open before the target is emptied: out of file
/// descriptors, the reopening failed after the truncation, and a file
/// with another hard link was left empty.
fn fill(temp: &NamedTempFile, target: &Path) -> io::Result<()> {
    temp.as_file().sync_all()?;
    let mut content = temp.reopen()?;
    let mut out = OpenOptions::new().write(true).open(target)?;
    out.set_len(0)?;
    io::copy(&mut content, &mut out)?;
    out.sync_all()
}

/// Whether a regular file can be replaced by a new one without changing
/// who owns it or who shares it: no other hard links, and owned by this
/// user (or this user is root, who can give the new file the old owner).
#[cfg(unix)]
fn replaceable(old: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid();
    old.nlink() == 1 && (me.is_root() || old.uid() == me.as_raw())
}

#[cfg(not(unix))]
fn replaceable(_: &Metadata) -> bool {
    true
}

/// Gives `file` the owner of the file it replaces (only root may).
#[cfg(unix)]
fn keep_owner(file: &File, old: &Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
}

/// Windows gives a new file its folder's owner and permissions.
#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Metadata) {}

/// Whether this user may write to `path` (`meta`, what it is), told
/// before anything is written: the system's own check on Unix (mode,
/// owner, access lists, a read-only mount).
#[cfg(unix)]
fn can_write(path: &Path, _: &Metadata) -> io::Result<()> {
    Ok(rustix::fs::access(path, rustix::fs::Access::WRITE_OK)?)
}

/// Whether this user may write to `path` (`meta`, what it is): on
/// Windows, its read-only attribute (a device such as `NUL` has none);
/// what else refuses (a sharing violation, an access list) is told when
/// it is opened.
#[cfg(not(unix))]
fn can_write(_: &Path, meta: &Metadata) -> io::Result<()> {
    match meta.permissions().readonly() {
        true => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "it is read-only",
        )),
        false => Ok(()),
    }
}

/// Whether `path` reaches an open file descriptor of a process
/// (`/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`): its link text names the
/// file, but writing must go to what the shell opened.
fn through_open_file(path: &Path) -> bool {
    let fd_path = |p: &Path| p.starts_with("/proc") || p.starts_with("/dev/fd");
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        if fd_path(&path) {
            return true;
        }
        match std::fs::read_link(&path) {
            Ok(to) => {
                path = match path.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                }
            }
            Err(_) => return false,
        }
    }
    false
}

/// `path` with symlinks followed to what they point at (which may not
/// exist yet): writing "to a symlink" replaces its target and keeps the
/// link.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    if path.as_os_str().is_empty() {
        return Err(io::Error::other("the path is empty"));
    }
    let mut path = path.to_path_buf();
    // As many hops as the kernel allows before ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Where a temporary file goes.
enum Near {
    /// In the folder of the target, so the final rename stays on one file
    /// system.
    Beside,
    /// In the system's temporary folder (the target's folder cannot be
    /// written; the file is copied in).
    SystemTemp,
}

/// Removes the temporary files `prefix??????.tmp` in `dir` that runs killed
/// while writing (`kill -9`, a power cut) left: this user's own, an hour
/// old (no run writes one file that long), regular files, never links.
fn remove_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        // tempfile's names: the prefix, six random characters, the suffix.
        if ours.is_none_or(|random| random.len() != 6 || random.contains('.')) {
            continue;
        }
        let stale = std::fs::symlink_metadata(entry.path()).is_ok_and(|m| {
            m.is_file() && owned_by_me(&m) && m.modified().is_ok_and(|t| t < hour_ago)
        });
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether this user owns the file.
#[cfg(unix)]
fn owned_by_me(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn owned_by_me(_: &Metadata) -> bool {
    true
}

/// An exclusively created temporary file with an unpredictable name.
fn temp_in(target: &Path, near: Near) -> io::Result<NamedTempFile> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    let dir = match near {
        Near::Beside => match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        },
        Near::SystemTemp => std::env::temp_dir(),
    };
    // Marked as metasum's, so that a stale one can be told from a file of
    // the reviewer's (`.report.html.backup.tmp`).
    let prefix = format!(".{}.metasum-", name.to_string_lossy());
    if matches!(near, Near::Beside) {
        remove_stale(&dir, &prefix);
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets the permissions `File::create` would give it
        // (0666 less the umask), not the temporary file's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(&dir)
        .map_err(|e| missing_folder(e, &dir))
}

/// A failure to make a file in `dir` said of the folder, not of the
/// file's name, when the folder is not there.
fn missing_folder(error: io::Error, dir: &Path) -> io::Error {
    match error.kind() {
        io::ErrorKind::NotFound if !dir.is_dir() => io::Error::new(
            io::ErrorKind::NotFound,
            format!("there is no folder {}", dir.display()),
        ),
        _ => error,
    }
}

/// Makes a rename durable (best effort: not every file system can).
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_dir(dir);
    }
}

/// Makes the entries of a folder durable (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// Temporary files and folders that exist now.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file and folder still being written: for an
/// interrupted run (Ctrl-C, SIGTERM), before the process ends, so that no
/// `.out.csv.XXXXXX.tmp` is left behind. The targets are as they were.
pub fn remove_unfinished() {
    let paths = match UNFINISHED.lock() {
        Ok(mut paths) => std::mem::take(&mut *paths),
        Err(_) => return,
    };
    for path in paths {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Something temporary at `path`, listed in [`UNFINISHED`] while it lives.
struct Pending<T> {
    inner: Option<T>,
    path: PathBuf,
}

impl<T> Pending<T> {
    fn new(inner: T, path: PathBuf) -> Pending<T> {
        if let Ok(mut paths) = UNFINISHED.lock() {
            paths.push(path.clone());
        }
        Pending {
            inner: Some(inner),
            path,
        }
    }

    /// The thing itself, no longer listed (it is about to be put in place
    /// or removed).
    fn finish(mut self) -> T {
        self.inner.take().expect("a pending item is finished once")
    }

    /// The thing itself, still pending.
    fn get(&mut self) -> io::Result<&mut T> {
        self.inner
            .as_mut()
            .ok_or_else(|| io::Error::other("written after it was finished"))
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let Ok(mut paths) = UNFINISHED.lock() {
            paths.retain(|p| *p != self.path);
        }
    }
}

impl Pending<NamedTempFile> {
    fn file(temp: NamedTempFile) -> Pending<NamedTempFile> {
        let path = temp.path().to_path_buf();
        Pending::new(temp, path)
    }
}

#[cfg(test)]
mod tests;
