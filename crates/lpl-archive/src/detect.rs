//! Telling what kind of archive a path is.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::OpenError;
use crate::git::{Layout, detect_layout};

/// The kinds of source this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// One public-inbox v2 epoch: a bare git repository (`N.git`) whose
    /// commits each hold a message `m` or a deletion `d`.
    PublicInboxV2Epoch,
    /// A public-inbox v2 inbox directory: epochs `git/0.git`, `git/1.git` …
    PublicInboxV2Inbox,
    /// A public-inbox v1 inbox: a bare git repository whose trees hold one
    /// file per message at `xx/yyyy…`.
    PublicInboxV1,
    /// An mbox file (mboxo or mboxrd).
    Mbox,
    /// A gzip-compressed mbox (or single message).
    MboxGz,
    /// A Maildir (`cur/`, `new/`; `tmp/` is ignored).
    Maildir,
    /// One message file (`.eml` or any RFC 5322 file).
    MessageFile,
    /// A directory tree of message files, mbox files and Maildirs.
    Directory,
    /// Standard input (`-`): an mbox or a single message.
    Stdin,
}

impl SourceKind {
    /// A short name for messages and reports (`v2-epoch`, `mbox` …).
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::PublicInboxV2Epoch => "v2-epoch",
            SourceKind::PublicInboxV2Inbox => "v2-inbox",
            SourceKind::PublicInboxV1 => "v1-inbox",
            SourceKind::Mbox => "mbox",
            SourceKind::MboxGz => "mbox.gz",
            SourceKind::Maildir => "maildir",
            SourceKind::MessageFile => "message",
            SourceKind::Directory => "directory",
            SourceKind::Stdin => "stdin",
        }
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `dir` looks like a git directory (bare repository).
fn is_git_dir(dir: &Path) -> bool {
    dir.join("objects").is_dir() && dir.join("HEAD").is_file() && dir.join("refs").is_dir()
}

/// Tells what kind of archive `path` is, from its contents (not its name).
///
/// `-` is standard input. A bare git repository is a v2 epoch when its tip
/// holds `m` or `d`, a v1 inbox when it holds `xx/` directories (an empty
/// repository counts as a v2 epoch with no messages). A directory with
/// `git/N.git` epochs is a v2 inbox, one with `cur/` and `new/` a Maildir,
/// any other directory a tree of message files. A file is gzip by its
/// magic number, an mbox when it starts with `From ` (or is empty), a
/// message when its first line is a header field.
pub fn detect(path: &Path) -> Result<SourceKind, OpenError> {
    if path.as_os_str() == "-" {
        return Ok(SourceKind::Stdin);
    }
    let io_err = |source| OpenError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        if is_git_dir(path) {
            return Ok(match detect_layout(path)? {
                Some(Layout::V1) => SourceKind::PublicInboxV1,
                Some(Layout::V2) | None => SourceKind::PublicInboxV2Epoch,
            });
        }
        if crate::inbox::epochs(path).is_ok_and(|e| !e.is_empty()) {
            return Ok(SourceKind::PublicInboxV2Inbox);
        }
        if path.join("cur").is_dir() && path.join("new").is_dir() {
            return Ok(SourceKind::Maildir);
        }
        return Ok(SourceKind::Directory);
    }
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(io_err)?;
    if head.is_empty() {
        return Ok(SourceKind::Mbox);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(SourceKind::MboxGz);
    }
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&head);
    if lpl_mail::mbox::is_first_from_line(first_line) {
        return Ok(SourceKind::Mbox);
    }
    if memchr::memchr(0, &head).is_none() && crate::files::looks_like_header(first_line) {
        return Ok(SourceKind::MessageFile);
    }
    Err(OpenError::Unrecognised {
        path: path.to_owned(),
        reason: "a file that is neither an mbox, a gzip file nor a mail message",
    })
}
