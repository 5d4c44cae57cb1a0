//! Revision chains on real mail extracted from the corpus epochs
//! (`tests/data/revisions/`, see `tests/data/README.md`): a version posted
//! twice, RFC before v1, stable backports.

mod common;

use lpl_series::{Analysis, LinkReason, MessageMeta, analyse};

fn load(name: &str) -> (Vec<MessageMeta>, Analysis) {
    let path = format!("{}/tests/data/revisions/{name}", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read(&path).expect("fixture");
    let metas: Vec<MessageMeta> = common::split_mbox(&data)
        .iter()
        .filter_map(|r| MessageMeta::from_message(&lpl_mail::parse(r).message))
        .collect();
    let a = analyse(&metas, &[]);
    (metas, a)
}

fn find(metas: &[MessageMeta], a: &Analysis, subject: &str) -> usize {
    a.assembly
        .revisions
        .iter()
        .position(|r| metas[r.key_message()].subject == subject)
        .unwrap_or_else(|| panic!("no revision {subject:?}"))
}

#[test]
fn getsockname_v2_sent_twice_is_one_version() {
    let (metas, a) = load("getsockname.mbox");
    let kernel = find(&metas, &a, "[PATCH 0/3] Introduce getsockname io_uring_cmd");
    let labels: Vec<Vec<String>> = a
        .chains
        .versions(kernel)
        .iter()
        .map(|v| v.iter().map(|&r| a.assembly.revisions[r].label()).collect())
        .collect();
    assert_eq!(
        labels,
        vec![vec!["v1"], vec!["v2", "v2"], vec!["v3"], vec!["v4"]],
        "the kernel series: one chain, v2 posted twice"
    );
    let resend = find(
        &metas,
        &a,
        "[PATCH RESEND v2 0/3] Introduce getsockname io_uring_cmd",
    );
    let l = a.chains.predecessor(resend).expect("linked");
    assert_eq!(l.reason, LinkReason::Repost);
    assert_eq!(l.evidence, "RESEND of v2");

    // liburing's v2 was posted again four days later, without RESEND.
    let lib = find(
        &metas,
        &a,
        "[PATCH liburing 0/4] liburing: getsockname support",
    );
    let versions = a.chains.versions(lib);
    assert_eq!(versions.len(), 3, "{versions:?}");
    assert_eq!(versions[1].len(), 2, "{versions:?}");
    let again = a.chains.predecessor(versions[1][1]).expect("linked");
    assert!(
        again.evidence.contains("same patches"),
        "{}",
        again.evidence
    );
    // The two works stay apart.
    assert_ne!(a.chains.chain_of[kernel], a.chains.chain_of[lib]);
}

#[test]
fn nth_page_rfc_is_labelled_and_first() {
    let (metas, a) = load("nth-page-covers.mbox");
    let rfc = find(&metas, &a, "[PATCH RFC 00/35] mm: remove nth_page()");
    let labels: Vec<String> = a
        .chains
        .chain(rfc)
        .iter()
        .map(|&r| a.assembly.revisions[r].label())
        .collect();
    assert_eq!(labels, vec!["RFC", "v1", "v2"]);
}

#[test]
fn psi_stable_backports_are_not_revisions() {
    let (metas, a) = load("psi-backports.mbox");
    assert_eq!(a.assembly.revisions.len(), 3);
    assert!(a.chains.links.is_empty(), "{:?}", a.chains.links);
    let mut branches: Vec<String> = a
        .assembly
        .revisions
        .iter()
        .filter_map(|r| r.backport.clone())
        .collect();
    branches.sort();
    assert_eq!(branches, vec!["6.1.y", "6.12.y", "6.6.y"]);
    let _ = metas;
}

/// Issue 15: a cover letter's `v1: <lore link>` links the revision to that
/// version even when the title changed, with the evidence named "changelog
/// link". Yu Kuai's v1 was a single patch, "blk-throttle: delay the
/// setting of 'BIO_THROTTLED' to when throttle is done"; v2 is "bugfix for
/// blk-throttle" whose cover says "Previous version: v1 : <lore link>"
/// (cgroups epoch, 2022-05-17/18, `tests/data/revisions/blk-throttle-v1-v2.mbox`).
#[test]
fn a_changelog_link_names_the_previous_version() {
    let (metas, a) = load("blk-throttle-v1-v2.mbox");
    let key = |r: usize| {
        metas[a.assembly.revisions[r].key_message()]
            .message_id
            .as_str()
    };
    let v2 = (0..a.assembly.revisions.len())
        .find(|&r| key(r) == "20220518072751.1188163-1-yukuai3@huawei.com")
        .expect("v2 assembled");
    let l = a.chains.predecessor(v2).expect("v2 linked");
    assert_eq!(l.reason, LinkReason::ChangelogLink, "{}", l.evidence);
    assert_eq!(key(l.from), "20220517134909.2910251-1-yukuai3@huawei.com");
    assert!(l.evidence.starts_with("changelog link"), "{}", l.evidence);
    assert_eq!(a.chains.chain(v2).len(), 2);
}

/// The revision whose key (cover, else first own patch) is `id`, with its
/// patches' Message-IDs in order.
fn revision_by_key<'a>(metas: &'a [MessageMeta], a: &Analysis, id: &str) -> (usize, Vec<&'a str>) {
    let r = (0..a.assembly.revisions.len())
        .find(|&r| {
            metas[a.assembly.revisions[r].key_message()]
                .message_id
                .as_str()
                == id
        })
        .unwrap_or_else(|| panic!("no revision keyed {id}"));
    let patches = a.assembly.revisions[r]
        .patches
        .iter()
        .map(|p| metas[p.message].message_id.as_str())
        .collect();
    (r, patches)
}

