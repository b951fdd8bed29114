//! The HTML report in a real browser (Debian's headless chromium): it
//! opens with every section and table, its script runs without a console
//! error, no request leaves the file, the page is not blank, and printed
//! each section starts a page. A machine without chromium skips these
//! tests and says so; CI (`METASUM_REQUIRE_TOOLS`, set by `.ci/run`, which
//! installs chromium) never skips them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// Runs `cmd`, killing it after two minutes. Its output goes through
/// files: a pipe left unread while waiting would fill and stall it.
fn run(mut cmd: Command) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{cmd:?} took over two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: std::fs::read(out).unwrap(),
        stderr: std::fs::read(err).unwrap(),
    }
}

/// Headless chromium with a profile of its own in `dir`, and the flags
/// that keep it from its own network chatter on a closed machine (also
/// what `serve`'s DevTools tests start).
pub(crate) fn chromium(path: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(path);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()));
    cmd
}

/// What a page does when chromium opens it.
struct Opened {
    /// The DOM after the page's script ran.
    dom: String,
    /// What the page wrote to its console (errors included).
    console: Vec<String>,
    /// Requests the page itself made (not chromium's own).
    requests: Vec<String>,
}

fn open(browser: &Path, page: &Path, dir: &Path) -> Opened {
    let netlog = dir.join("net.json");
    let mut cmd = chromium(browser, dir);
    cmd.args([
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=3000",
        "--dump-dom",
    ])
    .arg(format!("--log-net-log={}", netlog.display()))
    .arg(format!("file://{}", page.display()));
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Opened {
        dom: String::from_utf8(out.stdout).unwrap(),
        console,
        requests: page_requests(&std::fs::read_to_string(netlog).unwrap()),
    }
}

/// The requests of a net log made by a page rather than by the browser:
/// a page's requests name their initiator (`null` for a file), chromium's
/// own say "not an origin".
fn page_requests(netlog: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(netlog).unwrap();
    let start = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    let resolve = &log["constants"]["logEventTypes"]["HOST_RESOLVER_MANAGER_REQUEST"];
    let mut out = Vec::new();
    for event in log["events"].as_array().unwrap() {
        let params = &event["params"];
        // (The job's end carries no initiator, only its outcome.)
        let initiator = params["initiator"].as_str();
        if &event["type"] == start && initiator.is_some_and(|i| i != "not an origin") {
            out.push(params.to_string());
        }
        let key = params["network_anonymization_key"].as_str().unwrap_or("");
        if &event["type"] == resolve && key.contains("file://") {
            out.push(params.to_string());
        }
    }
    out
}

/// The seed's report, written by the binary into `dir`.
fn seed_report(dir: &Path) -> PathBuf {
    let out = metasum()
        .current_dir(dir)
        .args(["report", "--output", "review.html"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    dir.join("review.html")
}

#[test]
fn the_report_opens_with_every_section_no_console_error_and_no_request() {
    let Some(browser) = tool("chromium", "chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = seed_report(dir.path());
    let opened = open(&browser, &page, dir.path());
    // The script ran to its end.
    assert!(
        opened.dom.contains("<body data-ready=\"yes\">"),
        "{}",
        &opened.dom[..500]
    );
    for id in [
        "studies", "findings", "figures", "matrix", "profile", "check",
    ] {
        assert!(
            opened.dom.contains(&format!("<section id=\"{id}\"")),
            "{id}"
        );
    }
    assert_eq!(opened.dom.matches("<table").count(), 8);
    assert_eq!(opened.dom.matches("<figure").count(), 4);
    assert!(opened.console.is_empty(), "{:?}", opened.console);
    assert!(opened.requests.is_empty(), "{:?}", opened.requests);

    // A screenshot of the top of the page: text and table lines, not blank.
    let shot = dir.path().join("shot.png");
    let mut cmd = chromium(&browser, dir.path());
    cmd.args(["--window-size=1280,1600"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()));
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(&shot).unwrap()).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), (1280, 1600));
    let dark = (pixmap.pixels().iter())
        .filter(|p| u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue()) < 300)
        .count();
    let share = dark as f64 / (1280.0 * 1600.0);
    assert!(share > 0.01, "{share} of the page is dark: blank?");
}

