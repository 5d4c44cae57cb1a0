//! Revision chains: v1 -> v2 -> ... -> vN of the same work, with the reason,
//! evidence and confidence of each link, and the user's manual corrections.
//!
//! A chain is a sequence of *versions*, and a version may have several
//! *postings* (each a [`SeriesRevision`]): a RESEND, the same version sent
//! again to more lists, or a month later. Postings of one version are
//! grouped first ([`LinkReason::Repost`]): same version label (number and
//! RFC), same stable branch, and either the same b4 change-id, or the same
//! sender and title with a RESEND tag, the same patches (patch-ids), a
//! version number of 2 or more, a sending of the cover letter alone within
//! two days, or most patch titles and files again within 120 days.
//!
//! "The same sender" is the same person: addresses used under one display
//! name (two words or more) count as one sender.
//!
//! Candidate links between versions (predecessor `P` sent before `R`, `R`
//! a later version: a higher number, or the first non-RFC after RFCs):
//! 1. the same b4 `change-id` (confidence 1.0);
//! 2. `R` was sent in reply into `P`'s thread by the same sender (0.95),
//!    `R`'s subject names `P`'s title as `(was OLD TITLE)` (0.95), or `R`'s
//!    cover letter links to a message of `P` as an earlier version
//!    (`v1: https://lore.kernel.org/...`, "changelog link", 0.95; the
//!    latest such version when it links several);
//! 3. same normalised title and same sender, any time apart (0.9; 0.6 when
//!    `R` does not carry a later version, and then only when a patch title
//!    or patch-id carried over: "Misc cleanups" is reused for new work),
//!    or from another sender who took the work over (rule 3b: each signed
//!    the other's patches, `Signed-off-by`/`Co-developed-by`, and a patch
//!    title or patch-id carried over; 0.85);
//! 4. the title drifted but the patches are alike: same sender, higher
//!    revision, overlap of patch-ids, patch titles and files (0.5..0.85).
//!
//! Links are accepted greedily between versions, best first, so that each
//! version has at most one predecessor and one successor. Manual `link`
//! overrides are applied first and `unlink` overrides forbid a pair.
//!
//! Stable backports (`[PATCH 6.12.y 0/2]`) are never linked into a mainline
//! chain: they chain only with postings for the same stable branch, and
//! [`Chains::backport_of`] puts each beside the chain it backports.

use std::collections::{HashMap, HashSet};

use lpl_mail::MessageId;
use serde::{Deserialize, Serialize};

use crate::input::MessageMeta;
use crate::series::{Assembly, SeriesKind, SeriesRevision};
use crate::thread::Threads;

/// Why two revisions were linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkReason {
    /// The user linked them.
    Manual,
    /// Same b4 `change-id`.
    ChangeId,
    /// The newer revision was sent in reply into the older one's thread.
    InReplyTo,
    /// The newer revision's subject names the older title: `(was OLD)`.
    WasTitle,
    /// Same normalised title from the same sender.
    SameTitle,
    /// Different titles, similar patches (files, patch titles, patch-ids).
    SimilarPatches,
    /// Another posting of the same version (a resend, more lists, later).
    Repost,
    /// The newer revision's cover letter (or notes) links to the older one
    /// as an earlier version: `v1: https://lore.kernel.org/...`.
    ChangelogLink,
}

/// One link of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The older posting (index into [`Assembly::revisions`]): for a link
    /// between versions, the last posting of the older version.
    pub from: usize,
    /// The newer posting: for a link between versions, the first posting of
    /// the newer version.
    pub to: usize,
    /// Why.
    pub reason: LinkReason,
    /// How sure, 0..=1 (1 for a manual link).
    pub confidence: f32,
    /// The evidence that linked them, as a sentence for users
    /// (`same b4 change-id 20240101-x`, `subject says (was "O_MAYEXEC")`).
    pub evidence: String,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Chains {
    /// Accepted links: between versions, and [`LinkReason::Repost`] links
    /// between the postings of one version.
    pub links: Vec<Link>,
    /// Each chain: its postings, oldest version first, the postings of one
    /// version together in date order. Every revision is in exactly one
    /// chain (alone if unlinked).
    pub chains: Vec<Vec<usize>>,
    /// For each revision, its chain's index.
    pub chain_of: Vec<usize>,
    /// For each revision, the link to its predecessor (index into `links`):
    /// the previous posting of its version, else the previous version.
    pub pred_link: Vec<Option<usize>>,
    /// For each stable backport posting, the mainline chain it backports
    /// (same title, else most patch titles in common), when found.
    pub backport_of: Vec<Option<usize>>,
}

