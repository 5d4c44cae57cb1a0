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
        // public-inbox indexes every text part (`SearchIdx::index_xapian`
        // per part of `msg_iter`): the body, then the others in order.
        let mut body = BodyText::from_text(&m.body);
        for part in &m.extra_text {
            body.add_part(&part.text);
        }
        if let Some(p) = &m.patch
            && p.from_attachment
            && !m.extra_text.iter().any(|t| t.is_patch)
        {
            // A patch attached as a part public-inbox would not read
            // (`application/x-patch` without a charset): its diff is still
            // worth finding.
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
            received: m.received.or(m.date.as_ref().map(|d| d.timestamp)),
            attachments: m.attachment_names.clone(),
            body,
            patch_id: m
                .patch
                .as_ref()
                .and_then(|p| p.patch_id.as_ref())
                .map(|id| id.to_hex()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(raw: &str) -> SearchDoc {
        SearchDoc::from_message(DocKey::new("1"), &lpl_mail::parse(raw.as_bytes()).message)
    }

    const HEAD: &str = "From: a@example.com\nSubject: Re: x\nMessage-ID: <m@x>\n\
        MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n";

    #[test]
    fn every_text_part_once() {
        let d = doc(&format!(
            "{HEAD}--b\nContent-Type: text/plain\n\nsomething like this?\n\n\
             --b\nContent-Type: text/x-patch; name=fix.patch\n\n\
             Fix it.\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n\n\
             --b\nContent-Type: text/x-csrc; name=repro.c\n\nint main(void) {{ return 0; }}\n\n--b--\n"
        ));
        let unquoted = d.body.unquoted.concat();
        assert!(unquoted.contains("something like this?"));
        assert!(unquoted.contains("Fix it."), "{unquoted:?}");
        assert!(unquoted.contains("int main"), "{unquoted:?}");
        // The attached patch is a text part: its diff is indexed once.
        assert_eq!(d.body.diff.files, ["x.c"]);
        assert_eq!(d.body.diff.added, ["b"]);
    }

    #[test]
    fn attached_patch_that_is_no_text_part_keeps_its_diff() {
        let d = doc(&format!(
            "{HEAD}--b\nContent-Type: text/plain\n\nthe patch\n\n\
             --b\nContent-Type: application/x-patch; name=fix.patch\n\n\
             diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n\n--b--\n"
        ));
        assert_eq!(d.body.diff.files, ["x.c"]);
        assert_eq!(d.body.diff.removed, ["a"]);
    }
}
