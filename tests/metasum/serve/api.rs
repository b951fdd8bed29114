//! `metasum serve`'s JSON API, as R or Python reaches it: it
//! answers the seed's question, keeps `let` names, locates a typo; and
//! the server refuses what is not for it (no token, a wrong one, another
//! Host, another page's origin, an oversized request) and keeps serving
//! through many requests at once and a client that sends nothing.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::{query, send, start};

#[test]
fn the_api_answers_the_seed_question_keeps_names_and_locates_a_typo() {
    let server = start();
    let (status, answer) = query(
        &server,
        "findings where perspective = recipient and fes > 30 show id, fes",
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["results"][0]["rows"],
        serde_json::json!([{"id": 14, "fes": 44.0}, {"id": 15, "fes": 40.0}])
    );
    let (status, _) = query(&server, "let strong = findings where fes > 40");
    assert_eq!(status, 200);
    let (_, answer) = query(&server, "strong count by perspective");
    assert!(
        answer["results"][0]["rows"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{answer}"
    );
    let (status, answer) = query(&server, "findings\nfindings where fes >");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (
            answer["errors"][0]["line"].as_u64(),
            answer["errors"][0]["column"].as_u64()
        ),
        (Some(2), Some(21)),
        "{answer}"
    );
    let (status, answer) = query(&server, "plot fes");
    assert_eq!(status, 200);
    assert!(
        answer["results"][0]["svg"]
            .as_str()
            .is_some_and(|s| s.starts_with("<svg") || s.starts_with("<?xml"))
    );
}

#[test]
fn what_is_not_for_the_server_is_refused_with_its_status() {
    let server = start();
    let get = |headers: &str| format!("GET /api/overview HTTP/1.1\r\n{headers}\r\n\r\n");
    for (raw, status) in [
        (get("Host: 127.0.0.1:{port}"), 401),
        (get("Host: 127.0.0.1:{port}\r\nAuthorization: Bearer wrong"), 401),
        (get("Host: 127.0.0.1:{port}\r\nCookie: metasum_token_{port}=00{token}"), 401),
        (get("Host: evil.example:{port}\r\nAuthorization: Bearer {token}"), 421),
        (get("Host: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\nAuthorization: Bearer {token}"), 403),
        ("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Length: 2000000\r\n\r\n".to_string(), 413),
        ("not http at all\r\n\r\n".to_string(), 400),
        (get("Host: localhost:{port}\r\nCookie: a=b; metasum_token_{port}={token}"), 200),
        // Another server's cookie (browsers keep cookies by host, not
        // port) is not this one's.
        (get("Host: 127.0.0.1:{port}\r\nCookie: metasum_token_1={token}"), 401),
        // A stale cookie does not hide the good token in the address.
        ("GET /?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: metasum_token_{port}=stale\r\n\r\n".to_string(), 303),
        (get("Host: 127.0.0.1:{port}\r\nCookie: metasum_token_{port}=stale\r\nCookie: metasum_token_{port}={token}"), 200),
        (get("Host: 127.0.0.1:{port}\r\nAuthorization: bearer {token}"), 200),
        (format!("GET /api/overview HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nAuthorization: Bearer {{token}}\r\nX: {}\r\n\r\n", "a".repeat(66_000)), 431),
        (get(&format!("Host: 127.0.0.1:{{port}}\r\nAuthorization: Bearer {{token}}{}", "\r\nX: a".repeat(64))), 431),
        ("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_string(), 501),
        ("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Length: 2\r\nContent-Length: 27\r\n\r\n{}".to_string(), 400),
        ("GET /api/overview HTTP/1.1\nHost: 127.0.0.1:{port}\nAuthorization: Bearer {token}\n\n".to_string(), 200),
    ] {
        let (got, body) = send(&server, &raw);
        assert_eq!(got, status, "{}: {body}", &raw[..raw.len().min(300)]);
        assert!(!body.contains("Access-Control"), "{body}");
    }
    // A browser without the token is told what to do, in a page.
    let (status, body) = send(&server, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    assert_eq!(status, 401);
    assert!(
        body.contains("open the address <code>metasum serve</code> printed"),
        "{body}"
    );
    // HEAD: the head alone.
    let (status, body) = send(
        &server,
        "HEAD /app.js HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n",
    );
    assert_eq!((status, body.as_str()), (200, ""));
}

#[test]
fn a_client_trickling_its_request_is_dropped_within_the_deadline() {
    let server = start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let started = std::time::Instant::now();
    stream
        .write_all(b"GET /api/overview HTTP/1.1\r\nX-Slow: ")
        .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(1)))
        .unwrap();
    let mut byte = [0u8; 1];
    loop {
        // A byte a second keeps each of the server's reads within its own
        // timeout: only the whole request's deadline ends it.
        if stream.write_all(b"a").is_err() || matches!(stream.read(&mut byte), Ok(0)) {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 45,
            "still connected after 45 s"
        );
    }
    assert!(
        started.elapsed().as_secs() >= 25,
        "dropped early: {:?}",
        started.elapsed()
    );
    assert_eq!(query(&server, "findings limit 1").0, 200);
}

