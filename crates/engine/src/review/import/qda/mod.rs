//! `metasum import project.qdpx`: a review coded in a QDA program (NVivo,
//! ATLAS.ti, MAXQDA, QualCoder, Taguette) brought in through the REFI-QDA
//! Project Exchange format. Sources become papers (and their studies),
//! codes findings (a parent code their group), each coded passage an
//! evidence link and a row of `extracts.csv` with its quote, and the
//! links of each of two or more coders `coding.csv`. A codebook (`.qdc`)
//! brings its codes only. Importing the project again adds what is new
//! (every row keeps the project's GUID in `qda_guid`) and tells what
//! changed or vanished; nothing already in the folder is rewritten or
//! removed. Nothing is written when the project has a problem, or when
//! the dataset it would make does not load.

mod archive;
mod coded;
mod links;
mod merge;
mod project;
mod quotes;
mod text;

use std::path::Path;

pub use text::Unit;

use super::ImportError;
use crate::problem::Problem;

/// Which project structure says which papers report one study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum StudiesBy {
    /// A study per case, holding the sources the case names.
    Cases,
    /// A study per set, holding its member sources.
    Sets,
    /// A study per source.
    Sources,
}

/// How a line end of two characters (`\r\n`) is counted by positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum LineEnds {
    /// As the text holds it: two (NVivo).
    AsWritten,
    /// As one (ATLAS.ti, MAXQDA; QualCoder writes `\r\n` for `\n` when
    /// asked).
    One,
}

/// How the project's positions are read: by default from the program
/// that wrote it (its `origin`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Which structure makes studies (by default cases when any case
    /// names a source, else one per source; sets only when asked: programs
    /// export document groups and variables as sets).
    pub studies_by: Option<StudiesBy>,
    /// What a position counts (by default code points, as the standard
    /// says and every exporter tested writes).
    pub unit: Option<Unit>,
    /// How `\r\n` counts (by default as the exporting program counts it).
    pub line_ends: Option<LineEnds>,
}

/// What a project import did, told to the reviewer.
#[derive(Debug, Default)]
pub struct QdaImported {
    /// Studies added: (id, name).
    pub studies: Vec<(String, String)>,
    /// Papers added: (id, source name).
    pub papers: Vec<(String, String)>,
    /// Findings added: (id, code name).
    pub findings: Vec<(String, String)>,
    /// Evidence links added.
    pub links: usize,
    /// Extracts added.
    pub extracts: usize,
    /// Coders' own links added to coding.csv.
    pub coding: usize,
    /// What the project now says differently from the folder (kept as the
    /// folder has it).
    pub changed: Vec<String>,
    /// What the folder took from the project before and the project no
    /// longer holds (kept).
    pub vanished: Vec<String>,
    /// How the project was read (its program, positions, structure).
    pub notes: Vec<String>,
    /// How studies are made from the project, told when any is added.
    studies_made: String,
}

impl QdaImported {
    /// Whether anything was written.
    pub fn wrote(&self) -> bool {
        !(self.studies.is_empty()
            && self.papers.is_empty()
            && self.findings.is_empty()
            && self.links == 0
            && self.extracts == 0
            && self.coding == 0)
    }
}

/// Whether `path` names a QDA project or codebook (by its extension).
pub fn is_project(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["qdpx", "qde", "qdc"]
        .iter()
        .any(|e| extension.eq_ignore_ascii_case(e))
}

/// How positions are read for a project written by `origin`, unless
/// `options` say.
pub fn reading(origin: &str, options: &Options) -> (Unit, LineEnds) {
    let program = origin.to_ascii_lowercase();
    // ATLAS.ti writes positions as though `\r\n` were one character;
    // QualCoder's positions index its text with `\n` line ends, which it
    // writes as `\r\n` when asked to "for MAXQDA" (so MAXQDA counts it as
    // one too, by that evidence); NVivo counts the file's characters as
    // they are (QualCoder's importer; docs/DATASET.md, "Coding from QDA programs",
    // Positions).
    let one = ["atlas", "qualcoder", "maxqda"]
        .iter()
        .any(|p| program.contains(p));
    let line_ends = options.line_ends.unwrap_or(match one {
        true => LineEnds::One,
        false => LineEnds::AsWritten,
    });
    (options.unit.unwrap_or(Unit::CodePoints), line_ends)
}

/// What an import reads of the project `name` (its extension says what it
/// is) given as `bytes`, read and checked as [`import_project`] reads it,
/// nothing written: how it was read, and how many passages it quotes.
pub fn read_project(
    name: &str,
    bytes: Vec<u8>,
    options: &Options,
) -> Result<(Vec<String>, usize), ImportError> {
    let problems = |p: Box<Problem>| ImportError::Problems(vec![*p]);
    let file = Box::new(std::io::Cursor::new(bytes));
    let mut opened = archive::Opened::read(name.to_string(), file).map_err(problems)?;
    let project = project::parse(&opened.xml_name, &opened.xml).map_err(ImportError::Problems)?;
    let quotes = quotes::Quotes::of(&project, &mut opened, options)?;
    Ok((quotes.notes, quotes.of.len()))
}

/// Adds what the project (or codebook) at `path` holds to the dataset
/// folder `folder` (made when missing).
pub fn import_project(
    folder: &Path,
    path: &Path,
    options: &Options,
) -> Result<QdaImported, ImportError> {
    super::refuse_unless_folder(folder)?;
    let problems = |p: Box<Problem>| ImportError::Problems(vec![*p]);
    let mut opened = archive::Opened::open(path).map_err(problems)?;
    let project = project::parse(&opened.xml_name, &opened.xml).map_err(ImportError::Problems)?;
    if project.sources.is_empty() && project.codes.is_empty() {
        return Err(problems(Box::new(Problem::file(
            &opened.xml_name,
            "holds no source and no code: nothing to import (an empty project?)",
        ))));
    }
    let quotes = quotes::Quotes::of(&project, &mut opened, options)?;
    let from = merge::From {
        project: &project,
        quotes: &quotes,
        file: &opened.name,
    };
    super::locked(
        folder,
        || merge::merge(folder, &from, options),
        QdaImported::wrote,
    )
}
