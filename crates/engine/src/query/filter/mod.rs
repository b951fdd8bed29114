//! `where` conditions: checked against the column types, then turned into
//! polars expressions. Every comparison yields true or false, never missing:
//! a missing value equals nothing and `!=` is true for it.

mod parts;

pub use parts::{Predicate, comparisons, filter_in_parts, is_long};

use polars::prelude::*;

use crate::col;

use metasum_query::ast::{CompareOp, Expr as Cond, ExprKind, Ident, Value, ValueKind};
use metasum_query::error::excerpt;

use crate::error::QueryError;
use crate::query::table::{ColumnType, TableInfo};

/// The longest text `~` looks for (far beyond any name; 100,000 characters
/// still worked, 300,000 passed the regex size cap).
const MAX_PATTERN: usize = 10_000;

/// The polars expression for a condition over `table`.
pub fn condition(table: &TableInfo, cond: &Cond) -> Result<Expr, QueryError> {
    Ok(match &cond.kind {
        ExprKind::Or(terms) => any(conditions(table, terms)?).unwrap_or(lit(false)),
        ExprKind::And(terms) => all(conditions(table, terms)?).unwrap_or(lit(true)),
        ExprKind::Not(a) => condition(table, a)?.not(),
        ExprKind::Compare { column, op, value } => compare(table, column, *op, value)?,
        ExprKind::In {
            column,
            values,
            negated,
        } => {
            // Missing is in no set: `not in` is true for it, as `!=` is.
            let among = one_of(table, column, values)?;
            if *negated { among.not() } else { among }
        }
        ExprKind::Has { column, value } => {
            let (name, ty) = table.resolve(column)?;
            let ColumnType::List(inner) = ty else {
                return Err(QueryError::new(
                    column.span,
                    format!(
                        "`has` needs a list column, but `{name}` is {}",
                        ty.describe()
                    ),
                )
                .hint(format!("to compare `{name}` with a value, use `=`")));
            };
            let item = literal(&name, *inner, value)?;
            col(name.as_str())
                .list()
                .contains(item, false)
                .fill_null(lit(false))
        }
        ExprKind::Contains { column, pattern } => {
            let (name, ty) = table.resolve(column)?;
            if ty != ColumnType::Text {
                return Err(QueryError::new(
                    column.span,
                    format!("`~` matches text, but `{name}` is {}", ty.describe()),
                ));
            }
            let ValueKind::Text(p) = &pattern.kind else {
                return Err(QueryError::new(pattern.span, "`~` needs a quoted text"));
            };
            // polars matches through a regex, whose compiled size is capped
            // (a 1 MB text failed with "Compiled regex exceeds size limit").
            let length = p.chars().count();
            if length > MAX_PATTERN {
                return Err(QueryError::new(
                    pattern.span,
                    format!(
                        "the text after `~` is {length} characters long; at most {MAX_PATTERN} are matched"
                    ),
                ));
            }
            lower(&name)
                .str()
                .contains_literal(lit(p.to_lowercase()))
                .fill_null(lit(false))
        }
        ExprKind::Missing { column, negated } => {
            let (name, _) = table.resolve(column)?;
            if *negated {
                col(name.as_str()).is_not_null()
            } else {
                col(name.as_str()).is_null()
            }
        }
    })
}

/// The expressions of several conditions, in order.
fn conditions(table: &TableInfo, terms: &[Cond]) -> Result<Vec<Expr>, QueryError> {
    terms.iter().map(|t| condition(table, t)).collect()
}

/// Whether any of `exprs` holds (`None` for none).
fn any(exprs: Vec<Expr>) -> Option<Expr> {
    balanced(exprs, Expr::or)
}

/// Whether all of `exprs` hold (`None` for none).
///
/// Past [`MAX_SPLIT_TERMS`] terms, written `not (not a or not b or ...)`:
/// polars' predicate pushdown splits a conjunction into its terms, and its
/// cost grows faster than the square of their number (1,000 distinct terms
/// took 1.5 s and 0.5 GB, 2,000 took 8 s and 1.8 GB, 10,000 were killed at
/// 24 GB), while it leaves a negated `or` whole (10,000 terms: 1.4 s).
/// Every term is true or false, never missing, so the two forms agree.
fn all(exprs: Vec<Expr>) -> Option<Expr> {
    if exprs.len() <= MAX_SPLIT_TERMS {
        return balanced(exprs, Expr::and);
    }
    any(exprs.into_iter().map(Expr::not).collect()).map(Expr::not)
}

