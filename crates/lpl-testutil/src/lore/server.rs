//! A lore look-alike on 127.0.0.1: thread mboxes, `/raw`, search, redirects,
//! 404s, bad answers, grokmirror manifests, and git smart HTTP through the
//! real `git http-backend`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::fixture::{Msg, gzip, mboxrd};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub user_agent: String,
    pub at: Instant,
}

/// What the server knows and has seen (tests change it as they go).
#[derive(Default)]
pub struct State {
    /// Messages lore knows (tests add and remove).
    pub messages: Vec<Msg>,
    /// Requests served.
    pub seen: Vec<Seen>,
    /// Directory holding `LIST/git/N.git` for git http-backend.
    pub git_root: Option<PathBuf>,
    /// Lists whose manifest.js.gz is served (others: 404, so clients probe).
    pub manifests: Vec<String>,
}

pub struct Server {
    pub base: String,
    pub state: Arc<Mutex<State>>,
    pub flaky: Arc<AtomicU32>,
}

impl Server {
    pub fn start(messages: Vec<Msg>) -> Server {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", l.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            messages,
            ..Default::default()
        }));
        let flaky = Arc::new(AtomicU32::new(0));
        let (st, fl) = (state.clone(), flaky.clone());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                let (st, fl) = (st.clone(), fl.clone());
                std::thread::spawn(move || {
                    let _ = handle(s, &st, &fl);
                });
            }
        });
        Server { base, state, flaky }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("lock").seen.clone()
    }
}

struct Req {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_req(s: &TcpStream) -> std::io::Result<Req> {
    let mut r = BufReader::new(s.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let mut body = Vec::new();
    if let Some(n) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if n == 0 {
                let mut end = String::new();
                r.read_line(&mut end)?;
                break;
            }
            let mut chunk = vec![0; n];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf)?;
        }
    }
    Ok(Req {
        method,
        target,
        headers,
        body,
    })
}

fn respond(
    mut s: &TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    s.flush()
}

pub fn pct_decode(s: &str) -> String {
    decode(s, false)
}

fn form_decode(s: &str) -> String {
    decode(s, true)
}

fn decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if plus_is_space && b[i] == b'+' {
            b' '
        } else {
            b[i]
        });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn thread_of<'a>(msgs: &'a [Msg], mid: &str) -> Vec<&'a Msg> {
    let Some(m) = msgs.iter().find(|m| m.message_id == mid) else {
        return Vec::new();
    };
    let root = m.root.clone();
    msgs.iter()
        .filter(|x| x.root == root || x.message_id == root)
        .collect()
}

const HTML: &str = "<!DOCTYPE html><html><head><title>Making sure you&#39;re not a bot!</title></head><body>Anubis</body></html>";

