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

use super::{all, any, condition, conditions};
use crate::error::QueryError;
use crate::table::TableInfo;

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

/// How many comparisons `cond` holds (iteratively: a chain is long, not
/// deep).
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

/// The predicates for the top-level `and` terms `kept`: the short ones as
/// one expression (in parts when there are many), each long `or` in parts
/// of its own; applied one after the other, they keep the rows every term
/// holds for.
pub fn predicates(table: &TableInfo, kept: &[&Cond]) -> Result<Vec<Predicate>, QueryError> {
    let mut short = Vec::new();
    let mut out = Vec::new();
    for term in kept {
        match &term.kind {
            ExprKind::Or(terms) if is_long(term) => {
                let mut parts = Vec::new();
                for chunk in terms.chunks(PART) {
                    within_limit(chunk)?;
                    parts.push(any(conditions(table, chunk)?).unwrap_or(lit(false)));
                }
                out.push(Predicate::InParts { parts, any: true });
            }
            _ => {
                within_limit(std::slice::from_ref(*term))?;
                short.push(condition(table, term)?);
            }
        }
    }
    if short.len() > PART {
        let mut parts = Vec::new();
        let mut terms = short.into_iter().peekable();
        while terms.peek().is_some() {
            let chunk: Vec<Expr> = terms.by_ref().take(PART).collect();
            parts.extend(all(chunk));
        }
        out.insert(0, Predicate::InParts { parts, any: false });
    } else if let Some(whole) = all(short) {
        out.insert(0, Predicate::Whole(whole));
    }
    Ok(out)
}

/// Refuses a term holding more than [`MAX_NESTED`] comparisons.
fn within_limit(terms: &[Cond]) -> Result<(), QueryError> {
    for term in terms {
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
