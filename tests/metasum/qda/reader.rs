//! What a REFI-QDA project says, read here with roxmltree and nothing of
//! metasum's: which studies each code is found in, each coding's quote,
//! each coder's links. The tests compare metasum's tables with this.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use roxmltree::{Document, Node};

/// A project's figures, by code name.
#[derive(Debug, Default)]
pub struct Expected {
    /// How many studies the project's sources report.
    pub studies: usize,
    /// Code GUID -> the studies (GUIDs) coded with it, for every code
    /// that is a finding (codable or coded; not a case's own code).
    pub findings: BTreeMap<String, BTreeSet<String>>,
    /// Code GUID -> its name as a finding.
    pub names: BTreeMap<String, String>,
    /// (code GUID, quote), one per coding.
    pub quotes: Vec<(String, String)>,
    /// Coder name -> (code GUID, study) links.
    pub by_coder: BTreeMap<String, BTreeSet<(String, String)>>,
    /// The coders in the order their first coding comes.
    pub coders: Vec<String>,
}

fn elements<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn kids<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn g(text: &str) -> String {
    text.trim_matches(['{', '}']).to_lowercase()
}

/// The figures of the project `qde`, its sources' texts given by
/// `texts` (the part after `internal://`), `\r\n` counted as one
/// character when `crlf_one`.
pub fn expected(qde: &str, texts: &dyn Fn(&str) -> Option<String>, crlf_one: bool) -> Expected {
    let doc = Document::parse(qde).unwrap();
    let root = doc.root_element();
    let users: HashMap<String, String> = elements(root, "User")
        .map(|u| {
            (
                g(u.attribute("guid").unwrap()),
                u.attribute("name").unwrap_or("").to_string(),
            )
        })
        .collect();
    let cases: Vec<Node> = elements(root, "Case").collect();
    let case_guids: HashSet<String> = cases
        .iter()
        .map(|c| g(c.attribute("guid").unwrap()))
        .collect();
    // A case holds the sources it names, and (NVivo) those coded with
    // its own code; sets are not studies.
    let mut study_of: HashMap<String, String> = HashMap::new();
    for case in &cases {
        let guid = g(case.attribute("guid").unwrap());
        for r in kids(*case, "SourceRef") {
            study_of
                .entry(g(r.attribute("targetGUID").unwrap()))
                .or_insert(guid.clone());
        }
        for coding in elements(root, "Coding") {
            let code = g(kids(coding, "CodeRef")
                .next()
                .unwrap()
                .attribute("targetGUID")
                .unwrap());
            if code == guid {
                let source = coding
                    .ancestors()
                    .find(|a| a.tag_name().name().ends_with("Source"))
                    .unwrap();
                study_of
                    .entry(g(source.attribute("guid").unwrap()))
                    .or_insert(guid.clone());
            }
        }
    }
    let sources: Vec<Node> = (root.descendants())
        .filter(|n| {
            n.is_element()
                && n.tag_name().name().ends_with("Source")
                && n.parent_element()
                    .is_some_and(|p| p.tag_name().name() == "Sources")
        })
        .collect();
    for s in &sources {
        let guid = g(s.attribute("guid").unwrap());
        study_of.entry(guid.clone()).or_insert(guid);
    }
    // A top-level `Group::Code` name (ATLAS.ti) is the code `Code`.
    let shown = |c: Node| {
        let name = c.attribute("name").unwrap().trim();
        let top = c
            .parent_element()
            .is_some_and(|p| p.tag_name().name() == "Codes");
        match name.split_once("::") {
            Some((_, n)) if top => n.trim().to_string(),
            _ => name.to_string(),
        }
    };
    let codes: HashMap<String, (String, bool)> = elements(root, "Code")
        .map(|c| {
            (
                g(c.attribute("guid").unwrap()),
                (shown(c), c.attribute("isCodable") != Some("false")),
            )
        })
        .collect();
    let mut out = Expected {
        studies: study_of.values().collect::<HashSet<_>>().len(),
        ..Expected::default()
    };
    for (guid, (name, codable)) in &codes {
        if !case_guids.contains(guid) {
            out.names.insert(guid.clone(), name.clone());
        }
        if *codable && !case_guids.contains(guid) {
            out.findings.entry(guid.clone()).or_default();
        }
    }
    let text_of = |n: Node| -> Option<String> {
        let text = match kids(n, "PlainTextContent").next() {
            Some(c) => c.text().unwrap_or("").to_string(),
            None => texts(n.attribute("plainTextPath")?.strip_prefix("internal://")?)?,
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        Some(if crlf_one {
            text.replace("\r\n", "\n")
        } else {
            text
        })
    };
    for s in &sources {
        let study = study_of[&g(s.attribute("guid").unwrap())].clone();
        let own = text_of(*s);
        let rep = kids(*s, "Representation").next();
        let rep_text = rep.and_then(text_of);
        for coding in elements(*s, "Coding") {
            let code = g(kids(coding, "CodeRef")
                .next()
                .unwrap()
                .attribute("targetGUID")
                .unwrap());
            if case_guids.contains(&code) {
                continue;
            }
            let name = code.clone();
            let sel = coding.parent_element().unwrap();
            let slice = |t: &str, n: Node| {
                let start: usize = n.attribute("startPosition").unwrap().parse().unwrap();
                let end: usize = n.attribute("endPosition").unwrap().parse().unwrap();
                t.chars().skip(start).take(end - start).collect::<String>()
            };
            let quote = match sel.tag_name().name() {
                "PlainTextSelection" => {
                    let inside_rep = sel
                        .parent_element()
                        .is_some_and(|p| p.tag_name().name() == "Representation");
                    let text = if inside_rep {
                        rep_text.clone()
                    } else {
                        own.clone()
                    };
                    slice(&text.unwrap(), sel)
                }
                "PDFSelection" => match (
                    kids(sel, "Representation")
                        .next()
                        .and_then(|r| kids(r, "PlainTextSelection").next()),
                    &rep_text,
                ) {
                    (Some(inner), Some(t)) => slice(t, inner),
                    _ => sel.attribute("name").unwrap_or("").to_string(),
                },
                // A coding of the source as a whole quotes nothing.
                whole if whole.ends_with("Source") => String::new(),
                _ => sel.attribute("name").unwrap_or("").to_string(),
            };
            out.quotes.push((name.clone(), quote.trim().to_string()));
            out.findings
                .entry(name.clone())
                .or_default()
                .insert(study.clone());
            let user = coding
                .attribute("creatingUser")
                .or(sel.attribute("creatingUser"))
                .map(g);
            let user = user.filter(|u| !u.is_empty());
            if let Some(coder) = user.map(|u| users.get(&u).cloned().unwrap_or(u)) {
                if !out.coders.contains(&coder) {
                    out.coders.push(coder.clone());
                }
                out.by_coder
                    .entry(coder)
                    .or_default()
                    .insert((name, study.clone()));
            }
        }
    }
    out
}

impl Expected {
    /// Per finding, as `agreement` counts the first two coders' links:
    /// studies both, only the first, only the second, neither coded.
    pub fn agreement(&self) -> BTreeMap<String, [usize; 4]> {
        let [first, second] = [0, 1].map(|i| &self.by_coder[&self.coders[i]]);
        (self.findings.keys())
            .map(|name| {
                let of = |links: &BTreeSet<(String, String)>| -> BTreeSet<String> {
                    (links.iter())
                        .filter(|(f, _)| f == name)
                        .map(|(_, s)| s.clone())
                        .collect()
                };
                let (a, b) = (of(first), of(second));
                let both = a.intersection(&b).count();
                let either = a.union(&b).count();
                (
                    name.clone(),
                    [both, a.len() - both, b.len() - both, self.studies - either],
                )
            })
            .collect()
    }
}

/// FES as metasum prints it: one decimal, half away from zero, from the
/// whole numbers.
pub fn fes(n: usize, of: usize) -> String {
    let tenths = (n * 1000 * 2 + of) / (of * 2);
    format!("{}.{}", tenths / 10, tenths % 10)
}
