//! The worker thread: one read-only [`Workspace`] handle answering queries
//! in order, so the draw loop never waits on the archive.
//!
//! Every request carries a sequence number that its response repeats; the
//! app drops a response whose view is gone (the user went back while it
//! was loading).

use std::path::PathBuf;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use lpl_core::notebook::check::CheckReport;
use lpl_core::notebook::{Detail, Notebook, fsio};
use lpl_core::reply::ReplyOptions;
use lpl_core::search::SearchResults;
use lpl_core::series::{SeriesFilter, SeriesSummary};
use lpl_core::show::MessageView;
use lpl_core::types::SeriesStatus;
use lpl_core::{Reply, SearchOptions, SeriesShown, ShowAs, Shown, ThreadView, Workspace};

/// A notebook edit the worker writes (byte-exact, `.bak`, refused when the
/// file changed since it was read).
#[derive(Debug, Clone)]
pub(crate) struct EditJob {
    /// The file as read.
    pub loaded: fsio::Loaded,
    /// The new bytes (from one of the notebook's edit functions).
    pub bytes: Vec<u8>,
    /// What changed, for the status line (`+ 41:   - note`).
    pub summary: String,
}

/// What the app asks.
#[derive(Debug, Clone)]
pub(crate) enum Query {
    /// Read and parse the notebook, then check it against the archive.
    Notebook(PathBuf),
    /// A page of the series list, newest first: those matching every word
    /// of `filter` (title or author), from the `offset`-th on.
    SeriesList { filter: String, offset: usize },
    /// A series revision (series id or Message-ID of any message in it).
    Series(String),
    /// A message with the replies below it.
    Message(String),
    /// The thread of a message.
    Thread(String),
    /// The range-diff from the revision before `new` to `new` (both of the
    /// chain of the series `arg` names).
    Diff { arg: String, new: Option<u32> },
    /// A lei query over the archive.
    Search(String),
    /// Merge status of a series.
    Upstream(String),
    /// Write the `git am` mbox of a series into `dir`.
    Am { arg: String, dir: PathBuf },
    /// Write a reply to the message `arg` as a draft in `dir`.
    Reply {
        arg: String,
        opts: ReplyOptions,
        dir: PathBuf,
    },
    /// Save a notebook edit.
    Edit(EditJob),
}

/// What the worker answers.
#[derive(Debug)]
pub(crate) enum Answer {
    Notebook(Result<(fsio::Loaded, Notebook), String>),
    Check(Result<CheckReport, String>),
    /// A page of the series list: the filter and offset asked, the rows.
    SeriesList(Result<SeriesPage, String>),
    Series(Result<Box<SeriesShown>, String>),
    Message(Result<(Vec<MessageView>, Vec<Reply>), String>),
    Thread(Result<ThreadView, String>),
    Diff(Result<String, String>),
    Search(Result<SearchResults, String>),
    Upstream(Result<SeriesStatus, String>),
    Am(Result<(PathBuf, usize), String>),
    /// The draft written, and the reply.
    Reply(Result<(PathBuf, lpl_core::reply::Reply), String>),
    /// The saved file as it is now, the backup's path, the change.
    Edited(Result<(fsio::Loaded, PathBuf, String), String>),
}

/// Rows of the series list read at a time: a few screenfuls, so the
/// first screen never waits for the whole list (a million messages hold
/// thousands of series).
pub(crate) const SERIES_PAGE: usize = 200;

/// One page of the series list.
#[derive(Debug)]
pub(crate) struct SeriesPage {
    /// The filter it was read with.
    pub filter: String,
    /// Its first row's place in the list.
    pub offset: usize,
    /// The rows ([`SERIES_PAGE`] of them unless the list ends here).
    pub items: Vec<SeriesSummary>,
}

