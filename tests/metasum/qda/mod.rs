//! `metasum import` of QDA projects (REFI-QDA `.qdpx`, `.qde`, `.qdc`):
//! a project written here to the published schema and validated with
//! xmllint, the shapes NVivo, MAXQDA, ATLAS.ti and QualCoder write, a
//! second import of an updated project, codebooks, and hostile files.
//! FES, n, the quotes and each coder's links are compared with what the
//! XML says, read by `reader` (roxmltree, nothing of metasum's).

mod again;
mod hostile;
mod programs;
mod reader;
mod schema;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::util::*;

/// A `.qdpx` at `path` holding `files` (name, bytes).
pub fn qdpx(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// The files of the folder `dir`, by their path inside it.
pub fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// `metasum --data folder import file [args]`.
pub fn import(folder: &Path, file: &Path, args: &[&str]) -> Run {
    run(metasum()
        .arg("--data")
        .arg(folder)
        .arg("import")
        .arg(file)
        .args(args))
}

/// The rows of a query's CSV answer, each a map of column to cell.
pub fn rows(folder: &Path, query: &str) -> Vec<BTreeMap<String, String>> {
    let out = run(metasum()
        .arg("--data")
        .arg(folder)
        .args(["--format", "csv", "-c", query]));
    assert_eq!(out.code, Some(0), "{query}: {out:?}");
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    (reader.records())
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(str::to_string)
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// metasum's tables of the imported folder agree with what the project
/// says: every finding's n and FES, every quote, every coder's links.
pub fn agrees(folder: &Path, want: &reader::Expected) {
    let studies = rows(folder, "studies");
    assert_eq!(studies.len(), want.studies, "studies");
    let findings = rows(folder, "findings");
    // Findings are told apart by their code's GUID (two codes may share a
    // name under two parents).
    let name_of: BTreeMap<String, String> = (findings.iter())
        .map(|f| (f["id"].clone(), f["qda_guid"].to_lowercase()))
        .collect();
    let got: BTreeMap<String, (String, String, String)> = (findings.iter())
        .map(|f| {
            (
                f["qda_guid"].to_lowercase(),
                (f["name"].clone(), f["n"].clone(), f["fes"].clone()),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, String, String)> = (want.findings.iter())
        .map(|(guid, studies)| {
            let n = studies.len();
            (
                guid.clone(),
                (
                    want.names[guid].clone(),
                    n.to_string(),
                    reader::fes(n, want.studies),
                ),
            )
        })
        .collect();
    assert_eq!(got, expected, "findings: code -> (name, n, fes)");
    let mut quotes: Vec<(String, String)> = (rows(folder, "extracts").iter())
        .map(|e| (name_of[&e["finding"]].clone(), e["quote"].clone()))
        .collect();
    let mut want_quotes = want.quotes.clone();
    quotes.sort();
    want_quotes.sort();
    assert_eq!(quotes, want_quotes, "extracts: (finding, quote)");
    if want.by_coder.len() >= 2 {
        let mut got: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for c in rows(folder, "coding") {
            *got.entry(c["coder"].clone())
                .or_default()
                .entry(name_of[&c["finding"]].clone())
                .or_default() += 1;
        }
        let mut expected: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (coder, links) in &want.by_coder {
            for (finding, _) in links {
                *expected
                    .entry(coder.clone())
                    .or_default()
                    .entry(finding.clone())
                    .or_default() += 1;
            }
        }
        assert_eq!(got, expected, "coding: coder -> finding -> studies");
        let agreement: BTreeMap<String, [usize; 4]> = (rows(folder, "agreement").iter())
            .filter(|a| a["finding"] != "all")
            .map(|a| {
                let n = |c: &str| a[c].parse::<usize>().unwrap();
                (
                    name_of[&a["finding"]].clone(),
                    [n("both"), n("first_only"), n("second_only"), n("neither")],
                )
            })
            .collect();
        assert_eq!(
            agreement,
            want.agreement(),
            "agreement: both, first only, second only, neither"
        );
    }
}

/// A fresh folder path (not made) inside a temporary directory.
pub fn review() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("review");
    (dir, review)
}
