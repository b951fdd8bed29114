//! Whether any (finding, study) pair of the evidence is listed twice, in
//! time linear in the links. The exact check, which names both lines of
//! each repeat, sorts every link; this one only says whether it must run.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{ABSENT, IdIndex, int_cells};
use crate::review::dataset::csvfile::ReadTable;
use crate::review::dataset::parallel::{on_each, split};

/// At most this many parts: each keeps a count per finding.
const MAX_PARTS: usize = 16;

/// Whether some (finding, study) pair may be listed twice: the links are
/// bucketed by finding (a counting sort), then each bucket's studies are
/// stamped in one array. `true` also when the check cannot be made this
/// way (missing cells), so the exact check runs.
pub(super) fn any_link_repeated(
    evidence: &ReadTable,
    findings: &IdIndex,
    studies: &IdIndex,
) -> bool {
    let links = evidence.frame.height();
    any_link_repeated_on(
        evidence,
        findings,
        studies,
        crate::review::dataset::parallel::threads_for(links),
    )
}

/// [`any_link_repeated`] on `threads` threads.
///
/// Each pass shares the work: the links are split into parts, counted by
/// finding and placed in their buckets part by part; then the buckets
/// are checked a range of findings at a time. (Before, each thread took
/// a range of findings and read every link twice to find its own: with
/// two threads, the 20M links of the large review were read four times,
/// 47% of a `--no-cache` load; perf, round six.)
fn any_link_repeated_on(
    evidence: &ReadTable,
    findings: &IdIndex,
    studies: &IdIndex,
    threads: usize,
) -> bool {
    let (Some(finding_of), Some(study_of)) = (
        int_cells(evidence, "finding").and_then(|c| c.cont_slice().ok()),
        int_cells(evidence, "study").and_then(|c| c.cont_slice().ok()),
    ) else {
        return true;
    };
    if finding_of.len() >= ABSENT as usize || finding_of.len() != study_of.len() {
        return true;
    }
    let links = Links {
        finding_of,
        study_of,
        findings,
        studies,
    };
    let parts = split(finding_of.len(), threads.clamp(1, MAX_PARTS));
    let Some(counts) = on_each(parts.clone(), |range| links.count(range)) else {
        return true;
    };
    let (start, next) = places(&counts, findings.len);
    // Atomic so that each part writes its own slots from its own thread
    // without `unsafe`: a relaxed store is a plain store.
    let bucketed: Vec<AtomicU32> = (0..start[findings.len])
        .map(|_| AtomicU32::new(0))
        .collect();
    let placing = parts.into_iter().zip(next).collect();
    if on_each(placing, |(range, mut next)| {
        links.place(range, &mut next, &bucketed)
    })
    .is_none()
    {
        return true;
    }
    let finding_ranges = split(findings.len, threads.max(1));
    on_each(finding_ranges, |range| {
        repeat_among(range, &start, &bucketed, studies.len)
    })
    .is_none_or(|repeats| repeats.into_iter().any(|r| r))
}

/// From each part's count of links per finding: where each finding's
/// bucket starts (one more entry, the end of the last), and where each
/// part places its first link of each finding (its links of a finding
/// follow those of the parts before it).
fn places(counts: &[Vec<u32>], findings: usize) -> (Vec<u32>, Vec<Vec<u32>>) {
    let mut start = Vec::with_capacity(findings + 1);
    let mut next: Vec<Vec<u32>> = counts.iter().map(|_| vec![0; findings]).collect();
    let mut at = 0u32;
    for f in 0..findings {
        start.push(at);
        for (count, next) in counts.iter().zip(&mut next) {
            next[f] = at;
            at += count[f];
        }
    }
    start.push(at);
    (start, next)
}

/// Whether a study repeats in the bucket of a finding at `range`.
fn repeat_among(
    range: Range<usize>,
    start: &[u32],
    bucketed: &[AtomicU32],
    studies: usize,
) -> bool {
    let mut seen_in = vec![ABSENT; studies];
    for f in range {
        let bucket = &bucketed[start[f] as usize..start[f + 1] as usize];
        for s in bucket {
            let s = s.load(Ordering::Relaxed) as usize;
            if seen_in[s] == f as u32 {
                return true;
            }
            seen_in[s] = f as u32;
        }
    }
    false
}

