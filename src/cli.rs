//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// metasum: qualitative metasummary (Sandelowski & Barroso) at the command line.
///
/// Computes frequency effect sizes (FES) of findings and intensity of studies
/// from a review's evidence links. With no --data, runs on the embedded seed
/// review (peer support in mental health: 25 studies, 24 findings).
#[derive(Debug, Parser)]
#[command(name = "metasum", version, about, long_about)]
pub struct Cli {
    /// Dataset folder (dataset.toml, studies.csv, papers.csv, findings.csv,
    /// evidence.csv); the embedded seed review when not given.
    #[arg(long, global = true, env = "METASUM_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do with the dataset.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the dataset and report where it disagrees with itself
    /// (reported FES against computed FES, published participant totals
    /// against column sums). Exit status 1 when the dataset is invalid.
    Check,
}
