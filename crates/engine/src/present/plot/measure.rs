//! Text measured with the font figures are drawn with (the embedded
//! Liberation Sans, see [`crate::present::raster`]), so that labels are wrapped to
//! the room they have instead of cut: a label takes as many lines as it
//! needs.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// Advance widths of the characters, in em (1 = the font size), for the
/// regular and the bold face, read once.
struct Widths {
    regular: Face,
    bold: Face,
}

struct Face {
    /// The width of each character the face has, by code point (ASCII and
    /// all else alike, looked up in a sorted list).
    widths: Vec<(u32, f32)>,
}

/// The width of a character the font lacks, which an SVG viewer draws in a
/// font of its own: a full em, as wide as a CJK character (wider than most
/// others), so that a label measured with it never runs out of its room.
const MISSING: f32 = 1.0;

impl Face {
    fn read(data: &[u8]) -> Face {
        let Ok(font) = FontRef::new(data) else {
            return Face { widths: Vec::new() };
        };
        // At a size of 1 the advances are in em.
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        let mut widths: Vec<(u32, f32)> = font
            .charmap()
            .mappings()
            .map(|(c, glyph)| (c, metrics.advance_width(glyph).unwrap_or(MISSING)))
            .collect();
        widths.sort_by_key(|(c, _)| *c);
        Face { widths }
    }

    fn em(&self, c: char) -> f32 {
        match self.widths.binary_search_by_key(&u32::from(c), |(c, _)| *c) {
            Ok(i) => self.widths[i].1,
            Err(_) => MISSING,
        }
    }
}

fn widths() -> &'static Widths {
    static WIDTHS: OnceLock<Widths> = OnceLock::new();
    WIDTHS.get_or_init(|| Widths {
        regular: Face::read(crate::present::raster::REGULAR),
        bold: Face::read(crate::present::raster::BOLD),
    })
}

/// How wide `text` is at `size` pixels, in pixels.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let face = if bold {
        &widths().bold
    } else {
        &widths().regular
    };
    text.chars().map(|c| f64::from(face.em(c))).sum::<f64>() * size
}

/// `text` in lines no wider than `room` pixels at `size`: whole words where
/// they fit, a word wider than the room split where it must. Never empty.
pub fn wrap(text: &str, size: f64, bold: bool, room: f64) -> Vec<String> {
    let fits = |line: &str| width(line, size, bold) <= room;
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if let Some(line) = lines.last_mut() {
            let longer = format!("{line} {word}");
            if fits(&longer) {
                *line = longer;
                continue;
            }
        }
        // A new line; a word too wide for one goes on as many as it needs.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if !fits(&piece) && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        lines.push(piece);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_the_fonts() {
        // Liberation Sans has Arial's metrics: "W" is 0.944 em, "i" 0.222.
        assert!((width("W", 100.0, false) - 94.4).abs() < 0.1);
        assert!((width("i", 100.0, false) - 22.2).abs() < 0.1);
        assert!(width("Findings", 12.0, true) > width("Findings", 12.0, false));
        // A character the font lacks counts as a full em.
        assert!((width("漢", 10.0, false) - 10.0).abs() < 1e-4);
    }

    #[test]
    fn wrapping_keeps_words_whole_and_every_line_in_the_room() {
        let text = "Difficulty negotiating boundary between friend and service provider";
        let lines = wrap(text, 12.0, false, 200.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| width(l, 12.0, false) <= 200.0));
        // A word wider than the room is split, nothing lost.
        let long = "Pneumonoultramicroscopicsilicovolcanoconiosis";
        let split = wrap(long, 12.0, false, 60.0);
        assert!(split.len() > 1);
        assert_eq!(split.concat(), long);
        assert_eq!(wrap("", 12.0, false, 60.0), [""]);
    }
}
