//! Loading a dataset: each file read and typed (the registry's columns),
//! ids assigned, references resolved, tables checked against each other;
//! every problem located, and a dataset only when there are none.

use std::path::Path;

use polars::prelude::DataFrame;

use super::csvfile::{ColumnSpec, Kind, ReadTable, read_table};
use super::files::{Entity, Layout, ReviewFile};
use super::keys::Keys;
use super::links::{self, Links};
use super::validate::{self, IdIndex};
use super::workbook::SheetFiles;
use super::{
    Dataset, LoadError, Meta, Problem, Source, TableKeys, cerqual, claims, intcsv, numbered_links,
    one_paper_per_study, search,
};

mod tables;

use tables::{Core, Kept};

/// Loads the dataset `source` holds (`origin` says where it is); a
/// folder's links and other tables may be kept in the cache folder
/// `cache`. A folder is
/// read again when a metasum writer (`import`) was at work meanwhile:
/// never papers.csv of one change with studies.csv of the one before.
pub(super) fn load(
    source: Source<'_>,
    origin: String,
    cache: Option<&Path>,
) -> Result<Dataset, LoadError> {
    let Source::Dir(dir) = source else {
        return load_once(source, origin, cache);
    };
    crate::review::atomic::read_consistently(dir, &ReviewFile::folder_files(), || {
        load_once(Source::Dir(dir), origin.clone(), cache)
    })
    .unwrap_or_else(|e| {
        Err(LoadError {
            origin: origin.clone(),
            problems: vec![Problem::file(
                crate::review::atomic::LOCK_FILE,
                e.to_string(),
            )],
        })
    })
}

/// [`load`], once.
fn load_once(
    source: Source<'_>,
    origin: String,
    cache: Option<&Path>,
) -> Result<Dataset, LoadError> {
    if let Some(from_matrix) = from_matrix(&source, &origin) {
        return from_matrix;
    }
    // A folder's links are read when first needed (`links.rs`); the rest
    // of a folder, and any other source whole, now.
    let deferred = match source {
        Source::Dir(dir) => Some(dir.to_path_buf()),
        _ => None,
    };
    // Opened with the rest: the links read later are of this version.
    let evidence_file = deferred
        .as_deref()
        .and_then(|dir| super::parallel::open_regular(&dir.join(ReviewFile::Evidence.file())));
    let layout = source.layout();
    let mut r = Reading::new(source);
    let Kept {
        copy,
        tables: kept,
        note: cache_note,
    } = (deferred.as_deref().zip(cache))
        .map_or_else(Kept::default, |(dir, cache)| r.kept_tables(dir, cache));
    let from_copy = kept.is_some();
    let Core {
        meta,
        studies,
        papers,
        findings,
        keys,
        study_labels,
        ignored_columns,
    } = match kept {
        Some(kept) => Core::kept(kept),
        None => r.core(layout),
    };
    // Which tables could be read: references to the others are not
    // resolved (see `resolve_references`).
    let read = (studies.is_some(), findings.is_some());
    let mut evidence = match deferred {
        None => r.evidence(&keys, read),
        Some(_) => None,
    };

    let study_ids = studies.as_ref().map(IdIndex::of);
    let finding_ids = findings.as_ref().map(IdIndex::of);
    if !from_copy {
        // A copy holds tables that passed these checks.
        let tables = validate::Tables {
            meta: &meta,
            studies: studies.as_ref(),
            papers: papers.as_ref(),
            findings: findings.as_ref(),
            evidence: evidence.as_ref(),
            study_ids: study_ids.as_ref(),
            finding_ids: finding_ids.as_ref(),
            keys: &keys,
            layout,
        };
        tables.check(&mut r.problems);
    }
    // Claims and citations are checked against the tables that could be
    // read (a table that could not be has its own problems).
    let paper_ids = papers.as_ref().map(IdIndex::of);
    let text = r.text_tables(
        (study_ids.as_ref(), &keys.studies),
        (finding_ids.as_ref(), &keys.findings),
        (paper_ids.as_ref(), &keys.papers),
    );

    // A dataset refused for its other files is refused with every
    // problem, its links' too, as if they had been read with the rest.
    let refused = !r.problems.is_empty() || studies.is_none() || findings.is_none();
    if deferred.is_some() && refused {
        let ids = (study_ids.as_ref(), finding_ids.as_ref());
        evidence = r.evidence_checked(&meta, &keys, read, ids);
    }
    let problems = r.problems;
    let (Some(studies), Some(findings)) = (studies, findings) else {
        return Err(LoadError { origin, problems });
    };
    if !problems.is_empty() {
        return Err(LoadError { origin, problems });
    }
    let links = match (deferred, evidence) {
        (Some(dir), _) => {
            let cache = cache.and_then(|cache| {
                Some(links::Cache {
                    dir: cache.to_path_buf(),
                    studies: studies.frame.column("id").ok()?.clone(),
                    findings: findings.frame.column("id").ok()?.clone(),
                })
            });
            let ids = (
                study_ids.unwrap_or_default(),
                finding_ids.unwrap_or_default(),
            );
            let links = Links::deferred(dir, origin.clone(), ids, cache, evidence_file);
            if let Some(why) = cache_note {
                links.note_cache(why);
            }
            links
        }
        (None, Some(evidence)) => Links::read(evidence.frame),
        (None, None) => return Err(LoadError { origin, problems }),
    };
    let papers_stored = papers.is_some();
    let papers = papers_or_one_per_study(papers, &studies.frame, &origin)?;
    let (claims, citations, search, cerqual, coding, extracts) = text;
    let dataset = Dataset {
        origin,
        meta,
        studies: studies.frame,
        papers,
        findings: findings.frame,
        links: std::sync::Arc::new(links),
        claims,
        citations,
        search,
        cerqual,
        previous: None,
        papers_stored,
        coding,
        extracts,
        ignored_columns,
        keys,
        study_labels,
        tables_from_cache: from_copy,
    };
    if let Some(copy) = copy.filter(|_| !from_copy) {
        // A cache that cannot be written (read-only, full) only means the
        // next run reads the files again.
        let _ = copy.store(&dataset);
    }
    Ok(dataset)
}

