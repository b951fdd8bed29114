//! Figures as pictures: a .png file (300 dpi, as journals ask) and figures
//! placed on sheets of their own in an xlsx workbook beside the results.
//! Each file is read back: the PNG header and its resolution, the workbook
//! with calamine (sheets, cell types) and as the zip archive it is (the
//! pictures in it, their text alternatives).

use std::io::Read;
use std::path::Path;

use crate::util::*;

/// A PNG's width and height in pixels and its resolution in dots per inch
/// (from its pHYs chunk).
fn png_facts(png: &[u8]) -> (u32, u32, f64) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let phys = png
        .windows(4)
        .position(|w| w == b"pHYs")
        .expect("a pHYs chunk");
    assert_eq!(png[phys + 12], 1, "dots per metre");
    let dpi = f64::from(be(phys + 4)) * 0.0254;
    (be(16), be(20), dpi)
}

/// The FES figure's size in SVG pixels, from the SVG metasum draws.
fn svg_size(dir: &Path, figure: &str) -> (f64, f64) {
    let out = metasum_in(dir).args(["-c", figure]).output().unwrap();
    let svg = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let number = |a: &str| root.attribute(a).unwrap().parse::<f64>().unwrap();
    (number("width"), number("height"))
}

#[test]
fn a_png_figure_is_drawn_at_300_dpi() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["-c", "plot fes", "--output", "fes.png"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (width, height, dpi) = png_facts(&std::fs::read(dir.path().join("fes.png")).unwrap());
    assert!((dpi - 300.0).abs() < 0.01, "{dpi}");
    // The SVG's size, at 96 pixels an inch, drawn at 300.
    let (w, h) = svg_size(dir.path(), "plot fes");
    assert_eq!(width, (w * 300.0 / 96.0).round() as u32);
    assert_eq!(height, (h * 300.0 / 96.0).round() as u32);

    // `save` draws one too.
    let out = metasum_in(dir.path())
        .args(["-c", "plot flow save \"flow.png\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (_, _, dpi) = png_facts(&std::fs::read(dir.path().join("flow.png")).unwrap());
    assert!((dpi - 300.0).abs() < 0.01, "{dpi}");
}

#[test]
fn a_workbook_holds_results_and_figures_each_on_its_own_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args([
            "-c",
            "findings limit 3 show id, fes; plot fes; plot flow",
            "--output",
            "review.xlsx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let path = dir.path().join("review.xlsx");

    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["findings limit 3 show id, fes", "plot fes", "plot flow"]
    );
    let rows = book
        .worksheet_range("findings limit 3 show id, fes")
        .unwrap();
    assert_eq!(rows.get((1, 1)), Some(&Data::Float(44.0)));

    // The archive holds two pictures, PNGs at 192 dpi (Excel shows them at
    // the figure's size), with the sheet's name as their text alternative.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut pictures = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().unwrap().starts_with("xl/media/") {
            let mut png = Vec::new();
            file.read_to_end(&mut png).unwrap();
            pictures.push(png);
        }
    }
    assert_eq!(pictures.len(), 2);
    let (w, h) = svg_size(dir.path(), "plot fes");
    let facts: Vec<(u32, u32, f64)> = pictures.iter().map(|p| png_facts(p)).collect();
    assert!(
        facts.iter().any(|(width, height, dpi)| {
            (*width, *height) == ((w * 2.0).round() as u32, (h * 2.0).round() as u32)
                && (dpi - 192.0).abs() < 0.01
        }),
        "{facts:?}"
    );
    let mut drawings = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().unwrap().starts_with("xl/drawings/drawing") {
            file.read_to_string(&mut drawings).unwrap();
        }
    }
    assert!(drawings.contains(r#"descr="plot fes""#), "{drawings}");
    assert!(drawings.contains(r#"descr="plot flow""#), "{drawings}");
}

#[test]
fn a_figure_saved_to_a_workbook_is_a_picture_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["-c", "plot matrix save \"matrix.xlsx\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    use calamine::Reader;
    let path = dir.path().join("matrix.xlsx");
    let book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(book.sheet_names(), ["plot matrix"]);
    // The sheet holds the picture: a PNG in the archive.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut png = Vec::new();
    zip.by_name("xl/media/image1.png")
        .expect("a picture in the workbook")
        .read_to_end(&mut png)
        .unwrap();
    let (width, height, _) = png_facts(&png);
    assert!(width > 1000 && height > 1000, "{width} x {height}");
}

#[test]
fn characters_the_embedded_font_lacks_are_told_not_silently_boxed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cjk");
    std::fs::create_dir(&data).unwrap();
    let files = [
        ("studies.csv", "id,author,year\n1,Li,2001\n2,Wang,2002\n"),
        (
            "findings.csv",
            "id,perspective,name\n1,worker,工资低\n2,worker,Low pay\n",
        ),
        ("evidence.csv", "finding,study\n1,1\n2,2\n"),
    ];
    for (name, text) in files {
        std::fs::write(data.join(name), text).unwrap();
    }
    let out = metasum_in(dir.path())
        .arg("--data")
        .arg(&data)
        .args(["-c", "plot fes save \"fes.png\"; plot fes save \"fes.svg\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("has no 低 (U+4F4E), 工 (U+5DE5), 资 (U+8D44)"),
        "{stderr}"
    );
    // Told once: for the picture, not for the SVG.
    assert_eq!(stderr.matches("note: the font").count(), 1, "{stderr}");
}

#[test]
fn dpi_sets_the_resolution_of_a_png_and_a_nonsense_dpi_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["-c", "plot fes", "--output", "fes.png", "--dpi", "600"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (width, height, dpi) = png_facts(&std::fs::read(dir.path().join("fes.png")).unwrap());
    assert!((dpi - 600.0).abs() < 0.01, "{dpi}");
    let (w, h) = svg_size(dir.path(), "plot fes");
    assert_eq!(width, (w * 600.0 / 96.0).round() as u32);
    assert_eq!(height, (h * 600.0 / 96.0).round() as u32);

    // `save` draws at the same resolution.
    let out = metasum_in(dir.path())
        .args(["--dpi", "150", "-c", "plot flow save \"flow.png\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (.., dpi) = png_facts(&std::fs::read(dir.path().join("flow.png")).unwrap());
    // PNG records whole dots per metre: 150 dpi is 5905.5, written 5906.
    assert!((dpi - 150.0).abs() < 0.02, "{dpi}");

    for bad in ["0", "5", "601", "100000", "300.5", "-1"] {
        let out = metasum_in(dir.path())
            .args(["-c", "plot fes", "--output", "bad.png", "--dpi", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--dpi {bad}: {out:?}");
        assert!(!dir.path().join("bad.png").exists());
    }
}

/// A tool of poppler-utils, to read a PDF as a PDF reader does.
fn poppler(tool: &str) -> Option<std::path::PathBuf> {
    crate::util::tool(tool, "poppler-utils")
}

#[test]
fn a_pdf_figure_is_one_page_of_the_figures_size_with_its_text_and_font() {
    let dir = tempfile::tempdir().unwrap();
    let out = metasum_in(dir.path())
        .args(["-c", "plot fes", "--output", "fes.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = metasum_in(dir.path())
        .args(["-c", "plot flow save \"flow.pdf\""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let pdf = std::fs::read(dir.path().join("fes.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"), "a whole PDF file");
    // The page is the figure's size at 96 px to the inch, in points.
    let (w, h) = svg_size(dir.path(), "plot fes");
    let media_box = format!("/MediaBox [0 0 {} {}]", w * 0.75, h * 0.75);
    assert!(
        pdf.windows(media_box.len())
            .any(|x| x == media_box.as_bytes()),
        "{media_box}"
    );
    // A figure into a PDF holding rows, or rows into a PDF, is refused.
    let out = metasum_in(dir.path())
        .args(["-c", "findings", "--output", "rows.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!dir.path().join("rows.pdf").exists());

    let (Some(pdftotext), Some(pdffonts), Some(pdftoppm)) = (
        poppler("pdftotext"),
        poppler("pdffonts"),
        poppler("pdftoppm"),
    ) else {
        return;
    };
    for (file, title) in [
        (
            "fes.pdf",
            "Frequency effect size (FES) of each abstracted finding",
        ),
        ("flow.pdf", "Search and selection"),
    ] {
        let path = dir.path().join(file);
        let text = std::process::Command::new(&pdftotext)
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(text.status.success(), "{text:?}");
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains(title), "{file}: {text}");
        // The embedded font, not one of the reader's.
        let fonts = std::process::Command::new(&pdffonts)
            .arg(&path)
            .output()
            .unwrap();
        let fonts = String::from_utf8(fonts.stdout).unwrap();
        assert!(fonts.contains("LiberationSans"), "{fonts}");
        for line in fonts.lines().skip(2) {
            assert!(line.contains(" yes yes "), "every font embedded: {line}");
        }
    }
    // Drawn by a PDF renderer: a page with marks on it, not a blank one.
    let png = std::process::Command::new(&pdftoppm)
        .args(["-r", "48", "-png", "-singlefile"])
        .arg(dir.path().join("fes.pdf"))
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(png.status.success(), "{png:?}");
    let page = std::fs::read(dir.path().join("page.png")).unwrap();
    let page = resvg::tiny_skia::Pixmap::decode_png(&page).unwrap();
    assert_eq!(page.width(), (w * 0.5).round() as u32);
    assert_eq!(page.height(), (h * 0.5).round() as u32);
    let inked = (page.pixels().iter())
        .filter(|p| p.red() < 128 && p.green() < 128 && p.blue() < 128)
        .count();
    let coloured = (page.pixels().iter())
        .filter(|p| p.green() > p.red().saturating_add(40))
        .count();
    // Text and axes in dark grey, bars in the perspectives' colours.
    assert!(inked > 2_000, "{inked} dark pixels");
    assert!(coloured > 2_000, "{coloured} green pixels");
}
