//! A folder loaded with a cache folder reads its links from the checked
//! copy the run before kept, and they are the links `evidence.csv` holds.

use std::fs::{self, File};
use std::path::Path;
use std::time::{Duration, SystemTime};

use metasum_engine::Dataset;

/// A numbered review of 8,000 studies and 50 findings with 200,000
/// links (over 1 MiB), settled.
fn review(dir: &Path) {
    fs::write(
        dir.join("dataset.toml"),
        "title = \"t\"\n[perspectives]\nw = \"W\"\n[quality]\nok = \"Ok\"\n",
    )
    .unwrap();
    let mut studies = String::from("id,author,year,quality\n");
    (1..=8000).for_each(|s| studies += &format!("{s},A{s},2001,ok\n"));
    let mut findings = String::from("id,perspective,name\n");
    (1..=50).for_each(|f| findings += &format!("{f},w,F{f}\n"));
    let mut evidence = String::from("finding,study\n");
    for s in 1..=8000 {
        for f in (1..=50).filter(|f| (s + f * f) % 2 == 0) {
            evidence += &format!("{f},{s}\n");
        }
    }
    assert!(evidence.len() > 1 << 20);
    for (name, text) in [
        ("studies.csv", studies),
        ("findings.csv", findings),
        ("evidence.csv", evidence),
    ] {
        fs::write(dir.join(name), text).unwrap();
    }
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let evidence = File::options().write(true).open(dir.join("evidence.csv"));
    evidence.unwrap().set_modified(hour_ago).unwrap();
    // A file changed in the last two seconds (by its change time, which
    // cannot be set back) is not kept.
    std::thread::sleep(Duration::from_secs(3));
}

#[test]
fn the_next_load_reads_the_copy_the_first_kept() {
    let dir = tempfile::tempdir().unwrap();
    review(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let plain = Dataset::load(dir.path()).unwrap();
    let expected = plain.load_links().unwrap();
    assert_eq!(expected.height(), 200_000);

    let first = Dataset::load_cached(dir.path(), Some(cache.path())).unwrap();
    assert!(first.load_links().unwrap().equals(expected));
    assert!(!first.links_from_cache());
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 1);

    let second = Dataset::load_cached(dir.path(), Some(cache.path())).unwrap();
    assert!(second.load_links().unwrap().equals(expected));
    assert!(second.links_from_cache());

    // Without a cache folder nothing is read from one.
    let third = Dataset::load(dir.path()).unwrap();
    third.load_links().unwrap();
    assert!(!third.links_from_cache());
}
