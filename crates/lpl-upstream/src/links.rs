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

/// A Message-ID without `<>` and surrounding space, if it looks like one
/// (it must hold `@`): the first of a `Message-ID:`-style value.
pub fn normalise_id(s: &str) -> Option<String> {
    lpl_mail::id::parse_id_list(s)
        .into_iter()
        .next()
        .map(|m| m.as_str().to_owned())
        .filter(|m| m.contains('@') && m.len() > 2)
}

/// The Message-ID named by the value of a `Link:` trailer, if any: a lore
/// or msgid.link URL (lpl-mail's one URL parser), or a bare id.
pub fn id_from_link(value: &str) -> Option<String> {
    let value = value.split_whitespace().next()?;
    if value.starts_with("https://") || value.starts_with("http://") {
        return lpl_mail::url::message_id_from_url(value).map(|m| m.as_str().to_owned());
    }
    normalise_id(value)
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
