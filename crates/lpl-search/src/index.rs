//! The on-disk index: open, add, delete, commit, search.
//!
//! A directory holds immutable segment files (`seg-NNNNNNNN.lpl`, see
//! [`crate::segment`]) and `meta.json`, which names the live segments, the
//! documents deleted from each and the caller's payload. A commit writes
//! new segments, then replaces `meta.json` atomically (write, fsync,
//! rename): a crash leaves the previous commit intact and at worst an
//! unreferenced segment file, removed by the next writer. One writer at a
//! time holds `writer.lock`; readers take no lock.
//!
//! Documents are turned into segments on a thread of their own while the
//! caller goes on; a segment is flushed when its buffers pass the memory
//! budget. Small segments are merged when a level of the tier has
//! [`MERGE_FAN_IN`] of them, so the count stays logarithmic.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::doc::{Addr, DocKey, DocKind, SearchDoc};
use crate::eval::{Bits, Eval, Planner, Stats};
use crate::fields::{Field, NAMES};
use crate::query::{self, Node, QueryError};
use crate::segment::{Builder, DocMeta, Segment, Source, copy_into};

/// The fields and columns, as recorded in `meta.json`: an index written
/// with others is rebuilt.
fn schema() -> Vec<String> {
    NAMES
        .iter()
        .chain(&["ts", "day", "second", "rt"])
        .map(|s| (*s).to_owned())
        .collect()
}

/// Name of the format written in `meta.json`: its layout and the analysis
/// of text (what one word is). An index of another format is rebuilt.
/// `lpl-index-2`: segments carry page checksums and `meta.json` its own.
/// `lpl-index-3`: CJK runs are indexed as bigrams (and unigrams), no longer
/// as one word per run.
/// `lpl-index-4`: a 22nd field, `dffn:` (the functions a hunk changes).
pub(crate) const FORMAT: &str = "lpl-index-4";
/// Segments of one size level merged together.
const MERGE_FAN_IN: usize = 8;
/// Largest merge input, in segment file bytes.
const MERGE_MAX_BYTES: u64 = 48 << 20;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text is malformed.
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    /// The index directory could not be opened or created.
    #[error("cannot open index at {path}: {source}")]
    Open {
        /// Index directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// The index on disk was written with another schema (by another
    /// version of lpl, which split words differently): it must be rebuilt.
    #[error(
        "the search index at {path} was written by another version of lpl (format {found}; this one reads {FORMAT})"
    )]
    SchemaChanged {
        /// Index directory.
        path: PathBuf,
        /// The format it names (`unknown` when none, e.g. a tantivy index).
        found: String,
    },
    /// A segment file is missing or corrupt (the index is derived data: it
    /// can be rebuilt).
    #[error("the search index is damaged at {path}: {reason}")]
    Damaged {
        /// The segment file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another process is writing the index.
    #[error(
        "the search index at {path} is being written by another process (an lpl import, fetch or sync): try again when it is done"
    )]
    Locked {
        /// Index directory.
        path: PathBuf,
    },
    /// The index was opened read-only and a write was attempted.
    #[error("index opened read-only")]
    ReadOnly,
    /// Reading or writing the index failed.
    #[error("index I/O at {path}: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
}

/// Knobs for opening an index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Open for writing (takes the single-writer lock).
    pub writable: bool,
    /// Memory budget of the segment being built, in bytes: past it the
    /// segment is written out and a new one started. Default 128 MB.
    pub writer_memory: usize,
    /// Threads that build segments, 1 to 8, sharing `writer_memory`: new
    /// documents ([`SearchIndex::add_new`]) are spread over them, documents
    /// that may replace another all go to the first.
    pub threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            writable: true,
            writer_memory: 128 << 20,
            threads: 1,
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Best match first (BM25), ties newest first.
    #[default]
    Relevance,
    /// Newest first.
    DateDesc,
    /// Oldest first.
    DateAsc,
}

/// Knobs for one search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Skip this many hits first.
    pub offset: usize,
    /// Ranking.
    pub order: Order,
    /// "Now" for relative dates (`d:2.weeks.ago..`), unix seconds.
    pub now: i64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 50,
            offset: 0,
            order: Order::Relevance,
            now: 0,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The caller's key.
    pub key: DocKey,
    /// What the document is.
    pub kind: DocKind,
    /// Notebook anchor, if the document has one.
    pub anchor: Option<String>,
    /// Date (unix seconds), if known.
    pub date: Option<i64>,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
}

