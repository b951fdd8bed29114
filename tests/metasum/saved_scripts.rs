//! The saved scripts in `queries/`, run by the binary: each output is
//! snapshotted, and the figures a paper would print are checked against a
//! reference computed here from the paper itself (Table 1's countries,
//! Table 2's study lists as printed, the three studies of low quality),
//! not from metasum's output.

use std::collections::BTreeMap;

use crate::util::*;

/// Table 2 as printed: finding, FES (%) and the studies ("Papers") column.
const TABLE2: [(u32, u32, &[u32]); 24] = [
    (1, 44, &[4, 7, 9, 10, 13, 15, 16, 25, 19, 20, 21]),
    (2, 36, &[4, 7, 8, 9, 11, 12, 15, 16, 19]),
    (3, 32, &[1, 2, 5, 13, 16, 21, 22, 24]),
    (4, 32, &[2, 4, 8, 10, 11, 12, 13, 17]),
    (5, 32, &[5, 7, 9, 10, 15, 16, 18, 23]),
    (6, 28, &[4, 7, 10, 12, 13, 19, 21]),
    (7, 28, &[2, 4, 7, 9, 10, 12, 15]),
    (8, 24, &[1, 12, 13, 16, 21, 24]),
    (9, 16, &[9, 11, 13, 16]),
    (10, 16, &[1, 8, 23, 25]),
    (11, 16, &[1, 14, 16, 25]),
    (12, 36, &[2, 4, 5, 7, 8, 9, 10, 11, 20]),
    (13, 16, &[4, 10, 14, 23]),
    (14, 44, &[2, 4, 5, 7, 8, 10, 15, 16, 20, 21, 23]),
    (15, 40, &[1, 2, 4, 5, 6, 7, 8, 14, 17, 20]),
    (16, 20, &[4, 6, 10, 20, 22]),
    (17, 12, &[4, 8, 9]),
    (18, 28, &[2, 5, 6, 7, 16, 22, 23]),
    (19, 20, &[2, 7, 8, 17, 25]),
    (20, 20, &[5, 7, 13, 16, 20]),
    (21, 16, &[5, 9, 10, 15]),
    (22, 8, &[2, 10]),
    (23, 44, &[2, 3, 4, 7, 8, 9, 13, 15, 16, 19, 21]),
    (24, 24, &[3, 4, 7, 10, 13, 15]),
];

/// Table 1: the country of studies 1 to 25.
const COUNTRIES: [&str; 25] = [
    "Canada",
    "USA",
    "USA",
    "USA",
    "USA",
    "USA",
    "USA",
    "UK",
    "USA",
    "USA",
    "Canada",
    "USA",
    "USA",
    "Australia",
    "Canada",
    "USA",
    "USA",
    "USA",
    "Canada",
    "USA",
    "USA",
    "UK",
    "UK",
    "Australia",
    "USA",
];

/// The studies of low appraised quality, and their labels (Table 1's
/// author and year).
const LOW: [u32; 3] = [3, 7, 9];
const LOW_LABELS: [&str; 3] = [
    "Carlston et al. (2001)",
    "Dixon et al. (1994)",
    "Fisk et al. (2000)",
];

const STUDIES: u32 = 25;

/// A percent as metasum prints it: one decimal.
fn percent(part: usize, whole: usize) -> String {
    format!("{:.1}", 100.0 * part as f64 / whole as f64)
}

fn finding_ids() -> impl Iterator<Item = u32> {
    TABLE2.iter().map(|(id, _, _)| *id)
}

/// The studies of finding `id` that `keep` keeps.
fn supporting(id: u32, keep: impl Fn(u32) -> bool) -> Vec<u32> {
    let (_, _, studies) = TABLE2[id as usize - 1];
    let mut kept: Vec<u32> = studies.iter().copied().filter(|s| keep(*s)).collect();
    kept.sort();
    kept
}

