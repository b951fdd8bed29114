//! A result as an HTML table, for the review's report: a caption, column
//! headers a screen reader announces (`scope="col"`) that sort the table
//! when pressed, numbers right-aligned with their exact value to sort by.

use std::fmt::Write;

use super::{Cell, Cells, marked_matrix};
use crate::escape::markup;
use crate::query::table::TableKind;

/// `result` as a `<table>` captioned `caption`, `sortable` by its columns
/// (not a matrix, whose last rows are margins). A matrix's cells are X or
/// blank, as on a terminal.
pub fn html_table(
    result: &crate::QueryResult,
    caption: &str,
    sortable: bool,
) -> crate::Result<String> {
    let cells = if result.kind == TableKind::Matrix {
        Cells::of(&marked_matrix(&result.frame)?)?
    } else {
        Cells::of_result(result)?
    };
    let Cells {
        names,
        columns,
        rows,
    } = cells;
    let labels: Vec<String> = names.iter().map(|n| header_words(n)).collect();
    // A table wider than a page is printed a record at a time (each cell
    // with its column's name): every cell on paper, none cut at the edge.
    let mut classes = Vec::new();
    if sortable {
        classes.push("sortable");
    }
    if names.len() > PRINTED_AS_A_TABLE {
        classes.push("records");
    }
    if result.kind == TableKind::Matrix {
        classes.push("matrix");
    }
    let mut out = String::new();
    let _ = writeln!(out, "<table class=\"{}\">", classes.join(" "));
    let _ = writeln!(out, "<caption>{}</caption>", markup(caption));
    out.push_str("<thead><tr>");
    for label in &labels {
        // The button makes the header a control a keyboard reaches.
        let _ = if sortable {
            write!(
                out,
                "<th scope=\"col\" aria-sort=\"none\" data-label=\"{0}\"><button type=\"button\">{0}</button></th>",
                markup(label)
            )
        } else {
            write!(out, "<th scope=\"col\">{}</th>", markup(label))
        };
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in 0..rows {
        out.push_str("<tr>");
        for (column, label) in columns.iter().zip(&labels) {
            cell(&mut out, &column[r], label);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    Ok(out)
}

/// The most columns a table prints as a table; a wider one is printed a
/// record at a time. Seven fit an A4 or Letter page in portrait at the
/// print size (the seed's Table 1 has 15, its matrix 30).
const PRINTED_AS_A_TABLE: usize = 7;

/// A column's name as a reader reads it: words, not `snake_case`, FES in
/// capitals (`fes_without_concerns`: "FES without concerns").
pub fn header_words(name: &str) -> String {
    (name.split('_'))
        .map(|word| match word {
            "fes" => "FES",
            "ac1" => "AC1",
            word => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One `<td>` with its column's `label` (shown before it when printed a
/// record at a time): a number right-aligned, with its value to sort by.
fn cell(out: &mut String, cell: &Cell, label: &str) {
    let label = markup(label);
    match cell {
        Cell::Int(n) => {
            let _ = write!(
                out,
                "<td class=\"num\" data-label=\"{label}\" data-sort=\"{n}\">{n}</td>"
            );
        }
        Cell::Float(x, _) => {
            let _ = write!(
                out,
                "<td class=\"num\" data-label=\"{label}\" data-sort=\"{x}\">{}</td>",
                markup(&cell.text(", "))
            );
        }
        other => {
            let text = markup(&other.text(", "));
            let _ = write!(out, "<td data-label=\"{label}\">{text}</td>");
        }
    }
}
