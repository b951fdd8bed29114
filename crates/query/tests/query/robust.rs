//! No input panics the parser or overflows its stack.

use metasum_query::ast::{ExprKind, StatementKind};
use metasum_query::{ErrorKind, MAX_DEPTH, parse, parse_partial};
use proptest::prelude::*;

#[test]
fn hundred_thousand_open_parens_is_an_error_not_a_crash() {
    let src = format!("findings where {}", "(".repeat(100_000));
    let errors = parse(&src).unwrap_err();
    assert!(
        matches!(errors[0].kind, ErrorKind::TooDeep),
        "{:?}",
        errors[0]
    );
}

#[test]
fn deep_among_nesting_is_an_error() {
    let src = format!("findings among {}", "(studies among ".repeat(100_000));
    let errors = parse(&src).unwrap_err();
    assert!(
        matches!(errors[0].kind, ErrorKind::TooDeep),
        "{:?}",
        errors[0]
    );
}

#[test]
fn deep_not_chain_is_an_error() {
    let src = format!("findings where {} fes > 3", "not ".repeat(100_000));
    let error = &parse(&src).unwrap_err()[0];
    assert!(matches!(error.kind, ErrorKind::TooDeep));
    // Said of `not`s too, not of parentheses alone.
    assert!(
        error
            .to_string()
            .contains("parentheses and `not`s nested more than"),
        "{error}"
    );
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let depth = MAX_DEPTH;
    let src = format!(
        "findings where {}fes > 3{}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    parse(&src).unwrap();
}

const VALID: [&str; 9] = [
    "findings where perspective = recipient and fes > 30",
    "findings among (studies where country = UK) where n > 0",
    "studies among (findings where perspective = worker) sort by intensity desc limit 5",
    "findings where name ~ \"role model\" or perspective in (nonpeer, organisation)",
    "let good = studies where quality != low\nfindings among good show id, name",
    "studies where recipients is not missing count by country",
    "studies where `Sample size` > 10 sort by `Année` show `odd``name`",
    "findings show id, fes save \"out/t2.csv\"; plot fes save \"fes.svg\"",
    "plot matrix findings where fes > 10 caption \"Figure 3.\" title \"A \\\"title\\\"\" save \"m.pdf\"",
];

proptest! {
    /// Any header a spreadsheet can hold on one line can be named, and the
    /// canonical text names it again.
    #[test]
    fn any_column_name_round_trips_through_backquotes(name in "[^\n\r]{1,12}") {
        let column = metasum_query::ast::column_text(&name);
        let src = format!("studies where {column} = 1 sort by {column} show {column}");
        let script = parse(&src).map_err(|e| TestCaseError::fail(format!("{src}: {e:?}")))?;
        let StatementKind::Query(q) = &script.statements[0].kind else {
            panic!("a query")
        };
        let ExprKind::Compare { column: c, .. } = &q.filter.as_ref().unwrap().kind else {
            panic!("a comparison")
        };
        prop_assert_eq!(&c.name, &name);
        prop_assert_eq!(&q.sort_by[0].column.name, &name);
        prop_assert_eq!(&q.show[0].name, &name);
        let again = parse(&script.to_string()).unwrap();
        prop_assert_eq!(again, script);
    }

    /// Any one-line title and caption is drawn as written, and the
    /// canonical text gives them again.
    #[test]
    fn any_title_and_caption_round_trip(title in "[^\n\r]{0,16}", caption in "[^\n\r]{0,16}") {
        let quote = |t: &str| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""));
        let src = format!("plot fes findings where n > 1 title {} caption {}", quote(&title), quote(&caption));
        let script = parse(&src).map_err(|e| TestCaseError::fail(format!("{src}: {e:?}")))?;
        let StatementKind::Plot(plot) = &script.statements[0].kind else {
            panic!("a plot")
        };
        prop_assert_eq!(&plot.title.as_ref().unwrap().text, &title);
        prop_assert_eq!(&plot.caption.as_ref().unwrap().text, &caption);
        let again = parse(&script.to_string()).unwrap();
        prop_assert_eq!(again.to_string(), script.to_string());
    }

    #[test]
    fn random_text_never_panics(src in "\\PC{0,80}") {
        let _ = parse(&src);
    }

    #[test]
    fn query_like_text_never_panics(src in "[a-z ()=<>!~\",;#\\n\\t0-9.-]{0,80}") {
        let _ = parse(&src);
    }

    #[test]
    fn mutated_valid_queries_never_panic(
        which in 0..VALID.len(),
        at in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        insert in "\\PC{0,4}",
    ) {
        let src = VALID[which];
        let chars: Vec<char> = src.chars().collect();
        let a = at.index(chars.len() + 1);
        let b = (a + cut.index(4)).min(chars.len());
        let mutated: String = chars[..a].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[b..].iter()).collect();
        if let Err(errors) = parse(&mutated) {
            for e in errors {
                // Spans stay inside the text, on character boundaries.
                prop_assert!(e.span.end <= mutated.len());
                prop_assert!(mutated.is_char_boundary(e.span.start) && mutated.is_char_boundary(e.span.end));
                let _ = e.span.line_col(&mutated);
            }
        }
    }
}

