//! A REFI-QDA project (`project.qde`, namespace `urn:QDA-XML:project:1.0`)
//! or codebook (`.qdc`, `urn:QDA-XML:codebook:1.0`) read into what an
//! import needs: users, the code tree, cases, sets, and the sources with
//! their coded selections. Elements are matched by local name (exporters
//! differ in prefixes); GUIDs are compared without braces, in lower case,
//! as the schema's `GUIDType` allows either. Every problem names the
//! element and its line; the text is parsed without a DTD (entities
//! refused) and with a bound on its nodes.

use std::collections::{HashMap, HashSet};

use metasum_query::error::excerpt;
use roxmltree::{Document, Node, ParsingOptions};

mod sources;

use crate::problem::{MAX_LISTED, Problem};
use crate::review::import::LineStarts;

/// The most elements (and other nodes) a project may hold: a review's
/// project of 500 papers and 100,000 codings is under 2 million (20
/// million nodes took 1.5 GB to read).
pub const MAX_NODES: u32 = 5_000_000;

/// What a project holds, in document order.
#[derive(Debug, Default)]
pub struct Project {
    /// The program that wrote it (`origin`: `NVivo 14`, `MAXQDA 2022`).
    pub origin: String,
    /// The project's name.
    pub name: String,
    /// Whether it is a codebook (`.qdc`: codes only).
    pub codebook: bool,
    /// User GUID -> name.
    pub users: HashMap<String, String>,
    /// Every code, parents before their children.
    pub codes: Vec<Code>,
    /// Cases with the sources they name.
    pub cases: Vec<Group>,
    /// Sets with the sources they hold.
    pub sets: Vec<Group>,
    /// The sources (documents).
    pub sources: Vec<Source>,
}

/// A code of the code book.
#[derive(Debug, Clone)]
pub struct Code {
    /// Its GUID (normalised).
    pub guid: String,
    /// Its name.
    pub name: String,
    /// Its description (`<Description>`), trimmed.
    pub description: String,
    /// Whether passages may be coded with it (`isCodable`).
    pub codable: bool,
    /// Its parent's index in [`Project::codes`].
    pub parent: Option<usize>,
}

/// A case or a set: a name for some sources.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its GUID (normalised).
    pub guid: String,
    /// Its name.
    pub name: String,
    /// The GUIDs of its sources, each with the line that names it.
    pub sources: Vec<(String, u64)>,
}

/// What kind of document a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// `TextSource`.
    Text,
    /// `PDFSource`.
    Pdf,
    /// `PictureSource`.
    Picture,
    /// `AudioSource`.
    Audio,
    /// `VideoSource`.
    Video,
}

/// Where a source's plain text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextAt {
    /// In the project (`<PlainTextContent>`).
    Inline(String),
    /// In the archive's `sources/` folder (`internal://NAME`).
    Archive(String),
    /// Outside the project (`relative://`, `file://`, a path): never read.
    Outside(String),
    /// Nowhere.
    None,
}

/// A document of the project.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its GUID (normalised).
    pub guid: String,
    /// Its name.
    pub name: String,
    /// Its plain text (a PDF's from its `<Representation>`).
    pub text: TextAt,
    /// Its coded passages, and codings of it whole.
    pub selections: Vec<Selection>,
    /// Its line.
    pub line: u64,
}

/// Where a coded passage is in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Characters `start` to `end` of the plain text (end excluded).
    Text { start: u64, end: u64 },
    /// A region of a PDF's page (from 1? as the exporter counts).
    Page { page: u64 },
    /// A rectangle of a picture.
    Region { x1: i64, y1: i64, x2: i64, y2: i64 },
    /// A stretch of a recording, in milliseconds.
    Time { begin: u64, end: u64 },
    /// A stretch of a transcript between two sync points.
    Transcript,
    /// The source as a whole (a `Coding` of the source itself).
    Whole,
}

/// A coded passage.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Its name: several programs write the selected text here.
    pub name: String,
    /// Where it is.
    pub place: Place,
    /// A PDF selection's characters in the PDF's text representation.
    pub text_place: Option<(u64, u64)>,
    /// Its codings.
    pub codings: Vec<Coding>,
    /// Its line.
    pub line: u64,
}

/// A code applied to a passage.
#[derive(Debug, Clone)]
pub struct Coding {
    /// Its GUID (normalised).
    pub guid: String,
    /// The code's GUID (normalised).
    pub code: String,
    /// Who coded (a user GUID), when the project says.
    pub user: Option<String>,
    /// Its line.
    pub line: u64,
}

