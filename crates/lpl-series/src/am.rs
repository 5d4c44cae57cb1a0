//! `git am`-ready mbox export with collected trailers folded in, laid out
//! as `b4 am` does: the patch's own trailers first, then the collected
//! ones in order of arrival (duplicates dropped), then the exporter's own
//! `Signed-off-by` when asked for; headers rewritten to a clean
//! `From`/`Subject`/`Date`/`Message-Id` and an 8-bit UTF-8 plain body.

use lpl_mail::{Address, Trailer, encode};

use crate::series::SeriesRevision;

/// One patch to export.
#[derive(Debug, Clone)]
pub struct AmPatch<'a> {
    /// The raw message as received.
    pub raw: &'a [u8],
    /// The subject to write (see [`am_subject`]).
    pub subject: String,
    /// Trailers to add (see [`crate::trailers::trailers_to_add`]).
    pub add: Vec<Trailer>,
}

/// Export options.
#[derive(Debug, Clone, Default)]
pub struct AmOptions {
    /// Add `Signed-off-by: <this>` at the end (as `b4 am -s`).
    pub signoff: Option<Address>,
    /// Add `Link: <prefix><message-id>` (as `b4 am -l`), e.g.
    /// `https://lore.kernel.org/r/`.
    pub link_prefix: Option<String>,
}

/// The subject `b4` writes: `[PATCH v3 1/2] title` (revision only when
/// above 1, counter only in a series of more than one patch).
pub fn am_subject(r: &SeriesRevision, counter: u32, title: &str) -> String {
    let mut p = String::from("PATCH");
    if r.revision > 1 {
        p.push_str(&format!(" v{}", r.revision));
    }
    let total = r.total.unwrap_or(r.patches.len() as u32);
    if total > 1 {
        let w = total.to_string().len();
        p.push_str(&format!(" {counter:0w$}/{total}"));
    }
    format!("[{p}] {title}")
}

/// The `git am` mbox of one revision: every patch slot in counter order
/// (inherited ones of a partial reroll included), collected trailers folded
/// in (those whose giver is not the reply's sender left out, as b4 does).
/// `raw_of(i)` returns the raw bytes of input message `i`; patches whose
/// raw message is unavailable are skipped and their counters returned.
pub fn revision_mbox(
    messages: &[crate::MessageMeta],
    revision: &SeriesRevision,
    trailers: &crate::trailers::RevisionTrailers,
    raw_of: impl Fn(usize) -> Option<Vec<u8>>,
    opts: &AmOptions,
) -> (Vec<u8>, Vec<u32>) {
    let mut raws = Vec::with_capacity(revision.patches.len());
    let mut missing = Vec::new();
    for s in &revision.patches {
        match raw_of(s.message) {
            Some(r) => raws.push((s, r)),
            None => missing.push(s.counter),
        }
    }
    let patches: Vec<AmPatch<'_>> = raws
        .iter()
        .map(|(s, raw)| {
            let k = revision
                .patches
                .iter()
                .position(|x| x.counter == s.counter)
                .expect("slot of this revision");
            let m = &messages[s.message];
            AmPatch {
                raw,
                subject: am_subject(revision, s.counter, &m.tags.title),
                add: crate::trailers::trailers_to_add(
                    &m.patch_trailers,
                    trailers.patches.get(k).map_or(&[][..], |v| &v[..]),
                ),
            }
        })
        .collect();
    (write_mbox(&patches, opts), missing)
}

