//! A reply to a message, written as reviewers write them on the kernel
//! lists: to the sender, everyone else in copy (lore's reply instructions),
//! threaded (`In-Reply-To`, `References`), `Re:` subject, the original
//! quoted with `> `, review trailers under the quoted commit message.
//!
//! Every header is written through [`crate::encode`]: nothing from the
//! original reaches a header raw, so a name or subject holding CR/LF (or an
//! encoded-word that decodes to them) cannot add a header line.

use crate::encode;
use crate::message::{Address, Message};

/// Who replies, and what goes in.
#[derive(Debug, Clone)]
pub struct ReplyOptions {
    /// The replier (`From:`, and the person in the trailers).
    pub from: Address,
    /// Trailer keys to add (`Reviewed-by`, `Acked-by`, `Tested-by`), each
    /// with the replier as value.
    pub trailers: Vec<String>,
    /// `Date:` of the reply (unix seconds, UTC).
    pub date: i64,
    /// `Message-ID:` of the reply, without brackets.
    pub message_id: String,
    /// `User-Agent:` value.
    pub user_agent: String,
}

/// The reply, and what it was made of.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The whole message (RFC 5322, `\n` line ends, UTF-8 8bit body).
    pub text: String,
    /// Recipients: the original sender.
    pub to: Vec<Address>,
    /// Recipients in copy: the original's To and Cc, less the replier.
    pub cc: Vec<Address>,
    /// The subject (decoded).
    pub subject: String,
}

/// RFC 5322 date of `ts` at `offset_minutes` east of UTC.
pub fn rfc2822_date(ts: i64, offset_minutes: i32) -> String {
    let offset = jiff::tz::Offset::from_seconds(offset_minutes.saturating_mul(60))
        .unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(ts) {
        Ok(t) => t
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string(),
        Err(_) => "Thu, 01 Jan 1970 00:00:00 +0000".to_owned(),
    }
}

fn same_person(a: &Address, b: &Address) -> bool {
    a.email.eq_ignore_ascii_case(&b.email)
}

/// `Re: subject`, unless it is one already.
pub fn reply_subject(subject: &str) -> String {
    let s = encode::unfold(subject);
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("re:")
        || lower.starts_with("re ") && lower[3..].trim_start().starts_with(':')
    {
        s
    } else {
        format!("Re: {s}")
    }
}

/// The recipients lore's reply instructions give: `To:` the sender, `Cc:`
/// every To and Cc of the original, without duplicates or the replier.
fn recipients(original: &Message, me: &Address) -> (Vec<Address>, Vec<Address>) {
    let to: Vec<Address> = original
        .from
        .iter()
        .filter(|a| !same_person(a, me))
        .cloned()
        .collect();
    let mut cc: Vec<Address> = Vec::new();
    for a in original.to.iter().chain(&original.cc) {
        if same_person(a, me) || to.iter().chain(&cc).any(|b| same_person(a, b)) {
            continue;
        }
        cc.push(a.clone());
    }
    (to, cc)
}

fn address_list(list: &[Address]) -> String {
    list.iter()
        .map(|a| encode::mailbox(a.name.as_deref(), &a.email))
        .collect::<Vec<_>>()
        .join(",\n\t")
}

/// Writes the reply to `original`.
pub fn compose(original: &Message, opts: &ReplyOptions) -> Reply {
    let (to, cc) = recipients(original, &opts.from);
    let subject = reply_subject(&original.subject);
    let mut h = String::new();
    h.push_str(&format!(
        "From: {}\n",
        encode::mailbox(opts.from.name.as_deref(), &opts.from.email)
    ));
    // Replying to oneself: the sender is the only recipient.
    let to_line = if to.is_empty() {
        address_list(std::slice::from_ref(&opts.from))
    } else {
        address_list(&to)
    };
    h.push_str(&format!("To: {to_line}\n"));
    if !cc.is_empty() {
        h.push_str(&format!("Cc: {}\n", address_list(&cc)));
    }
    h.push_str(&format!("Subject: {}\n", encode::header_text(&subject)));
    h.push_str(&format!("Date: {}\n", rfc2822_date(opts.date, 0)));
    h.push_str(&format!(
        "Message-ID: <{}>\n",
        encode::unfold(&opts.message_id).replace([' ', '<', '>'], "")
    ));
    if let Some(id) = &original.message_id {
        h.push_str(&format!("In-Reply-To: {}\n", id.bracketed()));
        let mut refs: Vec<String> = Vec::new();
        for r in original
            .references
            .iter()
            .chain(original.in_reply_to.iter())
        {
            let b = r.bracketed();
            if !refs.contains(&b) && r != id {
                refs.push(b);
            }
        }
        refs.push(id.bracketed());
        h.push_str(&format!("References: {}\n", refs.join("\n ")));
    }
    h.push_str("MIME-Version: 1.0\n");
    h.push_str("Content-Type: text/plain; charset=utf-8\n");
    h.push_str("Content-Transfer-Encoding: 8bit\n");
    h.push_str(&format!(
        "User-Agent: {}\n",
        encode::header_text(&opts.user_agent)
    ));

    let body = body(original, opts);
    Reply {
        text: format!("{h}\n{body}"),
        to: if to.is_empty() {
            vec![opts.from.clone()]
        } else {
            to
        },
        cc,
        subject,
    }
}

