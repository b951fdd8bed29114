//! The columns of a stored table in two versions, compared as queries name
//! them: `Quality` and `quality` are one column (a query reads either), so
//! a changed cell under a re-cased name is a change, and the new spelling
//! is told; a column only one version has is added or removed, or renamed
//! when another column holds exactly its cells (before, `diff` said "no
//! change" for both).

use std::collections::BTreeMap;

use super::changes::{Change, RowTexts, change};

/// A column's name as queries compare it.
pub(super) fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// The columns of one version of a table, by [`name_key`], with their
/// names as written.
pub(super) type Names = BTreeMap<String, String>;

/// Columns of the new version renamed outright: new key -> old key.
pub(super) type Renamed = BTreeMap<String, String>;

/// Rows of `changes` for the columns of `file` (`studies.csv`): renamed
/// (in case or outright), removed and added; the renamed outright, for the
/// cells to be compared under their new names.
pub(super) fn changes(
    rows: &mut Vec<Change>,
    file: &str,
    (old, new): (&Names, &Names),
    (was, now): (&RowTexts, &RowTexts),
) -> Renamed {
    let mut renamed = Renamed::new();
    for (key, written) in new {
        if let Some(before) = old.get(key).filter(|before| *before != written) {
            rows.push(change(
                "column renamed",
                written,
                file,
                format!("was: {before}"),
            ));
        }
    }
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    for gone in &removed {
        let same = added
            .iter()
            .find(|a| !renamed.contains_key(**a) && same_cells(was, now, gone, a));
        match same {
            Some(a) => {
                rows.push(change(
                    "column renamed",
                    &new[*a],
                    file,
                    format!("was: {}", old[*gone]),
                ));
                renamed.insert((*a).clone(), (*gone).clone());
            }
            None => rows.push(change("column removed", &old[*gone], file, String::new())),
        }
    }
    for a in added.iter().filter(|a| !renamed.contains_key(**a)) {
        rows.push(change("column added", &new[*a], file, String::new()));
    }
    renamed
}

/// Whether the column `old` of `was` holds what `new` of `now` holds, row
/// by row, for the rows both versions have (at least one, not all empty).
fn same_cells(was: &RowTexts, now: &RowTexts, old: &str, new: &str) -> bool {
    let mut any = false;
    for (key, cells) in now {
        let Some(before) = was.get(key) else { continue };
        let (a, b) = (before.get(old), cells.get(new));
        if a != b {
            return false;
        }
        any |= a.is_some_and(|a| !a.is_empty());
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Names {
        list.iter().map(|n| (name_key(n), n.to_string())).collect()
    }

    fn rows(cells: &[(&str, &[(&str, &str)])]) -> RowTexts {
        (cells.iter())
            .map(|(key, row)| {
                let row = row
                    .iter()
                    .map(|(c, v)| (name_key(c), v.to_string()))
                    .collect();
                (key.to_string(), row)
            })
            .collect()
    }

    #[test]
    fn columns_are_renamed_in_case_or_outright_removed_and_added() {
        let was = rows(&[
            (
                "S1",
                &[("quality", "low"), ("Setting", "ward"), ("notes", "x")],
            ),
            (
                "S2",
                &[("quality", "high"), ("Setting", "home"), ("notes", "")],
            ),
        ]);
        let now = rows(&[
            (
                "S1",
                &[("Quality", "low"), ("place", "ward"), ("country", "UK")],
            ),
            (
                "S2",
                &[("Quality", "high"), ("place", "home"), ("country", "")],
            ),
        ]);
        let mut out = Vec::new();
        let renamed = changes(
            &mut out,
            "studies.csv",
            (
                &names(&["quality", "Setting", "notes"]),
                &names(&["Quality", "place", "country"]),
            ),
            (&was, &now),
        );
        let said: Vec<String> = out.iter().map(|r| r.join("|")).collect();
        assert_eq!(
            said,
            [
                "column renamed|Quality|studies.csv|was: quality",
                "column removed|notes|studies.csv|",
                "column renamed|place|studies.csv|was: Setting",
                "column added|country|studies.csv|",
            ]
        );
        assert_eq!(renamed, Renamed::from([("place".into(), "setting".into())]));
    }
}
