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
    let get = |headers: &str| format!("GET /api/tables HTTP/1.1\r\n{headers}\r\n\r\n");
    for (raw, status) in [
        (get("Host: 127.0.0.1:{port}"), 401),
        (get("Host: 127.0.0.1:{port}\r\nAuthorization: Bearer wrong"), 401),
        (get("Host: 127.0.0.1:{port}\r\nCookie: metasum_token=00{token}"), 401),
        (get("Host: evil.example:{port}\r\nAuthorization: Bearer {token}"), 421),
        (get("Host: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\nAuthorization: Bearer {token}"), 403),
        ("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Length: 2000000\r\n\r\n".to_string(), 413),
        ("not http at all\r\n\r\n".to_string(), 400),
        (get("Host: localhost:{port}\r\nCookie: a=b; metasum_token={token}"), 200),
    ] {
        let (got, body) = send(&server, &raw);
        assert_eq!(got, status, "{raw}: {body}");
        assert!(!body.contains("Access-Control"), "{body}");
    }
}

#[test]
fn a_client_trickling_its_request_is_dropped_within_the_deadline() {
    let server = start();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let started = std::time::Instant::now();
    stream
        .write_all(b"GET /api/tables HTTP/1.1\r\nX-Slow: ")
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
fn many_requests_at_once_and_a_silent_client_leave_it_serving() {
    let server = start();
    // A client that connects and says nothing holds one connection only.
    let _silent = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..200)
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
