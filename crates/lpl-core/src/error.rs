//! The errors of the use cases: each keeps its source (store, search index,
//! upstream repository, lore, notebook, I/O), and what the user named that
//! was not found or did not make sense is structured, not a sentence.
//!
//! Front ends map them to what they show (the CLI: exit codes and hints, in
//! one place) by matching on the variants; nothing needs to parse a message.

use std::path::PathBuf;

/// Errors of the use cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store (SQLite database or message pack) failed.
    #[error(transparent)]
    Store(#[from] lpl_store::StoreError),
    /// The full-text index failed (damaged, written by another lpl, busy).
    #[error(transparent)]
    Search(#[from] lpl_search::Error),
    /// A source to import could not be opened.
    #[error(transparent)]
    Source(#[from] lpl_archive::OpenError),
    /// Talking to lore (or a mirror) failed.
    #[error(transparent)]
    Lore(#[from] lpl_lore::LoreError),
    /// Indexing or reading an upstream git repository failed.
    #[error(transparent)]
    Upstream(#[from] lpl_upstream::Error),
    /// Reading or writing the notebook file failed.
    #[error(transparent)]
    Notebook(#[from] NotebookError),
    /// The kernel source index failed (a tree that cannot be read, its
    /// database).
    #[error(transparent)]
    Code(#[from] lpl_code::Error),
    /// A file or directory of the data directory could not be used.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`create`, `write`, `lock` ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Nothing matched what the user named.
    #[error(transparent)]
    NotFound(#[from] NotFound),
    /// What the user gave does not make sense.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The workspace was opened read-only and the operation writes.
    #[error("the archive at {} was opened read-only", home.display())]
    ReadOnly {
        /// The data directory.
        home: PathBuf,
    },
    /// Nothing matched, but the full-text index lags behind the archive (a
    /// killed import, `meta.json` removed): "no match" would be a lie.
    #[error(
        "no message matches, but the search index is behind the archive (it holds messages up to row {through} of {last})"
    )]
    IndexBehind {
        /// The last row the index holds.
        through: i64,
        /// The archive's last row.
        last: i64,
    },
    /// The operation was cancelled through its cancel flag. What it had
    /// committed before is kept (each batch with its place in its source,
    /// so the next run goes on from there), and named in `kept`.
    #[error("cancelled ({kept})")]
    Cancelled {
        /// What was stored before the stop.
        kept: Kept,
    },
    /// A worker thread died (a bug).
    #[error("internal error: the {thread} thread panicked")]
    WorkerPanicked {
        /// Which thread.
        thread: &'static str,
    },
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of lore, where a cancelled download is a cancelled job
    /// (nothing of it stored).
    pub(crate) fn from_lore(e: lpl_lore::LoreError) -> Error {
        match e {
            lpl_lore::LoreError::Cancelled => Error::cancelled(),
            e => Error::Lore(e),
        }
    }

    /// A cancelled job's counts under the name of its source.
    pub(crate) fn kept_as(self, source: &str) -> Error {
        match self {
            Error::Cancelled { kept } => Error::Cancelled {
                kept: kept.renamed(source),
            },
            e => e,
        }
    }

    /// A cancelled job's counts after those of the work done before it.
    pub(crate) fn kept_after(self, earlier: Kept) -> Error {
        match self {
            Error::Cancelled { kept } => Error::Cancelled {
                kept: kept.after(earlier),
            },
            e => e,
        }
    }

    /// Cancelled before anything was stored.
    pub fn cancelled() -> Error {
        Error::Cancelled {
            kept: Kept::default(),
        }
    }

    /// The fault of the disk under the data directory behind this error
    /// (read-only, full), if that is what it is. A source or upstream
    /// repository that cannot be read is the user's input, not the data
    /// directory: never a disk fault; a notebook can only be on a full disk.
    pub fn disk_fault(&self) -> Option<lpl_store::DiskFault> {
        let fault = lpl_store::disk_fault(self);
        match self {
            Error::Source(_) | Error::Upstream(_) => None,
            // A tree that cannot be read is input; the index's own file
            // is under the data directory.
            Error::Code(lpl_code::Error::Io { .. } | lpl_code::Error::NotATree { .. }) => None,
            Error::Notebook(_) => fault.filter(|f| *f == lpl_store::DiskFault::Full),
            _ => fault,
        }
    }
}

/// What a cancelled job had stored before it stopped, per source: kept,
/// committed with each source's reading position.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Kept {
    /// Each source worked on, in order, with the new messages stored from
    /// it (sources that gave nothing new are left out).
    pub sources: Vec<KeptFrom>,
}

/// New messages stored from one source before a stop.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct KeptFrom {
    /// The source: a path, a Message-ID fetched, a list's epoch URL.
    pub source: String,
    /// New messages stored from it.
    pub messages: u64,
}

impl Kept {
    /// New messages stored in all.
    pub fn messages(&self) -> u64 {
        self.sources.iter().map(|s| s.messages).sum()
    }

    /// Counts `messages` more from `source` (nothing when zero).
    pub fn add(&mut self, source: impl Into<String>, messages: u64) {
        if messages == 0 {
            return;
        }
        let source = source.into();
        match self.sources.iter_mut().find(|s| s.source == source) {
            Some(s) => s.messages += messages,
            None => self.sources.push(KeptFrom { source, messages }),
        }
    }

    /// The same counts under one name (a fetch names its Message-ID, not
    /// the file it downloaded).
    pub(crate) fn renamed(self, source: &str) -> Kept {
        let mut k = Kept::default();
        k.add(source, self.messages());
        k
    }

    /// `earlier`'s sources, then this one's.
    pub(crate) fn after(self, earlier: Kept) -> Kept {
        let mut k = earlier;
        for s in self.sources {
            k.add(s.source, s.messages);
        }
        k
    }
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.messages();
        let s = if n == 1 { "" } else { "s" };
        match self.sources.as_slice() {
            [] => f.write_str("nothing new was stored"),
            [one] => write!(f, "kept {n} new message{s} from {}", one.source),
            many => write!(f, "kept {n} new message{s} from {} sources", many.len()),
        }
    }
}

fn versions(v: &[u32]) -> String {
    v.iter()
        .map(|v| format!("v{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Something the user named that the archive does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotFound {
    /// No archive in the data directory yet.
    #[error("no archive at {} yet", home.display())]
    Archive {
        /// The data directory.
        home: PathBuf,
    },
    /// No message with this Message-ID.
    #[error("no message <{message_id}> in the archive")]
    Message {
        /// The Message-ID.
        message_id: String,
    },
    /// The message exists but belongs to no series.
    #[error(
        "<{message_id}> is in the archive but belongs to no series (a discussion without patches?)"
    )]
    NoSeries {
        /// The Message-ID.
        message_id: String,
    },
    /// No series has this short id.
    #[error("no series with the id {id}")]
    SeriesId {
        /// The short id as given.
        id: String,
    },
    /// The chain has no such revision.
    #[error("no v{wanted} in this chain (known: {})", versions(known))]
    Revision {
        /// The revision asked for.
        wanted: u32,
        /// The revisions the chain has.
        known: Vec<u32>,
    },
    /// The revision named is the first of its chain: there is none before
    /// it to compare with.
    #[error(
        "v{revision} is the first revision known of this series (known: {}); name two revisions",
        versions(known)
    )]
    EarlierRevision {
        /// The revision named.
        revision: u32,
        /// The revisions the chain has.
        known: Vec<u32>,
    },
    /// The chain has one revision: nothing to compare.
    #[error(
        "only one revision of this series is known ({}); nothing to compare",
        versions(known)
    )]
    OneRevision {
        /// The revisions the chain has.
        known: Vec<u32>,
    },
    /// The revision has no patches (a cover letter alone).
    #[error("this revision has no patches to apply")]
    NoPatches,
    /// The full-text index does not exist yet.
    #[error("no search index yet")]
    SearchIndex,
    /// No merge status could be told for the series.
    #[error("no upstream status for this series")]
    UpstreamStatus,
    /// No list is registered for sync under this name.
    #[error("no list {name:?} is registered for sync")]
    SyncList {
        /// The name.
        name: String,
    },
    /// No list is registered for sync at all.
    #[error("no list is registered for sync")]
    NoSyncLists,
    /// No review note has this id.
    #[error("no review note {id}")]
    ReviewNote {
        /// The id as given.
        id: i64,
    },
    /// No indexed kernel tree defines this name.
    #[error("{name} is not defined in {}", tree.as_deref().unwrap_or("any indexed tree"))]
    Symbol {
        /// The name asked about.
        name: String,
        /// The tree looked in (`None`: every tree).
        tree: Option<String>,
        /// Defined names close to it, best first.
        near: Vec<String>,
    },
}

