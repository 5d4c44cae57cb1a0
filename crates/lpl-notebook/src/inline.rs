//! Inline Markdown the notebook needs: links, bare URLs, code spans, escapes,
//! and the `[PATCH vN M/T]` tags of a link title.

use std::ops::Range;

/// A link found in one line of text (offsets relative to that text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineLink {
    /// The whole link (`[text](url)`, `<url>` or the bare URL).
    pub span: Range<usize>,
    /// The link text as written (escapes kept); empty for bare URLs.
    pub text: Range<usize>,
    /// The destination.
    pub url: String,
}

/// Parses `[text](url)` starting at `pos` (which must hold `[`).
pub fn link_at(s: &str, pos: usize) -> Option<InlineLink> {
    let b = s.as_bytes();
    if b.get(pos) != Some(&b'[') {
        return None;
    }
    let mut i = pos + 1;
    let mut depth = 1usize;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'`' => {
                // A code span inside link text: skip it whole.
                if let Some(end) = code_span_end(s, i) {
                    i = end - 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if i >= b.len() || b.get(i + 1) != Some(&b'(') {
        return None;
    }
    let text = pos + 1..i;
    let mut j = i + 2;
    let url_start = j;
    let mut par = 0usize;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 1,
            b'(' => par += 1,
            b')' if par == 0 => break,
            b')' => par -= 1,
            b' ' | b'\t' => break,
            _ => {}
        }
        j += 1;
    }
    if j >= b.len() {
        return None;
    }
    let url = s[url_start..j.min(b.len())].to_owned();
    // Skip an optional title: ` "title")`.
    let mut k = j;
    if b[k] != b')' {
        while k < b.len() && b[k] != b')' {
            k += 1;
        }
        if k >= b.len() {
            return None;
        }
    }
    let url = url
        .strip_prefix('<')
        .and_then(|u| u.strip_suffix('>'))
        .map(str::to_owned)
        .unwrap_or(url);
    Some(InlineLink {
        span: pos..k + 1,
        text,
        url,
    })
}

/// End (exclusive) of the code span opening at `pos`, if it closes.
pub fn code_span_end(s: &str, pos: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut n = 0;
    while pos + n < b.len() && b[pos + n] == b'`' {
        n += 1;
    }
    let mut i = pos + n;
    while i < b.len() {
        if b[i] == b'`' {
            let mut m = 0;
            while i + m < b.len() && b[i + m] == b'`' {
                m += 1;
            }
            if m == n {
                return Some(i + m);
            }
            i += m;
        } else {
            i += 1;
        }
    }
    None
}

fn bare_url_end(s: &str, start: usize) -> usize {
    let b = s.as_bytes();
    let mut i = start;
    while i < b.len() && b[i].is_ascii() && !b[i].is_ascii_whitespace() && !b"<>\"`".contains(&b[i])
    {
        i += 1;
    }
    // Trailing punctuation belongs to the sentence, and an unbalanced `)`
    // to the surrounding parenthesis.
    while i > start {
        let c = b[i - 1];
        let opens = s[start..i].matches('(').count();
        let closes = s[start..i].matches(')').count();
        if b".,;:!?'*_]".contains(&c) || (c == b')' && closes > opens) {
            i -= 1;
        } else {
            break;
        }
    }
    i
}

/// Every link in `s`: `[text](url)`, `<url>` autolinks and bare URLs,
/// outside code spans.
pub fn scan_links(s: &str) -> Vec<InlineLink> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                i = code_span_end(s, i).unwrap_or_else(|| {
                    let mut k = i;
                    while k < b.len() && b[k] == b'`' {
                        k += 1;
                    }
                    k
                });
            }
            b'[' => {
                if let Some(l) = link_at(s, i) {
                    i = l.span.end;
                    out.push(l);
                } else {
                    i += 1;
                }
            }
            b'<' if s[i + 1..].starts_with("http://") || s[i + 1..].starts_with("https://") => {
                if let Some(end) = s[i..].find('>') {
                    let url = s[i + 1..i + end].to_owned();
                    out.push(InlineLink {
                        span: i..i + end + 1,
                        text: i + 1..i + 1,
                        url,
                    });
                    i += end + 1;
                } else {
                    i += 1;
                }
            }
            b'h' if s[i..].starts_with("http://") || s[i..].starts_with("https://") => {
                let end = bare_url_end(s, i);
                out.push(InlineLink {
                    span: i..end,
                    text: i..i,
                    url: s[i..end].to_owned(),
                });
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
        // Stay on a char boundary.
        while i < b.len() && !s.is_char_boundary(i) {
            i += 1;
        }
    }
    out
}

/// Removes Markdown backslash escapes (`\[` to `[`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\'
            && let Some(&n) = it.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            it.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Escapes the characters that would end or confuse a link text.
