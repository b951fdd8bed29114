//! The page and the documents it opens: `index.html`, `app.js` and
//! `app.css` (in `assets/`, built into the binary: no network, no build
//! step), the review's report, a finding's worksheet rendered from its
//! Markdown, and any result as a file to download.

use std::path::Path;

use base64::Engine as _;
use metasum_engine::Outcome;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Shared;
use super::api::{errors, json_field, outcome};
use super::http::{CSP, Request, Response};
use super::run::{Done, within, within_until};
use crate::save::{Saved, document};
use crate::target::FileKind;

/// The page's files, built in: path, media type, contents. The icon is
/// also `/favicon.ico`, which a browser asks for on a page that names
/// none (the report): a 404 there would be an error in its console.
const ASSETS: [(&str, &str, &str); 5] = [
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
    ),
    (
        "/favicon.svg",
        "image/svg+xml",
        include_str!("assets/favicon.svg"),
    ),
    (
        "/favicon.ico",
        "image/svg+xml",
        include_str!("assets/favicon.svg"),
    ),
];

/// The answer to an authorised `GET` of a page or asset.
pub fn route(shared: &Shared, request: &Request) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        return Response::error(405, "not with this method");
    }
    if request.path == "/report" {
        let response = report(shared);
        return match request.param("download") {
            Some(_) if response.status == 200 => {
                response.with_header("Content-Disposition", attachment("report.html"))
            }
            _ => response,
        };
    }
    match ASSETS.iter().find(|(path, ..)| *path == request.path) {
        Some((_, media, body)) => Response::ok(media, body.as_bytes().to_vec()),
        None => Response::error(404, "no such page"),
    }
}

/// The review's HTML report, as `metasum report` writes it, allowed to
/// run its own script and style (by their hashes) and nothing else.
fn report(shared: &Shared) -> Response {
    let made = within(shared, |session, _| {
        metasum_engine::report::report(session).map_err(|e| e.to_string())
    });
    match made {
        Ok((Ok(html), _)) => {
            let csp = report_csp(&html);
            Response::ok(FileKind::Html.media_type(), html.into_bytes())
                .with_header("Content-Security-Policy", csp)
        }
        Ok((Err(e), _)) => Response::error(500, &e),
        Err(why) => {
            let (status, errors) = errors("", &why);
            Response::json(status, json!({ "errors": errors }).to_string())
        }
    }
}

/// The page's policy with the hashes of `html`'s own `<script>` and
/// `<style>` elements added: everything else inline stays refused. (The
/// report escapes every text of the review, so these elements are its
/// own.)
fn report_csp(html: &str) -> String {
    let hashes = |tag: &str| -> String {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut found = String::new();
        let mut rest = html;
        while let Some(start) = rest.find(&open) {
            let body = &rest[start + open.len()..];
            let Some(end) = body.find(&close) else { break };
            let digest = Sha256::digest(&body.as_bytes()[..end]);
            let hash = base64::engine::general_purpose::STANDARD.encode(digest);
            found.push_str(&format!(" 'sha256-{hash}'"));
            rest = &body[end..];
        }
        found
    };
    CSP.replace(
        "script-src 'self'",
        &format!("script-src 'self'{}", hashes("script")),
    )
    .replace(
        "style-src 'self'",
        &format!("style-src 'self'{}", hashes("style")),
    )
}

/// `?finding=ID`: the finding's worksheet, as its Markdown and as HTML
/// for the page.
pub fn worksheet(shared: &Shared, request: &Request) -> Response {
    let Some(finding) = request.param_text("finding") else {
        return Response::error(400, "expected ?finding=ID");
    };
    let made = within(shared, move |session, _| {
        metasum_engine::worksheet::worksheet(session, &finding).map_err(|e| e.to_string())
    });
    match made {
        Ok((Ok(markdown), _)) => {
            let html = markdown_html(&markdown);
            Response::json(200, json!({"markdown": markdown, "html": html}).to_string())
        }
        Ok((Err(e), _)) => Response::error(400, &e),
        Err(why) => {
            let (status, errors) = errors("", &why);
            Response::json(status, json!({ "errors": errors }).to_string())
        }
    }
}

/// A worksheet's Markdown as HTML for the page: any HTML in it shown as
/// text (the worksheet escapes the review's text; this is a second
/// guard), and table alignment as classes, since the page's policy
/// refuses inline styles.
fn markdown_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    // pulldown-cmark's own attribute: text it writes has `"` escaped.
    ["left", "center", "right"].iter().fold(out, |out, align| {
        out.replace(
            &format!(" style=\"text-align: {align}\""),
            &format!(" class=\"align-{align}\""),
        )
    })
}

