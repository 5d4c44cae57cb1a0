//! Subject tags: `[RFC PATCH v3 2/7]` and friends.
//!
//! [`parse`] splits a (decoded, unfolded) subject into its reply/forward
//! prefixes, its bracketed prefixes (`[LTP]`, `[PATCH mm-unstable v15 00/14]`,
//! `[tip: sched/core]`), what those brackets say (patch, RFC, resend, pull
//! request, revision, counter/total, extra words such as `net-next`) and the
//! bare title. It is pure and total: any string parses, nothing panics.

use serde::{Deserialize, Serialize};

/// What a subject line says about the message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectTags {
    /// Number of reply/forward prefixes stripped (`Re: Re: Fwd:` is 3;
    /// `Re[2]:` counts as 2).
    pub reply_depth: u32,
    /// A reply prefix (`Re:`, `AW:`, `答复:`, `回复:` ...) was present.
    pub is_reply: bool,
    /// A forward prefix (`Fwd:`, `Fw:`, `WG:`, `转发:`) was present.
    pub is_forward: bool,
    /// Contents of every bracketed prefix, in order, trimmed
    /// (`["LTP", "PATCH v2, 1/3"]`).
    pub prefixes: Vec<String>,
    /// `PATCH` (any case, also fused as `PATCHv12`, or `PATCHES`) appears in a prefix.
    pub is_patch: bool,
    /// `RFC` appears in a prefix.
    pub is_rfc: bool,
    /// `RESEND` (or `RESEND2`, ...) appears in a prefix.
    pub is_resend: bool,
    /// `GIT PULL` / `PULL` appears in a prefix.
    pub is_pull: bool,
    /// A report about a patch: the first bracket is `[REGRESSION]` or
    /// `[BUG]` and the patch's own subject follows (`[REGRESSION] [PATCH
    /// v2 1/2] mm: ...`). The message quotes the patch; it is none.
    #[serde(default)]
    pub is_report: bool,
    /// Revision: `v5`, `V2`, fused `PATCHv12`, `-v11`, `RFCv3`.
    pub revision: Option<u32>,
    /// Position in the series: `3` of `3/8`, `0` of `00 of 66`.
    pub counter: Option<u32>,
    /// Series length: `8` of `3/8`.
    pub total: Option<u32>,
    /// Other words of the patch prefix, as written: `-next`, `net-next`,
    /// `mm-unstable`, `for-6.8`, `-mm`, `6.1`.
    pub extra: Vec<String>,
    /// The bare title, whitespace collapsed (a trailing `[ver #N]` is
    /// read as the revision and removed).
    pub title: String,
    /// A stable backport: the stable branch it targets (`6.12.y`, `5.10`,
    /// `stable-6.1`, `AUTOSEL 6.17`), from a patch prefix or a lone
    /// `[linux-5.10.y]` bracket. `for-6.8` names a mainline branch, not this.
    #[serde(default)]
    pub backport: Option<String>,
    /// The old title a renamed series names at the end of its new one:
    /// `Add trusted_for(2) (was O_MAYEXEC)` -> `O_MAYEXEC`.
    #[serde(default)]
    pub was_title: Option<String>,
}

impl SubjectTags {
    /// The title for matching across revisions: lowercase, whitespace
    /// collapsed, trailing dots dropped.
    pub fn normalized_title(&self) -> String {
        normalize_title(&self.title)
    }

    /// The revision, with an unmarked series counting as 1.
    pub fn revision_or_1(&self) -> u32 {
        self.revision.unwrap_or(1)
    }

    /// True for a cover letter position (`0/N`).
    pub fn is_cover_counter(&self) -> bool {
        self.counter == Some(0)
    }
}

/// Normalise a title for matching: lowercase, whitespace collapsed, a
/// trailing `(was OLD TITLE)` and trailing dots and spaces dropped.
pub fn normalize_title(title: &str) -> String {
    let title = split_was(title).map_or(title, |(t, _)| t);
    let collapsed = collapse_ws(title).to_lowercase();
    collapsed
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string()
}

