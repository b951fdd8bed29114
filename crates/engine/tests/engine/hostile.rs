//! Datasets and queries that once gave a wrong number, a crash or a useless
//! message (issue 12), each checked against what a reader should get.

use std::path::{Path, PathBuf};

use metasum_engine::{Dataset, Format, LoadError, Session, check, export, format};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/peer-support")
}

/// The problems of a malformed dataset folder: told when it loads, or,
/// for those of `evidence.csv` alone, when its links are first needed.
fn problems(dir: &Path) -> Vec<String> {
    let err: LoadError = match Dataset::load(dir) {
        Err(err) => err.as_load().expect("a load error").clone(),
        Ok(ds) => ds.load_links().expect_err("this dataset is malformed"),
    };
    err.problems.iter().map(|p| p.to_string()).collect()
}

/// The CSV of the last result of `src` on `ds`.
fn csv(ds: Dataset, src: &str) -> String {
    let script = metasum_query::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let mut session = Session::new(ds);
    let mut last = None;
    for s in &script.statements {
        last = session
            .run(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .or(last);
    }
    format::render_result(&last.unwrap(), Format::Csv).unwrap()
}

/// The message of the error `src` gives on the seed, with the text under
/// its span.
fn error(src: &str) -> (String, String) {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(Dataset::seed().unwrap());
    for s in &script.statements {
        if let Err(e) = session.run(s) {
            let e = e.as_query().expect("a statement error");
            return (e.message.clone(), src[e.span.start..e.span.end].to_string());
        }
    }
    panic!("{src} ran without error")
}

/// A copy of the seed folder in a temporary folder, with `edit` applied to
/// the text of `file`.
fn seed_copy(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Adds a column to every line of a CSV text: `header` on the first line,
/// `value` on the others.
fn with_column(text: &str, header: &str, value: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { header } else { value }))
        .collect()
}

// -- Wrong or lost data without an error --------------------------------

#[test]
fn stored_columns_named_like_profile_figures_do_not_replace_them() {
    // findings.csv with `concern_n`, `workers`, `n_adequate` and `flag` of its
    // own: profile's figures were read from them (fes_without_concerns 113.6).
    let dir = seed_copy("findings.csv", |t| {
        let t = with_column(t, "concern_n", "99");
        let t = with_column(&t, "workers", "12345");
        let t = with_column(&t, "n_adequate", "25");
        with_column(&t, "flag", "true")
    });
    let ds = Dataset::load(dir.path()).unwrap();
    let query = "profile show id, n, workers, concern_n, fes_without_concerns, flag";
    assert_eq!(csv(ds, query), csv(Dataset::seed().unwrap(), query));
    // Read against the paper: finding 1 (low pay) is in 11 studies, 7 and 9
    // of them of low quality: 9 of the 22 adequate studies.
    let seed = csv(Dataset::seed().unwrap(), query);
    assert!(seed.contains("\n1,11,59,2,40.9,false\n"), "{seed}");
}

#[test]
fn an_extra_evidence_column_is_not_read_as_a_study_column() {
    // An evidence column `low` (all true) stood in for the studies' quality.
    let dir = seed_copy("evidence.csv", |t| with_column(t, "low", "true"));
    let ds = Dataset::load(dir.path()).unwrap();
    let query = "profile show id, concern_n, fes_without_concerns";
    assert_eq!(csv(ds, query), csv(Dataset::seed().unwrap(), query));
}

