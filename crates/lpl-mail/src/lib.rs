//! Parse one kernel mailing-list message: RFC 5322 headers, MIME bodies and
//! charsets, subject tags (`[PATCH v5 3/8]`), patch anatomy (commit message,
//! trailers, diffstat, diff) and `git patch-id --stable`.
//!
//! This crate is pure: it does no I/O, never prints and reads no environment.
//! Malformed mail is normal: [`parse`] never fails; problems become
//! [`Diagnostic`]s next to the best reading of the message.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod charset;
pub mod diff;
pub mod encode;
pub mod id;
mod lines;
pub mod message;
pub mod patch;
pub mod patch_id;
pub mod subject;
pub mod trailer;

pub use id::MessageId;
pub use message::{
    Address, Diagnostic, DiagnosticKind, MailDate, Message, ParsedMessage, TextPart, content_hash,
    parse,
};
pub use patch::Patch;
pub use patch_id::PatchId;
pub use subject::SubjectTags;
pub use trailer::{Trailer, TrailerKind};