/// Issue 15 (b4 oracle): a kernel test robot's report `[tree:branch N/M]`
/// is no series, alone or three from one robot within the hour (cgroups
/// epoch, 2019-06-14 and 2025-08-23, bodies trimmed).
#[test]
fn robot_reports_are_not_series() {
    let (metas, a) = load("robot-reports.mbox");
    assert_eq!(metas.len(), 4);
    assert!(
        a.assembly.revisions.is_empty(),
        "{:?}",
        a.assembly
            .revisions
            .iter()
            .map(|r| &r.title)
            .collect::<Vec<_>>()
    );
}

/// Issue 15 (b4 oracle): patches numbered past the total, sent later into
/// the revision's thread by its sender, belong to it, as b4 says: Tejun
/// Heo's `[PATCH 4/3 ...]` and `[PATCH 5/3 ...]` six and eleven days
/// after 1/3..3/3 (replying under a reply to 3/3), Juri Lelli's `[PATCH v2
/// 3/2]` the next day (under a reply to the cover), Waiman Long's `[PATCH
/// v5 4/4]` hours after `v5 0/3` (cgroups epoch).
#[test]
fn patches_past_the_total_join_their_revision() {
    let (metas, a) = load("addenda.mbox");
    let (r, p) = revision_by_key(
        &metas,
        &a,
        "20190530183556.GR374014@devbig004.ftw2.facebook.com",
    );
    assert_eq!(
        p,
        [
            "20190530183556.GR374014@devbig004.ftw2.facebook.com",
            "20190530183637.GS374014@devbig004.ftw2.facebook.com",
            "20190530183700.GT374014@devbig004.ftw2.facebook.com",
            "20190605170333.GQ374014@devbig004.ftw2.facebook.com",
            "20190610161619.GB3341036@devbig004.ftw2.facebook.com",
        ]
    );
    let rev = &a.assembly.revisions[r];
    assert_eq!((rev.total, &rev.extra), (Some(3), &vec![4, 5]));
    assert!(rev.missing.is_empty());

    let (_, p) = revision_by_key(&metas, &a, "20241114142810.794657-1-juri.lelli@redhat.com");
    assert_eq!(
        p,
        [
            "20241114142810.794657-2-juri.lelli@redhat.com",
            "20241114142810.794657-3-juri.lelli@redhat.com",
            "Zzc1DfPhbvqDDIJR@jlelli-thinkpadt14gen4.remote.csb",
        ]
    );
    let (_, p) = revision_by_key(&metas, &a, "20220602133543.128088-1-longman@redhat.com");
    assert_eq!(
        p,
        [
            "20220602133543.128088-2-longman@redhat.com",
            "20220602133543.128088-3-longman@redhat.com",
            "20220602133543.128088-4-longman@redhat.com",
            "20220602185401.162937-1-longman@redhat.com",
        ]
    );
    // Nothing is left as a revision of its own.
    assert_eq!(a.assembly.revisions.len(), 3);
}

