//! Patch anatomy: commit message, trailers, `---`, notes, diffstat, diff.

use serde::Serialize;

use crate::diff::{self, FileDiff};
use crate::message::Address;
use crate::patch_id::{self, PatchId};
use crate::trailer::{self, Trailer};

/// A message body understood as a patch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patch {
    /// The commit message (without in-body `From:`/`Subject:` pseudo-headers).
    pub commit_message: String,
    /// Trailers at the end of the commit message.
    pub trailers: Vec<Trailer>,
    /// Author given in the body (`From: Name <addr>` as first line), which
    /// `git am` prefers over the mail's sender.
    pub author: Option<Address>,
    /// Subject given in the body, which `git am` prefers too.
    pub subject: Option<String>,
    /// Text between `---` and the diffstat (version notes, "v2: ...").
    pub notes: Option<String>,
    /// The diffstat block, as sent.
    pub diffstat: Option<String>,
    /// The diff text (headers and hunks only).
    pub diff: String,
    /// Files of the diff.
    pub files: Vec<FileDiff>,
    /// `git patch-id --stable` of the diff.
    pub patch_id: Option<PatchId>,
    /// The patch came from an attachment rather than the inline body.
    pub from_attachment: bool,
}

impl Patch {
    /// Lines added and removed over all files.
    pub fn line_counts(&self) -> (u32, u32) {
        self.files
            .iter()
            .fold((0, 0), |(a, r), f| (a + f.added, r + f.removed))
    }

    /// The diff re-parsed (to iterate lines by kind).
    pub fn parsed_diff(&self) -> diff::Diff {
        diff::Diff {
            text: self.diff.clone(),
            files: self.files.clone(),
        }
    }
}

fn is_diffstat_line(l: &str) -> bool {
    let t = l.trim_end();
    if !t.starts_with(' ') {
        return false;
    }
    if let Some((_, stat)) = t.rsplit_once(" | ") {
        let s = stat.trim();
        return s.starts_with(|c: char| c.is_ascii_digit()) || s.starts_with("Bin");
    }
    let s = t.trim();
    (s.contains(" file changed") || s.contains(" files changed"))
        || s.starts_with("create mode ")
        || s.starts_with("delete mode ")
        || s.starts_with("rename ")
        || s.starts_with("mode change ")
        || s.starts_with("copy ")
}

/// Splits `body` into a [`Patch`] when it carries a diff.
pub fn split(body: &str, from_attachment: bool) -> Option<Patch> {
    let start = diff::find_start(body)?;
    let d = diff::parse(&body[start..]);
    if d.files.is_empty() {
        return None;
    }
    let pre = &body[..start];
    // In-body pseudo-headers (`From:`, `Subject:`, `Date:`) at the very top.
    let mut author = None;
    let mut subject = None;
    let mut msg_start = 0;
    {
        let mut off = 0;
        let mut saw = false;
        for line in crate::lines::lines_inclusive(pre) {
            let l = line.trim_end();
            if let Some(v) = l.strip_prefix("From: ") {
                author = Address::parse(v);
                saw = true;
            } else if let Some(v) = l.strip_prefix("Subject: ") {
                subject = Some(v.trim().to_owned());
                saw = true;
            } else if l.starts_with("Date: ") {
                saw = true;
            } else if l.is_empty() && saw {
                off += line.len();
                msg_start = off;
                break;
            } else {
                if !saw {
                    msg_start = 0;
                }
                break;
            }
            off += line.len();
        }
        if !saw {
            msg_start = 0;
        }
    }
    let pre = &pre[msg_start..];
    // The last `---` line before the diff separates the commit message.
    let mut sep: Option<(usize, usize)> = None;
    let mut off = 0;
    for line in crate::lines::lines_inclusive(pre) {
        if line.trim_end() == "---" {
            sep = Some((off, off + line.len()));
        }
        off += line.len();
    }
    let (message, after) = match sep {
        Some((a, b)) => (&pre[..a], &pre[b..]),
        None => (pre, ""),
    };
    // Diffstat: the trailing run of diffstat lines (and blank lines) of `after`.
    let lines: Vec<&str> = crate::lines::lines_inclusive(after).collect();
    let mut k = lines.len();
    while k > 0 && (lines[k - 1].trim().is_empty() || is_diffstat_line(lines[k - 1])) {
        k -= 1;
    }
    let notes: String = lines[..k].concat();
    let stat: String = lines[k..].concat();
    let message = message.trim_end().to_owned();
    let trailers = trailer::parse_commit_trailers(&message);
    let patch_id = patch_id::patch_id_stable(d.text.as_bytes());
    Some(Patch {
        commit_message: message,
        trailers,
        author,
        subject,
        notes: Some(notes.trim().to_owned()).filter(|s| !s.is_empty()),
        diffstat: Some(stat.trim_end().to_owned()).filter(|s| !s.trim().is_empty()),
        diff: d.text,
        files: d.files,
        patch_id,
        from_attachment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_patch_body() {
        let body = "From: Real Author <ra@x.org>\n\nThe message.\n\nSigned-off-by: Real Author <ra@x.org>\n---\nv2: rebased\n\n mm/x.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\ndiff --git a/mm/x.c b/mm/x.c\nindex 1..2 100644\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1 +1 @@ int f(void)\n-a\n+b\n-- \n2.40.0\n";
        let p = split(body, false).expect("a patch");
        assert_eq!(
            p.commit_message,
            "The message.\n\nSigned-off-by: Real Author <ra@x.org>"
        );
        assert_eq!(
            p.author.as_ref().map(|a| a.email.as_str()),
            Some("ra@x.org")
        );
        assert_eq!(p.notes.as_deref(), Some("v2: rebased"));
        assert!(
            p.diffstat
                .as_deref()
                .is_some_and(|s| s.contains("1 file changed"))
        );
        assert_eq!(p.files.len(), 1);
        assert_eq!(p.trailers.len(), 1);
        assert!(p.diff.ends_with("+b\n"));
    }

    #[test]
    fn prose_is_not_a_patch() {
        assert!(split("Hi,\n\nthanks for the patch.\n", false).is_none());
    }
}
