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

/// The dataset folder `dir` loaded (named `origin`) with its file `file`
/// replaced by `text`; the problems as text when it does not load.
pub fn with_file(
    dir: &Path,
    origin: &str,
    file: &str,
    text: &str,
) -> Result<metasum_engine::Dataset, String> {
    let mut files = files_of(dir);
    files.insert(file.to_string(), text.as_bytes().to_vec());
    metasum_engine::Dataset::from_files(&files, origin).map_err(|e| e.to_string())
}
