//! Unified and git diffs: files, modes, renames, binary files, hunks.
//!
//! Parsing follows what `git apply` accepts: git headers (`diff --git`,
//! `rename from`, `new file mode`, `index`, `GIT binary patch`) and plain
//! unified diffs (`--- a/x` / `+++ b/x`, also after `Index:` or `diff -u`).
//! Hunks are counted line by line, so the diff ends exactly where the last
//! hunk does (a `-- ` signature or trailing prose is not part of it).

use serde::Serialize;
use std::ops::Range;

/// What happened to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// Content or mode changed in place.
    Modified,
    /// New file.
    Added,
    /// File removed.
    Deleted,
    /// Renamed, with git's similarity index when given.
    Renamed {
        /// Similarity percentage.
        similarity: Option<u8>,
    },
    /// Copied, with git's similarity index when given.
    Copied {
        /// Similarity percentage.
        similarity: Option<u8>,
    },
}

/// One hunk of a file diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// First line in the old file.
    pub old_start: u32,
    /// Lines in the old file.
    pub old_lines: u32,
    /// First line in the new file.
    pub new_start: u32,
    /// Lines in the new file.
    pub new_lines: u32,
    /// The text after the second `@@`: usually the enclosing function
    /// (what lore's `dfhh:` searches).
    pub header_context: String,
    /// Byte range of the hunk's body lines in [`Diff::text`] (after the `@@` line).
    pub body: Range<usize>,
}

/// One file of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Path before (`None` for a new file).
    pub old_path: Option<String>,
    /// Path after (`None` for a deleted file).
    pub new_path: Option<String>,
    /// Kind of change.
    pub change: FileChange,
    /// Mode before, when the diff says.
    pub old_mode: Option<String>,
    /// Mode after, when the diff says.
    pub new_mode: Option<String>,
    /// Abbreviated blob id before (from the `index` line).
    pub old_blob: Option<String>,
    /// Abbreviated blob id after (from the `index` line).
    pub new_blob: Option<String>,
    /// A binary file (`GIT binary patch` or `Binary files ... differ`).
    pub binary: bool,
    /// Hunks in order.
    pub hunks: Vec<Hunk>,
    /// Lines added.
    pub added: u32,
    /// Lines removed.
    pub removed: u32,
}

impl FileDiff {
    /// The path that best names this file (new path, else old).
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("")
    }
}

/// A parsed diff.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Diff {
    /// The diff text, from its first header line to the end of its last hunk.
    pub text: String,
    /// Files in order.
    pub files: Vec<FileDiff>,
}

/// Kind of a line inside a hunk body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// ` ` context.
    Context,
    /// `+` added.
    Added,
    /// `-` removed.
    Removed,
}

impl Diff {
    /// Iterates over the body lines of every hunk with their kind (without the
    /// leading marker or line end).
    pub fn lines(&self) -> impl Iterator<Item = (LineKind, &str)> {
        self.files
            .iter()
            .flat_map(|f| f.hunks.iter())
            .flat_map(move |h| {
                self.text
                    .get(h.body.clone())
                    .unwrap_or("")
                    .lines()
                    .filter_map(|l| {
                        let kind = match l.as_bytes().first() {
                            Some(b' ') => LineKind::Context,
                            Some(b'+') => LineKind::Added,
                            Some(b'-') => LineKind::Removed,
                            _ => return None,
                        };
                        Some((kind, l[1..].trim_end_matches('\r')))
                    })
            })
    }
}

/// One line of a hunk's outline (see [`HunkLines::outline`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutlineLine {
    /// Context, added or removed.
    pub kind: LineKind,
    /// Its number in the old file (0: not there, an added line).
    pub old: u32,
    /// Its number in the new file (0: not there, a removed line).
    pub new: u32,
    /// The line (without its marker), at most [`OUTLINE_TEXT_MAX`] bytes.
    pub text: String,
}

/// Outline lines longer than this are cut (at a character boundary).
pub const OUTLINE_TEXT_MAX: usize = 200;

