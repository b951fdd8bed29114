//! Reading a QDA project (REFI-QDA `.qdpx`, `.qde`, `.qdc`) never panics,
//! hangs or runs out of memory, whatever the bytes; and an import of what
//! reads leaves a folder whose dataset loads (once it has studies), or
//! writes nothing at all.
//!
//! The first byte picks the file's kind (zip archive, project XML,
//! codebook) and what positions count; the rest is the file. Every input
//! whose first byte is 240 or more and that reads is also imported into a
//! new folder.

#![no_main]

use libfuzzer_sys::fuzz_target;
use metasum_engine::import::qda::{self, Options, Unit};

const NAMES: [&str; 3] = ["p.qdpx", "p.qde", "p.qdc"];
const UNITS: [Option<Unit>; 4] = [None, Some(Unit::CodePoints), Some(Unit::Utf16), Some(Unit::Bytes)];

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(form) % NAMES.len()];
    let options = Options {
        unit: UNITS[usize::from(form / 3) % UNITS.len()],
        ..Options::default()
    };
    if qda::read_project(name, rest.to_vec(), &options).is_err() || form < 240 {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, rest).unwrap();
    let review = dir.path().join("review");
    match qda::import_project(&review, &file, &options) {
        Ok(done) if done.wrote() => {
            if review.join("studies.csv").exists() {
                // What the import wrote, the loader reads.
                if let Err(e) = metasum_engine::Dataset::load(&review) {
                    panic!("the import wrote a dataset that does not load: {e}");
                }
            }
        }
        // Nothing written: not even the folder.
        _ => assert!(!review.exists(), "a failed or empty import left {review:?}"),
    }
});
