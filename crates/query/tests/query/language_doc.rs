//! Every example in docs/LANGUAGE.md parses (```msq blocks), and every
//! error example fails with the message the document quotes.

const DOC: &str = include_str!("../../../../docs/LANGUAGE.md");

/// The bodies of the fenced blocks tagged `tag`, with the text after each.
fn blocks(tag: &str) -> Vec<(String, String)> {
    let fence = format!("```{tag}\n");
    let mut out = Vec::new();
    let mut rest = DOC;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("closed fence");
        let after = &body[end + 3..];
        let quote = after
            .trim_start()
            .strip_prefix("> ")
            .map(|q| q.lines().next().unwrap_or("").to_string());
        out.push((body[..end].to_string(), quote.unwrap_or_default()));
        rest = after;
    }
    out
}

#[test]
fn every_example_parses() {
    let mut statements = 0;
    for (src, _) in blocks("msq") {
        match metasum_query::parse(&src) {
            Ok(script) => statements += script.statements.len(),
            Err(e) => panic!("{src}\n{e:?}"),
        }
    }
    assert!(
        statements >= 15,
        "found only {statements} example statements"
    );
}

#[test]
fn every_error_example_fails_as_documented() {
    let examples = blocks("msq-error");
    assert_eq!(examples.len(), 3);
    for (src, quoted) in examples {
        let errors = metasum_query::parse(&src).expect_err(&src);
        let message = errors[0].message();
        let expected = quoted.split(" (").next().unwrap();
        assert_eq!(message, expected, "{src}");
    }
}
