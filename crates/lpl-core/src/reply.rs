//! `lpl reply MSGID`: a reply to an archived message, written with
//! [`lpl_mail::reply`] (recipients as lore's reply instructions give them,
//! threading headers, the original quoted, review trailers).

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
