//! Diff fingerprints and the diff-similarity score (method 4, in the spirit
//! of PaStA: files in common, then the changed lines, then the message).
//!
//! A fingerprint is the sorted set of 64-bit hashes of the changed lines of a
//! diff (`+`/`-` lines inside hunks, whitespace removed, sign kept), capped at
//! [`MAX_LINES`] lines. Commits keep theirs in the index, so the score never
//! needs the commit's diff again.

use std::hash::Hasher;

/// At most this many changed lines are fingerprinted per patch.
pub const MAX_LINES: usize = 512;

/// FNV-1a, stable across runs and platforms (the fingerprints are stored).
struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

fn hash_line(sign: u8, line: &[u8]) -> u64 {
    let mut h = Fnv(0xcbf29ce484222325);
    h.write(&[sign]);
    for &b in line {
        if !b.is_ascii_whitespace() {
            h.write(&[b]);
        }
    }
    h.finish()
}

/// A diff's file paths and changed-line fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Paths touched (the `b/` side, or `a/` for deletions), sorted, unique.
    pub files: Vec<String>,
    /// Sorted, unique hashes of changed lines.
    pub lines: Vec<u64>,
}

/// Fingerprints unified diff text (a mail's diff or a generated one).
pub fn fingerprint(diff: &[u8]) -> Fingerprint {
    let mut files = Vec::new();
    let mut lines = Vec::new();
    let mut in_hunk = false;
    for line in diff.split(|&b| b == b'\n') {
        if line.starts_with(b"diff --git ") {
            in_hunk = false;
            continue;
        }
        if line.starts_with(b"@@ ") {
            in_hunk = true;
            continue;
        }
        if !in_hunk {
            if let Some(p) = line
                .strip_prefix(b"+++ ")
                .or_else(|| line.strip_prefix(b"--- "))
            {
                let p = String::from_utf8_lossy(p);
                let p = p.trim().trim_matches('"');
                let p = p
                    .strip_prefix("b/")
                    .or_else(|| p.strip_prefix("a/"))
                    .unwrap_or(p);
                if p != "/dev/null" && !p.is_empty() {
                    files.push(p.split('\t').next().unwrap_or(p).to_owned());
                }
            }
            continue;
        }
        match line.first() {
            Some(&s @ (b'+' | b'-')) => {
                if lines.len() < MAX_LINES {
                    let body = &line[1..];
                    if body.iter().any(|b| !b.is_ascii_whitespace()) {
                        lines.push(hash_line(s, body));
                    }
                }
            }
            Some(b' ') | Some(b'\\') => {}
            Some(b'd') if line.starts_with(b"diff ") => in_hunk = false,
            _ => {
                if !line.is_empty() {
                    in_hunk = false;
                }
            }
        }
    }
    files.sort();
    files.dedup();
    lines.sort_unstable();
    lines.dedup();
    Fingerprint { files, lines }
}

/// Jaccard index of two sorted unique slices.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// The similarity of a patch to a commit, in 0..=1, and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Jaccard of the file sets.
    pub files: f64,
    /// Jaccard of the changed-line fingerprints.
    pub lines: f64,
    /// Jaccard of the subject words (after prefix removal).
    pub message: f64,
    /// The combined score: `0.2 files + 0.6 lines + 0.2 message`.
    pub total: f64,
}

/// Scores a patch against a commit.
pub fn score(
    patch: &Fingerprint,
    commit: &Fingerprint,
    patch_words: &[&str],
    commit_words: &[&str],
) -> Score {
    let files = jaccard(&patch.files, &commit.files);
    let lines = jaccard(&patch.lines, &commit.lines);
    let mut pw: Vec<&str> = patch_words.to_vec();
    let mut cw: Vec<&str> = commit_words.to_vec();
    pw.sort_unstable();
    pw.dedup();
    cw.sort_unstable();
    cw.dedup();
    let message = jaccard(&pw, &cw);
    Score {
        files,
        lines,
        message,
        total: 0.2 * files + 0.6 * lines + 0.2 * message,
    }
}

/// Packs a fingerprint's line hashes for storage.
pub fn pack_lines(lines: &[u64]) -> Vec<u8> {
    lines.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// Unpacks [`pack_lines`].
pub fn unpack_lines(b: &[u8]) -> Vec<u64> {
    b.chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_le_bytes(a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_of_a_diff() {
        let d = b"diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@ f\n a\n-b\n+c\n d\n";
        let f = fingerprint(d);
        assert_eq!(f.files, vec!["x.c"]);
        assert_eq!(f.lines.len(), 2);
        let g = fingerprint(
            b"diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -9,3 +9,3 @@\n a\n-b\n+ c\n d\n",
        );
        assert!((jaccard(&f.lines, &g.lines) - 1.0).abs() < 1e-9);
    }
}
