//! Series assembly: each revision of a patch series as it was sent.
//!
//! A series message is one whose subject is not a reply and that carries a
//! diff, a `[PATCH ...]`/`[RFC ...]`/`[GIT PULL]` tag or an `N/M` counter.
//! Messages are grouped by threading first: a patch joins the series of the
//! nearest series message above it when that one is compatible (same total,
//! same revision, a cover or an earlier counter). Patches sent without
//! threading are then joined when they come from the same sender with the
//! same revision and total, close in time, without counter clashes.
//! Patches numbered past the total (`4/3`) sent into a revision's thread
//! join it. Last, a revision that resends only some patches in reply to an
//! older revision (a partial reroll, or a partial RESEND of the same
//! version) takes the missing ones from that revision.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::input::MessageMeta;
use crate::thread::{NodeId, Threads};

/// How close in time unthreaded patches of one series must be (seconds).
pub const UNTHREADED_WINDOW_SECS: i64 = 2 * 3600;

/// What kind of submission a revision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeriesKind {
    /// Several patches (or a cover plus patches).
    Series,
    /// One patch without a cover.
    SinglePatch,
    /// A `git request-pull` message.
    PullRequest,
}

/// One patch position of a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchSlot {
    /// Position `N` of `N/M` (1 for an unnumbered single patch).
    pub counter: u32,
    /// Input index of the message.
    pub message: usize,
    /// Set when the patch was not resent in this revision but taken from an
    /// earlier revision (partial reroll): index of that revision.
    pub inherited_from: Option<usize>,
}

/// One revision of a series, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesRevision {
    /// Kind of submission.
    pub kind: SeriesKind,
    /// Revision number (1 when unlabelled).
    pub revision: u32,
    /// The revision number was written in a subject.
    pub revision_labeled: bool,
    /// Marked RFC.
    pub is_rfc: bool,
    /// Marked RESEND.
    pub is_resend: bool,
    /// A stable backport: the branch it targets (`6.12.y`), from the
    /// subject ([`lpl_mail::SubjectTags::backport`]). Never in a mainline
    /// chain.
    pub backport: Option<String>,
    /// Expected number of patches (`M` of `N/M`), when stated.
    pub total: Option<u32>,
    /// Cover letter (input index).
    pub cover: Option<usize>,
    /// Patches by counter (first received copy of each counter).
    pub patches: Vec<PatchSlot>,
    /// Counters `1..=total` never received (after partial-reroll filling).
    pub missing: Vec<u32>,
    /// Further copies of a counter already filled (resends, duplicates).
    pub duplicates: Vec<usize>,
    /// Counters above `total` that were received anyway.
    pub extra: Vec<u32>,
    /// Patches arrived in another order than their counters.
    pub out_of_order: bool,
    /// Patches were joined without threading (same sender, close in time).
    pub unthreaded: bool,
    /// A partial reroll: missing patches were taken from this revision.
    pub partial_reroll_of: Option<usize>,
    /// Sender of the first message.
    pub sender_email: String,
    /// Sender display name.
    pub sender_name: Option<String>,
    /// Date of the earliest message.
    pub date: i64,
    /// Title: the cover's, else the first patch's.
    pub title: String,
    /// Normalised title for matching.
    pub normalized_title: String,
    /// b4 `change-id`, from the cover or any patch.
    pub change_id: Option<String>,
    /// Thread root node of the top message.
    pub thread_root: NodeId,
}

/// Which version of a work a revision is: RFC ones come before the
/// non-RFC ones (`RFC`, `RFC v2`, then `v1`, `v2`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Version {
    /// Marked RFC.
    pub rfc: bool,
    /// The number (1 when unlabelled).
    pub number: u32,
}

impl Version {
    /// Is `self` a later version than `older`? A higher number, or the
    /// first non-RFC posting after RFCs (`RFC v3` -> `v1`).
    pub fn is_after(self, older: Version) -> bool {
        self.number > older.number || (older.rfc && !self.rfc)
    }

