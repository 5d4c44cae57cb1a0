//! `lpl serve`: a local web UI over a [`lpl_core::Workspace`].
//!
//! Pages: the roadmap (the notebook's topic tree and an SVG timeline per
//! topic, live), entries (the user's notes beside the series, with forms
//! to add a note or question, answer, change status), series (cover,
//! patches, trailers, revisions as an SVG timeline, upstream status, the
//! range-diff to the previous revision), messages and threads at lore's
//! URLs (`/MSGID/`, `/MSGID/raw`, `/MSGID/t.mbox.gz`, `/MSGID/T/`, also
//! under a list name: `/linux-mm/MSGID/`), and search (lei's language,
//! with the notebook's hits).
//!
//! The server is glue: every answer is one `Workspace` call on a worker
//! thread that owns its read-only handle ([`pool`]), rendered by
//! [`pages`] (maud: every interpolation escaped). Writes go only to the
//! notebook file, through `lpl_notebook`'s edit functions.
//!
//! Security ([`guard`]): the Host header must name this server (DNS
//! rebinding), a write needs the per-process CSRF token and a same-origin
//! `Origin`, URL parameters that could climb a path are refused, and every
//! page carries a Content-Security-Policy without script.

pub mod guard;
pub mod pages;
pub mod pool;
mod routes;
pub mod svg;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The archive's home.
    pub home: PathBuf,
    /// The notebook (roadmap) file, if any.
    pub notebook: Option<PathBuf>,
    /// Where to listen (`127.0.0.1:8080`; port 0 picks a free one).
    pub addr: SocketAddr,
    /// Worker threads, each with its own read-only handle on the archive.
    pub workers: usize,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// The archive could not be opened.
    #[error(transparent)]
    Core(#[from] lpl_core::Error),
    /// Binding or serving failed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// The async runtime or a thread could not be started.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

/// What every request handler shares.
pub(crate) struct App {
    pub(crate) pool: pool::Pool,
    pub(crate) notebook: Option<PathBuf>,
    pub(crate) guard: guard::Guard,
}

/// A bound server, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    app: Arc<App>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the archive (read-only, one handle per worker) and binds
    /// `config.addr`.
    pub fn bind(config: Config) -> Result<Server, WebError> {
        let listener =
            std::net::TcpListener::bind(config.addr).map_err(|source| WebError::Listen {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| WebError::Listen {
            addr: config.addr,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| WebError::Listen { addr, source })?;
        let pool = pool::Pool::start(&config.home, config.workers.max(1))?;
        let guard = guard::Guard::new(addr).map_err(WebError::Runtime)?;
        Ok(Server {
            listener,
            app: Arc::new(App {
                pool,
                notebook: config.notebook,
                guard,
            }),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        // Bound successfully in `bind`, so the address is known.
        self.app.guard.addr()
    }

    /// Serves until `shutdown` completes (on a runtime of its own: call it
    /// from a plain thread).
    pub fn run<F>(self, shutdown: F) -> Result<(), WebError>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .enable_time()
            .build()
            .map_err(WebError::Runtime)?;
        let addr = self.local_addr();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)
                .map_err(|source| WebError::Listen { addr, source })?;
            let router = routes::router(self.app);
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(|source| WebError::Listen { addr, source })
        })
    }

    /// Serves until Ctrl-C (SIGINT).
    pub fn run_until_ctrl_c(self) -> Result<(), WebError> {
        self.run(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }

    /// Serves on a thread of its own until the returned handle is dropped
    /// (tests, benchmarks).
    pub fn spawn(self) -> Result<Running, WebError> {
        let addr = self.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("lpl-web".into())
            .spawn(move || {
                self.run(async {
                    let _ = rx.await;
                })
            })
            .map_err(WebError::Runtime)?;
        Ok(Running {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

/// A server running on its own thread; dropping it stops the server.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), WebError>>>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` plus `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether `addr` is a loopback address (anything else is reachable from
/// the network: `lpl serve` warns).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}
