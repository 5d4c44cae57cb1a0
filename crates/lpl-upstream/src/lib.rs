//! Map mailed patches to upstream commits and to the first release tag that
//! contains them, in a local git repository (read through gix, never by
//! running `git`).
//!
//! The pieces:
//!
//! * [`index`]: walks the repository's non-merge commits and records, for
//!   each, its `git patch-id --stable` (computed from a diff generated with gix
//!   tree diff + `gix::diff::blob` Myers with git's indent heuristic, 3 lines of
//!   context, no rename detection), subject, author, dates, files touched,
//!   `Link:`/`Message-ID:` trailers and a fingerprint of its changed lines.
//!   Incremental: a second run only reads commits that are new since the last
//!   run's tips.
//! * [`tags`]: the first release tag containing each commit (see the module
//!   for the method: tags in version order, each walk stops at commits already
//!   claimed by an earlier tag, so every commit is visited once).
//! * [`store`]: the crate's own SQLite tables (`up_*`), created by
//!   [`store::migrate`] inside a connection the caller owns.
//! * [`matching`]: patches (Message-ID, subject, author, date, diff) to
//!   commits, strongest method first: `Link:` trailer, equal patch-id, same
//!   normalised subject and author, diff similarity.
//! * [`series`]: merged / partially merged / not merged / superseded.

pub mod diff_text;
mod error;
mod gitrepo;
pub mod ids;
pub mod index;
pub mod links;
pub mod matching;
pub mod series;
pub mod similarity;
pub mod store;
pub mod subject;
pub mod tags;

pub use error::Error;
pub use ids::CommitId;
pub use index::{IndexOptions, IndexReport, IndexedCommit, Progress};
pub use matching::{Match, MatchMethod, MatchOptions, MatchOutcome, PatchInput, UpstreamIndex};
pub use series::{Checked, SeriesInput, SeriesState, SeriesStatus};
