//! Each coded passage's place and quote: text passages cut from their
//! source's plain text, the others told by page, region or time.
//!
//! Positions count code points from 0, the end excluded (REFI-QDA 1.5,
//! §10.2; the standard's own ATLAS.ti example and QualCoder agree). A
//! leading byte order mark is not counted (QualCoder writes one). A line
//! end of two characters (`\r\n`) is counted as two by some programs and
//! as one by others (ATLAS.ti, QualCoder's export for MAXQDA): for a text
//! that holds one, the reading that cuts every passage inside the text and
//! makes more of the passages match the text their selection names
//! (QualCoder and ATLAS.ti name a selection by its text) is taken, the
//! exporting program's own way when both do as well.

use std::collections::HashMap;

use super::archive::Opened;
use super::project::{Place, Project, Selection, Source, TextAt};
use super::text::{Text, Uncut, Unit};
use super::{LineEnds, Options};
use metasum_query::error::excerpt;

use crate::problem::{MAX_LISTED, Problem};
use crate::review::import::ImportError;

/// A passage's place and quote, by selection GUID and source.
#[derive(Debug, Default)]
pub struct Quotes {
    /// (source GUID, selection index) -> (place, quote).
    pub of: HashMap<(String, usize), (String, String)>,
    /// How the project was read, told to the reviewer.
    pub notes: Vec<String>,
}

/// `00:01:02.5` for 62,500 milliseconds.
fn time(ms: u64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    match ms {
        0 => format!("{h:02}:{m:02}:{s:02}"),
        ms => format!("{h:02}:{m:02}:{s:02}.{ms:03}"),
    }
}

/// How an extract's place reads.
pub fn place(place: &Place) -> String {
    match *place {
        Place::Text { start, end } => format!("characters {start}-{end}"),
        Place::Page { page } => format!("page index {page}"),
        Place::Region { x1, y1, x2, y2 } => format!("region ({x1}, {y1})-({x2}, {y2})"),
        Place::Time { begin, end } => format!("{}-{}", time(begin), time(end)),
        Place::Transcript => "transcript".into(),
        Place::Whole => crate::review::dataset::extracts::WHOLE_SOURCE.into(),
    }
}

/// The characters of a selection in its source's text, if any.
fn text_span(s: &Selection) -> Option<(u64, u64)> {
    match s.place {
        Place::Text { start, end } => Some((start, end)),
        _ => s.text_place,
    }
}

/// The text as positions count it.
fn as_counted(text: &str, ends: LineEnds) -> std::borrow::Cow<'_, str> {
    match ends {
        LineEnds::One if text.contains("\r\n") => text.replace("\r\n", "\n").into(),
        _ => text.into(),
    }
}

/// How well a reading fits a source: whether every passage is cut, and
/// how many match the text their selection names.
fn fit(text: &str, source: &Source, unit: Unit) -> (bool, usize) {
    let text = Text::new(text, unit);
    let mut matches = 0;
    for s in &source.selections {
        let Some((start, end)) = text_span(s) else {
            continue;
        };
        match text.cut(start, end) {
            Ok(quote) if !s.name.is_empty() && quote.trim() == s.name.trim() => matches += 1,
            Ok(_) => {}
            Err(_) => return (false, matches),
        }
    }
    (true, matches)
}

/// Quotes being cut, source by source, with the problems found.
struct Cutter<'a> {
    unit: Unit,
    /// How `\r\n` counts where the passages do not tell.
    default_ends: LineEnds,
    options: &'a Options,
    file: String,
    quotes: Quotes,
    problems: Vec<Problem>,
    /// Texts whose `\r\n` counted as one character.
    counted_as_one: usize,
    /// Problems past the first [`MAX_LISTED`], counted.
    more: usize,
    /// The bytes quoted so far (at most [`MAX_QUOTED`]).
    quoted: usize,
}

/// The most text the passages of one project may quote in all: a review's
/// thousands of passages quote a few MB; a project whose every passage
/// covers its whole text would otherwise be copied once per passage.
const MAX_QUOTED: usize = 256 * 1024 * 1024;

impl Quotes {
    /// Every passage's place and quote; a passage whose positions do not
    /// fall inside its text is a located problem.
    pub fn of(
        project: &Project,
        opened: &mut Opened,
        options: &Options,
    ) -> Result<Quotes, ImportError> {
        let (unit, default_ends) = super::reading(&project.origin, options);
        let mut cutter = Cutter {
            unit,
            default_ends,
            options,
            file: opened.xml_name.clone(),
            quotes: Quotes::default(),
            problems: Vec::new(),
            counted_as_one: 0,
            more: 0,
            quoted: 0,
        };
        for source in &project.sources {
            let text = cutter.text(source, opened);
            cutter.cut(source, text.as_deref());
        }
        cutter.finish(project)
    }
}

