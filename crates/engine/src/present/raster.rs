//! Figures as pictures: an SVG figure rasterised to PNG with resvg, or
//! written as a vector PDF with svg2pdf, its text set in the embedded
//! Liberation Sans (metric-compatible with the Arial
//! the figures name), so a picture is the same on every machine whatever
//! fonts it has.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The resolution of a PNG figure unless asked otherwise: what journals ask
/// for.
pub const DEFAULT_DPI: u32 = 300;

/// The resolution SVG's pixels are measured at (CSS: 96 per inch).
const SVG_DPI: f32 = 96.0;

/// The largest picture made, in pixels (width x height): a full A4 page at
/// 600 dpi is 35 million. The pixels take 4 bytes each (160 MB at most); a
/// figure of thousands of studies asks for more, and is refused rather
/// than allocated.
const MAX_PIXELS: u64 = 40_000_000;

/// The longest side of a PDF page, in inches.
const MAX_PDF_INCHES: f32 = 200.0;

/// The font figures are drawn with (its bold has the same characters).
pub(crate) const REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSans-Regular.ttf");
/// Its bold, for titles and headings.
pub(crate) const BOLD: &[u8] = include_bytes!("../../fonts/LiberationSans-Bold.ttf");

/// The characters of `svg`'s drawn text (not its `<title>` tooltips) that
/// the embedded font has no glyph for: a picture shows each as a box, where
/// an SVG viewer would use a font of its own. Sorted, each once.
pub fn missing_glyphs(svg: &str) -> Vec<char> {
    use skrifa::MetadataProvider;
    let Ok(font) = skrifa::FontRef::new(REGULAR) else {
        return Vec::new();
    };
    let charmap = font.charmap();
    let mut missing: Vec<char> = drawn_text(svg)
        .filter(|c| !c.is_whitespace() && charmap.map(*c).is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// The characters between the tags of `svg`, outside `<title>` elements
/// and character references (`&amp;` stands for ASCII, which the font has).
fn drawn_text(svg: &str) -> impl Iterator<Item = char> + '_ {
    let mut in_tag = false;
    let mut in_reference = false;
    let mut in_title = false;
    svg.char_indices().filter_map(move |(at, c)| {
        match c {
            '<' => {
                in_tag = true;
                let rest = &svg[at..];
                if rest.starts_with("<title") {
                    in_title = true;
                } else if rest.starts_with("</title") {
                    in_title = false;
                }
            }
            '>' if in_tag => in_tag = false,
            '&' if !in_tag => in_reference = true,
            ';' if in_reference => in_reference = false,
            c if !in_tag && !in_reference && !in_title => return Some(c),
            _ => {}
        }
        None
    })
}

/// The fonts figures are drawn with, loaded once.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(REGULAR.to_vec());
            db.load_font_data(BOLD.to_vec());
            // Every family a figure names (Helvetica, Arial, sans-serif)
            // falls back to it.
            db.set_sans_serif_family("Liberation Sans");
            Arc::new(db)
        })
        .clone()
}

/// How a figure is read: its text in the embedded font.
fn options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: "Liberation Sans".to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    }
}

/// `svg` as a PNG at `dpi` dots per inch (the PNG says so, so a journal's
/// checker reads 300 dpi), on a white background.
pub fn png(svg: &str, dpi: u32) -> crate::Result<Vec<u8>> {
    let failed = |what: String| crate::Error::Output(format!("could not draw the figure: {what}"));
    let options = options();
    let scale = dpi as f32 / SVG_DPI;
    let too_large = |(w, h): (f32, f32)| {
        let (w, h) = ((w * scale).ceil(), (h * scale).ceil());
        let pixels = f64::from(w) * f64::from(h);
        (pixels > MAX_PIXELS as f64).then(|| {
            failed(format!(
                "at {dpi} dpi it would be {w} x {h} pixels, more than {} million: ask for fewer dots per inch (--dpi), or write it to a .pdf or .svg file",
                MAX_PIXELS / 1_000_000
            ))
        })
    };
    // Told from the size the figure declares, before its drawing is read
    // (a matrix of thousands of studies takes gigabytes to read).
    if let Some(refused) = declared_size(svg).and_then(too_large) {
        return Err(refused);
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| failed(e.to_string()))?;
    if let Some(refused) = too_large((tree.size().width(), tree.size().height())) {
        return Err(refused);
    }
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| failed("it has no size".to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| failed("no room for the picture".to_string()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let transform = tiny_skia::Transform::from_scale(scale, scale);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    let png = pixmap.encode_png().map_err(|e| failed(e.to_string()))?;
    Ok(with_resolution(png, dpi))
}

/// `svg` as a one-page PDF: vector shapes and selectable text in the
/// embedded font (subset into the file), the page the figure's size at
/// 96 px to the inch (the size its PNG prints at).
pub fn pdf(svg: &str) -> crate::Result<Vec<u8>> {
    let failed = |what: String| crate::Error::Output(format!("could not draw the figure: {what}"));
    // PDF readers show pages up to 200 inches a side (14,400 points, the
    // limit Acrobat keeps); a taller page is refused or cut.
    if let Some((w, h)) = declared_size(svg) {
        let (w, h) = (w / SVG_DPI, h / SVG_DPI);
        if w > MAX_PDF_INCHES || h > MAX_PDF_INCHES {
            return Err(failed(format!(
                "its page would be {w:.0} x {h:.0} inches, more than the {MAX_PDF_INCHES:.0} PDF readers show: write it to an .svg file"
            )));
        }
    }
    let tree = usvg::Tree::from_str(svg, &options()).map_err(|e| failed(e.to_string()))?;
    let page = svg2pdf::PageOptions { dpi: SVG_DPI };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| failed(e.to_string()))
}

/// The `width` and `height` the root `<svg>` element declares, in pixels.
fn declared_size(svg: &str) -> Option<(f32, f32)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attribute = |name: &str| -> Option<f32> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..]
            .split('"')
            .next()?
            .trim_end_matches("px")
            .parse()
            .ok()
    };
    Some((attribute("width")?, attribute("height")?))
}

