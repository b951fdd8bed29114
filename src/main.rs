//! The `metasum` binary: command line, and (later) REPL and script runner.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use metasum_engine::{Dataset, LoadError, check};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dataset = match load(&cli) {
        Ok(ds) => ds,
        Err(e) => {
            eprint!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Some(Command::Check) | None => match check::check(&dataset) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: could not compute the report: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// The dataset named by `--data` / `METASUM_DATA`, else the embedded seed.
fn load(cli: &Cli) -> Result<Dataset, LoadError> {
    match &cli.data {
        Some(dir) => Dataset::load(dir),
        None => Dataset::seed(),
    }
}
