//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use metasum_engine::Format;
use metasum_engine::exact::Points;

/// metasum: qualitative metasummary (Sandelowski & Barroso) at the command line.
///
/// Computes frequency effect sizes (FES) of findings and intensity of studies
/// from a review's evidence links, and answers questions about them in a
/// small query language (see docs/LANGUAGE.md):
///
///     metasum -c "findings where perspective = recipient and fes > 30"
///
/// With no --data, runs on the embedded seed review (peer support in mental
/// health: 25 studies, 27 papers, 24 findings). With no command and a
/// terminal, starts the interactive shell; with a script piped to stdin, runs
/// it.
///
/// Exit status: 0 when every statement ran; 1 for a query, script or dataset
/// error; 2 for a usage error.
#[derive(Debug, Parser)]
#[command(name = "metasum", version, about, long_about, verbatim_doc_comment)]
pub struct Cli {
    /// Dataset folder (dataset.toml, studies.csv, papers.csv, findings.csv
    /// and evidence.csv, or matrix.csv in their place) or workbook (.xlsx
    /// with those sheets, or a `matrix` sheet). When not given: the current
    /// folder if it holds dataset.toml, studies.csv, findings.csv or
    /// matrix.csv, else the embedded seed review (either is said on stderr).
    #[arg(long, global = true, env = "METASUM_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Output format; by default the one --output's extension names
    /// (.csv .json .md .xlsx .parquet .arrow), else `table` on a terminal
    /// and `csv` otherwise.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Write results to FILE instead of stdout, only when every statement
    /// ran (FILE is left as it was when one fails): through a temporary file
    /// renamed into place; a device, FIFO or pipe (/dev/stdout) gets them
    /// at the end too; `-` is stdout. An .svg, .png (300 dpi) or .pdf file
    /// holds one figure; an .xlsx workbook holds results and figures (as
    /// pictures); a .csv, .parquet or .arrow file holds one result, and a
    /// figure goes into nothing else.
    #[arg(long, short, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Where `save "FILE"` clauses put relative file names (created, if
    /// missing, before anything runs); the working directory without it.
    #[arg(long, global = true, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// CSV cells exactly as the data has them, for R, Python and other
    /// programs: without it a text cell starting with = + - @ gets a leading
    /// ' so that a spreadsheet opening the file does not run it as a formula.
    #[arg(long, global = true)]
    pub raw: bool,

