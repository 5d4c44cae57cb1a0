//! `lpl reply MSGID`: a reply to an archived message, written with
//! [`lpl_mail::reply`] (recipients as lore's reply instructions give them,
//! threading headers, the original quoted, review trailers).

use std::path::{Path, PathBuf};

use lpl_mail::Address;
pub use lpl_mail::reply::{Reply, ReplyOptions};
use lpl_store::Store;

use crate::error::{Error, Invalid, NotFound};
use crate::show::resolve_message_id;

/// `Name <addr>` as lpl writes it in headers (RFC 2047 when needed), for
/// front ends that hand an address to another program.
pub fn mailbox(a: &Address) -> String {
    lpl_mail::encode::mailbox(a.name.as_deref(), &a.email)
}

/// A Message-ID for a reply `from` writes at `unix` seconds (`nanos`
/// past them) in process `pid`: unique per moment and process, at the
/// replier's domain (`localhost` when the address has none).
pub fn new_message_id(from: &Address, unix: i64, nanos: u32, pid: u32) -> String {
    let domain = from
        .email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost");
    format!("{unix}.{nanos:09}.{pid}-lpl@{domain}")
}

/// Where the draft of a reply to the message of short id `short` goes in
/// `dir`: `reply-SHORT.eml`, else the first free `reply-SHORT-2.eml`,
/// `-3`, ... (a draft already there is never overwritten).
pub fn draft_path(dir: &Path, short: &str) -> PathBuf {
    let first = dir.join(format!("reply-{short}.eml"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("reply-{short}-{n}.eml")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// The reply to the message named by `arg` (Message-ID or lore URL), the
/// first stored copy when there are several, and the short id of its
/// Message-ID.
pub(crate) fn reply(
    store: &Store,
    arg: &str,
    opts: &ReplyOptions,
) -> Result<(Reply, String), Error> {
    let id = resolve_message_id(arg).ok_or_else(|| Invalid::MessageId {
        arg: arg.to_owned(),
    })?;
    let rows = store.messages_by_id(id.as_str())?;
    let row = rows.first().ok_or_else(|| NotFound::Message {
        message_id: id.as_str().to_owned(),
    })?;
    let raw = store.raw(row.id)?;
    let m = lpl_mail::parse(&raw).message;
    Ok((lpl_mail::reply::compose(&m, opts), id.short_id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_and_draft_paths() {
        let me = Address {
            name: None,
            email: "me@example.org".into(),
        };
        assert_eq!(
            new_message_id(&me, 1_700_000_000, 42, 7),
            "1700000000.000000042.7-lpl@example.org"
        );
        let nobody = Address {
            name: None,
            email: "me".into(),
        };
        assert!(new_message_id(&nobody, 1, 0, 1).ends_with("-lpl@localhost"));
        let d = tempfile::tempdir().expect("tempdir");
        let p = draft_path(d.path(), "abcd");
        assert_eq!(p, d.path().join("reply-abcd.eml"));
        std::fs::write(&p, "x").expect("write");
        assert_eq!(
            draft_path(d.path(), "abcd"),
            d.path().join("reply-abcd-2.eml")
        );
    }
}
