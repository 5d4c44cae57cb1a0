//! A saved copy of what threading and series assembly concluded (thread root
//! and series of each message, a summary of each series), so that a search
//! shows its hits without loading and analysing the whole archive. It is
//! derived data, stamped with [`Store::content_stamp`] at the time it was
//! computed; a reader compares stamps and recomputes when they differ.

use rusqlite::params;

use crate::{Result, Store};

/// Key of the stamp in the state table.
const STAMP: &str = "links.stamp";

/// One message's thread root and series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// Row id.
    pub message: i64,
    /// Message-ID of the thread root.
    pub thread: String,
    /// Short id of the series revision the message belongs to.
    pub series: Option<String>,
}

impl Store {
    /// A value that changes whenever what threading and series assembly
    /// read changes: messages added or removed, revision corrections made.
    /// `version` is the caller's analysis version (a new algorithm makes
    /// old conclusions stale too).
    pub fn content_stamp(&self, version: &str) -> Result<String> {
        // Messages are append-only here (no UPDATE or DELETE of a stored
        // message; new mail only adds rows with larger ids), so the largest
        // row id names the set, and `max(id)` is one b-tree descent where
        // `count(*)` would walk a whole index.
        let max: Option<i64> = self
            .conn
            .query_row("SELECT max(id) FROM messages", [], |r| r.get(0))
            .map_err(self.err())?;
        let overrides = self.revision_overrides()?;
        // Any change to the corrections changes this hash (a new
        // std hashing algorithm only makes a stamp stale once).
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&overrides, &mut h);
        Ok(format!(
            "{version}:{}:{}:{:016x}",
            max.unwrap_or(0),
            overrides.len(),
            std::hash::Hasher::finish(&h)
        ))
    }

    /// The stamp of the saved links, if any.
    pub fn link_stamp(&self) -> Result<Option<String>> {
        self.state(STAMP)
    }

    /// Replaces the saved links and series summaries, stamped `stamp`, in
    /// one transaction. Derived data, so it does not wait behind another
    /// writer (an import) for more than `wait`: it fails instead.
    pub fn save_links_within(
        &mut self,
        wait: std::time::Duration,
        stamp: &str,
        links: &[LinkRow],
        series: &[(String, String)],
    ) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(self.err())?;
        let res = self.save_links(stamp, links, series);
        let restore = self
            .conn
            .busy_timeout(std::time::Duration::from_millis(10_000))
            .map_err(self.err());
        res.and(restore)
    }

    /// Replaces the saved links and series summaries, stamped `stamp`, in
    /// one transaction.
    pub fn save_links(
        &mut self,
        stamp: &str,
        links: &[LinkRow],
        series: &[(String, String)],
    ) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute_batch("DELETE FROM link_cache; DELETE FROM series_cache;")
            .map_err(&err)?;
        {
            let mut st = tx
                .prepare("INSERT INTO link_cache(message, thread, series) VALUES (?1, ?2, ?3)")
                .map_err(&err)?;
            for l in links {
                st.execute(params![l.message, l.thread, l.series])
                    .map_err(&err)?;
            }
            let mut st = tx
                .prepare("INSERT OR REPLACE INTO series_cache(id, summary) VALUES (?1, ?2)")
                .map_err(&err)?;
            for (id, summary) in series {
                st.execute(params![id, summary]).map_err(&err)?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO state(key, value) VALUES (?1, ?2)",
            params![STAMP, stamp],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// Saved links of these rows (rows without one are left out).
    pub fn links(&self, ids: &[i64]) -> Result<Vec<LinkRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT message, thread, series FROM link_cache WHERE message IN ({})",
            crate::id_list(ids)
        );
        let mut st = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok(LinkRow {
                    message: r.get(0)?,
                    thread: r.get(1)?,
                    series: r.get(2)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Saved summaries (JSON) of these series.
    pub fn series_summaries(&self, ids: &[String]) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, summary FROM series_cache WHERE id = ?1")
            .map_err(self.err())?;
        let mut out = Vec::new();
        for id in ids {
            let mut rows = st
                .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(self.err())?;
            if let Some(row) = rows.next() {
                out.push(row.map_err(self.err())?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_follows_corrections_and_links_round_trip() {
        let t = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(t.path()).expect("open");
        let empty = store.content_stamp("v1").expect("stamp");
        assert_eq!(store.content_stamp("v1").expect("stamp"), empty);
        assert_ne!(store.content_stamp("v2").expect("stamp"), empty);
        store
            .set_revision_override("a@x", "b@x", "link")
            .expect("override");
        let linked = store.content_stamp("v1").expect("stamp");
        assert_ne!(linked, empty);
        // Same pair, another kind: same count, another stamp.
        store
            .set_revision_override("a@x", "b@x", "unlink")
            .expect("override");
        assert_ne!(store.content_stamp("v1").expect("stamp"), linked);

        assert_eq!(store.link_stamp().expect("read"), None);
        let links = [
            LinkRow {
                message: 1,
                thread: "r@x".into(),
                series: Some("abcd1234".into()),
            },
            LinkRow {
                message: 2,
                thread: "r@x".into(),
                series: None,
            },
        ];
        let series = [("abcd1234".to_owned(), "{}".to_owned())];
        store.save_links("s1", &links, &series).expect("save");
        assert_eq!(store.link_stamp().expect("read").as_deref(), Some("s1"));
        let mut got = store.links(&[2, 1, 3]).expect("links");
        got.sort_by_key(|l| l.message);
        assert_eq!(got, links);
        assert_eq!(
            store
                .series_summaries(&["abcd1234".into(), "nope".into()])
                .expect("series"),
            series
        );
        // Saving again replaces everything.
        store.save_links("s2", &links[1..], &[]).expect("save");
        assert_eq!(store.links(&[1, 2]).expect("links"), links[1..]);
        assert!(
            store
                .series_summaries(&["abcd1234".into()])
                .expect("series")
                .is_empty()
        );
    }
}
