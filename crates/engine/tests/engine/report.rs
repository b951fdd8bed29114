//! The HTML report: one well-formed document (read here with an XML
//! parser) with every section, accessible tables and figures, Table 2's FES
//! as the paper printed them, and nothing that loads from elsewhere.

use std::collections::BTreeMap;

use metasum_engine::{Dataset, Session};

fn report(ds: Dataset) -> String {
    metasum_engine::report::report(&mut Session::new(ds)).unwrap()
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(html, options).expect("well-formed")
}

fn text(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn tag<'a>(doc: &'a roxmltree::Document, name: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .collect()
}

/// The sections of a review without extracts or CERQual tables, in order.
const SECTIONS: [&str; 7] = [
    "studies",
    "findings",
    "figures",
    "matrix",
    "profile",
    "references",
    "check",
];

fn section_ids<'a>(doc: &'a roxmltree::Document) -> Vec<&'a str> {
    (tag(doc, "section").iter())
        .filter_map(|s| s.attribute("id"))
        .collect()
}

#[test]
fn the_seed_report_has_every_section_table_and_figure() {
    let html = report(Dataset::seed().unwrap());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    let doc = parse(&html);
    assert_eq!(section_ids(&doc), SECTIONS);
    // Table 1, a Table 2 per perspective (five in the seed), the matrix,
    // the profile: each with a caption and column headers.
    let tables = tag(&doc, "table");
    assert_eq!(tables.len(), 1 + 5 + 1 + 1);
    for t in &tables {
        let caption = t
            .children()
            .find(|c| c.has_tag_name("caption"))
            .expect("a caption");
        assert!(!text(caption).is_empty());
        let heads: Vec<_> = t.descendants().filter(|n| n.has_tag_name("th")).collect();
        assert!(!heads.is_empty());
        assert!(heads.iter().all(|h| h.attribute("scope") == Some("col")));
    }
    // 25 studies in Table 1; 24 findings across Table 2.
    let body_rows = |t: &roxmltree::Node| {
        t.descendants()
            .filter(|n| n.has_tag_name("tbody"))
            .flat_map(|b| b.children().filter(|r| r.has_tag_name("tr")))
            .count()
    };
    assert_eq!(body_rows(&tables[0]), 25);
    assert_eq!(tables[1..6].iter().map(body_rows).sum::<usize>(), 24);
    // The included papers as the review cites them: 27, each with its study.
    let references: Vec<String> = (tag(&doc, "li").into_iter())
        .filter(|li| li.parent().and_then(|p| p.attribute("class")) == Some("references"))
        .map(text)
        .collect();
    assert_eq!(references.len(), 27);
    assert!(
        references.contains(&"Pudlinski (2001) (study 18)".to_string()),
        "{references:?}"
    );
    // Headers in words.
    let heads: Vec<String> = tag(&doc, "th").into_iter().map(text).collect();
    assert!(
        heads.contains(&"FES without concerns".to_string()),
        "{heads:?}"
    );
    // Figures: FES, matrix, sensitivity (the seed declares `low` a
    // concern), flow; each an image named by its caption.
    let figures = tag(&doc, "figure");
    assert_eq!(figures.len(), 4);
    for f in &figures {
        let svg = f
            .descendants()
            .find(|n| n.tag_name().name() == "svg")
            .unwrap();
        assert_eq!(svg.attribute("role"), Some("img"));
        let caption = svg.attribute("aria-labelledby").unwrap();
        let named = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(caption))
            .unwrap();
        assert!(named.has_tag_name("figcaption"));
    }
    assert!(
        text(doc.root_element()).contains("the counts add up"),
        "the check report"
    );
}

#[test]
fn table_2_gives_the_fes_the_paper_printed() {
    // The paper's Table 2 (findings.csv `reported_fes`), against the FES
    // the report computes from the evidence, rounded as the paper rounds.
    let printed: BTreeMap<String, f64> = csv::Reader::from_reader(
        &include_bytes!("../../../../datasets/peer-support/findings.csv")[..],
    )
    .records()
    .map(|r| {
        let r = r.unwrap();
        (r[0].to_string(), r[3].parse().unwrap())
    })
    .collect();
    let html = report(Dataset::seed().unwrap());
    let doc = parse(&html);
    let section = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("findings"))
        .unwrap();
    let mut seen = 0;
    for row in section.descendants().filter(|n| n.has_tag_name("tr")) {
        let cells: Vec<String> = row
            .children()
            .filter(|c| c.has_tag_name("td"))
            .map(text)
            .collect();
        if cells.is_empty() {
            continue;
        }
        // id, name, n, fes, studies
        let fes: f64 = cells[3].parse().unwrap();
        assert_eq!(fes.round(), printed[&cells[0]], "finding {}", cells[0]);
        seen += 1;
    }
    assert_eq!(seen, 24);
}

