//! A `.bib` file read by the `biblatex` crate, with what it would ask of
//! the reader measured between the crate's two steps: the crate parses the
//! file into raw entries and `@string` abbreviations, then resolves them,
//! expanding abbreviations and `crossref`/`xdata` links recursively and
//! without bound (`@string{a = a}` overflowed the stack and aborted
//! metasum; 24 doublings `s2 = s1 # s1` in a 1 kB file took 4 s and wrote a
//! 33 MB papers.csv; braces nested 100,000 deep took it over 20 s).
//!
//! Measured on the crate's own parse (not a second grammar, which a file
//! can read differently): braces deeper than [`MAX_DEPTH`] (before the
//! parse), an abbreviation that leads back to itself or nests deeper than
//! [`MAX_DEPTH`], a field longer than [`MAX_FIELD`] characters once
//! expanded, and `crossref`/`xdata` links that lead back to their entry or
//! would copy more than [`MAX_LINKED`] entries are problems at their line.

use std::collections::HashMap;

use biblatex::{Bibliography, RawBibliography, RawChunk};

use super::LineStarts;
use crate::review::dataset::Problem;

/// The longest a field may be once its abbreviations are expanded: far
/// beyond any title, abstract or author list.
const MAX_FIELD: usize = 100_000;

/// The deepest braces, or abbreviations within abbreviations, may nest
/// (`{{HIV}}` is 2; LaTeX accents 3).
const MAX_DEPTH: usize = 64;

/// The most entries one entry's `crossref`/`xdata` links may copy from,
/// counted with repeats (the crate resolves each link anew).
const MAX_LINKED: u64 = 10_000;

/// The bibliography of `text` (the file `file`), or its problems, located.
pub fn read(file: &str, text: &str) -> Result<Bibliography, Vec<Problem>> {
    let starts = LineStarts::of(text);
    let at = |offset: usize, message: String| vec![Problem::at(file, starts.line(offset), message)];
    if let Some(offset) = too_deep(text) {
        return Err(at(
            offset,
            format!("braces nest more than {MAX_DEPTH} deep"),
        ));
    }
    let raw = RawBibliography::parse(text)
        .map_err(|e| at(e.span.start, format!("not readable as BibTeX: {}", e.kind)))?;
    let lengths = abbreviations(&raw).map_err(|(offset, why)| at(offset, why))?;
    fields(&raw, &lengths).map_err(|(offset, why)| at(offset, why))?;
    links(&raw).map_err(|(offset, why)| at(offset, why))?;
    Bibliography::from_raw(raw)
        .map_err(|e| at(e.span.start, format!("not readable as BibTeX: {}", e.kind)))
}

/// Where a problem is (a byte offset), and what it is.
type Refusal = (usize, String);

