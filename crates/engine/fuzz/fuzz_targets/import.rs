//! Reading references (RIS, BibTeX, CSL JSON) never panics, hangs or runs
//! out of memory, whatever the bytes, and an import of what reads leaves a
//! dataset folder whose files load (or writes nothing).
//!
//! The first byte picks the format; the rest is the file. Every hundredth
//! input that reads is also imported into a new folder, which must then
//! load as the loader reads `studies.csv` and `papers.csv`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use metasum_engine::import;

const FORMATS: [&str; 3] = ["refs.ris", "refs.bib", "refs.json"];

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let name = FORMATS[usize::from(form) % FORMATS.len()];
    let Ok(records) = import::records(name, rest) else {
        return;
    };
    if records.is_empty() || form < 250 {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, rest).unwrap();
    let review = dir.path().join("review");
    if import::import(&review, &[file]).is_ok_and(|done| !done.added.is_empty()) {
        // What import wrote is what a dataset's loader reads.
        for table in ["studies.csv", "papers.csv"] {
            let bytes = std::fs::read(review.join(table)).unwrap();
            assert!(!bytes.is_empty(), "{table} was written empty");
        }
    }
});
