//! Results as text: an aligned table for terminals, CSV, JSON and Markdown;
//! as files: an Excel workbook ([`xlsx`]), Parquet or Arrow ([`columnar`]).
//! `fes` and `intensity` are shown rounded to one decimal in the text
//! formats and the workbook; Parquet and Arrow files keep the exact value.

use std::fmt::Write;

mod columnar;
mod formats;
mod html;
mod table;
mod xlsx;

use crate::escape::formula_safe;
pub use crate::escape::{json_string, markdown_text, markup};
pub use columnar::columnar;
pub use formats::Format;
pub use html::html_table;
pub use xlsx::{Sheet, sheet_name, xlsx, xlsx_results};

use polars::prelude::*;

/// One cell, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Missing,
    Bool(bool),
    Int(i64),
    /// A float and the decimals to print (`None`: shortest exact form).
    Float(f64, Option<usize>),
    Text(String),
    List(Vec<Cell>),
}

pub use crate::exact::round_half_up;
pub use crate::words::count_of;

/// Columns printed with three decimals (agreement coefficients).
const COEFFICIENT_COLUMNS: [&str; 2] = ["kappa", "ac1"];

pub(crate) fn cells(column: &Column) -> PolarsResult<Vec<Cell>> {
    let series = column.as_materialized_series();
    let name = column.name().as_str();
    let decimals = if crate::exact::PERCENT_COLUMNS.contains(&name) {
        Some(1)
    } else if COEFFICIENT_COLUMNS.contains(&name) {
        Some(3)
    } else {
        None
    };
    series_cells(series, decimals)
}

fn series_cells(series: &Series, decimals: Option<usize>) -> PolarsResult<Vec<Cell>> {
    let dtype = series.dtype();
    Ok(match dtype {
        DataType::Boolean => series
            .bool()?
            .iter()
            .map(|v| v.map_or(Cell::Missing, Cell::Bool))
            .collect(),
        DataType::String => series
            .str()?
            .iter()
            .map(|v| v.map_or(Cell::Missing, |s| Cell::Text(s.to_string())))
            .collect(),
        DataType::Float32 | DataType::Float64 => series
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.map_or(Cell::Missing, |x| Cell::Float(x, decimals)))
            .collect(),
        DataType::List(_) => {
            let mut out = Vec::with_capacity(series.len());
            for item in series.list()?.amortized_iter() {
                out.push(match item {
                    None => Cell::Missing,
                    Some(s) => Cell::List(series_cells(s.as_ref(), decimals)?),
                });
            }
            out
        }
        d if d.is_integer() => series
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.map_or(Cell::Missing, Cell::Int))
            .collect(),
        _ => series
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map_or(Cell::Missing, |s| Cell::Text(s.to_string())))
            .collect(),
    })
}

impl Cell {
    /// Plain text of the cell; list items joined with `sep`.
    pub(crate) fn text(&self, sep: &str) -> String {
        match self {
            Cell::Missing => String::new(),
            Cell::Bool(b) => b.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(x, Some(d)) => format!("{:.d$}", round_half_up(*x, *d)),
            Cell::Float(x, None) => format!("{x:?}"),
            Cell::Text(s) => s.clone(),
            Cell::List(items) => items
                .iter()
                .map(|c| c.text(sep))
                .collect::<Vec<_>>()
                .join(sep),
        }
    }

    /// CSV text, safe to open in a spreadsheet: a text cell that starts with
    /// `=`, `+`, `-`, `@`, tab or carriage return would be read as a formula
    /// (OWASP "CSV injection"), so it gets a leading `'`. Numbers are left
    /// alone (`-1` is a number, not a formula).
    /// `cells` says whether to guard, or (`CsvCells::Raw`) leave it as it is.
    fn csv_text_as(&self, cells: CsvCells) -> String {
        let text = self.text(";");
        match (self, cells) {
            (Cell::Text(_) | Cell::List(_), CsvCells::Guarded) => formula_safe(text),
            _ => text,
        }
    }

    fn json(&self, out: &mut String) {
        match self {
            Cell::Missing => out.push_str("null"),
            Cell::Bool(_) | Cell::Int(_) => out.push_str(&self.text("")),
            Cell::Float(x, _) if x.is_finite() => out.push_str(&self.text("")),
            Cell::Float(..) => out.push_str("null"),
            Cell::Text(s) => json_string(out, s),
            Cell::List(items) => {
                out.push('[');
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    c.json(out);
                }
                out.push(']');
            }
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float(..))
    }
}

