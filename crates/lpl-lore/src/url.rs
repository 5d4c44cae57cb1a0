//! URLs of lore's endpoints.

pub use lpl_mail::url::escape_msgid;

/// Encodes a form or query-string value (`application/x-www-form-urlencoded`).
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `base` without trailing slashes.
pub fn trim_base(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// The whole thread as gzipped mbox: `{base}/{msgid}/t.mbox.gz`.
pub fn thread_mbox(base: &str, msgid: &str) -> String {
    format!("{}/{}/t.mbox.gz", trim_base(base), escape_msgid(msgid))
}

/// One raw message: `{base}/{msgid}/raw`.
pub fn raw(base: &str, msgid: &str) -> String {
    format!("{}/{}/raw", trim_base(base), escape_msgid(msgid))
}

/// A search answered as gzipped mbox: `{base}/?x=m&q=...` (`&t=1` expands
/// each hit to its whole thread). The request is a POST (as b4 makes it).
pub fn search(base: &str, query: &str, threads: bool) -> String {
    let mut u = format!("{}/?x=m", trim_base(base));
    if threads {
        u.push_str("&t=1");
    }
    u.push_str("&q=");
    u.push_str(&form_encode(query));
    u
}

/// The inbox's grokmirror manifest: `{inbox}/manifest.js.gz`.
pub fn manifest(inbox: &str) -> String {
    format!("{}/manifest.js.gz", trim_base(inbox))
}

/// Epoch `n` of an inbox, as git clones it: `{inbox}/git/{n}.git`.
pub fn epoch(inbox: &str, n: u32) -> String {
    format!("{}/git/{n}.git", trim_base(inbox))
}

/// The smart-HTTP advertisement of epoch `n`, used to probe for it.
pub fn epoch_probe(inbox: &str, n: u32) -> String {
    format!("{}/info/refs?service=git-upload-pack", epoch(inbox, n))
}

/// The host of a URL (`lore.kernel.org`, `127.0.0.1:8080`), for messages.
pub fn host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}

/// Checks that `url` is an absolute http(s) URL.
pub fn check(url: &str) -> Result<(), crate::LoreError> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !host(url).is_empty()
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(crate::LoreError::BadUrl {
            url: url.to_owned(),
            reason: "expected an http:// or https:// URL".into(),
        })
    }
}

/// The last path segment of an inbox URL (`linux-mm` for
/// `https://lore.kernel.org/linux-mm/`), a default name for the list.
pub fn inbox_name(inbox: &str) -> Option<String> {
    let rest = inbox.split_once("://").map(|(_, r)| r).unwrap_or(inbox);
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let seg = path.split('/').skip(1).filter(|s| !s.is_empty()).last()?;
    Some(seg.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgid_slash_and_percent_are_escaped() {
        assert_eq!(escape_msgid("a/b%c@x"), "a%2Fb%25c@x");
        assert_eq!(
            thread_mbox(
                "https://lore.kernel.org/all/",
                "20240226205534.1603748-1-zi.yan@sent.com"
            ),
            "https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/t.mbox.gz"
        );
        assert_eq!(
            raw("http://h/linux-mm", "x/y@z"),
            "http://h/linux-mm/x%2Fy@z/raw"
        );
        // Dot segments would climb out of the message's path.
        assert_eq!(raw("http://h/all", ".."), "http://h/all/%2E%2E/raw");
        assert_eq!(
            thread_mbox("http://h/all", "."),
            "http://h/all/%2E/t.mbox.gz"
        );
        assert_eq!(raw("http://h/all", "..."), "http://h/all/.../raw");
        // A NUL, CR or LF never reaches a request line.
        assert_eq!(
            raw("http://h/all", "a\0b\r\n@x"),
            "http://h/all/a%00b%0D%0A@x/raw"
        );
        assert!(check("https://h/a\nb").is_err());
    }

    #[test]
    fn search_and_epochs() {
        assert_eq!(
            search("https://l/all", "s:folio d:2.weeks.ago..", true),
            "https://l/all/?x=m&t=1&q=s%3Afolio+d%3A2.weeks.ago.."
        );
        assert_eq!(
            epoch("https://l/linux-mm/", 3),
            "https://l/linux-mm/git/3.git"
        );
        assert_eq!(
            manifest("https://l/linux-mm"),
            "https://l/linux-mm/manifest.js.gz"
        );
        assert_eq!(host("https://lore.kernel.org/all"), "lore.kernel.org");
        assert_eq!(
            inbox_name("https://lore.kernel.org/linux-mm/"),
            Some("linux-mm".into())
        );
        assert_eq!(inbox_name("https://lore.kernel.org"), None);
        assert!(check("ftp://x").is_err());
    }
}
