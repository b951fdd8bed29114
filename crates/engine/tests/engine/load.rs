//! Loading the malformed datasets under the root `tests/data/`: each gives
//! its specific problem, with file, line and column.

use std::path::PathBuf;

use metasum_engine::{Dataset, Format, LoadError, Session, format};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

/// The problems of a malformed dataset folder: told when it loads, or,
/// for those of `evidence.csv` alone, when its links are first needed.
fn problems(name: &str) -> String {
    let err: LoadError = match Dataset::load(&data(name)) {
        Err(err) => err.as_load().expect("a load error").clone(),
        Ok(ds) => ds.load_links().expect_err("this dataset is malformed"),
    };
    err.problems.iter().map(|p| format!("{p}\n")).collect()
}

#[test]
fn minimal_dataset_loads_and_gets_one_paper_per_study() {
    let ds = Dataset::load(&data("valid-minimal")).unwrap();
    assert_eq!(ds.studies.height(), 3);
    assert_eq!(ds.papers.height(), 3);
    let citations: Vec<_> = ds
        .papers
        .column("citation")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(citations, ["Ames (2001)", "Bell (2003)", "Cole (2005)"]);
    // The extra column `region` is kept, as text.
    assert!(ds.studies.column("region").unwrap().str().is_ok());
}