#[test]
fn printed_each_section_starts_a_page() {
    let Some((browser, pdftotext)) = print_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = seed_report(dir.path());
    let text = print_text(&browser, &pdftotext, &page, dir.path(), "-layout");
    // pdftotext ends each page with a form feed.
    let first_lines: Vec<&str> = (text.split('\u{c}'))
        .filter_map(|p| p.lines().map(str::trim).find(|l| !l.is_empty()))
        .collect();
    for heading in [
        "Studies",
        "Findings",
        "Figures",
        "Study x finding matrix",
        "Support for each finding",
        "Included papers",
        "Consistency check",
    ] {
        assert!(
            first_lines.contains(&heading),
            "{heading} does not start a page: {first_lines:?}"
        );
    }
}

#[test]
fn the_harness_sees_a_console_error_and_a_request_when_a_page_makes_them() {
    // The checks above can fail: a page that loads an image from the
    // network, fetches, and throws is caught on all three counts.
    let Some(browser) = tool("chromium", "chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("leaky.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\"><script>fetch(\"https://leak.invalid/\").catch(function () {}); nothing();</script></body></html>",
    )
    .unwrap();
    let opened = open(&browser, &page, dir.path());
    assert!(
        opened
            .console
            .iter()
            .any(|l| l.contains("Uncaught ReferenceError")),
        "{:?}",
        opened.console
    );
    assert!(opened.requests.len() >= 2, "{:?}", opened.requests);
}

/// The text of an HTML fragment: tags dropped, entities read.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Each table cell of a report with its column's name, from its HTML.
fn cells_of(page: &str) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for piece in page.split("<td").skip(1) {
        let label = piece
            .split_once("data-label=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or(String::new(), |(label, _)| html_text(label));
        let Some((_, rest)) = piece.split_once('>') else {
            continue;
        };
        let Some((inner, _)) = rest.split_once("</td>") else {
            continue;
        };
        cells.push((label, html_text(inner)));
    }
    cells
}

/// The report at `page` printed by chromium on `paper` (`A4`, `Letter`),
/// as pdftotext reads it.
fn printed(browser: &Path, pdftotext: &Path, page: &Path, paper: &str, dir: &Path) -> String {
    let html = std::fs::read_to_string(page).unwrap();
    let sized = html.replacen(
        "</style>",
        &format!("@page {{ size: {paper} portrait; }}\n</style>"),
        1,
    );
    let copy = dir.join(format!("{paper}.html"));
    std::fs::write(&copy, sized).unwrap();
    print_text(browser, pdftotext, &copy, dir, "-raw")
}

/// The page at `page` printed to PDF by chromium, as pdftotext reads it
/// (`mode`: `-layout`, `-raw`).
fn print_text(browser: &Path, pdftotext: &Path, page: &Path, dir: &Path, mode: &str) -> String {
    let pdf = page.with_extension("pdf");
    let mut cmd = chromium(browser, dir);
    cmd.arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()));
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let out = run({
        let mut c = Command::new(pdftotext);
        c.arg(mode).arg(&pdf).arg("-");
        c
    });
    String::from_utf8(out.stdout).unwrap()
}

