//! Hostile projects: entities and DTDs, paths out of the archive, a text
//! that inflates without end, too many entries, malformed XML, positions
//! out of their text, a file that is not a project. Each is refused with
//! its place (file, line) and writes nothing; nothing hangs or panics.

use super::*;

/// Imports `files` as a `.qdpx`; the run, the folder never made.
fn refused(files: &[(String, Vec<u8>)], args: &[&str]) -> Run {
    let (dir, review) = review();
    let path = dir.path().join("p.qdpx");
    qdpx(&path, files);
    let out = import(&review, &path, args);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(!review.exists(), "wrote {review:?}: {out:?}");
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    out
}

fn qde(xml: &str) -> Vec<(String, Vec<u8>)> {
    vec![("project.qde".to_string(), xml.as_bytes().to_vec())]
}

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

#[test]
fn entities_and_dtds_are_refused_at_their_line() {
    let laughs = format!(
        "{HEAD}\n<!DOCTYPE Project [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n]>\n<Project name=\"&c;\"/>"
    );
    let out = refused(&qde(&laughs), &[]);
    assert!(
        out.stderr.contains("p.qdpx: project.qde:2:1: holds a DTD"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("holds a DTD"), "{}", out.stderr);
    let external = format!(
        "{HEAD}\n<!DOCTYPE Project [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Project name=\"&x;\"/>"
    );
    let out = refused(&qde(&external), &[]);
    assert!(out.stderr.contains("holds a DTD"), "{}", out.stderr);
    assert!(!out.stderr.contains("root:"), "{}", out.stderr);
}

#[test]
fn a_text_path_out_of_the_archive_is_never_read() {
    for path in [
        "internal://../../etc/passwd",
        "internal:///etc/passwd",
        "internal://..\\x.txt",
    ] {
        let xml = format!(
            r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="s" plainTextPath="{path}"><PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="0" endPosition="4"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#
        );
        let out = refused(&qde(&xml), &[]);
        assert!(
            out.stderr.contains("leads outside the archive"),
            "{path}: {}",
            out.stderr
        );
    }
    // A path to the user's own disk (relative:// to basePath) is not
    // followed: the passage is quoted by its name, and the run says so.
    let (dir, review) = review();
    let xml = format!(
        r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p" basePath="/etc"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="s" plainTextPath="relative:///passwd"><PlainTextSelection guid="00000000-0000-4000-8000-000000000003" name="as named" startPosition="0" endPosition="4"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#
    );
    let path = dir.path().join("p.qdpx");
    qdpx(&path, &qde(&xml));
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("is outside the project (relative:///passwd) and was not read"),
        "{}",
        out.stderr
    );
    assert_eq!(rows(&review, "extracts")[0]["quote"], "as named");
}