    /// How many versions apart `self` is after `older` (`None` when it is
    /// not after it). RFC -> PATCH counts as one step.
    pub fn steps_after(self, older: Version) -> Option<u32> {
        if self.number > older.number {
            Some(self.number - older.number)
        } else if older.rfc && !self.rfc {
            Some(1)
        } else {
            None
        }
    }

    /// `RFC`, `RFC v2`, `v1`, `v3`. An unlabelled RFC is `RFC`.
    pub fn label(self, labelled: bool) -> String {
        match (self.rfc, labelled || self.number > 1) {
            (true, false) => "RFC".to_owned(),
            (true, true) => format!("RFC v{}", self.number),
            (false, _) => format!("v{}", self.number),
        }
    }
}

impl SeriesRevision {
    /// The version this posting is of.
    pub fn version(&self) -> Version {
        Version {
            rfc: self.is_rfc,
            number: self.revision,
        }
    }

    /// The version as users read it: `RFC`, `RFC v2`, `v3`.
    pub fn label(&self) -> String {
        self.version().label(self.revision_labeled)
    }

    /// The message that stands for this revision: the cover, else the first
    /// patch sent in this revision (not inherited). Its Message-ID identifies the revision (for overrides, URLs).
    pub fn key_message(&self) -> usize {
        self.cover
            .or_else(|| {
                self.patches
                    .iter()
                    .find(|p| p.inherited_from.is_none())
                    .map(|p| p.message)
            })
            .or_else(|| self.patches.first().map(|p| p.message))
            .expect("a revision has a cover or a patch")
    }

    /// Every message of the revision sent as part of it (cover, own
    /// patches, duplicates), not inherited ones.
    pub fn own_messages(&self) -> impl Iterator<Item = usize> + '_ {
        self.cover
            .into_iter()
            .chain(
                self.patches
                    .iter()
                    .filter(|p| p.inherited_from.is_none())
                    .map(|p| p.message),
            )
            .chain(self.duplicates.iter().copied())
    }

    /// Every patch expected was received (or inherited).
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && !self.patches.is_empty()
    }
}

/// All revisions found, with the message -> revision map.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Assembly {
    /// Revisions, ordered by date.
    pub revisions: Vec<SeriesRevision>,
    /// For each input message, the revision it was sent in (`None` for
    /// replies and other mail).
    pub revision_of: Vec<Option<usize>>,
}

impl Assembly {
    /// The revision a message belongs to.
    pub fn revision_of_message(&self, i: usize) -> Option<usize> {
        self.revision_of.get(i).copied().flatten()
    }
}

/// Is this message part of a series (rather than a reply or other mail)?
pub fn is_series_message(m: &MessageMeta) -> bool {
    let t = &m.tags;
    // A `[REGRESSION] [PATCH ...]` report is about a patch, not one.
    if t.is_reply || t.is_forward || t.is_report {
        return false;
    }
    m.has_patch
        || m.is_pull_request
        || t.is_patch
        || t.is_pull
        || (t.counter.is_some() && t.total.is_some())
}

fn series_msg_like(m: &MessageMeta) -> bool {
    is_series_message(m)
}

/// A cover letter: `0/N`, or a naked cover (patch tag, no counter, no diff).
fn is_cover(m: &MessageMeta) -> bool {
    match m.tags.counter {
        Some(0) => true,
        Some(_) => false,
        None => !m.has_patch && m.tags.is_patch && !m.is_pull_request && !m.tags.is_pull,
    }
}

