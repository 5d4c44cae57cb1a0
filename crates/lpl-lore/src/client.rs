//! The lore client: threads, raw messages, searches, epochs.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use flate2::read::MultiGzDecoder;

use crate::http::{
    HttpResponse, Method, Request, Transport, TransportError, UreqTransport, backoff,
};
use crate::mbox::{MboxStats, Sniff, html_title, sniff, write_mbox};
use crate::{Config, LoreError, url};

/// A checked download: an mbox (or, for `/raw`, one message) on disk.
#[derive(Debug, Clone)]
pub struct Download {
    /// The URL it came from.
    pub url: String,
    /// The file (in the cache directory).
    pub path: PathBuf,
    /// Messages in it.
    pub messages: u64,
    /// Bytes in it (uncompressed).
    pub bytes: u64,
    /// Messages left out because of a limit.
    pub dropped: u64,
    /// Served from the cache without asking the server.
    pub from_cache: bool,
}

/// One public-inbox v2 epoch of an inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epoch {
    /// Its number (`N` of `git/N.git`).
    pub n: u32,
    /// Its clone URL.
    pub url: String,
    /// Last modification (Unix seconds), when the manifest says.
    pub modified: Option<i64>,
}

/// What kind of body a request should bring.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// An mbox, possibly gzipped.
    Mbox,
    /// One raw message.
    Message,
}

/// A client for one lore server (or mirror). Requests of one client are
/// paced: at least [`Config::pause`] between the start of two requests.
pub struct Lore {
    cfg: Config,
    transport: Box<dyn Transport>,
    last_request: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Lore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lore")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Lore {
    /// A client over HTTPS (rustls).
    pub fn new(cfg: Config) -> Result<Lore, LoreError> {
        let t = UreqTransport::new(&cfg);
        Lore::with_transport(cfg, Box::new(t))
    }