/// A handle on the worker thread.
pub(crate) struct Worker {
    tx: Option<Sender<(u64, Query)>>,
    rx: Receiver<(u64, Answer)>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker on `ws` (moved to its thread).
    pub(crate) fn start(ws: Workspace) -> Worker {
        let (qtx, qrx) = crossbeam_channel::unbounded::<(u64, Query)>();
        let (atx, arx) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("lpl-tui-worker".into())
            .spawn(move || {
                for (seq, q) in qrx {
                    // Each answer goes as soon as it is ready (the roadmap's
                    // text before the check against the archive).
                    let mut gone = false;
                    answer(&ws, q, &mut |a| gone |= atx.send((seq, a)).is_err());
                    if gone {
                        return;
                    }
                }
            })
            .ok();
        Worker {
            tx: Some(qtx),
            rx: arx,
            thread,
        }
    }

    pub(crate) fn send(&self, seq: u64, q: Query) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((seq, q));
        }
    }

    pub(crate) fn answers(&self) -> &Receiver<(u64, Answer)> {
        &self.rx
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the worker after its current query.
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn answer(ws: &Workspace, q: Query, send: &mut dyn FnMut(Answer)) {
    let a = match q {
        Query::Notebook(path) => {
            let loaded = match fsio::load(&path) {
                Ok(l) => l,
                Err(e) => return send(Answer::Notebook(Err(err(e)))),
            };
            let nb = Notebook::parse(loaded.bytes.clone());
            send(Answer::Notebook(Ok((loaded, nb.clone()))));
            // The roadmap shows badges: no diffstat, cover letter or
            // range-diff is needed.
            Answer::Check(ws.notebook_check(&nb, Detail::Light).map_err(err))
        }
        Query::SeriesList { filter, offset } => {
            let f = SeriesFilter {
                text: filter.split_whitespace().map(str::to_owned).collect(),
                offset,
                limit: Some(SERIES_PAGE),
                ..Default::default()
            };
            Answer::SeriesList(
                ws.series(&f)
                    .map(|items| SeriesPage {
                        filter,
                        offset,
                        items,
                    })
                    .map_err(err),
            )
        }
        Query::Series(arg) => Answer::Series(match ws.show(&arg, ShowAs::Series, None) {
            Ok(Shown::Series(s)) => Ok(s),
            Ok(_) => Err(format!("{arg}: not a series")),
            Err(e) => Err(err(e)),
        }),
        Query::Message(arg) => Answer::Message(
            ws.message(&arg)
                .and_then(|m| Ok((m, ws.replies(&arg)?)))
                .map_err(err),
        ),
        Query::Thread(arg) => Answer::Thread(ws.thread(&arg).map_err(err)),
        Query::Diff { arg, new } => Answer::Diff(
            ws.range_diff(&arg, None, new, &Default::default(), None)
                .map(|v| lpl_core::diff::render_git(&v, false, false, |_, _| {}))
                .map_err(err),
        ),
        Query::Search(query) => {
            let mut opts = SearchOptions::default();
            opts.limit = 200;
            Answer::Search(ws.search(&query, &opts).map_err(err))
        }
        Query::Upstream(arg) => {
            Answer::Upstream(ws.upstream_status(&arg).map(|(_, s)| s).map_err(err))
        }
        Query::Am { arg, dir } => Answer::Am(ws.am(&arg, None).map_err(err).and_then(|am| {
            let name = format!("{}-v{}.mbx", am.summary.id, am.summary.revision);
            let path = dir.join(name);
            std::fs::write(&path, &am.mbox)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok((path, am.patches))
        })),
        Query::Reply { arg, opts, dir } => {
            Answer::Reply(ws.reply(&arg, &opts).map_err(err).and_then(|(r, short)| {
                let path = lpl_core::reply::draft_path(&dir, &short);
                // create_new: a draft that appeared meanwhile is kept.
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, r.text.as_bytes()))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok((path, r))
            }))
        }
        Query::Edit(job) => Answer::Edited(
            fsio::save(&job.loaded, &job.bytes)
                .map(|backup| {
                    (
                        fsio::Loaded {
                            path: job.loaded.path.clone(),
                            bytes: job.bytes.clone(),
                        },
                        backup,
                        job.summary.clone(),
                    )
                })
                .map_err(err),
        ),
    };
    send(a);
}
