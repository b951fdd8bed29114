//! The shapes NVivo, MAXQDA, ATLAS.ti and QualCoder write, which differ
//! from the schema and from each other (tests/data/qda/*/README.md says
//! where each shape comes from; make_fixtures.py writes them): each
//! fixture zipped as its program zips it, imported, and its figures,
//! quotes and coders' links compared with what its XML says.

use super::*;

/// The fixture `name` zipped as a `.qdpx` in `dir`, and what its XML
/// says (`\r\n` counted as one character when `crlf_one`).
fn fixture(dir: &Path, name: &str, crlf_one: bool) -> (PathBuf, reader::Expected) {
    let files = folder_files(&root().join("tests/data/qda").join(name));
    let (_, xml) = (files.iter()).find(|(n, _)| n.ends_with(".qde")).unwrap();
    let xml = String::from_utf8(xml.clone()).unwrap();
    let texts = |internal: &str| {
        (files.iter())
            .find(|(n, _)| n.to_lowercase() == format!("sources/{}", internal.to_lowercase()))
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
    };
    let want = reader::expected(&xml, &texts, crlf_one);
    let path = dir.join(format!("{name}.qdpx"));
    qdpx(&path, &files);
    (path, want)
}

/// Imports fixture `name`; the folder and the run.
fn imported(name: &str, crlf_one: bool) -> (tempfile::TempDir, PathBuf, Run, reader::Expected) {
    let (dir, review) = review();
    let (path, want) = fixture(dir.path(), name, crlf_one);
    let out = import(&review, &path, &[]);
    assert_eq!(out.code, Some(0), "{name}: {out:?}");
    agrees(&review, &want);
    (dir, review, out, want)
}

#[test]
fn nvivo_cases_are_studies_its_line_ends_count_two_and_two_coders_agree() {
    let (_dir, review, out, want) = imported("nvivo", false);
    // Each case's own code says which source it holds; it is no finding.
    assert_eq!(want.studies, 2);
    let names: Vec<String> = rows(&review, "findings sort by id")
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert!(!names.iter().any(|n| n == "Smith 2019"), "{names:?}");
    // Two codes named "Other" under two parents: two findings.
    assert_eq!(
        names.iter().filter(|n| *n == "Other").count(),
        2,
        "{names:?}"
    );
    let quotes = rows(
        &review,
        "extracts where quote = \"Hope came back slowly – très lentement.\"",
    );
    assert_eq!(quotes.len(), 1);
    assert_eq!(quotes[0]["coder"], "Mary O'Neill");
    assert!(
        out.stderr.contains("coded by Kofi Mensah, Mary O'Neill"),
        "{}",
        out.stderr
    );
    let agreement = rows(&review, "agreement where finding = all");
    assert_eq!(agreement.len(), 1);
}

#[test]
fn maxqda_parent_codes_with_their_own_codings_and_memos_are_read() {
    let (_dir, review, out, _) = imported("maxqda", false);
    let parent = rows(&review, "findings where name = Verbundenheit");
    assert_eq!(
        parent[0]["description"],
        "Connection with peers (parent code with its own codings)"
    );
    assert_eq!(parent[0]["n"], "1");
    // A memo (a selection with no coding) is no extract; one coder, no
    // coding.csv.
    assert_eq!(rows(&review, "extracts").len(), 4);
    assert!(!review.join("coding.csv").exists());
    // A nameless case of one source: the study is named by its source.
    let studies = rows(&review, "studies sort by id");
    assert!(
        studies
            .iter()
            .any(|s| s["author"] == "Müller" && s["year"] == "2018"),
        "{studies:?}"
    );
    assert!(out.stderr.contains("a study per case"), "{}", out.stderr);
}

#[test]
fn atlas_ti_flat_code_groups_its_line_ends_and_pdf_selections_are_read() {
    let (_dir, review, out, _) = imported("atlasti", true);
    let stigma = rows(&review, "findings where name = Stigma");
    assert_eq!(stigma[0]["theme"], "Barriers");
    assert_eq!(stigma[0]["n"], "2");
    // The page selection is quoted from the PDF's text, its page kept.
    let pdf = rows(&review, "extracts where quote = \"reduced stigma\"");
    assert_eq!(pdf[0]["place"], "page index 0");
    // Sets (document groups, variables) are not studies.
    assert_eq!(rows(&review, "studies").len(), 2);
    assert!(
        out.stderr
            .contains("a line end \\r\\n counted as one character"),
        "{}",
        out.stderr
    );
}

