//! Parse, plan and run of the core questions on the embedded seed, and parse
//! throughput on a 10,000-line script. Run with `just bench` (release).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use metasum_engine::{Dataset, Format, Session, format};
use metasum_query::ast::StatementKind;

const CORE: [(&str, &str); 5] = [
    (
        "fes_filter",
        "findings where perspective = recipient and fes > 30",
    ),
    (
        "fes_among",
        "findings among (studies where quality != low) where fes >= 40 sort by fes desc",
    ),
    ("intensity_top10", "studies sort by intensity desc limit 10"),
    ("count_by_country", "studies count by country"),
    ("has_lookup", "findings where studies has 13 show id, name"),
];

fn parse(c: &mut Criterion) {
    let script: String = (0..10_000)
        .map(|i| format!("{}\n", CORE[i % CORE.len()].1))
        .collect();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("10k_line_script", |b| {
        b.iter(|| metasum_query::parse(&script).unwrap())
    });
    group.finish();
}

fn run(c: &mut Criterion) {
    let session = Session::new(Dataset::seed().unwrap());
    let mut group = c.benchmark_group("seed");
    for (name, src) in CORE {
        let script = metasum_query::parse(src).unwrap();
        let StatementKind::Query(q) = &script.statements[0].kind else {
            unreachable!()
        };
        group.bench_function(format!("plan/{name}"), |b| {
            b.iter(|| session.columns_of(q).unwrap())
        });
        group.bench_function(format!("run/{name}"), |b| {
            b.iter(|| format::render(&session.query(q).unwrap().frame, Format::Csv).unwrap())
        });
    }
    group.bench_function("load", |b| b.iter(|| Dataset::seed().unwrap()));
    group.finish();
}

criterion_group!(benches, parse, run);
criterion_main!(benches);
