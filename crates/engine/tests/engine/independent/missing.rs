//! One rule for missing, in every table: an empty cell is missing (never
//! `""`), and `is missing` / `is not missing` find exactly the rows whose
//! cell is null. Walks every table of the registry on reviews that fill
//! them all: the seed (claims, citations, search), CERQual judgements with
//! empty explanations, two coders, and an update compared with its first
//! version (with `--crossing`, so most findings did not cross).

use std::collections::BTreeMap;
use std::path::PathBuf;

use metasum_engine::diff::{Previous, compare};
use metasum_engine::exact::Points;
use metasum_engine::polars::prelude::*;
use metasum_engine::registry::TABLES;
use metasum_engine::{Dataset, Session};
use metasum_query::ast::column_text;

/// The files of a folder of the repository, by name.
fn files(folder: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(folder);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// `file` of `files` with `edit` applied to its text.
fn edited(
    mut files: BTreeMap<String, Vec<u8>>,
    file: &str,
    edit: impl Fn(&str) -> String,
) -> BTreeMap<String, Vec<u8>> {
    let text = String::from_utf8(files[file].clone()).unwrap();
    files.insert(file.to_string(), edit(&text).into_bytes());
    files
}

/// The reviews walked, by what they are.
fn reviews() -> Vec<(&'static str, Dataset)> {
    let load = |files: &BTreeMap<String, Vec<u8>>, name: &str| {
        Dataset::from_files(files, name).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // Two explanations left empty, one of them spaces only.
    let cerqual = edited(files("datasets/cerqual-example"), "cerqual.csv", |t| {
        t.replacen(",Consistent across all settings.,", ",,", 1)
            .replacen(",Four studies with thin data.,", ",  ,", 1)
    });
    // The update: one study's links dropped from the seed's second version.
    let seed = files("datasets/peer-support");
    let update = edited(seed.clone(), "evidence.csv", |t| {
        t.lines()
            .filter(|l| !l.ends_with(",4"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let compared = compare(
        load(&update, "update"),
        Previous {
            dataset: load(&seed, "seed"),
            crossing: Some(Points::whole(40)),
        },
    );
    vec![
        ("seed", Dataset::seed().unwrap()),
        ("cerqual", load(&cerqual, "cerqual")),
        (
            "two coders",
            load(&files("tests/data/two-coders"), "two coders"),
        ),
        ("prisma", load(&files("tests/data/prisma-search"), "prisma")),
        ("update", compared),
    ]
}

/// How many rows a statement gives.
fn height(session: &mut Session, statement: &str) -> usize {
    let result = session
        .rows_of_text(statement, "test")
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    result.frame.height()
}

#[test]
fn every_text_cell_of_every_table_is_a_value_or_missing_and_is_missing_finds_it() {
    let mut empties_seen = 0;
    for (review, ds) in reviews() {
        let mut session = Session::new(ds);
        for def in &TABLES {
            let table = def.source.name();
            let frame = session
                .rows_of_text(table, "test")
                .unwrap_or_else(|e| panic!("{review}: {table}: {e}"))
                .frame;
            // The matrix's margin rows (n and intensity per study, with no
            // id) are added after `where`, whatever it keeps.
            let margins = match table {
                "matrix" => frame.column("id").unwrap().null_count(),
                _ => 0,
            };
            let findings = frame.slice(0, frame.height() - margins);
            for column in findings.columns() {
                let name = column.name().as_str();
                if column.dtype() == &DataType::String {
                    let texts = column.str().unwrap();
                    let blank = texts.iter().flatten().find(|t| t.trim().is_empty());
                    assert_eq!(blank, None, "{review}: {table}.{name} holds an empty text");
                }
                let missing = column.null_count();
                empties_seen += missing;
                // A matrix's study columns are made after `where` runs.
                if table == "matrix" && !["id", "perspective", "name", "n", "fes"].contains(&name) {
                    continue;
                }
                let shown = column_text(name);
                let q = |how: &str| format!("{table} where {shown} is {how}");
                assert_eq!(
                    height(&mut session, &q("missing")),
                    missing + margins,
                    "{review}: {}",
                    q("missing")
                );
                assert_eq!(
                    height(&mut session, &q("not missing")),
                    findings.height() - missing + margins,
                    "{review}: {}",
                    q("not missing")
                );
            }
        }
    }
    assert!(empties_seen > 0, "the reviews walked have missing cells");
}

#[test]
fn the_empty_explanations_and_crossings_are_missing_where_they_are_asked_for() {
    let mut sessions: BTreeMap<&str, Session> = (reviews().into_iter())
        .map(|(name, ds)| (name, Session::new(ds)))
        .collect();
    let mut rows =
        |review: &str, statement: &str| height(sessions.get_mut(review).unwrap(), statement);
    for table in ["evidence_profile", "cerqual"] {
        let q = format!("{table} where coherence_explanation is missing");
        assert_eq!(rows("cerqual", &q), 1, "{q}");
    }
    assert_eq!(
        rows("cerqual", "cerqual where adequacy_explanation is missing"),
        1
    );
    assert_eq!(
        rows("cerqual", "cerqual where coherence_explanation = \"\""),
        0
    );
    let noted = rows("two coders", "agreement where note is not missing");
    assert!(
        noted < rows("two coders", "agreement"),
        "every agreement row has a note"
    );
    let crossed = rows("update", "fes_changes where crossed is not missing");
    assert!(
        crossed < rows("update", "fes_changes"),
        "every finding crossed 40%"
    );
}
