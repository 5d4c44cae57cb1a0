//! Trailers: `Signed-off-by:`, `Reviewed-by:`, `Fixes:`, `Link:` ...
//!
//! Two readers: [`parse_commit_trailers`] takes the trailer block at the end
//! of a commit message (as `git interpret-trailers` does), and
//! [`parse_reply_trailers`] finds trailers that reviewers type anywhere in
//! the unquoted text of a reply (as `b4` does).

use serde::Serialize;

use crate::message::Address;

/// One trailer line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    /// The key as written (`Reviewed-by`).
    pub key: String,
    /// The value, continuation lines joined with a space.
    pub value: String,
}

/// The trailers people review with, plus the ones tools read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrailerKind {
    /// `Signed-off-by`
    SignedOffBy,
    /// `Reviewed-by`
    ReviewedBy,
    /// `Acked-by`
    AckedBy,
    /// `Tested-by`
    TestedBy,
    /// `Reported-by`
    ReportedBy,
    /// `Suggested-by`
    SuggestedBy,
    /// `Co-developed-by`
    CoDevelopedBy,
    /// `Nacked-by`
    NackedBy,
    /// `Fixes`
    Fixes,
    /// `Link`
    Link,
    /// `Closes`
    Closes,
    /// `Cc`
    Cc,
    /// `change-id` (b4)
    ChangeId,
    /// `base-commit`
    BaseCommit,
    /// `Message-ID` / `Message-Id`
    MessageId,
    /// anything else
    Other,
}

impl Trailer {
    /// The kind of this trailer (case-insensitive key).
    pub fn kind(&self) -> TrailerKind {
        kind_of(&self.key)
    }

    /// The person a `*-by` trailer names, when it parses as an address.
    pub fn person(&self) -> Option<Address> {
        match self.kind() {
            TrailerKind::Fixes
            | TrailerKind::Link
            | TrailerKind::Closes
            | TrailerKind::ChangeId
            | TrailerKind::BaseCommit
            | TrailerKind::MessageId => None,
            _ => Address::parse(&self.value),
        }
    }
}

/// Classifies a trailer key.
pub fn kind_of(key: &str) -> TrailerKind {
    match key.to_ascii_lowercase().as_str() {
        "signed-off-by" => TrailerKind::SignedOffBy,
        "reviewed-by" => TrailerKind::ReviewedBy,
        "acked-by" => TrailerKind::AckedBy,
        "tested-by" => TrailerKind::TestedBy,
        "reported-by" => TrailerKind::ReportedBy,
        "suggested-by" => TrailerKind::SuggestedBy,
        "co-developed-by" => TrailerKind::CoDevelopedBy,
        "nacked-by" => TrailerKind::NackedBy,
        "fixes" => TrailerKind::Fixes,
        "link" => TrailerKind::Link,
        "closes" => TrailerKind::Closes,
        "cc" => TrailerKind::Cc,
        "change-id" => TrailerKind::ChangeId,
        "base-commit" => TrailerKind::BaseCommit,
        "message-id" => TrailerKind::MessageId,
        _ => TrailerKind::Other,
    }
}

fn split_trailer(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let value = value.trim();
    if key.is_empty()
        || key.len() > 40
        || value.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        || !key.as_bytes()[0].is_ascii_alphabetic()
    {
        return None;
    }
    // `http://...` is not a trailer.
    if value.starts_with("//") {
        return None;
    }
    Some((key, value))
}

/// Trailers of a commit message: the last paragraph, when it is mostly
/// `Key: value` lines (continuation lines indented; `[ maintainer notes ]`
/// lines allowed).
pub fn parse_commit_trailers(message: &str) -> Vec<Trailer> {
    let lines: Vec<&str> = message.lines().map(|l| l.trim_end()).collect();
    let mut end = lines.len();
    while end > 0 && lines[end - 1].is_empty() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && !lines[start - 1].is_empty() {
        start -= 1;
    }
    let block = &lines[start..end];
    let mut out: Vec<Trailer> = Vec::new();
    let mut other = 0usize;
    for l in block {
        if (l.starts_with(' ') || l.starts_with('\t')) && !out.is_empty() {
            if let Some(last) = out.last_mut() {
                last.value.push(' ');
                last.value.push_str(l.trim());
            }
            continue;
        }
        if l.starts_with('[') && l.ends_with(']') {
            continue;
        }
        match split_trailer(l) {
            Some((k, v)) => out.push(Trailer {
                key: k.to_owned(),
                value: v.to_owned(),
            }),
            None => other += 1,
        }
    }
    // git's rule: trailers make up at least 75% of the block, or a
    // Signed-off-by is present.
    let has_sob = out.iter().any(|t| t.kind() == TrailerKind::SignedOffBy);
    if out.is_empty() || (!has_sob && other * 4 > (out.len() + other)) {
        return Vec::new();
    }
    out
}

