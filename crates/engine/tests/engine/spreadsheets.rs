//! Spreadsheets: the seed exported to CSV files and to a workbook loads back
//! with the same query results; a `matrix` sheet is read as findings and
//! evidence; problems in a workbook name the sheet and row.

use std::path::Path;

use metasum_engine::{Dataset, Format, Session, export, format};

/// Every core question, as CSV, on `ds`.
fn answers(ds: Dataset) -> String {
    let script = metasum_query::parse(
        "findings where perspective = recipient and fes > 30
let good = studies where quality != low
findings among good where fes >= 40 sort by fes desc
studies count by country
studies among (findings where perspective = worker) sort by intensity desc limit 5
findings where studies has 13 show id, name
studies where recipients is missing show id
profile show id, n, fes, fes_without_concerns, flag
matrix where perspective = nonpeer
papers
evidence",
    )
    .unwrap();
    let mut session = Session::new(ds);
    let mut out = String::new();
    for s in &script.statements {
        if let Some(r) = session.run(s).unwrap() {
            out.push_str(&format::render_result(&r, Format::Csv).unwrap());
        }
    }
    out
}

#[test]
fn csv_export_round_trips() {
    let seed = Dataset::seed().unwrap();
    let dir = tempfile::tempdir().unwrap();
    export::export(&seed, dir.path()).unwrap();
    let back = Dataset::load(dir.path()).unwrap();
    // The computed columns written by export are recomputed, not read.
    assert!(
        back.ignored_columns
            .contains(&("findings.csv".to_string(), "fes".to_string()))
    );
    assert_eq!(back.claims, seed.claims);
    assert_eq!(back.citations, seed.citations);
    assert_eq!(answers(back), answers(Dataset::seed().unwrap()));
}

#[test]
fn xlsx_export_round_trips() {
    let seed = Dataset::seed().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.xlsx");
    export::export(&seed, &path).unwrap();
    let back = Dataset::load(&path).unwrap();
    assert_eq!(back.meta, seed.meta);
    assert_eq!(back.search, seed.search);
    assert_eq!(answers(back), answers(Dataset::seed().unwrap()));
    // The sheets in the order DATASET.md gives them.
    use calamine::Reader;
    let book = calamine::open_workbook_auto(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "dataset.toml",
            "studies",
            "papers",
            "findings",
            "evidence",
            "claims",
            "citations",
            "search"
        ]
    );
}

fn write_book(path: &Path, sheets: &[(&str, &[&[&str]])]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Ok(n) = cell.parse::<f64>() {
                    sheet.write_number(r as u32, c as u16, n).unwrap();
                } else if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn matrix_sheet_is_read_as_findings_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix.xlsx");
    write_book(
        &path,
        &[
            (
                "studies",
                &[
                    &["id", "author", "year"],
                    &["1", "Ames", "2001"],
                    &["2", "Bell", "2003"],
                    &["3", "Cole", "2005"],
                ],
            ),
            (
                "matrix",
                &[
                    &["id", "perspective", "name", "1", "2", "3"],
                    &["1", "worker", "Low pay", "x", "x", ""],
                    &["2", "recipient", "Role models", "", "", "yes"],
                ],
            ),
        ],
    );
    let ds = Dataset::load(&path).unwrap();
    assert_eq!(ds.links().unwrap().height(), 3);
    let mut session = Session::new(ds);
    let script = metasum_query::parse("findings show id, name, n, fes, studies").unwrap();
    let r = session.run(&script.statements[0]).unwrap().unwrap();
    insta::assert_snapshot!(format::render(&r.frame, Format::Csv).unwrap(), @r"
    id,name,n,fes,studies
    1,Low pay,2,66.7,1;2
    2,Role models,1,33.3,3
    ");
}

#[test]
fn workbook_problems_name_sheet_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    write_book(
        &path,
        &[
            (
                "studies",
                &[
                    &["id", "author", "year"],
                    &["1", "Ames", "2001"],
                    &["", "", ""],
                    &["", "Bell", "2003"],
                ],
            ),
            (
                "findings",
                &[&["id", "perspective", "name"], &["1", "worker", "Low pay"]],
            ),
            (
                "evidence",
                &[&["finding", "study"], &["1", "1"], &["1", "7"]],
            ),
        ],
    );
    let err = Dataset::load(&path).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "sheet studies, row 4: column `id`: is empty (an id is required)",
            "sheet evidence, row 3: column `study`: study 7 does not exist in sheet studies",
        ]
    );
}

