//! The formats results are written in: their names, the extensions of
//! their files, and how the command line parses them.

use std::str::FromStr;

/// Output formats: what `--format` and `.format` take, and what an output
/// file's extension says. The binary's command line parses this type
/// (clap's `ValueEnum`, feature `clap`); each variant's doc line is its
/// help there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// Aligned columns (with a row count on a terminal).
    Table,
    /// Comma-separated values; list items joined with `;`.
    Csv,
    /// An array of objects per result.
    Json,
    /// A GitHub table (with a row count on a terminal).
    Markdown,
    /// An Excel workbook, one sheet per result (needs --output FILE.xlsx).
    Xlsx,
    /// A Parquet file of one result, every column typed, for R and Python
    /// (needs --output FILE.parquet).
    Parquet,
    /// An Arrow IPC (Feather v2) file of one result, every column typed
    /// (needs --output FILE.arrow).
    Arrow,
    /// One record per block, a `name = value` line per column.
    Line,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 8] = [
        Format::Table,
        Format::Csv,
        Format::Json,
        Format::Markdown,
        Format::Xlsx,
        Format::Parquet,
        Format::Arrow,
        Format::Line,
    ];

    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Xlsx => "xlsx",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
            Format::Line => "line",
        }
    }

    /// The extensions of a file of this format, the usual one first (none
    /// for the screen's formats, table and line).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Csv => &["csv"],
            Format::Json => &["json"],
            Format::Markdown => &["md", "markdown"],
            Format::Xlsx => &["xlsx"],
            Format::Parquet => &["parquet"],
            Format::Arrow => &["arrow", "feather", "ipc"],
            Format::Table | Format::Line => &[],
        }
    }

    /// The format a file's extension (any case) says, if it says one.
    pub fn of_extension(extension: &str) -> Option<Format> {
        (Format::ALL.into_iter())
            .find(|f| (f.extensions().iter()).any(|e| e.eq_ignore_ascii_case(extension)))
    }

    /// A file of the format, for messages: "a CSV file" ("this file" for
    /// the screen's formats).
    pub fn document(self) -> &'static str {
        match self {
            Format::Csv => "a CSV file",
            Format::Json => "a JSON file",
            Format::Markdown => "a Markdown file",
            Format::Xlsx => "an xlsx workbook",
            Format::Parquet => "a Parquet file",
            Format::Arrow => "an Arrow file",
            Format::Table | Format::Line => "this file",
        }
    }

    /// Every format's name, for messages: "table, csv, ... or line".
    pub fn names() -> String {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        crate::words::one_of(&names)
    }

    /// Whether the format is binary, so written only to a file: a
    /// workbook, Parquet or Arrow IPC.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Parquet | Format::Arrow)
    }

    /// Whether a file of the format holds one result (a Parquet or Arrow
    /// file is one table).
    pub fn holds_one_result(self) -> bool {
        matches!(self, Format::Parquet | Format::Arrow)
    }
}

impl FromStr for Format {
    type Err = String;

    /// A format by its name or a file extension of it (`md`, `feather`),
    /// in any case.
    fn from_str(s: &str) -> Result<Format, String> {
        (Format::ALL.into_iter())
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .or_else(|| Format::of_extension(s))
            .ok_or_else(|| {
                format!(
                    "unknown format `{}` (expected {})",
                    s.to_ascii_lowercase(),
                    Format::names()
                )
            })
    }
}
