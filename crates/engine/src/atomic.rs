//! Files and folders written whole, or not at all, without damaging what
//! was at the target path: used by `--output`, `.output` and `export`.
//!
//! - A new path or a regular file: the content goes to a temporary file
//!   created exclusively (`O_EXCL`, an unpredictable name) beside it, which
//!   is renamed over the target once complete. The replaced file's
//!   permissions (and, where allowed, owner) are kept; a symlink is
//!   followed, so its target is replaced and the link stays a link. A file
//!   with other hard links is filled in place at the end instead, so the
//!   links keep sharing it.
//! - A device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe)
//!   is written straight through, as it comes: it cannot be replaced.
//! - A folder (`export`) is built beside the target, then swapped in.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

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
        temp: NamedTempFile,
        /// The permissions and owner of the file replaced.
        old: Option<Metadata>,
    },
    /// A temporary file copied into `target` (a file with hard links) at
    /// commit.
    FillInPlace { temp: NamedTempFile },
    /// A device or FIFO, written as results come.
    Through(File),
}

impl OutputFile {
    /// Starts writing `path`. Fails at once (before anything is computed)
    /// when the path cannot be written: a missing folder, a folder at the
    /// path, no permission.
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let target = resolve_links(path)?;
        let meta = match std::fs::metadata(&target) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let how = match &meta {
            Some(m) if m.is_dir() => {
                return Err(io::Error::other("it is a folder, not a file"));
            }
            Some(m) if !m.is_file() => How::Through(OpenOptions::new().write(true).open(&target)?),
            Some(m) if hard_links(m) > 1 => How::FillInPlace {
                // Opened now, so a target that cannot be written is told
                // before any work is done.
                temp: {
                    OpenOptions::new().append(true).open(&target)?;
                    temp_beside(&target)?
                },
            },
            _ => {
                if meta.is_some() {
                    // A file this user may not write is refused, as a plain
                    // write would be, not replaced behind its back.
                    OpenOptions::new().write(true).open(&target)?;
                }
                let temp = temp_beside(&target)?;
                if let Some(old) = &meta {
                    keep_permissions(temp.as_file(), old);
                }
                How::Replace { temp, old: meta }
            }
        };
        Ok(OutputFile { target, how })
    }

    /// The file the content goes to (a symlink resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the content in place: renames the temporary file over the
    /// target (after syncing it), or fills a hard-linked file in place.
    pub fn commit(self) -> io::Result<()> {
        match self.how {
            How::Replace { temp, old } => {
                temp.as_file().sync_all()?;
                if let Some(old) = &old {
                    // Set again: the owner change above may clear set-id bits.
                    keep_permissions(temp.as_file(), old);
                }
                temp.persist(&self.target).map_err(|e| e.error)?;
                sync_parent(&self.target);
                Ok(())
            }
            How::FillInPlace { mut temp } => {
                temp.as_file().sync_all()?;
                let mut out = OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&self.target)?;
                let mut from = temp.reopen()?;
                io::copy(&mut from, &mut out)?;
                out.sync_all()?;
                temp.flush()
            }
            How::Through(mut file) => file.flush(),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.how {
            How::Replace { temp, .. } | How::FillInPlace { temp } => temp.write(buf),
            How::Through(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.how {
            How::Replace { temp, .. } | How::FillInPlace { temp } => temp.flush(),
            How::Through(file) => file.flush(),
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

/// An exclusively created temporary file with an unpredictable name in the
/// folder of `target`, so the final rename stays on one file system.
fn temp_beside(target: &Path) -> io::Result<NamedTempFile> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets the permissions `File::create` would give it
        // (0666 less the umask), not the temporary file's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Gives `file` the permissions and, where the process may, the owner of
/// the file it replaces (a 0600 file stays 0600).
fn keep_permissions(file: &File, old: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
    let _ = file.set_permissions(old.permissions());
}

#[cfg(unix)]
fn hard_links(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn hard_links(_: &Metadata) -> u64 {
    1
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

/// A folder being built beside `target`, to replace it whole
/// ([`FolderSwap::commit`]); dropped uncommitted, it is removed and the
/// target is untouched.
pub struct FolderSwap {
    target: PathBuf,
    building: PathBuf,
    /// The names a dataset folder may hold (the only ones removed from the
    /// folder replaced).
    allowed: Vec<String>,
    committed: bool,
}

impl FolderSwap {
    /// Starts a folder that will replace `target` (a symlink followed).
    /// `allowed` is what the target may hold today: a folder holding
    /// anything else is refused, so that no unrelated file is ever
    /// swapped away.
    pub fn create(target: &Path, allowed: &[&str]) -> io::Result<FolderSwap> {
        let target = resolve_links(target)?;
        match std::fs::metadata(&target) {
            Ok(m) if !m.is_dir() => return Err(io::Error::other("it exists and is not a folder")),
            Ok(_) => {
                let mut others = Vec::new();
                for entry in std::fs::read_dir(&target)? {
                    let name = entry?.file_name().to_string_lossy().into_owned();
                    if !allowed.contains(&name.as_str()) {
                        others.push(name);
                    }
                }
                if !others.is_empty() {
                    others.sort();
                    return Err(io::Error::other(format!(
                        "it holds files that are not part of a dataset ({}); export to a new or empty folder",
                        others.join(", ")
                    )));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::other("the path names no folder"))?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // `mkdir` is exclusive: a name someone else took is skipped.
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let building = parent.join(format!(
                ".{name}.{}.{attempt}.{}.tmp",
                std::process::id(),
                unique()
            ));
            match std::fs::create_dir(&building) {
                Ok(()) => {
                    if let Ok(old) = std::fs::metadata(&target) {
                        let _ = std::fs::set_permissions(&building, old.permissions());
                    }
                    return Ok(FolderSwap {
                        target,
                        building,
                        allowed: allowed.iter().map(|a| a.to_string()).collect(),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes one file of the new folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.building.join(name))?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// Puts the new folder at the target: swapped with the old one in one
    /// step where the system can (Linux `renameat2` with `RENAME_EXCHANGE`),
    /// else the old one moved aside first. Of the old folder, only the
    /// dataset files are removed: anything else that appeared in it is
    /// kept, and said where.
    pub fn commit(mut self) -> io::Result<()> {
        sync_dir(&self.building);
        // Another export may put a folder at the target between a look and
        // a rename: look again.
        for _ in 0..10 {
            if std::fs::symlink_metadata(&self.target).is_err() {
                match std::fs::rename(&self.building, &self.target) {
                    Ok(()) => {
                        self.committed = true;
                        sync_parent(&self.target);
                        return Ok(());
                    }
                    // Someone else's folder got there first: swap with it.
                    Err(_) if std::fs::symlink_metadata(&self.target).is_ok() => continue,
                    Err(e) => return Err(e),
                }
            }
            let old = if exchange(&self.building, &self.target).is_ok() {
                // `building` holds the old folder now.
                self.building.clone()
            } else {
                let aside = self.building.with_extension("old");
                std::fs::rename(&self.target, &aside)?;
                if let Err(e) = std::fs::rename(&self.building, &self.target) {
                    let _ = std::fs::rename(&aside, &self.target);
                    return Err(e);
                }
                aside
            };
            self.committed = true;
            sync_parent(&self.target);
            return self.remove_old(&old);
        }
        Err(io::Error::other(
            "other processes kept replacing the folder; try again",
        ))
    }

    /// Removes the dataset files of the replaced folder, then the folder.
    fn remove_old(&self, old: &Path) -> io::Result<()> {
        for name in &self.allowed {
            let _ = std::fs::remove_file(old.join(name));
        }
        std::fs::remove_dir(old).map_err(|_| {
            io::Error::other(format!(
                "the new folder is in place; the old one held files that are not part of a dataset and was kept as {}",
                old.display()
            ))
        })
    }
}

impl Drop for FolderSwap {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.building);
        }
    }
}

/// Swaps two paths in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::other("no atomic exchange here"))
}

/// A number that differs between calls (names of folders being built).
fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["out.csv"]);
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let mut file = OutputFile::create(&path).unwrap();
        file.write_all(b"half of the ne").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_path_in_a_missing_folder_fails_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("out.csv");
        assert!(OutputFile::create(&path).is_err());
        assert!(write_atomically(&path, b"new").is_err());
        assert_eq!(entries(dir.path()), Vec::<String>::new());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link_and_its_target_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["link.csv", "real.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn permissions_of_the_replaced_file_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_keep_sharing_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let other = dir.path().join("b.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::hard_link(&path, &other).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["a.csv", "b.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_a_temporary_name_is_not_followed() {
        // The old temporary name was `.NAME.PID.tmp`: a link planted there
        // had its target overwritten.
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let planted = dir
            .path()
            .join(format!(".out.csv.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomically(&dir.path().join("out.csv"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_through_and_stays_a_device() {
        use std::os::unix::fs::FileTypeExt;
        // /dev/null is not replaced by a regular file (as root it was).
        write_atomically(Path::new("/dev/null"), b"results").unwrap();
        let kind = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(kind.is_char_device());
    }

    #[test]
    fn a_folder_swap_replaces_every_file_and_keeps_no_stale_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("claims.csv"), "stale").unwrap();
        let swap = FolderSwap::create(&target, &["claims.csv", "studies.csv"]).unwrap();
        swap.write("studies.csv", b"id\n").unwrap();
        swap.commit().unwrap();
        assert_eq!(entries(&target), ["studies.csv"]);
        assert_eq!(entries(dir.path()), ["export"]);
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("thesis.docx"), "years of work").unwrap();
        let err = FolderSwap::create(dir.path(), &["studies.csv"])
            .err()
            .unwrap();
        assert!(err.to_string().contains("thesis.docx"), "{err}");
        assert_eq!(entries(dir.path()), ["thesis.docx"]);
    }

    /// A folder `export` holding an old `studies.csv`, and a swap writing
    /// a new one.
    fn export_over_an_old_one() -> (tempfile::TempDir, PathBuf, FolderSwap) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("studies.csv"), "old").unwrap();
        let swap = FolderSwap::create(&target, &["studies.csv"]).unwrap();
        swap.write("studies.csv", b"new").unwrap();
        (dir, target, swap)
    }

    #[test]
    fn a_file_that_appears_in_the_old_folder_is_kept() {
        let (dir, target, swap) = export_over_an_old_one();
        // Written between the look and the swap.
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        let err = swap.commit().unwrap_err();
        assert!(err.to_string().contains("was kept as"), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("studies.csv")).unwrap(),
            "new"
        );
        let kept: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("notes.txt").exists())
            .collect();
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn an_abandoned_folder_swap_leaves_the_target_as_it_was() {
        let (dir, target, swap) = export_over_an_old_one();
        drop(swap);
        assert_eq!(
            std::fs::read_to_string(target.join("studies.csv")).unwrap(),
            "old"
        );
        assert_eq!(entries(dir.path()), ["export"]);
    }
}
