//! Whether the counts of `search.csv` add up: what a PRISMA flow diagram
//! prints must agree with itself.

use crate::review::dataset::search::SearchStage;

/// What `check` says of one stage's count in `search.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchFinding {
    /// The stage's key.
    pub stage: String,
    /// Its line in `search.csv`.
    pub line: u64,
    /// Its count.
    pub count: i64,
    /// What is wrong, or worth saying.
    pub kind: SearchFindingKind,
}

/// What `check` finds in a stage's count.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchFindingKind {
    /// Warning: (what came in, the `excluded` given): the exclusion is not
    /// what came in less what went on.
    Excluded(i128, i64),
    /// Warning: more records than (what came in).
    MoreThanCameIn(i128),
    /// Note: records were lost on the way into the last stage (from what
    /// came in), and no box is drawn for them (nothing is implied into the
    /// last stage).
    LastNotDrawn(i128),
    /// Warning: the last stage counts neither the dataset's (studies, papers).
    LastCount(usize, usize),
}

impl SearchFinding {
    /// Whether it is a warning (a note is not).
    pub fn is_warning(&self) -> bool {
        !matches!(self.kind, SearchFindingKind::LastNotDrawn(_))
    }
}

/// Where the counts of `stages` disagree with what came into each (where
/// that is known: [`SearchStage::came_in`]), and the last stage's count
/// with the dataset's `studies` and `papers`.
pub fn search_findings(
    stages: &[SearchStage],
    studies: usize,
    papers: usize,
) -> Vec<SearchFinding> {
    let lasts = stages.iter().filter(|s| s.is_last(stages)).count();
    let mut out = Vec::new();
    for s in stages {
        let mut found = |kind| {
            out.push(SearchFinding {
                stage: s.stage.clone(),
                line: s.line,
                count: s.count,
                kind,
            })
        };
        let went_on = i128::from(s.count);
        if let Some(came_in) = s.came_in(stages) {
            match s.excluded {
                Some(excluded) if came_in - went_on != i128::from(excluded) => {
                    found(SearchFindingKind::Excluded(came_in, excluded))
                }
                None if went_on > came_in => found(SearchFindingKind::MoreThanCameIn(came_in)),
                // The dataset's papers of its studies: nothing was lost.
                None if came_in == papers as i128 && went_on == studies as i128 => {}
                None if came_in > went_on && s.is_last(stages) => {
                    found(SearchFindingKind::LastNotDrawn(came_in))
                }
                _ => {}
            }
        }
        let counts_either = [studies, papers].iter().any(|n| went_on == *n as i128);
        if lasts == 1 && s.is_last(stages) && !counts_either {
            found(SearchFindingKind::LastCount(studies, papers));
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
        let findings = |stages: &[SearchStage]| search_findings(stages, 8, 10);
        let agree = [
            stage("a", 100, &[], None),
            stage("b", 20, &[], None),
            stage("screened", 90, &["a", "b"], Some(30)),
            stage("kept", 10, &["screened"], None),
            // The last stage: 2 of 10 reports excluded, 8 studies (the
            // dataset's 8).
            stage("studies", 8, &["kept"], Some(2)),
        ];
        assert_eq!(findings(&agree), []);
        let wrong = [
            stage("a", 100, &[], None),
            stage("screened", 90, &["a"], Some(30)),
            stage("kept", 95, &["screened"], None),
            stage("studies", 8, &["kept"], None),
        ];
        // 100 came into `screened`: 90 went on, so 10 were excluded, not
        // 30; `kept` has 95 of the 90 that came in; 95 came into the last
        // stage and 8 went on, which is not drawn (a note).
        let kinds: Vec<(String, SearchFindingKind)> = findings(&wrong)
            .into_iter()
            .map(|f| (f.stage, f.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("screened".to_string(), SearchFindingKind::Excluded(100, 30)),
                ("kept".to_string(), SearchFindingKind::MoreThanCameIn(90)),
                ("studies".to_string(), SearchFindingKind::LastNotDrawn(95)),
            ]
        );
        // The last stage counts neither the 7 studies nor the 9 papers.
        let found = search_findings(&wrong, 7, 9);
        assert!(
            found
                .iter()
                .any(|f| f.kind == SearchFindingKind::LastCount(7, 9) && f.count == 8)
        );
        // An `excluded` into the last stage is checked too.
        let last = [stage("a", 60, &[], None), stage("end", 2, &["a"], Some(50))];
        assert_eq!(
            search_findings(&last, 2, 2)[0].kind,
            SearchFindingKind::Excluded(60, 50)
        );
        // Counts near the largest whole number add up without wrapping.
        let huge = [
            stage("a", i64::MAX, &[], None),
            stage("b", i64::MAX, &[], None),
            stage("c", 5, &["a", "b"], Some(i64::MAX)),
            stage("d", 5, &["c"], None),
        ];
        let twice = 2 * i128::from(i64::MAX);
        assert_eq!(
            findings(&huge)[0].kind,
            SearchFindingKind::Excluded(twice, i64::MAX)
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
        let found = search_findings(&split, 1, 1);
        assert!(found.iter().all(|f| f.stage == "end"), "{found:?}");
    }
}
