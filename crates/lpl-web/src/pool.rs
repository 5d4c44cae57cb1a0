//! Worker threads, each owning a read-only [`Workspace`] (a handle is
//! `Send`, not `Sync`): the async handlers send them closures and await
//! the answer, so SQLite work never blocks the runtime's threads, and the
//! archive's analysis is loaded once per worker, not per request.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use lpl_core::Workspace;

type Job = Box<dyn FnOnce(&mut Workspace) + Send>;

/// The workers.
pub struct Pool {
    tx: crossbeam_channel::Sender<Job>,
}

/// No worker answered (all gone: the server is stopping).
#[derive(Debug, thiserror::Error)]
#[error("the archive's workers have stopped")]
pub struct Unavailable;

impl Pool {
    /// Opens `n` read-only handles on `home` (failing here, at start, when
    /// the archive cannot be opened) and starts a worker for each; each
    /// loads the archive's analysis before its first request.
    pub fn start(home: &Path, n: usize) -> Result<Pool, lpl_core::Error> {
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        for k in 0..n {
            let ws = Workspace::open_read_only(home)?;
            let rx = rx.clone();
            let home = home.to_owned();
            let h = home.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("lpl-web-{k}"))
                .spawn(move || worker(ws, h, rx));
            if let Err(e) = spawned {
                return Err(lpl_core::Error::Io {
                    action: "start a worker thread for",
                    path: home.clone(),
                    source: e,
                });
            }
        }
        Ok(Pool { tx })
    }

    /// Runs `f` on a worker's handle and returns its answer.
    pub async fn run<R, F>(&self, f: F) -> Result<R, Unavailable>
    where
        R: Send + 'static,
        F: FnOnce(&mut Workspace) -> R + Send + 'static,
    {
        let (otx, orx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |ws| {
            let _ = otx.send(f(ws));
        });
        self.tx.send(job).map_err(|_| Unavailable)?;
        orx.await.map_err(|_| Unavailable)
    }
}

fn worker(mut ws: Workspace, home: PathBuf, rx: crossbeam_channel::Receiver<Job>) {
    // Warm up: the first page should not pay for loading the analysis.
    let _ = ws.overview();
    while let Ok(job) = rx.recv() {
        let _ = ws.refresh();
        // A panic in one page must not take the worker with it: the handle
        // is reopened, and the page's answer channel is dropped (a 500).
        if catch_unwind(AssertUnwindSafe(|| job(&mut ws))).is_err() {
            match Workspace::open_read_only(&home) {
                Ok(fresh) => ws = fresh,
                Err(_) => return,
            }
        }
    }
}
