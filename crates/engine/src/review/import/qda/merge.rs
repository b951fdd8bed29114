//! A read project merged into a dataset folder: rows added to studies,
//! papers, findings, evidence, extracts and coding, each keyed to the
//! project by its GUID (`qda_guid`) so that a second import adds only what
//! is new. Rows already there are never rewritten, except that a paper or
//! finding the project names (a source `Smith2019.pdf` for the paper
//! `Smith2019`; a code named as a finding) is given its GUID.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::project::{Group, Project, Source};
use super::quotes::Quotes;
use super::{Options, QdaImported, StudiesBy};
use super::{coded, links};
use metasum_query::error::excerpt;

use crate::problem::{Listed, Problem};
use crate::review::dataset::files::QDA_GUID as GUID;
use crate::review::dataset::files::ReviewFile;
use crate::review::dataset::meta::FIRST_GROUPING;
use crate::review::import::file::{CsvFile, read_file, write_all};
use crate::review::import::keys::{Numbering, Taken, ascii};
use crate::review::import::{ImportError, first_year, refuse_unless_it_loads};

/// What is merged: the project, its passages' quotes, its file's name.
pub struct From<'a> {
    /// The project read.
    pub project: &'a Project,
    /// Each passage's place and quote.
    pub quotes: &'a Quotes,
    /// The project file as given.
    pub file: &'a str,
}

/// The grouping column findings get when the review declares none.
const GROUP_COLUMN: &str = "theme";

/// The folder's files an import adds to.
pub(super) struct Tables {
    pub(super) studies: CsvFile,
    pub(super) papers: CsvFile,
    pub(super) findings: CsvFile,
    pub(super) evidence: CsvFile,
    pub(super) extracts: CsvFile,
    pub(super) coding: CsvFile,
}

impl Tables {
    fn open(folder: &Path) -> Result<Tables, ImportError> {
        let studies = CsvFile::open(folder, ReviewFile::Studies)?;
        let mut papers = CsvFile::open(folder, ReviewFile::Papers)?;
        if !papers.exists() {
            papers.one_per_study(&studies);
        }
        Ok(Tables {
            studies,
            papers,
            findings: CsvFile::open(folder, ReviewFile::Findings)?,
            evidence: CsvFile::open(folder, ReviewFile::Evidence)?,
            extracts: CsvFile::open(folder, ReviewFile::Extracts)?,
            coding: CsvFile::open(folder, ReviewFile::Coding)?,
        })
    }

    fn all(&self) -> [&CsvFile; 6] {
        [
            &self.studies,
            &self.papers,
            &self.findings,
            &self.evidence,
            &self.extracts,
            &self.coding,
        ]
    }
}

/// Row index by the lower-case cell of `column`, for the rows where it is
/// not empty.
pub(super) fn index(file: &CsvFile, column: &str) -> HashMap<String, usize> {
    (file.values(column).into_iter().enumerate())
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(i, v)| (v.trim().to_lowercase(), i))
        .collect()
}

