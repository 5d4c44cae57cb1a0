//! Use cases shared by the `lpl` front ends (command line, terminal UI,
//! web UI), behind one handle: [`Workspace`].
//!
//! A workspace owns a data directory's layout ([`layout::Layout`]) and
//! offers every use case as a method: import, fetch, sync, show, series,
//! thread, revisions, am, search, upstream, notebook, sources. Writing use
//! cases keep everything derived (the search index, the understanding of
//! threads and series) current by themselves. Long operations report
//! progress through an [`Event`] callback and honour a cancel flag; every
//! answer is a plain view struct that front ends render. Nothing here
//! prints or reads the environment.
//!
//! Errors ([`Error`]) keep their source (store, search, upstream, lore,
//! notebook, I/O); what the user named that was not found or made no sense
//! is [`error::NotFound`] or [`error::Invalid`], structured.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod code;
pub mod diff;
pub mod diff_repo;
pub mod error;
pub mod event;
pub mod fetch;
pub mod import;
pub mod layout;
mod library;
pub mod notebook;
pub mod present;
pub mod quickstart;
pub mod reply;
pub mod review;
pub mod search;
pub mod series;
pub mod show;
pub mod time;
mod understanding;
pub mod upstream;
mod workspace;

pub use error::{Error, Kept, KeptFrom, Result};
pub use event::{Event, IndexEvent, UnderstandEvent};
pub use layout::{Component, Layout};
pub use library::short_id;
pub use workspace::{
    Access, AmExport, ImportOutcome, Overview, Reply, SearchOptions, SeriesShown, ShowAs, Shown,
    ThreadView, Workspace,
};

/// Types of the library crates that views carry, for front ends (which
/// depend on this crate alone).
pub mod types {
    pub use lpl_lore::mirror::MirrorOptions;
    pub use lpl_mail::{Address, MailDate, SubjectTags, Trailer};
    pub use lpl_series::{Counts, LinkReason, SeriesKind};
    pub use lpl_store::{DiskFault, SourceRow, StoreStats};
    pub use lpl_upstream::{
        Checked, CommitId, IndexReport, Match, MatchOptions, Progress as UpstreamProgress,
        SeriesState, SeriesStatus,
    };
}
