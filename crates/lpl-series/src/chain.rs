//! Revision chains: v1 -> v2 -> ... -> vN of the same work, with the reason
//! and confidence of each link, and the user's manual corrections.
//!
//! Candidate links (predecessor `P` sent before revision `R`):
//! 1. the same b4 `change-id` (confidence 1.0);
//! 2. `R` was sent in reply into `P`'s thread by the same sender (0.95);
//! 3. same normalised title and same sender, any time apart (0.9; 0.6 when
//!    `R` does not carry a higher revision number);
//! 4. the title drifted but the patches are alike: same sender, higher
//!    revision, overlap of patch-ids, patch titles and files (0.5..0.85).
//!
//! Links are accepted greedily, best first, so that each revision has at
//! most one predecessor and one successor. Manual `link` overrides are
//! applied first and `unlink` overrides forbid a pair.

use std::collections::{HashMap, HashSet};

use lpl_mail::MessageId;
use serde::Serialize;

use crate::input::MessageMeta;
use crate::series::{Assembly, SeriesKind, SeriesRevision};
use crate::thread::Threads;

/// Why two revisions were linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkReason {
    /// The user linked them.
    Manual,
    /// Same b4 `change-id`.
    ChangeId,
    /// The newer revision was sent in reply into the older one's thread.
    InReplyTo,
    /// Same normalised title from the same sender.
    SameTitle,
    /// Different titles, similar patches (files, patch titles, patch-ids).
    SimilarPatches,
}

/// One link of a chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The older revision (index into [`Assembly::revisions`]).
    pub from: usize,
    /// The newer revision.
    pub to: usize,
    /// Why.
    pub reason: LinkReason,
    /// How sure, 0..=1.
    pub confidence: f32,
}

/// A manual correction, keyed by each revision's key Message-ID (the cover,
/// else the first patch: [`SeriesRevision::key_message`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Override {
    /// Link or unlink.
    pub kind: OverrideKind,
    /// The older revision's key Message-ID.
    pub older: MessageId,
    /// The newer revision's key Message-ID.
    pub newer: MessageId,
}

/// Kind of [`Override`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverrideKind {
    /// These two are consecutive revisions of one work.
    Link,
    /// These two are not.
    Unlink,
}

/// All chains.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Chains {
    /// Accepted links.
    pub links: Vec<Link>,
    /// Each chain: revision indices, oldest first. Every revision is in
    /// exactly one chain (alone if unlinked).
    pub chains: Vec<Vec<usize>>,
    /// For each revision, its chain's index.
    pub chain_of: Vec<usize>,
    /// For each revision, the link to its predecessor (index into `links`).
    pub pred_link: Vec<Option<usize>>,
}

impl Chains {
    /// The chain containing revision `r`, oldest first.
    pub fn chain(&self, r: usize) -> &[usize] {
        &self.chains[self.chain_of[r]]
    }

    /// The latest revision of `r`'s chain.
    pub fn latest(&self, r: usize) -> usize {
        *self.chain(r).last().expect("chains are never empty")
    }

    /// The link into revision `r` from its predecessor.
    pub fn predecessor(&self, r: usize) -> Option<&Link> {
        self.pred_link[r].map(|l| &self.links[l])
    }
}

