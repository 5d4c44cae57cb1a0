//! This crate's own tables (prefix `up_`) inside a SQLite connection that the
//! caller owns (the lead's `lpl-store` calls [`migrate`]).
//!
//! Several upstream repositories per database (linux, liburing, ...): each
//! is a row of `up_repos`, and every other table is keyed by it, so
//! indexing a second repository leaves the first as it was. Versioned by
//! `up_meta('schema')`: 1 held one repository (its path and tips in
//! `up_meta`); [`migrate`] carries such a store over, the indexed
//! repository becoming the first row of `up_repos`. 3 records what the last
//! match run checked (`up_repos.matched_tips`, `up_checked`), so that a
//! series no run compared with a repository is "unknown" there, not "not
//! merged".
//!
//! | table | rows |
//! |---|---|
//! | `up_meta(key, value)` | `schema` |
//! | `up_repos(id, path, tips, matched_tips)` | one per indexed repository: its key ([`repo_key`]), the tips its last indexing read (hex ids, one per line) and the tips its last match run saw (`NULL`: never matched) |
//! | `up_commits(repo, id, patch_id, subject, author_name, author_email, author_date, commit_date, files, fingerprint)` | one per indexed non-merge commit; `files` newline-separated; `fingerprint` packed u64 LE |
//! | `up_commit_msgids(repo, message_id, commit_id)` | `Link:`/`Message-ID:` trailers |
//! | `up_tags(repo, ord, name, commit_id)` | release tags in version order |
//! | `up_first_tag(repo, commit_id, tag_ord)` | first release tag containing each commit |
//! | `up_matches(repo, message_id, commit_id, method, score)` | results of matching |
//! | `up_checked(repo, message_id)` | the patches the last match run compared with the repository (matched or not) |

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::index::IndexedCommit;
use crate::matching::{Match, MatchMethod, UpstreamIndex};
use crate::similarity::{Fingerprint, pack_lines, unpack_lines};
use crate::{CommitId, Error};