#[test]
fn missing_folder() {
    let err = Dataset::load(&data("no-such-folder")).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(
        err.problems()[0].message.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn missing_required_column() {
    insta::assert_snapshot!(problems("missing-column"));
}

#[test]
fn ids_not_positive_integers_or_repeated() {
    insta::assert_snapshot!(problems("bad-ids"));
}

#[test]
fn evidence_naming_unknown_finding_or_study() {
    insta::assert_snapshot!(problems("unknown-references"));
}

#[test]
fn paper_pointing_to_missing_study() {
    insta::assert_snapshot!(problems("paper-without-study"));
}

#[test]
fn duplicate_evidence_row() {
    insta::assert_snapshot!(problems("duplicate-evidence"));
}

/// A code none of the declared ones in any case is refused; one in
/// another case (`Recipient`, line 4) is the code (the rule of case).
#[test]
fn unknown_perspective_and_quality() {
    insta::assert_snapshot!(problems("unknown-codes"));
}

#[test]
fn empty_file() {
    insta::assert_snapshot!(problems("empty-file"));
}

#[test]
fn file_not_utf8() {
    insta::assert_snapshot!(problems("not-utf8"));
}

#[test]
fn file_not_csv() {
    insta::assert_snapshot!(problems("not-csv"));
}

#[test]
fn required_file_missing() {
    insta::assert_snapshot!(problems("missing-file"));
}

#[test]
fn computed_columns_stored_are_left_out_and_recomputed() {
    let ds = Dataset::load(&data("computed-column-stored")).unwrap();
    assert_eq!(
        ds.ignored_columns,
        [
            ("studies.csv".to_string(), "Intensity".to_string()),
            ("findings.csv".to_string(), "fes".to_string()),
        ]
    );
    assert!(ds.findings.column("fes").is_err());
    assert!(ds.studies.column("Intensity").is_err());
    // The stored values (99, 0, 12.5 and 67, 33) are not what the links
    // give: two findings, each study supports one (50 %); finding 1 is in
    // 2 of 3 studies, finding 2 in 1 of 3.
    let mut session = Session::new(ds);
    let mut answer = |q: &str| {
        let script = metasum_query::parse(q).unwrap();
        let r = session.run(&script.statements[0]).unwrap().unwrap();
        format::render(&r.frame, Format::Csv).unwrap()
    };
    assert_eq!(
        answer("studies show id, intensity"),
        "id,intensity\n1,50.0\n2,50.0\n3,50.0\n"
    );
    assert_eq!(answer("findings show id, fes"), "id,fes\n1,66.7\n2,33.3\n");
}

#[test]
fn dataset_toml_syntax_error() {
    insta::assert_snapshot!(problems("bad-toml"));
}

#[test]
fn claims_and_citations_naming_what_does_not_exist() {
    insta::assert_snapshot!(problems("bad-claims"));
}

/// Text-keyed links read by the fast path (plain cells) and by the general
/// reader (every cell quoted) are one table: the same stand-in numbers.
#[test]
fn text_keyed_links_read_fast_or_slow_are_the_same_links() {
    let mut files = crate::util::files_of(&data("author-year-review"));
    let fast = Dataset::from_files(&files, "plain").unwrap();
    let evidence = String::from_utf8(files["evidence.csv"].clone()).unwrap();
    let mut lines = evidence.lines();
    let mut quoted = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let cells: Vec<String> = line.split(',').map(|c| format!("\"{c}\"")).collect();
        quoted.push_str(&cells.join(","));
        quoted.push('\n');
    }
    files.insert("evidence.csv".into(), quoted.into_bytes());
    let slow = Dataset::from_files(&files, "quoted").unwrap();
    let (fast, slow) = (fast.links().unwrap(), slow.links().unwrap());
    assert!(fast.height() > 5);
    assert!(fast.equals(slow), "{fast}\n{slow}");
}

/// The seed's files with `file` replaced by `text`, loaded.
fn seed_with(file: &str, text: &str) -> Result<Dataset, String> {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/peer-support");
    crate::util::with_file(&seed, "review", file, text)
}

#[test]
fn the_optional_files_are_read_as_the_tables_are() {
    // A byte order mark (Excel's "CSV UTF-8") before the header.
    let ds = seed_with(
        "search.csv",
        "\u{feff}stage,count,parent,label\nall,10,,All\nin,4,all,In\n",
    );
    assert_eq!(ds.unwrap().search.len(), 2);
    // A row of commas only, as a spreadsheet saves an emptied row, is skipped.
    let ds = seed_with(
        "citations.csv",
        "study,cited_as,year,section\n3,Carlston,2001,Results\n,,,\n",
    );
    assert_eq!(ds.unwrap().citations.len(), 1);
    // A formula's guard is dropped, as metasum's own CSV writes it.
    let ds = seed_with(
        "claims.csv",
        "id,section,statement,studies\n1,Results,'=A1 support,3\n",
    );
    assert_eq!(ds.unwrap().claims[0].statement, "=A1 support");
    // A row of the wrong length is told at its line, the others read.
    let err = seed_with(
        "citations.csv",
        "study,cited_as,year,section\n3,Carlston,2001\n7,Dixon,1994,Results\n",
    );
    let err = err.unwrap_err();
    assert!(
        err.contains("citations.csv:2: row has 3 fields, but the header has 4"),
        "{err}"
    );
    // A spreadsheet error is told at its cell.
    let err = seed_with(
        "citations.csv",
        "study,cited_as,year,section\n3,#N/A,2001,Results\n",
    );
    assert!(
        err.unwrap_err().contains("citations.csv:2"),
        "a spreadsheet error is told"
    );
    // ... once: the row is left out, not read again as an empty id.
    let err = seed_with(
        "claims.csv",
        "id,section,statement,studies\n#N/A,Results,Support,3\n",
    );
    let err = err.unwrap_err();
    assert_eq!(err.matches("claims.csv:").count(), 1, "{err}");
    // A row left out of search.csv does not make its children's parent
    // look missing.
    let err = seed_with(
        "search.csv",
        "stage,count,parent,label\nall,10,,All,extra\nin,4,all,In\n",
    );
    let err = err.unwrap_err();
    assert!(err.contains("search.csv:2: row has 5 fields"), "{err}");
    assert!(!err.contains("no stage is called"), "{err}");
    // A column twice in the header is refused, as in the tables.
    let err = seed_with(
        "search.csv",
        "stage,count,parent,label,label\nall,10,,All,x\n",
    );
    assert!(err.unwrap_err().contains("column `label` appears twice"));
}

#[test]
fn an_optional_file_of_thousands_of_bad_cells_lists_a_thousand_and_counts_the_rest() {
    let mut text = String::from("study,cited_as,year,section\n");
    for i in 0..3000 {
        text.push_str(&format!("3,Carlston,soon{i},Results\n"));
    }
    // And a row of the wrong length, which the reader itself tells.
    text.push_str("3,Carlston\n");
    let err = seed_with("citations.csv", &text).unwrap_err();
    let told = err.lines().filter(|l| l.contains("citations.csv:")).count();
    assert_eq!(told, 1001, "a thousand listed and one count");
    assert!(
        err.contains("citations.csv: and 2001 more problems in its rows, not listed"),
        "{err}"
    );
}
