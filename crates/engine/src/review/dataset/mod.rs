//! Datasets: a folder of CSV files plus `dataset.toml`, loaded into validated
//! polars frames. See `docs/DATASET.md` for the format.

mod cache_folder;
mod cells;
pub(crate) mod cerqual;
mod claims;
pub mod coding;
pub mod csvfile;
mod declared;
pub mod extracts;
pub mod files;
pub mod frames;
mod id_table;
mod intcsv;
pub mod keys;
mod labels;
mod links;
pub mod links_cache;
mod load;
mod matrix_file;
mod matrix_sheet;
pub(crate) mod meta;
mod parallel;

pub mod search;
mod tables_cache;
mod validate;
pub(crate) mod workbook;
mod workbook_limits;

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

pub use crate::problem::{LoadError, Problem};
pub use cerqual::{Assessment, COMPONENTS, Concern, Confidence, Judgement};
pub use claims::{Citation, Claim};
pub use meta::Meta;

use csvfile::{ColumnSpec, Kind};
use files::ReviewFile;

/// The seed review (Table 1 and Table 2 of the peer-support metasynthesis),
/// compiled into the binary so metasum runs with no files around it.
const SEED: [(&str, &[u8]); 8] = [
    (
        ReviewFile::Meta.file(),
        include_bytes!("../../../../../datasets/peer-support/dataset.toml"),
    ),
    (
        ReviewFile::Studies.file(),
        include_bytes!("../../../../../datasets/peer-support/studies.csv"),
    ),
    (
        ReviewFile::Papers.file(),
        include_bytes!("../../../../../datasets/peer-support/papers.csv"),
    ),
    (
        ReviewFile::Findings.file(),
        include_bytes!("../../../../../datasets/peer-support/findings.csv"),
    ),
    (
        ReviewFile::Evidence.file(),
        include_bytes!("../../../../../datasets/peer-support/evidence.csv"),
    ),
    (
        ReviewFile::Claims.file(),
        include_bytes!("../../../../../datasets/peer-support/claims.csv"),
    ),
    (
        ReviewFile::Citations.file(),
        include_bytes!("../../../../../datasets/peer-support/citations.csv"),
    ),
    (
        ReviewFile::Search.file(),
        include_bytes!("../../../../../datasets/peer-support/search.csv"),
    ),
];

/// A loaded, validated review: the four stored tables and their description.
///
/// Computed figures (n, FES, intensity) are not stored here; see
/// [`crate::count::views`].
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Where the data came from: a folder path, or `embedded seed`.
    pub origin: String,
    /// Contents of `dataset.toml` (defaults when the file is absent).
    pub meta: Meta,
    /// One row per study: `id`, `author`, `year`, then any other columns.
    pub studies: DataFrame,
    /// One row per paper (report): `id`, `study`, `citation`, ...
    pub papers: DataFrame,
    /// One row per abstracted finding: `id`, `perspective`, `name`, ...
    pub findings: DataFrame,
    /// One row per finding found in a study (`finding`, `study`), read
    /// when first needed: see [`Dataset::links`].
    links: std::sync::Arc<links::Links>,
    /// Statements of the review's text with the studies they cite
    /// (`claims.csv`; empty when absent).
    pub claims: Vec<Claim>,
    /// Author-year citations in the review's text (`citations.csv`).
    pub citations: Vec<Citation>,
    /// The search and selection flow (`search.csv`), for `plot flow`.
    pub search: Vec<crate::review::dataset::search::SearchStage>,
    /// The GRADE-CERQual assessments (`cerqual.csv`); `None` without the
    /// file (then no finding lacks one).
    pub cerqual: Option<Vec<Assessment>>,
    /// The version this one is compared with (`--compare OLD`), for the
    /// tables of what changed.
    pub previous: Option<std::sync::Arc<Previous>>,
    /// Whether the papers come from papers.csv (else one per study was
    /// made up, numbered by position).
    pub papers_stored: bool,
    /// Two coders' own links (`coding.csv`), for `agreement`.
    pub coding: Option<coding::Coding>,
    /// The coded passages that support each finding (`extracts.csv`;
    /// empty when absent).
    pub extracts: Vec<extracts::Extract>,
    /// Stored columns named like computed ones (`file`, `column`), left out
    /// because metasum computes them (as in a dataset `export` wrote).
    pub ignored_columns: Vec<(String, String)>,
    /// How the ids of studies, findings and papers are written; the frames
    /// hold whole numbers (see [`keys`]).
    pub keys: TableKeys,
    /// Study id -> its label: the `label` column, else `author (year)`
    /// (`(2019a)`, `(2019b)` for two of one author and year). Shown where
    /// a person reads studies by name (matrix columns, profile's lists).
    /// Made when first needed, unless two could clash (then checked and
    /// made when loading the files: [`labels::study_labels`]; from the
    /// cache's copy of tables that passed that check, when first needed).
    pub(crate) study_labels: std::sync::OnceLock<PlHashMap<i64, String>>,
    /// Whether studies, papers and findings came from the cache's copy
    /// ([`tables_cache`]).
    tables_from_cache: bool,
}

