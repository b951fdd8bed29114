//! `search.csv`: the stages of the search and selection, for `plot flow`,
//! checked as a flow: each stage once, whole non-negative counts, parents
//! that exist, are named once and lead back to a source (no cycle).

use std::collections::{HashMap, HashSet};

use super::claims::{field, records};
use crate::problem::Problem;
use crate::review::dataset::files::ReviewFile;

const FILE: &str = ReviewFile::Search.file();

/// The most stages a search flow may have. A PRISMA flow has tens; the
/// checks of a flow (each stage's parents, what came into it, its level
/// in the figure) look at the others, and 16,000 stages took 4 s to load
/// and 13 s to check.
pub const MAX_STAGES: usize = 1_000;

/// One stage of the search flow (`search.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchStage {
    /// Short key, referred to by `parents`.
    pub stage: String,
    /// Records at this stage.
    pub count: i64,
    /// The stages that feed this one.
    pub parents: Vec<String>,
    /// The text in the box.
    pub label: String,
    /// Records excluded on the way into this stage, as `search.csv` gives
    /// them (`excluded` column).
    pub excluded: Option<i64>,
    /// The text of the box of excluded records (`excluded_label`); empty
    /// for "Records excluded".
    pub excluded_label: String,
    /// Its line in `search.csv` (its row in a workbook's sheet).
    pub line: u64,
}

impl SearchStage {
    /// The records that came into this stage, where they are known: the
    /// sum of the stages it came from when each feeds only it; `None` for
    /// a source. Summed wide: counts near the largest whole number add up
    /// without wrapping.
    pub fn came_in(&self, stages: &[SearchStage]) -> Option<i128> {
        let parents: Vec<&SearchStage> = (self.parents.iter())
            .filter_map(|p| stages.iter().find(|x| &x.stage == p))
            .collect();
        let known = !parents.is_empty()
            && parents.len() == self.parents.len()
            && parents.iter().all(|p| feeds(stages, &p.stage) == 1);
        known.then(|| parents.iter().map(|p| i128::from(p.count)).sum())
    }

    /// Whether nothing follows this stage though something comes into it:
    /// the flow's end, whose count is often of studies where the stage
    /// before counts reports (27 papers of 25 studies exclude nothing), so
    /// no exclusion is implied into it.
    pub fn is_last(&self, stages: &[SearchStage]) -> bool {
        !self.parents.is_empty() && feeds(stages, &self.stage) == 0
    }
}

/// How many stages come from the stage `key`.
fn feeds(stages: &[SearchStage], key: &str) -> usize {
    (stages.iter())
        .filter(|c| c.parents.iter().any(|p| p == key))
        .count()
}

/// Parses `search.csv`: `stage,count,parent,label`, parents separated by
/// `;`, and optionally `excluded` (a whole number, or empty) and
/// `excluded_label`.
pub fn parse_search(bytes: &[u8], problems: &mut Vec<Problem>) -> Vec<SearchStage> {
    let before = problems.len();
    let rows = records(FILE, bytes, &["stage", "count", "parent"], problems);
    if let Some((line, _)) = rows.get(MAX_STAGES) {
        problems.push(Problem::at(
            FILE,
            *line,
            format!(
                "a search flow of more than {MAX_STAGES} stages (this file has {}); a PRISMA flow has tens",
                rows.len()
            ),
        ));
        return Vec::new();
    }
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let out: Vec<SearchStage> = (rows.iter())
        .filter_map(|(line, fields)| stage_of(*line, fields, &mut first_line, problems))
        .collect();
    if problems.len() > before {
        // A row left out (told) would make its children's parents look
        // missing: the flow is checked as a whole only when it is whole.
        return out;
    }
    let known: HashSet<&str> = rows.iter().map(|(_, f)| field(f, "stage")).collect();
    for s in &out {
        for p in s.parents.iter().filter(|p| !known.contains(p.as_str())) {
            problems.push(Problem::cell(
                FILE,
                s.line,
                "parent",
                format!("no stage is called `{p}`"),
            ));
        }
    }
    for s in in_cycles(&out) {
        problems.push(Problem::cell(
            FILE,
            s.line,
            "parent",
            format!("stage `{}` comes from itself, through its parents", s.stage),
        ));
    }
    out
}