/// Runs `queries/NAME.msq` with CSV output in a folder of its own; returns
/// what a reader sees (the files it saved, named, then what it printed)
/// and its results in order (each saved CSV file, then each printed
/// result), each as rows of column name -> cell.
fn run_script(name: &str) -> (String, Vec<Vec<BTreeMap<String, String>>>) {
    let folder = tempfile::tempdir().unwrap();
    let script = std::path::Path::new("queries")
        .join(format!("{name}.msq"))
        .canonicalize()
        .unwrap();
    let out = metasum()
        .current_dir(folder.path())
        .arg("run")
        .arg(&script)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Each `save` says what it wrote, in order: `wrote table2.csv (24 rows)`.
    let saved: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    let mut seen = String::new();
    let mut results = Vec::new();
    for file in &saved {
        let text = std::fs::read_to_string(folder.path().join(file)).unwrap();
        seen.push_str(&format!("== {file}\n"));
        if file.ends_with(".svg") {
            seen.push_str(&svg_words(&text));
        } else {
            results.push(csv_rows(&text));
            seen.push_str(&text);
        }
    }
    // Nothing else is left in the folder.
    assert_eq!(
        std::fs::read_dir(folder.path()).unwrap().count(),
        saved.len(),
        "{name}: {stderr}"
    );
    if !stdout.is_empty() {
        results.extend(stdout.split("\n\n").map(csv_rows));
        seen.push_str(&stdout);
    }
    (seen, results)
}

/// A CSV result as rows of column name -> cell.
fn csv_rows(block: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(block.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// What an SVG document says, parsed as XML: its size, then the text of
/// each `<text>` element, a line each.
fn svg_words(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("an SVG document");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let mut out = format!(
        "<svg> {} x {}\n",
        root.attribute("width").unwrap_or("?"),
        root.attribute("height").unwrap_or("?")
    );
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        // What is drawn, not a tooltip's <title>.
        let words: String = node
            .descendants()
            .filter(|n| n.is_text() && !n.ancestors().any(|a| a.has_tag_name("title")))
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join("");
        out.push_str(words.trim());
        out.push('\n');
    }
    out
}

/// Column `column` of `rows`, in order.
fn column(rows: &[BTreeMap<String, String>], column: &str) -> Vec<String> {
    rows.iter().map(|r| r[column].clone()).collect()
}

fn text(values: impl IntoIterator<Item = impl ToString>) -> Vec<String> {
    values.into_iter().map(|v| v.to_string()).collect()
}

fn joined(ids: &[u32]) -> String {
    text(ids).join(";")
}

#[test]
fn every_saved_script_runs_and_its_output_is_snapshotted() {
    let mut scripts: Vec<_> = std::fs::read_dir("queries")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msq"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 7);
    for script in scripts {
        // Each runs as a program of its own: `./queries/table2.msq`.
        let text = std::fs::read_to_string(&script).unwrap();
        assert!(
            text.starts_with("#!/usr/bin/env -S metasum run\n"),
            "{}",
            script.display()
        );
        #[cfg(unix)] // Windows has no executable bit.
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&script).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{} is not executable", script.display());
        }
        let name = script.file_stem().unwrap().to_string_lossy().to_string();
        let (seen, _) = run_script(&name);
        insta::assert_snapshot!(format!("script_{name}"), seen);
    }
}

#[test]
fn table2_is_the_papers_table_2() {
    let (_, results) = run_script("table2");
    let rows = &results[0];
    assert_eq!(column(rows, "id"), text(finding_ids()));
    let all = |id| supporting(id, |_| true);
    assert_eq!(
        column(rows, "n"),
        text(finding_ids().map(|id| all(id).len()))
    );
    // Each FES is n / 25 and is the whole percent the paper printed.
    let printed: Vec<String> = TABLE2
        .iter()
        .map(|(_, fes, _)| format!("{fes}.0"))
        .collect();
    assert_eq!(column(rows, "fes"), printed);
    assert_eq!(
        column(rows, "fes"),
        text(finding_ids().map(|id| percent(all(id).len(), STUDIES as usize)))
    );
    assert_eq!(column(rows, "reported_fes"), printed);
    assert_eq!(
        column(rows, "studies"),
        text(finding_ids().map(|id| joined(&all(id))))
    );
}

#[test]
fn sensitivity_recomputes_fes_among_the_22_adequate_studies() {
    let (_, results) = run_script("sensitivity");
    let adequate = |id| supporting(id, |s| !LOW.contains(&s));
    let among = &results[1];
    assert_eq!(column(among, "id"), text(finding_ids()));
    assert_eq!(
        column(among, "n"),
        text(finding_ids().map(|id| adequate(id).len()))
    );
    assert_eq!(
        column(among, "fes"),
        text(finding_ids().map(|id| percent(adequate(id).len(), 22)))
    );
    // The figures a reader would quote: role models 10 of 22, training 8.
    assert_eq!(among[13]["fes"], "45.5");
    assert_eq!(among[22]["fes"], "36.4");
}

