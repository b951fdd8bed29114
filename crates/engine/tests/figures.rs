//! The seed figures: valid SVG, one bar per finding with lengths in
//! proportion to FES, one filled matrix cell per evidence link, a box per
//! search stage; and the copies in docs/figures are current.

use metasum_engine::{Dataset, Outcome, Session};

fn draw(src: &str) -> String {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(Dataset::seed().unwrap());
    match session.execute(&script.statements[0]).unwrap() {
        Outcome::Figure(svg) => svg,
        other => panic!("not a figure: {other:?}"),
    }
}

fn elements<'a>(
    doc: &'a roxmltree::Document,
    tag: &str,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
        .collect()
}

#[test]
fn fes_chart_has_one_bar_per_finding_in_proportion_to_fes() {
    let svg = draw("plot fes");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = elements(&doc, "rect", "bar");
    assert_eq!(bars.len(), 24);
    let width = |n: &roxmltree::Node| n.attribute("width").unwrap().parse::<f64>().unwrap();
    // Table 2 order: finding 1 (44%), ..., finding 22 (8%).
    let fes = [
        44.0, 36.0, 32.0, 32.0, 32.0, 28.0, 28.0, 24.0, 16.0, 16.0, 16.0, 36.0, 16.0, 44.0, 40.0,
        20.0, 12.0, 28.0, 20.0, 20.0, 16.0, 8.0, 44.0, 24.0,
    ];
    for (bar, f) in bars.iter().zip(fes) {
        let ratio = width(bar) / width(&bars[0]);
        assert!((ratio - f / 44.0).abs() < 0.001, "{ratio} vs {}", f / 44.0);
    }
    // A shortened name keeps the full name in a tooltip.
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        titles.contains(&"Difficulty negotiating boundary between friend and service provider")
    );
}

#[test]
fn matrix_chart_fills_one_cell_per_evidence_link() {
    let svg = draw("plot matrix");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(elements(&doc, "rect", "cell on").len(), 158);
    assert_eq!(elements(&doc, "rect", "cell").len(), 24 * 25 - 158);
    assert_eq!(elements(&doc, "rect", "legend").len(), 5);
}

#[test]
fn matrix_chart_among_a_study_set_has_its_columns() {
    let svg = draw("plot matrix findings among (studies where country = UK) where n > 0");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let on = elements(&doc, "rect", "cell on").len();
    let off = elements(&doc, "rect", "cell").len();
    assert_eq!(on + off, 14 * 3);
    assert_eq!(on, 9 + 3 + 5);
}

#[test]
fn flow_chart_has_a_box_per_stage() {
    let svg = draw("plot flow");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    for n in ["n = 2890", "n = 2", "n = 17", "n = 10", "n = 27", "n = 25"] {
        assert!(texts.contains(&n), "{n} missing");
    }
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("line") && n.attribute("marker-end").is_some())
            .count(),
        5
    );
}

#[test]
fn figures_in_docs_are_current() {
    for (name, src) in [
        ("fes", "plot fes"),
        ("matrix", "plot matrix"),
        ("flow", "plot flow"),
    ] {
        let path = format!(
            "{}/../../docs/figures/{name}.svg",
            env!("CARGO_MANIFEST_DIR")
        );
        let committed = std::fs::read_to_string(&path).unwrap();
        assert!(
            committed == draw(src),
            "{path} is out of date: run `just figures`"
        );
    }
}
