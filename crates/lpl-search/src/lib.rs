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

/// Most index terms one wildcard (`word*`) stands for, per segment: the
/// first ones in lexicon order. A query whose wildcard matched more says so
/// in [`Hits::capped_wildcards`].
pub const MAX_WILDCARD_TERMS: usize = 1000;

/// Entry points for the fuzz targets in `fuzz/` (not an API: no stability
/// promise). Each runs its input through the code under test and returns;
/// a panic is the finding.
#[doc(hidden)]
pub mod fuzzing {
    use std::sync::{Arc, OnceLock};

    use crate::doc::{BodyText, DocKey, SearchDoc};
    use crate::fields::ALL;
    use crate::index::{IndexOptions, SearchIndex, SearchOptions};
    use crate::segment::{self, Segment, Source};

    fn small_index() -> &'static SearchIndex {
        static INDEX: OnceLock<SearchIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            let mut ix = SearchIndex::in_memory(&IndexOptions::default())
                .unwrap_or_else(|e| panic!("in-memory index: {e}"));
            let texts = [
                ("mm: split a folio to any lower order", "Zi Yan", "ziy@nvidia.com"),
                ("io_uring: fix a race in poll", "Jens Axboe", "axboe@kernel.dk"),
                ("[PATCH v2 3/7] cgroup: rstat flush", "Tejun Heo", "tj@kernel.org"),
                ("Re: ééé ünïcode 中文 subject", "Jörg", "j@example.org"),
            ];
            for (i, (subject, name, email)) in texts.iter().enumerate() {
                let doc = SearchDoc {
                    key: DocKey::new(i.to_string()),
                    message_id: Some(format!("{i}@example.org")),
                    subject: (*subject).to_owned(),
                    from: vec![crate::Addr {
                        name: Some((*name).to_owned()),
                        email: (*email).to_owned(),
                    }],
                    date: Some(1_700_000_000 + 86_400 * i as i64),
                    body: BodyText::from_text(&format!(
                        "{subject}\n> quoted {name}\n\ndiff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,2 +1,2 @@ fn\n-old {i}\n+new {i}\n"
                    )),
                    ..SearchDoc::default()
                };
                ix.add(&doc).unwrap_or_else(|e| panic!("add: {e}"));
            }
            ix.commit().unwrap_or_else(|e| panic!("commit: {e}"));
            ix
        })
    }

    /// Parses `query` and runs it on a small index of four messages.
    pub fn search(query: &str) {
        let ix = small_index();
        for now in [0, 1_800_000_000, i64::MAX, i64::MIN] {
            let _ = ix.search(
                query,
                &SearchOptions {
                    now,
                    ..SearchOptions::default()
                },
            );
        }
    }

    /// Opens `bytes` as a segment (page sums and footer re-sealed, so the
    /// reader behind them is reached) and reads everything it offers.
    pub fn segment(bytes: &[u8]) {
        // Raw: the checks must refuse whatever this is, without a panic.
        let _ = Segment::open(Source::Mem(Arc::new(bytes.to_vec())));
        let Some(sealed) = segment::reseal(bytes) else {
            return;
        };
        let Ok(seg) = Segment::open(Source::Mem(Arc::new(sealed))) else {
            return;
        };
        for t in ["a", "folio", "\u{2}0", "zzzz", ""] {
            if let Ok(Some(id)) = seg.find(t) {
                for f in ALL {
                    let _ = seg.postings(id, f);
                    let _ = seg.df(id, f);
                }
            }
            let _ = seg.with_prefix(t, 100);
        }
        let docs: Vec<u32> = (0..seg.ndocs.min(64)).collect();
        for f in ALL {
            let _ = seg.forward(f, &docs);
            let _ = seg.norms(f);
        }
        for &d in &docs {
            let _ = seg.doc(d);
        }
        let _ = (seg.ts(), seg.day(), seg.second(), seg.rt());
        if seg.ndocs <= 4096 && seg.bytes <= 1 << 20 {
            let mut b = segment::Builder::new();
            if segment::copy_into(&mut b, &seg, &[]).is_ok() {
                let _ = b.write(&mut Vec::new());
            }
        }
    }
}
