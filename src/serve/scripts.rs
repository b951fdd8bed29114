//! The saved scripts the page offers as buttons: the `.msq` files of the
//! review's `queries/` folder (or `--scripts DIR`), or, for the embedded
//! seed, the seed's own scripts (this repository's `queries/`, built in).
//! Read fresh on each request, so a script saved meanwhile shows; only
//! regular files, each at most a request's size, at most [`MAX_SCRIPTS`].

use std::io::Read;
use std::path::Path;

use super::http::MAX_BODY;

/// The most scripts offered.
pub const MAX_SCRIPTS: usize = 200;

/// The extension of a saved script.
const EXTENSION: &str = "msq";

/// The seed's saved scripts, built in: what `metasum serve` offers with
/// no `--data`.
const SEED: [(&str, &str); 7] = [
    (
        "by-country.msq",
        include_str!("../../queries/by-country.msq"),
    ),
    ("figures.msq", include_str!("../../queries/figures.msq")),
    ("intensity.msq", include_str!("../../queries/intensity.msq")),
    (
        "low-quality.msq",
        include_str!("../../queries/low-quality.msq"),
    ),
    (
        "recipients.msq",
        include_str!("../../queries/recipients.msq"),
    ),
    (
        "sensitivity.msq",
        include_str!("../../queries/sensitivity.msq"),
    ),
    ("table2.msq", include_str!("../../queries/table2.msq")),
];

/// A saved script.
#[derive(Debug, PartialEq)]
pub struct Script {
    /// Its file name.
    pub name: String,
    /// Its first paragraph of comments, which says what it does.
    pub title: String,
    /// Its text.
    pub text: String,
}

impl Script {
    fn new(name: &str, text: String) -> Script {
        // The first paragraph of comments, its lines joined.
        let title = (text.lines())
            .filter(|l| !l.starts_with("#!"))
            .skip_while(|l| l.trim().is_empty())
            .map_while(|l| l.strip_prefix('#'))
            .map(str::trim)
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Script {
            name: name.to_string(),
            title,
            text,
        }
    }
}

/// The scripts in `dir` (`None`: the seed's), by name; those that cannot
/// be read are told in the second list.
pub fn scripts(dir: Option<&Path>) -> (Vec<Script>, Vec<String>) {
    let Some(dir) = dir else {
        let seed = SEED.map(|(name, text)| Script::new(name, text.to_string()));
        return (seed.into(), Vec::new());
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<_> = (entries.flatten())
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(EXTENSION))
        })
        .collect();
    paths.sort();
    let mut problems = Vec::new();
    if paths.len() > MAX_SCRIPTS {
        problems.push(format!(
            "{}: {} scripts; the first {MAX_SCRIPTS} are offered",
            dir.display(),
            paths.len()
        ));
        paths.truncate(MAX_SCRIPTS);
    }
    let mut scripts = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match read(&path) {
            Ok(text) => scripts.push(Script::new(&name, text)),
            Err(why) => problems.push(format!("{}: {why}", path.display())),
        }
    }
    (scripts, problems)
}

/// The text of the script at `path`: a regular file (a FIFO would wait
/// for ever) of UTF-8, at most [`MAX_BODY`] bytes.
fn read(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a file".into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    (file.take(MAX_BODY as u64 + 1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > MAX_BODY {
        return Err(format!("larger than a request may be ({} bytes)", MAX_BODY));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_scripts_are_the_repository_queries() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let (on_disk, problems) = scripts(Some(&folder));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(scripts(None).0, on_disk);
        assert!(
            on_disk[6].title.starts_with(
                "Table 2 reproduced: every abstracted finding, grouped by perspective in the paper's order,"
            ),
            "{}",
            on_disk[6].title
        );
        assert!(
            on_disk[6]
                .title
                .ends_with("(in the working directory, or --output-dir DIR).")
        );
    }

    #[test]
    fn a_folder_keeps_only_readable_scripts_and_tells_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.msq"), "findings\n").unwrap();
        std::fs::write(
            dir.path().join("a.MSQ"),
            "\n# first\n#  line\n#\n# not this\nstudies\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a script").unwrap();
        std::fs::write(dir.path().join("big.msq"), vec![b'#'; MAX_BODY + 1]).unwrap();
        std::fs::write(dir.path().join("bytes.msq"), [0xff, 0xfe]).unwrap();
        std::fs::create_dir(dir.path().join("folder.msq")).unwrap();
        let (found, problems) = scripts(Some(dir.path()));
        let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a.MSQ", "b.msq"]);
        assert_eq!(found[0].title, "first line");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(scripts(Some(&dir.path().join("none"))).0.is_empty());
    }
}
