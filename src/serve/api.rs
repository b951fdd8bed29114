//! The JSON API (docs/SERVE.md), what the page and R or Python call:
//! `POST /api/query` runs a statement or script as the shell does (`let`
//! names kept for later requests); `GET /api/overview` describes the
//! review; `POST /api/complete` offers what may come next; `GET
//! /api/scripts` lists the saved scripts; `GET /api/worksheet?finding=ID`
//! gives a finding's worksheet; `POST /api/download` gives one result of
//! a script as a file.

use metasum_engine::format::{Format, cell_texts, render_result};
use metasum_engine::{Outcome, QueryResult};
use serde_json::{Value, json};

use super::Shared;
use super::http::{Request, Response};
use super::run::{Done, Failed, Ran, run, run_until};
use super::scripts::scripts;

/// The most rows of one result sent as JSON; the page says how many more
/// there are, and a download holds them all.
pub const MAX_ROWS: usize = 100_000;

/// A handler of one route.
type Handler = fn(&Shared, &Request) -> Response;

/// Each route of the API: its method, path and handler.
const ROUTES: [(&str, &str, Handler); 6] = [
    ("POST", "/api/query", query),
    ("GET", "/api/overview", overview),
    ("POST", "/api/complete", complete),
    ("GET", "/api/scripts", saved_scripts),
    ("GET", "/api/worksheet", super::page::worksheet),
    ("POST", "/api/download", super::page::download),
];

/// The answer to an authorised request for `/api/...`.
pub fn route(shared: &Shared, request: &Request) -> Response {
    let mut paths = ROUTES.iter().filter(|(_, path, _)| *path == request.path);
    match paths.find(|(method, ..)| *method == request.method) {
        Some((_, _, handler)) => handler(shared, request),
        None if ROUTES.iter().any(|(_, path, _)| *path == request.path) => {
            Response::error(405, "not with this method")
        }
        None => Response::error(404, "no such page"),
    }
}

/// The text field `name` of a JSON body, or the answer that says what
/// was expected.
pub fn json_field(body: &[u8], name: &str) -> Result<(String, Value), Response> {
    let expected = || Response::error(400, &format!("expected JSON: {{\"{name}\": \"...\"}}"));
    let value: Value = serde_json::from_slice(body).map_err(|_| expected())?;
    let text = value
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(expected)?;
    Ok((text.to_string(), value))
}

/// `{"query": TEXT}`: each statement's result, or the errors with their
/// place and the results of the statements before them (200 either way;
/// 503 when statements ran too long).
fn query(shared: &Shared, request: &Request) -> Response {
    let text = match json_field(&request.body, "query") {
        Ok((text, _)) => text,
        Err(response) => return response,
    };
    let started = std::time::Instant::now();
    let ran = run(shared, &text, true);
    let took = started.elapsed();
    // Names are kept only when every statement ran.
    let kept = ran.failed.is_none();
    let results: Vec<Value> = ran.done.iter().map(|d| result(&text, d, kept)).collect();
    // The server's time for the statements (waiting for a slot, the
    // session's clone, parsing and running), for benchmarks
    // (bench/serve.py) and a browser's network panel.
    let timing = format!("run;dur={:.3}", took.as_secs_f64() * 1000.0);
    match &ran.failed {
        None => Response::json(200, json!({ "results": results }).to_string())
            .with_header("Server-Timing", timing),
        Some(why) => {
            // A statement that does not parse or run is an answer, not a
            // failed request (a browser logs every 4xx as an error): only
            // a server too busy to run it says so in its status.
            let (status, errors) = errors(&text, why);
            let status = if status == 503 { 503 } else { 200 };
            let body = json!({ "results": results, "errors": errors });
            Response::json(status, body.to_string())
        }
    }
}