/// Renders a query result: as [`render`], except that a `matrix` shows its
/// cells as `X`/blank in tables and Markdown (1/0 in CSV and JSON).
pub fn render_result(result: &crate::QueryResult, format: Format) -> crate::Result<String> {
    render_result_with(result, format, Options::default())
}

/// How results are written besides their format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// CSV cells guarded against formulas, or as they are.
    pub csv_cells: CsvCells,
    /// The `table` format fits lines to this many characters (a
    /// terminal's width), shortening long text with `…`; `None` never.
    pub width: Option<usize>,
    /// Whether `table` and `csv` start with the column names (Markdown
    /// always does: a table needs its header).
    pub headers: Headers,
    /// The resolution a figure is drawn at in a PNG file, in dots per inch.
    pub dpi: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            csv_cells: CsvCells::default(),
            width: None,
            headers: Headers::default(),
            dpi: crate::present::raster::DEFAULT_DPI,
        }
    }
}

/// Whether a result's column names head it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Headers {
    /// The column names first.
    #[default]
    Shown,
    /// The rows alone (the shell's `.headers off`).
    Hidden,
}

/// [`render_result`], written as `options` say.
pub fn render_result_with(
    result: &crate::QueryResult,
    format: Format,
    options: Options,
) -> crate::Result<String> {
    let cells = if result.kind == crate::query::table::TableKind::Matrix
        && matches!(format, Format::Table | Format::Markdown)
    {
        Cells::of(&marked_matrix(&result.frame)?)?
    } else {
        Cells::of_result(result)?
    };
    render_cells(cells, format, options)
}

/// How CSV writes a text cell (or column name) that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvCells {
    /// With a leading `'`, so that a spreadsheet opening the file shows it
    /// rather than running it as a formula (OWASP "CSV injection").
    #[default]
    Guarded,
    /// As the data has it, for R, Python and other programs that read the
    /// file as data (a spreadsheet may run such a cell).
    Raw,
}

/// A result's columns as typed cells, as every format writes them.
struct Cells {
    names: Vec<String>,
    columns: Vec<Vec<Cell>>,
    rows: usize,
}

impl Cells {
    /// The cells of `frame`, by each column's type.
    fn of(frame: &DataFrame) -> PolarsResult<Cells> {
        Ok(Cells {
            names: (frame.get_column_names().iter())
                .map(|n| n.to_string())
                .collect(),
            columns: frame
                .columns()
                .iter()
                .map(cells)
                .collect::<PolarsResult<_>>()?,
            rows: frame.height(),
        })
    }

    /// The cells of a query result: a matrix's study columns (held as
    /// text, so that one column carries marks and margins) as the numbers
    /// they are, for JSON and workbooks (`"4": 1`, not `"4": "1"`).
    fn of_result(result: &crate::QueryResult) -> PolarsResult<Cells> {
        let mut cells = Cells::of(&result.frame)?;
        if result.kind == crate::query::table::TableKind::Matrix {
            let lead = crate::analyses::matrix::lead_width(&result.frame);
            for column in cells.columns.iter_mut().skip(lead) {
                for cell in column.iter_mut() {
                    *cell = as_number(std::mem::replace(cell, Cell::Missing));
                }
            }
        }
        Ok(cells)
    }
}

/// A text cell holding a number as that number (a whole number, or one
/// with a decimal, shown to one place); an empty one as missing.
fn as_number(cell: Cell) -> Cell {
    match cell {
        Cell::Text(s) if s.is_empty() => Cell::Missing,
        Cell::Text(s) => match (s.parse::<i64>(), s.parse::<f64>()) {
            (Ok(n), _) => Cell::Int(n),
            (_, Ok(x)) if x.is_finite() => Cell::Float(x, Some(1)),
            _ => Cell::Text(s),
        },
        other => other,
    }
}

