//! `metasum worksheet FINDING`: what a GRADE-CERQual worksheet shows of one
//! finding (iSoQ shows it on screen), as a Markdown document to keep: the
//! finding, what supports it (`profile`), its contributing studies with
//! their quality and characteristics, and the stored judgements, if any.
//! Every figure comes from the statements a reviewer would run.

use std::fmt::Write;

use polars::prelude::*;

use crate::present::format::{Format, cell_texts, markdown_text as md, render};
use crate::review::dataset::extracts::WHOLE_SOURCE;
use crate::review::dataset::{Assessment, COMPONENTS, keys::Resolved};
use crate::{Dataset, QueryResult, Session};

/// The worksheet of the finding written `finding` (as the dataset writes
/// its ids), as Markdown; an error naming the findings when there is no
/// such finding.
pub fn worksheet(session: &mut Session, finding: &str) -> crate::Result<String> {
    let (id, written, value) = finding_id(session, finding)?;
    let profile = rows(session, &format!("profile where id = {value}"))?;
    let studies = rows(session, &format!("studies where findings has {value}"))?;
    let statement = format!("extracts where finding = {value}");
    let extracts = match session.dataset().extracts.is_empty() {
        true => None,
        false => Some(rows(session, &statement)?),
    };
    let ds = session.dataset();
    let (names, values) = cell_texts(&profile)?;
    let cell = |name: &str| -> String {
        (names.iter().position(|n| n == name))
            .and_then(|i| values.first().map(|row| row[i].clone()))
            .unwrap_or_default()
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Worksheet: finding {}\n", md(&written));
    let _ = writeln!(out, "**{}**\n", md(&cell("name")));
    if let Some(group) = &ds.meta.group_by {
        // The group as its label says, with its code: `Perspective: People
        // in recovery experiences (recipient)`.
        let code = cell(group);
        let label = (ds.meta.groups.iter())
            .find(|(c, _)| *c == code)
            .map_or(md(&code), |(_, l)| format!("{} ({})", md(l), md(&code)));
        let _ = writeln!(out, "{}: {label}\n", md(&sentence_case(group)));
    }
    let assessment = (ds.cerqual.iter().flatten()).find(|a| a.finding == id);
    if let Some(a) = assessment.filter(|a| !a.summary.is_empty()) {
        let _ = writeln!(out, "Summarised review finding: {}\n", md(&a.summary));
    }
    out.push_str("## What supports it\n\n");
    let _ = writeln!(
        out,
        "From `profile`: FES is the percent of all {} studies that contain the finding; `fes_without_concerns` leaves out the studies of declared quality concern.\n",
        ds.studies.height()
    );
    let support: Vec<(String, String)> = (names.iter().zip(values.first().into_iter().flatten()))
        .filter(|(n, _)| !ds.meta.finding_lead().contains(&n.as_str()))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    out.push_str(&two_columns(("measure", "value"), &support)?);
    let _ = writeln!(
        out,
        "\n## Contributing studies ({})\n",
        studies.frame.height()
    );
    // Each study's stored characteristics; what it contributes elsewhere
    // (its other findings, its intensity) is not this finding's.
    let shown = QueryResult {
        frame: studies.frame.drop_many(["n", "intensity", "findings"]),
        ..studies
    };
    out.push_str(&crate::present::format::render_result(
        &shown,
        Format::Markdown,
    )?);
    if let Some(extracts) = &extracts {
        extracts_section(&mut out, &statement, extracts)?;
    }
    out.push_str("\n## GRADE-CERQual assessment\n\n");
    cerqual_section(&mut out, ds, assessment)?;
    Ok(out)
}

/// The coded passages that support the finding, each quoted with where it
/// is and who coded it: the illustrations an assessment cites.
fn extracts_section(
    out: &mut String,
    statement: &str,
    extracts: &QueryResult,
) -> crate::Result<()> {
    let (names, values) = cell_texts(extracts)?;
    let _ = writeln!(out, "\n## Extracts ({})\n", values.len());
    let _ = writeln!(
        out,
        "The coded passages that support it (`{statement}`), as the QDA project quotes them.\n"
    );
    let at = |row: &[String], name: &str| {
        (names.iter().position(|n| n == name)).map_or(String::new(), |i| row[i].clone())
    };
    for row in &values {
        let quote = at(row, "quote");
        let quote = match quote.trim() {
            "" if at(row, "place") == WHOLE_SOURCE => "(the source as a whole)".to_string(),
            "" => "(no text: see where it is)".to_string(),
            q => q.lines().map(md).collect::<Vec<_>>().join("\n> "),
        };
        let coder = match at(row, "coder") {
            c if c.is_empty() => String::new(),
            c => format!("; coded by {}", md(&c)),
        };
        let _ = writeln!(
            out,
            "> {quote}\n\n— paper {} (study {}), {}{coder}\n",
            md(&at(row, "paper")),
            md(&at(row, "study")),
            md(&at(row, "place"))
        );
    }
    Ok(())
}

/// The finding written `finding`: its id, the id as the review writes it,
/// and as a query writes it (a number, or quoted text); an error naming
/// the first findings when there is none.
fn finding_id(session: &Session, finding: &str) -> crate::Result<(i64, String, String)> {
    let keys = &session.dataset().keys.findings;
    // Named as a query names it: in any case when one id is spelt so.
    let id = match keys.named(finding.trim()) {
        Resolved::Id(id) if has_finding(session, id)? => id,
        _ => {
            return Err(crate::Error::Output(format!(
                "no finding is `{finding}` (findings: {})",
                first_findings(session)?
            )));
        }
    };
    let written = keys.text(id);
    let value = if keys.is_text() {
        format!("\"{}\"", written.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        written.clone()
    };
    Ok((id, written, value))
}

/// The finding's GRADE-CERQual judgements, or why there are none.
fn cerqual_section(
    out: &mut String,
    ds: &Dataset,
    assessment: Option<&Assessment>,
) -> crate::Result<()> {
    match (&ds.cerqual, assessment) {
        (None, _) => out.push_str(
            "This dataset has no cerqual.csv: no judgement is stored (see docs/DATASET.md).\n",
        ),
        (Some(_), None) => out.push_str("Not assessed: cerqual.csv has no row for this finding.\n"),
        (Some(_), Some(a)) => {
            let judgements: Vec<(String, String, String)> = (COMPONENTS.iter().zip(&a.components))
                .map(|((_, name), j)| {
                    (
                        name.to_string(),
                        j.level.code().into(),
                        j.explanation.clone(),
                    )
                })
                .collect();
            out.push_str(&three_columns(&judgements)?);
            let why = match a.confidence.explanation.trim() {
                "" => "Not explained yet (confidence_explanation is empty).".to_string(),
                said => md(said),
            };
            let _ = writeln!(
                out,
                "\nOverall confidence: **{}**. {why}",
                a.confidence.level.code(),
            );
        }
    }
    Ok(())
}

/// Whether the dataset has the finding `id`.
fn has_finding(session: &Session, id: i64) -> crate::Result<bool> {
    let ids = session
        .dataset()
        .findings
        .column("id")?
        .cast(&DataType::Int64)?;
    Ok(ids.i64()?.iter().any(|x| x == Some(id)))
}

/// The rows of `statement`.
fn rows(session: &mut Session, statement: &str) -> crate::Result<QueryResult> {
    session.rows_of_text(statement, "worksheet")
}

/// The first findings' ids, for an error that names what exists.
fn first_findings(session: &Session) -> crate::Result<String> {
    let ds = session.dataset();
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    let mut shown: Vec<String> = (ids.i64()?.iter().flatten().take(10))
        .map(|id| ds.keys.findings.text(id))
        .collect();
    if ds.findings.height() > 10 {
        shown.push("...".into());
    }
    Ok(shown.join(", "))
}

/// A Markdown table of two text columns.
fn two_columns(names: (&str, &str), rows: &[(String, String)]) -> crate::Result<String> {
    let (a, b): (Vec<String>, Vec<String>) = rows.iter().cloned().unzip();
    let frame = DataFrame::new(
        rows.len(),
        vec![
            Column::new(names.0.into(), a),
            Column::new(names.1.into(), b),
        ],
    )?;
    render(&frame, Format::Markdown)
}

/// The judgements as a Markdown table: component, concerns, explanation.
fn three_columns(rows: &[(String, String, String)]) -> crate::Result<String> {
    let column = |name: &str, pick: fn(&(String, String, String)) -> String| {
        Column::new(name.into(), rows.iter().map(pick).collect::<Vec<String>>())
    };
    let frame = DataFrame::new(
        rows.len(),
        vec![
            column("component", |r| r.0.clone()),
            column("concerns", |r| r.1.clone()),
            column("explanation", |r| r.2.clone()),
        ],
    )?;
    render(&frame, Format::Markdown)
}

/// `name` with its first letter a capital, as a label begins a line.
fn sentence_case(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