    /// The resolution of figures written to .png files, in dots per inch
    /// (72 to 600); the PNG records it, so it prints at the figure's size.
    /// An .svg or .pdf figure is drawn in lines and text, at any size.
    #[arg(long, global = true, value_name = "DPI",
          default_value_t = metasum_engine::raster::DEFAULT_DPI,
          value_parser = clap::value_parser!(u32).range(72..=600))]
    pub dpi: u32,

    /// Where checked copies of large folders' evidence links and other
    /// tables are kept between runs (an evidence.csv of 1 MiB or more;
    /// dataset.toml, studies, papers and findings of 256 KiB or more
    /// together; one copy each per
    /// folder, used only while the files are as they were; safe to delete at any
    /// time): by default $XDG_CACHE_HOME/metasum, else ~/.cache/metasum
    /// (~/Library/Caches/metasum on macOS, %LOCALAPPDATA%\metasum on
    /// Windows).
    #[arg(long, global = true, env = "METASUM_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Read every file every time, and keep no copy of its links or tables.
    #[arg(long, global = true, env = "METASUM_NO_CACHE")]
    pub no_cache: bool,

    /// Compare the dataset with an earlier version of it (a folder or
    /// workbook): the tables `changes`, `fes_changes` and
    /// `intensity_changes` say what changed.
    #[arg(long, global = true, value_name = "OLD")]
    pub compare: Option<PathBuf>,

    /// With --compare: `fes_changes` says which findings' FES crossed this
    /// percentage (`above 25%`, `below 25%`).
    #[arg(long, global = true, value_name = "PERCENT", value_parser = parse_threshold)]
    pub crossing: Option<Points>,

    /// In a script, go on after a failing statement and report every error
    /// (the exit status is still 1, and --output is not written).
    #[arg(long, global = true)]
    pub keep_going: bool,

    /// `profile` flags a finding whose FES drops by more than this many
    /// percentage points when the studies of declared quality concern are left out.
    #[arg(long, global = true, value_name = "POINTS", default_value = "5",
          value_parser = parse_threshold)]
    pub threshold: Points,

    /// Run these statements (separated by `;` or new lines) and exit.
    #[arg(short = 'c', long = "command", value_name = "QUERY")]
    pub query: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do with the dataset.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the review to a browser and to R or Python, on this machine
    ///
    /// Keep the review loaded behind a local web server (127.0.0.1 only,
    /// unless --address names another) and print its address with a
    /// one-time token; every request needs the token. The page: the
    /// review's tables, a query box, figures, saved scripts, worksheets and
    /// downloads. The JSON API: `POST /api/query` with `{"query": "..."}`
    /// (docs/SERVE.md). Read-only. Ctrl-C stops it.
    Serve {
        /// The port (0: any free one).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
        /// Serve on this address instead of 127.0.0.1: others on the
        /// network can then reach the review (with the token).
        #[arg(long, value_name = "IP")]
        address: Option<std::net::IpAddr>,
        /// The saved scripts the page offers (default: the review's
        /// `queries/` folder; the seed's own scripts for the seed).
        #[arg(long, value_name = "DIR")]
        scripts: Option<PathBuf>,
        /// Seconds a request's statements may run before they are stopped.
        #[arg(long, value_name = "SECONDS", default_value_t = 30,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// Run saved scripts in order
    ///
    /// Run saved scripts in order (`-` reads stdin). A script may start with
    /// a `#!` line. When one of them cannot be read, none runs (with
    /// --keep-going, the others do).
    Run {
        /// Script files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Validate the review and report where it disagrees with itself
    ///
    /// Validate the dataset and report where it disagrees with itself
    /// (reported FES against computed FES, published participant totals
    /// against column sums). Exit status 1 when the dataset is invalid.
    Check,
    /// Write the whole review as one HTML page
    ///
    /// Write the whole review as one self-contained HTML page (no network,
    /// no other files): title and citation, Table 1 (studies), Table 2
    /// (findings by the column that groups them, with n and FES), the
    /// figures, the study x finding matrix, what supports each finding,
    /// the included papers and the check report; sortable tables, and a
    /// print layout that keeps every cell. To stdout, or to
    /// --output FILE.html.
    Report,
    /// One finding's GRADE-CERQual worksheet (Markdown)
    ///
    /// One finding's GRADE-CERQual worksheet, as Markdown: the finding,
    /// what supports it (studies, FES with and without the studies of
    /// quality concern, the participant groups dataset.toml declares,
    /// countries), its contributing studies with their quality and
    /// characteristics, and the stored judgements (cerqual.csv). To
    /// stdout, or to --output FILE.md.
    Worksheet {
        /// The finding's id, as the dataset writes it (`T1.2`, `4`).
        #[arg(value_name = "FINDING")]
        finding: String,
    },
    /// Add references (.ris .bib .json) or a QDA project (.qdpx .qde .qdc)
    ///
    /// Add the included studies' references (RIS from EndNote, Zotero,
    /// Covidence or Rayyan; BibTeX/BibLaTeX; CSL JSON from Zotero) to the
    /// --data folder's studies.csv and papers.csv (made when missing): a
    /// study keyed author-year (Smith2019, or Smith2019a and Smith2019b)
    /// and its paper per new record, or a further paper of the study its
    /// `study: KEY` keyword names; a record whose paper is there already
    /// (same DOI, else title and year) is reported, not added.
    ///
    /// Or add a REFI-QDA project exported by NVivo, ATLAS.ti, MAXQDA or
    /// QualCoder (.qdpx; a bare .qde) or a codebook (.qdc, also from
    /// Taguette): sources as papers (a study per case, set or source),
    /// codes as findings (a parent code their group), coded passages as
    /// evidence links and extracts.csv with their quotes, two coders'
    /// links as coding.csv. Importing the project again adds what is new
    /// and tells what changed or vanished. Nothing is written when a file
    /// has a problem.
    Import {
        /// Reference files (.ris, .bib, .json), or one QDA project or
        /// codebook (.qdpx, .qde, .qdc).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// QDA projects: which structure makes studies (default: cases
        /// when a case names a source, else one per source; sets only
        /// when asked).
        #[arg(long, value_enum, value_name = "BY")]
        studies_by: Option<metasum_engine::import::qda::StudiesBy>,
        /// QDA projects: what a passage's start and end positions count
        /// (default: code points, as the standard says).
        #[arg(long, value_enum, value_name = "UNIT")]
        positions: Option<metasum_engine::import::qda::Unit>,
        /// QDA projects: how positions count a `\r\n` line end (default:
        /// as the passages' own text shows, else as the exporting program
        /// counts).
        #[arg(long, value_enum, value_name = "COUNT")]
        line_ends: Option<metasum_engine::import::qda::LineEnds>,
    },
    /// What changed between two versions of a review, FES before and after
    ///
    /// What changed from OLD to NEW (two dataset folders or workbooks): the
    /// studies, papers and findings added, removed or renamed, the evidence
    /// links added and removed (`changes`), and each finding's n and FES
    /// before and after, largest change first (`fes_changes`); a summary on
    /// stderr. The same as `--data NEW --compare OLD -c "changes;
    /// fes_changes"`.
    Diff {
        /// The earlier version.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The later version.
        #[arg(value_name = "NEW")]
        new: PathBuf,
    },
    /// Write the whole review to a folder of CSV files or a workbook
    ///
    /// Write the whole dataset, computed n/fes/intensity columns included,
    /// to a folder of CSV files or to one workbook (TARGET ending in .xlsx).
    /// Loading the export with --data gives the same query results.
    Export {
        /// Folder (created if needed) or FILE.xlsx.
        #[arg(value_name = "DIR|FILE.xlsx")]
        target: PathBuf,
    },
}

impl Command {
    /// Whether the command works on every file of the dataset (`check`,
    /// `report`, ...), rather than running statements that read what they
    /// need.
    pub fn reads_every_file(&self) -> bool {
        match self {
            Command::Check
            | Command::Report
            | Command::Worksheet { .. }
            | Command::Diff { .. }
            | Command::Export { .. } => true,
            Command::Run { .. } | Command::Import { .. } | Command::Serve { .. } => false,
        }
    }
}

impl Cli {
    /// Gives `--data` the current folder when none was named and the
    /// folder holds a dataset file: a reviewer running metasum inside
    /// their review gets their review, never the seed. Says on stderr
    /// which review is used when none was named. `diff` names its two
    /// versions and `import` its folder, so neither looks around.
    pub fn find_data(&mut self) {
        if self.data.is_some()
            || matches!(
                self.command,
                Some(Command::Diff { .. } | Command::Import { .. })
            )
        {
            return;
        }
        let here = PathBuf::from(".");
        // The files only a dataset has (a folder with a `search.csv` of
        // its own is not a review).
        use metasum_engine::dataset::files::ReviewFile;
        let holds_a_dataset = [
            ReviewFile::Meta,
            ReviewFile::Studies,
            ReviewFile::Findings,
            ReviewFile::Matrix,
        ]
        .map(ReviewFile::file)
        .iter()
        .any(|name| std::fs::metadata(here.join(name)).is_ok_and(|m| m.is_file()));
        if holds_a_dataset {
            let shown = std::env::current_dir().unwrap_or_else(|_| here.clone());
            crate::output::errln!(
                "note: no --data given: using the dataset in this folder ({})",
                shown.display()
            );
            self.data = Some(here);
        } else {
            crate::output::errln!("{SEED_NOTE}");
        }
    }

    /// The folder for checked copies of links and tables (`--cache-dir`),
    /// or `None`: with `--no-cache`, for `check` (which reads every file
    /// as it is), or with no home folder to put it in.
    pub fn cache_folder(&self) -> Option<PathBuf> {
        if self.no_cache || matches!(self.command, Some(Command::Check)) {
            return None;
        }
        // $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS.
        (self.cache_dir.clone()).or_else(|| Some(dirs::cache_dir()?.join("metasum")))
    }
}

/// Ends the run with a usage error (exit 2), told as clap tells its own:
/// `message` after `error:`, then the usage line.
pub fn refuse(kind: clap::error::ErrorKind, message: impl std::fmt::Display) -> ! {
    use clap::CommandFactory;
    Cli::command().error(kind, message).exit()
}

/// What a run on the embedded seed says on stderr.
const SEED_NOTE: &str = "note: no --data given and no dataset in this folder: using the embedded seed review (peer support in mental health, 25 studies); give yours with --data DIR";

/// `--threshold` and `--crossing`: percentage points from 0 to 100, with
/// at most four decimals, kept exactly as written (a drop of exactly 5 is
/// not "more than 5").
fn parse_threshold(text: &str) -> Result<Points, String> {
    let points = Points::parse(text)?;
    if points.compare_percent(0, 1) == std::cmp::Ordering::Greater {
        return Err(format!(
            "`{text}` is not a number of percentage points from 0 to 100"
        ));
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn check_and_no_cache_read_evidence_csv_itself() {
        use clap::Parser;
        let cache = |args: &[&str]| {
            let args = ["metasum", "--cache-dir", "C"].iter().chain(args);
            super::Cli::try_parse_from(args).unwrap().cache_folder()
        };
        assert_eq!(cache(&["-c", "findings"]), Some("C".into()));
        assert_eq!(cache(&["report"]), Some("C".into()));
        assert_eq!(cache(&["check"]), None);
        assert_eq!(cache(&["--no-cache", "-c", "findings"]), None);
    }

    #[test]
    fn every_format_is_a_format_argument_by_its_name_in_the_order_help_lists() {
        use clap::ValueEnum;
        use metasum_engine::Format;
        assert_eq!(Format::value_variants(), Format::ALL);
        for format in Format::ALL {
            assert_eq!(
                <Format as ValueEnum>::from_str(format.name(), false),
                Ok(format)
            );
        }
    }

    #[test]
    fn thresholds_are_finite_percentage_points() {
        assert_eq!(super::parse_threshold("2.5").map(|p| p.to_f64()), Ok(2.5));
        assert_eq!(super::parse_threshold("0"), Ok(super::Points::whole(0)));
        for bad in ["NaN", "nan", "inf", "-1", "101", "five", "2.12345", "1e2"] {
            assert!(super::parse_threshold(bad).is_err(), "{bad}");
        }
    }
}
