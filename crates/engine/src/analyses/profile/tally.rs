//! What the profile counts per finding over its studies, in one pass over
//! the links.
//!
//! Polars' plan (join each link to its study's attributes, then group by
//! finding) built a frame of every link with its study's quality,
//! participant counts and country: at 20M links, 1.1 GB peak and 1.85 s
//! for `profile`. This pass keeps, per finding, what it outputs (its
//! studies of concern, a count, a sum per participant group, its
//! countries). It gives what the plan gives (tested against it below, on
//! the seed and on a review with every kind of cell it reads).

use polars::prelude::*;

use crate::count::link_counts::as_positions;

/// Per finding linked to any study of `studies` (`id`, `concern`, the
/// `participants` columns, and `country` when `country`): `finding`,
/// `concern_n`, `concern_studies` (sorted), `n_without`, each participant
/// column summed over its studies (missing when none reported a count),
/// and `countries` (distinct, sorted). A study's `concern` missing counts
/// it in neither `concern_n` nor `n_without`. The links are distinct
/// (loading refuses a repeated one).
pub(super) fn tally(
    links: &DataFrame,
    studies: &DataFrame,
    participants: &[String],
    country: bool,
) -> PolarsResult<DataFrame> {
    let attributes = Attributes::of(studies, participants, country)?;
    let findings = links.column("finding")?.i64()?;
    let linked = links.column("study")?.i64()?;
    let mut at = Slots::for_ids(findings.min(), findings.max(), findings.len());
    let mut tallies: Vec<Tally> = Vec::new();
    let mut add = |finding: i64, study: i64| {
        let Some(row) = attributes.position.get(study) else {
            return;
        };
        let k = at.get(finding).unwrap_or_else(|| {
            tallies.push(Tally::new(finding, participants.len()));
            at.set(finding, tallies.len() - 1);
            tallies.len() - 1
        });
        tallies[k].add(study, row, &attributes);
    };
    // The links as loaded: one chunk each, no missing cell.
    if let (Ok(findings), Ok(linked)) = (findings.cont_slice(), linked.cont_slice()) {
        findings.iter().zip(linked).for_each(|(f, s)| add(*f, *s));
    } else {
        for (finding, study) in findings.iter().zip(linked.iter()) {
            if let (Some(finding), Some(study)) = (finding, study) {
                add(finding, study);
            }
        }
    }
    frame(tallies, participants, &attributes)
}

/// Where each id's entry is: by position when the ids allow
/// ([`as_positions`], as link counts do: a hash look-up per link made the
/// pass 2.3 s at 20M links), else by hash.
enum Slots {
    Dense(Vec<u32>),
    Sparse(PlHashMap<i64, usize>),
}

impl Slots {
    /// Slots for ids from `min` to `max`, of which there are `count`.
    fn for_ids(min: Option<i64>, max: Option<i64>, count: usize) -> Slots {
        match (min, max) {
            (Some(min), Some(max)) if as_positions(min, max, count) => {
                Slots::Dense(vec![u32::MAX; max as usize + 1])
            }
            (None, None) => Slots::Dense(Vec::new()),
            _ => Slots::Sparse(PlHashMap::default()),
        }
    }

    fn get(&self, id: i64) -> Option<usize> {
        match self {
            Slots::Dense(at) => (usize::try_from(id).ok())
                .and_then(|i| at.get(i))
                .filter(|k| **k != u32::MAX)
                .map(|k| *k as usize),
            Slots::Sparse(at) => at.get(&id).copied(),
        }
    }

    /// Sets `id`'s slot (an id of the range the slots were made for).
    fn set(&mut self, id: i64, k: usize) {
        match self {
            Slots::Dense(at) => at[id as usize] = k as u32,
            Slots::Sparse(at) => {
                at.insert(id, k);
            }
        }
    }
}

/// The studies' attributes, by their row.
struct Attributes {
    /// Each study id's row.
    position: Slots,
    concern: Vec<Option<bool>>,
    /// Per participant column, each study's count.
    counts: Vec<Vec<Option<i64>>>,
    /// Each study's country as its rank among the distinct countries.
    country: Vec<Option<IdxSize>>,
    /// The distinct countries in order (their column's type).
    countries: Option<Series>,
}

