//! The computed columns of a metasummary, always derived from the evidence
//! links at query time: per finding `n`, `fes`, `studies`; per study `n`,
//! `intensity`, `findings`, `papers`.

use polars::prelude::*;

use crate::col;

use crate::Dataset;
use crate::count::scope::InScope;
use crate::review::dataset::files::ReviewFile;

/// Findings with `n` (supporting studies), `fes` (percent of the studies in
/// scope) and `studies` (sorted list of supporting study ids).
///
/// `study_scope` holds the ids of the studies that count (the
/// `among` set). `None` means all studies. The FES denominator is the number
/// of distinct studies in scope.
pub fn findings_view(ds: &Dataset, study_scope: Option<&InScope>) -> PolarsResult<LazyFrame> {
    view_with(
        ds,
        study_scope,
        ListOf::StudiesOfFindings,
        ViewOptions::default(),
    )
}

/// What to build of a view besides its rows and counts: with millions of
/// links, most of the work is in what a query does not need.
#[derive(Clone, Default)]
pub struct ViewOptions {
    /// Only the rows this condition on stored columns holds for. The FES of
    /// a finding depends on its own links and the study scope, never on
    /// other findings (and the intensity of a study likewise), so the links
    /// of other rows are dropped before anything is counted: a filter such
    /// as `perspective = recipient` then counts a fraction of them.
    pub keep: Option<Expr>,
    /// Only the rows linked to every one of these items (`studies has 13`
    /// keeps the findings linked to study 13 in scope), found from the
    /// links, so the list column need not be built to test them.
    pub linked_to: Vec<i64>,
    /// Leave the list column (`studies` or `findings`) out, for
    /// [`attach_lists`] to add once the rows that remain are known (after
    /// `where`, `sort by` and `limit`).
    pub lists_later: bool,
    /// Only the rows of the first ids, in id order (`findings limit 10`),
    /// among those `keep` holds for: their own links alone are read and
    /// counted. Set only when `keep` is the whole condition (`studies
    /// where year > 2010 limit 5`; the rows it keeps are then the
    /// answer's), and ignored with a scope or `linked_to` (which would
    /// pick among these rows only).
    pub first: Option<usize>,
}

/// Studies with `n` (findings they support), `intensity` (percent of the
/// findings in scope), `findings` (sorted list of finding ids) and `papers`
/// (how many papers report the study).
///
/// `finding_scope` holds the ids of the findings that count.
/// `None` means all findings.
pub fn studies_view(ds: &Dataset, finding_scope: Option<&InScope>) -> PolarsResult<LazyFrame> {
    view_with(
        ds,
        finding_scope,
        ListOf::FindingsOfStudies,
        ViewOptions::default(),
    )
}

/// The findings or studies view (the one `list` belongs to) among
/// `scope`, built as `options` say.
pub fn view_with(
    ds: &Dataset,
    scope: Option<&InScope>,
    list: ListOf,
    options: ViewOptions,
) -> PolarsResult<LazyFrame> {
    let (table, items) = match list {
        ListOf::StudiesOfFindings => (&ds.findings, ds.studies.height()),
        ListOf::FindingsOfStudies => (&ds.studies, ds.findings.height()),
    };
    let (_, key, item) = list.names();
    let first_rows;
    let (table, links, in_scope) = match first_rows_only(scope, &options) {
        // A row's counts depend on its own links only. The view lists its
        // rows in id order, which the file need not be in.
        Some(first) => {
            let kept = match &options.keep {
                Some(keep) => &table.clone().lazy().filter(keep.clone()).collect()?,
                None => table,
            };
            let sorted = kept.sort(["id"], SortMultipleOptions::default())?;
            first_rows = sorted.slice(0, first);
            let ids: Vec<i64> = first_rows.column("id")?.i64()?.iter().flatten().collect();
            (&first_rows, ds.links_of((key, item), &ids)?, items)
        }
        None => {
            let (links, in_scope) = scoped_links(ds, scope, item, items)?;
            (table, links, in_scope)
        }
    };
    let (rows, links) = restrict(table, links, list, &options);
    let counts = per_row(ds, scope, list, links, &options)?;
    let mut rows =
        (rows.left_join(counts, col("id"), col(key))).with_column(col("n").fill_null(lit(0i64)));
    if list == ListOf::FindingsOfStudies {
        let papers = (ds.papers.clone().lazy().group_by([col("study")]))
            .agg([len().cast(DataType::Int64).alias("papers")]);
        rows = (rows.left_join(papers, col("id"), col("study")))
            .with_column(col("papers").fill_null(lit(0i64)));
    }
    rows = rows.with_column(percent_of(in_scope).alias(list.follows()));
    if !options.lists_later {
        // Left out rather than stood in for when it comes later: a stand-in
        // list column of any kind makes polars set up its 8 MB zero buffer
        // (about 4 ms on the seed).
        let (name, _, _) = list.names();
        rows = rows.with_column(empty_list_for_null(name, DataType::Int64));
    }
    Ok(rows.select(column_names(ds, list, options.lists_later)?))
}

