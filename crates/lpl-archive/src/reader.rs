//! The [`Reader`] and what it yields.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use crate::cursor::{Cursor, State};
use crate::detect::SourceKind;
use crate::error::{OpenError, ReadError};
use crate::files::{FilesReader, Strictness};
use crate::git::{GitReader, Layout};
use crate::inbox::InboxReader;
use crate::location::Location;
use crate::stream::StreamReader;

/// One raw message and where it came from. The bytes are the message as
/// stored (RFC 5322 text), unparsed: no From_ line, mbox escaping undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// The message.
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub location: Location,
}

/// One item of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A message.
    Message(RawMessage),
    /// A message was removed from the archive (a public-inbox `d` commit,
    /// or a file removed from a v1 inbox's tree): spam, or a purge.
    Deleted {
        /// The commit removing it.
        location: Location,
        /// The message removed, when the archive still holds it (always
        /// for a v2 epoch, whose `d` blob is the removed message).
        bytes: Option<Vec<u8>>,
    },
}

impl Event {
    /// Where the item came from.
    pub fn location(&self) -> &Location {
        match self {
            Event::Message(m) => &m.location,
            Event::Deleted { location, .. } => location,
        }
    }
}

/// Why a cursor could not be used and the source is read from the start
/// again (harmless: the store deduplicates, but worth telling the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartReason {
    /// The cursor's commit is no longer an ancestor of the tips: the
    /// history was rewritten (a public-inbox purge).
    HistoryRewritten,
    /// The cursor's commit no longer exists in the repository.
    CursorCommitMissing,
    /// The mbox changed other than by growing at its end.
    SourceChanged,
    /// The cursor was made for another kind of source, or is not a cursor.
    CursorMismatch,
}

impl fmt::Display for RestartReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RestartReason::HistoryRewritten => {
                "history was rewritten since the last import (purge?); reading it all again"
            }
            RestartReason::CursorCommitMissing => {
                "the last imported commit is gone; reading it all again"
            }
            RestartReason::SourceChanged => {
                "the file changed since the last import; reading it all again"
            }
            RestartReason::CursorMismatch => {
                "the saved position does not fit this source; reading it all again"
            }
        })
    }
}

/// How reading started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resume {
    /// No cursor was given: everything is read.
    Fresh,
    /// Reading continues after the cursor.
    Continued,
    /// A cursor was given but could not be used: everything is read again.
    Restarted(RestartReason),
}

/// A cheap estimate of the work, for progress bars. Either part may be
/// unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Items (messages, deletions, errors) still to come, when known: exact
    /// for a git repository (one per commit) and a Maildir or directory
    /// (one per file, an mbox among them counting as one), unknown for an
    /// mbox. For a v2 inbox, known once its last epoch is being read.
    pub messages: Option<u64>,
    /// Total bytes of the source to read, in the unit of
    /// [`Progress::bytes`]: file bytes for mbox, Maildir and directories
    /// (compressed bytes for `.gz`); unknown for git and standard input.
    pub bytes: Option<u64>,
}

/// How much has been read so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Items yielded (messages, deletions and errors).
    pub items: u64,
    /// Bytes read: message bytes for git, file bytes otherwise (compressed
    /// bytes for `.gz`).
    pub bytes: u64,
}

pub(crate) enum Inner {
    Git(GitReader),
    Inbox(InboxReader),
    Stream(StreamReader),
    Files(FilesReader),
}

/// Reads one source, yielding [`Event`]s and per-item [`ReadError`]s.
///
/// A `ReadError` is about one item; iteration goes on after it. Call
/// [`Reader::cursor`] at any point to get a [`Cursor`] meaning "every item
/// yielded so far is done"; storing it together with those items makes an
/// import resumable after a crash.
pub struct Reader {
    kind: SourceKind,
    inner: Inner,
    resume: Resume,
    items: u64,
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("kind", &self.kind)
            .field("resume", &self.resume)
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

impl Reader {
    pub(crate) fn open(
        path: &Path,
        kind: SourceKind,
        cursor: Option<&Cursor>,
        opts: &crate::Options,
    ) -> Result<Self, OpenError> {
        let state = cursor.map(|c| c.state());
        let mut resume = match &state {
            None => Resume::Fresh,
            Some(_) => Resume::Continued,
        };
        let mut mismatch = || resume = Resume::Restarted(RestartReason::CursorMismatch);
        let inner = match kind {
            SourceKind::PublicInboxV2Epoch | SourceKind::PublicInboxV1 => {
                let from = match state {
                    Some(Some(State::Git { last })) => last,
                    Some(_) => {
                        mismatch();
                        None
                    }
                    None => None,
                };
                let layout = if kind == SourceKind::PublicInboxV1 {
                    Layout::V1
                } else {
                    Layout::V2
                };
                Inner::Git(GitReader::open(path, layout, from, opts.decode_threads)?)
            }
            SourceKind::PublicInboxV2Inbox => {
                let epochs = match state {
                    Some(Some(State::Inbox { epochs })) => epochs.into_iter().collect(),
                    Some(_) => {
                        mismatch();
                        BTreeMap::new()
                    }
                    None => BTreeMap::new(),
                };
                Inner::Inbox(InboxReader::open(path, epochs, opts.decode_threads)?)
            }
            SourceKind::Mbox => {
                let st = match state {
                    Some(Some(st @ State::Mbox { .. })) => Some(st),
                    Some(_) => {
                        mismatch();
                        None
                    }
                    None => None,
                };
                Inner::Stream(StreamReader::open_mbox(path, st.as_ref())?)
            }
            SourceKind::MboxGz => {
                let st = match state {
                    Some(Some(st @ State::Gz { .. })) => Some(st),
                    Some(_) => {
                        mismatch();
                        None
                    }
                    None => None,
                };
                Inner::Stream(StreamReader::open_gz(path, st.as_ref())?)
            }
            SourceKind::Maildir | SourceKind::Directory | SourceKind::MessageFile => {
                let done: HashSet<u64> = match state {
                    Some(Some(State::Files { done })) => done.into_iter().collect(),
                    Some(_) => {
                        mismatch();
                        HashSet::new()
                    }
                    None => HashSet::new(),
                };
                Inner::Files(match kind {
                    SourceKind::MessageFile => FilesReader::open_file(path, done)?,
                    SourceKind::Maildir => FilesReader::open_dir(path, Strictness::Lenient, done),
                    _ => FilesReader::open_dir(path, Strictness::Strict, done),
                })
            }
            SourceKind::Stdin => {
                return Ok(Self::from_stream(Box::new(std::io::stdin())));
            }
        };
        let mut reader = Self {
            kind,
            inner,
            resume,
            items: 0,
        };
        if let Some(reason) = reader.restart_reason() {
            reader.resume = Resume::Restarted(reason);
        }
        Ok(reader)
    }

