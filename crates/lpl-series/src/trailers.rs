//! Review trailers collected from replies.
//!
//! A trailer typed in a reply to a patch applies to that patch; one typed
//! in a reply to the cover letter applies to every patch of the revision.
//! Replies are found by walking the reply tree below each message, stopping
//! at other series messages (so a deep-threaded series or a new revision
//! threaded below does not leak its replies). A trailer is attributed to
//! the person it names and flagged when that is not the reply's sender.
//! Trailers of a patch carry forward along a revision chain while the
//! patch-id stays the same.

use std::collections::HashMap;

use lpl_mail::trailer::{is_bot, kind_of};
use lpl_mail::{Address, Trailer, TrailerKind};
use serde::{Deserialize, Serialize};

use crate::chain::Chains;
use crate::input::MessageMeta;
use crate::series::Assembly;
use crate::thread::Threads;

/// One collected trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectedTrailer {
    /// The trailer as written.
    pub trailer: Trailer,
    /// The person it names (`Name <email>`), when it parses.
    pub giver: Option<Address>,
    /// Input index of the reply it was found in.
    pub source: usize,
    /// The named person is not the reply's sender (quoted from someone
    /// else): shown, not counted, not applied by `am`.
    pub giver_is_not_sender: bool,
    /// Written by a bot (syzbot, the kernel test robot, a CI system: the
    /// reply's sender or the named giver is one,
    /// [`lpl_mail::trailer::is_bot`]): a bot's report is not a person's
    /// Tested-by. Shown, not counted, not applied by `am`.
    pub by_bot: bool,
    /// Given on the cover letter (applies to every patch).
    pub from_cover: bool,
    /// Carried from this earlier revision (same patch-id).
    pub carried_from: Option<usize>,
}

impl CollectedTrailer {
    /// Does it count as a person's review (not a bot's, not quoted from
    /// someone else)? `series`, `show`, `am` and the notebook agree on it.
    pub fn counts(&self) -> bool {
        !self.by_bot && !self.giver_is_not_sender
    }
}

/// Acked-by / Reviewed-by / Tested-by counts (distinct people).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Acked-by.
    pub acked: u32,
    /// Reviewed-by.
    pub reviewed: u32,
    /// Tested-by.
    pub tested: u32,
}

impl Counts {
    /// Counts of people's trailers: a trailer naming a bot is left out.
    fn of(trailers: &[&Trailer]) -> Self {
        let mut seen: Vec<(TrailerKind, String)> = Vec::new();
        let mut c = Counts::default();
        for t in trailers {
            let kind = t.kind();
            if !matches!(
                kind,
                TrailerKind::AckedBy | TrailerKind::ReviewedBy | TrailerKind::TestedBy
            ) {
                continue;
            }
            let person = t.person();
            if person
                .as_ref()
                .is_some_and(|a| is_bot(&a.email, a.name.as_deref()))
            {
                continue;
            }
            let who = person
                .map(|a| a.email.to_ascii_lowercase())
                .unwrap_or_else(|| t.value.to_ascii_lowercase());
            if seen.contains(&(kind, who.clone())) {
                continue;
            }
            seen.push((kind, who));
            match kind {
                TrailerKind::AckedBy => c.acked += 1,
                TrailerKind::ReviewedBy => c.reviewed += 1,
                _ => c.tested += 1,
            }
        }
        c
    }

    fn add(&mut self, o: Counts) {
        self.acked += o.acked;
        self.reviewed += o.reviewed;
        self.tested += o.tested;
    }
}

/// Trailers of one revision.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RevisionTrailers {
    /// Trailers given on the cover letter.
    pub cover: Vec<CollectedTrailer>,
    /// Per patch slot (same order as `SeriesRevision::patches`): trailers
    /// that apply to it (its own replies, the cover's, carried ones).
    pub patches: Vec<Vec<CollectedTrailer>>,
    /// A/R/T per patch, counting the patch's own trailers and collected ones.
    pub patch_counts: Vec<Counts>,
    /// Sum over patches.
    pub counts: Counts,
}

/// Trailer keys worth collecting from replies (as `b4` does: people's
/// `*-by` plus `Fixes`/`Link`/`Closes`; never `Signed-off-by`).
fn collectable(t: &Trailer) -> bool {
    match kind_of(&t.key) {
        TrailerKind::SignedOffBy
        | TrailerKind::Cc
        | TrailerKind::ChangeId
        | TrailerKind::BaseCommit
        | TrailerKind::MessageId => false,
        TrailerKind::Other => t.key.to_ascii_lowercase().ends_with("-by"),
        _ => true,
    }
}

