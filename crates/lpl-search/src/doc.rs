//! What gets indexed: [`SearchDoc`], independent of storage and mail parsing.
//!
//! [`BodyText::from_text`] splits a message body the way public-inbox's
//! `SearchIdx::index_xapian`/`index_diff` do, so the `q:`, `nq:` and `df*:`
//! prefixes see the same text as on lore.

use std::fmt;

/// The caller's identity of an indexed document (a store row id, a
/// Message-ID, a notebook anchor ...). Adding a document whose key is already
/// indexed replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DocKey(String);

impl DocKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an indexed document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DocKind {
    /// A mailing-list message.
    #[default]
    Message,
    /// A notebook roadmap entry.
    Entry,
    /// A note in the notebook.
    Note,
    /// A question in the notebook.
    Question,
}

impl DocKind {
    /// The name used in the index and by the `kind:` prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Entry => "entry",
            Self::Note => "note",
            Self::Question => "question",
        }
    }

    /// Inverse of [`DocKind::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "message" => Self::Message,
            "entry" => Self::Entry,
            "note" => Self::Note,
            "question" => Self::Question,
            _ => return None,
        })
    }
}

/// A mail address with its display name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addr {
    /// Display name, if any.
    pub name: Option<String>,
    /// The address.
    pub email: String,
}

/// A list of text values (lines, sections) kept in one buffer: a message
/// has thousands of diff lines, and one allocation each cost more than
/// indexing them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Lines {
    text: String,
    ends: Vec<u32>,
}

impl Lines {
    /// Appends a value.
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }

    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&e| {
            let v = self.text.get(start..e as usize).unwrap_or("");
            start = e as usize;
            v
        })
    }

    /// Value `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no value.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether `s` is one of the values.
    pub fn contains(&self, s: &str) -> bool {
        self.iter().any(|v| v == s)
    }

    /// All values, back to back.
    pub fn concat(&self) -> String {
        self.text.clone()
    }
}

impl fmt::Debug for Lines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Lines {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl<'a> FromIterator<&'a str> for Lines {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut l = Lines::default();
        for s in iter {
            l.push(s);
        }
        l
    }
}

/// The diff parts of a body, line by line (without the `+`/`-`/` ` marker).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiffText {
    /// File names, old and new paths without `a/`/`b/` (`dfn:`).
    pub files: Lines,
    /// Removed lines (`dfa:`).
    pub removed: Lines,
    /// Added lines (`dfb:`).
    pub added: Lines,
    /// Context lines (`dfctx:`).
    pub context: Lines,
    /// Text after `@@ ... @@`, usually the function (`dfhh:`).
    pub hunk_headers: Lines,
    /// The functions (and macros) the hunks change (`dffn:`), one name
    /// each: not found in the text (lore has no such field), so left empty
    /// by [`BodyText::from_text`] and filled by the caller, which can tell
    /// (lpl-core, with `lpl_code::attribute`).
    pub functions: Lines,
    /// Blob ids before the change, from `index abc..def` (`dfpre:`).
    pub pre_blobs: Lines,
    /// Blob ids after the change (`dfpost:`).
    pub post_blobs: Lines,
}

/// A body split into quoted text, other text and diff.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BodyText {
    /// Runs of lines starting with `>` (`q:`).
    pub quoted: Lines,
    /// Everything else that is not diff (`nq:`).
    pub unquoted: Lines,
    /// The diff, if the body carries one.
    pub diff: DiffText,
}

/// One document to index: a message, or a notebook entry, note or question.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchDoc {
    /// Caller's key (replaces an earlier document with the same key).
    pub key: DocKey,
    /// What this is.
    pub kind: DocKind,
    /// Notebook anchor (for entries, notes and questions).
    pub anchor: Option<String>,
    /// Message-ID without `<>`.
    pub message_id: Option<String>,
    /// Subject (or a notebook item's title).
    pub subject: String,
    /// From.
    pub from: Vec<Addr>,
    /// To.
    pub to: Vec<Addr>,
    /// Cc.
    pub cc: Vec<Addr>,
    /// List-Id, the part inside `<>` (e.g. `io-uring.vger.kernel.org`).
    pub list_id: Option<String>,
    /// Date, unix seconds UTC.
    pub date: Option<i64>,
    /// When the message was received, unix seconds UTC (`rt:`; public-inbox
    /// falls back to the date).
    pub received: Option<i64>,
    /// File names of attachments (`n:`).
    pub attachments: Vec<String>,
    /// Body text.
    pub body: BodyText,
    /// `git patch-id --stable` of the diff, 40 hex digits.
    pub patch_id: Option<String>,
}