fn handle(s: TcpStream, st: &Mutex<State>, flaky: &AtomicU32) -> std::io::Result<()> {
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))?;
    let req = read_req(&s)?;
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let (path, query) = (path.to_owned(), query.to_owned());
    let msgs = {
        let mut g = st.lock().expect("lock");
        g.seen.push(Seen {
            method: req.method.clone(),
            path: req.target.clone(),
            user_agent: req.headers.get("user-agent").cloned().unwrap_or_default(),
            at: Instant::now(),
        });
        g.messages.clone()
    };
    let segs: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    let gz = [("Content-Type", "application/gzip".to_owned())];
    // git smart HTTP: /LIST/git/N.git/...
    if segs.len() >= 4 && segs[1] == "git" && segs[2].ends_with(".git") {
        return cgi(&s, st, &req, &path, &query);
    }
    match segs.as_slice() {
        [list, "manifest.js.gz"] => {
            let (has, root) = {
                let g = st.lock().expect("lock");
                (g.manifests.iter().any(|m| m == list), g.git_root.clone())
            };
            let root = root.filter(|_| has);
            let Some(root) = root else {
                return respond(&s, "404 Not Found", &[], b"no manifest");
            };
            let mut obj = serde_json::Map::new();
            for n in 0..100 {
                if root
                    .join(list)
                    .join("git")
                    .join(format!("{n}.git"))
                    .is_dir()
                {
                    obj.insert(
                        format!("/{list}/git/{n}.git"),
                        serde_json::json!({"modified": 1_579_716_035 + 100_000_000 * n, "fingerprint": "x"}),
                    );
                }
            }
            let body = gzip(serde_json::Value::Object(obj).to_string().as_bytes());
            respond(&s, "200 OK", &gz, &body)
        }
        [prefix, ..] if *prefix == "loop" => {
            respond(&s, "302 Found", &[("Location", path.clone())], b"")
        }
        ["moved", rest @ ..] => respond(
            &s,
            "301 Moved Permanently",
            &[("Location", format!("/all/{}", rest.join("/")))],
            b"",
        ),
        [inbox, mid, "t.mbox.gz"] => {
            let mid = pct_decode(mid);
            let t = thread_of(&msgs, &mid);
            match *inbox {
                "html" => {
                    return respond(
                        &s,
                        "200 OK",
                        &[("Content-Type", "text/html".into())],
                        HTML.as_bytes(),
                    );
                }
                "html-gz" => return respond(&s, "200 OK", &gz, &gzip(HTML.as_bytes())),
                "empty" => return respond(&s, "200 OK", &gz, &gzip(b"")),
                "flaky" if flaky.fetch_add(1, Ordering::SeqCst) < 2 => {
                    return respond(
                        &s,
                        "503 Service Unavailable",
                        &[("Retry-After", "0".into())],
                        b"busy",
                    );
                }
                _ => {}
            }
            if t.is_empty() {
                return respond(
                    &s,
                    "404 Not Found",
                    &[("Content-Type", "text/html".into())],
                    b"<html>404</html>",
                );
            }
            let mut body = gzip(&mboxrd(t));
            if *inbox == "trunc" {
                body.truncate(body.len() / 2);
            }
            respond(&s, "200 OK", &gz, &body)
        }
        [_, mid, "raw"] => {
            let mid = pct_decode(mid);
            match msgs.iter().find(|m| m.message_id == mid) {
                Some(m) => respond(
                    &s,
                    "200 OK",
                    &[("Content-Type", "text/plain".into())],
                    &m.raw,
                ),
                None => respond(&s, "404 Not Found", &[], b"404"),
            }
        }
        [_] if req.method == "POST" => {
            // ?x=m[&t=1]&q=...: "s:WORDS" matches subjects, anything else the raw text.
            let params: HashMap<String, String> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), form_decode(v)))
                .collect();
            if params.get("x").map(String::as_str) != Some("m") {
                return respond(&s, "400 Bad Request", &[], b"x=m expected");
            }
            let q = params.get("q").cloned().unwrap_or_default();
            let terms = terms(&q);
            let hit = |m: &Msg| {
                terms.iter().all(|(p, w)| match p.as_str() {
                    "s" => m.subject.to_lowercase().contains(&w.to_lowercase()),
                    "f" => from_of(&m.raw).to_lowercase().contains(&w.to_lowercase()),
                    _ => String::from_utf8_lossy(&m.raw).contains(w.as_str()),
                })
            };
            // Newest first, as lore answers a search.
            let mut hits: Vec<&Msg> = msgs.iter().filter(|m| hit(m)).collect();
            hits.sort_by_key(|m| std::cmp::Reverse(date_of(&m.raw)));
            let mut out: Vec<&Msg> = Vec::new();
            for h in hits {
                let group = if params.get("t").map(String::as_str) == Some("1") {
                    thread_of(&msgs, &h.message_id)
                } else {
                    vec![h]
                };
                for m in group {
                    if !out.iter().any(|o| o.message_id == m.message_id) {
                        out.push(m);
                    }
                }
            }
            if out.is_empty() {
                return respond(&s, "404 Not Found", &[], b"no results");
            }
            respond(&s, "200 OK", &gz, &gzip(&mboxrd(out)))
        }
        _ => respond(&s, "404 Not Found", &[], b"404"),
    }
}

