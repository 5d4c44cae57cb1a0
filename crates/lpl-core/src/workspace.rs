//! [`Workspace`]: one handle on a data directory, offering every use case.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;

use lpl_store::{SourceRow, Store, StoreStats};

use crate::error::{Error, Kept, NotFound, Result};
use crate::event::{Event, IndexEvent, UnderstandEvent};
use crate::fetch::{FetchOptions, FetchReport, SyncList, SyncReport};
use crate::import::{ImportEvent, ImportOptions, ImportReport};
use crate::layout::{Component, Layout};
use crate::library::Library;
use crate::notebook::{
    EntryFetch, FetchPlan, NewerSearch, Notebook, NotebookFetchEvent, Progress, check::CheckReport,
    edit,
};
use crate::search::{Indexer, SearchResults};
use crate::series::{ChainItem, SeriesFilter, SeriesSummary, SeriesView, ThreadLine};
use crate::show::MessageView;
use crate::understanding::{Lib, Names};
use crate::upstream::MatchAllReport;

/// The analysis version in the stamps [`Workspace::refresh`] compares.
const STAMP_VERSION: &str = "workspace";

/// How a workspace is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading only: nothing in the home is created or written, so a
    /// read-only home works, and a writer in another process is never
    /// blocked (each query sees its last commit).
    ReadOnly,
    /// Reading and writing (created when missing, migrated when older).
    ReadWrite,
}

/// An archive of mailing lists in a data directory ("home"), and every use
/// case over it: import, fetch, sync, show, series, thread, revisions, am,
/// search, upstream, notebook, sources.
///
/// The home's layout (the store and its message pack, the search index,
/// lore's settings and download cache, mirrors, room for further derived
/// stores) is [`Layout`]'s; a front end never names a file inside it.
/// Writing use cases keep everything derived current: an import, fetch
/// or sync also updates the search index (and the understanding of
/// threads and series); a front end never runs an index lifecycle.
///
/// # Threads and processes
///
/// - A `Workspace` is [`Send`] but not [`Sync`]: it owns one SQLite
///   connection. Give each thread its own handle: [`Workspace::reader`]
///   opens another read-only handle on the same home in about a
///   millisecond. A web server keeps one per worker thread (or opens one
///   per request); a TUI moves one to a worker thread and sends it
///   queries over a channel, so the draw loop never waits on the archive.
/// - Any number of readers (threads or processes) run beside one writer.
///   Readers never write and never block the writer; each query reads one
///   consistent snapshot, the writer's last commit.
/// - Long write jobs (import, fetch, sync, reindex, upstream index) hold
///   the home's job lock ([`Component::JobLock`]) for their duration: a
///   second job in another process waits for the first (reporting
///   [`Event::Waiting`], cancellable). Short writes (a revision link)
///   interleave with a running job at batch boundaries.
/// - Long operations take a cancel flag (checked between batches) and an
///   event callback; nothing here prints or reads the environment.
///
/// # Example
///
/// ```no_run
/// use std::sync::atomic::AtomicBool;
/// use lpl_core::{Workspace, import::ImportOptions};
///
/// let mut ws = Workspace::open("/tmp/lpl-home")?;
/// let cancel = AtomicBool::new(false);
/// ws.import(&["cgroups.0.git".into()], &ImportOptions::default(), &cancel, &mut |_| {})?;
/// let reader = ws.reader()?; // e.g. moved to a worker thread
/// for s in reader.series(&Default::default())?.iter().take(10) {
///     println!("{} v{} {}", s.id, s.revision, s.title);
/// }
/// # Ok::<(), lpl_core::Error>(())
/// ```
pub struct Workspace {
    layout: Layout,
    store: Store,
    access: Access,
    /// The analysed archive, loaded by the first query that needs it and
    /// dropped by every write.
    library: OnceCell<Library>,
    /// The store's content stamp when the library was loaded.
    library_stamp: OnceCell<String>,
    /// The saved units loaded last, with the understanding's stamp they
    /// were read under (newest last): a page or a check asks several
    /// questions of one series (its revisions, its range-diff, the
    /// thread of a patch), and each would load and re-assemble its unit.
    units: std::cell::RefCell<Vec<(i64, String, Arc<Library>)>>,
}

/// Saved units a workspace keeps loaded ([`Workspace::lib_for`]).
const UNITS_KEPT: usize = 8;

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("home", &self.layout.home())
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// The outcome of [`Workspace::import`].
#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    /// One report per source imported, in order.
    pub sources: Vec<ImportReport>,
    /// Sources that could not be imported, with why (the others went on).
    #[serde(skip)]
    pub failures: Vec<(PathBuf, Error)>,
    /// Messages newly added to the search index.
    pub indexed: u64,
    /// The archive after the import.
    pub store: StoreStats,
}

/// How [`Workspace::show`] shows what it is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShowAs {
    /// A cover letter or a series id stands for its series; a patch or a
    /// reply is shown as a message.
    #[default]
    Auto,
    /// The series the message belongs to.
    Series,
    /// The message itself, even a cover letter.
    Message,
}

/// What [`Workspace::show`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Shown {
    /// A series revision, with its merge status when an upstream
    /// repository is indexed.
    Series(Box<SeriesShown>),
    /// The message: every stored copy of it (usually one).
    Messages(Vec<MessageView>),
}

/// A series as shown.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesShown {
    /// The revision, its patches, trailers and chain.
    #[serde(flatten)]
    pub view: SeriesView,
    /// Merge status, when an upstream repository is indexed.
    pub upstream: Option<lpl_upstream::SeriesStatus>,
    /// The review notes of each patch (same order as the view's patches):
    /// its own and those carried from earlier revisions.
    pub review_notes: Vec<Vec<crate::review::NoteView>>,
}

/// The reply tree of a thread.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadView {
    /// The Message-ID asked about.
    pub focus: String,
    /// The whole thread, depth first from its root.
    pub lines: Vec<ThreadLine>,
}