/// Issue 15 (b4 oracle): a RESEND of some patches of a revision, in reply
/// to it, takes the others from it: Tejun Heo's `[PATCH RESEND 3/3
/// ...]` ("I messed up patch generation") is 1/3, 2/3 and the resent 3/3.
/// A same-version patch without RESEND is not a replacement: Nhat Pham's
/// `[PATCH v3 3/3] ... (fix)` is a fixup on top of v3 3/3 (its removed
/// lines are lines 3/3 adds), left on its own (cgroups epoch).
#[test]
fn a_partial_resend_takes_the_other_patches() {
    let (metas, a) = load("partial-resend.mbox");
    let (r, p) = revision_by_key(&metas, &a, "YtwFjPnCtw8ySnuv@slm.duckdns.org");
    assert_eq!(
        p,
        [
            "YtDvN0wJ6CKaEPN8@slm.duckdns.org",
            "YtDvU4jRPSsarcNp@slm.duckdns.org",
            "YtwFjPnCtw8ySnuv@slm.duckdns.org",
        ]
    );
    let rev = &a.assembly.revisions[r];
    assert!(rev.is_resend && rev.partial_reroll_of.is_some());
    assert!(rev.missing.is_empty());
    // The first posting keeps its own 3/3.
    let (_, p) = revision_by_key(&metas, &a, "YtDvN0wJ6CKaEPN8@slm.duckdns.org");
    assert_eq!(p[2], "YtDvl7Qjc5zI3e/b@slm.duckdns.org");

    let (r, p) = revision_by_key(&metas, &a, "20240222043132.616320-1-nphamcs@gmail.com");
    assert_eq!(p, ["20240222043132.616320-1-nphamcs@gmail.com"]);
    assert_eq!(a.assembly.revisions[r].partial_reroll_of, None);
}

/// Issue 15 (b4 oracle): an unnumbered cover and its one unnumbered patch
/// in reply are one revision (Konrad Rzeszutek Wilk's `[PATCH net-next
/// v4]` twice, 2025-06-21), and a version in a misspelt bracket is read
/// (Luiz Capitulino's `[PATH v2]`, 2023-09-06; cgroups epoch).
#[test]
fn unnumbered_cover_and_misspelt_prefix() {
    let (metas, a) = load("unmarked.mbox");
    let (r, p) = revision_by_key(
        &metas,
        &a,
        "20250621004741.2883507-1-konrad.wilk@oracle.com",
    );
    assert_eq!(p, ["20250621004741.2883507-2-konrad.wilk@oracle.com"]);
    let rev = &a.assembly.revisions[r];
    assert_eq!(
        rev.cover.map(|c| metas[c].message_id.as_str()),
        Some("20250621004741.2883507-1-konrad.wilk@oracle.com")
    );
    assert_eq!(rev.label(), "v4");
    let (r, _) = revision_by_key(&metas, &a, "20230906005712.66461-1-luizcap@amazon.com");
    assert_eq!(a.assembly.revisions[r].label(), "v2");
    assert_eq!(a.assembly.revisions.len(), 2);
}

/// Issue 15 (b4 oracle): a regression report titled `[REGRESSION] [PATCH
/// v2 1/2] ...` and quoting the patch is no revision; the patch's own
/// revision stays whole (cgroups epoch: Johannes Weiner's "mm: vmalloc:
/// streamline vmalloc memory accounting" v2, 2026-02-23, and the report
/// of 2026-06-19).
#[test]
fn a_regression_report_is_no_revision() {
    let (metas, a) = load("regression-report.mbox");
    assert_eq!(metas.len(), 3);
    assert_eq!(a.assembly.revisions.len(), 1);
    let (_, p) = revision_by_key(&metas, &a, "20260223160147.3792777-1-hannes@cmpxchg.org");
    assert_eq!(p.len(), 2);
    let report = metas
        .iter()
        .position(|m| m.message_id.as_str() == "15973e53-5774-428c-96c4-675eea600788@arm.com")
        .expect("report");
    assert_eq!(a.assembly.revision_of_message(report), None);
}

/// Issue 15 (b4 oracle): `[PATCH v5 update 30/32]`, in reply to v5's
/// 30/32 by its sender, replaces that patch: the revision is v5's 32
/// patches with the update in place of 30 (cgroups epoch, Qi Zheng's
/// "Eliminate Dying Memory Cgroup" v5, 2026-02-25, read from the epoch).
#[test]
fn an_update_of_one_patch_takes_the_others() {
    let Some(repo) = common::epoch_repo("cgroups.vger.kernel.org.0") else {
        panic!("the corpus epoch cgroups.vger.kernel.org.0 is needed");
    };
    let raws = common::epoch_raws(&repo, |_, s| {
        s.starts_with("[PATCH v5") && s.contains("/32]")
    });
    let metas: Vec<MessageMeta> = raws
        .iter()
        .filter_map(|r| MessageMeta::from_message(&lpl_mail::parse(r).message))
        .filter(|m| m.from_email.contains("qi.zheng") || m.from_email.contains("zhengqi"))
        .collect();
    let a = analyse(&metas, &[]);
    let (r, p) = revision_by_key(&metas, &a, "20260225094456.74145-1-qi.zheng@linux.dev");
    assert_eq!(p.len(), 32, "{p:?}");
    assert_eq!(p[29], "20260225094456.74145-1-qi.zheng@linux.dev");
    let rev = &a.assembly.revisions[r];
    assert!(rev.missing.is_empty() && rev.partial_reroll_of.is_some());
}