/// Merges `from` into the folder (locked by the caller).
pub fn merge(folder: &Path, from: &From, options: &Options) -> Result<QdaImported, ImportError> {
    if folder.join(ReviewFile::Matrix.file()).exists() {
        return Err(ImportError::Io(format!(
            "{} keeps its findings as {}: a QDA project adds {} and {}; import it into another folder",
            folder.display(),
            ReviewFile::Matrix.file(),
            ReviewFile::Findings.file(),
            ReviewFile::Evidence.file()
        )));
    }
    let mut t = Tables::open(folder)?;
    refuse_fresh_guids(&t, from)?;
    let mut done = QdaImported {
        notes: from.quotes.notes.clone(),
        ..QdaImported::default()
    };
    let project = from.project;
    // NVivo writes each case as a code of the same GUID too: its codings
    // say which sources the case holds, not a finding.
    let cases: HashSet<&str> = project.cases.iter().map(|c| c.guid.as_str()).collect();
    let studies_of = study_groups(project, options, from.file, &mut done)?;
    let papers = add_papers(&mut t, project, &studies_of, &mut done);
    if !done.studies.is_empty() {
        done.notes.push(std::mem::take(&mut done.studies_made));
    }
    let (group, meta) = grouping(folder, &t.findings, from)?;
    let findings = coded::add_findings(&mut t, project, &cases, &group, &mut done);
    links::add_links(&mut t, from, &papers, &findings, &cases, &mut done);
    coded::vanished(&t, project, &mut done);
    if !done.wrote() {
        return Ok(done);
    }
    if !t.evidence.exists() {
        // The links' file, even with none yet (a codebook's findings).
        t.evidence.ensure("finding");
        t.evidence.ensure("study");
    }
    let meta: Vec<(ReviewFile, Vec<u8>)> =
        meta.into_iter().map(|m| (ReviewFile::Meta, m)).collect();
    let mut checked = meta.clone();
    if !(t.studies.exists() || t.studies.changed()) {
        // No studies yet (a codebook's findings before the references):
        // checked with one stand-in study, never written.
        checked.push((ReviewFile::Studies, b"id,author,year\nS,-,\n".to_vec()));
    }
    refuse_unless_it_loads(folder, &t.all(), &checked).map_err(|e| {
        let lines = [&t.studies, &t.papers, &t.findings].map(CsvFile::added_lines);
        from_the_project(e, lines, &done, from.file)
    })?;
    let changed: Vec<&CsvFile> = t.all().into_iter().filter(|f| f.changed()).collect();
    let others: Vec<_> = (meta.into_iter())
        .map(|(file, bytes)| (folder.join(file.file()), bytes))
        .collect();
    write_all(&changed, &others)?;
    Ok(done)
}

/// Refuses a project none of whose sources, codes or codings the folder
/// took from a project before, when it did take some: an export whose
/// GUIDs are all new (QualCoder makes new ones on every export) would add
/// every study, finding and link a second time, and FES would halve.
fn refuse_fresh_guids(t: &Tables, from: &From) -> Result<(), ImportError> {
    let project = from.project;
    let tied = |file: &CsvFile| -> HashSet<String> {
        (file.values(GUID).iter())
            .filter(|g| !g.is_empty())
            .map(|g| g.to_lowercase())
            .collect()
    };
    let (papers, findings, extracts) = (tied(&t.papers), tied(&t.findings), tied(&t.extracts));
    if papers.is_empty() && findings.is_empty() && extracts.is_empty() {
        return Ok(());
    }
    let codings = (project.sources.iter().flat_map(|s| &s.selections)).flat_map(|s| &s.codings);
    let known = project.sources.iter().any(|s| papers.contains(&s.guid))
        || project.codes.iter().any(|c| findings.contains(&c.guid))
        || codings.into_iter().any(|c| extracts.contains(&c.guid));
    if known {
        return Ok(());
    }
    Err(ImportError::Problems(vec![Problem::file(
        from.file,
        "none of its sources, codes or codings is one this folder took from a project before, though the folder holds an earlier import: an export whose GUIDs are all new (QualCoder makes new ones on every export) would add every study, finding and link a second time. Import it into a new folder, and compare the two with `metasum diff OLD NEW`",
    )]))
}

/// The problems of the files an import would write, each row the
/// import adds named by what it comes from in the project (`lines`: the
/// line each added row of studies.csv, papers.csv and findings.csv starts
/// on).
fn from_the_project(
    e: ImportError,
    lines: [Vec<u64>; 3],
    done: &QdaImported,
    project: &str,
) -> ImportError {
    let ImportError::Problems(mut problems) = e else {
        return e;
    };
    let added = [
        (ReviewFile::Studies, &done.studies, "case or source"),
        (ReviewFile::Papers, &done.papers, "source"),
        (ReviewFile::Findings, &done.findings, "code"),
    ];
    for p in &mut problems {
        let Some(line) = p.line else { continue };
        for ((file, rows, what), lines) in added.iter().zip(&lines) {
            let row = lines.iter().position(|l| *l == line);
            if p.file == file.file()
                && let Some((_, name)) = row.and_then(|r| rows.get(r))
            {
                let name = excerpt(name);
                p.message = format!("{} (from the project's {what} \"{name}\")", p.message);
            }
        }
    }
    problems.push(Problem::file(
        project,
        "the rows above come from the project: change the code, case or source in the QDA program and export again, or import into a new folder",
    ));
    ImportError::Problems(problems)
}

