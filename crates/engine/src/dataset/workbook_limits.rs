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

/// Refuses an `.ods` whose cells with a value, repeats counted, pass
/// [`MAX_CELLS`]: calamine writes out every repeat. (Empty cells and rows,
/// which spreadsheets repeat to the sheet's edge, cost nothing.)
pub(super) fn check_ods_cells(path: &Path) -> Result<(), String> {
    let mut zip = archive(path)?;
    let content = zip.by_name("content.xml").map_err(cannot)?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let (mut total, mut row_repeats, mut row_cells) = (0u64, 1u64, 0u64);
    loop {
        match xml.read_event_into(&mut buf).map_err(cannot)? {
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                row_repeats = repeats(&e, "table:number-rows-repeated");
                row_cells = 0;
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) && has_value(&e) =>
            {
                row_cells = row_cells.saturating_add(repeats(&e, "table:number-columns-repeated"));
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                total = total.saturating_add(row_repeats.saturating_mul(row_cells));
                if total > MAX_CELLS as u64 {
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
