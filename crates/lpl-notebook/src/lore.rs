//! Message-IDs and the URLs that name them: lpl-mail's, re-exported (one
//! normaliser and one URL parser for the whole tool).

pub use lpl_mail::MessageId;
pub use lpl_mail::url::{
    escape_msgid, list_from_url, lore_url, message_id_from_arg, message_id_from_url, percent_decode,
};