/// The study of each source (by GUID): its case's or set's GUID and name,
/// else its own.
fn study_groups(
    project: &Project,
    options: &Options,
    file: &str,
    done: &mut QdaImported,
) -> Result<HashMap<String, (String, String)>, ImportError> {
    // Sets are groups of any kind (ATLAS.ti's document groups and
    // variables, "gender: female"): studies only when asked.
    let cases = cases_with_sources(project);
    let by = options
        .studies_by
        .unwrap_or(match cases.iter().any(|g| !g.sources.is_empty()) {
            true => StudiesBy::Cases,
            false => StudiesBy::Sources,
        });
    let (groups, what) = match by {
        StudiesBy::Cases => (cases.as_slice(), "case"),
        StudiesBy::Sets => (project.sets.as_slice(), "set"),
        StudiesBy::Sources => (&[][..], "source"),
    };
    let names: HashMap<&str, &str> = (project.sources.iter())
        .map(|s| (s.guid.as_str(), s.name.as_str()))
        .collect();
    let mut of: HashMap<String, (String, String)> = HashMap::new();
    let mut problems = Vec::new();
    let mut listed = Listed::new(&mut problems, file);
    for g in groups {
        for (source, line) in &g.sources {
            match of.get(source) {
                Some((other, _)) if *other == g.guid => {}
                Some((_, other)) => listed.push(Problem::at(
                    file,
                    *line,
                    format!(
                        "the source \"{}\" is in the {what} \"{}\" and in \"{}\": a paper reports one study; keep it in one {what}, or import with --studies-by {}",
                        excerpt(names.get(source.as_str()).unwrap_or(&"")),
                        excerpt(other),
                        excerpt(&g.name),
                        if by == StudiesBy::Cases { "sets or sources" } else { "cases or sources" }
                    ),
                )),
                None => {
                    // A case without a name (MAXQDA's and Quirkos' cases
                    // hold one source's variables) is named by its source.
                    let name = match g.name.is_empty() {
                        true => stem(names.get(source.as_str()).unwrap_or(&"")).to_string(),
                        false => g.name.clone(),
                    };
                    of.insert(source.clone(), (g.guid.clone(), name));
                }
            }
        }
    }
    drop(listed);
    if !problems.is_empty() {
        return Err(ImportError::Problems(problems));
    }
    for s in &project.sources {
        of.entry(s.guid.clone())
            .or_insert_with(|| (s.guid.clone(), stem(&s.name).to_string()));
    }
    // Said when studies are added (told how they were made).
    done.studies_made = match by {
        StudiesBy::Sources => "a study per source (no case of the project names a source; --studies-by cases or sets to choose)".into(),
        _ => format!("a study per {what} of the project, a source in none its own study (--studies-by to choose)"),
    };
    Ok(of)
}

/// The project's cases with the sources each holds: those its
/// `SourceRef`s name, and those coded with the case's own code (NVivo
/// exports each case as a code of the same GUID, and its codings as the
/// case's text).
fn cases_with_sources(project: &Project) -> Vec<Group> {
    let mut cases = project.cases.clone();
    for case in &mut cases {
        for source in &project.sources {
            let coded = (source.selections.iter())
                .flat_map(|s| &s.codings)
                .find(|c| c.code == case.guid);
            if let Some(c) = coded
                && !case.sources.iter().any(|(s, _)| *s == source.guid)
            {
                case.sources.push((source.guid.clone(), c.line));
            }
        }
    }
    cases
}

/// `Smith 2019` of `Smith 2019.pdf`.
fn stem(name: &str) -> &str {
    let name = name.trim();
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=4).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    }
}

/// The author and year a name like `Smith et al. (2019) Peer support`
/// gives; the name itself, without a year, when it holds none.
fn author_year(name: &str) -> (String, Option<i32>) {
    let Some(year) = first_year(name) else {
        return (name.trim().to_string(), None);
    };
    let at = name.find(&year.to_string()).unwrap_or(0);
    let author = name[..at].trim_end_matches([' ', '(', ',', '-', '_', '[', ';']);
    match author.trim() {
        "" => (name.trim().to_string(), Some(year)),
        a => (a.to_string(), Some(year)),
    }
}