/// A workbook's messages name sheets because the loader knows it reads
/// one, not by rewriting file names in the text: what a reviewer wrote
/// (here a study written `studies.csv`, and a `[published_totals]` column)
/// is quoted as written, and the other tables are named as sheets.
#[test]
fn workbook_messages_name_sheets_and_quote_cells_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("named.xlsx");
    write_book(
        &path,
        &[
            (
                "dataset.toml",
                &[&["[published_totals]\n\"findings.csv\" = 3"]],
            ),
            (
                "studies",
                &[
                    &["id", "author", "year"],
                    &["S1", "Ames", "2001"],
                    &["S2", "Bell", "2003"],
                ],
            ),
            (
                "findings",
                &[&["id", "perspective", "name"], &["F1", "worker", "Low pay"]],
            ),
            (
                "evidence",
                &[&["finding", "study"], &["F1", "S1"], &["F1", "studies.csv"]],
            ),
        ],
    );
    let err = Dataset::load(&path).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "dataset.toml: [published_totals] `findings.csv` names no column of sheet studies",
            "sheet evidence, row 3: column `study`: study `studies.csv` does not exist in sheet studies",
        ]
    );
}

/// An optional sheet's messages are a sheet's too: a `cerqual` sheet with
/// a column of notes is told to keep them in a sheet of their own.
#[test]
fn an_optional_sheet_s_messages_name_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cerqual.xlsx");
    write_book(
        &path,
        &[
            (
                "studies",
                &[&["id", "author", "year"], &["1", "Ames", "2001"]],
            ),
            ("findings", &[&["id", "name"], &["1", "Low pay"]]),
            ("evidence", &[&["finding", "study"], &["1", "1"]]),
            (
                "cerqual",
                &[&[
                    "finding",
                    "methodological_limitations",
                    "coherence",
                    "adequacy",
                    "relevance",
                    "confidence",
                    "notes",
                ]],
            ),
        ],
    );
    let err = Dataset::load(&path).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "sheet cerqual, row 1: unknown column `notes` (sheet cerqual has: finding, "
        ),
        "{problems:?}"
    );
    assert!(
        problems[0].ends_with("; keep other notes in a sheet of their own)"),
        "{problems:?}"
    );
}

#[test]
fn repeats_in_a_sheet_name_the_row_of_the_first_one() {
    // The tables start on row 2, so CSV lines and sheet rows differ by one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repeats.xlsx");
    write_book(
        &path,
        &[
            (
                "studies",
                &[
                    &["", "", ""],
                    &["id", "author", "year"],
                    &["1", "Ames", "2001"],
                    &["1", "Bell", "2003"],
                ],
            ),
            (
                "findings",
                &[&["id", "perspective", "name"], &["1", "worker", "Low pay"]],
            ),
            (
                "evidence",
                &[&["", ""], &["finding", "study"], &["1", "1"], &["1", "1"]],
            ),
        ],
    );
    let err = Dataset::load(&path).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "sheet studies, row 4: column `id`: id 1 repeats (first on row 3)",
            "sheet evidence, row 4: finding 1 in study 1 is listed twice (first on row 3)",
        ]
    );
}

/// A workbook of one `studies` sheet (Ames, Bell, Cole) and a `matrix`.
fn matrix_book(path: &Path, matrix: &[&[&str]]) {
    write_book(
        path,
        &[
            (
                "studies",
                &[
                    &["id", "author", "year"],
                    &["1", "Ames", "2001"],
                    &["2", "Bell", "2003"],
                    &["3", "Cole", "2005"],
                ],
            ),
            ("matrix", matrix),
        ],
    );
}

fn fes_of(ds: Dataset) -> String {
    let script = metasum_query::parse("findings show id, n, fes").unwrap();
    let r = Session::new(ds)
        .run(&script.statements[0])
        .unwrap()
        .unwrap();
    format::render(&r.frame, Format::Csv).unwrap()
}

#[test]
fn a_matrix_of_ones_and_zeros_reads_zeros_as_no_evidence() {
    // metasum's own matrix output pasted back: every `0` counted as
    // evidence and every finding had FES 100.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix.xlsx");
    matrix_book(
        &path,
        &[
            &["id", "perspective", "name", "1", "2", "3"],
            &["1", "worker", "Low pay", "1", "1", "0"],
            &["2", "recipient", "Role models", "0", "0", "1"],
        ],
    );
    assert_eq!(
        fes_of(Dataset::load(&path).unwrap()),
        "id,n,fes\n1,2,66.7\n2,1,33.3\n"
    );
}

