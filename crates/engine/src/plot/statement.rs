//! A `plot` statement: the rows it draws, planned like any query.

use metasum_query::ast::{Figure, Plot, Query, SourceKind};

use crate::error::QueryError;
use crate::session::Session;
use crate::table::TableKind;

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
        let mut texts = crate::plot::Texts {
            title: title.as_ref().map(|t| t.text.as_str()),
            subtitle: None,
            caption: caption.as_ref().map(|t| t.text.as_str()),
        };
        let labels = &self.dataset().meta.perspectives;
        if figure == Figure::Flow {
            if self.dataset().search.is_empty() {
                return Err(QueryError::new(
                    span,
                    "this dataset has no search.csv to draw the flow from",
                ));
            }
            return crate::plot::flow_chart(&self.dataset().search, texts)
                .map_err(|e| QueryError::new(span, e.to_string()));
        }
        let all;
        let q = match query {
            Some(q) => q,
            None => {
                all = Query::of(metasum_query::ast::Source {
                    kind: SourceKind::Findings,
                    span,
                });
                &all
            }
        };
        // Ids as numbers: the figure places studies by id and writes
        // each as the reviewer wrote it.
        let q = &self.resolved(q)?.0;
        let (kind, frame) = self.rows_resolved(q)?;
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
        let rows = crate::plot::finding_rows(&result.frame).map_err(|e| {
            QueryError::new(
                q.span,
                format!("`plot` needs the columns id, perspective, name, n, fes and studies: {e}"),
            )
        })?;
        let scope = self.plan_scope(q, TableKind::Studies)?;
        let scope = self.run_scope(scope, span)?;
        let ids = self.study_ids(scope.as_ref(), span)?;
        // What is shown, under the title: the statement's query as written
        // (its scope and condition) and the number of studies FES counts
        // among.
        let subtitle = subtitle(query, ids.len());
        texts.subtitle = Some(&subtitle);
        Ok(match figure {
            Figure::Fes => crate::plot::fes_chart(&rows, labels, texts),
            _ => {
                let studies: Vec<(i64, String)> = ids
                    .into_iter()
                    .map(|id| (id, self.dataset().study_label(id)))
                    .collect();
                crate::plot::matrix_chart(&rows, &studies, labels, texts)
            }
        })
    }
}

/// "n = 25 studies", after the query when the statement has one.
fn subtitle(query: Option<&Query>, studies: usize) -> String {
    let n = format!(
        "n = {}",
        crate::format::count_of(studies, "study", "studies")
    );
    match query {
        Some(q) => format!("{q} ({n})"),
        None => format!("All findings ({n})"),
    }
}