    /// A client over another transport.
    pub fn with_transport(cfg: Config, transport: Box<dyn Transport>) -> Result<Lore, LoreError> {
        url::check(&cfg.base_url)?;
        Ok(Lore {
            cfg,
            transport,
            last_request: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The whole thread of `msgid` as lore serves it (`t.mbox.gz`).
    pub fn thread(&self, msgid: &str, cancel: &AtomicBool) -> Result<Download, LoreError> {
        let u = url::thread_mbox(&self.cfg.base_url, msgid);
        let req = Request {
            method: Method::Get,
            url: u,
            form: Vec::new(),
        };
        self.download(&req, "thread", Expect::Mbox, None, cancel)?
            .ok_or_else(|| LoreError::NotFound {
                what: format!("<{msgid}>"),
                url: req.url.clone(),
            })
    }

    /// One message (`/raw`), written as a single-message file.
    pub fn raw(&self, msgid: &str, cancel: &AtomicBool) -> Result<Download, LoreError> {
        let u = url::raw(&self.cfg.base_url, msgid);
        let req = Request {
            method: Method::Get,
            url: u,
            form: Vec::new(),
        };
        self.download(&req, "raw", Expect::Message, None, cancel)?
            .ok_or_else(|| LoreError::NotFound {
                what: format!("<{msgid}>"),
                url: req.url.clone(),
            })
    }

    /// The results of a search (`POST {base}/?x=m&q=...`, with `t=1` when
    /// `threads`), at most `limit` messages. `None` when nothing matched
    /// (public-inbox answers 404).
    pub fn search(
        &self,
        query: &str,
        threads: bool,
        limit: Option<u64>,
        cancel: &AtomicBool,
    ) -> Result<Option<Download>, LoreError> {
        let u = url::search(&self.cfg.base_url, query, threads);
        let req = Request {
            method: Method::Post,
            url: u,
            form: vec![("z".into(), "results only".into())],
        };
        self.download(&req, "search", Expect::Mbox, limit, cancel)
    }

    /// The epochs of the inbox at `inbox` (e.g.
    /// `https://lore.kernel.org/linux-mm`): from `manifest.js.gz`, else by
    /// probing `git/0.git`, `git/1.git` ... until one is missing.
    pub fn epochs(&self, inbox: &str, cancel: &AtomicBool) -> Result<Vec<Epoch>, LoreError> {
        url::check(inbox)?;
        let mu = url::manifest(inbox);
        let res = self.request(
            &Request {
                method: Method::Get,
                url: mu.clone(),
                form: Vec::new(),
            },
            cancel,
        )?;
        if res.status == 200 {
            let body = read_small(res.body, &mu, 64 << 20, cancel)?;
            let json = match sniff(&body) {
                Sniff::Gzip => {
                    let mut v = Vec::new();
                    MultiGzDecoder::new(&body[..])
                        .take(256 << 20)
                        .read_to_end(&mut v)
                        .map_err(|e| LoreError::BadGzip {
                            url: mu.clone(),
                            reason: e.to_string(),
                        })?;
                    v
                }
                _ => body,
            };
            let found = crate::manifest::parse(&json, inbox, &mu)?;
            if !found.is_empty() {
                return Ok(found);
            }
        } else if !matches!(res.status, 404 | 410 | 403) {
            return Err(LoreError::Status {
                url: mu,
                status: res.status,
            });
        }
        let mut out = Vec::new();
        for n in 0..1000 {
            let pu = url::epoch_probe(inbox, n);
            let res = self.request(
                &Request {
                    method: Method::Get,
                    url: pu.clone(),
                    form: Vec::new(),
                },
                cancel,
            )?;
            drop(res.body);
            match res.status {
                200 => out.push(Epoch {
                    n,
                    url: url::epoch(inbox, n),
                    modified: None,
                }),
                404 | 410 => break,
                s => return Err(LoreError::Status { url: pu, status: s }),
            }
        }
        if out.is_empty() {
            return Err(LoreError::NoEpochs {
                url: inbox.to_owned(),
            });
        }
        Ok(out)
    }

    /// Waits until [`Config::pause`] has passed since the last request.
    fn pace(&self, cancel: &AtomicBool) -> Result<(), LoreError> {
        let wait = {
            let last = self.last_request.lock().map_err(|_| LoreError::Cancelled)?;
            last.map(|t| self.cfg.pause.saturating_sub(t.elapsed()))
                .unwrap_or_default()
        };
        sleep(wait, cancel)?;
        if let Ok(mut last) = self.last_request.lock() {
            *last = Some(Instant::now());
        }
        Ok(())
    }

    /// Sends `req`, retrying 5xx, 429, timeouts and refused connections
    /// with backoff. Other statuses are returned to the caller.
    fn request(&self, req: &Request, cancel: &AtomicBool) -> Result<HttpResponse, LoreError> {
        let host = url::host(&req.url);
        let attempts = self.cfg.retries + 1;
        let mut last_err = None;
        for attempt in 0..attempts {
            if cancel.load(Ordering::Relaxed) {
                return Err(LoreError::Cancelled);
            }
            self.pace(cancel)?;
            let started = Instant::now();
            let mut retry_after = None;
            match self.transport.send(req) {
                Ok(r) if r.status == 429 || r.status >= 500 => {
                    retry_after = r.retry_after;
                    last_err = Some(LoreError::Server {
                        url: req.url.clone(),
                        status: r.status,
                        attempts: attempt + 1,
                    });
                }
                Ok(mut r) => {
                    // Every body is read through the size limit and the
                    // request's deadline.
                    r.body = Box::new(Guarded::new(
                        r.body,
                        self.cfg.max_body_bytes,
                        Some(started + self.cfg.deadline),
                    ));
                    return Ok(r);
                }
                Err(TransportError::HostNotFound(reason)) => {
                    return Err(LoreError::Offline { host, reason });
                }
                Err(TransportError::TooManyRedirects) => {
                    return Err(LoreError::RedirectLoop {
                        url: req.url.clone(),
                    });
                }
                Err(TransportError::RedirectRefused { to, reason }) => {
                    return Err(LoreError::RedirectRefused {
                        url: req.url.clone(),
                        to,
                        reason,
                    });
                }
                Err(TransportError::Timeout(_)) => {
                    last_err = Some(LoreError::Timeout {
                        host: host.clone(),
                        url: req.url.clone(),
                        attempts: attempt + 1,
                    });
                }
                Err(TransportError::Connect(reason)) => {
                    last_err = Some(LoreError::Offline {
                        host: host.clone(),
                        reason,
                    });
                }
                Err(e) => {
                    return Err(LoreError::Offline {
                        host,
                        reason: e.to_string(),
                    });
                }
            }
            if attempt + 1 < attempts {
                sleep(backoff(self.cfg.backoff, attempt, retry_after), cancel)?;
            }
        }
        Err(last_err.unwrap_or(LoreError::Cancelled))
    }

    /// Downloads, validates and caches one body. `Ok(None)` on 404.
    fn download(
        &self,
        req: &Request,
        kind: &str,
        expect: Expect,
        limit: Option<u64>,
        cancel: &AtomicBool,
    ) -> Result<Option<Download>, LoreError> {
        let dir = self.cfg.cache_dir.join(kind);
        std::fs::create_dir_all(&dir).map_err(|e| LoreError::io(&dir, e))?;
        let ext = if expect == Expect::Mbox {
            "mbox"
        } else {
            "eml"
        };
        let mut key = cache_key(req);
        if let Some(l) = limit {
            key.push_str(&format!("-limit{l}"));
        }
        let final_path = dir.join(format!("{key}.{ext}"));
        if let Some(d) = self.cached(&final_path, &req.url) {
            return Ok(Some(d));
        }
        let res = self.request(req, cancel)?;
        match res.status {
            200 => {}
            404 | 410 => return Ok(None),
            s => {
                return Err(LoreError::Status {
                    url: req.url.clone(),
                    status: s,
                });
            }
        }
        let html_type = res.content_type.as_deref() == Some("text/html");
        // 1. The body as sent, to a private file.
        let tmp = TempFile::new(&dir, &key, "body")?;
        {
            let mut f = BufWriter::new(File::create(&tmp.0).map_err(|e| LoreError::io(&tmp.0, e))?);
            copy_cancellable(res.body, &mut f, cancel).map_err(|e| match e {
                CopyError::Cancelled => LoreError::Cancelled,
                CopyError::Read(e) => self.read_error(&req.url, e),
                CopyError::Write(e) => LoreError::io(&tmp.0, e),
            })?;
            f.flush().map_err(|e| LoreError::io(&tmp.0, e))?;
        }
        // 2. Check and decode it.
        let head = read_head(&tmp.0)?;
        let html_err = |head: &[u8]| LoreError::Html {
            url: req.url.clone(),
            title: html_title(head),
        };
        let out = TempFile::new(&dir, &key, "out")?;
        let stats = {
            let src = File::open(&tmp.0).map_err(|e| LoreError::io(&tmp.0, e))?;
            let mut w = BufWriter::new(File::create(&out.0).map_err(|e| LoreError::io(&out.0, e))?);
            let st = match sniff(&head) {
                Sniff::Gzip => {
                    // The decompressed content has the same limit (a gzip
                    // bomb is refused, not inflated into the cache).
                    let inflated = Guarded::new(
                        Box::new(MultiGzDecoder::new(src)),
                        self.cfg.max_body_bytes,
                        None,
                    );
                    let r = write_body(inflated, &mut w, expect, limit);
                    r.map_err(|e| match Guarded::fault(&e) {
                        Some(_) => self.read_error(&req.url, e),
                        None => LoreError::BadGzip {
                            url: req.url.clone(),
                            reason: e.to_string(),
                        },
                    })?
                }
                Sniff::Html => return Err(html_err(&head)),
                Sniff::Empty => {
                    return Err(LoreError::EmptyThread {
                        url: req.url.clone(),
                    });
                }
                _ if html_type => return Err(html_err(&head)),
                Sniff::Mbox => {
                    write_body(src, &mut w, expect, limit).map_err(|e| LoreError::io(&tmp.0, e))?
                }
                Sniff::Other if expect == Expect::Message => {
                    write_body(src, &mut w, expect, limit).map_err(|e| LoreError::io(&tmp.0, e))?
                }
                Sniff::Other => {
                    return Err(LoreError::NotMbox {
                        url: req.url.clone(),
                        start: start_text(&head),
                    });
                }
            };
            w.flush().map_err(|e| LoreError::io(&out.0, e))?;
            st
        };
        if stats.messages == 0 {
            let dhead = read_head(&out.0)?;
            return Err(match sniff(&dhead) {
                Sniff::Empty => LoreError::EmptyThread {
                    url: req.url.clone(),
                },
                Sniff::Html => html_err(&dhead),
                _ => LoreError::NotMbox {
                    url: req.url.clone(),
                    start: start_text(&dhead),
                },
            });
        }
        if expect == Expect::Message && matches!(sniff(&read_head(&out.0)?), Sniff::Html) {
            return Err(html_err(&read_head(&out.0)?));
        }
        // 3. Only a checked file replaces the cached one.
        out.persist(&final_path)?;
        Ok(Some(Download {
            url: req.url.clone(),
            path: final_path,
            messages: stats.messages,
            bytes: stats.bytes,
            dropped: stats.dropped,
            from_cache: false,
        }))
    }

    /// A failed body read as the error it stands for: over the size
    /// limit, past the deadline, or a broken connection.
    fn read_error(&self, url: &str, e: std::io::Error) -> LoreError {
        match Guarded::fault(&e) {
            Some(Fault::TooLarge) => LoreError::TooLarge {
                url: url.to_owned(),
                limit: self.cfg.max_body_bytes,
            },
            Some(Fault::Deadline) => LoreError::Deadline {
                url: url.to_owned(),
                secs: self.cfg.deadline.as_secs(),
            },
            None => LoreError::Broken {
                url: url.to_owned(),
                reason: e.to_string(),
            },
        }
    }

    fn cached(&self, path: &Path, url: &str) -> Option<Download> {
        if self.cfg.cache_ttl.is_zero() {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        let age = SystemTime::now()
            .duration_since(meta.modified().ok()?)
            .unwrap_or(Duration::MAX);
        if age > self.cfg.cache_ttl {
            return None;
        }
        let f = File::open(path).ok()?;
        let st = if path.extension().is_some_and(|e| e == "eml") {
            MboxStats {
                messages: 1,
                bytes: meta.len(),
                dropped: 0,
            }
        } else {
            write_mbox(f, &mut std::io::sink(), None).ok()?
        };
        Some(Download {
            url: url.to_owned(),
            path: path.to_owned(),
            messages: st.messages,
            bytes: st.bytes,
            dropped: 0,
            from_cache: true,
        })
    }
}

fn write_body(
    r: impl Read,
    w: &mut impl Write,
    expect: Expect,
    limit: Option<u64>,
) -> std::io::Result<MboxStats> {
    match expect {
        Expect::Mbox => write_mbox(r, w, limit),
        Expect::Message => {
            let bytes = std::io::copy(&mut { r }, w)?;
            Ok(MboxStats {
                messages: u64::from(bytes > 0),
                bytes,
                dropped: 0,
            })
        }
    }
}

fn start_text(head: &[u8]) -> String {
    String::from_utf8_lossy(&head[..head.len().min(40)]).into_owned()
}

fn read_head(path: &Path) -> Result<Vec<u8>, LoreError> {
    let mut f = File::open(path).map_err(|e| LoreError::io(path, e))?;
    let mut head = vec![0; 1024];
    let mut n = 0;
    while n < head.len() {
        let k = f.read(&mut head[n..]).map_err(|e| LoreError::io(path, e))?;
        if k == 0 {
            break;
        }
        n += k;
    }
    head.truncate(n);
    Ok(head)
}

/// Reads at most `max` bytes of a small answer (a manifest), checking
/// `cancel` between reads (a slow server must not outlast Ctrl-C).
fn read_small(
    body: Box<dyn Read + Send>,
    u: &str,
    max: u64,
    cancel: &AtomicBool,
) -> Result<Vec<u8>, LoreError> {
    let mut v = Vec::new();
    copy_cancellable(body.take(max), &mut v, cancel).map_err(|e| match e {
        CopyError::Cancelled => LoreError::Cancelled,
        CopyError::Read(e) | CopyError::Write(e) => LoreError::Broken {
            url: u.to_owned(),
            reason: e.to_string(),
        },
    })?;
    Ok(v)
}

/// Why a [`Guarded`] read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    TooLarge,
    Deadline,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::TooLarge => "over the size limit",
            Fault::Deadline => "past the deadline",
        })
    }
}

