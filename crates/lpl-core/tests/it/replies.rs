//! `Workspace::replies` on the bundled sample: the reply tree below a patch.

use std::sync::atomic::AtomicBool;

use lpl_core::Workspace;
use lpl_core::import::ImportOptions;

#[test]
fn replies_below_a_patch_depth_first() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("open");
    let sample = lpl_testutil::workspace_root().join("sample/linux-mm-sample.mbox");
    ws.import(
        &[sample],
        &ImportOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("import");
    // [PATCH v5 7/8]: Ryan Roberts, Zi Yan, Ryan Roberts (a sub-thread),
    // then two more answers of Zi Yan's.
    let r = ws
        .replies("20240226205534.1603748-8-zi.yan@sent.com")
        .expect("replies");
    let shape: Vec<(u32, String)> = r
        .iter()
        .map(|x| {
            (
                x.depth,
                x.message
                    .from
                    .as_ref()
                    .map(|a| a.email.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let depths: Vec<u32> = shape.iter().map(|s| s.0).collect();
    assert_eq!(depths, vec![1, 2, 3, 1, 1], "{shape:?}");
    assert!(r.iter().all(|x| x.message.subject.starts_with("Re: ")));
    // A message nobody answered has no replies; an unknown one is an error.
    assert!(
        ws.replies("20240226205534.1603748-5-zi.yan@sent.com")
            .expect("replies")
            .is_empty()
    );
    assert!(ws.replies("no-such@example.org").is_err());
    assert_eq!(
        lpl_core::show::lore_url("a(b)@x").as_deref(),
        Some("https://lore.kernel.org/all/a%28b%29@x/")
    );
}
