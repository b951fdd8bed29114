//! The rows an `among` set lets count: one form, sorted distinct ids, from
//! the moment the set is run to the counting (the denominator, the links'
//! membership test, the matrix's columns, the studies left without
//! concerns all read it).

use std::sync::Arc;

use polars::prelude::*;

use crate::col;

/// The ids of an `among` set: sorted, each once. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InScope {
    ids: Arc<[i64]>,
}

impl InScope {
    /// The ids of `frame`'s `id` column (missing ids are no row's). Ids
    /// are whole numbers inside the engine (text ids have numbers standing
    /// in); an id that is not one is an error, never left out.
    pub fn of_frame(frame: &DataFrame) -> PolarsResult<InScope> {
        let ids = frame.column("id")?.strict_cast(&DataType::Int64)?;
        Ok(InScope::of_ids(ids.i64()?.iter().flatten()))
    }

    /// The scope of these ids, in any order, repeats allowed.
    pub fn of_ids(ids: impl IntoIterator<Item = i64>) -> InScope {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        InScope { ids: ids.into() }
    }

    /// How many rows are in scope: the denominator of FES or intensity.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The ids, sorted.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// Whether `id` is in scope.
    pub fn contains(&self, id: i64) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// The condition that `column` holds an id in scope.
    pub(crate) fn holds(&self, column: &str) -> Expr {
        let ids = Series::new("id".into(), &*self.ids);
        col(column).is_in(lit(ids).implode(false), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_once_and_missing_ids_are_none() {
        let frame = df!("id" => [Some(7i64), None, Some(3), Some(7)]).unwrap();
        let scope = InScope::of_frame(&frame).unwrap();
        assert_eq!(scope.ids(), &[3, 7]);
        assert_eq!(scope.len(), 2);
        assert!(scope.contains(7) && !scope.contains(5));
    }

    #[test]
    fn holds_keeps_the_rows_in_scope() {
        let links = df!("study" => [1i64, 2, 3, 2]).unwrap();
        let scope = InScope::of_ids([2, 3]);
        let kept = links.lazy().filter(scope.holds("study")).collect().unwrap();
        let kept: Vec<_> = kept
            .column("study")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(kept, [Some(2), Some(3), Some(2)]);
    }
}
