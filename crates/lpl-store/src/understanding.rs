//! The understanding of the archive, saved: which *unit* each message is
//! in (a closed neighbourhood of the analysis, that lpl-core re-reads and
//! re-derives alone), each unit's chains (JSON that lpl-core writes and
//! reads), and one row per series revision with its summary and the columns
//! `lpl series` filters on. Derived data, stamped with
//! [`Store::content_stamp`]: a reader compares stamps and ignores a stale
//! one; the writer replaces what changed in one transaction with the stamp.

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store};

/// Key of the stamp in the state table.
const STAMP: &str = "understanding.stamp";
/// Key of the counts (JSON) in the state table.
const OVERVIEW: &str = "understanding.overview";

/// One unit: its messages, the never-received Message-IDs its threads
/// reference, and its chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    /// The unit's id: its smallest message row.
    pub id: i64,
    /// Message rows, ascending.
    pub members: Vec<i64>,
    /// Message-IDs referenced in its threads but not stored.
    pub phantoms: Vec<String>,
    /// Its revisions and chains (JSON, lpl-core's; empty: none).
    pub data: String,
    /// A hash of everything saved for it (members, phantoms, data and its
    /// revision rows), so that a later save can tell it is unchanged.
    pub hash: i64,
}

/// One series revision, as `lpl series` lists and filters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    /// Row of its key message (cover, else first patch).
    pub key_row: i64,
    /// Its unit.
    pub unit: i64,
    /// Short id.
    pub short: String,
    /// Date (unix seconds).
    pub date: i64,
    /// Revision number.
    pub revision: u32,
    /// The latest posting of its chain.
    pub latest: bool,
    /// A series (not a single patch or a pull request).
    pub series: bool,
    /// Normalised title.
    pub norm_title: String,
    /// Normalised title, lowercase.
    pub title_lc: String,
    /// Sender name, lowercase.
    pub name_lc: String,
    /// Sender address, lowercase.
    pub email_lc: String,
    /// List-Id of the key message.
    pub list: Option<String>,
    /// Summary (JSON, lpl-core's).
    pub summary: String,
}

/// What `lpl series` asks for, in the saved rows' terms.
#[derive(Debug, Clone, Default)]
pub struct RevisionQuery {
    /// Lowercase words the lowercase title must all contain.
    pub words: Vec<String>,
    /// Lowercase words each contained in the lowercase title, sender name
    /// or address.
    pub text: Vec<String>,
    /// Lowercase substring of the sender's name or address.
    pub author: Option<String>,
    /// Substring of the List-Id.
    pub list: Option<String>,
    /// Not before.
    pub since: Option<i64>,
    /// Not after.
    pub until: Option<i64>,
    /// Only the latest posting of each chain.
    pub latest_only: bool,
    /// Only series.
    pub series_only: bool,
    /// Skip this many of the rows selected.
    pub offset: usize,
    /// At most this many (after `offset`).
    pub limit: Option<usize>,
}

/// A change to the saved understanding: units removed (their members,
/// phantoms and revisions with them), units and revisions written.
///
/// A unit written under the id of one that is kept must be named in
/// `removed` too: its old rows go before the new ones are written.
#[derive(Debug, Clone, Default)]
pub struct UnderstandingChange {
    /// Replace everything (a whole re-analysis) instead of the units named.
    pub replace_all: bool,
    /// Units whose rows go.
    pub removed: Vec<i64>,
    /// Units written.
    pub units: Vec<UnitRow>,
    /// Revisions written (of the units written).
    pub revisions: Vec<RevisionRow>,
    /// Counts over the archive (JSON, lpl-core's).
    pub overview: String,
    /// The content stamp this understanding is of.
    pub stamp: String,
}

impl Store {
    /// The stamp of the saved understanding, if any.
    pub fn understanding_stamp(&self) -> Result<Option<String>> {
        self.state(STAMP)
    }

    /// The saved counts (JSON), if any.
    pub fn understanding_overview(&self) -> Result<Option<String>> {
        self.state(OVERVIEW)
    }

    /// Applies `change` in one transaction, stamp included: a reader sees
    /// the understanding before or after, never a mix.
    pub fn save_understanding(&mut self, change: &UnderstandingChange) -> Result<()> {
        self.save_understanding_with(change, &mut |_, _| {})
    }

