//! A result as a typed columnar file, for R and Python: Parquet
//! (`arrow::read_parquet`, `pandas.read_parquet`, polars) or Arrow IPC, the
//! Feather v2 file (`arrow::read_feather`, `pandas.read_feather`). Written
//! by polars' own writers. Each column keeps its type: whole numbers as
//! integers, `fes` and `intensity` as the exact percentage (CSV and the
//! screen round them to one decimal), lists as lists, missing as null.

use polars::prelude::*;
use polars_io::SerWriter;
use polars_io::ipc::IpcWriter;

use super::Format;
use crate::QueryResult;
use crate::query::table::TableKind;

/// The bytes of `result` as a file of `format` (Parquet or Arrow IPC).
pub fn columnar(result: &QueryResult, format: Format) -> crate::Result<Vec<u8>> {
    let mut frame = typed(result)?;
    let mut bytes = Vec::new();
    match format {
        Format::Parquet => bytes = parquet(&frame)?,
        // Uncompressed, and text as Arrow's `large_utf8` (see `parquet`).
        Format::Arrow => {
            IpcWriter::new(&mut bytes)
                .with_compat_level(CompatLevel::oldest())
                .finish(&mut frame)?;
        }
        other => {
            return Err(crate::Error::Output(format!(
                "{} is not a columnar format",
                other.name()
            )));
        }
    }
    Ok(bytes)
}

/// Rows per row group, as polars' own Parquet writer groups them.
const ROW_GROUP: usize = 512 * 512;

/// `frame` as a Parquet file. Not through polars' `ParquetWriter`: it
/// declares text as Arrow's newest string type (string view), and
/// pyarrow before 16 (2024) fails on such a file ("Unrecognized type:
/// 24"); this writes the oldest types (`large_utf8`), as Python polars'
/// `write_parquet` does. Snappy, the codec pyarrow and R's arrow write by
/// default, so every reader that reads its own files reads these (zstd,
/// polars' default, is left out of some R arrow builds).
fn parquet(frame: &DataFrame) -> PolarsResult<Vec<u8>> {
    use polars_parquet::write::{
        CompressionOptions, FileWriter, RowGroupIterator, StatisticsOptions, Version, WriteOptions,
    };
    let compat = CompatLevel::oldest();
    let schema = frame.schema().to_arrow(compat);
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V1,
        compression: CompressionOptions::Snappy,
        data_page_size: None,
    };
    let mut writer = FileWriter::try_new(Vec::new(), schema.clone(), options)?;
    let mut offset = 0;
    // A result with no rows still gets its schema (and no row group).
    while offset < frame.height() {
        let mut part = frame.slice(offset as i64, ROW_GROUP);
        offset += ROW_GROUP;
        part.rechunk_mut();
        let rows = part.height() as u64;
        let batches = part.iter_chunks(compat, false).map(Ok);
        let encodings = polars_io::parquet::write::get_encodings(&schema);
        for group in RowGroupIterator::try_new(batches, &schema, options, encodings)? {
            writer.write(rows, group?)?;
        }
    }
    writer.end(None)?;
    Ok(writer.into_inner())
}

/// The frame as it is written: counts as signed integers (`agreement`'s
/// are unsigned in polars; R has no unsigned type); and the `matrix`,
/// which holds its study columns as text (so that one column carries marks
/// and both margins), with them as numbers: floats, since its intensity
/// margin is a percentage, and that margin exact, computed again from the
/// study's n (the text has it rounded to one decimal).
fn typed(result: &QueryResult) -> PolarsResult<DataFrame> {
    let matrix = result.kind == TableKind::Matrix;
    let rows = result.frame.height();
    // The matrix's margins: its last two rows, when they are there.
    let names = result.frame.column("name").ok().and_then(|c| c.str().ok());
    let label = |row: usize| names.and_then(|n| n.get(row));
    let margins = matrix
        && rows >= 2
        && label(rows - 2) == Some(crate::analyses::matrix::MARGIN_N)
        && label(rows - 1) == Some(crate::analyses::matrix::MARGIN_INTENSITY);
    let lead = crate::analyses::matrix::lead_width(&result.frame);
    let mut columns = Vec::with_capacity(result.frame.width());
    for (i, column) in result.frame.columns().iter().enumerate() {
        let column = match column.dtype() {
            d if d.is_unsigned_integer() => column.cast(&DataType::Int64)?,
            DataType::String if matrix && i >= lead => as_numbers(column, margins)?,
            _ => column.clone(),
        };
        columns.push(column);
    }
    DataFrame::new(rows, columns)
}

