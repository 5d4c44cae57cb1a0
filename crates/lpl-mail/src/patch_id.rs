//! `git patch-id --stable`, reimplemented.
//!
//! A patch-id identifies the *change* a patch makes, independent of line
//! numbers, whitespace and the order of the files in the diff. Two patches
//! with the same patch-id are, for practical purposes, the same patch: this is
//! how a mailed patch is recognised in an upstream repository.
//!
//! The algorithm follows git's `builtin/patch-id.c` (git 2.47) line by line,
//! in its `--stable` mode:
//!
//! * the input is unified diff text: a `git format-patch` mail (raw or its
//!   body), or `git show` / `git log -p` output;
//! * a line `commit <40 hex>`, `From <40 hex>` or a line starting with 40 hex
//!   digits starts the next patch ([`patch_ids_stable`] splits on them);
//! * everything before the first `diff ` line is ignored (commit message,
//!   diffstat), and so are `\ No newline at end of file` markers, `index`
//!   lines and hunk headers (`@@ -a,b +c,d @@`);
//! * every other line of the diff — file headers (`diff --git`, `--- a/x`,
//!   `+++ b/x`, mode and rename lines) and hunk lines — is hashed with SHA-1
//!   after removing whitespace (git's `isspace`: space, tab, LF, CR — not form
//!   feed or vertical tab, which C's `isspace` would also remove);
//! * each file's SHA-1 is added into the 20-byte result as a little-endian
//!   number with carry, so the order of the files does not matter;
//! * a binary file (`GIT binary patch` / `Binary files … differ`) contributes
//!   the two blob ids of its `index` line instead of its content;
//! * the patch ends at the first line that cannot continue a diff (for a mail,
//!   the `-- ` signature separator).

use std::fmt;
use std::str::FromStr;

use sha1::{Digest, Sha1};

/// The stable patch-id of a patch: 20 bytes, shown as 40 lowercase hex digits
/// (the first column of `git patch-id --stable`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatchId([u8; 20]);

impl PatchId {
    /// Wraps 20 raw bytes.
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    /// The 20 raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The 40-digit lowercase hex form.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PatchId({self})")
    }
}

/// A string that is not 40 hex digits was given as a patch-id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a patch-id (40 hex digits expected): {0:?}")]
pub struct ParsePatchIdError(String);

impl FromStr for PatchId {
    type Err = ParsePatchIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        parse_hex40(t.as_bytes())
            .filter(|_| t.len() == 40)
            .map(PatchId)
            .ok_or_else(|| ParsePatchIdError(s.to_owned()))
    }
}

impl serde::Serialize for PatchId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PatchId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One patch found by [`patch_ids_stable`]: the commit id that introduced it
/// in the input (`commit <id>` or `From <id>` line; `None` for the first patch
/// of a bare diff or mail body) and its patch-id. This is one output line of
/// `git patch-id --stable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatchIdEntry {
    /// The 20-byte commit id named before the patch, if any.
    pub commit: Option<[u8; 20]>,
    /// The stable patch-id.
    pub patch_id: PatchId,
}

/// The stable patch-id of the first patch in `diff` that has any diff content,
/// exactly as the first line printed by `git patch-id --stable` for the same
/// input; `None` when git would print nothing (no diff at all).
pub fn patch_id_stable(diff: &[u8]) -> Option<PatchId> {
    let mut input = diff;
    let mut first = true;
    while !input.is_empty() || first {
        first = false;
        let one = one_patch(&mut input);
        if one.patchlen > 0 {
            return Some(one.result);
        }
    }
    None
}

/// Every patch-id of a stream holding several patches (`git log -p` output, an
/// mbox of `format-patch` mails), in order: the same lines as
/// `git patch-id --stable` prints.
pub fn patch_ids_stable(input: &[u8]) -> Vec<PatchIdEntry> {
    let mut out = Vec::new();
    let mut rest = input;
    let mut current: Option<[u8; 20]> = None;
    let mut first = true;
    while !rest.is_empty() || first {
        first = false;
        let one = one_patch(&mut rest);
        if one.patchlen > 0 {
            out.push(PatchIdEntry {
                commit: current,
                patch_id: one.result,
            });
        }
        current = one.next;
    }
    out
}

struct OnePatch {
    patchlen: usize,
    result: PatchId,
    next: Option<[u8; 20]>,
}

