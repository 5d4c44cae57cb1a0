//! Full-text search over messages and notebook items, with the query
//! language of public-inbox/lei (lore.kernel.org).
//!
//! Callers turn what they store into [`SearchDoc`]s (this crate knows
//! nothing of the store or of mail parsing), add them to a [`SearchIndex`]
//! living in a directory of their choice, [`SearchIndex::commit`], and run
//! queries such as `s:folio f:willy d:2024-01-01..` or
//! `dfn:mm/huge_memory.c dfhh:split_huge_page`. Hits come back as the
//! caller's [`DocKey`]s with scores; grouping into threads or series is the
//! caller's business.
//!
//! The prefixes and their meanings follow public-inbox's `Search.pm`, and the
//! tokenization follows Xapian's `TermGenerator` (see [`query`] for the
//! grammar and the crate README for the documented differences).
//!
//! ```
//! use lpl_search::{BodyText, DocKey, IndexOptions, SearchDoc, SearchIndex, SearchOptions};
//!
//! let mut index = SearchIndex::in_memory(&IndexOptions::default())?;
//! index.add(&SearchDoc {
//!     key: DocKey::new("1"),
//!     subject: "[PATCH] mm: split huge pages faster".into(),
//!     body: BodyText::from_text("diff --git a/mm/huge_memory.c b/mm/huge_memory.c\n"),
//!     ..SearchDoc::default()
//! })?;
//! index.commit()?;
//! let hits = index.search("s:split dfn:mm/huge_memory.c", &SearchOptions::default())?;
//! assert_eq!(hits.hits[0].key, DocKey::new("1"));
//! # Ok::<(), lpl_search::Error>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod date;
mod doc;
mod eval;
mod fields;
mod index;
mod mail;
pub mod query;
mod segment;
mod tokenize;

pub use doc::{Addr, BodyText, DiffText, DocKey, DocKind, Lines, SearchDoc};
pub use index::{Error, Hit, Hits, IndexOptions, Order, SearchIndex, SearchOptions};
pub use query::{QueryError, QueryErrorKind, parse};