/// The evidence links, with the positions of their findings and studies.
struct Links<'a> {
    finding_of: &'a [i64],
    study_of: &'a [i64],
    findings: &'a IdIndex,
    studies: &'a IdIndex,
}

impl Links<'_> {
    /// The positions of the finding and the study of link `i`, when both
    /// exist. Only links to a known finding and study are bucketed (the
    /// others are reported as unknown references): counting them too left
    /// unfilled slots that read as study 0, which a header-only
    /// studies.csv does not have.
    fn positions(&self, i: usize) -> Option<(usize, u32)> {
        let f = self.findings.get(self.finding_of[i])?;
        let s = self.studies.get(self.study_of[i])?;
        Some((f as usize, s))
    }

    /// How many links of `range` each finding has.
    fn count(&self, range: Range<usize>) -> Vec<u32> {
        let mut counts = vec![0u32; self.findings.len];
        for i in range {
            if let Some((f, _)) = self.positions(i) {
                counts[f] += 1;
            }
        }
        counts
    }

    /// Places the studies of the links of `range` in their findings'
    /// buckets, from `next` on.
    fn place(&self, range: Range<usize>, next: &mut [u32], bucketed: &[AtomicU32]) {
        for i in range {
            if let Some((f, s)) = self.positions(i) {
                bucketed[next[f] as usize].store(s, Ordering::Relaxed);
                next[f] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::csvfile::Lines;
    use super::*;
    use polars::prelude::*;

    fn links(pairs: &[(i64, i64)]) -> ReadTable {
        let (f, s): (Vec<i64>, Vec<i64>) = pairs.iter().copied().unzip();
        ReadTable {
            frame: DataFrame::new(
                pairs.len(),
                vec![
                    Column::new("finding".into(), f),
                    Column::new("study".into(), s),
                ],
            )
            .unwrap(),
            lines: Lines::AfterHeader,
        }
    }

    #[test]
    fn repeats_are_found_in_any_finding_range_on_any_number_of_threads() {
        // 3,000 findings x 1,000 studies. The thread counts are given, so
        // the many-threads path runs on a one-core machine too.
        let ids = |n: i64| (1..=n).collect::<Vec<_>>();
        let findings = IdIndex::new(&ids(3_000));
        let studies = IdIndex::new(&ids(1_000));
        let mut pairs: Vec<(i64, i64)> = (1..=3_000)
            .flat_map(|f| {
                (1..=1_000)
                    .filter(move |s| (f + s) % 2 == 0)
                    .map(move |s| (f, s))
            })
            .collect();
        for threads in [1, 2, 3, 7, 40] {
            let repeated = |pairs: &[(i64, i64)], studies: &IdIndex| {
                any_link_repeated_on(&links(pairs), &findings, studies, threads)
            };
            assert!(!repeated(&pairs, &studies), "{threads} threads");
            // Links to studies or findings that do not exist (reported
            // elsewhere) are no repeats, and no study at all is no crash.
            let mut unknown = pairs.clone();
            unknown.extend([(5, 4_000), (5, 4_001), (3_001, 1), (3_001, 1)]);
            assert!(!repeated(&unknown, &studies), "{threads} threads");
            assert!(!repeated(&pairs, &IdIndex::new(&[])), "{threads} threads");
            // A repeat in the first, a middle and the last finding range,
            // its two links in one part or in two (the first link and
            // the last).
            for (f, s) in [(1, 1), (1_500, 2), (2_999, 3), (3_000, 1_000)] {
                pairs.push((f, s));
                assert!(repeated(&pairs, &studies), "{f},{s} on {threads} threads");
                pairs.insert(0, (f, s));
                pairs.pop();
                assert!(
                    repeated(&pairs, &studies),
                    "{f},{s} first on {threads} threads"
                );
                pairs.remove(0);
            }
            assert!(!repeated(&[], &studies), "{threads} threads");
        }
    }
}
