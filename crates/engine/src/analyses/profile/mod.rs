//! The evidence profile of each finding (GRADE-CERQual support): how many
//! studies and participants it rests on, from which countries, how much of
//! it comes from studies of low appraised quality, and what its FES is
//! without them. It informs a confidence rating; it never assigns one.

use polars::prelude::*;

use crate::col;

use crate::Dataset;
use crate::count::scope::InScope;
use crate::count::views::{
    self, ViewOptions, difference_numerator, empty_list_for_null, percent, percent_difference,
};
use crate::exact::Points;

/// Default for `--threshold`: a drop of more than this many percentage
/// points when the studies of quality concern are left out flags the
/// finding.
pub const DEFAULT_THRESHOLD: Points = Points::whole(5);

pub use crate::review::dataset::files::CONCERN_COLUMNS;

/// Findings with `n`, `fes`, summed participants, `countries`, the studies
/// whose quality code is a declared concern (`concern_n`, `concern_share`,
/// `concern_studies`), `fes_without_concerns` (FES among the others),
/// `drop` (fes - fes_without_concerns, in percentage points) and `flag`
/// (drop > threshold; missing when there is nothing to compare with).
///
/// When the dataset declares no concern (see [`quality_note`]), the
/// concern columns are missing rather than zeros: "no study of concern"
/// would be a claim the data does not make.
///
/// `study_scope` (the ids of an `among` set) restricts the studies.
pub fn profile_view(
    ds: &Dataset,
    study_scope: Option<&InScope>,
    threshold: Points,
) -> PolarsResult<LazyFrame> {
    let shape = Shape::of(ds);
    let order: Vec<Expr> = (shape.columns(ds)?.iter_names())
        .map(|c| col(c.clone()))
        .collect();
    let without = if shape.declared {
        studies_without_concerns(ds, study_scope)?
    } else {
        0
    };
    let in_scope = match study_scope {
        Some(scope) => scope.len(),
        None => ds.studies.height(),
    };
    let per_finding = per_finding(ds, study_attributes(ds, study_scope, &shape), &shape)?;
    let findings = views::view_with(
        ds,
        study_scope,
        views::ListOf::StudiesOfFindings,
        ViewOptions {
            lists_later: true,
            ..Default::default()
        },
    )?;
    // Only the columns the profile shows: a stored findings column named
    // like one counted here (`concern_n`, `workers`) would otherwise win the
    // join and replace the figure.
    let lead: Vec<Expr> = ds.meta.matrix_lead().into_iter().map(col).collect();
    Ok(findings
        .select(lead)
        .left_join(per_finding, col("id"), col("finding"))
        .with_columns(shape.fills())
        .with_column(percent("n_without", without).alias("fes_without_concerns"))
        .with_columns([
            // Share of the finding's studies that are of concern.
            when(col("n").gt(lit(0)))
                .then(
                    (col("concern_n") * lit(100i64)).cast(DataType::Float64)
                        / col("n").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("concern_share"),
            percent_difference("n", in_scope, "n_without", without).alias("drop"),
        ])
        // Missing, not false, when there is no FES without the studies of
        // concern to compare with (every study in scope is of concern, or
        // no concern is declared): "does not drop" would be a claim the
        // data cannot make.
        .with_column(flag(in_scope, without, threshold).alias("flag"))
        .sort(["id"], SortMultipleOptions::default())
        .select(order))
}

/// The columns of [`profile_view`], in order, with their types, known
/// without building it: the planner's schema.
pub fn profile_schema(ds: &Dataset) -> PolarsResult<Schema> {
    Shape::of(ds).columns(ds)
}

/// Whether the drop passes `threshold`, decided in whole numbers: the
/// drop is `100 * d / (in_scope * without)` for the whole number `d` of
/// [`difference_numerator`], so it passes `units / scale` exactly when
/// `100 * d * scale > units * in_scope * without` (at most 10^18 with a
/// million studies and four decimals: inside an `i64`).
fn flag(in_scope: usize, without: usize, threshold: Points) -> Expr {
    if in_scope == 0 || without == 0 {
        return lit(NULL).cast(DataType::Boolean);
    }
    let (units, scale) = threshold.terms();
    let left = difference_numerator("n", in_scope, "n_without", without) * lit(100 * scale);
    let right = units * (in_scope * without) as i64;
    // Missing where the counts are (no concern declared).
    left.gt(lit(right))
}

/// Which of the columns a profile can show this dataset's studies allow.
struct Shape {
    /// The participant groups (`dataset.toml`) the studies have.
    participants: Vec<String>,
    /// The studies have a `country`.
    country: bool,
    /// The studies have a `quality` and dataset.toml declares concerns.
    declared: bool,
}

impl Shape {
    fn of(ds: &Dataset) -> Shape {
        let names = ds.studies.get_column_names();
        let has = |c: &str| names.iter().any(|n| n.as_str() == c);
        Shape {
            participants: (ds.meta.participant_groups().into_iter())
                .filter(|c| has(c))
                .map(str::to_string)
                .collect(),
            country: has("country"),
            declared: has("quality") && !ds.meta.quality_concerns.is_empty(),
        }
    }

    /// The profile's columns, in order, with their types.
    fn columns(&self, ds: &Dataset) -> PolarsResult<Schema> {
        let findings = views::view_schema(ds, views::ListOf::StudiesOfFindings, true)?;
        let mut columns: Schema = (findings.iter())
            .filter(|(name, _)| ds.meta.matrix_lead().contains(&name.as_str()))
            .map(|(name, dtype)| Field::new(name.clone(), dtype.clone()))
            .collect();
        let list_of = |item: DataType| DataType::List(Box::new(item));
        for c in &self.participants {
            columns.insert(c.as_str().into(), DataType::Int64);
        }
        if self.country {
            let country = ds.studies.schema().get("country").cloned();
            columns.insert(
                "countries".into(),
                list_of(country.unwrap_or(DataType::String)),
            );
        }
        for name in CONCERN_COLUMNS {
            let dtype = match name {
                "concern_n" => DataType::Int64,
                "concern_studies" => list_of(DataType::Int64),
                "flag" => DataType::Boolean,
                // concern_share, fes_without_concerns, drop: percentages.
                _ => DataType::Float64,
            };
            columns.insert(name.into(), dtype);
        }
        Ok(columns)
    }

    /// What a finding with no link among the studies gets: zeros and empty
    /// lists, or missing concern columns when no concern is declared.
    fn fills(&self) -> Vec<Expr> {
        let mut fill = if self.declared {
            vec![
                col("concern_n").fill_null(lit(0i64)),
                col("n_without").fill_null(lit(0i64)),
                empty_list_for_null("concern_studies", DataType::Int64),
            ]
        } else {
            vec![
                lit(NULL).cast(DataType::Int64).alias("concern_n"),
                lit(NULL).cast(DataType::Int64).alias("n_without"),
                lit(NULL)
                    .cast(DataType::List(Box::new(DataType::Int64)))
                    .alias("concern_studies"),
            ]
        };
        if self.country {
            fill.push(empty_list_for_null("countries", DataType::String));
        }
        fill
    }
}

/// The studies in scope with what a profile counts of them: `id`,
/// `concern` (missing when no concern is declared), participant counts,
/// `country`.
fn study_attributes(ds: &Dataset, scope: Option<&InScope>, shape: &Shape) -> LazyFrame {
    let mut studies = ds.studies.clone().lazy();
    if let Some(scope) = scope {
        studies = studies.filter(scope.holds("id"));
    }
    let is_concern = if shape.declared {
        let codes = Series::new("concerns".into(), ds.meta.quality_concerns.clone());
        col("quality")
            .is_in(lit(codes).implode(false), false)
            .fill_null(lit(false))
    } else {
        // Unknown, not false: without declared concerns every concern
        // column comes out missing.
        lit(NULL).cast(DataType::Boolean)
    };
    let mut attributes = vec![col("id"), is_concern.alias("concern")];
    attributes.extend(shape.participants.iter().map(|c| col(c.as_str())));
    if shape.country {
        attributes.push(col("country"));
    }
    studies.select(attributes)
}

/// Per finding, over its links to `studies`: the studies of concern
/// (`concern_n`, `concern_studies`), the others (`n_without`), summed
/// participants and `countries`; counted in one pass over the links
/// ([`tally`]).
fn per_finding(ds: &Dataset, studies: LazyFrame, shape: &Shape) -> PolarsResult<LazyFrame> {
    let studies = studies.collect()?;
    let counted = tally::tally(ds.links()?, &studies, &shape.participants, shape.country)?;
    Ok(counted.lazy())
}

/// How many studies in `scope` (all without one) are not of declared
/// concern (a study with no quality code is not): the denominator of
/// `fes_without_concerns`. Counted from the stored column, without a
/// query (the profile's counts per finding are tallied when its frame is
/// built, at run time; planning reads only [`profile_schema`]).
pub(crate) fn studies_without_concerns(
    ds: &Dataset,
    scope: Option<&InScope>,
) -> PolarsResult<usize> {
    let ids = ds.studies.column("id")?.cast(&DataType::Int64)?;
    let quality = ds.studies.column("quality")?.cast(&DataType::String)?;
    let concerns = &ds.meta.quality_concerns;
    let count = (ids.i64()?.iter())
        .zip(quality.str()?.iter())
        .filter(|(id, _)| match (scope, id) {
            (Some(scope), Some(id)) => scope.contains(*id),
            (Some(_), None) => false,
            (None, _) => true,
        })
        .filter(|(_, q)| !q.is_some_and(|q| concerns.iter().any(|c| c == q)))
        .count();
    Ok(count)
}

/// Why `profile` cannot leave any study out, when it cannot: the studies
/// have no `quality` column, or `dataset.toml` declares no code a concern.
/// `None` when concerns are declared.
pub fn quality_note(ds: &Dataset) -> Option<String> {
    let has_quality = ds
        .studies
        .get_column_names()
        .iter()
        .any(|c| c.as_str() == "quality");
    // Each code as dataset.toml would write it: "serious concerns" has a
    // space in it.
    let codes: Vec<String> = (ds.meta.quality.iter())
        .map(|(k, _)| format!("\"{k}\""))
        .collect();
    if !has_quality {
        Some(
            "studies have no `quality` column, so no study can be left out: \
             the concern columns of profile are empty"
                .into(),
        )
    } else if ds.meta.quality_concerns.is_empty() {
        let how = if codes.is_empty() {
            "define the codes in a [quality] table and name the concerns in \
             `quality_concerns`"
                .to_string()
        } else {
            format!(
                "name them in `quality_concerns` (codes: {})",
                codes.join(", ")
            )
        };
        Some(format!(
            "dataset.toml declares no quality code a concern, so no study is \
             left out and the concern columns of profile are empty; {how}"
        ))
    } else {
        None
    }
}

mod tally;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_profile_of_low_pay() {
        let ds = Dataset::seed().unwrap();
        let df = profile_view(&ds, None, DEFAULT_THRESHOLD)
            .unwrap()
            .collect()
            .unwrap();
        let row = |c: &str| df.column(c).unwrap().get(0).unwrap().into_static();
        // Finding 1 (low pay): studies 4,7,9,10,13,15,16,19,20,21,25; 7 and 9 are low.
        assert_eq!(row("n"), AnyValue::Int64(11));
        assert_eq!(row("concern_n"), AnyValue::Int64(2));
        // Only study 4 (of the 11) has participant counts: 59 workers.
        assert_eq!(row("workers"), AnyValue::Int64(59));
        assert_eq!(row("fes_without_concerns"), AnyValue::Float64(900.0 / 22.0));
        // 44 - 40.909...: 100 * (11 * 22 - 9 * 25) / (25 * 22), divided once.
        assert_eq!(row("drop"), AnyValue::Float64(1700.0 / 550.0));
        assert_eq!(row("flag"), AnyValue::Boolean(false));
        // Finding 8 (social network) has no study with counts: unknown, not 0.
        assert_eq!(
            df.column("workers").unwrap().get(7).unwrap(),
            AnyValue::Null
        );
    }

    /// A review of three studies (1 and 2 of finding 1, 3 of finding 2),
    /// with `toml` as its dataset.toml, profiled: each column as text.
    fn profile_of_three(toml: &str, quality: [&str; 3]) -> (Dataset, DataFrame) {
        let files: std::collections::BTreeMap<String, Vec<u8>> = [
            (
                "studies.csv",
                format!(
                    "id,author,year,country,quality\n1,Ames,2001,UK,{}\n\
                     2,Bell,2003,USA,{}\n3,Cole,2005,UK,{}\n",
                    quality[0], quality[1], quality[2]
                ),
            ),
            (
                "findings.csv",
                "id,perspective,name\n1,worker,Low pay\n2,recipient,Role models\n".into(),
            ),
            ("evidence.csv", "finding,study\n1,1\n1,2\n2,3\n".into()),
            ("dataset.toml", toml.into()),
        ]
        .map(|(name, text)| (name.to_string(), text.into_bytes()))
        .into();
        let ds = Dataset::from_files(&files, "test").unwrap();
        let df = profile_view(&ds, None, DEFAULT_THRESHOLD)
            .unwrap()
            .collect()
            .unwrap();
        (ds, df)
    }

    fn text_column(df: &DataFrame, c: &str) -> Vec<String> {
        let s = df.column(c).unwrap().cast(&DataType::String).unwrap();
        let s = s.str().unwrap();
        s.iter().map(|v| v.unwrap_or("-").to_string()).collect()
    }

    const CERQUAL: &str = "quality_concerns = [\"moderate concerns\", \"serious concerns\"]\n\
        [quality]\n\"no concerns\" = \"\"\n\"minor concerns\" = \"\"\n\
        \"moderate concerns\" = \"\"\n\"serious concerns\" = \"\"\n";

    #[test]
    fn declared_concerns_are_left_out_whatever_their_codes() {
        let (ds, df) = profile_of_three(
            CERQUAL,
            ["serious concerns", "minor concerns", "moderate concerns"],
        );
        assert_eq!(quality_note(&ds), None);
        // Studies 1 and 3 are of concern; study 2 alone remains.
        assert_eq!(text_column(&df, "concern_n"), ["1", "1"]);
        let studies = df
            .column("concern_studies")
            .unwrap()
            .list()
            .unwrap()
            .clone();
        let studies: Vec<Vec<Option<i64>>> = (0..2)
            .map(|i| {
                let s = studies.get_as_series(i).unwrap();
                s.i64().unwrap().iter().collect()
            })
            .collect();
        assert_eq!(studies, [[Some(1)], [Some(3)]]);
        // Finding 1: 2 of 3 studies (66.7), then 1 of 1 (100); finding 2:
        // 1 of 3, then 0 of 1.
        assert_eq!(text_column(&df, "fes_without_concerns"), ["100.0", "0.0"]);
        assert_eq!(text_column(&df, "flag"), ["false", "true"]);
    }

    #[test]
    fn codes_without_declared_concerns_leave_the_concern_columns_empty() {
        let toml = "[quality]\n\"no concerns\" = \"\"\n\"serious concerns\" = \"\"\n";
        let (ds, df) = profile_of_three(toml, ["serious concerns"; 3]);
        for c in CONCERN_COLUMNS {
            assert_eq!(text_column(&df, c), ["-", "-"], "{c}");
        }
        assert_eq!(
            text_column(&df, "fes"),
            ["66.66666666666667", "33.333333333333336"]
        );
        let note = quality_note(&ds).unwrap();
        assert!(
            note.contains("declares no quality code a concern"),
            "{note}"
        );
        assert!(
            note.contains("(codes: \"no concerns\", \"serious concerns\")"),
            "{note}"
        );
    }

    #[test]
    fn a_review_with_no_study_of_concern_profiles_without_a_drop() {
        let (_, df) = profile_of_three(CERQUAL, ["no concerns", "minor concerns", "no concerns"]);
        let column = |c| text_column(&df, c);
        assert_eq!(column("concern_n"), ["0", "0"]);
        // 2 of 3 and 1 of 3 studies, with or without the (no) studies of concern.
        assert_eq!(column("fes"), ["66.66666666666667", "33.333333333333336"]);
        assert_eq!(column("fes_without_concerns"), column("fes"));
        assert_eq!(column("drop"), ["0.0", "0.0"]);
        assert_eq!(column("flag"), ["false", "false"]);
        let concern_studies = df
            .column("concern_studies")
            .unwrap()
            .list()
            .unwrap()
            .clone();
        let lengths: Vec<_> = concern_studies.lst_lengths().iter().collect();
        assert_eq!(lengths, [Some(0), Some(0)]);
    }
}
