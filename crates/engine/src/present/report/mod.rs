//! `metasum report`: the whole review as one self-contained HTML page, to
//! send to co-authors or submit as supplementary material: the dataset's
//! title and citation, Table 1 (studies), Table 2 (findings by
//! perspective), the figures, the study x finding matrix, the evidence
//! profile and the `check` report. Every table and figure comes from the
//! same statements a reviewer would run (`studies`, `plot fes`, ...).
//!
//! The page loads nothing: its style and its small sorting script are
//! inline, its figures inline SVG, and it holds no link but to its own
//! sections. It is well-formed XML as well as HTML, so tests read it with
//! an XML parser.

use std::fmt::Write;

use polars::prelude::*;

use crate::present::format::{html_table, markup};
use crate::{Outcome, QueryResult, Session};

mod shown;

use shown::Shown;

/// The page's style: screen and print.
const STYLE: &str = include_str!("page.css");
/// Sorting by a column.
const SCRIPT: &str = include_str!("sort.js");

/// One section of the page.
struct Section {
    id: &'static str,
    heading: String,
    body: String,
}

/// The review in `session`'s dataset as an HTML document.
pub fn report(session: &mut Session) -> crate::Result<String> {
    let shown = Shown::of(session);
    let mut sections = vec![
        studies_section(session, &shown)?,
        findings_section(session, &shown)?,
        figures_section(session, &shown)?,
        matrix_section(session, &shown)?,
        profile_section(session, &shown)?,
    ];
    if !session.dataset().extracts.is_empty() {
        sections.push(extracts_section(session, &shown)?);
    }
    if session.dataset().cerqual.is_some() {
        sections.push(cerqual_section(session)?);
    }
    sections.push(references_section(session, &shown)?);
    let mut check = crate::analyses::check::check(session.dataset())?;
    // The review by its name: the machine's folders are no reader's concern.
    check.origin = dataset_name(&check.origin);
    sections.push(Section {
        id: "check",
        heading: "Consistency check".into(),
        body: format!(
            "<p>What <code>metasum check</code> reports: where the dataset disagrees with itself.</p>\n<pre>{}</pre>\n",
            isolated(&markup(&format!("{check:#}")))
        ),
    });
    page(session, &sections)
}

/// The document around `sections`.
fn page(session: &Session, sections: &[Section]) -> crate::Result<String> {
    let ds = session.dataset();
    let title = match ds.meta.title.trim() {
        "" => "Qualitative metasummary",
        t => t,
    };
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"metasum {}\"/>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "<title>{}</title>", markup(title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>\n<header>");
    let _ = writeln!(out, "<h1>{}</h1>", markup(title));
    if !ds.meta.citation.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"citation\">{}</p>",
            markup(&ds.meta.citation)
        );
    }
    let _ = writeln!(
        out,
        "<p>{}, {}, {} and {} evidence links.</p>",
        count(ds.studies.height(), "study", "studies"),
        count(ds.papers.height(), "paper", "papers"),
        count(
            ds.findings.height(),
            "abstracted finding",
            "abstracted findings"
        ),
        ds.links()?.height()
    );
    out.push_str("<nav aria-label=\"Contents\">\n<ol>\n");
    for s in sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            markup(&s.heading)
        );
    }
    out.push_str("</ol>\n</nav>\n</header>\n<main>\n");
    for s in sections {
        let _ = writeln!(
            out,
            "<section id=\"{id}\" aria-labelledby=\"{id}-heading\">\n<h2 id=\"{id}-heading\">{}</h2>\n{}</section>",
            markup(&s.heading),
            s.body,
            id = s.id
        );
    }
    let _ = writeln!(
        out,
        "</main>\n<footer>\n<p class=\"made\">Made by metasum {} from {}. FES: the percent of all studies whose findings contain the finding (papers of one study count once); intensity: the percent of all findings a study contains.</p>\n</footer>",
        env!("CARGO_PKG_VERSION"),
        markup(&dataset_name(&ds.origin))
    );
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    Ok(out)
}

/// Text whose data the check report set between the Unicode isolates FSI
/// and PDI, with each such piece in `<bdi>`: a finding named right to
/// left (or with a direction override) cannot reorder its sentence. Every
/// FSI and PDI in it is the report's own: the data's are made U+FFFD
/// before they are isolated (`check::report::d`).
fn isolated(text: &str) -> String {
    text.replace('\u{2068}', "<bdi>")
        .replace('\u{2069}', "</bdi>")
}

