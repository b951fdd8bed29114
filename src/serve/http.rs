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
    /// The header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query parameter `name`, as sent (not decoded: tokens are hex).
    pub fn param(&self, name: &str) -> Option<&str> {
        (self.query.split('&')).find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }
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
    /// An answer (400, 413, 431).
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
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err(Unread::Status(431, "the request's headers are too large"));
        }
    };
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buffer[..head_len]) {
        Ok(httparse::Status::Complete(_)) => {}
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
    let length: usize = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| Unread::Status(400, "a Content-Length that is not a number"))?,
    };
    if length > MAX_BODY {
        return Err(Unread::Status(413, "the request is larger than 1 MB"));
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
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes `response` and closes: no CORS header is ever sent, and no
/// page may be framed or run a script from elsewhere.
pub fn write(stream: &mut TcpStream, response: &Response) {
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
    let _ = stream.write_all(&response.body);
    let _ = stream.flush();
}
