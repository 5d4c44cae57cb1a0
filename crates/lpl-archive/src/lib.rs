//! Read mail archives: public-inbox epochs, mbox, Maildir, single messages.
//!
//! `lpl-archive` is the reading half of `lpl import`. Given a path, it
//! tells what kind of archive it is ([`detect`]) and yields every raw
//! message in it with its [`Location`] ([`open`] → [`Reader`]):
//!
//! - **public-inbox v2 epochs** (`N.git`, a bare git repository whose
//!   commits each hold a message `m` or a deletion `d`), **v2 inbox
//!   directories** (`git/0.git`, `git/1.git` … read in numeric order) and
//!   **v1 inboxes** (trees of `xx/yyyy…` files), read with gix, never by
//!   running `git`;
//! - **mbox** files, mboxo and mboxrd alike (`>From ` unescaped mboxrd
//!   style, as lore serves them; see below), also gzip-compressed, read as
//!   a stream with flat memory whatever their size;
//! - **Maildir** (`cur/`, `new/`), **single message files**, **directory
//!   trees** of messages and mbox files, and **standard input** (`-`, an
//!   mbox or a single message).
//!
//! Bad input is normal. Each problem with one item (a missing git object,
//! a commit with neither `m` nor `d`, a truncated gzip stream, an empty
//! mbox, a file that is not mail, an unreadable file) is yielded as a
//! [`ReadError`] carrying its location and reason, and reading goes on.
//! Only a source that cannot be opened at all is an [`OpenError`].
//!
//! Reading is resumable. [`Reader::cursor`] returns an opaque [`Cursor`]
//! meaning "everything yielded so far is done"; commit it atomically with
//! the items and pass it to [`open`] next time. An epoch then reads only
//! the commits after the cursor's commit; if that commit is no longer an
//! ancestor of the tip (a purge rewrote history), the whole epoch is read
//! again and [`Reader::resume`] says so. An mbox that only grew is read
//! from where it stopped; an unchanged gzip file, Maildir message or file
//! is skipped. Correctness never depends on the cursor: the store
//! deduplicates what is read twice.
//!
//! ## mbox flavours
//!
//! mboxo escapes body lines starting `From ` as `>From `; mboxrd escapes
//! any `>*From ` by one more `>`. The two cannot be told apart from the
//! data. Lines matching `^>+From ` lose one `>` (mboxrd, what
//! lore.kernel.org serves); in an mboxo file this wrongly unescapes a body
//! line that really began `>From `, a rare and harmless change. A message
//! starts at a `From ` line that begins the file or follows a blank line and
//! looks like a From_ line (a month, a time and a year in its date), so an
//! unescaped `From ` in a body does not split a message in the common case.
//!
//! ## Speed and memory
//!
//! Reading an epoch walks its history once (from the commit-graph when the
//! repository has one), then inflates each commit's tree and blob; zlib
//! inflation is most of the cost, so [`Options::decode_threads`] background
//! threads (default 2) decode batches of commits ahead of the caller, order
//! kept. Measured with `cargo bench -p lpl-archive --bench read` on the
//! 2-core development machine: the whole cgroups epoch (36,146 messages,
//! 336 MB) costs 1.3–1.5 s of CPU (about 0.2 s of it the walk without a
//! commit-graph, next to nothing with one); an mboxrd export of it reads at about
//! 1 GB/s of CPU time (0.33 s), its gzip at 1.0 s. Memory holds the epoch's
//! commit list (about 40 bytes per commit), up to three batches of 32
//! decoded messages per decode thread, and one message of an mbox; the git
//! pack is memory-mapped.
//!
//! ## What it does not do
//!
//! - It does not parse messages: bytes go out as stored (`lpl-mail` parses).
//! - It does not store or deduplicate anything (`lpl-store` does).
//! - It does not fetch: cloning or fetching epochs from lore is left to
//!   `git clone --mirror` / `git fetch`.
//! - It never prints, and reads no environment variable and no git
//!   configuration outside the repository it opens.
//!
//! ## Example
//!
//! ```no_run
//! use lpl_archive::{Event, Options, open};
//! # fn main() -> Result<(), lpl_archive::OpenError> {
//! let mut reader = open("cgroups.0.git".as_ref(), None, &Options::default())?;
//! for item in reader.by_ref() {
//!     match item {
//!         Ok(Event::Message(msg)) => { /* parse msg.bytes, store with msg.location */ }
//!         Ok(Event::Deleted { .. }) => { /* forget it */ }
//!         Ok(_) => {}
//!         Err(err) => eprintln!("skipped {}: {err}", err.location()),
//!     }
//! }
//! let cursor = reader.cursor(); // store it; pass it to `open` next time
//! # let _ = cursor; Ok(()) }
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod cursor;
mod detect;
mod error;
mod files;
mod git;
mod inbox;
mod location;
mod reader;
mod stream;

use std::path::Path;

pub use cursor::Cursor;
pub use detect::{SourceKind, detect};
pub use error::{GitError, ObjectRole, OpenError, ReadError};
pub use location::{CommitId, Location};
pub use reader::{Estimate, Event, Progress, RawMessage, Reader, RestartReason, Resume};

/// Knobs for [`open`]; `Options::default()` detects the format.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Read the source as this kind instead of detecting it.
    pub kind: Option<SourceKind>,
    /// Background threads decoding a v2 epoch's objects ahead of the
    /// caller (zlib inflation is most of the cost of reading an epoch).
    /// `0` decodes on the calling thread. Default: 2. Order is kept either
    /// way; each thread decodes at most three batches of 32 commits ahead.
    pub decode_threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            kind: None,
            decode_threads: 2,
        }
    }
}

/// Opens `path` (or `-` for standard input) for reading, continuing after
/// `resume` when it is given and still fits the source.
///
/// The kind of source is detected (see [`detect`]) unless
/// [`Options::kind`] says it. For a git repository this walks the history
/// (newest to oldest, once) before returning, so that the reader knows how
/// many commits are to be read.
pub fn open(path: &Path, resume: Option<&Cursor>, opts: &Options) -> Result<Reader, OpenError> {
    let kind = match opts.kind {
        Some(kind) => kind,
        None => detect(path)?,
    };
    Reader::open(path, kind, resume, opts)
}

/// Reads an arbitrary byte stream (an mbox or a single message), as for
/// standard input; locations are [`Location::Stdin`] offsets. There is no
/// resuming a stream.
pub fn read_stream(input: impl std::io::Read + Send + 'static) -> Reader {
    Reader::from_stream(Box::new(input))
}