impl std::error::Error for Fault {}

/// A reader of outside data with a size limit and a deadline: reading
/// past `left` bytes, or after `deadline`, fails with a [`Fault`].
struct Guarded {
    inner: Box<dyn Read + Send>,
    left: u64,
    deadline: Option<Instant>,
}

impl Guarded {
    fn new(inner: Box<dyn Read + Send>, limit: u64, deadline: Option<Instant>) -> Self {
        Guarded {
            inner,
            left: limit,
            deadline,
        }
    }

    /// The fault behind `e`, when a guard raised it.
    fn fault(e: &std::io::Error) -> Option<Fault> {
        e.get_ref()?.downcast_ref::<Fault>().copied()
    }
}

impl Read for Guarded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.deadline.is_some_and(|d| Instant::now() > d) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                Fault::Deadline,
            ));
        }
        // One byte past the limit tells "exactly at" from "over".
        let room = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX);
        let len = buf.len().min(room);
        let n = self.inner.read(&mut buf[..len])?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(Fault::TooLarge));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

enum CopyError {
    Cancelled,
    Read(std::io::Error),
    Write(std::io::Error),
}

fn copy_cancellable(
    mut r: impl Read,
    w: &mut impl Write,
    cancel: &AtomicBool,
) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(CopyError::Cancelled);
        }
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        w.write_all(&buf[..n]).map_err(CopyError::Write)?;
        total += n as u64;
    }
}

