//! `metasum serve` end to end: the JSON API as R or Python reaches it
//! (`api`), and the page in a real browser (`page`, driven through
//! `cdp`). Each test starts its own server on a free port.

mod api;
mod cdp;
mod page;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server of the embedded review.
pub fn start() -> Server {
    start_with(&[])
}

/// A server started with `args` after `serve --port 0`.
pub fn start_with(args: &[&str]) -> Server {
    let mut command = std::process::Command::new(crate::util::binary());
    command.args(["serve", "--port", "0"]).args(args);
    start_command(command)
}

/// A server started by `command`, once it has printed its address.
pub fn start_command(mut command: std::process::Command) -> Server {
    command
        .env_remove("METASUM_DATA")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Wine now and then fails a spawn with ERROR_INTERNAL_ERROR (1359)
    // that succeeds when tried again (seen once in 580 tests under Wine
    // 8); Windows itself does not.
    let mut spawned = command.spawn();
    for _ in 0..3 {
        match &spawned {
            Err(e) if cfg!(windows) && e.raw_os_error() == Some(1359) => {
                std::thread::sleep(std::time::Duration::from_millis(200));
                spawned = command.spawn();
            }
            _ => break,
        }
    }
    let mut child = spawned.unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let url = String::from_utf8(line).unwrap();
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{url}"));
    let (port, token) = rest.split_once("/?token=").unwrap();
    Server {
        child,
        port: port.parse().unwrap(),
        token: token.to_string(),
    }
}

/// Sends `raw` (with `{port}` and `{token}` filled) and returns the status
/// and body; status 0 when the connection failed (a full backlog).
pub fn send(server: &Server, raw: &str) -> (u16, String) {
    let raw = raw
        .replace("{port}", &server.port.to_string())
        .replace("{token}", &server.token);
    let mut answer = String::new();
    let sent = TcpStream::connect(("127.0.0.1", server.port)).and_then(|mut stream| {
        stream.write_all(raw.as_bytes())?;
        stream.read_to_string(&mut answer)
    });
    if sent.is_err() {
        return (0, String::new());
    }
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// A POST of `query` to /api/query with the token.
pub fn query(server: &Server, query: &str) -> (u16, serde_json::Value) {
    let body = serde_json::json!({ "query": query }).to_string();
    let raw = format!(
        "POST /api/query HTTP/1.1\r\nHost: 127.0.0.1:{{port}}\r\nAuthorization: Bearer {{token}}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = send(server, &raw);
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}
