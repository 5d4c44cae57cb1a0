//! This crate's own tables (prefix `up_`) inside a SQLite connection that the
//! caller owns (the lead's `lpl-store` calls [`migrate`]).
//!
//! One upstream repository per database: indexing a different repository
//! path clears the tables first.
//!
//! | table | rows |
//! |---|---|
//! | `up_meta(key, value)` | `schema`, `repo` (path), `tips` (hex ids, one per line) |
//! | `up_commits(id, patch_id, subject, author_name, author_email, author_date, commit_date, files, fingerprint)` | one per indexed non-merge commit; `files` newline-separated; `fingerprint` packed u64 LE |
//! | `up_commit_msgids(message_id, commit_id)` | `Link:`/`Message-ID:` trailers |
//! | `up_tags(ord, name, commit_id)` | release tags in version order |
//! | `up_first_tag(commit_id, tag_ord)` | first release tag containing each commit |
//! | `up_matches(message_id, commit_id, method, score)` | results of matching |

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::index::IndexedCommit;
use crate::matching::{Match, MatchMethod, UpstreamIndex};
use crate::similarity::{Fingerprint, pack_lines, unpack_lines};
use crate::{CommitId, Error};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS up_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS up_commits(
  id TEXT PRIMARY KEY,
  patch_id TEXT,
  subject TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  author_date INTEGER NOT NULL,
  commit_date INTEGER NOT NULL,
  files TEXT NOT NULL,
  fingerprint BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS up_commits_patch_id ON up_commits(patch_id);
CREATE TABLE IF NOT EXISTS up_commit_msgids(
  message_id TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  PRIMARY KEY(message_id, commit_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS up_tags(ord INTEGER PRIMARY KEY, name TEXT NOT NULL, commit_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS up_first_tag(commit_id TEXT PRIMARY KEY, tag_ord INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS up_matches(
  message_id TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  method TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY(message_id, commit_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS up_matches_commit ON up_matches(commit_id);
";

/// Creates the `up_*` tables if they do not exist (idempotent).
pub fn migrate(conn: &Connection) -> Result<(), Error> {
    conn.execute_batch(SCHEMA)?;
    conn.execute(
        "INSERT OR IGNORE INTO up_meta(key, value) VALUES('schema', '1')",
        [],
    )?;
    Ok(())
}

/// The key a repository is stored under (its canonical path).
pub fn repo_key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned()
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>, Error> {
    Ok(conn
        .query_row("SELECT value FROM up_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO up_meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Tips indexed by the last run for `repo` (empty on the first run; indexing
/// another repository clears the tables).
pub fn tips(conn: &Connection, repo: &str) -> Result<Vec<CommitId>, Error> {
    match meta(conn, "repo")? {
        Some(r) if r == repo => {}
        Some(_) => {
            conn.execute_batch(
                "DELETE FROM up_commits; DELETE FROM up_commit_msgids; DELETE FROM up_tags;
                 DELETE FROM up_first_tag; DELETE FROM up_matches; DELETE FROM up_meta WHERE key = 'tips';",
            )?;
            set_meta(conn, "repo", repo)?;
            return Ok(Vec::new());
        }
        None => {
            set_meta(conn, "repo", repo)?;
            return Ok(Vec::new());
        }
    }
    Ok(meta(conn, "tips")?
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.parse().ok())
        .collect())
}

/// The indexed repository (its key, see [`repo_key`]) and the tips its
/// last indexing read; `None` when no repository was indexed (or the
/// tables do not exist yet: this never writes).
pub fn indexed_repository(conn: &Connection) -> Result<Option<(String, Vec<CommitId>)>, Error> {
    // A read-only caller may look before anything created the tables.
    let tables: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'up_meta')",
        [],
        |r| r.get(0),
    )?;
    if !tables {
        return Ok(None);
    }
    let Some(repo) = meta(conn, "repo")? else {
        return Ok(None);
    };
    let tips = meta(conn, "tips")?
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.parse().ok())
        .collect();
    Ok(Some((repo, tips)))
}

/// Whether indexed commits touched one of `files` or a file beside it (in
/// the same directory, for a file the series adds): a repository that
/// never did cannot hold the series (liburing's history for a kernel
/// series).
pub fn covers_any_file(conn: &Connection, files: &[String]) -> Result<bool, Error> {
    let mut q = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM up_commits
           WHERE instr(char(10) || files || char(10), char(10) || ?1) > 0)",
    )?;
    for f in files {
        // `io_uring/zcrx.c` -> `io_uring/`; a top-level file as a whole line.
        let probe = match f.rfind('/') {
            Some(i) => f[..=i].to_owned(),
            None => format!("{f}\n"),
        };
        if q.query_row([probe], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records the tips indexed by this run.
pub fn set_tips(conn: &Connection, repo: &str, tips: &[CommitId]) -> Result<(), Error> {
    set_meta(conn, "repo", repo)?;
    let s: Vec<String> = tips.iter().map(|t| t.to_string()).collect();
    set_meta(conn, "tips", &s.join("\n"))
}

/// Writes indexed commits (one transaction).
pub fn save_commits(conn: &mut Connection, commits: &[IndexedCommit]) -> Result<(), Error> {
    let tx = conn.transaction()?;
    {
        let mut c = tx.prepare_cached(
            "INSERT OR REPLACE INTO up_commits(id, patch_id, subject, author_name, author_email,
               author_date, commit_date, files, fingerprint) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
        )?;
        let mut m = tx.prepare_cached(
            "INSERT OR IGNORE INTO up_commit_msgids(message_id, commit_id) VALUES(?1, ?2)",
        )?;
        for k in commits {
            let id = k.id.to_string();
            c.execute(params![
                id,
                k.patch_id.map(|p| p.to_string()),
                k.subject,
                k.author_name,
                k.author_email,
                k.author_date,
                k.commit_date,
                k.files.join("\n"),
                pack_lines(&k.fingerprint.lines),
            ])?;
            for mid in &k.message_ids {
                m.execute(params![mid, id])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Release tags stored, in version order.
pub fn tags(conn: &Connection) -> Result<Vec<(String, CommitId)>, Error> {
    let mut st = conn.prepare("SELECT name, commit_id FROM up_tags ORDER BY ord")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (n, c) = r?;
        if let Ok(c) = c.parse() {
            out.push((n, c));
        }
    }
    Ok(out)
}

/// Stores the release tags and first-tag assignments (`replace`: drop the
/// old assignments first).
pub fn save_tags(
    conn: &mut Connection,
    tags: &[(String, CommitId)],
    firsts: &[(CommitId, u32)],
    replace: bool,
) -> Result<(), Error> {
    let tx = conn.transaction()?;
    if replace {
        tx.execute_batch("DELETE FROM up_first_tag;")?;
    }
    tx.execute_batch("DELETE FROM up_tags;")?;
    {
        let mut t = tx.prepare("INSERT INTO up_tags(ord, name, commit_id) VALUES(?1, ?2, ?3)")?;
        for (i, (n, c)) in tags.iter().enumerate() {
            t.execute(params![i as i64, n, c.to_string()])?;
        }
        let mut f =
            tx.prepare("INSERT OR IGNORE INTO up_first_tag(commit_id, tag_ord) VALUES(?1, ?2)")?;
        for (c, o) in firsts {
            f.execute(params![c.to_string(), i64::from(*o)])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Number of indexed commits.
pub fn count_commits(conn: &Connection) -> Result<usize, Error> {
    let n: i64 = conn.query_row("SELECT count(*) FROM up_commits", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The first release tag containing `commit`, if known.
pub fn first_tag(conn: &Connection, commit: CommitId) -> Result<Option<String>, Error> {
    Ok(conn
        .query_row(
            "SELECT t.name FROM up_first_tag f JOIN up_tags t ON t.ord = f.tag_ord WHERE f.commit_id = ?1",
            [commit.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Loads the whole index into memory for matching.
pub fn load_index(conn: &Connection) -> Result<UpstreamIndex, Error> {
    let tag_names: Vec<String> = tags(conn)?.into_iter().map(|(n, _)| n).collect();
    let mut first: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    {
        let mut st = conn.prepare("SELECT commit_id, tag_ord FROM up_first_tag")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for r in rows {
            let (c, o) = r?;
            first.insert(c, u32::try_from(o).unwrap_or(0));
        }
    }
    let mut msgids: std::collections::HashMap<String, Vec<String>> = Default::default();
    {
        let mut st = conn.prepare("SELECT commit_id, message_id FROM up_commit_msgids")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for r in rows {
            let (c, m) = r?;
            msgids.entry(c).or_default().push(m);
        }
    }
    let mut st = conn.prepare(
        "SELECT id, patch_id, subject, author_name, author_email, author_date, commit_date, files, fingerprint FROM up_commits",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, Vec<u8>>(8)?,
        ))
    })?;
    let mut commits = Vec::new();
    let mut first_tags = Vec::new();
    for r in rows {
        let (id, pid, subject, an, ae, ad, cd, files, fp) = r?;
        let Ok(cid) = id.parse::<CommitId>() else {
            continue;
        };
        let files: Vec<String> = files
            .lines()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect();
        first_tags.push(
            first
                .get(&id)
                .and_then(|o| tag_names.get(*o as usize).cloned()),
        );
        commits.push(IndexedCommit {
            id: cid,
            patch_id: pid.and_then(|p| p.parse().ok()),
            subject,
            author_name: an,
            author_email: ae,
            author_date: ad,
            commit_date: cd,
            fingerprint: Fingerprint {
                files: files.clone(),
                lines: unpack_lines(&fp),
            },
            files,
            message_ids: msgids.remove(&id).unwrap_or_default(),
        });
    }
    Ok(UpstreamIndex::new(commits, first_tags))
}

/// Rank of each release tag in version order (for
/// [`crate::series::series_status`]'s `tag_order`).
pub fn tag_order(conn: &Connection) -> Result<std::collections::HashMap<String, usize>, Error> {
    Ok(tags(conn)?
        .into_iter()
        .enumerate()
        .map(|(i, (n, _))| (n, i))
        .collect())
}

/// Loads the index, matches `patches` and replaces the stored matches with
/// the result (what `lpl upstream --all` does).
pub fn match_and_save(
    conn: &mut Connection,
    patches: &[crate::PatchInput],
    opts: &crate::MatchOptions,
) -> Result<crate::MatchOutcome, Error> {
    let ix = load_index(conn)?;
    let out = ix.match_patches(patches, opts);
    save_matches(conn, &out.matches)?;
    Ok(out)
}

/// Replaces stored matches with `matches`.
pub fn save_matches(conn: &mut Connection, matches: &[Match]) -> Result<(), Error> {
    let tx = conn.transaction()?;
    tx.execute_batch("DELETE FROM up_matches;")?;
    {
        let mut st = tx.prepare(
            "INSERT OR REPLACE INTO up_matches(message_id, commit_id, method, score) VALUES(?1,?2,?3,?4)",
        )?;
        for m in matches {
            st.execute(params![
                m.message_id,
                m.commit.to_string(),
                m.method.as_str(),
                m.score
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Stored matches of one message, strongest first.
pub fn matches_for(conn: &Connection, message_id: &str) -> Result<Vec<Match>, Error> {
    let mut st = conn.prepare(
        "SELECT m.commit_id, m.method, m.score, t.name FROM up_matches m
         LEFT JOIN up_first_tag f ON f.commit_id = m.commit_id
         LEFT JOIN up_tags t ON t.ord = f.tag_ord
         WHERE m.message_id = ?1",
    )?;
    let rows = st.query_map([message_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (c, m, s, t) = r?;
        if let (Ok(commit), Some(method)) = (c.parse(), MatchMethod::parse(&m)) {
            out.push(Match {
                message_id: message_id.to_owned(),
                commit,
                method,
                score: s,
                first_tag: t,
            });
        }
    }
    out.sort_by(|a, b| a.method.cmp(&b.method).then(b.score.total_cmp(&a.score)));
    Ok(out)
}
