//! Errors: [`OpenError`] when a source cannot be read at all, [`ReadError`]
//! for one item of a source that is otherwise readable.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::location::Location;

/// An error reported by the git library, kept opaque so that the git
/// library's types stay out of this crate's API.
pub struct GitError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl GitError {
    pub(crate) fn new(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(err))
    }
}

impl fmt::Debug for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for GitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Why a source could not be opened (or recognised) at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The path could not be read (missing, permission denied ...).
    #[error("{}: {source}", path.display())]
    Io {
        /// The path given or a file inside it.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The path exists but is no kind of mail archive this crate reads.
    #[error("{}: not a mail archive: {reason}", path.display())]
    Unrecognised {
        /// The path given.
        path: PathBuf,
        /// What was found instead.
        reason: &'static str,
    },
    /// A git repository that the git library could not open or walk.
    #[error("{}: cannot read git repository: {source}", path.display())]
    Git {
        /// The repository.
        path: PathBuf,
        /// The git library's error.
        source: GitError,
    },
}

/// What a missing git object was needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectRole {
    /// A commit (its id was found as a parent or a reference target).
    Commit,
    /// A commit's tree (or a subtree of a v1 inbox).
    Tree,
    /// The blob holding a message.
    Message,
}

impl fmt::Display for ObjectRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectRole::Commit => "commit",
            ObjectRole::Tree => "tree",
            ObjectRole::Message => "message blob",
        })
    }
}

/// A problem with one item of a source; the [`Reader`](crate::Reader)
/// reports it and goes on with the next item.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A git object is absent (real lore mirrors have such holes).
    #[error("{location}: missing git object {id} ({role})")]
    MissingObject {
        /// The commit that needed the object.
        location: Location,
        /// The missing object's id (hexadecimal).
        id: String,
        /// What the object was needed for.
        role: ObjectRole,
    },
    /// A v2 epoch commit whose tree holds neither `m` nor `d`.
    #[error("{location}: commit holds neither a message `m` nor a deletion `d`")]
    NoMessageInCommit {
        /// The commit.
        location: Location,
    },
    /// A git object that exists but could not be decoded, or another error
    /// from the git library.
    #[error("{location}: {source}")]
    Git {
        /// The commit (or repository) concerned.
        location: Location,
        /// The git library's error.
        source: GitError,
    },
    /// An I/O error: an unreadable file, a truncated or corrupt gzip stream.
    #[error("{location}: {source}")]
    Io {
        /// The file, or the message being read when the error happened.
        location: Location,
        /// The underlying error.
        source: io::Error,
    },
    /// A file in a directory (or given alone) that is not a mail message.
    #[error("{location}: not a mail message: {reason}")]
    NotMail {
        /// The file.
        location: Location,
        /// What was found instead.
        reason: &'static str,
    },
    /// A message with no bytes (an empty file, or nothing between two
    /// `From ` lines of an mbox).
    #[error("{location}: empty message")]
    Empty {
        /// Where the empty message is.
        location: Location,
    },
    /// A message over [`lpl_mail::MAX_MESSAGE_BYTES`]: not read past the
    /// limit, skipped (a gzip bomb, a broken mirror).
    #[error(
        "{location}: message of {} bytes or more is over the {} MiB limit: skipped",
        at_least,
        lpl_mail::MAX_MESSAGE_BYTES >> 20
    )]
    TooLarge {
        /// Where the message starts.
        location: Location,
        /// Bytes seen before reading stopped (or the size announced).
        at_least: u64,
    },
}

impl ReadError {
    /// Where the problem is.
    pub fn location(&self) -> &Location {
        match self {
            ReadError::MissingObject { location, .. }
            | ReadError::NoMessageInCommit { location }
            | ReadError::Git { location, .. }
            | ReadError::Io { location, .. }
            | ReadError::NotMail { location, .. }
            | ReadError::Empty { location }
            | ReadError::TooLarge { location, .. } => location,
        }
    }

    /// A short machine-friendly name of the kind of problem, for counting
    /// skipped items by reason (`missing-object`, `not-mail` ...).
    pub fn kind(&self) -> &'static str {
        match self {
            ReadError::MissingObject { .. } => "missing-object",
            ReadError::NoMessageInCommit { .. } => "no-message-in-commit",
            ReadError::Git { .. } => "git",
            ReadError::Io { .. } => "io",
            ReadError::NotMail { .. } => "not-mail",
            ReadError::Empty { .. } => "empty",
            ReadError::TooLarge { .. } => "too-large",
        }
    }
}