    pub(crate) fn from_stream(input: Box<dyn std::io::Read + Send>) -> Self {
        Self {
            kind: SourceKind::Stdin,
            inner: Inner::Stream(StreamReader::open_stream(input)),
            resume: Resume::Fresh,
            items: 0,
        }
    }

    fn restart_reason(&self) -> Option<RestartReason> {
        match &self.inner {
            Inner::Git(r) => r.restart(),
            Inner::Inbox(r) => r.restart(),
            Inner::Stream(r) => r.restart(),
            Inner::Files(_) => None,
        }
    }

    /// The kind of source being read.
    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// How reading started: fresh, after the cursor, or again from the
    /// start because the cursor no longer fits (for a v2 inbox this is
    /// known per epoch, so it can change to `Restarted` while reading).
    pub fn resume(&self) -> Resume {
        match (self.resume, self.restart_reason()) {
            (Resume::Restarted(r), _) => Resume::Restarted(r),
            (_, Some(r)) => Resume::Restarted(r),
            (r, None) => r,
        }
    }

    /// The position after the last item yielded: store it with those items,
    /// give it to [`open`](crate::open) to continue from there.
    pub fn cursor(&self) -> Cursor {
        let state = match &self.inner {
            Inner::Git(r) => State::Git {
                last: r.last_done(),
            },
            Inner::Inbox(r) => State::Inbox {
                epochs: r.cursor_epochs(),
            },
            Inner::Stream(r) => r.cursor_state(),
            Inner::Files(r) => State::Files { done: r.done() },
        };
        Cursor::from_state(&state)
    }

    /// What is left to read, as far as it is cheaply known.
    pub fn estimate(&self) -> Estimate {
        match &self.inner {
            Inner::Git(r) => Estimate {
                messages: Some(r.remaining()),
                bytes: None,
            },
            Inner::Inbox(r) => Estimate {
                messages: r.remaining().filter(|_| r.epochs_left() == 0),
                bytes: None,
            },
            Inner::Stream(r) => Estimate {
                messages: None,
                bytes: r.total_bytes(),
            },
            Inner::Files(r) => Estimate {
                messages: Some(r.remaining()),
                bytes: Some(r.total_bytes()),
            },
        }
    }

    /// How many entries [`Reader::cursor`] would list: the files done, for
    /// a directory tree or Maildir (whose cursor names each of them); 0
    /// for the other sources, whose cursor is a position of fixed size.
    /// A caller storing a cursor per batch can space out the large ones.
    pub fn cursor_entries(&self) -> usize {
        match &self.inner {
            Inner::Files(r) => r.done_len(),
            _ => 0,
        }
    }

    /// What has been read so far.
    pub fn progress(&self) -> Progress {
        let bytes = match &self.inner {
            Inner::Git(r) => r.bytes_read(),
            Inner::Inbox(r) => r.bytes_read(),
            Inner::Stream(r) => r.bytes_read(),
            Inner::Files(r) => r.bytes_read(),
        };
        Progress {
            items: self.items,
            bytes,
        }
    }
}

impl Iterator for Reader {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match &mut self.inner {
            Inner::Git(r) => r.next(),
            Inner::Inbox(r) => r.next(),
            Inner::Stream(r) => r.next(),
            Inner::Files(r) => r.next(),
        };
        if item.is_some() {
            self.items += 1;
        }
        item
    }
}

#[cfg(test)]
mod tests {
    /// Callers run readers on worker threads: keep `Reader` `Send`.
    #[test]
    fn reader_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Reader>();
        assert_send::<crate::Cursor>();
        assert_send::<crate::ReadError>();
    }
}