fn sleep(d: Duration, cancel: &AtomicBool) -> Result<(), LoreError> {
    let end = Instant::now() + d;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(LoreError::Cancelled);
        }
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(Duration::from_millis(100)));
    }
}

/// A readable, stable file name for a request: the URL's tail made safe,
/// plus a hash of the whole request (FNV-1a, stable across builds).
fn cache_key(req: &Request) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: &[u8]| {
        for &c in b {
            h ^= u64::from(c);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(req.url.as_bytes());
    for (k, v) in &req.form {
        feed(k.as_bytes());
        feed(v.as_bytes());
    }
    let tail = req
        .url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(&req.url);
    let safe: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._@+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe: String = safe
        .chars()
        .rev()
        .take(80)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{safe}-{h:016x}")
}

/// A file removed on drop unless persisted.
struct TempFile(PathBuf, bool);

impl TempFile {
    fn new(dir: &Path, key: &str, what: &str) -> Result<TempFile, LoreError> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let p = dir.join(format!(".{key}.{what}.{}.{nanos}.part", std::process::id()));
        Ok(TempFile(p, false))
    }

    fn persist(mut self, to: &Path) -> Result<(), LoreError> {
        std::fs::rename(&self.0, to).map_err(|e| LoreError::io(to, e))?;
        self.1 = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}