/// Which lines a hunk changes, and the lines that show the file's
/// structure around them: what is needed to tell which functions a hunk
/// changes, with or without the file at hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HunkLines {
    /// Old-file numbers of the removed lines, ascending.
    pub old_changed: Vec<u32>,
    /// New-file numbers of the added lines, ascending.
    pub new_changed: Vec<u32>,
    /// For each run of consecutive numbers in `new_changed`, the old-file
    /// line it is inserted before (the next old line's number), ascending.
    pub old_inserted: Vec<u32>,
    /// Lines that begin at column 0 (declarations, definitions, closing
    /// braces, preprocessor lines, labels; not comments or blank lines),
    /// and the lines continuing them (open parentheses, a trailing `\`),
    /// in hunk order.
    pub outline: Vec<OutlineLine>,
}

/// Whether a line's content (without its marker) starts an outline entry.
fn starts_outline(t: &str) -> bool {
    match t.as_bytes().first() {
        None | Some(b' ' | b'\t' | b'\r' | b'\x0c') => false,
        Some(b'/') => !(t.starts_with("/*") || t.starts_with("//")),
        Some(b'*') => false,
        Some(_) => true,
    }
}

fn cut(t: &str, max: usize) -> &str {
    if t.len() <= max {
        return t;
    }
    let mut end = max;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    &t[..end]
}

impl Hunk {
    /// The changed lines and outline of this hunk, whose body is in
    /// `text` (the [`Diff::text`] or [`crate::Patch::diff`] it was parsed
    /// from).
    pub fn lines(&self, text: &str) -> HunkLines {
        let mut out = HunkLines::default();
        let body = text.get(self.body.clone()).unwrap_or("");
        let (mut old, mut new) = (self.old_start, self.new_start);
        // An empty side starts at the line before (`-0,0`, `+41,0`).
        if self.old_lines == 0 {
            old += 1;
        }
        if self.new_lines == 0 {
            new += 1;
        }
        // Continuing the last outline line of each side (old: context and
        // removed lines; new: context and added): open parentheses, or a
        // `\` (a macro, up to 64 lines).
        #[derive(Clone, Copy, Default)]
        struct Open {
            depth: i32,
            backslash: bool,
            continued: u32,
        }
        impl Open {
            fn continues(&self) -> bool {
                (self.backslash && self.continued < 64) || (self.depth > 0 && self.continued < 8)
            }
        }
        let mut sides = [Open::default(); 2];
        for l in body.lines() {
            let l = l.strip_suffix('\r').unwrap_or(l);
            let (kind, t) = match l.as_bytes().first() {
                Some(b' ') => (LineKind::Context, &l[1..]),
                Some(b'+') => (LineKind::Added, &l[1..]),
                Some(b'-') => (LineKind::Removed, &l[1..]),
                Some(b'\\') => continue,
                None => (LineKind::Context, ""),
                _ => continue,
            };
            let (o, n, on): (u32, u32, &[usize]) = match kind {
                LineKind::Context => (old, new, &[0, 1]),
                LineKind::Added => (0, new, &[1]),
                LineKind::Removed => (old, 0, &[0]),
            };
            let starts = starts_outline(t);
            let continues = !starts && on.iter().any(|&s| sides[s].continues());
            if starts || continues {
                let parens = t.bytes().fold(0i32, |d, b| match b {
                    b'(' => d + 1,
                    b')' => d - 1,
                    _ => d,
                });
                let backslash = t.trim_end().ends_with('\\');
                for &s in on {
                    let side = &mut sides[s];
                    if starts {
                        *side = Open::default();
                    } else {
                        side.continued += 1;
                    }
                    side.depth += parens;
                    side.backslash = backslash;
                }
                out.outline.push(OutlineLine {
                    kind,
                    old: o,
                    new: n,
                    text: cut(t, OUTLINE_TEXT_MAX).to_owned(),
                });
            } else {
                for &s in on {
                    sides[s] = Open::default();
                }
            }
            match kind {
                LineKind::Context => {
                    old += 1;
                    new += 1;
                }
                LineKind::Removed => {
                    out.old_changed.push(old);
                    old += 1;
                }
                LineKind::Added => {
                    // A new group of consecutive new numbers: a new run.
                    if out.new_changed.last() != Some(&(new.wrapping_sub(1))) {
                        out.old_inserted.push(old);
                    }
                    out.new_changed.push(new);
                    new += 1;
                }
            }
        }
        out
    }
}