fn same_trailer(a: &Trailer, b: &Trailer) -> bool {
    a.key.eq_ignore_ascii_case(&b.key)
        && a.value
            .split_whitespace()
            .map(str::to_lowercase)
            .eq(b.value.split_whitespace().map(str::to_lowercase))
}

/// Remove mail-client junk from a trailer value: HTML mailers turn
/// `<a@b>` into `<a@b<mailto:a@b>>`.
fn clean_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(pos) = rest.find("<mailto:") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        match after.find('>') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    // `<a@b>>` left over after removing the inner `<mailto:...>`.
    let mut s = out.trim().to_string();
    while s.ends_with(">>") {
        s.pop();
    }
    s
}

/// Replies below message `i`, not crossing into messages of any series.
fn replies(
    messages: &[MessageMeta],
    threads: &Threads,
    assembly: &Assembly,
    i: usize,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack: Vec<_> = threads.node(threads.node_of_message(i)).children.clone();
    while let Some(n) = stack.pop() {
        let node = threads.node(n);
        if let Some(m) = node.message {
            if assembly.revision_of_message(m).is_some() {
                continue;
            }
            out.push(m);
        }
        stack.extend(node.children.iter().copied());
    }
    out.sort_by_key(|&m| (messages[m].date, m));
    out
}

