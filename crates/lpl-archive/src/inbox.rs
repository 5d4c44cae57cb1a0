//! public-inbox v2 inbox directories: `git/0.git`, `git/1.git` … read in
//! epoch order, each like a single epoch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::error::{OpenError, ReadError};
use crate::git::{GitReader, Layout};
use crate::location::Location;
use crate::reader::{Event, RestartReason};

/// The numbered epochs under `inbox/git/`, in numeric order.
pub(crate) fn epochs(inbox: &Path) -> Result<Vec<(u32, PathBuf)>, OpenError> {
    let dir = inbox.join("git");
    let io_err = |source| OpenError::Io {
        path: dir.clone(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.file_name();
        let Some(n) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".git"))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if entry.path().is_dir() {
            out.push((n, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Reads the epochs one after the other; an epoch is opened (and walked)
/// only when the previous one is finished, so memory holds one epoch's
/// commit list at a time.
pub(crate) struct InboxReader {
    epochs: Vec<(u32, PathBuf)>,
    /// Index into `epochs` of the epoch being read.
    current: usize,
    reader: Option<GitReader>,
    /// The last commit read per epoch: from the cursor, updated as epochs
    /// are read.
    done: BTreeMap<u32, ObjectId>,
    restart: Option<RestartReason>,
    bytes_before: u64,
    threads: usize,
}

impl InboxReader {
    pub(crate) fn open(
        path: &Path,
        resume: BTreeMap<u32, ObjectId>,
        threads: usize,
    ) -> Result<Self, OpenError> {
        let epochs = epochs(path)?;
        if epochs.is_empty() {
            return Err(OpenError::Unrecognised {
                path: path.to_owned(),
                reason: "no numbered epochs (`git/0.git` …) under `git/`",
            });
        }
        Ok(Self {
            epochs,
            current: 0,
            reader: None,
            done: resume,
            restart: None,
            bytes_before: 0,
            threads,
        })
    }

    pub(crate) fn restart(&self) -> Option<RestartReason> {
        self.restart
    }

    /// The per-epoch last commits for the cursor.
    pub(crate) fn cursor_epochs(&self) -> Vec<(u32, ObjectId)> {
        let mut done = self.done.clone();
        if let (Some(reader), Some((n, _))) = (&self.reader, self.epochs.get(self.current)) {
            match reader.last_done() {
                Some(last) => {
                    done.insert(*n, last);
                }
                None => {
                    done.remove(n);
                }
            }
        }
        done.into_iter().collect()
    }

    /// Commits left in the epoch being read; later epochs are unknown until
    /// opened. `None` before the first epoch is opened.
    pub(crate) fn remaining(&self) -> Option<u64> {
        self.reader.as_ref().map(GitReader::remaining)
    }

    pub(crate) fn epochs_left(&self) -> usize {
        self.epochs.len().saturating_sub(self.current + 1)
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_before + self.reader.as_ref().map_or(0, GitReader::bytes_read)
    }

    /// Opens the epoch at `self.current`; an epoch that cannot be opened is
    /// reported and skipped.
    fn open_current(&mut self) -> Option<Result<Event, ReadError>> {
        let (n, path) = self.epochs.get(self.current)?.clone();
        let resume_from = self.done.get(&n).copied();
        match GitReader::open(&path, Layout::V2, resume_from, self.threads) {
            Ok(reader) => {
                if let Some(reason) = reader.restart() {
                    self.restart = Some(reason);
                    self.done.remove(&n);
                }
                self.reader = Some(reader);
                None
            }
            Err(e) => {
                self.current += 1;
                Some(Err(ReadError::Git {
                    location: Location::Source { path },
                    source: crate::error::GitError::new(e),
                }))
            }
        }
    }
}

impl Iterator for InboxReader {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.current >= self.epochs.len() {
                return None;
            }
            if self.reader.is_none()
                && let Some(err) = self.open_current()
            {
                return Some(err);
            }
            let reader = self.reader.as_mut().expect("opened just above");
            if let Some(item) = reader.next() {
                return Some(item);
            }
            // Epoch finished: remember its last commit and move on.
            let n = self.epochs[self.current].0;
            if let Some(last) = reader.last_done() {
                self.done.insert(n, last);
            }
            self.bytes_before += reader.bytes_read();
            self.reader = None;
            self.current += 1;
        }
    }
}