/// Parse a decoded subject line. Never panics.
pub fn parse(subject: &str) -> SubjectTags {
    let mut tags = SubjectTags::default();
    let mut rest = subject;
    loop {
        rest = rest.trim_start();
        if let Some((after, n, forward)) = strip_reply_prefix(rest) {
            tags.reply_depth = tags.reply_depth.saturating_add(n);
            if forward {
                tags.is_forward = true;
            } else {
                tags.is_reply = true;
            }
            rest = after;
            continue;
        }
        if let Some(after_open) = rest.strip_prefix('[').or_else(|| rest.strip_prefix('【')) {
            let close = after_open.find([']', '】']);
            let Some(close) = close else { break };
            let inner = &after_open[..close];
            let close_len = after_open[close..].chars().next().map_or(1, char::len_utf8);
            let after = &after_open[close + close_len..];
            let inner_trimmed = collapse_ws(inner);
            if tags.prefixes.is_empty()
                && ["regression", "bug", "bug report"]
                    .contains(&inner_trimmed.to_ascii_lowercase().as_str())
            {
                tags.is_report = true;
            }
            // An empty bracket pair `[]` is noise; keep going.
            if !inner_trimmed.is_empty() {
                apply_bracket(&mut tags, &inner_trimmed);
                tags.prefixes.push(inner_trimmed);
            }
            rest = after;
            continue;
        }
        break;
    }
    // `[Patch 2/2]: title`
    if !tags.prefixes.is_empty() {
        rest = rest.trim_start().trim_start_matches(':');
    }
    let mut title = collapse_ws(rest);
    // David Howells' `netfs: foo [ver #14]`.
    if let Some((head, v)) = split_ver_suffix(&title) {
        if tags.revision.is_none() {
            tags.revision = Some(v);
        }
        title = head.to_string();
    }
    if tags.backport.is_none() {
        tags.backport = backport_in_title(&title).map(str::to_string);
    }
    tags.was_title = split_was(&title).map(|(_, old)| old.to_string());
    tags.title = title;
    tags
}

/// A backport named in the title rather than the brackets: `Backport
/// rework of deadline bandwidth restoration for 5.10.y` -> `5.10.y`.
fn backport_in_title(title: &str) -> Option<&str> {
    let words: Vec<&str> = title.split_whitespace().collect();
    let first = words.first()?.to_ascii_lowercase();
    if !(first.starts_with("backport") || first == "stable") || words.len() < 3 {
        return None;
    }
    let [.., prep, branch] = words.as_slice() else {
        return None;
    };
    let branch = branch.trim_end_matches(['.', ')']);
    (matches!(
        prep.to_ascii_lowercase().as_str(),
        "for" | "to" | "into" | "onto"
    ))
    .then(|| stable_branch(branch))
    .flatten()
}

/// `title [ver #14]` (also `[ver#14]`, `[v14]` at the end) -> (`title`, 14).
fn split_ver_suffix(title: &str) -> Option<(&str, u32)> {
    let inner = title.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let word = inner[open + 1..].trim().to_ascii_lowercase();
    let num = word
        .strip_prefix("ver")
        .map(|r| r.trim_start().trim_start_matches('#').trim_start())?;
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let head = inner[..open].trim_end();
    if head.is_empty() {
        return None;
    }
    Some((head, num.parse().ok()?))
}

/// `new title (was OLD)` / `(was: OLD)` / `(was "OLD")` -> (`new title`,
/// `OLD`). Only at the end of the title, and only when a new title precedes.
fn split_was(title: &str) -> Option<(&str, &str)> {
    let t = title.trim_end();
    let inner = t.strip_suffix(')')?;
    let lower = inner.to_ascii_lowercase();
    let open = lower.rfind("(was")?;
    let head = inner[..open].trim_end();
    let old = inner[open + 4..]
        .trim_start_matches(':')
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim();
    // `(wasteful)` is not a marker.
    let after = lower.as_bytes().get(open + 4).copied();
    if head.is_empty() || old.is_empty() || !matches!(after, Some(b' ' | b':' | b'"')) {
        return None;
    }
    Some((head, old))
}

/// Is this token (lowercase) a stable branch (`6.12.y`, `5.10`, `v5.10.y`,
/// `linux-5.10.y`, `stable-6.1`, `6.17-6.16`)? Returns the branch as written.
fn stable_branch(tok: &str) -> Option<&str> {
    let lower = tok.to_ascii_lowercase();
    let mut s = lower.as_str();
    let mut prefixed = false;
    for p in ["linux-", "stable-", "stable/"] {
        if let Some(r) = s.strip_prefix(p) {
            s = r;
            prefixed = true;
        }
    }
    let s = s.strip_prefix('v').unwrap_or(s);
    // `6.17-6.16`: a range of stable branches.
    let first = s.split('-').next().unwrap_or(s);
    let parts: Vec<&str> = first.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
    let ok = match parts.as_slice() {
        [a, b] => numeric(a) && numeric(b),
        [a, b, c] => numeric(a) && numeric(b) && (*c == "y" || numeric(c)),
        _ => false,
    };
    // `v2.1` is a revision, not a branch; `v5.10.y` and `linux-5.10` are.
    let versionish = lower.starts_with('v') && parts.len() == 2 && !prefixed;
    (ok && !versionish
        && parts
            .first()
            .is_some_and(|a| a.parse::<u32>().is_ok_and(|n| (2..=9).contains(&n))))
    .then_some(tok)
}

