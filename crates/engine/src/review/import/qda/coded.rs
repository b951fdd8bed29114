//! What the codes of a project add to a folder: a finding per code
//! passages may be coded with (its parent code its group); and what the
//! folder took from the project before that the project no longer holds.

use std::collections::{HashMap, HashSet};

use super::QdaImported;
use super::merge::{Tables, index};
use super::project::{Code, Project};
use crate::review::dataset::files::QDA_GUID as GUID;
use crate::review::dataset::files::ReviewFile;
use crate::review::import::file::CsvFile;
use crate::review::import::keys::{Numbering, Taken};

/// How many changed or vanished rows are listed one by one.
const LISTED: usize = 10;

/// A code's group and name: its parent's name, else the part of its name
/// before `::` (ATLAS.ti keeps its code groups flat, as `Hope::Less
/// alone`), else none.
fn parts<'a>(project: &'a Project, code: &'a Code) -> (Option<&'a str>, &'a str) {
    if let Some(p) = code.parent {
        return (Some(project.codes[p].name.as_str()), code.name.as_str());
    }
    match code.name.split_once("::") {
        Some((group, name)) if !group.trim().is_empty() && !name.trim().is_empty() => {
            (Some(group.trim()), name.trim())
        }
        _ => (None, code.name.as_str()),
    }
}

/// Whether any code has a group: findings then have a grouping column.
pub(super) fn grouped(project: &Project) -> bool {
    (project.codes.iter()).any(|c| parts(project, c).0.is_some())
}

/// The findings a folder has, as an import matches codes to them.
struct Existing {
    ids: Vec<String>,
    names: Vec<String>,
    by_guid: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// Whether each row is a code's (has a GUID, or was just matched).
    matched: Vec<bool>,
    /// Rows of each name (lower case).
    named: HashMap<String, usize>,
    /// The project's codes of each name (lower case).
    codes_named: HashMap<String, usize>,
}

impl Existing {
    fn of(t: &Tables, project: &Project) -> Existing {
        let cells = |name| -> Vec<String> {
            t.findings
                .values(name)
                .iter()
                .map(|s| s.to_string())
                .collect()
        };
        let names = cells("name");
        let mut named: HashMap<String, usize> = HashMap::new();
        for n in &names {
            *named.entry(n.to_lowercase()).or_default() += 1;
        }
        let mut codes_named: HashMap<String, usize> = HashMap::new();
        for code in &project.codes {
            *codes_named
                .entry(parts(project, code).1.to_lowercase())
                .or_default() += 1;
        }
        Existing {
            ids: cells("id"),
            matched: cells(GUID).iter().map(|g| !g.is_empty()).collect(),
            by_guid: index(&t.findings, GUID),
            by_name: index(&t.findings, "name"),
            names,
            named,
            codes_named,
        }
    }

    /// The row of the code `guid` named `name`: its own by GUID; else a
    /// finding of its name when no other code and no other finding has
    /// that name (NVivo's `Other` under two parents is two findings) and
    /// the finding is no code's yet (then tied to the code).
    fn row_of(&mut self, t: &mut Tables, guid: &str, name: &str) -> Option<usize> {
        if let Some(&i) = self.by_guid.get(guid) {
            return Some(i);
        }
        let lower = name.to_lowercase();
        let alone = self.codes_named.get(&lower) == Some(&1) && self.named.get(&lower) == Some(&1);
        let i = *self
            .by_name
            .get(&lower)
            .filter(|&&i| alone && !self.matched[i])?;
        self.matched[i] = true;
        t.findings.set(i, GUID, guid.to_string());
        Some(i)
    }
}

/// The ids new findings get: the next numbers where findings are
/// numbered, else `F1`, `F2`, ... not taken.
struct NewIds {
    numbers: Numbering,
    taken: Taken,
    next: usize,
}

impl NewIds {
    fn of(ids: &[String]) -> NewIds {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        NewIds {
            numbers: Numbering::of(&ids),
            taken: Taken::of(&ids),
            next: ids.len() + 1,
        }
    }

    fn next(&mut self) -> String {
        if let Some(n) = self.numbers.next() {
            return self.taken.take(n);
        }
        loop {
            let key = format!("F{}", self.next);
            self.next += 1;
            if !self.taken.contains(&key) {
                return self.taken.take(key);
            }
        }
    }
}

