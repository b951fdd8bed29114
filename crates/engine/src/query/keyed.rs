//! Text ids at the edges of a query (see [`crate::review::dataset::keys`]): a
//! condition's values on id columns become the stand-in numbers before
//! planning, and a result's id columns become the ids as written after it.
//! A review with whole-number ids passes through untouched.

use polars::prelude::*;

use metasum_query::ast::{
    CompareOp, Expr as Cond, ExprKind, Query, SetKind, SourceKind, Value, ValueKind,
};

use crate::Dataset;
use crate::error::QueryError;
use crate::query::table::{ColumnType, TableKind};
use crate::review::dataset::keys::Keys;

pub use crate::query::registry::Entity;

/// The columns of rows of `kind` that hold ids, by name (a list column
/// holds several); from [`crate::query::registry`].
pub fn id_columns(kind: TableKind) -> &'static [(&'static str, Entity)] {
    crate::query::registry::def(kind).map_or(&[], |d| d.ids)
}

impl Dataset {
    /// The label of study `id` (its id as written when it has none).
    pub fn study_label(&self, id: i64) -> String {
        self.labels()
            .get(&id)
            .cloned()
            .unwrap_or_else(|| self.keys.studies.text(id))
    }
}

impl crate::review::dataset::TableKeys {
    /// How the ids of `entity` are written.
    pub fn of(&self, entity: Entity) -> &Keys {
        match entity {
            Entity::Study => &self.studies,
            Entity::Finding => &self.findings,
            Entity::Paper => &self.papers,
        }
    }

    /// Whether any table has text ids.
    pub fn any_text(&self) -> bool {
        self.studies.is_text() || self.findings.is_text() || self.papers.is_text()
    }
}

/// `q` with every value compared with a text-id column (in it and in the
/// queries it nests) replaced by that id's stand-in number, and a note for
/// each id no row has. `kind_of` gives the rows a bound name holds.
pub fn resolve(
    ds: &Dataset,
    q: &Query,
    kind_of: &dyn Fn(&str) -> Option<TableKind>,
) -> Result<(Query, Vec<String>), QueryError> {
    let mut q = q.clone();
    let mut notes = Vec::new();
    if !ds.keys.any_text() {
        return Ok((q, notes));
    }
    if let Some(set) = &mut q.among
        && let SetKind::Query(inner) = &set.kind
    {
        let (inner, inner_notes) = resolve(ds, inner, kind_of)?;
        notes.extend(inner_notes);
        set.kind = SetKind::Query(Box::new(inner));
    }
    let Some(kind) = rows_of(&q.source.kind, kind_of) else {
        return Ok((q, notes));
    };
    if let Some(filter) = &q.filter {
        q.filter = Some(resolve_condition(ds, kind, filter, &mut notes)?);
    }
    Ok((q, notes))
}

/// The rows a query's source gives, before any `count by` (a bound name's
/// by `kind_of`); `None` for a name not bound.
pub fn rows_of(
    source: &SourceKind,
    kind_of: &dyn Fn(&str) -> Option<TableKind>,
) -> Option<TableKind> {
    Some(match source {
        // A matrix's rows are findings until they are widened.
        SourceKind::Matrix => TableKind::Findings,
        SourceKind::Name(name) => kind_of(name)?,
        table => crate::query::registry::of_source(table)?.kind,
    })
}

