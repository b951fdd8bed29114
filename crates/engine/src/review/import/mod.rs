//! `metasum import`: the included studies' references, as reference
//! managers export them (RIS, BibTeX/BibLaTeX, CSL JSON), added to a
//! dataset's `studies.csv` and `papers.csv`. Each new record becomes a
//! study keyed in author-year form (`Smith2019`, `Smith2019a`) and its
//! paper; a record that matches a paper already there (same DOI, else the
//! same title and year) is reported, not added again. Nothing is written
//! when any file has a problem.

mod bib_limits;
mod bibtex;
mod csl;
mod file;
mod keys;
mod known;
pub mod qda;
mod ris;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::review::dataset::Problem;
use crate::review::dataset::files::ReviewFile;
use file::CsvFile;
use keys::{Numbering, Taken, base_key};
use known::{Known, doi_key, title_key};

/// An author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// Family name (with its particle: `van der Berg`).
    pub family: String,
    /// Given names, possibly initials.
    pub given: String,
}

impl Name {
    /// `Smith, Jane` or `Jane Smith`.
    fn parse(text: &str) -> Name {
        match text.split_once(',') {
            Some((family, given)) => Name {
                family: family.trim().to_string(),
                given: given.trim().to_string(),
            },
            None => match text.trim().rsplit_once(' ') {
                Some((given, family)) => Name {
                    family: family.to_string(),
                    given: given.to_string(),
                },
                None => Name {
                    family: text.trim().to_string(),
                    given: String::new(),
                },
            },
        }
    }

    /// `Smith, J. M.`: the family name and the given names' initials.
    fn cited(&self) -> String {
        let initials: Vec<String> = (self.given.split([' ', '-', '.']))
            .filter_map(|g| g.chars().next())
            .map(|c| format!("{c}."))
            .collect();
        match initials.is_empty() {
            true => self.family.clone(),
            false => format!("{}, {}", self.family, initials.join(" ")),
        }
    }
}

/// One reference read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its authors, in order.
    pub authors: Vec<Name>,
    /// Its year, when given.
    pub year: Option<i32>,
    /// Its title.
    pub title: String,
    /// The journal (container) it appeared in.
    pub journal: String,
    /// Its DOI, when given.
    pub doi: String,
    /// The study it reports, when a keyword says (`study: Smith2019`):
    /// records that name one study become its papers.
    pub study: Option<String>,
    /// Where it starts in its file.
    pub line: u64,
}

/// The study a record's keywords name: the first written `study: NAME`
/// (in any case, the space optional), as a reviewer tags the papers of
/// one study in Zotero or EndNote.
fn study_of<'a>(keywords: impl IntoIterator<Item = &'a str>) -> Option<String> {
    keywords.into_iter().find_map(|k| {
        let k = k.trim();
        let (word, name) = k.split_once(':')?;
        let name = name.trim();
        (word.trim().eq_ignore_ascii_case("study") && !name.is_empty()).then(|| name.to_string())
    })
}

