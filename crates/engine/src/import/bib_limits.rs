//! What a `.bib` file may ask of its reader, measured before the `biblatex`
//! crate reads it: that crate expands `@string` abbreviations recursively
//! and without bound (`@string{a = a}` overflowed the stack and aborted
//! metasum; 24 doublings `s2 = s1 # s1` in a 1 kB file took 4 s and wrote
//! a 33 MB papers.csv), and braces nested 100,000 deep took it over 20 s.
//!
//! This pass reads the file's structure only (entries, fields, values as
//! parts joined by `#`), in one loop over the bytes. As in BibTeX, an
//! abbreviation may use only those defined before it, once each: one that
//! names itself, or one not yet defined, or one defined twice, is a
//! problem at its line (the crate resolved them in any order, and `a = a`
//! recursed without end), and so is a field whose expansion is longer than
//! [`MAX_FIELD`] characters, or braces deeper than [`MAX_DEPTH`].

use std::collections::HashMap;

use super::LineStarts;
use crate::dataset::Problem;

/// The longest a field may be once its abbreviations are expanded: far
/// beyond any title, abstract or author list.
const MAX_FIELD: usize = 100_000;

/// The deepest braces may nest (`{{HIV}}` is 2; LaTeX accents 3).
const MAX_DEPTH: usize = 64;

/// Abbreviations BibTeX defines itself (`jan` ... `dec`), three letters.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Refuses, with its line, a file whose braces nest too deep, whose
/// abbreviations name themselves, or whose fields expand past the limit.
pub fn check(file: &str, text: &str) -> Result<(), Vec<Problem>> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
        lengths: HashMap::new(),
    };
    let starts = LineStarts::of(text);
    scan.file()
        .map_err(|(at, why)| vec![Problem::at(file, starts.line(at), why)])
}

/// Where a problem is, and what it is.
type Refusal = (usize, String);

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Each abbreviation defined so far (lower case) and its expanded
    /// length: a definition may use only those before it, so no
    /// abbreviation can name itself.
    lengths: HashMap<String, usize>,
}

