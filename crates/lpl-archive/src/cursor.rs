//! Resumable positions in a source.

use std::fmt;

/// How far a source has been read: "every item up to the last one yielded
/// is done".
///
/// Opaque text for callers: store it (for example in SQLite next to the
/// source) in the same transaction as the items read so far, and hand it
/// back to [`open`](crate::open) to continue. A cursor that does not fit
/// the source (another kind, a rewritten history, an mbox that changed in
/// place) is never an error: the source is then read again from the start,
/// and [`Reader::resume`](crate::Reader::resume) says so.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl Cursor {
    /// Wraps a cursor previously obtained from
    /// [`Reader::cursor`](crate::Reader::cursor) and stored as text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The cursor as text, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The cursor as text, for storing.
    pub fn into_string(self) -> String {
        self.0
    }

    pub(crate) fn from_state(state: &State) -> Self {
        Self(state.encode())
    }

    pub(crate) fn state(&self) -> Option<State> {
        State::decode(&self.0)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Cursor {
    fn from(text: String) -> Self {
        Self(text)
    }
}

/// The decoded cursor, one form per reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// A git repository (v2 epoch or v1 inbox): the last commit read.
    Git { last: Option<gix::ObjectId> },
    /// A v2 inbox directory: the last commit read in each epoch.
    Inbox { epochs: Vec<(u32, gix::ObjectId)> },
    /// A plain mbox: the offset where the next message starts, and two
    /// fingerprints that tell whether the file only grew since.
    Mbox { offset: u64, head: u64, tail: u64 },
    /// A gzip mbox (not seekable): its identity and how far it was read.
    Gz {
        size: u64,
        mtime: u64,
        offset: u64,
        complete: bool,
    },
    /// Files (Maildir, directory, single file): fingerprints of the files
    /// completely read, sorted.
    Files { done: Vec<u64> },
    /// Nothing resumable (standard input).
    Nothing,
}

impl State {
    fn encode(&self) -> String {
        match self {
            State::Git { last: None } => "git1".to_owned(),
            State::Git { last: Some(id) } => format!("git1 {id}"),
            State::Inbox { epochs } => {
                let mut s = "inbox1".to_owned();
                for (n, id) in epochs {
                    s.push_str(&format!(" {n}={id}"));
                }
                s
            }
            State::Mbox { offset, head, tail } => format!("mbox1 {offset} {head:016x} {tail:016x}"),
            State::Gz {
                size,
                mtime,
                offset,
                complete,
            } => format!("gz1 {size} {mtime} {offset} {}", u8::from(*complete)),
            State::Files { done } => {
                let mut s = String::with_capacity(7 + done.len() * 16);
                s.push_str("files1 ");
                for fp in done {
                    s.push_str(&format!("{fp:016x}"));
                }
                s
            }
            State::Nothing => "none1".to_owned(),
        }
    }

    fn decode(text: &str) -> Option<State> {
        let mut words = text.split(' ');
        let tag = words.next()?;
        let oid = |s: &str| gix::ObjectId::from_hex(s.as_bytes()).ok();
        let state = match tag {
            "git1" => State::Git {
                last: match words.next() {
                    None => None,
                    Some(hex) => Some(oid(hex)?),
                },
            },
            "inbox1" => {
                let mut epochs = Vec::new();
                for w in words.by_ref() {
                    let (n, id) = w.split_once('=')?;
                    epochs.push((n.parse().ok()?, oid(id)?));
                }
                State::Inbox { epochs }
            }
            "mbox1" => State::Mbox {
                offset: words.next()?.parse().ok()?,
                head: u64::from_str_radix(words.next()?, 16).ok()?,
                tail: u64::from_str_radix(words.next()?, 16).ok()?,
            },
            "gz1" => State::Gz {
                size: words.next()?.parse().ok()?,
                mtime: words.next()?.parse().ok()?,
                offset: words.next()?.parse().ok()?,
                complete: words.next()? == "1",
            },
            "files1" => {
                let hex = words.next().unwrap_or("");
                if !hex.len().is_multiple_of(16) || !hex.is_ascii() {
                    return None;
                }
                let done = (0..hex.len() / 16)
                    .map(|i| u64::from_str_radix(&hex[i * 16..i * 16 + 16], 16).ok())
                    .collect::<Option<Vec<u64>>>()?;
                State::Files { done }
            }
            "none1" => State::Nothing,
            _ => return None,
        };
        words.next().is_none().then_some(state)
    }
}

/// 64-bit FNV-1a: a stable (across toolchains) fingerprint for cursors.
pub(crate) fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The FNV-1a offset basis, the starting value for [`fnv1a`].
pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let id = gix::ObjectId::from_hex(b"fc9df016a90750b825e44c5c84ab3d5d70a8c1a4").expect("hex");
        for state in [
            State::Git { last: None },
            State::Git { last: Some(id) },
            State::Inbox {
                epochs: vec![(0, id), (1, id)],
            },
            State::Inbox { epochs: vec![] },
            State::Mbox {
                offset: 42,
                head: 7,
                tail: u64::MAX,
            },
            State::Gz {
                size: 1,
                mtime: 2,
                offset: 3,
                complete: true,
            },
            State::Files {
                done: vec![1, 2, u64::MAX],
            },
            State::Files { done: vec![] },
            State::Nothing,
        ] {
            let cursor = Cursor::from_state(&state);
            assert_eq!(
                Cursor::new(cursor.as_str()).state(),
                Some(state),
                "{cursor}"
            );
        }
    }

    #[test]
    fn garbage_is_no_state() {
        for text in ["", "git1 zz", "mbox1 1 2", "files1 123", "what", "git1 a b"] {
            assert_eq!(Cursor::new(text).state(), None, "{text}");
        }
    }
}
