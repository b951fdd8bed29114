//! The page of `metasum serve` in a real browser (Debian's headless
//! Chromium, driven through the DevTools protocol): a reviewer opens the
//! address with the token, types the seed's question and sees its two
//! rows, sorts them, downloads them and reads the file, makes a typo and
//! sees the error under it, draws a figure, completes a word with Tab,
//! runs a saved script, opens a finding's worksheet and the report; and
//! the page logs no error and asks nothing of any other server. A machine
//! without chromium skips these tests and says so; CI never does.

use super::cdp::Browser;
use super::{Server, start};
use crate::util::tool;

/// The page's address with the token, as the server printed it.
fn address(server: &Server) -> String {
    format!("http://127.0.0.1:{}/?token={}", server.port, server.token)
}

/// Types `text` into the query box (replacing what it held), as a
/// person would: a click into the box, select all, type.
fn type_query(browser: &mut Browser, text: &str) {
    browser.click("#query");
    browser.eval("document.getElementById('query').select()");
    browser.type_text(text);
}

/// Types `text`, runs it with Ctrl+Enter and waits for its results or
/// errors.
fn ask(browser: &mut Browser, text: &str) {
    type_query(browser, text);
    browser.eval(
        "document.getElementById('results').replaceChildren(); \
         document.getElementById('errors').replaceChildren()",
    );
    browser.press("Enter", 2);
    browser.wait_for(
        "document.querySelector('#results .result') || document.querySelector('#errors .error')",
    );
}

/// The cells of the first result's table as shown, row by row.
fn shown_rows(browser: &mut Browser) -> Vec<Vec<String>> {
    let rows = browser.eval(
        "[...document.querySelectorAll('#results .result')[0].querySelectorAll('tbody tr')]\
         .map(tr => [...tr.cells].map(td => td.textContent))",
    );
    serde_json::from_value(rows).unwrap()
}

#[test]
fn a_reviewer_asks_sorts_downloads_plots_and_runs_a_script_in_the_page() {
    let Some(chromium) = tool("chromium", "chromium") else {
        return;
    };
    let server = start();
    let mut browser = Browser::launch(&chromium);
    browser.open(&address(&server));
    // The token moved into a cookie, out of the address bar.
    let here = format!("http://127.0.0.1:{}/", server.port);
    assert_eq!(browser.eval("location.href"), here.as_str());
    browser.wait_for("document.querySelectorAll('#tables li').length > 0");
    let title = browser.eval("document.getElementById('title').textContent");
    assert!(
        title.as_str().unwrap().starts_with("Peer support"),
        "{title}"
    );
    let findings = browser.eval(
        "[...document.querySelectorAll('#tables button')].map(b => b.textContent).find(t => t.startsWith('findings '))",
    );
    assert_eq!(findings, "findings (24 rows)");

    // The seed's question: its two rows, ids and FES as the shell shows.
    ask(
        &mut browser,
        "findings where perspective = recipient and fes > 30",
    );
    let rows = shown_rows(&mut browser);
    let ids_fes: Vec<(&str, &str)> = rows.iter().map(|r| (&*r[0], &*r[4])).collect();
    assert_eq!(ids_fes, [("14", "44.0"), ("15", "40.0")], "{rows:?}");
    browser.eval("window.scrollTo(0, 0)");
    let shot = browser.screenshot();
    if std::env::var_os("METASUM_SCREENSHOT").is_some() {
        let docs = crate::util::root().join("docs/serve.png");
        std::fs::write(docs, &shot).unwrap();
    }

    // Sorted by fes with a click on its header, then the other way.
    browser.click("#results .result th:nth-child(5) button");
    let ids: Vec<String> = shown_rows(&mut browser)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["15", "14"]);
    browser.click("#results .result th:nth-child(5) button");
    let ids: Vec<String> = shown_rows(&mut browser)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["14", "15"]);

    // Downloaded as CSV (the first format offered) and read back.
    browser.click("#results .result .download button");
    let file = browser.downloaded();
    assert_eq!(file.file_name().unwrap(), "findings.csv");
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let (id, fes) = (
        headers.iter().position(|h| h == "id").unwrap(),
        headers.iter().position(|h| h == "fes").unwrap(),
    );
    let read: Vec<(String, String)> = (reader.records())
        .map(|r| {
            let r = r.unwrap();
            (r[id].to_string(), r[fes].to_string())
        })
        .collect();
    assert_eq!(
        read,
        [("14".into(), "44.0".into()), ("15".into(), "40.0".into())]
    );

    // A typo: the error under the box, with the caret under the word.
    ask(&mut browser, "findings wehre fes > 30");
    let error = browser.eval("document.querySelector('#errors .error').textContent");
    let error = error.as_str().unwrap();
    assert!(error.contains("line 1, column 10"), "{error}");
    assert!(error.contains("did you mean `where`"), "{error}");
    let caret = browser.eval("document.querySelector('#errors pre.caret').textContent");
    let caret_line = caret.as_str().unwrap().lines().nth(1).unwrap().to_string();
    assert!(caret_line.starts_with("         ^^^^^"), "{caret:?}");

    // A figure, drawn in the page.
    ask(&mut browser, "plot fes");
    let drawn = browser.wait_for(
        "(() => { const i = document.querySelector('#results img.figure'); \
         return i && i.complete && i.naturalWidth > 0 && i.src; })()",
    );
    let src = drawn.as_str().unwrap();
    assert!(src.starts_with("data:image/svg+xml"), "{}", &src[..40]);
    assert!(src.contains("%3Csvg"), "{}", &src[..80]);

    // Tab completes what may come next.
    type_query(&mut browser, "findings wh");
    browser.press("Tab", 0);
    browser.wait_for("document.getElementById('query').value === 'findings where'");

    // Ctrl+Up goes back through what was run.
    browser.press("ArrowUp", 2);
    browser.wait_for("document.getElementById('query').value === 'plot fes'");
    browser.press("ArrowUp", 2);
    browser.wait_for("document.getElementById('query').value === 'findings wehre fes > 30'");
    browser.press("ArrowDown", 2);
    browser.wait_for("document.getElementById('query').value === 'plot fes'");

    // A saved script, run by its button: Table 2's 24 findings.
    browser.eval("document.getElementById('results').replaceChildren()");
    browser.click("[data-script='table2.msq']");
    browser.wait_for("document.querySelector('#results .result .pager')");
    let pager = browser.eval("document.querySelector('#results .result .pager').textContent");
    assert!(pager.as_str().unwrap().contains("of 24."), "{pager}");
    assert_eq!(shown_rows(&mut browser).len(), 24);
    let save = browser.eval("document.querySelector('#results .result .download').textContent");
    assert!(save.as_str().unwrap().contains("table2.csv"), "{save}");

    // A finding's worksheet, from its id in the results.
    browser.click("#results .result td button.link");
    let heading = browser.wait_for("document.querySelector('#worksheet h1')?.textContent");
    assert_eq!(heading, "Worksheet: finding 1");

    // The report downloaded, whole.
    browser.click("#report-download");
    let file = browser.downloaded();
    assert_eq!(file.file_name().unwrap(), "report.html");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(
        html.trim_end().ends_with("</html>"),
        "{}",
        &html[html.len() - 100..]
    );

    // The whole report, under the page's policy: its own script runs.
    browser.click("#report-link");
    let report = format!("http://127.0.0.1:{}/report", server.port);
    browser.open(&report);
    browser.wait_for("document.querySelectorAll('section').length > 3");

    let errors = browser.errors();
    assert!(errors.is_empty(), "{errors:#?}");
    let requests = browser.requests();
    let elsewhere: Vec<&String> = (requests.iter())
        .filter(|r| !r.starts_with(&here) && !r.starts_with("data:") && !r.starts_with("blob:"))
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:#?}");
    assert!(
        requests.iter().any(|r| r.ends_with("/api/query")),
        "{requests:?}"
    );
}

