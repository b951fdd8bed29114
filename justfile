# Recipes for developers; README commands never need `just`.

# Run every test (the same command CI runs).
test:
    cargo test --workspace

# Run metasum; arguments pass through, e.g. `just run check`.
run *ARGS:
    cargo run --release -- {{ARGS}}

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks (release build).
bench:
    cargo bench --workspace

# Everything CI does.
ci:
    bash .ci/run

# Fuzz the parser for SECONDS (default 60). cargo-fuzz needs nightly
# features; RUSTC_BOOTSTRAP lets the stable toolchain provide them.
fuzz SECONDS="60":
    cargo install cargo-fuzz --locked
    cd crates/query && RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -max_total_time={{SECONDS}}

# Draw the seed figures into docs/figures (SVG) and render PNGs for review
# with resvg.
figures:
    cargo build --release
    ./target/release/metasum -c "plot fes" --output docs/figures/fes.svg
    ./target/release/metasum -c "plot matrix" --output docs/figures/matrix.svg
    ./target/release/metasum -c "plot flow" --output docs/figures/flow.svg
    cargo install resvg --locked
    for f in fes matrix flow; do resvg docs/figures/$f.svg target/$f.png; done