/// Link the revisions of `assembly` into chains.
pub fn link_revisions(
    messages: &[MessageMeta],
    threads: &Threads,
    assembly: &Assembly,
    overrides: &[Override],
) -> Chains {
    let revs = &assembly.revisions;
    let n = revs.len();
    let key_id = |r: &SeriesRevision| &messages[r.key_message()].message_id;
    let by_key: HashMap<&MessageId, usize> = revs
        .iter()
        .enumerate()
        .map(|(i, r)| (key_id(r), i))
        .collect();

    let mut forbidden: HashSet<(usize, usize)> = HashSet::new();
    let mut candidates: Vec<Link> = Vec::new();
    for o in overrides {
        let (Some(&a), Some(&b)) = (by_key.get(&o.older), by_key.get(&o.newer)) else {
            continue;
        };
        match o.kind {
            OverrideKind::Link => candidates.push(Link {
                from: a,
                to: b,
                reason: LinkReason::Manual,
                confidence: 2.0,
            }),
            OverrideKind::Unlink => {
                forbidden.insert((a, b));
                forbidden.insert((b, a));
            }
        }
    }
    // Manual links win over automatic ones on the same pair.
    let manual: HashSet<(usize, usize)> = candidates.iter().map(|l| (l.from, l.to)).collect();

    let usable = |r: &SeriesRevision| r.kind != SeriesKind::PullRequest;
    let before = |a: usize, b: usize| (revs[a].date, a) < (revs[b].date, b);

    // 1. change-id
    let mut by_change: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if let Some(c) = r.change_id.as_deref().filter(|c| !c.is_empty()) {
            by_change.entry(c).or_default().push(i);
        }
    }
    for list in by_change.values() {
        for w in list.windows(2) {
            candidates.push(Link {
                from: w[0],
                to: w[1],
                reason: LinkReason::ChangeId,
                confidence: 1.0,
            });
        }
    }

    // 2. in reply into an older revision's thread
    for (i, r) in revs.iter().enumerate() {
        if !usable(r) {
            continue;
        }
        let top = r.key_message();
        if let Some(o) = threads
            .ancestor_messages(top)
            .find_map(|a| assembly.revision_of_message(a).filter(|&o| o != i))
        {
            let old = &revs[o];
            if usable(old)
                && before(o, i)
                && old.sender_email.eq_ignore_ascii_case(&r.sender_email)
                // A higher number: a new revision sent into the old thread.
                // The same number is a fixlet or a partial resend, not a
                // new revision of the work.
                && (r.revision > old.revision
                    || (r.is_resend && r.normalized_title == old.normalized_title))
            {
                candidates.push(Link {
                    from: o,
                    to: i,
                    reason: LinkReason::InReplyTo,
                    confidence: 0.95,
                });
            }
        }
    }

    // 3. same title, same sender
    let mut by_title: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        let key = title_key(&r.normalized_title);
        if usable(r) && !key.is_empty() {
            by_title
                .entry((r.sender_email.to_ascii_lowercase(), key))
                .or_default()
                .push(i);
        }
    }
    for list in by_title.values() {
        // list is in date order (revisions are sorted by date).
        for (k, &b) in list.iter().enumerate().skip(1) {
            // One candidate per lower revision number: its latest sending.
            let rb = &revs[b];
            let mut numbers_seen: Vec<u32> = Vec::new();
            for &a in list[..k].iter().rev() {
                let ra = &revs[a];
                if ra.revision >= rb.revision
                    || numbers_seen.contains(&ra.revision)
                    || (ra.patches.is_empty()
                        && list[..k].iter().any(|&o| {
                            revs[o].revision == ra.revision && !revs[o].patches.is_empty()
                        }))
                {
                    continue;
                }
                numbers_seen.push(ra.revision);
                // A cover re-sent without its patches is a weaker anchor
                // than the sending that carried them.
                let confidence = if ra.patches.is_empty() { 0.7 } else { 0.9 };
                candidates.push(Link {
                    from: a,
                    to: b,
                    reason: LinkReason::SameTitle,
                    confidence,
                });
            }
            if numbers_seen.is_empty() {
                // Same number again (a resend, or unlabelled reposts).
                candidates.push(Link {
                    from: list[k - 1],
                    to: b,
                    reason: LinkReason::SameTitle,
                    confidence: 0.6,
                });
            }
        }
    }

    // 4. similar patches (title drift), same sender, higher revision.
    let features: Vec<HashSet<Feature>> = revs.iter().map(|r| features(messages, r)).collect();
    let mut index: HashMap<(&str, &Feature), Vec<usize>> = HashMap::new();
    let senders: Vec<String> = revs
        .iter()
        .map(|r| r.sender_email.to_ascii_lowercase())
        .collect();
    for (i, f) in features.iter().enumerate() {
        if !usable(&revs[i]) {
            continue;
        }
        for x in f {
            if matches!(x, Feature::File(_)) {
                continue; // files alone are too common to index on
            }
            index.entry((senders[i].as_str(), x)).or_default().push(i);
        }
    }
    for (b, rb) in revs.iter().enumerate() {
        if !usable(rb) || !rb.revision_labeled || rb.revision < 2 {
            continue;
        }
        let mut seen: HashSet<usize> = HashSet::new();
        for x in &features[b] {
            let Some(list) = index.get(&(senders[b].as_str(), x)) else {
                continue;
            };
            for &a in list {
                if a == b || !seen.insert(a) || !before(a, b) || revs[a].revision >= rb.revision {
                    continue;
                }
                let s = similarity(&features[a], &features[b]);
                if s >= 0.5 {
                    candidates.push(Link {
                        from: a,
                        to: b,
                        reason: LinkReason::SimilarPatches,
                        confidence: (0.5 + 0.35 * s).min(0.85),
                    });
                }
            }
        }
    }

    // 5. title drift with no shared patch title or patch-id: the next
    // revision number from the same sender within 120 days, touching
    // mostly the same files, with some title words in common.
    let mut by_sender_rev: HashMap<(&str, u32), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if usable(r) {
            by_sender_rev
                .entry((senders[i].as_str(), r.revision))
                .or_default()
                .push(i);
        }
    }
    let words: Vec<HashSet<String>> = revs.iter().map(|r| title_words(messages, r)).collect();
    for (b, rb) in revs.iter().enumerate() {
        if !usable(rb) || !rb.revision_labeled || rb.revision < 2 {
            continue;
        }
        let Some(list) = by_sender_rev.get(&(senders[b].as_str(), rb.revision - 1)) else {
            continue;
        };
        for &a in list {
            let dt = rb.date.saturating_sub(revs[a].date);
            if !before(a, b) || dt > 120 * 86_400 {
                continue;
            }
            let files = overlap(&features[a], &features[b], |f| {
                matches!(f, Feature::File(_))
            });
            let common = words[a].intersection(&words[b]).count();
            let wj = common as f32 / words[a].union(&words[b]).count().max(1) as f32;
            if files >= 0.5 && wj >= 0.25 {
                candidates.push(Link {
                    from: a,
                    to: b,
                    reason: LinkReason::SimilarPatches,
                    confidence: (0.4 + 0.2 * files + 0.2 * wj).min(0.75),
                });
            }
        }
    }

    // Accept greedily.
    candidates.retain(|l| {
        l.from != l.to
            && !forbidden.contains(&(l.from, l.to))
            && (l.reason == LinkReason::Manual || !manual.contains(&(l.from, l.to)))
    });
    // Order: manual, change-id and in-reply links first; then the smallest
    // revision gap (v9 -> v10 beats v1 -> v10 even when v1 has the same
    // title); then confidence; then the closest in time.
    let tier = |l: &Link| match l.reason {
        LinkReason::Manual => 0u8,
        LinkReason::ChangeId => 1,
        LinkReason::InReplyTo => 2,
        _ => 3,
    };
    let gap = |l: &Link| {
        let (a, b) = (revs[l.from].revision, revs[l.to].revision);
        if b > a { b - a } else { u32::MAX }
    };
    let dt = |l: &Link| (revs[l.to].date.saturating_sub(revs[l.from].date)).unsigned_abs();
    candidates.sort_by(|x, y| {
        tier(x)
            .cmp(&tier(y))
            .then(gap(x).cmp(&gap(y)))
            .then(y.confidence.total_cmp(&x.confidence))
            .then(dt(x).cmp(&dt(y)))
            .then((x.to, x.from).cmp(&(y.to, y.from)))
    });
    let mut pred: Vec<Option<usize>> = vec![None; n];
    let mut succ: Vec<Option<usize>> = vec![None; n];
    let mut links: Vec<Link> = Vec::new();
    let mut pred_link = vec![None; n];
    for l in candidates {
        if pred[l.to].is_some() || succ[l.from].is_some() {
            continue;
        }
        // No cycles: walk back from `from`.
        let mut cur = Some(l.from);
        let mut cyclic = false;
        while let Some(c) = cur {
            if c == l.to {
                cyclic = true;
                break;
            }
            cur = pred[c];
        }
        if cyclic {
            continue;
        }
        pred[l.to] = Some(l.from);
        succ[l.from] = Some(l.to);
        pred_link[l.to] = Some(links.len());
        links.push(l);
    }
    let mut chains = Vec::new();
    let mut chain_of = vec![0; n];
    for (start, p) in pred.iter().enumerate() {
        if p.is_some() {
            continue;
        }
        let mut chain = vec![start];
        let mut cur = start;
        while let Some(s) = succ[cur] {
            chain.push(s);
            cur = s;
        }
        for &r in &chain {
            chain_of[r] = chains.len();
        }
        chains.push(chain);
    }
    Chains {
        links,
        chains,
        chain_of,
        pred_link,
    }
}

