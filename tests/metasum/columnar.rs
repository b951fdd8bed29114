//! Parquet and Arrow files of results (`--output FILE.parquet`,
//! `.arrow`, `save`): every table of several datasets read back with
//! polars equals the CSV the same run writes, with each column's type
//! kept; and a run that would put two results, a figure or nothing into
//! one writes nothing.

use std::path::{Path, PathBuf};

use metasum_engine::Format;
use metasum_engine::polars::prelude::*;
use polars_io::SerReader;

use crate::util::*;

/// The file at `path` as polars reads it.
fn read(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => polars_io::parquet::read::ParquetReader::new(file)
            .finish()
            .unwrap(),
        _ => polars_io::ipc::IpcReader::new(file).finish().unwrap(),
    }
}

/// The CSV cells of `text`, header first.
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    (reader.records())
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A cell of the file (`a`, as CSV) says what the run's CSV cell `b`
/// says: the same text, or the same number (`1` and `1.0`: a matrix
/// column of the file is of floats), or, where the CSV shows one decimal
/// (the matrix's intensity margin), the exact number it rounds.
fn same_cell(a: &str, b: &str) -> bool {
    let one_decimal = b.split_once('.').is_some_and(|(_, d)| d.len() == 1);
    a == b
        || matches!((a.parse::<f64>(), b.parse::<f64>()),
            (Ok(x), Ok(y)) if x == y || (one_decimal && (x - y).abs() <= 0.05 + 1e-9))
}

