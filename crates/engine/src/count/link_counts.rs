//! `n` of every finding (or study): its links to the studies (findings) in
//! scope, counted in one pass over the links when the query runs.
//!
//! Polars' `filter` then `group_by` copies the links in scope (both
//! columns) and keeps every row's index per group: at 20M links, 700 MiB
//! peak for `findings among (studies where quality != low)`. This pass
//! keeps one count per id and a mark per id in scope, whatever the number
//! of links. It gives what the group-by gives (tested against it here and,
//! through the views, against the plain plan in `crates/engine/tests/engine/queries.rs`).

use std::sync::Arc;

use polars::prelude::*;

use crate::count::scope::InScope;

/// The links per `key` (`finding` or `study`) whose `item` (the other) is
/// in `scope` (every item when `None`), as a lazy frame of `key` and `n`
/// with a row per key that has any: counted when it is collected.
pub fn counted(
    links: LazyFrame,
    key: &'static str,
    item: &'static str,
    scope: Option<InScope>,
) -> LazyFrame {
    let schema: SchemaRef = Arc::new(Schema::from_iter([
        Field::new(key.into(), DataType::Int64),
        Field::new("n".into(), DataType::Int64),
    ]));
    let output = move |_: &Schema| Ok(schema.clone());
    let scope = scope.map(|ids| Members::of(ids.ids()));
    links.map(
        move |links| count(&links, key, item, scope.as_ref()),
        // Nothing may be pushed through: the output is not the input.
        OptFlags::empty(),
        Some(Arc::new(output)),
        Some("count links"),
    )
}

/// Ids as positions of a table when they are dense enough (as numbered and
/// text ids are: 1 to the number of rows), else as a hash set.
enum Members {
    Dense(Vec<bool>),
    Sparse(PlHashSet<i64>),
}

/// Whether ids from `min` to `max`, for `count` of them (as numbered and
/// text ids are: 1 to the number of rows), are held as positions in an
/// array rather than hashed: the array is at most four times as long as
/// a list (and 16M). The profile's tally keys its findings and studies
/// by the same rule.
pub(crate) fn as_positions(min: i64, max: i64, count: usize) -> bool {
    let bound = (1i64 << 24).min(4 * count as i64 + 1024);
    min >= 0 && (0..bound).contains(&max)
}

impl Members {
    fn of(ids: &[i64]) -> Members {
        let max = ids.iter().copied().max().unwrap_or(0);
        let min = ids.iter().copied().min().unwrap_or(0);
        if as_positions(min, max, ids.len()) {
            let mut marks = vec![false; max as usize + 1];
            ids.iter().for_each(|id| marks[*id as usize] = true);
            Members::Dense(marks)
        } else {
            Members::Sparse(ids.iter().copied().collect())
        }
    }

    fn contains(&self, id: i64) -> bool {
        match self {
            Members::Dense(marks) => {
                usize::try_from(id).ok().and_then(|i| marks.get(i)) == Some(&true)
            }
            Members::Sparse(ids) => ids.contains(&id),
        }
    }
}

/// [`counted`], run on the links.
fn count(
    links: &DataFrame,
    key: &str,
    item: &str,
    scope: Option<&Members>,
) -> PolarsResult<DataFrame> {
    let keys = links.column(key)?.i64()?;
    let items = links.column(item)?.i64()?;
    let max = keys.max().unwrap_or(0);
    let counts: Vec<(i64, i64)> = if as_positions(keys.min().unwrap_or(0), max, keys.len()) {
        let mut counts = vec![0i64; max as usize + 1];
        for_each_link(keys, items, scope, |k| counts[k as usize] += 1);
        (counts.into_iter().enumerate())
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k as i64, n))
            .collect()
    } else {
        let mut counts: PlHashMap<i64, i64> = PlHashMap::default();
        for_each_link(keys, items, scope, |k| *counts.entry(k).or_insert(0) += 1);
        counts.into_iter().collect()
    };
    let (ids, ns): (Vec<i64>, Vec<i64>) = counts.into_iter().unzip();
    DataFrame::new(
        ids.len(),
        vec![
            Int64Chunked::from_vec(key.into(), ids).into_column(),
            Int64Chunked::from_vec("n".into(), ns).into_column(),
        ],
    )
}

/// Calls `tally` with the key of every link whose item is in `scope`
/// (a missing key counts for nothing, as a group-by's null group joins no
/// row; a missing item is in no scope).
fn for_each_link(
    keys: &Int64Chunked,
    items: &Int64Chunked,
    scope: Option<&Members>,
    mut tally: impl FnMut(i64),
) {
    // The links as loaded: one chunk each, no missing cell.
    if let (Ok(keys), Ok(items)) = (keys.cont_slice(), items.cont_slice()) {
        match scope {
            None => keys.iter().for_each(|k| tally(*k)),
            Some(scope) => (keys.iter().zip(items))
                .filter(|(_, item)| scope.contains(**item))
                .for_each(|(k, _)| tally(*k)),
        }
        return;
    }
    for (key, item) in keys.iter().zip(items.iter()) {
        let Some(key) = key else { continue };
        if scope.is_none_or(|s| item.is_some_and(|i| s.contains(i))) {
            tally(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What polars' filter and group-by give, sorted by key.
    fn grouped(links: &DataFrame, scope: Option<&[i64]>) -> DataFrame {
        let mut lazy = links.clone().lazy();
        if let Some(ids) = scope {
            let ids = Series::new("ids".into(), ids.to_vec());
            lazy = lazy.filter(col("study").is_in(lit(ids).implode(false), false));
        }
        (lazy.group_by([col("finding")]))
            .agg([len().cast(DataType::Int64).alias("n")])
            .filter(col("finding").is_not_null())
            .sort(["finding"], Default::default())
            .collect()
            .unwrap()
    }

    fn counted_sorted(links: &DataFrame, scope: Option<&[i64]>) -> DataFrame {
        counted(
            links.clone().lazy(),
            "finding",
            "study",
            scope.map(|ids| InScope::of_ids(ids.iter().copied())),
        )
        .sort(["finding"], Default::default())
        .collect()
        .unwrap()
    }

    #[test]
    fn counts_as_the_group_by_does_dense_sparse_and_missing() {
        let dense = df!(
            "finding" => [3i64, 1, 3, 2, 3, 1],
            "study" => [1i64, 1, 2, 2, 5, 4],
        )
        .unwrap();
        // Ids too large to be positions, and a missing cell.
        let sparse = df!(
            "finding" => [Some(1i64 << 40), Some(7), Some(1 << 40), None, Some(7)],
            "study" => [Some(1i64 << 50), Some(9), Some(9), Some(9), None],
        )
        .unwrap();
        for links in [&dense, &sparse] {
            for scope in [
                None,
                Some(&[1i64, 2][..]),
                Some(&[9, 1 << 50][..]),
                Some(&[][..]),
            ] {
                let (a, b) = (counted_sorted(links, scope), grouped(links, scope));
                assert!(a.equals(&b), "{scope:?}\n{a}\n{b}");
            }
        }
        let all = counted_sorted(&dense, None);
        let n: Vec<_> = all
            .column("n")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(n, [2, 1, 3]);
    }
}
