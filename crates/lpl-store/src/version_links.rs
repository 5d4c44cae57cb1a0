//! The earlier versions a cover letter (or a lone patch) links to in its
//! changelog (table `version_links`): `v1: https://lore.kernel.org/...`
//! is chain evidence for lpl-series (`LinkReason::ChangelogLink`), read
//! with the rest of a message's metadata ([`crate::MetaRow`]).
//!
//! Written with each new message by [`Store::write_batch`]; messages of a
//! store older than the table are read again once by
//! [`Store::backfill_version_links`] (the state key
//! `version_links_backfill` holds the range of row ids still to do:
//! `NEXT BELOW`).

use rusqlite::params;

use crate::{Result, Store};

const BACKFILL_KEY: &str = "version_links_backfill";

/// Writes the version links of message `m`, stored as row `message`
/// (inside the caller's transaction).
pub(crate) fn insert(
    tx: &rusqlite::Connection,
    message: i64,
    m: &lpl_mail::Message,
) -> rusqlite::Result<()> {
    let links = lpl_mail::changelog::message_version_links(m);
    if links.is_empty() {
        return Ok(());
    }
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO version_links(message, pos, ref_id) VALUES (?1, ?2, ?3)",
    )?;
    for (i, id) in links.iter().enumerate() {
        st.execute(params![message, i as i64, id.as_str()])?;
    }
    Ok(())
}

impl Store {
    /// Whether messages stored before the `version_links` table still
    /// wait to be read for theirs.
    pub fn version_links_pending(&self) -> Result<bool> {
        Ok(self.state(BACKFILL_KEY)?.is_some())
    }

    /// Reads the version links of the messages stored before the table
    /// existed: only those that can carry them (not replies; covers, lone
    /// patches and first patches), from their raw messages, 512 at a time,
    /// each batch committed with the range left to do (so a killed run
    /// resumes). Returns the messages read.
    ///
    /// The analysis saved before is not stamped with these links: callers
    /// run this before they analyse (lpl-core does it when it opens a
    /// store for writing).
    pub fn backfill_version_links(&mut self) -> Result<u64> {
        let job = crate::backfill::Backfill {
            key: BACKFILL_KEY,
            select: "SELECT id FROM messages WHERE id >= ?1 AND id < ?2
                       AND NOT is_reply AND (counter IS NULL OR counter <= 1)
                     ORDER BY id LIMIT 512",
            // A raw message that cannot be read has no links to give.
            read: |raw| Some(lpl_mail::parse(raw).message),
            write: insert,
        };
        Ok(self.run_backfill(&job, None, &mut |_| {})?.done)
    }
}
