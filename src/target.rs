//! What an `--output FILE` can hold, told by its extension: the format of
//! its rows, and whether figures or several results fit in it. A run that
//! would put into the file what it cannot hold stops before the file is
//! written (a usage error).

use std::path::Path;

use metasum_engine::{Format, Outcome};

/// The extensions of the files a figure can go into, for messages: ".svg,
/// .png, .pdf or .xlsx" (each kind's usual one).
pub fn figure_files() -> String {
    usual_extensions(FileKind::all().filter(|k| k.holds_figures()))
}

/// The extensions of the files rows can go into, for messages: ".csv,
/// .json, .md, .xlsx, .parquet or .arrow" (each file format's usual one).
pub fn row_files() -> String {
    usual_extensions(Format::ALL.map(FileKind::Rows).into_iter())
}

/// The usual extension of each kind of file a result (`figure`: a
/// figure) can be downloaded as from `metasum serve`: every kind that
/// holds it, the report's HTML aside.
pub fn download_extensions(figure: bool) -> Vec<&'static str> {
    (FileKind::all())
        .filter(|k| k.refuses(figure).is_none())
        .filter_map(|k| k.extensions().first().copied())
        .collect()
}

/// ".a, .b or .c": each kind's usual extension (none for a kind no
/// extension names).
fn usual_extensions(kinds: impl Iterator<Item = FileKind>) -> String {
    let usual: Vec<String> = kinds
        .filter_map(|k| k.extensions().first().map(|e| format!(".{e}")))
        .collect();
    metasum_engine::words::one_of(&usual)
}

/// The kind of document an output file is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Rows in the file format its extension names
    /// ([`Format::extensions`]: `.csv`, `.md`, `.feather`, ...).
    Rows(Format),
    /// `.svg`: one figure.
    Svg,
    /// `.png`: one figure, drawn at 300 dpi unless `--dpi` says.
    Png,
    /// `.pdf`: one figure, as vector shapes and text.
    Pdf,
    /// `.html`: the review's report (`metasum report`), nothing else.
    Html,
    /// Any other extension: results in the chosen format, no figure.
    Other,
}

impl FileKind {
    /// The kind of `path`, by its extension (any case).
    pub fn of(path: &Path) -> FileKind {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if let Some(format) = Format::of_extension(extension) {
            return FileKind::Rows(format);
        }
        (FileKind::NAMED.into_iter())
            .find(|k| (k.extensions().iter()).any(|e| e.eq_ignore_ascii_case(extension)))
            .unwrap_or(FileKind::Other)
    }

    /// The kinds an extension names besides the formats of rows.
    const NAMED: [FileKind; 4] = [FileKind::Svg, FileKind::Png, FileKind::Pdf, FileKind::Html];

    /// Every kind an extension names: figures' and the report's, then the
    /// formats of rows.
    fn all() -> impl Iterator<Item = FileKind> {
        (FileKind::NAMED.into_iter()).chain(Format::ALL.map(FileKind::Rows))
    }

    /// The extensions of a file of this kind, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Rows(format) => format.extensions(),
            FileKind::Svg => &["svg"],
            FileKind::Png => &["png"],
            FileKind::Pdf => &["pdf"],
            FileKind::Html => &["html", "htm"],
            FileKind::Other => &[],
        }
    }

    /// The format the extension says rows are written in, if it says one.
    pub fn format(self) -> Option<Format> {
        match self {
            FileKind::Rows(format) => Some(format),
            _ => None,
        }
    }

    /// The kind of file that holds `format` (`Other` for the screen's
    /// formats, table and line, which no extension names).
    pub fn of_format(format: Format) -> FileKind {
        match format.extensions() {
            [] => FileKind::Other,
            _ => FileKind::Rows(format),
        }
    }

    /// The media type a file of this kind is served as.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Rows(Format::Csv) => "text/csv; charset=utf-8",
            FileKind::Rows(Format::Json) => "application/json; charset=utf-8",
            FileKind::Rows(Format::Markdown) => "text/markdown; charset=utf-8",
            FileKind::Rows(Format::Xlsx) => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            FileKind::Rows(Format::Parquet) => "application/vnd.apache.parquet",
            FileKind::Rows(Format::Arrow) => "application/vnd.apache.arrow.file",
            FileKind::Svg => "image/svg+xml",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
            FileKind::Html => "text/html; charset=utf-8",
            FileKind::Rows(Format::Table | Format::Line) | FileKind::Other => {
                "text/plain; charset=utf-8"
            }
        }
    }

    /// "a CSV file", for messages.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Rows(format) => format.document(),
            FileKind::Svg => "an SVG file",
            FileKind::Png => "a PNG file",
            FileKind::Pdf => "a PDF file",
            FileKind::Html => "an HTML file",
            FileKind::Other => "this file",
        }
    }
}

/// Why a file that holds one result (`what`: "a CSV file") cannot take
/// another.
pub fn one_result_only(what: &str) -> String {
    format!(
        "{what} holds one result, and this run gives more: write them to a .xlsx, .json or .md file, or each to a file of its own (`save \"NAME\"` after each statement)"
    )
}

/// An output file and what a run has put into it so far.
#[derive(Debug)]
pub struct Target {
    kind: FileKind,
    results: usize,
    figures: usize,
}

impl Target {
    /// A file of `kind`, nothing in it yet.
    pub fn new(kind: FileKind) -> Target {
        Target {
            kind,
            results: 0,
            figures: 0,
        }
    }