/// A text of a figure as laid out with the embedded font: what it says and
/// the box it takes on the canvas (its line box: ascent to descent).
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    /// The text.
    pub text: String,
    /// Left, top, right and bottom, in the figure's pixels.
    pub bounds: [f32; 4],
}

/// The figure's width and height, and every text in it laid out as a
/// picture draws it: to check that no text runs off the canvas, out of its
/// box or over another.
pub fn text_boxes(svg: &str) -> crate::Result<((f32, f32), Vec<TextBox>)> {
    let options = options();
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| crate::Error::Output(format!("could not lay out the figure: {e}")))?;
    let mut boxes = Vec::new();
    collect_text(tree.root(), &mut boxes);
    Ok(((tree.size().width(), tree.size().height()), boxes))
}

fn collect_text(group: &usvg::Group, boxes: &mut Vec<TextBox>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect_text(g, boxes),
            usvg::Node::Text(text) => {
                let r = text.abs_bounding_box();
                boxes.push(TextBox {
                    text: text.chunks().iter().map(|c| c.text()).collect(),
                    bounds: [r.left(), r.top(), r.right(), r.bottom()],
                });
            }
            _ => {}
        }
    }
}

/// `png` with a `pHYs` chunk after its header saying `dpi`.
fn with_resolution(png: Vec<u8>, dpi: u32) -> Vec<u8> {
    // Signature (8 bytes), then the IHDR chunk: length, type, 13 bytes, CRC.
    const AFTER_HEADER: usize = 8 + 4 + 4 + 13 + 4;
    if png.len() < AFTER_HEADER || &png[12..16] != b"IHDR" {
        return png;
    }
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.extend_from_slice(&per_metre.to_be_bytes());
    chunk.push(1); // the unit is the metre
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..AFTER_HEADER]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[AFTER_HEADER..]);
    out
}

/// The CRC-32 PNG chunks end with (ISO 3309, reflected, as in zlib).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48" font-family="Helvetica, Arial, sans-serif"><text x="4" y="30" font-size="20">FES</text></svg>"#;

    #[test]
    fn the_crc_is_zlibs() {
        // The CRC-32 of "123456789" (the standard check value).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // A PNG's own IEND chunk.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn a_figure_is_a_png_of_its_size_at_the_resolution_asked_with_its_text_drawn() {
        let png = png(SVG, 300).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // 96 x 48 CSS pixels at 300 dpi: one inch by half an inch.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (300, 150));
        // pHYs says 300 dpi: 11811 dots a metre, both ways.
        let phys = png.windows(4).position(|w| w == b"pHYs").unwrap();
        let per_metre = u32::from_be_bytes(png[phys + 4..phys + 8].try_into().unwrap());
        assert_eq!(per_metre, 11_811);
        // The text is drawn (with the embedded font: there is no other),
        // on white.
        let dark = dark_pixels(&png);
        assert!(dark > 500, "{dark} dark pixels");
        let without_text = super::png(&SVG.replace("FES", ""), 300).unwrap();
        assert_eq!(dark_pixels(&without_text), 0);
    }

    fn dark_pixels(png: &[u8]) -> usize {
        let pixmap = tiny_skia::Pixmap::decode_png(png).unwrap();
        pixmap.pixels().iter().filter(|p| p.red() < 128).count()
    }

    #[test]
    fn characters_the_font_lacks_are_told() {
        let svg = r#"<svg><text>Café “x” &amp; Ωμέγα 漢字<title>漢字 ☃ full</title></text><text>漢 ok</text></svg>"#;
        assert_eq!(missing_glyphs(svg), ['字', '漢']);
        assert!(missing_glyphs(SVG).is_empty());
    }

    #[test]
    fn a_picture_too_large_is_refused_not_allocated() {
        let huge =
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>"#;
        let e = png(huge, 300).unwrap_err().to_string();
        assert!(e.contains("more than 40 million"), "{e}");
        assert!(e.contains("write it to a .pdf or .svg file"), "{e}");
        assert_eq!(declared_size(huge), Some((100_000.0, 100_000.0)));
        // 100,000 px is over 1,000 inches: no PDF reader shows that page.
        let e = pdf(huge).unwrap_err().to_string();
        assert!(e.contains("more than the 200 PDF readers show"), "{e}");
        let tall = r#"<svg xmlns="http://www.w3.org/2000/svg" width="500" height="19000"></svg>"#;
        assert!(pdf(tall).is_ok(), "197 inches is shown");
        assert_eq!(declared_size(SVG), Some((96.0, 48.0)));
    }
}