fn from_replies(
    messages: &[MessageMeta],
    threads: &Threads,
    assembly: &Assembly,
    i: usize,
    from_cover: bool,
) -> Vec<CollectedTrailer> {
    let mut out: Vec<CollectedTrailer> = Vec::new();
    for r in replies(messages, threads, assembly, i) {
        let reply = &messages[r];
        for t in reply.reply_trailers.iter().filter(|t| collectable(t)) {
            let t = &Trailer {
                key: t.key.clone(),
                value: clean_value(&t.value),
            };
            if out.iter().any(|c| same_trailer(&c.trailer, t)) {
                continue;
            }
            let giver = t.person();
            // Flag a trailer naming someone else than the reply's sender
            // (neither the address nor the name matches).
            let giver_is_not_sender = giver.as_ref().is_some_and(|g| {
                let same_email = g.email.eq_ignore_ascii_case(reply.from_email.trim());
                let same_name = match (&g.name, &reply.from_name) {
                    (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
                    _ => false,
                };
                !same_email && !same_name
            });
            let by_bot = is_bot(&reply.from_email, reply.from_name.as_deref())
                || giver
                    .as_ref()
                    .is_some_and(|g| is_bot(&g.email, g.name.as_deref()));
            out.push(CollectedTrailer {
                trailer: t.clone(),
                giver,
                source: r,
                giver_is_not_sender,
                by_bot,
                from_cover,
                carried_from: None,
            });
        }
    }
    out
}

/// Collect trailers for every revision, carrying them along `chains`.
pub fn collect(
    messages: &[MessageMeta],
    threads: &Threads,
    assembly: &Assembly,
    chains: &Chains,
) -> Vec<RevisionTrailers> {
    let mut all: Vec<RevisionTrailers> = assembly
        .revisions
        .iter()
        .map(|r| {
            // A partial reroll has no cover of its own: the older revision's
            // cover (and its review trailers) still stands for the work.
            let cover = r.cover.or_else(|| {
                r.partial_reroll_of
                    .and_then(|o| assembly.revisions[o].cover)
            });
            collect_one(messages, threads, assembly, r, cover)
        })
        .collect();
    // Carry forward along each chain, oldest first.
    for chain in &chains.chains {
        for w in chain.windows(2) {
            let (a, b) = (w[0], w[1]);
            let old = &assembly.revisions[a];
            let by_pid: HashMap<[u8; 20], usize> = old
                .patches
                .iter()
                .enumerate()
                .filter_map(|(k, s)| messages[s.message].patch_id.map(|p| (*p.as_bytes(), k)))
                .collect();
            let new = &assembly.revisions[b];
            let mut adds: Vec<(usize, Vec<CollectedTrailer>)> = Vec::new();
            for (k, s) in new.patches.iter().enumerate() {
                let Some(pid) = messages[s.message].patch_id else {
                    continue;
                };
                let Some(&ok) = by_pid.get(pid.as_bytes()) else {
                    continue;
                };
                let carried: Vec<CollectedTrailer> = all[a].patches[ok]
                    .iter()
                    .map(|c| CollectedTrailer {
                        carried_from: Some(c.carried_from.unwrap_or(a)),
                        ..c.clone()
                    })
                    .collect();
                adds.push((k, carried));
            }
            for (k, carried) in adds {
                let own = &messages[new.patches[k].message].patch_trailers;
                let list = &mut all[b].patches[k];
                for c in carried {
                    if list.iter().any(|x| same_trailer(&x.trailer, &c.trailer))
                        || own.iter().any(|t| same_trailer(t, &c.trailer))
                    {
                        continue;
                    }
                    list.push(c);
                }
            }
            recount(messages, &assembly.revisions[b], &mut all[b]);
        }
    }
    all
}

fn collect_one(
    messages: &[MessageMeta],
    threads: &Threads,
    assembly: &Assembly,
    r: &crate::series::SeriesRevision,
    cover: Option<usize>,
) -> RevisionTrailers {
    let cover = cover
        .map(|c| from_replies(messages, threads, assembly, c, true))
        .unwrap_or_default();
    let mut patches = Vec::with_capacity(r.patches.len());
    for s in &r.patches {
        let own = &messages[s.message].patch_trailers;
        let mut list = from_replies(messages, threads, assembly, s.message, false);
        for c in &cover {
            if !list.iter().any(|x| same_trailer(&x.trailer, &c.trailer)) {
                list.push(c.clone());
            }
        }
        // A trailer the patch already carries is no news (often restated
        // while quoting): neither collected nor flagged.
        list.retain(|c| !own.iter().any(|t| same_trailer(t, &c.trailer)));
        patches.push(list);
    }
    let mut out = RevisionTrailers {
        cover,
        patches,
        patch_counts: Vec::new(),
        counts: Counts::default(),
    };
    recount(messages, r, &mut out);
    out
}

fn recount(messages: &[MessageMeta], r: &crate::series::SeriesRevision, t: &mut RevisionTrailers) {
    t.patch_counts.clear();
    t.counts = Counts::default();
    for (k, s) in r.patches.iter().enumerate() {
        let own = &messages[s.message].patch_trailers;
        let list: Vec<&Trailer> = own
            .iter()
            .chain(
                t.patches[k]
                    .iter()
                    .filter(|c| c.counts())
                    .map(|c| &c.trailer),
            )
            .collect();
        let c = Counts::of(&list);
        t.counts.add(c);
        t.patch_counts.push(c);
    }
}

/// The trailers to add to patch `k` of a revision when exporting it: the
/// collected ones not already in the patch, in order of arrival, leaving
/// out those whose giver is not the reply's sender (b4 reports those
/// instead of applying them) and those written by bots.
pub fn trailers_to_add(own: &[Trailer], collected: &[CollectedTrailer]) -> Vec<Trailer> {
    let mut out: Vec<Trailer> = Vec::new();
    for c in collected.iter().filter(|c| c.counts()) {
        if own
            .iter()
            .chain(out.iter())
            .any(|t| same_trailer(t, &c.trailer))
        {
            continue;
        }
        out.push(c.trailer.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread::tests::meta;
    use lpl_mail::PatchId;

    fn reviewed(who: &str) -> Trailer {
        Trailer {
            key: "Reviewed-by".into(),
            value: who.into(),
        }
    }

    #[test]
    fn cover_replies_apply_to_all_patches_and_carry_forward() {
        let pid = |b: u8| Some(PatchId::from_bytes([b; 20]));
        let mut m = vec![
            meta("c1@x", &[], "[PATCH 0/2] work", 10),
            meta("p1@x", &["c1@x"], "[PATCH 1/2] one", 11),
            meta("p2@x", &["c1@x"], "[PATCH 2/2] two", 12),
            meta("r1@x", &["c1@x"], "Re: [PATCH 0/2] work", 20),
            meta("r2@x", &["c1@x", "p2@x"], "Re: [PATCH 2/2] two", 21),
            meta("c2@x", &[], "[PATCH v2 0/2] work", 100),
            meta("q1@x", &["c2@x"], "[PATCH v2 1/2] one", 101),
            meta("q2@x", &["c2@x"], "[PATCH v2 2/2] two", 102),
        ];
        for i in [1, 2, 6, 7] {
            m[i].has_patch = true;
        }
        m[1].patch_id = pid(1);
        m[2].patch_id = pid(2);
        m[6].patch_id = pid(1); // unchanged
        m[7].patch_id = pid(3); // changed
        m[3].from_email = "rev@example.org".into();
        m[3].from_name = Some("Rev".into());
        m[3].reply_trailers = vec![Trailer {
            key: "Acked-by".into(),
            value: "Rev <rev@example.org>".into(),
        }];
        m[4].from_email = "other@example.org".into();
        m[4].from_name = Some("Other".into());
        m[4].reply_trailers = vec![reviewed("Someone Else <else@example.org>")];

        let a = crate::analyse(&m, &[]);
        assert_eq!(a.assembly.revisions.len(), 2);
        assert_eq!(a.chains.chains, vec![vec![0, 1]]);
        let t = collect(&m, &a.threads, &a.assembly, &a.chains);
        // v1: the cover ack on both patches, the review on patch 2 only,
        // flagged (named person is not the sender).
        assert_eq!(t[0].patches[0].len(), 1);
        assert!(t[0].patches[0][0].from_cover);
        assert_eq!(t[0].patches[1].len(), 2);
        let flagged: Vec<bool> = t[0].patches[1]
            .iter()
            .map(|c| c.giver_is_not_sender)
            .collect();
        assert_eq!(flagged, vec![true, false]);
        // The flagged review (quoted from someone else) is shown, not
        // counted: the counts agree with what `am` applies.
        assert_eq!(
            t[0].counts,
            Counts {
                acked: 2,
                reviewed: 0,
                tested: 0
            }
        );
        // v2: patch 1 unchanged carries the ack; patch 2 changed carries nothing.
        assert_eq!(t[1].patches[0].len(), 1);
        assert_eq!(t[1].patches[0][0].carried_from, Some(0));
        assert!(t[1].patches[1].is_empty());
        assert_eq!(t[1].patch_counts[0].acked, 1);
        // Export leaves out the flagged one.
        let add = trailers_to_add(&[], &t[0].patches[1]);
        assert_eq!(add.len(), 1);
        assert_eq!(add[0].key, "Acked-by");
    }

    #[test]
    fn mailto_junk_cleaned() {
        assert_eq!(
            clean_value("Junk <j@x.org<mailto:j@x.org>>"),
            "Junk <j@x.org>"
        );
        assert_eq!(clean_value("A <a@b>"), "A <a@b>");
    }

    #[test]
    fn a_bot_report_is_not_a_tested_by() {
        // nth_page: syzbot ci's failure report on the cover asks for
        // "Tested-by: syzbot@syzkaller.appspotmail.com".
        let mut m = vec![
            meta("c1@x", &[], "[PATCH RFC 0/2] work", 10),
            meta("p1@x", &["c1@x"], "[PATCH RFC 1/2] one", 11),
            meta("p2@x", &["c1@x"], "[PATCH RFC 2/2] two", 12),
            meta("r1@x", &["c1@x"], "[syzbot ci] Re: work", 20),
            meta("r2@x", &["c1@x"], "Re: [PATCH RFC 0/2] work", 21),
        ];
        for i in [1, 2] {
            m[i].has_patch = true;
        }
        m[3].from_email = "syzbot+ci0b43493baa45553d@syzkaller.appspotmail.com".into();
        m[3].from_name = Some("syzbot ci".into());
        m[3].reply_trailers = vec![Trailer {
            key: "Tested-by".into(),
            value: "syzbot@syzkaller.appspotmail.com".into(),
        }];
        m[4].from_email = "rev@example.org".into();
        m[4].from_name = Some("Rev".into());
        m[4].reply_trailers = vec![Trailer {
            key: "Tested-by".into(),
            value: "Rev <rev@example.org>".into(),
        }];
        let a = crate::analyse(&m, &[]);
        let t = collect(&m, &a.threads, &a.assembly, &a.chains);
        let bots: Vec<bool> = t[0].cover.iter().map(|c| c.by_bot).collect();
        assert_eq!(bots, vec![true, false]);
        assert_eq!(
            t[0].counts.tested, 2,
            "one person's Tested-by on two patches"
        );
        let add = trailers_to_add(&[], &t[0].patches[0]);
        assert_eq!(add.len(), 1);
        assert_eq!(add[0].value, "Rev <rev@example.org>");
    }
}