    /// The kind of file it is.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// When the run is over: an .svg or .png file nothing was drawn into
    /// would be an empty, invalid document.
    pub fn finished(&self) -> Result<(), String> {
        match self.kind {
            kind if kind.holds_one_figure() && self.figures == 0 => Err(format!(
                "this run draws no figure to write into {} (a `plot` statement draws one)",
                self.kind.name()
            )),
            _ => Ok(()),
        }
    }

    /// Counts `outcome` in, or says why the file cannot hold it.
    pub fn accept(&mut self, outcome: &Outcome) -> Result<(), String> {
        let figure = match outcome {
            Outcome::Bound(_) => return Ok(()),
            Outcome::Rows(_) => false,
            Outcome::Figure(_) => true,
        };
        if let Some(refused) = self.kind.refuses(figure) {
            return Err(refused);
        }
        match (self.kind, figure) {
            // A Parquet or Arrow file is one result too: the executor
            // tells, by the format, whatever the file's name.
            (FileKind::Rows(Format::Csv), false) if self.results > 0 => {
                Err(one_result_only(self.kind.name()))
            }
            (kind, true) if kind.holds_one_figure() && self.figures > 0 => Err(format!(
                "{} holds one figure, and this run draws more: write each to a file of its own, or all to an .xlsx workbook",
                self.kind.name()
            )),
            (_, false) => {
                self.results += 1;
                Ok(())
            }
            (_, true) => {
                self.figures += 1;
                Ok(())
            }
        }
    }
}

impl FileKind {
    /// Whether the file is one figure (.svg, .png, .pdf) and nothing else.
    pub fn holds_one_figure(self) -> bool {
        matches!(self, FileKind::Svg | FileKind::Png | FileKind::Pdf)
    }

    /// Whether a figure can go into the file: one on its own, or as a
    /// picture on a sheet of a workbook.
    pub fn holds_figures(self) -> bool {
        self.holds_one_figure() || self == FileKind::Rows(Format::Xlsx)
    }

    /// A figure as the document a file of this kind is: its SVG text, or
    /// drawn as a PNG at `dpi` or as a PDF; `None` for a kind that holds
    /// no figure on its own.
    pub fn figure_document(self, svg: &str, dpi: u32) -> Option<metasum_engine::Result<Vec<u8>>> {
        use metasum_engine::raster;
        match self {
            FileKind::Svg => Some(Ok(svg.as_bytes().to_vec())),
            FileKind::Png => Some(raster::png(svg, dpi)),
            FileKind::Pdf => Some(raster::pdf(svg)),
            _ => None,
        }
    }

    /// Why a file of this kind cannot hold a figure (`figure`) or rows at
    /// all, if it cannot.
    pub fn refuses(self, figure: bool) -> Option<String> {
        match (self, figure) {
            (FileKind::Html, _) => Some(format!(
                "an HTML file holds the review's report, which `metasum report --output FILE.html` writes: write rows to a {} file, a figure to an {} file",
                row_files(),
                figure_files()
            )),
            (kind, false) if kind.holds_one_figure() => Some(format!(
                "rows cannot go into {}, which holds one figure: write them to a {} file",
                self.name(),
                row_files()
            )),
            (_, false) => None,
            // A workbook holds a figure as a picture on a sheet of its own.
            (kind, true) if kind.holds_figures() => None,
            (other, true) => Some(format!(
                "a figure cannot go into {}: write it to an {} file",
                other.name(),
                figure_files()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_tells_the_kind_in_any_case() {
        let kind = |p: &str| FileKind::of(Path::new(p));
        assert_eq!(kind("t2.CSV"), FileKind::Rows(Format::Csv));
        assert_eq!(kind("a/b.json"), FileKind::Rows(Format::Json));
        assert_eq!(kind("x.md"), FileKind::Rows(Format::Markdown));
        assert_eq!(kind("x.markdown"), FileKind::Rows(Format::Markdown));
        assert_eq!(kind("x.xlsx"), FileKind::Rows(Format::Xlsx));
        assert_eq!(kind("t2.Parquet"), FileKind::Rows(Format::Parquet));
        assert_eq!(kind("t2.feather"), FileKind::Rows(Format::Arrow));
        assert_eq!(kind("t2.arrow"), FileKind::Rows(Format::Arrow));
        assert_eq!(kind("t2.ipc"), FileKind::Rows(Format::Arrow));
        assert_eq!(kind("fes.svg"), FileKind::Svg);
        assert_eq!(kind("fes.PNG"), FileKind::Png);
        assert_eq!(kind("fes.Pdf"), FileKind::Pdf);
        assert_eq!(kind("fes.eps"), FileKind::Other);
        assert_eq!(kind("review.HTML"), FileKind::Html);
        assert_eq!(kind("review.htm"), FileKind::Html);
        assert_eq!(kind("results"), FileKind::Other);
        assert_eq!(kind("results.table"), FileKind::Other);
        assert_eq!(FileKind::Svg.format(), None);
    }

    #[test]
    fn each_file_format_has_its_kind_and_back() {
        for format in Format::ALL {
            match FileKind::of_format(format) {
                FileKind::Other => assert!(matches!(format, Format::Table | Format::Line)),
                kind => assert_eq!(kind.format(), Some(format), "{format:?}"),
            }
        }
        assert_eq!(row_files(), ".csv, .json, .md, .xlsx, .parquet or .arrow");
        assert_eq!(figure_files(), ".svg, .png, .pdf or .xlsx");
    }
}