#[test]
fn column_names_are_names_not_patterns() {
    let ds = || Dataset::load(&data("odd-column-names")).unwrap();
    // `^zz$`, `*` and `^.*$` vanished or broke every query.
    assert_eq!(
        csv(ds(), "findings sort by id desc"),
        "id,perspective,name,n,fes,studies,^zz$,*,^.*$\n\
         2,recipient,Role models,1,33.3,3,also kept,star2,dotstar2\n\
         1,worker,Low pay,2,66.7,1;2,kept,star,dotstar\n"
    );
    // `count` and `__metasum_position` broke `count by` and `sort by`.
    assert_eq!(
        csv(
            ds(),
            "studies sort by __metasum_position desc show id, count"
        ),
        "id,count\n3,9\n2,8\n1,7\n"
    );
    assert_eq!(
        csv(ds(), "studies count by year sort by year show year, count"),
        "year,count\n2001,1\n2003,1\n2005,1\n"
    );
    // Any header can be named in backquotes (a keyword too); names match in
    // any case, as plain ones do.
    assert_eq!(
        csv(
            ds(),
            "findings where `^zz$` = kept or `*` = star2 sort by `^.*$` desc show id, `*`"
        ),
        "id,*\n2,star2\n1,star\n"
    );
    assert_eq!(
        csv(
            ds(),
            "studies where `sample SIZE` is not missing and `count` > 7 show id, `Sample size`"
        ),
        "id,Sample size\n3,30\n"
    );
    // Nothing is lost in an export either.
    let dir = tempfile::tempdir().unwrap();
    export::export(&ds(), &dir.path().join("out")).unwrap();
    let findings = std::fs::read_to_string(dir.path().join("out/findings.csv")).unwrap();
    assert!(
        findings.starts_with("id,perspective,name,n,fes,studies,^zz$,*,^.*$\n"),
        "{findings}"
    );
}

#[test]
fn counting_by_a_column_named_count_is_an_error_naming_the_clash() {
    let ds = Dataset::load(&data("odd-column-names")).unwrap();
    let script = metasum_query::parse("studies count by count").unwrap();
    let err = Session::new(ds).run(&script.statements[0]).unwrap_err();
    assert!(err.to_string().contains("named `count`"), "{err}");
}

#[test]
fn text_compared_with_a_number_is_a_type_error_at_the_value() {
    // It compared as text and kept all 24 findings.
    let (message, under) = error("findings where perspective > 3");
    assert_eq!(message, "`perspective` is text, `3` is a number");
    assert_eq!(under, "3");
    let (message, under) = error("findings where name in (\"Low pay\", 7)");
    assert_eq!(message, "`name` is text, `7` is a number");
    assert_eq!(under, "7");
    // Quoted, the number is text, as the hint says (`name`: `perspective`
    // has declared codes, and `"3"` is none of them).
    let seed = Dataset::seed().unwrap();
    assert_eq!(csv(seed, "findings where name = \"3\" show id"), "id\n");
}

// -- Long chains and lists ----------------------------------------------

#[test]
fn in_lists_give_the_rows_of_the_comparisons_they_stand_for() {
    let seed = || Dataset::seed().unwrap();
    assert_eq!(
        csv(seed(), "studies where id in (3, 7, 9, 99) show id, quality"),
        "id,quality\n3,low\n7,low\n9,low\n"
    );
    assert_eq!(
        csv(
            seed(),
            "studies where country in (uk, \"Canada\") count by country"
        ),
        csv(
            seed(),
            "studies where country = uk or country = Canada count by country"
        )
    );
    // A decimal in a list of whole numbers matches only itself.
    assert_eq!(csv(seed(), "findings where fes in (44, 8.5) show id"), {
        let expected = csv(seed(), "findings where fes = 44 show id");
        // Table 2: findings 1, 14 and 23 are in 11 of 25 studies.
        assert_eq!(expected, "id\n1\n14\n23\n");
        expected
    });
}

#[test]
fn a_list_of_thousands_of_ids_is_one_lookup() {
    // 3,000 ids took 26 s and 4 GB as an `or` of comparisons.
    let ids: Vec<String> = (1..=3_000).map(|i| (i * 2).to_string()).collect();
    let src = format!("studies where id in ({}) show id", ids.join(", "));
    let even: String = (1..=12).map(|i| format!("{}\n", i * 2)).collect();
    assert_eq!(csv(Dataset::seed().unwrap(), &src), format!("id\n{even}"));
}

#[test]
fn long_and_chains_give_the_rows_of_short_ones() {
    // Past 32 terms a conjunction is handed to polars as `not (... or ...)`.
    for terms in [2, 32, 33, 2_000] {
        let chain: Vec<String> = (0..terms)
            .map(|i| format!("id != {}", if i % 2 == 0 { 3 } else { 7 }))
            .collect();
        let src = format!(
            "findings among (studies where {}) where fes > 40 show id, n, fes",
            chain.join(" and ")
        );
        assert_eq!(
            csv(Dataset::seed().unwrap(), &src),
            csv(
                Dataset::seed().unwrap(),
                "findings among (studies where id != 3 and id != 7) where fes > 40 show id, n, fes"
            ),
            "{terms} terms"
        );
    }
}