fn resolve_condition(
    ds: &Dataset,
    kind: TableKind,
    cond: &Cond,
    notes: &mut Vec<String>,
) -> Result<Cond, QueryError> {
    let keys_of = |column: &str| {
        id_columns(kind)
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .map(|(_, e)| ds.keys.of(*e))
            .filter(|k| k.is_text())
    };
    let kind_of_cond = match &cond.kind {
        ExprKind::Or(terms) => ExprKind::Or(resolve_all(ds, kind, terms, notes)?),
        ExprKind::And(terms) => ExprKind::And(resolve_all(ds, kind, terms, notes)?),
        ExprKind::Not(a) => ExprKind::Not(Box::new(resolve_condition(ds, kind, a, notes)?)),
        ExprKind::Compare { column, op, value } => match keys_of(&column.name) {
            Some(keys) => ExprKind::Compare {
                column: column.clone(),
                op: *op,
                value: stand_in(keys, value, *op, notes)?,
            },
            None => cond.kind.clone(),
        },
        ExprKind::In {
            column,
            values,
            negated,
        } => match keys_of(&column.name) {
            Some(keys) => ExprKind::In {
                column: column.clone(),
                values: values
                    .iter()
                    .map(|v| stand_in(keys, v, CompareOp::Eq, notes))
                    .collect::<Result<_, _>>()?,
                negated: *negated,
            },
            None => cond.kind.clone(),
        },
        ExprKind::Has { column, value } => match keys_of(&column.name) {
            Some(keys) => ExprKind::Has {
                column: column.clone(),
                value: stand_in(keys, value, CompareOp::Eq, notes)?,
            },
            None => cond.kind.clone(),
        },
        // `id ~ "smith"`: the ids that contain the text.
        ExprKind::Contains { column, pattern } => match (keys_of(&column.name), &pattern.kind) {
            (Some(Keys::Text { ids, .. }), ValueKind::Text(p)) => {
                let p = p.to_lowercase();
                // The `k`th id stands for `k`.
                let values = (1..)
                    .zip(ids)
                    .filter(|(_, id)| id.to_lowercase().contains(&p))
                    .map(|(k, _)| Value {
                        kind: ValueKind::Number(f64::from(k)),
                        span: pattern.span,
                    })
                    .collect();
                ExprKind::In {
                    column: column.clone(),
                    values,
                    negated: false,
                }
            }
            _ => cond.kind.clone(),
        },
        ExprKind::Missing { .. } => cond.kind.clone(),
    };
    Ok(Cond {
        kind: kind_of_cond,
        span: cond.span,
    })
}

fn resolve_all(
    ds: &Dataset,
    kind: TableKind,
    terms: &[Cond],
    notes: &mut Vec<String>,
) -> Result<Vec<Cond>, QueryError> {
    terms
        .iter()
        .map(|t| resolve_condition(ds, kind, t, notes))
        .collect()
}

/// The stand-in number of the text id `value` names. An id no row has
/// equals nothing (0 is no stand-in); ordering needs an id that exists.
///
/// Text names an id exactly, else in any case when only one id is spelt
/// that way. A bare number is the one id that reads as that number (`1.10`
/// is the id `1.10` when no other id, such as `1.1`, is the same number);
/// when several are, it names none of them and must be quoted.
fn stand_in(
    keys: &Keys,
    value: &Value,
    op: CompareOp,
    notes: &mut Vec<String>,
) -> Result<Value, QueryError> {
    let (Keys::Text { ids, .. }, Some(numbers)) = (keys, keys.numbers()) else {
        return Ok(value.clone());
    };
    let (written, candidates): (String, Vec<&String>) = match &value.kind {
        ValueKind::Text(t) => (t.clone(), keys.spelt(t)),
        ValueKind::Number(n) => (
            n.to_string(),
            ids.iter()
                .filter(|id| id.parse::<f64>().is_ok_and(|x| x == *n))
                .collect(),
        ),
    };
    let number = match candidates.as_slice() {
        [one] => numbers[*one],
        [] if matches!(op, CompareOp::Eq | CompareOp::NotEq) => {
            // Likely a typo: matching nothing would pass unnoticed.
            notes.push(format!("no row has the id `{written}`: it matches nothing"));
            0
        }
        [] => {
            return Err(QueryError::new(
                value.span,
                format!(
                    "no row has the id `{written}`; `<` and `>` compare ids with one that exists"
                ),
            ));
        }
        several => {
            let shown: Vec<&str> = several.iter().take(5).map(|s| s.as_str()).collect();
            return Err(QueryError::new(
                value.span,
                format!("`{written}` could be any of the ids {}", shown.join(", ")),
            )
            .hint("write the id in quotes, exactly as the dataset does".to_string()));
        }
    };
    Ok(Value {
        kind: ValueKind::Number(number as f64),
        span: value.span,
    })
}

