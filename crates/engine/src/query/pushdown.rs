//! Work a query does not need, left out before polars runs it: the parts
//! of a `where` condition that stored columns decide, list columns nobody
//! reads, `among` sets that need no counting. Each shortcut gives the rows
//! the plain plan gives (`crates/engine/tests/engine/queries.rs` checks them against it).

use polars::prelude::*;

use crate::col;

use metasum_query::ast::{Query, SourceKind};

use crate::query::table::{TableInfo, TableKind};
use crate::review::dataset::LINKS_OF_MOST;
use crate::review::dataset::files::ReviewFile;
use crate::{Dataset, count::views, query::filter};

/// How to build the findings or studies view for `q`: filtered early on
/// stored columns, and with its list column filled only at the end
/// unless the condition reads it (`studies has 13`).
pub(crate) fn view_options(ds: &Dataset, q: &Query, list: views::ListOf) -> views::ViewOptions {
    let (kind, _) = crate::query::table::list_tables(list);
    let (list, _, _) = list.names();
    let terms = q.filter.as_ref().map(filter::terms).unwrap_or_default();
    // `LIST has ID` terms are answered from the links; any other use of
    // the list needs it built before the condition runs.
    let linked_to: Vec<i64> = terms
        .iter()
        .filter_map(|t| filter::has_item(t, list))
        .collect();
    // Each item is a semi-join: past a few dozen, polars' planner takes
    // longer than building the list and testing it.
    let reads_list = linked_to.len() > MAX_SHORTCUT_TERMS
        || terms.iter().any(|t| {
            filter::has_item(t, list).is_none()
                && filter::columns(t).any(|i| i.name.eq_ignore_ascii_case(list))
        });
    // `findings limit 10`: the first rows are the answer's rows, so only
    // their links are read (from the cache's index when it has them). So
    // are the first rows a condition on stored columns alone keeps
    // (`studies where year > 2010 limit 5`): `keep` is then all of it.
    let keep = decided_by_stored(ds, q, kind);
    let whole_rows = (q.filter.as_ref())
        .is_none_or(|cond| keep.is_some() && filter::wholly_decided_by(&stored(ds, kind).1, cond));
    let first = (whole_rows && q.among.is_none() && q.count_by.is_empty() && q.sort_by.is_empty())
        .then_some(q.limit.as_ref())
        .flatten()
        .and_then(|limit| usize::try_from(limit.rows).ok())
        .filter(|rows| *rows <= LINKS_OF_MOST);
    views::ViewOptions {
        keep,
        linked_to: if reads_list { Vec::new() } else { linked_to },
        lists_later: !reads_list,
        first,
    }
}

/// The most comparisons a condition may hold for the shortcuts: the early
/// filter puts the condition into the plan twice (on the rows kept, and on
/// the links semi-joined to them), and with 1,000 `and` terms polars'
/// optimiser took 9 s and 2.6 GB over it; a longer condition runs once,
/// after the view (1,000 terms there: 0.6 s).
const MAX_SHORTCUT_TERMS: usize = 32;

/// The part of the `where` condition of `q` that the stored columns of
/// `kind` (findings or studies) decide alone, to apply before counting.
pub(crate) fn decided_by_stored(ds: &Dataset, q: &Query, kind: TableKind) -> Option<Expr> {
    let cond = q.filter.as_ref()?;
    if filter::comparisons(cond) > MAX_SHORTCUT_TERMS {
        return None;
    }
    filter::decided_by(&stored(ds, kind).1, cond)
}

