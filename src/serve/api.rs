//! The JSON API (docs/SERVE.md): `POST /api/query` runs a
//! statement or script, as the shell does, `let` names kept for the
//! session; `GET /api/tables` lists the tables with their row counts.

use std::sync::Mutex;

use metasum_engine::format::{Format, render_result};
use metasum_engine::{Outcome, Session};
use serde_json::{Value, json};

use super::http::{Request, Response};

/// The answer to an authorised `request`.
pub fn route(session: &Mutex<Session>, request: &Request) -> Response {
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/api/query") => query(session, &request.body),
        ("GET", "/api/tables") => tables(session),
        (_, "/api/query" | "/api/tables") => Response::error(405, "not with this method"),
        _ => Response::error(404, "no such page"),
    }
}

/// `{"query": TEXT}`: each statement's result, or the errors with their
/// place.
fn query(session: &Mutex<Session>, body: &[u8]) -> Response {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v.get("query").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => return Response::error(400, "expected {\"query\": \"...\"}"),
        },
        Err(_) => return Response::error(400, "expected JSON: {\"query\": \"...\"}"),
    };
    let script = match metasum_query::parse(&text) {
        Ok(script) => script,
        Err(errors) => {
            let errors: Vec<Value> = (errors.iter())
                .map(|e| {
                    let (line, column) = e.span.line_col(&text);
                    json!({"message": e.message(), "line": line, "column": column, "start": e.span.start, "end": e.span.end})
                })
                .collect();
            return Response::json(400, json!({ "errors": errors }).to_string());
        }
    };
    let Ok(mut session) = session.lock() else {
        return Response::error(500, "the session failed");
    };
    let mut results = Vec::new();
    for statement in &script.statements {
        let outcome = match session.execute(statement) {
            Ok(outcome) => outcome,
            Err(e) => {
                let (line, column) = statement.span.line_col(&text);
                let error = json!({"message": e.to_string(), "line": line, "column": column});
                return Response::json(
                    400,
                    json!({ "results": results, "errors": [error] }).to_string(),
                );
            }
        };
        results.push(match outcome {
            Outcome::Rows(result) => {
                let rendered = render_result(&result, Format::Json).unwrap_or_else(|_| "[]".into());
                let rows: Value = serde_json::from_str(&rendered).unwrap_or(Value::Null);
                json!({"table": result.kind.name(), "rows": rows, "notes": result.notes})
            }
            Outcome::Figure(svg) => json!({ "svg": svg }),
            Outcome::Bound(name) => json!({ "bound": name }),
        });
    }
    Response::json(200, json!({ "results": results }).to_string())
}

/// Each table with its row count.
fn tables(session: &Mutex<Session>) -> Response {
    let Ok(session) = session.lock() else {
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
    Response::json(
        200,
        json!({ "title": ds.meta.title, "tables": tables }).to_string(),
    )
}
