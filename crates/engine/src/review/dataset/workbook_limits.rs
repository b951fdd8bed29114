//! What a workbook may hold, measured before calamine reads it: a workbook
//! is a zip of XML files, and a small one can stand for an enormous sheet.
//! A 1 MB xlsx inflated past 10.5 GB; a 938-byte `.ods` whose one row of
//! cells is repeated (`table:number-rows-repeated`) made calamine build
//! 98 million cells and abort at 4.5 GB.

use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

/// At most this many bytes inflated from the archive (all of its files):
/// a full sheet of 1,048,576 evidence rows is about 100 MB of XML.
pub(super) const MAX_INFLATED: u64 = 512 << 20;

/// At most this many non-empty cells in one sheet (in an `.ods`, in all).
pub(super) const MAX_CELLS: usize = 20_000_000;

fn cannot(e: impl std::fmt::Display) -> String {
    format!("cannot read the workbook: {e}")
}

fn archive(path: &Path) -> Result<zip::ZipArchive<BufReader<std::fs::File>>, String> {
    let file = std::fs::File::open(path).map_err(cannot)?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(cannot)
}

/// Refuses an archive whose files inflate past [`MAX_INFLATED`], measured
/// by inflating them (the sizes a zip declares can lie).
pub(super) fn check_inflated_size(path: &Path) -> Result<(), String> {
    let mut zip = archive(path)?;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(cannot)?;
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(cannot(e)),
            };
            total += n as u64;
            if total > MAX_INFLATED {
                return Err(format!(
                    "the workbook inflates to more than {} MiB (a zip bomb, or far more data than a review holds); metasum reads no more",
                    MAX_INFLATED >> 20
                ));
            }
        }
    }
    Ok(())
}

/// Refuses an `.ods` that calamine would expand past [`MAX_CELLS`]: it
/// writes out every repeat of a cell with a value, and fills the box from
/// the first row and column to the last ones holding a value (empty cells
/// and rows repeated to the sheet's edge, as spreadsheets write them, cost
/// nothing unless a value stands beyond them).
pub(super) fn check_ods_cells(path: &Path) -> Result<(), String> {
    let mut zip = archive(path)?;
    let content = zip.by_name("content.xml").map_err(cannot)?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut sheet = Extent::default();
    let mut filled = 0u64;
    loop {
        match xml.read_event_into(&mut buf).map_err(cannot)? {
            Event::Start(e) if e.name().as_ref() == "table:table" => sheet = Extent::default(),
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                sheet.start_row(repeats(&e, "table:number-rows-repeated"));
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                sheet.row += repeats(&e, "table:number-rows-repeated");
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let n = repeats(&e, "table:number-columns-repeated");
                if has_value(&e) {
                    filled = filled.saturating_add(sheet.row_repeats.saturating_mul(n));
                    sheet.value_at(n);
                }
                sheet.col = sheet.col.saturating_add(n);
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                sheet.end_row();
                if filled > MAX_CELLS as u64 || sheet.cells() > MAX_CELLS as u64 {
                    return Err(format!(
                        "the workbook repeats its cells to more than {MAX_CELLS} (a few bytes can stand for a sheet of billions); metasum reads no more"
                    ));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Where the reading of one `.ods` sheet is, and how far its values reach.
#[derive(Default)]
struct Extent {
    /// The first row of the current row element, and its repeat count.
    row: u64,
    row_repeats: u64,
    /// The column of the next cell element.
    col: u64,
    /// Whether the current row holds a value.
    row_has_value: bool,
    /// One past the last row and column holding a value.
    rows: u64,
    cols: u64,
}

impl Extent {
    fn start_row(&mut self, repeats: u64) {
        self.row_repeats = repeats;
        self.col = 0;
        self.row_has_value = false;
    }

    /// A value in the `n` cells from the current column.
    fn value_at(&mut self, n: u64) {
        self.row_has_value = true;
        self.cols = self.cols.max(self.col.saturating_add(n));
    }

    fn end_row(&mut self) {
        self.row = self.row.saturating_add(self.row_repeats);
        if self.row_has_value {
            self.rows = self.rows.max(self.row);
        }
    }

    /// The cells of the box calamine fills.
    fn cells(&self) -> u64 {
        self.rows.saturating_mul(self.cols)
    }
}

/// The repeat count an element's attribute `name` gives (1 without one).
fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

/// Whether a cell element holds a value (it has a value type).
fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref().ends_with(":value-type"))
}
