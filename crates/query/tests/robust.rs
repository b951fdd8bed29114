//! No input panics the parser or overflows its stack.

use metasum_query::{ErrorKind, MAX_DEPTH, parse};
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
    assert!(matches!(
        parse(&src).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    ));
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

const VALID: [&str; 6] = [
    "findings where perspective = recipient and fes > 30",
    "findings among (studies where country = UK) where n > 0",
    "studies among (findings where perspective = worker) sort by intensity desc limit 5",
    "findings where name ~ \"role model\" or perspective in (nonpeer, organisation)",
    "let good = studies where quality != low\nfindings among good show id, name",
    "studies where recipients is not missing count by country",
];

proptest! {
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
