//! A project written here to the published REFI-QDA schema (Project.xsd
//! 1.0, tests/data/qda/Project.xsd) and validated with xmllint before it
//! is imported: cases (two papers of one study), a set, nested codes under
//! parents that are not codable, a code that codes nothing, text
//! selections in files and inline, a PDF's text and page selections, a
//! whole-source coding, two coders, and text with accents, emoji and CJK
//! characters. Then: imported again (nothing added), updated and imported
//! again (what is new added, what changed and vanished told), `diff` of the
//! two versions, and the extracts in the shell and the worksheet.

use std::path::Path;

use super::*;

/// GUID number `n`, as the schema's pattern has it.
fn guid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// Positions (code points, from 0, end excluded) of `part` in `text`.
fn span(text: &str, part: &str) -> (usize, usize) {
    let at = text
        .find(part)
        .unwrap_or_else(|| panic!("{part} not in {text}"));
    let start = text[..at].chars().count();
    (start, start + part.chars().count())
}

/// A `<PlainTextSelection>` of `part` of `text` coded with `code` by `user`.
fn selection(id: u32, text: &str, part: &str, code: u32, user: u32) -> String {
    let (start, end) = span(text, part);
    format!(
        r#"<PlainTextSelection guid="{}" startPosition="{start}" endPosition="{end}" creatingUser="{}"><Coding guid="{}" creatingUser="{}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>"#,
        guid(id),
        guid(user),
        guid(id + 1000),
        guid(user),
        guid(code)
    )
}

const ANA: u32 = 1;
const BAO: u32 = 2;
const HOPE: u32 = 10;
const UNDERSTOOD: u32 = 11;
const MODELS: u32 = 12;
const BARRIERS: u32 = 13;
const STIGMA: u32 = 14;
const SELF_STIGMA: u32 = 15;
const UNUSED: u32 = 16;

/// The interview paper's text (a file of the archive).
const S1: &str = "Participant 3: «Café 😀 — I felt understood by people who had been there.» 参与者说：同伴给了我希望。 End.";
/// The follow-up paper's text (inline).
const S2: &str = "Stigma at work stayed. 😀 Peers modelled recovery.";
/// Okafor's text (a file).
const S3: &str = "Ich schämte mich. Naïve hope returned through peers.";
/// The PDF's text representation (a file).
const S4: &str = "同伴支持减少了病耻感。Peers reduced stigma.";

