//! What the codes and codings of a project add to a folder: a finding per
//! code passages may be coded with (its parent code its group), an
//! evidence link per finding coded in a study, an extract per coding,
//! each coder's own links; and what the folder took from the project
//! before that the project no longer holds.

use std::collections::{HashMap, HashSet};

use super::QdaImported;
use super::merge::{From, Tables, index};
use super::project::{Code, Project};
use crate::review::dataset::extracts::GUID;
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
    let by_guid = index(&t.findings, GUID);
    let by_name = index(&t.findings, "name");
    let ids: Vec<String> = t
        .findings
        .values("id")
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let names: Vec<String> = t
        .findings
        .values("name")
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let mut guids: Vec<bool> = t
        .findings
        .values(GUID)
        .iter()
        .map(|g| !g.trim().is_empty())
        .collect();
    let mut rows_named: HashMap<String, usize> = HashMap::new();
    for n in &names {
        *rows_named.entry(n.to_lowercase()).or_default() += 1;
    }
    let mut shared: HashMap<String, usize> = HashMap::new();
    for code in &project.codes {
        *shared
            .entry(parts(project, code).1.to_lowercase())
            .or_default() += 1;
    }
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut numbers = Numbering::of(&id_refs);
    let mut taken = Taken::of(&id_refs);
    let mut next = ids.len() + 1;
    let mut out = HashMap::new();
    let mut renamed = Vec::new();
    let grouped = grouped(project);
    for code in &project.codes {
        let (in_group, name) = parts(project, code);
        let finding = code.codable || coded.contains(code.guid.as_str());
        if !finding || cases.contains(code.guid.as_str()) {
            continue;
        }
        if let Some(&i) = by_guid.get(&code.guid) {
            if names[i] != name {
                renamed.push(format!(
                    "finding {}: the code is now named \"{name}\" in the project; findings.csv keeps \"{}\"",
                    ids[i], names[i]
                ));
            }
            out.insert(code.guid.clone(), ids[i].clone());
            continue;
        }
        // A finding there of the code's name, when no other code and no
        // other finding has that name (NVivo's `Other` under two parents
        // is two findings) and the finding is no code's yet.
        let lower = name.to_lowercase();
        let alone = shared.get(&lower) == Some(&1) && rows_named.get(&lower) == Some(&1);
        if let Some(&i) = by_name.get(&lower).filter(|&&i| alone && !guids[i]) {
            guids[i] = true;
            t.findings.set(i, GUID, code.guid.clone());
            out.insert(code.guid.clone(), ids[i].clone());
            continue;
        }
        let id = numbers.next().map(|n| taken.take(n)).unwrap_or_else(|| {
            loop {
                let key = format!("F{next}");
                next += 1;
                if !taken.contains(&key) {
                    break taken.take(key);
                }
            }
        });
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
    let pair = |f: &str, s: &str| (f.trim().to_lowercase(), s.trim().to_lowercase());
    let mut links: HashSet<(String, String)> = (t.evidence.values("finding").into_iter())
        .zip(t.evidence.values("study"))
        .map(|(f, s)| pair(f, s))
        .collect();
    let coder_of = |user: &Option<String>| match user {
        Some(g) => project.users.get(g).cloned().unwrap_or_else(|| g.clone()),
        None => String::new(),
    };
    let coders: HashSet<String> = (project.sources.iter())
        .flat_map(|s| &s.selections)
        .flat_map(|s| &s.codings)
        .filter(|c| !cases.contains(c.code.as_str()))
        .map(|c| coder_of(&c.user))
        .filter(|c| !c.is_empty())
        .collect();
    let double = coders.len() >= 2 || t.coding.exists();
    let mut own: HashSet<(String, String, String)> = (t.coding.values("finding").into_iter())
        .zip(t.coding.values("study"))
        .zip(t.coding.values("coder"))
        .map(|((f, s), c)| {
            let (f, s) = pair(f, s);
            (f, s, c.trim().to_lowercase())
        })
        .collect();
    let extracts = index(&t.extracts, GUID);
    let cells = |name| t.extracts.values(name).into_iter().map(str::to_string);
    let was: Vec<(String, (String, String))> = cells("finding")
        .zip(cells("place").zip(cells("quote")))
        .collect();
    let mut changed = Vec::new();
    let mut unattributed = 0;
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
                if links.insert(pair(finding, study)) {
                    t.evidence
                        .add(&[("finding", finding.clone()), ("study", study.clone())]);
                    done.links += 1;
                }
                let coder = coder_of(&c.user);
                let quote = quote.trim();
                if let Some(&row) = extracts.get(&c.guid) {
                    let (was_coded, (was_at, was_quoted)) = &was[row];
                    if !was_coded.eq_ignore_ascii_case(finding) {
                        changed.push(format!(
                            "the passage of {paper} at {place} is now coded {finding} in the project; extracts.csv keeps it coded {was_coded} (and evidence.csv its link)"
                        ));
                    } else if (was_at, was_quoted.as_str()) != (place, quote) {
                        let what = match was_at == place {
                            true => format!("quotes \"{}\"", short(quote)),
                            false => format!("is at {place}"),
                        };
                        changed.push(format!(
                            "the passage of {paper} coded {finding} at {was_at} now {what} in the project; extracts.csv keeps it as it was"
                        ));
                    }
                } else {
                    t.extracts.add(&[
                        ("finding", finding.clone()),
                        ("paper", paper.clone()),
                        ("place", place.clone()),
                        ("quote", quote.to_string()),
                        ("coder", coder.clone()),
                        (GUID, c.guid.clone()),
                    ]);
                    done.extracts += 1;
                }
                if double && coder.is_empty() {
                    unattributed += 1;
                } else if double {
                    let (f, s) = pair(finding, study);
                    if own.insert((f, s, coder.to_lowercase())) {
                        t.coding.add(&[
                            ("finding", finding.clone()),
                            ("study", study.clone()),
                            ("coder", coder),
                        ]);
                        done.coding += 1;
                    }
                }
            }
        }
    }
    if double {
        let mut names: Vec<&String> = coders.iter().collect();
        names.sort();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        done.notes.push(format!("coded by {}: each coder's links in coding.csv (metasum agreement compares them); evidence.csv holds every link any coder made", names.join(", ")));
    }
    if unattributed > 0 {
        done.notes.push(format!("{unattributed} codings name no coder: they are in evidence.csv and extracts.csv, not coding.csv"));
    }
    listed(&mut done.changed, changed, "passages moved");
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
    let gone = |file: &CsvFile, known: &HashSet<&str>, show: &dyn Fn(usize) -> String| {
        (file.values(GUID).iter().enumerate())
            .filter(|(_, g)| {
                !g.trim().is_empty() && !known.contains(g.trim().to_lowercase().as_str())
            })
            .map(|(i, _)| show(i))
            .collect::<Vec<_>>()
    };
    let cell = |file: &CsvFile, column: &str, i: usize| file.values(column)[i].trim().to_string();
    let finding = |i| {
        format!(
            "finding {} ({})",
            cell(&t.findings, "id", i),
            cell(&t.findings, "name", i)
        )
    };
    listed(
        &mut done.vanished,
        gone(&t.findings, &codes, &finding),
        "findings",
    );
    if !project.codebook {
        let paper = |i| {
            format!(
                "paper {} ({})",
                cell(&t.papers, "id", i),
                cell(&t.papers, "citation", i)
            )
        };
        listed(
            &mut done.vanished,
            gone(&t.papers, &sources, &paper),
            "papers",
        );
        let passage = |i| {
            let e = &t.extracts;
            format!(
                "the passage of {} coded {} at {}",
                cell(e, "paper", i),
                cell(e, "finding", i),
                cell(e, "place", i)
            )
        };
        listed(
            &mut done.vanished,
            gone(&t.extracts, &codings, &passage),
            "passages",
        );
    }
}

/// The first 60 characters of `text`, and `...` when there are more.
fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

/// `items` into `out`, the first [`LISTED`] one by one and the rest
/// counted.
fn listed(out: &mut Vec<String>, items: Vec<String>, what: &str) {
    let n = items.len();
    out.extend(items.into_iter().take(LISTED));
    if n > LISTED {
        out.push(format!("and {} more {what}", n - LISTED));
    }
}