    /// [`Store::save_understanding`], telling `progress(done, total)`
    /// units written as it goes (a whole re-save takes seconds).
    pub fn save_understanding_with(
        &mut self,
        change: &UnderstandingChange,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        if change.replace_all {
            tx.execute_batch(
                "DELETE FROM an_units; DELETE FROM an_members; DELETE FROM an_phantoms;
                 DELETE FROM an_revisions;",
            )
            .map_err(&err)?;
        } else {
            let mut del = Vec::new();
            for sql in [
                "DELETE FROM an_units WHERE id = ?1",
                "DELETE FROM an_members WHERE unit = ?1",
                "DELETE FROM an_phantoms WHERE unit = ?1",
                "DELETE FROM an_revisions WHERE unit = ?1",
            ] {
                del.push(tx.prepare_cached(sql).map_err(&err)?);
            }
            for &u in &change.removed {
                for st in &mut del {
                    st.execute(params![u]).map_err(&err)?;
                }
            }
        }
        {
            let mut unit = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO an_units(id, data, hash) VALUES (?1, ?2, ?3)",
                )
                .map_err(&err)?;
            let mut member = tx
                .prepare_cached("INSERT OR REPLACE INTO an_members(message, unit) VALUES (?1, ?2)")
                .map_err(&err)?;
            let mut phantom = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO an_phantoms(message_id, unit) VALUES (?1, ?2)",
                )
                .map_err(&err)?;
            let total = change.units.len();
            for (i, u) in change.units.iter().enumerate() {
                if i % 4096 == 0 {
                    progress(i, total);
                }
                unit.execute(params![u.id, u.data, u.hash]).map_err(&err)?;
                for m in &u.members {
                    member.execute(params![m, u.id]).map_err(&err)?;
                }
                for p in &u.phantoms {
                    phantom.execute(params![p, u.id]).map_err(&err)?;
                }
            }
            let mut rev = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO an_revisions(key_row, unit, short, date, revision, latest,
                        series, norm_title, title_lc, name_lc, email_lc, list, summary)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(&err)?;
            for r in &change.revisions {
                rev.execute(params![
                    r.key_row,
                    r.unit,
                    r.short,
                    r.date,
                    r.revision,
                    r.latest,
                    r.series,
                    r.norm_title,
                    r.title_lc,
                    r.name_lc,
                    r.email_lc,
                    r.list,
                    r.summary
                ])
                .map_err(&err)?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO state(key, value) VALUES (?1, ?2), (?3, ?4)",
            params![STAMP, change.stamp, OVERVIEW, change.overview],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        progress(change.units.len(), change.units.len());
        Ok(())
    }

