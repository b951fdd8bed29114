//! The seed figures: valid SVG, one bar per finding with lengths in
//! proportion to FES, one filled matrix cell per evidence link, a box per
//! search stage; and the copies in docs/figures are current.

use std::collections::BTreeMap;

use metasum_engine::{Dataset, Outcome, Session};

mod sensitivity;

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
    for n in ["n = 2,890", "n = 2", "n = 17", "n = 10", "n = 27", "n = 25"] {
        assert!(texts.contains(&n), "{n} missing");
    }
    // PRISMA 2020: the 2,892 records of both sources lead to 17 eligible,
    // so 2,875 were excluded, in a box of its own beside the way in, the
    // sum shown. The 27 papers of 25 studies exclude nothing (the last
    // stage counts studies): no box for them.
    assert!(texts.contains(&"Records excluded"));
    assert!(texts.contains(&"n = 2,875 (2,892 − 17)"), "{texts:?}");
    assert_eq!(texts.iter().filter(|t| t.contains('−')).count(), 1);
    let boxes = elements(&doc, "rect", "box");
    assert_eq!(boxes.len(), 7);
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
    // One into each stage that has parents, one into the exclusion box.
    assert_eq!(arrows.len(), 4);
    // Two arrowheads never meet in one point.
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
        ("sensitivity", "plot sensitivity"),
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
    // The flow chart: each text in its box.
    let doc = roxmltree::Document::parse(svg).unwrap();
    let frames: Vec<[f32; 4]> = elements(&doc, "rect", "box")
        .iter()
        .map(|r| {
            let n = |a: &str| r.attribute(a).unwrap().parse::<f32>().unwrap();
            [n("x"), n("y"), n("x") + n("width"), n("y") + n("height")]
        })
        .collect();
    if !frames.is_empty() {
        // The texts between the first box's top and the last box's bottom;
        // the title and subtitle are above them, a caption below.
        let first = frames.iter().map(|f| f[1]).fold(f32::MAX, f32::min);
        let last = frames.iter().map(|f| f[3]).fold(0.0, f32::max);
        let between = boxes
            .iter()
            .filter(|b| b.bounds[3] > first && b.bounds[1] < last);
        for b in between {
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

/// The texts `svg` draws, in order (without their `<title>` tooltips).
fn drawn(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.children()
                .filter(|c| c.is_text())
                .map(|c| c.text().unwrap_or(""))
                .collect()
        })
        .collect()
}

#[test]
fn a_statement_sets_the_title_and_caption_wrapped_to_the_figure() {
    let title = "Peer support in mental health: what recipients, workers and organisations \
                 reported across the included studies, grouped by perspective, with the \
                 studies of low appraised quality included, as the review reported them";
    let caption = "Figure 2. Frequency effect size of each abstracted finding: the percent of \
                   the 25 included studies whose findings contain it. Studies reported in \
                   two papers count once. Bars are coloured by perspective.";
    for figure in ["fes", "matrix", "flow"] {
        let src = format!("plot {figure} title \"{title}\" caption \"{caption}\"");
        let svg = draw(&src);
        assert_readable(&src, &svg);
        let texts = drawn(&svg).join(" ");
        // Every word of both, in order; the figure's own title gone.
        assert!(texts.contains(title), "{figure}: {texts}");
        assert!(texts.contains(caption), "{figure}: {texts}");
        assert!(!texts.contains("Search and selection"), "{figure}");
        assert!(
            !texts.contains("Frequency effect size (FES) of each"),
            "{figure}"
        );
        // Both wrapped: more than one line each at these widths.
        let lines = drawn(&svg);
        assert!(
            !lines.iter().any(|l| l == title || l == caption),
            "{figure}: {lines:?}"
        );
        // The caption is the last text, under everything else.
        let ((_, height), boxes) = metasum_engine::raster::text_boxes(&svg).unwrap();
        let caption_top = boxes
            .iter()
            .find(|b| caption.starts_with(&b.text))
            .map(|b| b.bounds[1])
            .unwrap();
        let others = boxes.iter().filter(|b| !caption.contains(&b.text));
        assert!(
            others.into_iter().all(|b| b.bounds[3] <= caption_top),
            "{figure}"
        );
        assert!(caption_top < height);
    }
    // A title alone keeps the scope and n under it; the title may follow
    // the query in either order with the caption.
    let svg = draw("plot fes findings where perspective = worker caption \"C\" title \"T\"");
    let texts = drawn(&svg);
    assert_eq!(texts[0], "T");
    assert!(
        texts[1].starts_with("findings where perspective = worker (n = 25"),
        "{texts:?}"
    );
    assert_eq!(texts.last().unwrap(), "C");
}

