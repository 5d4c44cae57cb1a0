//! Reading: sources, messages, raw bytes, counts.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::{Result, Store, decompress};

/// A source row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    /// Row id.
    pub id: i64,
    /// Kind (`public-inbox-v2-epoch`, `mbox` ...).
    pub kind: String,
    /// Canonical path.
    pub path: String,
    /// Resume cursor of the reader.
    pub cursor: Option<String>,
    /// Messages first stored from this source.
    pub imported: i64,
    /// Messages this source had that were stored already.
    pub duplicates: i64,
    /// Items skipped.
    pub skipped: i64,
    /// Deletions seen.
    pub deleted: i64,
}

/// One stored message, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRow {
    /// Row id.
    pub id: i64,
    /// Message-ID.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Sender name.
    pub from_name: Option<String>,
    /// Sender address.
    pub from_email: Option<String>,
    /// Date (unix seconds).
    pub date: Option<i64>,
    /// Carries a diff.
    pub is_patch: bool,
    /// Revision from the subject.
    pub revision: Option<u32>,
    /// Counter from the subject.
    pub counter: Option<u32>,
    /// Total from the subject.
    pub total: Option<u32>,
    /// patch-id.
    pub patch_id: Option<String>,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// List-Id.
    pub list_id: Option<String>,
}

/// Counts over the whole store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// Messages stored.
    pub messages: i64,
    /// Of which carry a patch.
    pub patches: i64,
    /// Sources known.
    pub sources: i64,
    /// Items skipped over all sources.
    pub skipped: i64,
    /// Raw bytes stored (uncompressed).
    pub raw_bytes: i64,
    /// Raw bytes stored (compressed).
    pub stored_bytes: i64,
}

const MESSAGE_COLS: &str = "id, message_id, subject, from_name, from_email, date, is_patch, revision, counter, total, patch_id, in_reply_to, list_id";

fn message_row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        message_id: r.get(1)?,
        subject: r.get(2)?,
        from_name: r.get(3)?,
        from_email: r.get(4)?,
        date: r.get(5)?,
        is_patch: r.get(6)?,
        revision: r.get(7)?,
        counter: r.get(8)?,
        total: r.get(9)?,
        patch_id: r.get(10)?,
        in_reply_to: r.get(11)?,
        list_id: r.get(12)?,
    })
}

fn source_row(r: &Row<'_>) -> rusqlite::Result<SourceRow> {
    Ok(SourceRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        path: r.get(2)?,
        cursor: r.get(3)?,
        imported: r.get(4)?,
        duplicates: r.get(5)?,
        skipped: r.get(6)?,
        deleted: r.get(7)?,
    })
}

impl Store {
    /// The source with this canonical path.
    pub fn source_by_path(&self, path: &str) -> Result<Option<SourceRow>> {
        self.conn
            .query_row(
                "SELECT id, kind, path, cursor, imported, duplicates, skipped, deleted FROM sources WHERE path = ?1",
                params![path],
                source_row,
            )
            .optional()
            .map_err(self.err())
    }