#[test]
fn a_matrix_column_of_marks_that_names_no_study_is_refused() {
    // `Smith 2019` became a finding column and its evidence vanished
    // ("0 evidence links: valid").
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix.xlsx");
    matrix_book(
        &path,
        &[
            &["id", "perspective", "name", "1", "Smith 2019"],
            &["1", "worker", "Low pay", "1", "x"],
            &["2", "recipient", "Role models", "", ""],
        ],
    );
    let problems: Vec<String> = Dataset::load(&path)
        .unwrap_err()
        .problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "sheet matrix, row 1: column `Smith 2019`: 1 column holds evidence marks under a header that is not the id of a study in sheet studies: `Smith 2019`; head each study column with its study's id exactly (a column that describes the findings with yes/no values belongs in a `findings` sheet, beside an `evidence` sheet)"
        ]
    );
    // Text that is no mark, in a study column.
    matrix_book(
        &path,
        &[
            &["id", "perspective", "name", "1", "2"],
            &["1", "worker", "Low pay", "1", "maybe"],
        ],
    );
    let err = Dataset::load(&path).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert!(
        err.problems()[0]
            .to_string()
            .starts_with("sheet matrix, row 2: column `2`: `maybe` is not an evidence mark"),
        "{err}"
    );
}

#[test]
fn a_cell_at_the_far_corner_of_a_sheet_is_a_located_problem() {
    // One cell at XFD1048576 made calamine ask for 549 GB and abort.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheets: [(&str, &[&[&str]]); 3] = [
        (
            "studies",
            &[&["id", "author", "year"], &["1", "Ames", "2001"]],
        ),
        (
            "findings",
            &[&["id", "perspective", "name"], &["1", "worker", "Low pay"]],
        ),
        ("evidence", &[&["finding", "study"], &["1", "1"]]),
    ];
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        if name == "studies" {
            sheet.write_string(1_048_575, 16_383, "stray").unwrap();
        }
    }
    book.save(&path).unwrap();
    let err = Dataset::load(&path).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        problems,
        [
            "sheet studies, row 1048576: cell XFD1048576 holds `stray`, to the right of the header's last column (C); delete it or give its column a header"
        ]
    );
}

#[test]
fn a_zip_bomb_is_refused_after_a_bounded_read() {
    // A 1 MB workbook that inflated past 10.5 GB. This one is a whole
    // workbook (so calamine would read it), whose one sheet inflates to
    // 600 MiB of a single cell's text.
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.xlsx");
    write_book(&plain, &[("studies", &[&["id"], &["1"]])]);
    let path = dir.path().join("bomb.xlsx");
    let mut from = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..from.len() {
        let mut entry = from.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        zip.start_file(name.as_str(), options).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#).unwrap();
            let text = vec![b'a'; 1 << 20];
            for _ in 0..600 {
                zip.write_all(&text).unwrap();
            }
            zip.write_all(b"</t></is></c></row></sheetData></worksheet>")
                .unwrap();
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
    let err = Dataset::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("the workbook inflates to more than 512 MiB"),
        "{err}"
    );
}

/// An OpenDocument spreadsheet of `sheets`, each row written as given:
/// `(cells, repeat)` where a cell of `(text, repeat)` is written once with
/// `number-columns-repeated`, and the row with `number-rows-repeated`.
/// An `.ods` row: its cells, each with its column repeat, and its row repeat.
type OdsRow<'a> = (Vec<(&'a str, u64)>, u64);

