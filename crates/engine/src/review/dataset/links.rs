//! The evidence links of a dataset folder, read, typed and checked when
//! something first needs them: `studies count by country` or `papers`
//! never read `evidence.csv`, which in a large review is most of the data
//! (20M links: 0.6 s of a 0.9 s run). The checks are the ones a load
//! makes (every problem located, the same error); a failure is kept, so
//! each statement that needs the links reports it. Workbooks, files
//! given in memory and the embedded seed read their links when they load.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use polars::prelude::*;

use super::cache_folder::Skip;
use super::links_cache::{self, Entry};
use super::validate::{self, IdIndex};
use super::{LoadError, Meta, TableKeys};
use crate::review::dataset::files::ReviewFile;

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
    /// Whether the links came from the cache ([`links_cache`]).
    from_cache: AtomicBool,
}

#[derive(Debug)]
struct Deferred {
    dir: PathBuf,
    origin: String,
    study_ids: IdIndex,
    finding_ids: IdIndex,
    cache: Option<Cache>,
    /// `evidence.csv`, opened when the rest of the folder was read: the
    /// links later read from it are of that version of the dataset, even
    /// when an `import` has since put new files in the folder (it renames
    /// new files into place; this one stays what it was). `None` when it
    /// was missing or not a regular file: then read by its path, which
    /// reports why.
    evidence: Option<std::fs::File>,
    /// Why the cache was not used, until the run has told it.
    cache_note: std::sync::Mutex<Option<String>>,
    /// The cache's copy for this `evidence.csv` ([`Deferred::entry`]).
    entry: OnceLock<Option<Entry>>,
}

/// Where a checked copy of the links may be kept, and the id columns of
/// studies and findings the copy must have been checked against.
#[derive(Debug)]
pub(super) struct Cache {
    /// The cache folder.
    pub dir: PathBuf,
    /// The `id` column of the studies.
    pub studies: Column,
    /// The `id` column of the findings.
    pub findings: Column,
}

impl Links {
    /// Links read and checked with the rest of the dataset.
    pub(super) fn read(frame: DataFrame) -> Links {
        Links {
            read: OnceLock::from(Ok(frame)),
            deferred: None,
            failures: AtomicUsize::new(0),
            from_cache: AtomicBool::new(false),
        }
    }

    /// Links to read from `dir` when first needed, checked against these
    /// ids of studies and findings (or taken from the `cache`).
    pub(super) fn deferred(
        dir: PathBuf,
        origin: String,
        (study_ids, finding_ids): (IdIndex, IdIndex),
        cache: Option<Cache>,
        evidence: Option<std::fs::File>,
    ) -> Links {
        Links {
            read: OnceLock::new(),
            deferred: Some(Deferred {
                dir,
                origin,
                study_ids,
                finding_ids,
                cache,
                evidence,
                cache_note: std::sync::Mutex::new(None),
                entry: OnceLock::new(),
            }),
            failures: AtomicUsize::new(0),
            from_cache: AtomicBool::new(false),
        }
    }