/// git's own `isspace` (git-compat-util.h `sane_ctype`): space, tab, LF
/// and CR only; unlike C's, not vertical tab or form feed.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// git's `get_oid_hex`: 40 hex digits at the start of `s` (what follows does
/// not matter).
fn parse_hex40(s: &[u8]) -> Option<[u8; 20]> {
    if s.len() < 40 {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (hex_val(s[2 * i])? << 4) | hex_val(s[2 * i + 1])?;
    }
    Some(out)
}

/// `strspn(s, digits)`.
fn digits_len(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// git's `strtoi_with_tail` on a run of digits: the value, or `None` if there
/// are no digits or it overflows an `int`.
fn parse_int(s: &[u8]) -> Option<(i64, usize)> {
    let n = digits_len(s);
    if n == 0 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in &s[..n] {
        v = v.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
        if v > i64::from(i32::MAX) {
            return None;
        }
    }
    Some((v, n))
}

/// git's `scan_hunk_header`: updates `before`/`after` from `@@ -a[,b] +c[,d]`
/// (a missing count means 1); on a malformed header only the counts parsed so
/// far are changed, as in git.
fn scan_hunk_header(line: &[u8], before: &mut i64, after: &mut i64) {
    let q = &line[4..];
    let mut n = digits_len(q);
    let mut q = q;
    if q.get(n) == Some(&b',') {
        q = &q[n + 1..];
        match parse_int(q) {
            Some((v, len)) => {
                *before = v;
                n = len;
            }
            None => return,
        }
    } else {
        *before = 1;
    }
    if n == 0 || q.get(n) != Some(&b' ') || q.get(n + 1) != Some(&b'+') {
        return;
    }
    let r = &q[n + 2..];
    let n = digits_len(r);
    if r.get(n) == Some(&b',') {
        if let Some((v, _)) = parse_int(&r[n + 1..]) {
            *after = v;
        }
    } else {
        *after = 1;
    }
}

/// Adds `hash` into `result` as 20-byte little-endian numbers with carry, then
/// resets the hasher (git's `flush_one_hunk`).
fn flush(result: &mut [u8; 20], ctx: &mut Sha1) {
    let hash = ctx.finalize_reset();
    let mut carry: u16 = 0;
    for (r, h) in result.iter_mut().zip(hash.iter()) {
        carry += u16::from(*r) + u16::from(*h);
        *r = (carry & 0xff) as u8;
        carry >>= 8;
    }
}

/// Splits off the next line (with its `\n`, if any).
fn next_line<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    if input.is_empty() {
        return None;
    }
    let end = memchr::memchr(b'\n', input).map_or(input.len(), |i| i + 1);
    let (line, rest) = input.split_at(end);
    *input = rest;
    Some(line)
}

/// git's `get_one_patchid` in stable, non-verbatim mode.
fn one_patch(input: &mut &[u8]) -> OnePatch {
    let mut patchlen = 0usize;
    let mut before: i64 = -1;
    let mut after: i64 = -1;
    let mut diff_is_binary = false;
    let mut pre_oid: Vec<u8> = Vec::new();
    let mut post_oid: Vec<u8> = Vec::new();
    let mut ctx = Sha1::new();
    let mut result = [0u8; 20];
    let mut next = None;
    // Stripped lines not yet given to `ctx`: must be hashed before every
    // `flush`.
    let mut pending: Vec<u8> = Vec::with_capacity(8192 + 256);

    while let Some(raw) = next_line(input) {
        // C string functions stop at a NUL byte.
        let line = match memchr::memchr(0, raw) {
            Some(i) => &raw[..i],
            None => raw,
        };

        let p = if let Some(rest) = line.strip_prefix(b"commit ") {
            rest
        } else if let Some(rest) = line.strip_prefix(b"From ") {
            rest
        } else {
            if line.starts_with(b"\\ ") && line.len() > 12 {
                continue;
            }
            line
        };
        if let Some(oid) = parse_hex40(p) {
            next = Some(oid);
            break;
        }

        // Ignore the commit message.
        if patchlen == 0 && !line.starts_with(b"diff ") {
            continue;
        }

        // Parsing a diff header?
        if before == -1 {
            if line.starts_with(b"GIT binary patch") || line.starts_with(b"Binary files") {
                diff_is_binary = true;
                before = 0;
                ctx.update(&pending);
                pending.clear();
                ctx.update(&pre_oid);
                ctx.update(&post_oid);
                flush(&mut result, &mut ctx);
                continue;
            } else if let Some(p) = line.strip_prefix(b"index ") {
                record_index_oids(line, p, &mut pre_oid, &mut post_oid);
                continue;
            } else if line.starts_with(b"--- ") {
                before = 1;
                after = 1;
            } else if !line.first().is_some_and(u8::is_ascii_alphabetic) {
                break;
            }
        }

        if diff_is_binary {
            if line.starts_with(b"diff ") {
                diff_is_binary = false;
                before = -1;
            }
            continue;
        }

        // Looking for a hunk header?
        if before == 0 && after == 0 {
            if line.starts_with(b"@@ -") {
                scan_hunk_header(line, &mut before, &mut after);
                continue;
            }
            // The end of the patch.
            if !line.starts_with(b"diff ") {
                break;
            }
            // Another file's header.
            ctx.update(&pending);
            pending.clear();
            flush(&mut result, &mut ctx);
            before = -1;
            after = -1;
        }

        // Inside a hunk (or a file header).
        match line.first() {
            Some(b'-') => before -= 1,
            Some(b'+') => after -= 1,
            Some(b' ') => {
                before -= 1;
                after -= 1;
            }
            _ => {}
        }

        // The line without whitespace, appended to what is still to be
        // hashed (one SHA-1 update per few KiB instead of one per line).
        let start = pending.len();
        pending.resize(start + line.len(), 0);
        let mut n = start;
        for &b in line {
            pending[n] = b;
            n += usize::from(!is_c_space(b));
        }
        pending.truncate(n);
        patchlen += n - start;
        if pending.len() >= 8192 {
            ctx.update(&pending);
            pending.clear();
        }
    }

    ctx.update(&pending);
    flush(&mut result, &mut ctx);
    OnePatch {
        patchlen,
        result: PatchId(result),
        next,
    }
}