/// Results of [`SearchIndex::search`].
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// Total number of matching documents.
    pub total: usize,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// Wildcard prefixes (`a` of `a*`) that matched more than
    /// [`crate::MAX_WILDCARD_TERMS`] words: only the first were searched.
    pub capped_wildcards: Vec<String>,
}

/// A live segment with its deletions.
#[derive(Clone)]
struct Live {
    name: String,
    seg: Arc<Segment>,
    /// Deleted local documents, sorted.
    deleted: Vec<u32>,
}

impl Live {
    fn live_docs(&self) -> u64 {
        u64::from(self.seg.ndocs).saturating_sub(self.deleted.len() as u64)
    }
}

/// A segment written by the builder thread, not committed yet.
struct Pending {
    name: String,
    source: Source,
    deleted: Vec<u32>,
}

/// Documents go to the builder thread in batches: one at a time, each
/// receive woke the blocked sender with a futex call, 8% of the builder's
/// time.
const SEND_BATCH: usize = 32;

enum Msg {
    /// Documents, each with whether it may replace an earlier one with its
    /// key.
    Add(Vec<(Box<SearchDoc>, bool)>),
}

struct Writer {
    /// One channel per builder thread (none until the first document).
    txs: Vec<SyncSender<Msg>>,
    /// Documents not sent yet (fewer than [`SEND_BATCH`]), and whether
    /// one of them may replace an earlier document.
    queue: Vec<(Box<SearchDoc>, bool)>,
    queue_replaces: bool,
    /// Builder threads, and the one the next batch of new documents goes
    /// to.
    workers: Vec<JoinHandle<io::Result<Vec<Pending>>>>,
    threads: usize,
    turn: usize,
    _lock: Option<File>,
    /// Keys added with replace, or deleted, in order (`true`: delete).
    ops: Vec<(String, bool)>,
    budget: usize,
}

impl Writer {
    /// A writer with no builder thread yet (started by the first document).
    fn new(options: &IndexOptions, lock: Option<File>) -> Self {
        Writer {
            txs: Vec::new(),
            queue: Vec::new(),
            queue_replaces: false,
            workers: Vec::new(),
            threads: options.threads.clamp(1, 8),
            turn: 0,
            _lock: lock,
            ops: Vec::new(),
            budget: options.writer_memory.max(1 << 20),
        }
    }

    /// Sends the queued documents to a builder: new documents go round
    /// robin, a batch with a document that may replace another goes to
    /// builder 0, so that every copy of a replaced key is in builder 0's
    /// segments in the order added, which is what the commit's "the last
    /// add wins" reads. (A key given to `add_new` is not in the index and
    /// not added again before the commit, so it has no earlier copy.)
    /// Returns false when the builder is gone (it stopped on an error).
    fn send_queue(&mut self) -> bool {
        let n = self.txs.len();
        if n == 0 {
            return false;
        }
        let to = if self.queue_replaces {
            0
        } else {
            self.turn = (self.turn + 1) % n;
            self.turn
        };
        self.queue_replaces = false;
        let batch = std::mem::replace(&mut self.queue, Vec::with_capacity(SEND_BATCH));
        self.txs[to].send(Msg::Add(batch)).is_ok()
    }
}

/// A full-text index directory (or an index in memory).
pub struct SearchIndex {
    dir: Option<PathBuf>,
    segments: Vec<Live>,
    payload: Option<String>,
    next_seq: u64,
    writer: Option<Writer>,
    dirty: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("segments", &self.segments.len())
            .field("writable", &self.writer.is_some())
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    format: String,
    fields: Vec<String>,
    segments: Vec<MetaSegment>,
    payload: Option<String>,
    next_seq: u64,
    /// CRC-32 of this record serialized with `crc32: None` (a flipped byte
    /// that still parses, in a deleted list or the payload, would otherwise
    /// give wrong answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crc32: Option<u32>,
}