#[test]
fn the_report_loads_nothing_from_anywhere_else() {
    let html = report(Dataset::seed().unwrap());
    let doc = parse(&html);
    let ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(node.attribute("src").is_none(), "{node:?}");
        assert!(
            !node.has_tag_name("link") && !node.has_tag_name("iframe"),
            "{node:?}"
        );
        if let Some(href) = node.attribute("href") {
            let target = href.strip_prefix('#').expect("only links within the page");
            assert!(ids.contains(&target), "{href} leads nowhere");
        }
    }
    for style in tag(&doc, "style") {
        let css = text(style);
        assert!(!css.contains("url(") && !css.contains("@import"), "{css}");
    }
}

#[test]
fn text_from_the_data_is_text_in_the_page() {
    let files: BTreeMap<String, Vec<u8>> = [
        (
            "studies.csv",
            "id,author,year\n1,\"<script>alert(1)</script>\",2001\n2,B & C,2002\n",
        ),
        (
            "findings.csv",
            "id,perspective,name\n1,worker,\"</table><img src=x onerror=alert(1)>\"\n",
        ),
        ("evidence.csv", "finding,study\n1,1\n"),
    ]
    .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
    .into();
    let html = report(Dataset::from_files(&files, "hostile").unwrap());
    let doc = parse(&html);
    assert_eq!(tag(&doc, "script").len(), 1, "only the page's own script");
    assert!(tag(&doc, "img").is_empty());
    assert!(text(doc.root_element()).contains("<script>alert(1)</script>"));
    // No quality concern declared, no search: no sensitivity, no flow.
    assert_eq!(tag(&doc, "figure").len(), 2);
}

#[test]
fn the_cerqual_tables_are_in_the_report_when_the_dataset_has_them() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/cerqual-example");
    let html = report(Dataset::load(&path).unwrap());
    let doc = parse(&html);
    let sections: Vec<&str> = tag(&doc, "section")
        .iter()
        .filter_map(|s| s.attribute("id"))
        .collect();
    assert_eq!(
        sections,
        [
            "studies",
            "findings",
            "figures",
            "matrix",
            "profile",
            "cerqual",
            "references",
            "check"
        ]
    );
    let captions: Vec<String> = tag(&doc, "caption").into_iter().map(text).collect();
    assert!(
        captions
            .iter()
            .any(|c| c.contains("Summary of Qualitative Findings")),
        "{captions:?}"
    );
    assert!(
        captions.iter().any(|c| c.contains("Evidence Profile")),
        "{captions:?}"
    );
    assert!(
        text(doc.root_element()).contains("confidence high while adequacy has serious concerns")
    );
}

/// An evidence map: 1,100 studies (S0001..., every tenth of low quality,
/// two papers each), 250 findings (T1..., odd ones answering Q1, even
/// ones Q2); finding Tf is in the first 1100 - 3f studies, so the
/// findings most studies support are T1 to T200 and the studies that
/// support the most findings S0001 to S1000 (ties by id).
fn evidence_map() -> Dataset {
    let studies: String = (1..=1100)
        .map(|s| {
            let quality = if s % 10 == 0 { "low" } else { "adequate" };
            format!("S{s:04},Author {s},{},{quality}\n", 1990 + s % 30)
        })
        .collect();
    let papers: String = (1..=1100)
        .flat_map(|s| ["a", "b"].map(|p| format!("P{s}{p},S{s:04},Paper {s}{p}\n")))
        .collect();
    let findings: String = (1..=250)
        .map(|f| format!("T{f},Q{},Finding {f}\n", 2 - f % 2))
        .collect();
    let mut evidence = String::from("finding,study\n");
    for f in 1..=250 {
        for s in 1..=1100 - 3 * f {
            evidence.push_str(&format!("T{f},S{s:04}\n"));
        }
    }
    let files: BTreeMap<String, Vec<u8>> = [
        ("studies.csv", format!("id,author,year,quality\n{studies}")),
        ("papers.csv", format!("id,study,citation\n{papers}")),
        ("findings.csv", format!("id,review question,name\n{findings}")),
        ("evidence.csv", evidence),
        (
            "dataset.toml",
            "group_findings_by = \"review question\"\nquality_concerns = [\"low\"]\n[quality]\nadequate = \"\"\nlow = \"\"\n".to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_bytes()))
    .collect();
    Dataset::from_files(&files, "evidence-map").unwrap()
}