    /// Every saved unit's id and hash (see [`UnitRow::hash`]).
    pub fn unit_hashes(&self) -> Result<Vec<(i64, i64)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, hash FROM an_units")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The unit of the first of these message rows that has one.
    pub fn unit_of_rows(&self, rows: &[i64]) -> Result<Option<i64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT unit FROM an_members WHERE message = ?1")
            .map_err(self.err())?;
        for r in rows {
            if let Some(u) = st
                .query_row(params![r], |x| x.get(0))
                .optional()
                .map_err(self.err())?
            {
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    /// The unit whose threads reference this never-received Message-ID.
    pub fn unit_of_phantom(&self, message_id: &str) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT unit FROM an_phantoms WHERE message_id = ?1",
                params![message_id],
                |x| x.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// The message rows of a unit, ascending.
    pub fn unit_members(&self, unit: i64) -> Result<Vec<i64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT message FROM an_members WHERE unit = ?1 ORDER BY message")
            .map_err(self.err())?;
        let rows = st
            .query_map(params![unit], |x| x.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// The data of a unit (`None` or empty: a unit without series).
    pub fn unit_data(&self, unit: i64) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT data FROM an_units WHERE id = ?1",
                params![unit],
                |x| x.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// Revisions whose short id starts with `prefix`: (short id, unit).
    pub fn revisions_by_short(&self, prefix: &str) -> Result<Vec<(String, i64)>> {
        // `short` is lowercase hex: the range [prefix, prefix + 'g') holds
        // exactly the ids starting with it, through the index.
        let end = format!("{prefix}g");
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT short, unit FROM an_revisions WHERE short >= ?1 AND short < ?2 ORDER BY key_row",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![prefix, end], |x| Ok((x.get(0)?, x.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Revisions with this normalised title: (key row, unit).
    pub fn revisions_by_title(&self, norm_title: &str) -> Result<Vec<(i64, i64)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT key_row, unit FROM an_revisions WHERE norm_title = ?1")
            .map_err(self.err())?;
        let rows = st
            .query_map(params![norm_title], |x| Ok((x.get(0)?, x.get(1)?)))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Summaries (JSON) of the revisions `q` selects: newest first, then
    /// the higher revision, then in analysis order.
    pub fn revision_summaries(&self, q: &RevisionQuery) -> Result<Vec<String>> {
        let (sql, args) = revision_sql(q);
        let mut st = self.conn.prepare(&sql).map_err(self.err())?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), |x| x.get(0))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())
    }

    /// Every unit's id with its members' rows (for a whole comparison, as
    /// the differential tests make): (unit, members ascending).
    pub fn units(&self) -> Result<Vec<(i64, Vec<i64>)>> {
        let mut st = self
            .conn
            .prepare("SELECT unit, message FROM an_members ORDER BY unit, message")
            .map_err(self.err())?;
        let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
        let mut q = st.query([]).map_err(self.err())?;
        while let Some(r) = q.next().map_err(self.err())? {
            let (u, m): (i64, i64) = (r.get(0).map_err(self.err())?, r.get(1).map_err(self.err())?);
            match out.last_mut() {
                Some((lu, v)) if *lu == u => v.push(m),
                _ => out.push((u, vec![m])),
            }
        }
        Ok(out)
    }
}

/// The query of [`Store::revision_summaries`] and its arguments. The
/// words, latest and series conditions are all answered by the indexes
/// (`an_revisions_pick`, `an_revisions_date`: schema 12), so only the rows
/// that match are read for their summary.
fn revision_sql(q: &RevisionQuery) -> (String, Vec<rusqlite::types::Value>) {
    let mut cond = vec!["1".to_owned()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        args.len()
    };
    if q.latest_only {
        cond.push("latest = 1".into());
    }
    if q.series_only {
        cond.push("series = 1".into());
    }
    for w in &q.words {
        let n = arg(w.clone().into());
        cond.push(format!("instr(title_lc, ?{n}) > 0"));
    }
    for w in &q.text {
        let n = arg(w.clone().into());
        cond.push(format!(
            "instr(title_lc || char(10) || name_lc || char(10) || email_lc, ?{n}) > 0"
        ));
    }
    if let Some(a) = &q.author {
        let n = arg(a.clone().into());
        cond.push(format!(
            "(instr(name_lc, ?{n}) > 0 OR instr(email_lc, ?{n}) > 0)"
        ));
    }
    if let Some(l) = &q.list {
        let n = arg(l.clone().into());
        cond.push(format!("instr(coalesce(list, ''), ?{n}) > 0"));
    }
    if let Some(s) = q.since {
        let n = arg(s.into());
        cond.push(format!("date >= ?{n}"));
    }
    if let Some(u) = q.until {
        let n = arg(u.into());
        cond.push(format!("date <= ?{n}"));
    }
    let limit = match (q.limit, q.offset) {
        (None, 0) => String::new(),
        (l, off) => format!(
            " LIMIT {} OFFSET {}",
            l.map_or(-1, |l| l.min(i64::MAX as usize) as i64),
            off.min(i64::MAX as usize)
        ),
    };
    // The tie order of equal (date, revision) is the analysis's
    // revision order, (date, key row).
    let sql = format!(
        "SELECT summary FROM an_revisions WHERE {} ORDER BY date DESC, revision DESC, key_row{limit}",
        cond.join(" AND ")
    );
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(key_row: i64, unit: i64, short: &str, date: i64, title: &str) -> RevisionRow {
        RevisionRow {
            key_row,
            unit,
            short: short.into(),
            date,
            revision: 1,
            latest: true,
            series: true,
            norm_title: title.into(),
            title_lc: title.to_lowercase(),
            name_lc: "ann".into(),
            email_lc: "ann@x".into(),
            list: None,
            summary: format!("{{\"id\":\"{short}\"}}"),
        }
    }

    #[test]
    fn units_and_revisions_round_trip_and_are_replaced_by_unit() {
        let t = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(t.path()).expect("open");
        assert_eq!(store.understanding_stamp().expect("stamp"), None);
        let change = UnderstandingChange {
            replace_all: true,
            removed: vec![],
            units: vec![
                UnitRow {
                    id: 1,
                    members: vec![1, 3],
                    phantoms: vec!["gone@x".into()],
                    data: "{}".into(),
                    hash: 11,
                },
                UnitRow {
                    id: 2,
                    members: vec![2],
                    phantoms: vec![],
                    data: "[]".into(),
                    hash: 22,
                },
            ],
            revisions: vec![
                rev(1, 1, "abcd1234", 10, "Fix Foo"),
                rev(2, 2, "abce0000", 20, "other"),
            ],
            overview: "{}".into(),
            stamp: "s1".into(),
        };
        store.save_understanding(&change).expect("save");
        assert_eq!(
            store.understanding_stamp().expect("stamp").as_deref(),
            Some("s1")
        );
        assert_eq!(store.unit_of_rows(&[9, 3]).expect("unit"), Some(1));
        assert_eq!(store.unit_of_phantom("gone@x").expect("unit"), Some(1));
        assert_eq!(store.unit_members(1).expect("members"), vec![1, 3]);
        assert_eq!(store.revisions_by_short("abc").expect("short").len(), 2);
        assert_eq!(
            store.revisions_by_short("abcd").expect("short"),
            vec![("abcd1234".to_owned(), 1)]
        );
        assert_eq!(
            store.revisions_by_title("Fix Foo").expect("t"),
            vec![(1, 1)]
        );
        let q = RevisionQuery {
            words: vec!["foo".into()],
            ..Default::default()
        };
        assert_eq!(
            store.revision_summaries(&q).expect("q"),
            vec!["{\"id\":\"abcd1234\"}".to_owned()]
        );
        let all = store
            .revision_summaries(&RevisionQuery::default())
            .expect("q");
        assert_eq!(all.len(), 2);
        assert!(all[0].contains("abce0000"), "newest first: {all:?}");

        // Replacing unit 1 only leaves unit 2 as it was.
        let change = UnderstandingChange {
            replace_all: false,
            removed: vec![1],
            units: vec![UnitRow {
                id: 1,
                members: vec![1],
                phantoms: vec![],
                data: "{}".into(),
                hash: 33,
            }],
            revisions: vec![],
            overview: "{}".into(),
            stamp: "s2".into(),
        };
        store.save_understanding(&change).expect("save");
        assert_eq!(store.unit_of_rows(&[3]).expect("unit"), None);
        assert_eq!(store.unit_of_phantom("gone@x").expect("unit"), None);
        assert_eq!(
            store.units().expect("units"),
            vec![(1, vec![1]), (2, vec![2])]
        );
        assert_eq!(store.revisions_by_short("abcd").expect("short"), vec![]);
        assert_eq!(store.unit_data(2).expect("data").as_deref(), Some("[]"));
        let mut hashes = store.unit_hashes().expect("hashes");
        hashes.sort_unstable();
        assert_eq!(hashes, vec![(1, 33), (2, 22)]);
    }

    /// Issue 14: at 1M messages `lpl series WORDS` read every revision
    /// row, summary and all (530 ms for the query alone); since schema 12
    /// the filters are answered in an index, in the order asked for.
    #[test]
    fn revision_queries_are_answered_by_the_indexes() {
        let t = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(t.path()).expect("open");
        let mut old = rev(1, 1, "a0000001", 10, "Fix foo");
        old.latest = false;
        let mut single = rev(2, 2, "a0000002", 30, "foo: one patch");
        single.series = false;
        let change = UnderstandingChange {
            replace_all: true,
            revisions: vec![old, single, rev(3, 1, "a0000003", 20, "Fix foo")],
            stamp: "s".into(),
            overview: "{}".into(),
            ..Default::default()
        };
        store.save_understanding(&change).expect("save");
        let plan = |q: &RevisionQuery| {
            let (sql, args) = revision_sql(q);
            let mut st = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("explain");
            let rows = st
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .expect("plan");
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .expect("plan rows")
                .join("; ")
        };
        let words = vec!["foo".to_owned()];
        let default = RevisionQuery {
            words: words.clone(),
            latest_only: true,
            series_only: true,
            ..Default::default()
        };
        let p = plan(&default);
        assert!(p.contains("an_revisions_pick"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        let all = RevisionQuery {
            words,
            ..Default::default()
        };
        let p = plan(&all);
        assert!(p.contains("an_revisions_date"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        // And the answers are the same as a scan's.
        let ids = |q: &RevisionQuery| store.revision_summaries(q).expect("query");
        assert_eq!(ids(&default), vec!["{\"id\":\"a0000003\"}".to_owned()]);
        assert_eq!(
            ids(&all),
            ["a0000002", "a0000003", "a0000001"]
                .map(|i| format!("{{\"id\":\"{i}\"}}"))
                .to_vec()
        );
    }
}