/// A key for a study or paper named `name`: `Smith2019` for an
/// author-year name, else its letters and digits (`ParticipantA`).
fn key_of(name: &str) -> String {
    let (author, year) = author_year(name);
    let letters = |text: &str, digits: bool| -> String {
        (ascii(text).chars())
            .filter(|c| c.is_ascii_alphabetic() || digits && c.is_ascii_digit())
            .take(40)
            .collect()
    };
    let key = match year {
        Some(y) => {
            let first = author.split_whitespace().next().unwrap_or("");
            format!("{}{y}", letters(first, false))
        }
        None => letters(name, true),
    };
    match key.chars().next() {
        None => "Study".into(),
        Some(c) if c.is_ascii_digit() => format!("S{key}"),
        Some(c) => c.to_ascii_uppercase().to_string() + &key[1..],
    }
}

/// The folder's papers and studies as sources are matched and added.
struct Papers {
    /// Each paper row's id and study.
    rows: Vec<(String, String)>,
    /// Whether a paper row is a source's (has a GUID, or was just tied).
    tied: Vec<bool>,
    by_guid: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// A case's, set's or source's study, by its GUID.
    study_by_guid: HashMap<String, String>,
    study_ids: (Numbering, Taken),
    paper_ids: (Numbering, Taken),
}

impl Papers {
    fn of(t: &Tables) -> Papers {
        let (ids, studies) = (t.papers.values("id"), t.papers.values("study"));
        let study_ids = t.studies.values("id");
        Papers {
            rows: (ids.iter().zip(&studies))
                .map(|(i, s)| (i.to_string(), s.to_string()))
                .collect(),
            tied: t
                .papers
                .values(GUID)
                .iter()
                .map(|g| !g.is_empty())
                .collect(),
            by_guid: index(&t.papers, GUID),
            by_id: index(&t.papers, "id"),
            study_by_guid: (index(&t.studies, GUID).into_iter())
                .map(|(g, i)| (g, study_ids[i].to_string()))
                .collect(),
            study_ids: (Numbering::of(&study_ids), Taken::of(&study_ids)),
            paper_ids: (Numbering::of(&ids), Taken::of(&ids)),
        }
    }

    /// The study of the case, set or source `group` named `name`: there,
    /// or added.
    fn study(
        &mut self,
        t: &mut Tables,
        (group, name): (&str, &str),
        done: &mut QdaImported,
    ) -> String {
        if let Some(study) = self.study_by_guid.get(group) {
            return study.clone();
        }
        let (numbers, keys) = &mut self.study_ids;
        let key = (numbers.next().map(|n| keys.take(n)))
            .unwrap_or_else(|| keys.unique(&key_of(name), false));
        let (author, year) = author_year(name);
        t.studies.add(&[
            ("id", key.clone()),
            ("author", author),
            ("year", year.map(|y| y.to_string()).unwrap_or_default()),
            (GUID, group.to_string()),
        ]);
        done.studies.push((key.clone(), name.to_string()));
        self.study_by_guid.insert(group.to_string(), key.clone());
        key
    }

    /// A new paper of `study` for `source`, keyed as its study when it
    /// is its own study (`own`), else by its name.
    fn add(&mut self, t: &mut Tables, source: &Source, study: &str, own: bool) -> String {
        let base = match own {
            true => study.to_string(),
            false => key_of(stem(&source.name)),
        };
        let (numbers, keys) = &mut self.paper_ids;
        let paper =
            (numbers.next().map(|n| keys.take(n))).unwrap_or_else(|| keys.unique(&base, false));
        let year = author_year(stem(&source.name)).1;
        t.papers.add(&[
            ("id", paper.clone()),
            ("study", study.to_string()),
            ("citation", source.name.clone()),
            ("year", year.map(|y| y.to_string()).unwrap_or_default()),
            (GUID, source.guid.clone()),
        ]);
        paper
    }
}

