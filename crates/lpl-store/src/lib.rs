//! The SQLite store: every message's raw bytes (compressed) and what was
//! understood of it, the sources it came from, and what was skipped.
//!
//! This crate is the sole owner of the on-disk layout of the data directory
//! (other crates with tables of their own, such as `lpl-upstream`, are
//! handed the connection and keep to their table prefix). It never prints
//! and never reads the environment: the caller says where the data lives.
//!
//! Crash safety: SQLite in WAL mode; an import writes each batch of
//! messages together with its source's resume cursor in one transaction,
//! so a killed import leaves a consistent store and a rerun resumes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backfill;
mod fault;
mod hunks;
mod links;
mod meta;
mod notes;
mod pack;
mod read;
mod schema;
mod understanding;
mod version_links;
mod write;

use std::path::{Path, PathBuf};

pub use fault::{DiskFault, disk_fault};
pub use hunks::{BackfillProgress, HunkRow};
pub use links::LinkRow;
pub use meta::MetaRow;
pub use notes::ReviewNote;
pub use pack::PACK_FILE;
pub use read::{MessageRow, SourceRow, StoreStats};
pub use rusqlite;
pub use understanding::{RevisionQuery, RevisionRow, UnderstandingChange, UnitRow};
pub use write::{BatchOutcome, Deletion, Incoming, Skip};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The database was written by a newer lpl.
    #[error(
        "database {path} has schema version {found}, newer than this lpl knows ({known}); upgrade lpl"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Newest version known.
        known: i64,
    },
    /// The pack of raw messages failed.
    #[error("cannot {what} the message pack {path}: {source}")]
    Pack {
        /// The pack file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// There is no archive in the directory (read-only opening creates none).
    #[error("no archive at {}", path.display())]
    Missing {
        /// The database file looked for.
        path: PathBuf,
    },
    /// The database was written by an older lpl and must be migrated, which
    /// a read-only opening cannot do.
    #[error(
        "database {path} has schema version {found}, older than this lpl's ({known}); run any command that writes (e.g. lpl import) once to upgrade it"
    )]
    NeedsUpgrade {
        /// The database file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Version this lpl writes.
        known: i64,
    },
    /// A stored blob does not decompress.
    #[error("stored message {id} is corrupt: {detail}")]
    CorruptBlob {
        /// Row id.
        id: i64,
        /// What failed.
        detail: String,
    },
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open store.
pub struct Store {
    conn: rusqlite::Connection,
    path: PathBuf,
    pack_path: PathBuf,
    /// Opened by the first read of a packed message.
    pack_read: std::sync::OnceLock<std::fs::File>,
    /// Opened with [`Store::open_read_only`]: never writes.
    read_only: bool,
    /// Opened by the first batch written.
    pack_write: Option<pack::PackWriter>,
    /// A batch's records, appended at once; kept between batches (a fresh
    /// buffer of a few MB per batch cost page faults on the writer thread).
    pack_buf: Vec<u8>,
}

/// The database file name inside the data directory.
pub const DB_FILE: &str = "lpl.sqlite3";