/// Runs `statement` on `data` (with `extra` arguments) into a `.parquet`
/// and an `.arrow` file and as CSV; asserts that each file, read back and
/// written as CSV by metasum's own CSV writer, is the run's CSV.
fn round_trip(dir: &Path, data: &[&str], statement: &str) -> Vec<DataFrame> {
    let csv = metasum_in(dir)
        .args(data)
        .args(["--format", "csv", "-c", statement])
        .output()
        .unwrap();
    assert!(csv.status.success(), "{statement}: {csv:?}");
    let expected = csv_cells(&String::from_utf8(csv.stdout).unwrap());
    let mut frames = Vec::new();
    for extension in ["parquet", "arrow"] {
        let path = dir.join(format!("result.{extension}"));
        let _ = std::fs::remove_file(&path);
        let run = metasum_in(dir)
            .args(data)
            .args(["-c", statement, "--output"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(run.status.success(), "{statement} .{extension}: {run:?}");
        let frame = read(&path);
        let back = csv_cells(&metasum_engine::format::render(&frame, Format::Csv).unwrap());
        assert_eq!(back.len(), expected.len(), "{statement} .{extension}");
        for (row, (a, b)) in back.iter().zip(&expected).enumerate() {
            assert_eq!(a.len(), b.len(), "{statement} .{extension} row {row}");
            for (x, y) in a.iter().zip(b) {
                assert!(
                    same_cell(x, y),
                    "{statement} .{extension} row {row}: `{x}` in the file, `{y}` in CSV"
                );
            }
        }
        frames.push(frame);
    }
    frames
}

fn data(path: &str) -> String {
    root().join(path).display().to_string()
}

#[test]
fn every_table_of_every_kind_of_dataset_comes_back_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let seed = data("datasets/peer-support");
    let author_year = data("tests/data/author-year-review");
    let cerqual = data("datasets/cerqual-example");
    let coders = data("tests/data/two-coders");
    // The changes tables need an earlier version: the seed, to a review of
    // other studies and findings, changes everything.
    let datasets: [Vec<&str>; 4] = [
        vec![],
        vec!["--data", &author_year, "--compare", &seed],
        vec!["--data", &cerqual],
        vec!["--data", &coders, "--compare", &seed],
    ];
    let mut rows = 0;
    for data in &datasets {
        for table in metasum_query::ast::TABLES {
            for frame in round_trip(dir.path(), data, table.name()) {
                rows += frame.height();
            }
        }
    }
    // Not a run of empty tables.
    assert!(rows > 1000, "{rows}");
}

#[test]
fn types_are_kept_and_fes_is_the_exact_share_of_the_studies() {
    let dir = tempfile::tempdir().unwrap();
    let studies = round_trip(dir.path(), &[], "studies")[0].height();
    for findings in round_trip(dir.path(), &[], "findings") {
        let schema = findings.schema();
        assert_eq!(schema.get("id"), Some(&DataType::Int64));
        assert_eq!(schema.get("n"), Some(&DataType::Int64));
        assert_eq!(schema.get("fes"), Some(&DataType::Float64));
        assert_eq!(
            schema.get("studies"),
            Some(&DataType::List(Box::new(DataType::Int64)))
        );
        // Not rounded to one decimal: finding 24's 6 of 25 is 24.0, and a
        // finding's FES is its n over the studies, exactly.
        let n = findings.column("n").unwrap().i64().unwrap();
        let fes = findings.column("fes").unwrap().f64().unwrap();
        let lists = findings.column("studies").unwrap().list().unwrap();
        for ((n, fes), list) in n.iter().zip(fes.iter()).zip(lists.iter()) {
            let (n, fes, list) = (n.unwrap(), fes.unwrap(), list.unwrap());
            assert_eq!(fes, n as f64 * 100.0 / studies as f64);
            assert_eq!(list.len() as i64, n);
        }
    }
    // A text-keyed review keeps its keys as text; among three of its
    // studies, a finding in two has the FES 2/3 exactly, not the 66.7 CSV
    // shows.
    let author_year = data("tests/data/author-year-review");
    let data = ["--data", author_year.as_str()];
    for findings in round_trip(dir.path(), &data, "findings among (studies limit 3)") {
        assert_eq!(findings.schema().get("id"), Some(&DataType::String));
        let n = findings.column("n").unwrap().i64().unwrap();
        let fes = findings.column("fes").unwrap().f64().unwrap();
        assert!(n.iter().any(|n| n == Some(2)), "{findings}");
        for (n, fes) in n.iter().zip(fes.iter()) {
            assert_eq!(fes.unwrap(), n.unwrap() as f64 * 100.0 / 3.0);
        }
    }
}

#[test]
fn the_matrix_cells_are_numbers() {
    let dir = tempfile::tempdir().unwrap();
    for matrix in round_trip(dir.path(), &[], "matrix") {
        // The first study's column: 0 and 1 in the rows, its n and its
        // intensity (with a decimal) in the margins.
        let first = &matrix.columns()[5];
        assert_eq!(first.dtype(), &DataType::Float64, "{matrix}");
        let cells: Vec<f64> = first.f64().unwrap().iter().flatten().collect();
        let (rows, margins) = cells.split_at(cells.len() - 2);
        assert!(rows.iter().all(|c| *c == 0.0 || *c == 1.0));
        let ones = rows.iter().filter(|c| **c == 1.0).count() as f64;
        assert_eq!(margins[0], ones);
        // Its intensity exact, not the one decimal CSV shows.
        assert_eq!(margins[1], ones * 100.0 / rows.len() as f64);
    }
}

#[test]
fn save_writes_each_result_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = metasum_in(dir.path())
        .args([
            "-c",
            "findings save \"f.parquet\"; studies save \"s.feather\"; profile",
        ])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    assert_eq!(read(&dir.path().join("f.parquet")).height(), 24);
    assert_eq!(read(&dir.path().join("s.feather")).height(), 25);
}

