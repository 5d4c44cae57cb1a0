//! Bulk reading of what threading and series assembly need, for every
//! message at once (a few sequential scans, no per-message queries).

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use crate::{Result, Store};

/// One message's metadata, as stored.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MetaRow {
    /// Row id.
    pub id: i64,
    /// Message-ID.
    pub message_id: String,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References, oldest first.
    pub references: Vec<String>,
    /// Subject.
    pub subject: String,
    /// `SubjectTags` as JSON.
    pub tags_json: String,
    /// Sender name.
    pub from_name: Option<String>,
    /// Sender address.
    pub from_email: Option<String>,
    /// Date, unix seconds.
    pub date: Option<i64>,
    /// Carries a diff.
    pub is_patch: bool,
    /// A pull request.
    pub is_pull: bool,
    /// patch-id (hex).
    pub patch_id: Option<String>,
    /// Paths touched.
    pub files: Vec<String>,
    /// change-id.
    pub change_id: Option<String>,
    /// Trailers: (key, value, in_patch).
    pub trailers: Vec<(String, String, bool)>,
    /// List-Id.
    pub list_id: Option<String>,
    /// Message-IDs of the earlier versions its changelog links to (covers
    /// and lone patches; see [`lpl_mail::changelog::message_version_links`]).
    pub version_links: Vec<String>,
}

impl Store {
    /// Metadata of every message, in row order.
    pub fn all_meta(&self) -> Result<Vec<MetaRow>> {
        self.meta_where(None)
    }

    /// Metadata of the messages with these row ids, in row order (ids not
    /// stored are left out): what a unit of the saved understanding needs,
    /// read through the indexes by message.
    pub fn meta_by_rows(&self, ids: &[i64]) -> Result<Vec<MetaRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.meta_where(Some(&crate::id_list(ids)))
    }

    /// Every row (`None`: sequential scans), or the rows in `ids` (a
    /// comma-separated list).
    fn meta_where(&self, ids: Option<&str>) -> Result<Vec<MetaRow>> {
        let err = self.err();
        let (cond, sub) = match ids {
            Some(l) => (format!("id IN ({l})"), format!("WHERE message IN ({l})")),
            None => ("1".to_owned(), String::new()),
        };
        let sql = format!(
            "SELECT id, message_id, in_reply_to, subject, tags_json, from_name, from_email, date, is_patch, is_pull,
                    patch_id, change_id, list_id FROM messages WHERE {cond} ORDER BY id"
        );
        let mut st = self.conn.prepare(&sql).map_err(&err)?;
        let mut rows: Vec<MetaRow> = st
            .query_map([], |r| {
                Ok(MetaRow {
                    id: r.get(0)?,
                    message_id: r.get(1)?,
                    in_reply_to: r.get(2)?,
                    subject: r.get(3)?,
                    tags_json: r.get(4)?,
                    from_name: r.get(5)?,
                    from_email: r.get(6)?,
                    date: r.get(7)?,
                    is_patch: r.get(8)?,
                    is_pull: r.get(9)?,
                    patch_id: r.get(10)?,
                    change_id: r.get(11)?,
                    list_id: r.get(12)?,
                    ..Default::default()
                })
            })
            .map_err(&err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(&err)?;
        let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT message, ref_id FROM refs {sub} ORDER BY message, pos"
            ))
            .map_err(&err)?;
        let mut q = st.query(params![]).map_err(&err)?;
        while let Some(r) = q.next().map_err(&err)? {
            let (m, id): (i64, String) = (r.get(0).map_err(&err)?, r.get(1).map_err(&err)?);
            if let Some(&i) = index.get(&m) {
                rows[i].references.push(id);
            }
        }
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT message, coalesce(new_path, old_path) FROM files {sub} ORDER BY rowid"
            ))
            .map_err(&err)?;
        let mut q = st.query(params![]).map_err(&err)?;
        while let Some(r) = q.next().map_err(&err)? {
            let (m, p): (i64, Option<String>) = (r.get(0).map_err(&err)?, r.get(1).map_err(&err)?);
            if let (Some(&i), Some(p)) = (index.get(&m), p) {
                rows[i].files.push(p);
            }
        }
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT message, key, value, in_patch FROM trailers {sub} ORDER BY message, in_patch, pos"
            ))
            .map_err(&err)?;
        let mut q = st.query(params![]).map_err(&err)?;
        while let Some(r) = q.next().map_err(&err)? {
            let m: i64 = r.get(0).map_err(&err)?;
            if let Some(&i) = index.get(&m) {
                rows[i].trailers.push((
                    r.get(1).map_err(&err)?,
                    r.get(2).map_err(&err)?,
                    r.get(3).map_err(&err)?,
                ));
            }
        }
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT message, ref_id FROM version_links {sub} ORDER BY message, pos"
            ))
            .map_err(&err)?;
        let mut q = st.query(params![]).map_err(&err)?;
        while let Some(r) = q.next().map_err(&err)? {
            let (m, id): (i64, String) = (r.get(0).map_err(&err)?, r.get(1).map_err(&err)?);
            if let Some(&i) = index.get(&m) {
                rows[i].version_links.push(id);
            }
        }
        Ok(rows)
    }
}
