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
    // Every name is drawn in full (on as many lines as it needs), never cut.
    let drawn: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(drawn.iter().all(|t| !t.contains('…')), "{drawn:?}");
    let drawn = drawn.join(" ");
    for name in [
        "Difficulty negotiating boundary between friend and service provider",
        "Increased wellness (hope & motivation, more friends, and better illness management skills)",
    ] {
        assert!(drawn.contains(name), "{name} not in {drawn}");
    }
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
    let arrows: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("marker-end").is_some())
        .map(|n| {
            (
                n.attribute("x2").unwrap().into(),
                n.attribute("y2").unwrap().into(),
            )
        })
        .collect();
    assert_eq!(arrows.len(), 5);
    // Two arrowheads never meet in one point (two stages feed "eligible",
    // two feed "papers included").
    let mut ends = arrows.clone();
    ends.sort();
    ends.dedup();
    assert_eq!(ends.len(), arrows.len(), "{arrows:?}");
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

/// Every text of `svg`, laid out with the font pictures are drawn with,
/// lies on the canvas and over no other text; `inside` boxes (the flow
/// chart's), when given, each text lies in one of them.
fn assert_readable(name: &str, svg: &str) {
    let ((width, height), boxes) = metasum_engine::raster::text_boxes(svg).unwrap();
    assert!(!boxes.is_empty(), "{name}: no text");
    for b in &boxes {
        let [l, t, r, bt] = b.bounds;
        assert!(
            l >= 0.0 && t >= 0.0 && r <= width && bt <= height,
            "{name}: {:?} runs off the {width} x {height} canvas at {:?}",
            b.text,
            b.bounds
        );
        assert!(!b.text.contains('…'), "{name}: {:?} is cut", b.text);
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let [al, at, ar, ab] = a.bounds;
            let [bl, bt, br, bb] = b.bounds;
            // Line boxes may touch; half a pixel is rounding.
            let overlap = (ar.min(br) - al.max(bl)).max(0.0) * (ab.min(bb) - at.max(bt)).max(0.0);
            assert!(
                overlap < 0.5,
                "{name}: {:?} {:?} overlaps {:?} {:?}",
                a.text,
                a.bounds,
                b.text,
                b.bounds
            );
        }
    }
    // The flow chart: each text in its box (the title above them all).
    let doc = roxmltree::Document::parse(svg).unwrap();
    let frames: Vec<[f32; 4]> = elements(&doc, "rect", "box")
        .iter()
        .map(|r| {
            let n = |a: &str| r.attribute(a).unwrap().parse::<f32>().unwrap();
            [n("x"), n("y"), n("x") + n("width"), n("y") + n("height")]
        })
        .collect();
    if !frames.is_empty() {
        for b in boxes.iter().skip(1) {
            let [l, t, r, bt] = b.bounds;
            assert!(
                frames
                    .iter()
                    .any(|[fl, ft, fr, fb]| l >= *fl && t >= *ft && r <= *fr && bt <= *fb),
                "{name}: {:?} {:?} is not inside a box",
                b.text,
                b.bounds
            );
        }
    }
}

#[test]
fn every_seed_figure_is_readable_laid_out_with_a_real_text_engine() {
    for src in ["plot fes", "plot matrix", "plot flow"] {
        assert_readable(src, &draw(src));
    }
}

#[test]
fn long_names_wrap_in_full_without_running_over_anything() {
    let long = "A finding whose name runs on and on, as reviewers' abstracted findings \
                often do, with a Pneumonoultramicroscopicsilicovolcanoconiosis-length word \
                and more words after it to fill a third line";
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        (
            "studies.csv",
            "id,author,year\n1,Ames,2001\n2,An author with a very long name indeed and co-authors,2002\n",
        ),
        ("findings.csv", &*format!("id,perspective,name\n1,worker,\"{long}\"\n2,worker,Short\n")),
        ("evidence.csv", "finding,study\n1,1\n2,2\n"),
        (
            "search.csv",
            &*format!("stage,count,parent,label\nfound,10,,\"{long}\"\nincluded,2,found,Included\n"),
        ),
    ]
    .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
    .into();
    let mut session = Session::new(Dataset::from_files(&files, "long").unwrap());
    for src in ["plot fes", "plot matrix", "plot flow"] {
        let script = metasum_query::parse(src).unwrap();
        let Outcome::Figure(svg) = session.execute(&script.statements[0]).unwrap() else {
            panic!("{src} drew no figure")
        };
        assert_readable(src, &svg);
        // Every word of the name is on the figure.
        let ((_, _), boxes) = metasum_engine::raster::text_boxes(&svg).unwrap();
        let shown: String = boxes
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(shown.contains("runs on and on"), "{src}: {shown}");
        assert!(shown.contains("to fill a third line"), "{src}: {shown}");
    }
}

#[test]
fn a_figure_says_what_it_shows_the_query_and_n() {
    let src =
        "plot fes findings among (studies where quality = adequate) where perspective = recipient";
    let svg = draw(src);
    assert_readable(src, &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let drawn: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    // The 22 studies not of low quality (Table 1: 3, 7 and 9 are low).
    let subtitle = "findings among (studies where quality = adequate) where perspective = recipient (n = 22 studies)";
    assert!(drawn.contains(&subtitle), "{drawn:?}");
    assert!(drawn.contains(&"FES: percent of the studies that contain the finding"));
    let all = draw("plot matrix");
    assert!(all.contains(">All findings (n = 25 studies)<"), "{all}");
    // One study is one study.
    let tips: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(tips.iter().all(|t| !t.contains("(1 studies)")), "{tips:?}");
}
