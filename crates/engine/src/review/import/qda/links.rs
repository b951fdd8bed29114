//! What the codings of a project add to a folder: an evidence link per
//! finding coded in a study, an extract per coding, each coder's own
//! links; each once, however often the project is imported.

use std::collections::{HashMap, HashSet};

use super::QdaImported;
use super::coded::{listed, short};
use super::merge::{From, Tables, index};
use crate::review::dataset::files::QDA_GUID as GUID;
use crate::review::dataset::files::ReviewFile;

const EXTRACTS: &str = ReviewFile::Extracts.file();
const EVIDENCE: &str = ReviewFile::Evidence.file();
const CODING: &str = ReviewFile::Coding.file();

/// One coding, as its rows say it.
struct Coded<'a> {
    finding: &'a str,
    paper: &'a str,
    study: &'a str,
    place: &'a str,
    quote: &'a str,
    coder: String,
    guid: &'a str,
}

/// A finding and study as compared: in any case.
fn pair(f: &str, s: &str) -> (String, String) {
    (f.trim().to_lowercase(), s.trim().to_lowercase())
}

/// What the folder holds already, so that each row is added once.
struct Known {
    links: HashSet<(String, String)>,
    own: HashSet<(String, String, String)>,
    /// Extract row by its coding's GUID, and each row's finding, place
    /// and quote.
    extracts: HashMap<String, usize>,
    was: Vec<(String, (String, String))>,
    /// Whether coders' own links are kept (two coders, or coding.csv there).
    double: bool,
    /// Codings without a coder, in a project of two coders.
    unattributed: usize,
    changed: Vec<String>,
}

impl Known {
    fn of(t: &Tables, double: bool) -> Known {
        let links = (t.evidence.values("finding").into_iter())
            .zip(t.evidence.values("study"))
            .map(|(f, s)| pair(f, s))
            .collect();
        let own = (t.coding.values("finding").into_iter())
            .zip(t.coding.values("study"))
            .zip(t.coding.values("coder"))
            .map(|((f, s), c)| {
                let (f, s) = pair(f, s);
                (f, s, c.trim().to_lowercase())
            })
            .collect();
        let cells = |name| t.extracts.values(name).into_iter().map(str::to_string);
        Known {
            links,
            own,
            extracts: index(&t.extracts, GUID),
            was: cells("finding")
                .zip(cells("place").zip(cells("quote")))
                .collect(),
            double,
            unattributed: 0,
            changed: Vec::new(),
        }
    }

    /// The evidence link of `c`, unless there.
    fn link(&mut self, t: &mut Tables, c: &Coded, done: &mut QdaImported) {
        if self.links.insert(pair(c.finding, c.study)) {
            t.evidence.add(&[
                ("finding", c.finding.to_string()),
                ("study", c.study.to_string()),
            ]);
            done.links += 1;
        }
    }

    /// The extract of `c`.
    fn extract(&mut self, t: &mut Tables, c: &Coded, done: &mut QdaImported) {
        t.extracts.add(&[
            ("finding", c.finding.to_string()),
            ("paper", c.paper.to_string()),
            ("place", c.place.to_string()),
            ("quote", c.quote.to_string()),
            ("coder", c.coder.clone()),
            (GUID, c.guid.to_string()),
        ]);
        done.extracts += 1;
    }

    /// Whether an earlier import brought `c` (its extract is there): then
    /// nothing of it is added again (a link the reviewers removed since
    /// stays removed), and what the project now says differently is told.
    fn imported(&mut self, c: &Coded) -> bool {
        let Some(&row) = self.extracts.get(c.guid) else {
            return false;
        };
        let (finding, paper, place, quote) = (c.finding, c.paper, c.place, c.quote);
        let (was_coded, (was_at, was_quoted)) = &self.was[row];
        if !was_coded.eq_ignore_ascii_case(finding) {
            self.changed.push(format!(
                "the passage of {paper} at {place} is now coded {finding} in the project; {EXTRACTS} keeps it coded {was_coded} (and {EVIDENCE} its link)"
            ));
        } else if (was_at.as_str(), was_quoted.as_str()) != (place, quote) {
            let what = match was_at == place {
                true => format!("quotes \"{}\"", short(quote)),
                false => format!("is at {place}"),
            };
            self.changed.push(format!(
                "the passage of {paper} coded {finding} at {was_at} now {what} in the project; {EXTRACTS} keeps it as it was"
            ));
        }
        true
    }

    /// The coder's own link of `c`, when coders' links are kept.
    fn own(&mut self, t: &mut Tables, c: &Coded, done: &mut QdaImported) {
        if !self.double {
            return;
        }
        if c.coder.is_empty() {
            self.unattributed += 1;
            return;
        }
        let (f, s) = pair(c.finding, c.study);
        if self.own.insert((f, s, c.coder.to_lowercase())) {
            t.coding.add(&[
                ("finding", c.finding.to_string()),
                ("study", c.study.to_string()),
                ("coder", c.coder.clone()),
            ]);
            done.coding += 1;
        }
    }
}

/// Adds an evidence link per finding coded in a study, an extract per
/// coding, and (when two or more coders coded, or the folder keeps
/// coding.csv) each coder's own links.
pub(super) fn add_links(
    t: &mut Tables,
    from: &From,
    papers: &HashMap<String, (String, String)>,
    findings: &HashMap<String, String>,
    cases: &HashSet<&str>,
    done: &mut QdaImported,
) {
    let project = from.project;
    let coder_of = |user: &Option<String>| match user {
        Some(g) => project.users.get(g).cloned().unwrap_or_else(|| g.clone()),
        None => String::new(),
    };
    let codings = || {
        (project.sources.iter().flat_map(|s| &s.selections))
            .flat_map(|s| &s.codings)
            .filter(|c| !cases.contains(c.code.as_str()))
    };
    let mut coders: Vec<String> = codings()
        .map(|c| coder_of(&c.user))
        .filter(|c| !c.is_empty())
        .collect();
    coders.sort();
    coders.dedup();
    let mut known = Known::of(t, coders.len() >= 2 || t.coding.exists());
    for source in &project.sources {
        let (paper, study) = &papers[&source.guid];
        for (i, sel) in source.selections.iter().enumerate() {
            let Some((place, quote)) = from.quotes.of.get(&(source.guid.clone(), i)) else {
                continue;
            };
            for c in sel
                .codings
                .iter()
                .filter(|c| !cases.contains(c.code.as_str()))
            {
                let Some(finding) = findings.get(&c.code) else {
                    continue;
                };
                let coded = Coded {
                    finding,
                    paper,
                    study,
                    place,
                    quote: quote.trim(),
                    coder: coder_of(&c.user),
                    guid: &c.guid,
                };
                if !known.imported(&coded) {
                    known.link(t, &coded, done);
                    known.extract(t, &coded, done);
                }
                // Each coder's own links are the raw coding, never
                // reconciled: a second coder joining later brings the
                // first's too.
                known.own(t, &coded, done);
            }
        }
    }
    if known.double {
        done.notes.push(format!("coded by {}: each coder's links in {CODING} (metasum agreement compares them); {EVIDENCE} holds every link any coder made", coders.join(", ")));
    }
    if known.unattributed > 0 {
        done.notes.push(format!(
            "{} codings name no coder: they are in {EVIDENCE} and {EXTRACTS}, not {CODING}",
            known.unattributed
        ));
    }
    listed(&mut done.changed, known.changed, "passages moved");
}
