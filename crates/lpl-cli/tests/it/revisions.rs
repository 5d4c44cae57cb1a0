//! `lpl revisions` on an imported archive uses a cover letter's changelog
//! links, which the store keeps (issue 15).

use crate::util::*;

/// Yu Kuai's blk-throttle work, renamed on the way: v1 is the lone patch
/// "blk-throttle: delay the setting of 'BIO_THROTTLED' to when throttle is
/// done", v2 the series "bugfix for blk-throttle", whose cover links to v1
/// (cgroups epoch; lpl-series' tests/data/revisions).
#[test]
fn a_renamed_series_is_linked_by_its_cover_s_changelog_link() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let mbox = repo_root().join("crates/lpl-series/tests/data/revisions/blk-throttle-v1-v2.mbox");
    lpl_ok(&home, &["import", &mbox.to_string_lossy()]);
    let v = json(
        &home,
        &[
            "revisions",
            "--json",
            "20220518072751.1188163-1-yukuai3@huawei.com",
        ],
    );
    let chain = v["chain"].as_array().expect("chain");
    assert_eq!(chain.len(), 2, "{v:#}");
    assert_eq!(
        chain[0]["message_id"],
        "20220517134909.2910251-1-yukuai3@huawei.com"
    );
    assert_eq!(chain[1]["reason"], "changelog-link", "{v:#}");
    assert!(
        chain[1]["evidence"]
            .as_str()
            .is_some_and(|e| e.starts_with("changelog link")),
        "{v:#}"
    );
    // The same chain from v1's side (a second run reads the saved
    // understanding).
    let again = json(
        &home,
        &[
            "revisions",
            "--json",
            "20220517134909.2910251-1-yukuai3@huawei.com",
        ],
    );
    let links = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["chain"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|c| (c["message_id"].to_string(), c["reason"].to_string()))
            .collect()
    };
    assert_eq!(links(&again), links(&v));
}