/// The dataset's folder or workbook by its name, not its path: the page
/// is sent to others, whom the folders of this machine do not concern.
fn dataset_name(origin: &str) -> String {
    // `--data .` names the folder it is: its name, not `.`.
    let path = std::path::Path::new(origin);
    let named = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    named
        .file_name()
        .map_or(origin.to_string(), |n| n.to_string_lossy().into_owned())
}

/// "25 studies", "1 study".
fn count(n: usize, one: &str, more: &str) -> String {
    crate::words::count_of(n, one, more)
}

/// The rows of `statement`.
fn rows(session: &mut Session, statement: &str) -> crate::Result<QueryResult> {
    session.rows_of_text(statement, "report")
}

/// A table that may be wider than the page scrolls on its own.
fn wide(table: &str) -> String {
    format!("<div class=\"wide\">\n{table}</div>\n")
}

/// Table 1: the studies and their characteristics.
fn studies_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let studies = rows(session, &format!("studies{}", shown.studies.clauses()))?;
    let caption = format!(
        "Table 1. Included studies (n = {}) and their characteristics; n: findings the study supports, intensity: their percent of all findings",
        session.dataset().studies.height()
    );
    Ok(Section {
        id: "studies",
        heading: "Studies".into(),
        body: format!(
            "{}{}",
            shown.studies.note(),
            wide(&html_table(&studies, &caption, true)?)
        ),
    })
}

/// Table 3: the study x finding matrix, when a page can show it.
fn matrix_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let body = match &shown.matrix {
        Ok(()) => wide(&html_table(
            &rows(session, "matrix")?,
            "Table 3. Studies (columns) containing each finding (rows): X where the study supports it; the last rows give each study's number of findings and intensity",
            false,
        )?),
        Err(note) => note.clone(),
    };
    Ok(Section {
        id: "matrix",
        heading: "Study x finding matrix".into(),
        body,
    })
}

/// Table 2: the findings, a table per group (the review's grouping
/// column) or one table when it groups none, with n and FES.
fn findings_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let meta = &session.dataset().meta;
    let group = meta.group_by.clone();
    let lead: Vec<String> = (meta.matrix_lead().into_iter())
        .map(|c| metasum_query::ast::column_text(c).into_owned())
        .collect();
    let (lists, lists_note) = study_lists(session, shown)?;
    let columns = lead.join(", ") + if lists { ", studies" } else { "" };
    let statement = format!("findings{} show {columns}", shown.findings.clauses());
    let findings = rows(session, &statement)?;
    let studies = session.dataset().studies.height();
    let of_studies = format!(
        "with the number of studies supporting each (n) and its frequency effect size (FES, percent of the {studies} studies)"
    );
    let notes = format!("{}{lists_note}", shown.findings.note());
    let Some(group) = group else {
        let caption = format!(
            "Table 2. Abstracted findings ({})",
            count(findings.frame.height(), "finding", "findings")
        );
        let body = format!("<p>Abstracted findings, {of_studies}.</p>\n{notes}")
            + &html_table(&findings, &caption, true)?;
        return Ok(findings_body(body));
    };
    let codes = findings.frame.column(&group)?.cast(&DataType::String)?;
    let mut groups: Vec<String> = Vec::new();
    for code in codes.str()?.iter().flatten() {
        if !groups.iter().any(|g| g == code) {
            groups.push(code.to_string());
        }
    }
    let labels = session.dataset().meta.groups.clone();
    let mut body = format!(
        "<p>Abstracted findings grouped by {}, {of_studies}.</p>\n{notes}",
        markup(&group)
    );
    for (k, code) in groups.iter().enumerate() {
        let label = (labels.iter())
            .find(|(c, _)| c == code)
            .map_or(code.clone(), |(_, l)| l.clone());
        let frame = (findings.frame.clone().lazy())
            .filter(
                col(group.as_str())
                    .cast(DataType::String)
                    .eq(lit(code.as_str())),
            )
            .select(
                ["id", "name", "n", "fes", "studies"]
                    .into_iter()
                    .filter(|c| lists || *c != "studies")
                    .map(col)
                    .collect::<Vec<_>>(),
            )
            .collect()?;
        let part = QueryResult {
            kind: findings.kind,
            frame,
            notes: Vec::new(),
        };
        let caption = format!(
            "Table 2.{}. {label} ({})",
            k + 1,
            count(part.frame.height(), "finding", "findings")
        );
        body.push_str(&html_table(&part, &caption, true)?);
    }
    Ok(findings_body(body))
}