fn write_ods(path: &Path, sheets: &[(&str, Vec<OdsRow<'_>>)]) {
    use std::io::Write;
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    for (name, rows) in sheets {
        xml.push_str(&format!(r#"<table:table table:name="{name}">"#));
        for (cells, repeat) in rows {
            xml.push_str(&format!(
                r#"<table:table-row table:number-rows-repeated="{repeat}">"#
            ));
            for (text, repeat) in cells {
                xml.push_str(&format!(
                    r#"<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
                ));
            }
            xml.push_str("</table:table-row>");
        }
        xml.push_str("</table:table>");
    }
    xml.push_str("</office:spreadsheet></office:body></office:document-content>");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// A row of single cells.
fn row<'a>(cells: &[&'a str]) -> OdsRow<'a> {
    (cells.iter().map(|c| (*c, 1)).collect(), 1)
}

#[test]
fn an_ods_workbook_loads_and_one_that_repeats_a_row_of_values_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.ods");
    let mut sheets = vec![
        (
            "studies",
            vec![
                row(&["id", "author", "year"]),
                row(&["1", "Ames", "2001"]),
                row(&["2", "Bell", "2003"]),
            ],
        ),
        (
            "findings",
            vec![
                row(&["id", "perspective", "name"]),
                row(&["1", "worker", "Low pay"]),
            ],
        ),
        (
            "evidence",
            vec![row(&["finding", "study"]), row(&["1", "2"])],
        ),
    ];
    write_ods(&path, &sheets);
    assert_eq!(
        fes_of(Dataset::load(&path).unwrap()),
        "id,n,fes\n1,1,50.0\n"
    );
    // A few hundred bytes that stand for 6,000 rows of 16,384 values: calamine
    // built them all and aborted at 4.5 GB.
    sheets[0].1.push((vec![("x", 16_384)], 6_000));
    write_ods(&path, &sheets);
    let err = Dataset::load(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("the workbook repeats its cells to more than 20000000"),
        "{err}"
    );
}

/// A workbook whose `studies` sheet is written cell by cell by `studies`,
/// with findings and evidence of its own.
fn typed_book(path: &Path, studies: impl Fn(&mut rust_xlsxwriter::Worksheet)) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("studies").unwrap();
    studies(sheet);
    let rows: [(&str, &[&[&str]]); 2] = [
        (
            "findings",
            &[&["id", "perspective", "name"], &["1", "worker", "Low pay"]],
        ),
        (
            "evidence",
            &[&["finding", "study"], &["1", "1"], &["1", "2"]],
        ),
    ];
    for (name, rows) in rows {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                // Ids stored as text, as a CSV import leaves them.
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn cells_of_every_type_are_read_as_a_reviewer_typed_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.xlsx");
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    typed_book(&path, |sheet| {
        for (c, h) in ["id", "author", "year", "paid", "published"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        // An id as text, a whole number stored as a float, a number.
        sheet.write_string(1, 0, "1").unwrap();
        sheet.write_number(2, 0, 2.0).unwrap();
        for (r, author) in [(1, "Ames"), (2, "Bell")] {
            sheet.write_string(r, 1, author).unwrap();
            sheet.write_number(r, 2, 2000.0 + r as f64).unwrap();
        }
        sheet.write_boolean(1, 3, true).unwrap();
        sheet.write_boolean(2, 3, false).unwrap();
        let may = ExcelDateTime::from_ymd(2019, 5, 1).unwrap();
        sheet.write_datetime_with_format(1, 4, &may, &date).unwrap();
    });
    let ds = Dataset::load(&path).unwrap();
    let script = metasum_query::parse("studies show id, n, paid, published").unwrap();
    let r = Session::new(ds)
        .run(&script.statements[0])
        .unwrap()
        .unwrap();
    // The date as the sheet shows it, not its serial number (43586).
    assert_eq!(
        format::render(&r.frame, Format::Csv).unwrap(),
        "id,n,paid,published\n1,1,true,2019-05-01\n2,1,false,\n"
    );
}

#[test]
fn a_date_for_a_year_is_refused_and_a_fractional_id_matches_no_reference() {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.xlsx");
    let date = CellFormat::new().set_num_format("dd/mm/yyyy");
    typed_book(&path, |sheet| {
        for (c, h) in ["id", "author", "year"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 1.0).unwrap();
        sheet.write_string(1, 1, "Ames").unwrap();
        sheet.write_number(1, 2, 2001.0).unwrap();
        sheet.write_number(2, 0, 2.5).unwrap();
        sheet.write_string(2, 1, "Bell").unwrap();
        // A year typed into a date cell.
        let year = ExcelDateTime::from_ymd(2003, 1, 1).unwrap();
        sheet
            .write_datetime_with_format(2, 2, &year, &date)
            .unwrap();
    });
    let problems: Vec<String> = Dataset::load(&path)
        .unwrap_err()
        .problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    // 2.5 is read as the id `2.5` (ids may be text), so the evidence row
    // that names study 2 names none.
    assert_eq!(
        problems,
        [
            "sheet studies, row 3: column `year`: expected a whole number, found `2003-01-01`",
            "sheet evidence, row 3: column `study`: study `2` does not exist in sheet studies",
        ]
    );
}