/// The longest conjunction handed to polars as one (see [`all`]).
const MAX_SPLIT_TERMS: usize = 32;

/// `exprs` joined by `join` as a balanced tree: 10,000 terms nest 14 deep,
/// not 10,000 (polars walks expressions recursively, and a chain as deep as
/// it is long overflowed the stack); `None` for no terms.
fn balanced(mut exprs: Vec<Expr>, join: fn(Expr, Expr) -> Expr) -> Option<Expr> {
    while exprs.len() > 1 {
        let mut pairs = Vec::with_capacity(exprs.len().div_ceil(2));
        let mut items = exprs.into_iter();
        while let Some(a) = items.next() {
            pairs.push(match items.next() {
                Some(b) => join(a, b),
                None => a,
            });
        }
        exprs = pairs;
    }
    exprs.pop()
}

/// `column in (v1, v2, ...)`: one set lookup per row (`is_in`), linear in
/// the list, instead of an `or` of comparisons (1,000 values took 9.7 s
/// and 1.45 GB that way).
fn one_of(table: &TableInfo, column: &Ident, values: &[Value]) -> Result<Expr, QueryError> {
    let (name, ty) = table.resolve(column)?;
    // Every value is checked as a comparison would check it (a text among
    // numbers is a type error at its span).
    for v in values {
        if matches!(ty, ColumnType::Number | ColumnType::Text) {
            let _ = literal(&name, ty, v)?;
        }
    }
    let set = match ty {
        ColumnType::Number => {
            let numbers: Vec<f64> = values
                .iter()
                .filter_map(|v| match v.kind {
                    ValueKind::Number(n) => Some(n),
                    ValueKind::Text(_) => None,
                })
                .collect();
            let set = Series::new(PlSmallStr::EMPTY, numbers);
            return Ok(col(name.as_str())
                .cast(DataType::Float64)
                .is_in(lit(set).implode(false), false)
                .fill_null(lit(false)));
        }
        ColumnType::Text => {
            let texts: Vec<String> = values
                .iter()
                .filter_map(|v| match &v.kind {
                    ValueKind::Text(t) => Some(t.to_lowercase()),
                    ValueKind::Number(_) => None,
                })
                .collect();
            Series::new(PlSmallStr::EMPTY, texts)
        }
        // Lists and booleans: the comparison gives the error, or (true,
        // false) is at most two terms.
        _ => {
            let terms = values
                .iter()
                .map(|v| compare(table, column, CompareOp::Eq, v))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(any(terms).unwrap_or(lit(false)));
        }
    };
    Ok(lower(&name)
        .is_in(lit(set).implode(false), false)
        .fill_null(lit(false)))
}

/// The part of `cond` that `table` alone decides: its top-level `and`
/// terms whose columns `table` has (and whose types check), joined by `and`.
/// `None` when no term qualifies.
///
/// Used to filter a table before its computed columns are counted; the
/// whole condition still runs afterwards, so this never changes a result.
pub fn decided_by(table: &TableInfo, cond: &Cond) -> Option<Expr> {
    let decided = terms(cond)
        .into_iter()
        .filter(|term| !is_long(term))
        .filter_map(|term| condition(table, term).ok())
        .collect();
    all(decided)
}

/// Whether [`decided_by`] `table` is the whole of `cond`: every top-level
/// `and` term is one it takes.
pub fn wholly_decided_by(table: &TableInfo, cond: &Cond) -> bool {
    (terms(cond).into_iter()).all(|term| !is_long(term) && condition(table, term).is_ok())
}

/// `cond` as polars runs it, without the top-level `and` terms `skip`
/// picks (terms already applied another way, each a single comparison);
/// nothing when none is left. Every term is still checked, so errors are
/// the same either way.
pub fn condition_without(
    table: &TableInfo,
    cond: &Cond,
    skip: impl Fn(&Cond) -> bool,
) -> Result<Vec<Predicate>, QueryError> {
    let mut kept = Vec::new();
    for term in terms(cond) {
        if skip(term) {
            let _checked = condition(table, term)?;
        } else {
            kept.push(term);
        }
    }
    parts::predicates(table, &kept)
}

