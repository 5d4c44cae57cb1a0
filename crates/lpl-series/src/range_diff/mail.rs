//! A mailed patch as the commit `git am` would make of it.

use lpl_mail::Message;
use serde::Serialize;

use super::text::{CommitParts, PatchText, am_message};

/// Why a message of a revision takes no part in the range-diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unusable {
    /// A pull request: commits to fetch, not a diff to compare.
    PullRequest,
    /// No diff found (prose, or an attachment that is not a patch).
    NoDiff,
}

impl Unusable {
    /// How the CLI names it.
    pub fn describe(self) -> &'static str {
        match self {
            Unusable::PullRequest => "a pull request (no diff in the mail)",
            Unusable::NoDiff => "no usable diff (prose, or an attachment that is not a patch)",
        }
    }
}

/// A patch ready for the range-diff: the text git would compare and the
/// subject git would print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailCommit {
    /// The text compared.
    pub text: PatchText,
    /// The commit subject (`git log --oneline`).
    pub subject: String,
}

/// The commit `git am` makes of `m`: author from the in-body `From:` or the
/// sender, subject from the in-body `Subject:` or the mail's, cleaned as
/// `git mailinfo` cleans it, the commit message up to `---`.
pub fn commit_of(m: &Message) -> Result<MailCommit, Unusable> {
    if m.is_pull_request && m.patch.is_none() {
        return Err(Unusable::PullRequest);
    }
    let patch = m.patch.as_ref().ok_or(Unusable::NoDiff)?;
    let (name, email) = patch
        .author
        .as_ref()
        .or(m.from.as_ref())
        .map(|a| a.git_am_ident())
        .unwrap_or_default();
    let subject = lpl_mail::subject::git_am_subject(patch.subject.as_deref().unwrap_or(&m.subject));
    let message = am_message(&subject, &patch.commit_message);
    let diff = patch.parsed_diff();
    let text = PatchText::new(&CommitParts {
        author_name: &name,
        author_email: &email,
        message: &message,
        diff: &diff,
    });
    let subject = message.lines().next().unwrap_or("").to_owned();
    Ok(MailCommit { text, subject })
}