/// A search query's terms: `s:"a phrase"`, `f:addr`, `f:"a name"`;
/// `s:` unquoted takes the rest of the query (`s:io_uring: don't wait`);
/// a query without a prefix is matched as raw text.
fn terms(q: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        let Some((p, after)) = rest
            .split_once(':')
            .filter(|(p, _)| matches!(*p, "s" | "f"))
        else {
            out.push((String::new(), rest.to_owned()));
            break;
        };
        if let Some(quoted) = after.strip_prefix('"') {
            let (w, tail) = quoted.split_once('"').unwrap_or((quoted, ""));
            out.push((p.to_owned(), w.to_owned()));
            rest = tail.trim_start();
        } else if p == "s" {
            out.push((p.to_owned(), after.to_owned()));
            break;
        } else {
            let (w, tail) = after.split_once(' ').unwrap_or((after, ""));
            out.push((p.to_owned(), w.to_owned()));
            rest = tail.trim_start();
        }
    }
    out
}

fn header_of(raw: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\n\n").next().unwrap_or("").to_owned();
    let mut out: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = out.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            out = Some(v.trim().to_owned());
        }
    }
    out.unwrap_or_default()
}

fn from_of(raw: &[u8]) -> String {
    header_of(raw, "From")
}

/// The Date header as (year, month, day, hh:mm:ss) for sorting (the
/// corpus' dates are `Tue, 13 Feb 2024 16:55:13 -0500`; the zone is
/// ignored, which is close enough to order revisions weeks apart).
fn date_of(raw: &[u8]) -> (u32, u32, u32, String) {
    let d = header_of(raw, "Date");
    let parts: Vec<&str> = d.split_whitespace().collect();
    let at = usize::from(parts.first().is_some_and(|p| p.ends_with(',')));
    let month = |m: &str| {
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .iter()
        .position(|x| *x == m)
        .map_or(0, |k| k as u32 + 1)
    };
    let n = |k: usize| parts.get(k).and_then(|p| p.parse().ok()).unwrap_or(0);
    (
        n(at + 2),
        parts.get(at + 1).map_or(0, |m| month(m)),
        n(at),
        parts.get(at + 3).map_or(String::new(), |t| (*t).to_owned()),
    )
}

/// Runs `git http-backend` for one request.
fn cgi(
    s: &TcpStream,
    st: &Mutex<State>,
    req: &Req,
    path: &str,
    query: &str,
) -> std::io::Result<()> {
    let root = st.lock().expect("lock").git_root.clone();
    let Some(root) = root else {
        return respond(s, "404 Not Found", &[], b"no git");
    };
    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", &root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &req.method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", req.body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(ct) = req.headers.get("content-type") {
        cmd.env("CONTENT_TYPE", ct);
    }
    if let Some(ce) = req.headers.get("content-encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", ce);
    }
    if let Some(gp) = req.headers.get("git-protocol") {
        cmd.env("GIT_PROTOCOL", gp);
    }
    let mut child = cmd.spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let body = req.body.clone();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let out = child.wait_with_output()?;
    let _ = w.join();
    let raw = out.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)));
    let Some((p, n)) = split else {
        return respond(s, "500 Internal Server Error", &[], b"bad cgi");
    };
    let head = String::from_utf8_lossy(&raw[..p]).into_owned();
    let mut status = "200 OK".to_owned();
    let mut headers = Vec::new();
    for l in head.lines() {
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("status") {
                status = v.trim().to_owned();
            } else {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
    }
    let hs: Vec<(&str, String)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    respond(s, &status, &hs, &raw[p + n..])
}