impl Attributes {
    fn of(studies: &DataFrame, participants: &[String], country: bool) -> PolarsResult<Self> {
        let ids = studies.column("id")?.cast(&DataType::Int64)?;
        let ids = ids.i64()?;
        let mut position = Slots::for_ids(ids.min(), ids.max(), ids.len());
        for (row, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                position.set(id, row);
            }
        }
        let concern = studies.column("concern")?.cast(&DataType::Boolean)?;
        let concern = concern.bool()?.iter().collect();
        let counts = (participants.iter())
            .map(|c| {
                let cells = studies.column(c)?.cast(&DataType::Int64)?;
                Ok(cells.i64()?.iter().collect())
            })
            .collect::<PolarsResult<_>>()?;
        let (country, countries) = if country {
            let cells = studies.column("country")?.as_materialized_series().clone();
            let distinct = cells.drop_nulls().unique()?.sort(Default::default())?;
            let names = distinct.cast(&DataType::String)?;
            let rank: PlHashMap<&str, IdxSize> = (names.str()?.iter().enumerate())
                .filter_map(|(k, name)| Some((name?, k as IdxSize)))
                .collect();
            let texts = cells.cast(&DataType::String)?;
            let country = (texts.str()?.iter())
                .map(|c| c.and_then(|c| rank.get(c).copied()))
                .collect();
            (country, Some(distinct))
        } else {
            (Vec::new(), None)
        };
        Ok(Attributes {
            position,
            concern,
            counts,
            country,
            countries,
        })
    }
}

/// What one finding has counted so far.
struct Tally {
    finding: i64,
    concern: Vec<i64>,
    without: i64,
    /// Per participant column: the sum and how many studies gave a count.
    sums: Vec<(i128, usize)>,
    /// Ranks of its countries, sorted and distinct.
    countries: Vec<IdxSize>,
}

impl Tally {
    fn new(finding: i64, groups: usize) -> Tally {
        Tally {
            finding,
            concern: Vec::new(),
            without: 0,
            sums: vec![(0, 0); groups],
            countries: Vec::new(),
        }
    }

    /// Counts the link to `study`, whose attributes are at `row`.
    fn add(&mut self, study: i64, row: usize, of: &Attributes) {
        match of.concern[row] {
            Some(true) => self.concern.push(study),
            Some(false) => self.without += 1,
            None => {}
        }
        for (sum, counts) in self.sums.iter_mut().zip(&of.counts) {
            if let Some(n) = counts[row] {
                sum.0 += i128::from(n);
                sum.1 += 1;
            }
        }
        if let Some(Some(c)) = of.country.get(row)
            && let Err(at) = self.countries.binary_search(c)
        {
            self.countries.insert(at, *c);
        }
    }
}