/// A reply below a message (see [`Workspace::replies`]).
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// Depth below the message asked about (1: a direct reply).
    pub depth: u32,
    /// The reply (its first stored copy).
    pub message: MessageView,
}

/// A `git am`-ready mbox of one revision.
#[derive(Debug, Clone)]
pub struct AmExport {
    /// The mbox.
    pub mbox: Vec<u8>,
    /// Patches in it.
    pub patches: usize,
    /// The revision.
    pub summary: SeriesSummary,
}

/// Knobs of a search.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Newest first instead of best match first.
    pub by_date: bool,
    /// "Now", in Unix seconds, for relative dates (`d:2.weeks.ago..`).
    pub now: i64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 50,
            by_date: false,
            now: 0,
        }
    }
}

/// How much an archive holds, as understood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Overview {
    /// Messages understood (with a usable Message-ID).
    pub messages: usize,
    /// Threads (reply trees).
    pub threads: usize,
    /// Series revisions.
    pub revisions: usize,
    /// Chains of revisions.
    pub chains: usize,
}

/// Long jobs hold the home's job lock while alive.
struct JobLock {
    _file: std::fs::File,
}

impl Workspace {
    /// Opens the archive in `home` for reading and writing, creating it when
    /// missing and migrating an older one.
    pub fn open(home: impl Into<PathBuf>) -> Result<Workspace> {
        let layout = Layout::new(home);
        let mut store = Store::open(layout.home())?;
        // Changelog links of messages stored before the store kept them
        // (schema 10): read once, before anything is analysed, so chains
        // use them from the first analysis on.
        if store.version_links_pending()? {
            store.backfill_version_links()?;
        }
        // lpl-upstream's tables carry their own schema (`up_meta`): an
        // older one (one repository) is brought up to date here, as the
        // store's own migrations are by `Store::open`.
        if lpl_upstream::store::needs_migration(store.conn())? {
            lpl_upstream::store::migrate(store.conn())?;
        }
        Ok(Workspace {
            layout,
            store,
            access: Access::ReadWrite,
            library: OnceCell::new(),
            library_stamp: OnceCell::new(),
            units: Default::default(),
        })
    }

    /// Opens the existing archive in `home` for reading and writing
    /// ([`NotFound::Archive`] when there is none).
    pub fn open_existing(home: impl Into<PathBuf>) -> Result<Workspace> {
        let layout = Layout::new(home);
        if !layout.exists() {
            return Err(NotFound::Archive {
                home: layout.home().to_owned(),
            }
            .into());
        }
        Workspace::open(layout.home())
    }

    /// Opens the existing archive in `home` for reading only
    /// ([`NotFound::Archive`] when there is none). An archive written by an
    /// older lpl is migrated first when the home is writable.
    pub fn open_read_only(home: impl Into<PathBuf>) -> Result<Workspace> {
        let layout = Layout::new(home);
        if !layout.exists() {
            return Err(NotFound::Archive {
                home: layout.home().to_owned(),
            }
            .into());
        }
        let mut store = match Store::open_read_only(layout.home()) {
            Err(lpl_store::StoreError::NeedsUpgrade { .. }) => {
                drop(Workspace::open(layout.home())?);
                Store::open_read_only(layout.home())?
            }
            other => other?,
        };
        // Changelog links still to read (a store migrated by a run that
        // was killed before it read them), likewise.
        if store.version_links_pending()?
            && let Ok(ws) = Workspace::open(layout.home())
        {
            drop(ws);
            store = Store::open_read_only(layout.home())?;
        }
        // The upstream tables of an older lpl, likewise (when the home
        // cannot be written, reading them says so: `OldSchema`).
        if lpl_upstream::store::needs_migration(store.conn())?
            && let Ok(ws) = Workspace::open(layout.home())
        {
            drop(ws);
            store = Store::open_read_only(layout.home())?;
        }
        Ok(Workspace {
            layout,
            store,
            access: Access::ReadOnly,
            library: OnceCell::new(),
            library_stamp: OnceCell::new(),
            units: Default::default(),
        })
    }

    /// Opens the archive with the given access ([`Workspace::open`] or
    /// [`Workspace::open_read_only`]).
    pub fn open_with(home: impl Into<PathBuf>, access: Access) -> Result<Workspace> {
        match access {
            Access::ReadOnly => Workspace::open_read_only(home),
            Access::ReadWrite => Workspace::open(home),
        }
    }

    /// Another read-only handle on the same archive, for another thread.
    pub fn reader(&self) -> Result<Workspace> {
        Workspace::open_read_only(self.layout.home())
    }

    /// Where everything lives.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The data directory.
    pub fn home(&self) -> &Path {
        self.layout.home()
    }

    /// How it was opened.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The store, for crates with tables of their own (a derived store
    /// such as the code index keeps its tables under its own prefix).
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn writable(&mut self) -> Result<&mut Store> {
        if self.access == Access::ReadOnly {
            return Err(Error::ReadOnly {
                home: self.layout.home().to_owned(),
            });
        }
        self.library = OnceCell::new();
        self.library_stamp = OnceCell::new();
        Ok(&mut self.store)
    }

    pub(crate) fn library(&self) -> Result<&Library> {
        if let Some(l) = self.library.get() {
            return Ok(l);
        }
        let stamp = self.store.content_stamp(STAMP_VERSION)?;
        let saved = crate::understanding::is_current(&self.store)?;
        let understood = self
            .store
            .content_stamp(&crate::understanding::stamp_version())?;
        let l = Library::load(&self.store)?;
        if !saved {
            self.save_understanding(&l, understood);
        }
        let _ = self.library_stamp.set(stamp);
        Ok(self.library.get_or_init(|| l))
    }