/// Where braces first nest deeper than [`MAX_DEPTH`] (`\{` and `\}` are
/// characters, not braces).
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The expanded length of each abbreviation (the last definition of a
/// name wins, as in the crate), or the first that leads back to itself,
/// nests too deep or grows too long.
fn abbreviations(raw: &RawBibliography) -> Result<HashMap<String, usize>, Refusal> {
    let defined: HashMap<&str, usize> = (raw.abbreviations.iter().enumerate())
        .map(|(i, pair)| (pair.key.v, i))
        .collect();
    let mut lengths: HashMap<String, usize> = HashMap::new();
    // In the file's order, so that the problem told is the first.
    for (i, pair) in raw.abbreviations.iter().enumerate() {
        let name = pair.key.v;
        if defined[name] == i {
            length_of(raw, &defined, name, i, &mut lengths, &mut Vec::new())?;
        }
    }
    Ok(lengths)
}

/// The expanded length of the abbreviation `name` (defined `i`th), kept in
/// `lengths`; `visiting` holds the ones being expanded around it (a chain
/// at most [`MAX_DEPTH`] long, so the recursion is bounded).
fn length_of(
    raw: &RawBibliography,
    defined: &HashMap<&str, usize>,
    name: &str,
    i: usize,
    lengths: &mut HashMap<String, usize>,
    visiting: &mut Vec<String>,
) -> Result<usize, Refusal> {
    if let Some(n) = lengths.get(name) {
        return Ok(*n);
    }
    let pair = &raw.abbreviations[i];
    let offset = pair.key.span.start;
    if visiting.iter().any(|v| v == name) {
        return Err((offset, format!("@string `{name}` leads back to itself")));
    }
    if visiting.len() >= MAX_DEPTH {
        return Err((
            offset,
            format!("@string abbreviations nest more than {MAX_DEPTH} deep"),
        ));
    }
    visiting.push(name.to_string());
    let mut length = 0usize;
    for chunk in &pair.value.v {
        length = length.saturating_add(match chunk.v {
            RawChunk::Normal(s) => s.len(),
            RawChunk::Abbreviation(a) => match defined.get(a) {
                Some(&j) => length_of(raw, defined, a, j, lengths, visiting)?,
                // A month, or a name the crate refuses with its span.
                None => a.len() + 9,
            },
        });
        if length > MAX_FIELD {
            return Err((offset, too_long(name, length)));
        }
    }
    visiting.pop();
    lengths.insert(name.to_string(), length);
    Ok(length)
}

/// "`title` would be N characters long ...".
fn too_long(name: &str, length: usize) -> String {
    format!(
        "`{name}` would be at least {length} characters long once its abbreviations (@string) are expanded; at most {MAX_FIELD} are read"
    )
}

/// Refuses the first field of an entry that expands past [`MAX_FIELD`].
fn fields(raw: &RawBibliography, lengths: &HashMap<String, usize>) -> Result<(), Refusal> {
    for entry in &raw.entries {
        for pair in &entry.v.fields {
            let mut length = 0usize;
            for chunk in &pair.value.v {
                length = length.saturating_add(match chunk.v {
                    RawChunk::Normal(s) => s.len(),
                    RawChunk::Abbreviation(a) => lengths.get(a).copied().unwrap_or(a.len() + 9),
                });
            }
            if length > MAX_FIELD {
                return Err((pair.key.span.start, too_long(pair.key.v, length)));
            }
        }
    }
    Ok(())
}

/// Refuses `crossref`/`xdata` links that lead an entry back to itself, or
/// would have the crate copy from more than [`MAX_LINKED`] entries (it
/// follows each link anew, recursively).
fn links(raw: &RawBibliography) -> Result<(), Refusal> {
    let index: HashMap<&str, usize> = (raw.entries.iter().enumerate())
        .map(|(i, e)| (e.v.key.v, i))
        .collect();
    let targets: Vec<Vec<usize>> = (raw.entries.iter())
        .map(|entry| {
            let mut out = Vec::new();
            for pair in &entry.v.fields {
                let field = pair.key.v.to_ascii_lowercase();
                if field != "crossref" && field != "xdata" {
                    continue;
                }
                let text: String = (pair.value.v.iter())
                    .map(|c| match c.v {
                        RawChunk::Normal(s) | RawChunk::Abbreviation(s) => s,
                    })
                    .collect();
                out.extend(text.split(',').filter_map(|k| index.get(k.trim()).copied()));
            }
            out
        })
        .collect();
    // Each entry's count of entries copied, with repeats, found in
    // dependency order; an entry met again while its links are followed
    // is on a cycle.
    let mut copied: Vec<Option<u64>> = vec![None; targets.len()];
    for start in 0..targets.len() {
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        let mut on_path = vec![start];
        while let Some((entry, next)) = stack.pop() {
            if copied[entry].is_some() {
                on_path.pop();
                continue;
            }
            if let Some(&target) = targets[entry].get(next) {
                stack.push((entry, next + 1));
                if copied[target].is_none() {
                    if on_path.contains(&target) {
                        let key = &raw.entries[entry].v.key;
                        return Err((
                            key.span.start,
                            format!(
                                "entry `{}`: its crossref/xdata links lead back to it",
                                key.v
                            ),
                        ));
                    }
                    on_path.push(target);
                    stack.push((target, 0));
                }
                continue;
            }
            let total = (targets[entry].iter())
                .map(|t| copied[*t].unwrap_or(0).saturating_add(1))
                .fold(0u64, u64::saturating_add);
            if total > MAX_LINKED {
                let key = &raw.entries[entry].v.key;
                return Err((
                    key.span.start,
                    format!(
                        "entry `{}`: its crossref/xdata links copy from more than {MAX_LINKED} entries",
                        key.v
                    ),
                ));
            }
            copied[entry] = Some(total);
            on_path.pop();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match read("r.bib", text) {
            Ok(_) => panic!("read: {text}"),
            Err(problems) => problems[0].to_string(),
        }
    }

    const ENTRY: &str = "@article{k, author = {A, B}, title = a, year = 2020}\n";

    #[test]
    fn doubling_abbreviations_are_refused_where_they_grow_too_long() {
        let mut text = String::from("@string{s0 = \"0123456789\"}\n");
        for i in 1..40 {
            text += &format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1);
        }
        text += "@article{k, title = s39, author = {A}, year = 2020}\n";
        let why = refused(&text);
        assert!(why.starts_with("r.bib:15:"), "{why}");
        assert!(why.contains("at most 100000 are read"), "{why}");
        let big = "x".repeat(50_000);
        let text = format!("@string{{b = \"{big}\"}}\n@article{{k,\n title = b # b # b}}\n");
        assert!(refused(&text).starts_with("r.bib:3:"));
    }

    #[test]
    fn abbreviations_or_links_that_lead_back_are_refused_however_written() {
        for (head, line) in [
            ("@string{a = a}\n", 1),
            ("@string{a = b}\n@string{b = a}\n", 1),
            ("@string\"a = a}\n", 1),
            ("@comment{ { }\n@string{a = a}\n", 2),
            ("% @comment{{\n@string{a = a}\n", 2),
            ("@article{x, title={\\{}}\n@string{a = a}\n", 2),
            ("@string{a = \"x\"}\n@string{a = a # a}\n", 2),
        ] {
            let why = refused(&format!("{head}{ENTRY}"));
            assert!(why.contains("leads back to itself"), "{head}: {why}");
            assert!(why.starts_with(&format!("r.bib:{line}:")), "{head}: {why}");
        }
        let cycle = "@article{a, author={A, B}, title={T}, crossref={b}}\n@article{b, author={A, B}, title={T}, crossref={a}}\n";
        assert!(refused(cycle).contains("lead back to it"));
        let fan: String = (0..40)
            .map(|i| {
                format!(
                    "@article{{e{i}, author={{A, B}}, title={{T}}, xdata={{e{0},e{0}}}}}\n",
                    i + 1
                )
            })
            .collect();
        assert!(
            refused(&fan).contains("copy from more than 10000 entries"),
            "{}",
            refused(&fan)
        );
    }

    #[test]
    fn deep_braces_are_refused_where_they_go_too_deep() {
        let text = format!(
            "@article{{k,\n title = {}{}}}",
            "{".repeat(100_000),
            "}".repeat(100_000)
        );
        let why = refused(&text);
        assert!(
            why.starts_with("r.bib:2:") && why.contains("more than 64 deep"),
            "{why}"
        );
    }

    #[test]
    fn ordinary_files_read() {
        let text = "% Zotero\n@string{jmh = {Journal of Mental Health}}\n@article{smith2019,\n  title = {Peer {Support} and \\\"{u}ber},\n  author = {Smith, Jane and Lee, M.},\n  journal = jmh # \" (online)\",\n  month = jan,\n  year = {2019},\n}\n@comment{ignore}\n@inproceedings{p, author = {A, B}, title = {T}, crossref = {proc}}\n@proceedings{proc, title = {Proceedings}, year = 2001}\n";
        let bib = read("r.bib", text).unwrap();
        assert_eq!(bib.len(), 3);
    }
}
