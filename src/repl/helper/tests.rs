//! Tests of the shell's completion and hints.

use super::*;
use metasum_engine::Dataset;

fn helper() -> MetasumHelper {
    MetasumHelper::new(&Session::new(Dataset::seed().unwrap()))
}

#[test]
fn completes_text_values_after_equals() {
    // Both codes start with `rec`; the first Tab completes to `recipient`.
    let line = "findings where perspective = rec";
    let (start, words) = helper().candidates(line, line.len());
    assert_eq!(
        (start, words),
        (
            29,
            vec!["recipient".to_string(), "recommendation".to_string()]
        )
    );
    let line = "findings where perspective = Reci";
    assert_eq!(helper().candidates(line, line.len()).1, ["recipient"]);
}

#[test]
fn a_large_review_completes_from_its_plans_and_stored_rows() {
    // 120,000 links: past MAX_LINKS, so no view is run at start-up.
    let mut files = BTreeMap::new();
    let toml = "title = \"t\"\n[perspectives]\nrecipient = \"R\"\nworker = \"W\"\n";
    files.insert("dataset.toml".to_string(), toml.as_bytes().to_vec());
    let mut studies = String::from("id,author,year,country\n");
    (1..=400).for_each(|s| studies += &format!("{s},A{s},2001,C{}\n", s % 3));
    let mut findings = String::from("id,perspective,name\n");
    (1..=300).for_each(|f| findings += &format!("{f},recipient,F{f}\n"));
    let mut evidence = String::from("finding,study\n");
    for s in 1..=400 {
        (1..=300).for_each(|f| evidence += &format!("{f},{s}\n"));
    }
    for (name, text) in [
        ("studies.csv", studies),
        ("findings.csv", findings),
        ("evidence.csv", evidence),
    ] {
        files.insert(name.to_string(), text.into_bytes());
    }
    let session = Session::new(Dataset::from_files(&files, "large").unwrap());
    let h = MetasumHelper::new(&session);
    let at_end = |line: &str| h.candidates(line, line.len()).1;
    assert_eq!(at_end("findings where perspective = rec"), ["recipient"]);
    assert_eq!(at_end("studies where country = C"), ["C0", "C1", "C2"]);
    assert_eq!(at_end("studies where inte"), ["intensity"]);
    assert_eq!(at_end("findings where fe"), ["fes"]);
}

#[test]
fn completes_values_inside_in_lists() {
    let line = "findings where perspective in (nonpeer, or";
    assert_eq!(helper().candidates(line, line.len()).1, ["organisation"]);
}

#[test]
fn completes_columns_of_the_statement_table() {
    let line = "studies where inte";
    assert_eq!(helper().candidates(line, line.len()).1, ["intensity"]);
    let line = "findings where inte";
    assert!(helper().candidates(line, line.len()).1.is_empty());
}

#[test]
fn only_what_can_come_next_is_offered() {
    let h = helper();
    let at_end = |line: &str| h.candidates(line, line.len()).1;
    // After `where`: columns and `not`, no `and` or `among`.
    let after_where = at_end("findings where ");
    assert!(after_where.contains(&"fes".to_string()), "{after_where:?}");
    assert!(after_where.contains(&"not".to_string()));
    assert!(!after_where.iter().any(|w| w == "and" || w == "among"));
    // Columns come before `not`.
    assert_eq!(after_where.last().map(String::as_str), Some("not"));
    assert_eq!(at_end("studies sort by inten"), ["intensity"]);
    assert!(!at_end("studies count by ").contains(&"not".to_string()));
    // A whole statement: clauses and connectives, not columns.
    let clauses = at_end("findings where fes > 30 ");
    assert!(clauses.contains(&"and".to_string()) && clauses.contains(&"sort".to_string()));
    assert!(!clauses.contains(&"fes".to_string()), "{clauses:?}");
    // A statement's start: tables, `let`, `plot`.
    let start = at_end("");
    assert!(start.contains(&"findings".to_string()) && start.contains(&"plot".to_string()));
    assert!(!start.contains(&"where".to_string()));
    assert_eq!(at_end("plot m"), ["matrix"]);
    // `save` comes last, and a file name is not completed.
    assert!(at_end("findings where fes > 30 ").contains(&"save".to_string()));
    assert!(at_end("findings save \"a.csv\" ").is_empty());
    assert!(at_end("findings save ").is_empty());
    assert!(at_end("findings save \"fi").is_empty());
    assert!(at_end("findings save \"x;stu").is_empty());
    assert!(at_end("findings save \"a\\\"b").is_empty());
    assert_eq!(at_end("findings save \"a.csv\"; stu"), ["studies"]);
    assert_eq!(at_end("plot flow "), ["caption", "save", "title"]);
    assert!(at_end("plot fes findings ").contains(&"title".to_string()));
    assert!(!at_end("findings ").contains(&"title".to_string()));
    let after_plot = at_end("plot fes ");
    assert!(
        after_plot.contains(&"findings".to_string()) && after_plot.contains(&"save".to_string())
    );
    assert!(!after_plot.contains(&"where".to_string()), "{after_plot:?}");
    assert_eq!(at_end("findings; stu"), ["studies"]);
}

#[test]
fn columns_that_are_not_words_complete_in_backquotes() {
    let files: BTreeMap<String, Vec<u8>> = [
        (
            "studies.csv",
            "id,author,year,Sample size,Study design\n1,Ames,2001,12,RCT\n",
        ),
        ("findings.csv", "id,perspective,name\n1,worker,Low pay\n"),
        ("evidence.csv", "finding,study\n1,1\n"),
    ]
    .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
    .into();
    let ds = Dataset::from_files(&files, "test").unwrap();
    let helper = MetasumHelper::new(&Session::new(ds));
    for line in ["studies where sam", "studies where `Sam"] {
        let (start, words) = helper.candidates(line, line.len());
        assert_eq!(words, ["`Sample size`"], "{line}");
        // The typed backquote is replaced, not doubled.
        assert_eq!(&line[..start], "studies where ", "{line}");
    }
    let line = "studies where `Study design` = R";
    assert_eq!(helper.candidates(line, line.len()).1, ["RCT"]);
}

#[test]
fn completes_keywords_tables_and_dot_commands() {
    assert_eq!(helper().candidates("find", 4).1, ["findings"]);
    assert_eq!(helper().candidates("findings whe", 12).1, ["where"]);
    assert_eq!(helper().candidates(".sch", 4).1, [".schema"]);
}

#[test]
fn values_that_are_not_bare_words_are_quoted() {
    let line = "studies where author = Gat";
    assert_eq!(
        helper().candidates(line, line.len()).1,
        ["\"Gates & Akabus\""]
    );
}

#[test]
fn completes_let_names_after_they_are_bound() {
    let mut session = Session::new(Dataset::seed().unwrap());
    let script = metasum_query::parse("let good = studies where quality != low").unwrap();
    session.run(&script.statements[0]).unwrap();
    let mut h = MetasumHelper::new(&session);
    h.refresh_lets(&session);
    assert_eq!(h.candidates("findings among go", 17).1, ["good"]);
}
