//! Any text: the parser returns, never panics; error spans stay in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(errors) = metasum_query::parse(src) {
            for e in errors {
                assert!(e.span.end <= src.len());
                let _ = e.span.line_col(src);
            }
        }
    }
});