/// A matrix's study column (text) as numbers; an empty cell is missing.
/// With `margins`, its last cell, the intensity, is computed from the one
/// before, the study's n. A cell that is not a number keeps it as text.
fn as_numbers(column: &Column, margins: bool) -> PolarsResult<Column> {
    let texts = column.str()?;
    fn cell(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|s| !s.is_empty())
    }
    let numbers: Option<Vec<Option<f64>>> = (texts.iter())
        .map(|v| cell(v).map_or(Some(None), |s| s.parse().ok().map(Some)))
        .collect();
    let Some(mut numbers) = numbers else {
        return Ok(column.clone());
    };
    let rows = numbers.len();
    if margins && rows > 2 {
        let findings = rows - 2;
        numbers[rows - 1] =
            numbers[rows - 2].map(|n| crate::analyses::matrix::intensity(n as i64, findings));
    }
    Ok(Column::new(column.name().clone(), numbers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars_io::SerReader;
    use polars_io::ipc::IpcReader;
    use polars_io::parquet::read::ParquetReader;

    fn result(kind: TableKind, frame: DataFrame) -> QueryResult {
        QueryResult {
            kind,
            frame,
            notes: Vec::new(),
        }
    }

    fn read(bytes: Vec<u8>, format: Format) -> DataFrame {
        let cursor = std::io::Cursor::new(bytes);
        match format {
            Format::Parquet => ParquetReader::new(cursor).finish().unwrap(),
            _ => IpcReader::new(cursor).finish().unwrap(),
        }
    }

    #[test]
    fn types_lists_and_missing_cells_come_back_as_they_went() {
        let studies = Series::new(
            "studies".into(),
            [
                Some(Series::new("".into(), ["Smith2019", "Lee2020"])),
                Some(Series::new_empty("".into(), &DataType::String)),
                None,
            ],
        );
        let frame = DataFrame::new(
            3,
            vec![
                Column::new("id".into(), ["T1.2", "T1.10", "T2"]),
                Column::new("n".into(), [Some(2i64), Some(0), None]),
                Column::new("fes".into(), [200.0 / 3.0, 0.0, f64::NAN]),
                Column::new("paid".into(), [Some(true), None, Some(false)]),
                Column::new("a name, with \"quotes\"".into(), ["x", "", "ü"]),
                studies.into_column(),
            ],
        )
        .unwrap();
        for format in [Format::Parquet, Format::Arrow] {
            let back = read(
                columnar(&result(TableKind::Findings, frame.clone()), format).unwrap(),
                format,
            );
            assert_eq!(back.schema(), frame.schema(), "{format:?}");
            // NaN != NaN, so compare with the missing-and-NaN-aware check.
            assert!(back.equals_missing(&frame), "{format:?}: {back}");
            // The exact percentage, not the one decimal CSV prints.
            let fes = back.column("fes").unwrap().f64().unwrap().get(0).unwrap();
            assert_eq!(fes, 200.0 / 3.0);
        }
    }

    #[test]
    fn matrix_cells_become_numbers_and_the_intensity_margin_exact() {
        let frame = DataFrame::new(
            5,
            vec![
                Column::new(
                    "id".into(),
                    [Some("T1"), Some("T2"), Some("T3"), None, None],
                ),
                Column::new(
                    "perspective".into(),
                    [Some("a"), Some("b"), Some("b"), None, None],
                ),
                Column::new(
                    "name".into(),
                    [
                        "x",
                        "y",
                        "z",
                        crate::analyses::matrix::MARGIN_N,
                        crate::analyses::matrix::MARGIN_INTENSITY,
                    ],
                ),
                Column::new("n".into(), [Some(1i64), Some(2), Some(1), None, None]),
                Column::new(
                    "fes".into(),
                    [Some(50.0), Some(100.0), Some(50.0), None, None],
                ),
                // The margins as the matrix writes them: 1 of 3 findings,
                // 33.3 rounded.
                Column::new("Smith (2019)".into(), ["1", "0", "0", "1", "33.3"]),
                Column::new("Lee (2020)".into(), ["1", "1", "1", "3", "100.0"]),
            ],
        )
        .unwrap();
        let back = read(
            columnar(&result(TableKind::Matrix, frame), Format::Parquet).unwrap(),
            Format::Parquet,
        );
        let smith = back.column("Smith (2019)").unwrap();
        assert_eq!(smith.dtype(), &DataType::Float64);
        let cells: Vec<Option<f64>> = smith.f64().unwrap().iter().collect();
        assert_eq!(
            cells,
            [
                Some(1.0),
                Some(0.0),
                Some(0.0),
                Some(1.0),
                Some(100.0 / 3.0)
            ]
        );
        assert_eq!(back.column("id").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn empty_cells_are_missing_and_text_stays_text() {
        let cells = Column::new("s".into(), [Some("1"), Some(""), Some(" 0 ")]);
        let numbers = as_numbers(&cells, false).unwrap();
        let cells: Vec<Option<f64>> = numbers.f64().unwrap().iter().collect();
        assert_eq!(cells, [Some(1.0), None, Some(0.0)]);
        let text = Column::new("s".into(), ["1", "X"]);
        assert_eq!(as_numbers(&text, false).unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn unsigned_counts_are_signed_integers() {
        let frame = DataFrame::new(2, vec![Column::new("both".into(), [3u32, 0])]).unwrap();
        let back = read(
            columnar(&result(TableKind::Agreement, frame), Format::Arrow).unwrap(),
            Format::Arrow,
        );
        assert_eq!(back.column("both").unwrap().dtype(), &DataType::Int64);
    }

    #[test]
    fn a_text_format_is_refused() {
        let frame = DataFrame::new(0, vec![]).unwrap();
        assert!(columnar(&result(TableKind::Findings, frame), Format::Csv).is_err());
    }
}
