//! Tests of the tables' copy: a review loaded from it is the review
//! loaded from its files, for every review of the test data; any change
//! to the files, or damage to the copy, is a miss.

use std::cell::Cell;
use std::path::Path;

use super::*;
use crate::review::dataset::Dataset;

thread_local! {
    /// Whether every copy is kept, however small its files (this
    /// thread's test data is small).
    pub(super) static KEEP_EVERY_COPY: Cell<bool> = const { Cell::new(false) };
}

/// The root of the workspace.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every folder of the test data and the shipped datasets.
fn folders() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for parent in ["tests/data", "datasets"] {
        for entry in fs::read_dir(root().join(parent)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    folders.sort();
    folders
}

/// Every part of `got` the copy stands for is as `want` has it: the
/// same columns, types and cells, the same description, ids and labels.
fn assert_same_tables(got: &Dataset, want: &Dataset, what: &Path) {
    let frames = [
        (&got.studies, &want.studies),
        (&got.findings, &want.findings),
        (&got.papers, &want.papers),
    ];
    for (got, want) in frames {
        assert_eq!(got.schema(), want.schema(), "{}", what.display());
        assert!(
            got.equals_missing(want),
            "{}:\n{got}\n{want}",
            what.display()
        );
    }
    assert_eq!(got.meta, want.meta, "{}", what.display());
    assert_eq!(got.keys, want.keys, "{}", what.display());
    assert_eq!(got.papers_stored, want.papers_stored);
    assert_eq!(got.ignored_columns, want.ignored_columns);
    assert_eq!(got.labels(), want.labels(), "{}", what.display());
    // The rest is read from the files each time.
    assert_eq!(format!("{:?}", got.claims), format!("{:?}", want.claims));
    assert_eq!(format!("{:?}", got.cerqual), format!("{:?}", want.cerqual));
}

/// Loads `dir` through the cache folder `cache`, every copy kept.
fn load(dir: &Path, cache: &Path) -> crate::Result<Dataset> {
    KEEP_EVERY_COPY.set(true);
    let loaded = Dataset::load_cached(dir, Some(cache));
    KEEP_EVERY_COPY.set(false);
    loaded
}

/// The copy of `dir`'s tables in `cache`.
fn copy_of(cache: &Path, dir: &Path) -> PathBuf {
    CopyOf::Tables.place(cache, dir).unwrap().0
}

#[test]
fn every_review_of_the_test_data_loads_from_its_copy_as_from_its_files() {
    let cache = tempfile::tempdir().unwrap();
    let mut kept = 0;
    for dir in folders() {
        let Ok(want) = Dataset::load(&dir) else {
            // A review refused is never kept.
            assert!(load(&dir, cache.path()).is_err(), "{}", dir.display());
            assert!(!copy_of(cache.path(), &dir).exists(), "{}", dir.display());
            continue;
        };
        let first = load(&dir, cache.path()).unwrap();
        assert!(!first.tables_from_cache(), "{}", dir.display());
        if !copy_of(cache.path(), &dir).exists() {
            // A matrix folder is expanded, not cached.
            assert!(
                dir.join(ReviewFile::Matrix.file()).exists(),
                "{}",
                dir.display()
            );
            continue;
        }
        let again = load(&dir, cache.path()).unwrap();
        assert!(again.tables_from_cache(), "{}", dir.display());
        assert_same_tables(&again, &want, &dir);
        // The links are read, and checked, as without the copy.
        match (again.links(), want.links()) {
            (Ok(got), Ok(want)) => assert!(got.equals(want), "{}", dir.display()),
            (got, want) => assert_eq!(
                got.err().map(|e| e.to_string()),
                want.err().map(|e| e.to_string())
            ),
        }
        kept += 1;
    }
    assert!(kept >= 10, "only {kept} reviews were kept");
}

/// A copy of the telehealth review (text ids, its own columns) in a
/// folder of its own.
fn telehealth() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = root().join("tests/data/telehealth-review");
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn any_change_to_the_files_it_stands_for_is_a_miss() {
    let (dir, cache) = (telehealth(), tempfile::tempdir().unwrap());
    let (dir, cache) = (dir.path(), cache.path());
    load(dir, cache).unwrap();
    assert!(load(dir, cache).unwrap().tables_from_cache());
    let studies = dir.join(ReviewFile::Studies.file());
    let text = fs::read_to_string(&studies).unwrap();
    // One cell changed, the length kept.
    let changed = text.replacen(",Smith,2018,UK,clinic", ",Smyth,2018,UK,clinic", 1);
    assert_ne!(changed, text);
    fs::write(&studies, &changed).unwrap();
    let after = load(dir, cache).unwrap();
    assert!(!after.tables_from_cache());
    assert_same_tables(&after, &Dataset::load(dir).unwrap(), dir);
    assert!(load(dir, cache).unwrap().tables_from_cache());
    // dataset.toml changed: a miss too.
    let meta = dir.join(ReviewFile::Meta.file());
    let toml = fs::read_to_string(&meta).unwrap();
    fs::write(&meta, toml.replacen("title = \"", "title = \"New: ", 1)).unwrap();
    let after = load(dir, cache).unwrap();
    assert!(!after.tables_from_cache());
    assert!(
        after.meta.title.starts_with("New: "),
        "{}",
        after.meta.title
    );
}

#[test]
fn the_files_it_does_not_stand_for_are_still_read_and_checked() {
    let (dir, cache) = (telehealth(), tempfile::tempdir().unwrap());
    let (dir, cache) = (dir.path(), cache.path());
    load(dir, cache).unwrap();
    let claims = dir.join(ReviewFile::Claims.file());
    let claim = "id,section,statement,studies,finding\n1,Results,most agree,NoSuchStudy2001,\n";
    fs::write(&claims, claim).unwrap();
    let Err(refused) = load(dir, cache) else {
        panic!("a claim citing no study loaded")
    };
    let text = refused.to_string();
    assert!(text.contains("NoSuchStudy2001"), "{text}");
}

#[test]
fn a_damaged_copy_is_a_miss_and_is_written_again() {
    let (dir, cache) = (telehealth(), tempfile::tempdir().unwrap());
    let (dir, cache) = (dir.path(), cache.path());
    let want = load(dir, cache).unwrap();
    let copy = copy_of(cache, dir);
    let good = fs::read(&copy).unwrap();
    // Every 97th byte flipped in turn, and cuts: each a miss.
    for at in (0..good.len()).step_by(97) {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        fs::write(&copy, &bad).unwrap();
        let loaded = load(dir, cache).unwrap();
        assert!(!loaded.tables_from_cache(), "byte {at} flipped");
        assert_same_tables(&loaded, &want, dir);
        assert_eq!(fs::read(&copy).unwrap(), good, "written again");
    }
    for len in [0, 7, 8, 16, good.len() / 2, good.len() - 1] {
        fs::write(&copy, &good[..len]).unwrap();
        assert!(
            !load(dir, cache).unwrap().tables_from_cache(),
            "cut at {len}"
        );
    }
}

#[test]
fn small_files_are_not_kept() {
    let (dir, cache) = (telehealth(), tempfile::tempdir().unwrap());
    let (dir, cache) = (dir.path(), cache.path());
    Dataset::load_cached(dir, Some(cache)).unwrap();
    assert!(!copy_of(cache, dir).exists());
}

#[test]
fn pieces_end_where_their_lengths_say() {
    let mut bytes = joined([&b"key"[..], b"", b"last"]);
    let pieces: Vec<&[u8]> = Pieces(&bytes).collect();
    assert_eq!(pieces, [&b"key"[..], b"", b"last"]);
    // A length past the end ends the pieces.
    bytes.extend_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(Pieces(&bytes).count(), 3);
}

#[cfg(unix)]
#[test]
fn a_copy_others_can_write_or_a_link_is_neither_read_nor_written_over() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, cache) = (telehealth(), tempfile::tempdir().unwrap());
    let (dir, cache) = (dir.path(), cache.path());
    let want = load(dir, cache).unwrap();
    let copy = copy_of(cache, dir);
    let good = fs::read(&copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o666)).unwrap();
    let loaded = load(dir, cache).unwrap();
    assert!(!loaded.tables_from_cache());
    assert_same_tables(&loaded, &want, dir);
    let note = loaded.take_cache_note().unwrap_or_default();
    assert!(note.contains("is not a file of yours"), "{note}");
    let mode = fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o666, "not written over");
    // A link to a good copy elsewhere: not followed.
    let elsewhere = cache.join("elsewhere.bin");
    fs::write(&elsewhere, &good).unwrap();
    fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o600)).unwrap();
    fs::remove_file(&copy).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &copy).unwrap();
    let loaded = load(dir, cache).unwrap();
    assert!(!loaded.tables_from_cache());
    assert!(fs::symlink_metadata(&copy).unwrap().is_symlink());
}