/// Adds the papers (and studies) of sources new to the folder; returns
/// each source's (paper, study).
fn add_papers(
    t: &mut Tables,
    project: &Project,
    studies_of: &HashMap<String, (String, String)>,
    done: &mut QdaImported,
) -> HashMap<String, (String, String)> {
    let mut papers = Papers::of(t);
    let mut out = HashMap::new();
    for source in &project.sources {
        let (group, group_name) = &studies_of[&source.guid];
        if let Some(&i) = papers.by_guid.get(&source.guid) {
            let (paper, study) = papers.rows[i].clone();
            let now = papers.study_by_guid.get(group);
            if let Some(now) = now.filter(|s| !s.eq_ignore_ascii_case(&study)) {
                done.changed.push(format!(
                    "the source \"{}\" is now in \"{}\" (study {now}) in the project; {} keeps paper {paper} a paper of study {study}",
                    excerpt(&source.name),
                    excerpt(group_name),
                    ReviewFile::Papers.file()
                ));
            }
            out.insert(source.guid.clone(), (paper, study));
            continue;
        }
        let named = papers
            .by_id
            .get(&stem(&source.name).to_lowercase())
            .copied();
        if let Some(i) = named.filter(|&i| !papers.tied[i]) {
            // `Smith2019.pdf` coded for the paper Smith2019 imported from
            // the references: that paper, now tied to its source.
            papers.tied[i] = true;
            t.papers.set(i, GUID, source.guid.clone());
            let (paper, study) = papers.rows[i].clone();
            let note = format!(
                "the source \"{}\" is the paper {paper} already there",
                source.name
            );
            done.notes.push(note);
            out.insert(source.guid.clone(), (paper, study));
            continue;
        }
        let study = papers.study(t, (group, group_name), done);
        let paper = papers.add(t, source, &study, *group == source.guid);
        done.papers.push((paper.clone(), source.name.clone()));
        out.insert(source.guid.clone(), (paper, study));
    }
    out
}

/// The findings column a code's parent fills, and a `dataset.toml` to
/// write when the folder has none (declaring it).
fn grouping(
    folder: &Path,
    findings: &CsvFile,
    from: &From,
) -> Result<(String, Option<Vec<u8>>), ImportError> {
    // Without a declaration, reviews made before the grouping could be
    // declared group by this column (as the loader reads them).
    let undeclared = match findings.column(FIRST_GROUPING) {
        Some(_) => FIRST_GROUPING,
        None => GROUP_COLUMN,
    };
    let path = folder.join(ReviewFile::Meta.file());
    let text = match read_file(&path)? {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let declared = (text.parse::<toml::Table>().ok())
                .and_then(|t| t.get("group_findings_by")?.as_str().map(str::to_string));
            return Ok((declared.unwrap_or_else(|| undeclared.to_string()), None));
        }
        None => {
            // Declared only for findings all from the project: a finding
            // there already has no group to give the column.
            new_meta(from, (!findings.exists()).then_some(undeclared))
        }
    };
    Ok((undeclared.to_string(), Some(text?.into_bytes())))
}

/// A `dataset.toml` for a folder that has none: the project's name as the
/// title, where it came from, and the grouping `column` (when given) when
/// codes have groups.
fn new_meta(from: &From, column: Option<&str>) -> Result<String, ImportError> {
    let project = from.project;
    let file_name = Path::new(from.file).file_name().and_then(|n| n.to_str());
    let title = match project.name.trim() {
        "" => stem(file_name.unwrap_or("")).to_string(),
        name => name.to_string(),
    };
    let origin = match project.origin.trim() {
        "" => String::new(),
        o => format!(", written by {o}"),
    };
    let mut meta = toml::Table::new();
    meta.insert("title".into(), title.into());
    let notes = format!("Imported from {} (REFI-QDA{origin}) by metasum.", from.file);
    meta.insert("notes".into(), notes.into());
    if let Some(column) = column.filter(|_| coded::grouped(project)) {
        meta.insert("group_findings_by".into(), column.into());
    }
    toml::to_string(&meta).map_err(|e| ImportError::Io(e.to_string()))
}
