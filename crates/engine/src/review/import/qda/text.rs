//! A coded passage's text, cut from its source's plain text by the
//! selection's start and end positions. What a position counts differs
//! between programs (see [`Unit`] and `docs/DATASET.md`): a position that
//! falls inside a character, or past the end, is a problem, never a
//! quote cut at the wrong place.

/// What a character position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Unit {
    /// Unicode code points (Python's string indices: QualCoder; the
    /// standard's "characters").
    CodePoints,
    /// UTF-16 code units (.NET's and Java's string indices).
    #[cfg_attr(feature = "clap", value(name = "utf-16"))]
    Utf16,
    /// Bytes of the UTF-8 text.
    Bytes,
}

impl Unit {
    /// What a message calls one.
    pub fn name(self) -> &'static str {
        match self {
            Unit::CodePoints => "characters",
            Unit::Utf16 => "UTF-16 code units",
            Unit::Bytes => "bytes",
        }
    }

    /// How many of these `c` takes.
    fn width(self, c: char) -> u64 {
        match self {
            Unit::CodePoints => 1,
            Unit::Utf16 => c.len_utf16() as u64,
            Unit::Bytes => c.len_utf8() as u64,
        }
    }

    /// The text's length in these units.
    pub fn length(self, text: &str) -> u64 {
        match self {
            Unit::Bytes => text.len() as u64,
            _ => text.chars().map(|c| self.width(c)).sum(),
        }
    }
}

/// Why a passage could not be cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncut {
    /// The end is past the text (its length given).
    PastEnd(u64),
    /// A position falls inside a character (that position).
    Inside(u64),
}

/// How often [`Text`] marks where a position is: walking at most this
/// many characters from a mark finds any position. Walking from the start
/// for every passage made a 5 MB text of 10,000 passages quadratic.
const MARK_EVERY: usize = 1024;

/// A text indexed for cutting passages by position in one unit.
pub struct Text<'a> {
    text: &'a str,
    unit: Unit,
    /// (position, byte offset) of every [`MARK_EVERY`]th character.
    marks: Vec<(u64, usize)>,
}

impl<'a> Text<'a> {
    /// `text`, its positions counted in `unit`.
    pub fn new(text: &'a str, unit: Unit) -> Text<'a> {
        let mut marks = vec![(0, 0)];
        if unit != Unit::Bytes {
            let mut counted = 0u64;
            for (k, (i, c)) in text.char_indices().enumerate() {
                if k % MARK_EVERY == 0 && k > 0 {
                    marks.push((counted, i));
                }
                counted += unit.width(c);
            }
        }
        Text { text, unit, marks }
    }

    /// The byte offset of position `at`.
    fn offset(&self, at: u64) -> Result<usize, Uncut> {
        let text = self.text;
        if self.unit == Unit::Bytes {
            let i = usize::try_from(at).map_err(|_| Uncut::PastEnd(text.len() as u64))?;
            return match text.is_char_boundary(i) {
                true => Ok(i),
                false if i > text.len() => Err(Uncut::PastEnd(text.len() as u64)),
                false => Err(Uncut::Inside(at)),
            };
        }
        let mark = self.marks.partition_point(|(p, _)| *p <= at) - 1;
        let (mut counted, from) = self.marks[mark];
        for (i, c) in text[from..].char_indices() {
            if counted == at {
                return Ok(from + i);
            }
            counted += self.unit.width(c);
            if counted > at {
                return Err(Uncut::Inside(at));
            }
        }
        match counted == at {
            true => Ok(text.len()),
            false => Err(Uncut::PastEnd(counted)),
        }
    }

    /// Positions `start` to `end` (end excluded).
    pub fn cut(&self, start: u64, end: u64) -> Result<&'a str, Uncut> {
        let to = self.offset(end)?;
        let from = self.offset(start)?;
        Ok(&self.text[from.min(to)..to])
    }
}

/// Characters `start` to `end` (end excluded) of `text`, counted in `unit`.
#[cfg(test)]
pub fn cut(text: &str, start: u64, end: u64, unit: Unit) -> Result<&str, Uncut> {
    Text::new(text, unit).cut(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_what_each_unit_counts() {
        // é: 1 code point, 1 UTF-16 unit, 2 bytes; 😀: 1, 2, 4; 中: 1, 1, 3.
        let text = "café 😀 中文 end";
        assert_eq!(cut(text, 5, 6, Unit::CodePoints), Ok("😀"));
        assert_eq!(cut(text, 5, 7, Unit::Utf16), Ok("😀"));
        assert_eq!(cut(text, 6, 10, Unit::Bytes), Ok("😀"));
        assert_eq!(cut(text, 7, 9, Unit::CodePoints), Ok("中文"));
        assert_eq!(cut(text, 8, 10, Unit::Utf16), Ok("中文"));
        assert_eq!(cut(text, 11, 17, Unit::Bytes), Ok("中文"));
        assert_eq!(cut(text, 0, 4, Unit::CodePoints), Ok("café"));
        // Inside the emoji's surrogate pair, inside é's bytes.
        assert_eq!(cut(text, 6, 7, Unit::Utf16), Err(Uncut::Inside(6)));
        assert_eq!(cut(text, 0, 4, Unit::Bytes), Err(Uncut::Inside(4)));
        // Past the end: the length in that unit.
        assert_eq!(cut(text, 0, 99, Unit::CodePoints), Err(Uncut::PastEnd(13)));
        assert_eq!(cut(text, 0, 99, Unit::Utf16), Err(Uncut::PastEnd(14)));
        assert_eq!(Unit::Bytes.length(text), 21);
        assert_eq!(cut(text, 13, 13, Unit::CodePoints), Ok(""));
    }

    #[test]
    fn positions_past_the_marks_are_found_as_from_the_start() {
        // Every unit, in a text of several marks, mixed widths.
        let text = "aé😀中".repeat(1000);
        for unit in [Unit::CodePoints, Unit::Utf16, Unit::Bytes] {
            let indexed = Text::new(&text, unit);
            let len = unit.length(&text);
            // Each character boundary's position, counted from the start.
            let mut boundaries = vec![(0u64, 0usize)];
            for (i, c) in text.char_indices() {
                let counted = boundaries.last().unwrap().0 + unit.width(c);
                boundaries.push((counted, i + c.len_utf8()));
            }
            for at in (0..=len).step_by(7) {
                let walked = (boundaries.iter()).find(|(p, _)| *p == at).map(|(_, i)| *i);
                let want = match walked {
                    Some(i) => Ok(&text[..i]),
                    None => Err(Uncut::Inside(at)),
                };
                assert_eq!(indexed.cut(0, at), want, "{unit:?} {at}");
            }
            assert_eq!(indexed.cut(0, len + 1), Err(Uncut::PastEnd(len)));
        }
    }
}