#[test]
fn long_chains_run_in_parts_and_give_the_rows_of_short_ones() {
    // Past 256 terms a top-level chain is run a part at a time, every
    // part on the rows by itself (memory follows one part).
    let seed = || Dataset::seed().unwrap();
    for terms in [255, 256, 257, 1_000, 5_000] {
        let ors: Vec<String> = (0..terms)
            .map(|i| format!("id = {}", i % 7 + 100))
            .collect();
        let src = format!(
            "findings where {} or id = 3 or fes > 40 show id",
            ors.join(" or ")
        );
        let expected = csv(seed(), "findings where id in (3) or fes > 40 show id");
        assert_eq!(csv(seed(), &src), expected, "{terms} or-terms");
        // With other and-terms, in an `among` set and beside a shortcut.
        let src = format!(
            "findings among (studies where {} or id < 20) where perspective = worker and ({} or n > 8) show id",
            ors.join(" or "),
            ors.join(" or ")
        );
        let expected = csv(
            seed(),
            "findings among (studies where id < 20) where perspective = worker and n > 8 show id",
        );
        assert_eq!(csv(seed(), &src), expected, "{terms} nested or-terms");
        let ands: Vec<String> = (0..terms).map(|i| format!("id != {}", i % 5 + 2)).collect();
        let src = format!("papers where {} show id", ands.join(" and "));
        let expected = csv(seed(), "papers where not (id in (2, 3, 4, 5, 6)) show id");
        assert_eq!(csv(seed(), &src), expected, "{terms} and-terms");
    }
}

#[test]
fn grouped_chains_are_cut_by_their_comparisons_not_their_terms() {
    // Five terms of 300 comparisons each: five parts, not one expression
    // of 1,500 comparisons; as `or` and as `and` of `not`s.
    let seed = || Dataset::seed().unwrap();
    let group = |k: usize| {
        let ands: Vec<String> = (0..300).map(|_| format!("id = {k}")).collect();
        format!("({})", ands.join(" and "))
    };
    let ors: Vec<String> = (1..=5).map(group).collect();
    let src = format!("findings where {} show id", ors.join(" or "));
    assert_eq!(
        csv(seed(), &src),
        csv(seed(), "findings where id in (1, 2, 3, 4, 5) show id")
    );
    let nots: Vec<String> = (1..=5).map(|k| format!("not {}", group(k))).collect();
    let src = format!("findings where {} show id", nots.join(" and "));
    assert_eq!(
        csv(seed(), &src),
        csv(seed(), "findings where not (id in (1, 2, 3, 4, 5)) show id")
    );
}

#[test]
fn a_long_chain_deep_inside_a_condition_is_refused_at_its_text() {
    let chain = vec!["id = 12"; 5_000].join(" or ");
    let (message, under) = error(&format!("papers where not ({chain})"));
    assert!(
        message.contains("holds 5000 comparisons; at most 4096"),
        "{message}"
    );
    assert!(under.starts_with("not (id = 12 or"), "{under}");
}

#[test]
fn ten_thousand_or_terms_run() {
    // The parser's left-nested tree overflowed the stack (SIGABRT).
    let chain = vec!["id = 12"; 10_000].join(" or ");
    let src = format!("papers where {chain} or id = 18 show id");
    assert_eq!(csv(Dataset::seed().unwrap(), &src), "id\n12\n18\n");
}

// -- Unclear errors -------------------------------------------------------

#[test]
fn repeated_names_in_show_and_count_by_are_errors_at_the_repeat() {
    // Both gave a raw polars message with a plan dump.
    let (message, under) = error("findings show id, name, id");
    assert_eq!(
        (message.as_str(), under.as_str()),
        ("`id` is named twice in `show`", "id")
    );
    let (message, _) = error("evidence count by study, STUDY");
    assert_eq!(message, "`study` is named twice in `count by`");
}

