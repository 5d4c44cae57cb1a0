//! Progress of long operations, for progress bars and logs: the use cases
//! report through an `&mut dyn FnMut(&Event)` callback and never print.

use crate::import::ImportEvent;

/// Something a long operation wants the user to know, as it happens.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// Another process holds the archive's job lock (an import, fetch or
    /// sync running): this one waits for it (cancellable).
    Waiting {
        /// What is waited for.
        reason: String,
    },
    /// An import of one source reported progress.
    Import(ImportEvent),
    /// A download starts.
    Downloading {
        /// What is asked for.
        what: String,
    },
    /// An epoch is being cloned or fetched.
    Mirroring {
        /// The list.
        list: String,
        /// The epoch URL.
        url: String,
    },
    /// The full-text index is being brought up to date.
    Index(IndexEvent),
    /// The understanding of the archive (threads, series, chains) is being
    /// brought up to date.
    Understanding(UnderstandEvent),
    /// The hunks of patches stored by an older lpl are being recorded
    /// (once, before the first `lpl code history`).
    Hunks {
        /// Patches done.
        done: u64,
        /// Patches to do.
        total: u64,
    },
}

/// Phases of keeping the saved understanding of the archive current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnderstandEvent {
    /// Analysing the archive's messages.
    Analysing,
    /// Saving what was concluded: `revisions` series revisions (those of
    /// the units that changed).
    Saving {
        /// Series revisions written.
        revisions: usize,
    },
    /// Units written so far (a whole re-save, after a new analysis
    /// version, writes every unit: seconds on a large archive).
    Writing {
        /// Units written.
        done: u64,
        /// Units to write.
        total: u64,
    },
    /// The understanding is current.
    Done,
}

/// Phases of keeping the full-text index current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexEvent {
    /// The index on disk was written by another version of lpl (or is
    /// damaged): it was removed and is rebuilt from the archive now.
    Rebuilding,
    /// Indexing messages stored earlier but not indexed yet: `done` so far.
    CatchingUp {
        /// Messages indexed so far.
        done: u64,
    },
    /// Writing the index to disk.
    Committing,
    /// The index is current.
    Done,
}