/// May patch `p` belong to the same revision as the message `a` above it?
fn compatible(a: &MessageMeta, p: &MessageMeta) -> bool {
    let (ta, tp) = (&a.tags, &p.tags);
    let Some(cp) = tp.counter else {
        // One patch under a cover, neither numbered (`[PATCH net-next v4]`
        // twice, the second in reply with the diff): the cover owns it.
        return is_cover(a)
            && ta.counter.is_none()
            && p.has_patch
            && ta.revision == tp.revision
            && ta.is_rfc == tp.is_rfc
            && a.sender_key() == p.sender_key();
    };
    if cp == 0 {
        return false;
    }
    let a_cover = is_cover(a);
    let naked = a_cover && ta.counter.is_none();
    // A `0/N` cover whose patches say another total (the cover was not
    // regenerated after dropping a patch) still owns them when the
    // revision and sender agree.
    let total_ok = match (ta.total, tp.total) {
        (Some(x), Some(y)) => {
            x == y
                || (ta.counter == Some(0)
                    && ta.revision == tp.revision
                    && a.sender_key() == p.sender_key())
        }
        (None, _) => naked,
        _ => false,
    };
    let rev_ok = ta.revision == tp.revision || (a_cover && tp.revision.is_none());
    let order_ok = a_cover || ta.counter.is_some_and(|ca| ca < cp);
    total_ok && rev_ok && order_ok
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    Message(usize),
    Placeholder(NodeId, Option<u32>, Option<u32>),
}

/// Assemble every series revision found in `messages`.
pub fn assemble(messages: &[MessageMeta], threads: &Threads) -> Assembly {
    let n = messages.len();
    // A message without diff or counter that replies to something is a
    // reply whatever its subject says (a naked cover is a thread root).
    let series_msg: Vec<bool> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            is_series_message(m)
                && (m.has_patch
                    || m.tags.counter.is_some()
                    || m.is_pull_request
                    || m.tags.is_pull
                    || threads.parent_node(i).is_none())
        })
        .collect();

    // 1. Anchors by threading.
    let mut anchor: Vec<Option<Anchor>> = vec![None; n];
    for i in 0..n {
        if !series_msg[i] || anchor[i].is_some() {
            continue;
        }
        // Walk up while compatible, remembering the path to fill it in.
        let mut path = vec![i];
        let mut cur = i;
        let found = loop {
            let parent = threads.parent_node(cur);
            let Some(pn) = parent else {
                break Anchor::Message(cur);
            };
            match threads.node(pn).message {
                None => {
                    let t = &messages[cur].tags;
                    break Anchor::Placeholder(pn, t.revision, t.total);
                }
                Some(a) => {
                    if series_msg[a] && compatible(&messages[a], &messages[cur]) {
                        if let Some(an) = anchor[a] {
                            break an;
                        }
                        path.push(a);
                        cur = a;
                    } else {
                        break Anchor::Message(cur);
                    }
                }
            }
        };
        for p in path {
            anchor[p] = Some(found);
        }
    }

    // 2. Groups.
    let mut group_of: HashMap<Anchor, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, a) in anchor.iter().enumerate() {
        if let Some(a) = *a {
            let g = *group_of.entry(a).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
    }

    // 3. Join groups sent without threading (or each as a reply into one
    // older thread): same sender, revision, total, thread context; close in
    // time; counters disjoint.
    let mut unthreaded = vec![false; groups.len()];
    {
        let mut order: Vec<usize> = (0..groups.len()).collect();
        let gdate = |g: &Vec<usize>| g.iter().map(|&i| messages[i].date).min().unwrap_or(0);
        order.sort_by_key(|&g| (gdate(&groups[g]), g));
        // Open join targets by key -> (group, last date).
        type Key = (Option<NodeId>, String, Option<u32>, u32, bool);
        let mut open: HashMap<Key, Vec<(usize, i64)>> = HashMap::new();
        let mut merged_into: Vec<Option<usize>> = vec![None; groups.len()];
        for &g in &order {
            let first = groups[g][0];
            let m = &messages[first];
            let Some(total) = m.tags.total.filter(|&t| t > 1) else {
                continue;
            };
            // Only groups whose anchor is a message without a compatible parent.
            let context = match anchor[first] {
                Some(Anchor::Message(a)) => threads.parent_node(a).map(|pn| threads.root(pn)),
                _ => continue,
            };
            let key: Key = (
                context,
                m.sender_key(),
                m.tags.revision,
                total,
                m.tags.is_rfc,
            );
            let date = gdate(&groups[g]);
            let counters = |grp: &Vec<usize>| -> Vec<u32> {
                grp.iter()
                    .filter_map(|&i| messages[i].tags.counter)
                    .collect()
            };
            let mine = counters(&groups[g]);
            let targets = open.entry(key).or_default();
            let mut joined = false;
            for (tg, last) in targets.iter_mut() {
                if date - *last > UNTHREADED_WINDOW_SECS || date < *last - UNTHREADED_WINDOW_SECS {
                    continue;
                }
                let theirs = counters(&groups[*tg]);
                if mine.iter().any(|c| theirs.contains(c)) {
                    continue;
                }
                let moved = std::mem::take(&mut groups[g]);
                groups[*tg].extend(moved);
                *last = (*last).max(date);
                unthreaded[*tg] = true;
                merged_into[g] = Some(*tg);
                joined = true;
                break;
            }
            if !joined {
                targets.retain(|(_, last)| date - *last <= UNTHREADED_WINDOW_SECS);
                targets.push((g, date));
            }
        }
    }

    // 3b. Addenda (`4/3` sent days later into the thread of 1/3..3/3).
    let addenda = addenda(messages, threads, &mut groups);

    // 4. Build revisions.
    let mut revisions: Vec<SeriesRevision> = Vec::new();
    for (g, members) in groups.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let mut members = members.clone();
        if let Some(c) = naked_cover(messages, threads, &series_msg, &members) {
            members.push(c);
        }
        members.extend(addenda[g].iter().copied());
        revisions.push(build_revision(messages, threads, &members, unthreaded[g]));
    }
    revisions.sort_by_key(|r| (r.date, r.key_message()));
    let mut revision_of = vec![None; n];
    for (ri, r) in revisions.iter().enumerate() {
        for m in r.own_messages() {
            revision_of[m] = Some(ri);
        }
    }

    // 5. Partial rerolls.
    fill_partial_rerolls(messages, threads, &mut revisions, &revision_of);

    Assembly {
        revisions,
        revision_of,
    }
}

