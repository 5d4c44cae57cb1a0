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
        let mut done = 0u64;
        while let Some((next, below)) = self.state(BACKFILL_KEY)?.and_then(|v| {
            let (a, b) = v.split_once(' ')?;
            Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?))
        }) {
            let ids: Vec<i64> = {
                let mut st = self
                    .conn
                    .prepare_cached(
                        "SELECT id FROM messages WHERE id >= ?1 AND id < ?2
                           AND NOT is_reply AND (counter IS NULL OR counter <= 1)
                         ORDER BY id LIMIT 512",
                    )
                    .map_err(self.err())?;
                let rows = st
                    .query_map(params![next, below], |r| r.get(0))
                    .map_err(self.err())?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(self.err())?
            };
            let mut parsed = Vec::with_capacity(ids.len());
            for &id in &ids {
                // A raw message that cannot be read has no links to give.
                if let Ok(raw) = self.raw(id) {
                    parsed.push((id, lpl_mail::parse(&raw).message));
                }
            }
            let path = self.path.clone();
            let e = |source| crate::StoreError::Sqlite {
                path: path.clone(),
                source,
            };
            let tx = self.conn.transaction().map_err(e)?;
            for (id, m) in &parsed {
                insert(&tx, *id, m).map_err(e)?;
            }
            match ids.last() {
                Some(&last) if last + 1 < below => {
                    tx.execute(
                        "INSERT OR REPLACE INTO state(key, value) VALUES (?1, ?2)",
                        params![BACKFILL_KEY, format!("{} {below}", last + 1)],
                    )
                    .map_err(e)?;
                }
                _ => {
                    tx.execute("DELETE FROM state WHERE key = ?1", params![BACKFILL_KEY])
                        .map_err(e)?;
                }
            }
            tx.commit().map_err(e)?;
            done += ids.len() as u64;
        }
        Ok(done)
    }
}
