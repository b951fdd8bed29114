//! The evidence profile of each finding (GRADE-CERQual support): how many
//! studies and participants it rests on, from which countries, how much of
//! it comes from studies of low appraised quality, and what its FES is
//! without them. It informs a confidence rating; it never assigns one.

use polars::prelude::*;

use crate::col;

use crate::Dataset;
use crate::stats::{self, ViewOptions, empty_list_for_null, percent};

/// Default for `--threshold`: a drop of more than this many percentage
/// points when low-quality studies are left out flags the finding.
pub const DEFAULT_THRESHOLD: f64 = 5.0;

/// Participant count columns summed per finding, when the dataset has them.
const PARTICIPANTS: [&str; 3] = ["workers", "staff", "recipients"];

/// Findings with `n`, `fes`, summed participants, `countries`, the studies
/// of low quality (`low_n`, `low_share`, `low_studies`), `fes_adequate` (FES
/// among the studies not of low quality), `drop` (fes - fes_adequate, in
/// percentage points) and `flag` (drop > threshold; missing when there is
/// no `fes_adequate` to compare with).
///
/// `study_scope` (an `id` frame) restricts the studies, as `among` does.
pub fn profile_view(
    ds: &Dataset,
    study_scope: Option<&DataFrame>,
    threshold: f64,
) -> PolarsResult<LazyFrame> {
    let mut studies = ds.studies.clone().lazy();
    if let Some(scope) = study_scope {
        studies = studies.semi_join(
            scope.clone().lazy().select([col("id")]),
            col("id"),
            col("id"),
        );
    }
    let names = ds.studies.get_column_names();
    let has = |c: &str| names.iter().any(|n| n.as_str() == c);
    let is_low = if has("quality") {
        col("quality")
            .str()
            .to_lowercase()
            .eq(lit("low"))
            .fill_null(lit(false))
    } else {
        lit(false)
    };
    let mut attributes = vec![col("id"), is_low.clone().alias("low")];
    let present: Vec<&str> = PARTICIPANTS.into_iter().filter(|c| has(c)).collect();
    attributes.extend(present.iter().map(|c| col(*c)));
    if has("country") {
        attributes.push(col("country"));
    }
    let studies = studies.select(attributes).collect()?;
    let adequate = studies
        .column("low")?
        .bool()?
        .iter()
        .filter(|l| *l == Some(false))
        .count();

    // n and fes are the findings view's; the rest is counted here.
    let mut aggs = vec![
        col("study")
            .filter(col("low"))
            .n_unique()
            .cast(DataType::Int64)
            .alias("low_n"),
        col("study")
            .filter(col("low"))
            .unique()
            .sort(SortOptions::default())
            .alias("low_studies"),
        col("study")
            .filter(col("low").not())
            .n_unique()
            .cast(DataType::Int64)
            .alias("n_adequate"),
    ];
    for c in &present {
        // A sum over studies none of which reported a count is unknown, not 0.
        aggs.push(
            when(col(*c).count().gt(lit(0)))
                .then(col(*c).sum().cast(DataType::Int64))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(*c),
        );
    }
    if has("country") {
        aggs.push(
            col("country")
                .drop_nulls()
                .unique()
                .sort(SortOptions::default())
                .alias("countries"),
        );
    }
    // Only the link columns: an extra evidence column named like a study
    // column (`low`, `country`) would otherwise be read in its place.
    let per_finding = ds
        .evidence
        .clone()
        .lazy()
        .select([col("finding"), col("study")])
        .join(
            studies.lazy(),
            [col("study")],
            [col("id")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col("finding")])
        .agg(aggs);

    let mut order = vec![
        col("id"),
        col("perspective"),
        col("name"),
        col("n"),
        col("fes"),
    ];
    order.extend(present.iter().map(|c| col(*c)));
    if has("country") {
        order.push(col("countries"));
    }
    order.extend(
        [
            "low_n",
            "low_share",
            "low_studies",
            "fes_adequate",
            "drop",
            "flag",
        ]
        .map(col),
    );
    let mut fill = vec![
        col("low_n").fill_null(lit(0i64)),
        col("n_adequate").fill_null(lit(0i64)),
        empty_list_for_null("low_studies", DataType::Int64),
    ];
    if has("country") {
        fill.push(empty_list_for_null("countries", DataType::String));
    }
    let findings = stats::findings_view_with(
        ds,
        study_scope,
        ViewOptions {
            lists_later: true,
            ..Default::default()
        },
    )?;
    // Only the columns the profile shows: a stored findings column named
    // like one counted here (`low_n`, `workers`) would otherwise win the
    // join and replace the figure.
    Ok(findings
        .select([
            col("id"),
            col("perspective"),
            col("name"),
            col("n"),
            col("fes"),
        ])
        .left_join(per_finding, col("id"), col("finding"))
        .with_columns(fill)
        .with_column(percent("n_adequate", adequate).alias("fes_adequate"))
        .with_columns([
            // Share of the finding's studies that are of low quality.
            when(col("n").gt(lit(0)))
                .then(
                    (col("low_n") * lit(100i64)).cast(DataType::Float64)
                        / col("n").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("low_share"),
            (col("fes") - col("fes_adequate")).alias("drop"),
        ])
        // Missing, not false, when there is no FES without the studies of
        // low quality to compare with (every study in scope is of low
        // quality): "does not drop" would be a claim the data cannot make.
        .with_column(col("drop").gt(lit(threshold)).alias("flag"))
        .sort(["id"], SortMultipleOptions::default())
        .select(order))
}

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
        assert_eq!(row("low_n"), AnyValue::Int64(2));
        // Only study 4 (of the 11) has participant counts: 59 workers.
        assert_eq!(row("workers"), AnyValue::Int64(59));
        assert_eq!(row("fes_adequate"), AnyValue::Float64(900.0 / 22.0));
        assert_eq!(row("drop"), AnyValue::Float64(44.0 - 900.0 / 22.0));
        assert_eq!(row("flag"), AnyValue::Boolean(false));
        // Finding 8 (social network) has no study with counts: unknown, not 0.
        assert_eq!(
            df.column("workers").unwrap().get(7).unwrap(),
            AnyValue::Null
        );
    }

    #[test]
    fn a_review_with_no_study_of_low_quality_profiles_without_a_drop() {
        let files: std::collections::BTreeMap<String, Vec<u8>> = [
            (
                "studies.csv",
                "id,author,year,country,quality\n1,Ames,2001,UK,adequate\n\
                 2,Bell,2003,USA,adequate\n3,Cole,2005,UK,adequate\n",
            ),
            (
                "findings.csv",
                "id,perspective,name\n1,worker,Low pay\n2,recipient,Role models\n",
            ),
            ("evidence.csv", "finding,study\n1,1\n1,2\n2,3\n"),
        ]
        .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
        .into();
        let ds = Dataset::from_files(&files, "test").unwrap();
        let df = profile_view(&ds, None, DEFAULT_THRESHOLD)
            .unwrap()
            .collect()
            .unwrap();
        let column = |c: &str| -> Vec<String> {
            let s = df.column(c).unwrap().cast(&DataType::String).unwrap();
            let s = s.str().unwrap();
            s.iter().map(|v| v.unwrap_or("-").to_string()).collect()
        };
        assert_eq!(column("low_n"), ["0", "0"]);
        // 2 of 3 and 1 of 3 studies, with or without the (no) low ones.
        assert_eq!(column("fes"), ["66.66666666666667", "33.333333333333336"]);
        assert_eq!(column("fes_adequate"), column("fes"));
        assert_eq!(column("drop"), ["0.0", "0.0"]);
        assert_eq!(column("flag"), ["false", "false"]);
        let low_studies = df.column("low_studies").unwrap().list().unwrap().clone();
        let lengths: Vec<_> = low_studies.lst_lengths().iter().collect();
        assert_eq!(lengths, [Some(0), Some(0)]);
    }
}
