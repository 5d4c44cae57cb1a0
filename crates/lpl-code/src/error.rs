//! Errors of the code index.

use std::path::PathBuf;

/// Everything that can go wrong while indexing a tree or reading the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The source is not something that can be indexed.
    #[error("{path}: {why}")]
    NotATree {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A revision does not name a commit.
    #[error(
        "{path}: revision {rev:?} does not name a commit (a tag such as v6.12, a branch or a commit id)"
    )]
    BadRevision {
        /// The repository.
        path: PathBuf,
        /// The revision given.
        rev: String,
    },
    /// Reading the git repository failed.
    #[error("{path}: {what}: {detail}")]
    Git {
        /// The repository.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// What gix said.
        detail: String,
    },
    /// The index database failed.
    #[error("code index {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The index was written by a newer lpl.
    #[error(
        "code index {path} has schema version {found}, newer than this lpl knows ({known}); upgrade lpl"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Version found.
        found: i64,
        /// Newest known.
        known: i64,
    },
    /// No tree of that name is indexed.
    #[error("no indexed tree named {name:?}")]
    NoSuchTree {
        /// The name asked for.
        name: String,
        /// The trees that are indexed.
        known: Vec<String>,
    },
    /// Nothing is indexed yet.
    #[error("no kernel tree is indexed yet")]
    NoTrees,
    /// A worker thread could not be started.
    #[error("cannot start the parse thread: {0}")]
    Thread(std::io::Error),
    /// Indexing was cancelled.
    #[error("cancelled")]
    Cancelled,
}