pub fn escape_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The tags of a patch subject: `[PATCH v5 0/8]`, `[PATCHv12 29/37]`,
/// `[PATCH 00 of 66]`, `[RFC PATCH 0/7]`, `[PATCH mm-unstable v15 00/14]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectTags {
    /// The revision (`v5`), if written.
    pub version: Option<u32>,
    /// The patch counter (`29` of `29/37`).
    pub counter: Option<u32>,
    /// The number of patches (`37`).
    pub total: Option<u32>,
    /// Whether the subject is tagged RFC.
    pub rfc: bool,
    /// Whether the first bracket looked like patch tags at all.
    pub is_patch: bool,
    /// The subject without its leading bracket groups.
    pub rest: String,
}

/// Parses the leading `[...]` groups of a subject.
pub fn subject_tags(subject: &str) -> SubjectTags {
    let mut tags = SubjectTags::default();
    let mut rest = subject.trim_start();
    while let Some(r) = rest.strip_prefix('[') {
        let Some(end) = r.find(']') else { break };
        let inner = &r[..end];
        let upper = inner.to_ascii_uppercase();
        if upper.contains("PATCH") || upper.contains("RFC") || upper.contains("TOPIC") {
            tags.is_patch |= upper.contains("PATCH");
            tags.rfc |= upper.contains("RFC");
            let toks: Vec<&str> = inner.split_whitespace().collect();
            for (k, t) in toks.iter().enumerate() {
                let tu = t.to_ascii_uppercase();
                let vpart = tu
                    .strip_prefix("PATCHV")
                    .or_else(|| tu.strip_prefix("-V"))
                    .or_else(|| tu.strip_prefix('V'));
                if let Some(v) = vpart
                    && let Ok(n) = v.parse::<u32>()
                {
                    tags.version = Some(n);
                    continue;
                }
                if let Some((a, b)) = t.split_once('/')
                    && let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>())
                {
                    tags.counter = Some(a);
                    tags.total = Some(b);
                    continue;
                }
                if t.eq_ignore_ascii_case("of")
                    && k > 0
                    && let (Ok(a), Some(Ok(b))) = (
                        toks[k - 1].parse::<u32>(),
                        toks.get(k + 1).map(|x| x.parse::<u32>()),
                    )
                {
                    tags.counter = Some(a);
                    tags.total = Some(b);
                }
            }
            rest = r[end + 1..].trim_start();
        } else {
            break;
        }
    }
    tags.rest = rest.trim().to_owned();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_bare_urls() {
        let s = r"- 2024 [\[PATCH v5 0/8\] Split - Zi Yan](https://lore.kernel.org/linux-mm/a@b/) see `[x](y)` and https://lwn.net/Articles/1/, <https://x.org/a>";
        let l = scan_links(s);
        assert_eq!(l.len(), 3);
        assert_eq!(&s[l[0].text.clone()], r"\[PATCH v5 0/8\] Split - Zi Yan");
        assert_eq!(l[0].url, "https://lore.kernel.org/linux-mm/a@b/");
        assert_eq!(l[1].url, "https://lwn.net/Articles/1/");
        assert_eq!(l[2].url, "https://x.org/a");
        let s = "try_to_unmap() 见 https://www.cnblogs.com/tolimit/p/5432674.html，好";
        assert_eq!(
            scan_links(s)[0].url,
            "https://www.cnblogs.com/tolimit/p/5432674.html"
        );
        assert_eq!(
            scan_links("(see https://a.org/x_(y))")[0].url,
            "https://a.org/x_(y)"
        );
        assert!(scan_links("[not a link] (x)").is_empty());
    }

    #[test]
    fn subject_forms() {
        let t = subject_tags("[PATCH v5 0/8] Split a folio");
        assert_eq!((t.version, t.counter, t.total), (Some(5), Some(0), Some(8)));
        assert_eq!(t.rest, "Split a folio");
        let t = subject_tags("[PATCHv12 29/37] thp: implement split_huge_pmd()");
        assert_eq!(
            (t.version, t.counter, t.total),
            (Some(12), Some(29), Some(37))
        );
        let t = subject_tags("[PATCH 00 of 66] Transparent Hugepage Support #32");
        assert_eq!((t.version, t.counter, t.total), (None, Some(0), Some(66)));
        let t = subject_tags("[PATCH -mm -v11 0/5] THP swap");
        assert_eq!((t.version, t.counter), (Some(11), Some(0)));
        let t = subject_tags("[PATCH mm-unstable v15 00/14] Multi-Gen LRU Framework");
        assert_eq!(
            (t.version, t.counter, t.total),
            (Some(15), Some(0), Some(14))
        );
        let t = subject_tags("[RFC PATCH 00/11] add shmem mTHP collapse support");
        assert!(t.rfc && t.is_patch);
        let t = subject_tags("Transparent huge page reference counting [LWN.net]");
        assert!(!t.is_patch);
        assert_eq!(unescape(r"\[PATCH\] a\b"), r"[PATCH] a\b");
        assert_eq!(escape_link_text("[PATCH] x"), r"\[PATCH\] x");
    }
}
