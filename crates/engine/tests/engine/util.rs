//! What several engine test modules share.

use std::collections::BTreeMap;
use std::path::Path;

/// The files of a dataset folder, by name, to load with one replaced.
pub fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}
