//! A `plot` statement: the rows it draws, planned like any query.

use metasum_query::Span;
use metasum_query::ast::{Figure, Plot, Query, SourceKind};

use crate::error::QueryError;
use crate::present::plot::{FindingRow, Legend, Without};
use crate::query::session::Session;
use crate::query::table::TableKind;

impl Session {
    /// Draws a `plot` statement's figure as SVG: `fes` and `matrix` over the
    /// findings of `query` (all findings without one), `flow` from the
    /// dataset's `search.csv`.
    /// `title "..."` and `caption "..."` replace the figure's own title and
    /// add a caption.
    pub(crate) fn plot(&self, plot: &Plot) -> Result<String, QueryError> {
        let Plot {
            figure,
            span,
            query,
            title,
            caption,
        } = plot;
        let (figure, span, query) = (*figure, *span, query.as_ref());
        let mut texts = crate::present::plot::Texts {
            title: title.as_ref().map(|t| t.text.as_str()),
            subtitle: None,
            caption: caption.as_ref().map(|t| t.text.as_str()),
        };
        let labels = &self.dataset().meta.groups;
        if figure == Figure::Flow {
            if self.dataset().search.is_empty() {
                return Err(QueryError::new(
                    span,
                    "this dataset has no search stages (search.csv) to draw the flow from",
                ));
            }
            return crate::present::plot::flow_chart(&self.dataset().search, texts)
                .map_err(|e| QueryError::new(span, e.to_string()));
        }
        let (rows, q) = self.figure_rows(figure, span, query)?;
        let q = &q;
        let scope = self.plan_scope(q, TableKind::Studies)?;
        let scope = self.run_scope(scope, span)?;
        let ids = self.study_ids(scope.as_ref(), span)?;
        readable(figure, rows.len(), ids.len()).map_err(|e| QueryError::new(q.span, e))?;
        // What is shown, under the title: the statement's query as written
        // (its scope and condition) and the number of studies FES counts
        // among.
        if figure == Figure::Sensitivity {
            let (without, legend, kept) = self
                .without_concerns(&rows, scope.as_ref(), ids.len())
                .map_err(|e| QueryError::new(span, e))?;
            let subtitle = subtitle(query, ids.len(), Some(kept));
            texts.subtitle = Some(&subtitle);
            return Ok(crate::present::plot::sensitivity_chart(
                &rows, &without, labels, &legend, texts,
            ));
        }
        let subtitle = subtitle(query, ids.len(), None);
        texts.subtitle = Some(&subtitle);
        Ok(match figure {
            Figure::Fes => crate::present::plot::fes_chart(&rows, labels, texts),
            _ => {
                let studies: Vec<(i64, String)> = ids
                    .into_iter()
                    .map(|id| (id, self.dataset().study_label(id)))
                    .collect();
                crate::present::plot::matrix_chart(&rows, &studies, labels, texts)
            }
        })
    }

    /// The findings a figure draws: those of `query` (all without one),
    /// ids as numbers (the figure places studies by id and writes each as
    /// the reviewer wrote it), and the query resolved.
    fn figure_rows(
        &self,
        figure: Figure,
        span: Span,
        query: Option<&Query>,
    ) -> Result<(Vec<FindingRow>, Query), QueryError> {
        let all = Query::of(metasum_query::ast::Source {
            kind: SourceKind::Findings,
            span,
        });
        let q = self.resolved(query.unwrap_or(&all))?.0;
        let (kind, frame) = self.rows_resolved(&q)?;
        let result = self.result(kind, frame)?;
        if result.kind != TableKind::Findings {
            return Err(QueryError::new(
                q.source.span,
                format!(
                    "`plot {}` draws findings, but this query gives {}",
                    figure.name(),
                    result.kind.name()
                ),
            ));
        }
        let group = self.dataset().meta.group_by.as_deref();
        let rows = crate::present::plot::finding_rows(&result.frame, group).map_err(|e| {
            let needs = self.dataset().meta.matrix_lead().join(", ");
            QueryError::new(
                q.span,
                format!("`plot` needs the columns {needs} and studies: {e}"),
            )
        })?;
        Ok((rows, q))
    }
}

