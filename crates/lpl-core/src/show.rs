//! `lpl show MSGID`: one message as understood.

use serde::Serialize;

use lpl_mail::{Address, MessageId, SubjectTags, Trailer};
use lpl_store::Store;

use crate::error::{Error, Invalid, NotFound};

/// A file touched by a patch.
#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    /// Path (new path, else old).
    pub path: String,
    /// Old path when renamed or copied.
    pub old_path: Option<String>,
    /// Kind of change.
    pub change: lpl_mail::diff::FileChange,
    /// Lines added.
    pub added: u32,
    /// Lines removed.
    pub removed: u32,
    /// Functions touched (hunk header contexts), in order, without repeats.
    pub functions: Vec<String>,
    /// A binary file.
    pub binary: bool,
}

/// The patch part of a message.
#[derive(Debug, Clone, Serialize)]
pub struct PatchView {
    /// Author from the body (`From:` line), when it differs from the sender.
    pub author: Option<Address>,
    /// Commit message.
    pub commit_message: String,
    /// Trailers of the commit message.
    pub trailers: Vec<Trailer>,
    /// Notes after `---`.
    pub notes: Option<String>,
    /// Diffstat as sent.
    pub diffstat: Option<String>,
    /// Files.
    pub files: Vec<FileView>,
    /// `git patch-id --stable`.
    pub patch_id: Option<String>,
    /// Came from an attachment.
    pub from_attachment: bool,
    /// The diff.
    pub diff: String,
}

/// One message, as understood.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    /// Store row id.
    pub id: i64,
    /// Message-ID.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Subject tags.
    pub tags: SubjectTags,
    /// Sender.
    pub from: Option<Address>,
    /// To.
    pub to: Vec<Address>,
    /// Cc.
    pub cc: Vec<Address>,
    /// Date (unix seconds) and zone offset in minutes.
    pub date: Option<lpl_mail::MailDate>,
    /// List-Id.
    pub list_id: Option<String>,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References.
    pub references: Vec<String>,
    /// Trailers given in the body of a reply.
    pub reply_trailers: Vec<Trailer>,
    /// The patch, if any.
    pub patch: Option<PatchView>,
    /// The text body.
    pub body: String,
    /// Where it came from: (source, location).
    pub locations: Vec<(String, String)>,
    /// Problems met when parsing: (kind, detail).
    pub diagnostics: Vec<(String, String)>,
}

/// Turns what the user typed into a Message-ID: `<id>`, `id:ID`, `ID`, a lore
/// URL (`https://lore.kernel.org/LIST/ID/`, `/all/ID/T/#u`, `/r/ID`,
/// `#mXXXX` anchors, percent-encoded) or `https://patch.msgid.link/ID`
/// (lpl-mail's one parser of them).
pub fn resolve_message_id(arg: &str) -> Option<MessageId> {
    lpl_mail::url::message_id_from_arg(arg)
}

/// The lore URL of a message (`https://lore.kernel.org/all/ID/`), the
/// Message-ID percent-encoded as public-inbox does; `None` when `message_id`
/// is not one.
pub fn lore_url(message_id: &str) -> Option<String> {
    let id = lpl_notebook::lore::MessageId::new(message_id)?;
    Some(lpl_notebook::lore::lore_url(Some("all"), &id))
}

/// Appends `raw` to an mboxrd: a `From mboxrd@z` separator line, every
/// body line matching `>*From ` quoted with one more `>`, CRLF kept as
/// sent, a blank line after the message (public-inbox's `t.mbox.gz` form).
pub(crate) fn mboxrd_append(out: &mut Vec<u8>, raw: &[u8]) {
    out.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let unquoted = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
        if line[unquoted..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
    if !raw.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// `4..=8` hex digits: a series id as `lpl series` prints it.
pub(crate) fn is_short_id(s: &str) -> bool {
    (4..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn dedup(v: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Every stored copy of the message named by `arg`.
pub(crate) fn show_message(store: &Store, arg: &str) -> Result<Vec<MessageView>, Error> {
    let id = resolve_message_id(arg).ok_or_else(|| Invalid::MessageId {
        arg: arg.to_owned(),
    })?;
    let rows = store.messages_by_id(id.as_str())?;
    if rows.is_empty() {
        return Err(NotFound::Message {
            message_id: id.as_str().to_owned(),
        }
        .into());
    }
    let mut out = Vec::new();
    for r in rows {
        let raw = store.raw(r.id)?;
        let p = lpl_mail::parse(&raw);
        let m = p.message;
        let patch = m.patch.as_ref().map(|p| PatchView {
            author: p
                .author
                .clone()
                .filter(|a| Some(&a.email) != m.from.as_ref().map(|f| &f.email)),
            commit_message: p.commit_message.clone(),
            trailers: p.trailers.clone(),
            notes: p.notes.clone(),
            diffstat: p.diffstat.clone(),
            files: p
                .files
                .iter()
                .map(|f| FileView {
                    path: f.path().to_owned(),
                    old_path: f
                        .old_path
                        .clone()
                        .filter(|o| Some(o) != f.new_path.as_ref()),
                    change: f.change.clone(),
                    added: f.added,
                    removed: f.removed,
                    functions: dedup(
                        f.hunks
                            .iter()
                            .map(|h| h.header_context.clone())
                            .filter(|c| !c.is_empty()),
                    ),
                    binary: f.binary,
                })
                .collect(),
            patch_id: p.patch_id.map(|i| i.to_string()),
            from_attachment: p.from_attachment,
            diff: p.diff.clone(),
        });
        let reply_trailers = if m.patch.is_none() {
            lpl_mail::trailer::parse_reply_trailers(&m.body)
        } else {
            Vec::new()
        };
        out.push(MessageView {
            id: r.id,
            message_id: r.message_id,
            subject: m.subject,
            tags: m.tags,
            from: m.from,
            to: m.to,
            cc: m.cc,
            date: m.date,
            list_id: m.list_id,
            in_reply_to: m.in_reply_to.map(|i| i.as_str().to_owned()),
            references: m.references.iter().map(|i| i.as_str().to_owned()).collect(),
            reply_trailers,
            patch,
            body: m.body,
            locations: store.locations(r.id)?,
            diagnostics: store.diagnostics(r.id)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_form() {
        let want = "20240226205534.1603748-1-zi.yan@sent.com";
        for arg in [
            "20240226205534.1603748-1-zi.yan@sent.com",
            "<20240226205534.1603748-1-zi.yan@sent.com>",
            "id:20240226205534.1603748-1-zi.yan@sent.com",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/",
            "https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/T/#u",
            "https://lore.kernel.org/r/20240226205534.1603748-1-zi.yan@sent.com",
            "https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan%40sent.com/#m1234",
            "https://patch.msgid.link/20240226205534.1603748-1-zi.yan@sent.com",
        ] {
            assert_eq!(
                resolve_message_id(arg)
                    .map(|m| m.as_str().to_owned())
                    .as_deref(),
                Some(want),
                "{arg}"
            );
        }
        assert!(resolve_message_id("https://lore.kernel.org/linux-mm/").is_none());
    }

    #[test]
    fn mboxrd_quotes_from_lines_one_level_more() {
        let mut out = Vec::new();
        mboxrd_append(
            &mut out,
            b"Subject: a\n\nFrom here\n>From there\n> From not",
        );
        mboxrd_append(&mut out, b"Subject: b\r\n\r\nbody\r\n");
        assert_eq!(
            out,
            b"From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From here\n>>From there\n> From not\n\n\
From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\r\n\r\nbody\r\n\n"
                .to_vec()
        );
    }
}