/// The status and located errors of a request that stopped before its
/// end.
pub fn errors(text: &str, why: &Failed) -> (u16, Vec<Value>) {
    // Characters, not bytes: what a page or R counts.
    let chars = |byte: usize| text.get(..byte).map_or(0, |t| t.chars().count());
    let located = |span: metasum_query::Span, message: String, label: String, hints: &[String]| {
        let (line, column) = span.line_col(text);
        json!({"message": message, "line": line, "column": column,
               "start": chars(span.start), "end": chars(span.end), "label": label, "hints": hints})
    };
    match why {
        Failed::Parse(errors, more) => {
            let mut errors: Vec<Value> = (errors.iter())
                .map(|e| located(e.span, e.message(), e.label(), &e.hints))
                .collect();
            if *more > 0 {
                let message = format!("and {more} more errors");
                errors.push(json!({ "message": message }));
            }
            (400, errors)
        }
        Failed::Run {
            span,
            message,
            hints,
        } => (
            400,
            vec![located(*span, message.clone(), String::new(), hints)],
        ),
        Failed::TimedOut(limit) => {
            let message = format!(
                "the statements ran longer than {} s and were stopped (serve --timeout SECONDS allows longer)",
                limit.as_secs()
            );
            (503, vec![json!({ "message": message })])
        }
        Failed::Busy => {
            let message = "the server is busy with other statements: try again shortly";
            (503, vec![json!({ "message": message })])
        }
    }
}

/// One statement's result as JSON: its text and line, the file its
/// `save` names, and its rows (at most [`MAX_ROWS`]), figure or name
/// (and whether the name is `kept`).
fn result(text: &str, done: &Done, kept: bool) -> Value {
    let span = done.statement.span;
    let mut value = json!({
        "statement": crate::kept::statement_text(text, &done.statement),
        "line": span.line_col(text).0,
        "save": done.statement.save.as_ref().map(|s| s.path.clone()),
    });
    let fields = match &done.outcome {
        Outcome::Rows(result) => rows(result),
        Outcome::Figure(svg) => json!({ "svg": svg }),
        Outcome::Bound(name) => json!({ "bound": name, "kept": kept }),
    };
    if let (Some(value), Value::Object(fields)) = (value.as_object_mut(), fields) {
        value.extend(fields);
    }
    value
}

/// A result's rows (at most [`MAX_ROWS`]) twice: as the shell's JSON
/// writes them (ids as the review writes them, FES to one decimal), for
/// sorting and for R and Python, and as the text each cell shows in the
/// shell (`44.0`, lists joined with ", "), for the page; with the columns
/// in order and the count of all rows.
fn rows(result: &QueryResult) -> Value {
    let total = result.frame.height();
    let shown = QueryResult {
        frame: result.frame.head(Some(MAX_ROWS)),
        ..result.clone()
    };
    let rendered = render_result(&shown, Format::Json).unwrap_or_else(|_| "[]".into());
    let rows: Value = serde_json::from_str(&rendered).unwrap_or(Value::Null);
    let (columns, cells) = cell_texts(&shown).unwrap_or_default();
    json!({"table": result.kind.name(), "columns": columns, "rows": rows, "cells": cells,
           "total": total, "notes": result.notes})
}

/// The review: its title, citation and origin, each table with its rows,
/// the `check` report, and what a result can be downloaded as.
fn overview(shared: &Shared, _: &Request) -> Response {
    let Ok(session) = shared.session.lock().map(|s| s.clone()) else {
        return Response::error(500, "the session failed");
    };
    let ds = session.dataset();
    let tables: Vec<Value> = (metasum_query::ast::TABLES.iter())
        .filter_map(|source| {
            let kind = metasum_engine::table::TableKind::of_source(source)?;
            let rows = metasum_engine::registry::rows(ds, kind);
            Some(json!({"name": source.name(), "rows": rows}))
        })
        .collect();
    let check = shared
        .check
        .get_or_init(|| match metasum_engine::check::check(ds) {
            Ok(report) => json!({"warnings": report.warnings(), "text": report.to_string()}),
            Err(e) => json!({"error": e.to_string()}),
        });
    let downloads = json!({
        "rows": crate::target::download_extensions(false),
        "figure": crate::target::download_extensions(true),
    });
    Response::json(
        200,
        json!({"title": ds.meta.title, "citation": ds.meta.citation, "origin": ds.origin,
               "tables": tables, "check": check, "downloads": downloads})
        .to_string(),
    )
}

/// The most characters of text completion reads.
const MAX_COMPLETE: usize = 64 * 1024;