#[test]
fn a_text_that_inflates_past_its_bound_is_refused() {
    // 65 MiB of one letter: 65 KB compressed, more than a source may be.
    let xml = format!(
        r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="s" plainTextPath="internal://big.txt"><PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="0" endPosition="4"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#
    );
    let mut files = qde(&xml);
    files.push(("sources/big.txt".into(), vec![b'a'; 65 * 1024 * 1024]));
    let out = refused(&files, &[]);
    assert!(
        out.stderr.contains("is larger than 64 MB"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_archive_of_too_many_entries_or_none_of_a_project_is_refused() {
    let many: Vec<(String, Vec<u8>)> = (0..100_001)
        .map(|i| (format!("f{i}"), Vec::new()))
        .collect();
    let out = refused(&many, &[]);
    assert!(out.stderr.contains("lists 100001 files"), "{}", out.stderr);
    let out = refused(&[("notes.txt".into(), b"hi".to_vec())], &[]);
    assert!(
        out.stderr.contains("holds no project.qde"),
        "{}",
        out.stderr
    );
    // Not a zip at all.
    let (dir, review) = review();
    let path = dir.path().join("p.qdpx");
    std::fs::write(&path, "just text").unwrap();
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("is not a REFI-QDA project archive (a zip file)"),
        "{}",
        out.stderr
    );
    assert!(!review.exists());
}

#[test]
fn malformed_projects_are_located_by_element_and_line() {
    let out = refused(
        &qde(&format!(
            "{HEAD}\n<Project name=\"p\">\n  <Users>\n</Project>"
        )),
        &[],
    );
    assert!(out.stderr.contains("project.qde:4:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("is not well-formed XML"),
        "{}",
        out.stderr
    );
    // Schema-level mistakes, each at its element's line.
    let xml = format!(
        "{HEAD}\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\">\n<CodeBook><Codes>\n<Code name=\"no guid\" isCodable=\"true\"/>\n<Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"c\" isCodable=\"true\"/>\n</Codes></CodeBook>\n<Sources>\n<TextSource guid=\"00000000-0000-4000-8000-000000000002\" name=\"s\"><PlainTextContent>short</PlainTextContent>\n<PlainTextSelection guid=\"00000000-0000-4000-8000-000000000003\" startPosition=\"3\" endPosition=\"1\"/>\n<PlainTextSelection guid=\"00000000-0000-4000-8000-000000000005\" startPosition=\"0\" endPosition=\"x\"/>\n<PlainTextSelection guid=\"00000000-0000-4000-8000-000000000006\" startPosition=\"0\" endPosition=\"2\"><Coding guid=\"00000000-0000-4000-8000-000000000007\"><CodeRef targetGUID=\"00000000-0000-4000-8000-0000000000ff\"/></Coding></PlainTextSelection>\n</TextSource>\n</Sources>\n</Project>"
    );
    let out = refused(&qde(&xml), &[]);
    for (line, what) in [
        (4, "<Code>: has no `guid` attribute"),
        (9, "ends (endPosition 1) before it starts (startPosition 3)"),
        (10, "`endPosition` is \"x\", not a whole number"),
        (
            11,
            "names the code 00000000-0000-4000-8000-0000000000ff, which the code book does not hold",
        ),
    ] {
        let at = format!("project.qde:{line}:");
        assert!(
            out.stderr
                .lines()
                .any(|l| l.contains(&at) && l.contains(what)),
            "{line} {what}\n{}",
            out.stderr
        );
    }
}

#[test]
fn positions_past_the_text_are_refused_with_the_counting_that_fits() {
    // 😀 is one code point and two UTF-16 units: positions written by a
    // program counting UTF-16 end past the text counted in code points.
    let text = "Peers 😀 helped";
    let xml = format!(
        r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="s"><PlainTextContent>{text}</PlainTextContent>
<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="9" endPosition="15"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#
    );
    let out = refused(&qde(&xml), &[]);
    assert!(out.stderr.contains("project.qde:2: a passage of \"s\" (positions 9-15) ends past the text, which is 14 characters long; every passage of this source fits if positions count otherwise: import with --positions utf-16"), "{}", out.stderr);
    let (dir, review) = review();
    let path = dir.path().join("p.qdpx");
    qdpx(&path, &qde(&xml));
    let out = import(&review, &path, &["--positions", "utf-16"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(rows(&review, "extracts")[0]["quote"], "helped");
}

#[test]
fn deep_code_trees_and_a_bare_qde_of_another_kind_do_not_break_the_reader() {
    let (dir, review) = review();
    let depth = 50_000;
    let mut xml =
        format!(r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>"#);
    for i in 0..depth {
        xml.push_str(&format!(
            r#"<Code guid="00000000-0000-4000-8000-{i:012x}" name="c{i}" isCodable="false">"#
        ));
    }
    xml.push_str(&"</Code>".repeat(depth));
    xml.push_str("</Codes></CodeBook></Project>");
    let path = dir.path().join("deep.qde");
    std::fs::write(&path, xml).unwrap();
    let out = import(&review, &path, &[]);
    // Either read (no finding: nothing codable) or refused, never a crash.
    assert!(matches!(out.code, Some(0 | 1)), "{out:?}");
    let other = dir.path().join("other.qde");
    std::fs::write(&other, format!("{HEAD}<html><body/></html>")).unwrap();
    let out = import(&review, &other, &[]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("where a REFI-QDA project has <Project>"),
        "{}",
        out.stderr
    );
}

#[test]
fn nameless_codes_are_refused_at_their_line_and_nameless_sources_named_by_their_guid() {
    let (dir, review) = review();
    let codebook = dir.path().join("cb.qdc");
    std::fs::write(&codebook, format!("{HEAD}\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\n<Code guid=\"00000000-0000-4000-8000-000000000001\" name=\" \" isCodable=\"true\"/>\n</Codes></CodeBook>")).unwrap();
    let out = import(&review, &codebook, &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("cb.qdc:3:1: <Code>: has an empty name"),
        "{}",
        out.stderr
    );
    assert!(!review.exists());
    let xml = format!(
        r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="0000abcd-0000-4000-8000-000000000002"><PlainTextContent>text</PlainTextContent><PlainTextSelection guid="00000000-0000-4000-8000-000000000003" startPosition="0" endPosition="4"><Coding guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding></PlainTextSelection></TextSource></Sources></Project>"#
    );
    let path = dir.path().join("p.qde");
    std::fs::write(&path, xml).unwrap();
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(
        rows(&review, "papers")[0]["citation"],
        "unnamed source 0000abcd"
    );
}

#[test]
fn a_refused_or_empty_import_leaves_no_folder_it_made() {
    let (dir, _) = review();
    let nested = dir.path().join("new/deep/review");
    let empty = dir.path().join("empty.qde");
    std::fs::write(
        &empty,
        format!("{HEAD}<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\"/>"),
    )
    .unwrap();
    let out = import(&nested, &empty, &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("holds no source and no code"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("new").exists(), "left new/");
}

#[test]
fn rows_a_review_refuses_are_named_by_what_they_come_from_in_the_project() {
    // The seed's findings are grouped by `perspective`, whose codes
    // dataset.toml declares: a project's parent code is none of them.
    let (dir, review) = review();
    copy_dir(&seed(), &review);
    let xml = format!(
        r#"{HEAD}<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="Barriers" isCodable="false"><Code guid="00000000-0000-4000-8000-000000000002" name="Cost" isCodable="true"/></Code></Codes></CodeBook></Project>"#
    );
    let path = dir.path().join("p.qde");
    std::fs::write(&path, xml).unwrap();
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("(from the project's code \"Cost\")"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("change the code, case or source in the QDA program"),
        "{}",
        out.stderr
    );
}

use crate::util::copy_files as copy_dir;

/// A FIFO where a review's file belongs would be read without end.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_folder_is_refused_not_waited_on() {
    let (dir, review) = review();
    std::fs::create_dir_all(&review).unwrap();
    let fifo = review.join("extracts.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let project = root().join("docs/guide/project.qde");
    let out = import(&review, &project, &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("extracts.csv: it is not a regular file"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_dir(&review).unwrap().count(),
        1,
        "wrote beside the FIFO"
    );
    drop(dir);
}