/// A run refused with exit status 2 and `message`, the file not written.
fn refused(args: &[&str], file: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let run = metasum_in(dir.path()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert!(!dir.path().join(file).exists(), "{args:?}");
}

#[test]
fn what_a_file_of_one_table_cannot_hold_is_refused() {
    let two = "findings; studies";
    refused(
        &["-c", two, "--output", "t.parquet"],
        "t.parquet",
        "a Parquet file holds one result",
    );
    refused(
        &["-c", two, "--output", "t.arrow"],
        "t.arrow",
        "an Arrow file holds one result",
    );
    // The format, not the name, says it: a file named otherwise too.
    refused(
        &["-c", two, "--format", "parquet", "--output", "t.dat"],
        "t.dat",
        "a Parquet file holds one result",
    );
    refused(
        &["-c", "plot fes", "--output", "t.parquet"],
        "t.parquet",
        "a figure cannot go into a Parquet file",
    );
    refused(
        &["-c", "let x = findings", "--output", "t.parquet"],
        "t.parquet",
        "no rows to write into a Parquet file",
    );
    refused(
        &["-c", "findings", "--format", "arrow"],
        "-",
        "--format arrow needs --output FILE.arrow",
    );
    refused(
        &["-c", "findings", "--format", "csv", "--output", "t.parquet"],
        "t.parquet",
        "contradicts",
    );
}

#[test]
fn pyarrow_and_pandas_read_what_metasum_writes() {
    // An independent reader: pyarrow (what pandas.read_parquet and
    // pandas.read_feather use), from METASUM_PYTHON or python3.
    let python = std::env::var_os("METASUM_PYTHON").map_or(PathBuf::from("python3"), PathBuf::from);
    let has_pandas = std::process::Command::new(&python)
        .args(["-c", "import pandas, pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pandas {
        assert!(
            std::env::var_os("METASUM_REQUIRE_TOOLS").is_none(),
            "{} with pandas and pyarrow is required here (METASUM_PYTHON)",
            python.display()
        );
        skipped("no python with pandas and pyarrow (set METASUM_PYTHON)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = metasum_in(dir.path())
        .args([
            "-c",
            "findings save \"f.parquet\"; findings save \"f.arrow\"; findings save \"f.csv\"",
        ])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    // Each file against the CSV of the same query, row by row.
    let script = r#"
import csv, pandas
rows = list(csv.DictReader(open("f.csv", encoding="utf-8")))
assert len(rows) > 0
for frame in (pandas.read_parquet("f.parquet"), pandas.read_feather("f.arrow")):
    assert len(frame) == len(rows), (len(frame), len(rows))
    assert str(frame["id"].dtype) == "int64", frame.dtypes
    assert str(frame["n"].dtype) == "int64", frame.dtypes
    assert str(frame["fes"].dtype) == "float64", frame.dtypes
    for (_, got), want in zip(frame.iterrows(), rows):
        assert got["id"] == int(want["id"]), (got["id"], want["id"])
        assert got["name"] == want["name"], (got["name"], want["name"])
        assert got["n"] == int(want["n"])
        assert abs(got["fes"] - float(want["fes"])) <= 0.05 + 1e-9, (got["fes"], want["fes"])
        assert [int(s) for s in got["studies"]] == [int(s) for s in want["studies"].split(";")]
        assert len(got["studies"]) == got["n"]
print("ok")
"#;
    let read = std::process::Command::new(&python)
        .current_dir(dir.path())
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
}

/// A result with no rows is a file of its typed columns and no rows: a
/// list of ids keeps its element type (text ids too, where an empty list
/// column was a list of nulls).
#[test]
fn a_result_with_no_rows_keeps_its_column_types() {
    let dir = tempfile::tempdir().unwrap();
    for (data, id) in [
        (data("tests/data/author-year-review"), DataType::String),
        (data("datasets/peer-support"), DataType::Int64),
    ] {
        let out = dir.path().join("none.parquet");
        let run = metasum_in(dir.path())
            .args(["--data", &data, "-c", "findings where fes > 99"])
            .args(["--output", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let frame = read(&out);
        assert_eq!(frame.height(), 0);
        let studies = frame.column("studies").unwrap().dtype().clone();
        assert_eq!(studies, DataType::List(Box::new(id)), "{data}");
    }
}