/// Whether Table 2 lists each finding's studies, and the note when it
/// does not: the findings it shows hold too many links (counted only when
/// the review has that many links in all).
fn study_lists(session: &mut Session, shown: &Shown) -> crate::Result<(bool, String)> {
    let all = session.dataset().links()?.height() as i64;
    if Shown::lists_studies(all) {
        return Ok((true, String::new()));
    }
    let counts = rows(
        session,
        &format!("findings{} show n", shown.findings.clauses()),
    )?;
    let links = counts.frame.column("n")?.i64()?.sum().unwrap_or(0);
    if Shown::lists_studies(links) {
        return Ok((true, String::new()));
    }
    Ok((
        false,
        format!(
            "<p class=\"note\">The table leaves out which studies support each finding: {links} evidence links in all. They are in <code>findings show id, studies save \"findings.csv\"</code>.</p>\n"
        ),
    ))
}

/// The findings section around its `body`.
fn findings_body(body: String) -> Section {
    Section {
        id: "findings",
        heading: "Findings".into(),
        body,
    }
}

/// The figures: FES, the matrix (when the page shows it), the
/// sensitivity when quality concerns are declared, the search flow when
/// the dataset has one; of the findings Table 2 shows.
fn figures_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let ds = session.dataset();
    let (of_findings, each, query) = match shown.findings.clauses().as_str() {
        "" => (
            "each abstracted finding",
            "Each finding's FES",
            String::new(),
        ),
        clauses => (
            "each abstracted finding Table 2 shows",
            "The FES of each finding Table 2 shows",
            format!(" findings{clauses}"),
        ),
    };
    let fes = match &ds.meta.group_by {
        Some(group) => {
            format!("Frequency effect size (FES) of {of_findings}, grouped by {group}.")
        }
        None => format!("Frequency effect size (FES) of {of_findings}."),
    };
    // Each figure, the query it draws (after `plot NAME`) and its caption.
    let mut figures = vec![("fes", query.as_str(), fes)];
    if shown.matrix.is_ok() {
        figures.push((
            "matrix",
            "",
            "Studies (columns) containing each abstracted finding (rows).".to_string(),
        ));
    }
    if crate::analyses::profile::quality_note(ds).is_none() {
        figures.push((
            "sensitivity",
            query.as_str(),
            format!("{each} with all studies (filled dot) and without the studies of declared quality concern (open dot)."),
        ));
    }
    if !ds.search.is_empty() {
        figures.push((
            "flow",
            "",
            "Search and selection of the studies.".to_string(),
        ));
    }
    let mut body = String::new();
    for (k, (figure, of, caption)) in figures.into_iter().enumerate() {
        let statement = format!("plot {figure}{of}");
        let Outcome::Figure(svg) = session.execute_text(&statement, "report")? else {
            continue;
        };
        let id = format!("figure-{figure}");
        // The figure is an image named by its caption; its texts stay
        // selectable.
        let svg = svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-labelledby=\"{id}-caption\" "),
            1,
        );
        let _ = writeln!(
            body,
            "<figure id=\"{id}\">\n<div class=\"wide\">\n{svg}</div>\n<figcaption id=\"{id}-caption\">Figure {}. {}</figcaption>\n</figure>",
            k + 1,
            markup(&caption)
        );
    }
    Ok(Section {
        id: "figures",
        heading: "Figures".into(),
        body,
    })
}

