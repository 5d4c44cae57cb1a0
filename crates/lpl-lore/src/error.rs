//! The one error type of this crate.

use std::path::PathBuf;

/// Why talking to lore failed. Each variant names the URL (or path) involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoreError {
    /// The server could not be reached at all (DNS, refused, TLS, no route).
    #[error("could not reach {host}: {reason}")]
    Offline {
        /// Host name of the server.
        host: String,
        /// What the network said.
        reason: String,
    },
    /// The server did not answer in time, even after retries.
    #[error("{host} did not answer in time ({attempts} attempts): {url}")]
    Timeout {
        /// Host name.
        host: String,
        /// The URL asked for.
        url: String,
        /// Attempts made.
        attempts: u32,
    },
    /// 404: lore does not have it.
    #[error("no such message on lore: {what} ({url})")]
    NotFound {
        /// What was asked for (a Message-ID, a query).
        what: String,
        /// The URL asked for.
        url: String,
    },
    /// The server kept failing (5xx, 429) after retries.
    #[error("{url}: the server answered HTTP {status} ({attempts} attempts)")]
    Server {
        /// The URL asked for.
        url: String,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// Another unexpected HTTP status.
    #[error("{url}: unexpected HTTP {status}")]
    Status {
        /// The URL asked for.
        url: String,
        /// The status.
        status: u16,
    },
    /// Redirects went round in circles (or too many of them).
    #[error("{url}: too many redirects (a redirect loop?)")]
    RedirectLoop {
        /// The URL asked for.
        url: String,
    },
    /// A redirect that lpl does not follow: to another host (unless the
    /// configuration allows it) or to another scheme (`file://` ...).
    #[error("{url}: redirected to {to}, which lpl does not follow: {reason}")]
    RedirectRefused {
        /// The URL asked for.
        url: String,
        /// Where the server sent us.
        to: String,
        /// Why it is not followed.
        reason: String,
    },
    /// A response (or its decompressed content) over
    /// [`crate::Config::max_body_bytes`].
    #[error("{url}: the answer is larger than {limit} bytes: stopped, nothing kept")]
    TooLarge {
        /// The URL asked for.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A request that took longer than [`crate::Config::deadline`] as a
    /// whole (a server trickling bytes).
    #[error("{url}: no complete answer within {secs} s: stopped, nothing kept")]
    Deadline {
        /// The URL asked for.
        url: String,
        /// The deadline, in seconds.
        secs: u64,
    },
    /// An HTML page came back where an mbox was expected (an error page, a
    /// bot wall, a login portal).
    #[error("{url}: an HTML page came back instead of an mbox{}", title_suffix(.title))]
    Html {
        /// The URL asked for.
        url: String,
        /// The page's `<title>`, if any.
        title: Option<String>,
    },
    /// The gzip stream ended early or is corrupt.
    #[error("{url}: the gzip data is truncated or corrupt ({reason})")]
    BadGzip {
        /// The URL asked for.
        url: String,
        /// What the decoder said.
        reason: String,
    },
    /// The body is neither gzip, nor mbox, nor HTML.
    #[error("{url}: the answer is not an mbox (it starts with {start:?})")]
    NotMbox {
        /// The URL asked for.
        url: String,
        /// The first bytes, lossily decoded.
        start: String,
    },
    /// The mbox holds no message.
    #[error("{url}: the thread is empty (no message in the mbox)")]
    EmptyThread {
        /// The URL asked for.
        url: String,
    },
    /// The connection broke while the body was being read.
    #[error("{url}: the download broke off: {reason}")]
    Broken {
        /// The URL asked for.
        url: String,
        /// What the network said.
        reason: String,
    },
    /// The URL cannot be used.
    #[error("invalid URL {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The inbox has no epochs (no manifest entry, no `/git/0.git`).
    #[error("{url}: no public-inbox epochs found (neither manifest.js.gz nor git/0.git)")]
    NoEpochs {
        /// The inbox URL.
        url: String,
    },
    /// `manifest.js.gz` could not be understood.
    #[error("{url}: unreadable manifest: {reason}")]
    BadManifest {
        /// The manifest URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Cloning or fetching an epoch failed. (gix has dozens of error types
    /// along the way; their message is kept.)
    #[error("git {url}: {reason}")]
    Git {
        /// The epoch URL.
        url: String,
        /// What gix said.
        reason: String,
    },
    /// The cache or a download file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
}

fn title_suffix(t: &Option<String>) -> String {
    match t {
        Some(t) => format!(" (\"{t}\")"),
        None => String::new(),
    }
}

impl LoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> LoreError {
        LoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the network (not the answer) is the problem: offline,
    /// timeouts. Callers may suggest `--base-url` or trying later.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            LoreError::Offline { .. } | LoreError::Timeout { .. } | LoreError::Broken { .. }
        )
    }
}
