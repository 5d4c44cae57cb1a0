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
    /// Revision: `v5`, `V2`, fused `PATCHv12`, `-v11`, `RFCv3`.
    pub revision: Option<u32>,
    /// Position in the series: `3` of `3/8`, `0` of `00 of 66`.
    pub counter: Option<u32>,
    /// Series length: `8` of `3/8`.
    pub total: Option<u32>,
    /// Other words of the patch prefix, as written: `-next`, `net-next`,
    /// `mm-unstable`, `for-6.8`, `-mm`, `6.1`.
    pub extra: Vec<String>,
    /// The bare title, whitespace collapsed.
    pub title: String,
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

/// Normalise a title for matching: lowercase, whitespace collapsed, trailing
/// dots and spaces dropped.
pub fn normalize_title(title: &str) -> String {
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
    tags.title = collapse_ws(rest);
    tags
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
    } else if revision.is_some() && tags.revision.is_none() && tokens.len() == 1 {
        // A lone `[v2]` bracket.
        tags.revision = revision;
    }
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
    if !(tail.is_empty() || tail.starts_with('.') || tail == ":") {
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