impl Store {
    /// Opens (creating if needed) the store in `dir`, migrating its schema.
    ///
    /// Every write transaction of this connection begins `IMMEDIATE`: it
    /// takes the write lock before its first read, so it waits (busy
    /// timeout) behind another writer instead of failing with "database is
    /// locked" when that writer committed after its read began.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = rusqlite::Connection::open(&path).map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let mut store = Store::with_conn(conn, dir, path, false);
        store
            .conn
            .set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens the existing store in `dir` for reading only: no file is
    /// created or written, so it works on a read-only data directory, and
    /// beside a writer (another process importing) it sees each of the
    /// writer's commits as it lands, never blocking it. A store whose
    /// schema is older than this lpl's is refused ([`StoreError::NeedsUpgrade`]):
    /// open it once with [`Store::open`].
    pub fn open_read_only(dir: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(StoreError::Missing { path });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let open = |uri: String| {
            let conn = rusqlite::Connection::open_with_flags(uri, flags)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            // Reading the schema version reads the WAL index: this is
            // where a directory that cannot hold `-shm` shows.
            let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            Ok::<_, rusqlite::Error>((conn, v))
        };
        let uri = file_uri(&path);
        let (conn, version) = match open(uri.clone()) {
            Ok(x) => x,
            // A read-only directory without the WAL's `-shm` file (the last
            // writer closed cleanly and removed it): nobody can be writing
            // there, so the database file alone is the whole truth.
            Err(e) if is_cannot_open(&e) => open(format!("{uri}?immutable=1")).map_err(err)?,
            Err(e) => return Err(err(e)),
        };
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path,
                found: version,
                known,
            });
        }
        if version < known {
            return Err(StoreError::NeedsUpgrade {
                path,
                found: version,
                known,
            });
        }
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -16384;")
            .map_err(err)?;
        Ok(Store::with_conn(conn, dir, path, true))
    }

    fn with_conn(conn: rusqlite::Connection, dir: &Path, path: PathBuf, read_only: bool) -> Store {
        Store {
            conn,
            path,
            pack_path: dir.join(PACK_FILE),
            pack_read: std::sync::OnceLock::new(),
            read_only,
            pack_write: None,
            pack_buf: Vec::new(),
        }
    }

    /// Opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version this lpl writes.
    pub fn current_schema() -> i64 {
        schema::MIGRATIONS.len() as i64
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn configure(&mut self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 10000;
                 PRAGMA cache_size = -16384;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(self.err())
    }

    /// Bulk writing (an import): the writer connection stops checkpointing
    /// the WAL itself, and a background thread with its own connection
    /// checkpoints it (PASSIVE: never blocks the writer), so copying pages
    /// into the database file runs on another core instead of inside the
    /// writer's commits. Durability is unchanged (WAL, synchronous=NORMAL).
    /// Hand the guard back to [`Store::end_bulk`]; dropping it only stops
    /// the thread (the connection then never checkpoints by itself; the
    /// next connection to write or open does).
    pub fn bulk(&self) -> Result<BulkGuard> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(self.err())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let path = self.path.clone();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("lpl-checkpoint".into())
            .spawn(move || {
                let Ok(conn) = rusqlite::Connection::open(&path) else {
                    return;
                };
                let _ = conn.busy_timeout(std::time::Duration::from_millis(100));
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    // Errors (busy) only delay the copy to the next round.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok();
        Ok(BulkGuard { stop, thread })
    }

    /// Leaves bulk mode: stops the checkpoint thread, restores automatic
    /// checkpoints and checkpoints what is left.
    pub fn end_bulk(&self, guard: BulkGuard) -> Result<()> {
        drop(guard);
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 1000)
            .map_err(self.err())?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(self.err())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())?;
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let path = self.path.clone();
            let tx = self
                .conn
                .transaction()
                .map_err(|source| StoreError::Sqlite {
                    path: path.clone(),
                    source,
                })?;
            tx.execute_batch(sql).map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(|source| StoreError::Sqlite {
                    path: path.clone(),
                    source,
                })?;
            tx.commit()
                .map_err(|source| StoreError::Sqlite { path, source })?;
        }
        Ok(())
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pack of raw messages ([`PACK_FILE`] beside the database).
    pub fn pack_path(&self) -> &Path {
        &self.pack_path
    }

    /// The connection, for crates that own tables of their own.
    pub fn conn(&self) -> &rusqlite::Connection {
        &self.conn
    }

    /// Mutable connection (transactions), for crates that own tables of their own.
    pub fn conn_mut(&mut self) -> &mut rusqlite::Connection {
        &mut self.conn
    }
}

/// `file:` URI of a path (percent-encoding what a URI reserves).
fn file_uri(path: &Path) -> String {
    let mut out = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'?' | b'#' | b'%' => out.push_str(&format!("%{b:02X}")),
            b if b.is_ascii() && !b.is_ascii_control() => out.push(*b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn is_cannot_open(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// While alive, the store is in bulk mode ([`Store::bulk`]).
#[derive(Debug)]
pub struct BulkGuard {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BulkGuard {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A raw message as the store keeps it (lz4 block, size prepended), for
/// callers that compress off the writer thread ([`Incoming::compressed`]).
pub fn compress_raw(raw: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress_prepend_size(raw)
}

/// `data` decompressed, checked against the size recorded with it.
pub(crate) fn decompress(id: i64, data: &[u8], size: i64) -> Result<Vec<u8>> {
    let raw =
        lz4_flex::block::decompress_size_prepended(data).map_err(|e| StoreError::CorruptBlob {
            id,
            detail: e.to_string(),
        })?;
    if raw.len() as i64 != size {
        return Err(StoreError::CorruptBlob {
            id,
            detail: format!("{} bytes where {size} were stored", raw.len()),
        });
    }
    Ok(raw)
}

/// `1,2,3` for an SQL `IN (...)` list of row ids (integers: nothing to
/// quote).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
