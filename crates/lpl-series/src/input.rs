//! The per-message input of this crate, independent of any storage.

use lpl_mail::{Message, MessageId, PatchId, SubjectTags, Trailer};
use serde::Serialize;

/// What series work needs to know about one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageMeta {
    /// The Message-ID.
    pub message_id: MessageId,
    /// The direct parent named by `In-Reply-To`.
    pub in_reply_to: Option<MessageId>,
    /// `References`, oldest first.
    pub references: Vec<MessageId>,
    /// The decoded subject.
    pub subject: String,
    /// Tags parsed from the subject.
    pub tags: SubjectTags,
    /// Sender's display name.
    pub from_name: Option<String>,
    /// Sender's address (compared case-insensitively).
    pub from_email: String,
    /// Date, Unix seconds UTC (0 when unknown; absurd values are tolerated).
    pub date: i64,
    /// The message carries a diff.
    pub has_patch: bool,
    /// The body is a `git request-pull` message.
    pub is_pull_request: bool,
    /// Stable patch-id of the diff.
    pub patch_id: Option<PatchId>,
    /// Paths touched by the diff (new path, else old path).
    pub files: Vec<String>,
    /// b4 `change-id:` found in the body.
    pub change_id: Option<String>,
    /// Trailers at the end of the patch's commit message (patches only).
    pub patch_trailers: Vec<Trailer>,
    /// Trailers typed in the unquoted text of this message (replies).
    pub reply_trailers: Vec<Trailer>,
    /// The list it came from (`List-Id`).
    pub list: Option<String>,
    /// Earlier versions the body links to (`v1: https://lore.kernel.org/...`,
    /// see [`lpl_mail::changelog::version_links`]); covers and lone patches
    /// only, empty when not known.
    pub version_links: Vec<MessageId>,
}

impl MessageMeta {
    /// Build from a parsed message; `None` when it has no Message-ID (the
    /// caller may synthesise one and fill the struct itself).
    pub fn from_message(m: &Message) -> Option<Self> {
        let message_id = m.message_id.clone()?;
        let (from_name, from_email) = match &m.from {
            Some(a) => (a.name.clone(), a.email.clone()),
            None => (None, String::new()),
        };
        let (patch_id, files, patch_trailers) = match &m.patch {
            Some(p) => (
                p.patch_id,
                p.files
                    .iter()
                    .filter_map(|f| f.new_path.clone().or_else(|| f.old_path.clone()))
                    .collect(),
                p.trailers.clone(),
            ),
            None => (None, Vec::new(), Vec::new()),
        };
        // A cover letter or a lone patch may say which versions came before.
        let version_links = lpl_mail::changelog::message_version_links(m);
        let reply_trailers = if m.patch.is_none() {
            lpl_mail::trailer::parse_reply_trailers(&m.body)
        } else {
            Vec::new()
        };
        Some(MessageMeta {
            message_id,
            in_reply_to: m.in_reply_to.clone(),
            references: m.references.clone(),
            subject: m.subject.clone(),
            tags: m.tags.clone(),
            from_name,
            from_email,
            date: m.date.map_or(0, |d| d.timestamp),
            has_patch: m.patch.is_some(),
            is_pull_request: m.is_pull_request,
            patch_id,
            files,
            change_id: m.change_id.clone(),
            patch_trailers,
            reply_trailers,
            list: m.list_id.clone(),
            version_links,
        })
    }

    /// Sender address, lowercase, for comparisons.
    pub fn sender_key(&self) -> String {
        self.from_email.trim().to_ascii_lowercase()
    }
}
