//! Importing a project into a folder that has rows already: from an
//! earlier import of it (nothing told when nothing changed, even for
//! cells a spreadsheet would take as formulas; a passage coded anew and a
//! source moved to another case told), and a finding typed by hand whose
//! name two codes share (never pooled).

use super::*;

fn g(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// A passage: start, end, its coding's GUID number, its code's.
type Passage = (usize, usize, u32, u32);
/// A source: GUID number, name, text, passages.
type Source<'a> = (u32, &'a str, &'a str, &'a [Passage]);

/// A project of `codes` (guid, name, parent) and `sources` (guid, name,
/// text, passages (start, end, coding guid, code guid)) and `cases`
/// (guid, name, sources).
fn project(
    codes: &[(u32, &str, Option<u32>)],
    sources: &[Source],
    cases: &[(u32, &str, &[u32])],
) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="NVivo 14"><CodeBook><Codes>"#,
    );
    let code = |c: &(u32, &str, Option<u32>)| {
        let kids: String = (codes.iter())
            .filter(|k| k.2 == Some(c.0))
            .map(|k| {
                format!(
                    r#"<Code guid="{}" name="{}" isCodable="true"/>"#,
                    g(k.0),
                    k.1
                )
            })
            .collect();
        format!(
            r#"<Code guid="{}" name="{}" isCodable="true">{kids}</Code>"#,
            g(c.0),
            c.1
        )
    };
    for c in codes.iter().filter(|c| c.2.is_none()) {
        xml.push_str(&code(c));
    }
    xml.push_str("</Codes></CodeBook><Cases>");
    for (guid, name, members) in cases {
        let refs: String = members
            .iter()
            .map(|m| format!(r#"<SourceRef targetGUID="{}"/>"#, g(*m)))
            .collect();
        xml.push_str(&format!(
            r#"<Case guid="{}" name="{name}">{refs}</Case>"#,
            g(*guid)
        ));
    }
    xml.push_str("</Cases><Sources>");
    for (guid, name, text, passages) in sources {
        xml.push_str(&format!(
            r#"<TextSource guid="{}" name="{name}"><PlainTextContent>{text}</PlainTextContent>"#,
            g(*guid)
        ));
        for (k, (start, end, coding, code)) in passages.iter().enumerate() {
            xml.push_str(&format!(
                r#"<PlainTextSelection guid="{}" startPosition="{start}" endPosition="{end}"><Coding guid="{}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>"#,
                g(guid * 100 + k as u32),
                g(*coding),
                g(*code)
            ));
        }
        xml.push_str("</TextSource>");
    }
    xml.push_str("</Sources></Project>");
    xml
}

fn imported(review: &Path, dir: &Path, name: &str, xml: &str) -> Run {
    let path = dir.join(format!("{name}.qde"));
    std::fs::write(&path, xml).unwrap();
    let out = import(review, &path, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    out
}

#[test]
fn cells_a_spreadsheet_reads_as_formulas_are_no_change_when_imported_again() {
    let (dir, review) = review();
    let text = "=cmd|calc and -1+2 and @sum";
    let xml = project(
        &[(10, "=HYPERLINK(&quot;x&quot;)", None), (11, "@sum", None)],
        &[(
            30,
            "=evil 2019.txt",
            text,
            &[(0, 9, 500, 10), (14, 18, 501, 11)],
        )],
        &[],
    );
    imported(&review, dir.path(), "p", &xml);
    let again = imported(&review, dir.path(), "p", &xml);
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
    assert!(
        !again.stderr.contains("changed in the project"),
        "{}",
        again.stderr
    );
    // Stored guarded, read as written.
    let quotes = rows(&review, "extracts sort by quote show quote");
    let quotes: Vec<&str> = quotes.iter().map(|q| q["quote"].as_str()).collect();
    assert_eq!(quotes, ["'-1+2", "'=cmd|calc"], "as CSV output guards them");
    let names = run(metasum().arg("--data").arg(&review).args([
        "--raw",
        "--format",
        "csv",
        "-c",
        "findings sort by name show name",
    ]));
    assert_eq!(names.stdout, "name\n\"=HYPERLINK(\"\"x\"\")\"\n@sum\n");
}

#[test]
fn a_passage_coded_anew_and_a_source_moved_to_another_case_are_told() {
    let (dir, review) = review();
    let codes = [(10, "Hope", None), (11, "Stigma", None)];
    let first = project(
        &codes,
        &[
            (30, "Smith 2019", "peers gave hope", &[(6, 15, 500, 10)]),
            (31, "Jones 2020", "stigma", &[(0, 6, 501, 11)]),
        ],
        &[(20, "Smith 2019", &[30]), (21, "Jones 2020", &[31])],
    );
    imported(&review, dir.path(), "v1", &first);
    let second = project(
        &codes,
        &[
            (30, "Smith 2019", "peers gave hope", &[(6, 15, 500, 11)]),
            (31, "Jones 2020", "stigma", &[(0, 6, 501, 11)]),
        ],
        &[(20, "Smith 2019", &[30, 31]), (21, "Jones 2020", &[])],
    );
    let out = imported(&review, dir.path(), "v2", &second);
    assert!(out.stderr.contains("the passage of Smith2019 at characters 6-15 is now coded F2 in the project; extracts.csv keeps it coded F1 (and evidence.csv its link)"), "{}", out.stderr);
    assert!(out.stderr.contains("the source \"Jones 2020\" is now in \"Smith 2019\" (study Smith2019) in the project; papers.csv keeps paper Jones2020 a paper of study Jones2020"), "{}", out.stderr);
    // Told, not applied: no link is added for the recoded passage, and
    // every FES is what it was.
    assert!(!out.stderr.contains("evidence link"), "{}", out.stderr);
    let fes: Vec<String> = rows(&review, "findings sort by id")
        .iter()
        .map(|f| format!("{} {}", f["id"], f["fes"]))
        .collect();
    assert_eq!(fes, ["F1 50.0", "F2 50.0"]);
}

#[test]
fn a_link_the_reviewers_removed_stays_removed_when_the_project_is_imported_again() {
    let (dir, review) = review();
    let xml = project(
        &[(10, "Hope", None)],
        &[
            (30, "Smith 2019", "peers gave hope", &[(6, 15, 500, 10)]),
            (31, "Jones 2020", "hope", &[(0, 4, 501, 10)]),
        ],
        &[],
    );
    imported(&review, dir.path(), "p", &xml);
    std::fs::write(review.join("evidence.csv"), "finding,study\nF1,Smith2019\n").unwrap();
    let again = imported(&review, dir.path(), "p", &xml);
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
    assert_eq!(rows(&review, "findings")[0]["fes"], "50.0");
}

#[test]
fn an_export_whose_guids_are_all_new_is_refused_in_a_folder_of_an_earlier_import() {
    // QualCoder makes new GUIDs on every export: the same project twice
    // would be every study and link twice, FES halved.
    let (dir, review) = review();
    let first = project(
        &[(10, "Hope", None)],
        &[(30, "Smith 2019", "hope", &[(0, 4, 500, 10)])],
        &[],
    );
    imported(&review, dir.path(), "v1", &first);
    let renewed = project(
        &[(11, "Hope", None)],
        &[(31, "Smith 2019", "hope", &[(0, 4, 501, 11)])],
        &[],
    );
    let path = dir.path().join("v2.qde");
    std::fs::write(&path, renewed).unwrap();
    let before = std::fs::read(review.join("evidence.csv")).unwrap();
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("an export whose GUIDs are all new"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(review.join("evidence.csv")).unwrap(), before);
}

#[test]
fn codes_fill_the_column_the_review_groups_by() {
    // A review grouped by `perspective`, as reviews were before the
    // grouping could be declared: no dataset.toml.
    let (dir, review) = review();
    std::fs::create_dir_all(&review).unwrap();
    std::fs::write(
        review.join("findings.csv"),
        "id,perspective,name\n1,workers,Typed by hand\n",
    )
    .unwrap();
    let xml = project(
        &[(10, "workers", None), (11, "Hope", Some(10))],
        &[(30, "Smith 2019", "hope", &[(0, 4, 500, 11)])],
        &[],
    );
    imported(&review, dir.path(), "p", &xml);
    let hope = rows(&review, "findings where name = Hope");
    assert_eq!(hope[0]["perspective"], "workers");
    // A new review: its dataset.toml declares the column the codes fill.
    let (dir, fresh) = super::review();
    imported(&fresh, dir.path(), "p", &xml);
    let meta = std::fs::read_to_string(fresh.join("dataset.toml")).unwrap();
    assert!(meta.contains("group_findings_by = \"theme\""), "{meta}");
}

#[test]
fn two_codes_of_one_name_are_never_pooled_into_a_finding_of_that_name() {
    let (dir, review) = review();
    std::fs::create_dir_all(&review).unwrap();
    std::fs::write(review.join("findings.csv"), "id,name\nF1,Other\n").unwrap();
    let xml = project(
        &[
            (10, "Hope", None),
            (11, "Other", Some(10)),
            (12, "Barriers", None),
            (13, "Other", Some(12)),
        ],
        &[
            (30, "Smith 2019", "one", &[(0, 3, 500, 11)]),
            (31, "Jones 2020", "two", &[(0, 3, 501, 13)]),
        ],
        &[],
    );
    imported(&review, dir.path(), "p", &xml);
    let others = rows(
        &review,
        "findings where name = Other sort by id show id, theme, n, fes",
    );
    let got: Vec<(&str, &str, &str)> = others
        .iter()
        .map(|f| (f["id"].as_str(), f["theme"].as_str(), f["fes"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("F1", "", "0.0"),
            ("F3", "Hope", "50.0"),
            ("F5", "Barriers", "50.0")
        ]
    );
    let again = imported(&review, dir.path(), "p", &xml);
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
}