#[test]
fn hostile_text_of_a_review_stays_text_in_the_page_the_worksheet_and_the_report() {
    let Some(chromium) = tool("chromium", "chromium") else {
        return;
    };
    let review = tempfile::tempdir().unwrap();
    let from = crate::util::root().join("tests/data/telehealth-review");
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, review.path().join(path.file_name().unwrap())).unwrap();
    }
    let attack = r#"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>"#;
    let toml = std::fs::read_to_string(review.path().join("dataset.toml")).unwrap();
    // A literal string: the attack holds `"` but no `'`.
    let toml: String = (toml.lines())
        .map(|line| match line.strip_prefix("title = \"") {
            Some(rest) => format!("title = '{attack} {}'\n", rest.trim_end_matches('"')),
            None => format!("{line}\n"),
        })
        .collect();
    std::fs::write(review.path().join("dataset.toml"), toml).unwrap();
    let findings = std::fs::read_to_string(review.path().join("findings.csv")).unwrap();
    let quoted = format!("\"{}\"", attack.replace('"', "\"\""));
    let findings = findings.replace("Older adults value seeing a familiar clinician", &quoted);
    std::fs::write(review.path().join("findings.csv"), findings).unwrap();

    let server = super::start_with(&["--data", review.path().to_str().unwrap()]);
    let mut browser = Browser::launch(&chromium);
    browser.open(&address(&server));
    browser.wait_for("document.querySelectorAll('#tables li').length > 0");
    let title = browser.eval("document.getElementById('title').textContent");
    assert!(title.as_str().unwrap().starts_with(attack), "{title}");

    ask(&mut browser, "findings where id = T1.2");
    let rows = shown_rows(&mut browser);
    assert_eq!(rows[0][2], attack, "{rows:?}");
    browser.click("#results .result td button.link");
    let sheet = browser.wait_for("document.querySelector('#worksheet p strong')?.textContent");
    assert_eq!(sheet, attack);
    let none = "document.querySelectorAll('img, script:not([src])').length === 0 && window.pwned === undefined";
    assert_eq!(browser.eval(none), true);

    browser.open(&format!("http://127.0.0.1:{}/report", server.port));
    browser.wait_for("document.querySelectorAll('section').length > 3");
    let report = "document.querySelectorAll('img[src=x]').length === 0 && window.pwned === undefined \
                  && document.body.textContent.includes('window.pwned=1')";
    assert_eq!(browser.eval(report), true);
    let errors = browser.errors();
    assert!(errors.is_empty(), "{errors:#?}");
}
