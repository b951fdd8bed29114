//! `metasum serve`: the review kept loaded behind a local HTTP server, for
//! reviewers who do not live in a terminal and for R and Python (the JSON
//! API). Safe by default: bound to the loopback address, every request
//! needs the one-time token (`Authorization: Bearer`, the `metasum_token`
//! cookie, or `?token=`), the `Host` must be the server's own (no DNS
//! rebinding), a request from another page's origin is refused, no CORS
//! header is ever sent, requests are bounded (`http.rs`), and at most
//! [`MAX_CONNECTIONS`] are served at once (the rest told 503 at once).
//! Read-only: no statement writes into the dataset.

mod api;
mod http;

use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use metasum_engine::Session;

use http::{Request, Response, Unread};

/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 64;

/// What every connection shares.
struct Shared {
    session: Mutex<Session>,
    token: String,
    /// `127.0.0.1:PORT` and `localhost:PORT`: the Hosts the server is.
    hosts: [String; 2],
    active: AtomicUsize,
}

/// A token of 32 random bytes, as hex.
fn token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serves `session` on the loopback address, port `port` (0: any free),
/// until the process is stopped.
pub fn serve(session: Session, port: u16) -> ExitCode {
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot serve on 127.0.0.1:{port}: {e}");
            return ExitCode::from(1);
        }
    };
    let (Ok(address), Ok(token)) = (listener.local_addr(), token()) else {
        eprintln!("error: cannot start the server");
        return ExitCode::from(1);
    };
    let port = address.port();
    let shared = Arc::new(Shared {
        session: Mutex::new(session),
        token,
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        active: AtomicUsize::new(0),
    });
    println!("http://127.0.0.1:{port}/?token={}", shared.token);
    eprintln!(
        "metasum serves the review at the address above (only to this machine); Ctrl-C stops it"
    );
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if shared.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            http::write(&mut stream, &Response::error(503, "busy: try again"));
            continue;
        }
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            connection(&shared, &mut stream);
            shared.active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    ExitCode::SUCCESS
}

/// One request on `stream`, answered.
fn connection(shared: &Shared, stream: &mut TcpStream) {
    let response = match http::read(stream) {
        Ok(request) => answer(shared, &request),
        Err(Unread::Status(status, why)) => Response::error(status, why),
        Err(Unread::Gone) => return,
    };
    http::write(stream, &response);
}

/// Whether `given` is the token, compared in time independent of where
/// they differ.
fn is_token(shared: &Shared, given: &str) -> bool {
    let (a, b) = (shared.token.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The token a request carries, if any.
fn carried(request: &Request) -> Option<&str> {
    let bearer = request
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    let cookie = request.header("cookie").and_then(|c| {
        c.split(';')
            .find_map(|kv| kv.trim().strip_prefix("metasum_token="))
    });
    bearer.or(cookie).or(request.param("token"))
}

/// The answer to `request`: refused unless it is for this server, from
/// no other page, with the token.
fn answer(shared: &Shared, request: &Request) -> Response {
    let host = request.header("host").unwrap_or("");
    if !shared.hosts.iter().any(|h| h == host) {
        return Response::error(
            421,
            "this server answers only to its own address (127.0.0.1 or localhost and its port)",
        );
    }
    if let Some(origin) = request.header("origin")
        && !shared.hosts.iter().any(|h| origin == format!("http://{h}"))
    {
        return Response::error(403, "a request from another page's origin");
    }
    if !carried(request).is_some_and(|t| is_token(shared, t)) {
        return Response::error(
            401,
            "this server needs the token it printed when it started",
        );
    }
    api::route(&shared.session, request)
}
