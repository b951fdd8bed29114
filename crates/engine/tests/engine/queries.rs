//! Queries run on the embedded seed, through parse -> check -> plan -> run
//! -> format. CSV snapshots are read against the paper's Table 1 and Table 2.

use metasum_engine::polars::prelude::*;
use metasum_engine::table::ColumnType;
use metasum_engine::{Dataset, Format, Outcome, Session, format};

/// Runs a script in a fresh session; each query's CSV under a `# query` line.
fn run(src: &str) -> String {
    let script = metasum_query::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let mut session = Session::new(Dataset::seed().unwrap());
    let mut out = String::new();
    for statement in &script.statements {
        match session.execute(statement) {
            Ok(Outcome::Figure(svg)) => {
                assert!(svg.starts_with("<svg"), "{statement}");
                out.push_str(&format!("# {statement}\n(an SVG figure)\n"));
            }
            Ok(Outcome::Rows(result)) => {
                out.push_str(&format!("# {statement}\n"));
                out.push_str(&format::render(&result.frame, Format::Csv).unwrap());
            }
            Ok(Outcome::Bound(_)) => out.push_str(&format!("# {statement}\n")),
            Err(e) => panic!("{statement}: {e} {:?}", e.as_query().map(|q| &q.hints)),
        }
    }
    out
}

/// The error a one-statement script gives, with the text under its span.
fn error(src: &str) -> String {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(Dataset::seed().unwrap());
    for statement in &script.statements {
        if let Err(e) = session.run(statement) {
            let e = e.as_query().expect("a statement error");
            let under = &src[e.span.start..e.span.end];
            return format!("{} [at `{under}`] {:?}", e.message, e.hints);
        }
    }
    panic!("{src} ran without error")
}

fn frame(src: &str) -> DataFrame {
    let script = metasum_query::parse(src).unwrap();
    let mut session = Session::new(Dataset::seed().unwrap());
    let mut last = None;
    for statement in &script.statements {
        last = session.run(statement).unwrap().map(|r| r.frame);
    }
    last.unwrap()
}

