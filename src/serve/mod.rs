//! `metasum serve`: the review kept loaded behind a local HTTP server, for
//! reviewers who do not live in a terminal (the page, `page.rs`) and for R
//! and Python (the JSON API, `api.rs`). Safe by default: bound to the
//! loopback address (another only when named, with a warning), every
//! request needs the one-time token (`Authorization: Bearer`, the
//! `metasum_token_PORT` cookie the first visit sets, or `?token=`), the `Host`
//! must be the server's own (no DNS rebinding), a request from another
//! page's origin is refused, no CORS header is ever sent, requests are
//! bounded (`http.rs`), statements that run too long are stopped
//! (`run.rs`), and at most [`MAX_CONNECTIONS`] are served at once (the
//! rest told 503 at once). Read-only: no statement writes into the dataset.

mod api;
mod http;
mod page;
mod run;
mod scripts;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metasum_engine::Session;

use crate::repl::helper::MetasumHelper;
use http::{Request, Response, Unread};

/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 64;

/// The name of the cookie that carries the token after the first visit,
/// before the port: browsers keep cookies by host, not port, so each
/// server (two reviews served at once, a restart on another port) needs
/// its own.
const COOKIE: &str = "metasum_token_";

/// How `metasum serve` was asked to serve.
pub struct Options {
    /// The address to bind (`None`: 127.0.0.1).
    pub address: Option<IpAddr>,
    /// The port (0: any free one).
    pub port: u16,
    /// Whether to open the page in the default browser.
    pub open: bool,
    /// The folder of saved scripts (`None`: the seed's own).
    pub scripts: Option<PathBuf>,
    /// Whether `--scripts` named the folder (then it must exist).
    pub scripts_named: bool,
    /// How long a request's statements may run.
    pub timeout: Duration,
    /// How downloaded files are written (`--raw`, `--dpi`).
    pub files: metasum_engine::format::Options,
}

/// What every connection shares.
struct Shared {
    /// The session `let` names are kept in; each request runs on a clone.
    session: Mutex<Session>,
    /// Completion's words: tables, columns, values, the `let` names.
    helper: Mutex<MetasumHelper>,
    token: String,
    /// The name of the cookie that carries the token: [`COOKIE`] and the
    /// port.
    cookie: String,
    /// `ADDRESS:PORT` (and `localhost:PORT` on loopback): the Hosts the
    /// server is.
    hosts: Vec<String>,
    active: AtomicUsize,
    /// The threads that do requests' work, at most one per processor.
    slots: Arc<run::Slots>,
    timeout: Duration,
    scripts: Option<PathBuf>,
    files: metasum_engine::format::Options,
    /// What `check` says of the review, worked out once (the review never
    /// changes while served).
    check: std::sync::OnceLock<serde_json::Value>,
}

/// A token of 32 random bytes, as hex.
fn token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The address to bind, or why not: an unspecified address (`0.0.0.0`)
/// cannot be checked against the `Host` a browser sends.
fn address(options: &Options) -> Result<IpAddr, String> {
    match options.address {
        None => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        Some(a) if a.is_unspecified() => Err(format!(
            "--address {a} is every address of this machine; name the one to serve on (the page checks that requests name it)"
        )),
        Some(a) => Ok(a),
    }
}

/// The Hosts a request may name for a server on `bound`.
fn hosts(bound: SocketAddr) -> Vec<String> {
    let port = bound.port();
    let mut hosts = vec![bound.to_string()];
    if bound.ip().is_loopback() {
        hosts.extend([format!("127.0.0.1:{port}"), format!("localhost:{port}")]);
    }
    hosts.dedup();
    hosts
}

