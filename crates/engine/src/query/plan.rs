//! A query's plan, as data: where its rows come from ([`Source`]), the
//! `among` set they are counted in ([`Scope`]), the steps polars runs
//! ([`Step`], each with its columns resolved) and the steps that need the
//! rows collected first ([`AfterCollect`]). Planning never collects: it
//! reads the source's schema (building the source's lazy frame, which for
//! `profile` counts the studies not of concern from the stored column),
//! and an `among` query stays a plan until [`crate::query::session::run`] lowers the plan
//! to a polars `LazyFrame` and collects it.

use polars::prelude::*;

use metasum_query::Span;
use metasum_query::ast::Query;

use crate::col;
use crate::count::views;
use crate::error::QueryError;
use crate::query::table::{ColumnType, TableInfo, TableKind};

/// A query planned but not yet run.
pub(crate) struct Planned {
    /// The columns the result will have.
    pub(crate) info: TableInfo,
    /// Where the rows come from.
    pub(crate) source: Source,
    /// The studies or findings a view is counted among.
    pub(crate) scope: Scope,
    /// Run by polars on the source's rows, in order.
    pub(crate) steps: Vec<Step>,
    /// For findings and studies: what the view left for later.
    pub(crate) pending: Option<Pending>,
    /// After the rows are collected, in order.
    pub(crate) after: Vec<AfterCollect>,
}

/// Where a plan's rows come from.
pub(crate) enum Source {
    /// The findings or studies view (the rows `list` belongs to), built as
    /// the options say (the pushdown shortcuts).
    View {
        list: views::ListOf,
        options: views::ViewOptions,
    },
    /// The evidence profile of each finding.
    Profile,
    /// The findings view a matrix is widened from.
    Matrix(views::ViewOptions),
    /// Rows that need no counting, in their order: a stored table (in id
    /// order), or a bound name (in the order it was made in).
    Rows(LazyFrame),
}

/// The `among` set of a plan.
pub(crate) enum Scope {
    /// No `among`: every study or finding counts.
    All,
    /// Rows with an `id` column known without counting: a bound name, or
    /// stored rows a condition on stored columns selects (errors at `span`,
    /// the set's).
    Ids { frame: Box<LazyFrame>, span: Span },
    /// A query's rows: run first, when the plan runs (errors at `span`).
    Query { plan: Box<Planned>, span: Span },
}

/// A step polars runs on a plan's rows.
pub(crate) enum Step {
    /// `where`: keep the rows the predicate holds for.
    Filter(Expr),
    /// `where` of many terms: keep the rows for which any (or every) part
    /// holds, each part evaluated on its own (see `filter::filter_in_parts`).
    FilterInParts { parts: Vec<Expr>, any: bool },
    /// `count by`: one row per distinct key with its `count`, most first.
    CountBy {
        keys: Vec<Expr>,
        count: &'static str,
    },
    /// A stable sort on `keys`, leaving `columns`.
    Sort {
        keys: Vec<Expr>,
        descending: Vec<bool>,
        columns: Vec<Expr>,
    },
    /// `limit`.
    Limit(IdxSize),
    /// `show`: these columns.
    Select(Vec<Expr>),
}

/// A step of a plan that works on collected rows.
pub(crate) enum AfterCollect {
    /// Fill the list column of the rows kept ([`views::attach_lists`]):
    /// the links of those rows only, not of every row of the view.
    AttachLists {
        list: views::ListOf,
        order: Vec<String>,
    },
    /// Keep these columns (a `show` after the lists are attached).
    Select(Vec<Expr>),
    /// Widen findings into the study x finding matrix, the studies in
    /// scope as its columns.
    Widen,
}

/// What a findings or studies view leaves for after its rows are known.
pub(crate) struct Pending {
    /// The view's list column.
    pub(crate) list: views::ListOf,
    /// The list column is left out until the rows are known (the info
    /// lists it already).
    pub(crate) lists_later: bool,
    /// Its `has` terms were answered from the links already
    /// ([`views::ViewOptions::linked_to`]).
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
        let mut keys = Vec::new();
        let mut descending = Vec::new();
        for key in &q.sort_by {
            let (name, ty) = planned.info.resolve(&key.column)?;
            if let ColumnType::List(_) = ty {
                return Err(QueryError::new(
                    key.column.span,
                    format!("cannot sort by the list column `{name}`"),
                ));
            }
            // CERQual levels sort by rank: `sort by confidence desc` puts
            // high first.
            keys.push(
                match crate::query::table::levels(planned.info.kind, &name) {
                    Some(levels) => crate::analyses::cerqual::rank(&name, &levels),
                    None => col(name.as_str()),
                },
            );
            descending.push(key.descending);
        }
        let columns = planned.present_columns();
        planned.steps.push(Step::Sort {
            keys,
            descending,
            columns,
        });
    }
    Ok(())
}

/// The list column left for later, when shown: built once the rows are
/// known ([`AfterCollect::AttachLists`]).
pub(crate) fn plan_lists(q: &Query, lists: Lists, planned: &mut Planned) {
    if let Some(Pending {
        list,
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
            planned.steps.push(Step::Select(exprs));
        } else {
            planned.after.push(AfterCollect::Select(exprs));
        }
        planned.info.columns = columns;
    }
    Ok(())
}