/// A review not shaped like the seed: 60 studies keyed `Author2019` with
/// long labels, 30 findings coded `T1.2` with long names, four
/// perspectives, and a search with long stage labels.
fn sixty_studies() -> Dataset {
    let mut studies = String::from("id,author,year,label,quality\n");
    for k in 0..60 {
        let author = format!("Author{k}");
        let year = 1990 + k % 30;
        let label = format!("{author}, Second-Author, Third-Author and colleagues ({year})");
        let quality = [
            "no or very minor concerns",
            "minor concerns",
            "serious concerns",
        ][k % 3];
        studies += &format!("{author}{year},{author},{year},\"{label}\",{quality}\n");
    }
    let toml = "title = \"Sixty studies\"\n\
        quality_concerns = [\"serious concerns\"]\n\
        [quality]\n\
        \"no or very minor concerns\" = \"No or very minor concerns\"\n\
        \"minor concerns\" = \"Minor concerns\"\n\
        \"serious concerns\" = \"Serious concerns\"\n";
    let perspectives = ["recipient", "worker", "organisation", "family member"];
    let mut findings = String::from("id,perspective,name\n");
    let mut evidence = String::from("finding,study\n");
    for f in 0..30 {
        let name = format!(
            "Finding {f}: peer workers described how sharing lived experience of recovery \
             built trust, though boundaries with clients were hard to hold ({f})"
        );
        findings += &format!(
            "T{}.{},{},\"{name}\"\n",
            f / 10 + 1,
            f % 10,
            perspectives[f % 4]
        );
        for k in (0..60).filter(|k| (k * 7 + f * 3) % 5 < 2) {
            evidence += &format!("T{}.{},Author{k}{}\n", f / 10 + 1, f % 10, 1990 + k % 30);
        }
    }
    let search = "stage,count,parent,label\n\
        databases,4120,,\"Records identified through MEDLINE, Embase, CINAHL, PsycINFO, Web of Science, Scopus and ASSIA, searched from inception to March 2024\"\n\
        registers,37,,\"Records identified through trial registers and grey literature (OpenGrey, EThOS, ProQuest dissertations)\"\n\
        screened,2990,databases;registers,\"Records screened by title and abstract after duplicates were removed by two reviewers independently\"\n\
        included,60,screened,Studies included in the qualitative metasummary\n";
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        ("studies.csv", studies.as_str()),
        ("findings.csv", findings.as_str()),
        ("evidence.csv", evidence.as_str()),
        ("search.csv", search),
        ("dataset.toml", toml),
    ]
    .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
    .into();
    Dataset::from_files(&files, "sixty").unwrap()
}

#[test]
fn every_figure_of_sixty_studies_with_long_labels_is_readable() {
    let mut session = Session::new(sixty_studies());
    for src in [
        "plot fes",
        "plot matrix",
        "plot flow",
        "plot sensitivity",
        "plot fes findings where perspective = worker title \"Workers\" caption \"Long caption text that wraps. Long caption text that wraps. Long caption text that wraps.\"",
        "plot matrix findings among (studies where year > 2010)",
    ] {
        let script = metasum_query::parse(src).unwrap();
        let Outcome::Figure(svg) = session.execute(&script.statements[0]).unwrap() else {
            panic!("{src} drew no figure")
        };
        assert_readable(src, &svg);
        if src == "plot matrix" {
            // A column per study, each labelled with its whole label.
            let texts = drawn(&svg);
            for k in 0..60 {
                let label = format!(
                    "Author{k}, Second-Author, Third-Author and colleagues ({})",
                    1990 + k % 30
                );
                assert!(texts.contains(&label), "{label} not in {texts:?}");
            }
        }
    }
}

