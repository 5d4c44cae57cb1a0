//! b4's follow-up trailer samples (`corpus/mail/b4/src/tests/samples`):
//! the revision b4 would pick, its collected trailers and the exported
//! `git am` mbox, compared with b4's reference output (the cases and
//! options of b4's own `test_followup_trailers`).

mod common;

use std::path::PathBuf;

use lpl_mail::Address;
use lpl_series::am::{AmOptions, AmPatch, am_subject, revision_mbox, write_mbox};
use lpl_series::trailers::collect;
use lpl_series::{MessageMeta, analyse};

fn dir() -> Option<PathBuf> {
    let d = common::corpus_dir()?.join("mail/b4/src/tests/samples");
    d.is_dir().then_some(d)
}

/// Export the newest revision found in `raws` as `b4 am` would.
fn export(raws: &[Vec<u8>], metas: &[MessageMeta], opts: &AmOptions, add_trailers: bool) -> String {
    let a = analyse(metas, &[]);
    let trailers = collect(metas, &a.threads, &a.assembly, &a.chains);
    let (ri, rev) = a
        .assembly
        .revisions
        .iter()
        .enumerate()
        .max_by_key(|(i, r)| (r.revision, r.date, *i))
        .expect("a revision");
    if !add_trailers {
        let patches: Vec<AmPatch<'_>> = rev
            .patches
            .iter()
            .map(|s| AmPatch {
                raw: &raws[s.message],
                subject: am_subject(rev, s.counter, &metas[s.message].tags.title),
                add: Vec::new(),
            })
            .collect();
        return String::from_utf8(write_mbox(&patches, opts)).expect("utf-8 output");
    }
    let (mbox, missing) = revision_mbox(metas, rev, &trailers[ri], |i| raws.get(i).cloned(), opts);
    assert!(missing.is_empty());
    String::from_utf8(mbox).expect("utf-8 output")
}

fn me() -> Option<Address> {
    Some(Address {
        name: Some("Test Override".into()),
        email: "test-override@example.com".into(),
    })
}

/// (source, reference, add my sign-off, add link, add trailers)
const CASES: &[(&str, &str, bool, bool, bool)] = &[
    ("single", "defaults", false, false, true),
    ("single", "noadd", false, false, false),
    ("single", "addmysob", true, false, true),
    ("single", "addlink", true, true, true),
    ("with-cover", "defaults", true, false, true),
    ("with-cover", "addlink", true, true, true),
    ("partial-reroll", "defaults", true, false, true),
    ("nore", "defaults", false, false, true),
    ("non-git-patch", "defaults", false, false, true),
    (
        "non-git-patch-with-comments",
        "defaults",
        false,
        false,
        true,
    ),
    ("with-diffstat", "defaults", false, false, true),
    ("name-parens", "defaults", false, false, true),
    ("bare-address", "defaults", false, false, true),
    ("stripped-lines", "defaults", false, false, true),
    ("htmljunk", "defaults", false, false, true),
];

