//! The cache of checked evidence links and tables (`--cache-dir`): every
//! answer is the same with and without it, cold or warm, with a damaged or
//! unwritable cache; a change to the files (evidence.csv, or the ids it
//! names) is seen, with the same located error as without a cache.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::util::*;

/// The questions asked of each dataset: every one needs the links.
const QUESTIONS: &[&str] = &[
    "findings where perspective = recipient and fes > 30 show id, fes",
    "findings among (studies where quality != \"serious concerns\") where fes > 40 show id, fes",
    "studies sort by intensity desc, id limit 10 show id, intensity",
    "evidence count by finding",
];

/// A review of 5,000 studies and 60 findings, linked where a pattern
/// says (150,000 links, over 1 MiB either way; the tables over 256 KiB,
/// so both are kept in the cache); keyed as reviewers key
/// theirs (`Smith12y2004`, `T3.17`) or numbered. Its files are settled,
/// as a review's are when it is analysed.
pub fn review(dir: &Path, text_keys: bool) -> PathBuf {
    let data = dir.join(if text_keys { "text" } else { "numbers" });
    fs::create_dir(&data).unwrap();
    let study = |s: usize| match text_keys {
        true => format!("Smith{s}y{}", 1990 + s % 30),
        false => s.to_string(),
    };
    let finding = |f: usize| match text_keys {
        true => format!("T{}.{}", f % 3 + 1, f / 3 + 1),
        false => f.to_string(),
    };
    let toml = fs::read_to_string("tests/data/author-year-review/dataset.toml").unwrap();
    fs::write(data.join("dataset.toml"), toml).unwrap();
    let qualities = [
        "no or very minor concerns",
        "minor concerns",
        "serious concerns",
    ];
    let mut studies = String::from("id,author,year,country,quality,setting\n");
    for s in 1..=5000 {
        let (year, quality) = (1990 + s % 30, qualities[s % 3]);
        let setting = [
            "home visits by trained peers",
            "a community mental health team",
        ];
        let setting = setting[s % 2];
        studies += &format!(
            "{},Author {s},{year},C{},{quality},{setting}\n",
            study(s),
            s % 7
        );
    }
    assert!(studies.len() > 256 << 10);
    let mut findings = String::from("id,perspective,name\n");
    for f in 1..=60 {
        let perspective = if f % 2 == 0 { "worker" } else { "recipient" };
        findings += &format!("{},{perspective},Finding {f}\n", finding(f));
    }
    let mut evidence = String::from("finding,study\n");
    for s in 1..=5000 {
        for f in 1..=60 {
            if (s * 7 + f * f * 13 + s / 100) % 10 < 5 {
                evidence += &format!("{},{}\n", finding(f), study(s));
            }
        }
    }
    assert!(evidence.len() > 1 << 20);
    for (name, text) in [
        ("studies.csv", studies),
        ("findings.csv", findings),
        ("evidence.csv", evidence),
    ] {
        fs::write(data.join(name), text).unwrap();
    }
    data
}

/// Sets the file's modification time an hour back, as `cp -p` or a sync
/// tool may.
fn set_back(path: &Path) {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let file = File::options().write(true).open(path).unwrap();
    file.set_modified(hour_ago).unwrap();
}

/// stdout and stderr of `metasum --data DATA -c QUESTION`, with the cache
/// in `cache` (`None`: `--no-cache`).
fn ask(data: &Path, cache: Option<&Path>, question: &str) -> (bool, String, String) {
    let mut command = metasum();
    command
        .env_remove("METASUM_NO_CACHE")
        .env_remove("METASUM_CACHE_DIR");
    match cache {
        Some(dir) => command.arg("--cache-dir").arg(dir),
        None => command.arg("--no-cache"),
    };
    let out = (command.arg("--data").arg(data))
        .args(["--format", "csv", "-c", question])
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

/// The copy in `cache` whose name begins `kind` (`links-`, `tables-`).
fn copy_of(cache: &Path, kind: &str) -> PathBuf {
    let named = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().starts_with(kind);
    let mut copies: Vec<PathBuf> = copies(cache).into_iter().filter(named).collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    copies.remove(0)
}

fn copies(cache: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(cache) else {
        return Vec::new();
    };
    entries.map(|e| e.unwrap().path()).collect()
}

/// [`QUESTIONS`], and those that read the links of one study or
/// finding, or of the first rows (from the copy's index).
fn questions(data: &Path) -> Vec<String> {
    let text = data.ends_with("text");
    let (study, findings) = match text {
        true => ("Smith13y2003", ["T2.2", "T2.3"]),
        false => ("13", ["4", "7"]),
    };
    let mut questions: Vec<String> = QUESTIONS.iter().map(|q| q.to_string()).collect();
    questions.extend([
        format!("findings where studies has {study} show id, name"),
        format!(
            "studies where findings has {} and findings has {} show id",
            findings[0], findings[1]
        ),
        "findings limit 5".to_string(),
        "studies limit 3 show id, n, intensity, findings".to_string(),
    ]);
    questions
}

/// Every question answered as without a cache, and with no message.
fn same_answers(data: &Path, cache: &Path) {
    for question in &questions(data) {
        let (ok, expected, _) = ask(data, None, question);
        assert!(ok && expected.lines().count() > 1, "{question}: {expected}");
        let (ok, got, stderr) = ask(data, Some(cache), question);
        assert!(ok, "{question}: {stderr}");
        assert_eq!(got, expected, "{question}");
        assert_eq!(stderr, "", "{question}");
    }
}

#[test]
fn answers_are_the_same_with_and_without_the_cache() {
    for text_keys in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let data = review(dir.path(), text_keys);
        let cache = dir.path().join("cache");
        // Cold: the first question keeps a copy; warm: the others read it.
        same_answers(&data, &cache);
        let kept = copies(&cache);
        assert_eq!(
            kept.len(),
            2,
            "a copy of the links and of the tables: {kept:?}"
        );
        let kept = [copy_of(&cache, "links-"), copy_of(&cache, "tables-")];
        let copy = fs::read(&kept[0]).unwrap();
        // Read, not rewritten: a rewrite is a new file renamed into place
        // (with the same bytes, so the file itself is compared).
        let identity = |p: &Path| {
            let meta = fs::metadata(p).unwrap();
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let inode = 0;
            (meta.modified().unwrap(), inode)
        };
        let before = kept.each_ref().map(|p| identity(p));
        same_answers(&data, &cache);
        assert_eq!(kept.each_ref().map(|p| identity(p)), before);

        // A copy damaged in its columns (a quarter in) or in the runs of
        // its index by study (the middle: a lookup checks them all) is
        // read as none, and replaced by a good one.
        for at in [copy.len() / 4, copy.len() / 2] {
            let mut damaged = copy.clone();
            damaged[at] ^= 1;
            fs::write(&kept[0], &damaged).unwrap();
            same_answers(&data, &cache);
            assert_eq!(fs::read(&kept[0]).unwrap(), copy, "byte {at}");
        }
        // The tables' copy damaged anywhere: the same.
        let tables = fs::read(&kept[1]).unwrap();
        for at in [9, tables.len() / 3, tables.len() - 1] {
            let mut damaged = tables.clone();
            damaged[at] ^= 1;
            fs::write(&kept[1], &damaged).unwrap();
            same_answers(&data, &cache);
            assert_eq!(fs::read(&kept[1]).unwrap(), tables, "byte {at}");
        }

        // A copy deleted, or a cache that cannot be written: the same.
        fs::remove_dir_all(&cache).unwrap();
        same_answers(&data, &cache);
        fs::remove_dir_all(&cache).unwrap();
        fs::write(&cache, "not a folder").unwrap();
        same_answers(&data, &cache);
        assert_eq!(fs::read_to_string(&cache).unwrap(), "not a folder");
    }
}