impl Chains {
    /// The chain containing revision `r`, oldest first.
    pub fn chain(&self, r: usize) -> &[usize] {
        &self.chains[self.chain_of[r]]
    }

    /// The latest posting of the latest version of `r`'s chain.
    pub fn latest(&self, r: usize) -> usize {
        *self.chain(r).last().expect("chains are never empty")
    }

    /// The link into revision `r` from its predecessor.
    pub fn predecessor(&self, r: usize) -> Option<&Link> {
        self.pred_link[r].map(|l| &self.links[l])
    }

    /// Is `r` a further posting of a version posted before?
    pub fn is_repost(&self, r: usize) -> bool {
        self.predecessor(r)
            .is_some_and(|l| l.reason == LinkReason::Repost)
    }

    /// The chain of `r` as versions, each a list of postings (date order).
    pub fn versions(&self, r: usize) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for &p in self.chain(r) {
            match out.last_mut() {
                Some(v) if self.is_repost(p) => v.push(p),
                _ => out.push(vec![p]),
            }
        }
        out
    }

    /// The postings of the version `r` belongs to.
    pub fn postings(&self, r: usize) -> Vec<usize> {
        self.versions(r)
            .into_iter()
            .find(|v| v.contains(&r))
            .unwrap_or_else(|| vec![r])
    }

    /// Stable backport postings beside chain `c` (index into `chains`).
    pub fn backports(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        self.backport_of
            .iter()
            .enumerate()
            .filter_map(move |(r, b)| (*b == Some(c)).then_some(r))
    }
}