/// `On <date>, <name> wrote:`, the quote, the trailers where reviewers
/// put them: under the quoted commit message of a patch (before its `---`),
/// else under the whole quote. The signature (`-- ` and after) is left out.
fn body(original: &Message, opts: &ReplyOptions) -> String {
    let who = original
        .from
        .as_ref()
        .map(|a| encode::unfold(a.name_or_email()))
        .unwrap_or_else(|| "you".to_owned());
    let mut out = match original.date {
        Some(d) => format!(
            "On {}, {who} wrote:\n",
            rfc2822_date(d.timestamp, d.offset_minutes)
        ),
        None => format!("{who} wrote:\n"),
    };
    let me = match &opts.from.name {
        Some(n) => format!("{} <{}>", encode::unfold(n), opts.from.email),
        None => opts.from.email.clone(),
    };
    let trailers: String = opts
        .trailers
        .iter()
        .map(|k| format!("{}: {me}\n", encode::unfold(k)))
        .collect();
    let lines: Vec<&str> = original
        .body
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let end = lines
        .iter()
        .position(|l| *l == "-- ")
        .unwrap_or(lines.len());
    let mut lines = &lines[..end];
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines = &lines[..lines.len() - 1];
    }
    // git mailinfo's first patch separator ends the commit message.
    let separator = if original.patch.is_some() {
        lines.iter().position(|l| l.trim_end() == "---")
    } else {
        None
    };
    for (i, l) in lines.iter().enumerate() {
        if Some(i) == separator && !trailers.is_empty() {
            out.push('\n');
            out.push_str(&trailers);
            out.push('\n');
        }
        if l.is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str("> ");
            out.push_str(l);
            out.push('\n');
        }
    }
    if separator.is_none() && !trailers.is_empty() {
        out.push('\n');
        out.push_str(&trailers);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> ReplyOptions {
        ReplyOptions {
            from: Address {
                name: Some("Rev Iewer".into()),
                email: "rev@example.org".into(),
            },
            trailers: vec!["Reviewed-by".into()],
            date: 1_700_000_000,
            message_id: "20231114.1-lpl@example.org".into(),
            user_agent: "lpl".into(),
        }
    }

    const PATCH: &str = "From: Zi Yan <ziy@nvidia.com>\nTo: linux-mm@kvack.org\nCc: Rev Iewer <rev@example.org>, David <david@redhat.com>\nSubject: [PATCH v5 3/8] mm/memcg: use order\nDate: Mon, 26 Feb 2024 15:55:30 -0500\nMessage-ID: <p3@sent.com>\nIn-Reply-To: <p0@sent.com>\nReferences: <p0@sent.com>\n\nUse order.\n\nSigned-off-by: Zi Yan <ziy@nvidia.com>\n---\n mm/x.c | 2 +-\n\ndiff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n";

    #[test]
    fn a_review_of_a_patch() {
        let m = crate::parse(PATCH.as_bytes()).message;
        let r = compose(&m, &me());
        assert!(r.text.starts_with("From: Rev Iewer <rev@example.org>\nTo: Zi Yan <ziy@nvidia.com>\nCc: linux-mm@kvack.org,\n\tDavid <david@redhat.com>\nSubject: Re: [PATCH v5 3/8] mm/memcg: use order\n"), "{}", r.text);
        assert!(
            r.text.contains(
                "In-Reply-To: <p3@sent.com>\nReferences: <p0@sent.com>\n <p3@sent.com>\n"
            )
        );
        assert!(r.text.contains("> Signed-off-by: Zi Yan <ziy@nvidia.com>\n\nReviewed-by: Rev Iewer <rev@example.org>\n\n> ---\n"), "{}", r.text);
        assert!(r.text.contains("> +b\n"));
        assert!(!r.text.contains("2.43.0"), "signature dropped");
        assert!(
            r.text
                .contains("On Mon, 26 Feb 2024 15:55:30 -0500, Zi Yan wrote:\n")
        );
    }

    #[test]
    fn hostile_names_and_subjects_stay_on_one_header_line() {
        let raw = "From: =?utf-8?b?RXZpbAp0bzogdmljdGltQHguY29t?= <e@x.org>\nTo: a@x.org\nSubject: =?utf-8?b?aGkKQmNjOiB2aWN0aW1AeC5jb20=?=\nMessage-ID: <h@x>\n\nbody\n";
        let m = crate::parse(raw.as_bytes()).message;
        let r = compose(&m, &me());
        let headers = r.text.split("\n\n").next().unwrap_or("");
        for line in headers.lines() {
            assert!(
                line.starts_with(' ') || line.starts_with('\t') || line.contains(": "),
                "{line:?} in\n{headers}"
            );
            assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{headers}");
            assert!(
                !line.to_ascii_lowercase().starts_with("to: victim"),
                "{headers}"
            );
        }
        assert!(
            r.text
                .contains("\n\nReviewed-by: Rev Iewer <rev@example.org>\n")
        );
    }

    #[test]
    fn subjects() {
        assert_eq!(reply_subject("[PATCH] x"), "Re: [PATCH] x");
        assert_eq!(reply_subject("Re: [PATCH] x"), "Re: [PATCH] x");
        assert_eq!(reply_subject("RE: x"), "RE: x");
    }
}
