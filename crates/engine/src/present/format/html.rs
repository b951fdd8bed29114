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
    let mut out = String::new();
    out.push_str(if sortable {
        "<table class=\"sortable\">\n"
    } else {
        "<table>\n"
    });
    let _ = writeln!(out, "<caption>{}</caption>", markup(caption));
    out.push_str("<thead><tr>");
    for name in &names {
        // The button makes the header a control a keyboard reaches.
        let _ = if sortable {
            write!(
                out,
                "<th scope=\"col\" aria-sort=\"none\"><button type=\"button\">{}</button></th>",
                markup(name)
            )
        } else {
            write!(out, "<th scope=\"col\">{}</th>", markup(name))
        };
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in 0..rows {
        out.push_str("<tr>");
        for column in &columns {
            cell(&mut out, &column[r]);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    Ok(out)
}

/// One `<td>`: a number right-aligned, with its value to sort by.
fn cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Int(n) => {
            let _ = write!(out, "<td class=\"num\" data-sort=\"{n}\">{n}</td>");
        }
        Cell::Float(x, _) => {
            let _ = write!(
                out,
                "<td class=\"num\" data-sort=\"{x}\">{}</td>",
                markup(&cell.text(", "))
            );
        }
        other => {
            let _ = write!(out, "<td>{}</td>", markup(&other.text(", ")));
        }
    }
}