/// Union-find over postings, refusing a union that would join a pair the
/// user declared unrelated.
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut c = x;
        while self.parent[c] != r {
            let n = self.parent[c];
            self.parent[c] = r;
            c = n;
        }
        r
    }

    fn union(&mut self, a: usize, b: usize, forbidden: &HashSet<(usize, usize)>) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        if !forbidden.is_empty() {
            let n = self.parent.len();
            let sa: Vec<usize> = (0..n).filter(|&x| self.find(x) == ra).collect();
            let sb: Vec<usize> = (0..n).filter(|&x| self.find(x) == rb).collect();
            if sa
                .iter()
                .any(|&x| sb.iter().any(|&y| forbidden.contains(&(x, y))))
            {
                return false;
            }
        }
        self.parent[rb] = ra;
        true
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
    // Who sent each revision: one key per person, so that a sender who
    // changed address (`yukuai3@huawei.com` -> `yukuai1@huaweicloud.com`)
    // under the same name is still the same sender.
    let senders: Vec<String> = persons(revs);
    let title_keys: Vec<String> = revs
        .iter()
        .map(|r| title_key(&r.normalized_title))
        .collect();
    let usable = |r: &SeriesRevision| r.kind != SeriesKind::PullRequest;
    let mainline = |r: &SeriesRevision| usable(r) && r.backport.is_none();
    let before = |a: usize, b: usize| (revs[a].date, a) < (revs[b].date, b);

    let mut forbidden: HashSet<(usize, usize)> = HashSet::new();
    let mut manual_links: Vec<(usize, usize)> = Vec::new();
    for o in overrides {
        let (Some(&a), Some(&b)) = (by_key.get(&o.older), by_key.get(&o.newer)) else {
            continue;
        };
        match o.kind {
            OverrideKind::Link => manual_links.push((a, b)),
            OverrideKind::Unlink => {
                forbidden.insert((a, b));
                forbidden.insert((b, a));
            }
        }
    }

    // Postings of one version.
    let features: Vec<HashSet<Feature>> = revs.iter().map(|r| features(messages, r)).collect();
    let mut groups = Groups {
        parent: (0..n).collect(),
    };
    let mut repost_evidence: HashMap<(usize, usize), (LinkReason, String)> = HashMap::new();
    let mut try_repost = |a: usize, b: usize, reason: LinkReason, why: String| {
        let (a, b) = if before(a, b) { (a, b) } else { (b, a) };
        if groups.union(a, b, &forbidden) {
            repost_evidence.entry((a, b)).or_insert((reason, why));
        }
    };
    for &(a, b) in &manual_links {
        if revs[a].version() == revs[b].version() {
            try_repost(a, b, LinkReason::Manual, "linked by you".into());
        }
    }
    let mut by_change: HashMap<(&str, Option<&str>), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if let Some(c) = r.change_id.as_deref().filter(|c| !c.is_empty())
            && usable(r)
        {
            by_change
                .entry((c, r.backport.as_deref()))
                .or_default()
                .push(i);
        }
    }
    let mut by_title: HashMap<(&str, &str, Option<&str>), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if usable(r) && !title_keys[i].is_empty() {
            by_title
                .entry((
                    senders[i].as_str(),
                    title_keys[i].as_str(),
                    r.backport.as_deref(),
                ))
                .or_default()
                .push(i);
        }
    }
    for ((c, _), list) in &by_change {
        for (k, &b) in list.iter().enumerate() {
            for &a in &list[..k] {
                if revs[a].version() == revs[b].version() {
                    try_repost(
                        a,
                        b,
                        LinkReason::Repost,
                        format!("same version and b4 change-id {c}"),
                    );
                }
            }
        }
    }
    for list in by_title.values() {
        for (k, &b) in list.iter().enumerate() {
            let rb = &revs[b];
            for &a in &list[..k] {
                let ra = &revs[a];
                if ra.version() != rb.version() {
                    continue;
                }
                if let Some(why) = repost_evidence_of(ra, rb, &features[a], &features[b]) {
                    try_repost(a, b, LinkReason::Repost, why);
                }
            }
        }
    }
    // A posting of the same version sent into the first one's thread.
    for (b, rb) in revs.iter().enumerate() {
        if !usable(rb) {
            continue;
        }
        if let Some(a) = threads
            .ancestor_messages(rb.key_message())
            .find_map(|x| assembly.revision_of_message(x).filter(|&o| o != b))
        {
            let ra = &revs[a];
            if usable(ra)
                && before(a, b)
                && senders[a] == senders[b]
                && ra.version() == rb.version()
                && ra.backport == rb.backport
                && (rb.is_resend || title_keys[a] == title_keys[b])
            {
                try_repost(
                    a,
                    b,
                    LinkReason::Repost,
                    "same version resent into its thread".into(),
                );
            }
        }
    }
    // Groups in date order of their first posting; postings in date order.
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        members.entry(groups.find(i)).or_default().push(i);
    }
    let mut group_list: Vec<Vec<usize>> = members.into_values().collect();
    for g in &mut group_list {
        g.sort_by_key(|&i| (revs[i].date, i));
    }
    group_list.sort_by_key(|g| (revs[g[0]].date, g[0]));
    let mut group_of = vec![0usize; n];
    for (gi, g) in group_list.iter().enumerate() {
        for &i in g {
            group_of[i] = gi;
        }
    }
    let ng = group_list.len();

    // Candidate links between versions (posting level; mapped to groups).
    let mut candidates: Vec<Link> = Vec::new();
    let mut push =
        |from: usize, to: usize, reason: LinkReason, confidence: f32, evidence: String| {
            candidates.push(Link {
                from,
                to,
                reason,
                confidence,
                evidence,
            })
        };
    for &(a, b) in &manual_links {
        if revs[a].version() != revs[b].version() {
            push(a, b, LinkReason::Manual, 1.0, "linked by you".into());
        }
    }
    let manual: HashSet<(usize, usize)> = manual_links
        .iter()
        .map(|&(a, b)| (group_of[a], group_of[b]))
        .collect();

    // 1. change-id
    for ((c, _), list) in &by_change {
        for (k, &b) in list.iter().enumerate() {
            // The nearest earlier version with the same change-id.
            if let Some(&a) = list[..k]
                .iter()
                .rev()
                .find(|&&a| revs[b].version().is_after(revs[a].version()))
            {
                push(
                    a,
                    b,
                    LinkReason::ChangeId,
                    1.0,
                    format!("same b4 change-id {c}"),
                );
            }
        }
    }

    // 2. in reply into an older revision's thread; `(was OLD TITLE)`
    for (i, r) in revs.iter().enumerate() {
        if !mainline(r) {
            continue;
        }
        let top = r.key_message();
        if let Some(o) = threads
            .ancestor_messages(top)
            .find_map(|a| assembly.revision_of_message(a).filter(|&o| o != i))
        {
            let old = &revs[o];
            if mainline(old)
                && before(o, i)
                && senders[o] == senders[i]
                // A later version sent into the old thread. The same
                // version is a repost (grouped above) or a fixlet.
                && r.version().is_after(old.version())
            {
                push(
                    o,
                    i,
                    LinkReason::InReplyTo,
                    0.95,
                    format!(
                        "{} sent in reply into the thread of {}",
                        r.label(),
                        old.label()
                    ),
                );
            }
        }
        if let Some(was) = messages[top].tags.was_title.as_deref() {
            let want = title_key(&lpl_mail::subject::parse(was).normalized_title());
            if want.is_empty() {
                continue;
            }
            let found = revs
                .iter()
                .enumerate()
                .filter(|&(a, ra)| {
                    mainline(ra)
                        && before(a, i)
                        && senders[a] == senders[i]
                        && title_keys[a] == want
                        && r.version().is_after(ra.version())
                })
                .max_by_key(|&(a, ra)| (ra.version().number, ra.date, a));
            if let Some((a, _)) = found {
                push(
                    a,
                    i,
                    LinkReason::WasTitle,
                    0.95,
                    format!("the subject names the old title: (was \"{was}\")"),
                );
            }
        }
    }

    // 2b. the cover letter links to an earlier version.
    let rev_of_id: HashMap<&MessageId, usize> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((&m.message_id, assembly.revision_of_message(i)?)))
        .collect();
    for (i, r) in revs.iter().enumerate() {
        if !mainline(r) {
            continue;
        }
        let linked = messages[r.key_message()]
            .version_links
            .iter()
            .filter_map(|id| rev_of_id.get(id).map(|&o| (o, id)))
            .filter(|&(o, _)| {
                o != i
                    && mainline(&revs[o])
                    && before(o, i)
                    && r.version().is_after(revs[o].version())
                    // "based on v2 of Foo's series: <link>" is not our v2.
                    && (senders[o] == senders[i] || title_keys[o] == title_keys[i])
            })
            .max_by_key(|&(o, _)| (revs[o].version().number, revs[o].date, o));
        if let Some((o, id)) = linked {
            push(
                o,
                i,
                LinkReason::ChangelogLink,
                0.95,
                format!(
                    "changelog link: the cover links to {} as an earlier version (<{}>)",
                    revs[o].label(),
                    id.as_str()
                ),
            );
        }
    }

    // 3. same title, same sender (and the same stable branch, if any)
    for list in by_title.values() {
        // list is in date order (revisions are sorted by date).
        for (k, &b) in list.iter().enumerate().skip(1) {
            let rb = &revs[b];
            let mut versions_seen = Vec::new();
            for &a in list[..k].iter().rev() {
                let ra = &revs[a];
                if group_of[a] == group_of[b]
                    || !rb.version().is_after(ra.version())
                    || versions_seen.contains(&ra.version())
                    || (ra.patches.is_empty()
                        && list[..k].iter().any(|&o| {
                            revs[o].version() == ra.version() && !revs[o].patches.is_empty()
                        }))
                {
                    continue;
                }
                versions_seen.push(ra.version());
                // A cover re-sent without its patches is a weaker anchor
                // than the sending that carried them.
                let confidence = if ra.patches.is_empty() { 0.7 } else { 0.9 };
                push(
                    a,
                    b,
                    LinkReason::SameTitle,
                    confidence,
                    "same title from the same sender".into(),
                );
            }
            let prev = list[k - 1];
            // Same version label again with other patches: an unlabelled
            // repost of reworked patches only when some patch carried over
            // (a title or a patch-id); generic titles ("Misc cleanups",
            // "for-next cleanups") are reused for unrelated work.
            let carried = overlap(&features[prev], &features[b], |f| {
                matches!(f, Feature::Title(_) | Feature::PatchId(_))
            }) > 0.0;
            if versions_seen.is_empty() && group_of[prev] != group_of[b] && carried {
                // Same version label again, other patches (unlabelled
                // reposts of reworked patches).
                push(
                    prev,
                    b,
                    LinkReason::SameTitle,
                    0.6,
                    "same title from the same sender, no later version number".into(),
                );
            }
        }
    }

    // 3b. same title, a later version sent by a co-author: the work was
    // handed over (Kanchan Joshi's "Fixed-buffer for uring-cmd/passthru"
    // v10, Anuj Gupta's v11). Different senders alone say nothing (two
    // people may post "Misc fixes"); here each signed the other's patches
    // (Signed-off-by or Co-developed-by) and a patch carried over.
    let signers: Vec<HashSet<String>> = revs.iter().map(|r| signers(messages, r)).collect();
    let mut by_title_only: HashMap<(&str, Option<&str>), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if mainline(r) && !title_keys[i].is_empty() {
            by_title_only
                .entry((title_keys[i].as_str(), r.backport.as_deref()))
                .or_default()
                .push(i);
        }
    }
    for list in by_title_only.values() {
        for (k, &b) in list.iter().enumerate() {
            let rb = &revs[b];
            if !rb.revision_labeled {
                continue;
            }
            let handed = list[..k]
                .iter()
                .copied()
                .filter(|&a| {
                    senders[a] != senders[b]
                        && before(a, b)
                        && rb.version().is_after(revs[a].version())
                        && signed_by(&signers[b], &revs[a])
                        && signed_by(&signers[a], rb)
                        && overlap(&features[a], &features[b], |f| {
                            matches!(f, Feature::Title(_) | Feature::PatchId(_))
                        }) > 0.0
                })
                .max_by_key(|&a| (revs[a].version().number, revs[a].date, a));
            if let Some(a) = handed {
                push(
                    a,
                    b,
                    LinkReason::SameTitle,
                    0.85,
                    format!(
                        "same title, sent by a co-author: {} signed {}'s patches and {} signed {}'s",
                        revs[a].sender_email,
                        rb.label(),
                        rb.sender_email,
                        revs[a].label()
                    ),
                );
            }
        }
    }

    // 4. similar patches (title drift), same sender, higher revision.
    let mut index: HashMap<(&str, &Feature), Vec<usize>> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        if !mainline(&revs[i]) {
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
        if !mainline(rb) || !rb.revision_labeled || rb.revision < 2 {
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
                    push(
                        a,
                        b,
                        LinkReason::SimilarPatches,
                        (0.5 + 0.35 * s).min(0.85),
                        format!(
                            "title changed; same sender, patches alike ({:.0}% similar)",
                            100.0 * s
                        ),
                    );
                }
            }
        }
    }

    // 5. title drift with no shared patch title or patch-id: the next
    // revision number from the same sender within 120 days, touching
    // mostly the same files, with some title words in common.
    let mut by_sender_rev: HashMap<(&str, u32), Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if mainline(r) {
            by_sender_rev
                .entry((senders[i].as_str(), r.revision))
                .or_default()
                .push(i);
        }
    }
    let words: Vec<HashSet<String>> = revs.iter().map(|r| title_words(messages, r)).collect();
    for (b, rb) in revs.iter().enumerate() {
        if !mainline(rb) || !rb.revision_labeled || rb.revision < 2 {
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
                push(
                    a,
                    b,
                    LinkReason::SimilarPatches,
                    (0.4 + 0.2 * files + 0.2 * wj).min(0.75),
                    format!(
                        "title changed; next version from the same sender within 120 days, {:.0}% of files and {common} title words in common",
                        100.0 * files
                    ),
                );
            }
        }
    }

    // Accept greedily, between versions.
    let forbidden_groups: HashSet<(usize, usize)> = forbidden
        .iter()
        .map(|&(a, b)| (group_of[a], group_of[b]))
        .collect();
    candidates.retain(|l| {
        let (ga, gb) = (group_of[l.from], group_of[l.to]);
        ga != gb
            && before(l.from, l.to)
            && !forbidden_groups.contains(&(ga, gb))
            && (l.reason == LinkReason::Manual || !manual.contains(&(ga, gb)))
    });
    // Order: manual, change-id and in-reply links first (a changelog link
    // competes with the rest: a cover that links only the first RFC must
    // not skip the RFC v2 sent under the same title); then the smallest
    // version gap (v9 -> v10 beats v1 -> v10 even when v1 has the same
    // title); then confidence; then the closest in time.
    let tier = |l: &Link| match l.reason {
        LinkReason::Manual => 0u8,
        LinkReason::ChangeId => 1,
        LinkReason::InReplyTo | LinkReason::WasTitle => 2,
        _ => 3,
    };
    let gap = |l: &Link| {
        revs[l.to]
            .version()
            .steps_after(revs[l.from].version())
            .unwrap_or(u32::MAX)
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
    let mut pred: Vec<Option<usize>> = vec![None; ng];
    let mut succ: Vec<Option<usize>> = vec![None; ng];
    let mut group_link: Vec<Option<Link>> = vec![None; ng];
    for l in candidates {
        let (ga, gb) = (group_of[l.from], group_of[l.to]);
        if pred[gb].is_some() || succ[ga].is_some() {
            continue;
        }
        // No cycles: walk back from `ga`.
        let mut cur = Some(ga);
        let mut cyclic = false;
        while let Some(c) = cur {
            if c == gb {
                cyclic = true;
                break;
            }
            cur = pred[c];
        }
        if cyclic {
            continue;
        }
        pred[gb] = Some(ga);
        succ[ga] = Some(gb);
        group_link[gb] = Some(l);
    }
    let mut links: Vec<Link> = Vec::new();
    let mut pred_link = vec![None; n];
    let mut chains = Vec::new();
    let mut chain_of = vec![0; n];
    for (start, _) in pred.iter().enumerate().filter(|(_, p)| p.is_none()) {
        let mut chain: Vec<usize> = Vec::new();
        let mut cur = Some(start);
        while let Some(g) = cur {
            let postings = &group_list[g];
            if let (Some(l), Some(&last)) = (group_link[g].take(), chain.last()) {
                pred_link[postings[0]] = Some(links.len());
                links.push(Link {
                    from: last,
                    to: postings[0],
                    ..l
                });
            }
            for w in postings.windows(2) {
                let (reason, evidence) = repost_evidence.get(&(w[0], w[1])).cloned().unwrap_or((
                    LinkReason::Repost,
                    format!("another posting of {}", revs[w[1]].label()),
                ));
                pred_link[w[1]] = Some(links.len());
                links.push(Link {
                    from: w[0],
                    to: w[1],
                    reason: if reason == LinkReason::Manual {
                        LinkReason::Manual
                    } else {
                        LinkReason::Repost
                    },
                    confidence: if reason == LinkReason::Manual {
                        1.0
                    } else {
                        0.95
                    },
                    evidence,
                });
            }
            chain.extend_from_slice(postings);
            cur = succ[g];
        }
        for &r in &chain {
            chain_of[r] = chains.len();
        }
        chains.push(chain);
    }
    let backport_of = backports(messages, revs, &title_keys, &chain_of);
    Chains {
        links,
        chains,
        chain_of,
        pred_link,
        backport_of,
    }
}

