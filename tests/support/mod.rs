//! What several end-to-end test files share.

use std::path::PathBuf;

/// A program on PATH, or `None` with the reason printed, for tests that
/// need one from Debian (`package`). CI (`METASUM_REQUIRE_TOOLS`, set by
/// `.ci/run`, which installs them) never skips: there a missing program
/// fails the test.
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("METASUM_REQUIRE_TOOLS").is_none(),
            "{name} (Debian's {package}) is required here"
        );
        eprintln!("skipped: {name} is not installed (Debian's {package})");
    }
    found
}
