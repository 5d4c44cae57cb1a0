//! mbox files (plain or gzip) and standard input.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

use crate::cursor::{FNV_START, State, fnv1a};
use crate::error::{OpenError, ReadError};
use crate::location::Location;
use crate::reader::{Event, RawMessage, RestartReason};
use lpl_mail::mbox::{PieceError, PieceFault, Splitter, is_first_from_line};

/// Read buffer size: large enough that `read_until` rarely refills.
const BUF_BYTES: usize = 256 * 1024;
/// Bytes hashed at the head and before the cursor offset of an mbox to
/// decide whether it only grew since the cursor was taken.
const FINGERPRINT_BYTES: u64 = 4096;

/// Counts bytes read through it (the compressed bytes of a `.gz`), for
/// progress reports.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Debug)]
enum Origin {
    Mbox {
        path: PathBuf,
        file: File,
    },
    Gz {
        path: PathBuf,
        size: u64,
        mtime: u64,
    },
    Stdin,
}

/// Reads one stream of mail: an mbox, a gzip mbox, or standard input
/// holding either an mbox or a single message.
pub(crate) struct StreamReader {
    splitter: Splitter<Box<dyn BufRead + Send>>,
    origin: Origin,
    /// gzip resume: pieces starting before this offset were read before.
    skip_before: u64,
    /// Compressed bytes read (gzip only).
    compressed: Arc<AtomicU64>,
    start_offset: u64,
    yielded: bool,
    total_bytes: Option<u64>,
    restart: Option<RestartReason>,
}

/// File size and modification time (nanoseconds since the epoch).
pub(crate) fn size_and_mtime(meta: &std::fs::Metadata) -> (u64, u64) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    (meta.len(), mtime)
}

fn fingerprints(file: &File, offset: u64) -> io::Result<(u64, u64)> {
    let mut f = file;
    let head_len = offset.min(FINGERPRINT_BYTES);
    let mut buf = vec![0; head_len as usize];
    f.seek(SeekFrom::Start(0))?;
    f.read_exact(&mut buf)?;
    let head = fnv1a(FNV_START, &buf);
    f.seek(SeekFrom::Start(offset - head_len))?;
    f.read_exact(&mut buf)?;
    let tail = fnv1a(FNV_START, &buf);
    Ok((head, tail))
}

