//! The query corpus: every valid query's AST and every invalid query's
//! rendered errors are snapshots; valid ones must also survive a round trip
//! through their canonical text.

use std::fmt::Write;

use metasum_query::ast::*;
use metasum_query::{Error, Span, parse};

#[test]
fn valid_queries_parse_to_the_expected_ast() {
    insta::glob!("..", "corpus/valid/*.msq", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let script =
            parse(&src).unwrap_or_else(|e| panic!("{}: {}", path.display(), render(&src, &e)));
        let mut out = String::new();
        for s in &script.statements {
            tree_statement(&mut out, &src, s);
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn canonical_text_round_trips() {
    insta::glob!("..", "corpus/valid/*.msq", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let script = parse(&src).unwrap();
        let canonical = script.to_string();
        let again =
            parse(&canonical).unwrap_or_else(|e| panic!("{canonical}\n{}", render(&canonical, &e)));
        assert_eq!(again, script, "{}:\n{canonical}", path.display());
        assert_eq!(
            again.to_string(),
            canonical,
            "canonical text is a fixed point"
        );
    });
}

#[test]
fn invalid_queries_give_errors_that_point_at_the_place() {
    insta::glob!("..", "corpus/invalid/*.msq", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let errors = parse(&src).expect_err("this query is invalid");
        insta::assert_snapshot!(render(&src, &errors));
    });
}

/// Plain-text rendering of errors: message, line:column, the line, a caret
/// under the span, secondary labels and hints. (The CLI renders the same
/// errors with colours.)
fn render(src: &str, errors: &[Error]) -> String {
    let mut out = String::new();
    for e in errors {
        let (line, col) = e.span.line_col(src);
        writeln!(out, "error: {}", e.message()).unwrap();
        writeln!(out, "  at {line}:{col}").unwrap();
        caret(&mut out, src, e.span, &e.label());
        for (span, label) in e.secondary() {
            caret(&mut out, src, span, &label);
        }
        for h in &e.hints {
            writeln!(out, "  hint: {h}").unwrap();
        }
    }
    out
}

fn caret(out: &mut String, src: &str, span: Span, label: &str) {
    let (line, col) = span.line_col(src);
    let text = src
        .lines()
        .nth(line - 1)
        .unwrap_or("")
        .trim_end_matches('\r');
    let width = src
        .get(span.start..span.end)
        .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
    writeln!(out, "  {line:>3} | {text}").unwrap();
    writeln!(
        out,
        "      | {}{} {label}",
        " ".repeat(col - 1),
        "^".repeat(width)
    )
    .unwrap();
}

fn at(src: &str, span: Span) -> String {
    format!(
        "@{}",
        src.get(span.start..span.end)
            .map_or("?".to_string(), |s| format!("{s:?}"))
    )
}

fn tree_statement(out: &mut String, src: &str, s: &Statement) {
    match &s.kind {
        StatementKind::Query(q) => tree_query(out, src, q, 0),
        StatementKind::Let { name, query } => {
            writeln!(out, "let {} {}", name.name, at(src, name.span)).unwrap();
            tree_query(out, src, query, 1);
        }
        StatementKind::Plot(Plot {
            figure,
            span,
            query,
            title,
            caption,
        }) => {
            writeln!(out, "plot {} {}", figure.name(), at(src, *span)).unwrap();
            if let Some(q) = query {
                tree_query(out, src, q, 1);
            }
            for (word, text) in [("title", title), ("caption", caption)] {
                if let Some(text) = text {
                    writeln!(out, "  {word} {:?} {}", text.text, at(src, text.span)).unwrap();
                }
            }
        }
    }
    if let Some(save) = &s.save {
        writeln!(out, "  save {:?} {}", save.path, at(src, save.path_span)).unwrap();
    }
}

fn tree_query(out: &mut String, src: &str, q: &Query, depth: usize) {
    let pad = "  ".repeat(depth);
    writeln!(
        out,
        "{pad}query {:?} {}",
        q.source.kind,
        at(src, q.source.span)
    )
    .unwrap();
    if let Some(set) = &q.among {
        match &set.kind {
            SetKind::Name(n) => writeln!(out, "{pad}  among {n} {}", at(src, set.span)).unwrap(),
            SetKind::Query(inner) => {
                writeln!(out, "{pad}  among").unwrap();
                tree_query(out, src, inner, depth + 2);
            }
        }
    }
    if let Some(e) = &q.filter {
        writeln!(out, "{pad}  where").unwrap();
        tree_expr(out, src, e, depth + 2);
    }
    let names = |ids: &[Ident]| {
        ids.iter()
            .map(|i| format!("{} {}", i.name, at(src, i.span)))
            .collect::<Vec<_>>()
    };
    if !q.count_by.is_empty() {
        writeln!(out, "{pad}  count by {}", names(&q.count_by).join(", ")).unwrap();
    }
    for k in &q.sort_by {
        let dir = if k.descending { "desc" } else { "asc" };
        writeln!(
            out,
            "{pad}  sort by {} {dir} {}",
            k.column.name,
            at(src, k.span)
        )
        .unwrap();
    }
    if let Some(l) = &q.limit {
        writeln!(out, "{pad}  limit {} {}", l.rows, at(src, l.span)).unwrap();
    }
    if !q.show.is_empty() {
        writeln!(out, "{pad}  show {}", names(&q.show).join(", ")).unwrap();
    }
}

fn value(src: &str, v: &Value) -> String {
    match &v.kind {
        ValueKind::Number(n) => format!("number {n} {}", at(src, v.span)),
        ValueKind::Text(t) => format!("text {t:?} {}", at(src, v.span)),
    }
}

fn tree_expr(out: &mut String, src: &str, e: &Expr, depth: usize) {
    let pad = "  ".repeat(depth);
    match &e.kind {
        ExprKind::Or(terms) | ExprKind::And(terms) => {
            let op = if matches!(e.kind, ExprKind::Or(..)) {
                "or"
            } else {
                "and"
            };
            writeln!(out, "{pad}{op}").unwrap();
            for term in terms {
                tree_expr(out, src, term, depth + 1);
            }
        }
        ExprKind::Not(a) => {
            writeln!(out, "{pad}not").unwrap();
            tree_expr(out, src, a, depth + 1);
        }
        ExprKind::Compare {
            column,
            op,
            value: v,
        } => writeln!(
            out,
            "{pad}{} {} {}",
            column.name,
            op.symbol(),
            value(src, v)
        )
        .unwrap(),
        ExprKind::In {
            column,
            values,
            negated,
        } => {
            let vs: Vec<String> = values.iter().map(|v| value(src, v)).collect();
            let not = if *negated { "not " } else { "" };
            writeln!(out, "{pad}{} {not}in [{}]", column.name, vs.join(", ")).unwrap()
        }
        ExprKind::Has { column, value: v } => {
            writeln!(out, "{pad}{} has {}", column.name, value(src, v)).unwrap()
        }
        ExprKind::Contains { column, pattern } => {
            writeln!(out, "{pad}{} ~ {}", column.name, value(src, pattern)).unwrap()
        }
        ExprKind::Missing { column, negated } => {
            let not = if *negated { "not " } else { "" };
            writeln!(out, "{pad}{} is {not}missing", column.name).unwrap()
        }
    }
}
