//! Running a plan ([`crate::query::plan::Planned`]): its `among` set first, then
//! the plan lowered to a polars `LazyFrame` and collected, then the steps
//! that need the collected rows.

use polars::prelude::*;

use metasum_query::Span;

use crate::col;
use crate::count::scope::InScope;
use crate::count::views::{self, ListOf};
use crate::error::{QueryError, polars_error};
use crate::query::plan::{AfterCollect, Planned, Scope, Source, Step};
use crate::query::session::Session;
use crate::query::table::TableKind;

impl Session {
    /// Runs a plan: its scope, then its frame, then its steps on the rows.
    /// Polars failures are reported at `span`.
    pub(crate) fn run_plan(&self, planned: Planned, span: Span) -> Result<DataFrame, QueryError> {
        let Planned {
            source,
            scope,
            steps,
            after,
            ..
        } = planned;
        let scope = self.run_scope(scope, span)?;
        let rows = self
            .source_frame(&source, scope.as_ref())
            .map(|frame| lower_steps(frame, steps))
            .and_then(LazyFrame::collect);
        let mut rows = rows.map_err(|e| polars_error(span, e))?;
        for step in after {
            rows = match step {
                AfterCollect::AttachLists { list, order } => {
                    views::attach_lists(self.dataset(), list, scope.as_ref(), rows, &order)
                        .and_then(LazyFrame::collect)
                }
                AfterCollect::Select(exprs) => rows.lazy().select(exprs).collect(),
                AfterCollect::Widen => {
                    let studies = self.study_ids(scope.as_ref(), span)?;
                    crate::analyses::matrix::widen(
                        rows,
                        &self.dataset().meta.matrix_lead(),
                        &studies,
                    )
                }
            }
            .map_err(|e| polars_error(span, e))?;
        }
        Ok(rows)
    }

    /// The ids of an `among` set, running its query if it has one; `None`
    /// without `among`.
    pub(crate) fn run_scope(
        &self,
        scope: Scope,
        span: Span,
    ) -> Result<Option<InScope>, QueryError> {
        let rows = match scope {
            Scope::All => return Ok(None),
            Scope::Ids { frame, span } => frame.collect().map_err(|e| polars_error(span, e))?,
            Scope::Query { plan, span } => self.run_plan(*plan, span)?,
        };
        // Planning checked that the set has an `id` column.
        (InScope::of_frame(&rows).map(Some)).map_err(|e| polars_error(span, e))
    }

    /// A source's rows as a lazy frame, counted among `scope`, in id order
    /// (a bound name keeps its own).
    pub(crate) fn source_frame(
        &self,
        source: &Source,
        scope: Option<&InScope>,
    ) -> PolarsResult<LazyFrame> {
        let ds = self.dataset();
        Ok(match source {
            Source::View { list, options } => {
                let (kind, _) = crate::query::table::list_tables(*list);
                let view = views::view_with(ds, scope, *list, options.clone());
                in_id_order(kind, view?)
            }
            Source::Profile => in_id_order(
                TableKind::Profile,
                crate::analyses::profile::profile_view(ds, scope, self.threshold())?,
            ),
            Source::Matrix(options) => in_id_order(
                TableKind::Findings,
                views::view_with(ds, scope, ListOf::StudiesOfFindings, options.clone())?,
            ),
            Source::Rows(frame) => frame.clone(),
        })
    }

    /// The sorted ids of the studies in `scope` (all studies without one):
    /// the columns of a matrix.
    pub(crate) fn study_ids(
        &self,
        scope: Option<&InScope>,
        span: Span,
    ) -> Result<Vec<i64>, QueryError> {
        match scope {
            Some(scope) => Ok(scope.ids().to_vec()),
            None => (InScope::of_frame(&self.dataset().studies))
                .map(|all| all.ids().to_vec())
                .map_err(|e| polars_error(span, e)),
        }
    }
}

/// The plan's polars steps on `frame`.
fn lower_steps(mut frame: LazyFrame, steps: Vec<Step>) -> LazyFrame {
    for step in steps {
        frame = match step {
            Step::Filter(predicate) => frame.filter(predicate),
            Step::FilterInParts { parts, any } => {
                let same = |input: &Schema| Ok(Arc::new(input.clone()));
                frame.map(
                    move |rows| crate::query::filter::filter_in_parts(rows, &parts, any),
                    // Nothing is pushed through: each part runs on its own.
                    OptFlags::empty(),
                    Some(Arc::new(same)),
                    Some("filter in parts"),
                )
            }
            Step::CountBy { keys, count } => {
                let mut columns = keys.clone();
                columns.push(col(count));
                let mut order = vec![col(count)];
                order.extend(keys.iter().cloned());
                let descending: Vec<bool> = std::iter::once(true)
                    .chain(keys.iter().map(|_| false))
                    .collect();
                let counted = frame
                    .group_by(keys)
                    .agg([len().cast(DataType::Int64).alias(count)]);
                stable_sort(counted, order, descending, columns)
            }
            Step::Sort {
                keys,
                descending,
                columns,
            } => stable_sort(frame, keys, descending, columns),
            Step::Limit(rows) => frame.limit(rows),
            Step::Select(columns) => frame.select(columns),
        };
    }
    frame
}