/// The project's XML and the archive's other files; `updated` renames a
/// code, drops one, adds one and codes one more passage.
pub fn project(updated: bool) -> (String, Vec<(String, Vec<u8>)>) {
    let txt = |n: u32| format!("{}.txt", guid(n).to_uppercase());
    let codes = if updated {
        format!(
            r#"<Code guid="{}" name="Role models and hope" isCodable="true"/><Code guid="{}" name="Belonging" isCodable="true"/>"#,
            guid(MODELS),
            guid(17)
        )
    } else {
        format!(
            r#"<Code guid="{}" name="Role models" isCodable="true"/>"#,
            guid(MODELS)
        )
    };
    let unused = match updated {
        true => String::new(),
        false => format!(
            r#"<Code guid="{}" name="Unused code" isCodable="true"/>"#,
            guid(UNUSED)
        ),
    };
    let more = match updated {
        true => selection(130, S3, "Ich schämte mich.", 17, BAO),
        false => String::new(),
    };
    let pdf = format!("{}.pdf", guid(53));
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Peer support — a test review" origin="metasum's test (schema 1.0)" creatingUserGUID="{ana}">
  <Users>
    <User guid="{ana}" name="Ana Souza"/>
    <User guid="{bao}" name="Bảo Nguyễn"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{hope}" name="Hope" isCodable="false">
        <Description>What gives people hope</Description>
        <Code guid="{understood}" name="Feeling understood" isCodable="true"><Description>Peers «get it»</Description></Code>
        {codes}
      </Code>
      <Code guid="{barriers}" name="Barriers" isCodable="false">
        <Code guid="{stigma}" name="Stigma" isCodable="true">
          <Code guid="{self_stigma}" name="Self-stigma" isCodable="true"/>
        </Code>
      </Code>
      {unused}
    </Codes>
  </CodeBook>
  <Cases>
    <Case guid="{c1}" name="Smith 2019"><SourceRef targetGUID="{s1}"/><SourceRef targetGUID="{s2}"/></Case>
    <Case guid="{c2}" name="Okafor 2021"><SourceRef targetGUID="{s3}"/></Case>
    <Case guid="{c3}" name="李 2020"><SourceRef targetGUID="{s4}"/></Case>
  </Cases>
  <Sources>
    <TextSource guid="{s1}" name="Smith 2019 — interviews.docx" plainTextPath="internal://{t1}">
      {sel1}{sel2}{sel3}
    </TextSource>
    <TextSource guid="{s2}" name="Smith 2020 follow-up">
      <PlainTextContent>{S2}</PlainTextContent>
      {sel4}{sel5}
    </TextSource>
    <TextSource guid="{s3}" name="Okafor 2021" plainTextPath="internal://{t3}">
      {sel6}{sel7}{sel8}{more}
    </TextSource>
    <PDFSource guid="{s4}" name="李 2020.pdf" path="internal://{pdf}">
      <PDFSelection guid="{p1}" name="图 2: peer groups" page="1" firstX="10" firstY="20" secondX="300" secondY="400">
        <Coding guid="{p1c}" creatingUser="{bao}"><CodeRef targetGUID="{models}"/></Coding>
      </PDFSelection>
      <Representation guid="{r4}" plainTextPath="internal://{t4}">
        {sel9}
      </Representation>
    </PDFSource>
    <TextSource guid="{s5}" name="Grey report 2018">
      <PlainTextContent>No peer themes here.</PlainTextContent>
      <Coding guid="{w5}" creatingUser="{ana}"><CodeRef targetGUID="{stigma}"/></Coding>
    </TextSource>
  </Sources>
  <Sets>
    <Set guid="{set}" name="Peer-led"><MemberSource targetGUID="{s1}"/><MemberSource targetGUID="{s3}"/></Set>
  </Sets>
</Project>
"#,
        ana = guid(ANA),
        bao = guid(BAO),
        hope = guid(HOPE),
        understood = guid(UNDERSTOOD),
        barriers = guid(BARRIERS),
        stigma = guid(STIGMA),
        self_stigma = guid(SELF_STIGMA),
        models = guid(MODELS),
        c1 = guid(20),
        c2 = guid(21),
        c3 = guid(22),
        s1 = guid(30),
        s2 = guid(31),
        s3 = guid(32),
        s4 = guid(33),
        s5 = guid(34),
        r4 = guid(35),
        set = guid(36),
        p1 = guid(40),
        p1c = guid(41),
        w5 = guid(42),
        t1 = txt(50),
        t3 = txt(51),
        t4 = txt(52),
        pdf = pdf,
        sel1 = selection(
            100,
            S1,
            "I felt understood by people who had been there.",
            UNDERSTOOD,
            ANA
        ),
        sel2 = selection(
            101,
            S1,
            "I felt understood by people who had been there.",
            UNDERSTOOD,
            BAO
        ),
        sel3 = selection(102, S1, "同伴给了我希望", MODELS, BAO),
        sel4 = selection(103, S2, "Stigma at work stayed.", STIGMA, ANA),
        sel5 = selection(104, S2, "Peers modelled recovery.", MODELS, ANA),
        sel6 = selection(105, S3, "Ich schämte mich.", SELF_STIGMA, ANA),
        sel7 = selection(106, S3, "Ich schämte mich.", SELF_STIGMA, BAO),
        sel8 = selection(107, S3, "hope returned through peers", UNDERSTOOD, BAO),
        sel9 = selection(108, S4, "Peers reduced stigma.", STIGMA, ANA),
    );
    let files = vec![
        (format!("sources/{}", txt(50)), S1.as_bytes().to_vec()),
        (format!("sources/{}", txt(51)), S3.as_bytes().to_vec()),
        (format!("sources/{}", txt(52)), S4.as_bytes().to_vec()),
        (
            format!("sources/{}.pdf", guid(53)),
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        ),
    ];
    (xml, files)
}

