//! The one place where errors become messages and exit codes.
//!
//! Exit codes scripts can rely on (ripgrep's and git's conventions):
//! 0 success (also when the reader of our output went away: a closed pipe),
//! 1 nothing matched / not found, 2 the user's input is wrong,
//! 255 an internal error (a bug, or the machine failing under us).

use std::fmt;

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Nothing matched.
    pub const NOT_FOUND: i32 = 1;
    /// Wrong input.
    pub const USER: i32 = 2;
    /// Internal error.
    pub const INTERNAL: i32 = 255;
}

/// Who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing matched what was asked for.
    NotFound,
    /// The user's input is wrong.
    User,
    /// A bug or an environment failure.
    Internal,
}

/// An error for the user, with hints on what to do.
#[derive(Debug)]
pub struct CommandError {
    /// Who is at fault.
    pub kind: Kind,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hints: Vec<String>,
}

impl CommandError {
    pub fn user(message: impl Into<String>) -> Self {
        CommandError {
            kind: Kind::User,
            message: message.into(),
            hints: Vec::new(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        CommandError {
            kind: Kind::NotFound,
            message: message.into(),
            hints: Vec::new(),
        }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError {
            kind: Kind::Internal,
            message: message.into(),
            hints: Vec::new(),
        }
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hints.push(h.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::NotFound => exit::NOT_FOUND,
            Kind::User => exit::USER,
            Kind::Internal => exit::INTERNAL,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<lpl_core::CoreError> for CommandError {
    fn from(e: lpl_core::CoreError) -> Self {
        use lpl_core::CoreError as E;
        match e {
            E::NotFound(m) => CommandError::not_found(m),
            E::Invalid(m) => CommandError::user(m),
            E::Open(o) => CommandError::user(o.to_string())
                .hint("lpl import reads public-inbox epochs and inboxes, mbox (also .gz), Maildir, .eml files, directories of them, and - for stdin"),
            E::Cancelled => CommandError::user("interrupted"),
            E::Store(
                s @ (lpl_store::StoreError::Pack { .. } | lpl_store::StoreError::CorruptBlob { .. }),
            ) => CommandError::internal(s.to_string()).hint(
                "the raw messages live in messages.pack beside lpl.sqlite3 in the data directory: back up and restore the two together",
            ),
            E::Store(s) => CommandError::internal(s.to_string())
                .hint("check the data directory (lpl --home DIR, or $LPL_HOME) is writable and not on a full disk"),
            other => CommandError::internal(other.to_string()),
        }
    }
}

impl From<lpl_store::StoreError> for CommandError {
    fn from(e: lpl_store::StoreError) -> Self {
        lpl_core::CoreError::from(e).into()
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        CommandError::internal(format!("I/O error: {e}"))
    }
}

impl From<serde_json::Error> for CommandError {
    fn from(e: serde_json::Error) -> Self {
        CommandError::internal(format!("JSON error: {e}"))
    }
}

pub type CmdResult<T = i32> = Result<T, CommandError>;