/// The subject `git am` records for a mail with this subject: `git
/// mailinfo`'s cleanup (leading `Re:`, bracketed prefixes such as
/// `[PATCH v2 3/5]`, blanks and colons removed, as many as there are) and
/// every run of whitespace made one space. Unlike [`SubjectTags::title`] it
/// keeps what mailinfo keeps (`Fwd:`, a `[tag]` after the text starts).
pub fn git_am_subject(subject: &str) -> String {
    let mut rest = subject;
    loop {
        let b = rest.as_bytes();
        match b.first() {
            Some(b'r' | b'R') => {
                // mailinfo requires more than the three bytes of `re:`.
                if b.len() > 3 && matches!(b[1], b'e' | b'E') && b[2] == b':' {
                    rest = &rest[3..];
                    continue;
                }
                break;
            }
            Some(b' ' | b'\t' | b':') => rest = &rest[1..],
            Some(b'[') => match rest.find(']') {
                Some(close) => rest = &rest[close + 1..],
                None => break,
            },
            _ => break,
        }
    }
    let mut out = String::with_capacity(rest.len());
    let mut space = false;
    for c in rest.chars() {
        if c.is_ascii_whitespace() || c == '\x0b' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Collapse runs of whitespace into one space and trim.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Reply and forward markers, lowercase (ASCII ones are matched ignoring case).
const REPLY_WORDS: &[&str] = &["re", "aw", "sv", "antw", "odp", "答复", "回复", "回覆"];
const FORWARD_WORDS: &[&str] = &["fwd", "fw", "wg", "转发", "轉寄"];

/// If `s` starts with a reply/forward prefix, return what follows it, how
/// many replies it counts for and whether it is a forward.
fn strip_reply_prefix(s: &str) -> Option<(&str, u32, bool)> {
    // The word: letters (ASCII or CJK) up to the colon, bracket or space.
    let word_end = s
        .char_indices()
        .find(|(_, c)| !(c.is_alphabetic()))
        .map_or(s.len(), |(i, _)| i);
    if word_end == 0 {
        return None;
    }
    let word = s[..word_end].to_lowercase();
    let forward = if REPLY_WORDS.contains(&word.as_str()) {
        false
    } else if FORWARD_WORDS.contains(&word.as_str()) {
        true
    } else {
        return None;
    };
    let mut rest = &s[word_end..];
    let mut count = 1u32;
    // `Re[2]:`, `Re(2):`, `Re^2:`
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = rest.strip_prefix(open)
            && let Some(end) = inner.find(close)
            && let Ok(n) = inner[..end].trim().parse::<u32>()
        {
            count = n.max(1);
            rest = &inner[end + close.len_utf8()..];
            break;
        }
    }
    // Tolerate a space before the colon (`RE :`), but require the colon.
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let after = trimmed
        .strip_prefix(':')
        .or_else(|| trimmed.strip_prefix('：'))?;
    Some((after, count, forward))
}

/// Interpret the words of one bracketed prefix.
fn apply_bracket(tags: &mut SubjectTags, inner: &str) {
    let tokens: Vec<&str> = inner
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let mut marker = false; // this bracket is a patch/RFC/pull prefix
    let mut counter = None;
    let mut total = None;
    let mut revision = None;
    let mut extra: Vec<String> = Vec::new();
    let mut bare_numbers: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i];
        let lower = tok.to_ascii_lowercase();
        i += 1;
        // `N of M`
        if let Ok(n) = tok.parse::<u32>()
            && tokens.get(i).is_some_and(|t| t.eq_ignore_ascii_case("of"))
            && let Some(m) = tokens.get(i + 1).and_then(|t| t.parse::<u32>().ok())
        {
            counter = Some(n);
            total = Some(m);
            i += 2;
            continue;
        }
        if let Some((n, m)) = parse_fraction(tok) {
            counter = Some(n);
            total = Some(m);
            continue;
        }
        if let Some(v) = parse_version(&lower) {
            revision = Some(v);
            continue;
        }
        if let Some(after) = strip_word(&lower, &["patches", "patchset", "patch"]) {
            tags.is_patch = true;
            marker = true;
            if let Some(v) = parse_version(after) {
                revision = Some(v);
            }
            continue;
        }
        if let Some(after) = strip_word(&lower, &["rfc"]) {
            tags.is_rfc = true;
            marker = true;
            if let Some(v) = parse_version(after) {
                revision = Some(v);
            }
            continue;
        }
        if let Some(after) = strip_word(&lower, &["resend"]) {
            if after.is_empty() || after.bytes().all(|b| b.is_ascii_digit()) {
                tags.is_resend = true;
                marker = true;
                continue;
            }
            if let Some(v) = parse_version(after) {
                tags.is_resend = true;
                marker = true;
                revision = Some(v);
                continue;
            }
        }
        if lower == "pull"
            || (lower == "git"
                && tokens
                    .get(i)
                    .is_some_and(|t| t.eq_ignore_ascii_case("pull")))
        {
            if lower == "git" {
                i += 1;
            }
            tags.is_pull = true;
            marker = true;
            continue;
        }
        if let Ok(n) = tok.parse::<u32>() {
            bare_numbers.push(n);
            continue;
        }
        extra.push(tok.to_string());
    }
    // A stable branch among the words: `[PATCH 6.12.y 0/2]`, `[PATCH
    // AUTOSEL 6.17]`, a lone `[linux-5.10.y]`.
    if tags.backport.is_none() {
        let autosel = extra.iter().any(|e| e.eq_ignore_ascii_case("autosel"));
        if let Some(b) = extra.iter().find_map(|e| stable_branch(e)) {
            tags.backport = Some(if autosel {
                format!("AUTOSEL {b}")
            } else {
                b.to_string()
            });
        } else if autosel || extra.iter().any(|e| e.eq_ignore_ascii_case("stable")) {
            tags.backport = Some(if autosel { "AUTOSEL" } else { "stable" }.to_string());
        } else if !marker && tokens.len() == 1 && stable_branch(tokens[0]).is_some() {
            tags.backport = Some(tokens[0].to_string());
        }
    }
    // A kernel test robot's report names the commit it built as
    // `[tree:branch N/M]` (`[tj-cgroup:for-6.18 7/8]`): N/M is that
    // commit's place on the branch, not a position in a series, and the
    // report is no patch.
    if !marker && tokens.first().is_some_and(|t| tree_branch(t)) {
        return;
    }
    // `[ Patch 2 ]`: a lone bare number after PATCH is a position.
    if marker && counter.is_none() && bare_numbers.len() == 1 {
        counter = bare_numbers.pop();
    }
    if marker || counter.is_some() {
        if counter.is_some() && tags.counter.is_none() {
            tags.counter = counter;
            tags.total = total;
        }
        if revision.is_some() && tags.revision.is_none() {
            tags.revision = revision;
        }
        if marker {
            tags.extra.extend(extra);
            tags.extra
                .extend(bare_numbers.into_iter().map(|n| n.to_string()));
        }
    } else if revision.is_some() && tags.revision.is_none() {
        // A version in a bracket without PATCH: a lone `[v2]`, a misspelt
        // `[PATH v2]`, `[net-next v2]` (b4 reads `vN` in any bracket too).
        tags.revision = revision;
    }
}

