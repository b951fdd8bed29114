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

/// Each query's CSV, run on `dataset`.
fn answers(dataset: Dataset, queries: &[&str]) -> (Vec<String>, Dataset) {
    let mut session = metasum_engine::Session::new(dataset);
    let answers = (queries.iter())
        .map(|src| {
            let script = metasum_query::parse(src).unwrap();
            match session.execute(&script.statements[0]) {
                Ok(metasum_engine::Outcome::Rows(rows)) => {
                    metasum_engine::format::render(&rows.frame, metasum_engine::Format::Csv)
                        .unwrap()
                }
                other => panic!("{src}: {:?}", other.err()),
            }
        })
        .collect();
    (answers, session.dataset().clone())
}

#[test]
fn a_lookup_or_limit_reads_only_its_links_from_the_copy_and_answers_as_the_links_do() {
    let dir = tempfile::tempdir().unwrap();
    review(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let queries = [
        "findings where studies has 13 show id, name",
        "findings where studies has 13 and studies has 14 show id",
        "studies where findings has 7 show id",
        "studies where findings has 7 and findings has 9 and quality = ok show id, author",
        "findings where studies has 99999 show id",
        "studies where findings has 2 and findings has 4 count by quality",
        // The first rows: their links alone, from the index.
        "findings limit 3",
        "studies limit 5 show id, n, intensity, findings",
        "findings limit 1000",
    ];
    // The plain plan: the links read from evidence.csv and filtered.
    let (plain, _) = answers(Dataset::load(dir.path()).unwrap(), &queries);
    assert!(plain[0].lines().count() > 10 && plain[2].lines().count() > 100);
    assert_eq!(plain[4].lines().count(), 1, "only the header");
    assert!(plain[5].lines().count() > 1);
    // A first cached run keeps the copy; the next reads only the index.
    let (first, _) = answers(
        Dataset::load_cached(dir.path(), Some(cache.path())).unwrap(),
        &[
            "findings count by perspective",
            "findings where fes > 1 show id",
        ],
    );
    assert!(first[1].lines().count() > 1);
    let cached = Dataset::load_cached(dir.path(), Some(cache.path())).unwrap();
    let (from_index, after) = answers(cached, &queries);
    assert_eq!(from_index, plain);
    assert!(after.links_from_cache(), "the copy was used");
    assert!(!after.links_read(), "every link was read");
}
