//! Whether the counts of `search.csv` add up: what a PRISMA flow diagram
//! prints must agree with itself.

use crate::plot::SearchStage;

/// A stage whose count does not follow from the records that came into it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDifference {
    /// The stage's key.
    pub stage: String,
    /// Its line in `search.csv`.
    pub line: u64,
    /// The records of the stages it came from (which feed nothing else).
    pub came_in: i64,
    /// Its own count.
    pub count: i64,
    /// The records excluded on the way, as `search.csv` gives them.
    pub excluded: Option<i64>,
}

/// The stages whose counts disagree with what came in: more records than
/// came in, or an `excluded` that is not the difference. Only where the
/// records in are known ([`SearchStage::came_in`]).
pub fn search_differences(stages: &[SearchStage]) -> Vec<SearchDifference> {
    let mut out = Vec::new();
    for s in stages {
        let Some(came_in) = s.came_in(stages) else {
            continue;
        };
        let differs = match s.excluded {
            Some(excluded) => came_in.checked_sub(s.count) != Some(excluded),
            None => s.count > came_in,
        };
        if differs {
            out.push(SearchDifference {
                stage: s.stage.clone(),
                line: s.line,
                came_in,
                count: s.count,
                excluded: s.excluded,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(key: &str, count: i64, parents: &[&str], excluded: Option<i64>) -> SearchStage {
        SearchStage {
            stage: key.into(),
            count,
            parents: parents.iter().map(|p| p.to_string()).collect(),
            label: key.into(),
            excluded,
            excluded_label: String::new(),
            line: 0,
        }
    }

    #[test]
    fn counts_that_add_up_pass_and_those_that_do_not_are_told() {
        let agree = [
            stage("a", 100, &[], None),
            stage("b", 20, &[], None),
            stage("screened", 90, &["a", "b"], Some(30)),
            stage("kept", 10, &["screened"], None),
            // A last stage: 10 reports of 8 studies.
            stage("studies", 8, &["kept"], Some(1)),
        ];
        assert_eq!(search_differences(&agree), []);
        let wrong = [
            stage("a", 100, &[], None),
            stage("screened", 90, &["a"], Some(30)),
            stage("kept", 95, &["screened"], None),
            stage("studies", 8, &["kept"], None),
        ];
        // 100 came into `screened`: 90 went on, so 10 were excluded, not
        // 30; `kept` has 95 of the 90 that came in.
        let found: Vec<(String, i64, i64)> = (search_differences(&wrong).into_iter())
            .map(|d| (d.stage, d.came_in, d.count))
            .collect();
        assert_eq!(
            found,
            [
                ("screened".to_string(), 100, 90),
                ("kept".to_string(), 90, 95)
            ]
        );
    }

    #[test]
    fn a_stage_fed_by_a_stage_that_also_feeds_another_is_not_judged() {
        let split = [
            stage("a", 100, &[], None),
            stage("left", 70, &["a"], Some(5)),
            stage("right", 60, &["a"], None),
            stage("end", 1, &["left", "right"], None),
        ];
        assert_eq!(search_differences(&split), []);
    }
}
