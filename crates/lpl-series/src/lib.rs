//! Threads, series assembly, revision chains and review trailers.
//!
//! Everything here is pure: the caller hands in one [`MessageMeta`] per
//! message (built from `lpl_mail::Message` with [`MessageMeta::from_message`]
//! or filled from a store) and gets back plain data that refers to messages
//! by their index in that input slice.
//!
//! - [`thread::Threads`]: JWZ threading over `References`/`In-Reply-To`.
//! - [`series::assemble`]: each revision of a series as it was sent.
//! - [`chain::link_revisions`]: revision chains v1 -> v2 -> ... with reasons.
//! - [`trailers::collect`]: review trailers from replies, carried forward.
//! - [`am::write_mbox`]: a `git am`-ready mbox with trailers folded in.
//! - [`range_diff`]: `git range-diff` between two revisions, from the mail.

pub mod am;
pub mod chain;
pub mod input;
pub mod range_diff;
pub mod series;
pub mod thread;
pub mod trailers;

pub use chain::{Chains, Link, LinkReason, Override, OverrideKind, link_revisions};
pub use input::MessageMeta;
pub use series::{Assembly, PatchSlot, SeriesKind, SeriesRevision, Version, assemble};
pub use thread::{NodeId, Threads, TreeEntry};
pub use trailers::{CollectedTrailer, Counts, RevisionTrailers, collect};

/// The version of the analysis: bump it with any change to what threading,
/// assembly, chaining or trailer collection conclude, so that an archive
/// whose understanding was saved by an older lpl is re-analysed once.
pub const ANALYSIS_VERSION: u32 = 5;

/// Analyse a whole set of messages at once: threads, series and chains.
///
/// This is the entry point the store uses after an import; `overrides` are
/// the user's manual `link`/`unlink` decisions, re-applied every time.
pub fn analyse(messages: &[MessageMeta], overrides: &[Override]) -> Analysis {
    let threads = Threads::build(messages);
    let assembly = assemble(messages, &threads);
    let chains = link_revisions(messages, &threads, &assembly, overrides);
    Analysis {
        threads,
        assembly,
        chains,
    }
}

/// The result of [`analyse`].
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The reply structure.
    pub threads: Threads,
    /// Series revisions as sent.
    pub assembly: Assembly,
    /// Revision chains.
    pub chains: Chains,
}

impl Analysis {
    /// Input index of the (first) message with this Message-ID.
    pub fn message_index(&self, id: &lpl_mail::MessageId) -> Option<usize> {
        self.threads
            .lookup(id)
            .and_then(|n| self.threads.node(n).message)
    }

    /// The revision a message is about: its own revision for a series
    /// message, else the revision of the nearest series message above it
    /// (so any reply in a thread resolves to the series it discusses).
    pub fn revision_for(&self, id: &lpl_mail::MessageId) -> Option<usize> {
        let i = self.message_index(id)?;
        self.assembly.revision_of_message(i).or_else(|| {
            self.threads
                .ancestor_messages(i)
                .find_map(|a| self.assembly.revision_of_message(a))
        })
    }

    /// The revision numbered `n` in the chain of revision `r` (the latest
    /// one with that number when it was sent more than once).
    pub fn chain_revision(&self, r: usize, n: u32) -> Option<usize> {
        self.chains
            .chain(r)
            .iter()
            .rev()
            .copied()
            .find(|&x| self.assembly.revisions[x].revision == n)
    }
}
