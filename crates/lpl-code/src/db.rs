//! The index database: one SQLite file holding every indexed tree.
//!
//! Parse results belong to a file's *content* (its git blob id), not to a
//! tree: a tree is a list of (path, blob). Indexing a second version of the
//! kernel parses only the files that changed; removing a tree drops the
//! blobs no other tree uses.
//!
//! Tables: `trees`, `paths`, `blobs`, `tree_files (tree, path, blob)`,
//! `names` (every identifier once), `defs (blob, name, kind, lines)` and
//! `refs (def, name, kind, line, via, arg)`, with indexes on names so that
//! a lookup costs a few B-tree probes; `calls (tree, name, def, callees)`,
//! each tree's callees resolved when it is indexed (`graph`).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::Error;

/// Schema migrations; index + 1 is the version.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE trees (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,           -- 'dir' | 'git'
    source     TEXT NOT NULL,           -- directory or repository
    rev        TEXT,                    -- revision as given (git)
    commit_id  TEXT,                    -- commit it resolved to (git)
    version    TEXT,                    -- from the top Makefile, when present
    indexed_at INTEGER NOT NULL,
    files      INTEGER NOT NULL DEFAULT 0,
    defs       INTEGER NOT NULL DEFAULT 0,
    refs       INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    with_errors INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE paths (
    id   INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
);
CREATE TABLE blobs (
    id          INTEGER PRIMARY KEY,
    oid         BLOB NOT NULL UNIQUE,   -- git blob id of the content
    lines       INTEGER NOT NULL,
    error_lines TEXT,                   -- lines of parse errors, comma-separated
    failed      TEXT,                   -- why the file could not be indexed
    ndefs       INTEGER NOT NULL,
    nrefs       INTEGER NOT NULL
);
CREATE TABLE tree_files (
    tree  INTEGER NOT NULL,
    path  INTEGER NOT NULL,
    blob  INTEGER NOT NULL,
    size  INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    PRIMARY KEY (tree, path)
) WITHOUT ROWID;
CREATE INDEX tree_files_blob ON tree_files(blob, tree);
CREATE TABLE names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE defs (
    id     INTEGER PRIMARY KEY,
    blob   INTEGER NOT NULL,
    name   INTEGER NOT NULL,
    kind   INTEGER NOT NULL,
    line   INTEGER NOT NULL,
    start  INTEGER NOT NULL,
    end    INTEGER NOT NULL,
    static INTEGER NOT NULL,
    called_params INTEGER NOT NULL
);
CREATE TABLE refs (
    def  INTEGER NOT NULL,              -- defs.id it is made from
    name INTEGER NOT NULL,              -- names.id referenced
    kind INTEGER NOT NULL,
    line INTEGER NOT NULL,
    via  INTEGER,                       -- names.id of the callee (arg) or field (assign)
    arg  INTEGER NOT NULL
);
"#,
    // 2: each tree's resolved callees (`graph`), filled in for the trees
    // already indexed when the migration runs.
    r#"
CREATE TABLE calls (
    tree    INTEGER NOT NULL,
    name    INTEGER NOT NULL,           -- names.id of the function, macro or variable
    def     INTEGER NOT NULL,           -- defs.id (one row per #ifdef variant)
    callees BLOB NOT NULL,              -- graph::encode, in line order
    PRIMARY KEY (tree, name, def)
) WITHOUT ROWID;
"#,
];

/// Indexes on the big tables, dropped during a bulk load and created after
/// (a sort instead of millions of random B-tree inserts).
const BULK_INDEXES: &[(&str, &str)] = &[
    ("defs_name", "CREATE INDEX defs_name ON defs(name)"),
    ("defs_blob", "CREATE INDEX defs_blob ON defs(blob)"),
    ("refs_name", "CREATE INDEX refs_name ON refs(name)"),
    ("refs_def", "CREATE INDEX refs_def ON refs(def)"),
    (
        "refs_via",
        "CREATE INDEX refs_via ON refs(via) WHERE via IS NOT NULL",
    ),
];

/// The code index.
pub struct CodeIndex {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

impl std::fmt::Debug for CodeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeIndex")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CodeIndex {
    /// Opens (creating if needed) the index database at `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| Error::Sqlite {
            path: path.to_owned(),
            source,
        })?;
        let mut ix = CodeIndex {
            conn,
            path: path.to_owned(),
        };
        ix.conn
            .execute_batch(
                "PRAGMA journal_mode = DELETE;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 10000;
                 PRAGMA cache_size = -65536;",
            )
            .map_err(ix.err())?;
        ix.migrate()?;
        Ok(ix)
    }

    /// Opens an existing index for queries only.
    pub fn open_read(path: &Path) -> Result<Self, Error> {
        if !path.exists() {
            return Err(Error::NoTrees);
        }
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Sqlite {
            path: path.to_owned(),
            source,
        })?;
        let ix = CodeIndex {
            conn,
            path: path.to_owned(),
        };
        // Queries touch scattered pages of a large file: map it.
        ix.conn
            .execute_batch("PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -32768;")
            .map_err(ix.err())?;
        let version: i64 = ix
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(ix.err())?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::TooNew {
                path: path.to_owned(),
                found: version,
                known: MIGRATIONS.len() as i64,
            });
        }
        if version < MIGRATIONS.len() as i64 {
            // Written by an older lpl: migrate through a writable handle.
            drop(ix);
            return Self::open(path);
        }
        Ok(ix)
    }

    pub(crate) fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(Error::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        let path = self.path.clone();
        let e = |source| Error::Sqlite {
            path: path.clone(),
            source,
        };
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().map_err(e)?;
            tx.execute_batch(sql).map_err(e)?;
            if i == 0 {
                for (_, create) in BULK_INDEXES {
                    tx.execute_batch(create).map_err(e)?;
                }
            }
            if i == 1 {
                let trees: Vec<i64> = tx
                    .prepare("SELECT id FROM trees")
                    .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                    .map_err(e)?;
                for t in trees {
                    crate::graph::build(&tx, t).map_err(e)?;
                }
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(e)?;
            tx.commit().map_err(e)?;
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn drop_bulk_indexes(&self) -> Result<(), Error> {
        for (name, _) in BULK_INDEXES {
            self.conn
                .execute_batch(&format!("DROP INDEX IF EXISTS {name}"))
                .map_err(self.err())?;
        }
        Ok(())
    }

    pub(crate) fn create_bulk_indexes(&self) -> Result<(), Error> {
        for (_, create) in BULK_INDEXES {
            let sql = create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS");
            self.conn.execute_batch(&sql).map_err(self.err())?;
        }
        Ok(())
    }

    /// The id of `name` in `names`, if any identifier has it.
    pub(crate) fn name_id(&self, name: &str) -> Result<Option<i64>, Error> {
        self.conn
            .prepare_cached("SELECT id FROM names WHERE name = ?1")
            .and_then(|mut s| s.query_row(params![name], |r| r.get(0)).optional())
            .map_err(self.err())
    }
}
