//! URLs that name a message: lore's forms and msgid.link, parsed to a
//! Message-ID, and the canonical lore URL of one. The one place lpl reads
//! or writes them (the notebook, `lpl show URL`, `Link:` trailers, lore's
//! client).
//!
//! Accepted forms (scheme optional, `http` or `https`):
//! `lore.kernel.org/<list>/<msgid>/` with any tail (`T/`, `t/`, `raw`,
//! `#m...`, `#r`, `?q=...`), `lore.kernel.org/all/<msgid>/`,
//! `lore.kernel.org/r/<msgid>`, `lkml.kernel.org/r/<msgid>`,
//! `patch.msgid.link/<msgid>` and `msgid.link/<msgid>` (`lore.gnuweb.org`
//! too); the Message-ID may be
//! percent-encoded. The `#m...` anchor of a `/T/` URL names a message by a
//! hash that cannot be reversed, so such a URL resolves to the thread's
//! Message-ID (the one in the path).

use crate::MessageId;

/// Decodes `%XX` escapes; invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves a URL naming a mailing-list message to its Message-ID.
///
/// Returns `None` for URLs that do not name one message (other sites, a
/// list's front page, a search).
pub fn message_id_from_url(url: &str) -> Option<MessageId> {
    let u = url.trim();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    // Drop the fragment and query: they never hold the Message-ID itself.
    let u = u.split(['#', '?']).next().unwrap_or(u);
    let (host, path) = u.split_once('/')?;
    let host = host.to_ascii_lowercase();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let raw = match host.as_str() {
        "lore.kernel.org" | "lkml.kernel.org" | "lore.gnuweb.org" => {
            // <list>/<msgid>/..., all/<msgid>/..., r/<msgid>; a bare
            // <msgid>/ when the first segment is one.
            segs.iter()
                .take(2)
                .copied()
                .find(|s| percent_decode(s).contains('@'))?
        }
        "patch.msgid.link" | "msgid.link" => *segs.first()?,
        _ => return None,
    };
    let decoded = percent_decode(raw);
    if !decoded.contains('@') {
        return None;
    }
    MessageId::new(&decoded)
}

/// The list named in a lore URL (`linux-mm`), if any (`all` and `r` are not lists).
pub fn list_from_url(url: &str) -> Option<String> {
    let u = url.trim();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let rest = u.strip_prefix("lore.kernel.org/")?;
    let list = rest.split('/').next()?;
    if list.is_empty() || list == "all" || list == "r" {
        return None;
    }
    Some(list.to_owned())
}

/// What a user types to name a message, as a Message-ID: `<id>`, `id`,
/// `id:ID` (lei's form) or any URL [`message_id_from_url`] knows.
pub fn message_id_from_arg(arg: &str) -> Option<MessageId> {
    let a = arg.trim();
    let a = a.strip_prefix("id:").unwrap_or(a);
    if a.starts_with("https://") || a.starts_with("http://") {
        return message_id_from_url(a);
    }
    MessageId::new(a)
}