/// Why `b` is another posting of `a`'s version (same sender, title, version
/// and stable branch already checked), if it is.
fn repost_evidence_of(
    a: &SeriesRevision,
    b: &SeriesRevision,
    fa: &HashSet<Feature>,
    fb: &HashSet<Feature>,
) -> Option<String> {
    let label = b.label();
    if b.is_resend {
        return Some(format!("RESEND of {label}"));
    }
    let pid = overlap(fa, fb, |f| matches!(f, Feature::PatchId(_)));
    if pid >= 0.5 {
        return Some(format!(
            "{label} posted again with the same patches (patch-ids)"
        ));
    }
    if b.revision_labeled && b.revision >= 2 {
        return Some(format!("{label} posted again with the same title"));
    }
    let days = (b.date - a.date).abs() / 86_400;
    // One of the two sendings carried only the cover letter (the patches
    // of the other never reached the list, or were sent again with it).
    if (a.patches.is_empty() || b.patches.is_empty()) && days <= 2 {
        let minutes = (b.date - a.date).abs() / 60;
        return Some(format!(
            "{label} posted again {minutes} minutes later; one sending carried only the cover letter"
        ));
    }
    // Files alone say little (every io_uring patch touches io_uring.c):
    // most patch titles must come back too.
    let files = overlap(fa, fb, |f| matches!(f, Feature::File(_)));
    let titles = overlap(fa, fb, |f| matches!(f, Feature::Title(_)));
    if a.total == b.total && files >= 0.5 && titles >= 0.5 && days <= 120 {
        return Some(format!(
            "{label} posted again {days} days later with the same title and files"
        ));
    }
    None
}

