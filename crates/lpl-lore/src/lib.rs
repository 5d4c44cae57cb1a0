//! Network access to lore.kernel.org and other public-inbox servers.
//!
//! Two kinds of access, both polite (a `User-Agent` naming `lpl`, gzip,
//! a cache, a pause between batch requests, retries with backoff on 5xx
//! and timeouts, timeouts everywhere):
//!
//! - [`Lore`]: HTTP requests for one thread (`{base}/{msgid}/t.mbox.gz`),
//!   one raw message (`/raw`), a search (`POST {base}/?x=m&q=...`) and the
//!   epochs of an inbox (`manifest.js.gz`, else probing `/git/N.git`). Every
//!   body is validated (gzip complete, an mbox and not an HTML page, not
//!   empty) before it is handed out as a file, so a bad answer never reaches
//!   the caller's store.
//! - [`mirror::mirror_epoch`]: clone or fetch one public-inbox epoch with
//!   gix over smart HTTP.
//!
//! HTTP goes through the [`Transport`] trait; [`UreqTransport`] is the real
//! one (rustls). Tests point the base URL at servers on 127.0.0.1.
//!
//! This crate never prints and never reads the environment: the base URL,
//! cache directory and timeouts arrive in a [`Config`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod error;
mod http;
mod manifest;
mod mbox;
pub mod mirror;
pub mod url;

pub use client::{Download, Epoch, Lore};
pub use error::LoreError;
pub use http::{HttpResponse, Method, Request, Transport, TransportError, UreqTransport};
pub use mbox::{MboxStats, write_mbox};

use std::path::PathBuf;
use std::time::Duration;

/// The default lore server (the `all` inbox answers for every list).
pub const DEFAULT_BASE_URL: &str = "https://lore.kernel.org/all";

/// The User-Agent sent with every request (HTTP and git).
pub fn user_agent() -> String {
    format!("lpl/{} (linux-patch-learn)", env!("CARGO_PKG_VERSION"))
}

/// How to talk to lore.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where threads and searches are asked for, e.g.
    /// `https://lore.kernel.org/all` or a mirror's inbox URL.
    pub base_url: String,
    /// On-disk cache of downloaded threads and searches (also where
    /// downloads are assembled before they are validated).
    pub cache_dir: PathBuf,
    /// A cached answer younger than this is used without asking again.
    pub cache_ttl: Duration,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Timeout for the response head, and for each read of a body (a body
    /// may take long as a whole but never stalls longer than this).
    pub read_timeout: Duration,
    /// Retries after a 5xx, 429 or timeout (so `retries + 1` attempts).
    pub retries: u32,
    /// First backoff; doubled on each retry (capped at 30 s).
    pub backoff: Duration,
    /// Pause between two requests of a batch.
    pub pause: Duration,
    /// Redirects followed before giving up with [`LoreError::RedirectLoop`].
    pub max_redirects: u32,
    /// Follow a redirect to another host (off: a redirect leaves the
    /// configured host only when asked, [`LoreError::RedirectRefused`]).
    /// A redirect to anything but http(s) is always refused.
    pub redirect_other_hosts: bool,
    /// The most bytes one response body may bring (as sent, compressed or
    /// not), and the most its decompressed mbox may be: past either the
    /// download stops with [`LoreError::TooLarge`] and nothing is cached
    /// (an endless chunked response wrote 37.9 GB into the cache in two
    /// minutes before this limit).
    pub max_body_bytes: u64,
    /// How long one request may take as a whole, body included: a server
    /// that sends one byte a second never hangs a fetch ([`LoreError::Deadline`]).
    pub deadline: Duration,
    /// The User-Agent.
    pub user_agent: String,
}

impl Config {
    /// Defaults for `base_url`, keeping the cache in `cache_dir`.
    pub fn new(base_url: impl Into<String>, cache_dir: impl Into<PathBuf>) -> Config {
        Config {
            base_url: base_url.into(),
            cache_dir: cache_dir.into(),
            cache_ttl: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_secs(2),
            pause: Duration::from_millis(500),
            max_redirects: 5,
            redirect_other_hosts: false,
            max_body_bytes: 1 << 30,
            deadline: Duration::from_secs(600),
            user_agent: user_agent(),
        }
    }
}