/// The most line breaks [`statement_start`] looks back over: each asks
/// the parser whether the text before it is whole.
const MAX_LOOK_BACK: usize = 200;

/// `{"text": TEXT, "at": N}`: what may come at character `at` of `text`
/// (the end when left out), as the shell's Tab offers it for the
/// statement there (no dot command: the page runs none): the character
/// the completed word starts at, and the words.
fn complete(shared: &Shared, request: &Request) -> Response {
    let (text, value) = match json_field(&request.body, "text") {
        Ok(field) => field,
        Err(response) => return response,
    };
    let length = text.chars().count();
    if length > MAX_COMPLETE {
        return Response::error(400, "completion reads at most 65,536 characters");
    }
    let at = match value.get("at") {
        None | Some(Value::Null) => length,
        Some(at) => match at.as_u64() {
            Some(n) if n as usize <= length => n as usize,
            _ => return Response::error(400, "`at` is a character of the text, from 0"),
        },
    };
    // The page counts characters; completion works in bytes.
    let byte = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
    let from = statement_start(&text, byte);
    let Ok(helper) = shared.helper.lock() else {
        return Response::error(500, "completion failed");
    };
    let (start, words) = helper.candidates(&text[from..], byte - from);
    let words: Vec<String> = words.into_iter().filter(|w| !w.starts_with('.')).collect();
    let start = text[..from + start].chars().count();
    Response::json(200, json!({ "start": start, "words": words }).to_string())
}

/// Where the statement that `byte` is in starts: after the last line
/// break before it that ends a whole statement and is followed by a line
/// that is not indented (an indented line continues a statement, as in a
/// script).
fn statement_start(text: &str, byte: usize) -> usize {
    let before = &text[..byte];
    (before.match_indices('\n').rev())
        .take(MAX_LOOK_BACK)
        .map(|(i, _)| i)
        .find(|&i| {
            let next = before[i + 1..].chars().next();
            next.is_none_or(|c| !c.is_whitespace()) && !metasum_query::is_incomplete(&before[..i])
        })
        .map_or(0, |i| i + 1)
}

/// The saved scripts: each one's name, title and text.
fn saved_scripts(shared: &Shared, _: &Request) -> Response {
    let (found, problems) = scripts(shared.scripts.as_deref());
    let found: Vec<Value> = (found.iter())
        .map(|s| json!({"name": s.name, "title": s.title, "text": s.text}))
        .collect();
    Response::json(
        200,
        json!({ "scripts": found, "problems": problems }).to_string(),
    )
}

/// The `index`th result of `text`'s statements (from 0; the last
/// result when `None`), for callers that need it whole (downloads), the
/// statements after it not run; the answer that says why not when there
/// is none. A statement before one that fails still gives its result.
pub fn outcome(
    shared: &Shared,
    text: &str,
    index: Option<usize>,
    deadline: std::time::Instant,
) -> Result<Done, Response> {
    let Ran { mut done, failed } = run_until(shared, text, false, index, deadline);
    let refused = |status: u16, errors: Vec<Value>| {
        Response::json(status, json!({ "errors": errors }).to_string())
    };
    match (index, failed) {
        (Some(i), _) if i < done.len() => Ok(done.swap_remove(i)),
        (_, Some(why)) => {
            let (status, errors) = errors(text, &why);
            Err(refused(status, errors))
        }
        (Some(_), None) => Err(Response::error(400, "no statement there")),
        (None, None) => (done.into_iter())
            .rfind(|d| !matches!(d.outcome, Outcome::Bound(_)))
            .ok_or_else(|| Response::error(400, "no result to download")),
    }
}

#[cfg(test)]
mod tests {
    use super::statement_start;

    #[test]
    fn completion_reads_the_statement_the_caret_is_in() {
        fn at_end(text: &str) -> &str {
            &text[statement_start(text, text.len())..]
        }
        assert_eq!(at_end("studies\nfi"), "fi");
        assert_eq!(at_end("studies\n  where"), "studies\n  where");
        assert_eq!(
            at_end("findings among (studies\nwhere"),
            "findings among (studies\nwhere"
        );
        assert_eq!(at_end("a\nb\nfindings wh"), "findings wh");
        assert_eq!(at_end("findings wh"), "findings wh");
    }
}