/// A GUID as compared: braces dropped, lower case.
pub fn guid(text: &str) -> String {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    t.to_ascii_lowercase()
}

/// Reads a project or codebook `text` named `file`; every problem located.
pub fn parse(file: &str, text: &str) -> Result<Project, Vec<Problem>> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        let (mut line, mut col) = (u64::from(pos.row), u64::from(pos.col));
        if let (roxmltree::Error::DtdDetected, Some(at)) = (&e, text.find("<!DOCTYPE")) {
            // roxmltree places it at the document's start: the DTD's own.
            (line, col) = LineStarts::of(text).place(text, at);
        }
        let why = match e {
            roxmltree::Error::DtdDetected => {
                "holds a DTD (<!DOCTYPE ...>): a QDA project has none, and its entities are not read".to_string()
            }
            roxmltree::Error::NodesLimitReached => format!(
                "holds more than {MAX_NODES} XML nodes: more than a review's project has"
            ),
            other => format!("is not well-formed XML: {other}"),
        };
        vec![Problem {
            col: Some(col),
            ..Problem::at(file, line, why)
        }]
    })?;
    let mut reader = Reader {
        file,
        text,
        doc: &doc,
        lines: LineStarts::of(text),
        problems: Vec::new(),
        more: 0,
        project: Project::default(),
        seen: HashSet::new(),
    };
    reader.root();
    reader.check_references();
    if reader.more > 0 {
        let more = reader.more;
        reader.problems.push(Problem::unlisted(
            file,
            more,
            format!("and {more} more problems like the {MAX_LISTED} above, not listed"),
        ));
    }
    match reader.problems.is_empty() {
        true => Ok(reader.project),
        false => Err(reader.problems),
    }
}

struct Reader<'a, 'input> {
    file: &'a str,
    text: &'a str,
    doc: &'a Document<'input>,
    /// Where each line starts: a node's line found by binary search
    /// (roxmltree's `text_pos_at` counts from the start each time, which
    /// made a one-line project of 50,000 codings take minutes).
    lines: LineStarts,
    problems: Vec<Problem>,
    /// Problems past the first [`MAX_LISTED`], counted.
    more: usize,
    project: Project,
    /// GUIDs met, each once among elements of a kind (programs share
    /// GUIDs across kinds: NVivo's case and its code, ATLAS.ti's PDF
    /// selection and its text representation).
    seen: HashSet<(&'static str, String)>,
}

/// The element children of `node` named `name`.
fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The first element child of `node` named `name`.
fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

impl Reader<'_, '_> {
    fn line(&self, node: Node) -> u64 {
        self.lines.line(node.range().start)
    }

    fn problem(&mut self, node: Node, message: String) {
        if self.problems.len() >= MAX_LISTED {
            self.more += 1;
            return;
        }
        let (line, col) = self.lines.place(self.text, node.range().start);
        let message = format!("<{}>: {message}", node.tag_name().name());
        self.problems.push(Problem {
            col: Some(col),
            ..Problem::at(self.file, line, message)
        });
    }

    /// The attribute `name` of `node`, a problem when it is missing.
    fn required(&mut self, node: Node, name: &str) -> Option<String> {
        match node.attribute(name) {
            Some(v) => Some(v.to_string()),
            None => {
                self.problem(
                    node,
                    format!("has no `{name}` attribute (the schema requires it)"),
                );
                None
            }
        }
    }

    /// The node's GUID, a problem when missing or met before on an
    /// element of its `kind`.
    fn guid(&mut self, node: Node, kind: &'static str) -> Option<String> {
        let g = guid(&self.required(node, "guid")?);
        if g.is_empty() {
            self.problem(node, "has an empty `guid`".into());
            return None;
        }
        if !self.seen.insert((kind, g.clone())) {
            self.problem(
                node,
                format!("has the guid {}, which a {kind} before it has", excerpt(&g)),
            );
            return None;
        }
        Some(g)
    }

    /// The node's GUID, not required to differ from any other (a
    /// selection's: no row is keyed on it), only to be there.
    fn any_guid(&mut self, node: Node) -> Option<String> {
        Some(guid(&self.required(node, "guid")?))
    }

