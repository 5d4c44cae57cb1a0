//! Headless Chromium driven over the DevTools protocol: a WebSocket
//! client of a hundred lines (RFC 6455, text frames, client masking) is
//! all it takes, so no browser-automation crate is needed.
//!
//! Only one Chromium runs at a time (a process-wide lock): the machine has
//! two cores and several test binaries.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The Chromium binary on PATH, if any.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A running headless Chromium and a DevTools session on its first page.
pub struct Browser {
    child: Child,
    ws: TcpStream,
    next_id: u64,
    /// Events received while waiting for answers, in order.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
    _lock: MutexGuard<'static, ()>,
}

impl Browser {
    pub fn start(bin: &Path) -> Browser {
        let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--hide-scrollbars",
                "--window-size=1200,900",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if !sent && let Some(k) = line.find("ws://") {
                    let _ = tx.send(line[k..].trim().to_owned());
                    sent = true;
                }
            }
        });
        let browser_ws = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium printed its DevTools address");
        let port: u16 = browser_ws["ws://127.0.0.1:".len()..]
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("DevTools port");
        // The page target's own socket.
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        let page_ws = loop {
            let body = json_list(addr);
            let list: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let found = list.as_array().and_then(|a| {
                a.iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_owned))
            });
            if let Some(u) = found {
                break u;
            }
            assert!(
                Instant::now() < deadline,
                "no page target: {}",
                String::from_utf8_lossy(&body)
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let path = &page_ws[page_ws.find("/devtools").expect("path")..];
        let ws = handshake(addr, path);
        // No answer in two minutes is a failure, not a hang.
        ws.set_read_timeout(Some(Duration::from_secs(120)))
            .expect("read timeout");
        let mut b = Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
            _lock: lock,
        };
        b.call("Page.enable", json!({}));
        b.call("Runtime.enable", json!({}));
        b.call("Log.enable", json!({}));
        b
    }

    /// Sends one command and returns its `result` (panics on an error).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        send_text(&mut self.ws, msg.as_bytes());
        loop {
            let v: Value = serde_json::from_slice(&read_message(&mut self.ws)).expect("JSON");
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    /// Waits for an event named `method` not seen yet (or already
    /// received since the last wait) and returns it.
    pub fn wait_event(&mut self, method: &str, timeout: Duration) -> Value {
        if let Some(k) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(k);
        }
        self.ws
            .set_read_timeout(Some(timeout))
            .expect("read timeout");
        loop {
            let v: Value = serde_json::from_slice(&read_message(&mut self.ws)).expect("JSON");
            if v["method"] == method {
                self.ws
                    .set_read_timeout(Some(Duration::from_secs(120)))
                    .expect("read timeout");
                return v;
            }
            self.events.push(v);
        }
    }

    /// Forgets a pending page-load event, so the next wait sees a new one.
    fn forget(&mut self, method: &str) {
        self.events.retain(|e| e["method"] != method);
    }

    /// Opens `url` and waits until it has loaded.
    pub fn goto(&mut self, url: &str) {
        self.forget("Page.loadEventFired");
        let r = self.call("Page.navigate", json!({ "url": url }));
        assert!(r.get("errorText").is_none(), "navigate {url}: {r}");
        self.wait_event("Page.loadEventFired", Duration::from_secs(60));
    }

    /// Runs `expr` in the page (DevTools evaluation: not subject to the
    /// page's Content-Security-Policy) and returns its value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true }),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Runs `expr`, which makes the page navigate (a click, a form
    /// submission), and waits for the new page.
    pub fn eval_and_wait(&mut self, expr: &str) {
        self.forget("Page.loadEventFired");
        self.eval(expr);
        self.wait_event("Page.loadEventFired", Duration::from_secs(60));
    }

    /// The page's URL.
    pub fn url(&mut self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A PNG screenshot of the page, saved to `path`.
    pub fn screenshot(&mut self, path: &Path) {
        let r = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        let png = base64_decode(r["data"].as_str().expect("data"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /json/list` of the DevTools server, read up to its
/// Content-Length (the server keeps the connection open).
fn json_list(addr: std::net::SocketAddr) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connect DevTools");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(b"GET /json/list HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return buf[end + 4..end + 4 + len].to_vec();
            }
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return Vec::new(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn handshake(addr: std::net::SocketAddr, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).expect("connect DevTools");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: bHBsLXdlYi10ZXN0LWtleQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n",
        addr.port()
    );
    s.write_all(req.as_bytes()).expect("handshake");
    // Read the answer's head byte by byte: frames may follow at once.
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).expect("handshake answer");
        head.push(b[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    s
}

/// One masked, final text frame.
fn send_text(s: &mut TcpStream, payload: &[u8]) {
    let mut f = vec![0x81u8];
    let n = payload.len();
    if n < 126 {
        f.push(0x80 | n as u8);
    } else if n < 65536 {
        f.push(0x80 | 126);
        f.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        f.push(0x80 | 127);
        f.extend_from_slice(&(n as u64).to_be_bytes());
    }
    let mask = [0x6c, 0x70, 0x6c, 0x21];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    s.write_all(&f).expect("send frame");
}

/// One whole message (continuation frames joined; pings answered).
fn read_message(s: &mut TcpStream) -> Vec<u8> {
    let mut msg = Vec::new();
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h)
            .expect("frame head (DevTools answer in time)");
        let (fin, op) = (h[0] & 0x80 != 0, h[0] & 0x0f);
        let mut n = u64::from(h[1] & 0x7f);
        if n == 126 {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).expect("len");
            n = u64::from(u16::from_be_bytes(b));
        } else if n == 127 {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).expect("len");
            n = u64::from_be_bytes(b);
        }
        let mut payload = vec![0u8; usize::try_from(n).expect("size")];
        s.read_exact(&mut payload).expect("payload");
        match op {
            0x9 => {
                // ping: answer with a pong carrying the same bytes
                let mut f = vec![0x8a, 0x80 | payload.len() as u8, 0, 0, 0, 0];
                f.extend_from_slice(&payload);
                s.write_all(&f).expect("pong");
            }
            0x8 => panic!("DevTools closed the connection"),
            0xA => {}
            _ => {
                msg.extend_from_slice(&payload);
                if fin {
                    return msg;
                }
            }
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("base64 {c}"),
        }
    };
    let b: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(b.len() * 3 / 4);
    for chunk in b.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("YWJj"), b"abc");
}
