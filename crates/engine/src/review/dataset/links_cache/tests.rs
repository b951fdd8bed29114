//! Tests of the links cache: written, read back, refused when it is not this file's, not the user's or damaged.

use std::collections::BTreeMap;

use super::*;

/// A folder's `evidence.csv` of `links` lines.
fn evidence(dir: &Path, links: usize) -> PathBuf {
    let mut text = String::from("finding,study\n");
    for k in 0..links {
        text.push_str(&format!("{},{}\n", k % 97 + 1, k % 1009 + 1));
    }
    let path = dir.join("evidence.csv");
    fs::write(&path, text).unwrap();
    path
}

fn content(path: &Path) -> Content {
    Content::of(&File::open(path).unwrap()).unwrap()
}

fn entry(cache: &Path, file: &Path, ids: u64) -> Entry {
    Entry::new(cache, file, content(file), ids).unwrap()
}

fn frame(rows: usize) -> DataFrame {
    let findings: Vec<i64> = (0..rows as i64).map(|k| k % 97 + 1).collect();
    let studies: Vec<i64> = (0..rows as i64).map(|k| k % 1009 + 1 + (1 << 31)).collect();
    df!("finding" => findings, "study" => studies).unwrap()
}

#[test]
fn a_copy_reads_back_equal_and_only_for_the_same_bytes_and_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = evidence(dir.path(), 200_000);
    let cache = dir.path().join("cache");
    let first = entry(&cache, &file, 7);
    assert!(first.load().unwrap().is_none(), "nothing kept yet");
    // More rows than one chunk, ids up to u32::MAX.
    let links = frame(CHUNK * 2 + 5);
    first.store(&links).unwrap();
    assert!(first.load().unwrap().unwrap().equals(&links));
    assert!(
        entry(&cache, &file, 7)
            .load()
            .unwrap()
            .unwrap()
            .equals(&links)
    );
    // Other ids: a miss.
    assert!(entry(&cache, &file, 8).load().unwrap().is_none());
    // One byte changed, the size and both times as they were (a synced
    // folder's edit): a miss, whatever the file system says.
    let meta = fs::metadata(&file).unwrap();
    let mut bytes = fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    fs::write(&file, &bytes).unwrap();
    let handle = File::options().write(true).open(&file).unwrap();
    handle.set_modified(meta.modified().unwrap()).unwrap();
    assert!(entry(&cache, &file, 7).load().unwrap().is_none());
    // No leftovers: one copy, no temporary file.
    assert_eq!(fs::read_dir(&cache).unwrap().count(), 1);
}

#[test]
fn the_hash_is_the_bytes_whatever_the_pieces() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("none"), "").unwrap();
    let path = dir.path().join("big");
    // Three pieces and a part.
    let bytes: Vec<u8> = (0..(3 * PIECE + 12_345))
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    fs::write(&path, &bytes).unwrap();
    let whole = content(&path);
    assert_eq!(whole.len, bytes.len() as u64);
    assert_eq!(whole, content(&path));
    assert_eq!(whole, Content::of_bytes(&bytes));
    assert_eq!(Content::of_bytes(&[]), content(&dir.path().join("none")));
    let mut other = bytes.clone();
    other[(2 * PIECE + 5) as usize] ^= 1;
    fs::write(&path, &other).unwrap();
    assert_ne!(content(&path).hash, whole.hash);
}

/// What the links of `frame` hold for each id of `by`: the ids of `of`
/// linked to it, sorted, without repeats.
fn expected_runs(frame: &DataFrame, (by, of): (&str, &str)) -> BTreeMap<i64, Vec<i64>> {
    let mut runs: BTreeMap<i64, std::collections::BTreeSet<i64>> = BTreeMap::new();
    let by = frame.column(by).unwrap().i64().unwrap();
    let of = frame.column(of).unwrap().i64().unwrap();
    for (b, o) in by.into_no_null_iter().zip(of.into_no_null_iter()) {
        runs.entry(b).or_default().insert(o);
    }
    runs.into_iter()
        .map(|(b, o)| (b, o.into_iter().collect()))
        .collect()
}