/// Finds where a diff starts in `text`: the byte offset of its first header line.
pub fn find_start(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut prev_minus: Option<usize> = None;
    let mut candidate: Option<usize> = None; // `Index:` or `diff -u` line
    for line in crate::lines::lines_inclusive(text) {
        let l = line.trim_end_matches(['\n', '\r']);
        if l.starts_with("diff --git ") {
            return Some(offset);
        }
        if l.starts_with("Index: ") || l.starts_with("diff -") {
            candidate = Some(offset);
        } else if l.starts_with("--- ") && l.len() > 4 {
            prev_minus = Some(offset);
        } else if l.starts_with("+++ ") {
            if let Some(p) = prev_minus {
                // Accept only when a hunk header follows (checked by the parser);
                // prefer an `Index:`/`diff -u` line directly before.
                let start = candidate.filter(|&c| c < p).unwrap_or(p);
                if text[offset + line.len()..].starts_with("@@") {
                    return Some(start);
                }
            }
            prev_minus = None;
        } else {
            prev_minus = None;
            if !(l.starts_with("=====") || l.starts_with("RCS file") || l.starts_with("retrieving"))
            {
                // Lines of an Index: preamble (CVS) keep the candidate alive.
                if candidate.is_some() && !l.starts_with("Index: ") && !l.starts_with("diff -") {
                    candidate = None;
                }
            }
        }
        offset += line.len();
    }
    None
}

fn strip_prefix_component(p: &str) -> String {
    // `a/mm/x.c` -> `mm/x.c` (git), `linux-2.6/mm/x.c` -> `mm/x.c` (quilt, -p1).
    let p = p.trim();
    let p = unquote(p);
    match p.split_once('/') {
        Some((_, rest)) if !rest.is_empty() => rest.to_owned(),
        _ => p,
    }
}

/// Undoes git's C-style path quoting (`"a/caf\303\251"`).
fn unquote(p: &str) -> String {
    let Some(inner) = p.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return p.to_owned();
    };
    let mut out = Vec::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let c = b[i + 1];
            if (b'0'..=b'3').contains(&c) && i + 3 < b.len() {
                let oct = &inner[i + 1..i + 4];
                if let Ok(v) = u8::from_str_radix(oct, 8) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
            out.push(match c {
                b'n' => b'\n',
                b't' => b'\t',
                b'"' => b'"',
                b'\\' => b'\\',
                b'a' => 7,
                b'b' => 8,
                b'f' => 12,
                b'r' => b'\r',
                b'v' => 11,
                other => other,
            });
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header_path(rest: &str) -> Option<String> {
    // `--- a/x.c\t2010-01-01 ...` : drop a tab-separated timestamp.
    let p = rest.split('\t').next().unwrap_or(rest).trim_end();
    if p == "/dev/null" {
        return None;
    }
    Some(strip_prefix_component(p))
}

fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = match s.split_once(',') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (s, None),
    };
    let start = a.parse().ok()?;
    let len = match b {
        Some(b) => b.parse().ok()?,
        None => 1,
    };
    Some((start, len))
}

