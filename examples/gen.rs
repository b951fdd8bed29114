//! Writes a synthetic dataset folder in the normal format, for benchmarks:
//!
//!     cargo run --release --example gen -- --studies 10000 --findings 2000 \
//!         --links 1000000 --seed 1 --out target/bench/medium
//!
//! Studies get a country, year and quality; findings a perspective; evidence
//! links are drawn with Zipf-like popularity (some findings are in many
//! studies, most in few), so FES values spread as in real reviews.
//!
//! `--keys text` keys them as reviewers do (studies `Author13y2004`,
//! findings `T3.17`: perspective 3, finding 17) instead of 1, 2, 3; the
//! same draws, so the same review under other names.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// A small, fast, reproducible generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Args {
    studies: u64,
    findings: u64,
    links: u64,
    seed: u64,
    out: PathBuf,
    text_keys: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        studies: 25,
        findings: 24,
        links: 160,
        seed: 1,
        out: PathBuf::from("target/bench/seed-like"),
        text_keys: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: `{value}` is not a whole number"))
        };
        match flag.as_str() {
            "--studies" => args.studies = number()?,
            "--findings" => args.findings = number()?,
            "--links" => args.links = number()?,
            "--seed" => args.seed = number()?,
            "--out" => args.out = PathBuf::from(&value),
            "--keys" => {
                args.text_keys = match value.as_str() {
                    "text" => true,
                    "numbers" => false,
                    other => return Err(format!("--keys takes text or numbers, not `{other}`")),
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.studies == 0 || args.findings == 0 {
        return Err("--studies and --findings must be at least 1".into());
    }
    if args.links > args.studies * args.findings {
        return Err("--links cannot exceed studies x findings".into());
    }
    Ok(args)
}

const COUNTRIES: [&str; 8] = [
    "USA",
    "UK",
    "Canada",
    "Australia",
    "Germany",
    "Japan",
    "Brazil",
    "Kenya",
];
const PERSPECTIVES: [&str; 5] = [
    "worker",
    "nonpeer",
    "recipient",
    "organisation",
    "recommendation",
];

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gen: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = write(&args) {
        eprintln!("gen: {e}");
        std::process::exit(1);
    }
}

fn write(a: &Args) -> std::io::Result<()> {
    std::fs::create_dir_all(&a.out)?;
    let mut rng = Rng(a.seed);
    let mut toml = File::create(a.out.join("dataset.toml"))?;
    writeln!(
        toml,
        "title = \"Synthetic review: {} studies, {} findings, {} links (seed {})\"",
        a.studies, a.findings, a.links, a.seed
    )?;
    writeln!(toml, "[perspectives]")?;
    for p in PERSPECTIVES {
        writeln!(toml, "{p} = \"{p}\"")?;
    }
    writeln!(toml, "[quality]\nadequate = \"adequate\"\nlow = \"low\"")?;

    let mut studies = BufWriter::new(File::create(a.out.join("studies.csv"))?);
    writeln!(studies, "id,author,year,country,quality")?;
    // Each study's and finding's key, by number (index 0 unused).
    let mut study_keys = vec![String::new()];
    for id in 1..=a.studies {
        let country = COUNTRIES[(rng.unit().powi(2) * COUNTRIES.len() as f64) as usize];
        let quality = if rng.below(8) == 0 { "low" } else { "adequate" };
        let year = 1990 + rng.below(35);
        let key = match a.text_keys {
            true => format!("Author{id}y{year}"),
            false => id.to_string(),
        };
        writeln!(studies, "{key},Author {id},{year},{country},{quality}")?;
        study_keys.push(key);
    }
    studies.flush()?;

    let mut findings = BufWriter::new(File::create(a.out.join("findings.csv"))?);
    writeln!(findings, "id,perspective,name")?;
    let mut finding_keys = vec![String::new()];
    for id in 1..=a.findings {
        let perspective = rng.below(5) as usize;
        let key = match a.text_keys {
            true => format!("T{}.{id}", perspective + 1),
            false => id.to_string(),
        };
        writeln!(findings, "{key},{},Finding {id}", PERSPECTIVES[perspective])?;
        finding_keys.push(key);
    }
    findings.flush()?;

    // Zipf-like popularity: finding k is drawn with weight 1/k^0.8, from a
    // cumulative table; a repeated pair is drawn again.
    let weights: Vec<f64> = (1..=a.findings)
        .map(|k| 1.0 / (k as f64).powf(0.8))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total;
        cumulative.push(acc);
    }
    let mut seen: HashSet<u64> = HashSet::with_capacity(a.links as usize);
    let mut evidence = BufWriter::with_capacity(1 << 20, File::create(a.out.join("evidence.csv"))?);
    writeln!(evidence, "finding,study")?;
    while (seen.len() as u64) < a.links {
        let u = rng.unit();
        let finding = cumulative
            .partition_point(|c| *c < u)
            .min(a.findings as usize - 1) as u64
            + 1;
        let study = rng.below(a.studies) + 1;
        if seen.insert(finding * (a.studies + 1) + study) {
            let (f, s) = (&finding_keys[finding as usize], &study_keys[study as usize]);
            writeln!(evidence, "{f},{s}")?;
        }
    }
    evidence.flush()
}
