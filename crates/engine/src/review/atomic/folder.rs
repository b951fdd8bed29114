//! A folder written whole: built beside its target, then swapped in
//! (`export`).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Pending, resolve_links, sync_dir, sync_parent};

/// A folder being built beside `target`, to replace it whole
/// ([`FolderSwap::commit`]); dropped uncommitted, it is removed and the
/// target is untouched.
pub struct FolderSwap {
    target: PathBuf,
    building: PathBuf,
    /// The names a dataset folder may hold (the only ones removed from the
    /// folder replaced).
    allowed: Vec<String>,
    /// Lists `building` for an interrupted run to remove.
    guard: Option<Pending<()>>,
    committed: bool,
}

impl FolderSwap {
    /// Starts a folder that will replace `target` (a symlink followed).
    /// `allowed` is what the target may hold today: a folder holding
    /// anything else is refused, so that no unrelated file is ever
    /// swapped away.
    pub fn create(target: &Path, allowed: &[&str]) -> io::Result<FolderSwap> {
        super::refuse_device_name(target)?;
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
                        guard: Some(Pending::new((), building.clone())),
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
        self.guard.take();
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
                rename_patiently(&self.target, &aside).map_err(|e| {
                    let held = held_files(&self.target);
                    io::Error::other(match held.is_empty() {
                        true => format!("the folder cannot be replaced ({e}); {CANNOT_MOVE}"),
                        false => format!(
                            "the folder cannot be replaced while {}; close it there and export again (it was not changed)",
                            held.join(" and ")
                        ),
                    })
                })?;
                if let Err(e) = rename_patiently(&self.building, &self.target) {
                    return Err(match rename_patiently(&aside, &self.target) {
                        Ok(()) => e,
                        Err(_) => io::Error::other(format!(
                            "{e}; the old folder could not be put back and is at {}",
                            aside.display()
                        )),
                    });
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
        let mut held = Vec::new();
        for name in &self.allowed {
            let path = old.join(name);
            if let Err(e) = std::fs::remove_file(&path) {
                held.extend(open_elsewhere(name, &e, &path));
            }
        }
        std::fs::remove_dir(old).map_err(|_| {
            let mut others: Vec<String> = (std::fs::read_dir(old).into_iter().flatten().flatten())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !self.allowed.contains(name))
                .collect();
            others.sort();
            let why = if !held.is_empty() {
                format!("could not be emptied while {}", held.join(" and "))
            } else if !others.is_empty() {
                format!(
                    "held files that are not part of a dataset ({})",
                    others.join(", ")
                )
            } else {
                "could not be emptied".to_string()
            };
            io::Error::other(format!(
                "the new folder is in place; the old one {why} and was kept as {}",
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

/// `std::fs::rename`, tried again for up to two seconds on Windows while
/// it is refused (access denied, sharing violation): a search indexer or
/// a virus scanner opens new files for a moment, and a folder with a file
/// open in it cannot move.
fn rename_patiently(from: &Path, to: &Path) -> io::Result<()> {
    use super::in_use::{ACCESS_DENIED, SHARING_VIOLATION};
    let mut waited = std::time::Duration::ZERO;
    loop {
        match std::fs::rename(from, to) {
            Err(e)
                if cfg!(windows)
                    && (e.raw_os_error())
                        .is_some_and(|code| [ACCESS_DENIED, SHARING_VIOLATION].contains(&code))
                    && waited < std::time::Duration::from_secs(2) =>
            {
                let pause = std::time::Duration::from_millis(50);
                std::thread::sleep(pause);
                waited += pause;
            }
            done => return done,
        }
    }
}

/// The files of `folder` another program holds open (Windows moves no
/// folder while one is), each told by [`open_elsewhere`]; none elsewhere.
fn held_files(folder: &Path) -> Vec<String> {
    use super::in_use::ACCESS_DENIED;
    if !cfg!(windows) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut held: Vec<String> = (entries.flatten())
        .filter_map(|entry| {
            let path = entry.path();
            // Opened to append, so nothing in it changes.
            let refused = OpenOptions::new().append(true).open(&path).err()?;
            // Denied is a read-only file or a permission, not a holder.
            (refused.raw_os_error() != Some(ACCESS_DENIED)).then_some(())?;
            open_elsewhere(&entry.file_name().to_string_lossy(), &refused, &path)
        })
        .collect();
    held.sort();
    held
}

/// `NAME is open in PROGRAM`, when `error` (from opening, moving or
/// removing the file `name` at `path`) is Windows refusing because
/// another program holds it.
fn open_elsewhere(name: &str, error: &io::Error, path: &Path) -> Option<String> {
    let which = super::in_use::holder(error, path)?;
    Some(format!("{name} is open in {which}"))
}

/// Why a folder may not move aside.
#[cfg(windows)]
const CANNOT_MOVE: &str = "Windows moves no folder while a file in it is open: close the dataset's files in other programs (Excel) and export again";
#[cfg(not(windows))]
const CANNOT_MOVE: &str = "if it is a mount point, export to a new folder inside it";

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
    use crate::review::atomic::tests::entries;

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