fn looks_like_diff(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("diff ") || l.starts_with("--- ") || l.starts_with("+++ "))
}

/// public-inbox's `git_unquote` plus dropping the `a/`-style first component.
fn diff_path(raw: &str) -> Option<String> {
    let unquoted = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => unquote_c(inner),
        None => raw.to_owned(),
    };
    unquoted.split_once('/').map(|(_, p)| p.to_owned())
}

fn unquote_c(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let c = b[i + 1];
            let esc = match c {
                b'a' => Some(7),
                b'b' => Some(8),
                b'f' => Some(12),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'v' => Some(11),
                b'\\' | b'"' => Some(c),
                _ => None,
            };
            if let Some(e) = esc {
                out.push(e);
                i += 2;
                continue;
            }
            if i + 3 < b.len() && (b'0'..=b'3').contains(&c) {
                let oct = &s[i + 1..i + 4];
                if let Ok(v) = u8::from_str_radix(oct, 8) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_base85_line(l: &str) -> bool {
    !l.is_empty()
        && l.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&()*+-;<=>?@^_`{|}~".contains(&c))
}

impl BodyText {
    /// Splits one text part of a message (call again for further text
    /// parts, e.g. text attachments: public-inbox indexes all of them).
    pub fn add_part(&mut self, text: &str) {
        // split_quotes: maximal runs of lines starting with '>', handed on
        // as slices of `text` (a section is a contiguous run of lines).
        let mut start = 0;
        let mut quoted = false;
        let mut at = 0;
        while at < text.len() {
            let end =
                memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i + 1);
            let q = text.as_bytes()[at] == b'>';
            if q != quoted && at > start {
                self.add_section(&text[start..at], quoted);
                start = at;
            }
            quoted = q;
            at = end;
        }
        if at > start {
            self.add_section(&text[start..at], quoted);
        }
    }

    /// A body with a single text part.
    pub fn from_text(text: &str) -> Self {
        let mut b = Self::default();
        b.add_part(text);
        b
    }

    fn add_section(&mut self, text: &str, quoted: bool) {
        if quoted {
            self.quoted.push(text);
        } else if looks_like_diff(text) {
            self.add_diff(text);
        } else {
            self.unquoted.push(text);
        }
    }

    /// public-inbox `index_diff`, line by line.
    fn add_diff(&mut self, text: &str) {
        let mut xnq = String::new();
        let flush = |xnq: &mut String, unquoted: &mut Lines| {
            if !xnq.is_empty() {
                unquoted.push(xnq);
                xnq.clear();
            }
        };
        let mut seen: Vec<String> = Vec::new();
        // `$in_diff`: None, or Some(old file name of a traditional diff, or "").
        let mut in_diff: Option<String> = None;
        let mut lines = text.lines().peekable();
        let d = &mut self.diff;
        let mut add_file = |name: String, d: &mut DiffText, xnq: &mut String, uq: &mut Lines| {
            if !seen.contains(&name) {
                flush(xnq, uq);
                d.files.push(&name);
                seen.push(name);
            }
        };
        let push_xnq = |xnq: &mut String, l: &str| {
            if !xnq.is_empty() {
                xnq.push('\n');
            }
            xnq.push_str(l);
        };
        while let Some(line) = lines.next() {
            let uq = &mut self.unquoted;
            if in_diff.is_some() && line.starts_with("GIT binary patch") {
                push_xnq(&mut xnq, line);
                while let Some(l) = lines.peek() {
                    if !(l.starts_with("literal ") || l.starts_with("delta ")) {
                        break;
                    }
                    push_xnq(&mut xnq, l);
                    lines.next();
                    while lines
                        .peek()
                        .is_some_and(|l| is_base85_line(l) || l.trim().is_empty())
                    {
                        lines.next();
                    }
                }
            } else if let (Some(_), Some(ctx)) = (&in_diff, line.strip_prefix(' ')) {
                flush(&mut xnq, uq);
                d.context.push(ctx);
            } else if line == "-- " {
                in_diff = None;
            } else if let Some((fa, fb)) = git_diff_names(line) {
                push_xnq(&mut xnq, line);
                in_diff = Some(String::new());
                if let Some(a) = diff_path(fa) {
                    add_file(a, d, &mut xnq, uq);
                }
                if let Some(b) = diff_path(fb) {
                    add_file(b, d, &mut xnq, uq);
                }
            } else if let Some((opt, fa, fb)) = traditional_diff(line) {
                push_xnq(&mut xnq, line);
                if !opt.contains(['u', 'U']) {
                    continue;
                }
                in_diff = old_diff_name(fa, fb).map(|n| {
                    add_file(n, d, &mut xnq, uq);
                    String::new()
                });
            } else if let Some(name) = line
                .strip_prefix("--- ")
                .or_else(|| line.strip_prefix("+++ "))
                .filter(|n| slash_path(n))
            {
                if let Some(n) = diff_path(name) {
                    add_file(n, d, &mut xnq, uq);
                }
                in_diff = Some(String::new());
            } else if let Some(old) = line.strip_prefix("--- ").and_then(first_word) {
                in_diff = Some(old.to_owned());
                push_xnq(&mut xnq, line);
            } else if let (Some(old), Some(new)) = (
                in_diff.clone(),
                line.strip_prefix("+++ ").and_then(first_word),
            ) {
                in_diff = old_diff_name(&old, new).map(|n| {
                    add_file(n, d, &mut xnq, uq);
                    String::new()
                });
            } else if let (Some(_), Some(added)) = (&in_diff, line.strip_prefix('+')) {
                flush(&mut xnq, uq);
                d.added.push(added);
            } else if let (Some(_), Some(removed)) = (&in_diff, line.strip_prefix('-')) {
                flush(&mut xnq, uq);
                d.removed.push(removed);
            } else if let Some((pre, post)) = index_line(line) {
                d.pre_blobs.push(pre);
                d.post_blobs.push(post);
                in_diff = Some(String::new());
            } else if let Some(hh) = hunk_header(line) {
                if let Some(ctx) = hh {
                    flush(&mut xnq, uq);
                    d.hunk_headers.push(ctx);
                }
            } else if is_ignored_diff_line(line) {
                push_xnq(&mut xnq, line);
            } else if line.is_empty() {
                // Possibly context whose single space a mailer ate.
            } else {
                push_xnq(&mut xnq, line);
                in_diff = None;
            }
        }
        flush(&mut xnq, &mut self.unquoted);
    }
}

/// `^diff --git ("?[^/]+/.+) ("?[^/]+/.+)\z` (greedy first group, like Perl).
fn git_diff_names(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("diff --git ")?;
    // Greedy: the last " X/..." split where both halves look like paths.
    let mut best = None;
    for (i, _) in rest.match_indices(' ') {
        let (a, b) = (&rest[..i], &rest[i + 1..]);
        if slash_path(a) && slash_path(b) {
            best = Some((a, b));
        }
    }
    best
}

/// `"?[^/]+/.+`
fn slash_path(s: &str) -> bool {
    let s = s.strip_prefix('"').unwrap_or(s);
    match s.find('/') {
        Some(i) => i > 0 && s.len() > i + 1,
        None => false,
    }
}

/// `^diff -(.+) (\S+) (\S+)$`
fn traditional_diff(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("diff -")?;
    let mut it = rest.rsplitn(3, ' ');
    let fb = it.next()?;
    let fa = it.next()?;
    let opt = it.next()?;
    (!opt.is_empty() && !fa.is_empty() && !fb.is_empty() && !fa.contains(char::is_whitespace))
        .then_some((opt, fa, fb))
}

fn first_word(s: &str) -> Option<&str> {
    s.split_whitespace()
        .next()
        .filter(|w| !w.is_empty() && s.starts_with(w))
}

/// public-inbox `index_old_diff_fn`: the longest common path suffix.
fn old_diff_name(fa: &str, fb: &str) -> Option<String> {
    let a: Vec<&str> = fa.split('/').collect();
    let b: Vec<&str> = fb.split('/').collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i..].join("/"), b[j..].join("/"));
        if x == y {
            return Some(x);
        }
        i += 1;
        j += 1;
    }
    None
}