/// For each backport posting, the mainline chain it backports: one with
/// the same title (the latest posted before it), else the one sharing the
/// most patch titles.
fn backports(
    messages: &[MessageMeta],
    revs: &[SeriesRevision],
    title_keys: &[String],
    chain_of: &[usize],
) -> Vec<Option<usize>> {
    let mut out = vec![None; revs.len()];
    if !revs.iter().any(|r| r.backport.is_some()) {
        return out;
    }
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_patch_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in revs.iter().enumerate() {
        if r.backport.is_some() || r.kind == SeriesKind::PullRequest {
            continue;
        }
        by_title.entry(title_keys[i].as_str()).or_default().push(i);
        for s in &r.patches {
            let t = title_key(&messages[s.message].tags.normalized_title());
            by_patch_title.entry(t).or_default().push(i);
        }
    }
    for (b, rb) in revs.iter().enumerate() {
        if rb.backport.is_none() {
            continue;
        }
        let same_title = by_title.get(title_keys[b].as_str()).and_then(|l| {
            l.iter()
                .copied()
                .filter(|&a| revs[a].date <= rb.date)
                .max_by_key(|&a| (revs[a].date, a))
                .or_else(|| l.first().copied())
        });
        out[b] = same_title.map(|a| chain_of[a]).or_else(|| {
            let mut votes: HashMap<usize, usize> = HashMap::new();
            for s in &rb.patches {
                let t = title_key(&messages[s.message].tags.normalized_title());
                let mut seen = HashSet::new();
                for &a in by_patch_title.get(&t).map(Vec::as_slice).unwrap_or(&[]) {
                    if seen.insert(chain_of[a]) {
                        *votes.entry(chain_of[a]).or_default() += 1;
                    }
                }
            }
            votes
                .into_iter()
                .max_by_key(|&(c, v)| (v, std::cmp::Reverse(c)))
                .map(|(c, _)| c)
        });
    }
    out
}

