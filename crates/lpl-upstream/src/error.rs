//! Errors of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while indexing a repository or reading the
/// index back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path is not a git repository (or does not exist).
    #[error("{path}: not a git repository ({detail})")]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// What gix said.
        detail: String,
    },
    /// The repository is a shallow clone: history is cut, so "which commit"
    /// and "first release" answers would be wrong.
    #[error(
        "{path}: shallow clone; its history is incomplete, so matches and first releases would be wrong (run `git fetch --unshallow` first)"
    )]
    ShallowClone {
        /// The repository path.
        path: PathBuf,
    },
    /// The repository has no commit to start from (no `HEAD`, no refs given).
    #[error("{path}: nothing to index (no HEAD and no revision given)")]
    NothingToIndex {
        /// The repository path.
        path: PathBuf,
    },
    /// A revision given in the options does not resolve to a commit.
    #[error("{path}: revision {rev:?} does not name a commit")]
    BadRevision {
        /// The repository path.
        path: PathBuf,
        /// The revision as given.
        rev: String,
    },
    /// The repository has no release tags, so first releases cannot be told.
    #[error(
        "{path}: repository has no release tags (tags like v6.10 or v6.10-rc1); first releases are unknown"
    )]
    NoTags {
        /// The repository path.
        path: PathBuf,
    },
    /// Reading an object or walking history failed inside gix.
    #[error("git: {context}: {detail}")]
    Git {
        /// What was being done (e.g. "reading commit 1234abcd").
        context: String,
        /// gix's error, rendered (gix error types change with every 0.x
        /// release, so they are not part of this crate's API).
        detail: String,
    },
    /// The `up_*` tables could not be read or written.
    #[error("upstream store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The `up_*` tables are of an older schema and the store could not be
    /// written to bring them up to date (a read-only archive).
    #[error(
        "the upstream index is of an older lpl (schema {found}) and this archive is read-only: open it writable once (any lpl command that writes) to update it"
    )]
    OldSchema {
        /// The schema found.
        found: i64,
    },
    /// The index was interrupted by the cancel flag.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    pub(crate) fn git(context: impl Into<String>, e: impl std::fmt::Display) -> Self {
        Error::Git {
            context: context.into(),
            detail: e.to_string(),
        }
    }
}
