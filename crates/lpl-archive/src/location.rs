//! Where a message (or an error) came from.

use std::fmt;
use std::path::PathBuf;

pub use lpl_mail::CommitId;

/// The id of a commit gix read.
pub(crate) fn commit_of(id: &gix::oid) -> CommitId {
    let mut out = [0u8; 20];
    let b = id.as_bytes();
    let n = b.len().min(20);
    out[..n].copy_from_slice(&b[..n]);
    CommitId(out)
}

/// Where one message, deletion or error came from, precise enough for a
/// person to find it again (`git show`, `dd skip=`, `less`).
///
/// `Display` gives a compact form: `cgroups.0.git@1a2b3c4d5e6f`,
/// `inbox.git@1a2b3c4d5e6f:ab/cdef…` (v1), `foo.mbox:123456`,
/// `cur/1234.host:2,S`, `<stdin>:0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A commit of a public-inbox git repository (v2 epoch or v1 inbox).
    Commit {
        /// The repository (the epoch `N.git`, or the v1 inbox), as given to
        /// [`open`](crate::open) or found inside the given inbox directory.
        repo: PathBuf,
        /// The commit holding the message.
        commit: CommitId,
        /// For a v1 inbox, the file inside the commit's tree (`ab/cdef…`);
        /// `None` for a v2 epoch, whose commits hold one file.
        path: Option<String>,
    },
    /// A message inside an mbox file.
    Mbox {
        /// The mbox file (possibly `.gz`).
        path: PathBuf,
        /// Byte offset of the message's `From ` line; for a gzip-compressed
        /// file, an offset into the decompressed stream.
        offset: u64,
    },
    /// A file holding one message (`.eml`, a Maildir entry, a file in a
    /// directory of messages).
    File {
        /// The file.
        path: PathBuf,
    },
    /// A message read from standard input (or another stream).
    Stdin {
        /// Byte offset of the message (of its `From ` line in an mbox).
        offset: u64,
    },
    /// The source as a whole, for errors not tied to one message (for
    /// example an epoch whose references cannot be read).
    Source {
        /// The source.
        path: PathBuf,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Commit { repo, commit, path } => {
                write!(f, "{}@{}", repo.display(), commit.short(12))?;
                if let Some(path) = path {
                    write!(f, ":{path}")?;
                }
                Ok(())
            }
            Location::Mbox { path, offset } => write!(f, "{}:{offset}", path.display()),
            Location::File { path } | Location::Source { path } => {
                write!(f, "{}", path.display())
            }
            Location::Stdin { offset } => write!(f, "<stdin>:{offset}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_forms() {
        let commit = CommitId::new("1A2B3C4D5E6F7a8b9c0d1a2b3c4d5e6f7a8b9c0d").expect("valid");
        let loc = Location::Commit {
            repo: "cgroups.0.git".into(),
            commit,
            path: None,
        };
        assert_eq!(loc.to_string(), "cgroups.0.git@1a2b3c4d5e6f");
        assert_eq!(
            commit.to_string(),
            "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"
        );
        let loc = Location::Mbox {
            path: "foo.mbox".into(),
            offset: 123456,
        };
        assert_eq!(loc.to_string(), "foo.mbox:123456");
        assert_eq!(Location::Stdin { offset: 7 }.to_string(), "<stdin>:7");
        assert!(CommitId::new("xyz").is_none());
    }
}
