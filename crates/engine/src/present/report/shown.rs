//! How much of a review one page shows. A review of the usual size (the
//! seed's 25 studies and 24 findings, a few hundred of either) is shown
//! whole. An evidence map of 10,000 studies is not read on a page: shown
//! whole, its report was 3.4 GB (the 20M-cell matrix alone 3.26 GB), took
//! 60 s and 9.7 GB of memory, and at 100,000 studies the allocation failed.
//! Beyond these bounds the page shows the largest parts, and a note on
//! each cut table says what was left out and the statement that gives it
//! all; the matrix is shown whole or not at all.

use crate::Session;
use crate::present::plot::MATRIX_CELLS;

/// Findings in Table 2, the profile and the FES and sensitivity figures,
/// at most: the ones the most studies support.
const FINDINGS: usize = 200;
/// Studies in Table 1, at most: the ones that support the most findings.
const STUDIES: usize = 1_000;
/// Evidence links Table 2 lists by study, at most: beyond, its `studies`
/// column is left out (the column would be most of the page).
const LISTED_LINKS: usize = 100_000;
/// Rows of the extracts table and of the reference list, at most.
const ROWS: usize = 2_000;
/// The order that puts the largest findings (most studies) or studies
/// (most findings) first, ties by id.
const LARGEST_FIRST: &str = "n desc, id";

/// The clauses that pick the rows a table shows, and the note that says so.
#[derive(Debug, Default)]
pub(super) struct Cut {
    /// ` sort by ...`: the rows first shown (empty when every row is).
    order: String,
    /// ` limit N` (empty when every row is shown).
    limit: String,
    /// What the page leaves out, as HTML (a paragraph), when it does.
    note: Option<String>,
}

impl Cut {
    /// `rows` rows of `table` (each one of the review's `what`), of which
    /// the page shows at most `most`: those first in `order` (`sort by`
    /// clause terms), said as `largest`.
    fn of(
        table: &str,
        (rows, what): (usize, &str),
        most: usize,
        order: &str,
        largest: &str,
    ) -> Cut {
        if rows <= most {
            return Cut::default();
        }
        Cut {
            order: format!(" sort by {order}"),
            limit: format!(" limit {most}"),
            note: Some(format!(
                "<p class=\"note\">This review has {rows} {what}: the page shows the {most} {largest}. All of them: <code>{table} save \"{table}.csv\"</code>.</p>\n"
            )),
        }
    }

    /// The clauses that pick the rows: ` sort by ... limit N`, or nothing.
    pub fn clauses(&self) -> String {
        format!("{}{}", self.order, self.limit)
    }

    /// `table` sorted by the order this cut keeps (`sort by ORDER`, from
    /// the table's own order when nothing is cut), then limited when it is.
    pub fn sorted(&self, table: &str, order: &str) -> String {
        match self.order.as_str() {
            "" => format!("{table} sort by {order}"),
            _ => format!("{table}{}", self.clauses()),
        }
    }

    /// The note before a table, or nothing.
    pub fn note(&self) -> &str {
        self.note.as_deref().unwrap_or_default()
    }
}

/// What of the review the page shows.
#[derive(Debug)]
pub(super) struct Shown {
    /// Table 2 and the figures of findings.
    pub findings: Cut,
    /// The profile: the same findings as Table 2.
    pub profile: Cut,
    /// Table 1.
    pub studies: Cut,
    /// Whether the matrix (table and figure) is shown; when not, why.
    pub matrix: Result<(), String>,
    /// The extracts table.
    pub extracts: Cut,
    /// The reference list.
    pub papers: Cut,
}

impl Shown {
    /// What the page shows of `session`'s review.
    pub fn of(session: &Session) -> Shown {
        let ds = session.dataset();
        let (studies, findings) = (ds.studies.height(), ds.findings.height());
        let cells = studies.saturating_mul(findings);
        let matrix = if cells <= MATRIX_CELLS {
            Ok(())
        } else {
            Err(format!(
                "<p class=\"note\">The matrix of this review ({findings} findings by {studies} studies: {cells} cells) is more than a page can show (at most {MATRIX_CELLS} cells). All of it: <code>matrix save \"matrix.csv\"</code>; a part as a figure: <code>plot matrix findings where ... among (studies where ...)</code>.</p>\n"
            ))
        };
        Shown {
            findings: Cut::of(
                "findings",
                (findings, "findings"),
                FINDINGS,
                LARGEST_FIRST,
                "that the most studies support",
            ),
            // The findings of Table 2.
            profile: Cut::of(
                "profile",
                (findings, "findings"),
                FINDINGS,
                LARGEST_FIRST,
                "findings that the most studies support",
            ),
            studies: Cut::of(
                "studies",
                (studies, "studies"),
                STUDIES,
                LARGEST_FIRST,
                "that support the most findings",
            ),
            matrix,
            extracts: Cut::of(
                "extracts",
                (ds.extracts.len(), "extracts"),
                ROWS,
                "finding",
                "first by finding",
            ),
            papers: Cut::of(
                "papers",
                (ds.papers.height(), "papers"),
                ROWS,
                "citation",
                "first by citation",
            ),
        }
    }

    /// Whether Table 2 lists each finding's studies: not when the findings
    /// shown have more than [`LISTED_LINKS`] links in all (`links`).
    pub fn lists_studies(links: i64) -> bool {
        links <= LISTED_LINKS as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_within_its_bound_is_shown_whole() {
        let cut = Cut::of("studies", (STUDIES, "studies"), STUDIES, LARGEST_FIRST, "x");
        assert_eq!((cut.clauses().as_str(), cut.note()), ("", ""));
        let cut = Cut::of(
            "studies",
            (STUDIES + 1, "studies"),
            STUDIES,
            LARGEST_FIRST,
            "largest",
        );
        assert_eq!(
            cut.clauses(),
            format!(" sort by n desc, id limit {STUDIES}")
        );
        assert!(cut.note().contains(&format!("has {} studies", STUDIES + 1)));
        assert!(cut.note().contains("studies save \"studies.csv\""));
        let sorted = format!("studies sort by n desc, id limit {STUDIES}");
        assert_eq!(cut.sorted("studies", "id"), sorted);
    }

    /// The seed is shown whole: the report runs the statements it always
    /// ran (its page is the same).
    #[test]
    fn the_seed_is_shown_whole() {
        let session = Session::new(crate::Dataset::seed().unwrap());
        let shown = Shown::of(&session);
        for cut in [
            &shown.findings,
            &shown.profile,
            &shown.studies,
            &shown.extracts,
            &shown.papers,
        ] {
            assert_eq!((cut.clauses().as_str(), cut.note()), ("", ""));
        }
        assert!(shown.matrix.is_ok());
        assert_eq!(
            shown.papers.sorted("papers", "citation"),
            "papers sort by citation"
        );
    }
}