/// The GRADE-CERQual tables, when the dataset has its assessments.
fn cerqual_section(session: &mut Session) -> crate::Result<Section> {
    let soqf = rows(session, "soqf")?;
    let profile = rows(session, "evidence_profile")?;
    let mut body = String::from(
        "<p>The reviewers' GRADE-CERQual judgements (cerqual.csv): the confidence in each review finding and the concerns about its four components.</p>\n",
    );
    // The findings the reviewers have not assessed, said rather than left
    // out of the tables without a word.
    let assessed: std::collections::HashSet<i64> = (session.dataset().cerqual.iter().flatten())
        .map(|a| a.finding)
        .collect();
    let ds = session.dataset();
    let ids = ds.findings.column("id")?.cast(&DataType::Int64)?;
    let missing: Vec<i64> = (ids.i64()?.iter().flatten())
        .filter(|id| !assessed.contains(id))
        .collect();
    if !missing.is_empty() {
        // Named up to a hundred: an evidence map assessed in part would
        // otherwise list thousands.
        let mut named: Vec<String> = (missing.iter().take(100))
            .map(|id| ds.keys.findings.text(*id))
            .collect();
        if missing.len() > named.len() {
            named.push(format!("and {} more", missing.len() - named.len()));
        }
        let _ = writeln!(
            body,
            "<p class=\"note\">Not assessed: {} ({}).</p>",
            count(missing.len(), "finding", "findings"),
            markup(&named.join(", "))
        );
    }
    body.push_str(&wide(&html_table(
        &soqf,
        "Table 5. Summary of Qualitative Findings (SoQF)",
        true,
    )?));
    body.push_str(&wide(&html_table(
        &profile,
        "Table 6. GRADE-CERQual Evidence Profile",
        true,
    )?));
    Ok(Section {
        id: "cerqual",
        heading: "GRADE-CERQual".into(),
        body,
    })
}

/// The evidence profile, with what a reader must know of it.
fn profile_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let profile = rows(session, &format!("profile{}", shown.profile.clauses()))?;
    let mut body = String::from(
        "<p>What supports each finding (GRADE-CERQual's adequacy and methodological limitations): its studies' participants and countries, the share of its studies of declared quality concern, and its FES without them.</p>\n",
    );
    body.push_str(shown.profile.note());
    let meta = &session.dataset().meta;
    let groups: Vec<String> = (meta.participant_groups().into_iter())
        .filter(|g| profile.frame.column(g).is_ok())
        .map(|g| match meta.counts_whom(g) {
            Some(whom) => format!("{g}: {whom}"),
            None => g.to_string(),
        })
        .collect();
    if !groups.is_empty() {
        let _ = writeln!(
            body,
            "<p>Participants summed over each finding's studies (a study that reported no count adds nothing): {}.</p>",
            markup(&groups.join("; "))
        );
    }
    for note in &profile.notes {
        let _ = writeln!(body, "<p class=\"note\">Note: {}</p>", markup(note));
    }
    body.push_str(&wide(&html_table(
        &profile,
        "Table 4. What supports each finding: its studies' participants and countries, and its studies of declared quality concern",
        true,
    )?));
    Ok(Section {
        id: "profile",
        heading: "Support for each finding".into(),
        body,
    })
}

/// The coded passages that support each finding (from a QDA project), by
/// finding: the quotes a review cites.
fn extracts_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let extracts = rows(session, &shown.extracts.sorted("extracts", "finding"))?;
    let mut body = String::from(
        "<p>The coded passages that support each finding, as the reviewers' QDA project quotes them (extracts.csv): where each is in its paper and who coded it.</p>\n",
    );
    body.push_str(shown.extracts.note());
    body.push_str(&wide(&html_table(
        &extracts,
        "Table 7. Extracts: the passages of the papers coded with each finding",
        true,
    )?));
    Ok(Section {
        id: "extracts",
        heading: "Extracts".into(),
        body,
    })
}

/// The included papers as the review cites them, in order, each with its
/// study: the reference list of a supplement.
fn references_section(session: &mut Session, shown: &Shown) -> crate::Result<Section> {
    let papers = rows(session, &shown.papers.sorted("papers", "citation"))?;
    let citations = papers.frame.column("citation")?.cast(&DataType::String)?;
    let studies = papers.frame.column("study")?.cast(&DataType::String)?;
    let mut body = format!(
        "<p>The {} the review includes, as it cites them, each with the study it reports.</p>\n{}<ol class=\"references\">\n",
        count(session.dataset().papers.height(), "paper", "papers"),
        shown.papers.note()
    );
    for (citation, study) in citations.str()?.iter().zip(studies.str()?.iter()) {
        let _ = writeln!(
            body,
            "<li>{} <span class=\"study\">(study {})</span></li>",
            markup(citation.unwrap_or_default()),
            markup(study.unwrap_or_default())
        );
    }
    body.push_str("</ol>\n");
    Ok(Section {
        id: "references",
        heading: "Included papers".into(),
        body,
    })
}