#[test]
fn among_nesting_up_to_the_limit_parses() {
    let depth = MAX_DEPTH;
    let src = format!(
        "findings among {}studies{}",
        "(studies among ".repeat(depth - 1) + "(",
        ")".repeat(depth)
    );
    parse(&src).unwrap();
}

#[test]
fn a_hundred_thousand_terms_are_one_chain_node() {
    // A left-nested pair per `or` overflowed the stack (10,000 terms,
    // SIGABRT) when the tree was walked or dropped.
    for op in ["or", "and"] {
        let src = format!(
            "papers where {}",
            vec!["id = 1"; 100_000].join(&format!(" {op} "))
        );
        let script = parse(&src).unwrap();
        let StatementKind::Query(q) = &script.statements[0].kind else {
            panic!("a query")
        };
        let terms = match &q.filter.as_ref().unwrap().kind {
            ExprKind::Or(terms) | ExprKind::And(terms) => terms.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(terms, 100_000);
        assert_eq!(parse(&script.to_string()).unwrap(), script);
    }
}

#[test]
fn parenthesised_chains_keep_their_grouping_in_canonical_text() {
    for src in [
        "findings where (a = 1 or b = 2) or c = 3",
        "findings where a = 1 or (b = 2 or c = 3)",
        "findings where (a = 1 and b = 2) and c = 3",
        "findings where a = 1 and (b = 2 or c = 3) and d = 4",
    ] {
        let script = parse(src).unwrap();
        assert_eq!(script.to_string().trim_end(), src);
    }
}

#[test]
fn recovery_after_an_error_skips_semicolons_in_comments_text_and_backquotes() {
    // `--keep-going` ran `evidence limit 1` from inside the comment.
    for src in [
        "findings wher x  # note; evidence limit 1\npapers",
        "findings wher name ~ \"a; evidence limit 1\"\npapers",
        "findings wher name ~ \"a \\\"; evidence\"\npapers",
        "findings wher `a; evidence limit 1` = 1\npapers",
        "findings where `a;b = 1\npapers",
    ] {
        let (script, errors) = parse_partial(src);
        assert_eq!(errors.len(), 1, "{src}: {errors:?}");
        let sources: Vec<String> = script.statements.iter().map(|s| s.to_string()).collect();
        assert_eq!(sources, ["papers"], "{src}");
    }
}

#[test]
fn a_byte_order_mark_starts_no_statement() {
    assert_eq!(parse("\u{feff}findings").unwrap().to_string(), "findings\n");
}

#[test]
fn invisible_characters_are_named_and_long_words_shortened() {
    let message = |src: &str| parse(src).unwrap_err()[0].message();
    assert_eq!(
        message("findings \u{0}"),
        "expected `among`, `where`, `count by`, `sort by`, `limit`, `show`, `save` or the end of the statement after `findings`, found `U+0000`"
    );
    assert!(message("findings \u{feff}").ends_with("found `U+FEFF`"));
    let long = message(&format!("findings {}", "w".repeat(1_000_000)));
    assert!(long.len() < 120, "{long}");
    assert!(long.starts_with("unknown keyword `wwww"), "{long}");
    assert!(long.ends_with("…`"), "{long}");
}