/// How many rows [`ViewOptions::first`] keeps, when it applies: not
/// among a scope, nor with `has` terms that pick rows by their links.
fn first_rows_only(scope: Option<&InScope>, options: &ViewOptions) -> Option<usize> {
    let whole = scope.is_none() && options.linked_to.is_empty();
    options.first.filter(|_| whole)
}

/// The evidence links whose `key` (`study` or `finding`) is in `scope`, and
/// how many rows the scope has (`all` without a scope): the denominator.
fn scoped_links(
    ds: &Dataset,
    scope: Option<&InScope>,
    key: &str,
    all: usize,
) -> PolarsResult<(LazyFrame, usize)> {
    let links = ds.links()?.clone().lazy();
    Ok(match scope {
        None => (links, all),
        // Measured at 20M links: a membership test is ~8% faster than a
        // semi-join here (the scope is materialised already).
        Some(scope) => (links.filter(scope.holds(key)), scope.len()),
    })
}

/// A view's list column: the studies of each finding, or the findings of
/// each study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOf {
    /// `findings.studies`.
    StudiesOfFindings,
    /// `studies.findings`.
    FindingsOfStudies,
}

impl ListOf {
    /// The column the list column follows in its view (`fes`, `intensity`).
    pub fn follows(self) -> &'static str {
        match self {
            ListOf::StudiesOfFindings => "fes",
            ListOf::FindingsOfStudies => "intensity",
        }
    }

    /// The list column's name, the link column of a row's id, and the link
    /// column the items come from.
    pub fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ListOf::StudiesOfFindings => ("studies", "finding", "study"),
            ListOf::FindingsOfStudies => ("findings", "study", "finding"),
        }
    }
}

/// `n` of each row that has links in scope, and its sorted list unless
/// it comes later: grouped from the `restricted` links, or when only `n`
/// is wanted counted in one pass over all of them ([`link_counts`]: a
/// row's count does not depend on which other rows are kept).
fn per_row(
    ds: &Dataset,
    scope: Option<&InScope>,
    list: ListOf,
    restricted: LazyFrame,
    options: &ViewOptions,
) -> PolarsResult<LazyFrame> {
    let (name, key, item) = list.names();
    if options.lists_later {
        // The first rows' links are all their counts need; otherwise one
        // pass over every link is quicker than restricting them first.
        let links = match first_rows_only(scope, options) {
            Some(_) => restricted,
            None => ds.links()?.clone().lazy(),
        };
        return Ok(crate::count::link_counts::counted(
            links,
            key,
            item,
            scope.cloned(),
        ));
    }
    // A link is listed once (the loader rejects repeats), so n is a count.
    Ok(restricted.group_by([col(key)]).agg([
        len().cast(DataType::Int64).alias("n"),
        col(item).sort(SortOptions::default()).alias(name),
    ]))
}