/// One key per person for each revision: its sender's address, where
/// addresses that appear under the same display name (two words or more)
/// are one person, keyed by the first address seen.
fn persons(revs: &[SeriesRevision]) -> Vec<String> {
    let emails: Vec<String> = revs
        .iter()
        .map(|r| r.sender_email.to_ascii_lowercase())
        .collect();
    let mut by_name: HashMap<String, &str> = HashMap::new();
    let mut alias: HashMap<&str, &str> = HashMap::new();
    for (r, email) in revs.iter().zip(&emails) {
        let Some(name) = r.sender_name.as_deref().and_then(person_name) else {
            continue;
        };
        let first = *by_name.entry(name).or_insert(email.as_str());
        if first != email {
            alias.entry(email.as_str()).or_insert(first);
        }
    }
    emails
        .iter()
        .map(|e| alias.get(e.as_str()).copied().unwrap_or(e).to_string())
        .collect()
}

/// Lower-cased addresses in the `Signed-off-by:` and `Co-developed-by:`
/// trailers of `r`'s patches.
fn signers(messages: &[MessageMeta], r: &SeriesRevision) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in &r.patches {
        for t in &messages[p.message].patch_trailers {
            if !(t.key.eq_ignore_ascii_case("signed-off-by")
                || t.key.eq_ignore_ascii_case("co-developed-by"))
            {
                continue;
            }
            if let (Some(open), Some(close)) = (t.value.rfind('<'), t.value.rfind('>'))
                && open < close
            {
                out.insert(t.value[open + 1..close].trim().to_ascii_lowercase());
            }
        }
    }
    out
}