impl Dataset {
    /// The evidence links, one row per finding found in a study
    /// (`finding`, `study`). A folder's `evidence.csv` is read and checked
    /// the first time they are needed; its problems then fail this (as a
    /// polars error whose text lists them located; see
    /// [`Dataset::load_links`]).
    pub fn links(&self) -> PolarsResult<&DataFrame> {
        self.load_links()
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))
    }

    /// [`Dataset::links`], failing with the located problems of
    /// `evidence.csv`: what `check`, `export` and the report call first,
    /// since they need every file.
    pub fn load_links(&self) -> Result<&DataFrame, LoadError> {
        self.links.get(&self.meta, &self.keys).map_err(Clone::clone)
    }

    /// How many times the links' problems have been handed out: a
    /// statement during which it grew failed for them ([`crate::Session`]
    /// reports them located).
    pub(crate) fn links_failures(&self) -> usize {
        self.links.failures()
    }

    /// Whether the review is small enough that a statement on it is
    /// quicker on one thread than handed to polars' threads: at most
    /// `rows` studies, findings and papers, and at most `rows` links.
    pub(crate) fn is_small(&self, rows: usize) -> bool {
        self.studies.height() <= rows
            && self.findings.height() <= rows
            && self.papers.height() <= rows
            && self.links.at_most(rows)
    }

    /// The links whose `by` column (`finding` or `study`) is one of `ids`
    /// (`of` names the other), columns as [`Dataset::links`] has them:
    /// read from the links cache's index while the links are not read and
    /// there are at most [`LINKS_OF_MOST`] ids (the links of the first
    /// rows, not 20M), else filtered from all the links.
    pub(crate) fn links_of(&self, (by, of): (&str, &str), ids: &[i64]) -> PolarsResult<LazyFrame> {
        let cached = (ids.len() <= LINKS_OF_MOST)
            .then(|| self.links.linked_in_cache(&self.keys, (by, of), ids))
            .flatten();
        let Some(linked) = cached else {
            let ids = Series::new(by.into(), ids);
            let links = self.links()?.clone().lazy();
            return Ok(links.filter(col(by).is_in(lit(ids).implode(false), false)));
        };
        let (mut bys, mut ofs) = (Vec::new(), Vec::new());
        for (id, linked) in ids.iter().zip(linked) {
            bys.extend(std::iter::repeat_n(*id, linked.len()));
            ofs.extend(linked);
        }
        let (by, of) = (Column::new(by.into(), bys), Column::new(of.into(), ofs));
        let order = ReviewFile::Evidence.columns().iter().map(|c| col(c.name));
        Ok(DataFrame::new(by.len(), vec![by, of])?
            .lazy()
            .select(order.collect::<Vec<_>>()))
    }

    /// Whether the links have been read (or tried): false for a folder
    /// nothing has needed them from yet.
    pub fn links_read(&self) -> bool {
        self.links.is_read()
    }

    /// Whether the links were read from the cache folder given to
    /// [`Dataset::load_cached`] (a checked copy of `evidence.csv`).
    pub fn links_from_cache(&self) -> bool {
        self.links.read_from_cache()
    }

    /// Whether studies, papers and findings were read from the cache
    /// folder given to [`Dataset::load_cached`] (a checked copy of what
    /// their files loaded as before).
    pub fn tables_from_cache(&self) -> bool {
        self.tables_from_cache
    }

    /// Why the cache was not used (for the links or the other tables),
    /// when someone else could have written it (told once: later calls
    /// give `None`).
    pub fn take_cache_note(&self) -> Option<String> {
        self.links.take_cache_note()
    }

    /// Study id (as a number) -> label.
    pub(crate) fn labels(&self) -> &PlHashMap<i64, String> {
        (self.study_labels).get_or_init(|| labels::labels_of(&self.studies))
    }
}

/// The most ids [`Dataset::links_of`] looks up in the links cache's
/// index (neighbouring ids' runs share the blocks of 64 KiB they are read
/// in): more rows than a `limit` shows on a screen. Beyond it, every link
/// is read.
pub(crate) const LINKS_OF_MOST: usize = 1000;

/// How the ids of each keyed table are written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableKeys {
    /// Ids of `studies` (and of `study` references).
    pub studies: keys::Keys,
    /// Ids of `findings` (and of `finding` references).
    pub findings: keys::Keys,
    /// Ids of `papers`.
    pub papers: keys::Keys,
}

/// Evidence links when studies and findings both have whole-number ids
/// (read by the parallel fast path): the registry's columns, each id a
/// number.
pub(crate) fn numbered_links() -> Vec<ColumnSpec<'static>> {
    let links = files::ReviewFile::Evidence.columns();
    (links.iter())
        .map(|c| match c.kind {
            Kind::Key => ColumnSpec {
                kind: Kind::Id,
                ..*c
            },
            _ => *c,
        })
        .collect()
}