#[test]
fn a_text_too_long_to_match_is_refused_before_polars_sees_it() {
    let src = format!("findings where name ~ \"{}\"", "a".repeat(1_000_000));
    let (message, _) = error(&src);
    assert_eq!(
        message,
        "the text after `~` is 1000000 characters long; at most 10000 are matched"
    );
    let fits = format!("findings where name ~ \"{}\" show id", "a".repeat(10_000));
    assert_eq!(csv(Dataset::seed().unwrap(), &fits), "id\n");
}

#[test]
fn a_huge_name_is_shortened_in_messages() {
    let name = "x".repeat(1_000_000);
    let (message, _) = error(&format!("findings where {name} = 1"));
    assert!(message.len() < 200, "{} bytes", message.len());
    assert!(message.starts_with("unknown column `xxxx"), "{message}");
}

#[test]
fn a_header_only_studies_file_is_a_problem_not_a_panic() {
    // A worker thread panicked at validate.rs:361.
    assert_eq!(
        problems(&data("header-only-studies")),
        [
            "evidence.csv:2: column `study`: study 1 does not exist in studies.csv",
            "evidence.csv:3: column `study`: study 2 does not exist in studies.csv",
            "evidence.csv:4: column `study`: study 3 does not exist in studies.csv",
        ]
    );
}

#[test]
fn a_malformed_row_is_reported_once_without_its_consequences() {
    // The reader stopped there, and every claim or citation of a study then
    // "did not exist".
    assert_eq!(
        problems(&data("malformed-row")),
        [
            "studies.csv:3: row has 4 fields, but the header has 3 (is this a CSV file with a header line?)"
        ]
    );
}

#[test]
fn spreadsheet_errors_are_refused_and_blank_rows_skipped() {
    assert_eq!(
        problems(&data("spreadsheet-errors")),
        [
            "studies.csv:2: column `workers`: holds the spreadsheet error `#DIV/0!` (a formula that failed; fix it in the spreadsheet)",
            "studies.csv:5: column `year`: holds the spreadsheet error `#N/A` (a formula that failed; fix it in the spreadsheet)",
        ]
    );
}

#[test]
fn a_semicolon_separated_file_gets_a_hint_about_the_separator() {
    let found = problems(&data("semicolon-csv"));
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with("studies.csv:1: missing required column `id` (header has: id;author;year); the header is separated by `;`"),
        "{}",
        found[0]
    );
}

#[test]
fn counts_are_whole_numbers_from_0_to_a_billion() {
    assert_eq!(
        problems(&data("negative-count")),
        [
            "studies.csv:2: column `workers`: expected a count from 0 to 1000000000, found `-4`",
            "studies.csv:3: column `recipients`: expected a count from 0 to 1000000000, found `1000000001`",
        ]
    );
}

#[test]
fn columns_that_differ_only_in_case_are_refused() {
    assert_eq!(
        problems(&data("case-twins")),
        [
            "studies.csv:1: columns `Quality` and `quality` differ only in case (queries name columns in any case); rename one"
        ]
    );
}

#[test]
fn check_sums_without_wrapping_and_warns_of_unlinked_rows() {
    let ds = Dataset::load(&data("unlinked-and-huge-totals")).unwrap();
    let report = check::check(&ds).unwrap();
    let text = report.to_string();
    // 9223372036854775807 - 2000000000, not a wrapped negative number.
    assert!(
        text.contains(
            "workers: published 9223372036854775807, sum 2000000000, off by 9223372034854775807"
        ),
        "{text}"
    );
    assert!(
        text.contains("warning: study 3 (Cole) supports no finding"),
        "{text}"
    );
    assert!(
        text.contains("warning: finding 3 \"Never found\" has no evidence (FES 0)"),
        "{text}"
    );
    // And no `quality` column: no sensitivity analysis is possible.
    assert!(
        text.contains("warning: studies have no `quality` column"),
        "{text}"
    );
    assert_eq!(report.warnings(), 4, "{text}");
}

#[test]
fn the_seed_has_no_unlinked_rows() {
    let report = check::check(&Dataset::seed().unwrap()).unwrap();
    assert!(report.studies_without_findings.is_empty());
    assert!(report.findings_without_evidence.is_empty());
}

