//! `metasum import`: references as Zotero and EndNote export them (RIS,
//! BibTeX, CSL JSON: accented names, missing years, several authors,
//! braces in titles) added to a dataset, and found present when imported
//! again; malformed files located, and nothing written for them.

use std::path::{Path, PathBuf};

use crate::util::*;

fn refs(name: &str) -> PathBuf {
    root().join("tests/data/import").join(name)
}

fn import(folder: &Path, files: &[PathBuf]) -> std::process::Output {
    metasum()
        .arg("--data")
        .arg(folder)
        .arg("import")
        .args(files)
        .output()
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn references_become_studies_and_papers_and_a_second_import_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let files = [refs("zotero.ris"), refs("zotero.bib"), refs("zotero.json")];
    let out = import(&review, &files);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let studies = read(&review.join("studies.csv"));
    assert_eq!(
        studies,
        "id,author,year\n\
         Garcia2017,García & O'Brien,2017\n\
         Smith2019,Smith et al.,2019\n\
         Smithnda,Smith,\n\
         Muller2022,Müller & Weber,2022\n\
         Svensson2016,Svensson et al.,2016\n\
         Smithndb,Smith,\n\
         Okafor2020,Okafor & Lee,2020\n\
         WorldHealthOrganization2021,World Health Organization,2021\n"
    );
    let papers = read(&review.join("papers.csv"));
    // Braces and LaTeX accents of BibTeX resolved; a wrapped RIS title
    // joined; a title's DOI kept as written.
    for line in [
        "Svensson2016,Svensson2016,\"Svensson, E.; Öberg, L.; Lindqvist, A. (2016). Peer workers in Sweden: a CASP-appraised study. Nordic Journal of Psychiatry.\",2016,Peer workers in Sweden: a CASP-appraised study,Nordic Journal of Psychiatry,",
        // Two undated Smith reports: lettered `a` and `b`, as APA does.
        "Smithndb,Smithndb,\"Smith, J. (n.d.). An undated report on HIV peer support.\",,An undated report on HIV peer support,,",
        "Smith2019,Smith2019,\"Smith, J.; Patel, R.; Nguyen, T. (2019). Trust in peer support: a qualitative study of people receiving support. J Ment Health.\",2019,Trust in peer support: a qualitative study of people receiving support,J Ment Health,https://doi.org/10.1000/JMH.2019.001",
    ] {
        assert!(papers.lines().any(|l| l == line), "{line}\n{papers}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The JSON's third item is the RIS's second record (same DOI, written
    // otherwise): reported, not added twice.
    assert!(
        stderr.contains("zotero.json:21: already present as paper Smith2019 (same DOI 10.1000/jmh.2019.001, added by this import), not added"),
        "{stderr}"
    );
    assert!(stderr.contains("added 8 studies"), "{stderr}");

    // Again: every record is there; the files are as they were.
    let out = import(&review, &files);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("already present").count(), 9, "{stderr}");
    assert!(
        stderr.contains("zotero.bib:2: already present as paper Muller2022"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing to add"), "{stderr}");
    assert_eq!(read(&review.join("studies.csv")), studies);
    assert_eq!(read(&review.join("papers.csv")), papers);
}

#[test]
fn an_existing_review_is_extended_and_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    std::fs::create_dir(&review).unwrap();
    let example = root().join("datasets/cerqual-example");
    for entry in std::fs::read_dir(&example).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), review.join(entry.file_name())).unwrap();
    }
    let out = import(&review, &[refs("zotero.ris"), refs("zotero.json")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // García, Smith and Okafor are the example's P5, P1 and P3 by DOI.
    for present in [
        "as paper P5 (same DOI",
        "as paper P1 (same DOI",
        "as paper P3 (same DOI",
    ] {
        assert!(stderr.contains(present), "{present}\n{stderr}");
    }
    // The WHO report is P4 by its citation (title and year; the example's
    // papers.csv has no title column).
    assert!(
        stderr.contains("zotero.json:14: already present as paper P4 (its citation has the same title, same year)"),
        "{stderr}"
    );
    assert!(stderr.contains("added 1 study"), "{stderr}");
    let studies = read(&review.join("studies.csv"));
    // Its own columns kept, the new studies' other cells empty.
    assert!(
        studies.starts_with(
            "id,author,year,country,quality,Sample size\nSmith2019,Smith et al.,2019,UK,"
        ),
        "{studies}"
    );
    assert!(
        studies.ends_with("Ahmed,2021,Canada,moderate concerns,8\nSmithnd,Smith,,,,\n"),
        "{studies}"
    );
    // The extended review loads: 9 studies, 9 papers.
    let out = metasum()
        .arg("--data")
        .arg(&review)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("9 studies, 9 papers"));
}

