//! Dataset loading never panics, hangs or runs out of memory, whatever the
//! bytes: as the CSV files of a folder, or as a workbook.
//!
//! The first byte picks the form. CSV: the rest is split at `0xFF` bytes
//! into studies.csv, findings.csv, evidence.csv, papers.csv and
//! dataset.toml; a dataset that loads is then queried once. Workbook: the
//! rest is the .xlsx file.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use metasum_engine::{Dataset, Session};

const FILES: [&str; 5] = [
    "studies.csv",
    "findings.csv",
    "evidence.csv",
    "papers.csv",
    "dataset.toml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let loaded = if form % 2 == 0 {
        let files: BTreeMap<String, Vec<u8>> = FILES
            .iter()
            .zip(rest.split(|b| *b == 0xFF))
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect();
        Dataset::from_files(&files, "fuzz")
    } else {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.xlsx");
        std::fs::write(&path, rest).unwrap();
        Dataset::load(&path)
    };
    if let Ok(ds) = loaded {
        let script = metasum_query::parse("profile; matrix; studies count by country").unwrap();
        let mut session = Session::new(ds);
        for s in &script.statements {
            let _ = session.run(s);
        }
    }
});