/// Adds the findings of codes new to the folder; returns each code's
/// finding (by GUID). A code is a finding when passages may be coded with
/// it, or are (a code folder that codes nothing is a group only); a case's
/// own code (NVivo) is none.
pub(super) fn add_findings(
    t: &mut Tables,
    project: &Project,
    cases: &HashSet<&str>,
    group: &str,
    done: &mut QdaImported,
) -> HashMap<String, String> {
    let coded: HashSet<&str> = (project.sources.iter())
        .flat_map(|s| &s.selections)
        .flat_map(|s| &s.codings)
        .map(|c| c.code.as_str())
        .collect();
    let mut existing = Existing::of(t, project);
    let mut ids = NewIds::of(&existing.ids);
    let grouped = grouped(project);
    let mut out = HashMap::new();
    let mut renamed = Vec::new();
    for code in &project.codes {
        let (in_group, name) = parts(project, code);
        let finding = code.codable || coded.contains(code.guid.as_str());
        if !finding || cases.contains(code.guid.as_str()) {
            continue;
        }
        if let Some(i) = existing.row_of(t, &code.guid, name) {
            let (id, was) = (&existing.ids[i], &existing.names[i]);
            if was != name {
                renamed.push(format!(
                    "finding {id}: the code is now named \"{name}\" in the project; {} keeps \"{was}\"",
                    ReviewFile::Findings.file()
                ));
            }
            out.insert(code.guid.clone(), id.clone());
            continue;
        }
        let id = ids.next();
        let mut row = vec![("id", id.clone()), ("name", name.to_string())];
        if !code.description.is_empty() {
            row.push(("description", code.description.clone()));
        }
        if grouped {
            // A code at the top of a grouped tree is its own group (a
            // theme coded directly, as MAXQDA and NVivo allow).
            row.push((group, in_group.unwrap_or(name).to_string()));
        }
        row.push((GUID, code.guid.clone()));
        t.findings.add(&row);
        done.findings.push((id.clone(), name.to_string()));
        out.insert(code.guid.clone(), id);
    }
    listed(&mut done.changed, renamed, "findings renamed");
    out
}

/// What the folder took from the project before and the project no
/// longer holds: kept, and told.
pub(super) fn vanished(t: &Tables, project: &Project, done: &mut QdaImported) {
    let codes: HashSet<&str> = project.codes.iter().map(|c| c.guid.as_str()).collect();
    let sources: HashSet<&str> = project.sources.iter().map(|s| s.guid.as_str()).collect();
    let codings: HashSet<&str> = (project.sources.iter())
        .flat_map(|s| &s.selections)
        .flat_map(|s| &s.codings)
        .map(|c| c.guid.as_str())
        .collect();
    let finding = |c: &[&str]| format!("finding {} ({})", c[0], c[1]);
    let vanished = gone(&t.findings, &codes, &["id", "name"], finding);
    listed(&mut done.vanished, vanished, "findings");
    if !project.codebook {
        let paper = |c: &[&str]| format!("paper {} ({})", c[0], c[1]);
        let vanished = gone(&t.papers, &sources, &["id", "citation"], paper);
        listed(&mut done.vanished, vanished, "papers");
        let passage = |c: &[&str]| format!("the passage of {} coded {} at {}", c[0], c[1], c[2]);
        let vanished = gone(
            &t.extracts,
            &codings,
            &["paper", "finding", "place"],
            passage,
        );
        listed(&mut done.vanished, vanished, "passages");
    }
}

/// The rows of `file` tied to a GUID the project no longer holds, each
/// shown by `show` from its cells of `columns` (each column read once:
/// read per row, 50,000 vanished passages were quadratic).
fn gone(
    file: &CsvFile,
    known: &HashSet<&str>,
    columns: &[&str],
    show: impl Fn(&[&str]) -> String,
) -> Vec<String> {
    let cells: Vec<Vec<&str>> = columns.iter().map(|c| file.values(c)).collect();
    (file.values(GUID).iter().enumerate())
        .filter(|(_, g)| !g.is_empty() && !known.contains(g.to_lowercase().as_str()))
        .map(|(i, _)| show(&cells.iter().map(|c| c[i]).collect::<Vec<_>>()))
        .collect()
}

/// The first 60 characters of `text`, and `...` when there are more.
pub(super) fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

/// `items` into `out`, the first [`LISTED`] one by one and the rest
/// counted.
pub(super) fn listed(out: &mut Vec<String>, items: Vec<String>, what: &str) {
    let n = items.len();
    out.extend(items.into_iter().take(LISTED));
    if n > LISTED {
        out.push(format!("and {} more {what}", n - LISTED));
    }
}