#[test]
fn qualcoder_byte_order_marks_crlf_and_unnamed_coders_are_read() {
    let (_dir, review, out, _) = imported("qualcoder", true);
    let korean = rows(
        &review,
        "extracts where quote = \"Talking with someone who had been through it — 그것이 도움이 됐어요.\"",
    );
    assert_eq!(korean.len(), 1, "{}", out.stderr);
    // A coding without a coder is evidence, not a coder's own link.
    assert!(
        out.stderr.contains("1 codings name no coder"),
        "{}",
        out.stderr
    );
    assert_eq!(rows(&review, "studies").len(), 1);
}

#[test]
fn codebooks_alone_start_a_review_from_its_codes() {
    let (dir, review) = review();
    // Taguette's export: a flat list, UPPER-case GUIDs, an empty <Sets/>.
    let taguette = dir.path().join("taguette.qdc");
    std::fs::write(&taguette, "<?xml version='1.0' encoding='utf-8'?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"Taguette 1.4.1\"><Codes><Code guid=\"0D5F0A63-5C5E-5B5B-8B8B-000000000001\" name=\"hope\" isCodable=\"true\"/><Code guid=\"0D5F0A63-5C5E-5B5B-8B8B-000000000002\" name=\"stigma\" isCodable=\"true\"/></Codes><Sets/></CodeBook>").unwrap();
    let out = import(&review, &taguette, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr.contains("added 2 findings: F1, F2"),
        "{}",
        out.stderr
    );
    // A nested codebook (NVivo's, ATLAS.ti's): grouped by its parents.
    let nested = dir.path().join("nested.qdc");
    std::fs::write(&nested, "<?xml version='1.0' encoding='utf-8'?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"NVivo 14\"><Codes><Code guid=\"{5215cc69-b628-4e02-afb9-9beeaee55808}\" name=\"Barriers\" isCodable=\"false\"><Code guid=\"5215cc69-b628-4e02-afb9-9beeaee55809\" name=\"Cost\" isCodable=\"true\"><Description>Money</Description></Code></Code></Codes></CodeBook>").unwrap();
    let (_dir2, fresh) = super::review();
    let out = import(&fresh, &nested, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    // The studies come from the references; then the review answers.
    let refs = root().join("tests/data/import/zotero.ris");
    let out = run(metasum().arg("--data").arg(&fresh).arg("import").arg(&refs));
    assert_eq!(out.code, Some(0), "{out:?}");
    let cost = rows(&fresh, "findings");
    assert_eq!(cost[0]["n"], "0");
    assert_eq!(
        (
            cost[0]["theme"].as_str(),
            cost[0]["name"].as_str(),
            cost[0]["description"].as_str()
        ),
        ("Barriers", "Cost", "Money")
    );
    // The codebook again: nothing new.
    let again = import(&fresh, &nested, &[]);
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
    // The project coded with the codebook's codes: the same finding, now
    // with its evidence (a source named after a paper's key is that paper).
    let key = rows(&fresh, "papers")[0]["id"].clone();
    let project = dir.path().join("coded.qde");
    std::fs::write(&project, format!("<?xml version='1.0' encoding='utf-8'?>\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"p\"><CodeBook><Codes><Code guid=\"5215cc69-b628-4e02-afb9-9beeaee55808\" name=\"Barriers\" isCodable=\"false\"><Code guid=\"5215cc69-b628-4e02-afb9-9beeaee55809\" name=\"Cost\" isCodable=\"true\"/></Code></Codes></CodeBook><Sources><TextSource guid=\"00000000-0000-4000-8000-000000000030\" name=\"{key}.pdf\"><PlainTextContent>too costly</PlainTextContent><PlainTextSelection guid=\"00000000-0000-4000-8000-000000000031\" startPosition=\"0\" endPosition=\"10\"><Coding guid=\"00000000-0000-4000-8000-000000000032\"><CodeRef targetGUID=\"5215cc69-b628-4e02-afb9-9beeaee55809\"/></Coding></PlainTextSelection></TextSource></Sources></Project>")).unwrap();
    let coded = import(&fresh, &project, &[]);
    assert_eq!(coded.code, Some(0), "{coded:?}");
    assert!(!coded.stderr.contains("finding"), "{}", coded.stderr);
    let cost = rows(&fresh, "findings");
    assert_eq!((cost.len(), cost[0]["n"].as_str()), (1, "1"));
}