/// Patches numbered past a revision's total (`[PATCH 4/3 ...]`, `[PATCH
/// v2 3/2]`, or `[PATCH v5 4/4]` after `v5 1/3..3/3`) are what their
/// number says: additions to that revision, sent later, usually in reply
/// somewhere inside its thread. A group made only of such patches joins
/// the revision of the nearest message above it when that revision has
/// the same sender, version and RFC mark, and its total is below every
/// counter of the group (which says either that total or its own new
/// one). Returns, per group, the messages it takes in (the groups taken
/// are emptied).
fn addenda(
    messages: &[MessageMeta],
    threads: &Threads,
    groups: &mut [Vec<usize>],
) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); groups.len()];
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of.insert(i, g);
        }
    }
    for g in 0..groups.len() {
        let Some(&first) = groups[g].first() else {
            continue;
        };
        let m = &messages[first];
        if m.tags.total.is_none() {
            continue;
        }
        let Some(low) = groups[g]
            .iter()
            .map(|&i| messages[i].tags.counter.unwrap_or(0))
            .min()
        else {
            continue;
        };
        let Some(&top) = groups[g].iter().min_by_key(|&&i| (messages[i].date, i)) else {
            continue;
        };
        let Some(target) = threads
            .ancestor_messages(top)
            .find_map(|a| group_of.get(&a).copied().filter(|&t| t != g))
        else {
            continue;
        };
        let same_work = groups[target].iter().any(|&j| {
            let o = &messages[j];
            let Some(total) = o.tags.total.filter(|&t| t < low) else {
                return false;
            };
            o.tags.counter.is_some_and(|c| c <= total)
                && o.tags.revision == m.tags.revision
                && o.tags.is_rfc == m.tags.is_rfc
                && o.sender_key() == m.sender_key()
                && groups[g].iter().all(|&i| {
                    let t = &messages[i].tags;
                    match (t.counter, t.total) {
                        (Some(c), Some(own)) => c > total && (own == total || own >= c),
                        _ => false,
                    }
                })
        });
        if !same_work {
            continue;
        }
        let moved = std::mem::take(&mut groups[g]);
        for &i in &moved {
            group_of.insert(i, target);
        }
        out[target].extend(moved);
    }
    out
}

