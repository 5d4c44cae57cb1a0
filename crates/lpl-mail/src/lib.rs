//! Parse one kernel mailing-list message: RFC 5322 headers, MIME bodies and
//! charsets, subject tags (`[PATCH v5 3/8]`), patch anatomy (commit message,
//! trailers, diffstat, diff) and `git patch-id --stable`.
//!
//! This crate is pure: it does no I/O, never prints and reads no environment.
//! Malformed mail is normal: [`parse`] never fails; problems become
//! [`Diagnostic`]s next to the best reading of the message.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod changelog;
pub mod charset;
pub mod commit_id;
pub mod date;
pub mod diff;
pub mod encode;
pub mod id;
mod lines;
pub mod mbox;
pub mod message;
pub mod patch;
pub mod patch_id;
pub mod reply;
pub mod subject;
pub mod trailer;
pub mod url;

pub use commit_id::CommitId;
pub use id::MessageId;

/// The largest message lpl reads, stores or parses: 32 MiB. Mail servers
/// in front of mailing lists refuse far smaller ones (Postfix's default
/// `message_size_limit` is 10,240,000 bytes; lore's copies of the two
/// corpus lists hold nothing near it), so anything bigger is a gzip bomb,
/// a broken mirror or an attack. Readers stop buffering a message at this
/// size and skip it with a reason; the store refuses one, so a length is
/// never cut to 32 bits (a 4 GiB message was stored with its length
/// truncated before this limit).
pub const MAX_MESSAGE_BYTES: usize = 32 << 20;
pub use message::{
    Address, Diagnostic, DiagnosticKind, MailDate, Message, ParsedMessage, TextPart, content_hash,
    parse,
};
pub use patch::Patch;
pub use patch_id::PatchId;
pub use subject::SubjectTags;
pub use trailer::{Trailer, TrailerKind};