impl Scan<'_> {
    /// Entries, `@string`s and text between them (comments to BibTeX).
    fn file(&mut self) -> Result<(), Refusal> {
        while let Some(offset) = self.bytes[self.at..].iter().position(|b| *b == b'@') {
            self.at += offset + 1;
            let kind = self.word().to_ascii_lowercase();
            self.space();
            let close = match self.peek() {
                Some(b'{') => b'}',
                Some(b'(') => b')',
                // `@` in running text: not an entry.
                _ => continue,
            };
            self.at += 1;
            match kind.as_str() {
                "comment" => self.skip_group(close)?,
                "preamble" => {
                    self.value(None)?;
                }
                "string" => self.definitions(close)?,
                _ => self.entry(close)?,
            }
        }
        Ok(())
    }

    /// `name = value, ...` up to the closing `close`, each abbreviation
    /// recorded with its length.
    fn definitions(&mut self, close: u8) -> Result<(), Refusal> {
        self.fields(close, true)
    }

    /// `key, field = value, ...` up to the closing `close`.
    fn entry(&mut self, close: u8) -> Result<(), Refusal> {
        // The key runs to the first comma (or the end of the entry).
        while let Some(b) = self.peek() {
            if b == b',' || b == close {
                break;
            }
            self.at += 1;
        }
        self.fields(close, false)
    }

    /// Fields separated by commas up to the closing `close`; `@string`
    /// `definitions` are recorded, each once.
    fn fields(&mut self, close: u8, definitions: bool) -> Result<(), Refusal> {
        loop {
            self.space();
            match self.peek() {
                None => return Ok(()),
                Some(b) if b == close => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b',') => self.at += 1,
                _ => {
                    let start = self.at;
                    let (name, length) = self.field(definitions)?;
                    if definitions && self.lengths.insert(name.clone(), length).is_some() {
                        return Err((start, format!("@string `{name}` is defined twice")));
                    }
                }
            }
        }
    }

    /// `name = value`: the name (lower case) and the value's length; in a
    /// `definition`, every abbreviation used must be defined before.
    fn field(&mut self, definition: bool) -> Result<(String, usize), Refusal> {
        let start = self.at;
        let name = self.word().to_ascii_lowercase();
        self.space();
        if name.is_empty() || self.peek() != Some(b'=') {
            // Not a field: the crate tells what it is; step past it.
            self.at = start + 1;
            return Ok((String::new(), 0));
        }
        self.at += 1;
        let length = self.value(definition.then_some(name.as_str()))?;
        if length > MAX_FIELD {
            return Err((
                start,
                format!(
                    "`{name}` would be {length} characters long once its abbreviations (@string) are expanded; at most {MAX_FIELD} are read"
                ),
            ));
        }
        Ok((name, length))
    }

    /// A value, `part # part # ...`: its expanded length. In the
    /// definition of the abbreviation `defining`, a word must be a number,
    /// a month or an abbreviation defined before.
    fn value(&mut self, defining: Option<&str>) -> Result<usize, Refusal> {
        let mut length = 0usize;
        loop {
            self.space();
            let part = match self.peek() {
                Some(b'{') => {
                    self.at += 1;
                    self.braced(b'}')?
                }
                Some(b'"') => {
                    self.at += 1;
                    self.braced(b'"')?
                }
                Some(b) if b.is_ascii_alphanumeric() || b"_-.:+/'".contains(&b) => {
                    let start = self.at;
                    let word = self.word().to_ascii_lowercase();
                    let number = word.bytes().all(|b| b.is_ascii_digit());
                    match (self.lengths.get(&word), defining) {
                        (Some(n), _) => *n,
                        (None, _) if MONTHS.contains(&word.as_str()) => 9,
                        (None, _) if number => word.len(),
                        (None, Some(name)) => {
                            return Err((
                                start,
                                format!(
                                    "@string `{name}` uses `{word}`, which no @string before it defines"
                                ),
                            ));
                        }
                        // In an entry, an abbreviation defined nowhere:
                        // the crate keeps or refuses the word.
                        (None, None) => word.len(),
                    }
                }
                _ => return Ok(length),
            };
            length = length.saturating_add(part);
            self.space();
            if self.peek() != Some(b'#') {
                return Ok(length);
            }
            self.at += 1;
        }
    }

    /// Text up to `end` outside braces, braces balanced: its length.
    fn braced(&mut self, end: u8) -> Result<usize, Refusal> {
        let start = self.at;
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err((
                            self.at - 1,
                            format!("braces nest more than {MAX_DEPTH} deep"),
                        ));
                    }
                }
                b'}' if depth > 0 => depth -= 1,
                b if b == end && depth == 0 => return Ok(self.at - 1 - start),
                _ => {}
            }
        }
        Ok(self.at - start)
    }

    /// Skips a group up to its closing `close`, braces balanced.
    fn skip_group(&mut self, close: u8) -> Result<(), Refusal> {
        self.braced(close).map(|_| ())
    }

    /// A name: letters, digits and the marks BibTeX allows in one.
    fn word(&mut self) -> String {
        let start = self.at;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b"_-.:+/'!?$&*<>;[]^`|~".contains(&b) || b >= 0x80 {
                self.at += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned()
    }

    fn space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        check("r.bib", text).unwrap_err()[0].to_string()
    }

    #[test]
    fn doubling_abbreviations_are_refused_at_the_field_that_grows_too_long() {
        let mut text = String::from("@string{s0 = \"0123456789\"}\n");
        for i in 1..40 {
            text += &format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1);
        }
        text += "@article{k, title = s39, author = {A}, year = 2020}\n";
        let why = refused(&text);
        assert!(why.starts_with("r.bib:15:"), "{why}");
        assert!(why.contains("at most 100000 are read"), "{why}");
    }

    #[test]
    fn a_field_repeating_an_abbreviation_is_measured_whole() {
        let big = "x".repeat(50_000);
        let text = format!("@string{{b = \"{big}\"}}\n@article{{k,\n title = b # b # b}}\n");
        assert!(refused(&text).starts_with("r.bib:3:"));
    }

    #[test]
    fn deep_braces_are_refused_where_they_go_too_deep() {
        let text = format!(
            "@article{{k,\n title = {}{}}}",
            "{".repeat(100_000),
            "}".repeat(100_000)
        );
        assert!(refused(&text).contains("braces nest more than 64 deep"));
    }

    #[test]
    fn abbreviations_that_name_themselves_or_later_ones_are_refused() {
        assert!(refused("@string{a = a}").contains("`a` uses `a`, which no @string before it"));
        let cycle = "@string{a = b}\n@string{b = a}\n@article{k, title = a}";
        assert!(refused(cycle).starts_with("r.bib:1:"));
        let twice = "@string{a = \"x\"}\n@string{a = a # a}";
        assert!(
            refused(twice).contains("`a` is defined twice"),
            "{}",
            refused(twice)
        );
        assert!(check("r.bib", "@string{a = \"x\" # 2019 # jan}").is_ok());
    }

    #[test]
    fn ordinary_files_pass() {
        let text = "% Zotero\n@string{jmh = {Journal of Mental Health}}\n@article{smith2019,\n  title = {Peer {Support} and \\\"{u}ber},\n  author = {Smith, Jane and Lee, M.},\n  journal = jmh # \" (online)\",\n  month = jan,\n  year = {2019},\n}\n@comment{ignore {me} }\n";
        assert!(check("r.bib", text).is_ok());
    }
}
