//! The engine's stages, bottom to top, and the rule that keeps them: a
//! file of one stage's folder names (`crate::...`) only its own stage, the
//! stages below it and the modules at the root (errors, exact numbers,
//! escaping, problems, words), never a stage above. Comments and unit
//! tests are not read: a doc link may point anywhere.

use std::collections::BTreeMap;
use std::path::Path;

/// The stages, bottom to top (ARCHITECTURE.md).
const STAGES: [&str; 5] = ["review", "count", "analyses", "query", "present"];

/// The root's names and the stage each belongs to (`None` for the
/// modules and items at the root, under every stage), read from lib.rs:
/// `pub mod error;` is the root's, `pub use query::session::{Session};`
/// names `Session` as the query stage's.
fn root_names(lib: &str) -> BTreeMap<String, Option<usize>> {
    let mut names = BTreeMap::new();
    for line in code(lib).lines() {
        let line = line.trim();
        if let Some(module) = (line.strip_prefix("pub mod ").or(line.strip_prefix("mod ")))
            .and_then(|m| m.strip_suffix(';'))
        {
            let stage = STAGES.iter().position(|s| *s == module);
            names.insert(module.to_string(), stage);
        } else if let Some(path) = line
            .strip_prefix("pub use ")
            .and_then(|p| p.strip_suffix(';'))
        {
            let stage = STAGES
                .iter()
                .position(|s| path.starts_with(&format!("{s}::")));
            let last = path.rsplit("::").next().unwrap();
            for name in last.trim_matches(|c| c == '{' || c == '}').split(',') {
                names.insert(name.trim().to_string(), stage);
            }
        } else if let Some(rest) = line.strip_prefix("pub(crate) fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(name, None);
        }
    }
    names
}

/// `text` without its unit tests (a `#[cfg(test)]` module, by convention
/// at the end; a test-only function elsewhere is read) and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    (text.lines())
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first name of each `crate::` path in `text`, braces opened:
/// `crate::{query::table, Dataset}` names `query` and `Dataset`.
fn crate_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in list.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(first_name(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            names.push(first_name(&item));
        } else if rest.starts_with('*') {
            names.push("*".to_string());
        } else {
            names.push(first_name(rest));
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

fn first_name(path: &str) -> String {
    (path.trim_start().chars())
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first name after each `super::` chain of `text` that climbs out of
/// the stage to the root, for the file at `depth` modules below the root
/// (`review/dataset/load.rs`: 3; `review/dataset/mod.rs`: 2): what
/// `super::super::query` names from `review/dataset/load.rs`.
fn names_through_super(text: &str, depth: usize) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("super::") {
        if text[..at].ends_with("super::") {
            continue; // inside a chain counted from its start
        }
        let mut rest = &text[at..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            up += 1;
            rest = r;
        }
        if up >= depth {
            names.push(match rest.strip_prefix('*') {
                Some(_) => "*".to_string(),
                None => first_name(rest),
            });
        }
    }
    names
}

/// Each name a file of stage `stage` at `depth` modules below the root
/// takes from a stage above it (`*`: a glob of the root, every stage).
fn upward(
    stage: usize,
    depth: usize,
    text: &str,
    root: &BTreeMap<String, Option<usize>>,
) -> Vec<String> {
    let code = code(text);
    let mut names = crate_names(&code);
    names.extend(names_through_super(&code, depth));
    (names.into_iter())
        .filter(|name| match root.get(name) {
            Some(Some(other)) => *other > stage,
            Some(None) => false,
            None if name == "*" => true,
            None => panic!("crate::{name} is not a name lib.rs defines"),
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_file_of_a_stage_uses_a_stage_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let root = root_names(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    for stage in STAGES {
        assert!(src.join(stage).is_dir(), "src/{stage}/ is a stage's folder");
        assert!(root.contains_key(stage), "lib.rs declares {stage}");
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let stage = match STAGES.iter().position(|s| *s == top) {
            Some(stage) => stage,
            // A module at the root sits under every stage: it uses none.
            None if relative != Path::new("lib.rs") => 0,
            None => continue,
        };
        let text = std::fs::read_to_string(file).unwrap();
        // Modules below the root: `review/dataset/load.rs` is
        // review::dataset::load, `review/dataset/mod.rs` review::dataset.
        let depth = relative.components().count()
            - usize::from(relative.file_name().is_some_and(|n| n == "mod.rs"));
        let names = match STAGES.iter().position(|s| *s == top) {
            Some(_) => upward(stage, depth, &text, &root),
            None => (crate_names(&code(&text)).into_iter())
                .filter(|n| root.get(n).is_some_and(Option::is_some) || n == "*")
                .collect(),
        };
        for name in names {
            wrong.push(format!("{} uses crate::{name}", relative.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports running upward:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rule_sees_an_upward_import_through_braces_and_a_root_name() {
    let lib = "pub mod error;\npub mod review;\npub mod query;\npub use query::session::{Outcome, Session};\npub(crate) fn col(x) {}\n";
    let root = root_names(lib);
    let review = STAGES.iter().position(|s| *s == "review").unwrap();
    let query = STAGES.iter().position(|s| *s == "query").unwrap();
    let up = |stage, depth, text| upward(stage, depth, text, &root);
    assert_eq!(
        up(review, 3, "use crate::{error::Error, query::table};"),
        ["query"]
    );
    assert_eq!(
        up(review, 3, "let s = crate::Session::new(d);"),
        ["Session"]
    );
    assert!(up(review, 3, "/// [`crate::query`]\nuse crate::col;").is_empty());
    assert!(up(query, 2, "use crate::review::dataset;").is_empty());
    assert!(up(review, 3, "#[cfg(test)]\nmod tests { use crate::query; }").is_empty());
    // A test-only function is code all the same.
    assert_eq!(
        up(review, 3, "#[cfg(test)]\nfn f() { crate::query::x() }"),
        ["query"]
    );
    // Climbing out of the stage with `super::` reaches the root too.
    assert_eq!(
        up(review, 3, "use super::super::super::query::table;"),
        ["query"]
    );
    assert!(up(review, 3, "use super::super::files;").is_empty());
    assert_eq!(up(review, 1, "use super::*;"), ["*"]);
    assert_eq!(up(review, 3, "use crate::*;"), ["*"]);
}
