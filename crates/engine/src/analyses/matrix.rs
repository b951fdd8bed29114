//! The study x finding matrix: one row per finding, one column per study,
//! 1 where the study contains the finding; each row's n and fes, and two
//! margin rows with each study's n and intensity among the rows shown.

use polars::prelude::*;

use crate::col;

/// Label of the margin row with each study's n (in the `name` column).
pub const MARGIN_N: &str = "n (findings shown in the study)";
/// Label of the margin row with each study's intensity (in the `name` column).
pub const MARGIN_INTENSITY: &str = "intensity (% of the findings shown)";

/// How many of a matrix's columns come before its study columns: its lead
/// ([`crate::dataset::Meta::matrix_lead`]) ends with `fes`.
pub fn lead_width(matrix: &DataFrame) -> usize {
    let names = matrix.get_column_names();
    names
        .iter()
        .position(|c| c.as_str() == "fes")
        .map_or(0, |i| i + 1)
}

/// A study's intensity among `rows` findings shown, `n` of them its own:
/// the percent the matrix's margin shows (rounded there).
pub(crate) fn intensity(n: i64, rows: usize) -> f64 {
    (n * 100) as f64 / rows as f64
}

/// Widens `findings` (a findings view: its `lead` columns, id, the grouping
/// when there is one, name, n, fes; and studies) into the matrix over
/// `studies` (ids, in column order).
///
/// Study columns hold text, "1" or "0" (the margin rows hold numbers as
/// text), so that one column can carry both cells and margins.
pub fn widen(findings: DataFrame, lead: &[&str], studies: &[i64]) -> PolarsResult<DataFrame> {
    let rows = findings.height();
    let mut cells: Vec<Expr> = lead.iter().map(|c| col(*c)).collect();
    for s in studies {
        cells.push(
            col("studies")
                .list()
                .contains(lit(*s), false)
                .fill_null(lit(false))
                .cast(DataType::Int64)
                .alias(s.to_string()),
        );
    }
    let body = findings.lazy().select(cells).collect()?;
    let mut margin_n = Vec::with_capacity(studies.len());
    let mut margin_intensity = Vec::with_capacity(studies.len());
    for s in studies {
        let n = body.column(&s.to_string())?.i64()?.sum().unwrap_or(0);
        margin_n.push(n.to_string());
        margin_intensity.push(if rows == 0 {
            String::new()
        } else {
            format!("{:.1}", crate::exact::round_half_up(intensity(n, rows), 1))
        });
    }
    let mut columns = Vec::with_capacity(lead.len() + studies.len());
    for column in lead {
        columns.push(if *column == "name" {
            // The margin rows say what they hold where a finding's name is.
            let mut names: Vec<Option<String>> = (body.column("name")?.str()?.iter())
                .map(|v| v.map(str::to_string))
                .collect();
            names.push(Some(MARGIN_N.to_string()));
            names.push(Some(MARGIN_INTENSITY.to_string()));
            Column::new("name".into(), names)
        } else {
            extend(body.column(column)?, 2)?
        });
    }
    for (i, s) in studies.iter().enumerate() {
        let mut values: Vec<String> = body
            .column(&s.to_string())?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0).to_string())
            .collect();
        values.push(margin_n[i].clone());
        values.push(margin_intensity[i].clone());
        columns.push(Column::new(s.to_string().into(), values));
    }
    DataFrame::new(rows + 2, columns)
}

/// `column` with `extra` missing values appended.
fn extend(column: &Column, extra: usize) -> PolarsResult<Column> {
    let mut c = column.as_materialized_series().clone();
    c.append(&Series::full_null(c.name().clone(), extra, c.dtype()))?;
    Ok(c.into_column())
}