/// `tree:branch` as the kernel test robot writes it (`tj-cgroup:for-6.18`,
/// `axboe-block:for-6.10/io_uring`): a name, a colon, a branch. Not
/// `tip:` (tip-bot's `[tip: sched/core]` has a blank after the colon) nor
/// a URL.
fn tree_branch(tok: &str) -> bool {
    let Some((tree, branch)) = tok.split_once(':') else {
        return false;
    };
    !tree.is_empty()
        && tree.bytes().any(|b| b.is_ascii_alphabetic())
        && tree
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !branch.is_empty()
        && !branch.starts_with('/')
}

/// `3/8`, `09/36` -> (3, 8).
fn parse_fraction(tok: &str) -> Option<(u32, u32)> {
    let (a, b) = tok.split_once('/')?;
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if !a.bytes().all(|c| c.is_ascii_digit()) || !b.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// `v5`, `-v11`, `v2.1` (-> 2), `v3:` -> revision number. Input lowercase.
fn parse_version(lower: &str) -> Option<u32> {
    let s = lower.trim_start_matches(['-', '_']);
    let digits = s.strip_prefix('v')?;
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let tail = &digits[end..];
    // Allow `v2.1`, `v3:`; refuse words such as `vfs`.
    // `v5.10.y` is a stable branch, not revision 5.
    let minor = tail
        .strip_prefix('.')
        .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
    if !(tail.is_empty() || minor || tail == ":") {
        return None;
    }
    digits[..end].parse().ok()
}

/// If `lower` starts with one of `words`, return the remainder (with a
/// joining `-` removed), but only when the remainder is empty or a version.
fn strip_word<'a>(lower: &'a str, words: &[&str]) -> Option<&'a str> {
    for w in words {
        if let Some(rest) = lower.strip_prefix(w) {
            let rest = rest.trim_start_matches('-');
            if rest.is_empty()
                || parse_version(rest).is_some()
                || rest.bytes().all(|b| b.is_ascii_digit())
            {
                return Some(rest);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_am_subjects() {
        assert_eq!(git_am_subject("[PATCH v2 3/5] mm: fix [x]"), "mm: fix [x]");
        assert_eq!(
            git_am_subject("Re: [PATCH] [tip: sched/core]  a\n\tb "),
            "a b"
        );
        assert_eq!(git_am_subject("re:"), "re:");
        assert_eq!(git_am_subject("Fwd: [PATCH] x"), "Fwd: [PATCH] x");
        assert_eq!(git_am_subject("[PATCH 1/2]: colon"), "colon");
    }

    fn p(s: &str) -> SubjectTags {
        parse(s)
    }

    #[test]
    fn plain_patch() {
        let t = p("[PATCH v5 3/8] mm: split a folio");
        assert!(t.is_patch && !t.is_reply && !t.is_rfc);
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(5), Some(3), Some(8))
        );
        assert_eq!(t.title, "mm: split a folio");
        assert_eq!(t.prefixes, vec!["PATCH v5 3/8"]);
    }

    #[test]
    fn fused_patchv() {
        let t = p("[PATCHv12 29/37] x86/mm: Provide arch_prctl() interface");
        assert!(t.is_patch);
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(12), Some(29), Some(37))
        );
    }

    #[test]
    fn n_of_m() {
        let t = p("[PATCH 00 of 66] Transparent Hugepage Support #32");
        assert!(t.is_patch);
        assert_eq!((t.revision, t.counter, t.total), (None, Some(0), Some(66)));
        assert!(t.is_cover_counter());
        assert_eq!(t.title, "Transparent Hugepage Support #32");
    }

    #[test]
    fn dash_mm_dash_v() {
        let t = p("[PATCH -mm -v11 0/5] THP swap: Delay splitting THP during swapping out");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(11), Some(0), Some(5))
        );
        assert_eq!(t.extra, vec!["-mm"]);
    }

    #[test]
    fn mm_unstable() {
        let t = p("[PATCH mm-unstable v15 00/14] mm: multi-gen LRU");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(15), Some(0), Some(14))
        );
        assert_eq!(t.extra, vec!["mm-unstable"]);
        let t = p("[PATCH mm-unstable RFC 0/5] mm: something");
        assert!(t.is_rfc && t.is_patch);
        assert_eq!(t.extra, vec!["mm-unstable"]);
    }

    #[test]
    fn rfc_patch() {
        let t = p("[RFC PATCH 00/11] io_uring: something");
        assert!(t.is_rfc && t.is_patch);
        assert_eq!((t.revision, t.counter, t.total), (None, Some(0), Some(11)));
        let t = p("[RFC] cgroup: idea");
        assert!(t.is_rfc && !t.is_patch);
        let t = p("[RFCv3 PATCH 1/2] foo");
        assert!(t.is_rfc && t.is_patch);
        assert_eq!(t.revision, Some(3));
    }

    #[test]
    fn mixed_case_patch() {
        let t = p("[Patch v4 0/2] mm: foo");
        assert!(t.is_patch);
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(4), Some(0), Some(2))
        );
        let t = p("[patch 1/3] foo");
        assert!(t.is_patch);
        assert_eq!(t.counter, Some(1));
    }

    #[test]
    fn v2_8_of_9() {
        let t = p("[PATCH v2 8/9] mm: bar");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(2), Some(8), Some(9))
        );
    }

    #[test]
    fn topic_not_patch() {
        let t = p("[LSF/MM/BPF TOPIC] Memory tiering");
        assert!(!t.is_patch);
        assert_eq!(t.counter, None);
        assert_eq!(t.prefixes, vec!["LSF/MM/BPF TOPIC"]);
        assert!(t.extra.is_empty());
        assert_eq!(t.title, "Memory tiering");
    }

    #[test]
    fn list_tag_and_comma() {
        let t = p("[LTP] [PATCH v2, 1/3] syscalls: add test");
        assert!(t.is_patch);
        assert_eq!(t.prefixes, vec!["LTP", "PATCH v2, 1/3"]);
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(2), Some(1), Some(3))
        );
        assert!(t.extra.is_empty());
        assert_eq!(t.title, "syscalls: add test");
    }

    #[test]
    fn resend() {
        let t = p("[RESEND PATCH v3 2/7] mm: baz");
        assert!(t.is_resend && t.is_patch);
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(3), Some(2), Some(7))
        );
        let t = p("[PATCH RESEND2 4/4] mm: baz");
        assert!(t.is_resend && t.is_patch);
        assert_eq!((t.revision, t.counter, t.total), (None, Some(4), Some(4)));
        assert!(t.extra.is_empty());
    }

    #[test]
    fn next_capital_v() {
        let t = p("[PATCH -next V2 1/4] cgroup: fix");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(2), Some(1), Some(4))
        );
        assert_eq!(t.extra, vec!["-next"]);
        let t = p("[PATCH net-next v3 2/2] net: x");
        assert_eq!(t.extra, vec!["net-next"]);
        let t = p("[PATCH for-6.8 1/1] io_uring: y");
        assert_eq!(t.extra, vec!["for-6.8"]);
    }

    /// Issue 15: a kernel test robot's `[tree:branch N/M]` report is not
    /// a series position (cgroups epoch, lkp@intel.com, 2025-08-23 and
    /// 2019-06-14; io-uring, 2024).
    #[test]
    fn robot_tree_branch_is_no_counter() {
        for s in [
            "[tj-cgroup:for-6.18 7/8] kernel/cgroup/cgroup.c:3781:undefined reference to `__aeabi_uldivmod'",
            "[cgroup:btrfs-blkcg-updates 2/8] include/linux/writeback.h:103:9: error: 'blkcg_root_css' undeclared",
            "[cgroup:review-iocost-v2 8/12] block/blk-iocost.c:1866 ioc_cpd_alloc() error: potential null dereference",
            "Re: [axboe-block:for-6.10/io_uring 42/42] io_uring/register.c:175:24: warning: arithmetic",
        ] {
            let t = p(s);
            assert_eq!((t.counter, t.total, t.revision), (None, None, None), "{s}");
            assert!(!t.is_patch, "{s}");
        }
        // A patch prefix keeps its counter whatever words it has.
        let t = p("[PATCH net-next:main 1/3] net: x");
        assert_eq!((t.counter, t.total), (Some(1), Some(3)));
        let t = p("[tip: sched/core 1/2] x");
        assert_eq!((t.counter, t.total), (Some(1), Some(2)));
    }

    /// Issue 15: a version in a bracket without PATCH is read (cgroups
    /// epoch: `[PATH v2] cgroup: add cgroup_favordynmods= command-line
    /// option`, 2023-09-06), as b4 reads it.
    #[test]
    fn version_in_an_unmarked_bracket() {
        let t = p("[PATH v2] cgroup: add cgroup_favordynmods= command-line option");
        assert_eq!((t.revision, t.counter), (Some(2), None));
        assert!(!t.is_patch);
        assert_eq!(p("[net-next v3] net: x").revision, Some(3));
        assert_eq!(p("[v2] x").revision, Some(2));
        assert_eq!(p("[LSF/MM/BPF TOPIC] Memory tiering").revision, None);
    }

    /// Issue 15: a regression report titled after the patch it reports on
    /// is no patch (cgroups epoch, `[REGRESSION] [PATCH v2 1/2] mm:
    /// vmalloc: streamline vmalloc memory accounting`, 2026-06-19).
    #[test]
    fn report_on_a_patch() {
        let t = p("[REGRESSION] [PATCH v2 1/2] mm: vmalloc: streamline vmalloc memory accounting");
        assert!(t.is_report);
        assert!(!p("[PATCH v2 1/2] mm: vmalloc: x").is_report);
        assert!(!p("[PATCH] [BUG] x").is_report);
    }

    #[test]
    fn tip_bracket() {
        let t = p("[PATCH 1/2] [tip: sched/core] sched: foo");
        assert_eq!(t.prefixes, vec!["PATCH 1/2", "tip: sched/core"]);
        assert_eq!((t.counter, t.total), (Some(1), Some(2)));
        assert_eq!(t.title, "sched: foo");
        let t = p("[tip: sched/core] sched/fair: Fix");
        assert!(!t.is_patch);
        assert_eq!(t.prefixes, vec!["tip: sched/core"]);
        assert_eq!(t.title, "sched/fair: Fix");
    }

    #[test]
    fn replies() {
        let t = p("Re: [PATCH v2 1/3] foo");
        assert!(t.is_reply && t.is_patch);
        assert_eq!(t.reply_depth, 1);
        assert_eq!(t.counter, Some(1));
        let t = p("RE: Re: re: [PATCH] foo");
        assert_eq!(t.reply_depth, 3);
        let t = p("Re[2]: [PATCH] foo");
        assert_eq!(t.reply_depth, 2);
        let t = p("AW: [PATCH] foo");
        assert!(t.is_reply);
        let t = p("答复: [PATCH v2] mm: foo");
        assert!(t.is_reply && t.is_patch);
        assert_eq!(t.revision, Some(2));
        assert_eq!(t.title, "mm: foo");
        let t = p("回复：[PATCH] mm: foo");
        assert!(t.is_reply);
        let t = p("Fwd: [PATCH] foo");
        assert!(t.is_forward && !t.is_reply);
        let t = p("Fw: Re: [PATCH] foo");
        assert!(t.is_forward && t.is_reply);
        assert_eq!(t.reply_depth, 2);
        let t = p("[LTP] Re: [PATCH] foo");
        assert!(t.is_reply && t.is_patch);
        // A title starting with a word that is not a prefix.
        let t = p("Reclaim: do less");
        assert!(!t.is_reply);
        assert_eq!(t.title, "Reclaim: do less");
        let t = p("Re foo");
        assert!(!t.is_reply);
    }

    #[test]
    fn spaced_patch_number() {
        let t = p("[ Patch 2 ] mm: foo");
        assert!(t.is_patch);
        assert_eq!(t.counter, Some(2));
        assert_eq!(t.total, None);
        assert_eq!(t.title, "mm: foo");
    }

    #[test]
    fn colon_after_bracket_and_commas() {
        let t = p("[Patch 2/2]: powerpc/hotplug/mm: Fix");
        assert_eq!(t.title, "powerpc/hotplug/mm: Fix");
        let t = p("[net,v2,1/2] net: ieee802154: remove");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(2), Some(1), Some(2))
        );
        assert!(!t.is_patch);
    }

    #[test]
    fn pull_request() {
        let t = p("[GIT PULL] io_uring fixes for 6.8-rc1");
        assert!(t.is_pull && !t.is_patch);
        assert!(t.extra.is_empty());
        let t = p("[PULL REQUEST] foo");
        assert!(t.is_pull);
    }

    #[test]
    fn normalized() {
        let t = p("[PATCH v2]   Mm:  Split  A Folio.  ");
        assert_eq!(t.title, "Mm: Split A Folio.");
        assert_eq!(t.normalized_title(), "mm: split a folio");
    }

    #[test]
    fn ver_suffix() {
        let t = p("[PATCH 03/10] netfs: Fix the decision to write [ver #14]");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(14), Some(3), Some(10))
        );
        assert_eq!(t.title, "netfs: Fix the decision to write");
        let t = p("[PATCH v3] cachefiles: foo [ver#2]");
        assert_eq!(t.revision, Some(3));
        assert_eq!(t.title, "cachefiles: foo");
        // Not a version: a bracket inside the title is kept.
        let t = p("[PATCH] mm: fix [x]");
        assert_eq!((t.revision, t.title.as_str()), (None, "mm: fix [x]"));
    }

    #[test]
    fn tags_before_version() {
        let t = p("[PATCH -next v2 00/22] cgroup: foo");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(2), Some(0), Some(22))
        );
        let t = p("[PATCH linux-kselftest/test v5] selftests: bar");
        assert_eq!(t.revision, Some(5));
        assert_eq!(t.extra, vec!["linux-kselftest/test"]);
        let t = p("[PATCH bpf-next v11 0/7] bpf: baz");
        assert_eq!(
            (t.revision, t.counter, t.total),
            (Some(11), Some(0), Some(7))
        );
        let t = p("[PATCH v3 RESEND] io_uring: qux");
        assert!(t.is_resend && t.is_patch);
        assert_eq!(t.revision, Some(3));
        assert_eq!(t.backport, None);
    }

    #[test]
    fn stable_backports() {
        for (s, b) in [
            ("[PATCH 6.12.y 0/2] sched/psi: fix race", "6.12.y"),
            ("[PATCH 5.15.y] io_uring: Fix unsigned", "5.15.y"),
            ("[PATCH v5.10.y 1/1] io_uring: don't take", "v5.10.y"),
            (
                "[PATCH] [linux-5.10.y] io_uring: fix splice",
                "linux-5.10.y",
            ),
            ("[PATCH stable-6.1 1/1] io_uring: fix waiters", "stable-6.1"),
            (
                "[PATCH AUTOSEL 6.17-6.16] io_uring/zcrx: account",
                "AUTOSEL 6.17-6.16",
            ),
            ("[PATCH 6.12 172/185] io_uring/napi: fix", "6.12"),
            ("[PATCH v2 6.6] io_uring/rw: ensure reissue", "6.6"),
            (
                "[PATCH io_uring backport to 5.13.y] io_uring: Fix",
                "5.13.y",
            ),
        ] {
            let t = p(s);
            assert_eq!(t.backport.as_deref(), Some(b), "{s}");
        }
        // Named in the title (cgroups epoch, Qais Yousef, 2023-08-20).
        let t = p("[PATCH 0/6] Backport rework of deadline bandwidth restoration for 5.10.y");
        assert_eq!(t.backport.as_deref(), Some("5.10.y"));
        assert_eq!(
            p("[PATCH] backport: fix for 6.1").backport.as_deref(),
            Some("6.1")
        );
        assert_eq!(p("[PATCH] backports are fine for v2.1").backport, None);
        assert_eq!(p("[PATCH] mm: backport helper for 6.1.y").backport, None);
        assert_eq!(p("[PATCH v5.10.y 1/1] x").revision, None);
        assert_eq!(p("[PATCH v2 6.6] x").revision, Some(2));
        for s in [
            "[PATCH for-6.8 1/1] io_uring: y",
            "[PATCH v2.1 1/2] x",
            "[PATCH mm-unstable v15 00/14] x",
            "[PATCH net-next v3 2/2] x",
            "[PATCH 1/3] io_uring/register: use stable SQ/CQ ring data",
        ] {
            assert_eq!(p(s).backport, None, "{s}");
        }
    }

    #[test]
    fn was_title() {
        let t = p("[PATCH v2 0/3] Add trusted_for(2) (was O_MAYEXEC)");
        assert_eq!(t.was_title.as_deref(), Some("O_MAYEXEC"));
        assert_eq!(t.normalized_title(), "add trusted_for(2)");
        let t = p("[PATCH v3 0/2] mm: new name (was: mm: old name)");
        assert_eq!(t.was_title.as_deref(), Some("mm: old name"));
        let t = p("[PATCH] mm: something (wasteful)");
        assert_eq!(t.was_title, None);
        assert_eq!(t.normalized_title(), "mm: something (wasteful)");
    }

    #[test]
    fn hostile() {
        for s in [
            "",
            "[",
            "]",
            "[[[",
            "Re:",
            "Re: [",
            "[PATCH",
            "[PATCH v99999999999999999999 1/2] x",
            "[PATCH 99999999999999/1] x",
            "[]",
            "[ ]",
            "【PATCH v2 1/2】 中文",
            "Re[",
            "Re[x]: y",
            "[PATCH v] x",
            "[PATCH /] x",
            "[PATCH 1/] x",
            "\u{feff}[PATCH] x",
            "ÄÖ: [ß]",
        ] {
            let _ = parse(s);
        }
        let t = p("【PATCH v2 1/2】 中文");
        assert_eq!((t.revision, t.counter), (Some(2), Some(1)));
        assert_eq!(p("[PATCH").title, "[PATCH");
        let t = p("[PATCH vfs 1/2] x");
        assert_eq!(t.revision, None);
        assert_eq!(t.extra, vec!["vfs"]);
    }
}
