# Recipes for developers; README commands never need `just`.

# Run every test (the test command CI runs; `.ci/run` is all of CI).
test:
    cargo test --workspace --locked

# Run metasum; arguments pass through, e.g. `just run check`.
run *ARGS:
    cargo run --release -- {{ARGS}}

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Windows: every crate and test linted for x86_64-pc-windows-gnu (the
# cfg(windows) code), with Debian's mingw-w64 for the C some crates build.
lint-windows:
    rustup target add x86_64-pc-windows-gnu
    cargo clippy --target x86_64-pc-windows-gnu --workspace --all-targets --locked -- -D warnings

# Windows: the tests built with Debian's mingw-w64 and run under Wine, with a count of
# what ran, skipped and exists only on Unix (`.ci/run` runs it too).
# Arguments go to `cargo test`: `just test-windows --test metasum windows`.
test-windows *ARGS:
    bash .ci/windows {{ARGS}}

# macOS (Apple silicon and Intel): every crate and test compiled and
# linted for each with zig as the C compiler; not linked (that needs a Mac).
check-macos:
    bash .ci/macos

# Release archives in target/dist (a zip with metasum.exe for Windows,
# a tar.gz for Linux and macOS, each with README.md and the licences):
# this machine's by default, or the targets named, e.g.
# `just dist x86_64-unknown-linux-gnu x86_64-pc-windows-gnu`.
dist *TARGETS:
    bash .ci/dist {{TARGETS}}

# Benchmarks (release build).
bench:
    cargo bench --workspace

# Everything CI does.
ci:
    bash .ci/run

# Fuzz the parser for SECONDS (default 60), seeded with the query corpus.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable
# toolchain provide them. See FUZZING.md for the recorded runs.
fuzz SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p crates/query/fuzz/corpus/parse
    cd crates/query && RUSTC_BOOTSTRAP=1 cargo fuzz run parse fuzz/corpus/parse tests/corpus/valid tests/corpus/invalid -- -max_total_time={{SECONDS}}

# Fuzz the dataset loader (CSV files and workbooks) for SECONDS, seeded with
# tests/data and the seed review. The first build compiles polars with
# fuzzing instrumentation (about 25 minutes on two cores).
fuzz-load SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p crates/engine/fuzz/corpus/load target/fuzz-seeds
    cargo run -q -- --data tests/data/valid-minimal export target/fuzz-seeds/minimal.xlsx
    python3 crates/engine/fuzz/seeds.py crates/engine/fuzz/corpus/load target/fuzz-seeds/minimal.xlsx
    cd crates/engine && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none load fuzz/corpus/load -- -max_total_time={{SECONDS}} -rss_limit_mb=4096

# Fuzz reading references (RIS, BibTeX, CSL JSON) and importing them for
# SECONDS, seeded with tests/data/import (see FUZZING.md).
fuzz-import SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p crates/engine/fuzz/corpus/import
    python3 crates/engine/fuzz/seeds.py --import crates/engine/fuzz/corpus/import
    cd crates/engine && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none import fuzz/corpus/import -- -max_total_time={{SECONDS}} -rss_limit_mb=4096

# Fuzz reading QDA projects (REFI-QDA .qdpx, .qde, .qdc) and importing
# them for SECONDS, seeded with tests/data/qda (see FUZZING.md).
fuzz-qda SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p crates/engine/fuzz/corpus/qda
    python3 crates/engine/fuzz/seeds.py --qda crates/engine/fuzz/corpus/qda
    cd crates/engine && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none qda fuzz/corpus/qda -- -max_total_time={{SECONDS}} -rss_limit_mb=4096

# Draw the seed figures into docs/figures (SVG), and as PNGs into target/
# to look at.
figures:
    cargo build
    for f in fes matrix sensitivity flow; do \
        ./target/debug/metasum -c "plot $f" --output docs/figures/$f.svg; \
        ./target/debug/metasum -c "plot $f" --output target/$f.png --dpi 96; \
    done

# The README's screenshot of the seed's report (needs Debian's chromium).
report-screenshot:
    cargo build
    ./target/debug/metasum report --output target/review.html
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --hide-scrollbars --user-data-dir=target/chromium-profile --window-size=1200,1000 \
        --screenshot=docs/report.png "file://$PWD/target/review.html"

# Compare metasum with DuckDB and Python polars on synthetic data (see
# BENCHMARKS.md); installs the peers from PyPI into target/bench/venv.
bench-peers SIZES="seed-like,medium" RUNS="5":
    cargo build --release --examples --bin metasum
    python3 -m venv target/bench/venv
    target/bench/venv/bin/pip install --quiet duckdb-cli polars
    PATH="$PWD/target/bench/venv/bin:$PATH" python3 bench/compare.py --sizes {{SIZES}} --runs {{RUNS}}

# Start-up and REPL timings of BENCHMARKS.md on the embedded seed
# (installs hyperfine with cargo when it is missing).
bench-startup:
    cargo build --release
    command -v hyperfine >/dev/null || cargo install hyperfine --locked
    hyperfine -N --warmup 5 --runs 50 './target/release/metasum -c "findings where perspective = recipient and fes > 30"' './target/release/metasum -c "papers limit 1"'
    mkdir -p target/bench
    for i in $(seq 1000); do echo "findings where perspective = recipient and fes > 30"; done > target/bench/seed-1000.msq
    hyperfine -N --warmup 2 --runs 10 './target/release/metasum run target/bench/seed-1000.msq'

# Write a synthetic dataset: just gen 10000 2000 1000000 target/bench/medium
gen STUDIES="25" FINDINGS="24" LINKS="160" OUT="target/bench/seed-like":
    cargo run --release --example gen -- --studies {{STUDIES}} --findings {{FINDINGS}} --links {{LINKS}} --seed 1 --out {{OUT}}