#[test]
fn a_lookup_reads_the_links_of_one_id_as_the_links_hold_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = evidence(dir.path(), 200_000);
    let cache = dir.path().join("cache");
    let entry = entry(&cache, &file, 7);
    assert_eq!(
        entry.linked(index::INDEXES[0], &[1]).unwrap(),
        None,
        "no copy yet"
    );
    // Each finding's run spans blocks; the studies' ids go past 2^31;
    // repeated links are kept in the columns but read once.
    let mut links = frame(CHUNK * 2 + 5);
    links.vstack_mut(&frame(50)).unwrap();
    entry.store(&links).unwrap();
    assert!(entry.load().unwrap().unwrap().equals(&links));
    for by_of in index::INDEXES {
        let runs = expected_runs(&links, by_of);
        assert!(runs.len() > 90);
        for (id, linked) in &runs {
            assert_eq!(
                entry.linked(by_of, &[*id]).unwrap(),
                Some(vec![linked.clone()])
            );
        }
        // Ids no link has: below, between and above those that have,
        // and beyond what a copy could hold.
        for absent in [0, 98, 1 << 31, i64::from(u32::MAX) + 1, -1] {
            if !runs.contains_key(&absent) {
                assert_eq!(
                    entry.linked(by_of, &[absent]).unwrap(),
                    Some(vec![Vec::new()])
                );
            }
        }
    }
    assert_eq!(entry.linked(("paper", "study"), &[1]).unwrap(), None);
    // Many at once, in the order asked, absent ones empty.
    let runs = expected_runs(&links, index::INDEXES[1]);
    let asked: Vec<i64> = runs.keys().rev().copied().chain([0]).collect();
    let mut expected: Vec<Vec<i64>> = runs.values().rev().cloned().collect();
    expected.push(Vec::new());
    assert_eq!(
        entry.linked(index::INDEXES[1], &asked).unwrap(),
        Some(expected)
    );

    // One bit of the third block of values flipped: the runs before that
    // block are read; the first run in it is refused, and the copy is
    // removed (for the next read of the links to keep a good one).
    // (Closed at once: Windows keeps an open file until it is closed.)
    let values_at = {
        let opened = entry.open().unwrap();
        opened.index_at[0] + 12 * opened.indexes[0].distinct
    };
    let mut bytes = fs::read(&entry.file).unwrap();
    bytes[(values_at + 4 * (2 * (1 << 14) + 5)) as usize] ^= 1;
    fs::write(&entry.file, bytes).unwrap();
    let (mut read, mut refused) = (0, 0);
    for (id, linked) in expected_runs(&links, index::INDEXES[0]) {
        match entry.linked(index::INDEXES[0], &[id]).unwrap() {
            Some(got) => {
                assert_eq!(got, vec![linked]);
                read += 1;
            }
            None => refused += 1,
        }
    }
    assert!(read > 0 && refused > 0, "{read} read, {refused} refused");
    assert!(!entry.file.exists());
}

#[test]
fn a_damaged_copy_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let file = evidence(dir.path(), 200_000);
    let cache = dir.path().join("cache");
    let entry = entry(&cache, &file, 7);
    // Few ids, for a lookup of each after each flip.
    let findings: Vec<i64> = (0..300).map(|k| k % 7 + 1).collect();
    let studies: Vec<i64> = (0..300).map(|k| k % 31 + 1).collect();
    let links = df!("finding" => findings, "study" => studies).unwrap();
    entry.store(&links).unwrap();
    let good = fs::read(&entry.file).unwrap();
    // A row count that would overflow the length it promises.
    let rows_at = 16 + entry.key.len();
    let mut huge = good.clone();
    huge[rows_at..rows_at + 8].copy_from_slice(&(1u64 << 61).to_le_bytes());
    fs::write(&entry.file, &huge).unwrap();
    assert!(entry.load().unwrap().is_none());
    // Every seventh byte flipped (one bit): whatever it hits, the copy is
    // read whole or not at all, each lookup gives what the links hold or
    // nothing, and one of them notices. The columns are checked by the
    // whole read, an index by its lookups.
    let runs = index::INDEXES.map(|by_of| (by_of, expected_runs(&links, by_of)));
    for at in (0..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        fs::write(&entry.file, &bad).unwrap();
        let whole = entry.load().unwrap();
        assert!(whole.as_ref().is_none_or(|w| w.equals(&links)), "byte {at}");
        let mut noticed = whole.is_none();
        for (by_of, runs) in &runs {
            for (id, linked) in runs {
                match entry.linked(*by_of, &[*id]).unwrap() {
                    Some(read) => assert_eq!(&read[0], linked, "byte {at}, {by_of:?} {id}"),
                    None => noticed = true,
                }
            }
        }
        assert!(noticed, "byte {at} flipped and nothing noticed");
    }
    for len in (0..good.len()).step_by(331) {
        fs::write(&entry.file, &good[..len]).unwrap();
        assert!(entry.load().unwrap().is_none(), "cut at {len}");
        assert!(
            entry.linked(index::INDEXES[0], &[1]).unwrap().is_none(),
            "cut at {len}"
        );
    }
    fs::remove_file(&entry.file).unwrap();
    assert!(entry.load().unwrap().is_none());
}