/// The first four-digit number in `text` (`2019-03-01`, `{2019}`,
/// `2019///`), as a year.
pub(super) fn first_year(text: &str) -> Option<i32> {
    let digits: Vec<char> = text.chars().collect();
    (0..digits.len().saturating_sub(3)).find_map(|i| {
        let run = &digits[i..i + 4];
        let bounded = (i == 0 || !digits[i - 1].is_ascii_digit())
            && digits.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (bounded && run.iter().all(char::is_ascii_digit))
            .then(|| run.iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// Where each line of a text starts, so that the line of any place is
/// found by a binary search (counting from the start for every record
/// made reading 40,000 records take 51 s). A line ends at `\n`, `\r\n`
/// or a lone `\r` (old Mac exports).
pub(super) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The line (from 1) and column (from 1, in characters) of byte
    /// `offset` of `text`.
    pub(super) fn place(&self, text: &str, offset: usize) -> (u64, u64) {
        let line = self.line(offset);
        let start = self.0[usize::try_from(line).unwrap_or(1).saturating_sub(1)];
        let column = text.get(start..offset).map_or(0, |t| t.chars().count());
        (line, column as u64 + 1)
    }

    pub(super) fn of(text: &str) -> LineStarts {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        LineStarts(starts)
    }

    /// The line (from 1) of byte `offset`.
    pub(super) fn line(&self, offset: usize) -> u64 {
        self.0.partition_point(|start| *start <= offset) as u64
    }
}

/// The lines of `text`, each without its end (`\n`, `\r\n` or a lone
/// `\r`).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// What an import did: the studies it added (key, title), and the records
/// it found already present (`file:line`, the paper they match, how).
#[derive(Debug, Default)]
pub struct Imported {
    /// Study keys added, with the title of their paper.
    pub added: Vec<(String, String)>,
    /// Papers added to a study their keyword named (`study: KEY`): the
    /// paper's id and the study's.
    pub joined: Vec<(String, String)>,
    /// Records not added: where, the paper id they match, and by what.
    pub present: Vec<(String, String, String)>,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// Problems in the files read, each located.
    Problems(Vec<Problem>),
    /// A file could not be read or written.
    Io(String),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Problems(problems) => {
                let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                write!(f, "{}", lines.join("\n"))
            }
            ImportError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The largest reference file read: 100,000 records of 2 kB each.
const MAX_REFERENCES_BYTES: u64 = 200_000_000;

/// The records of one file, read by its extension.
fn read(path: &Path) -> Result<Vec<Record>, ImportError> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| ImportError::Io(format!("cannot read {name}: {e}"));
    // A device or pipe (`/dev/zero`) would be read without end, and no
    // export of a review's references comes near the limit.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(ImportError::Io(format!(
            "cannot read {name}: it is not a file"
        )));
    }
    if meta.len() > MAX_REFERENCES_BYTES {
        return Err(ImportError::Io(format!(
            "cannot read {name}: it is {} MB, more than the {} MB a reference export can be",
            meta.len() / 1_000_000,
            MAX_REFERENCES_BYTES / 1_000_000
        )));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    records(&name, &bytes)
}

/// The records of a reference file named `name` (its extension says its
/// format) holding `bytes`; every problem located.
pub fn records(name: &str, bytes: &[u8]) -> Result<Vec<Record>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ImportError::Problems(vec![Problem::file(
            name,
            "is not UTF-8 text (export it as UTF-8)",
        )])
    })?;
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let parsed = match extension.to_ascii_lowercase().as_str() {
        "ris" | "txt" => ris::parse(name, text),
        "bib" | "bibtex" => bibtex::parse(name, text),
        "json" => csl::parse(name, text),
        _ => Err(vec![Problem::file(
            name,
            "import reads .ris (RIS), .bib (BibTeX, BibLaTeX) and .json (CSL JSON) files",
        )]),
    };
    parsed.map_err(ImportError::Problems)
}

/// `Smith`, `Smith & Lee`, `Smith et al.`: how a study's author cell reads.
fn author_cell(r: &Record) -> String {
    match r.authors.as_slice() {
        [] => String::new(),
        [one] => one.family.clone(),
        [a, b] => format!("{} & {}", a.family, b.family),
        [a, ..] => format!("{} et al.", a.family),
    }
}

/// `Smith, J.; Lee, M. (2019). Title. Journal.`
fn citation(r: &Record) -> String {
    let names: Vec<String> = r.authors.iter().map(Name::cited).collect();
    let year = r.year.map_or("n.d.".to_string(), |y| y.to_string());
    let mut out = format!("{} ({year}).", names.join("; "));
    for part in [&r.title, &r.journal] {
        if !part.is_empty() {
            out.push(' ');
            out.push_str(part.trim_end_matches('.'));
            out.push('.');
        }
    }
    out.trim().to_string()
}

