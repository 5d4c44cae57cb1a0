//! The user's Markdown roadmap ("notebook"): byte-exact parse, edit and render.
//!
//! The notebook is the user's file: topics as headings, dated entries that
//! link a series on lore, notes nested under them, `[ ]` questions. This
//! crate reads it ([`Notebook::parse`]) without normalising anything, so the
//! unchanged document writes back byte for byte; edits ([`edit`]) are pure
//! functions returning new bytes and the exact lines changed; checks and the
//! HTML site ([`check`], [`html`]) read the archive through the [`Archive`]
//! trait, which `lpl-core` implements over the store.
//!
//! ```
//! use lpl_notebook::{Notebook, edit, select};
//!
//! let src = "## THP\n\n- 2024-02-26 [\\[PATCH v5 0/8\\] Split a folio - Zi Yan](https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/)\n";
//! let nb = Notebook::parse(src);
//! assert_eq!(nb.as_bytes(), src.as_bytes()); // the round trip is the source itself
//! let e = select::find_entry(&nb, "20240226205534.1603748-1-zi.yan@sent.com", None).unwrap();
//! let edit = edit::ask(&nb, e, "why order-1?").unwrap();
//! assert_eq!(edit.to_string(), "+ 4:   - [ ] why order-1?\n");
//! ```
//!
//! What it deliberately does not do: no store or archive access of its own,
//! no printing, no environment. The only file I/O is in [`fsio`] (atomic
//! save with backup and change detection, writing the rendered site).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod archive;
pub mod check;
pub mod code;
pub mod doc;
pub mod edit;
pub mod fsio;
pub mod html;
pub mod inline;
pub mod lore;
pub mod mojibake;
mod parse;
pub mod patches;
pub mod search;
pub mod select;

pub use archive::{
    Archive, CodeChange, CodeView, NoArchive, PatchView, PreviousDiff, RevisionView, SeriesView,
    TrailerCounts, UpstreamView,
};
pub use doc::{
    Date, Entry, Link, LinkKind, Mark, Note, NoteKind, Notebook, Progress, Question, Topic,
    TopicKind,
};
pub use lore::MessageId;
