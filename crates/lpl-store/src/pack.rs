//! The raw messages, outside SQLite: `messages.pack`, an append-only file
//! of compressed messages (each an lz4 block with its size prepended, as
//! [`crate::compress_raw`] makes them), found through their `blobs` row
//! (`pack_offset`, `pack_len`).
//!
//! Why a file of its own: the raw messages are three quarters of the
//! archive's bytes. Inside SQLite (WAL mode) every page of them was written
//! twice (to the WAL, then to the database by the checkpoint) and went
//! through the B-tree and the page cache; appended here they are written
//! once. A cold import of the cgroups Maildir (36,146 messages) went from
//! 6.51-6.85 s to 5.84-5.98 s, its system time from 2.5-3.0 s to 1.7 s
//! (A/B runs, docs/benchmarks.md).
//!
//! Crash safety, in the order a batch is stored:
//! 1. the writer takes the pack's lock (one appender at a time, across
//!    processes), then reads the pack's end from the database: the end
//!    each batch records in `state` (`pack_end`), or the last record's end
//!    if larger; bytes past it are leftovers of a batch that never
//!    committed (a killed import) and are cut off;
//! 2. the batch's records are appended and synced (`fdatasync`);
//! 3. the SQLite transaction that references them, and records the new
//!    end, commits;
//! 4. the lock is released.
//!
//! So a committed row never points at bytes that are not on disk, and a
//! crash between 2 and 3 only leaves bytes that the next writer cuts off.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::{Result, StoreError};

/// The pack file name inside the data directory.
pub const PACK_FILE: &str = "messages.pack";

/// First bytes of every pack.
const MAGIC: &[u8; 8] = b"LPLPACK1";

pub(crate) fn pack_err(path: &Path, what: &'static str) -> impl Fn(std::io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Pack {
        path: path.clone(),
        what,
        source,
    }
}

/// The pack opened for reading (lazily, by the first read of a packed
/// message).
pub(crate) fn open_read(path: &Path) -> Result<File> {
    let file = File::open(path).map_err(pack_err(path, "open"))?;
    check_magic(&file, path)?;
    Ok(file)
}

fn check_magic(file: &File, path: &Path) -> Result<()> {
    let mut magic = [0u8; 8];
    file.read_exact_at(&mut magic, 0)
        .map_err(pack_err(path, "read the header of"))?;
    if &magic != MAGIC {
        return Err(StoreError::Pack {
            path: path.to_owned(),
            what: "recognise",
            source: std::io::Error::new(ErrorKind::InvalidData, "not an lpl message pack"),
        });
    }
    Ok(())
}

/// Reads `len` bytes at `offset`.
pub(crate) fn read_at(file: &File, path: &Path, offset: u64, len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, offset)
        .map_err(pack_err(path, "read from"))?;
    Ok(buf)
}

/// The pack opened for appending.
pub(crate) struct PackWriter {
    file: File,
    path: PathBuf,
}

impl PackWriter {
    /// Opens (creating with its header) the pack at `path`.
    pub(crate) fn open(path: &Path) -> Result<PackWriter> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(pack_err(path, "open"))?;
        let w = PackWriter {
            file,
            path: path.to_owned(),
        };
        {
            // Created here, or by a writer that died before its header
            // landed.
            let _lock = w.lock()?;
            if w.len()? < MAGIC.len() as u64 {
                w.file
                    .write_all_at(MAGIC, 0)
                    .map_err(pack_err(path, "write the header of"))?;
                w.file.sync_data().map_err(pack_err(path, "sync"))?;
            } else {
                check_magic(&w.file, path)?;
            }
        }
        Ok(w)
    }

    /// Takes the appenders' lock (waits for another process's batch).
    pub(crate) fn lock(&self) -> Result<PackLock<'_>> {
        self.file.lock().map_err(pack_err(&self.path, "lock"))?;
        Ok(PackLock { file: &self.file })
    }

    fn len(&self) -> Result<u64> {
        Ok(self
            .file
            .metadata()
            .map_err(pack_err(&self.path, "stat"))?
            .len())
    }

    /// Makes `end` (the end of the last committed record, as the database
    /// says; `None` before the first) the end of the file: bytes past it
    /// never committed. Returns where the next record goes. A file
    /// shorter than that lost records, and an end that is no offset is a
    /// damaged database: errors, not something to paper over (cutting the
    /// file there would lose committed records). Call under the lock.
    pub(crate) fn settle(&self, end: Option<i64>) -> Result<u64> {
        let end = match end.map(u64::try_from) {
            None => MAGIC.len() as u64,
            Some(Ok(e)) => e.max(MAGIC.len() as u64),
            Some(Err(_)) => {
                return Err(StoreError::Pack {
                    path: self.path.clone(),
                    what: "use",
                    source: std::io::Error::new(
                        ErrorKind::InvalidData,
                        "the database records a negative end of the pack: it is damaged; \
                         restore the data directory from a backup",
                    ),
                });
            }
        };
        let len = self.len()?;
        if len < end {
            return Err(StoreError::Pack {
                path: self.path.clone(),
                what: "use",
                source: std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!(
                        "it ends at byte {len} but the database has messages up to byte {end}: \
                         it was truncated or replaced; restore it from a backup, or move the \
                         data directory away and import again"
                    ),
                ),
            });
        }
        if len > end {
            self.file
                .set_len(end)
                .map_err(pack_err(&self.path, "cut the uncommitted end of"))?;
        }
        Ok(end)
    }

    /// Appends `bytes` at `offset` (the settled end) and syncs them. Call
    /// under the lock, before committing the rows that point at them.
    pub(crate) fn append(&self, offset: u64, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.file
            .write_all_at(bytes, offset)
            .map_err(pack_err(&self.path, "write to"))?;
        self.file.sync_data().map_err(pack_err(&self.path, "sync"))
    }
}

/// Held while a batch is appended and committed.
pub(crate) struct PackLock<'a> {
    file: &'a File,
}

impl Drop for PackLock<'_> {
    fn drop(&mut self) {
        // Closing the file would release it too; an error here leaves
        // nothing to undo.
        let _ = self.file.unlock();
    }
}