/// The author-year keys (in lower case) that two or more of the new
/// `records` would share: their studies are lettered from `a`
/// (`Okafor2021a`, `Okafor2021b`), as reviewers and APA write them, never
/// `Okafor2021` beside `Okafor2021a`. Records already present, or repeated
/// within the import, are passed over as the import passes over them.
fn shared_bases(known: &Known, records: &[(String, Record)]) -> HashSet<String> {
    let mut known = known.clone();
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, r) in records {
        let doi = doi_key(&r.doi);
        let year = r.year.map(|y| y.to_string()).unwrap_or_default();
        let title = (title_key(&r.title), year);
        if known.find(&doi, &title).is_some() {
            continue;
        }
        known.insert(doi, title, String::new());
        if r.study.is_none() {
            *count.entry(base_key(r).to_lowercase()).or_default() += 1;
        }
    }
    (count.into_iter().filter(|(_, n)| *n > 1))
        .map(|(base, _)| base)
        .collect()
}

/// Refuses a `folder` that is a workbook or a file: imports add to a
/// dataset folder.
fn refuse_unless_folder(folder: &Path) -> Result<(), ImportError> {
    let shown = folder.display();
    if crate::review::dataset::workbook::is_workbook(folder) {
        return Err(ImportError::Io(format!(
            "import adds to a dataset folder, and {shown} is a workbook: export it to a folder (metasum --data {shown} export FOLDER), import into that, and export the folder as a workbook again if you keep one"
        )));
    }
    if folder.exists() && !folder.is_dir() {
        return Err(ImportError::Io(format!(
            "import adds to a dataset folder, and {shown} is a file"
        )));
    }
    Ok(())
}

/// Runs `add` on `folder` (made when missing) while no other metasum
/// writes it: two imports at once add both their rows. A folder made for
/// an import that `wrote` nothing is removed again.
fn locked<T>(
    folder: &Path,
    add: impl FnOnce() -> Result<T, ImportError>,
    wrote: impl Fn(&T) -> bool,
) -> Result<T, ImportError> {
    // The folders this import makes, deepest first: removed again when it
    // writes nothing (`--data new/review` leaves no `new/`).
    let made: Vec<&Path> = (folder.ancestors())
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .collect();
    let unmake = || {
        for dir in &made {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    };
    if let Err(e) = std::fs::create_dir_all(folder) {
        unmake();
        return Err(ImportError::Io(format!(
            "cannot make the folder {}: {e}",
            folder.display()
        )));
    }
    let lock = match crate::review::atomic::DatasetLock::write(folder) {
        Ok(lock) => lock,
        Err(e) => {
            unmake();
            return Err(ImportError::Io(format!(
                "cannot import into {}: {e}",
                folder.display()
            )));
        }
    };
    let done = add();
    drop(lock);
    if !done.as_ref().is_ok_and(&wrote) {
        unmake();
    }
    done
}

/// Adds the references in `files` to the dataset folder `folder` (made
/// when missing): new studies to `studies.csv`, their papers to
/// `papers.csv`. Nothing is written when a file has a problem, or when the
/// dataset's own files could not be loaded.
pub fn import(folder: &Path, files: &[PathBuf]) -> Result<Imported, ImportError> {
    refuse_unless_folder(folder)?;
    let mut records: Vec<(String, Record)> = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        match read(path) {
            Ok(rs) if rs.is_empty() => problems.push(Problem::file(
                &path.display().to_string(),
                "holds no record (is it an export of references?)",
            )),
            Ok(rs) => records.extend(rs.into_iter().map(|r| (path.display().to_string(), r))),
            Err(ImportError::Problems(p)) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Problems(problems));
    }
    locked(
        folder,
        || add(folder, records),
        |d| !d.added.is_empty() || !d.joined.is_empty(),
    )
}