/// Refuses a percentage compared with a number of more than `allowed`
/// decimals: past them two different values could be one double, and the
/// answer a guess (see [`crate::exact`]). Every comparison of `cond`,
/// however deep, is looked at.
pub fn check_decimals(table: &TableInfo, cond: &Cond, allowed: u32) -> Result<(), QueryError> {
    for (column, values, _) in compared(cond) {
        let Ok((name, _)) = table.resolve(column) else {
            continue;
        };
        if !crate::exact::PERCENT_COLUMNS.contains(&name.as_str()) {
            continue;
        }
        for value in values {
            let ValueKind::Number(n) = value.kind else {
                continue;
            };
            let written = crate::exact::decimals(n);
            if written > allowed {
                return Err(QueryError::new(
                    value.span,
                    format!(
                        "`{name}` is compared with {written} decimals; in a review of this size percentages are told apart exactly to {allowed}"
                    ),
                )
                .hint(format!("round `{}` to {allowed} decimals", shown(value))));
            }
        }
    }
    Ok(())
}

/// Every comparison of `cond` with values, however deep: its column, its
/// values, and whether it asks for equality (`=`, `!=`, `in`).
fn compared(cond: &Cond) -> Vec<(&Ident, &[Value], bool)> {
    let mut found = Vec::new();
    let mut pending = vec![cond];
    while let Some(c) = pending.pop() {
        match &c.kind {
            ExprKind::Or(terms) | ExprKind::And(terms) => pending.extend(terms),
            ExprKind::Not(a) => pending.push(a),
            ExprKind::Compare { column, value, op } => {
                let equality = matches!(op, CompareOp::Eq | CompareOp::NotEq);
                found.push((column, std::slice::from_ref(value), equality));
            }
            ExprKind::In { column, values, .. } => found.push((column, values.as_slice(), true)),
            _ => {}
        }
    }
    found
}

/// Refuses a value compared for equality with a column whose codes the
/// dataset declares (`codes_of` the column's name), when it is none of
/// them in any case: `quality = serious` where `serious concerns` is the
/// code would match nothing, silently.
pub fn check_codes<'a>(
    table: &TableInfo,
    cond: &Cond,
    codes_of: impl Fn(&str) -> Option<Vec<&'a str>>,
) -> Result<(), QueryError> {
    for (column, values, equality) in compared(cond) {
        let Ok((name, _)) = table.resolve(column) else {
            continue;
        };
        let Some(codes) = codes_of(&name).filter(|_| equality) else {
            continue;
        };
        for value in values {
            let text = match &value.kind {
                ValueKind::Text(text) => text.clone(),
                ValueKind::Number(n) if n.fract() == 0.0 => format!("{n}"),
                ValueKind::Number(_) => continue,
            };
            // Text is compared in any case (see LANGUAGE.md).
            if codes
                .iter()
                .any(|c| c.to_lowercase() == text.to_lowercase())
            {
                continue;
            }
            let listed: Vec<String> = codes.iter().map(|c| value_text(c)).collect();
            let mut err = QueryError::new(
                value.span,
                format!("`{}` is not a code of `{name}`", excerpt(&text)),
            )
            .hint(format!("dataset.toml declares: {}", listed.join(", ")));
            if let Some(best) = nearest_code(&text, &codes) {
                err = err.hint(format!("did you mean {}?", value_text(best)));
            }
            return Err(err);
        }
    }
    Ok(())
}

/// The code a value most likely meant: the one it begins or is a word of
/// (`serious` for `serious concerns`), else the nearest in spelling.
fn nearest_code<'a>(value: &str, codes: &[&'a str]) -> Option<&'a str> {
    let value = value.to_lowercase();
    let holding: Vec<&str> = (codes.iter().copied())
        .filter(|c| c.to_lowercase().split(' ').any(|word| word == value))
        .collect();
    match holding.as_slice() {
        [one] => Some(one),
        _ => crate::query::table::did_you_mean(&value, codes),
    }
}

/// A code as a query writes it: a bare word, or quoted when it has spaces
/// or other characters a word cannot hold.
fn value_text(code: &str) -> String {
    // A code written as a number is quoted: bare, it would be a number.
    let word = code.starts_with(|c: char| c.is_alphabetic())
        && code
            .chars()
            .all(|c| c.is_alphanumeric() || "_.".contains(c));
    if word {
        format!("`{code}`")
    } else {
        format!("`\"{code}\"`")
    }
}