#[cfg(unix)]
#[test]
fn a_fifo_or_folder_at_the_copys_name_is_a_miss_and_never_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = evidence(dir.path(), 200_000);
    let cache = dir.path().join("cache");
    let entry = entry(&cache, &file, 7);
    let made = std::process::Command::new("mkfifo")
        .arg(&entry.file)
        .status();
    assert!(made.unwrap().success());
    assert!(entry.load().unwrap().is_none());
    // Written over by a good copy (renamed into place).
    entry.store(&frame(10)).unwrap();
    assert!(entry.load().unwrap().unwrap().equals(&frame(10)));
    fs::remove_file(&entry.file).unwrap();
    fs::create_dir(&entry.file).unwrap();
    assert!(entry.load().unwrap().is_none());
    assert!(entry.store(&frame(10)).is_err());
}

#[cfg(unix)]
#[test]
fn a_cache_others_can_write_is_neither_read_nor_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = evidence(dir.path(), 200_000);
    let cache = dir.path().join("cache");
    let made = entry(&cache, &file, 7);
    // Made for this user alone.
    let mode = fs::metadata(&cache).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    made.store(&frame(10)).unwrap();
    let copy_mode = fs::metadata(&made.file).unwrap().permissions().mode();
    assert_eq!(copy_mode & 0o077, 0, "{copy_mode:o}");
    // A copy others may write (planted, or its mode changed): not read.
    fs::set_permissions(&made.file, fs::Permissions::from_mode(0o666)).unwrap();
    assert!(matches!(made.load(), Err(Skip::Untrusted(_))));
    // A shared folder (as /tmp is): not used at all.
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let refused = Entry::new(&cache, &file, content(&file), 7);
    assert!(matches!(refused, Err(Skip::Untrusted(why)) if why.contains("only you can write")));
    // A link at the copy's name: not followed.
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o700)).unwrap();
    fs::remove_file(&made.file).unwrap();
    std::os::unix::fs::symlink(&file, &made.file).unwrap();
    assert!(matches!(made.load(), Err(Skip::Untrusted(_))));
}

#[test]
fn small_or_unfit_files_are_not_kept_and_stale_partials_go() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let small = evidence(dir.path(), 10);
    assert!(matches!(
        Entry::new(&cache, &small, content(&small), 7),
        Err(Skip::Unused)
    ));
    let file = evidence(dir.path(), 200_000);
    let entry = entry(&cache, &file, 7);
    let too_big = df!("finding" => [1i64], "study" => [1i64 << 32]).unwrap();
    assert!(entry.store(&too_big).is_err());
    // A temporary copy of a run killed two hours ago is removed.
    let stale = cache.join("links-0123456789abcdef.99.partial");
    fs::write(&stale, "cut short").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    entry.store(&frame(10)).unwrap();
    assert!(!stale.exists());
    assert_eq!(fs::read_dir(&cache).unwrap().count(), 1);
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
        studies: Keys::of_text(vec![a.to_string(), "B".to_string()]),
        ..TableKeys::default()
    };
    let one = fingerprint(&ids(&[1, 2]), &ids(&[1]), &text("A"));
    assert_ne!(one, base);
    assert_ne!(one, fingerprint(&ids(&[1, 2]), &ids(&[1]), &text("A2")));
}