/// A review of 60 studies with long author names and long finding names:
/// its matrix is 60 studies wide.
fn wide_review(dir: &Path) -> PathBuf {
    let review = dir.join("wide");
    std::fs::create_dir_all(&review).unwrap();
    let mut studies = String::from("id,author,year,country,setting\n");
    for s in 1..=60 {
        studies.push_str(&format!(
            "S{s:02},Vanderbilt-Oyelaran{s} Montgomery-Smythe and colleagues,{},Country {},a long description of the setting of study {s} in words\n",
            1990 + s % 30,
            s % 7
        ));
    }
    let mut findings = String::from("id,theme,name\n");
    let mut evidence = String::from("finding,study\n");
    for f in 1..=12 {
        findings.push_str(&format!(
            "F{f},theme {},A long abstracted finding number {f} that a reviewer wrote out in full\n",
            f % 3
        ));
        for s in (1..=60).filter(|s| (s * f) % 5 < 2) {
            evidence.push_str(&format!("F{f},S{s:02}\n"));
        }
    }
    std::fs::write(review.join("studies.csv"), studies).unwrap();
    std::fs::write(review.join("findings.csv"), findings).unwrap();
    std::fs::write(review.join("evidence.csv"), evidence).unwrap();
    std::fs::write(
        review.join("dataset.toml"),
        "title = \"A wide review\"\ngroup_findings_by = \"theme\"\n",
    )
    .unwrap();
    let out = metasum()
        .current_dir(dir)
        .args(["--data", "wide", "report", "--output", "wide.html"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    dir.join("wide.html")
}

/// Printed on A4 and on Letter, in portrait, every cell of every table of
/// the report is on the pages, with its column's name: a table wider than
/// a page is printed a record at a time, not cut at the page's edge (the
/// seed's matrix printed 6 of its 25 study columns).
#[test]
fn printed_every_cell_of_every_table_is_on_the_pages() {
    let Some((browser, pdftotext)) = print_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for page in [seed_report(dir.path()), wide_review(dir.path())] {
        let html = std::fs::read_to_string(&page).unwrap();
        let cells = cells_of(&html);
        assert!(cells.len() > 500, "{}", cells.len());
        let bare = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
        for paper in ["A4", "Letter"] {
            let raw = printed(&browser, &pdftotext, &page, paper, dir.path());
            // A number is never broken across lines: a squeezed column
            // printed FES 44.0 as "44." over "0".
            let broken = (raw.lines().map(str::trim)).find(|l| {
                l.strip_suffix('.')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            });
            assert_eq!(
                broken,
                None,
                "{paper}: a number broken across lines ({})",
                page.display()
            );
            // A cell of words may wrap anywhere between them.
            let text = bare(&raw);
            for (label, cell) in &cells {
                if cell.trim().is_empty() {
                    continue; // an empty cell prints as nothing
                }
                // A number is never broken across lines (`44.0` printed
                // as "44." over "0").
                if cell.parse::<f64>().is_ok() {
                    assert!(
                        raw.contains(cell.as_str()),
                        "{paper}: {label} = {cell} broken ({})",
                        page.display()
                    );
                }
                assert!(
                    text.contains(&bare(label)),
                    "{paper}: column {label} not on paper ({})",
                    page.display()
                );
                assert!(
                    text.contains(&bare(cell)),
                    "{paper}: cell {label} = {cell} not on paper ({})",
                    page.display()
                );
            }
        }
    }
}

/// A table that runs over pages repeats its header row on each, printed
/// as the header's words (it printed as empty boxes).
#[test]
fn printed_a_long_table_repeats_its_header_on_each_page() {
    let Some((browser, pdftotext)) = print_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let review = dir.path().join("long");
    std::fs::create_dir_all(&review).unwrap();
    let mut findings = String::from("id,name\n");
    let mut evidence = String::from("finding,study\n");
    for f in 1..=60 {
        findings.push_str(&format!(
            "F{f},A long abstracted finding number {f} written out in full by its reviewer\n"
        ));
        evidence.push_str(&format!("F{f},S{}\n", f % 3 + 1));
    }
    std::fs::write(
        review.join("studies.csv"),
        "id,author,year\nS1,Ames,2001\nS2,Bell,2002\nS3,Cole,2003\n",
    )
    .unwrap();
    std::fs::write(review.join("findings.csv"), findings).unwrap();
    std::fs::write(review.join("evidence.csv"), evidence).unwrap();
    let out = metasum()
        .current_dir(dir.path())
        .args(["--data", "long", "report", "--output", "long.html"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = print_text(
        &browser,
        &pdftotext,
        &dir.path().join("long.html"),
        dir.path(),
        "-layout",
    );
    // Table 2's pages: those with a row of it; each must show its header.
    let row = |l: &str| {
        let mut words = l.split_whitespace();
        let id = words.next().unwrap_or_default();
        id.starts_with('F') && id[1..].parse::<u32>().is_ok() && words.next() == Some("A")
    };
    let pages: Vec<&str> = (text.split('\u{c}'))
        .filter(|p| p.lines().any(row))
        .collect();
    assert!(pages.len() >= 2, "{}", pages.len());
    for page in &pages {
        let header = page.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.starts_with(&["id", "name", "n", "FES"])
        });
        assert!(header, "a page of the table without its header:\n{page}");
    }
}

/// Chromium and pdftotext, for the printing tests (`None`, told, where
/// they are not installed and CI does not ask for them).
fn print_tools() -> Option<(PathBuf, PathBuf)> {
    Some((
        tool("chromium", "chromium")?,
        tool("pdftotext", "poppler-utils")?,
    ))
}