#[test]
fn a_review_past_the_rows_percentages_are_exact_for_is_refused_at_the_first_row_past() {
    let max = metasum_engine::exact::MAX_ROWS;
    let mut studies = String::with_capacity(20 * max);
    studies.push_str("id,author,year\n");
    for i in 1..=max + 1 {
        studies.push_str(&format!("{i},A,2020\n"));
    }
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        ("studies.csv", studies.into_bytes()),
        ("findings.csv", b"id,perspective,name\n1,a,F\n".to_vec()),
        ("evidence.csv", b"finding,study\n1,1\n".to_vec()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let e = Dataset::from_files(&files, "big").unwrap_err().to_string();
    assert!(
        e.contains(&format!("studies.csv:{}:", max + 2))
            && e.contains(
                "holds 1000001 rows; metasum decides percentages exactly for at most 1000000"
            ),
        "{e}"
    );
}

#[test]
fn problems_in_crlf_text_tables_name_their_own_line() {
    // Excel writes CRLF: the csv crate starts a record at the `\n` it
    // counts on the line before, and these files' problems pointed one
    // line early.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (folder, file, bad_row, says) in [
        ("datasets/peer-support", "claims.csv", "99,S,x,999,", "999"),
        (
            "datasets/peer-support",
            "citations.csv",
            "999,\"A\",2001,S",
            "999",
        ),
        (
            "datasets/peer-support",
            "search.csv",
            "bad,many,,B",
            "whole number",
        ),
        (
            "datasets/cerqual-example",
            "cerqual.csv",
            "F999,x,,,,,,,,,,",
            "F999",
        ),
        ("tests/data/two-coders", "coding.csv", "F999,S1,Ana", "F999"),
    ] {
        let mut files: std::collections::BTreeMap<String, Vec<u8>> =
            std::fs::read_dir(root.join(folder))
                .unwrap()
                .map(|e| e.unwrap().path())
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read(&p).unwrap(),
                    )
                })
                .collect();
        let text = String::from_utf8(files[file].clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(2, bad_row);
        files.insert(file.to_string(), (lines.join("\r\n") + "\r\n").into_bytes());
        let e = Dataset::from_files(&files, "crlf").unwrap_err().to_string();
        let line = e
            .lines()
            .find(|l| l.contains(says))
            .unwrap_or_else(|| panic!("{file}: {e}"));
        assert!(
            line.trim_start().starts_with(&format!("{file}:3")),
            "{file}: {line}"
        );
    }
}

/// A report and its follow-up imported as two studies would count each of
/// their findings twice: `check` warns of studies of one first author, at
/// most two years apart, whose papers' titles share a distinctive word,
/// and of no others.
#[test]
fn check_warns_of_two_papers_that_may_report_one_study() {
    let files: std::collections::BTreeMap<String, Vec<u8>> = [
        (
            "studies.csv",
            "id,author,year\nOkafor2020,Okafor & Lee,2020\nOkafor2021,Okafor,2021\nMowbray1996,Mowbray et al.,1996\nMowbray1998,Mowbray et al.,1998\nOkafor2015,Okafor,2015\n",
        ),
        (
            "papers.csv",
            "id,study,citation,title\nP1,Okafor2020,\"Okafor, C. (2020)\",Peer support on an acute ward: a qualitative study\nP2,Okafor2021,\"Okafor, C. (2021)\",What peer workers learned on an acute ward\nP3,Mowbray1996,Mowbray (1996),Consumers as providers of services\nP4,Mowbray1998,Mowbray (1998),Peer support in drop-in centres\nP5,Okafor2015,Okafor (2015),Acute wards before peer work\n",
        ),
        ("findings.csv", "id,name\nF1,Trust\n"),
        ("evidence.csv", "finding,study\nF1,Okafor2020\nF1,Okafor2021\nF1,Mowbray1996\nF1,Mowbray1998\nF1,Okafor2015\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
    .collect();
    let ds = Dataset::from_files(&files, "twice").unwrap();
    let report = check::check(&ds).unwrap();
    let text = report.to_string();
    assert_eq!(report.maybe_one_study.len(), 1, "{text}");
    assert!(
        text.contains("warning: studies Okafor2020 and Okafor2021 may be one study in two papers (first author Okafor, 2020 and 2021, both titled with `acute`)"),
        "{text}"
    );
}