    /// Every source.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, kind, path, cursor, imported, duplicates, skipped, deleted FROM sources ORDER BY id")
            .map_err(self.err())?;
        let rows = st.query_map([], source_row).map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The largest message row id, 0 for an empty store (rows are
    /// numbered in insertion order: what an index's watermark is compared
    /// with).
    pub fn last_row(&self) -> Result<i64> {
        let max: Option<i64> = self
            .conn
            .query_row("SELECT max(id) FROM messages", [], |r| r.get(0))
            .map_err(self.err())?;
        Ok(max.unwrap_or(0))
    }

    /// Skipped items of a source: (location, reason).
    pub fn skipped(&self, source: i64) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            // `skipped` is WITHOUT ROWID (issue 20: `ORDER BY rowid` failed on
            // every archive); locations of one source share their prefix, so
            // shorter first puts `x.mbox:99` before `x.mbox:100`.
            .prepare(
                "SELECT location, reason FROM skipped WHERE source = ?1 \
                 ORDER BY length(location), location",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![source], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Every stored copy with this Message-ID (usually one).
    pub fn messages_by_id(&self, message_id: &str) -> Result<Vec<MessageRow>> {
        let sql = format!("SELECT {MESSAGE_COLS} FROM messages WHERE message_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
        let rows = st
            .query_map(params![message_id], message_row)
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The stored messages with these row ids, in row order (ids not
    /// stored are left out).
    pub fn messages_by_rows(&self, ids: &[i64]) -> Result<Vec<MessageRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MESSAGE_COLS} FROM messages WHERE id IN ({}) ORDER BY id",
            crate::id_list(ids)
        );
        let mut st = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = st.query_map([], message_row).map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The raw bytes of a stored message.
    pub fn raw(&self, message: i64) -> Result<Vec<u8>> {
        type BlobRow = (i64, i64, Vec<u8>, Option<i64>, Option<i64>);
        let (blob_id, size, data, offset, len): BlobRow = self
            .conn
            .query_row(
                "SELECT b.id, b.size, b.data, b.pack_offset, b.pack_len
                 FROM messages m JOIN blobs b ON b.id = m.blob_id WHERE m.id = ?1",
                params![message],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .map_err(self.err())?;
        match (offset, len) {
            (Some(offset), Some(len)) => {
                let file = match self.pack_read.get() {
                    Some(f) => f,
                    None => {
                        let f = crate::pack::open_read(&self.pack_path)?;
                        self.pack_read.get_or_init(|| f)
                    }
                };
                let data = crate::pack::read_at(
                    file,
                    &self.pack_path,
                    offset as u64,
                    usize::try_from(len).unwrap_or(0),
                )?;
                decompress(blob_id, &data, size)
            }
            _ => decompress(blob_id, &data, size),
        }
    }

    /// Where a stored message came from: (source path, location).
    pub fn locations(&self, message: i64) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT s.path, ms.location FROM message_sources ms JOIN sources s ON s.id = ms.source
                 WHERE ms.message = ?1 ORDER BY s.id",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![message], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Diagnostics recorded for a message: (kind, detail).
    pub fn diagnostics(&self, message: i64) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT kind, detail FROM diagnostics WHERE message = ?1 ORDER BY rowid",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![message], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Counts over the store.
    pub fn stats(&self) -> Result<StoreStats> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM messages WHERE is_patch),
                        (SELECT count(*) FROM sources), (SELECT count(*) FROM skipped),
                        (SELECT coalesce(sum(size), 0) FROM blobs), (SELECT coalesce(sum(length(data) + coalesce(pack_len, 0)), 0) FROM blobs)",
                [],
                |r| {
                    Ok(StoreStats {
                        messages: r.get(0)?,
                        patches: r.get(1)?,
                        sources: r.get(2)?,
                        skipped: r.get(3)?,
                        raw_bytes: r.get(4)?,
                        stored_bytes: r.get(5)?,
                    })
                },
            )
            .map_err(self.err())
    }
}

impl Store {
    /// The user's revision-chain corrections: (older, newer, kind).
    pub fn revision_overrides(&self) -> Result<Vec<(String, String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT older, newer, kind FROM revision_overrides ORDER BY created_at, older")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Records (replacing) a correction of the revision chains.
    pub fn set_revision_override(&mut self, older: &str, newer: &str, kind: &str) -> Result<()> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO revision_overrides(older, newer, kind, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![older, newer, kind, now],
            )
            .map_err(self.err())?;
        Ok(())
    }
}

impl Store {
    /// A value of the small state table.
    pub fn state(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM state WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// Sets a value of the small state table.
    pub fn set_state(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO state(key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Row ids of messages after `after`, in order, at most `limit`.
    pub fn message_ids_after(&self, after: i64, limit: usize) -> Result<Vec<i64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2")
            .map_err(self.err())?;
        let rows = st
            .query_map(params![after, limit as i64], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }
}