    /// Saves what `lib` concluded as the archive's understanding, when no
    /// job is running (a reader never competes with a writer; the next
    /// query tries again): an archive imported by an older lpl is
    /// re-analysed once, by its first query.
    fn save_understanding(&self, lib: &Library, stamp: String) {
        if self.job_running() {
            return;
        }
        let Ok(mut store) = Store::open(self.layout.home()) else {
            return;
        };
        let mut change = crate::understanding::build(lib, stamp);
        if let (Ok(true), Ok(saved)) = (
            crate::understanding::same_version(&store),
            store.unit_hashes(),
        ) {
            change = crate::understanding::changes_only(change, &saved);
        }
        let _ = store.save_understanding(&change);
    }

    /// Brings the saved understanding up to date with the store (after a
    /// write): the whole archive is analysed again when it changed, and
    /// the units whose rows changed are written (all of them when the
    /// saved understanding is of another analysis version).
    fn understand(&mut self, on: &mut dyn FnMut(&Event)) -> Result<()> {
        if crate::understanding::is_current(&self.store)? {
            return Ok(());
        }
        let stamp = self
            .store
            .content_stamp(&crate::understanding::stamp_version())?;
        on(&Event::Understanding(UnderstandEvent::Analysing));
        let lib = Library::load(&self.store)?;
        let mut change = crate::understanding::build(&lib, stamp);
        if crate::understanding::same_version(&self.store)? {
            change = crate::understanding::changes_only(change, &self.store.unit_hashes()?);
        }
        on(&Event::Understanding(UnderstandEvent::Saving {
            revisions: change.revisions.len(),
        }));
        self.store
            .save_understanding_with(&change, &mut |done, total| {
                on(&Event::Understanding(UnderstandEvent::Writing {
                    done: done as u64,
                    total: total as u64,
                }))
            })?;
        on(&Event::Understanding(UnderstandEvent::Done));
        Ok(())
    }

