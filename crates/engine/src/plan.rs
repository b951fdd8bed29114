//! A query's plan: a lazy frame to collect, then the steps that need its
//! rows ([`AfterCollect`]); and the clauses that only reshape the frame
//! (`sort by`, the list column, `show`). [`crate::session::Session`]
//! builds plans and runs them.

use polars::prelude::*;

use metasum_query::ast::Query;

use crate::col;
use crate::query_error::QueryError;
use crate::stats;
use crate::table::{ColumnType, TableInfo, TableKind};

/// A query planned but not yet run: a lazy frame, then the steps that
/// need its rows collected first ([`Session::run_plan`] does both).
pub(crate) struct Planned {
    pub(crate) info: TableInfo,
    pub(crate) frame: LazyFrame,
    /// For `matrix`: the studies that become columns.
    pub(crate) matrix_studies: Option<Vec<i64>>,
    /// For findings and studies: what the view left for later.
    pub(crate) pending: Option<Pending>,
    /// After `frame` is collected, in order.
    pub(crate) after: Vec<AfterCollect>,
}

/// A step of a plan that works on collected rows.
pub(crate) enum AfterCollect {
    /// Fill the list column of the rows kept ([`stats::attach_lists`]):
    /// the links of those rows only, not of every row of the view.
    AttachLists {
        list: stats::ListOf,
        scope: Option<DataFrame>,
        order: Vec<String>,
    },
    /// Keep these columns (a `show` after the lists are attached).
    Select(Vec<Expr>),
    /// Widen findings into the study x finding matrix, these studies as
    /// its columns.
    Widen(Vec<i64>),
}

/// What a findings or studies view leaves for after its rows are known.
pub(crate) struct Pending {
    /// The view's list column.
    pub(crate) list: stats::ListOf,
    /// The `among` scope the view was counted in.
    pub(crate) scope: Option<DataFrame>,
    /// The list column is left out until the rows are known (the info
    /// lists it already).
    pub(crate) lists_later: bool,
    /// Its `has` terms were answered from the links already
    /// ([`stats::ViewOptions::linked_to`]).
    pub(crate) has_applied: bool,
}

/// Whether a query's list columns (`studies`, `findings`) are wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lists {
    /// Built, as every result shows them.
    Filled,
    /// Left out unless `show` names them: only the ids of the rows are used
    /// (an `among` set), or only the column names (completion).
    Skipped,
}

impl Planned {
    /// The columns the frame has now: the info's, but a list column that
    /// comes later.
    pub(crate) fn present_columns(&self) -> Vec<Expr> {
        let pending = (self.pending.as_ref())
            .filter(|p| p.lists_later)
            .map(|p| p.list.names().0);
        self.info
            .columns
            .iter()
            .filter(|(name, _)| Some(name.as_str()) != pending)
            .map(|(name, _)| col(name.as_str()))
            .collect()
    }
}

/// `sort by`: stable, so rows equal on the keys keep their order.
pub(crate) fn plan_sort_by(q: &Query, planned: &mut Planned) -> Result<(), QueryError> {
    if !q.sort_by.is_empty() {
        let mut exprs = Vec::new();
        let mut descending = Vec::new();
        for key in &q.sort_by {
            let (name, ty) = planned.info.resolve(&key.column)?;
            if let ColumnType::List(_) = ty {
                return Err(QueryError::new(
                    key.column.span,
                    format!("cannot sort by the list column `{name}`"),
                ));
            }
            exprs.push(col(name.as_str()));
            descending.push(key.descending);
        }
        let columns = planned.present_columns();
        planned.frame = stable_sort(
            std::mem::take(&mut planned.frame),
            exprs,
            descending,
            columns,
        );
    }
    Ok(())
}

/// The list column left for later, when shown: built once the rows are
/// known ([`AfterCollect::AttachLists`]).
pub(crate) fn plan_lists(q: &Query, lists: Lists, planned: &mut Planned) {
    if let Some(Pending {
        list,
        scope,
        lists_later: true,
        ..
    }) = planned.pending.take()
    {
        let (name, _, _) = list.names();
        // Built when shown: named by `show`, or every column is shown
        // and the caller wants the lists.
        let named = q.show.iter().any(|c| c.name.eq_ignore_ascii_case(name));
        let shown = named || (q.show.is_empty() && lists == Lists::Filled);
        if shown && planned.info.kind != TableKind::Counts {
            // Once the rows are known, the links of those rows only.
            let order = planned.info.columns.iter().map(|(c, _)| c.clone());
            planned.after.push(AfterCollect::AttachLists {
                list,
                scope,
                order: order.collect(),
            });
        }
    }
}

/// `show`: these columns, in this order.
pub(crate) fn plan_show(q: &Query, planned: &mut Planned) -> Result<(), QueryError> {
    if !q.show.is_empty() {
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for ident in &q.show {
            let (name, ty) = planned.info.resolve(ident)?;
            if columns.iter().any(|(c, _)| *c == name) {
                return Err(QueryError::new(
                    ident.span,
                    format!("`{name}` is named twice in `show`"),
                ));
            }
            exprs.push(col(name.as_str()));
            columns.push((name, ty));
        }
        if planned.after.is_empty() {
            planned.frame = std::mem::take(&mut planned.frame).select(exprs);
        } else {
            planned.after.push(AfterCollect::Select(exprs));
        }
        planned.info.columns = columns;
    }
    Ok(())
}

/// Sorts by `keys`, keeping the current order among equal keys (polars turns
/// a sort followed by `limit` into a top-k that does not keep it, so the row
/// position is the last key).
pub(crate) fn stable_sort(
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