impl StreamReader {
    /// Opens a plain mbox, continuing after `resume` when the file only grew.
    pub(crate) fn open_mbox(path: &Path, resume: Option<&State>) -> Result<Self, OpenError> {
        let io_err = |source| OpenError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        let mut restart = None;
        let mut start = 0;
        if let Some(State::Mbox { offset, head, tail }) = resume {
            let fits = *offset <= len
                && fingerprints(&file, *offset).ok() == Some((*head, *tail))
                && starts_with_from_line_or_eof(&file, *offset);
            if fits {
                start = *offset;
            } else {
                restart = Some(RestartReason::SourceChanged);
            }
        }
        file.seek(SeekFrom::Start(start)).map_err(io_err)?;
        // A second, independent open file for fingerprinting in `cursor()`:
        // it seeks, which must not move the reading position (a descriptor
        // from `try_clone` would share that position).
        let fingerprint_file = File::open(path).map_err(io_err)?;
        let reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(BUF_BYTES, file));
        Ok(Self {
            splitter: Splitter::new(reader, start),
            origin: Origin::Mbox {
                path: path.to_owned(),
                file: fingerprint_file,
            },
            skip_before: 0,
            compressed: Arc::default(),
            start_offset: start,
            yielded: false,
            total_bytes: Some(len - start),
            restart,
        })
    }

    /// Opens a gzip mbox (or gzip single message). gzip cannot seek, so
    /// resuming an unchanged file decompresses and skips what was read.
    pub(crate) fn open_gz(path: &Path, resume: Option<&State>) -> Result<Self, OpenError> {
        let io_err = |source| OpenError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let (size, mtime) = size_and_mtime(&file.metadata().map_err(io_err)?);
        let mut restart = None;
        let mut skip_before = 0;
        if let Some(State::Gz {
            size: s,
            mtime: m,
            offset,
            complete,
        }) = resume
        {
            if (*s, *m) == (size, mtime) {
                skip_before = if *complete { u64::MAX } else { *offset };
            } else {
                restart = Some(RestartReason::SourceChanged);
            }
        }
        let compressed = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: file,
            count: Arc::clone(&compressed),
        };
        let reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(
            BUF_BYTES,
            MultiGzDecoder::new(BufReader::with_capacity(BUF_BYTES, counting)),
        ));
        Ok(Self {
            splitter: Splitter::new(reader, 0),
            origin: Origin::Gz {
                path: path.to_owned(),
                size,
                mtime,
            },
            skip_before,
            compressed,
            start_offset: 0,
            yielded: false,
            total_bytes: Some(size),
            restart,
        })
    }

    /// Reads any stream (standard input): an mbox or a single message.
    pub(crate) fn open_stream(input: Box<dyn Read + Send>) -> Self {
        let reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(BUF_BYTES, input));
        Self {
            splitter: Splitter::new(reader, 0),
            origin: Origin::Stdin,
            skip_before: 0,
            compressed: Arc::default(),
            start_offset: 0,
            yielded: false,
            total_bytes: None,
            restart: None,
        }
    }

    pub(crate) fn restart(&self) -> Option<RestartReason> {
        self.restart
    }

    pub(crate) fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// Bytes of the source consumed (compressed bytes for gzip).
    pub(crate) fn bytes_read(&self) -> u64 {
        match self.origin {
            Origin::Gz { .. } => self.compressed.load(Ordering::Relaxed),
            _ => self.splitter.consumed() - self.start_offset,
        }
    }

    pub(crate) fn cursor_state(&self) -> State {
        match &self.origin {
            Origin::Mbox { file, .. } => {
                let offset = self.splitter.resume_offset();
                match fingerprints(file, offset) {
                    Ok((head, tail)) => State::Mbox { offset, head, tail },
                    // Cannot fingerprint: a cursor that restarts next time.
                    Err(_) => State::Nothing,
                }
            }
            Origin::Gz { size, mtime, .. } => State::Gz {
                size: *size,
                mtime: *mtime,
                offset: self.splitter.resume_offset().max(match self.skip_before {
                    u64::MAX => 0,
                    s => s,
                }),
                complete: self.splitter.is_done() || self.skip_before == u64::MAX,
            },
            Origin::Stdin => State::Nothing,
        }
    }

    fn location(&self, offset: u64) -> Location {
        match &self.origin {
            Origin::Mbox { path, .. } => Location::Mbox {
                path: path.clone(),
                offset,
            },
            Origin::Gz { path, .. } if !self.splitter.is_mbox() => {
                Location::File { path: path.clone() }
            }
            Origin::Gz { path, .. } => Location::Mbox {
                path: path.clone(),
                offset,
            },
            Origin::Stdin => Location::Stdin { offset },
        }
    }
}

/// Whether the file holds a From_ line (or nothing) at `offset`.
fn starts_with_from_line_or_eof(file: &File, offset: u64) -> bool {
    let mut f = file;
    let mut line = Vec::new();
    if f.seek(SeekFrom::Start(offset)).is_err() {
        return false;
    }
    let mut reader = BufReader::new(f).take(1024);
    match reader.read_until(b'\n', &mut line) {
        Ok(0) => true,
        Ok(_) => is_first_from_line(&line),
        Err(_) => false,
    }
}

impl Iterator for StreamReader {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.skip_before == u64::MAX {
            return None;
        }
        loop {
            let piece = match self.splitter.next_piece() {
                Some(piece) => piece,
                None => {
                    if !self.yielded && self.start_offset == 0 && self.skip_before == 0 {
                        // An empty source is worth a word: it is usually a mistake.
                        self.yielded = true;
                        return Some(Err(ReadError::Empty {
                            location: self.location(0),
                        }));
                    }
                    return None;
                }
            };
            self.yielded = true;
            return Some(match piece {
                Ok(piece) if piece.offset < self.skip_before => continue,
                Ok(piece) if piece.bytes.iter().all(u8::is_ascii_whitespace) => {
                    Err(ReadError::Empty {
                        location: self.location(piece.offset),
                    })
                }
                Ok(piece) => Ok(Event::Message(RawMessage {
                    location: self.location(piece.offset),
                    bytes: piece.bytes,
                })),
                Err(PieceError {
                    offset,
                    error: PieceFault::Io(source),
                }) => Err(ReadError::Io {
                    location: self.location(offset),
                    source,
                }),
                Err(PieceError {
                    offset,
                    error: PieceFault::TooLarge { at_least },
                }) if offset >= self.skip_before => Err(ReadError::TooLarge {
                    location: self.location(offset),
                    at_least,
                }),
                Err(_) => continue,
            });
        }
    }
}