    /// The analysis to answer a question about `arg` from: the saved unit
    /// that holds it when the saved understanding is current (an empty
    /// one when nothing holds it, so that the errors are the same), else
    /// the whole archive's.
    pub(crate) fn lib_for(&self, arg: &str, names: Names) -> Result<Lib<'_>> {
        if self.library.get().is_none()
            && let Some(stamp) = crate::understanding::current_stamp(&self.store)?
        {
            match crate::understanding::unit_for(&self.store, arg, names)? {
                None => return Ok(Lib::Unit(Arc::new(crate::understanding::empty()))),
                Some(u) => {
                    if let Some(l) = self.unit(u, &stamp)? {
                        return Ok(Lib::Unit(l));
                    }
                }
            }
        }
        Ok(Lib::Whole(self.library()?))
    }

    /// Saved unit `u` as of `stamp` (kept from an earlier query, or loaded
    /// and kept); `None` when it disagrees with its saved rows.
    fn unit(&self, u: i64, stamp: &str) -> Result<Option<Arc<Library>>> {
        let mut kept = self.units.borrow_mut();
        if let Some(k) = kept.iter().position(|(id, st, _)| *id == u && st == stamp) {
            let hit = kept.remove(k);
            let l = hit.2.clone();
            kept.push(hit);
            return Ok(Some(l));
        }
        let Some(l) = crate::understanding::load_unit(&self.store, u)? else {
            return Ok(None);
        };
        let l = Arc::new(l);
        // Units of an older stamp are never asked for again.
        kept.retain(|(_, st, _)| st == stamp);
        if kept.len() >= UNITS_KEPT {
            kept.remove(0);
        }
        kept.push((u, stamp.to_owned(), l.clone()));
        Ok(Some(l))
    }

    /// The analyses holding every revision titled `norm_title` (the saved
    /// units, or the whole archive's).
    pub(crate) fn libs_with_title(&self, norm_title: &str) -> Result<Vec<Lib<'_>>> {
        if self.library.get().is_none()
            && let Some(stamp) = crate::understanding::current_stamp(&self.store)?
        {
            let mut out = Vec::new();
            for u in crate::understanding::units_with_title(&self.store, norm_title)? {
                match self.unit(u, &stamp)? {
                    Some(l) => out.push(Lib::Unit(l)),
                    None => return Ok(vec![Lib::Whole(self.library()?)]),
                }
            }
            return Ok(out);
        }
        Ok(vec![Lib::Whole(self.library()?)])
    }

    /// Forgets the understanding of the archive loaded by an earlier
    /// query when the archive has changed since (another process imported,
    /// a revision link was corrected), so the next query sees the change.
    /// A long-lived reader (a server's worker) calls it before each
    /// request: it costs one index lookup. Returns whether it forgot.
    pub fn refresh(&mut self) -> Result<bool> {
        let Some(old) = self.library_stamp.get() else {
            return Ok(false);
        };
        if *old == self.store.content_stamp(STAMP_VERSION)? {
            return Ok(false);
        }
        self.library = OnceCell::new();
        self.library_stamp = OnceCell::new();
        Ok(true)
    }

    /// Takes the job lock, waiting (cancellably) for another process's job.
    fn job_lock(&self, cancel: &AtomicBool, on: &mut dyn FnMut(&Event)) -> Result<JobLock> {
        let path = self.layout.path(Component::JobLock);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io("open", &path))?;
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(JobLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !told {
                        on(&Event::Waiting {
                            reason: "another lpl is importing into this archive".into(),
                        });
                        told = true;
                    }
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::cancelled());
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", &path)(e)),
            }
        }
    }

    /// Whether a job (import, fetch, sync) is running on this home now.
    fn job_running(&self) -> bool {
        let path = self.layout.path(Component::JobLock);
        match std::fs::OpenOptions::new().write(true).open(&path) {
            Ok(f) => matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
            Err(_) => false,
        }
    }

    /// Opens the index writer, catching up with rows stored earlier but not
    /// indexed (an import with `index: false`, a killed one, a fetch).
    fn indexer(&self, on: &mut dyn FnMut(&Event)) -> Result<Indexer> {
        let mut ix = Indexer::open(&self.store, &self.layout.path(Component::Search))?;
        if ix.rebuilt().is_some() {
            on(&Event::Index(IndexEvent::Rebuilding));
        }
        ix.catch_up(&self.store, &mut |done| {
            on(&Event::Index(IndexEvent::CatchingUp { done }))
        })?;
        Ok(ix)
    }

    fn commit_index(ix: &mut Indexer, on: &mut dyn FnMut(&Event)) -> Result<u64> {
        on(&Event::Index(IndexEvent::Committing));
        ix.commit()?;
        on(&Event::Index(IndexEvent::Done));
        Ok(ix.added())
    }

    // ------------------------------------------------------------ writing

    /// Imports each source (a public-inbox epoch or inbox, mbox, Maildir,
    /// message file, directory of them, or `-` for standard input),
    /// incrementally and idempotently, and keeps the search index current.
    /// A source that fails is reported in [`ImportOutcome::failures`] and
    /// the others go on; what was stored is indexed either way.
    pub fn import(
        &mut self,
        sources: &[PathBuf],
        opts: &ImportOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<ImportOutcome> {
        self.writable()?;
        let _lock = self.job_lock(cancel, on)?;
        let mut indexer = if opts.index {
            Some(self.indexer(on)?)
        } else {
            None
        };
        let mut out = ImportOutcome {
            sources: Vec::new(),
            failures: Vec::new(),
            indexed: 0,
            store: StoreStats::default(),
        };
        for path in sources {
            let r = crate::import::import_indexed(
                &mut self.store,
                path,
                opts,
                cancel,
                indexer.as_mut(),
                &mut |e| on(&Event::Import(e.clone())),
            );
            on(&Event::Import(ImportEvent::Done));
            match r {
                Ok(r) => out.sources.push(r),
                // Cancelled, or the disk under the archive is full or
                // read-only: the next sources would fare no better. What was
                // stored is indexed (if the disk lets it), and the error
                // says what was kept.
                Err(e) if matches!(e, Error::Cancelled { .. }) || e.disk_fault().is_some() => {
                    let earlier = out.sources.iter().fold(Kept::default(), |mut k, r| {
                        k.add(r.source.clone(), r.imported);
                        k
                    });
                    if let Some(ix) = indexer.as_mut() {
                        let committed = Self::commit_index(ix, on);
                        if e.disk_fault().is_none() {
                            committed?;
                        }
                    }
                    return Err(e.kept_after(earlier));
                }
                Err(e) => out.failures.push((path.clone(), e)),
            }
        }
        if let Some(ix) = indexer.as_mut() {
            out.indexed = Self::commit_index(ix, on)?;
        }
        self.understand(on)?;
        out.store = self.store.stats()?;
        Ok(out)
    }

    /// Brings the search index up to date with the archive; an index that
    /// is damaged or was written by another lpl is rebuilt. Returns the
    /// messages indexed.
    pub fn reindex(&mut self, cancel: &AtomicBool, on: &mut dyn FnMut(&Event)) -> Result<u64> {
        self.writable()?;
        let _lock = self.job_lock(cancel, on)?;
        let mut ix = self.indexer(on)?;
        Self::commit_index(&mut ix, on)
    }

    /// Downloads the thread of `arg` (a Message-ID or lore URL) from lore,
    /// imports it (only what is new), indexes it, and names its series.
    pub fn fetch(
        &mut self,
        arg: &str,
        opts: &FetchOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<FetchReport> {
        self.writable()?;
        let lore = crate::fetch::client(&self.layout, opts)?;
        let _lock = self.job_lock(cancel, on)?;
        let mut ix = self.indexer(on)?;
        let r = crate::fetch::fetch(
            &mut self.store,
            &lore,
            arg,
            &ImportOptions::default(),
            cancel,
            Some(&mut ix),
            on,
        );
        let indexed = Self::commit_index(&mut ix, on)?;
        self.understand(on)?;
        r.map(|mut r| {
            r.indexed = indexed;
            r
        })
    }

    /// Runs a lore search (hits expanded to whole threads when `threads`),
    /// imports at most `limit` messages of the answer and indexes them.
    /// `Ok(None)` when nothing matched.
    pub fn fetch_query(
        &mut self,
        query: &str,
        threads: bool,
        limit: Option<u64>,
        opts: &FetchOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<Option<FetchReport>> {
        self.writable()?;
        let lore = crate::fetch::client(&self.layout, opts)?;
        let _lock = self.job_lock(cancel, on)?;
        let mut ix = self.indexer(on)?;
        let r = crate::fetch::fetch_query(
            &mut self.store,
            &lore,
            query,
            threads,
            limit,
            &ImportOptions::default(),
            cancel,
            Some(&mut ix),
            on,
        );
        let indexed = Self::commit_index(&mut ix, on)?;
        self.understand(on)?;
        r.map(|o| {
            o.map(|mut r| {
                r.indexed = indexed;
                r
            })
        })
    }

    /// Mirrors the registered lists (all, or those named in `only`) and
    /// imports what arrived, keeping the index current. A failing list or
    /// epoch is reported and the others go on.
    pub fn sync(
        &mut self,
        only: &[String],
        mirror: &lpl_lore::mirror::MirrorOptions,
        opts: &FetchOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<Vec<SyncReport>> {
        self.writable()?;
        let cfg = crate::fetch::LoreConfig::load(&self.layout)?;
        if cfg.lists.is_empty() {
            return Err(NotFound::NoSyncLists.into());
        }
        let lore = crate::fetch::client(&self.layout, opts)?;
        let _lock = self.job_lock(cancel, on)?;
        let mut ix = self.indexer(on)?;
        let import = ImportOptions::default();
        let cx = crate::fetch::SyncContext {
            layout: &self.layout,
            lore: &lore,
            mirror,
            import: &import,
            cancel,
        };
        let r = crate::fetch::sync(&mut self.store, &cx, only, Some(&mut ix), on);
        // Even after a partial failure: what was imported becomes searchable
        // and understood.
        Self::commit_index(&mut ix, on)?;
        self.understand(on)?;
        r
    }

    /// Registers `url` under `name` (default: the URL's last path segment)
    /// for [`Workspace::sync`], only epochs modified since `since`
    /// (`YYYY-MM-DD`) when given. Re-adding a name updates it.
    pub fn sync_add(
        &mut self,
        name: Option<&str>,
        url: &str,
        since: Option<&str>,
    ) -> Result<SyncList> {
        self.writable()?;
        crate::fetch::sync_add(&self.layout, name, url, since)
    }

    /// Forgets a registered list (its mirror stays on disk, at
    /// [`Layout::mirror`]).
    pub fn sync_remove(&mut self, name: &str) -> Result<SyncList> {
        self.writable()?;
        crate::fetch::sync_remove(&self.layout, name)
    }

    /// The lists registered for sync.
    pub fn sync_lists(&self) -> Result<Vec<SyncList>> {
        Ok(crate::fetch::LoreConfig::load(&self.layout)?.lists)
    }

    /// Records that `older` and `newer` (series ids or Message-IDs) are
    /// consecutive revisions of one work (`link`) or unrelated
    /// (`!link`), and returns the chain of `newer` as it is now. The
    /// correction survives re-imports and re-analyses.
    pub fn set_revision_link(
        &mut self,
        older: &str,
        newer: &str,
        link: bool,
    ) -> Result<Vec<ChainItem>> {
        let key = |arg: &str| -> Result<String> {
            let lib = self.lib_for(arg, Names::Series)?;
            let r = lib.find_revision(arg)?;
            Ok(lib.metas[lib.revisions()[r].key_message()]
                .message_id
                .as_str()
                .to_owned())
        };
        let (ko, kn) = (key(older)?, key(newer)?);
        let kind = if link { "link" } else { "unlink" };
        self.writable()?.set_revision_override(&ko, &kn, kind)?;
        self.understand(&mut |_| {})?;
        self.revisions(newer)
    }

    /// Indexes the git repository `repo` (incrementally) for upstream
    /// matching; `revs` besides release tags (default `HEAD`).
    pub fn upstream_index(
        &mut self,
        repo: &Path,
        revs: Vec<String>,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(lpl_upstream::Progress),
    ) -> Result<lpl_upstream::IndexReport> {
        self.writable()?;
        let _lock = self.job_lock(cancel, &mut |_| {})?;
        crate::upstream::index(&mut self.store, repo, revs, cancel, on)
    }

    /// Matches every patch of the archive against the indexed repository.
    pub fn upstream_match_all(
        &mut self,
        opts: &lpl_upstream::MatchOptions,
    ) -> Result<MatchAllReport> {
        self.writable()?;
        let lib = Library::load(&self.store)?;
        crate::upstream::match_all(&mut self.store, &lib, opts)
    }

    // ------------------------------------------------------------ reading

    /// What `arg` names and how [`Workspace::show`] shows it: a series id
    /// or, unless `as_` says otherwise, a cover letter stands for its
    /// series; a patch or reply is shown as the message.
    pub fn show(&self, arg: &str, as_: ShowAs, version: Option<u32>) -> Result<Shown> {
        if as_ == ShowAs::Series || version.is_some() || crate::show::is_short_id(arg) {
            return Ok(Shown::Series(Box::new(self.series_shown(arg, version)?)));
        }
        let views = crate::show::show_message(&self.store, arg)?;
        let cover = views.len() == 1
            && views[0].patch.is_none()
            && views[0].tags.counter == Some(0)
            && !views[0].tags.is_reply;
        if as_ == ShowAs::Auto && cover {
            return Ok(Shown::Series(Box::new(self.series_shown(arg, None)?)));
        }
        Ok(Shown::Messages(views))
    }

    /// Every stored copy of the message `arg` names.
    pub fn message(&self, arg: &str) -> Result<Vec<MessageView>> {
        crate::show::show_message(&self.store, arg)
    }

    /// The raw bytes of the message `arg` names (its first stored copy),
    /// as lore's `/MSGID/raw` serves them.
    pub fn raw(&self, arg: &str) -> Result<Vec<u8>> {
        let views = crate::show::show_message(&self.store, arg)?;
        let first = views.first().ok_or_else(|| NotFound::Message {
            message_id: arg.to_owned(),
        })?;
        Ok(self.store.raw(first.id)?)
    }

    /// The whole thread of the message `arg` names as an mboxrd (the form
    /// of lore's `/MSGID/t.mbox.gz`, uncompressed), depth first from its
    /// root; a message whose raw bytes cannot be read is left out.
    pub fn thread_mbox(&self, arg: &str) -> Result<Vec<u8>> {
        let lines = crate::series::thread(&*self.lib_for(arg, Names::Message)?, arg)?;
        let mut out = Vec::new();
        for l in &lines {
            let Ok(rows) = self.store.messages_by_id(&l.message_id) else {
                continue;
            };
            let Some(row) = rows.first() else { continue };
            if let Ok(raw) = self.store.raw(row.id) {
                crate::show::mboxrd_append(&mut out, &raw);
            }
        }
        Ok(out)
    }

    fn series_shown(&self, arg: &str, version: Option<u32>) -> Result<SeriesShown> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        let r = crate::series::pick_version(lib, lib.find_revision(arg)?, version)?;
        let view = crate::series::show(&self.store, lib, r)?;
        let upstream = if crate::upstream::has_index(&self.store) {
            crate::upstream::status(&self.store, lib, r)?
        } else {
            None
        };
        let review_notes = crate::review::notes_for_revision(&self.store, lib, r)?;
        Ok(SeriesShown {
            view,
            upstream,
            review_notes,
        })
    }

    /// The series revision `arg` names (a series id, or the Message-ID of
    /// any message in it or replying to it), revision `version` of its
    /// chain when given.
    pub fn series_view(&self, arg: &str, version: Option<u32>) -> Result<SeriesView> {
        Ok(self.series_shown(arg, version)?.view)
    }

    /// Series, newest first, filtered.
    pub fn series(&self, filter: &SeriesFilter) -> Result<Vec<SeriesSummary>> {
        if self.library.get().is_none()
            && crate::understanding::is_current(&self.store)?
            && let Some(list) = crate::understanding::list(&self.store, filter)?
        {
            return Ok(list);
        }
        Ok(crate::series::list(self.library()?, filter))
    }

    /// The whole thread of the message `arg` names.
    pub fn thread(&self, arg: &str) -> Result<ThreadView> {
        let lines = crate::series::thread(&*self.lib_for(arg, Names::Message)?, arg)?;
        let focus = crate::show::resolve_message_id(arg)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
        Ok(ThreadView { focus, lines })
    }

    /// The replies below the message `arg` names, depth first as in its
    /// thread (messages never received are left out, their replies kept).
    pub fn replies(&self, arg: &str) -> Result<Vec<Reply>> {
        let view = self.thread(arg)?;
        let Some(at) = view.lines.iter().position(|l| l.message_id == view.focus) else {
            return Ok(Vec::new());
        };
        let base = view.lines[at].depth;
        let mut out = Vec::new();
        for l in view.lines[at + 1..].iter().take_while(|l| l.depth > base) {
            if l.subject.is_none() {
                continue;
            }
            if let Some(message) = self.message(&l.message_id)?.into_iter().next() {
                out.push(Reply {
                    depth: l.depth - base,
                    message,
                });
            }
        }
        Ok(out)
    }

    /// The revision chain of the series `arg` names, oldest first.
    pub fn revisions(&self, arg: &str) -> Result<Vec<ChainItem>> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        Ok(crate::series::chain(lib, lib.find_revision(arg)?))
    }

    /// The summary of each revision in the chain of the series `arg`
    /// names, oldest first (dates, patch and trailer counts: a revision
    /// timeline's data).
    pub fn revision_summaries(&self, arg: &str) -> Result<Vec<SeriesSummary>> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        Ok(lib
            .analysis
            .chains
            .chain(lib.find_revision(arg)?)
            .iter()
            .map(|&c| crate::series::summary(lib, c))
            .collect())
    }

    /// The stable backports of the work `arg` names, shown beside its chain
    /// (they are never in it).
    pub fn backports(&self, arg: &str) -> Result<Vec<ChainItem>> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        Ok(crate::series::backports(lib, lib.find_revision(arg)?))
    }

    /// A `git am`-ready mbox of the series `arg` names (revision `version`
    /// of its chain when given), collected trailers folded in.
    pub fn am(&self, arg: &str, version: Option<u32>) -> Result<AmExport> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        let r = crate::series::pick_version(lib, lib.find_revision(arg)?, version)?;
        let (mbox, patches) = crate::series::am(&self.store, lib, r)?;
        Ok(AmExport {
            mbox,
            patches,
            summary: crate::series::summary(lib, r),
        })
    }

    /// The range-diff of two revisions of the series `arg` names: `old` and
    /// `new` when given (one given: it and the revision before it; none:
    /// the two newest), from the mail, or through the git repository
    /// `repo` (`git range-diff` after applying both; `color`: git's
    /// colours in its output).
    pub fn range_diff(
        &self,
        arg: &str,
        old: Option<u32>,
        new: Option<u32>,
        opts: &crate::diff::DiffOptions,
        repo: Option<(&Path, bool)>,
    ) -> Result<crate::diff::RangeDiffView> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        let r = lib.find_revision(arg)?;
        let (a, b) = crate::diff::pick_revisions(lib, r, old, new)?;
        match repo {
            Some((dir, color)) => {
                crate::diff::range_diff_repo(&self.store, lib, a, b, opts, dir, color)
            }
            None => crate::diff::range_diff(&self.store, lib, a, b, opts),
        }
    }

    /// A reply to the message `arg` names (Message-ID or lore URL), and the
    /// short id of that message.
    pub fn reply(
        &self,
        arg: &str,
        opts: &crate::reply::ReplyOptions,
    ) -> Result<(crate::reply::Reply, String)> {
        crate::reply::reply(&self.store, arg, opts)
    }

    /// Review notes, all or those on the message `arg` names.
    pub fn review_notes(&self, arg: Option<&str>) -> Result<Vec<crate::review::NoteView>> {
        crate::review::list(&self.store, arg)
    }

    /// Keeps a review note on the message `arg` names; returns the note's id
    /// and the Message-ID.
    pub fn review_note(&mut self, arg: &str, text: &str, now: i64) -> Result<(i64, String)> {
        let store = self.writable()?;
        crate::review::add(store, arg, text, now)
    }

    /// Removes review note `id`.
    pub fn review_remove(&mut self, id: i64) -> Result<()> {
        let store = self.writable()?;
        crate::review::remove(store, id)
    }

    /// Runs `query` (lore's query language) over the archive's index; hits
    /// carry their thread and series.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let dir = self.layout.path(Component::Search);
        let (total, rows, through, capped_wildcards) =
            crate::search::run_query(&dir, query, opts.limit, opts.by_date, opts.now)?;
        crate::search::check_not_behind(&self.store, total, through)?;
        if crate::search::links_current(&self.store)?
            && let Some(res) = crate::search::results_from_links(&self.store, total, &rows)?
        {
            return Ok(SearchResults {
                capped_wildcards,
                ..res
            });
        }
        let lib = self.library()?;
        self.save_links(lib);
        Ok(SearchResults {
            capped_wildcards,
            ..crate::search::results_from_library(lib, total, &rows)
        })
    }

    /// Saves the links searches show (derived data) when no job is running:
    /// a reader never competes with a writer; the next search tries again.
    fn save_links(&self, lib: &Library) {
        if self.job_running() {
            return;
        }
        let Ok(mut store) = Store::open(self.layout.home()) else {
            return;
        };
        let _ = crate::search::save_links_within(&mut store, lib, Duration::from_millis(200));
    }

    /// Merge status of the series `arg` names, with its summary.
    pub fn upstream_status(
        &self,
        arg: &str,
    ) -> Result<(SeriesSummary, lpl_upstream::SeriesStatus)> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        let r = lib.find_revision(arg)?;
        let st = crate::upstream::status(&self.store, lib, r)?.ok_or(NotFound::UpstreamStatus)?;
        Ok((crate::series::summary(lib, r), st))
    }

    /// Checks every entry of the notebook against the archive, each
    /// series found filled in as `detail` says: [`Detail::Light`] for
    /// what a check shows (no message parsed, no range-diff computed),
    /// [`Detail::Full`] for everything (`notebook check --json`).
    ///
    /// [`Detail::Light`]: crate::notebook::Detail::Light
    /// [`Detail::Full`]: crate::notebook::Detail::Full
    pub fn notebook_check(
        &self,
        nb: &Notebook,
        detail: crate::notebook::Detail,
    ) -> Result<CheckReport> {
        Ok(crate::notebook::check(
            &self.store,
            crate::notebook::Src::Ws(self),
            nb,
            detail,
        ))
    }

    /// Writes the notebook's HTML site under `dir`, each entry beside its
    /// series.
    pub fn notebook_render(&self, nb: &Notebook, dir: &Path) -> Result<()> {
        crate::notebook::render(&self.store, crate::notebook::Src::Ws(self), nb, dir)
    }

    /// One page of the notebook's site (the same pages as
    /// [`Workspace::notebook_render`] writes), its links in the form
    /// `links` says: for a server that shows them live. `None` when
    /// `which` names no entry. The index and the timeline look every
    /// entry up light (no message parsed, no range-diff); an entry's page
    /// looks up its one entry in full.
    pub fn notebook_page(
        &self,
        nb: &Notebook,
        links: crate::notebook::html::Links,
        which: crate::notebook::html::Which,
    ) -> Result<Option<crate::notebook::html::PageParts>> {
        Ok(crate::notebook::page(
            &self.store,
            crate::notebook::Src::Ws(self),
            nb,
            links,
            which,
        ))
    }

    /// The notebook entry for the series `arg` names (for
    /// [`edit::add_entry`]).
    pub fn notebook_entry(&self, arg: &str, progress: Progress) -> Result<edit::NewEntry> {
        let lib = &*self.lib_for(arg, Names::Series)?;
        let r = lib.find_revision(arg)?;
        crate::notebook::new_entry(&self.store, lib, r, progress)
    }

    /// The subject of patch `counter` of the series of notebook entry `e`
    /// (any of its revisions), when the archive has it.
    pub fn notebook_patch_subject(
        &self,
        nb: &Notebook,
        e: usize,
        counter: u32,
    ) -> Result<Option<String>> {
        Ok(crate::notebook::patch_subject(
            &self.store,
            crate::notebook::Src::Ws(self),
            nb,
            e,
            counter,
        ))
    }

    /// What `notebook fetch` would ask lore for: for each series entry
    /// (all, or the entries `only` names by index), its link and the
    /// revisions its notes give when their threads are not stored, and
    /// the revisions that stored cover letters link.
    pub fn notebook_fetch_plan(&self, nb: &Notebook, only: &[usize]) -> Vec<FetchPlan> {
        crate::notebook::fetch_plan(nb, &self.store, only)
    }

    /// Adds to `plan` the revisions of each series entry (all, or those
    /// `only` names) newer than every one it links or the archive holds,
    /// as lore's search finds them (`s:"TITLE" f:SENDER`, one search per
    /// entry, matching messages only). A failed search is reported in its
    /// [`NewerSearch`] and the others go on.
    pub fn notebook_newer(
        &self,
        nb: &Notebook,
        only: &[usize],
        plan: &mut Vec<FetchPlan>,
        opts: &FetchOptions,
        cancel: &AtomicBool,
    ) -> Result<Vec<NewerSearch>> {
        let lore = crate::fetch::client(&self.layout, opts)?;
        crate::notebook::plan_newer(
            nb,
            &self.store,
            crate::notebook::Src::Ws(self),
            &lore,
            only,
            plan,
            cancel,
        )
    }

    /// Fetches what `plan` names (whole threads, imported, indexed), then
    /// the revisions the fetched cover letters link. A thread lore does not
    /// have is reported and the others go on.
    pub fn notebook_fetch(
        &mut self,
        plan: &[FetchPlan],
        opts: &FetchOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&NotebookFetchEvent),
    ) -> Result<Vec<EntryFetch>> {
        self.writable()?;
        let lore = crate::fetch::client(&self.layout, opts)?;
        let mut fwd = |e: &Event| on(&NotebookFetchEvent::Fetch(e.clone()));
        let _lock = self.job_lock(cancel, &mut fwd)?;
        let mut ix = self.indexer(&mut fwd)?;
        let r =
            crate::notebook::fetch_entries(&mut self.store, &lore, plan, cancel, Some(&mut ix), on);
        Self::commit_index(&mut ix, &mut |e| on(&NotebookFetchEvent::Fetch(e.clone())))?;
        self.understand(&mut |e| on(&NotebookFetchEvent::Fetch(e.clone())))?;
        r
    }

    // ------------------------------------------------------------ code

    /// Indexes a kernel tree (a directory, or a git repository at a
    /// revision) into the home's code index; files whose content is
    /// indexed already (in any tree) are not parsed again. A file that
    /// cannot be read or parsed is reported in the result and skipped.
    pub fn code_index(
        &mut self,
        src: &crate::code::TreeSource,
        opts: &crate::code::IndexOptions,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(crate::code::Progress),
    ) -> Result<crate::code::IndexReport> {
        self.writable()?;
        let path = self.layout.path(Component::CodeIndex);
        let mut ix = lpl_code::CodeIndex::open(&path)?;
        ix.index_tree(src, opts, on, cancel).map_err(|e| match e {
            lpl_code::Error::Cancelled => Error::cancelled(),
            e => e.into(),
        })
    }

    /// Removes an indexed tree (and what no other tree uses).
    pub fn code_remove(&mut self, tree: &str) -> Result<u64> {
        self.writable()?;
        let path = self.layout.path(Component::CodeIndex);
        Ok(lpl_code::CodeIndex::open(&path)?.remove_tree(tree)?)
    }

    /// The indexed kernel trees, oldest first (none: an empty list).
    pub fn code_trees(&self) -> Result<Vec<crate::code::TreeInfo>> {
        match crate::code::open(&self.layout) {
            Ok(ix) => Ok(ix.trees()?),
            Err(Error::Code(lpl_code::Error::NoTrees)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Where `name` is defined in `tree` (default: every indexed tree,
    /// newest first); [`NotFound::Symbol`] with near matches when nowhere.
    pub fn code_definitions(
        &self,
        name: &str,
        tree: Option<&str>,
    ) -> Result<Vec<crate::code::Definition>> {
        let ix = crate::code::open(&self.layout)?;
        let defs = ix.definitions(name, tree)?;
        if defs.is_empty() {
            return Err(crate::code::not_defined(&ix, name, tree));
        }
        Ok(defs)
    }

    /// Who calls `name` in `tree` (default: the tree indexed last).
    pub fn code_callers(&self, name: &str, tree: Option<&str>) -> Result<crate::code::Callers> {
        let ix = crate::code::open(&self.layout)?;
        let c = ix.callers(name, tree)?;
        if c.sites.is_empty() && ix.definitions(name, Some(&c.tree))?.is_empty() {
            return Err(crate::code::not_defined(&ix, name, Some(&c.tree)));
        }
        Ok(c)
    }

    /// What `name` calls in `tree` (default: the tree indexed last).
    pub fn code_callees(&self, name: &str, tree: Option<&str>) -> Result<crate::code::Callees> {
        let ix = crate::code::open(&self.layout)?;
        let c = ix.callees(name, tree)?;
        if c.definitions.is_empty() {
            return Err(crate::code::not_defined(&ix, name, Some(&c.tree)));
        }
        Ok(c)
    }

    /// The call tree below `name` in `tree` (default: the tree indexed
    /// last).
    pub fn code_call_tree(
        &self,
        name: &str,
        tree: Option<&str>,
        opts: crate::code::TreeOptions,
    ) -> Result<crate::code::CallTree> {
        let ix = crate::code::open(&self.layout)?;
        let t = ix.call_tree(name, tree, opts)?;
        if ix.definitions(name, Some(&t.tree))?.is_empty() {
            return Err(crate::code::not_defined(&ix, name, Some(&t.tree)));
        }
        Ok(t)
    }

    /// Patches stored by an older lpl whose hunks are not recorded yet
    /// (see [`Workspace::backfill_hunks`]).
    pub fn hunks_pending(&self) -> Result<u64> {
        Ok(self.store.hunks_pending()?)
    }

    /// Records the hunks of patches stored by an older lpl (once; an
    /// interrupted run goes on where it stopped), reporting
    /// [`Event::Hunks`]. Returns the patches done.
    pub fn backfill_hunks(
        &mut self,
        cancel: &AtomicBool,
        on: &mut dyn FnMut(&Event),
    ) -> Result<u64> {
        self.writable()?;
        let _lock = self.job_lock(cancel, on)?;
        let (done, _) = self.store.backfill_hunks(cancel, &mut |p| {
            on(&Event::Hunks {
                done: p.done,
                total: p.total,
            })
        })?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::cancelled());
        }
        Ok(done)
    }

    /// Every series in the archive whose patches change the function (or
    /// macro) `name`, newest first. Hunks are attributed with the line
    /// spans of `tree` (default: the tree indexed last) where it has the
    /// file, else from the diffs' own lines. [`NotFound::Symbol`] (with
    /// near matches) when no patch changes it and no tree defines it.
    pub fn code_history(&self, name: &str, tree: Option<&str>) -> Result<crate::code::History> {
        let ix = match crate::code::open(&self.layout) {
            Ok(ix) => Some(ix),
            Err(Error::Code(lpl_code::Error::NoTrees)) => None,
            Err(e) => return Err(e),
        };
        let h = crate::code::history(&self.store, self.library()?, ix.as_ref(), name, tree)?;
        if h.entries.is_empty()
            && h.definitions.is_empty()
            && let Some(ix) = &ix
        {
            return Err(crate::code::not_defined(ix, name, h.tree.as_deref()));
        }
        Ok(h)
    }

    /// How much the archive holds, as understood.
    pub fn overview(&self) -> Result<Overview> {
        if self.library.get().is_none()
            && crate::understanding::is_current(&self.store)?
            && let Some(o) = crate::understanding::overview(&self.store)?
        {
            return Ok(o);
        }
        let lib = self.library()?;
        Ok(Overview {
            messages: lib.metas.len(),
            threads: lib.analysis.threads.roots().count(),
            revisions: lib.revisions().len(),
            chains: lib.analysis.chains.chains.len(),
        })
    }

    /// Every source imported, with its counts.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        Ok(self.store.sources()?)
    }

    /// The items skipped in source `id`: (location, reason).
    pub fn skipped(&self, source: i64) -> Result<Vec<(String, String)>> {
        Ok(self.store.skipped(source)?)
    }

    /// Counts over the archive.
    pub fn stats(&self) -> Result<StoreStats> {
        Ok(self.store.stats()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn a_workspace_moves_to_another_thread() {
        assert_send::<Workspace>();
    }
}