/// Title key for matching: lowercase words of letters and digits only
/// (`per memcg lru_lock` and `per memcg lru lock` match).
fn title_key(normalized: &str) -> String {
    normalized
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Something a revision's patches have that another revision's may share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Feature {
    PatchId([u8; 20]),
    Title(String),
    File(String),
}

fn features(messages: &[MessageMeta], r: &SeriesRevision) -> HashSet<Feature> {
    let mut f = HashSet::new();
    for s in &r.patches {
        let m = &messages[s.message];
        if let Some(p) = m.patch_id {
            f.insert(Feature::PatchId(*p.as_bytes()));
        }
        let t = m.tags.normalized_title();
        if !t.is_empty() {
            f.insert(Feature::Title(t));
        }
        for file in &m.files {
            f.insert(Feature::File(file.clone()));
        }
    }
    f
}

/// Words (3+ letters, lowercase) of a revision's title and patch titles.
fn title_words(messages: &[MessageMeta], r: &SeriesRevision) -> HashSet<String> {
    let mut w = HashSet::new();
    let mut add = |t: &str| {
        for x in t.split(|c: char| !c.is_alphanumeric() && c != '_') {
            if x.len() >= 3 {
                w.insert(x.to_lowercase());
            }
        }
    };
    add(&r.title);
    for s in &r.patches {
        add(&messages[s.message].tags.title);
    }
    w
}

/// Overlap coefficient of the features picked by `pick` (0 when either
/// side has none).
fn overlap(a: &HashSet<Feature>, b: &HashSet<Feature>, pick: fn(&Feature) -> bool) -> f32 {
    let na = a.iter().filter(|f| pick(f)).count();
    let nb = b.iter().filter(|f| pick(f)).count();
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let common = a.iter().filter(|f| pick(f) && b.contains(*f)).count();
    common as f32 / na.min(nb) as f32
}

/// Similarity of two revisions' patch sets, 0..=1: the best of patch-id
/// overlap, patch-title overlap and file Jaccard (files weigh less).
fn similarity(a: &HashSet<Feature>, b: &HashSet<Feature>) -> f32 {
    let part = |pick: fn(&Feature) -> bool| -> Option<f32> {
        let xa: Vec<&Feature> = a.iter().filter(|f| pick(f)).collect();
        let nb = b.iter().filter(|f| pick(f)).count();
        if xa.is_empty() || nb == 0 {
            return None;
        }
        let common = xa.iter().filter(|f| b.contains(**f)).count();
        // Overlap coefficient: rerolls add and drop patches.
        Some(common as f32 / xa.len().min(nb) as f32)
    };
    let pid = part(|f| matches!(f, Feature::PatchId(_))).unwrap_or(0.0);
    let title = part(|f| matches!(f, Feature::Title(_))).unwrap_or(0.0);
    let files = part(|f| matches!(f, Feature::File(_))).unwrap_or(0.0);
    // Titles and patch-ids are strong; files support them.
    let strong = pid.max(title);
    if strong == 0.0 {
        return 0.0;
    }
    (0.7 * strong + 0.3 * files).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread::tests::meta;

    fn series(prefix: &str, v: &str, title: &str, date: i64) -> Vec<MessageMeta> {
        let c = format!("{prefix}-0@x");
        let mut out = vec![meta(&c, &[], &format!("[PATCH {v}0/1] {title}"), date)];
        let mut p = meta(
            &format!("{prefix}-1@x"),
            &[&c],
            &format!("[PATCH {v}1/1] {title} part"),
            date + 1,
        );
        p.has_patch = true;
        out.push(p);
        out
    }

    fn id(s: &str) -> MessageId {
        MessageId::new(s).expect("id")
    }

    #[test]
    fn overrides_link_and_unlink() {
        let mut m = series("a", "", "first idea", 0);
        m.extend(series("b", "v2 ", "first idea", 1000));
        m.extend(series("c", "", "unrelated", 2000));
        let a = crate::analyse(&m, &[]);
        assert_eq!(a.chains.links.len(), 1);
        assert_eq!(a.chains.links[0].reason, LinkReason::SameTitle);
        assert_eq!(a.chains.latest(0), 1);

        let unlink = Override {
            kind: OverrideKind::Unlink,
            older: id("a-0@x"),
            newer: id("b-0@x"),
        };
        let link = Override {
            kind: OverrideKind::Link,
            older: id("b-0@x"),
            newer: id("c-0@x"),
        };
        let a = crate::analyse(&m, &[unlink, link]);
        assert_eq!(a.chains.links.len(), 1);
        let l = &a.chains.links[0];
        assert_eq!((l.from, l.to, l.reason), (1, 2, LinkReason::Manual));
        assert_eq!(a.chains.chain(1), &[1, 2]);
        assert_eq!(a.chains.chain(0), &[0]);
    }

    #[test]
    fn change_id_links_across_titles() {
        let mut m = series("a", "", "old name", 0);
        let mut n = series("b", "v2 ", "new name", 1000);
        m[0].change_id = Some("20240101-work-abc".into());
        n[0].change_id = Some("20240101-work-abc".into());
        m.extend(n);
        let a = crate::analyse(&m, &[]);
        assert_eq!(a.chains.links.len(), 1);
        assert_eq!(a.chains.links[0].reason, LinkReason::ChangeId);
    }
}
