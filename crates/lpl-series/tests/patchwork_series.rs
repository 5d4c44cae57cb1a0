//! Patchwork's series test mboxes (`corpus/mail/patchwork/.../tests/data/series`),
//! assembled as patchwork's own tests (`patchwork/tests/test_series.py`)
//! expect: which mails form which series, cover or not, completeness, and
//! that the revisions of one work are chained.

mod common;

use std::path::PathBuf;

use lpl_series::{SeriesKind, analyse};

fn dir() -> Option<PathBuf> {
    let d = common::corpus_dir()?.join("mail/patchwork/patchwork/tests/data/series");
    d.is_dir().then_some(d)
}

/// Expected series, oldest first: (has cover, patch count).
type Expected = &'static [(bool, usize)];

/// (file, expected series, revisions chained)
const CASES: &[(&str, Expected, bool)] = &[
    ("base-single-patch.mbox", &[(false, 1)], false),
    ("base-cover-letter.mbox", &[(true, 2)], false),
    ("base-no-cover-letter.mbox", &[(false, 2)], false),
    ("base-deep-threaded.mbox", &[(true, 2)], false),
    ("base-out-of-order.mbox", &[(true, 2)], false),
    ("base-different-versions.mbox", &[(true, 4)], false),
    ("bugs-multiple-references.mbox", &[(true, 4)], false),
    ("base-no-references.mbox", &[(false, 2)], false),
    ("base-no-references-no-cover.mbox", &[(true, 2)], false),
    ("bugs-multiple-content-types.mbox", &[(false, 1)], false),
    ("base-incomplete.mbox", &[(true, 1)], false),
    ("base-extra-patches.mbox", &[(true, 3)], false),
    ("mercurial-cover-letter.mbox", &[(true, 2)], false),
    ("mercurial-no-cover-letter.mbox", &[(false, 2)], false),
    ("dependency-base-patch.mbox", &[(true, 2)], false),
    ("revision-basic.mbox", &[(true, 2), (true, 2)], true),
    (
        "revision-threaded-to-single-patch.mbox",
        &[(false, 1), (false, 1)],
        true,
    ),
    (
        "revision-threaded-to-cover.mbox",
        &[(true, 2), (true, 2)],
        true,
    ),
    (
        "revision-threaded-to-patch.mbox",
        &[(true, 2), (true, 2)],
        true,
    ),
    ("revision-out-of-order.mbox", &[(true, 2), (true, 2)], true),
    (
        "revision-no-cover-letter.mbox",
        &[(true, 2), (false, 2)],
        true,
    ),
    ("revision-unlabeled.mbox", &[(true, 2), (true, 2)], true),
    (
        "revision-unlabeled-noreferences.mbox",
        &[(false, 2), (false, 2)],
        true,
    ),
    ("bugs-unnumbered.mbox", &[(true, 1), (false, 1)], false),
    (
        "bugs-nocover-noversion.mbox",
        &[(false, 2), (false, 2)],
        true,
    ),
    ("bugs-nocover.mbox", &[(false, 2), (false, 2)], true),
    (
        "bugs-spamming.mbox",
        &[(false, 1), (false, 1), (false, 1)],
        false,
    ),
    ("bugs-mixed-versions.mbox", &[(false, 1), (false, 1)], false),
];

#[test]
fn patchwork_series_cases() {
    let Some(dir) = dir() else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let mut failures = Vec::new();
    for (file, expected, chained) in CASES {
        let (_, metas) = common::load_mbox(&dir.join(file));
        let a = analyse(&metas, &[]);
        let got: Vec<(bool, usize)> = a
            .assembly
            .revisions
            .iter()
            .map(|r| (r.cover.is_some(), r.patches.len()))
            .collect();
        if got != *expected {
            failures.push(format!("{file}: expected {expected:?}, got {got:?}"));
            for r in &a.assembly.revisions {
                failures.push(format!(
                    "    v{} total {:?} cover {:?} patches {:?}",
                    r.revision,
                    r.total,
                    r.cover.map(|c| &metas[c].subject),
                    r.patches
                        .iter()
                        .map(|p| &metas[p.message].subject)
                        .collect::<Vec<_>>()
                ));
            }
            continue;
        }
        if *chained && a.chains.chains.len() != 1 {
            failures.push(format!(
                "{file}: revisions not chained: {:?}",
                a.chains.chains
            ));
        }
        if !*chained && expected.len() == 1 && !a.chains.links.is_empty() {
            failures.push(format!("{file}: unexpected links {:?}", a.chains.links));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn completeness_flags() {
    let Some(dir) = dir() else { return };
    let rev = |f: &str| {
        let (_, metas) = common::load_mbox(&dir.join(f));
        let a = analyse(&metas, &[]);
        a.assembly.revisions[0].clone()
    };
    let r = rev("base-incomplete.mbox");
    assert!(!r.is_complete());
    assert_eq!(r.missing, vec![2]);
    let r = rev("base-cover-letter.mbox");
    assert!(r.is_complete());
    assert_eq!(r.kind, SeriesKind::Series);
    let r = rev("base-extra-patches.mbox");
    assert!(r.is_complete());
    assert_eq!(r.extra, vec![3]);
    let r = rev("base-out-of-order.mbox");
    assert!(r.out_of_order);
    let r = rev("base-different-versions.mbox");
    assert_eq!(r.revision, 3);
    let r = rev("base-no-references.mbox");
    assert!(r.unthreaded);
    assert_eq!(r.revision, 2);
    let r = rev("base-single-patch.mbox");
    assert_eq!(r.kind, SeriesKind::SinglePatch);
    let r = rev("mercurial-cover-letter.mbox");
    assert_eq!(r.total, Some(2));
}
