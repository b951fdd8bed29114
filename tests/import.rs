//! `metasum import`: references as Zotero and EndNote export them (RIS,
//! BibTeX, CSL JSON: accented names, missing years, several authors,
//! braces in titles) added to a dataset, and found present when imported
//! again; malformed files located, and nothing written for them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn refs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn import(folder: &Path, files: &[PathBuf]) -> std::process::Output {
    Command::cargo_bin("metasum")
        .unwrap()
        .env_remove("METASUM_DATA")
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
         Smithnd,Smith,\n\
         Muller2022,Müller & Weber,2022\n\
         Svensson2016,Svensson et al.,2016\n\
         Smithnda,Smith,\n\
         Okafor2020,Okafor & Lee,2020\n\
         WorldHealthOrganization2021,World Health Organization,2021\n"
    );
    let papers = read(&review.join("papers.csv"));
    // Braces and LaTeX accents of BibTeX resolved; a wrapped RIS title
    // joined; a title's DOI kept as written.
    for line in [
        "Svensson2016,Svensson2016,\"Svensson, E.; Öberg, L.; Lindqvist, A. (2016). Peer workers in Sweden: a CASP-appraised study. Nordic Journal of Psychiatry.\",2016,Peer workers in Sweden: a CASP-appraised study,Nordic Journal of Psychiatry,",
        "Smithnda,Smithnda,\"Smith, J. (n.d.). An undated report on HIV peer support.\",,An undated report on HIV peer support,,",
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
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/cerqual-example");
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
    let out = Command::cargo_bin("metasum")
        .unwrap()
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
    let out = import(&review, &[PathBuf::from("/dev/zero")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero: it is not a file"));
    // Import needs a folder to add to.
    let out = Command::cargo_bin("metasum")
        .unwrap()
        .env_remove("METASUM_DATA")
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
