//! `metasum check` as text: one section per check, then the count of
//! warnings.

use std::fmt;

use super::{CerqualWarningKind, CheckReport, ClaimDifference, SearchFindingKind};
use crate::review::dataset::keys::Keys;

/// Study ids as the reviewer wrote them, comma-separated.
fn ids(keys: &Keys, ids: &[i64]) -> String {
    ids.iter()
        .map(|id| keys.text(*id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text from the data, as a sentence embeds it: with no character that
/// acts on a terminal (an escape sequence, a direction override: one rule
/// for every message, `escape::message_safe`), and, written with
/// `{:#}` (the HTML report), between the Unicode isolates FSI and PDI,
/// which the report turns into `<bdi>`: a name written right to left
/// cannot reorder the sentence around it.
fn d(f: &fmt::Formatter<'_>, text: impl fmt::Display) -> String {
    let safe = crate::escape::message_safe(&text.to_string()).into_owned();
    match f.alternate() {
        true => format!("\u{2068}{safe}\u{2069}"),
        false => safe,
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_header(f)?;
        self.write_fes(f)?;
        self.write_sensitivity(f)?;
        self.write_totals(f)?;
        self.write_claims(f)?;
        self.write_years(f)?;
        self.write_search(f)?;
        self.write_cerqual(f)?;
        self.write_links(f)?;
        self.write_ignored(f)?;
        self.write_footer(f)
    }
}

impl CheckReport {
    /// The dataset, its title and its counts.
    fn write_header(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [studies, papers, findings, links] = self.counts;
        writeln!(f, "dataset: {}", d(f, &self.origin))?;
        if !self.title.is_empty() {
            writeln!(f, "  {}", d(f, &self.title))?;
        }
        let count = crate::words::count_of;
        writeln!(
            f,
            "  {}, {}, {}, {}: valid",
            count(studies, "study", "studies"),
            count(papers, "paper", "papers"),
            count(findings, "finding", "findings"),
            count(links, "evidence link", "evidence links")
        )?;
        writeln!(f)?;
        Ok(())
    }

    /// Reported FES against the computed ones.
    fn write_fes(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [studies, ..] = self.counts;
        writeln!(
            f,
            "Reported FES against FES computed from the evidence (n = {studies}):"
        )?;
        if self.fes_compared == 0 {
            writeln!(f, "  no finding has a reported_fes; nothing to compare")?;
        } else if self.fes_disagreements.is_empty() {
            writeln!(
                f,
                "  all {} reported FES values agree with the computed ones",
                self.fes_compared
            )?;
        } else {
            let agree = self.fes_compared - self.fes_disagreements.len();
            writeln!(
                f,
                "  {agree} of {} reported FES values agree; these do not:",
                self.fes_compared
            )?;
            for dis in &self.fes_disagreements {
                let exact = crate::exact::ratio(100 * dis.n, dis.of as i64);
                let exact = crate::exact::round_half_up(exact, 1);
                writeln!(
                    f,
                    "  warning: finding {} \"{}\": reported {}, computed {exact:.1} ({} of {} studies)",
                    d(f, self.keys.findings.text(dis.finding)),
                    d(f, &dis.name),
                    dis.reported,
                    dis.n,
                    dis.of
                )?;
            }
        }
        writeln!(f)?;
        Ok(())
    }

    /// Which studies the sensitivity analysis leaves out.
    fn write_sensitivity(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [studies, ..] = self.counts;
        writeln!(
            f,
            "Sensitivity (profile without the studies of quality concern):"
        )?;
        match &self.quality_note {
            Some(note) => writeln!(f, "  warning: {}", d(f, note))?,
            None => {
                let (concerns, of_concern, unappraised) = &self.concerns;
                writeln!(
                    f,
                    "  {of_concern} of {studies} studies left out, of declared quality concern ({})",
                    d(f, concerns.join(", "))
                )?;
                let (studies_have, them, they_stay) = match unappraised {
                    1 => ("study has", "it", "it stays in"),
                    _ => ("studies have", "them", "they stay in"),
                };
                if *unappraised > 0 {
                    writeln!(
                        f,
                        "  note: {unappraised} {studies_have} no quality code; no concern is declared for {them}, so {they_stay}"
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Published participant totals against the sums.
    fn write_totals(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.totals.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Published participant totals against the sums of studies.csv:"
            )?;
            for t in &self.totals {
                let coverage = format!("{} of {} studies have a count", t.counted, t.studies);
                if t.agrees() {
                    writeln!(
                        f,
                        "  {}: published {}, sum {} ({coverage}): agree",
                        d(f, &t.column),
                        t.published,
                        t.sum
                    )?;
                } else {
                    writeln!(
                        f,
                        "  warning: {}: published {}, sum {}, off by {} ({coverage})",
                        d(f, &t.column),
                        t.published,
                        t.sum,
                        i128::from(t.published) - t.sum
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Studies cited in the text against the findings' evidence.
    fn write_claims(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.claims > 0 {
            let linked = self.claims_exact + self.claim_differences.len();
            writeln!(f)?;
            writeln!(
                f,
                "Studies cited in the text against the finding's evidence (claims.csv: {} claims, {linked} linked to a finding):",
                self.claims
            )?;
            writeln!(
                f,
                "  {} of {linked} cite exactly the studies the finding lists",
                self.claims_exact
            )?;
            for c in self
                .claim_differences
                .iter()
                .filter(|c| !c.not_listed.is_empty())
            {
                writeln!(
                    f,
                    "  warning: claim {} (claims.csv:{}) \"{}\" cites {} for finding {} \"{}\", which lists {}",
                    d(f, c.claim),
                    c.line,
                    d(f, &c.statement),
                    d(f, ids(&self.keys.studies, &c.not_listed)),
                    d(f, self.keys.findings.text(c.finding)),
                    d(f, &c.finding_name),
                    d(f, ids(&self.keys.studies, &c.listed))
                )?;
            }
            let partial: Vec<&ClaimDifference> = self
                .claim_differences
                .iter()
                .filter(|d| d.not_listed.is_empty())
                .collect();
            if !partial.is_empty() {
                writeln!(
                    f,
                    "  cite only part of the finding's studies (a part of the theme, not a contradiction):"
                )?;
                for c in partial {
                    let cited = c.listed.len() - c.not_cited.len();
                    writeln!(
                        f,
                        "    claim {} \"{}\": {cited} of finding {}'s {} studies (not cited: {})",
                        d(f, c.claim),
                        d(f, &c.statement),
                        d(f, self.keys.findings.text(c.finding)),
                        c.listed.len(),
                        d(f, ids(&self.keys.studies, &c.not_cited))
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Study years cited in the text against studies.csv.
    fn write_years(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.citations > 0 {
            writeln!(f)?;
            writeln!(
                f,
                "Study years cited in the text against studies.csv (citations.csv: {} citations):",
                self.citations
            )?;
            if self.year_differences.is_empty() {
                writeln!(f, "  all agree")?;
            }
            for y in &self.year_differences {
                let table = y
                    .table_year
                    .map_or("no year".to_string(), |t| t.to_string());
                writeln!(
                    f,
                    "  warning: study {} cited as \"{} ({})\" in {} (citations.csv:{}); studies.csv has {table}",
                    d(f, self.keys.studies.text(y.study)),
                    d(f, &y.cited_as),
                    d(f, y.cited_year),
                    d(f, &y.section),
                    y.line
                )?;
            }
        }
        Ok(())
    }

    /// The CERQual judgements that need an explanation or a second look.
    fn write_cerqual(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(assessed) = self.cerqual_assessed else {
            return Ok(());
        };
        writeln!(f)?;
        writeln!(
            f,
            "CERQual (cerqual.csv, {} assessed):",
            crate::words::count_of(assessed, "finding", "findings")
        )?;
        if self.cerqual_warnings.is_empty() {
            writeln!(f, "  every finding assessed, every judgement explained")?;
        }
        for w in &self.cerqual_warnings {
            let finding = d(f, self.keys.findings.text(w.finding));
            let at = match w.line {
                Some(line) => format!("finding {finding} (cerqual.csv:{line})"),
                None => format!("finding {finding}"),
            };
            let says = match &w.kind {
                CerqualWarningKind::NotAssessed => "has no assessment".to_string(),
                CerqualWarningKind::HighDespiteSerious(components) => format!(
                    "confidence high while {} has serious concerns: CERQual downgrades for concerns; say why it was not in confidence_explanation",
                    d(f, components.join(" and "))
                ),
                CerqualWarningKind::VeryLowWithoutConcerns => {
                    "confidence very low while no component has more than minor concerns: say why it was downgraded in confidence_explanation".to_string()
                }
                CerqualWarningKind::NoExplanation(column) => format!("`{}` is empty", d(f, column)),
                CerqualWarningKind::LimitationsDespiteQuality(of_concern, n) => format!(
                    "methodological limitations of no or very minor concern while {of_concern} of its {n} studies have a declared quality concern"
                ),
            };
            writeln!(f, "  warning: {at}: {says}")?;
        }
        Ok(())
    }

    /// Whether the counts of `search.csv` add up.
    fn write_search(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.search_stages == 0 {
            return Ok(());
        }
        writeln!(f)?;
        writeln!(
            f,
            "Search flow (search.csv, {} stages):",
            self.search_stages
        )?;
        if self.search_findings.iter().all(|f| !f.is_warning()) {
            writeln!(f, "  the counts add up")?;
        }
        for found in &self.search_findings {
            let (stage, line, count) = (d(f, &found.stage), found.line, found.count);
            match found.kind {
                SearchFindingKind::Excluded(came_in, excluded) => writeln!(
                    f,
                    "  warning: stage `{stage}` (search.csv:{line}): {came_in} records came in and {count} went on, so {} were excluded, but `excluded` says {excluded}",
                    came_in - i128::from(count)
                )?,
                SearchFindingKind::MoreThanCameIn(came_in) => writeln!(
                    f,
                    "  warning: stage `{stage}` (search.csv:{line}): {count} records, more than the {came_in} that came in from the stages before it"
                )?,
                SearchFindingKind::LastNotDrawn(came_in) => writeln!(
                    f,
                    "  note: stage `{stage}` (search.csv:{line}): {came_in} came in and {count} went on; no box of excluded records is drawn into the last stage (its count may be of studies, not reports): give `excluded` to draw one"
                )?,
                SearchFindingKind::LastCount(studies, papers) => writeln!(
                    f,
                    "  warning: the last stage, `{stage}` (search.csv:{line}), counts {count}; the dataset has {studies} studies in {papers} papers"
                )?,
            }
        }
        Ok(())
    }

    /// Studies that support no finding, findings with no evidence.
    fn write_links(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_second_papers(f)?;
        if !self.studies_without_findings.is_empty() || !self.findings_without_evidence.is_empty() {
            writeln!(f)?;
            writeln!(f, "Evidence links:")?;
            for (id, author) in &self.studies_without_findings {
                let (id, author) = (d(f, self.keys.studies.text(*id)), d(f, author));
                writeln!(
                    f,
                    "  warning: study {id} ({author}) supports no finding, yet counts in every FES denominator"
                )?;
            }
            for (id, name) in &self.findings_without_evidence {
                let (id, name) = (d(f, self.keys.findings.text(*id)), d(f, name));
                writeln!(
                    f,
                    "  warning: finding {id} \"{name}\" has no evidence (FES 0)"
                )?;
            }
        }
        if !self.quoted_unlinked.is_empty() {
            writeln!(f)?;
            writeln!(f, "Extracts:")?;
            for (finding, study, n) in &self.quoted_unlinked {
                let finding = d(f, self.keys.findings.text(*finding));
                let study = d(f, self.keys.studies.text(*study));
                writeln!(
                    f,
                    "  warning: extracts.csv quotes finding {finding} in study {study} ({}), which evidence.csv does not link: a link removed when the coders reconciled? FES counts evidence.csv",
                    crate::words::count_of(*n, "passage", "passages")
                )?;
            }
        }
        Ok(())
    }

    /// Studies that may be one study reported twice.
    fn write_second_papers(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.maybe_one_study.is_empty() {
            return Ok(());
        }
        writeln!(f)?;
        writeln!(f, "Studies:")?;
        for m in &self.maybe_one_study {
            let (a, b) = (
                self.keys.studies.text(m.first),
                self.keys.studies.text(m.second),
            );
            writeln!(
                f,
                "  warning: studies {} and {} may be one study in two papers (first author {}, {} and {}, both titled with `{}`): if so, make the second a paper of the first (papers.csv, or a `study:` keyword on import)",
                d(f, a),
                d(f, b),
                d(f, &m.author),
                m.years.0,
                m.years.1,
                d(f, &m.word)
            )?;
        }
        Ok(())
    }

    /// Stored columns left out because metasum computes them, and
    /// descriptions of no column.
    fn write_ignored(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for column in &self.undescribed {
            writeln!(f)?;
            writeln!(
                f,
                "warning: dataset.toml: [columns] `{}` describes no column of studies.csv or findings.csv (a typo, or a column since renamed?)",
                d(f, column)
            )?;
        }
        for (file, column) in &self.ignored_columns {
            writeln!(f)?;
            let (file, column) = (d(f, file), d(f, column));
            writeln!(
                f,
                "note: {file}: column `{column}` is computed by metasum; the stored values were left out"
            )?;
        }
        Ok(())
    }

    /// How many warnings.
    fn write_footer(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        match self.warnings() {
            0 => writeln!(f, "no warnings"),
            1 => writeln!(f, "1 warning"),
            n => writeln!(f, "{n} warnings"),
        }
    }
}