#[test]
fn a_thousand_requests_at_once_and_a_silent_client_leave_it_serving() {
    let server = start();
    // A client that connects and says nothing holds one connection only.
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..1000)
            .map(|_| scope.spawn(|| query(&server, "studies count by country").0))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Answered, told busy, or (a full backlog) not connected: never a
    // wrong answer, never a server gone.
    assert!(
        statuses.iter().all(|s| matches!(s, 0 | 200 | 503)),
        "{statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == 200).count() > 0);
    assert_eq!(query(&server, "findings limit 1").0, 200);
}

/// `--data` copied from `tests/data/` into a folder of its own.
fn review_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_files(
        &crate::util::root().join("tests/data").join(name),
        dir.path(),
    );
    dir
}

/// Every file under `dir` with its bytes.
fn contents(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(contents(&path));
        } else {
            found.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    found.sort();
    found
}

/// A POST of `body` (JSON) to `path` with the token: the status, the
/// headers and the body's bytes.
fn post(server: &super::Server, path: &str, body: &serde_json::Value) -> (u16, String, Vec<u8>) {
    let body = body.to_string();
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{body}",
        server.port,
        server.token,
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, head, answer[end + 4..].to_vec())
}

/// A GET of `path` with the token, its body as JSON.
fn get(server: &super::Server, path: &str) -> serde_json::Value {
    let raw = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nAuthorization: Bearer {{token}}\r\n\r\n"
    );
    let (status, body) = send(server, &raw);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn a_review_keyed_by_author_year_is_served_as_written_and_never_written_to() {
    let review = review_copy("telehealth-review");
    let queries = review.path().join("queries");
    std::fs::create_dir(&queries).unwrap();
    let script = "#!/usr/bin/env -S metasum run\n# The findings most studies share,\n# as a workbook.\nfindings where fes > 50 sort by fes desc save \"strong.xlsx\"\n";
    std::fs::write(queries.join("strong.msq"), script).unwrap();
    let before = contents(review.path());
    let data = review.path().to_str().unwrap();
    let server = super::start_with(&["--data", data]);

    // Ids and FES as the review writes them: T2.2 is in 12 of 14 studies.
    let (status, answer) = query(
        &server,
        "findings where `review question` = Q2 and fes > 40 show id, fes",
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["results"][0]["rows"],
        serde_json::json!([{"id": "T2.2", "fes": 85.7}])
    );
    assert_eq!(
        answer["results"][0]["cells"],
        serde_json::json!([["T2.2", "85.7"]])
    );

    let overview = get(&server, "/api/overview");
    assert!(
        overview["title"]
            .as_str()
            .unwrap()
            .starts_with("Telehealth")
    );
    let rows_of = |name: &str| {
        (overview["tables"].as_array().unwrap().iter())
            .find(|t| t["name"] == name)
            .map(|t| t["rows"].clone())
    };
    assert_eq!(
        (rows_of("findings"), rows_of("studies")),
        (Some(7.into()), Some(14.into()))
    );

    // The review's own script, its title its first comments.
    let scripts = get(&server, "/api/scripts");
    assert_eq!(scripts["scripts"][0]["name"], "strong.msq");
    assert_eq!(
        scripts["scripts"][0]["title"],
        "The findings most studies share, as a workbook."
    );

    // Its result downloaded under the name it saves to, and read back.
    let asked = serde_json::json!({"query": script, "format": "xlsx"});
    let (status, head, bytes) = post(&server, "/api/download", &asked);
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("filename=\"strong.xlsx\""), "{head}");
    let saved = tempfile::tempdir().unwrap();
    let path = saved.path().join("strong.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let first = sheet.rows().nth(1).unwrap();
    assert_eq!(first[0].to_string(), "T2.2", "{first:?}");

    // A figure as PNG and PDF; what a file cannot hold, refused.
    for (format, magic) in [("png", &b"\x89PNG"[..]), ("pdf", b"%PDF"), ("svg", b"<svg")] {
        let asked = serde_json::json!({"query": "plot fes", "format": format});
        let (status, head, bytes) = post(&server, "/api/download", &asked);
        assert_eq!(status, 200, "{format}: {head}");
        assert!(bytes.starts_with(magic), "{format}: {:?}", &bytes[..8]);
    }
    for (query, format) in [
        ("plot fes", "parquet"),
        ("findings", "html"),
        ("findings", "png"),
    ] {
        let asked = serde_json::json!({"query": query, "format": format});
        let (status, _, body) = post(&server, "/api/download", &asked);
        assert_eq!(
            status,
            400,
            "{query} as {format}: {}",
            String::from_utf8_lossy(&body)
        );
    }

    // A worksheet of a finding written T1.2.
    let sheet = get(&server, "/api/worksheet?finding=T1.2");
    assert!(
        sheet["markdown"]
            .as_str()
            .unwrap()
            .starts_with("# Worksheet: finding T1.2")
    );
    assert!(
        sheet["html"]
            .as_str()
            .unwrap()
            .contains("<h1>Worksheet: finding T1.2</h1>")
    );

    drop(server);
    assert!(
        contents(review.path()) == before,
        "the review's folder changed"
    );
}