/// Serves `session` as `options` say, until the process is stopped.
pub fn serve(session: Session, options: &Options) -> ExitCode {
    let ip = match address(options) {
        Ok(ip) => ip,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((ip, options.port)) {
        Ok(l) => l,
        Err(e) => {
            let at = SocketAddr::new(ip, options.port);
            eprintln!("error: cannot serve on {at}: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(dir) = options
        .scripts
        .as_ref()
        .filter(|d| options.scripts_named && !d.is_dir())
    {
        eprintln!("error: --scripts {}: no such folder", dir.display());
        return ExitCode::from(2);
    }
    let (Ok(bound), Ok(token)) = (listener.local_addr(), token()) else {
        eprintln!("error: cannot start the server");
        return ExitCode::from(1);
    };
    let shared = Arc::new(Shared {
        helper: Mutex::new(MetasumHelper::new(&session)),
        session: Mutex::new(session),
        token,
        cookie: format!("{COOKIE}{}", bound.port()),
        hosts: hosts(bound),
        active: AtomicUsize::new(0),
        slots: Arc::new(run::Slots::new()),
        timeout: options.timeout,
        scripts: options.scripts.clone(),
        files: options.files,
        check: std::sync::OnceLock::new(),
    });
    let url = format!("http://{}/?token={}", shared.hosts[0], shared.token);
    println!("{url}");
    if !ip.is_loopback() {
        eprintln!(
            "warning: serving on {ip}: anyone on the network who has the address above can read the review"
        );
    }
    eprintln!(
        "metasum serves the review at the address above (only to this machine unless --address said otherwise); Ctrl-C stops it"
    );
    if options.open {
        open_browser(&url);
    }
    accept(&listener, &shared);
    ExitCode::SUCCESS
}

/// Serves each connection on a thread of its own, at most
/// [`MAX_CONNECTIONS`] at once.
fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors, say: wait for connections to end
            // rather than spin.
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        let Some(slot) = Slot::take(shared) else {
            http::write(&mut stream, &Response::error(503, "busy: try again"), false);
            continue;
        };
        let _ = std::thread::Builder::new().spawn(move || {
            connection(&slot.0, &mut stream);
        });
    }
}

/// One of the [`MAX_CONNECTIONS`] connections served at once, given back
/// when dropped (also when its thread panics, or never starts).
struct Slot(Arc<Shared>);

impl Slot {
    fn take(shared: &Arc<Shared>) -> Option<Slot> {
        if shared.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.active.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(Arc::clone(shared)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens `url` in the default browser, telling (not failing) when it
/// cannot.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        // `start`'s first quoted argument is a window title.
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    let opened = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("note: could not open a browser; open the address above in one");
    }
}

/// One request on `stream`, answered.
fn connection(shared: &Shared, stream: &mut TcpStream) {
    let (response, head_only) = match http::read(stream) {
        Ok(request) => (answer(shared, &request), request.method == "HEAD"),
        Err(Unread::Status(status, why)) => (Response::error(status, why), false),
        Err(Unread::Gone) => return,
    };
    http::write(stream, &response, head_only);
}

/// Whether `given` is the token, compared in time independent of where
/// they differ.
fn is_token(shared: &Shared, given: &str) -> bool {
    let (a, b) = (shared.token.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The token a request carries that is this server's, and whether it
/// came in the address (a first visit, answered with the cookie). Every
/// place is tried: a stale cookie must not hide a good token.
fn carried<'a>(shared: &Shared, request: &'a Request) -> Option<(&'a str, bool)> {
    let bearer = (request.headers_named("authorization"))
        .filter_map(|a| a.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let cookies = (request.headers_named("cookie"))
        .flat_map(|c| c.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(name, _)| *name == shared.cookie)
        .map(|(_, token)| token);
    let in_address = request.param("token").map(|t| (t, true));
    (in_address.into_iter())
        .chain(bearer.chain(cookies).map(|t| (t, false)))
        .find(|(t, _)| is_token(shared, t))
}

/// The answer to `request`: refused unless it is for this server, from
/// no other page, with the token.
fn answer(shared: &Shared, request: &Request) -> Response {
    let host = request.header("host").unwrap_or("");
    if !shared.hosts.iter().any(|h| h == host) {
        return Response::error(
            421,
            "this server answers only to its own address (as it printed it, and its port)",
        );
    }
    if let Some(origin) = request.header("origin")
        && !shared.hosts.iter().any(|h| origin == format!("http://{h}"))
    {
        return Response::error(403, "a request from another page's origin");
    }
    let Some((token, in_address)) = carried(shared, request) else {
        let why = "this server needs the token it printed when it started";
        if request.path.starts_with("/api/") {
            return Response::error(401, why);
        }
        // A person at a bookmark, or after a restart: told in words.
        return page::refused(why);
    };
    let page = matches!(request.method.as_str(), "GET" | "HEAD");
    if in_address && page && request.path == "/" {
        // The first visit: the token moves into a cookie, and out of the
        // address bar (and the history) by a redirect.
        let cookie = format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict",
            shared.cookie
        );
        return Response::redirect("/").with_header("Set-Cookie", cookie);
    }
    if request.path.starts_with("/api/") {
        api::route(shared, request)
    } else {
        page::route(shared, request)
    }
}