/// Remembers the two blob ids of an `index <pre>..<post>[ <mode>]` line, as
/// git does (they are hashed in place of a binary file's content).
fn record_index_oids(line: &[u8], p: &[u8], pre: &mut Vec<u8>, post: &mut Vec<u8>) {
    // Offsets are into `line`; `p` starts 6 bytes in.
    let Some(dots) = memchr::memmem::find(line, b"..") else {
        return;
    };
    let oid2_end = memchr::memchr(b' ', &line[dots..])
        .map(|i| dots + i)
        .unwrap_or_else(|| line.len().saturating_sub(1));
    let start = line.len() - p.len();
    // git truncates each id to 64 characters (GIT_MAX_HEXSZ).
    let take = |s: &[u8]| s[..s.len().min(64)].to_vec();
    if dots >= start {
        *pre = take(&line[start..dots]);
    } else {
        pre.clear();
    }
    let post_start = dots + 2;
    *post = if oid2_end > post_start {
        take(&line[post_start..oid2_end])
    } else {
        Vec::new()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id: PatchId = "0123456789abcdef0123456789ABCDEF01234567"
            .parse()
            .expect("valid hex");
        assert_eq!(id.to_string(), "0123456789abcdef0123456789abcdef01234567");
        assert!("0123".parse::<PatchId>().is_err());
        assert!(
            "0123456789abcdef0123456789abcdef0123456g"
                .parse::<PatchId>()
                .is_err()
        );
    }

    #[test]
    fn no_diff_gives_none() {
        assert_eq!(patch_id_stable(b"just a message\n\nwith no diff\n"), None);
        assert_eq!(patch_id_stable(b""), None);
    }

    #[test]
    fn file_order_and_whitespace_do_not_matter() {
        let a = b"diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\
diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -5,2 +5,2 @@\n c\n-d\n+e\n";
        let b = b"diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -9,2 +9,2 @@\n  c\n-d \n+e\n\
diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3 +3 @@\n-a\n+b\n";
        let ia = patch_id_stable(a).expect("has a diff");
        let ib = patch_id_stable(b).expect("has a diff");
        assert_eq!(ia, ib);
        let c = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+c\n";
        assert_ne!(patch_id_stable(c), Some(ia));
    }

    #[test]
    fn hunk_ends_at_signature() {
        let a = b"msg\n---\n x | 2 +-\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n";
        let b = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(patch_id_stable(a), patch_id_stable(b));
    }

    #[test]
    fn form_feed_is_not_whitespace_for_git() {
        // git's isspace() keeps \f and \v (the GPL's page breaks in COPYING).
        let a = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n a\n-\x0c\n";
        let b = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n a\n-\n";
        assert_ne!(patch_id_stable(a), patch_id_stable(b));
        let c = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n a\n- \r\n";
        assert_eq!(patch_id_stable(b), patch_id_stable(c));
    }
}