/// `msgid` escaped for a path segment as public-inbox's `mid_escape` does
/// (unreserved characters, sub-delimiters, `:` and `@` stay; `/`, `%`,
/// `?`, `#`, spaces and the rest become `%XX`).
pub fn escape_msgid(msgid: &str) -> String {
    // `.` and `..` as a path segment are removed or climb a level (RFC 3986
    // dot segments): `https://lore/all/../raw` would ask for another
    // resource. Their dots are escaped.
    if msgid == "." || msgid == ".." {
        return "%2E".repeat(msgid.len());
    }
    let mut out = String::with_capacity(msgid.len());
    for b in msgid.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical lore URL for a Message-ID (`https://lore.kernel.org/<list>/<id>/`).
///
/// The ID is percent-encoded as public-inbox's `mid_escape` does, and so
/// are `(` and `)`, which would end a Markdown link (`[t](url)`) early, and
/// the dots of an ID that is only `.` or `..` (a dot segment).
pub fn lore_url(list: Option<&str>, id: &MessageId) -> String {
    let enc = escape_msgid(id.as_str())
        .replace('(', "%28")
        .replace(')', "%29");
    format!("https://lore.kernel.org/{}/{}/", list.unwrap_or("all"), enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_users_type() {
        let want = Some("20240226205534.1603748-1-zi.yan@sent.com".to_owned());
        for a in [
            "20240226205534.1603748-1-zi.yan@sent.com",
            "<20240226205534.1603748-1-zi.yan@sent.com>",
            "id:20240226205534.1603748-1-zi.yan@sent.com",
            "https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/T/#u",
            "https://lore.gnuweb.org/20240226205534.1603748-1-zi.yan@sent.com/",
        ] {
            assert_eq!(
                message_id_from_arg(a).map(|m| m.as_str().to_owned()),
                want,
                "{a}"
            );
        }
        assert_eq!(escape_msgid("a/b%c@x"), "a%2Fb%25c@x");
    }

    fn id(u: &str) -> Option<String> {
        message_id_from_url(u).map(|m| m.as_str().to_owned())
    }

    #[test]
    fn every_lore_form() {
        let want = Some("20240226205534.1603748-1-zi.yan@sent.com".to_owned());
        for u in [
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com",
            "https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/",
            "https://lore.kernel.org/r/20240226205534.1603748-1-zi.yan@sent.com",
            "http://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/T/#u",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/T/#mc904b4675c39f993fb43a0098637e087166d6df7",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/#r",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan%40sent.com/",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/raw",
            "https://patch.msgid.link/20240226205534.1603748-1-zi.yan@sent.com",
            "https://msgid.link/20240226205534.1603748-1-zi.yan@sent.com",
            "lore.kernel.org/lkml/20240226205534.1603748-1-zi.yan@sent.com/",
            "https://lkml.kernel.org/r/20240226205534.1603748-1-zi.yan@sent.com",
        ] {
            assert_eq!(id(u), want, "{u}");
        }
        assert_eq!(
            id("https://lore.kernel.org/linux-mm/5f52de70-975-e94f-f141-543765736181@google.com/"),
            Some("5f52de70-975-e94f-f141-543765736181@google.com".into())
        );
        assert_eq!(
            id("https://lore.kernel.org/all/a%2Fb%25c@x/"),
            Some("a/b%c@x".into())
        );
    }

    #[test]
    fn non_message_urls() {
        for u in [
            "https://lwn.net/Articles/619738/",
            "https://lore.kernel.org/linux-mm/",
            "https://lore.kernel.org/linux-mm/?q=folio",
            "https://kernelnewbies.org/MatthewWilcox/Memdescs/Path",
            "not a url",
            "https://lore.kernel.org/linux-mm/%zz/",
        ] {
            assert_eq!(id(u), None, "{u}");
        }
    }

    #[test]
    fn list_and_canonical_url() {
        assert_eq!(
            list_from_url("https://lore.kernel.org/linux-mm/x@y/").as_deref(),
            Some("linux-mm")
        );
        assert_eq!(list_from_url("https://lore.kernel.org/all/x@y/"), None);
        let m = MessageId::new("<a/b@c>").unwrap();
        assert_eq!(
            lore_url(Some("linux-mm"), &m),
            "https://lore.kernel.org/linux-mm/a%2Fb@c/"
        );
        assert_eq!(id(&lore_url(None, &m)), Some("a/b@c".into()));
        // Issue 20: `)` ended the Markdown link of the entry.
        let m = MessageId::new("<x)y(z@host>").unwrap();
        let u = lore_url(None, &m);
        assert_eq!(u, "https://lore.kernel.org/all/x%29y%28z@host/");
        assert_eq!(id(&u), Some("x)y(z@host".into()));
        let m = MessageId::new("<ü\"<>@h>");
        assert!(m.is_none() || !lore_url(None, &m.unwrap()).contains('"'));
        let m = MessageId::new("..").unwrap();
        assert_eq!(lore_url(None, &m), "https://lore.kernel.org/all/%2E%2E/");
    }
}