#[test]
fn numbered_papers_go_on_being_numbered() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    std::fs::create_dir(&review).unwrap();
    std::fs::write(
        review.join("papers.csv"),
        "id,study,citation\n1,1,A\n7,2,B\n",
    )
    .unwrap();
    std::fs::write(
        review.join("studies.csv"),
        "id,author,year\n1,Ames,2001\n2,Bell,2002\n",
    )
    .unwrap();
    let out = import(&review, &[refs("zotero.ris")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let papers = read(&review.join("papers.csv"));
    let ids: Vec<&str> = papers
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["1", "7", "8", "9", "10"]);
    assert!(
        papers.starts_with("id,study,citation,year,title,journal,doi\n1,1,A,,,,\n"),
        "{papers}"
    );
}

#[test]
fn a_malformed_file_is_located_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    std::fs::create_dir(&review).unwrap();
    std::fs::write(review.join("studies.csv"), "id,author,year\nA2001,A,2001\n").unwrap();
    for (name, text, says) in [
        (
            "open.ris",
            "TY  - JOUR\nAU  - Smith, J\nTI  - No end\n",
            "open.ris:1: the record starting here has no `ER  -`",
        ),
        (
            "stray.ris",
            "AU  - Smith, J\nER  - \n",
            "stray.ris:1: `AU` outside a record",
        ),
        (
            "empty-record.ris",
            "TY  - JOUR\nPY  - 2001\nTI  - A title\nER  - \n",
            "empty-record.ris:1: the record starting here has no author (AU)",
        ),
        (
            "blank-author.ris",
            "TY  - JOUR\nAU  - ,\nER  - \n",
            "blank-author.ris:1: the record starting here has no author (AU)",
        ),
        (
            "no-author.bib",
            "@misc{x,\n  title = {T},\n}\n",
            "no-author.bib:1: entry `x` has no author",
        ),
        (
            "no-author.json",
            "[\n  {\"title\": \"T\"}\n]\n",
            "no-author.json:2: the item has no author",
        ),
        ("empty.ris", "\n\n", "empty.ris: holds no record"),
        (
            "broken.bib",
            "@article{a,\n  title = {Unclosed,\n",
            "broken.bib:",
        ),
        (
            "broken.json",
            "[\n  {\"title\": \"a\",}\n]\n",
            "broken.json:2: not CSL JSON",
        ),
        (
            "shape.json",
            "[\n  {\"title\": \"a\", \"author\": \"Smith\"}\n]\n",
            "shape.json:2: `author` must be a list of names",
        ),
        (
            "refs.csv",
            "a,b\n",
            "import reads .ris (RIS), .bib (BibTeX, BibLaTeX) and .json (CSL JSON) files",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        // With a good file beside it: the good one is not written either.
        let out = import(&review, &[refs("zotero.ris"), path]);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{name}: {says}\n{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(
            read(&review.join("studies.csv")),
            "id,author,year\nA2001,A,2001\n"
        );
        assert!(!review.join("papers.csv").exists());
    }
    // A device is no reference file (it would be read without end).
    #[cfg(unix)]
    {
        let out = import(&review, &[PathBuf::from("/dev/zero")]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero: it is not a file"));
    }
    // Import needs a folder to add to.
    let out = metasum()
        .arg("import")
        .arg(refs("zotero.ris"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn the_files_there_are_appended_to_byte_for_byte_and_their_columns_found_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    std::fs::create_dir(&review).unwrap();
    // Excel's byte order mark and line ends, a quoted cell, a `DOI` column.
    let studies = "\u{feff}id,author,year\r\n\"Doe2015\",\"Doe, Jane\",2015\r\n";
    let papers = "\u{feff}id,study,citation,year,Title,Journal,DOI\r\nP1,Doe2015,Doe (2015),2015,Peer work,J,10.1000/JMH.2019.001\r\n";
    std::fs::write(review.join("studies.csv"), studies).unwrap();
    std::fs::write(review.join("papers.csv"), papers).unwrap();
    let out = import(&review, &[refs("zotero.ris")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The DOI column is found whatever its case: Smith is P1.
    assert!(
        stderr.contains("zotero.ris:10: already present as paper P1"),
        "{stderr}"
    );
    let after = read(&review.join("studies.csv"));
    assert!(after.starts_with(studies), "{after:?}");
    assert_eq!(
        &after[studies.len()..],
        "Garcia2017,García & O'Brien,2017\r\nSmithnd,Smith,\r\n"
    );
    let after = read(&review.join("papers.csv"));
    assert!(after.starts_with(papers), "{after:?}");
    assert_eq!(after.lines().count(), 4);
    assert!(!after.contains(",doi"), "no second DOI column: {after}");
}

#[test]
fn a_dataset_file_the_loader_refuses_is_refused_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    for (name, studies, says) in [
        (
            "semicolons",
            "id;author;year\nA2001;A;2001\n",
            "separated by `;`",
        ),
        (
            "unterminated",
            "id,author,year\nA2001,\"A,2001\n",
            "studies.csv",
        ),
        (
            "latin1",
            "id,author,year\nB2001,B\u{f6}ll,2001\n",
            "studies.csv",
        ),
    ] {
        let review = dir.path().join(name);
        std::fs::create_dir(&review).unwrap();
        let mut bytes = studies.as_bytes().to_vec();
        if name == "latin1" {
            // Böll as Latin-1 writes it: one byte, not UTF-8.
            bytes = b"id,author,year\nB2001,B\xf6ll,2001\n".to_vec();
        }
        std::fs::write(review.join("studies.csv"), &bytes).unwrap();
        let out = import(&review, &[refs("zotero.ris")]);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(says) && stderr.contains("nothing was written"),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read(review.join("studies.csv")).unwrap(),
            bytes,
            "{name}"
        );
        assert!(!review.join("papers.csv").exists(), "{name}");
    }
}

/// `n` RIS records, each its own author and title (`prefix` keeps two
/// files' records apart), all of `year`.
fn ris_records(prefix: &str, n: usize, year: u32) -> String {
    (0..n)
        .map(|i| {
            format!(
                "TY  - JOUR\nAU  - {prefix}author{i}, A.\nTI  - {prefix} study number {i}\nPY  - {year}\nER  - \n\n"
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A folder `review` in `dir` holding `files` (name, text).
fn review_of(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let review = dir.join("review");
    std::fs::create_dir(&review).unwrap();
    for (name, text) in files {
        std::fs::write(review.join(name), text).unwrap();
    }
    review
}

/// `metasum --data REVIEW ARGS`.
fn metasum_on(review: &Path, args: &[&str]) -> std::process::Output {
    metasum()
        .arg("--data")
        .arg(review)
        .args(args)
        .output()
        .unwrap()
}

/// The rows of a CSV file (its header left out).
fn rows(path: &Path) -> usize {
    read(path).lines().skip(1).filter(|l| !l.is_empty()).count()
}

#[test]
fn two_imports_at_once_add_both_and_readers_never_see_half_of_one() {
    let dir = tempfile::tempdir().unwrap();
    // A review with findings and links, so that every reader loads it all.
    let review = review_of(
        dir.path(),
        &[
            ("studies.csv", "id,author,year\nS0,Seed,2000\n"),
            ("findings.csv", "id,perspective,name\nF1,a,One\n"),
            ("evidence.csv", "finding,study\nF1,S0\n"),
        ],
    );
    for round in 0..3 {
        let a = write(
            dir.path(),
            "a.ris",
            &ris_records(&format!("a{round}"), 300, 2020),
        );
        let b = write(
            dir.path(),
            "b.ris",
            &ris_records(&format!("b{round}"), 300, 2020),
        );
        let start = |file: &Path| {
            std::process::Command::new(crate::util::binary())
                .env_remove("METASUM_DATA")
                .arg("--data")
                .arg(&review)
                .arg("import")
                .arg(file)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (start(&a), start(&b));
        // Readers while both write: each loads one version, never papers
        // of one import with the studies of the other.
        let mut readers = 0;
        let done = |c: &mut std::process::Child| c.try_wait().unwrap().is_some();
        let (mut first, mut second) = (first, second);
        while !(done(&mut first) && done(&mut second)) || readers < 5 {
            let r = metasum()
                .arg("--data")
                .arg(&review)
                .args(["-c", "studies count by papers"])
                .output()
                .unwrap();
            assert_eq!(
                r.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&r.stderr)
            );
            let counts = String::from_utf8(r.stdout).unwrap();
            assert!(
                !counts.contains("\n0,"),
                "a study without its paper:\n{counts}"
            );
            readers += 1;
        }
        for child in [first, second] {
            let out = child.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{said}");
            assert!(said.contains("added 300 studies"), "{said}");
        }
        let expected = 1 + 600 * (round + 1);
        assert_eq!(rows(&review.join("studies.csv")), expected);
        assert_eq!(rows(&review.join("papers.csv")), expected);
    }
    assert!(!review.join(".metasum.lock").exists());
}

#[test]
fn importing_into_a_review_without_papers_keeps_each_study_its_paper() {
    let dir = tempfile::tempdir().unwrap();
    let review = review_of(
        dir.path(),
        &[
            (
                "studies.csv",
                "id,author,year\nA1,Ahmed,2019\nB2,Brown,2020\nC3,Chen,2021\n",
            ),
            ("findings.csv", "id,perspective,name\nF1,a,One\n"),
            ("evidence.csv", "finding,study\nF1,A1\nF1,C3\n"),
        ],
    );
    let out = import(
        &review,
        &[write(dir.path(), "one.ris", &ris_records("x", 1, 2022))],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let check = metasum_on(&review, &["check"]);
    let report = String::from_utf8(check.stdout).unwrap();
    assert!(report.contains("4 studies, 4 papers"), "{report}");
    assert!(read(&review.join("papers.csv")).contains("A1,A1,Ahmed (2019),2019"));
}

#[test]
fn importing_into_numbered_studies_numbers_the_new_ones_and_the_links_still_resolve() {
    let dir = tempfile::tempdir().unwrap();
    // `03` names study 3 while ids are whole numbers.
    let review = review_of(
        dir.path(),
        &[
            ("studies.csv", "id,author,year\n1,Ahmed,2019\n3,Chen,2021\n"),
            (
                "papers.csv",
                "id,study,citation\n1,1,Ahmed (2019)\n2,3,Chen (2021)\n",
            ),
            ("findings.csv", "id,perspective,name\n1,a,One\n"),
            ("evidence.csv", "finding,study\n1,03\n"),
        ],
    );
    let out = import(
        &review,
        &[write(dir.path(), "two.ris", &ris_records("x", 2, 2022))],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let studies = read(&review.join("studies.csv"));
    assert!(
        studies.ends_with("4,xauthor0,2022\n5,xauthor1,2022\n"),
        "{studies}"
    );
    let q = metasum_on(&review, &["-c", "findings show id, n, studies"]);
    assert_eq!(
        String::from_utf8(q.stdout).unwrap(),
        "id,n,studies\n1,1,3\n"
    );
}

#[test]
fn an_import_that_would_leave_a_review_that_does_not_load_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Text ids compared in any case: `xauthor02022` is taken by a study
    // whose id only case tells apart from the key the import would give
    // (here: a link to a study that does not exist makes it not load).
    let review = review_of(
        dir.path(),
        &[
            ("studies.csv", "id,author,year\nS1,Ahmed,2019\n"),
            ("findings.csv", "id,perspective,name\nF1,a,One\n"),
            ("evidence.csv", "finding,study\nF1,Nobody\n"),
        ],
    );
    let before = read(&review.join("studies.csv"));
    let out = import(
        &review,
        &[write(dir.path(), "one.ris", &ris_records("x", 1, 2022))],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("evidence.csv:2"), "{said}");
    assert!(said.contains("would not load after this import"), "{said}");
    assert_eq!(read(&review.join("studies.csv")), before);
    assert!(!review.join("papers.csv").exists());
}

#[test]
fn formulas_in_references_are_guarded_and_read_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let ris = "TY  - JOUR\nAU  - =HYPERLINK(\"http://x\"), A.\nTI  - @SUM(1+1)\nT2  - +cmd|calc\nPY  - 2020\nER  - \n";
    let out = import(&review, &[write(dir.path(), "f.ris", ris)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let papers = read(&review.join("papers.csv"));
    assert!(papers.contains(",'@SUM(1+1),'+cmd|calc,"), "{papers}");
    assert!(read(&review.join("studies.csv")).contains("'=HYPERLINK"));
    std::fs::write(
        review.join("findings.csv"),
        "id,perspective,name\nF1,a,One\n",
    )
    .unwrap();
    std::fs::write(review.join("evidence.csv"), "finding,study\n").unwrap();
    let q = metasum_on(&review, &["--raw", "-c", "papers show title, journal"]);
    assert_eq!(
        String::from_utf8(q.stdout).unwrap(),
        "title,journal\n@SUM(1+1),+cmd|calc\n"
    );
}

#[test]
fn non_latin_references_are_told_apart_and_keyed_by_transliteration() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let ris = "TY  - JOUR\nAU  - 王, 伟\nTI  - 同伴支持的质性研究\nJO  - 中国心理卫生杂志\nPY  - 2021\nER  - \n\n\
               TY  - JOUR\nAU  - 李, 娜\nTI  - 精神卫生服务中的同伴工作者\nJO  - 护理学杂志\nPY  - 2021\nER  - \n\n\
               TY  - JOUR\nAU  - Иванов, И.\nTI  - Поддержка равных в психиатрии\nJO  - Психиатрия\nPY  - 2021\nER  - \n";
    let out = import(&review, &[write(dir.path(), "cjk.ris", ris)]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("added 3 studies"), "{said}");
    assert!(said.contains("Wang2021, Li2021, Ivanov2021"), "{said}");
}

#[test]
fn import_time_grows_with_the_records_not_their_square() {
    // Records sharing one author-year, as CSL JSON, BibTeX and RIS: each
    // file of 20,000 must import (a quadratic import took minutes). The
    // time is not asserted (BENCHMARKS.md has it); a quadratic one would
    // be killed by CI's time limit.
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    let json: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"r{i}","type":"article","author":[{{"family":"Smith","given":"J"}}],"title":"Study {i}","issued":{{"date-parts":[[2019]]}}}}"#))
        .collect();
    let bib: String = (0..n)
        .map(|i| format!("@article{{k{i},\n  author = {{Smith, J.}},\n  title = {{Report {i}}},\n  year = {{2019}}\n}}\n"))
        .collect();
    for (name, text) in [
        ("many.json", format!("[{}]", json.join(",\n"))),
        ("many.bib", bib),
        (
            "many.ris",
            ris_records("Smith", n, 2019).replace("Smithauthor", "Smith"),
        ),
    ] {
        let review = dir.path().join(name.replace('.', "-"));
        let started = std::time::Instant::now();
        let out = import(&review, &[write(dir.path(), name, &text)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {out:?}");
        assert_eq!(rows(&review.join("studies.csv")), n, "{name}");
        eprintln!("{name}: {n} records in {:?}", started.elapsed());
    }
}

#[test]
fn bibtex_abbreviations_that_recurse_or_explode_are_refused_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let mut doubling = String::from("@string{s0 = \"0123456789\"}\n");
    for i in 1..40 {
        doubling += &format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1);
    }
    doubling += "@article{k, author = {A, B}, title = s39, year = 2020}\n";
    for (text, says) in [
        (
            "@string{a = a}\n@article{k, author = {A, B}, title = a}\n",
            "r.bib:1:",
        ),
        (
            "@string{a = b}\n@string{b = a}\n@article{k, author = {A, B}, title = a}\n",
            "r.bib:1:",
        ),
        (doubling.as_str(), "r.bib:15:"),
    ] {
        let out = import(&review, &[write(dir.path(), "r.bib", text)]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains(says), "{said}");
        assert!(!review.exists());
    }
}

#[test]
fn a_cr_only_ris_file_is_read_and_a_literal_csl_year_kept() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let ris = "TY  - JOUR\rAU  - Old, Mac\rTI  - Classic line ends\rPY  - 1999\rER  - \r";
    let csl = r#"[{"id":"x","type":"report","author":[{"family":"Lit"}],"title":"Undated in parts","issued":{"literal":"Spring 2019"}}]"#;
    let out = import(
        &review,
        &[
            write(dir.path(), "cr.ris", ris),
            write(dir.path(), "lit.json", csl),
        ],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Old1999, Lit2019"), "{said}");
}

/// A workbook is not a folder to add files to: the way is said, and the
/// workbook is left as it was.
#[test]
fn import_into_a_workbook_says_how_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("review.xlsx");
    let made = metasum()
        .args(["export", book.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(made.status.success());
    let before = std::fs::read(&book).unwrap();
    let out = import(&book, &[refs("zotero.ris")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("is a workbook: export it to a folder (metasum --data"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&book).unwrap(), before);
}

/// Papers of one study: a record tagged `study: KEY` in the reference
/// manager (RIS `KW`, BibTeX `keywords`, CSL JSON `keyword`) is a paper
/// of that study, one added by the same import or one already there; the
/// study counts once, with its papers.
#[test]
fn records_tagged_with_one_study_become_its_papers() {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    let out = import(&review, &[refs("second-papers.ris")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        read(&review.join("studies.csv")),
        // Tagged records come after the others (a tag may name a study an
        // untagged record makes).
        "id,author,year\nLee2019,Lee,2019\nOkafor2020,Okafor & Lee,2020\n"
    );
    let papers = read(&review.join("papers.csv"));
    let study_of: Vec<(&str, &str)> = (papers.lines().skip(1))
        .map(|l| {
            let mut cells = l.split(',');
            (cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    assert_eq!(
        study_of,
        [
            ("Lee2019", "Lee2019"),
            ("Okafor2020", "Okafor2020"),
            ("Okafor2020b", "Okafor2020")
        ]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("added paper Okafor2020b to study Okafor2020 (its `study:` keyword)"),
        "{stderr}"
    );
    // A later import's paper joins the study already there (named in
    // another case).
    let out = import(&review, &[refs("second-papers.bib")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(read(&review.join("papers.csv")).contains("\nOkafor2020c,Okafor2020,"));
    // With findings coded, the review counts Okafor2020 once, with its
    // three papers.
    std::fs::write(review.join("findings.csv"), "id,name\nF1,Trust\n").unwrap();
    std::fs::write(
        review.join("evidence.csv"),
        "finding,study\nF1,Okafor2020\n",
    )
    .unwrap();
    let run = metasum()
        .args([
            "--data",
            review.to_str().unwrap(),
            "-c",
            "studies show id, papers",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "id,papers\nLee2019,1\nOkafor2020,3\n"
    );
}

/// A `study:` keyword that names no study where lettered ones of that name
/// are (`Park2019a`, `Park2019b`) is refused at its record: which one is
/// meant is not for metasum to guess. A workbook name that is no file yet
/// is no folder to make either.
#[test]
fn a_study_keyword_that_could_mean_several_studies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refs = dir.path().join("refs.ris");
    std::fs::write(
        &refs,
        "TY  - JOUR\nAU  - Park, A\nPY  - 2019\nTI  - One\nER  - \n\nTY  - JOUR\nAU  - Park, B\nPY  - 2019\nTI  - Two\nER  - \n\nTY  - JOUR\nAU  - Ortiz, C\nPY  - 2022\nTI  - Three\nKW  - study: Park2019\nER  - \n",
    )
    .unwrap();
    let review = dir.path().join("review");
    let out = import(&review, std::slice::from_ref(&refs));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains(":13: `study: Park2019` names no study, and Park2019a, Park2019b are there"),
        "{stderr}"
    );
    assert!(!review.join("studies.csv").exists());
    let book = dir.path().join("new.xlsx");
    let out = import(&book, &[refs]);
    assert_ne!(out.status.code(), Some(0));
    assert!(!book.exists());
}