/// Adds `records` to the folder's studies and papers (the folder is
/// locked): the new files are written only when the dataset they make
/// loads.
fn add(folder: &Path, mut records: Vec<(String, Record)>) -> Result<Imported, ImportError> {
    // The records a `study:` keyword ties to a study come after the
    // others: the key a keyword names may be one an untagged record of
    // this import gets (`study: Berg2017` before Berg's 2017 paper).
    records.sort_by_key(|(_, r)| r.study.is_some());
    let mut studies = CsvFile::open(folder, ReviewFile::Studies)?;
    let mut papers = CsvFile::open(folder, ReviewFile::Papers)?;
    if !papers.exists() {
        // Without papers.csv each study is its own paper (as the loader
        // reads it): written out, so that the studies already there keep
        // their paper beside the new ones'.
        papers.one_per_study(&studies);
    }
    // Numbered studies go on being numbered: a text key among whole
    // numbers would turn every id into text, and a link written `03`
    // would no longer name study 3.
    let mut study_numbers = Numbering::of(&studies.values("id"));
    let mut study_keys = Taken::of(&studies.values("id"));
    let mut paper_keys = Taken::of(&papers.values("id"));
    let mut known = Known::of(&papers);
    // Numbered papers go on being numbered; otherwise a paper is keyed as
    // its study is.
    let mut paper_numbers = Numbering::of(&papers.values("id"));
    let shared = shared_bases(&known, &records);
    // The studies a `study: KEY` keyword may name: those there, by id in
    // any case, and those this import adds for a keyword.
    let mut grouped: HashMap<String, String> = (studies.values("id").into_iter())
        .map(|id| (id.trim().to_lowercase(), id.trim().to_string()))
        .collect();
    let mut imported = Imported::default();
    for (file, r) in records {
        let doi = doi_key(&r.doi);
        let year = r.year.map(|y| y.to_string()).unwrap_or_default();
        let title = (title_key(&r.title), year.clone());
        if let Some((paper, how)) = known.find(&doi, &title) {
            imported
                .present
                .push((format!("{file}:{}", r.line), paper, how));
            continue;
        }
        // The study a keyword names, when it is there (or added by this
        // import): the record is another paper of it.
        let named = r.study.as_ref().map(|name| name.to_lowercase());
        let joins = named.as_ref().and_then(|n| grouped.get(n)).cloned();
        if let (Some(name), None) = (&named, &joins) {
            // `study: Park2019` where Park2019a and Park2019b are there:
            // which one is not for metasum to guess.
            let lettered: Vec<&String> = (grouped.iter())
                .filter(|(k, _)| {
                    k.strip_prefix(name.as_str()).is_some_and(|rest| {
                        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase())
                    })
                })
                .map(|(_, key)| key)
                .collect();
            if !lettered.is_empty() {
                let mut keys: Vec<&str> = lettered.iter().map(|k| k.as_str()).collect();
                keys.sort_unstable();
                return Err(ImportError::Problems(vec![Problem::at(
                    &file,
                    r.line,
                    format!(
                        "`study: {}` names no study, and {} are there: name one of them",
                        r.study.as_deref().unwrap_or_default(),
                        keys.join(", ")
                    ),
                )]));
            }
        }
        let number = if joins.is_none() {
            study_numbers.next()
        } else {
            None
        };
        let key = match (&joins, number) {
            (Some(study), _) => study.clone(),
            (None, Some(n)) => study_keys.take(n),
            (None, None) => match &r.study {
                Some(name) => study_keys.unique(name, false),
                None => {
                    let base = base_key(&r);
                    let lettered = shared.contains(&base.to_lowercase());
                    study_keys.unique(&base, lettered)
                }
            },
        };
        let paper = match paper_numbers.next() {
            Some(n) => paper_keys.take(n),
            None => paper_keys.unique(&key, false),
        };
        if joins.is_none() {
            studies.add(&[
                ("id", key.clone()),
                ("author", author_cell(&r)),
                ("year", year.clone()),
            ]);
            // A later record's `study:` keyword may name it by its key,
            // or by the name an earlier keyword gave it.
            grouped.insert(key.to_lowercase(), key.clone());
            if let Some(name) = named {
                grouped.insert(name, key.clone());
            }
        }
        papers.add(&[
            ("id", paper.clone()),
            ("study", key.clone()),
            ("citation", citation(&r)),
            ("year", year),
            ("title", r.title.clone()),
            ("journal", r.journal.clone()),
            ("doi", r.doi.trim().to_string()),
        ]);
        known.insert(doi, title, paper.clone());
        match joins {
            Some(study) => imported.joined.push((paper, study)),
            None => imported.added.push((key, r.title)),
        }
    }
    if imported.added.is_empty() && imported.joined.is_empty() {
        return Ok(imported);
    }
    refuse_unless_it_loads(folder, &[&studies, &papers], &[])?;
    // Papers and studies together or neither: a paper without its study,
    // or a study without its paper, would be a dataset that does not load
    // or counts a study with no report.
    file::write_all(&[&papers, &studies], &[])?;
    Ok(imported)
}

