//! The one loop behind every backfill: tables added after messages were
//! stored ([`crate::hunks`], [`crate::version_links`]) are filled in from
//! the raw messages of the rows below the table's birth. The state key of
//! each backfill holds the range of row ids still to do (`NEXT BELOW`);
//! each batch is written in one transaction with the range left, so a
//! killed run resumes where it stopped and a finished one deletes the key.

use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::params;

use crate::{Result, Store};

/// What one backfill reads and writes.
pub(crate) struct Backfill<'a, T> {
    /// The state key holding `NEXT BELOW`.
    pub key: &'a str,
    /// The ids of one batch: `?1` is NEXT, `?2` BELOW; ordered by id, with
    /// a LIMIT (the batch size).
    pub select: &'a str,
    /// What a raw message gives to write (`None`: nothing for this one).
    pub read: fn(&[u8]) -> Option<T>,
    /// Writes what `read` gave for row `message`, inside the batch's
    /// transaction.
    pub write: fn(&rusqlite::Connection, i64, &T) -> rusqlite::Result<()>,
}

/// What a backfill run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Done {
    /// Rows read (whether or not they gave anything to write).
    pub done: u64,
    /// Rows whose raw message could not be read, passed over.
    pub passed: u64,
}

impl Store {
    /// The range `NEXT BELOW` still to do under `key`, if any.
    pub(crate) fn backfill_range(&self, key: &str) -> Result<Option<(i64, i64)>> {
        Ok(self.state(key)?.and_then(|v| {
            let (a, b) = v.split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        }))
    }

    /// Runs `job` batch by batch until its range is done or `cancel` is
    /// set; `progress` gets the rows done so far after each batch.
    pub(crate) fn run_backfill<T>(
        &mut self,
        job: &Backfill<'_, T>,
        cancel: Option<&AtomicBool>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Done> {
        let mut out = Done::default();
        while let Some((next, below)) = self.backfill_range(job.key)? {
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                break;
            }
            let ids: Vec<i64> = {
                let mut st = self.conn.prepare_cached(job.select).map_err(self.err())?;
                let rows = st
                    .query_map(params![next, below], |r| r.get(0))
                    .map_err(self.err())?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(self.err())?
            };
            let mut items = Vec::with_capacity(ids.len());
            for &id in &ids {
                match self.raw(id) {
                    Ok(raw) => {
                        if let Some(item) = (job.read)(&raw) {
                            items.push((id, item));
                        }
                    }
                    Err(_) => out.passed += 1,
                }
            }
            let path = self.path.clone();
            let e = |source| crate::StoreError::Sqlite {
                path: path.clone(),
                source,
            };
            let tx = self.conn.transaction().map_err(e)?;
            for (id, item) in &items {
                (job.write)(&tx, *id, item).map_err(e)?;
            }
            match ids.last() {
                Some(&last) if last + 1 < below => {
                    tx.execute(
                        "INSERT OR REPLACE INTO state(key, value) VALUES (?1, ?2)",
                        params![job.key, format!("{} {below}", last + 1)],
                    )
                    .map_err(e)?;
                }
                _ => {
                    tx.execute("DELETE FROM state WHERE key = ?1", params![job.key])
                        .map_err(e)?;
                }
            }
            tx.commit().map_err(e)?;
            out.done += ids.len() as u64;
            progress(out.done);
        }
        Ok(out)
    }
}
