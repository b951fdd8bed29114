//! The sources of a project: each document's text, its coded selections
//! of every kind and their codings; and the check that every coding names
//! a code and every case a source.

use std::collections::HashSet;

use roxmltree::Node;

use super::{Coding, Medium, Place, Reader, Selection, Source, TextAt, child, children, guid};
use metasum_query::error::excerpt;

use crate::problem::{MAX_LISTED, Problem};

/// Where a `plainTextPath` points: `internal://NAME` is the archive's
/// `sources/NAME`; anything else is outside the project.
fn text_path(path: &str) -> TextAt {
    match path.trim() {
        "" => TextAt::None,
        p => match p.strip_prefix("internal://") {
            Some(name) => TextAt::Archive(name.to_string()),
            None => TextAt::Outside(p.to_string()),
        },
    }
}

/// Where a source of `medium` keeps its plain text, and its selections:
/// (parent, element) of each kind. A PDF's text is its
/// `<Representation>`, a text source with text selections of its own; a
/// recording's transcripts hold selections too.
fn holds<'a, 'i>(
    node: Node<'a, 'i>,
    medium: Medium,
) -> (Option<Node<'a, 'i>>, Vec<(Node<'a, 'i>, &'static str)>) {
    match medium {
        Medium::Text => (Some(node), vec![(node, "PlainTextSelection")]),
        Medium::Pdf => {
            let rep = child(node, "Representation");
            let mut kinds: Vec<_> = rep.map(|r| (r, "PlainTextSelection")).into_iter().collect();
            kinds.push((node, "PDFSelection"));
            (rep, kinds)
        }
        Medium::Picture => (None, vec![(node, "PictureSelection")]),
        Medium::Audio | Medium::Video => {
            let own = match medium {
                Medium::Audio => "AudioSelection",
                _ => "VideoSelection",
            };
            let transcripts = children(node, "Transcript").map(|t| (t, "TranscriptSelection"));
            (
                None,
                std::iter::once((node, own)).chain(transcripts).collect(),
            )
        }
    }
}

impl Reader<'_, '_> {
    /// The plain text of a text source (or a PDF's representation).
    fn text_of(&mut self, node: Node) -> TextAt {
        if let Some(content) = child(node, "PlainTextContent") {
            return TextAt::Inline(content.text().unwrap_or("").to_string());
        }
        text_path(node.attribute("plainTextPath").unwrap_or(""))
    }

    pub(super) fn source(&mut self, node: Node) {
        let medium = match node.tag_name().name() {
            "TextSource" => Medium::Text,
            "PDFSource" => Medium::Pdf,
            "PictureSource" => Medium::Picture,
            "AudioSource" => Medium::Audio,
            "VideoSource" => Medium::Video,
            other => {
                self.problem(node, format!("is not a source: <Sources> holds TextSource, PDFSource, PictureSource, AudioSource or VideoSource (found <{other}>)"));
                return;
            }
        };
        let Some(g) = self.guid(node, "source") else {
            return;
        };
        let line = self.line(node);
        // `name` is optional: a source without one is named by its GUID.
        let name = match node.attribute("name").unwrap_or("").trim() {
            "" => format!("unnamed source {}", g.get(..8).unwrap_or(&g)),
            name => name.to_string(),
        };
        let user = node.attribute("creatingUser").map(guid);
        let (text_node, kinds) = holds(node, medium);
        let text = text_node.map_or(TextAt::None, |n| self.text_of(n));
        let mut selections = Vec::new();
        for (parent, kind) in kinds {
            for s in children(parent, kind) {
                selections.extend(self.selection(s, user.as_ref()));
            }
        }
        // Codings of the source as a whole.
        let whole = self.codings(node, user.as_ref());
        if !whole.is_empty() {
            selections.push(Selection {
                name: String::new(),
                place: Place::Whole,
                text_place: None,
                codings: whole,
                line,
            });
        }
        self.project.sources.push(Source {
            guid: g,
            name,
            text,
            selections,
            line,
        });
    }

    /// A selection of any kind, with its codings.
    fn selection(&mut self, node: Node, source_user: Option<&String>) -> Option<Selection> {
        self.any_guid(node)?;
        let place = match node.tag_name().name() {
            "PlainTextSelection" => {
                let start = self.number(node, "startPosition");
                let end = self.number(node, "endPosition");
                let (start, end) = (start?, end?);
                if end < start {
                    self.problem(
                        node,
                        format!(
                            "ends (endPosition {end}) before it starts (startPosition {start})"
                        ),
                    );
                    return None;
                }
                Place::Text { start, end }
            }
            "PDFSelection" => Place::Page {
                page: self.number(node, "page")?,
            },
            "PictureSelection" => {
                let n =
                    ["firstX", "firstY", "secondX", "secondY"].map(|a| self.number::<i64>(node, a));
                let [Some(x1), Some(y1), Some(x2), Some(y2)] = n else {
                    return None;
                };
                Place::Region { x1, y1, x2, y2 }
            }
            "AudioSelection" | "VideoSelection" => {
                let (begin, end) = (self.number(node, "begin"), self.number(node, "end"));
                Place::Time {
                    begin: begin?,
                    end: end?,
                }
            }
            _ => Place::Transcript,
        };
        // A PDF selection's text: the selection of its representation.
        let text_place = child(node, "Representation")
            .and_then(|r| child(r, "PlainTextSelection"))
            .and_then(|s| {
                let start = s.attribute("startPosition")?.trim().parse().ok()?;
                let end = s.attribute("endPosition")?.trim().parse().ok()?;
                (start <= end).then_some((start, end))
            });
        let user = node
            .attribute("creatingUser")
            .map(guid)
            .or_else(|| source_user.cloned());
        let codings = self.codings(node, user.as_ref());
        Some(Selection {
            name: node.attribute("name").unwrap_or("").to_string(),
            place,
            text_place,
            codings,
            line: self.line(node),
        })
    }

    /// The `<Coding>` children of `node`, each with its code.
    fn codings(&mut self, node: Node, user: Option<&String>) -> Vec<Coding> {
        let mut out = Vec::new();
        for c in children(node, "Coding") {
            let Some(g) = self.guid(c, "coding") else {
                continue;
            };
            let Some(code) = child(c, "CodeRef").and_then(|r| r.attribute("targetGUID")) else {
                self.problem(c, "has no <CodeRef targetGUID=...>: which code?".into());
                continue;
            };
            out.push(Coding {
                guid: g,
                code: guid(code),
                user: c
                    .attribute("creatingUser")
                    .map(guid)
                    .or_else(|| user.cloned()),
                line: self.line(c),
            });
        }
        out
    }

    /// Every code a coding names, and every source a case or set names,
    /// is in the project.
    pub(super) fn check_references(&mut self) {
        // A coding may name a case (NVivo: the case's text).
        let codes: HashSet<&str> = (self.project.codes.iter().map(|c| c.guid.as_str()))
            .chain(self.project.cases.iter().map(|c| c.guid.as_str()))
            .collect();
        let sources: HashSet<&str> = self
            .project
            .sources
            .iter()
            .map(|s| s.guid.as_str())
            .collect();
        // Located as they are found, the first [`MAX_LISTED`] kept.
        let mut problems = Vec::new();
        let mut more = 0;
        let mut tell = |line: u64, message: String| match problems.len() < MAX_LISTED {
            true => problems.push((line, message)),
            false => more += 1,
        };
        for s in &self.project.sources {
            for c in s.selections.iter().flat_map(|sel| &sel.codings) {
                if !codes.contains(c.code.as_str()) {
                    tell(
                        c.line,
                        format!(
                            "<Coding> of the source \"{}\" names the code {}, which the code book does not hold",
                            excerpt(&s.name),
                            excerpt(&c.code)
                        ),
                    );
                }
            }
        }
        let groups = (self.project.cases.iter().map(|g| ("case", g)))
            .chain(self.project.sets.iter().map(|g| ("set", g)));
        for (what, g) in groups {
            for (source, line) in &g.sources {
                if !sources.contains(source.as_str()) {
                    tell(
                        *line,
                        format!(
                            "the {what} \"{}\" names the source {}, which the project does not hold",
                            excerpt(&g.name),
                            excerpt(source)
                        ),
                    );
                }
            }
        }
        for (line, message) in problems {
            match self.problems.len() < MAX_LISTED {
                true => self.problems.push(Problem::at(self.file, line, message)),
                false => self.more += 1,
            }
        }
        self.more += more;
    }
}