/// Refuses an import whose result would not load, when the folder holds a
/// dataset (findings and their links, besides the references): the
/// `changed` files and the `new` ones (name, bytes) with the others as
/// they are.
fn refuse_unless_it_loads(
    folder: &Path,
    changed: &[&CsvFile],
    new: &[(ReviewFile, Vec<u8>)],
) -> Result<(), ImportError> {
    let will_have = |file: ReviewFile| {
        folder.join(file.file()).exists()
            || changed.iter().any(|c| c.kind == file && c.changed())
            || new.iter().any(|(f, _)| *f == file)
    };
    if !will_have(ReviewFile::Findings) && !will_have(ReviewFile::Matrix) {
        return Ok(());
    }
    let mut files = std::collections::BTreeMap::new();
    for file in ReviewFile::ALL {
        let name = file.file();
        let replaced = changed.iter().find(|c| c.kind == file && c.changed());
        let bytes = match (replaced, new.iter().find(|(f, _)| *f == file)) {
            (_, Some((_, bytes))) => bytes.clone(),
            (Some(csv), None) => csv.bytes()?,
            (None, None) => match file::read_file(&folder.join(name))? {
                Some(bytes) => bytes,
                None => continue,
            },
        };
        files.insert(name.to_string(), bytes);
    }
    match crate::Dataset::from_files(&files, &folder.display().to_string()) {
        Ok(_) => Ok(()),
        Err(crate::Error::Load(e)) => {
            let mut problems = e.problems;
            problems.push(Problem::file(
                &folder.display().to_string(),
                "would not load after this import (the problems above); nothing was written",
            ));
            Err(ImportError::Problems(problems))
        }
        Err(e) => Err(ImportError::Io(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_dois_and_titles_compare_as_written_differently() {
        assert_eq!(first_year("2019-03-01"), Some(2019));
        assert_eq!(first_year("{2019}"), Some(2019));
        assert_eq!(first_year("2019///"), Some(2019));
        assert_eq!(first_year("12345"), None);
        assert_eq!(first_year("n.d."), None);
        assert_eq!(doi_key(" https://doi.org/10.1000/ABC "), "10.1000/abc");
        assert_eq!(doi_key("doi:10.1000/abc"), "10.1000/abc");
        assert_eq!(
            title_key("{HIV} and peer support: a review."),
            title_key("HIV and Peer Support -- a Review")
        );
        assert_eq!(title_key("Café études"), "cafe etudes");
        assert_eq!(
            title_key("Łódź: Straße, Ørsted"),
            title_key("Lodz Strasse Orsted")
        );
        // Non-Latin titles compare whole, not by their digits alone.
        assert_ne!(
            title_key("2021年同伴支持研究"),
            title_key("2021年心理健康服务")
        );
        assert_ne!(title_key("Поддержка 2021"), title_key("Помощь 2021"));
        assert_eq!(title_key("ＨＩＶ Поддержка"), "hiv поддержка");
        assert_eq!(Name::parse("Smith, Jane M.").cited(), "Smith, J. M.");
        assert_eq!(Name::parse("Jane Smith").family, "Smith");
    }

    #[test]
    fn lines_end_at_any_line_end() {
        let text = "a\nb\r\nc\rd";
        assert_eq!(lines(text).collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        let starts = LineStarts::of(text);
        let line = |c: char| starts.line(text.find(c).unwrap());
        assert_eq!([line('a'), line('b'), line('c'), line('d')], [1, 2, 3, 4]);
    }
}
