//! Writing: batches of parsed messages with their source cursor.

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};
use lpl_mail::ParsedMessage;

/// A message to store.
pub struct Incoming<'a> {
    /// The raw bytes, as read.
    pub raw: &'a [u8],
    /// What was understood.
    pub parsed: &'a ParsedMessage,
    /// Identity of the content (see `lpl_mail::content_hash`).
    pub content_hash: [u8; 20],
    /// Where it came from (`cgroups.0.git@1a2b3c`, `x.mbox:1234`).
    pub location: String,
    /// `raw` already compressed with [`crate::compress_raw`] (an import
    /// compresses in its parallel stage), or `None` to compress here.
    pub compressed: Option<&'a [u8]>,
}

/// Something that could not be stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skip {
    /// Where it came from.
    pub location: String,
    /// Why it was skipped.
    pub reason: String,
}

/// A deletion seen in a source (public-inbox `d` commits).
#[derive(Debug, Clone)]
pub struct Deletion {
    /// Where it came from.
    pub location: String,
    /// The Message-ID deleted, when known.
    pub message_id: Option<String>,
}

/// Counts of one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchOutcome {
    /// New messages stored.
    pub imported: u64,
    /// Messages already stored from another source (or twice in this one):
    /// stored once, this source remembered.
    pub duplicates: u64,
    /// Messages already stored from this very source (a re-import).
    pub already: u64,
    /// Items skipped.
    pub skipped: u64,
    /// Deletions recorded.
    pub deleted: u64,
    /// The messages stored as new rows: (index in the batch's items, row id),
    /// in row order (what a live search index adds).
    pub new_rows: Vec<(usize, i64)>,
}

