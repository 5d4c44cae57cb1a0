//! `Link:` and `Message-ID:` trailers of a commit message, reduced to the
//! Message-IDs they name.
//!
//! Recognised forms (the host may be `http` or `https`):
//! `https://lore.kernel.org/r/<id>`, `https://lore.kernel.org/<list>/<id>/`,
//! `https://lore.kernel.org/all/<id>/T/#u`, `https://patch.msgid.link/<id>`,
//! `https://lkml.kernel.org/r/<id>`, `https://msgid.link/<id>`, `Message-ID:
//! <id>` and `Link: <id>` (a bare id). Percent escapes are decoded
//! (`%40` -> `@`); an id must contain `@`.

/// The Message-IDs named by `Link:`/`Message-ID:`/`Message-Id:` lines of a
/// commit message (any line of the message, case-insensitive key), in order,
/// without duplicates, normalised (no angle brackets, trimmed).
pub fn message_ids(message: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in message.lines() {
        let line = line.trim_start();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let id = match key.as_str() {
            "link" => id_from_link(value.trim()),
            "message-id" => normalise_id(value.trim()),
            _ => None,
        };
        if let Some(id) = id
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// A Message-ID without `<>` and surrounding space, if it looks like one.
pub fn normalise_id(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches('<');
    let s = s.split('>').next().unwrap_or(s).trim();
    (s.contains('@') && !s.contains(char::is_whitespace) && s.len() > 2).then(|| s.to_owned())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The Message-ID named by the value of a `Link:` trailer, if any.
pub fn id_from_link(value: &str) -> Option<String> {
    let value = value.split_whitespace().next()?;
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return normalise_id(value);
    };
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let cand = match host.as_str() {
        "patch.msgid.link" | "msgid.link" => segs.first().copied(),
        "lore.kernel.org" | "lkml.kernel.org" | "lore.gnuweb.org" => {
            // r/<id>, <list>/<id>, all/<id>; take the first segment with '@'.
            segs.iter()
                .copied()
                .map(|s| s.split('#').next().unwrap_or(s))
                .find(|s| percent_decode(s).contains('@'))
        }
        _ => None,
    }?;
    let cand = cand.split(['#', '?']).next().unwrap_or(cand);
    normalise_id(&percent_decode(cand))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_forms() {
        let msg = "io_uring: fix\n\nSome text.\n\nSigned-off-by: A <a@b>\n\
Link: https://lore.kernel.org/r/20240101.123-1-x@y.com\n\
Link: https://lore.kernel.org/io-uring/abc%40def.org/T/#u\n\
Link: https://patch.msgid.link/1234.git.asml.silence@gmail.com\n\
Link: https://github.com/axboe/liburing/issues/12\n\
Message-Id: <m1@host>\n";
        assert_eq!(
            message_ids(msg),
            vec![
                "20240101.123-1-x@y.com",
                "abc@def.org",
                "1234.git.asml.silence@gmail.com",
                "m1@host"
            ]
        );
    }
}