    /// The links, read and checked now if they were not yet.
    pub(super) fn get(&self, meta: &Meta, keys: &TableKeys) -> Result<&DataFrame, &LoadError> {
        let read = self.read.get_or_init(|| match &self.deferred {
            Some(deferred) => deferred.read(meta, keys, &self.from_cache),
            // Unreachable: links not deferred were read with the rest.
            None => Err(LoadError {
                origin: String::new(),
                problems: vec![super::Problem::file(
                    ReviewFile::Evidence.file(),
                    "was not read",
                )],
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

    /// Whether there are at most `most` links, as far as is known without
    /// reading them: counted once read, else judged by the size of
    /// `evidence.csv` (a link is at least four bytes: `1,1` and its line
    /// end). Unknown is not few.
    pub(super) fn at_most(&self, most: usize) -> bool {
        match self.read.get() {
            Some(Ok(frame)) => frame.height() <= most,
            Some(Err(_)) => false,
            None => (self.deferred.as_ref())
                .and_then(|d| d.evidence.as_ref())
                .and_then(|f| f.metadata().ok())
                .is_some_and(|m| m.len() <= 4 * most as u64),
        }
    }

    /// For each of `ids`, the ids of the `of` column of the links whose
    /// `by` column is that id (`("study", "finding")`: the findings of
    /// each study), read from the cache's index while the links are not
    /// read and the cache holds a checked copy for these files: a `has`
    /// lookup then reads one study's links, not all of them. `None`
    /// otherwise (read the links).
    pub(super) fn linked_in_cache(
        &self,
        keys: &TableKeys,
        by_of: (&str, &str),
        ids: &[i64],
    ) -> Option<Vec<Vec<i64>>> {
        if self.read.get().is_some() {
            return None;
        }
        let deferred = self.deferred.as_ref()?;
        let entry = deferred.entry(keys)?;
        match entry.linked(by_of, ids) {
            Ok(Some(linked)) => {
                self.from_cache.store(true, Ordering::Relaxed);
                Some(linked)
            }
            Ok(None) => None,
            Err(Skip::Untrusted(why)) => {
                deferred.note(why);
                None
            }
            Err(Skip::Unused) => None,
        }
    }

    /// Whether the links have been read (or tried).
    pub(super) fn is_read(&self) -> bool {
        self.read.get().is_some()
    }

    /// Why the links cache was not used (a folder or copy someone else
    /// could have written), once: the next call gives `None`.
    pub(super) fn take_cache_note(&self) -> Option<String> {
        let deferred = self.deferred.as_ref()?;
        deferred.cache_note.lock().ok()?.take()
    }

    /// Keeps `why` the cache was not used (for the other tables), for the
    /// run to tell once with the links' own.
    pub(super) fn note_cache(&self, why: String) {
        if let Some(deferred) = &self.deferred {
            deferred.note(why);
        }
    }

    /// Whether the links were read from the cache.
    pub(super) fn read_from_cache(&self) -> bool {
        self.from_cache.load(Ordering::Relaxed)
    }
}

impl Deferred {
    /// `evidence.csv` read, its references resolved and checked, as
    /// [`super::load`] does when it reads the links with the rest; or its
    /// checked copy, when the cache holds one for these files (then
    /// `from_cache` is set).
    fn read(
        &self,
        meta: &Meta,
        keys: &TableKeys,
        from_cache: &AtomicBool,
    ) -> Result<DataFrame, LoadError> {
        let Some(file) = &self.evidence else {
            // Missing, or not a regular file: read by its path, the
            // problem told as a load tells it.
            return self.check(meta, keys, super::Source::Dir(&self.dir), None);
        };
        let cannot = |e: std::io::Error| LoadError {
            origin: self.origin.clone(),
            problems: vec![super::Problem::file(
                ReviewFile::Evidence.file(),
                format!("cannot be read: {e}"),
            )],
        };
        let mut missed = false;
        if let Some(entry) = self.entry(keys) {
            match entry.load() {
                Ok(Some(links)) => {
                    from_cache.store(true, Ordering::Relaxed);
                    return Ok(links);
                }
                Ok(None) => missed = true,
                Err(Skip::Untrusted(why)) => self.note(why),
                Err(Skip::Unused) => {}
            }
        }
        let bytes = super::parallel::read_open(file).map_err(cannot)?;
        // Kept under the hash of the bytes parsed: the file may have
        // changed since it was hashed.
        let entry = (self.cache.as_ref().filter(|_| missed)).and_then(|cache| {
            let ids = links_cache::fingerprint(&cache.studies, &cache.findings, keys);
            let parsed = links_cache::Content::of_bytes(&bytes);
            Entry::new(&cache.dir, &self.path(), parsed, ids).ok()
        });
        let source = super::Source::Evidence(std::cell::Cell::new(Some(bytes)));
        self.check(meta, keys, source, entry)
    }

    /// The cache's entry for `evidence.csv` as it was when first needed
    /// (hashed once a run, for lookups and the whole read alike); `None`
    /// without a cache, or one that may not be used (said once). A file
    /// that cannot be hashed is not looked up: reading it tells why.
    fn entry(&self, keys: &TableKeys) -> Option<&Entry> {
        let entry = self.entry.get_or_init(|| {
            let (cache, file) = (self.cache.as_ref()?, self.evidence.as_ref()?);
            let content = links_cache::Content::of(file).ok()?;
            let ids = links_cache::fingerprint(&cache.studies, &cache.findings, keys);
            match Entry::new(&cache.dir, &self.path(), content, ids) {
                Ok(entry) => Some(entry),
                Err(Skip::Untrusted(why)) => {
                    self.note(why);
                    None
                }
                Err(Skip::Unused) => None,
            }
        });
        entry.as_ref()
    }

    /// Where `evidence.csv` is.
    fn path(&self) -> PathBuf {
        self.dir.join(ReviewFile::Evidence.file())
    }

    /// Keeps `why` the cache was not used, for the run to tell once.
    fn note(&self, why: String) {
        if let Ok(mut note) = self.cache_note.lock() {
            note.get_or_insert(why);
        }
    }

    /// The links `source` holds, read and checked against the ids of the
    /// dataset; kept in the cache `entry` when they pass.
    fn check(
        &self,
        meta: &Meta,
        keys: &TableKeys,
        source: super::Source<'_>,
        entry: Option<Entry>,
    ) -> Result<DataFrame, LoadError> {
        let layout = source.layout();
        let mut reading = super::load::Reading::new(source);
        let evidence = reading.evidence(keys, (true, true));
        let mut problems = reading.problems;
        let ids = (Some(&self.study_ids), Some(&self.finding_ids));
        let tables = validate::Tables::evidence_only(meta, evidence.as_ref(), ids, keys, layout);
        tables.check(&mut problems);
        match evidence {
            Some(links) if problems.is_empty() => {
                // A cache that cannot be written (read-only, full) only
                // means the next run reads the CSV again.
                if let Some(entry) = entry {
                    let _ = entry.store(&links.frame);
                }
                Ok(links.frame)
            }
            _ => Err(LoadError {
                origin: self.origin.clone(),
                problems,
            }),
        }
    }
}