/// A stored source (an epoch, an mbox ...).
pub use crate::read::SourceRow;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Store {
    /// The source row for `path` (created when new).
    pub fn source_for(&mut self, kind: &str, path: &str) -> Result<SourceRow> {
        let err = self.err();
        self.conn
            .execute(
                "INSERT OR IGNORE INTO sources(kind, path) VALUES (?1, ?2)",
                params![kind, path],
            )
            .map_err(&err)?;
        self.source_by_path(path)?
            .ok_or_else(|| err(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Stores a batch and the source's new cursor in one transaction.
    pub fn write_batch(
        &mut self,
        source: i64,
        items: &[Incoming<'_>],
        skips: &[Skip],
        deletions: &[Deletion],
        cursor: Option<&str>,
    ) -> Result<BatchOutcome> {
        let path = self.path.clone();
        let err = move |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // Raw messages go to the pack (see pack.rs for the order of things).
        if self.pack_write.is_none() && !items.is_empty() {
            self.pack_write = Some(crate::pack::PackWriter::open(&self.pack_path)?);
        }
        let pack = self.pack_write.as_ref();
        let _lock = pack.map(|p| p.lock()).transpose()?;
        let tx = self.conn.transaction().map_err(&err)?;
        let mut out = BatchOutcome::default();
        let mut packed = std::mem::take(&mut self.pack_buf);
        packed.clear();
        let mut pack_base = 0;
        if let Some(pack) = pack {
            // The committed end: kept in `state` by each batch, and the last
            // record's end (rows of a store written before that key); the
            // larger, so that a damaged row can never make the writer cut
            // committed records off.
            let end: Option<i64> = tx
                .query_row(
                    "SELECT max(
                        coalesce((SELECT CAST(value AS INTEGER) FROM state WHERE key = 'pack_end'), -1),
                        coalesce((SELECT pack_offset + pack_len FROM blobs
                                  WHERE pack_offset IS NOT NULL ORDER BY id DESC LIMIT 1), -1))
                     WHERE EXISTS (SELECT 1 FROM state WHERE key = 'pack_end')
                        OR EXISTS (SELECT 1 FROM blobs WHERE pack_offset IS NOT NULL)",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&err)?;
            pack_base = pack.settle(end)?;
        }
        {
            let mut find = tx
                .prepare_cached(
                    "SELECT id FROM messages WHERE message_id = ?1 AND content_hash = ?2",
                )
                .map_err(&err)?;
            let mut link = tx
                .prepare_cached("INSERT OR IGNORE INTO message_sources(message, source, location) VALUES (?1, ?2, ?3)")
                .map_err(&err)?;
            let mut same_loc = tx
                .prepare_cached(
                    "SELECT location FROM message_sources WHERE message = ?1 AND source = ?2",
                )
                .map_err(&err)?;
            let mut ins_blob = tx
                .prepare_cached(
                    "INSERT INTO blobs(size, data, pack_offset, pack_len) VALUES (?1, x'', ?2, ?3)",
                )
                .map_err(&err)?;
            let mut ins_msg = tx
                .prepare_cached(
                    "INSERT INTO messages(message_id, content_hash, blob_id, synthetic_id, subject, title, norm_title,
                        from_name, from_email, date, date_suspect, in_reply_to, list_id, is_reply, is_patch, tag_patch,
                        is_rfc, is_resend, is_pull, revision, counter, total, tags_json, patch_id, change_id, base_commit,
                        author_name, author_email, n_files, added, removed)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31)",
                )
                .map_err(&err)?;
            let mut ins_ref = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO refs(message, pos, ref_id) VALUES (?1, ?2, ?3)",
                )
                .map_err(&err)?;
            let mut ins_file = tx
                .prepare_cached(
                    "INSERT INTO files(message, old_path, new_path, change, added, removed, functions) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                )
                .map_err(&err)?;
            let mut ins_trailer = tx
                .prepare_cached("INSERT INTO trailers(message, pos, key, value, in_patch) VALUES (?1,?2,?3,?4,?5)")
                .map_err(&err)?;
            let mut ins_diag = tx
                .prepare_cached("INSERT INTO diagnostics(message, kind, detail) VALUES (?1,?2,?3)")
                .map_err(&err)?;

            // Refused here whatever the reader: the raw size is kept in the
            // lz4 block as 32 bits, so a larger message would be stored
            // with its length cut (issue 20).
            let mut too_large = Vec::new();
            for (idx, it) in items.iter().enumerate() {
                if it.raw.len() > lpl_mail::MAX_MESSAGE_BYTES {
                    too_large.push(Skip {
                        location: it.location.clone(),
                        reason: format!(
                            "message of {} bytes is over the {} MiB limit",
                            it.raw.len(),
                            lpl_mail::MAX_MESSAGE_BYTES >> 20
                        ),
                    });
                    continue;
                }
                let m = &it.parsed.message;
                let (mid, synthetic) = match &m.message_id {
                    Some(id) => (id.as_str().to_owned(), false),
                    None => (format!("lpl-{}@lpl.invalid", hex(&it.content_hash)), true),
                };
                let existing: Option<i64> = find
                    .query_row(params![mid, &it.content_hash[..]], |r| r.get(0))
                    .optional()
                    .map_err(&err)?;
                if let Some(id) = existing {
                    let n = link
                        .execute(params![id, source, it.location])
                        .map_err(&err)?;
                    // Seen at this very place before: a re-import. Anywhere
                    // else (another list, or twice in one archive): a duplicate.
                    let same_place = n == 0
                        && same_loc
                            .query_row(params![id, source], |r| r.get::<_, String>(0))
                            .optional()
                            .map_err(&err)?
                            .is_some_and(|l| l == it.location);
                    if same_place {
                        out.already += 1;
                    } else {
                        out.duplicates += 1;
                    }
                    continue;
                }
                let owned;
                let data = match it.compressed {
                    Some(c) => c,
                    None => {
                        owned = crate::compress_raw(it.raw);
                        &owned[..]
                    }
                };
                let offset = pack_base + packed.len() as u64;
                packed.extend_from_slice(data);
                ins_blob
                    .execute(params![
                        it.raw.len() as i64,
                        offset as i64,
                        data.len() as i64
                    ])
                    .map_err(&err)?;
                let blob = tx.last_insert_rowid();
                let t = &m.tags;
                let p = m.patch.as_ref();
                let (added, removed) = p.map(|p| p.line_counts()).unwrap_or((0, 0));
                let tags_json = serde_json::to_string(t).unwrap_or_else(|_| "{}".to_owned());
                ins_msg
                    .execute(params![
                        mid,
                        &it.content_hash[..],
                        blob,
                        synthetic,
                        m.subject,
                        t.title,
                        t.normalized_title(),
                        m.from.as_ref().and_then(|f| f.name.clone()),
                        m.from.as_ref().map(|f| f.email.clone()),
                        m.date.map(|d| d.timestamp),
                        m.date.is_some_and(|d| d.suspect),
                        m.in_reply_to.as_ref().map(|i| i.as_str()),
                        m.list_id,
                        t.is_reply,
                        p.is_some(),
                        t.is_patch,
                        t.is_rfc,
                        t.is_resend,
                        t.is_pull || m.is_pull_request,
                        t.revision,
                        t.counter,
                        t.total,
                        tags_json,
                        p.and_then(|p| p.patch_id.map(|id| id.to_string())),
                        m.change_id,
                        m.base_commit,
                        p.and_then(|p| p.author.as_ref().and_then(|a| a.name.clone())),
                        p.and_then(|p| p.author.as_ref().map(|a| a.email.clone())),
                        p.map(|p| p.files.len() as i64).unwrap_or(0),
                        added,
                        removed,
                    ])
                    .map_err(&err)?;
                let id = tx.last_insert_rowid();
                out.new_rows.push((idx, id));
                link.execute(params![id, source, it.location])
                    .map_err(&err)?;
                for (i, r) in m.references.iter().enumerate() {
                    ins_ref
                        .execute(params![id, i as i64, r.as_str()])
                        .map_err(&err)?;
                }
                crate::version_links::insert(&tx, id, m).map_err(&err)?;
                if let Some(p) = p {
                    for f in &p.files {
                        let change = match &f.change {
                            lpl_mail::diff::FileChange::Modified => "modified",
                            lpl_mail::diff::FileChange::Added => "added",
                            lpl_mail::diff::FileChange::Deleted => "deleted",
                            lpl_mail::diff::FileChange::Renamed { .. } => "renamed",
                            lpl_mail::diff::FileChange::Copied { .. } => "copied",
                        };
                        let funcs: Vec<&str> = f
                            .hunks
                            .iter()
                            .map(|h| h.header_context.as_str())
                            .filter(|c| !c.is_empty())
                            .collect();
                        ins_file
                            .execute(params![
                                id,
                                f.old_path,
                                f.new_path,
                                change,
                                f.added,
                                f.removed,
                                funcs.join("\n")
                            ])
                            .map_err(&err)?;
                    }
                    crate::hunks::insert_patch(&tx, id, p).map_err(&err)?;
                    for (i, t) in p.trailers.iter().enumerate() {
                        ins_trailer
                            .execute(params![id, i as i64, t.key, t.value, true])
                            .map_err(&err)?;
                    }
                } else {
                    for (i, t) in lpl_mail::trailer::parse_reply_trailers(&m.body)
                        .iter()
                        .enumerate()
                    {
                        ins_trailer
                            .execute(params![id, i as i64, t.key, t.value, false])
                            .map_err(&err)?;
                    }
                }
                for d in &it.parsed.diagnostics {
                    let kind = serde_json::to_value(d.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    ins_diag
                        .execute(params![id, kind, d.detail])
                        .map_err(&err)?;
                }
                out.imported += 1;
            }
            let mut ins_skip = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO skipped(source, location, reason) VALUES (?1, ?2, ?3)",
                )
                .map_err(&err)?;
            for s in skips.iter().chain(&too_large) {
                ins_skip
                    .execute(params![source, s.location, s.reason])
                    .map_err(&err)?;
                out.skipped += 1;
            }
            let mut ins_del = tx
                .prepare_cached("INSERT OR IGNORE INTO deletions(source, location, message_id) VALUES (?1, ?2, ?3)")
                .map_err(&err)?;
            for d in deletions {
                out.deleted += ins_del
                    .execute(params![source, d.location, d.message_id])
                    .map_err(&err)? as u64;
            }
        }
        tx.execute(
            "UPDATE sources SET cursor = COALESCE(?2, cursor), imported = imported + ?3, duplicates = duplicates + ?4,
                 skipped = (SELECT count(*) FROM skipped WHERE source = ?1), deleted = deleted + ?5, updated_at = ?6
             WHERE id = ?1",
            params![source, cursor, out.imported as i64, out.duplicates as i64, out.deleted as i64, now()],
        )
        .map_err(&err)?;
        if let Some(pack) = pack {
            pack.append(pack_base, &packed)?;
            if !packed.is_empty() {
                let end = pack_base + packed.len() as u64;
                tx.execute(
                    "INSERT OR REPLACE INTO state(key, value) VALUES ('pack_end', ?1)",
                    params![end.to_string()],
                )
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)?;
        if packed.capacity() <= 64 << 20 {
            self.pack_buf = packed;
        }
        Ok(out)
    }
}