impl Cutter<'_> {
    /// The plain text of `source`, when a passage is cut from it (a byte
    /// order mark dropped).
    fn text(&mut self, source: &Source, opened: &mut Opened) -> Option<String> {
        if !source.selections.iter().any(|s| text_span(s).is_some()) {
            return None;
        }
        let text = match &source.text {
            TextAt::None => None,
            TextAt::Inline(t) => Some(t.clone()),
            TextAt::Archive(name) => match opened.source_text(name) {
                Ok(t) => Some(t),
                Err(why) => {
                    let why = format!("the source \"{}\": {why}", excerpt(&source.name));
                    self.tell(Problem::at(&self.file, source.line, why));
                    None
                }
            },
            TextAt::Outside(path) => {
                self.quotes.notes.push(format!(
                    "the text of \"{}\" is outside the project ({}) and was not read: its passages are quoted by the names the project gives them",
                    excerpt(&source.name),
                    excerpt(path)
                ));
                None
            }
        };
        text.map(|t| t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t))
    }

    /// How `text` counts `\r\n`: as given; else the reading under which
    /// every passage is cut and more match their names; else the
    /// program's.
    fn line_ends(&self, text: &str, source: &Source) -> LineEnds {
        if let Some(given) = self.options.line_ends {
            return given;
        }
        if !text.contains("\r\n") {
            return self.default_ends;
        }
        let score = |e| fit(&as_counted(text, e), source, self.unit);
        match (score(LineEnds::AsWritten), score(LineEnds::One)) {
            ((true, a), (true, b)) if a > b => LineEnds::AsWritten,
            ((true, a), (true, b)) if a < b => LineEnds::One,
            ((true, _), (false, _)) => LineEnds::AsWritten,
            ((false, _), (true, _)) => LineEnds::One,
            _ => self.default_ends,
        }
    }

    /// Each passage of `source` cut from `text` (or named, without one).
    fn cut(&mut self, source: &Source, text: Option<&str>) {
        let ends = text.map(|t| self.line_ends(t, source));
        if ends == Some(LineEnds::One) && text.is_some_and(|t| t.contains("\r\n")) {
            self.counted_as_one += 1;
        }
        let counted = text.zip(ends).map(|(t, e)| as_counted(t, e));
        let indexed = counted.as_deref().map(|t| Text::new(t, self.unit));
        let mut hinted = false;
        for (i, s) in source.selections.iter().enumerate() {
            let quote = match (text_span(s), &indexed) {
                (Some((start, end)), Some(indexed)) => match indexed.cut(start, end) {
                    Ok(q) => q.to_string(),
                    Err(why) => {
                        // The other countings, told once per source.
                        let hint = match std::mem::replace(&mut hinted, true) {
                            false => {
                                other_units(counted.as_deref().unwrap_or(""), source, self.unit)
                            }
                            true => String::new(),
                        };
                        let problem =
                            uncut(&self.file, source, s, (start, end), why, self.unit, &hint);
                        self.tell(problem);
                        continue;
                    }
                },
                // No text to cut from: the name programs give it.
                _ => s.name.clone(),
            };
            self.quoted += quote.len();
            if self.quoted > MAX_QUOTED {
                let why = format!(
                    "its passages quote more than {} MB of text in all, more than a review's project quotes: not read",
                    MAX_QUOTED / 1024 / 1024
                );
                self.tell(Problem::file(&self.file, why));
                return;
            }
            let key = (source.guid.clone(), i);
            self.quotes.of.insert(key, (place(&s.place), quote));
        }
    }

    /// A problem, or counted past the first [`MAX_LISTED`].
    fn tell(&mut self, problem: Problem) {
        match self.problems.len() < MAX_LISTED {
            true => self.problems.push(problem),
            false => self.more += 1,
        }
    }

    /// The quotes, or every problem (past [`MAX_LISTED`] counted).
    fn finish(mut self, project: &Project) -> Result<Quotes, ImportError> {
        let mut problems = self.problems;
        if !problems.is_empty() {
            if self.more > 0 {
                let more = self.more;
                let why =
                    format!("and {more} more passages like the {MAX_LISTED} above, not listed");
                problems.push(Problem::unlisted(&self.file, more, why));
            }
            return Err(ImportError::Problems(problems));
        }
        if project.codebook {
            return Ok(self.quotes);
        }
        let ends = match self.counted_as_one {
            0 => String::new(),
            n => format!("; a line end \\r\\n counted as one character in {n} of them"),
        };
        let program = match project.origin.trim() {
            "" => "a program it does not name",
            o => o,
        };
        let how = format!(
            "positions read as {} from 0{ends} (the project was written by {program})",
            self.unit.name()
        );
        self.quotes.notes.insert(0, how);
        Ok(self.quotes)
    }
}

/// The problem of a passage that cannot be cut, with the reading that
/// would fit when there is one.
fn uncut(
    file: &str,
    source: &Source,
    s: &Selection,
    (start, end): (u64, u64),
    why: Uncut,
    unit: Unit,
    hint: &str,
) -> Problem {
    let what = match why {
        Uncut::PastEnd(len) => format!("ends past the text, which is {len} {} long", unit.name()),
        Uncut::Inside(at) => format!(
            "position {at} falls inside a character when positions count {}",
            unit.name()
        ),
    };
    Problem::at(
        file,
        s.line,
        format!(
            "a passage of \"{}\" (positions {start}-{end}) {what}{hint}",
            excerpt(&source.name)
        ),
    )
}

/// The countings other than `unit` under which every passage of `source`
/// falls inside `text`, as the options that choose them.
fn other_units(text: &str, source: &Source, unit: Unit) -> String {
    let others = [Unit::CodePoints, Unit::Utf16, Unit::Bytes];
    let fits: Vec<&str> = (others.iter())
        .filter(|u| **u != unit && fit(text, source, **u).0)
        .map(|u| match u {
            Unit::CodePoints => "--positions code-points",
            Unit::Utf16 => "--positions utf-16",
            Unit::Bytes => "--positions bytes",
        })
        .collect();
    match fits.as_slice() {
        [] => String::new(),
        fits => format!(
            "; every passage of this source fits if positions count otherwise: import with {}",
            fits.join(" or ")
        ),
    }
}