/// The dataset of a folder (or files) that keeps a `matrix.csv` in place
/// of findings.csv and evidence.csv; `None` when it keeps none.
fn from_matrix(source: &Source<'_>, origin: &str) -> Option<Result<Dataset, LoadError>> {
    if matches!(source, Source::Sheets(_)) {
        return None; // a workbook's matrix is a sheet, split already
    }
    let refused = |problem: Box<Problem>| LoadError {
        origin: origin.to_string(),
        problems: vec![*problem],
    };
    let name = ReviewFile::Matrix.file();
    Some(match source.read(name) {
        Ok(None) => return None,
        Ok(Some(matrix)) => super::matrix_file::expand(source, &matrix)
            .map_err(refused)
            .and_then(|files| load_expanded(&files, origin.to_string())),
        Err(e) => Err(refused(Box::new(Problem::file(
            name,
            format!("cannot be read: {e}"),
        )))),
    })
}

/// A dataset made of a workbook's sheets, or of a folder's matrix.csv,
/// turned into the files they stand for: loaded as files, each problem
/// pointed at the sheet row or matrix.csv line it came from. The problems
/// of the sheets themselves come first, and refuse the dataset even when
/// the rest loads.
pub(super) fn load_expanded(files: &SheetFiles, origin: String) -> Result<Dataset, LoadError> {
    let source = match files.layout {
        Layout::Workbook => Source::Sheets(&files.files),
        Layout::Folder => Source::Files(&files.files),
    };
    let mut problems = files.problems.clone();
    let unread_matrix =
        files.layout == Layout::Folder && !files.files.contains_key(ReviewFile::Findings.file());
    if !problems.is_empty() && unread_matrix {
        // The matrix could not be read: its problems, not a missing file's.
        return Err(LoadError { origin, problems });
    }
    let loaded = load_once(source, origin.clone(), None);
    match loaded {
        Ok(ds) if problems.is_empty() => Ok(ds),
        Ok(_) => Err(LoadError { origin, problems }),
        Err(mut e) => {
            e.problems.iter_mut().for_each(|p| files.locate(p));
            problems.append(&mut e.problems);
            Err(LoadError { origin, problems })
        }
    }
}

/// A dataset's files as they are read, and every problem found so far.
pub(super) struct Reading<'a> {
    source: Source<'a>,
    pub(super) problems: Vec<Problem>,
    /// Files already read (`None`: absent), handed out once each by
    /// [`Reading::read`] instead of reading them again.
    read_ahead: Vec<(ReviewFile, Option<Vec<u8>>)>,
}

/// The tables of the review's text: claims, citations, search, and its
/// CERQual assessments (when it has the file).
type TextTables = (
    Vec<claims::Claim>,
    Vec<claims::Citation>,
    Vec<crate::review::dataset::search::SearchStage>,
    Option<Vec<cerqual::Assessment>>,
    Option<super::coding::Coding>,
    Vec<super::extracts::Extract>,
);