/// Whether `q`, on the findings or studies view that carries `list`,
/// reads and shows stored columns only (`studies count by country`,
/// `findings where perspective = worker show id, name`), apart from
/// `LIST has ID` terms of its condition (`findings where studies has 13
/// show id`): then its rows are the stored table's, in the view's order,
/// less those the `has` terms rule out, and nothing is counted. Returns
/// the ids of those terms (the links are read only for them), or `None`.
/// A query that shows every column shows the computed ones too.
pub(crate) fn stored_only(ds: &Dataset, q: &Query, list: views::ListOf) -> Option<Vec<i64>> {
    let (kind, _) = crate::query::table::list_tables(list);
    let (name, _, _) = list.names();
    if q.among.is_some() {
        return None;
    }
    let (_, info) = stored(ds, kind);
    let stored =
        |idents: &[metasum_query::ast::Ident]| idents.iter().all(|i| info.resolve(i).is_ok());
    let mut linked_to = Vec::new();
    let condition = (q.filter.as_ref()).is_none_or(|cond| {
        filter::terms(cond).into_iter().all(|term| {
            let item = filter::has_item(term, name);
            linked_to.extend(item);
            item.is_some() || (!filter::is_long(term) && filter::condition(&info, term).is_ok())
        })
    });
    // After `count by`, `sort by` and `show` name the counts' columns.
    let shown = if q.count_by.is_empty() {
        let sorted: Vec<_> = q.sort_by.iter().map(|k| k.column.clone()).collect();
        !q.show.is_empty() && stored(&q.show) && stored(&sorted)
    } else {
        stored(&q.count_by)
    };
    // Each item is a semi-join (see [`MAX_SHORTCUT_TERMS`]).
    (condition && shown && linked_to.len() <= MAX_SHORTCUT_TERMS).then_some(linked_to)
}

/// The stored rows of the findings or studies that carry `list`, in the
/// file's order (the planner puts them in id order, as the views list
/// them), linked to every item of `linked_to`, for [`stored_only`]
/// queries: each item reads the links of that one study or finding
/// (from the cache's index while the links are not read: a `has` lookup
/// at 20M links holds one study's links), and nothing is counted.
pub(crate) fn stored_rows(
    ds: &Dataset,
    list: views::ListOf,
    linked_to: &[i64],
) -> PolarsResult<LazyFrame> {
    let (kind, _) = crate::query::table::list_tables(list);
    let mut rows = stored(ds, kind).0.clone().lazy();
    let (_, key, item) = list.names();
    for linked in linked_to {
        let keys = ds.links_of((item, key), &[*linked])?.select([col(key)]);
        rows = rows.semi_join(keys, col("id"), col(key));
    }
    Ok(rows)
}

/// The stored rows of findings or studies, and the columns a condition
/// may read from them before anything is computed.
fn stored(ds: &Dataset, kind: TableKind) -> (&DataFrame, TableInfo) {
    let (stored, computed) = match kind {
        TableKind::Findings => (&ds.findings, ReviewFile::Findings.computed()),
        _ => (&ds.studies, ReviewFile::Studies.computed()),
    };
    let mut info = TableInfo::new(kind, stored.schema());
    // A name the view resolves to a computed column (any case) stays out.
    info.columns
        .retain(|(name, _)| !computed.iter().any(|c| c.eq_ignore_ascii_case(name)));
    (stored, info)
}

/// The ids of an `among` set that stored columns alone decide (`studies
/// where quality != low`): no link needs counting. `None` when the set
/// needs more (computed columns, `limit`, `count by`, ...).
pub(crate) fn stored_set(ds: &Dataset, inner: &Query) -> Option<(TableKind, LazyFrame)> {
    let kind = match inner.source.kind {
        SourceKind::Findings => TableKind::Findings,
        SourceKind::Studies => TableKind::Studies,
        _ => return None,
    };
    if inner.among.is_some()
        || !inner.count_by.is_empty()
        || inner.limit.is_some()
        || !inner.show.is_empty()
    {
        return None;
    }
    let (stored, info) = stored(ds, kind);
    let mut rows = stored.clone().lazy();
    if let Some(cond) = &inner.filter {
        if filter::is_long(cond) {
            return None;
        }
        rows = rows.filter(filter::condition(&info, cond).ok()?);
    }
    Some((kind, rows.select([col("id")])))
}