/// The texts of `src`'s figure on the review in `tests/data/NAME`, with
/// whether each is bold.
fn drawn_on(name: &str, src: &str) -> (String, Vec<(String, bool)>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    let mut session = Session::new(Dataset::load(&path).unwrap());
    let script = metasum_query::parse(src).unwrap();
    let Outcome::Figure(svg) = session.execute(&script.statements[0]).unwrap() else {
        panic!("{src} drew no figure")
    };
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts = (doc.descendants())
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let text: String = n
                .children()
                .filter(|c| c.is_text())
                .map(|c| c.text().unwrap_or(""))
                .collect();
            (text, n.attribute("font-weight") == Some("bold"))
        })
        .collect();
    (svg, texts)
}

#[test]
fn the_flow_draws_the_exclusions_search_csv_gives_and_those_its_counts_imply() {
    // tests/data/prisma-search: PRISMA 2020's stages, three exclusions
    // given (duplicates 1,235 - 880; reports not retrieved 64 - 60; reports
    // excluded with reasons 60 - 3) and one implied (880 screened -> 64
    // sought: 816).
    let (svg, texts) = drawn_on("prisma-search", "plot flow");
    assert_readable("plot flow", &svg);
    let texts: Vec<String> = texts.into_iter().map(|(t, _)| t).collect();
    let joined = texts.join(" ");
    for said in [
        "Records removed before screening: duplicates n = 355",
        "Records excluded n = 816 (880 − 64)",
        "Reports not retrieved n = 4",
        "Reports excluded: not qualitative (31), wrong population (20), no findings reported (6) n = 57",
        "Records identified from databases (MEDLINE, CINAHL, PsycINFO) n = 1,204",
    ] {
        // Each box's lines in order (a label may wrap).
        let words: Vec<&str> = said.split(' ').collect();
        let shown: Vec<&str> = joined.split(' ').collect();
        assert!(
            shown.windows(words.len()).any(|w| w == words.as_slice()),
            "{said:?} not in {joined:?}"
        );
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(elements(&doc, "rect", "box").len(), 6 + 4);
    // Every exclusion box right of every stage box.
    let boxes: Vec<(f64, f64)> = (elements(&doc, "rect", "box").iter())
        .map(|r| {
            let n = |a: &str| r.attribute(a).unwrap().parse::<f64>().unwrap();
            (n("x"), n("x") + n("width"))
        })
        .collect();
    let stage_right = boxes[..6].iter().map(|b| b.1).fold(0.0, f64::max);
    assert!(boxes[6..].iter().all(|b| b.0 > stage_right), "{boxes:?}");
}

#[test]
fn a_bad_excluded_count_is_a_located_load_error() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/prisma-search");
    let mut files = crate::util::files_of(&path);
    files.insert(
        "search.csv".into(),
        b"stage,count,parent,label,excluded\na,10,,A,\nb,5,a,B,-5\nc,1,b,C,some\n".to_vec(),
    );
    let e = Dataset::from_files(&files, "bad").unwrap_err().to_string();
    for line in ["search.csv:3", "search.csv:4"] {
        assert!(e.contains(line) && e.contains("`excluded`"), "{line}: {e}");
    }
}

#[test]
fn an_empty_title_leaves_no_room_for_one() {
    let svg = draw("plot fes title \"\"");
    assert_readable("plot fes title \"\"", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let first = doc.descendants().find(|n| n.has_tag_name("text")).unwrap();
    // The subtitle takes the title's place at the top.
    assert_eq!(first.attribute("y"), Some("24.0"));
    assert!(first.text().unwrap().starts_with("All findings"));
}

#[test]
fn fes_with_no_study_in_scope_draws_no_bar_at_zero() {
    // The table says missing; a bar at 0% would claim a figure.
    let svg = draw("plot fes findings among (studies where id < 0)");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(elements(&doc, "rect", "bar").is_empty());
    assert_eq!(svg.matches("no study in scope").count(), 24);
}