/// The item of a `LIST has ITEM` term on the list column `list`, when the
/// item is a whole number (a study or finding id).
pub fn has_item(term: &Cond, list: &str) -> Option<i64> {
    match &term.kind {
        ExprKind::Has { column, value } if column.name.eq_ignore_ascii_case(list) => {
            match value.kind {
                ValueKind::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Some(n as i64),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The top-level `and` terms of a condition.
pub fn terms(cond: &Cond) -> Vec<&Cond> {
    let mut found = Vec::new();
    and_terms(cond, &mut found);
    found
}

/// Every column a condition names, in order.
pub fn columns(cond: &Cond) -> impl Iterator<Item = &Ident> {
    let mut found = Vec::new();
    collect_columns(cond, &mut found);
    found.into_iter()
}

fn collect_columns<'a>(cond: &'a Cond, found: &mut Vec<&'a Ident>) {
    match &cond.kind {
        ExprKind::Or(terms) | ExprKind::And(terms) => {
            for term in terms {
                collect_columns(term, found);
            }
        }
        ExprKind::Not(a) => collect_columns(a, found),
        ExprKind::Compare { column, .. }
        | ExprKind::In { column, .. }
        | ExprKind::Has { column, .. }
        | ExprKind::Contains { column, .. }
        | ExprKind::Missing { column, .. } => found.push(column),
    }
}

fn and_terms<'a>(cond: &'a Cond, terms: &mut Vec<&'a Cond>) {
    match &cond.kind {
        ExprKind::And(chain) => {
            for term in chain {
                and_terms(term, terms);
            }
        }
        _ => terms.push(cond),
    }
}

/// A value as a message shows it (shortened, invisible characters named).
fn shown(value: &Value) -> String {
    excerpt(&value.to_string())
}

fn lower(name: &str) -> Expr {
    col(name).str().to_lowercase()
}

/// A value as a literal of the column's type, or a type error naming both.
fn literal(name: &str, ty: ColumnType, value: &Value) -> Result<Expr, QueryError> {
    match (ty, &value.kind) {
        // Whole numbers stay integers, so they match integer lists exactly.
        (ColumnType::Number, ValueKind::Number(n)) if n.fract() == 0.0 && n.abs() < 9e15 => {
            Ok(lit(*n as i64))
        }
        (ColumnType::Number, ValueKind::Number(n)) => Ok(lit(*n)),
        (ColumnType::Text, ValueKind::Text(t)) => Ok(lit(t.to_lowercase())),
        // `perspective > 3` compared text with text and kept every row.
        (ColumnType::Text, ValueKind::Number(_)) => Err(QueryError::new(
            value.span,
            format!("`{name}` is text, `{value}` is a number"),
        )
        .hint(format!(
            "to compare with the text `{value}`, quote it: \"{value}\""
        ))),
        (ColumnType::Bool, ValueKind::Text(t)) => {
            match crate::review::dataset::csvfile::parse_bool(t) {
                Some(b) => Ok(lit(b)),
                None => Err(QueryError::new(
                    value.span,
                    format!("`{name}` is true or false, `{}` is neither", excerpt(t)),
                )),
            }
        }
        (ColumnType::Number, ValueKind::Text(t)) => Err(QueryError::new(
            value.span,
            format!("`{name}` is a number, `{}` is text", excerpt(t)),
        )),
        (ty, _) => Err(QueryError::new(
            value.span,
            format!("`{name}` is {}, `{}` is not", ty.describe(), shown(value)),
        )),
    }
}

fn compare(
    table: &TableInfo,
    column: &Ident,
    op: CompareOp,
    value: &Value,
) -> Result<Expr, QueryError> {
    let (name, ty) = table.resolve(column)?;
    if let ColumnType::List(_) = ty {
        return Err(QueryError::new(
            column.span,
            format!("`{name}` is a list; compare its items with `has`"),
        )
        .hint(format!("e.g. `{name} has {}`", shown(value))));
    }
    if ty == ColumnType::Bool && !matches!(op, CompareOp::Eq | CompareOp::NotEq) {
        return Err(QueryError::new(
            column.span,
            format!("`{name}` is true or false; compare it with `=` or `!=`"),
        ));
    }
    // CERQual levels compare by rank (`confidence > low`), in whatever
    // words the query writes them.
    let (left, right) = match crate::query::table::levels(table.kind, &name) {
        Some(levels) => {
            let written = match &value.kind {
                ValueKind::Text(t) => t.clone(),
                ValueKind::Number(_) => value.to_string(),
            };
            let rank = crate::analyses::cerqual::rank_of(&levels, &written).ok_or_else(|| {
                QueryError::new(
                    value.span,
                    format!(
                        "`{name}` is a CERQual level, and `{}` is none",
                        shown(value)
                    ),
                )
                .hint(format!("the levels, least first: {}", levels.join(", ")))
            })?;
            (
                crate::analyses::cerqual::rank(&name, &levels),
                lit(rank as i64),
            )
        }
        None => (text_or_column(&name, ty), literal(&name, ty, value)?),
    };
    Ok(match op {
        CompareOp::Eq => left.eq(right).fill_null(lit(false)),
        CompareOp::NotEq => left.neq(right).fill_null(lit(true)),
        CompareOp::Lt => left.lt(right).fill_null(lit(false)),
        CompareOp::LtEq => left.lt_eq(right).fill_null(lit(false)),
        CompareOp::Gt => left.gt(right).fill_null(lit(false)),
        CompareOp::GtEq => left.gt_eq(right).fill_null(lit(false)),
    })
}

/// A column as comparisons read it: text in lower case.
fn text_or_column(name: &str, ty: ColumnType) -> Expr {
    if ty == ColumnType::Text {
        lower(name)
    } else {
        col(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings_info() -> TableInfo {
        TableInfo {
            kind: crate::query::table::TableKind::Findings,
            columns: vec![
                ("id".into(), ColumnType::Number),
                ("perspective".into(), ColumnType::Text),
                ("name".into(), ColumnType::Text),
            ],
        }
    }

    fn decided(query: &str) -> Option<String> {
        let statements = metasum_query::parse(query).unwrap();
        let metasum_query::ast::StatementKind::Query(q) = &statements.statements[0].kind else {
            panic!("not a query: {query}")
        };
        decided_by(&findings_info(), q.filter.as_ref().unwrap()).map(|e| format!("{e:?}"))
    }

    /// Codes as a query must write them: a code written as a number is
    /// quoted (bare, `6` is a number), a word is not.
    #[test]
    fn codes_are_shown_as_a_query_writes_them() {
        assert_eq!(value_text("low"), "`low`");
        assert_eq!(value_text("T1.2"), "`T1.2`");
        assert_eq!(value_text("6"), "`\"6\"`");
        assert_eq!(value_text("serious concerns"), "`\"serious concerns\"`");
    }

    #[test]
    fn only_and_terms_on_known_columns_are_decided_early() {
        let both = decided("findings where perspective = recipient and fes > 30").unwrap();
        assert!(
            both.contains("recipient") && !both.contains("fes"),
            "{both}"
        );
        let two = decided("findings where fes > 30 and id < 5 and name ~ \"peer\"").unwrap();
        assert!(two.contains("id") && two.contains("peer") && !two.contains("fes"));
        // An `or` with a computed column cannot be split.
        assert_eq!(
            decided("findings where perspective = recipient or fes > 30"),
            None
        );
        assert_eq!(decided("findings where fes > 30"), None);
        // A term that does not type-check is left for the full check to report.
        assert_eq!(decided("findings where id = recipient"), None);
    }

    #[test]
    fn has_terms_on_the_list_with_a_whole_number_are_answered_from_links() {
        let item = |query: &str| {
            let script = metasum_query::parse(query).unwrap();
            let metasum_query::ast::StatementKind::Query(q) = &script.statements[0].kind else {
                panic!("not a query: {query}")
            };
            terms(q.filter.as_ref().unwrap())
                .iter()
                .map(|t| has_item(t, "studies"))
                .collect::<Vec<_>>()
        };
        assert_eq!(item("findings where studies has 13"), [Some(13)]);
        assert_eq!(
            item("findings where STUDIES has 4 and n > 2"),
            [Some(4), None]
        );
        assert_eq!(item("findings where studies has 13.5"), [None]);
        assert_eq!(
            item("findings where studies has 1 or studies has 2"),
            [None]
        );
    }
}