/// `^index ([a-f0-9]+)\.\.([a-f0-9]+)`
fn index_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("index ")?;
    let is_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    let pre_len = rest.find(|c: char| !is_hex(c)).unwrap_or(rest.len());
    let (pre, rest) = rest.split_at(pre_len);
    let rest = rest.strip_prefix("..")?;
    let post_len = rest.find(|c: char| !is_hex(c)).unwrap_or(rest.len());
    (pre_len > 0 && post_len > 0).then(|| (pre, &rest[..post_len]))
}

/// `^@@ (\S+) (\S+) @@\s*(\S+.*)?$`: Some(None) for a header without context.
fn hunk_header(line: &str) -> Option<Option<&str>> {
    let rest = line.strip_prefix("@@ ")?;
    let mut parts = rest.splitn(3, ' ');
    let (a, b, tail) = (parts.next()?, parts.next()?, parts.next()?);
    if a.is_empty() || b.is_empty() || a.contains(char::is_whitespace) {
        return None;
    }
    let tail = tail.strip_prefix("@@")?;
    let ctx = tail.trim_start();
    if ctx.trim_end().is_empty() {
        Some(None)
    } else {
        Some(Some(ctx))
    }
}

fn is_ignored_diff_line(l: &str) -> bool {
    l.starts_with("similarity index")
        || l.starts_with("dissimilarity index")
        || l.starts_with("old mode")
        || l.starts_with("new mode")
        || l.starts_with("deleted file mode")
        || l.starts_with("new file mode")
        || l.starts_with("copy from ")
        || l.starts_with("copy to ")
        || l.starts_with("rename from ")
        || l.starts_with("rename to ")
        || l.starts_with("\\ No newline at end of file")
        || (l.starts_with("Binary files ") && l.ends_with(" differ"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "\
Fix the thing.

Signed-off-by: A <a@example.org>
---
 io_uring/rw.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/io_uring/rw.c b/io_uring/rw.c
index 0123456789ab..ba9876543210 100644
--- a/io_uring/rw.c
+++ b/io_uring/rw.c
@@ -10,7 +10,7 @@ static int io_rw_init(struct io_kiocb *req)
 \tint ret;
-\tret = old_call(req);
+\tret = new_call(req);
 \treturn ret;
-- 
2.40.0
";

    #[test]
    fn splits_a_patch_like_public_inbox() {
        let b = BodyText::from_text(PATCH);
        assert_eq!(b.diff.files, ["io_uring/rw.c"]);
        assert_eq!(b.diff.removed, ["\tret = old_call(req);"]);
        assert_eq!(b.diff.added, ["\tret = new_call(req);"]);
        assert_eq!(b.diff.context, ["\tint ret;", "\treturn ret;"]);
        assert_eq!(
            b.diff.hunk_headers,
            ["static int io_rw_init(struct io_kiocb *req)"]
        );
        assert_eq!(b.diff.pre_blobs, ["0123456789ab"]);
        assert_eq!(b.diff.post_blobs, ["ba9876543210"]);
        assert!(
            b.unquoted
                .get(0)
                .is_some_and(|t| t.starts_with("Fix the thing."))
        );
        assert!(b.unquoted.iter().any(|t| t.contains("2.40.0")));
        assert!(b.quoted.is_empty());
    }

    #[test]
    fn separates_quotes() {
        let b = BodyText::from_text("On Monday X wrote:\n> quoted line\n>> deeper\nmy reply\n");
        assert_eq!(b.quoted, ["> quoted line\n>> deeper\n"]);
        assert_eq!(b.unquoted, ["On Monday X wrote:\n", "my reply\n"]);
    }

    #[test]
    fn handles_quoted_paths_and_renames() {
        let b = BodyText::from_text(
            "diff --git \"a/dir/sp ace.c\" \"b/dir/sp ace.c\"\nrename from x\n--- /dev/null\n",
        );
        assert_eq!(b.diff.files, ["dir/sp ace.c"]);
        assert_eq!(hunk_header("@@ -1 +1 @@"), Some(None));
        assert_eq!(
            old_diff_name("linux-old/mm/x.c", "linux/mm/x.c"),
            Some("mm/x.c".into())
        );
    }
}