/// Write the mbox of `patches`, in order.
pub fn write_mbox(patches: &[AmPatch<'_>], opts: &AmOptions) -> Vec<u8> {
    let mut out = String::new();
    for p in patches {
        write_one(&mut out, p, opts);
    }
    out.into_bytes()
}

fn write_one(out: &mut String, p: &AmPatch<'_>, opts: &AmOptions) {
    let parsed = lpl_mail::parse(p.raw).message;
    let patch = parsed.patch.as_ref();
    let author = patch
        .and_then(|x| x.author.clone())
        .or_else(|| parsed.from.clone());
    let body = parsed.body.replace("\r\n", "\n");
    let (head, rest) = split_body(&body);
    // An empty `---` section (no notes, no diffstat) is dropped, as b4 does.
    let rest = match rest.strip_prefix("---\n") {
        Some(after)
            if after.trim_start_matches('\n').starts_with("diff ") || after.trim().is_empty() =>
        {
            after.trim_start_matches('\n')
        }
        _ => rest,
    };
    let sep = if rest.starts_with("---\n") { "" } else { "\n" };
    let commit_message = match patch {
        Some(x) => x.commit_message.trim_end().to_string(),
        None => strip_pseudo_headers(head).trim_end().to_string(),
    };
    let own = lpl_mail::trailer::parse_commit_trailers(&commit_message);
    let mut add: Vec<Trailer> = Vec::new();
    let push = |add: &mut Vec<Trailer>, t: Trailer| {
        if !own.iter().chain(add.iter()).any(|o| same(o, &t)) {
            add.push(t);
        }
    };
    for t in &p.add {
        push(&mut add, t.clone());
    }
    if let (Some(prefix), Some(id)) = (&opts.link_prefix, &parsed.message_id) {
        push(
            &mut add,
            Trailer {
                key: "Link".into(),
                value: format!("{prefix}{}", id.as_str()),
            },
        );
    }
    if let Some(me) = &opts.signoff {
        let t = Trailer {
            key: "Signed-off-by".into(),
            value: me.display(),
        };
        // b4 keeps the exporter's sign-off last.
        let last_is_me = add.last().or(own.last()).is_some_and(|l| same(l, &t));
        if !last_is_me {
            add.retain(|x| !same(x, &t));
            add.push(t);
        }
    }
    let mut msg = commit_message;
    if !add.is_empty() {
        msg.push_str(if own.is_empty() { "\n\n" } else { "\n" });
        for t in &add {
            msg.push_str(&format!("{}: {}\n", t.key, t.value));
        }
    } else {
        msg.push('\n');
    }

    out.push_str("From git@z Thu Jan  1 00:00:00 1970\n");
    // Every value is re-encoded (lpl_mail::encode): a decoded header may
    // hold CR/LF, which copied raw would forge header lines.
    out.push_str(&format!("Subject: {}\n", encode::header_text(&p.subject)));
    if let Some(a) = &author {
        out.push_str(&format!(
            "From: {}\n",
            encode::mailbox(a.name.as_deref(), &a.email)
        ));
    }
    if let Some(d) = parsed.date {
        out.push_str(&format!(
            "Date: {}\n",
            rfc2822(d.timestamp, d.offset_minutes)
        ));
    }
    if let Some(id) = &parsed.message_id {
        out.push_str(&format!(
            "Message-Id: {}\n",
            encode::unfold(&id.bracketed())
        ));
    }
    out.push_str("MIME-Version: 1.0\n");
    out.push_str("Content-Type: text/plain; charset=\"utf-8\"\n");
    let text = if add.is_empty() {
        // Nothing to fold in: the body as sent.
        body.clone()
    } else {
        format!("{msg}{sep}{rest}")
    };
    let text = format!("{}\n", text.trim_end_matches('\n'));
    // A line starting `From ` (or `>From `) cannot be written as it is in
    // an mbox: plain `git am` splits at some, `--patch-format=mboxrd`
    // unescapes others, and an mboxrd `>` is left in commit messages by
    // plain `git am`. Such a body goes quoted-printable, with that first
    // character encoded: every reader decodes exactly the text.
    if text.lines().any(encode::is_from_line) {
        out.push_str("Content-Transfer-Encoding: quoted-printable\n\n");
        out.push_str(&encode::quoted_printable(&text));
    } else {
        let cte = if text.is_ascii() { "7bit" } else { "8bit" };
        out.push_str(&format!("Content-Transfer-Encoding: {cte}\n\n"));
        out.push_str(&text);
    }
    out.push('\n');
}

fn same(a: &Trailer, b: &Trailer) -> bool {
    a.key.eq_ignore_ascii_case(&b.key)
        && a.value
            .split_whitespace()
            .map(str::to_lowercase)
            .eq(b.value.split_whitespace().map(str::to_lowercase))
}

/// Split a patch body into the commit message part and the rest (from the
/// `---` separator, or from the diff when there is none).
pub fn split_body(body: &str) -> (&str, &str) {
    let mut offset = 0usize;
    for line in body.split_inclusive('\n') {
        let l = line.trim_end();
        if l == "---"
            || l.starts_with("diff --git ")
            || l.starts_with("Index: ")
            || l.starts_with("diff -")
        {
            return (&body[..offset], &body[offset..]);
        }
        if l.starts_with("--- ") {
            // A unified diff without `diff` line: the `---` of its header.
            let next = &body[offset + line.len()..];
            if next.starts_with("+++ ") {
                return (&body[..offset], &body[offset..]);
            }
        }
        offset += line.len();
    }
    (body, "")
}

fn strip_pseudo_headers(head: &str) -> &str {
    let mut rest = head;
    loop {
        let t = rest.trim_start_matches('\n');
        let line_end = t.find('\n').unwrap_or(t.len());
        let line = &t[..line_end];
        if line.starts_with("From: ") || line.starts_with("Subject: ") || line.starts_with("Date: ")
        {
            rest = &t[line_end..];
        } else {
            return rest;
        }
    }
}

/// `Tue, 30 Aug 2022 11:19:07 -0400` (lpl-mail's calendar).
pub fn rfc2822(ts: i64, offset_minutes: i32) -> String {
    lpl_mail::date::rfc2822(ts, offset_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_format() {
        // 2022-08-30 15:19:07 UTC, shown at -0400.
        assert_eq!(
            rfc2822(1_661_872_747, -240),
            "Tue, 30 Aug 2022 11:19:07 -0400"
        );
        assert_eq!(rfc2822(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn body_split() {
        let b =
            "Subject line body\n\nSigned-off-by: A <a@b>\n---\n f | 1 +\n\ndiff --git a/f b/f\n";
        let (h, r) = split_body(b);
        assert!(h.ends_with("<a@b>\n"));
        assert!(r.starts_with("---\n"));
        let (h, r) = split_body("msg\n\ndiff --git a/x b/x\n");
        assert_eq!(h, "msg\n\n");
        assert!(r.starts_with("diff"));
    }
}