/// Whether `r`'s sender is among `signers`.
fn signed_by(signers: &HashSet<String>, r: &SeriesRevision) -> bool {
    signers.contains(&r.sender_email.to_ascii_lowercase())
}

/// A display name that names a person: two words or more with letters,
/// lowercased, quotes and parenthesised parts (`(Meta)`) dropped.
fn person_name(name: &str) -> Option<String> {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '"' | '\'' => {}
            _ if depth == 0 => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    (words.len() >= 2 && words.iter().all(|w| w.chars().any(char::is_alphabetic)))
        .then(|| words.join(" "))
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

    #[test]
    fn a_version_posted_twice_is_one_version_not_a_fork() {
        // v1, v2, v2 again (RESEND), v3: one chain of three versions.
        let mut m = series("a", "", "getsockname", 0);
        m.extend(series("b", "v2 ", "getsockname", 1000));
        m.extend(series("c", "RESEND v2 ", "getsockname", 2000));
        m.extend(series("d", "v3 ", "getsockname", 3000));
        let a = crate::analyse(&m, &[]);
        assert_eq!(a.chains.chains.len(), 1, "{:?}", a.chains.links);
        let v = a.chains.versions(0);
        assert_eq!(v, vec![vec![0], vec![1, 2], vec![3]]);
        assert!(a.chains.is_repost(2));
        assert_eq!(
            a.chains.predecessor(2).map(|l| l.evidence.as_str()),
            Some("RESEND of v2")
        );
        // v3 follows the version v2, from its last posting.
        let l = a.chains.predecessor(3).expect("v3 linked");
        assert_eq!((l.from, l.reason), (2, LinkReason::SameTitle));
    }

    #[test]
    fn rfc_comes_before_v1() {
        let mut m = series("a", "RFC ", "remove nth_page", 0);
        m.extend(series("b", "", "remove nth_page", 1000));
        m.extend(series("c", "v2 ", "remove nth_page", 2000));
        let a = crate::analyse(&m, &[]);
        let labels: Vec<String> = a
            .chains
            .chain(0)
            .iter()
            .map(|&r| a.assembly.revisions[r].label())
            .collect();
        assert_eq!(labels, vec!["RFC", "v1", "v2"]);
        assert_eq!(a.chains.predecessor(1).map(|l| l.confidence), Some(0.9));
    }

    #[test]
    fn backports_stay_beside_the_chain() {
        let mut m = series("a", "", "fix race", 0);
        m.extend(series("b", "6.12.y ", "fix race", 1000));
        m.extend(series("c", "6.1.y ", "fix race", 2000));
        m.extend(series("d", "6.6.y ", "fix race", 3000));
        let a = crate::analyse(&m, &[]);
        assert_eq!(a.chains.chains.len(), 4, "{:?}", a.chains.links);
        assert!(a.chains.links.is_empty());
        let main = a.chains.chain_of[0];
        assert_eq!(a.chains.backports(main).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn was_title_links_a_renamed_series() {
        let mut m = series("a", "", "Add support for O_MAYEXEC", 0);
        m.extend(series(
            "b",
            "v2 ",
            "Add trusted_for(2) (was O_MAYEXEC)",
            1000,
        ));
        // Same sender is required; the old title here is not the exact
        // old one, so name it as written.
        m[2].subject = "[PATCH v2 0/1] Add trusted_for(2) (was Add support for O_MAYEXEC)".into();
        m[2].tags = lpl_mail::subject::parse(&m[2].subject);
        let a = crate::analyse(&m, &[]);
        let l = a.chains.predecessor(1).expect("linked");
        assert_eq!(l.reason, LinkReason::WasTitle);
        assert!(l.evidence.contains("was"), "{}", l.evidence);
    }

    #[test]
    fn manual_link_has_full_confidence() {
        let mut m = series("a", "", "one thing", 0);
        m.extend(series("b", "v2 ", "another thing", 1000));
        let link = Override {
            kind: OverrideKind::Link,
            older: id("a-0@x"),
            newer: id("b-0@x"),
        };
        let a = crate::analyse(&m, &[link]);
        let l = a.chains.predecessor(1).expect("linked");
        assert_eq!((l.reason, l.confidence), (LinkReason::Manual, 1.0));
    }
}