/// Where the files of a dataset are read from.
enum Source<'a> {
    Dir(&'a Path),
    Embedded,
    /// File name -> contents (files given in memory).
    Files(&'a BTreeMap<String, Vec<u8>>),
    /// A workbook's sheets as CSV files, by file name.
    Sheets(&'a BTreeMap<String, Vec<u8>>),
    /// A folder's `evidence.csv`, read already: its bytes handed over
    /// once, not copied (at 20M links a copy cost 200 MB and 0.1 s).
    Evidence(std::cell::Cell<Option<Vec<u8>>>),
}

impl Source<'_> {
    /// How the files are kept, for the messages that name one.
    fn layout(&self) -> files::Layout {
        match self {
            Source::Sheets(_) => files::Layout::Workbook,
            _ => files::Layout::Folder,
        }
    }

    /// The bytes of `name`, `Ok(None)` when the file does not exist.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, std::io::Error> {
        match self {
            Source::Embedded => Ok(SEED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b.to_vec())),
            Source::Files(files) | Source::Sheets(files) => Ok(files.get(name).cloned()),
            Source::Evidence(bytes) if name == ReviewFile::Evidence.file() => Ok(bytes.take()),
            Source::Evidence(_) => Ok(None),
            Source::Dir(dir) => match parallel::read_file(&dir.join(name)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        }
    }
}

impl Dataset {
    /// The embedded seed review.
    pub fn seed() -> crate::Result<Dataset> {
        Ok(load::load(
            Source::Embedded,
            "embedded seed".to_string(),
            None,
        )?)
    }

    /// Loads and validates a dataset given as the contents of its files
    /// (`studies.csv` -> bytes, ...), as a folder would hold them; problems
    /// name the files. `origin` says where they came from.
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>, origin: &str) -> crate::Result<Dataset> {
        Ok(load::load(Source::Files(files), origin.to_string(), None)?)
    }

    /// Loads and validates the dataset folder (or spreadsheet) `path`,
    /// reporting every problem.
    pub fn load(path: &Path) -> crate::Result<Dataset> {
        Ok(load_path(path, None)?)
    }

    /// [`Dataset::load`], keeping a checked copy of a large folder's
    /// evidence links in the folder `cache` (when given) and reading it
    /// instead of `evidence.csv` while the files are as they were: see
    /// [`links_cache`].
    pub fn load_cached(path: &Path, cache: Option<&Path>) -> crate::Result<Dataset> {
        Ok(load_path(path, cache)?)
    }
}

/// [`Dataset::load`]: a folder or a workbook.
fn load_path(path: &Path, cache: Option<&Path>) -> Result<Dataset, LoadError> {
    let origin = path.display().to_string();
    let fail = |message: String| LoadError {
        origin: origin.clone(),
        problems: vec![Problem::file(&origin, message)],
    };
    if workbook::is_workbook(path) && path.is_file() {
        let sheets = workbook::read(path).map_err(fail)?;
        return load::load_expanded(&sheets, origin);
    }
    if !path.is_dir() {
        let what = if path.exists() {
            "is neither a folder nor a spreadsheet (.xlsx, .ods)"
        } else {
            "does not exist"
        };
        return Err(fail(format!("dataset {what}")));
    }
    load::load(Source::Dir(path), origin, cache)
}

/// The papers table of a dataset with no `papers.csv`: each study is its own
/// single paper, cited as `author (year)`. Each citation is written into
/// one buffer (at 100,000 studies a `String` each took 11 ms of every
/// run that loaded the review).
fn one_paper_per_study(studies: &DataFrame) -> PolarsResult<DataFrame> {
    use std::fmt::Write;
    let ids = studies.column("id")?;
    let years = studies.column("year")?;
    let mut citations = StringChunkedBuilder::new("citation".into(), studies.height());
    let mut citation = String::new();
    let authors = studies.column("author")?.str()?;
    for (author, year) in authors.iter().zip(years.i64()?.iter()) {
        citation.clear();
        citation.push_str(author.unwrap_or_default());
        if let Some(y) = year {
            // Writing to a String cannot fail.
            let _ = write!(citation, " ({y})");
        }
        citations.append_value(&citation);
    }
    DataFrame::new(
        studies.height(),
        vec![
            ids.clone(),
            ids.clone().with_name("study".into()),
            citations.finish().into_column(),
            years.clone(),
        ],
    )
}

/// The version a dataset is compared with, and the FES a finding may be
/// told to have crossed.
#[derive(Debug)]
pub struct Previous {
    /// The earlier version.
    pub dataset: Dataset,
    /// `--crossing P`: findings whose FES went from below P% to P% or more,
    /// or back.
    pub crossing: Option<crate::exact::Points>,
}