#[test]
fn statements_that_run_too_long_are_stopped_and_the_server_goes_on() {
    let server = super::start_with(&["--timeout", "1"]);
    // Some 100,000 statements: minutes of work, under the 1 MB bound;
    // as many such requests at once as the server has slots (one per
    // processor, at least two).
    let script = "findings\n".repeat(100_000);
    let slots = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .max(2);
    let started = std::time::Instant::now();
    let answers: Vec<(u16, serde_json::Value)> = std::thread::scope(|scope| {
        let asked: Vec<_> = (0..slots)
            .map(|_| scope.spawn(|| query(&server, &script)))
            .collect();
        asked.into_iter().map(|a| a.join().unwrap()).collect()
    });
    for (status, answer) in &answers {
        assert_eq!(*status, 503, "{answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("longer than 1 s"), "{message}");
    }
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    // The statements after the running ones never start: every slot is
    // free again at once (were they not stopped, this would wait for
    // minutes of statements and be told the server is busy).
    let (status, answer) = query(&server, "findings where fes > 40 show id");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["rows"].as_array().unwrap().len(), 3);
}

#[test]
fn names_of_a_run_that_failed_are_not_kept_and_are_told_so() {
    let server = start();
    let (_, answer) = query(&server, "let strong = findings where fes > 40\nnosuch");
    assert_eq!(answer["results"][0]["bound"], "strong");
    assert_eq!(answer["results"][0]["kept"], false, "{answer}");
    let (_, answer) = query(&server, "strong");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("strong"),
        "{answer}"
    );
    let (_, answer) = query(&server, "let strong = findings where fes > 40");
    assert_eq!(answer["results"][0]["kept"], true, "{answer}");
    // Kept across requests, up to the bound: 99 more names, then one too many.
    let lets: String = (0..99)
        .map(|i| format!("let n{i} = findings limit 1\n"))
        .collect();
    assert!(query(&server, &lets).1["errors"].is_null());
    let (_, answer) = query(&server, "let one_more = findings limit 1");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 100 `let` names"), "{message}");
    // A name already kept can be bound again.
    let (_, answer) = query(&server, "let strong = findings limit 2");
    assert_eq!(answer["results"][0]["kept"], true, "{answer}");
}

#[test]
fn every_address_at_once_is_refused_for_a_named_one() {
    let out = crate::util::run(crate::util::metasum().args(["serve", "--address", "0.0.0.0"]));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("name the one to serve on"),
        "{}",
        out.stderr
    );
}

