//! The little HTTP/1.1 a local server needs: one request read from a
//! connection within bounds (its head at most [`MAX_HEAD`] bytes, its body
//! at most [`MAX_BODY`], each read within [`READ_TIMEOUT`] and the whole
//! within [`REQUEST_DEADLINE`]: a slow or endless client costs a thread
//! for seconds, never memory), parsed by
//! httparse, and one response written; every connection closed after it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The most bytes of a request's line and headers.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most bytes of a request's body (a query or script).
pub const MAX_BODY: usize = 1024 * 1024;
/// Why a body over [`MAX_BODY`] is refused.
pub const TOO_LARGE: &str = "the request is larger than 1 MB";
const _: () = assert!(MAX_BODY == 1 << 20, "TOO_LARGE names the bound");

/// How long a read may wait for the client.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take to arrive: a client trickling a byte
/// at a time holds its connection no longer.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// How long writing the answer may wait for a client that does not read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a page may load and run unless its response says otherwise: its
/// own scripts and styles only (no inline script, nothing remote),
/// figures as `data:` images, requests only to this server, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A request as the server reads it.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The query string (after `?`), as sent.
    pub query: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The header `name` (lower case), if sent (the first, if sent twice).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers_named(name).next()
    }

    /// Every header `name` (lower case) sent, in order.
    pub fn headers_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        let name = name.to_string();
        (self.headers.iter())
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query parameter `name`, decoded ([`percent_decoded`]).
    pub fn param_text(&self, name: &str) -> Option<String> {
        self.param(name).map(percent_decoded)
    }

    /// The query parameter `name`, as sent (not decoded: tokens are hex).
    pub fn param(&self, name: &str) -> Option<&str> {
        (self.query.split('&')).find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }
}

/// `%XX` and `+` in a query parameter decoded (invalid UTF-8 replaced).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes.get(i + 1..i + 3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response: its status, content type, extra headers and body.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: "application/json; charset=utf-8",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    /// A JSON error: `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Response {
        let body = serde_json::json!({ "error": message }).to_string();
        Response::json(status, body)
    }

    /// A 200 response of `body` as `content_type`.
    pub fn ok(content_type: &'static str, body: Vec<u8>) -> Response {
        Response {
            status: 200,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    /// A redirect (303) to `location` on this server.
    pub fn redirect(location: &str) -> Response {
        Response::ok("text/plain; charset=utf-8", Vec::new())
            .with_status(303)
            .with_header("Location", location.to_string())
    }

    /// The response with another status.
    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// The response with the header `name: value` besides.
    pub fn with_header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }
}

/// Why no request could be read; the status to answer with, if any.
#[derive(Debug)]
pub enum Unread {
    /// The client went away or was too slow: no answer.
    Gone,
    /// An answer (400, 413, 431, 501).
    Status(u16, &'static str),
}

/// Reads one request from `stream`.
pub fn read(stream: &mut TcpStream) -> Result<Request, Unread> {
    let deadline = std::time::Instant::now() + REQUEST_DEADLINE;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head_len = loop {
        let n = read_before(stream, &mut chunk, deadline)?;
        if n == 0 {
            return Err(Unread::Gone);
        }
        // Searched from just before the new bytes: a client sending a
        // byte at a time costs no rescans.
        let from = buffer.len().saturating_sub(3);
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&buffer[from..]) {
            break from + end;
        }
        if buffer.len() > MAX_HEAD {
            return Err(Unread::Status(431, "the request's headers are too large"));
        }
    };
    if head_len > MAX_HEAD {
        return Err(Unread::Status(431, "the request's headers are too large"));
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buffer[..head_len]) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Unread::Status(431, "the request has too many headers"));
        }
        _ => return Err(Unread::Status(400, "not an HTTP request")),
    }
    let target = parsed.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers: Vec<(String, String)> = (parsed.headers.iter())
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let mut request = Request {
        method: parsed.method.unwrap_or("").to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: buffer[head_len..].to_vec(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err(Unread::Status(
            501,
            "a body in chunks is not read: send its Content-Length",
        ));
    }
    let length = content_length(&request)?;
    if length > MAX_BODY {
        return Err(Unread::Status(413, TOO_LARGE));
    }
    while request.body.len() < length {
        let n = read_before(stream, &mut chunk, deadline)?;
        if n == 0 {
            return Err(Unread::Gone);
        }
        request.body.extend_from_slice(&chunk[..n]);
    }
    request.body.truncate(length);
    Ok(request)
}

/// The most headers a request may have.
pub const MAX_HEADERS: usize = 64;

/// Where a request's head ends (after its blank line; lines may end in
/// CRLF or, as some clients send, LF alone), if it has arrived.
fn head_end(buffer: &[u8]) -> Option<usize> {
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The body's length: every `Content-Length` header the same number of
/// digits alone (a request that says two lengths could be read two ways),
/// 0 without one.
fn content_length(request: &Request) -> Result<usize, Unread> {
    let mut lengths = (request.headers.iter())
        .filter(|(name, _)| name == "content-length")
        .map(|(_, value)| value.trim());
    let Some(first) = lengths.next() else {
        return Ok(0);
    };
    if lengths.any(|other| other != first) {
        return Err(Unread::Status(400, "two different Content-Lengths"));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Unread::Status(400, "a Content-Length that is not a number"));
    }
    // Too many digits to be a length this server would read.
    Ok(first.parse().unwrap_or(usize::MAX))
}

/// One read into `chunk`, waiting at most [`READ_TIMEOUT`] and never past
/// `deadline`.
fn read_before(
    stream: &mut TcpStream,
    chunk: &mut [u8],
    deadline: std::time::Instant,
) -> Result<usize, Unread> {
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    if left.is_zero() {
        return Err(Unread::Gone);
    }
    let wait = left.min(READ_TIMEOUT);
    stream
        .set_read_timeout(Some(wait))
        .map_err(|_| Unread::Gone)?;
    stream.read(chunk).map_err(|_| Unread::Gone)
}

/// The reason phrase of `status`.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes `response` (its head alone for a `HEAD` request: `head_only`)
/// and closes: no CORS header is ever sent, and no page may be framed or
/// run a script from elsewhere.
pub fn write(stream: &mut TcpStream, response: &Response, head_only: bool) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    if !(response.headers.iter()).any(|(name, _)| *name == "Content-Security-Policy") {
        head.push_str(&format!("Content-Security-Policy: {CSP}\r\n"));
    }
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(&response.body);
    }
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_percent_decoded() {
        assert_eq!(percent_decoded("T1.2"), "T1.2");
        assert_eq!(percent_decoded("Smith%202019+b"), "Smith 2019 b");
        assert_eq!(percent_decoded("%C3%A9t%C3%A9"), "été");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%FF"), "%zz\u{fffd}");
    }

    #[test]
    fn a_head_ends_at_its_blank_line_whatever_its_line_ends() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: a\n\nbody"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn a_length_is_digits_alone_and_said_once() {
        let request = |lengths: &[&str]| Request {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: (lengths.iter())
                .map(|l| ("content-length".to_string(), l.to_string()))
                .collect(),
            body: Vec::new(),
        };
        assert_eq!(content_length(&request(&[])).ok(), Some(0));
        assert_eq!(content_length(&request(&["27", " 27"])).ok(), Some(27));
        for bad in [&["+27"][..], &["27", "2"], &["-1"], &[""], &["0x10"]] {
            assert!(content_length(&request(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            content_length(&request(&["99999999999999999999999"])).ok(),
            Some(usize::MAX)
        );
    }
}