/// Parses `@@ -a,b +c,d @@ context`.
pub fn parse_hunk_header(l: &str) -> Option<(u32, u32, u32, u32, &str)> {
    // Lenient like b4 and public-inbox: `@@@ -1 +1 @@` and `-49, 7` occur in
    // real mail; git would refuse them, but they still name lines and files.
    let rest = l.trim_start_matches('@').strip_prefix(" -")?;
    let (old, rest) = rest.split_once(' ')?;
    let rest = rest.trim_start();
    let (old, rest) = if rest.starts_with('+') {
        (old, rest)
    } else {
        // `-49, 7 +49,34`: the old range was split at a space.
        let (more, rest) = rest.split_once(' ')?;
        // `old` and `more` are both slices of `l`: the range runs from the
        // start of one to the end of the other, whatever whitespace (even
        // multi-byte) lies between them.
        let start = old.as_ptr() as usize - l.as_ptr() as usize;
        let end = more.as_ptr() as usize - l.as_ptr() as usize + more.len();
        (l.get(start..end)?, rest)
    };
    let rest = rest.strip_prefix('+')?;
    let (new, rest) = rest.split_once(" @@").or_else(|| rest.split_once("@@"))?;
    let (os, ol) = parse_range(old)?;
    let (ns, nl) = parse_range(new.trim())?;
    Some((os, ol, ns, nl, rest.trim()))
}

fn new_file(old: Option<String>, new: Option<String>) -> FileDiff {
    FileDiff {
        old_path: old,
        new_path: new,
        change: FileChange::Modified,
        old_mode: None,
        new_mode: None,
        old_blob: None,
        new_blob: None,
        binary: false,
        hunks: Vec::new(),
        added: 0,
        removed: 0,
    }
}

fn git_header_paths(rest: &str) -> (Option<String>, Option<String>) {
    // `a/x b/x`; paths may contain spaces, so split where the two halves agree.
    let rest = rest.trim();
    if rest.starts_with('"')
        && let Some(end) = rest[1..].find('"')
    {
        let (a, b) = rest.split_at(end + 2);
        return (
            Some(strip_prefix_component(a)),
            Some(strip_prefix_component(b.trim())),
        );
    }
    let bytes = rest.as_bytes();
    let n = bytes.len();
    if n % 2 == 1 {
        let half = n / 2;
        if bytes[half] == b' ' {
            let (a, b) = (&rest[..half], &rest[half + 1..]);
            if a.get(2..) == b.get(2..) {
                return (
                    Some(strip_prefix_component(a)),
                    Some(strip_prefix_component(b)),
                );
            }
        }
    }
    match rest.find(" b/") {
        Some(i) => (
            Some(strip_prefix_component(&rest[..i])),
            Some(strip_prefix_component(&rest[i + 1..])),
        ),
        None => match rest.split_once(' ') {
            Some((a, b)) => (
                Some(strip_prefix_component(a)),
                Some(strip_prefix_component(b)),
            ),
            None => (Some(strip_prefix_component(rest)), None),
        },
    }
}

fn similarity(l: &str) -> Option<u8> {
    l.rsplit(' ').next()?.trim_end_matches('%').parse().ok()
}