/// A naked cover without any tag (b4's rule): the patches reply to a
/// thread root from the same sender that carries no diff and is no reply.
fn naked_cover(
    messages: &[MessageMeta],
    threads: &Threads,
    series_msg: &[bool],
    members: &[usize],
) -> Option<usize> {
    if members.iter().any(|&i| is_cover(&messages[i])) {
        return None;
    }
    let first = *members
        .iter()
        .min_by_key(|&&i| (messages[i].tags.counter, messages[i].date, i))?;
    let p = threads.node(threads.parent_node(first)?).message?;
    let pm = &messages[p];
    let fm = &messages[first];
    (!series_msg[p]
        && threads.parent_node(p).is_none()
        && !pm.has_patch
        && !pm.tags.is_reply
        && !pm.tags.is_forward
        && pm.sender_key() == fm.sender_key()
        && members.iter().all(|&i| {
            threads
                .parent_message(i)
                .is_none_or(|q| q == p || members.contains(&q))
        }))
    .then_some(p)
}

fn build_revision(
    messages: &[MessageMeta],
    threads: &Threads,
    members: &[usize],
    unthreaded: bool,
) -> SeriesRevision {
    let mut members = members.to_vec();
    members.sort_by_key(|&i| (messages[i].date, i));
    let mut cover = None;
    let mut duplicates = Vec::new();
    let mut slots: Vec<PatchSlot> = Vec::new();
    for &i in &members {
        let m = &messages[i];
        let naked = !series_msg_like(m) && !m.has_patch;
        if naked || (is_cover(m) && (m.tags.counter == Some(0) || members.len() > 1)) {
            if cover.is_none() {
                cover = Some(i);
            } else {
                duplicates.push(i);
            }
            continue;
        }
        let counter = m.tags.counter.unwrap_or(1).max(1);
        if slots.iter().any(|s| s.counter == counter) {
            duplicates.push(i);
        } else {
            slots.push(PatchSlot {
                counter,
                message: i,
                inherited_from: None,
            });
        }
    }
    // Arrival order is input order (dates are the sender's clock).
    let mut arrival: Vec<(usize, u32)> = members
        .iter()
        .filter(|&&i| !is_cover(&messages[i]) || messages[i].tags.counter.is_some())
        .map(|&i| (i, messages[i].tags.counter.unwrap_or(1)))
        .collect();
    arrival.sort_unstable();
    let out_of_order = arrival.windows(2).any(|w| w[0].1 > w[1].1);
    slots.sort_by_key(|s| s.counter);
    let top = cover
        .or_else(|| slots.first().map(|s| s.message))
        .unwrap_or(members[0]);
    let all = || cover.into_iter().chain(slots.iter().map(|s| s.message));
    let total = messages[top]
        .tags
        .total
        .or_else(|| all().find_map(|i| messages[i].tags.total));
    let labeled = all().filter_map(|i| messages[i].tags.revision).max();
    // A `[GIT PULL]` subject is a pull request. A request-pull text in a
    // `[PATCH 0/N]` cover whose patches follow is a series that also names
    // a branch (liburing's `[PATCHSET v2 RFC liburing 0/5]`).
    let is_pull = all().any(|i| messages[i].tags.is_pull)
        || (all().any(|i| messages[i].is_pull_request)
            && !slots.iter().any(|s| messages[s.message].has_patch));
    let kind = if is_pull {
        SeriesKind::PullRequest
    } else if cover.is_none() && slots.len() == 1 && total.is_none_or(|t| t <= 1) {
        SeriesKind::SinglePatch
    } else {
        SeriesKind::Series
    };
    let (missing, extra) = match total {
        Some(t) if kind == SeriesKind::Series => {
            let missing = (1..=t.min(10_000))
                .filter(|c| !slots.iter().any(|s| s.counter == *c))
                .collect();
            let extra = slots.iter().map(|s| s.counter).filter(|c| *c > t).collect();
            (missing, extra)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let title = messages[top].tags.title.clone();
    let normalized_title = messages[top].tags.normalized_title();
    let tm = &messages[top];
    let is_rfc = all().any(|i| messages[i].tags.is_rfc);
    let is_resend = all().any(|i| messages[i].tags.is_resend);
    let change_id = all().find_map(|i| messages[i].change_id.clone());
    let backport = all().find_map(|i| messages[i].tags.backport.clone());
    SeriesRevision {
        kind,
        revision: labeled.unwrap_or(1),
        revision_labeled: labeled.is_some(),
        is_rfc,
        is_resend,
        backport,
        total,
        cover,
        patches: slots,
        missing,
        duplicates,
        extra,
        out_of_order,
        unthreaded,
        partial_reroll_of: None,
        sender_email: tm.from_email.clone(),
        sender_name: tm.from_name.clone(),
        date: members.iter().map(|&i| messages[i].date).min().unwrap_or(0),
        title,
        normalized_title,
        change_id,
        thread_root: threads.root(threads.node_of_message(top)),
    }
}

/// A patch marked as the replacement of one already sent in its version:
/// `[PATCH v5 update 30/32]`, `[PATCH v5 3/6 REPLACE]`.
fn replacement(m: &MessageMeta) -> bool {
    m.tags.extra.iter().any(|w| {
        ["update", "updated", "replace", "replacement"].contains(&w.to_ascii_lowercase().as_str())
    })
}

/// A revision missing patches, sent in reply into an older revision of the
/// same total by the same sender, takes the missing patches from it.
fn fill_partial_rerolls(
    messages: &[MessageMeta],
    threads: &Threads,
    revisions: &mut [SeriesRevision],
    revision_of: &[Option<usize>],
) {
    for ri in 0..revisions.len() {
        let r = &revisions[ri];
        if r.missing.is_empty() || r.kind != SeriesKind::Series || r.patches.is_empty() {
            continue;
        }
        let top = r.key_message();
        let older = threads
            .ancestor_messages(top)
            .find_map(|a| revision_of[a].filter(|&o| o != ri));
        let Some(o) = older else { continue };
        let old = &revisions[o];
        // A later version, or a resend or replacement within the same one
        // (Tejun Heo's `[PATCH RESEND 3/3 ...]` after "I messed up patch
        // generation", Qi Zheng's `[PATCH v5 update 30/32]`).
        let later = old.revision < r.revision
            || (old.revision == r.revision
                && old.is_rfc == r.is_rfc
                && (r.is_resend || r.own_messages().any(|m| replacement(&messages[m]))));
        if old.total != r.total || !later || !old.sender_email.eq_ignore_ascii_case(&r.sender_email)
        {
            continue;
        }
        let fill: Vec<PatchSlot> = old
            .patches
            .iter()
            .filter(|s| r.missing.contains(&s.counter))
            .map(|s| PatchSlot {
                counter: s.counter,
                message: s.message,
                inherited_from: Some(s.inherited_from.unwrap_or(o)),
            })
            .collect();
        if fill.is_empty() {
            continue;
        }
        let old_cover = old.cover;
        let r = &mut revisions[ri];
        r.patches.extend(fill);
        r.patches.sort_by_key(|s| s.counter);
        let have: Vec<u32> = r.patches.iter().map(|s| s.counter).collect();
        r.missing.retain(|c| !have.contains(c));
        r.partial_reroll_of = Some(o);
        if r.cover.is_none() && old_cover.is_some() {
            // Keep the title of the work, not of the one resent patch.
            if let Some(c) = old_cover {
                r.title = messages[c].tags.title.clone();
                r.normalized_title = messages[c].tags.normalized_title();
            }
        }
    }
}
