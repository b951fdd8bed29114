//! The evidence links of a dataset folder, read, typed and checked when
//! something first needs them: `studies count by country` or `papers`
//! never read `evidence.csv`, which in a large review is most of the data
//! (20M links: 0.6 s of a 0.9 s run). The checks are the ones a load
//! makes (every problem located, the same error); a failure is kept, so
//! each statement that needs the links reports it. Workbooks, files
//! given in memory and the embedded seed read their links when they load.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use polars::prelude::*;

use super::validate::{self, IdIndex};
use super::{LoadError, Meta, TableKeys};

/// The links, or what reading them later needs.
#[derive(Debug)]
pub(crate) struct Links {
    /// The links once read (or why they could not be).
    read: OnceLock<Result<DataFrame, LoadError>>,
    /// The folder to read `evidence.csv` from, and the ids it may name;
    /// `None` when the links were read with the rest.
    deferred: Option<Deferred>,
    /// How many times a failure was handed out: a statement that saw the
    /// count grow needed the links ([`Links::failures`]).
    failures: AtomicUsize,
}

#[derive(Debug)]
struct Deferred {
    dir: PathBuf,
    origin: String,
    study_ids: IdIndex,
    finding_ids: IdIndex,
}

impl Links {
    /// Links read and checked with the rest of the dataset.
    pub(super) fn read(frame: DataFrame) -> Links {
        Links {
            read: OnceLock::from(Ok(frame)),
            deferred: None,
            failures: AtomicUsize::new(0),
        }
    }

    /// Links to read from `dir` when first needed, checked against these
    /// ids of studies and findings.
    pub(super) fn deferred(
        dir: PathBuf,
        origin: String,
        study_ids: IdIndex,
        finding_ids: IdIndex,
    ) -> Links {
        Links {
            read: OnceLock::new(),
            deferred: Some(Deferred {
                dir,
                origin,
                study_ids,
                finding_ids,
            }),
            failures: AtomicUsize::new(0),
        }
    }

    /// The links, read and checked now if they were not yet.
    pub(super) fn get(&self, meta: &Meta, keys: &TableKeys) -> Result<&DataFrame, &LoadError> {
        let read = self.read.get_or_init(|| match &self.deferred {
            Some(deferred) => deferred.read(meta, keys),
            // Unreachable: links not deferred were read with the rest.
            None => Err(LoadError {
                origin: String::new(),
                problems: vec![super::Problem::file("evidence.csv", "was not read")],
            }),
        });
        read.as_ref().inspect_err(|_| {
            self.failures.fetch_add(1, Ordering::Relaxed);
        })
    }

    /// How many times the links' failure has been handed out so far.
    pub(super) fn failures(&self) -> usize {
        self.failures.load(Ordering::Relaxed)
    }

    /// Whether the links have been read (or tried).
    pub(super) fn is_read(&self) -> bool {
        self.read.get().is_some()
    }
}

impl Deferred {
    /// `evidence.csv` read, its references resolved and checked, as
    /// [`super::load`] does when it reads the links with the rest.
    fn read(&self, meta: &Meta, keys: &TableKeys) -> Result<DataFrame, LoadError> {
        let mut reading = super::load::Reading::new(super::Source::Dir(&self.dir));
        let evidence = reading.evidence(keys, (true, true));
        let mut problems = reading.problems;
        let tables = validate::Tables {
            meta,
            studies: None,
            papers: None,
            findings: None,
            evidence: evidence.as_ref(),
            study_ids: Some(&self.study_ids),
            finding_ids: Some(&self.finding_ids),
            keys,
        };
        tables.check(&mut problems);
        match evidence {
            Some(links) if problems.is_empty() => Ok(links.frame),
            _ => Err(LoadError {
                origin: self.origin.clone(),
                problems,
            }),
        }
    }
}