/// Adds the list column to `rows` (a view built with `lists_later`, then
/// filtered, sorted and cut), counting only the links of those rows, and
/// puts the columns in `order`. The scope must be the one the view was built
/// with.
pub fn attach_lists(
    ds: &Dataset,
    list: ListOf,
    scope: Option<&InScope>,
    rows: DataFrame,
    order: &[String],
) -> PolarsResult<LazyFrame> {
    let (name, key, item) = list.names();
    let links = match scope {
        // From the links cache's index when the links are not read yet.
        None => {
            let ids: Vec<i64> = rows.column("id")?.i64()?.iter().flatten().collect();
            ds.links_of((key, item), &ids)?
        }
        Some(_) => {
            let (links, _) = scoped_links(ds, scope, item, 0)?;
            let ids = lit(rows.column("id")?.as_materialized_series().clone()).implode(false);
            links.filter(col(key).is_in(ids, false))
        }
    };
    let lists = links
        .group_by([col(key)])
        .agg([col(item).sort(SortOptions::default()).alias(name)]);
    Ok(rows
        .lazy()
        .join(
            lists,
            [col("id")],
            [col(key)],
            // The rows are sorted and cut already: keep their order.
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .with_column(empty_list_for_null(name, DataType::Int64))
        .select(order.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()))
}

/// The rows of `table` that `keep` holds for, and the links whose `key`
/// (`finding` or `study`) is one of them.
fn restrict(
    table: &DataFrame,
    links: LazyFrame,
    list: ListOf,
    options: &ViewOptions,
) -> (LazyFrame, LazyFrame) {
    if options.keep.is_none() && options.linked_to.is_empty() {
        return (table.clone().lazy(), links);
    }
    let (_, key, _) = list.names();
    let mut rows = table.clone().lazy();
    if let Some(keep) = &options.keep {
        rows = rows.filter(keep.clone());
    }
    rows = linked_to_every(rows, &links, list, &options.linked_to);
    let links = links.semi_join(rows.clone().select([col("id")]), col(key), col("id"));
    (rows, links)
}

/// The `rows` (findings or studies, as `list` says) linked to every one
/// of the `items` (studies or findings) by `links`: a semi-join per item
/// on its links alone, so nothing is counted.
fn linked_to_every(
    mut rows: LazyFrame,
    links: &LazyFrame,
    list: ListOf,
    items: &[i64],
) -> LazyFrame {
    let (_, key, item) = list.names();
    for linked in items {
        let linked = (links.clone())
            .filter(col(item).eq(lit(*linked)))
            .select([col(key)]);
        rows = rows.semi_join(linked, col("id"), col(key));
    }
    rows
}

/// `100 * n / total`, or missing when nothing is in scope.
fn percent_of(total: usize) -> Expr {
    percent("n", total)
}

/// `100 * column / total`, or missing when `total` is 0.
///
/// Exact to the last bit: the product is taken in integers, so one division
/// is the only rounding. Polars turns division by a scalar into multiplication
/// by its reciprocal (900 / 22 would come out one ulp high, and a `fes >=`
/// filter at an exact boundary could miss), so the divisor is given as a
/// full column.
pub(crate) fn percent(column: &str, total: usize) -> Expr {
    if total == 0 {
        return lit(NULL).cast(DataType::Float64);
    }
    let n = col(column).cast(DataType::Float64);
    let divisor = n * lit(0.0) + lit(total as f64);
    (col(column) * lit(100i64)).cast(DataType::Float64) / divisor
}

/// `a * of_b - b * of_a` in whole numbers: the difference of the
/// percentages `100 * a / of_a` and `100 * b / of_b` is `100` times this
/// over `of_a * of_b` (see [`crate::exact`]).
pub(crate) fn difference_numerator(a: &str, of_a: usize, b: &str, of_b: usize) -> Expr {
    col(a) * lit(of_b as i64) - col(b) * lit(of_a as i64)
}

/// `100 * a / of_a - 100 * b / of_b` in percentage points, made by one
/// division of whole numbers (the difference of the two rounded
/// percentages is not the exact difference: 5.000000000000007 for a drop of
/// exactly 5), or missing when either whole is 0.
pub(crate) fn percent_difference(a: &str, of_a: usize, b: &str, of_b: usize) -> Expr {
    if of_a == 0 || of_b == 0 {
        return lit(NULL).cast(DataType::Float64);
    }
    let numerator = difference_numerator(a, of_a, b, of_b) * lit(100i64);
    // A full column as divisor, as in `percent`.
    let divisor = col(a).cast(DataType::Float64) * lit(0.0) + lit((of_a * of_b) as f64);
    numerator.cast(DataType::Float64) / divisor
}

/// A list column where rows with no links get an empty list, not a missing one.
pub(crate) fn empty_list_for_null(name: &str, item: DataType) -> Expr {
    col(name).fill_null(lit(empty_list(item))).alias(name)
}

/// The empty list of `item`s, as a value.
fn empty_list(item: DataType) -> Scalar {
    // Built from an empty vector: `Series::new_empty` makes a null array of
    // length 0, which in a fresh process sets up polars' 8 MB zero buffer.
    let empty = match item {
        DataType::Int64 => Series::new(PlSmallStr::EMPTY, Vec::<i64>::new()),
        DataType::String => Series::new(PlSmallStr::EMPTY, Vec::<String>::new()),
        _ => Series::new_empty(PlSmallStr::EMPTY, &item),
    };
    Scalar::new(DataType::List(Box::new(item)), AnyValue::List(empty))
}

/// The columns of the findings or studies view (the one `list` belongs
/// to), in order, with their types, known without building the view: the
/// planner's schema. The views select exactly these.
pub fn view_schema(ds: &Dataset, list: ListOf, lists_later: bool) -> PolarsResult<Schema> {
    let (stored, file, first) = match list {
        ListOf::StudiesOfFindings => (&ds.findings, ReviewFile::Findings, ds.meta.finding_lead()),
        ListOf::FindingsOfStudies => (&ds.studies, ReviewFile::Studies, STUDIES_FIRST.to_vec()),
    };
    let schema = stored.schema();
    let stored_type = |name: &str| {
        (schema.get(name).cloned()).ok_or_else(
            || polars_err!(ColumnNotFound: "`{name}` is not a column of the {}", file.sheet()),
        )
    };
    let mut columns = Schema::default();
    for name in &first {
        columns.insert((*name).into(), stored_type(name)?);
    }
    columns.insert("n".into(), DataType::Int64);
    columns.insert(list.follows().into(), DataType::Float64);
    if !lists_later {
        let (name, _, _) = list.names();
        columns.insert(name.into(), DataType::List(Box::new(DataType::Int64)));
    }
    if list == ListOf::FindingsOfStudies {
        columns.insert("papers".into(), DataType::Int64);
    }
    let computed = file.computed();
    for (name, dtype) in schema.iter() {
        if !first.contains(&name.as_str()) && !computed.contains(&name.as_str()) {
            columns.insert(name.clone(), dtype.clone());
        }
    }
    Ok(columns)
}

/// The stored columns the studies view puts first.
const STUDIES_FIRST: [&str; 3] = ["id", "author", "year"];

/// The columns of [`view_schema`], to select.
fn column_names(ds: &Dataset, list: ListOf, lists_later: bool) -> PolarsResult<Vec<Expr>> {
    let schema = view_schema(ds, list, lists_later)?;
    Ok(schema.iter_names().map(|c| col(c.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Dataset {
        Dataset::seed().expect("the embedded seed loads")
    }

    fn column_i64(df: &DataFrame, name: &str) -> Vec<i64> {
        df.column(name)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect()
    }

    #[test]
    fn fes_of_every_seed_finding_matches_table_2() {
        let ds = seed();
        let view = findings_view(&ds, None).unwrap().collect().unwrap();
        assert_eq!(view.height(), 24);
        let fes: Vec<f64> = view
            .column("fes")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        let reported: Vec<f64> = view
            .column("reported_fes")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        // n = 25, so every FES is a multiple of 4 and must equal the print exactly.
        assert_eq!(fes, reported);
    }

    #[test]
    fn studies_four_and_seven_have_the_highest_intensity() {
        let ds = seed();
        let view = studies_view(&ds, None)
            .unwrap()
            .sort(
                ["intensity"],
                SortMultipleOptions::default().with_order_descending(true),
            )
            .collect()
            .unwrap();
        let ids = column_i64(&view, "id");
        let n = column_i64(&view, "n");
        let mut top = ids[..2].to_vec();
        top.sort();
        assert_eq!(top, vec![4, 7]);
        assert_eq!(n[0], n[1]);
        assert!(n[1] > n[2], "the two top studies stand alone: {n:?}");
    }

    #[test]
    fn twenty_seven_papers_map_to_twenty_five_studies() {
        let ds = seed();
        assert_eq!(ds.papers.height(), 27);
        let view = studies_view(&ds, None).unwrap().collect().unwrap();
        assert_eq!(view.height(), 25);
        let papers = column_i64(&view, "papers");
        assert_eq!(papers.iter().sum::<i64>(), 27);
        let ids = column_i64(&view, "id");
        let two: Vec<i64> = ids
            .iter()
            .zip(&papers)
            .filter(|(_, p)| **p == 2)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(two, vec![12, 18]);
    }

    /// The seed's studies of adequate quality (all but 3, 7 and 9).
    fn adequate(ds: &Dataset) -> InScope {
        let adequate = ds.studies.clone().lazy();
        let adequate = adequate.filter(col("quality").neq(lit("low")));
        InScope::of_frame(&adequate.collect().unwrap()).unwrap()
    }

    fn by_id(frame: LazyFrame) -> DataFrame {
        frame.sort(["id"], Default::default()).collect().unwrap()
    }

    #[test]
    fn scope_changes_the_denominator() {
        let ds = seed();
        let low_quality_out = adequate(&ds);
        assert_eq!(low_quality_out.len(), 22);
        let view = findings_view(&ds, Some(&low_quality_out))
            .unwrap()
            .collect()
            .unwrap();
        // Finding 1 (low pay) is in 11 studies, two of them (7, 9) low quality.
        let n = column_i64(&view, "n");
        let fes = view.column("fes").unwrap().f64().unwrap().get(0).unwrap();
        assert_eq!(n[0], 9);
        assert_eq!(fes, 900.0 / 22.0, "the double nearest 9 / 22 as a percent");
    }

    #[test]
    fn restricting_first_gives_the_rows_of_the_full_view() {
        let ds = seed();
        let adequate = adequate(&ds);
        let cases: [(&str, Expr, Option<&InScope>); 3] = [
            ("findings", col("perspective").eq(lit("recipient")), None),
            (
                "findings",
                col("perspective").eq(lit("recipient")),
                Some(&adequate),
            ),
            ("studies", col("country").eq(lit("UK")), None),
        ];
        for (table, keep, scope) in cases {
            let (full, restricted) = {
                let options = ViewOptions {
                    keep: Some(keep.clone()),
                    ..Default::default()
                };
                match table {
                    "findings" => (
                        findings_view(&ds, scope).unwrap(),
                        view_with(&ds, scope, ListOf::StudiesOfFindings, options).unwrap(),
                    ),
                    _ => (
                        studies_view(&ds, scope).unwrap(),
                        view_with(&ds, scope, ListOf::FindingsOfStudies, options).unwrap(),
                    ),
                }
            };
            let (full, restricted) = (by_id(full.filter(keep)), by_id(restricted));
            assert!(full.height() > 0 && full.height() < 24, "{table}");
            assert!(restricted.equals_missing(&full), "{restricted}\n{full}");
        }
    }

    #[test]
    fn lists_attached_late_equal_lists_built_first_and_keep_the_row_order() {
        let ds = seed();
        let adequate = adequate(&ds);
        let top = |frame: LazyFrame| {
            frame
                .sort(
                    ["n", "id"],
                    SortMultipleOptions::default().with_order_descending_multi([true, false]),
                )
                .limit(5)
                .collect()
                .unwrap()
        };
        let later = || ViewOptions {
            lists_later: true,
            ..Default::default()
        };
        let cases = [
            (ListOf::StudiesOfFindings, None),
            (ListOf::StudiesOfFindings, Some(&adequate)),
            (ListOf::FindingsOfStudies, None),
        ];
        for (list, scope) in cases {
            let (first, rows) = match list {
                ListOf::StudiesOfFindings => (
                    findings_view(&ds, scope).unwrap(),
                    view_with(&ds, scope, ListOf::StudiesOfFindings, later()).unwrap(),
                ),
                ListOf::FindingsOfStudies => (
                    studies_view(&ds, scope).unwrap(),
                    view_with(&ds, scope, ListOf::FindingsOfStudies, later()).unwrap(),
                ),
            };
            let first = top(first);
            let order: Vec<String> = first
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect();
            let attached = attach_lists(&ds, list, scope, top(rows), &order).unwrap();
            let attached = attached.collect().unwrap();
            assert!(attached.equals_missing(&first), "{attached}\n{first}");
        }
    }
}