    /// A whole-number attribute.
    fn number<T: std::str::FromStr>(&mut self, node: Node, name: &str) -> Option<T> {
        let text = self.required(node, name)?;
        match text.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.problem(
                    node,
                    format!(
                        "`{name}` is \"{}\", not a whole number (of this size)",
                        excerpt(&text)
                    ),
                );
                None
            }
        }
    }

    fn root(&mut self) {
        let root = self.doc.root_element();
        let kind = root.tag_name().name();
        let namespace = root.tag_name().namespace().unwrap_or("");
        self.project.origin = root.attribute("origin").unwrap_or("").to_string();
        self.project.name = root.attribute("name").unwrap_or("").to_string();
        match kind {
            "Project" => {}
            "CodeBook" => {
                // A codebook (.qdc): its codes, no sources.
                self.project.codebook = true;
                if let Some(codes) = child(root, "Codes") {
                    self.codes(codes, None);
                }
                return;
            }
            other => {
                self.problem(
                    root,
                    format!(
                        "is the document's root, where a REFI-QDA project has <Project> (namespace urn:QDA-XML:project:1.0) and a codebook <CodeBook>; found <{}> in namespace \"{}\"", excerpt(other), excerpt(namespace)
                    ),
                );
                return;
            }
        }
        if let Some(users) = child(root, "Users") {
            for user in children(users, "User") {
                if let Some(g) = self.guid(user, "user") {
                    let name = user.attribute("name").unwrap_or("").trim().to_string();
                    let name = if name.is_empty() {
                        user.attribute("id").unwrap_or(&g).to_string()
                    } else {
                        name
                    };
                    self.project.users.insert(g, name);
                }
            }
        }
        if let Some(codes) = child(root, "CodeBook").and_then(|b| child(b, "Codes")) {
            self.codes(codes, None);
        }
        if let Some(cases) = child(root, "Cases") {
            for case in children(cases, "Case") {
                if let Some(group) = self.group(case, "case", "SourceRef") {
                    self.project.cases.push(group);
                }
            }
        }
        if let Some(sources) = child(root, "Sources") {
            for source in sources.children().filter(Node::is_element) {
                self.source(source);
            }
        }
        if let Some(sets) = child(root, "Sets") {
            for set in children(sets, "Set") {
                if let Some(group) = self.group(set, "set", "MemberSource") {
                    self.project.sets.push(group);
                }
            }
        }
    }

    /// The codes under `node`, depth first, with their parent. A deep
    /// tree is walked with a stack, not recursion.
    fn codes(&mut self, node: Node, parent: Option<usize>) {
        let mut stack: Vec<(Node, Option<usize>)> =
            children(node, "Code").map(|c| (c, parent)).collect();
        stack.reverse();
        while let Some((code, parent)) = stack.pop() {
            let Some(g) = self.guid(code, "code") else {
                continue;
            };
            let name = self.required(code, "name").unwrap_or_else(|| "?".into());
            if name.trim().is_empty() {
                self.problem(
                    code,
                    "has an empty name: a finding needs one (name the code in the QDA program)"
                        .into(),
                );
            }
            let codable = match code.attribute("isCodable").map(str::trim) {
                Some("true" | "1") => true,
                Some("false" | "0") => false,
                // The schema requires it; a code without it was made to
                // be coded (as every program's codes are by default).
                None => true,
                Some(other) => {
                    self.problem(
                        code,
                        format!("`isCodable` is \"{}\", not true or false", excerpt(other)),
                    );
                    true
                }
            };
            let description = child(code, "Description")
                .and_then(|d| d.text())
                .unwrap_or("")
                .trim()
                .to_string();
            let index = self.project.codes.len();
            self.project.codes.push(Code {
                guid: g,
                name: name.trim().to_string(),
                description,
                codable,
                parent,
            });
            let mut kids: Vec<(Node, Option<usize>)> =
                children(code, "Code").map(|c| (c, Some(index))).collect();
            kids.reverse();
            stack.extend(kids);
        }
    }

    /// A case or set and the sources it names (`SourceRef` or
    /// `MemberSource` elements).
    fn group(&mut self, node: Node, kind: &'static str, member: &'static str) -> Option<Group> {
        let g = self.guid(node, kind)?;
        let mut sources = Vec::new();
        for r in children(node, member) {
            if let Some(target) = self.required(r, "targetGUID") {
                sources.push((guid(&target), self.line(r)));
            }
        }
        Some(Group {
            guid: g,
            name: node.attribute("name").unwrap_or("").trim().to_string(),
            sources,
        })
    }
}