/// Review trailers given in a reply: person trailers (`*-by:` with an
/// address) and `Fixes:`/`Link:`/`Closes:` lines in the unquoted text.
pub fn parse_reply_trailers(body: &str) -> Vec<Trailer> {
    let mut out: Vec<Trailer> = Vec::new();
    for raw in body.lines() {
        let l = raw.trim();
        if raw.starts_with('>') || l.is_empty() {
            continue;
        }
        if l == "-- " || raw == "-- " {
            break; // signature
        }
        let Some((k, v)) = split_trailer(l) else {
            continue;
        };
        let kind = kind_of(k);
        let keep = match kind {
            TrailerKind::Other => k.to_ascii_lowercase().ends_with("-by") && v.contains('@'),
            TrailerKind::Fixes | TrailerKind::Link | TrailerKind::Closes => true,
            TrailerKind::Cc
            | TrailerKind::ChangeId
            | TrailerKind::BaseCommit
            | TrailerKind::MessageId => false,
            _ => v.contains('@'),
        };
        if keep {
            let t = Trailer {
                key: k.to_owned(),
                value: v.to_owned(),
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Is this sender or trailer person a bot (syzbot, the kernel test robot,
/// a CI system, a no-reply address), not a person? Judged from the words of
/// the address's local part and of the display name, never from substrings
/// (`talbot@` is a person).
pub fn is_bot(email: &str, name: Option<&str>) -> bool {
    const WORDS: &[&str] = &[
        "bot",
        "robot",
        "syzbot",
        "syzkaller",
        "ci",
        "noreply",
        "kernelci",
        "lkp",
        "0day",
    ];
    let email = email.trim().to_ascii_lowercase();
    let (local, domain) = email.split_once('@').unwrap_or((email.as_str(), ""));
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let local_words = words(local);
    if local_words.iter().any(|w| WORDS.contains(&w.as_str()))
        || local.starts_with("syzbot")
        || local.ends_with("-bot")
        || local.contains("-bot+")
        || local == "no-reply"
        || domain == "syzkaller.appspotmail.com"
        || domain.ends_with(".syzkaller.appspotmail.com")
    {
        return true;
    }
    name.is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        let w = words(&n);
        w.iter()
            .any(|x| matches!(x.as_str(), "bot" | "robot" | "syzbot" | "ci"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_block() {
        let msg = "mm: fix a thing\n\nLong text: with a colon.\n\nFixes: 1234567890ab (\"mm: break\")\nReported-by: A <a@x>\nCloses: https://lore.kernel.org/r/x@y\n[akpm: fix typo]\nSigned-off-by: B <b@x>\nCc: <stable@vger.kernel.org>\n";
        let t = parse_commit_trailers(msg);
        let keys: Vec<_> = t.iter().map(|t| t.kind()).collect();
        assert_eq!(
            keys,
            [
                TrailerKind::Fixes,
                TrailerKind::ReportedBy,
                TrailerKind::Closes,
                TrailerKind::SignedOffBy,
                TrailerKind::Cc
            ]
        );
        assert_eq!(t[1].person().map(|p| p.email), Some("a@x".into()));
    }

    #[test]
    fn prose_is_not_a_trailer_block() {
        assert!(
            parse_commit_trailers(
                "Subject\n\nNote: this is prose\nand more prose here\nand here.\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn reply_trailers_skip_quotes() {
        let body = "On Mon, X wrote:\n> Signed-off-by: Author <a@x>\n> +code\n\nLooks good.\n\nReviewed-by: Rev Iewer <rev@example.com>\nAcked-by: Someone <s@e.org>\n-- \nSig: not@trailer\n";
        let t = parse_reply_trailers(body);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].kind(), TrailerKind::ReviewedBy);
        assert_eq!(
            t[0].person().map(|p| p.name),
            Some(Some("Rev Iewer".into()))
        );
    }

    #[test]
    fn bots_and_people() {
        for (e, n) in [
            ("syzbot@syzkaller.appspotmail.com", None),
            (
                "syzbot+ci0b43493baa45553d@syzkaller.appspotmail.com",
                Some("syzbot ci"),
            ),
            ("lkp@intel.com", Some("kernel test robot")),
            ("patchwork-bot+netdevbpf@kernel.org", None),
            ("noreply@example.org", None),
            ("ci_notify@linaro.org", Some("Linaro CI")),
            ("bot@kernelci.org", Some("KernelCI bot")),
        ] {
            assert!(is_bot(e, n), "{e}");
        }
        for (e, n) in [
            ("talbot@example.org", Some("Jim Talbot")),
            ("david@redhat.com", Some("David Hildenbrand")),
            ("abbott@x.org", None),
        ] {
            assert!(!is_bot(e, n), "{e}");
        }
    }
}