/// The matrix with 1/0 cells as X/blank; the two margin rows keep numbers.
fn marked_matrix(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let cells = frame.height().saturating_sub(2);
    let lead = crate::analyses::matrix::lead_width(frame);
    let mut columns = Vec::with_capacity(frame.width());
    for (i, column) in frame.columns().iter().enumerate() {
        if i < lead {
            columns.push(column.clone());
            continue;
        }
        let marked: Vec<Option<String>> = column
            .str()?
            .iter()
            .enumerate()
            .map(|(row, v)| match (row < cells, v) {
                (true, Some("1")) => Some("X".to_string()),
                (true, Some("0")) => None,
                (_, v) => v.map(str::to_string),
            })
            .collect();
        columns.push(Column::new(column.name().clone(), marked));
    }
    DataFrame::new(frame.height(), columns)
}

/// A result's column names and its rows as the text each cell shows (list
/// items joined with ", "), for documents that lay cells out themselves.
pub fn cell_texts(result: &crate::QueryResult) -> crate::Result<(Vec<String>, Vec<Vec<String>>)> {
    let cells = Cells::of_result(result)?;
    let rows = (0..cells.rows)
        .map(|r| cells.columns.iter().map(|c| c[r].text(", ")).collect())
        .collect();
    Ok((cells.names, rows))
}

/// Renders `frame` in `format`.
pub fn render(frame: &DataFrame, format: Format) -> crate::Result<String> {
    render_cells(Cells::of(frame)?, format, Options::default())
}

/// Renders typed cells in `format`.
fn render_cells(cells: Cells, format: Format, options: Options) -> crate::Result<String> {
    Ok(match format {
        Format::Xlsx | Format::Parquet | Format::Arrow => {
            return Err(crate::Error::Output(format!(
                "{} is a binary format: use format::xlsx or format::columnar",
                format.name()
            )));
        }
        Format::Csv => csv_text(&cells, options)?,
        Format::Json => json_text(&cells),
        Format::Markdown => markdown_table(&cells),
        Format::Line => table::records(&cells.names, &cells.columns, cells.rows),
        Format::Table => {
            let headers = options.headers == Headers::Shown;
            table::table(
                &cells.names,
                &cells.columns,
                cells.rows,
                options.width,
                headers,
            )
        }
    })
}

/// The cells of row `r`, column by column.
fn row(cells: &Cells, r: usize) -> impl Iterator<Item = &Cell> {
    cells.columns.iter().map(move |c| &c[r])
}