#[test]
fn followup_trailers_match_b4() {
    let Some(dir) = dir() else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let mut ok = 0;
    let mut failures = Vec::new();
    for (source, reference, sob, link, add) in CASES {
        let (raws, metas) =
            common::load_mbox(&dir.join(format!("trailers-followup-{source}.mbox")));
        let opts = AmOptions {
            signoff: if *sob { me() } else { None },
            link_prefix: link.then(|| "https://patch.msgid.link/".to_string()),
        };
        let got = export(&raws, &metas, &opts, *add);
        let want = std::fs::read_to_string(
            dir.join(format!("trailers-followup-{source}-ref-{reference}.txt")),
        )
        .expect("reference");
        if got == want {
            ok += 1;
        } else {
            failures.push(format!(
                "== {source}/{reference}\n--- want\n{want}\n+++ got\n{got}"
            ));
        }
    }
    eprintln!("b4 follow-up samples: {ok}/{} byte-identical", CASES.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn naked_covers() {
    let Some(dir) = dir() else { return };
    let (_, metas) = common::load_mbox(&dir.join("naked-cover-single.mbox"));
    let a = analyse(&metas, &[]);
    assert_eq!(a.assembly.revisions.len(), 1);
    let r = &a.assembly.revisions[0];
    let cover = r.cover.expect("naked cover recognised");
    assert_eq!(metas[cover].subject, "do a thing to the widget subsystem");
    assert_eq!(r.title, "do a thing to the widget subsystem");
    assert_eq!(r.patches.len(), 1);

    let (_, metas) = common::load_mbox(&dir.join("naked-cover-bugreport.mbox"));
    let a = analyse(&metas, &[]);
    assert_eq!(a.assembly.revisions.len(), 1);
    assert_eq!(
        a.assembly.revisions[0].cover, None,
        "a bug report is no cover"
    );
}

#[test]
fn restated_trailers_are_not_flagged() {
    let Some(dir) = dir() else { return };
    let (raws, mut metas) = common::load_mbox(&dir.join("trailers-followup-already-present.mbox"));
    if !metas[0].has_patch {
        // The sample's diff has its blank context lines stripped of their
        // leading space, which lpl_mail does not take for a diff; take the
        // commit trailers from the body so the trailer logic is tested.
        let m = lpl_mail::parse(&raws[0]).message;
        let (head, _) = lpl_series::am::split_body(&m.body);
        metas[0].patch_trailers = lpl_mail::trailer::parse_commit_trailers(head);
        metas[0].has_patch = true;
    }
    assert_eq!(metas[0].patch_trailers.len(), 5);
    let a = analyse(&metas, &[]);
    let t = collect(&metas, &a.threads, &a.assembly, &a.chains);
    let flagged: Vec<&str> = t[0].patches[0]
        .iter()
        .filter(|c| c.giver_is_not_sender)
        .map(|c| c.trailer.key.as_str())
        .collect();
    assert_eq!(flagged, vec!["Tested-by"]);
}

#[test]
fn thread_with_followups_counts() {
    let Some(dir) = dir() else { return };
    let (_, metas) = common::load_mbox(&dir.join("trailers-thread-with-followups.mbox"));
    let a = analyse(&metas, &[]);
    assert_eq!(a.assembly.revisions.len(), 1);
    let r = &a.assembly.revisions[0];
    assert_eq!((r.cover.is_some(), r.patches.len()), (true, 4));
    let t = collect(&metas, &a.threads, &a.assembly, &a.chains);
    // Only 4/4 was reviewed (see the .verify file).
    let reviewed: Vec<u32> = t[0].patch_counts.iter().map(|c| c.reviewed).collect();
    assert_eq!(reviewed, vec![0, 0, 0, 1]);
    assert_eq!(t[0].counts.reviewed, 1);
}

#[test]
fn partial_reroll_assembled() {
    let Some(dir) = dir() else { return };
    let (_, metas) = common::load_mbox(&dir.join("trailers-followup-partial-reroll.mbox"));
    let a = analyse(&metas, &[]);
    let revs = &a.assembly.revisions;
    assert_eq!(revs.len(), 2);
    let (v2, v3) = (&revs[0], &revs[1]);
    assert_eq!(
        (v2.revision, v2.patches.len(), v2.cover.is_some()),
        (2, 2, true)
    );
    assert_eq!(v3.revision, 3);
    assert_eq!(v3.partial_reroll_of, Some(0));
    let inherited: Vec<Option<usize>> = v3.patches.iter().map(|p| p.inherited_from).collect();
    assert_eq!(inherited, vec![Some(0), None]);
    assert!(v3.is_complete());
    assert_eq!(v3.title, "Simple cover");
    assert_eq!(a.chains.links.len(), 1);
    assert_eq!(a.chains.links[0].reason, lpl_series::LinkReason::InReplyTo);
    assert_eq!(a.chains.latest(0), 1);
    // Any message resolves to the revision it discusses.
    let id = |s: &str| lpl_mail::MessageId::new(s).expect("id");
    assert_eq!(a.revision_for(&id("fwup-message-1@example.com")), Some(0));
    assert_eq!(
        a.revision_for(&id("patch-v3-2-message@example.com")),
        Some(1)
    );
    assert_eq!(a.chain_revision(0, 3), Some(1));
    assert_eq!(a.chain_revision(1, 2), Some(0));
    assert_eq!(a.revision_for(&id("nonexistent@example.com")), None);
}
