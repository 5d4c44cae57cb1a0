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