/// The project written to `dir` as `name.qdpx`, validated against the
/// schema first; its expected figures.
pub fn written(dir: &Path, name: &str, updated: bool) -> (PathBuf, reader::Expected) {
    let (xml, files) = project(updated);
    let qde = dir.join(format!("{name}.qde"));
    std::fs::write(&qde, &xml).unwrap();
    if let Some(xmllint) = tool("xmllint", "libxml2-utils") {
        let schema = root().join("tests/data/qda/Project.xsd");
        let out = std::process::Command::new(xmllint)
            .args(["--noout", "--schema"])
            .arg(&schema)
            .arg(&qde)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let texts = |name: &str| {
        (files.iter())
            .find(|(n, _)| n == &format!("sources/{name}"))
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
    };
    let want = reader::expected(&xml, &texts, false);
    let mut all = vec![("project.qde".to_string(), xml.into_bytes())];
    all.extend(files);
    let path = dir.join(format!("{name}.qdpx"));
    qdpx(&path, &all);
    (path, want)
}

#[test]
fn a_schema_valid_project_imports_and_its_figures_are_what_the_xml_says() {
    let (dir, review) = review();
    let (project, want) = written(dir.path(), "review", false);
    // What the XML says, read independently: 4 studies (Smith's two
    // papers one study; the grey report in no case its own).
    assert_eq!(want.studies, 4);
    let out = import(&review, &project, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    agrees(&review, &want);
    // The two papers of Smith 2019 are one study; the PDF's page passage
    // is quoted by its name, its text passage cut from its text.
    let studies = rows(&review, "studies");
    let smith: Vec<_> = studies.iter().filter(|s| s["author"] == "Smith").collect();
    assert_eq!(smith.len(), 1, "{studies:?}");
    assert_eq!(smith[0]["papers"], "2");
    // Groups are the parent codes; the code that codes nothing is listed.
    let findings = rows(&review, "findings where theme = Barriers sort by name");
    let names: Vec<&str> = findings.iter().map(|f| f["name"].as_str()).collect();
    assert_eq!(names, ["Stigma"]);
    // A code under a code: the one above is its group.
    assert_eq!(
        rows(&review, "findings where name = Self-stigma")[0]["theme"],
        "Stigma"
    );
    assert_eq!(
        rows(&review, "findings where name = \"Unused code\"")[0]["n"],
        "0"
    );
    // Non-ASCII quotes exactly as the text has them.
    let cjk = rows(&review, "extracts where quote = \"同伴给了我希望\"");
    assert_eq!(cjk.len(), 1);
    assert_eq!(cjk[0]["coder"], "Bảo Nguyễn");
    assert!(out.stderr.contains("a study per case"), "{}", out.stderr);
}

#[test]
fn importing_again_adds_nothing_and_an_updated_project_adds_only_what_is_new() {
    let (dir, review) = review();
    let (first, _) = written(dir.path(), "v1", false);
    assert_eq!(import(&review, &first, &[]).code, Some(0));
    let before = dir.path().join("before");
    copy(&review, &before);
    let again = import(&review, &first, &[]);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
    // An export keeps what a later import recognises.
    let exported = dir.path().join("exported");
    let out = run(metasum()
        .arg("--data")
        .arg(&review)
        .arg("export")
        .arg(&exported));
    assert_eq!(out.code, Some(0), "{out:?}");
    let into_export = import(&exported, &first, &[]);
    assert!(
        into_export.stderr.contains("nothing to add"),
        "{}",
        into_export.stderr
    );
    for file in [
        "studies.csv",
        "papers.csv",
        "findings.csv",
        "evidence.csv",
        "extracts.csv",
        "coding.csv",
    ] {
        assert_eq!(read(&before.join(file)), read(&review.join(file)), "{file}");
    }
    let (second, want) = written(dir.path(), "v2", true);
    let out = import(&review, &second, &[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stderr.contains("added 1 finding: "), "{}", out.stderr);
    assert!(out.stderr.contains("added 1 extract\n"), "{}", out.stderr);
    assert!(
        out.stderr.contains("the code is now named \"Role models and hope\" in the project; findings.csv keeps \"Role models\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("finding F5 (Unused code)"),
        "{}",
        out.stderr
    );
    // Nothing duplicated: one row per coding, the old finding kept.
    let extracts = rows(&review, "extracts");
    assert_eq!(extracts.len(), want.quotes.len(), "{extracts:?}");
    assert_eq!(rows(&review, "findings").len(), want.findings.len() + 1);
    // The living-review story: what `diff` of the two versions tells.
    let diff = run(metasum()
        .arg("diff")
        .arg(&before)
        .arg(&review)
        .args(["--format", "csv"]));
    assert_eq!(diff.code, Some(0), "{diff:?}");
    assert!(diff.stdout.contains("Belonging"), "{}", diff.stdout);
}

#[test]
fn extracts_answer_in_the_shell_and_support_the_finding_in_its_worksheet() {
    let (dir, review) = review();
    let (project, _) = written(dir.path(), "review", false);
    assert_eq!(import(&review, &project, &[]).code, Some(0));
    let f = &rows(&review, "findings where name = Stigma")[0]["id"].clone();
    let quotes = rows(
        &review,
        &format!("extracts where finding = {f} sort by quote"),
    );
    let text: Vec<&str> = quotes.iter().map(|q| q["quote"].as_str()).collect();
    // The whole source's coding quotes nothing (missing: sorted last).
    assert_eq!(
        text,
        ["Peers reduced stigma.", "Stigma at work stayed.", ""]
    );
    let places: Vec<&str> = quotes.iter().map(|q| q["place"].as_str()).collect();
    assert_eq!(places[2], "whole source");
    let sheet = run(metasum().arg("--data").arg(&review).arg("worksheet").arg(f));
    assert_eq!(sheet.code, Some(0), "{sheet:?}");
    assert!(
        sheet.stdout.contains("Stigma at work stayed."),
        "{}",
        sheet.stdout
    );
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

use crate::util::copy_files as copy;

#[test]
fn check_warns_of_a_quoted_finding_the_evidence_no_longer_links() {
    let (dir, review) = review();
    let (project, _) = written(dir.path(), "review", false);
    assert_eq!(import(&review, &project, &[]).code, Some(0));
    let clean = run(metasum().arg("--data").arg(&review).arg("check"));
    assert!(!clean.stdout.contains("Extracts:"), "{}", clean.stdout);
    // The reviewers reconcile a link away by hand: its quotes stay.
    let stigma = rows(&review, "findings where name = Self-stigma")[0]["id"].clone();
    let evidence = read(&review.join("evidence.csv"));
    let kept: Vec<&str> = evidence
        .lines()
        .filter(|l| !l.starts_with(&format!("{stigma},")))
        .collect();
    std::fs::write(review.join("evidence.csv"), kept.join("\n") + "\n").unwrap();
    let check = run(metasum().arg("--data").arg(&review).arg("check"));
    assert!(
        check.stdout.contains(&format!("warning: extracts.csv quotes finding {stigma} in study Okafor2021 (2 passages), which evidence.csv does not link")),
        "{}",
        check.stdout
    );
}