/// Parses the diff that starts at the beginning of `text` (see [`find_start`]).
///
/// Returns the diff (its text ends with the last hunk) and the byte length of
/// `text` it consumed.
pub fn parse(text: &str) -> Diff {
    let mut files: Vec<FileDiff> = Vec::new();
    let mut cur: Option<FileDiff> = None;
    // Remaining old/new lines in the current hunk.
    let mut rem_old = 0u32;
    let mut rem_new = 0u32;
    let mut in_binary = false;
    let mut end = 0usize;
    let mut offset = 0usize;
    let mut lines = crate::lines::lines_inclusive(text).peekable();
    while let Some(line) = lines.next() {
        let start = offset;
        offset += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if rem_old > 0 || rem_new > 0 {
            let (consumes_old, consumes_new) = match l.as_bytes().first() {
                Some(b' ') => (true, true),
                Some(b'-') => (true, false),
                Some(b'+') => (false, true),
                Some(b'\\') => (false, false),
                // Some mailers eat the space of empty context lines.
                None => (true, true),
                _ => {
                    // Malformed hunk: stop the diff here.
                    break;
                }
            };
            if let Some(f) = cur.as_mut() {
                if consumes_old && !consumes_new {
                    f.removed += 1;
                } else if consumes_new && !consumes_old {
                    f.added += 1;
                }
                if let Some(h) = f.hunks.last_mut() {
                    h.body.end = offset;
                }
            }
            if consumes_old {
                rem_old = rem_old.saturating_sub(1);
            }
            if consumes_new {
                rem_new = rem_new.saturating_sub(1);
            }
            end = offset;
            continue;
        }
        if l.starts_with("\\ ") {
            // `\ No newline at end of file` after the last line of a hunk.
            if let Some(h) = cur.as_mut().and_then(|f| f.hunks.last_mut()) {
                h.body.end = offset;
            }
            end = offset;
            continue;
        }
        if let Some(rest) = l.strip_prefix("diff --git ") {
            files.extend(cur.take());
            let (a, b) = git_header_paths(rest);
            cur = Some(new_file(a, b));
            in_binary = false;
            end = offset;
            continue;
        }
        if in_binary {
            // literal/delta lines of a GIT binary patch, ended by a blank line
            end = offset;
            if l.is_empty() {
                in_binary = false;
            }
            continue;
        }
        if l.starts_with("@@") {
            if let (Some(f), Some((os, ol, ns, nl, ctx))) = (cur.as_mut(), parse_hunk_header(l)) {
                f.hunks.push(Hunk {
                    old_start: os,
                    old_lines: ol,
                    new_start: ns,
                    new_lines: nl,
                    header_context: ctx.to_owned(),
                    body: offset..offset,
                });
                rem_old = ol;
                rem_new = nl;
                end = offset;
                continue;
            }
            break;
        }
        if let Some(rest) = l.strip_prefix("--- ") {
            let next_is_plus = lines.peek().is_some_and(|n| n.starts_with("+++ "));
            if !next_is_plus {
                break;
            }
            let old = header_path(rest);
            match cur.as_mut() {
                Some(f) if f.hunks.is_empty() && !f.binary => {
                    f.old_path = old;
                }
                _ => {
                    files.extend(cur.take());
                    cur = Some(new_file(old, None));
                }
            }
            end = offset;
            continue;
        }
        if let Some(rest) = l.strip_prefix("+++ ") {
            if let Some(f) = cur.as_mut() {
                f.new_path = header_path(rest);
                if f.old_path.is_none() && f.change == FileChange::Modified {
                    f.change = FileChange::Added;
                } else if f.new_path.is_none() && f.change == FileChange::Modified {
                    f.change = FileChange::Deleted;
                }
            }
            end = offset;
            continue;
        }
        // Extended header lines belong to the current file while it has no hunk yet.
        let in_header = cur.as_ref().is_some_and(|f| f.hunks.is_empty());
        if l.starts_with("Index: ") || l.starts_with("diff -") || l.starts_with("=====") {
            // Preamble of a non-git file diff (svn/CVS/`diff -u`).
            files.extend(cur.take());
            end = offset;
            continue;
        }
        if in_header {
            let f = cur.as_mut().expect("in_header implies a current file");
            if let Some(m) = l.strip_prefix("new file mode ") {
                f.change = FileChange::Added;
                f.new_mode = Some(m.to_owned());
                f.old_path = None;
            } else if let Some(m) = l.strip_prefix("deleted file mode ") {
                f.change = FileChange::Deleted;
                f.old_mode = Some(m.to_owned());
                f.new_path = None;
            } else if let Some(m) = l.strip_prefix("old mode ") {
                f.old_mode = Some(m.to_owned());
            } else if let Some(m) = l.strip_prefix("new mode ") {
                f.new_mode = Some(m.to_owned());
            } else if l.starts_with("similarity index ") {
                f.change = FileChange::Renamed {
                    similarity: similarity(l),
                };
            } else if l.starts_with("dissimilarity index ") {
            } else if let Some(p) = l.strip_prefix("rename from ") {
                f.old_path = Some(unquote(p));
                f.change = FileChange::Renamed {
                    similarity: match f.change {
                        FileChange::Renamed { similarity } => similarity,
                        _ => None,
                    },
                };
            } else if let Some(p) = l.strip_prefix("rename to ") {
                f.new_path = Some(unquote(p));
            } else if let Some(p) = l.strip_prefix("copy from ") {
                f.old_path = Some(unquote(p));
                let s = match f.change {
                    FileChange::Renamed { similarity } => similarity,
                    _ => None,
                };
                f.change = FileChange::Copied { similarity: s };
            } else if let Some(p) = l.strip_prefix("copy to ") {
                f.new_path = Some(unquote(p));
            } else if let Some(ids) = l.strip_prefix("index ") {
                let ids = ids.split(' ').next().unwrap_or(ids);
                if let Some((a, b)) = ids.split_once("..") {
                    f.old_blob = Some(a.to_owned());
                    f.new_blob = Some(b.to_owned());
                }
                if let Some(mode) = l.split(' ').nth(2) {
                    f.old_mode.get_or_insert_with(|| mode.to_owned());
                    f.new_mode.get_or_insert_with(|| mode.to_owned());
                }
            } else if l == "GIT binary patch" {
                f.binary = true;
                in_binary = true;
            } else if l.starts_with("Binary files ") {
                f.binary = true;
            } else if l.starts_with("literal ") || l.starts_with("delta ") {
                in_binary = true;
            } else {
                break;
            }
            end = offset;
            continue;
        }
        let _ = start;
        break;
    }
    files.extend(cur.take());
    // A file header with neither hunks nor git extended info is not a diff.
    files.retain(|f| {
        !f.hunks.is_empty()
            || f.binary
            || f.change != FileChange::Modified
            || f.old_mode != f.new_mode
    });
    Diff {
        text: text[..end].to_owned(),
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_old_range_is_cut_at_char_boundaries() {
        // Found by the diff_trailer fuzzer: a body line with a multi-byte
        // character where the split old range is looked for panicked.
        assert_eq!(
            parse_hunk_header(" - Callstr\u{f6}m <thomasejun Heo <tj@kernel.org>"),
            None
        );
        assert_eq!(
            parse_hunk_header("@@ -49,\u{3000}7 +49,34 @@ f"),
            Some((49, 7, 49, 34, "f"))
        );
        assert_eq!(parse_hunk_header("@@ -\u{f6}\u{f6} 7 +1 @@"), None);
        // The lenient form it exists for still reads, with the range
        // named once more later in the line.
        assert_eq!(
            parse_hunk_header("@@ -49, 7 +49,34 @@ int f(int 49,)"),
            Some((49, 7, 49, 34, "int f(int 49,)"))
        );
        assert_eq!(
            parse_hunk_header("@@ -49,  7 +49,34 @@"),
            Some((49, 7, 49, 34, ""))
        );
    }

    const GIT: &str = "diff --git a/mm/huge_memory.c b/mm/huge_memory.c
index 0123abc..4567def 100644
--- a/mm/huge_memory.c
+++ b/mm/huge_memory.c
@@ -10,5 +10,6 @@ static int split_huge_page_to_list(struct page *page)
 a
-b
+c
+d
 e
 f
 g
@@ -40 +41 @@ void foo(void)
-x
+y
diff --git a/old.c b/new.c
similarity index 90%
rename from old.c
rename to new.c
diff --git a/bin.png b/bin.png
new file mode 100644
index 0000000..e69de29
GIT binary patch
literal 10
Rcmb=p

literal 0
HcmV?d00001

diff --git a/gone.c b/gone.c
deleted file mode 100644
index 1111111..0000000
--- a/gone.c
+++ /dev/null
@@ -1,2 +0,0 @@
-one
-two
-- 
2.43.0
";

    #[test]
    fn git_diff_anatomy() {
        let d = parse(GIT);
        assert_eq!(d.files.len(), 4, "{:#?}", d.files);
        let f = &d.files[0];
        assert_eq!(f.path(), "mm/huge_memory.c");
        assert_eq!((f.added, f.removed), (3, 2));
        assert_eq!(f.hunks.len(), 2);
        assert_eq!(
            f.hunks[0].header_context,
            "static int split_huge_page_to_list(struct page *page)"
        );
        assert_eq!(f.hunks[1].header_context, "void foo(void)");
        assert_eq!(
            (f.old_blob.as_deref(), f.new_blob.as_deref()),
            (Some("0123abc"), Some("4567def"))
        );
        assert_eq!(
            d.files[1].change,
            FileChange::Renamed {
                similarity: Some(90)
            }
        );
        assert_eq!(d.files[1].old_path.as_deref(), Some("old.c"));
        assert_eq!(d.files[1].new_path.as_deref(), Some("new.c"));
        assert!(d.files[2].binary);
        assert_eq!(d.files[2].change, FileChange::Added);
        assert_eq!(d.files[3].change, FileChange::Deleted);
        assert_eq!(d.files[3].old_path.as_deref(), Some("gone.c"));
        assert!(
            d.text.ends_with("-two\n"),
            "signature must not be part of the diff"
        );
        let added: Vec<_> = d
            .lines()
            .filter(|(k, _)| *k == LineKind::Added)
            .map(|(_, l)| l)
            .collect();
        assert_eq!(added, ["c", "d", "y"]);
    }

    #[test]
    fn hunk_lines_and_outline() {
        let t = "diff --git a/mm/x.c b/mm/x.c
--- a/mm/x.c
+++ b/mm/x.c
@@ -10,8 +10,9 @@ static int foo(void)
 \treturn 0;
 }
 
-static void bar(int a,
-\t\tint b)
+static void bar(int a,
+\t\tint b, int c)
 {
+\tc++;
 out:
 \tb++;
@@ -40,0 +42,2 @@ void baz(void)
+#define Q(x) \\
+\t((x) + 1)
";
        let d = parse(t);
        let h = &d.files[0].hunks;
        let a = h[0].lines(&d.text);
        assert_eq!(a.old_changed, [13, 14]);
        assert_eq!(a.new_changed, [13, 14, 16]);
        assert_eq!(a.old_inserted, [15, 16]);
        let outline: Vec<(LineKind, u32, u32, &str)> = a
            .outline
            .iter()
            .map(|o| (o.kind, o.old, o.new, o.text.as_str()))
            .collect();
        assert_eq!(
            outline,
            [
                (LineKind::Context, 11, 11, "}"),
                (LineKind::Removed, 13, 0, "static void bar(int a,"),
                (LineKind::Removed, 14, 0, "\t\tint b)"),
                (LineKind::Added, 0, 13, "static void bar(int a,"),
                (LineKind::Added, 0, 14, "\t\tint b, int c)"),
                (LineKind::Context, 15, 15, "{"),
                (LineKind::Context, 16, 17, "out:"),
            ]
        );
        let b = h[1].lines(&d.text);
        assert_eq!(b.new_changed, [42, 43]);
        assert_eq!(b.old_inserted, [41]);
        assert_eq!(b.outline.len(), 2, "{:?}", b.outline);
        assert_eq!(b.outline[1].text, "\t((x) + 1)");
    }

    #[test]
    fn plain_unified_with_timestamps() {
        let t = "Index: linux/mm/x.c\n===================================================================\n--- linux.orig/mm/x.c\t2010-01-01 00:00:00\n+++ linux/mm/x.c\t2010-01-02 00:00:00\n@@ -1 +1,2 @@\n a\n+b\n";
        let start = find_start(t).expect("diff found");
        assert_eq!(start, 0);
        let d = parse(&t[start..]);
        assert_eq!(d.files.len(), 1);
        assert_eq!(d.files[0].path(), "mm/x.c");
        assert_eq!(d.files[0].added, 1);
    }

    #[test]
    fn quoted_paths() {
        let t = "diff --git \"a/caf\\303\\251.c\" \"b/caf\\303\\251.c\"\nindex 1..2 100644\n--- \"a/caf\\303\\251.c\"\n+++ \"b/caf\\303\\251.c\"\n@@ -1 +1 @@\n-a\n+b\n";
        let d = parse(t);
        assert_eq!(d.files[0].path(), "café.c");
    }

    #[test]
    fn no_diff_in_prose() {
        assert_eq!(find_start("Hello\n--- not a diff\nbye\n"), None);
        assert_eq!(find_start("---\n a | 1 +\n"), None);
    }
}