#[test]
fn a_changed_file_is_read_again_even_with_its_old_size_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = review(dir.path(), true);
    let cache = dir.path().join("cache");
    let question = QUESTIONS[3];
    let (_, before, _) = ask(&data, Some(&cache), question);
    assert_eq!(copies(&cache).len(), 2);

    // One link moved to another finding, the file the same size and
    // its modification time set back (as `cp -p` or a sync tool would).
    let evidence = data.join("evidence.csv");
    let text = fs::read_to_string(&evidence).unwrap();
    let line = (text.lines())
        .find(|l| l.starts_with("T1.2,") && !text.contains(&format!("\nT2.2,{}\n", &l[5..])))
        .unwrap();
    let changed = text.replacen(
        &format!("\n{line}\n"),
        &format!("\nT2.2,{}\n", &line[5..]),
        1,
    );
    assert_eq!(changed.len(), text.len());
    fs::write(&evidence, &changed).unwrap();
    set_back(&evidence);
    let (ok, after, stderr) = ask(&data, Some(&cache), question);
    assert!(ok, "{stderr}");
    assert_ne!(after, before, "the moved link is counted");
    assert_eq!(after, ask(&data, None, question).1);
}

#[test]
fn a_study_removed_fails_its_links_as_without_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let data = review(dir.path(), true);
    let cache = dir.path().join("cache");
    assert!(ask(&data, Some(&cache), QUESTIONS[0]).0);
    assert_eq!(copies(&cache).len(), 2);

    // evidence.csv is as it was; the study its links name is gone.
    let studies = data.join("studies.csv");
    let text = fs::read_to_string(&studies).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("Smith7y")).collect();
    fs::write(&studies, kept.join("\n") + "\n").unwrap();
    let (ok, _, with_cache) = ask(&data, Some(&cache), QUESTIONS[0]);
    let (_, _, without) = ask(&data, None, QUESTIONS[0]);
    assert!(!ok);
    assert!(
        with_cache.contains("`Smith7y1997` does not exist"),
        "{with_cache}"
    );
    assert!(with_cache.contains("evidence.csv:"), "{with_cache}");
    assert_eq!(with_cache, without);
}

#[cfg(unix)]
#[test]
fn a_cache_others_can_write_is_not_used_and_said_once() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = review(dir.path(), false);
    let cache = dir.path().join("shared");
    fs::create_dir(&cache).unwrap();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let expected = ask(&data, None, QUESTIONS[0]).1;
    let (ok, got, stderr) = ask(&data, Some(&cache), QUESTIONS[0]);
    assert!(ok, "{stderr}");
    assert_eq!(got, expected);
    assert_eq!(
        stderr.matches("note: the cache folder").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("only you can write"), "{stderr}");
    assert!(
        copies(&cache).is_empty(),
        "nothing written into a shared folder"
    );
    // A copy kept in a folder of one's own, then made writable by others
    // (or planted so): not read, and said.
    let own = dir.path().join("own");
    same_answers(&data, &own);
    let copy = copies(&own).pop().unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o666)).unwrap();
    let (ok, got, stderr) = ask(&data, Some(&own), QUESTIONS[0]);
    assert!(ok && got == expected, "{stderr}");
    assert!(stderr.contains("is not a file of yours"), "{stderr}");
}