#[test]
fn recipient_findings_above_30_percent_are_exactly_two() {
    let df = frame("findings where perspective = recipient and fes > 30");
    let names: Vec<&str> = df
        .column("name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    let fes: Vec<f64> = df
        .column("fes")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(
        names,
        [
            "Peer support workers are role models",
            "Peer support workers are easy to build rapport with"
        ]
    );
    assert_eq!(fes, [44.0, 40.0]);
    insta::assert_snapshot!(run("findings where perspective = recipient and fes > 30"));
}

#[test]
fn among_good_studies_uses_22_as_denominator() {
    let df = frame(
        "let good = studies where quality != low\nfindings among good where fes >= 40 sort by fes desc show id, n, fes",
    );
    // Counted by hand from Table 2 without studies 3, 7 and 9: role models
    // (14) keeps 10 of its 11 studies, low pay (1) and rapport (15) keep 9.
    let rows: Vec<(i64, i64, f64)> = (0..df.height())
        .map(|r| {
            (
                df.column("id").unwrap().i64().unwrap().get(r).unwrap(),
                df.column("n").unwrap().i64().unwrap().get(r).unwrap(),
                df.column("fes").unwrap().f64().unwrap().get(r).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (14, 10, 1000.0 / 22.0),
            (1, 9, 900.0 / 22.0),
            (15, 9, 900.0 / 22.0)
        ]
    );
    insta::assert_snapshot!(run(
        "let good = studies where quality != low\nfindings among good where fes >= 40 sort by fes desc show id, n, fes"
    ));
}

#[test]
fn count_by_country_sums_to_25() {
    let df = frame("studies count by country");
    assert_eq!(df.column("count").unwrap().i64().unwrap().sum(), Some(25));
    insta::assert_snapshot!(run("studies count by country"));
}

#[test]
fn studies_among_worker_findings() {
    insta::assert_snapshot!(run(
        "studies among (findings where perspective = worker) sort by intensity desc, id limit 5 show id, author, n, intensity"
    ));
}

#[test]
fn has_finds_findings_of_a_study() {
    insta::assert_snapshot!(run("findings where studies has 13 show id, name"));
}

#[test]
fn in_and_contains() {
    insta::assert_snapshot!(run(
        "findings where name ~ \"ROLE MODEL\" or perspective in (nonpeer, Organisation) show id, perspective, name"
    ));
}

#[test]
fn is_missing_and_is_not_missing() {
    insta::assert_snapshot!(run(
        "studies where recipients is not missing show id, workers, staff, recipients\nstudies where recipients is missing count by country"
    ));
}

#[test]
fn not_equal_keeps_missing_values() {
    // Studies 3 and 4 are the only ones with a `workers` count: `!=` keeps
    // the 23 without one, `=` matches none of them.
    let kept = frame("studies where workers != 59");
    assert_eq!(kept.height(), 24);
    let equal = frame("studies where workers = 59");
    assert_eq!(equal.height(), 1);
    let negated = frame("studies where not workers = 59");
    assert_eq!(negated.height(), 24);
}

#[test]
fn multi_key_sort_and_limit() {
    insta::assert_snapshot!(run(
        "studies sort by country desc, year asc limit 6 show id, country, year"
    ));
}

#[test]
fn top_three_findings() {
    insta::assert_snapshot!(run("findings sort by fes desc limit 3 show id, name, fes"));
}

#[test]
fn papers_and_evidence_tables() {
    insta::assert_snapshot!(run(
        "papers where study in (12, 18)\nevidence where finding = 22"
    ));
}

#[test]
fn every_finding_shows_fes_with_one_decimal() {
    insta::assert_snapshot!(run(
        "findings show id, perspective, n, fes, reported_fes, studies"
    ));
}

#[test]
fn type_error_names_both_sides() {
    insta::assert_snapshot!(error("findings where fes > recipient"), @"`fes` is a number, `recipient` is text [at `recipient`] []");
}

#[test]
fn unknown_column_suggests_a_name() {
    insta::assert_snapshot!(error("findings where perspectve = worker"), @"unknown column `perspectve` in findings [at `perspectve`] [\"findings has: id, perspective, name, n, fes, studies, reported_fes\", \"did you mean `perspective`?\"]");
}

#[test]
fn unknown_table_lists_tables() {
    insta::assert_snapshot!(error("studys where year > 2000"), @r#"unknown table or name `studys` [at `studys`] ["tables and names bound so far: findings, studies, papers, evidence, extracts, profile, matrix, claims, citations, search, cerqual, soqf, evidence_profile, coding, agreement, disagreements, changes, fes_changes, intensity_changes", "did you mean `studies`?"]"#);
}

#[test]
fn has_on_a_non_list_column() {
    insta::assert_snapshot!(error("findings where name has 3"), @"`has` needs a list column, but `name` is text [at `name`] [\"to compare `name` with a value, use `=`\"]");
}

#[test]
fn name_used_before_it_is_bound() {
    insta::assert_snapshot!(error("findings among good\nlet good = studies where quality != low"), @r#"unknown table or name `good` [at `good`] ["tables and names bound so far: findings, studies, papers, evidence, extracts, profile, matrix, claims, citations, search, cerqual, soqf, evidence_profile, coding, agreement, disagreements, changes, fes_changes, intensity_changes"]"#);
}

#[test]
fn among_set_of_the_wrong_table() {
    insta::assert_snapshot!(error("findings among (findings where fes > 40)"), @"`findings among` needs a set of studies, but this is a set of findings [at `(findings where fes > 40)`] []");
}

#[test]
fn language_doc_examples_run() {
    let doc = include_str!("../../../../docs/LANGUAGE.md");
    let mut all = String::new();
    for block in doc.split("```msq\n").skip(1) {
        let body = &block[..block.find("```").unwrap()];
        all.push_str(&run(body));
        all.push('\n');
    }
    insta::assert_snapshot!(all);
}

#[test]
fn profile_of_the_recipient_findings() {
    insta::assert_snapshot!(run("profile where perspective = recipient"));
}

#[test]
fn profile_flags_findings_that_drop_more_than_the_threshold() {
    let flagged = frame("profile where flag = true show id, drop");
    let ids: Vec<i64> = flagged
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    // Read off Table 2 and the appraisal: without studies 3, 7 and 9,
    // finding 7 drops from 28% to 22.7%, 23 from 44% to 36.4%, 24 from 24%
    // to 18.2%; finding 5 drops 4.7 points, under the line.
    assert_eq!(ids, [7, 23, 24]);
    let five = frame("profile where id = 5 show drop, flag");
    let drop = five.column("drop").unwrap().f64().unwrap().get(0).unwrap();
    assert!((drop - (32.0 - 600.0 / 22.0)).abs() < 1e-12, "{drop}");
    assert_eq!(
        five.column("flag").unwrap().bool().unwrap().get(0),
        Some(false)
    );
}

#[test]
fn matrix_among_uk_studies_with_margins() {
    insta::assert_snapshot!(run("matrix among (studies where country = UK) where n > 0"));
}

#[test]
fn matrix_takes_no_show() {
    insta::assert_snapshot!(error("matrix show id"), @"`matrix` takes `among`, `where`, `sort by` and `limit`, not `count by` or `show` [at `id`] []");
}

/// The shortcuts the planner takes for large data (a where decided on stored
/// columns first, lists built last, an among set read from stored columns)
/// must give what the plain plan gives: a bound name runs the plain plan.
#[test]
fn shortcuts_give_the_same_rows_as_the_plain_plan() {
    for (shortcut, plain) in [
        (
            "findings among (studies where quality != low or country = UK) where perspective = recipient and fes > 30",
            "let s = studies where quality != low or country = UK\nlet f = findings among s\nf where perspective = recipient and fes > 30",
        ),
        (
            "studies among (findings where perspective in (worker, nonpeer)) where country = UK sort by intensity desc limit 2",
            "let f = findings where perspective in (worker, nonpeer)\nlet s = studies among f\ns where country = UK sort by intensity desc limit 2",
        ),
        (
            "findings among (studies where year >= 2008) where name ~ \"peer\" sort by fes desc limit 4",
            "let s = studies where year >= 2008\nlet f = findings among s\nf where name ~ \"peer\" sort by fes desc limit 4",
        ),
        (
            "findings where studies has 13 and studies has 4 sort by fes desc",
            "let f = findings\nf where studies has 13 and studies has 4 sort by fes desc",
        ),
        (
            "findings among (studies where quality = low) where studies has 7",
            "let s = studies where quality = low\nlet f = findings among s\nf where studies has 7",
        ),
        (
            "studies among (findings where perspective = worker) where findings has 1 and year > 2005",
            "let f = findings where perspective = worker\nlet s = studies among f\ns where findings has 1 and year > 2005",
        ),
        (
            "findings where fes > 30 sort by n desc show name, studies",
            "let f = findings\nf where fes > 30 sort by n desc show name, studies",
        ),
        (
            "findings among (studies where n > 10 show id, findings) where fes > 40",
            "let s = studies where n > 10 show id, findings\nlet f = findings among s\nf where fes > 40",
        ),
        (
            "studies where n > 10 sort by n desc, id limit 3 show findings, id",
            "let s = studies\ns where n > 10 sort by n desc, id limit 3 show findings, id",
        ),
        (
            "findings where studies has 13 or fes > 50",
            "let f = findings\nf where studies has 13 or fes > 50",
        ),
        // Stored columns only: the stored rows, no link read.
        (
            "studies count by country",
            "let s = studies\ns count by country",
        ),
        (
            "studies where quality != low count by quality, country sort by count desc, country limit 5",
            "let s = studies\ns where quality != low count by quality, country sort by count desc, country limit 5",
        ),
        (
            "findings where perspective in (worker, recipient) and name ~ \"peer\" show name, id",
            "let f = findings\nf where perspective in (worker, recipient) and name ~ \"peer\" show name, id",
        ),
        (
            "studies where year > 2005 sort by year desc, author limit 6 show author, year",
            "let s = studies\ns where year > 2005 sort by year desc, author limit 6 show author, year",
        ),
        // And `has` terms: the links of one study or finding, no count.
        (
            "findings where studies has 13 show id",
            "let f = findings\nf where studies has 13 show id",
        ),
        (
            "findings where perspective = recipient and studies has 4 and studies has 7 sort by name show name, id",
            "let f = findings\nf where perspective = recipient and studies has 4 and studies has 7 sort by name show name, id",
        ),
        (
            "studies where findings has 1 and year > 2005 count by country",
            "let s = studies\ns where findings has 1 and year > 2005 count by country",
        ),
        // The first rows: their own links alone.
        ("findings limit 3", "let f = findings\nf limit 3"),
        (
            "studies limit 4 show id, n, intensity, papers, findings",
            "let s = studies\ns limit 4 show id, n, intensity, papers, findings",
        ),
        (
            "findings limit 2 show studies, fes, n",
            "let f = findings\nf limit 2 show studies, fes, n",
        ),
        ("studies limit 1000", "let s = studies\ns limit 1000"),
        // The first rows a condition on stored columns keeps.
        (
            "studies where year > 2005 limit 4",
            "let s = studies\ns where year > 2005 limit 4",
        ),
        (
            "findings where perspective = recipient and name ~ \"peer\" limit 3 show id, studies, fes, n",
            "let f = findings\nf where perspective = recipient and name ~ \"peer\" limit 3 show id, studies, fes, n",
        ),
        (
            "studies where quality = low or country = UK limit 5 show findings, intensity, papers",
            "let s = studies\ns where quality = low or country = UK limit 5 show findings, intensity, papers",
        ),
        // Not taken: a computed column or a `has` term in the condition
        // (the first rows kept would not be the answer's).
        (
            "findings where perspective = recipient and fes > 30 limit 2",
            "let f = findings\nf where perspective = recipient and fes > 30 limit 2",
        ),
        (
            "studies where year > 2005 and findings has 7 limit 2",
            "let s = studies\ns where year > 2005 and findings has 7 limit 2",
        ),
    ] {
        let (a, b) = (frame(shortcut), frame(plain));
        assert!(a.height() > 0, "{shortcut}");
        assert!(a.equals_missing(&b), "{shortcut}\n{a}\n{b}");
    }
}

/// Files not in id order (as reviewers add rows where they like): the
/// shortcuts that read stored rows or the first rows give the rows in id
/// order, as the plain plan does, numbered or keyed as text.
#[test]
fn shortcuts_give_rows_in_id_order_whatever_the_files_order() {
    let keyed = |text: bool| {
        let study = |s: u32| {
            if text {
                format!("Lee{s}y2001")
            } else {
                s.to_string()
            }
        };
        let finding = |f: u32| {
            if text {
                format!("T{f}.1")
            } else {
                f.to_string()
            }
        };
        let mut studies = String::from("id,author,year,quality\n");
        for s in [5, 3, 1, 4, 2] {
            studies += &format!("{},A{s},2001,{}\n", study(s), ["ok", "low"][s as usize % 2]);
        }
        let mut findings = String::from("id,perspective,name\n");
        for f in [4, 2, 3, 1] {
            findings += &format!("{},{},F{f}\n", finding(f), ["w", "r"][f as usize % 2]);
        }
        let mut evidence = String::from("finding,study\n");
        for (f, s) in [
            (4, 5),
            (2, 3),
            (1, 1),
            (3, 1),
            (1, 4),
            (2, 2),
            (4, 1),
            (3, 5),
        ] {
            evidence += &format!("{},{}\n", finding(f), study(s));
        }
        let toml = "title = \"t\"\n[perspectives]\nw = \"W\"\nr = \"R\"\n[quality]\nok = \"Ok\"\nlow = \"Low\"\n";
        let files: std::collections::BTreeMap<String, Vec<u8>> = [
            ("dataset.toml", toml.to_string()),
            ("studies.csv", studies),
            ("findings.csv", findings),
            ("evidence.csv", evidence),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.into_bytes()))
        .collect();
        (
            Dataset::from_files(&files, "out of order").unwrap(),
            study(1),
            finding(1),
        )
    };
    for text in [false, true] {
        let (ds, first_study, first_finding) = keyed(text);
        let rows = |src: &str| {
            let mut session = Session::new(ds.clone());
            let script = metasum_query::parse(src).unwrap();
            let mut last = None;
            for statement in &script.statements {
                if let Outcome::Rows(rows) = session.execute(statement).unwrap() {
                    last = Some(rows.frame);
                }
            }
            last.unwrap()
        };
        for (shortcut, plain) in [
            ("findings limit 3", "let f = findings\nf limit 3"),
            (
                "studies limit 2 show id, n, intensity, findings",
                "let s = studies\ns limit 2 show id, n, intensity, findings",
            ),
            (
                "findings where perspective = r show id, name",
                "let f = findings\nf where perspective = r show id, name",
            ),
            (
                "studies where findings has {F} show id, author",
                "let s = studies\ns where findings has {F} show id, author",
            ),
            ("studies show id, year", "let s = studies\ns show id, year"),
            (
                "studies where quality = low limit 2 show id, n, findings",
                "let s = studies\ns where quality = low limit 2 show id, n, findings",
            ),
        ] {
            let shortcut = shortcut.replace("{F}", &first_finding);
            let plain = plain.replace("{F}", &first_finding);
            let (a, b) = (rows(&shortcut), rows(&plain));
            assert!(a.height() > 1, "{shortcut}");
            assert!(a.equals_missing(&b), "{shortcut}\n{a}\n{b}");
            // The first row is the first id, whatever the file's order.
            let first = a.column("id").unwrap().get(0).unwrap().to_string();
            let expected = if shortcut.starts_with("findings") {
                &first_finding
            } else {
                &first_study
            };
            assert_eq!(first.trim_matches('"'), expected, "{shortcut}");
        }
    }
}

/// A folder's links are read when a statement first needs them: queries
/// of stored columns (and the stored tables) never read `evidence.csv`.
#[test]
fn stored_columns_are_answered_without_reading_the_links() {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/peer-support");
    let mut session = Session::new(Dataset::load(&folder).unwrap());
    let mut run = |src: &str| {
        let script = metasum_query::parse(src).unwrap();
        for statement in &script.statements {
            session
                .execute(statement)
                .unwrap_or_else(|e| panic!("{src}: {e}"));
        }
        session.dataset().links_read()
    };
    for stored in [
        "studies count by country",
        "studies where quality = low show id, author",
        "findings where perspective = recipient sort by name show id, name",
        "papers",
        "claims",
        "let s = studies count by quality",
        "s",
    ] {
        assert!(!run(stored), "{stored} read the links");
    }
    // Counting needs them; so does showing every column of studies.
    assert!(run("studies"));
}

#[test]
fn a_percentage_compared_past_the_decimals_told_apart_is_refused() {
    // 25 studies tell percentages apart to 10 decimals (see `exact`).
    insta::assert_snapshot!(error("findings where n > 1 and fes > 33.33333333333"), @"`fes` is compared with 11 decimals; in a review of this size percentages are told apart exactly to 10 [at `33.33333333333`] [\"round `33.33333333333` to 10 decimals\"]");
    insta::assert_snapshot!(error("profile where not (drop in (1, 2.123456789012))"), @"`drop` is compared with 12 decimals; in a review of this size percentages are told apart exactly to 10 [at `2.123456789012`] [\"round `2.123456789012` to 10 decimals\"]");
    // 10 decimals run, and agree with 36 (9 of 25 studies, the next FES).
    assert_eq!(
        frame("findings where fes > 33.3333333333 show id"),
        frame("findings where fes >= 36 show id")
    );
}

/// The planner knows a view's columns without building it: on every
/// review under `tests/data` that loads (text ids, odd names, no declared
/// concerns, extra columns), each table's planned columns, names and
/// types, are those of the rows it runs to, with and without `among` and
/// with the list column built first or last.
#[test]
fn planned_columns_are_the_columns_the_rows_have() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let mut reviews: Vec<(String, Dataset)> = vec![("seed".into(), Dataset::seed().unwrap())];
    let mut dirs: Vec<_> = std::fs::read_dir(&data).unwrap().flatten().collect();
    dirs.sort_by_key(|d| d.file_name());
    for dir in dirs {
        if let Ok(ds) = Dataset::load(&dir.path())
            && ds.load_links().is_ok()
        {
            reviews.push((dir.file_name().to_string_lossy().into_owned(), ds));
        }
    }
    // And a workbook: the telehealth review exported as one.
    let book = tempfile::tempdir().unwrap();
    let path = book.path().join("telehealth.xlsx");
    let telehealth = data.join("telehealth-review");
    metasum_engine::export::export(&Dataset::load(&telehealth).unwrap(), &path).unwrap();
    reviews.push(("telehealth.xlsx".into(), Dataset::load(&path).unwrap()));
    assert!(reviews.len() >= 8, "{}", reviews.len());
    let queries = [
        "findings",
        "findings where fes > 10",
        "findings where studies has 1",
        "findings among (studies where n > 1)",
        "studies",
        "studies where intensity > 10 sort by n desc limit 3",
        "studies among (findings where n > 1)",
        "profile",
        "profile among (studies where n > 1)",
        "matrix",
        "matrix among (studies where n > 1)",
        // Stored rows whose `has` term the links answer (never counted).
        "findings where studies has 1 show id, name",
        "studies where findings has 1 show id",
        // Rows bound to a name.
        "f",
        "f where fes > 10 sort by n desc",
    ];
    for (name, ds) in reviews {
        let mut session = Session::new(ds);
        let bind = metasum_query::parse("let f = findings among (studies where n > 0)").unwrap();
        session.run(&bind.statements[0]).unwrap();
        for src in queries {
            let script = metasum_query::parse(src).unwrap();
            let statement = &script.statements[0];
            let metasum_query::ast::StatementKind::Query(q) = &statement.kind else {
                panic!("{src}")
            };
            let planned = session
                .columns_of(q)
                .unwrap_or_else(|e| panic!("{name}: {src}: {e}"));
            let rows = session
                .run(statement)
                .unwrap_or_else(|e| panic!("{name}: {src}: {e}"));
            let ran: Vec<_> = (rows.unwrap().frame.schema().iter())
                .map(|(c, dtype)| (c.to_string(), ColumnType::of(dtype)))
                .collect();
            assert_eq!(planned, ran, "{name}: {src}");
        }
    }
}

/// Planning reads no links (the columns are known without them): a
/// statement with a mistake of its own is told it, and a sound one on a
/// folder whose `evidence.csv` is broken is told the located problems.
#[test]
fn a_statement_s_own_mistake_is_told_before_the_links_are_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/duplicate-evidence");
    let mut session = Session::new(Dataset::load(&dir).unwrap());
    let run = |session: &mut Session, src: &str| {
        let script = metasum_query::parse(src).unwrap();
        session
            .execute(&script.statements[0])
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let own = run(&mut session, "findings where bogus > 1");
    assert!(own.contains("unknown column `bogus`"), "{own}");
    assert!(!session.dataset().links_read(), "planning read the links");
    let links = run(&mut session, "findings where fes > 1");
    assert!(
        links.contains("evidence.csv:5: finding 1 in study 2 is listed twice"),
        "{links}"
    );
}