#[test]
fn low_quality_flags_the_three_findings_that_drop_more_than_5_points() {
    let (_, results) = run_script("low-quality");
    let rows = &results[0];
    // The drop in points, as an exact fraction: 4 n - 50 m / 11, times 11.
    let drop_times_11 = |id: u32| {
        let n = supporting(id, |_| true).len() as i64;
        let m = supporting(id, |s| !LOW.contains(&s)).len() as i64;
        44 * n - 50 * m
    };
    let mut order: Vec<u32> = finding_ids().collect();
    order.sort_by_key(|id| (-drop_times_11(*id), *id));
    assert_eq!(column(rows, "id"), text(order.iter()));
    for row in rows {
        let id: u32 = row["id"].parse().unwrap();
        let drop = drop_times_11(id) as f64 / 11.0;
        assert_eq!(row["drop"], format!("{drop:.1}"), "finding {id}");
        assert_eq!(row["flag"], (drop > 5.0).to_string(), "finding {id}");
        let low: Vec<&str> = supporting(id, |s| LOW.contains(&s))
            .iter()
            .map(|s| LOW_LABELS[LOW.iter().position(|l| l == s).unwrap()])
            .collect();
        assert_eq!(row["concern_studies"], low.join(";"), "finding {id}");
    }
    let flagged: Vec<&str> = rows
        .iter()
        .filter(|r| r["flag"] == "true")
        .map(|r| r["id"].as_str())
        .collect();
    assert_eq!(flagged, ["23", "24", "7"]);
    // The largest drop not flagged: finding 5, 32.0 -> 27.3.
    assert_eq!(
        (rows[3]["id"].as_str(), rows[3]["drop"].as_str()),
        ("5", "4.7")
    );
}

#[test]
fn intensity_ranks_studies_by_their_share_of_the_24_findings() {
    let (_, results) = run_script("intensity");
    let rows = &results[0];
    let count = |study: u32| TABLE2.iter().filter(|(_, _, s)| s.contains(&study)).count();
    let mut order: Vec<u32> = (1..=STUDIES).collect();
    order.sort_by_key(|s| (std::cmp::Reverse(count(*s)), *s));
    assert_eq!(column(rows, "id"), text(order.iter()));
    assert_eq!(column(rows, "n"), text(order.iter().map(|s| count(*s))));
    assert_eq!(
        column(rows, "intensity"),
        text(order.iter().map(|s| percent(count(*s), 24)))
    );
    assert_eq!(
        column(rows, "country"),
        text(order.iter().map(|s| COUNTRIES[*s as usize - 1]))
    );
}

#[test]
fn by_country_counts_table_1_and_fes_among_the_three_uk_studies() {
    let (_, results) = run_script("by-country");
    let mut counts: Vec<(usize, &str)> = ["USA", "Canada", "UK", "Australia"]
        .iter()
        .map(|c| (COUNTRIES.iter().filter(|x| *x == c).count(), *c))
        .collect();
    counts.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    assert_eq!(
        column(&results[0], "country"),
        text(counts.iter().map(|c| c.1))
    );
    assert_eq!(
        column(&results[0], "count"),
        text(counts.iter().map(|c| c.0))
    );

    let uk = |id| supporting(id, |s| COUNTRIES[s as usize - 1] == "UK").len();
    let mut order: Vec<u32> = finding_ids().filter(|id| uk(*id) > 0).collect();
    order.sort_by_key(|id| (std::cmp::Reverse(uk(*id)), *id));
    let rows = &results[1];
    assert_eq!(column(rows, "id"), text(order.iter()));
    assert_eq!(
        column(rows, "fes"),
        text(order.iter().map(|id| percent(uk(*id), 3)))
    );
}

#[test]
fn recipients_lists_the_four_recipient_findings_and_their_studies() {
    let (_, results) = run_script("recipients");
    let recipient = [14, 15, 16, 17];
    assert_eq!(column(&results[0], "id"), text(recipient));
    assert_eq!(
        column(&results[0], "studies"),
        text(
            recipient
                .iter()
                .map(|id| joined(&supporting(*id, |_| true)))
        )
    );
    let count = |study: u32| {
        recipient
            .iter()
            .filter(|id| supporting(**id, |_| true).contains(&study))
            .count()
    };
    let mut order: Vec<u32> = (1..=STUDIES).filter(|s| count(*s) > 0).collect();
    order.sort_by_key(|s| (std::cmp::Reverse(count(*s)), *s));
    let rows = &results[1];
    assert_eq!(column(rows, "id"), text(order.iter()));
    assert_eq!(
        column(rows, "intensity"),
        text(order.iter().map(|s| percent(count(*s), 4)))
    );
}
