//! Conditions of many terms, run a few hundred terms at a time.
//!
//! polars turns a whole condition into its own plan and optimises it at
//! once: an `or` of 95,000 comparisons (a 1 MiB statement) took 7.9 s and
//! 1.9 GB (about 20 kB a term), and 4.2 GB under `let`, and aborted under
//! a 2 GB memory limit. A long `or` (or `and`) at the top of a condition is
//! cut into parts of [`PART`] terms, each evaluated on the rows by itself
//! and the results joined ([`filter_in_parts`]), so that memory follows one
//! part; a long chain deeper down (inside `not` or parentheses) is refused
//! at its text past [`MAX_NESTED`] comparisons.

use polars::prelude::*;

use metasum_query::ast::{Expr as Cond, ExprKind};

use super::{all, any, condition};
use crate::error::QueryError;
use crate::query::table::TableInfo;

/// Terms evaluated together.
pub const PART: usize = 256;

/// The most comparisons a condition may hold below its top-level chain.
pub const MAX_NESTED: usize = 4_096;

/// A condition as polars runs it.
pub enum Predicate {
    /// One expression.
    Whole(Expr),
    /// Parts evaluated one at a time: a row is kept when `any` (or every)
    /// part holds for it.
    InParts { parts: Vec<Expr>, any: bool },
}

/// How many comparisons `cond` makes (an `in` list is one lookup),
/// counted iteratively: a chain is long, not deep.
pub fn comparisons(cond: &Cond) -> usize {
    let mut pending = vec![cond];
    let mut count = 0;
    while let Some(c) = pending.pop() {
        match &c.kind {
            ExprKind::Or(terms) | ExprKind::And(terms) => pending.extend(terms),
            ExprKind::Not(a) => pending.push(a),
            _ => count += 1,
        }
    }
    count
}

/// Whether `cond` is too long to be one polars expression: the planner's
/// shortcuts leave such terms to the main filter.
pub fn is_long(cond: &Cond) -> bool {
    comparisons(cond) > PART
}

/// The predicates for the top-level `and` terms `kept`: the short ones
/// together, each long `or` on its own, each in parts of at most [`PART`]
/// comparisons (counted, not terms: twenty terms of 4,000 comparisons each
/// are long); applied one after the other, they keep the rows every term
/// holds for.
pub fn predicates(table: &TableInfo, kept: &[&Cond]) -> Result<Vec<Predicate>, QueryError> {
    let mut short: Vec<&Cond> = Vec::new();
    let mut out = Vec::new();
    for term in kept {
        match &term.kind {
            ExprKind::Or(terms) if is_long(term) => {
                let parts = in_parts(terms.iter(), |chunk| {
                    Ok(any(each(table, chunk)?).unwrap_or(lit(false)))
                })?;
                out.push(Predicate::InParts { parts, any: true });
            }
            _ => short.push(term),
        }
    }
    let mut parts = in_parts(short.into_iter(), |chunk| {
        Ok(all(each(table, chunk)?).unwrap_or(lit(true)))
    })?;
    match parts.len() {
        0 => {}
        1 => out.insert(0, Predicate::Whole(parts.remove(0))),
        _ => out.insert(0, Predicate::InParts { parts, any: false }),
    }
    Ok(out)
}

/// `terms` cut into runs of at most [`PART`] comparisons (a term longer
/// than that a run of its own, if it is within [`MAX_NESTED`]), each made
/// one expression by `join`.
fn in_parts<'a>(
    terms: impl Iterator<Item = &'a Cond>,
    join: impl Fn(&[&Cond]) -> Result<Expr, QueryError>,
) -> Result<Vec<Expr>, QueryError> {
    let mut parts = Vec::new();
    let mut run: Vec<&Cond> = Vec::new();
    let mut size = 0;
    for term in terms {
        within_limit(term)?;
        let n = comparisons(term);
        if !run.is_empty() && size + n > PART {
            parts.push(join(&run)?);
            run.clear();
            size = 0;
        }
        run.push(term);
        size += n;
    }
    if !run.is_empty() {
        parts.push(join(&run)?);
    }
    Ok(parts)
}

/// The expressions of `terms`, in order.
fn each(table: &TableInfo, terms: &[&Cond]) -> Result<Vec<Expr>, QueryError> {
    terms.iter().map(|t| condition(table, t)).collect()
}

/// Refuses a term holding more than [`MAX_NESTED`] comparisons.
fn within_limit(term: &Cond) -> Result<(), QueryError> {
    let n = comparisons(term);
    if n > MAX_NESTED {
        return Err(QueryError::new(
            term.span,
            format!(
                "this part of the condition holds {n} comparisons; at most {MAX_NESTED} are run inside `not` or parentheses"
            ),
        )
        .hint("write the chain at the top of `where` (it is run in parts there), or compare with many values at once: `id in (1, 2, 3)`"));
    }
    Ok(())
}

/// `rows` kept where `any` (or every) part holds, each part evaluated on
/// the rows by itself.
pub fn filter_in_parts(rows: DataFrame, parts: &[Expr], any: bool) -> PolarsResult<DataFrame> {
    let mut keep = BooleanChunked::full("keep".into(), !any, rows.height());
    for part in parts {
        let holds = (rows.clone().lazy())
            .select([part.clone().alias("holds")])
            .collect()?;
        let holds = holds
            .column("holds")?
            .bool()?
            .fill_null_with_values(false)?;
        keep = if any { &keep | &holds } else { &keep & &holds };
    }
    rows.filter(&keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::table::ColumnType;
    use metasum_query::ast::StatementKind;

    /// The predicates of `findings where CONDITION`.
    fn planned(condition: &str) -> Vec<Predicate> {
        let table = TableInfo {
            kind: crate::query::table::TableKind::Findings,
            columns: vec![("id".into(), ColumnType::Number)],
        };
        let script = metasum_query::parse(&format!("findings where {condition}")).unwrap();
        let StatementKind::Query(q) = &script.statements[0].kind else {
            panic!("a query");
        };
        let cond = q.filter.as_ref().unwrap();
        predicates(&table, &super::super::terms(cond)).unwrap()
    }

    /// How many parts each predicate has (a whole one counts 1).
    fn shape(predicates: &[Predicate]) -> Vec<usize> {
        (predicates.iter())
            .map(|p| match p {
                Predicate::Whole(_) => 1,
                Predicate::InParts { parts, .. } => parts.len(),
            })
            .collect()
    }

    fn chain(n: usize, op: &str) -> String {
        vec!["id = 1"; n].join(&format!(" {op} "))
    }

    #[test]
    fn parts_hold_at_most_a_part_of_comparisons() {
        assert_eq!(shape(&planned(&chain(256, "or"))), [1]);
        assert_eq!(shape(&planned(&chain(257, "or"))), [2]);
        assert_eq!(shape(&planned(&chain(1000, "and"))), [4]);
        // Five groups of 300: five parts, each a group.
        let groups = vec![format!("({})", chain(300, "and")); 5].join(" or ");
        assert_eq!(shape(&planned(&groups)), [5]);
        let nots = vec![format!("not ({})", chain(300, "or")); 5].join(" and ");
        assert_eq!(shape(&planned(&nots)), [5]);
        // A long `or` beside short terms: the short ones whole, the `or` in
        // parts of its own.
        let mixed = format!("id > 0 and ({}) and id < 9", chain(600, "or"));
        assert_eq!(shape(&planned(&mixed)), [1, 3]);
    }
}