impl Meta {
    fn sum(&self) -> Option<u32> {
        let unsealed = Meta {
            format: self.format.clone(),
            fields: self.fields.clone(),
            segments: self
                .segments
                .iter()
                .map(|s| MetaSegment {
                    name: s.name.clone(),
                    deleted: s.deleted.clone(),
                })
                .collect(),
            payload: self.payload.clone(),
            next_seq: self.next_seq,
            crc32: None,
        };
        serde_json::to_vec(&unsealed)
            .ok()
            .map(|b| crc32fast::hash(&b))
    }
}

/// Reads `meta.json`: `SchemaChanged` for another format (an older lpl, a
/// tantivy index), `Damaged` for bytes that are not a sound record of ours.
fn parse_meta(bytes: &[u8], dir: &Path, path: &Path) -> Result<Meta, Error> {
    let damaged = |reason: &str| Error::Damaged {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| damaged(&format!("not valid JSON ({e})")))?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(FORMAT) => {}
        // Another format (e.g. a tantivy index of an older lpl).
        other => {
            return Err(Error::SchemaChanged {
                path: dir.to_owned(),
                found: other.unwrap_or("unknown").chars().take(40).collect(),
            });
        }
    }
    let meta: Meta = serde_json::from_value(value)
        .map_err(|e| damaged(&format!("not a commit record ({e})")))?;
    if meta.fields != schema() {
        return Err(Error::SchemaChanged {
            path: dir.to_owned(),
            found: format!("{FORMAT} with other fields"),
        });
    }
    if meta.crc32.is_none() || meta.crc32 != meta.sum() {
        return Err(damaged("checksum mismatch"));
    }
    for s in &meta.segments {
        // Names are ours: a damaged one must not reach outside the index.
        if !(s.name.starts_with("seg-") && s.name.ends_with(".lpl")) || s.name.contains(['/', '\\'])
        {
            return Err(damaged("bad segment name"));
        }
    }
    Ok(meta)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MetaSegment {
    name: String,
    deleted: Vec<u32>,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn kind_code(k: DocKind) -> u8 {
    match k {
        DocKind::Message => 0,
        DocKind::Entry => 1,
        DocKind::Note => 2,
        DocKind::Question => 3,
    }
}

fn kind_of(c: u8) -> DocKind {
    match c {
        1 => DocKind::Entry,
        2 => DocKind::Note,
        3 => DocKind::Question,
        _ => DocKind::Message,
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if
    /// needed.
    pub fn open(dir: &Path, options: &IndexOptions) -> Result<Self, Error> {
        let open_err = |source| Error::Open {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(open_err)?;
        let lock = if options.writable {
            let f = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join("writer.lock"))
                .map_err(open_err)?;
            match f.try_lock() {
                Ok(()) => Some(f),
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: dir.to_owned(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(open_err(e)),
            }
        } else {
            None
        };
        let mut index = Self {
            dir: Some(dir.to_owned()),
            segments: Vec::new(),
            payload: None,
            next_seq: 1,
            writer: None,
            dirty: false,
        };
        index.load()?;
        if let Some(lock) = lock {
            index.remove_unreferenced();
            index.writer = Some(Writer::new(options, Some(lock)));
        }
        Ok(index)
    }

    /// An index in memory (tests, benchmarks, the notebook).
    pub fn in_memory(options: &IndexOptions) -> Result<Self, Error> {
        Ok(Self {
            dir: None,
            segments: Vec::new(),
            payload: None,
            next_seq: 1,
            writer: Some(Writer::new(options, None)),
            dirty: false,
        })
    }

    /// (Re)reads `meta.json` and opens its segments, keeping those already
    /// open.
    fn load(&mut self) -> Result<(), Error> {
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        let meta_path = dir.join("meta.json");
        // A writer may replace meta.json and drop merged segments between
        // the two reads: read again.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let bytes = match std::fs::read(&meta_path) {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    self.segments.clear();
                    self.payload = None;
                    return Ok(());
                }
                Err(e) => return Err(io_err(&meta_path)(e)),
            };
            let meta = parse_meta(&bytes, &dir, &meta_path)?;
            let mut segments = Vec::with_capacity(meta.segments.len());
            let mut missing = false;
            for ms in &meta.segments {
                if let Some(l) = self.segments.iter().find(|l| l.name == ms.name) {
                    segments.push(Live {
                        deleted: ms.deleted.clone(),
                        ..l.clone()
                    });
                    continue;
                }
                let path = dir.join(&ms.name);
                match File::open(&path) {
                    Ok(f) => {
                        let seg = Segment::open(Source::File(Arc::new(f))).map_err(|e| {
                            if e.kind() == io::ErrorKind::InvalidData {
                                Error::Damaged {
                                    path: path.clone(),
                                    reason: e.to_string(),
                                }
                            } else {
                                io_err(&path)(e)
                            }
                        })?;
                        segments.push(Live {
                            name: ms.name.clone(),
                            seg: Arc::new(seg),
                            deleted: ms.deleted.clone(),
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 5 => {
                        missing = true;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        return Err(Error::Damaged {
                            path,
                            reason: "a segment named by meta.json is missing".into(),
                        });
                    }
                    Err(e) => return Err(io_err(&path)(e)),
                }
            }
            if missing {
                continue;
            }
            self.segments = segments;
            self.payload = meta.payload;
            self.next_seq = self.next_seq.max(meta.next_seq);
            return Ok(());
        }
    }

    /// Removes segment files no commit refers to (left by a crash).
    fn remove_unreferenced(&mut self) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("seg-") && name.ends_with(".lpl");
            if let Some(n) = name
                .strip_prefix("seg-")
                .and_then(|r| r.strip_suffix(".lpl"))
                .and_then(|n| n.parse::<u64>().ok())
            {
                self.next_seq = self.next_seq.max(n + 1);
            }
            if ours && !self.segments.iter().any(|l| l.name == name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    fn writer(&mut self) -> Result<&mut Writer, Error> {
        let next = &mut self.next_seq;
        let dir = self.dir.clone();
        let w = self.writer.as_mut().ok_or(Error::ReadOnly)?;
        if w.txs.is_empty() {
            // The budget is shared: each builder fills segments of its part.
            let budget = (w.budget / w.threads).max(1 << 20);
            for _ in 0..w.threads {
                let (tx, rx) = sync_channel::<Msg>(256 / SEND_BATCH);
                let first = *next;
                // Sequence numbers for this worker's segments: reserved in
                // a block (a worker writes few segments between commits).
                *next += 1 << 10;
                let dir = dir.clone();
                let worker = std::thread::Builder::new()
                    .name("lpl-index".into())
                    .spawn(move || build_segments(rx, dir, first, budget))
                    .map_err(|e| Error::Io {
                        path: PathBuf::from("<thread>"),
                        source: e,
                    })?;
                w.txs.push(tx);
                w.workers.push(worker);
            }
        }
        Ok(w)
    }

    fn send(&mut self, doc: Box<SearchDoc>, replace: bool) -> Result<(), Error> {
        self.dirty = true;
        let w = self.writer()?;
        w.queue.push((doc, replace));
        w.queue_replaces |= replace;
        if w.queue.len() < SEND_BATCH {
            return Ok(());
        }
        if !w.send_queue() {
            // A builder stopped on an error: commit reports it.
            self.finish_worker()?;
        }
        Ok(())
    }

    /// Adds (or replaces) a document. Visible after [`SearchIndex::commit`].
    pub fn add(&mut self, doc: &SearchDoc) -> Result<(), Error> {
        let key = doc.key.as_str().to_owned();
        self.send(Box::new(doc.clone()), true)?;
        if let Some(w) = self.writer.as_mut() {
            w.ops.push((key, false));
        }
        Ok(())
    }

    /// Adds a document whose key is known not to be indexed yet (no
    /// replace): the bulk path of an import, where keys are new store rows
    /// above the committed watermark ([`SearchIndex::payload`]).
    pub fn add_new(&mut self, doc: &SearchDoc) -> Result<(), Error> {
        self.send(Box::new(doc.clone()), false)
    }

    /// [`SearchIndex::add_new`] without a copy of the document.
    pub fn add_new_owned(&mut self, doc: Box<SearchDoc>) -> Result<(), Error> {
        self.send(doc, false)
    }

    /// Removes the document with `key`, if any. Visible after commit.
    pub fn delete(&mut self, key: &DocKey) -> Result<(), Error> {
        let w = self.writer.as_mut().ok_or(Error::ReadOnly)?;
        w.ops.push((key.as_str().to_owned(), true));
        self.dirty = true;
        Ok(())
    }

    /// Waits for the builder threads; returns the segments they wrote.
    fn finish_worker(&mut self) -> Result<Vec<Pending>, Error> {
        let path = self.dir.clone().unwrap_or_default();
        let Some(w) = self.writer.as_mut() else {
            return Ok(Vec::new());
        };
        if !w.queue.is_empty() && !w.txs.is_empty() {
            // An error of a builder is what the joins below report.
            w.send_queue();
        }
        w.queue.clear();
        w.queue_replaces = false;
        w.txs.clear();
        let mut out = Vec::new();
        let mut failed = None;
        // Builder 0 first: it holds every document that may replace
        // another, in order (see `Writer::send_queue`).
        for h in w.workers.drain(..) {
            let r = h.join().map_err(|_| Error::Io {
                path: path.clone(),
                source: io::Error::other("index builder thread panicked"),
            });
            match r.and_then(|r| r.map_err(io_err(&path))) {
                Ok(p) => out.extend(p),
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Commits like [`SearchIndex::commit`], storing `payload` atomically
    /// with the commit (e.g. the last store row indexed).
    pub fn commit_with_payload(&mut self, payload: &str) -> Result<(), Error> {
        self.commit_inner(Some(payload.to_owned()))
    }

    /// The payload of the last commit, if any.
    pub fn payload(&self) -> Result<Option<String>, Error> {
        Ok(self.payload.clone())
    }

    /// Makes added and deleted documents durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), Error> {
        if self.writer.is_none() {
            return self.reload_inner();
        }
        if !self.dirty {
            return Ok(());
        }
        self.commit_inner(None)
    }

    fn commit_inner(&mut self, payload: Option<String>) -> Result<(), Error> {
        if self.writer.is_none() {
            return Err(Error::ReadOnly);
        }
        let pending = self.finish_worker()?;
        let ops = self
            .writer
            .as_mut()
            .map(|w| std::mem::take(&mut w.ops))
            .unwrap_or_default();
        let mut segments = self.segments.clone();
        for p in pending {
            let seg = Segment::open(p.source).map_err(io_err(&self.path_of(&p.name)))?;
            segments.push(Live {
                name: p.name,
                seg: Arc::new(seg),
                deleted: p.deleted,
            });
        }
        apply_ops(&mut segments, &ops).map_err(io_err(&self.path_of("")))?;
        let merged = self.merge(&mut segments)?;
        if payload.is_some() {
            self.payload = payload;
        }
        self.write_meta(&segments)?;
        let old: Vec<String> = self
            .segments
            .iter()
            .map(|l| l.name.clone())
            .chain(merged)
            .filter(|n| !segments.iter().any(|l| &l.name == n))
            .collect();
        self.segments = segments;
        if let Some(dir) = &self.dir {
            for n in old {
                let _ = std::fs::remove_file(dir.join(n));
            }
        }
        self.dirty = false;
        Ok(())
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.dir.as_ref().map(|d| d.join(name)).unwrap_or_default()
    }

    /// Merges levels that hold [`MERGE_FAN_IN`] segments; returns the names
    /// of the segments merged away.
    fn merge(&mut self, segments: &mut Vec<Live>) -> Result<Vec<String>, Error> {
        let mut gone = Vec::new();
        loop {
            // Tiers of file size, powers of 8 from 32 KB. A merge holds its
            // whole output in memory, so none grows past MERGE_MAX_BYTES:
            // an import's own segments (tens of MB) are left as they are.
            let level = |l: &Live| {
                let units = (l.seg.bytes >> 12).max(1);
                (63 - units.leading_zeros()) / 3
            };
            let mut pick: Option<Vec<usize>> = None;
            for lv in 0..22 {
                let at: Vec<usize> = (0..segments.len())
                    .filter(|&i| level(&segments[i]) == lv)
                    .take(MERGE_FAN_IN)
                    .collect();
                let bytes: u64 = at.iter().map(|&i| segments[i].seg.bytes).sum();
                if at.len() == MERGE_FAN_IN && bytes <= MERGE_MAX_BYTES {
                    pick = Some(at);
                    break;
                }
            }
            let Some(pick) = pick else { break };
            let mut b = Builder::new();
            for &i in &pick {
                let l = &segments[i];
                copy_into(&mut b, &l.seg, &l.deleted).map_err(io_err(&self.path_of(&l.name)))?;
            }
            let name = format!("seg-{:08}.lpl", self.next_seq);
            self.next_seq += 1;
            let source = write_segment(self.dir.as_deref(), &name, b)
                .map_err(io_err(&self.path_of(&name)))?;
            let seg = Segment::open(source).map_err(io_err(&self.path_of(&name)))?;
            let first = pick[0];
            for &i in pick.iter().rev() {
                gone.push(segments.remove(i).name);
            }
            segments.insert(
                first,
                Live {
                    name,
                    seg: Arc::new(seg),
                    deleted: Vec::new(),
                },
            );
        }
        Ok(gone)
    }

    fn write_meta(&mut self, segments: &[Live]) -> Result<(), Error> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let meta = Meta {
            format: FORMAT.into(),
            fields: schema(),
            segments: segments
                .iter()
                .map(|l| MetaSegment {
                    name: l.name.clone(),
                    deleted: l.deleted.clone(),
                })
                .collect(),
            payload: self.payload.clone(),
            next_seq: self.next_seq,
            crc32: None,
        };
        let meta = Meta {
            crc32: meta.sum(),
            ..meta
        };
        let tmp = dir.join("meta.json.tmp");
        let path = dir.join("meta.json");
        let bytes = serde_json::to_vec(&meta).map_err(|e| io_err(&path)(io::Error::other(e)))?;
        (|| -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            File::open(dir)?.sync_all()
        })()
        .map_err(io_err(&path))
    }

    fn reload_inner(&mut self) -> Result<(), Error> {
        self.load()
    }

    /// Picks up commits made by another process's writer.
    pub fn reload(&mut self) -> Result<(), Error> {
        self.reload_inner()
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.segments.iter().map(Live::live_docs).sum()
    }

    /// Parses and runs `query`.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Hits, Error> {
        let node = query::parse(query)?;
        self.search_node(&node, options)
    }

    /// Matching documents of every segment, with scores when ranking.
    #[allow(clippy::type_complexity)]
    fn run(
        &self,
        node: &Node,
        now: i64,
        scoring: bool,
    ) -> Result<(Vec<(Bits, Vec<f32>)>, Vec<String>), Error> {
        let planner = Planner {
            now,
            stemmer: crate::tokenize::english(),
        };
        let plan = planner.node(node);
        let segs: Vec<&Segment> = self.segments.iter().map(|l| &*l.seg).collect();
        let mut stats = Stats::new(&segs);
        let mut out = Vec::with_capacity(self.segments.len());
        for (si, l) in self.segments.iter().enumerate() {
            let Some(plan) = &plan else {
                out.push((Bits::empty(l.seg.ndocs), Vec::new()));
                continue;
            };
            let mut ev = Eval {
                seg: &l.seg,
                si,
                stats: &mut stats,
                scoring,
            };
            let m = ev.run(plan).map_err(io_err(&self.path_of(&l.name)))?;
            let mut bits = m.bits;
            let mut del = Bits::empty(l.seg.ndocs);
            for &d in &l.deleted {
                del.set(d);
            }
            bits.and_not(&del);
            out.push((bits, m.scores.unwrap_or_default()));
        }
        Ok((out, stats.capped))
    }

    /// Runs a parsed query.
    pub fn search_node(&self, node: &Node, options: &SearchOptions) -> Result<Hits, Error> {
        let scoring = options.order == Order::Relevance;
        let (matches, capped_wildcards) = self.run(node, options.now, scoring)?;
        let total = matches.iter().map(|(b, _)| b.count()).sum();
        // (segment, doc, date, score)
        let mut all: Vec<(usize, u32, i64, f32)> = Vec::with_capacity(total);
        for (si, (bits, scores)) in matches.iter().enumerate() {
            let seg = &self.segments[si].seg;
            let ts = seg
                .ts()
                .map_err(io_err(&self.path_of(&self.segments[si].name)))?;
            for d in bits.iter() {
                let date = ts.get(d as usize).copied().unwrap_or(i64::MIN);
                let score = scores.get(d as usize).copied().unwrap_or(0.0);
                all.push((si, d, date, score));
            }
        }
        let newest = |a: &(usize, u32, i64, f32), b: &(usize, u32, i64, f32)| {
            b.2.cmp(&a.2).then(b.0.cmp(&a.0)).then(b.1.cmp(&a.1))
        };
        let cmp = |a: &(usize, u32, i64, f32), b: &(usize, u32, i64, f32)| match options.order {
            Order::Relevance => b.3.total_cmp(&a.3).then_with(|| newest(a, b)),
            Order::DateDesc => newest(a, b),
            Order::DateAsc => newest(b, a),
        };
        // Only the requested page needs an order.
        let want = options.offset.saturating_add(options.limit);
        if want < all.len() {
            all.select_nth_unstable_by(want, cmp);
            all.truncate(want);
        }
        all.sort_by(cmp);
        let mut hits = Vec::new();
        for &(si, d, date, score) in all.iter().skip(options.offset).take(options.limit) {
            let l = &self.segments[si];
            let (key, kind, anchor) = l.seg.doc(d).map_err(io_err(&self.path_of(&l.name)))?;
            hits.push(Hit {
                key: DocKey::new(key),
                kind: kind_of(kind),
                anchor,
                date: (date != i64::MIN).then_some(date),
                score: if scoring { score } else { 0.0 },
            });
        }
        Ok(Hits {
            total,
            hits,
            capped_wildcards,
        })
    }

    /// Keys of every document matching `query` (unordered), for tests and
    /// set operations.
    pub fn matching_keys(&self, query: &str, now: i64) -> Result<Vec<DocKey>, Error> {
        let node = query::parse(query)?;
        let (matches, _) = self.run(&node, now, false)?;
        let mut keys = Vec::new();
        for (si, (bits, _)) in matches.iter().enumerate() {
            let l = &self.segments[si];
            for d in bits.iter() {
                let (key, _, _) = l.seg.doc(d).map_err(io_err(&self.path_of(&l.name)))?;
                keys.push(DocKey::new(key));
            }
        }
        Ok(keys)
    }
}

/// Applies replaces and deletes by key, in order: a key's last add wins
/// over its earlier copies; a delete removes every copy added before it.
fn apply_ops(segments: &mut [Live], ops: &[(String, bool)]) -> io::Result<()> {
    let mut last: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for (k, del) in ops {
        last.insert(k, *del);
    }
    for (key, del) in last {
        // Every copy, oldest first.
        let mut copies: Vec<(usize, u32)> = Vec::new();
        for (si, l) in segments.iter().enumerate() {
            for d in l.seg.docs_with_key(key)? {
                if l.deleted.binary_search(&d).is_err() {
                    copies.push((si, d));
                }
            }
        }
        let keep = if del {
            copies.len()
        } else {
            copies.len().saturating_sub(1)
        };
        for &(si, d) in &copies[..keep] {
            let dl = &mut segments[si].deleted;
            if let Err(pos) = dl.binary_search(&d) {
                dl.insert(pos, d);
            }
        }
    }
    Ok(())
}

fn write_segment(dir: Option<&Path>, name: &str, b: Builder) -> io::Result<Source> {
    match dir {
        Some(dir) => {
            let path = dir.join(name);
            let f = File::create(&path)?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            b.write(&mut w)?;
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            Ok(Source::File(Arc::new(File::open(&path)?)))
        }
        None => {
            let mut v = Vec::new();
            b.write(&mut v)?;
            Ok(Source::Mem(Arc::new(v)))
        }
    }
}

/// The builder thread: documents in, segments out. A full segment is
/// written (sorted, encoded, synced) on a thread of its own while the next
/// one fills.
fn build_segments(
    rx: Receiver<Msg>,
    dir: Option<PathBuf>,
    first_seq: u64,
    budget: usize,
) -> io::Result<Vec<Pending>> {
    let mut out = Vec::new();
    let mut seq = first_seq;
    let mut b = Builder::new();
    let mut writing: Option<JoinHandle<io::Result<Pending>>> = None;
    let join = |h: JoinHandle<io::Result<Pending>>| -> io::Result<Pending> {
        h.join()
            .map_err(|_| io::Error::other("segment writer thread panicked"))?
    };
    let mut flush = |b: Builder,
                     out: &mut Vec<Pending>,
                     writing: &mut Option<JoinHandle<io::Result<Pending>>>,
                     background: bool|
     -> io::Result<()> {
        if let Some(h) = writing.take() {
            out.push(join(h)?);
        }
        let name = format!("seg-{seq:08}.lpl");
        seq += 1;
        let dir = dir.clone();
        let job = move || -> io::Result<Pending> {
            let mut deleted = b.deleted.clone();
            deleted.sort_unstable();
            deleted.dedup();
            let source = write_segment(dir.as_deref(), &name, b)?;
            Ok(Pending {
                name,
                source,
                deleted,
            })
        };
        if background {
            *writing = Some(
                std::thread::Builder::new()
                    .name("lpl-index-write".into())
                    .spawn(job)?,
            );
        } else {
            out.push(job()?);
        }
        Ok(())
    };
    for msg in rx {
        match msg {
            Msg::Add(docs) => {
                for (doc, replace) in docs {
                    feed(&mut b, &doc, replace);
                    drop(doc);
                    if b.memory() > budget || b.full() {
                        flush(std::mem::take(&mut b), &mut out, &mut writing, true)?;
                    }
                }
            }
        }
    }
    if b.len() > 0 {
        flush(b, &mut out, &mut writing, false)?;
    } else if let Some(h) = writing.take() {
        out.push(join(h)?);
    }
    Ok(out)
}

/// The words of a document, field by field.
fn feed(b: &mut Builder, d: &SearchDoc, replace: bool) {
    b.raw(Field::Key, d.key.as_str());
    b.raw(Field::Kind, d.kind.as_str());
    if let Some(mid) = &d.message_id {
        b.raw(Field::Mid, mid);
        b.text(Field::Xm, mid);
        // public-inbox also indexes the long words of long Message-IDs.
        if has_word_run(mid, 12) {
            let long: Vec<&str> = mid
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| w.chars().count() >= 3)
                .collect();
            b.text(Field::Xm, &long.join(" "));
        }
    }
    if !d.subject.is_empty() {
        b.text(Field::Subject, &d.subject);
    }
    for (field, addrs) in [
        (Field::From, &d.from),
        (Field::To, &d.to),
        (Field::Cc, &d.cc),
    ] {
        if !addrs.is_empty() {
            b.text(field, &addresses(addrs));
        }
    }
    if let Some(l) = &d.list_id {
        let l = l.to_lowercase();
        b.raw(Field::Lid, &l);
        b.text(Field::List, &l);
    }
    let body = &d.body;
    for (field, values) in [
        (Field::Quoted, &body.quoted),
        (Field::Unquoted, &body.unquoted),
        (Field::Dfn, &body.diff.files),
        (Field::Dfa, &body.diff.removed),
        (Field::Dfb, &body.diff.added),
        (Field::Dfctx, &body.diff.context),
        (Field::Dfhh, &body.diff.hunk_headers),
        (Field::Dffn, &body.diff.functions),
    ] {
        for v in values.iter() {
            b.text(field, v);
        }
    }
    for (field, ids) in [
        (Field::DfPre, &body.diff.pre_blobs),
        (Field::DfPost, &body.diff.post_blobs),
    ] {
        for id in ids.iter() {
            b.raw(field, id);
        }
    }
    if let Some(p) = &d.patch_id {
        b.raw(Field::PatchId, p);
    }
    for name in &d.attachments {
        b.text(Field::FileName, name);
    }
    let (day, second) = d
        .date
        .and_then(crate::date::index_values)
        .map_or((None, None), |(a, b)| (Some(a), Some(b)));
    b.end_doc(
        DocMeta {
            key: d.key.as_str().to_owned(),
            kind: kind_code(d.kind),
            anchor: d.anchor.clone(),
            ts: d.date,
            day,
            second,
            rt: d.received,
        },
        replace,
    );
}

fn has_word_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn addresses(addrs: &[Addr]) -> String {
    let mut s = String::new();
    for a in addrs {
        if !s.is_empty() {
            s.push_str(", ");
        }
        if let Some(n) = &a.name {
            s.push_str(n);
            s.push(' ');
        }
        s.push_str(&a.email);
    }
    s
}