/// `{"query": TEXT, "index": N, "format": EXT}`: the result of the
/// `index`th statement (from 0; the last result when left out) of
/// `query`, as a file of the kind `format` names (CSV when left out), to
/// download. Drawn on a slot of its own (a PNG of a large figure takes
/// seconds and memory), within the timeout.
pub fn download(shared: &Shared, request: &Request) -> Response {
    // One deadline for running the statements and drawing the file.
    let deadline = std::time::Instant::now() + shared.timeout;
    let (text, value) = match json_field(&request.body, "query") {
        Ok(field) => field,
        Err(response) => return response,
    };
    let extension = match value.get("format") {
        None | Some(Value::Null) => "csv",
        Some(Value::String(format)) => format.as_str(),
        Some(_) => return Response::error(400, "`format` is a file extension: \"csv\""),
    };
    let index = match value.get("index") {
        None | Some(Value::Null) => None,
        Some(i) => match i.as_u64() {
            Some(i) => Some(i as usize),
            None => return Response::error(400, "`index` is a statement's number, from 0"),
        },
    };
    let kind = FileKind::of(Path::new(&format!("result.{extension}")));
    if matches!(kind, FileKind::Other | FileKind::Html) {
        let known = crate::target::download_extensions(false).join(", ");
        return Response::error(
            400,
            &format!("no such format: {extension} (one of {known})"),
        );
    }
    let done = match outcome(shared, &text, index, deadline) {
        Ok(done) => done,
        Err(response) => return response,
    };
    if matches!(done.outcome, Outcome::Bound(_)) {
        return Response::error(400, "a `let` gives no result to download");
    }
    if let Some(why) = kind.refuses(matches!(done.outcome, Outcome::Figure(_))) {
        return Response::error(400, &why);
    }
    let name = file_name(&done, extension);
    let sheet = crate::kept::statement_text(&text, &done.statement);
    let path = std::path::PathBuf::from(&name);
    let files = shared.files;
    let drawn = within_until(shared, deadline, move |_, _| {
        let saved = match &done.outcome {
            Outcome::Figure(svg) => Saved::Figure { svg, sheet: &sheet },
            Outcome::Rows(result) => Saved::Rows {
                result,
                sheet: &sheet,
            },
            // Refused above.
            Outcome::Bound(_) => return Err(String::new()),
        };
        document(saved, &path, files)
    });
    match drawn {
        Ok((Ok(bytes), _)) => Response::ok(kind.media_type(), bytes)
            .with_header("Content-Disposition", attachment(&name)),
        Ok((Err(e), _)) => Response::error(400, &e),
        Err(why) => {
            let (status, errors) = errors("", &why);
            Response::json(status, json!({ "errors": errors }).to_string())
        }
    }
}

/// A `Content-Disposition` that downloads a file called `name`: its
/// ASCII form (other characters as `_`), and the name itself (RFC 6266).
fn attachment(name: &str) -> String {
    let ascii: String = (name.chars())
        .map(|c| match c.is_ascii_alphanumeric() || ".-_".contains(c) {
            true => c,
            false => '_',
        })
        .collect();
    let encoded: String = (name.bytes())
        .map(|b| match b.is_ascii_alphanumeric() || b".-_".contains(&b) {
            true => (b as char).to_string(),
            false => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The answer to a person whose browser lacks the token (a bookmark, a
/// server started again): a page that says what to do.
pub fn refused(why: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>metasum</title>\
         <link rel=\"stylesheet\" href=\"/app.css\"><h1>metasum</h1><p>{}: open the address \
         <code>metasum serve</code> printed when it started (it has <code>?token=</code>), \
         or start it again.</p></html>",
        metasum_engine::format::markup(why)
    );
    Response::ok(FileKind::Html.media_type(), page.into_bytes()).with_status(401)
}

/// The name a downloaded result gets: its `save` file's name when that
/// has the extension asked for, else its table's (or `figure`).
fn file_name(done: &Done, extension: &str) -> String {
    let saved = (done.statement.save.as_ref())
        .and_then(|s| Path::new(&s.path).file_name()?.to_str().map(str::to_string))
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(extension))
        });
    let stem = match &done.outcome {
        Outcome::Rows(result) => result.kind.name(),
        _ => "figure",
    };
    saved.unwrap_or_else(|| format!("{stem}.{extension}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_policy_admits_exactly_its_own_script_and_style() {
        let html = "<style>\nb{}</style><p>&lt;script&gt;</p><script>\nrun()</script>";
        let csp = report_csp(html);
        let hash = |text: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        };
        assert!(
            csp.contains(&format!("script-src 'self' 'sha256-{}';", hash("\nrun()"))),
            "{csp}"
        );
        assert!(
            csp.contains(&format!("style-src 'self' 'sha256-{}';", hash("\nb{}"))),
            "{csp}"
        );
        assert_eq!(csp.matches("sha256-").count(), 2);
    }

    #[test]
    fn worksheet_markdown_keeps_no_html_and_no_inline_style() {
        let html = markdown_html("# A <b>\n\n| a | n |\n| - | -: |\n| <script>x</script> | 1 |\n");
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(html.contains("class=\"align-right\""), "{html}");
    }
}

#[cfg(test)]
mod names {
    use super::attachment;

    #[test]
    fn a_downloaded_name_is_safe_and_kept_whole() {
        assert_eq!(
            attachment("table2.csv"),
            "attachment; filename=\"table2.csv\"; filename*=UTF-8''table2.csv"
        );
        assert_eq!(
            attachment("résumé \"x\".csv"),
            "attachment; filename=\"r_sum___x_.csv\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.csv"
        );
    }
}
