//! A small SVG writer: rectangles, text, lines and `<title>` tooltips, with
//! escaping. Figures are plain SVG 1.1 that browsers, editors and resvg read.

use std::fmt::Write;

use crate::present::format::markup as escape;

/// An SVG document being written.
pub struct Svg {
    out: String,
}

impl Svg {
    /// A document of `width` x `height` pixels with a white background.
    pub fn new(width: f64, height: f64) -> Svg {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
        );
        let _ = writeln!(
            out,
            r#"<rect width="{width}" height="{height}" fill="white"/>"#
        );
        Svg { out }
    }

    /// A filled rectangle; `class` and `title` (a tooltip) are optional.
    pub fn rect(
        &mut self,
        [x, y, w, h]: [f64; 4],
        fill: &str,
        class: Option<&str>,
        title: Option<&str>,
    ) {
        let class = class.map_or(String::new(), |c| format!(r#" class="{c}""#));
        let _ = write!(
            self.out,
            r#"<rect{class} x="{x:.1}" y="{y:.1}" width="{w:.2}" height="{h:.1}" fill="{fill}""#
        );
        match title {
            Some(t) => {
                let _ = writeln!(self.out, "><title>{}</title></rect>", escape(t));
            }
            None => self.out.push_str("/>\n"),
        }
    }

    /// A circle of radius `r` at (cx, cy): filled with `fill`, outlined
    /// in `stroke` 2 px wide when given.
    pub fn circle(&mut self, [cx, cy, r]: [f64; 3], fill: &str, stroke: Option<&str>, class: &str) {
        let stroke = stroke.map_or(String::new(), |s| {
            format!(r#" stroke="{s}" stroke-width="2""#)
        });
        let _ = writeln!(
            self.out,
            r#"<circle class="{class}" cx="{cx:.1}" cy="{cy:.1}" r="{r}" fill="{fill}"{stroke}/>"#
        );
    }

    /// An outlined box.
    pub fn frame(&mut self, x: f64, y: f64, w: f64, h: f64) {
        let _ = writeln!(
            self.out,
            r##"<rect class="box" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="#f7f7f7" stroke="#333"/>"##
        );
    }

    /// Text at (x, y); `anchor` is start, middle or end; `title` is a tooltip
    /// (the full text where `text` was shortened).
    pub fn text(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        anchor: &str,
        style: &str,
        title: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" {style}>"#
        );
        if let Some(t) = title {
            let _ = write!(self.out, "<title>{}</title>", escape(t));
        }
        let _ = writeln!(self.out, "{}</text>", escape(text));
    }

    /// A bold heading starting at (x, y): a group of rows, a legend.
    pub fn heading(&mut self, x: f64, y: f64, text: &str) {
        self.text(x, y, text, "start", r#"font-weight="bold""#, None);
    }

    /// Lines of text, the first with its baseline at (x, y), each
    /// `line_h` below the one before, anchored as `anchor` says.
    pub fn lines(
        &mut self,
        x: f64,
        y: f64,
        lines: &[String],
        line_h: f64,
        anchor: &str,
        style: &str,
    ) {
        for (k, line) in lines.iter().enumerate() {
            self.text(x, y + line_h * k as f64, line, anchor, style, None);
        }
    }

    /// A line with an arrowhead at its end.
    pub fn arrow(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        let _ = writeln!(
            self.out,
            r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#333" marker-end="url(#arrow)"/>"##
        );
    }

    /// Defines the arrowhead marker used by [`Svg::arrow`].
    pub fn arrow_marker(&mut self) {
        self.out.push_str(
            r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>"##,
        );
        self.out.push('\n');
    }

    /// A thin line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}"/>"#
        );
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}
