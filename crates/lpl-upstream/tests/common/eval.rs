//! Scoring patch-to-commit matches against the liburing ground truth
//! (`liburing-commit-to-msgid.tsv`: commits whose `Link:` names a message of
//! the io-uring list epoch). Shared by the `match_liburing` test and the
//! `eval_liburing` example.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use lpl_upstream::{Match, MatchMethod, PatchInput};

/// Every message of the epoch that carries a diff, as matcher input.
/// Replies (`Re:`) count only by Message-ID (for `Link:`): treating their
/// inline diffs as patches added a false match and no true one on liburing.
pub fn epoch_patches(epoch: &Path) -> Vec<PatchInput> {
    let revs = Command::new("git")
        .arg("-C")
        .arg(epoch)
        .args(["rev-list", "HEAD"])
        .output()
        .expect("git rev-list");
    let mut batch = Vec::new();
    for r in String::from_utf8_lossy(&revs.stdout).lines() {
        batch.extend_from_slice(format!("{r}:m\n").as_bytes());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(epoch)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git cat-file");
    let mut stdin = child.stdin.take().expect("stdin");
    let w = std::thread::spawn(move || stdin.write_all(&batch));
    let out = child.wait_with_output().expect("cat-file output");
    w.join().expect("join").expect("write");
    let mut raws: Vec<&[u8]> = Vec::new();
    let mut rest = &out.stdout[..];
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let mut parts = header.split(' ');
        if parts.nth(1) != Some("blob") {
            rest = &rest[nl + 1..];
            continue;
        }
        let size: usize = parts.next().and_then(|s| s.parse().ok()).expect("size");
        raws.push(&rest[nl + 1..nl + 1 + size]);
        rest = &rest[(nl + 1 + size + 1).min(rest.len())..];
    }
    use rayon::prelude::*;
    raws.par_iter()
        .filter_map(|raw| {
            let maybe_patch = memchr::memmem::find(raw, b"diff --git").is_some()
                || memchr::memmem::find(raw, b"base64").is_some()
                || memchr::memmem::find(raw, b"quoted-printable").is_some();
            if maybe_patch {
                let m = lpl_mail::parse(raw).message;
                if !m.tags.is_reply && m.patch.is_some() {
                    return PatchInput::from_message(&m, None);
                }
                let id = m.message_id?.as_str().to_owned();
                return Some(PatchInput {
                    message_id: id,
                    ..Default::default()
                });
            }
            // Not a patch: only its Message-ID matters (for Link: trailers).
            Some(PatchInput {
                message_id: header_message_id(raw)?,
                ..Default::default()
            })
        })
        .collect()
}

/// The `Message-ID:` header of a raw message, without a full parse.
pub fn header_message_id(raw: &[u8]) -> Option<String> {
    let end = memchr::memmem::find(raw, b"\n\n").unwrap_or(raw.len());
    let head = &raw[..end];
    let mut lines = head.split(|&b| b == b'\n').peekable();
    while let Some(l) = lines.next() {
        if l.len() > 11 && l[..11].eq_ignore_ascii_case(b"message-id:") {
            let mut v = String::from_utf8_lossy(&l[11..]).into_owned();
            // Folded value on the next line.
            if v.trim().is_empty()
                && let Some(n) = lines.peek()
            {
                v = String::from_utf8_lossy(n).into_owned();
            }
            return lpl_upstream::links::normalise_id(&v);
        }
    }
    None
}

/// Precision/recall figures.
#[derive(Debug, Default, Clone)]
pub struct Scores {
    /// Ground-truth pairs.
    pub truth: usize,
    /// Ground-truth messages found in the archive input.
    pub truth_in_input: usize,
    /// Per method: (correct, wrong).
    pub per_method: HashMap<MatchMethod, (usize, usize)>,
    /// Correct matches.
    pub correct: usize,
    /// Wrong matches: a ground-truth message matched to another commit, or a
    /// ground-truth commit matched from another message.
    pub wrong: Vec<(Match, String)>,
    /// Ground-truth messages with no match.
    pub missed: Vec<(String, String)>,
}

impl Scores {
    /// correct / (correct + wrong).
    pub fn precision(&self) -> f64 {
        let w = self.wrong.len();
        if self.correct + w == 0 {
            return 0.0;
        }
        self.correct as f64 / (self.correct + w) as f64
    }
    /// correct / ground truth.
    pub fn recall(&self) -> f64 {
        self.correct as f64 / self.truth.max(1) as f64
    }
}

/// Scores `matches` against the (commit, message-id) ground truth: a match
/// is correct if the pair is in the truth, wrong if its message or its commit
/// is in the truth with another partner; recall counts truth pairs found.
pub fn score(matches: &[Match], truth: &[(String, String, u64)]) -> Scores {
    let pairs: HashSet<(&str, &str)> = truth
        .iter()
        .map(|(c, m, _)| (m.as_str(), c.as_str()))
        .collect();
    let msgs: HashMap<&str, Vec<&str>> = truth.iter().fold(HashMap::new(), |mut acc, (c, m, _)| {
        acc.entry(m.as_str())
            .or_insert_with(Vec::new)
            .push(c.as_str());
        acc
    });
    let commits: HashMap<&str, Vec<&str>> =
        truth.iter().fold(HashMap::new(), |mut acc, (c, m, _)| {
            acc.entry(c.as_str())
                .or_insert_with(Vec::new)
                .push(m.as_str());
            acc
        });
    let mut s = Scores {
        truth: pairs.len(),
        ..Default::default()
    };
    let mut found: HashSet<(String, String)> = HashSet::new();
    for m in matches {
        let commit = m.commit.to_string();
        let e = s.per_method.entry(m.method).or_default();
        if pairs.contains(&(m.message_id.as_str(), commit.as_str())) {
            e.0 += 1;
            found.insert((m.message_id.clone(), commit));
        } else if let Some(cs) = msgs.get(m.message_id.as_str()) {
            e.1 += 1;
            s.wrong
                .push((m.clone(), format!("truth for this message is {cs:?}")));
        } else if let Some(ms) = commits.get(commit.as_str()) {
            e.1 += 1;
            s.wrong
                .push((m.clone(), format!("commit belongs to {ms:?}")));
        }
    }
    s.correct = found.len();
    for (c, m, _) in truth {
        if !found.contains(&(m.clone(), c.clone())) {
            s.missed.push((m.clone(), c.clone()));
        }
    }
    s
}