/// A review larger than a page can show is shown by its largest parts,
/// each cut said in a note with the statement that gives it whole; the
/// matrix (275,000 cells) is left out, table and figure.
#[test]
fn a_large_review_is_shown_by_its_largest_parts_each_cut_said() {
    let html = report(evidence_map());
    let doc = parse(&html);
    assert_eq!(section_ids(&doc), SECTIONS);
    let rows = |t: &roxmltree::Node| -> Vec<String> {
        (t.descendants().filter(|n| n.has_tag_name("tbody")))
            .flat_map(|b| b.children().filter(|r| r.has_tag_name("tr")))
            .map(|r| text(r.children().find(|c| c.is_element()).unwrap()))
            .collect()
    };
    let tables = tag(&doc, "table");
    let classes: Vec<&str> = tables.iter().filter_map(|t| t.attribute("class")).collect();
    assert!(!classes.iter().any(|c| c.contains("matrix")), "{classes:?}");
    // Table 1, Table 2 (Q1 and Q2), the profile.
    assert_eq!(tables.len(), 4);
    let ids = |of: &[usize], prefix: &str, n: usize| {
        let mut ids: Vec<String> = (1..=n).map(|i| format!("{prefix}{i}")).collect();
        if prefix == "S" {
            ids = (1..=n).map(|i| format!("S{i:04}")).collect();
        }
        let mut shown: Vec<String> = of.iter().flat_map(|k| rows(&tables[*k])).collect();
        shown.sort();
        ids.sort();
        assert_eq!(shown, ids, "tables {of:?}");
    };
    ids(&[0], "S", 1000);
    ids(&[1, 2], "T", 200);
    ids(&[3], "T", 200);
    // Each question's table holds its findings, the largest first.
    let q1 = rows(&tables[1]);
    assert_eq!(q1.len(), 100);
    assert_eq!(q1[..3], ["T1", "T3", "T5"]);
    // Table 2 without the study lists: 159,700 links.
    let heads: Vec<String> = (tables[1].descendants().filter(|n| n.has_tag_name("th")))
        .map(text)
        .collect();
    assert!(!heads.iter().any(|h| h == "studies"), "{heads:?}");
    let notes: Vec<String> = (tag(&doc, "p").into_iter())
        .filter(|p| p.attribute("class") == Some("note"))
        .map(text)
        .collect();
    for said in [
        "This review has 1100 studies: the page shows the 1000 that support the most findings. All of them: studies save \"studies.csv\".",
        "This review has 250 findings: the page shows the 200 that the most studies support. All of them: findings save \"findings.csv\".",
        "The table leaves out which studies support each finding: 159700 evidence links in all.",
        "The matrix of this review (250 findings by 1100 studies: 275000 cells) is more than a page can show (at most 50000 cells).",
        "This review has 250 findings: the page shows the 200 findings that the most studies support. All of them: profile save \"profile.csv\".",
        "This review has 2200 papers: the page shows the 2000 first by citation. All of them: papers save \"papers.csv\".",
    ] {
        assert!(
            notes.iter().any(|n| n.starts_with(said)),
            "{said}\n{notes:#?}"
        );
    }
    // The FES and sensitivity figures (of the 200), no matrix figure.
    let figures: Vec<&str> = (tag(&doc, "figure").iter())
        .filter_map(|f| f.attribute("id"))
        .collect();
    assert_eq!(figures, ["figure-fes", "figure-sensitivity"]);
    assert!(html.contains("findings sort by n desc, id asc limit 200 (n = 1100 studies)"));
    // 2,200 papers: the first 2,000 by citation in the reference list.
    let references: Vec<String> = (tag(&doc, "li").into_iter())
        .filter(|li| li.parent().and_then(|p| p.attribute("class")) == Some("references"))
        .map(text)
        .collect();
    assert_eq!(references.len(), 2000);
    assert_eq!(references[0], "Paper 1000a (study S1000)");
}

/// A figure too large to read is refused, saying what to draw instead.
#[test]
fn a_figure_too_large_to_read_is_refused() {
    let mut session = Session::new(evidence_map());
    let err = session
        .execute_text("plot matrix", "test")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`plot matrix` would draw 250 findings by 1100 studies (275000 cells), more than a figure can show readably (50000)"),
        "{err}"
    );
    // A part can be drawn: 20 findings by 1,100 studies.
    let part = "plot matrix findings sort by n desc limit 20";
    assert!(session.execute_text(part, "test").is_ok());
    let many: String = (1..=1001).map(|f| format!("{f},Finding {f}\n")).collect();
    let files: BTreeMap<String, Vec<u8>> = [
        ("studies.csv", "id,author,year\n1,A,2001\n".to_string()),
        (
            "papers.csv",
            "id,study,citation\n1,1,A (2001)\n".to_string(),
        ),
        ("findings.csv", format!("id,name\n{many}")),
        ("evidence.csv", "finding,study\n1,1\n".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_bytes()))
    .collect();
    let mut session = Session::new(Dataset::from_files(&files, "many").unwrap());
    for figure in ["fes", "sensitivity"] {
        let err = (session.execute_text(&format!("plot {figure}"), "test"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("`plot {figure}` would draw 1001 findings, more than a figure can show readably (1000)")),
            "{err}"
        );
    }
    assert!(
        session
            .execute_text("plot fes findings limit 1000", "test")
            .is_ok()
    );
}