/// The tallies as the profile's frame of counts per finding.
fn frame(
    mut tallies: Vec<Tally>,
    participants: &[String],
    of: &Attributes,
) -> PolarsResult<DataFrame> {
    let list_of = |item: DataType| DataType::List(Box::new(item));
    tallies.iter_mut().for_each(|t| t.concern.sort_unstable());
    let mut columns = vec![
        Column::new(
            "finding".into(),
            tallies.iter().map(|t| t.finding).collect::<Vec<_>>(),
        ),
        Column::new(
            "concern_n".into(),
            (tallies.iter())
                .map(|t| t.concern.len() as i64)
                .collect::<Vec<_>>(),
        ),
        (tallies.iter())
            .map(|t| Some(Series::new("".into(), &t.concern)))
            .collect::<ListChunked>()
            .into_series()
            .cast(&list_of(DataType::Int64))?
            .with_name("concern_studies".into())
            .into_column(),
        Column::new(
            "n_without".into(),
            tallies.iter().map(|t| t.without).collect::<Vec<_>>(),
        ),
    ];
    for (k, name) in participants.iter().enumerate() {
        let sums = (tallies.iter())
            .map(|t| match t.sums[k] {
                (_, 0) => Ok(None),
                (sum, _) => i64::try_from(sum).map(Some).map_err(|_| {
                    polars_err!(ComputeError: "the `{name}` of finding {} sum to more than a whole number can hold", t.finding)
                }),
            })
            .collect::<PolarsResult<Vec<Option<i64>>>>()?;
        columns.push(Column::new(name.as_str().into(), sums));
    }
    if let Some(countries) = &of.countries {
        let lists = (tallies.iter())
            .map(|t| countries.take_slice(&t.countries).map(Some))
            .collect::<PolarsResult<Vec<_>>>()?;
        let lists: ListChunked = lists.into_iter().collect();
        let lists = lists
            .into_series()
            .cast(&list_of(countries.dtype().clone()))?;
        columns.push(lists.with_name("countries".into()).into_column());
    }
    DataFrame::new(tallies.len(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dataset;
    use crate::col;

    /// Polars' plan: each link joined to its study, grouped by finding.
    fn plain(
        links: &DataFrame,
        studies: &DataFrame,
        participants: &[String],
        country: bool,
    ) -> DataFrame {
        let mut aggs = vec![
            (col("study").filter(col("concern")).n_unique())
                .cast(DataType::Int64)
                .alias("concern_n"),
            (col("study").filter(col("concern")).unique())
                .sort(SortOptions::default())
                .alias("concern_studies"),
            (col("study").filter(col("concern").not()).n_unique())
                .cast(DataType::Int64)
                .alias("n_without"),
        ];
        for c in participants {
            aggs.push(
                when(col(c.as_str()).count().gt(lit(0)))
                    .then(col(c.as_str()).sum().cast(DataType::Int64))
                    .otherwise(lit(NULL).cast(DataType::Int64))
                    .alias(c.as_str()),
            );
        }
        if country {
            aggs.push(
                (col("country").drop_nulls().unique())
                    .sort(SortOptions::default())
                    .alias("countries"),
            );
        }
        (links.clone().lazy().select([col("finding"), col("study")]))
            .join(
                studies.clone().lazy(),
                [col("study")],
                [col("id")],
                JoinArgs::new(JoinType::Inner),
            )
            .group_by([col("finding")])
            .agg(aggs)
            .sort(["finding"], Default::default())
            .collect()
            .unwrap()
    }

    /// A review whose studies have every kind of cell the tally reads:
    /// concerns, a study with no quality code, counts missing, countries
    /// missing and shared, a study in no link, links to a study not in
    /// scope.
    fn review() -> (DataFrame, DataFrame) {
        let studies = df!(
            "id" => [1i64, 2, 3, 4, 5, 6],
            "concern" => [Some(true), Some(false), None, Some(true), Some(false), Some(false)],
            "workers" => [Some(10i64), None, Some(5), None, Some(i64::MAX / 4), None],
            "carers" => [None::<i64>, None, None, None, None, None],
            "country" => [Some("UK"), Some("Kenya"), None, Some("UK"), Some("Brazil"), Some("Kenya")],
        )
        .unwrap();
        let links = df!(
            "finding" => [1i64, 1, 1, 2, 2, 3, 3, 3, 4, 1, 2, 5],
            "study" => [1i64, 2, 3, 4, 5, 5, 2, 1, 3, 9, 6, 5],
        )
        .unwrap();
        (links, studies)
    }

    #[test]
    fn tallies_what_the_plan_gives() {
        let (links, studies) = review();
        let participants = ["workers".to_string(), "carers".to_string()];
        for country in [false, true] {
            let mut got = tally(&links, &studies, &participants, country).unwrap();
            got.sort_in_place(["finding"], Default::default()).unwrap();
            let expected = plain(&links, &studies, &participants, country);
            assert!(got.equals_missing(&expected), "{got}\n{expected}");
        }
        // Ids too large to be positions (the look-up by hash).
        let far = |frame: &DataFrame, columns: &[&str]| {
            let shifted: Vec<Expr> = (columns.iter())
                .map(|c| (col(*c) + lit(1i64 << 40)).alias(*c))
                .collect();
            frame
                .clone()
                .lazy()
                .with_columns(shifted)
                .collect()
                .unwrap()
        };
        let (far_links, far_studies) = (far(&links, &["finding", "study"]), far(&studies, &["id"]));
        let mut got = tally(&far_links, &far_studies, &participants, true).unwrap();
        got.sort_in_place(["finding"], Default::default()).unwrap();
        let expected = plain(&far_links, &far_studies, &participants, true);
        assert!(got.equals_missing(&expected), "{got}\n{expected}");
        // Within the scope of studies 2 and 5 only.
        let scope = studies.slice(1, 1).vstack(&studies.slice(4, 1)).unwrap();
        let mut got = tally(&links, &scope, &participants, true).unwrap();
        got.sort_in_place(["finding"], Default::default()).unwrap();
        let expected = plain(&links, &scope, &participants, true);
        assert!(got.equals_missing(&expected), "{got}\n{expected}");
    }

    #[test]
    fn a_sum_beyond_a_whole_number_is_refused() {
        let (links, studies) = review();
        let huge = studies
            .lazy()
            .with_column(lit(i64::MAX).alias("workers"))
            .collect()
            .unwrap();
        let err = tally(&links, &huge, &["workers".into()], false).unwrap_err();
        assert!(err.to_string().contains("sum to more than"), "{err}");
    }

    #[test]
    fn tallies_the_seed_as_the_plan_does() {
        let ds = Dataset::seed().unwrap();
        let shape = super::super::Shape::of(&ds);
        let studies = super::super::study_attributes(&ds, None, &shape)
            .collect()
            .unwrap();
        let links = ds.links().unwrap();
        let mut got = tally(links, &studies, &shape.participants, shape.country).unwrap();
        got.sort_in_place(["finding"], Default::default()).unwrap();
        let expected = plain(links, &studies, &shape.participants, shape.country);
        assert_eq!(got.height(), 24);
        assert!(got.equals_missing(&expected), "{got}\n{expected}");
    }
}