/// `cells` as CSV: formula-guarded unless `--raw`, with a header line
/// unless it is hidden.
fn csv_text(cells: &Cells, options: Options) -> PolarsResult<String> {
    let csv_cells = options.csv_cells;
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let io = |e: csv::Error| PolarsError::ComputeError(e.to_string().into());
    let name = |n: &String| match csv_cells {
        CsvCells::Guarded => formula_safe(n.clone()),
        CsvCells::Raw => n.clone(),
    };
    if options.headers == Headers::Shown {
        w.write_record(cells.names.iter().map(name)).map_err(io)?;
    }
    for r in 0..cells.rows {
        w.write_record(row(cells, r).map(|c| c.csv_text_as(csv_cells)))
            .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `cells` as a JSON array of objects, one per row.
fn json_text(cells: &Cells) -> String {
    let mut out = String::from("[");
    for r in 0..cells.rows {
        out.push_str(if r == 0 { "\n  {" } else { ",\n  {" });
        for (i, (name, cell)) in cells.names.iter().zip(row(cells, r)).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            json_string(&mut out, name);
            out.push_str(": ");
            cell.json(&mut out);
        }
        out.push('}');
    }
    out.push_str(if cells.rows == 0 { "]\n" } else { "\n]\n" });
    out
}

/// `cells` as a GitHub table, numbers right-aligned.
fn markdown_table(cells: &Cells) -> String {
    let mut out = String::new();
    let names: Vec<String> = cells.names.iter().map(|n| markdown_text(n)).collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let rule: Vec<&str> = (cells.columns.iter())
        .map(|c| {
            if c.iter().any(Cell::is_number) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for r in 0..cells.rows {
        let texts: Vec<String> = row(cells, r)
            .map(|c| markdown_text(&c.text(", ")))
            .collect();
        let _ = writeln!(out, "| {} |", texts.join(" | "));
    }
    out
}

/// "1 row", "4 rows": for a person at a terminal, never part of a result
/// (a file or a pipe gets the rows alone).
pub fn row_count(rows: usize) -> String {
    count_of(rows, "row", "rows")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        let studies = Series::new(
            "studies".into(),
            [
                Some(Series::new("".into(), [2i64, 10])),
                Some(Series::new_empty("".into(), &DataType::Int64)),
            ],
        );
        DataFrame::new(
            2,
            vec![
                Column::new("id".into(), [22i64, 7]),
                Column::new(
                    "name".into(),
                    [Some("Confidentiality, \"records\" | policy"), None],
                ),
                Column::new("fes".into(), [8.0, 100.0 / 3.0]),
                Column::new("paid".into(), [Some(true), None]),
                studies.into_column(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn csv_quotes_text_and_joins_lists() {
        insta::assert_snapshot!(render(&sample(), Format::Csv).unwrap(), @r#"
        id,name,fes,paid,studies
        22,"Confidentiality, ""records"" | policy",8.0,true,2;10
        7,,33.3,,
        "#);
    }

    #[test]
    fn json_is_an_array_of_objects_with_lists_as_arrays() {
        insta::assert_snapshot!(render(&sample(), Format::Json).unwrap(), @r#"
        [
          {"id": 22, "name": "Confidentiality, \"records\" | policy", "fes": 8.0, "paid": true, "studies": [2,10]},
          {"id": 7, "name": null, "fes": 33.3, "paid": null, "studies": []}
        ]
        "#);
    }

    #[test]
    fn markdown_escapes_pipes() {
        insta::assert_snapshot!(render(&sample(), Format::Markdown).unwrap(), @r#"
        | id | name | fes | paid | studies |
        | ---: | --- | ---: | --- | --- |
        | 22 | Confidentiality, "records" \| policy | 8.0 | true | 2, 10 |
        | 7 |  | 33.3 |  |  |
        "#);
    }

    #[test]
    fn table_aligns_numbers_right() {
        insta::assert_snapshot!(render(&sample(), Format::Table).unwrap(), @r#"
        id  name                                  fes  paid  studies
        --  -----------------------------------  ----  ----  -------
        22  Confidentiality, "records" | policy   8.0  true  2, 10
         7                                       33.3
        "#);
    }

    #[test]
    fn csv_neutralises_formulas_in_text_but_not_numbers() {
        let frame = DataFrame::new(
            6,
            vec![
                Column::new(
                    "text".into(),
                    ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "plain"],
                ),
                Column::new("number".into(), [-1i64, 2, 3, 4, 5, 7]),
            ],
        )
        .unwrap();
        insta::assert_snapshot!(render(&frame, Format::Csv).unwrap(), @r#"
        text,number
        "'=HYPERLINK(""x"")",-1
        '+1,2
        '-2,3
        '@SUM(A1),4
        '	x,5
        plain,7
        "#);
        assert_eq!(
            Cell::Text("\rx".into()).csv_text_as(CsvCells::Guarded),
            "'\rx"
        );
    }

    #[test]
    fn workbook_percentages_round_as_the_text_formats_do() {
        use calamine::{Reader, Xlsx};
        let frame = DataFrame::new(
            1,
            vec![Column::new("fes".into(), [3315.0 * 100.0 / 10_000.0])],
        )
        .unwrap();
        let bytes = xlsx(&[("r".to_string(), &frame)]).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("r").unwrap();
        assert_eq!(range.get((1, 0)).unwrap().to_string(), "33.2");
        assert_eq!(render(&frame, Format::Csv).unwrap(), "fes\n33.2\n");
    }

    #[test]
    fn percentages_round_half_up_from_the_exact_value() {
        assert_eq!(
            Cell::Float(3315.0 * 100.0 / 10_000.0, Some(1)).text(""),
            "33.2"
        );
        assert_eq!(Cell::Float(100.0 / 8.0, Some(1)).text(""), "12.5");
        assert_eq!(Cell::Float(100.0 / 3.0, Some(1)).text(""), "33.3");
        assert_eq!(Cell::Float(200.0 / 3.0, Some(1)).text(""), "66.7");
        assert_eq!(Cell::Float(-1.45, Some(1)).text(""), "-1.5");
    }

    #[test]
    fn one_row_is_singular() {
        assert_eq!(row_count(1), "1 row");
        assert_eq!(row_count(4), "4 rows");
        // The count is the terminal's to show: never part of the rows.
        let one = sample().head(Some(1));
        for format in [Format::Table, Format::Markdown] {
            assert!(!render(&one, format).unwrap().contains("row"));
        }
    }
}