impl Session {
    /// Each of `rows`' FES without the studies of declared quality concern,
    /// by finding id
    /// among `scope` (all studies when `None`; `in_scope` of them), what the
    /// legend says, and how many studies are left; why not, when the
    /// dataset declares no concern.
    fn without_concerns(
        &self,
        rows: &[crate::present::plot::FindingRow],
        scope: Option<&crate::count::scope::InScope>,
        in_scope: usize,
    ) -> Result<(std::collections::HashMap<i64, Without>, Legend, usize), String> {
        use polars::prelude::*;
        let ds = self.dataset();
        if let Some(why) = crate::analyses::profile::quality_note(ds) {
            return Err(format!(
                "`plot sensitivity` needs studies of declared quality concern: {why}"
            ));
        }
        if in_scope == 0 {
            return Err("`plot sensitivity` has no study in scope to compute FES among".into());
        }
        let failed = |e: PolarsError| format!("could not compute the sensitivity: {e}");
        let kept = crate::analyses::profile::studies_without_concerns(ds, scope).map_err(failed)?;
        let profile = crate::analyses::profile::profile_view(ds, scope, self.threshold())
            .and_then(|p| {
                p.select([col("id"), col("fes_without_concerns"), col("flag")])
                    .collect()
            })
            .map_err(failed)?;
        let ids = profile
            .column("id")
            .and_then(|c| c.i64().cloned())
            .map_err(failed)?;
        let fes = (profile.column("fes_without_concerns"))
            .and_then(|c| c.f64().cloned())
            .map_err(failed)?;
        let flags = profile
            .column("flag")
            .and_then(|c| c.bool().cloned())
            .map_err(failed)?;
        let by_id: std::collections::HashMap<i64, Without> =
            (ids.iter().zip(fes.iter()).zip(flags.iter()))
                .filter_map(|((id, fes), flag)| {
                    Some((
                        id?,
                        Without {
                            fes,
                            flagged: flag.unwrap_or(false),
                        },
                    ))
                })
                .collect();
        let without = (rows.iter())
            .filter_map(|r| Some((r.id, *by_id.get(&r.id)?)))
            .collect();
        let studies = |n| crate::words::count_of(n, "study", "studies");
        let concerns = ds.meta.quality_concerns.join(", ");
        let legend = Legend {
            all: format!("FES among all {}", studies(in_scope)),
            without: format!(
                "FES without the {} of quality concern (quality: {concerns}), among the other {kept}",
                studies(in_scope - kept.min(in_scope)),
            ),
            flag: format!(
                "Bold: FES drops by more than {} percentage points without them",
                self.threshold()
            ),
        };
        Ok((without, legend, kept))
    }
}

/// Whether a figure of `findings` rows among `studies` can be read: at
/// most [`FIGURE_FINDINGS`] rows, and a matrix of at most
/// [`MATRIX_CELLS`] cells; what to draw instead when not.
///
/// [`FIGURE_FINDINGS`]: crate::present::plot::FIGURE_FINDINGS
/// [`MATRIX_CELLS`]: crate::present::plot::MATRIX_CELLS
fn readable(figure: Figure, findings: usize, studies: usize) -> Result<(), String> {
    use crate::present::plot::{FIGURE_FINDINGS, MATRIX_CELLS};
    let name = figure.name();
    if figure == Figure::Matrix {
        let cells = findings.saturating_mul(studies);
        if cells > MATRIX_CELLS {
            return Err(format!(
                "`plot matrix` would draw {findings} findings by {studies} studies ({cells} cells), more than a figure can show readably ({MATRIX_CELLS}); draw a part: `plot matrix findings where ... among (studies where ...)`, or write the whole matrix as a table: `matrix save \"matrix.csv\"`"
            ));
        }
    } else if findings > FIGURE_FINDINGS {
        return Err(format!(
            "`plot {name}` would draw {findings} findings, more than a figure can show readably ({FIGURE_FINDINGS}); draw the largest: `plot {name} findings sort by n desc limit 50`, or a part: `plot {name} findings where ...`"
        ));
    }
    Ok(())
}

/// "n = 25 studies" after the query (or "All findings"), and with `kept`
/// (the sensitivity figure) "n = 25 studies; 22 not of quality concern".
fn subtitle(query: Option<&Query>, studies: usize, kept: Option<usize>) -> String {
    let mut n = format!(
        "n = {}",
        crate::words::count_of(studies, "study", "studies")
    );
    if let Some(kept) = kept {
        n.push_str(&format!("; {kept} not of quality concern"));
    }
    match query {
        Some(q) => format!("{q} ({n})"),
        None => format!("All findings ({n})"),
    }
}