/// Rows of a table in id order (evidence by finding, then study): the
/// order rows come in unless a query sorts them.
pub(crate) fn in_id_order(kind: TableKind, frame: LazyFrame) -> LazyFrame {
    match kind {
        TableKind::Findings | TableKind::Studies | TableKind::Papers | TableKind::Profile => {
            frame.sort(["id"], SortMultipleOptions::default())
        }
        TableKind::Evidence => frame.sort(["finding", "study"], SortMultipleOptions::default()),
        _ => frame,
    }
}

/// Sorts by `keys`, keeping the current order among equal keys (polars turns
/// a sort followed by `limit` into a top-k that does not keep it, so the row
/// position is the last key).
fn stable_sort(
    mut frame: LazyFrame,
    mut keys: Vec<Expr>,
    mut descending: Vec<bool>,
    columns: Vec<Expr>,
) -> LazyFrame {
    // A name no column of the frame has (a dataset may have any column).
    let mut position = String::from("__metasum_position");
    while frame.collect_schema().is_ok_and(|s| s.contains(&position)) {
        position.push('_');
    }
    keys.push(col(position.as_str()));
    descending.push(false);
    frame
        .with_row_index(position.as_str(), None)
        .sort_by_exprs(
            keys,
            SortMultipleOptions::default()
                .with_order_descending_multi(descending)
                .with_nulls_last(true),
        )
        .select(columns)
}

#[cfg(test)]
mod tests {
    use metasum_query::Span;
    use metasum_query::ast::StatementKind;

    use crate::query::plan::{Lists, Scope, Source};
    use crate::{Dataset, Session};

    fn query(text: &str) -> metasum_query::ast::Query {
        let statements = metasum_query::parse(text).expect("the query parses");
        match statements.statements.into_iter().next().map(|s| s.kind) {
            Some(StatementKind::Query(q)) => q,
            _ => panic!("not a query: {text}"),
        }
    }

    #[test]
    fn bound_rows_are_the_rows_the_query_shows_without_running_it_again() {
        let mut session = Session::new(Dataset::seed().expect("the embedded seed loads"));
        for text in [
            "findings where fes > 30 show id, fes, studies",
            "studies count by country",
            "evidence count by study",
            "matrix among (studies where country = UK)",
        ] {
            let shown = session.query(&query(text)).unwrap();
            session
                .execute_text(&format!("let a = {text}"), "test")
                .unwrap();
            let bound = session.bound_rows("a", Span::new(0, 0)).unwrap();
            assert!(bound.frame.equals_missing(&shown.frame), "{text}");
            assert_eq!(bound.kind, shown.kind, "{text}");
        }
        // `let a = a count by ...` saves what it binds, counted from the old `a`.
        session
            .execute_text("let a = studies where year > 2005", "test")
            .unwrap();
        let shown = session.query(&query("a count by country")).unwrap();
        session
            .execute_text("let a = a count by country", "test")
            .unwrap();
        assert!(
            session
                .bound_rows("a", Span::new(0, 0))
                .unwrap()
                .frame
                .equals_missing(&shown.frame)
        );
        assert!(session.bound_rows("nothing", Span::new(0, 0)).is_err());
        // Text ids (`Smith2019`, `T1.2`) come out as written, as the query shows them.
        let review = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/author-year-review");
        let mut session = Session::new(Dataset::load(&review).unwrap());
        for text in [
            "findings show id, studies",
            "evidence where study = Smith2019",
        ] {
            let shown = session.query(&query(text)).unwrap();
            session
                .execute_text(&format!("let t = {text}"), "test")
                .unwrap();
            let bound = session.bound_rows("t", Span::new(0, 0)).unwrap();
            assert!(bound.frame.equals_missing(&shown.frame), "{text}");
        }
    }

    #[test]
    fn an_among_query_is_planned_as_data_and_runs_only_with_the_plan() {
        let session = Session::new(Dataset::seed().expect("the embedded seed loads"));
        // `intensity` is computed, so the set needs its own counting.
        let q = query("findings among (studies where intensity > 40) where fes > 10");
        let planned = session.plan(&q, Lists::Filled).unwrap();
        let Scope::Query { plan: inner, .. } = &planned.scope else {
            panic!("the among set is not a planned query");
        };
        assert!(matches!(inner.source, Source::View { .. }));
        assert_eq!(planned.info.kind, crate::query::table::TableKind::Findings);
        // Run, the plan gives what the statement gives.
        let rows = session.run_plan(planned, q.span).unwrap();
        let direct = session.query(&q).unwrap().frame;
        assert!(rows.equals_missing(&direct));
        assert!(rows.height() > 0 && rows.height() < 24);
    }

    #[test]
    fn the_columns_of_a_matrix_among_a_query_are_those_its_result_has() {
        let session = Session::new(Dataset::seed().expect("the embedded seed loads"));
        for text in [
            "matrix among (studies where intensity > 40)",
            "matrix among (studies where country = UK)",
            "matrix",
        ] {
            let q = query(text);
            let planned: Vec<String> = (session.columns_of(&q).unwrap().into_iter())
                .map(|(name, _)| name)
                .collect();
            let result = session.query(&q).unwrap().frame;
            let shown: Vec<String> = (result.get_column_names().into_iter())
                .map(|c| c.to_string())
                .collect();
            assert_eq!(planned, shown, "{text}");
            assert!(shown.len() > 5, "{text}: no study column");
        }
    }
}