/// Input that does not make sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Not a Message-ID or a URL naming one.
    #[error("{arg:?} is not a Message-ID or lore URL")]
    MessageId {
        /// What was given.
        arg: String,
    },
    /// Neither a series id nor a Message-ID.
    #[error("{arg:?} is neither a series id (as `lpl series` prints) nor a Message-ID or lore URL")]
    SeriesRef {
        /// What was given.
        arg: String,
    },
    /// A short id that names several series.
    #[error("short id {id} is ambiguous ({count} series); give more digits")]
    AmbiguousId {
        /// The id as given.
        id: String,
        /// How many series it names.
        count: usize,
    },
    /// Not a `YYYY-MM-DD` date.
    #[error("{text:?} is not a date (expected YYYY-MM-DD)")]
    Date {
        /// What was given.
        text: String,
    },
    /// A list name that cannot name a mirror directory.
    #[error("{name:?} cannot be a list name: use letters, digits and -_.+@ (not first a dot)")]
    ListName {
        /// What was given.
        name: String,
    },
    /// A list URL without a usable last path segment.
    #[error("cannot name the list of {url}; give a name")]
    UnnamedList {
        /// The URL.
        url: String,
    },
    /// Two revisions to compare that are one.
    #[error(
        "v{revision} against itself: name two different revisions (known: {})",
        versions(known)
    )]
    SameRevision {
        /// The revision named twice.
        revision: u32,
        /// The revisions the chain has.
        known: Vec<u32>,
    },
    /// A directory given as a git repository is not one (or git cannot run).
    #[error("{}: {reason}", path.display())]
    Repository {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A review note without text.
    #[error("an empty note")]
    EmptyNote,
    /// `lore.json` in the data directory is unreadable.
    #[error("{}: {reason}", path.display())]
    LoreConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

pub use lpl_archive::OpenError as SourceError;
pub use lpl_lore::LoreError;
pub use lpl_notebook::edit::EditError;
pub use lpl_notebook::fsio::FileError;
pub use lpl_notebook::select::SelectError;
pub use lpl_search::Error as SearchError;
pub use lpl_store::StoreError;
pub use lpl_upstream::Error as UpstreamError;

/// The notebook: its file, or a name or edit that does not fit it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotebookError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    File(#[from] FileError),
    /// A name picked no entry or question, or several.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// The edit cannot be made.
    #[error(transparent)]
    Edit(#[from] EditError),
}

impl From<FileError> for Error {
    fn from(e: FileError) -> Self {
        Error::Notebook(e.into())
    }
}

impl From<SelectError> for Error {
    fn from(e: SelectError) -> Self {
        Error::Notebook(e.into())
    }
}

impl From<EditError> for Error {
    fn from(e: EditError) -> Self {
        Error::Notebook(e.into())
    }
}

impl Error {
    /// A failing action on a path of the data directory.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }

    /// The I/O error at the bottom of this one, if any (front ends tell a
    /// closed pipe or a full disk by its kind).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cur {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                return Some(io.kind());
            }
            cur = e.source();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_counts_per_source_in_order() {
        let mut earlier = Kept::default();
        earlier.add("a.mbox", 300);
        earlier.add("empty.mbox", 0);
        let mut now = Kept::default();
        now.add("b.mbox", 20);
        let k = now.after(earlier);
        assert_eq!(k.messages(), 320);
        assert_eq!(k.sources.len(), 2);
        assert_eq!(k.to_string(), "kept 320 new messages from 2 sources");
        assert_eq!(
            k.renamed("<x@y>").to_string(),
            "kept 320 new messages from <x@y>"
        );
        assert_eq!(Kept::default().to_string(), "nothing new was stored");
        let e = Error::cancelled().kept_after(Kept {
            sources: vec![KeptFrom {
                source: "a".into(),
                messages: 1,
            }],
        });
        assert_eq!(e.to_string(), "cancelled (kept 1 new message from a)");
    }
}