impl<'a> Reading<'a> {
    /// Reading `source`, no problem found yet.
    pub(super) fn new(source: Source<'a>) -> Reading<'a> {
        Reading {
            source,
            problems: Vec::new(),
            read_ahead: Vec::new(),
        }
    }

    /// The bytes of the file `name`; a problem when it cannot be read, or
    /// is `required` and missing.
    fn read(&mut self, file: ReviewFile, required: bool) -> Option<Vec<u8>> {
        let name = &file.file();
        let ahead = (self.read_ahead.iter().position(|(f, _)| *f == file))
            .map(|k| Ok(self.read_ahead.swap_remove(k).1));
        match ahead.unwrap_or_else(|| self.source.read(name)) {
            Ok(Some(bytes)) => Some(bytes),
            Ok(None) => {
                if required {
                    let missing = match file {
                        // A reviewer's matrix stands for both.
                        ReviewFile::Findings | ReviewFile::Evidence => format!(
                            "file is missing (it is required, or {} in place of {} and {})",
                            ReviewFile::Matrix.file(),
                            ReviewFile::Findings.file(),
                            ReviewFile::Evidence.file()
                        ),
                        _ => "file is missing (it is required)".to_string(),
                    };
                    self.problems.push(Problem::file(name, missing));
                }
                None
            }
            Err(e) => {
                (self.problems).push(Problem::file(name, format!("cannot be read: {e}")));
                None
            }
        }
    }

    /// `dataset.toml`, or the defaults when there is none (or it is bad).
    fn meta(&mut self) -> Meta {
        let Some(bytes) = self.read(ReviewFile::Meta, false) else {
            return Meta::default();
        };
        match String::from_utf8(bytes) {
            Err(_) => {
                let bad = "is not valid UTF-8 text";
                self.problems
                    .push(Problem::file(ReviewFile::Meta.file(), bad));
                Meta::default()
            }
            Ok(text) => Meta::parse(ReviewFile::Meta.file(), &text).unwrap_or_else(|p| {
                self.problems.push(*p);
                Meta::default()
            }),
        }
    }

    /// The stored table `kind`, read from its file with the registry's
    /// columns.
    fn table(&mut self, kind: ReviewFile, required: bool, meta: &Meta) -> Option<ReadTable> {
        let file = kind.file();
        let bytes = self.read(kind, required)?;
        let mut columns = kind.columns().to_vec();
        // The participant groups the dataset declares are counts (named
        // there in any case: as the header writes them).
        let header = match kind {
            ReviewFile::Studies => super::csvfile::header_of(file, &bytes, &mut Vec::new()),
            _ => None,
        };
        for group in meta.participant_groups() {
            let lower = group.to_lowercase();
            if let Some(name) = (header.iter().flatten()).find(|h| h.to_lowercase() == lower) {
                let known = columns.iter().any(|c| c.name.eq_ignore_ascii_case(name));
                if !known {
                    let kind = Kind::Count;
                    columns.push(ColumnSpec {
                        name,
                        kind,
                        required: false,
                    });
                }
            }
        }
        read_table(file, &bytes, &columns, &mut self.problems)
    }

    /// Each table's ids made numbers ([`Keys::assign`]).
    fn keys(
        &mut self,
        studies: &mut Option<ReadTable>,
        findings: &mut Option<ReadTable>,
        papers: &mut Option<ReadTable>,
    ) -> TableKeys {
        let mut assign = |t: &mut Option<ReadTable>, file: ReviewFile| {
            (t.as_mut()).map_or_else(Default::default, |t| {
                Keys::assign(t, (file.file(), "id"), &mut self.problems)
            })
        };
        TableKeys {
            studies: assign(studies, ReviewFile::Studies),
            findings: assign(findings, ReviewFile::Findings),
            papers: assign(papers, ReviewFile::Papers),
        }
    }

    /// `evidence.csv`, its references resolved against the tables that
    /// could be `read` (studies, findings).
    pub(super) fn evidence(&mut self, keys: &TableKeys, read: (bool, bool)) -> Option<ReadTable> {
        let (studies_read, findings_read) = read;
        let bytes = self.read(ReviewFile::Evidence, true)?;
        let keyed = ReviewFile::Evidence.columns();
        // Millions of links: plain files of ids as their tables write them
        // (numbers or text) take the parallel fast path, text ids looked
        // up as their stand-in numbers (20M text-keyed links: 9.1 s and
        // 3.3 GB through the general reader).
        if studies_read && findings_read {
            let lookups: Vec<(&str, &Keys)> = (ReviewFile::Evidence.references().iter())
                .map(|(column, entity)| match entity {
                    Entity::Study => (*column, &keys.studies),
                    Entity::Finding => (*column, &keys.findings),
                    Entity::Paper => (*column, &keys.papers),
                })
                .collect();
            if let Some(links) = intcsv::read_plain(&bytes, keyed, &lookups) {
                return Some(links);
            }
        }
        let numbers =
            studies_read && findings_read && !keys.studies.is_text() && !keys.findings.is_text();
        if numbers {
            let links = numbered_links();
            return read_table(
                ReviewFile::Evidence.file(),
                &bytes,
                &links,
                &mut self.problems,
            );
        }
        let mut links = read_table(
            ReviewFile::Evidence.file(),
            &bytes,
            keyed,
            &mut self.problems,
        )?;
        resolve_references(
            &mut links,
            (ReviewFile::Evidence, self.source.layout()),
            keys,
            read,
            &mut self.problems,
        );
        Some(links)
    }

    /// `evidence.csv` read and checked against the tables that could be
    /// read (`ids`), its problems told with the others', in order.
    fn evidence_checked(
        &mut self,
        meta: &Meta,
        keys: &TableKeys,
        read: (bool, bool),
        (study_ids, finding_ids): (Option<&IdIndex>, Option<&IdIndex>),
    ) -> Option<ReadTable> {
        let evidence = self.evidence(keys, read);
        let mut links_problems = Vec::new();
        let ids = (study_ids, finding_ids);
        let layout = self.source.layout();
        let tables = validate::Tables::evidence_only(meta, evidence.as_ref(), ids, keys, layout);
        tables.check(&mut links_problems);
        self.problems.append(&mut links_problems);
        validate::sort(&mut self.problems);
        evidence
    }

    /// The optional tables of the review's text, checked against the ids
    /// of studies and findings.
    fn text_tables(
        &mut self,
        studies: claims::Known,
        findings: claims::Known,
        papers: claims::Known,
    ) -> TextTables {
        let layout = self.source.layout();
        let claims = self.optional(ReviewFile::Claims, |b, p| {
            claims::parse_claims(b, studies, findings, p)
        });
        let citations = self.optional(ReviewFile::Citations, |b, p| {
            claims::parse_citations(b, studies, p)
        });
        let search = self.optional(ReviewFile::Search, search::parse_search);
        let cerqual = self.optional(ReviewFile::Cerqual, |b, p| {
            Some(cerqual::parse_cerqual(b, findings, layout, p))
        });
        let coding = self.optional(ReviewFile::Coding, |b, p| {
            super::coding::parse_coding(b, findings, studies, p)
        });
        let extracts = self.optional(ReviewFile::Extracts, |b, p| {
            super::extracts::parse_extracts(b, findings, papers, p)
        });
        (claims, citations, search, cerqual, coding, extracts)
    }

    /// The optional `file` read by `parse` (its default without the file),
    /// past [`crate::problem::MAX_LISTED`] of its problems the rest counted in one line, as
    /// a table's are: a file of millions of bad cells holds a problem per
    /// thousand, not per cell.
    fn optional<T: Default>(
        &mut self,
        file: ReviewFile,
        parse: impl FnOnce(&[u8], &mut Vec<Problem>) -> T,
    ) -> T {
        let Some(bytes) = self.read(file, false) else {
            return T::default();
        };
        let before = self.problems.len();
        let parsed = parse(&bytes, &mut self.problems);
        // Counted once: the reader's own count of rows it did not list
        // joins the count of the rest.
        let mut its = self.problems.split_off(before);
        let counted: u64 = its.iter().map(|p| p.unlisted).sum();
        its.retain(|p| p.unlisted == 0);
        self.problems.append(&mut its);
        let not_listed = usize::try_from(counted).unwrap_or(usize::MAX);
        super::csvfile::tell_unlisted(file.file(), before, not_listed, &mut self.problems);
        parsed
    }
}

/// The ids `table` (of `kind`) refers to as written, made the numbers of
/// the tables they name ([`Keys::resolve_column`]); the references the
/// registry lists, to the tables that could be `read` (studies, findings).
fn resolve_references(
    table: &mut ReadTable,
    (kind, layout): (ReviewFile, Layout),
    keys: &TableKeys,
    (studies_read, findings_read): (bool, bool),
    problems: &mut Vec<Problem>,
) {
    let file = kind.file();
    for (column, entity) in kind.references() {
        let (keys, read) = match entity {
            Entity::Study => (&keys.studies, studies_read),
            Entity::Finding => (&keys.findings, findings_read),
            Entity::Paper => (&keys.papers, true),
        };
        // A table that could not be read names nothing: its problems are
        // told, not one per reference to it (its ids are not known).
        if read {
            let target = entity.file().named(layout);
            keys.resolve_column(table, column, (file, column, &target), problems);
        }
    }
}

/// The papers of `papers.csv`, or one per study of `studies` when there is
/// no such file.
fn papers_or_one_per_study(
    papers: Option<ReadTable>,
    studies: &DataFrame,
    origin: &str,
) -> Result<DataFrame, LoadError> {
    match papers {
        Some(p) => Ok(p.frame),
        None => one_paper_per_study(studies).map_err(|e| LoadError {
            origin: origin.to_string(),
            problems: vec![Problem::file(
                ReviewFile::Papers.file(),
                format!("could not derive papers: {e}"),
            )],
        }),
    }
}
