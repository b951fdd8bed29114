//! Headless Chromium driven through the DevTools protocol (a WebSocket),
//! as a person uses a page: it types into a field, presses keys, clicks
//! at an element's place with the mouse, and downloads files; the test
//! reads what the page shows and what it logged and requested.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long any wait for the browser may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium with one page, stopped when dropped.
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next: u64,
    /// Every event the browser sent, in order.
    pub events: Vec<Value>,
    /// Where downloads go.
    pub downloads: PathBuf,
    /// The downloads already handed to the test.
    seen: Vec<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts `chromium` with a profile of its own and opens a blank page,
    /// its console, log, network and downloads watched.
    pub fn launch(chromium: &Path) -> Browser {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("profile");
        let child = crate::browser::chromium(chromium, dir.path())
            .args(["--window-size=1280,900", "--remote-debugging-port=0"])
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Chromium writes its port and the browser's socket path here.
        let active = profile.join("DevToolsActivePort");
        let started = Instant::now();
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&active)
                && let Some((port, path)) = text.split_once('\n')
                && !path.trim().is_empty()
            {
                break (port.trim().to_string(), path.trim().to_string());
            }
            assert!(started.elapsed() < PATIENCE, "chromium did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (socket, _) = tungstenite::client(url.as_str(), stream).unwrap();
        let downloads = dir.path().join("downloads");
        std::fs::create_dir(&downloads).unwrap();
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next: 0,
            events: Vec::new(),
            downloads,
            seen: Vec::new(),
            _dir: dir,
        };
        let target = browser.browser_call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Runtime", "Log", "Network", "Page"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        let downloads = browser.downloads.display().to_string();
        browser.browser_call(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads}),
        );
        browser
    }

    fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = Value::String(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap();
        loop {
            let text = match self.socket.read().unwrap() {
                Message::Text(text) => text.to_string(),
                _ => continue,
            };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"].as_u64() == Some(id) {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
            self.events.push(value);
        }
    }

    /// A call to the browser itself.
    fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
    }

    /// A call to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(session))
    }

    /// The value of a JavaScript expression in the page (a promise
    /// awaited); a thrown error fails the test.
    pub fn eval(&mut self, expression: &str) -> Value {
        let answer = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            answer.get("exceptionDetails").is_none(),
            "{expression}: {answer}"
        );
        answer["result"]["value"].clone()
    }

    /// Waits until `expression` is true (or a value other than false,
    /// null, 0 or ""), and gives its value.
    pub fn wait_for(&mut self, expression: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.eval(expression);
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "waited in vain for {expression}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Goes to `url` and waits until the page has loaded.
    pub fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'");
    }

    /// Clicks the middle of the element `selector` names, with the mouse.
    pub fn click(&mut self, selector: &str) {
        let place = self.wait_for(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = (place[0].as_f64().unwrap(), place[1].as_f64().unwrap());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Types `text` where the focus is, as a keyboard would.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({ "text": text }));
    }

    /// Presses `key` (a DOM key name: `Enter`, `Tab`) with `modifiers`
    /// (2: Ctrl).
    pub fn press(&mut self, key: &str, modifiers: u32) {
        let code = match key {
            "Enter" => 13,
            "Tab" => 9,
            "ArrowUp" => 38,
            "ArrowDown" => 40,
            _ => 0,
        };
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                       "modifiers": modifiers}),
            );
        }
    }

    /// What the page logged as an error: exceptions, `console.error`,
    /// and the browser's own log (a refused script or style, a failed
    /// request).
    pub fn errors(&self) -> Vec<String> {
        (self.events.iter())
            .filter_map(|e| {
                let p = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.exceptionThrown" => Some(p["exceptionDetails"].to_string()),
                    "Runtime.consoleAPICalled" if p["type"] == "error" => Some(p.to_string()),
                    "Log.entryAdded" if p["entry"]["level"] == "error" => {
                        Some(p["entry"].to_string())
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The address of every request the page made.
    pub fn requests(&self) -> Vec<String> {
        (self.events.iter())
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_string))
            .collect()
    }

    /// Waits for the next file a download puts in [`Browser::downloads`].
    pub fn downloaded(&mut self) -> PathBuf {
        let started = Instant::now();
        loop {
            let done: Vec<PathBuf> = (std::fs::read_dir(&self.downloads).unwrap())
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_none_or(|e| e != "crdownload"))
                .filter(|p| !self.seen.contains(p))
                .collect();
            if let [one] = done.as_slice() {
                self.seen.push(one.clone());
                return one.clone();
            }
            assert!(started.elapsed() < PATIENCE, "no download: {done:?}");
            // Keep reading events meanwhile: the page may log.
            self.eval("1");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The page as a PNG.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine as _;
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": false}),
        );
        let data = shot["data"].as_str().unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap()
    }
}
