//! Use cases shared by the `lpl` front ends (command line, later TUI and
//! web): import an archive, show a message, list and show series.
//!
//! Functions here take a [`lpl_store::Store`] and plain options, report
//! progress through a callback, honour a cancel flag, and return plain view
//! structs that the front ends render. They never print.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod diff;
pub mod diff_repo;
pub mod fetch;
pub mod import;
pub mod library;
pub mod notebook;
pub mod search;
pub mod series;
pub mod show;
pub mod time;
pub mod upstream;

pub use lpl_store::Store;

/// Errors of the use cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] lpl_store::StoreError),
    /// A source could not be opened.
    #[error(transparent)]
    Open(#[from] lpl_archive::OpenError),
    /// Nothing matched what the user named.
    #[error("{0}")]
    NotFound(String),
    /// The user's input does not make sense.
    #[error("{0}")]
    Invalid(String),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A worker thread died.
    #[error("internal error: {0}")]
    Internal(String),
}