/// The schema [`migrate`] leads to.
const VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS up_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS up_repos(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  tips TEXT NOT NULL DEFAULT '',
  matched_tips TEXT
);
CREATE TABLE IF NOT EXISTS up_commits(
  repo INTEGER NOT NULL,
  id TEXT NOT NULL,
  patch_id TEXT,
  subject TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  author_date INTEGER NOT NULL,
  commit_date INTEGER NOT NULL,
  files TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  PRIMARY KEY(repo, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS up_commits_patch_id ON up_commits(patch_id);
CREATE TABLE IF NOT EXISTS up_commit_msgids(
  repo INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  PRIMARY KEY(repo, message_id, commit_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS up_tags(
  repo INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  name TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  PRIMARY KEY(repo, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS up_first_tag(
  repo INTEGER NOT NULL,
  commit_id TEXT NOT NULL,
  tag_ord INTEGER NOT NULL,
  PRIMARY KEY(repo, commit_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS up_matches(
  repo INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  method TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY(repo, message_id, commit_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS up_matches_message ON up_matches(message_id);
CREATE TABLE IF NOT EXISTS up_checked(
  repo INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY(repo, message_id)
) WITHOUT ROWID;
";

/// Schema 2 to 3: where the last match run stood. Nothing says what an
/// older lpl's run checked: its repositories count as never matched.
const FROM_2: &str = "ALTER TABLE up_repos ADD COLUMN matched_tips TEXT;";

/// Schema 1 (one repository, its path and tips in `up_meta`) to 2: the
/// old tables are renamed, the new ones created, and the rows copied
/// under repository 1 (the one `up_meta` named; none when it named none).
const FROM_1: &str = "
DROP INDEX IF EXISTS up_commits_patch_id;
DROP INDEX IF EXISTS up_matches_commit;
ALTER TABLE up_commits RENAME TO up_v1_commits;
ALTER TABLE up_commit_msgids RENAME TO up_v1_commit_msgids;
ALTER TABLE up_tags RENAME TO up_v1_tags;
ALTER TABLE up_first_tag RENAME TO up_v1_first_tag;
ALTER TABLE up_matches RENAME TO up_v1_matches;
";

const FROM_1_COPY: &str = "
INSERT INTO up_repos(id, path, tips)
  SELECT 1, r.value, COALESCE((SELECT value FROM up_meta WHERE key = 'tips'), '')
  FROM up_meta r WHERE r.key = 'repo';
INSERT INTO up_commits SELECT 1, * FROM up_v1_commits WHERE EXISTS (SELECT 1 FROM up_repos);
INSERT INTO up_commit_msgids SELECT 1, * FROM up_v1_commit_msgids WHERE EXISTS (SELECT 1 FROM up_repos);
INSERT INTO up_tags SELECT 1, * FROM up_v1_tags WHERE EXISTS (SELECT 1 FROM up_repos);
INSERT INTO up_first_tag SELECT 1, * FROM up_v1_first_tag WHERE EXISTS (SELECT 1 FROM up_repos);
INSERT INTO up_matches SELECT 1, * FROM up_v1_matches WHERE EXISTS (SELECT 1 FROM up_repos);
DROP TABLE up_v1_commits;
DROP TABLE up_v1_commit_msgids;
DROP TABLE up_v1_tags;
DROP TABLE up_v1_first_tag;
DROP TABLE up_v1_matches;
DELETE FROM up_meta WHERE key IN ('repo', 'tips');
";

/// Creates the `up_*` tables, or brings older ones to the current schema
/// (idempotent; one transaction).
pub fn migrate(conn: &Connection) -> Result<(), Error> {
    let tx = conn.unchecked_transaction()?;
    let has_meta = table_exists(&tx, "up_meta")?;
    let version: Option<i64> = if has_meta {
        Some(
            meta(&tx, "schema")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
        )
    } else {
        None
    };
    if version == Some(1) {
        tx.execute_batch(FROM_1)?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(FROM_1_COPY)?;
    } else {
        if version == Some(2) && !column_exists(&tx, "up_repos", "matched_tips")? {
            tx.execute_batch(FROM_2)?;
        }
        tx.execute_batch(SCHEMA)?;
    }
    if version.is_none_or(|v| v < VERSION) {
        set_meta(&tx, "schema", &VERSION.to_string())?;
    }
    tx.commit()?;
    Ok(())
}

fn column_exists(conn: &Connection, table: &str, column: &str) -> Result<bool, Error> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )?)
}

fn table_exists(conn: &Connection, name: &str) -> Result<bool, Error> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )?)
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

fn parse_tips(s: &str) -> Vec<CommitId> {
    s.lines().filter_map(|l| l.parse().ok()).collect()
}

/// An indexed repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// Its row in `up_repos` (what the other functions take as `repo`).
    pub id: i64,
    /// Its key ([`repo_key`]: the canonical path).
    pub path: String,
    /// The tips its last indexing read (empty before the first finished).
    pub tips: Vec<CommitId>,
    /// The tips its last match run saw (`None`: never matched, or only by
    /// an lpl that did not record it). Different from `tips` when the
    /// repository was indexed again since.
    pub matched_tips: Option<Vec<CommitId>>,
}

/// Whether repository's stored matches answer for some patches (see
/// [`match_run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchRun {
    /// The last match run compared every one of them with the repository
    /// as it is indexed now.
    Current,
    /// No match run is recorded for this repository.
    Never,
    /// The repository was indexed again after the last match run: its
    /// newer commits were never compared.
    Reindexed,
    /// These patches were not in the last match run (they arrived later).
    Missed(Vec<String>),
}

/// The row of the repository `key` (see [`repo_key`]), created if new.
pub fn repository_id(conn: &Connection, key: &str) -> Result<i64, Error> {
    conn.execute(
        "INSERT OR IGNORE INTO up_repos(path, tips) VALUES(?1, '')",
        [key],
    )?;
    Ok(
        conn.query_row("SELECT id FROM up_repos WHERE path = ?1", [key], |r| {
            r.get(0)
        })?,
    )
}

/// Tips indexed by the last run for repository `repo` (empty on the
/// first run).
pub fn tips(conn: &Connection, repo: i64) -> Result<Vec<CommitId>, Error> {
    let t: Option<String> = conn
        .query_row("SELECT tips FROM up_repos WHERE id = ?1", [repo], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(parse_tips(&t.unwrap_or_default()))
}

/// The indexed repositories, in the order they were first indexed; empty
/// when none was (or the tables do not exist yet: this never writes).
/// Tables of an older schema are [`Error::OldSchema`]: [`migrate`] first.
pub fn repositories(conn: &Connection) -> Result<Vec<Repository>, Error> {
    // A read-only caller may look before anything created the tables.
    if table_exists(conn, "up_repos")? {
        let mut st =
            conn.prepare("SELECT id, path, tips, matched_tips FROM up_repos ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, path, tips, matched) = r?;
            let tips = parse_tips(&tips);
            // A repository whose first indexing did not finish has no
            // tips: nothing can be said from it yet.
            if !tips.is_empty() {
                out.push(Repository {
                    id,
                    path,
                    tips,
                    matched_tips: matched.as_deref().map(parse_tips),
                });
            }
        }
        return Ok(out);
    }
    match schema(conn)? {
        None => Ok(Vec::new()),
        Some(found) => Err(Error::OldSchema { found }),
    }
}

/// The schema of the `up_*` tables, `None` when there are none.
fn schema(conn: &Connection) -> Result<Option<i64>, Error> {
    if !table_exists(conn, "up_meta")? {
        return Ok(None);
    }
    Ok(Some(
        meta(conn, "schema")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
    ))
}

/// Whether [`migrate`] has work to do on tables that exist (a store of an
/// older lpl): the caller opens the store writable for it.
pub fn needs_migration(conn: &Connection) -> Result<bool, Error> {
    Ok(schema(conn)?.is_some_and(|v| v < VERSION))
}

/// Whether repository `repo`'s indexed commits touched one of `files` or a
/// file beside it (in the same directory, for a file the series adds): a
/// repository that never did cannot hold the series (liburing's history
/// for a kernel series).
pub fn covers_any_file(conn: &Connection, repo: i64, files: &[String]) -> Result<bool, Error> {
    let mut q = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM up_commits
           WHERE repo = ?1 AND instr(char(10) || files || char(10), char(10) || ?2) > 0)",
    )?;
    for f in files {
        // `io_uring/zcrx.c` -> `io_uring/`; a top-level file as a whole line.
        let probe = match f.rfind('/') {
            Some(i) => f[..=i].to_owned(),
            None => format!("{f}\n"),
        };
        if q.query_row(params![repo, probe], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records the tips of repository `repo` indexed by this run.
pub fn set_tips(conn: &Connection, repo: i64, tips: &[CommitId]) -> Result<(), Error> {
    let s: Vec<String> = tips.iter().map(|t| t.to_string()).collect();
    conn.execute(
        "UPDATE up_repos SET tips = ?2 WHERE id = ?1",
        params![repo, s.join("\n")],
    )?;
    Ok(())
}

/// Writes indexed commits of repository `repo` (one transaction).
pub fn save_commits(
    conn: &mut Connection,
    repo: i64,
    commits: &[IndexedCommit],
) -> Result<(), Error> {
    let tx = conn.transaction()?;
    {
        let mut c = tx.prepare_cached(
            "INSERT OR REPLACE INTO up_commits(repo, id, patch_id, subject, author_name, author_email,
               author_date, commit_date, files, fingerprint) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        )?;
        let mut m = tx.prepare_cached(
            "INSERT OR IGNORE INTO up_commit_msgids(repo, message_id, commit_id) VALUES(?1, ?2, ?3)",
        )?;
        for k in commits {
            let id = k.id.to_string();
            c.execute(params![
                repo,
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
                m.execute(params![repo, mid, id])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Release tags of repository `repo`, in version order.
pub fn tags(conn: &Connection, repo: i64) -> Result<Vec<(String, CommitId)>, Error> {
    let mut st =
        conn.prepare("SELECT name, commit_id FROM up_tags WHERE repo = ?1 ORDER BY ord")?;
    let rows = st.query_map([repo], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let (n, c) = r?;
        if let Ok(c) = c.parse() {
            out.push((n, c));
        }
    }
    Ok(out)
}

/// Stores the release tags and first-tag assignments of repository
/// `repo` (`replace`: drop its old assignments first).
pub fn save_tags(
    conn: &mut Connection,
    repo: i64,
    tags: &[(String, CommitId)],
    firsts: &[(CommitId, u32)],
    replace: bool,
) -> Result<(), Error> {
    let tx = conn.transaction()?;
    if replace {
        tx.execute("DELETE FROM up_first_tag WHERE repo = ?1", [repo])?;
    }
    tx.execute("DELETE FROM up_tags WHERE repo = ?1", [repo])?;
    {
        let mut t =
            tx.prepare("INSERT INTO up_tags(repo, ord, name, commit_id) VALUES(?1, ?2, ?3, ?4)")?;
        for (i, (n, c)) in tags.iter().enumerate() {
            t.execute(params![repo, i as i64, n, c.to_string()])?;
        }
        let mut f = tx.prepare(
            "INSERT OR IGNORE INTO up_first_tag(repo, commit_id, tag_ord) VALUES(?1, ?2, ?3)",
        )?;
        for (c, o) in firsts {
            f.execute(params![repo, c.to_string(), i64::from(*o)])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Number of indexed commits of repository `repo`.
pub fn count_commits(conn: &Connection, repo: i64) -> Result<usize, Error> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM up_commits WHERE repo = ?1",
        [repo],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The first release tag of repository `repo` containing `commit`, if
/// known.
pub fn first_tag(conn: &Connection, repo: i64, commit: CommitId) -> Result<Option<String>, Error> {
    Ok(conn
        .query_row(
            "SELECT t.name FROM up_first_tag f JOIN up_tags t ON t.repo = f.repo AND t.ord = f.tag_ord
             WHERE f.repo = ?1 AND f.commit_id = ?2",
            params![repo, commit.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Loads repository `repo`'s index into memory for matching.
pub fn load_index(conn: &Connection, repo: i64) -> Result<UpstreamIndex, Error> {
    let tag_names: Vec<String> = tags(conn, repo)?.into_iter().map(|(n, _)| n).collect();
    let mut first: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    {
        let mut st = conn.prepare("SELECT commit_id, tag_ord FROM up_first_tag WHERE repo = ?1")?;
        let rows = st.query_map([repo], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for r in rows {
            let (c, o) = r?;
            first.insert(c, u32::try_from(o).unwrap_or(0));
        }
    }
    let mut msgids: std::collections::HashMap<String, Vec<String>> = Default::default();
    {
        let mut st =
            conn.prepare("SELECT commit_id, message_id FROM up_commit_msgids WHERE repo = ?1")?;
        let rows = st.query_map([repo], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for r in rows {
            let (c, m) = r?;
            msgids.entry(c).or_default().push(m);
        }
    }
    let mut st = conn.prepare(
        "SELECT id, patch_id, subject, author_name, author_email, author_date, commit_date, files, fingerprint
         FROM up_commits WHERE repo = ?1",
    )?;
    let rows = st.query_map([repo], |r| {
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

/// Rank of each release tag of repository `repo` in version order (for
/// [`crate::series::series_status`]'s `tag_order`).
pub fn tag_order(
    conn: &Connection,
    repo: i64,
) -> Result<std::collections::HashMap<String, usize>, Error> {
    Ok(tags(conn, repo)?
        .into_iter()
        .enumerate()
        .map(|(i, (n, _))| (n, i))
        .collect())
}

/// Matches `patches` against every indexed repository and replaces the
/// stored matches with the result (what `lpl upstream --all` does). A
/// patch is matched only against the repositories whose history touched
/// its files or their directories ([`covers_any_file`]): a kernel patch is
/// not looked for in liburing, where a same-subject commit would be a
/// false match. Each match names its repository. The patches compared
/// with each repository and its tips are recorded with the matches
/// ([`match_run`]).
pub fn match_and_save(
    conn: &mut Connection,
    patches: &[crate::PatchInput],
    opts: &crate::MatchOptions,
) -> Result<crate::MatchOutcome, Error> {
    let mut all = crate::MatchOutcome::default();
    for repo in repositories(conn)? {
        let mut mine = Vec::new();
        for p in patches {
            if p.files.is_empty() || covers_any_file(conn, repo.id, &p.files)? {
                mine.push(p.clone());
            }
        }
        let ix = load_index(conn, repo.id)?;
        let mut out = ix.match_patches(&mine, opts);
        for m in &mut out.matches {
            m.repository = Some(repo.path.clone());
        }
        let checked: Vec<&str> = mine.iter().map(|p| p.message_id.as_str()).collect();
        save_run(conn, &repo, &out.matches, &checked)?;
        all.matches.extend(out.matches);
        all.problems.extend(out.problems);
    }
    Ok(all)
}

/// Replaces repository `repo`'s stored matches with `matches`, found by
/// comparing the patches `checked` with it as indexed at `repo.tips`, and
/// records that run (one transaction).
pub fn save_run(
    conn: &mut Connection,
    repo: &Repository,
    matches: &[Match],
    checked: &[&str],
) -> Result<(), Error> {
    let tx = conn.transaction()?;
    write_matches(&tx, repo.id, matches)?;
    tx.execute("DELETE FROM up_checked WHERE repo = ?1", [repo.id])?;
    {
        let mut st =
            tx.prepare("INSERT OR IGNORE INTO up_checked(repo, message_id) VALUES(?1, ?2)")?;
        for m in checked {
            st.execute(params![repo.id, m])?;
        }
    }
    let tips: Vec<String> = repo.tips.iter().map(|t| t.to_string()).collect();
    tx.execute(
        "UPDATE up_repos SET matched_tips = ?2 WHERE id = ?1",
        params![repo.id, tips.join("\n")],
    )?;
    tx.commit()?;
    Ok(())
}

/// Whether repository `repo`'s stored matches answer for `patches`
/// (Message-ID, files): a run compared each of them with the repository
/// as it is indexed now. A patch the run left out because the repository
/// never touched its files ([`match_and_save`]'s rule) needs no run.
pub fn match_run(
    conn: &Connection,
    repo: &Repository,
    patches: &[(&str, &[String])],
) -> Result<MatchRun, Error> {
    let Some(matched) = &repo.matched_tips else {
        return Ok(MatchRun::Never);
    };
    if *matched != repo.tips {
        return Ok(MatchRun::Reindexed);
    }
    let mut st = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM up_checked WHERE repo = ?1 AND message_id = ?2)",
    )?;
    let mut missed = Vec::new();
    for &(m, files) in patches {
        if !st.query_row(params![repo.id, m], |r| r.get::<_, bool>(0))?
            && (files.is_empty() || covers_any_file(conn, repo.id, files)?)
        {
            missed.push(m.to_owned());
        }
    }
    Ok(if missed.is_empty() {
        MatchRun::Current
    } else {
        MatchRun::Missed(missed)
    })
}

fn write_matches(
    tx: &rusqlite::Transaction<'_>,
    repo: i64,
    matches: &[Match],
) -> Result<(), Error> {
    tx.execute("DELETE FROM up_matches WHERE repo = ?1", [repo])?;
    {
        let mut st = tx.prepare(
            "INSERT OR REPLACE INTO up_matches(repo, message_id, commit_id, method, score) VALUES(?1,?2,?3,?4,?5)",
        )?;
        for m in matches {
            st.execute(params![
                repo,
                m.message_id,
                m.commit.to_string(),
                m.method.as_str(),
                m.score
            ])?;
        }
    }
    Ok(())
}

/// Whether any match is stored (in any repository).
pub fn has_matches(conn: &Connection) -> Result<bool, Error> {
    if !table_exists(conn, "up_matches")? {
        return Ok(false);
    }
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM up_matches)", [], |r| r.get(0))?)
}

/// Stored matches of one message in repository `repo`, strongest first.
pub fn matches_for(
    conn: &Connection,
    repo: &Repository,
    message_id: &str,
) -> Result<Vec<Match>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT m.commit_id, m.method, m.score, t.name FROM up_matches m
         LEFT JOIN up_first_tag f ON f.repo = m.repo AND f.commit_id = m.commit_id
         LEFT JOIN up_tags t ON t.repo = f.repo AND t.ord = f.tag_ord
         WHERE m.repo = ?1 AND m.message_id = ?2",
    )?;
    let rows = st.query_map(params![repo.id, message_id], |r| {
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
                repository: Some(repo.path.clone()),
            });
        }
    }
    out.sort_by(|a, b| a.method.cmp(&b.method).then(b.score.total_cmp(&a.score)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables of schema 1 (one repository in `up_meta`), as an older
    /// lpl wrote them.
    const V1: &str = "
CREATE TABLE up_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE up_commits(id TEXT PRIMARY KEY, patch_id TEXT, subject TEXT NOT NULL,
  author_name TEXT NOT NULL, author_email TEXT NOT NULL, author_date INTEGER NOT NULL,
  commit_date INTEGER NOT NULL, files TEXT NOT NULL, fingerprint BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX up_commits_patch_id ON up_commits(patch_id);
CREATE TABLE up_commit_msgids(message_id TEXT NOT NULL, commit_id TEXT NOT NULL,
  PRIMARY KEY(message_id, commit_id)) WITHOUT ROWID;
CREATE TABLE up_tags(ord INTEGER PRIMARY KEY, name TEXT NOT NULL, commit_id TEXT NOT NULL);
CREATE TABLE up_first_tag(commit_id TEXT PRIMARY KEY, tag_ord INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE up_matches(message_id TEXT NOT NULL, commit_id TEXT NOT NULL, method TEXT NOT NULL,
  score REAL NOT NULL, PRIMARY KEY(message_id, commit_id)) WITHOUT ROWID;
CREATE INDEX up_matches_commit ON up_matches(commit_id);
INSERT INTO up_meta VALUES('schema', '1'), ('repo', '/src/liburing'),
  ('tips', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
INSERT INTO up_commits VALUES('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', NULL, 'test: x', 'A', 'a@x', 1, 2,
  'test/x.c', x'');
INSERT INTO up_tags VALUES(0, 'liburing-2.0', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
INSERT INTO up_first_tag VALUES('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 0);
INSERT INTO up_matches VALUES('m@x', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'patch-id', 1.0);
";

    #[test]
    fn schema_1_is_carried_over_as_the_first_repository() {
        let conn = Connection::open_in_memory().expect("sqlite");
        conn.execute_batch(V1).expect("v1");
        assert!(needs_migration(&conn).expect("read"));
        assert!(matches!(
            repositories(&conn),
            Err(Error::OldSchema { found: 1 })
        ));
        migrate(&conn).expect("migrate");
        assert!(!needs_migration(&conn).expect("read"));
        let repos = repositories(&conn).expect("read");
        assert_eq!(repos.len(), 1, "{repos:?}");
        let r = &repos[0];
        assert_eq!(r.path, "/src/liburing");
        assert_eq!(r.tips.len(), 1);
        assert_eq!(count_commits(&conn, r.id).expect("count"), 1);
        assert!(covers_any_file(&conn, r.id, &["test/y.c".into()]).expect("covers"));
        let m = matches_for(&conn, r, "m@x").expect("matches");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].first_tag.as_deref(), Some("liburing-2.0"));
        assert_eq!(m[0].repository.as_deref(), Some("/src/liburing"));
        // Idempotent; a second repository gets a row of its own.
        migrate(&conn).expect("again");
        let other = repository_id(&conn, "/src/linux").expect("id");
        assert_ne!(other, r.id);
        assert_eq!(count_commits(&conn, other).expect("count"), 0);
    }

    /// Issue 15: a repository of a schema-2 store (no record of what its
    /// match runs checked) counts as never matched; [`save_run`] records
    /// the patches compared and the tips, and [`match_run`] tells a patch
    /// that arrived later (and that the repository could hold) from one
    /// it could not hold, and a repository indexed again since.
    #[test]
    fn match_runs_are_recorded_and_schema_2_counts_as_never_matched() {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        conn.execute_batch(V1).expect("v1");
        migrate(&conn).expect("to 3");
        // Back to schema 2's shape, as an older lpl left it.
        conn.execute_batch(
            "ALTER TABLE up_repos DROP COLUMN matched_tips; DROP TABLE up_checked;
             UPDATE up_meta SET value = '2' WHERE key = 'schema';",
        )
        .expect("schema 2");
        assert!(needs_migration(&conn).expect("read"));
        migrate(&conn).expect("2 to 3");
        migrate(&conn).expect("idempotent");
        assert!(!needs_migration(&conn).expect("read"));
        let repo = repositories(&conn).expect("read").remove(0);
        assert_eq!(repo.matched_tips, None);
        let test_file = ["test/y.c".to_owned()];
        let kernel_file = ["io_uring/net.c".to_owned()];
        let old: [(&str, &[String]); 1] = [("m@x", &test_file)];
        assert_eq!(match_run(&conn, &repo, &old).expect("run"), MatchRun::Never);

        save_run(&mut conn, &repo, &[], &["m@x"]).expect("save");
        let repo = repositories(&conn).expect("read").remove(0);
        assert_eq!(repo.matched_tips.as_ref(), Some(&repo.tips));
        // The run replaced the older matches.
        assert!(matches_for(&conn, &repo, "m@x").expect("read").is_empty());
        assert_eq!(
            match_run(&conn, &repo, &old).expect("run"),
            MatchRun::Current
        );
        // A later patch the repository could hold, and one it could not
        // (liburing never touched io_uring/): only the first is missed.
        let later: [(&str, &[String]); 3] = [
            ("m@x", &test_file),
            ("new@x", &test_file),
            ("kernel@x", &kernel_file),
        ];
        assert_eq!(
            match_run(&conn, &repo, &later).expect("run"),
            MatchRun::Missed(vec!["new@x".to_owned()])
        );
        // Indexed again: new tips, the run is stale.
        let newer: CommitId = "cccccccccccccccccccccccccccccccccccccccc"
            .parse()
            .expect("id");
        set_tips(&conn, repo.id, &[newer]).expect("tips");
        let repo = repositories(&conn).expect("read").remove(0);
        assert_eq!(
            match_run(&conn, &repo, &old).expect("run"),
            MatchRun::Reindexed
        );
    }
}