/// The stage of one row of `search.csv` (at `line`), or `None` with its
/// problem told; `first_line` holds the line of each stage seen so far.
fn stage_of<'a>(
    line: u64,
    fields: &'a [(String, String)],
    first_line: &mut HashMap<&'a str, u64>,
    problems: &mut Vec<Problem>,
) -> Option<SearchStage> {
    let stage = field(fields, "stage");
    let mut cell = |column: &str, what: String| {
        problems.push(Problem::cell(FILE, line, column, what));
    };
    if stage.is_empty() {
        cell("stage", "a stage needs a name (its key)".into());
        return None;
    }
    if let Some(first) = first_line.insert(stage, line) {
        first_line.insert(stage, first);
        cell(
            "stage",
            format!("stage `{stage}` is already on line {first}"),
        );
        return None;
    }
    let count = match field(fields, "count").parse::<i64>() {
        Ok(n) if n >= 0 => n,
        _ => {
            let found = field(fields, "count");
            cell(
                "count",
                format!("expected a whole number of records, found `{found}`"),
            );
            return None;
        }
    };
    let excluded = match field(fields, "excluded").trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                cell(
                    "excluded",
                    format!("expected a whole number of records (or nothing), found `{text}`"),
                );
                return None;
            }
        },
    };
    let mut parents: Vec<String> = Vec::new();
    for p in field(fields, "parent")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if parents.iter().any(|q| q == p) {
            cell("parent", format!("`{p}` is named twice"));
        } else {
            parents.push(p.to_string());
        }
    }
    if excluded.is_some() && parents.is_empty() {
        cell(
            "excluded",
            "records are excluded on the way into a stage, and nothing comes into this one (it has no parent)".into(),
        );
    }
    let label = match field(fields, "label") {
        "" => stage.to_string(),
        l => l.to_string(),
    };
    Some(SearchStage {
        stage: stage.to_string(),
        count,
        parents,
        label,
        excluded,
        excluded_label: field(fields, "excluded_label").to_string(),
        line,
    })
}

/// The stages that lead back to themselves through their parents.
fn in_cycles(stages: &[SearchStage]) -> Vec<&SearchStage> {
    // Take away, round after round, the stages whose parents are all taken
    // (or unknown); what is left is in a cycle or after one.
    let mut left: Vec<&SearchStage> = stages.iter().collect();
    loop {
        let keys: HashSet<&str> = left.iter().map(|s| s.stage.as_str()).collect();
        let before = left.len();
        left.retain(|s| s.parents.iter().any(|p| keys.contains(p.as_str())));
        if left.len() == before {
            break;
        }
    }
    // Of those, the ones on a cycle reach themselves.
    let by_key: HashMap<&str, &SearchStage> = left.iter().map(|s| (s.stage.as_str(), *s)).collect();
    left.iter()
        .copied()
        .filter(|s| {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut todo: Vec<&str> = s.parents.iter().map(String::as_str).collect();
            while let Some(k) = todo.pop() {
                if k == s.stage {
                    return true;
                }
                if seen.insert(k)
                    && let Some(p) = by_key.get(k)
                {
                    todo.extend(p.parents.iter().map(String::as_str));
                }
            }
            false
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(csv: &str) -> Vec<String> {
        let mut problems = Vec::new();
        parse_search(csv.as_bytes(), &mut problems);
        problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_good_flow_has_no_problem() {
        let csv = "stage,count,parent,label,excluded\na,10,,A,\nb,5,,B,\nc,12,a;b,C,3\n";
        assert_eq!(problems(csv), Vec::<String>::new());
    }

    #[test]
    fn every_way_a_flow_can_be_wrong_is_located() {
        for (csv, line, says) in [
            (
                "stage,count,parent\na,10,\na,5,\n",
                "search.csv:3",
                "already on line 2",
            ),
            ("stage,count,parent\n,10,\n", "search.csv:2", "needs a name"),
            (
                "stage,count,parent\na,-5,\n",
                "search.csv:2",
                "whole number of records",
            ),
            (
                "stage,count,parent\na,10,\nb,5,a;a\n",
                "search.csv:3",
                "`a` is named twice",
            ),
            (
                "stage,count,parent\na,10,a\n",
                "search.csv:2",
                "comes from itself",
            ),
            (
                "stage,count,parent\na,10,c\nb,5,a\nc,3,b\nd,1,c\n",
                "search.csv:4",
                "comes from itself",
            ),
            (
                "stage,count,parent\na,10,x\n",
                "search.csv:2",
                "no stage is called `x`",
            ),
            (
                "stage,count,parent,excluded\na,10,,3\n",
                "search.csv:2",
                "nothing comes into",
            ),
        ] {
            let found = problems(csv);
            assert!(
                found.iter().any(|p| p.contains(line) && p.contains(says)),
                "{csv:?}: {found:?}"
            );
        }
        let many: String = (0..=MAX_STAGES).map(|i| format!("s{i},1,\n")).collect();
        let found = problems(&format!("stage,count,parent\n{many}"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("search.csv:1002:"), "{found:?}");
        // After a cycle is not in it: only a, b and c are told.
        let found = problems("stage,count,parent\na,10,c\nb,5,a\nc,3,b\nd,1,c\n");
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