/// Studies by label where a person reads them by name: a matrix's study
/// columns, and profile's `concern_studies`.
fn labelled(ds: &Dataset, kind: TableKind, frame: &mut DataFrame) -> PolarsResult<()> {
    let label = |id: i64| ds.study_label(id);
    match kind {
        TableKind::Matrix => {
            // The study columns are named by id (the fixed ones are not
            // numbers); all renamed at once, so that a label equal to
            // another study's number does not clash on the way.
            let names: Vec<PlSmallStr> = frame
                .get_column_names()
                .into_iter()
                .map(|c| match c.parse::<i64>() {
                    Ok(id) => label(id).into(),
                    Err(_) => c.clone(),
                })
                .collect();
            frame.set_column_names(&names)?;
        }
        TableKind::Profile => {
            if let Ok(lists) = frame.column("concern_studies") {
                let labels = as_text(lists, &label)?;
                frame.with_column(labels.into_column())?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The names and types of `columns` (of rows of `kind`) as a query's
/// result shows them: a column of text ids is text, a matrix's study
/// columns are named by label.
pub fn present_types(ds: &Dataset, kind: TableKind, columns: &mut [(String, ColumnType)]) {
    for (name, ty) in columns.iter_mut() {
        if kind == TableKind::Matrix {
            // Study columns, named by label as the rows will be.
            if let Ok(id) = name.parse::<i64>() {
                *name = ds.study_label(id);
            }
        }
        if kind == TableKind::Profile && name == "concern_studies" {
            // Shown by label.
            *ty = ColumnType::List(&ColumnType::Text);
            continue;
        }
        let text = id_columns(kind)
            .iter()
            .any(|(c, e)| c.eq_ignore_ascii_case(name) && ds.keys.of(*e).is_text());
        if text {
            *ty = match ty {
                ColumnType::List(_) => ColumnType::List(&ColumnType::Text),
                _ => ColumnType::Text,
            };
        }
    }
}

/// `frame` (rows of `kind`) with its id columns as the reviewer wrote the
/// ids, and a matrix's study columns named by them.
pub fn present(ds: &Dataset, kind: TableKind, mut frame: DataFrame) -> PolarsResult<DataFrame> {
    labelled(ds, kind, &mut frame)?;
    if !ds.keys.any_text() {
        return Ok(frame);
    }
    for (name, entity) in id_columns(kind) {
        let keys = ds.keys.of(*entity);
        if !keys.is_text() {
            continue;
        }
        let Some(found) = frame
            .get_column_names()
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .cloned()
        else {
            continue;
        };
        let column = frame.column(&found)?;
        // Lists already of labels (profile's studies) are shown as they are.
        if !holds_ids(column.dtype()) {
            continue;
        }
        let texts = as_text(column, &|id| keys.text(id))?;
        frame.with_column(texts.into_column())?;
    }
    Ok(frame)
}

/// Whether a column of this type holds ids: whole numbers, or lists of them.
fn holds_ids(dtype: &DataType) -> bool {
    match dtype {
        DataType::Int64 => true,
        DataType::List(inner) => **inner == DataType::Int64,
        _ => false,
    }
}

/// `column` (ids, or lists of ids) with each id as `text` writes it.
fn as_text(column: &Column, text: &dyn Fn(i64) -> String) -> PolarsResult<Series> {
    let name = column.name().clone();
    let ids_as_text =
        |ids: &Int64Chunked| -> StringChunked { ids.iter().map(|id| id.map(text)).collect() };
    if let DataType::List(_) = column.dtype() {
        let mut lists: Vec<Option<Series>> = Vec::with_capacity(column.len());
        for list in column.list()?.amortized_iter() {
            lists.push(match list {
                Some(ids) => Some(ids_as_text(ids.as_ref().i64()?).into_series()),
                None => None,
            });
        }
        let lists: ListChunked = lists.into_iter().collect();
        // Lists of text whatever they hold: with no rows (or only empty
        // lists) the collected type would be a list of nulls, and a
        // Parquet file's column would lose its element type.
        let lists = lists
            .into_series()
            .cast(&DataType::List(Box::new(DataType::String)))?;
        return Ok(lists.with_name(name));
    }
    Ok(ids_as_text(column.i64()?).with_name(name).into_series())
}