#[test]
fn errors_count_characters_and_a_megabyte_of_them_is_told_briefly() {
    let server = start();
    let text = "findings where name = \"été\" sort by fess";
    let (status, answer) = query(&server, text);
    assert_eq!(status, 200, "{answer}");
    let error = &answer["errors"][0];
    let at = text.chars().count() - 4;
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(1), Some(at as u64 + 1)),
        "{error}"
    );
    assert_eq!(
        (error["start"].as_u64(), error["end"].as_u64()),
        (Some(at as u64), Some(at as u64 + 4)),
        "{error}"
    );
    // A third of a million errors: the first fifty, and a count.
    let (status, answer) = query(&server, &")\n".repeat(330_000));
    assert_eq!(status, 200, "{answer:.300}");
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 51);
    assert_eq!(errors[50]["message"], "and 329950 more errors");
}

#[test]
fn a_result_before_a_failing_statement_downloads_and_names_are_bounded() {
    let server = start();
    let text = "findings where fes > 40 show id\nnosuch";
    let asked = serde_json::json!({"query": text, "index": 0, "format": "json"});
    let (status, _, body) = post(&server, "/api/download", &asked);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let rows: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(rows, serde_json::json!([{"id": 1}, {"id": 14}, {"id": 23}]));
    for (index, status) in [("1", 400), ("-1", 400), ("\"0\"", 400), ("1.5", 400)] {
        let body = format!(r#"{{"query": "findings", "index": {index}}}"#);
        let asked: serde_json::Value = serde_json::from_str(&body).unwrap();
        let (got, _, answer) = post(&server, "/api/download", &asked);
        assert_eq!(got, status, "{index}: {}", String::from_utf8_lossy(&answer));
    }
    let lets: String = (0..=100)
        .map(|i| format!("let n{i} = findings limit 1\n"))
        .collect();
    let (status, answer) = query(&server, &lets);
    assert_eq!(status, 200);
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 100 `let` names"), "{message}");
}

#[test]
fn completion_reads_the_statement_at_the_caret_and_offers_no_dot_command() {
    let server = start();
    let complete = |text: &str| -> Vec<String> {
        let asked = serde_json::json!({ "text": text });
        let (status, _, body) = post(&server, "/api/complete", &asked);
        assert_eq!(status, 200);
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
        serde_json::from_value(answer["words"].clone()).unwrap()
    };
    assert_eq!(complete("studies\nfi"), ["findings"]);
    // Characters, not bytes, before the word: `start` is where it begins.
    let text = "# café ☕\nfindings where perspective = rec";
    let asked = serde_json::json!({ "text": text });
    let (_, _, body) = post(&server, "/api/complete", &asked);
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        answer["words"],
        serde_json::json!(["recipient", "recommendation"])
    );
    assert_eq!(
        answer["start"].as_u64(),
        Some(text.chars().count() as u64 - 3)
    );
    assert!(complete("studies\n  wh").contains(&"where".to_string()));
    assert!(complete(".").is_empty());
    let asked = serde_json::json!({"text": "findings", "at": 9});
    assert_eq!(post(&server, "/api/complete", &asked).0, 400);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server() {
    let mut server = start();
    let pid = server.child.id() as i32;
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let started = std::time::Instant::now();
    while server.child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed().as_secs() < 10,
            "still serving after Ctrl-C"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err());
}

#[cfg(target_os = "linux")]
#[test]
fn open_opens_the_printed_address_in_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let fake = dir.path().join("xdg-open");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = std::process::Command::new(crate::util::binary());
    command
        .args(["serve", "--port", "0", "--open"])
        .env("PATH", dir.path());
    let server = super::start_command(command);
    let started = std::time::Instant::now();
    while !opened.exists() {
        assert!(started.elapsed().as_secs() < 10, "no browser opened");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let url = std::fs::read_to_string(&opened).unwrap();
    let printed = format!("http://127.0.0.1:{}/?token={}", server.port, server.token);
    assert_eq!(url.trim(), printed);
}

#[test]
fn a_dot_command_is_refused_where_it_stands() {
    let server = start();
    let (status, answer) = query(&server, "findings limit 1\n.output x.csv\nstudies");
    assert_eq!(status, 200);
    assert_eq!(answer["results"], serde_json::json!([]), "{answer}");
    let error = &answer["errors"][0];
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(2), Some(1)),
        "{error}"
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("`.output` is a command of the shell")
    );
}
