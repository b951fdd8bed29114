//! Tests of writing files whole.

use super::*;

pub(super) fn entries(dir: &Path) -> Vec<String> {
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
    // /dev/null is not replaced by a regular file (as root it was). As
    // root, a null device of the test's own is used, so that a regression
    // damages nothing else.
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&own)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let device = if made {
        own
    } else {
        PathBuf::from("/dev/null")
    };
    write_atomically(&device, b"results").unwrap();
    let kind = std::fs::metadata(&device).unwrap().file_type();
    assert!(kind.is_char_device());
}

#[test]
fn temporary_files_a_killed_run_left_are_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let left = |name: &str, old: bool| {
        let file = dir.path().join(name);
        std::fs::write(&file, "half").unwrap();
        if old {
            let f = std::fs::File::options().write(true).open(&file).unwrap();
            f.set_modified(hours_ago).unwrap();
        }
    };
    // Left by a `kill -9` two hours ago; one being written now; another
    // file's; and the reviewer's own files that merely look alike.
    left(".out.csv.metasum-Ab3dEf.tmp", true);
    left(".out.csv.metasum-Zz9yXw.tmp", false);
    left(".other.csv.metasum-Ab3dEf.tmp", true);
    left(".out.csv.my notes.tmp", true);
    left(".out.csv.backup.tmp", true);
    write_atomically(&path, b"new").unwrap();
    assert_eq!(
        entries(dir.path()),
        [
            ".other.csv.metasum-Ab3dEf.tmp",
            ".out.csv.backup.tmp",
            ".out.csv.metasum-Zz9yXw.tmp",
            ".out.csv.my notes.tmp",
            "out.csv"
        ]
    );
}

#[test]
fn windows_device_names_are_known_whatever_the_extension_or_case() {
    for (name, device) in [
        ("CON", "CON"),
        ("nul", "NUL"),
        ("aux.csv", "AUX"),
        ("out/Com1.tar.gz", "COM1"),
        ("lpt¹.txt", "LPT¹"),
        ("con .csv", "CON"),
        ("CON:", "CON"),
        ("aux:notes", "AUX"),
    ] {
        assert_eq!(
            windows_device(Path::new(name)).as_deref(),
            Some(device),
            "{name}"
        );
    }
    for name in [
        "console.csv",
        "auxiliary.csv",
        "com10.csv",
        "con/table.csv",
        "nul-results.csv",
    ] {
        assert_eq!(windows_device(Path::new(name)), None, "{name}");
    }
    assert!(stream_name(Path::new("table.csv:notes")));
    // A drive is a prefix on Windows (elsewhere `C:` is a file's name).
    let drive = stream_name(Path::new("C:")) || stream_name(Path::new("C:/out/t.csv"));
    assert_eq!(drive, !cfg!(windows));
    if cfg!(windows) {
        for (path, told) in [
            ("aux.csv", "AUX is the name of a device on Windows"),
            ("t.csv:notes", "names a hidden part of another file"),
        ] {
            for refused in [
                OutputFile::create(Path::new(path)).err().unwrap(),
                writable(Path::new(path)).unwrap_err(),
            ] {
                assert!(refused.to_string().contains(told), "{refused}");
            }
        }
    }
}

#[test]
fn writable_tells_what_cannot_be_written_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.csv");
    std::fs::write(&file, "kept\n").unwrap();
    writable(&file).unwrap();
    writable(&dir.path().join("new.csv")).unwrap();
    assert_eq!(entries(dir.path()), ["t.csv"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept\n");
    let folder = writable(dir.path()).unwrap_err().to_string();
    assert!(folder.contains("it is a folder"), "{folder}");
    let missing = dir.path().join("no such folder");
    let told = writable(&missing.join("t.csv")).unwrap_err().to_string();
    assert_eq!(told, format!("there is no folder {}", missing.display()));
    assert_eq!(
        writable(Path::new("")).unwrap_err().to_string(),
        "the path is empty"
    );
}
