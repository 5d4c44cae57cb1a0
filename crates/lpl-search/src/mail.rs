//! Filling a [`SearchDoc`] from a parsed [`lpl_mail::Message`].

use crate::doc::{Addr, BodyText, DocKey, DocKind, SearchDoc};

fn addr(a: &lpl_mail::Address) -> Addr {
    Addr {
        name: a.name.clone(),
        email: a.email.clone(),
    }
}

impl SearchDoc {
    /// The document of one mailing-list message, under the caller's `key`.
    pub fn from_message(key: DocKey, m: &lpl_mail::Message) -> Self {
        let mut body = BodyText::from_text(&m.body);
        if let Some(p) = &m.patch
            && p.from_attachment
        {
            // public-inbox indexes every text part; the attached patch is one.
            body.add_part(&p.diff);
        }
        SearchDoc {
            key,
            kind: DocKind::Message,
            anchor: None,
            message_id: m.message_id.as_ref().map(|id| id.as_str().to_owned()),
            subject: m.subject.clone(),
            from: m.from.iter().map(addr).collect(),
            to: m.to.iter().map(addr).collect(),
            cc: m.cc.iter().map(addr).collect(),
            list_id: m.list_id.clone(),
            date: m.date.as_ref().map(|d| d.timestamp),
            body,
            patch_id: m
                .patch
                .as_ref()
                .and_then(|p| p.patch_id.as_ref())
                .map(|id| id.to_hex()),
        }
    }
}
