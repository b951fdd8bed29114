//! Any text: the parser returns, never panics; error spans stay in bounds;
//! what parses prints as canonical text that parses back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match metasum_query::parse(src) {
        Ok(script) => {
            let canonical = script.to_string();
            let again = metasum_query::parse(&canonical)
                .unwrap_or_else(|e| panic!("canonical text {canonical:?} does not parse: {e:?}"));
            assert_eq!(again, script, "{canonical:?}");
        }
        Err(errors) => {
            for e in errors {
                assert!(e.span.start <= e.span.end && e.span.end <= src.len());
                assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
                let _ = e.span.line_col(src);
                let _ = e.message();
            }
        }
    }
});
