//! `lpl review`: notes on patches, kept in the store, shown by `lpl show`
//! and carried to the next revision along the range-diff's pairs.

use crate::util::*;

const V5: &str = "20240226205534.1603748-1-zi.yan@sent.com";
const V4_PAGE_OWNER: &str = "20240213215520.1048625-3-zi.yan@sent.com"; // v4 2/7 -> v5 4/8
const V4_TRUNCATE: &str = "20240213215520.1048625-7-zi.yan@sent.com"; // v4 6/7, dropped in v5
const V3_MEMCG: &str = "20230403201839.4097845-2-zi.yan@sent.com"; // v3 1/7 -> v4 1/7 -> v5 3/8

#[test]
fn notes_are_kept_listed_removed_and_carried() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);

    let added = lpl_ok(
        &home,
        &["review", "note", V4_PAGE_OWNER, "check", "the", "callers"],
    );
    assert!(added.starts_with("note 1 on <"), "{added}");
    lpl_ok(&home, &["review", "note", V4_TRUNCATE, "why truncate?"]);
    lpl_ok(&home, &["review", "note", V3_MEMCG, "nr vs order"]);

    // v5: carried from v4 (page_owner, now 4/8) and from v3 through v4
    // (memcg, now 3/8); the dropped patch's note stays behind.
    let j = json(&home, &["show", V5, "--series", "--json"]);
    let notes = j["review_notes"].as_array().expect("notes per patch");
    assert_eq!(notes.len(), 8);
    let texts = |k: usize| -> Vec<(String, Option<u64>)> {
        notes[k]
            .as_array()
            .expect("notes")
            .iter()
            .map(|n| {
                (
                    n["text"].as_str().unwrap_or("").to_owned(),
                    n["carried_from_revision"].as_u64(),
                )
            })
            .collect()
    };
    assert_eq!(texts(3), [("check the callers".to_owned(), Some(4))]);
    assert_eq!(texts(2), [("nr vs order".to_owned(), Some(3))]);
    let total: usize = (0..8).map(|k| texts(k).len()).sum();
    assert_eq!(total, 2, "the note on the dropped patch is not carried");
    let shown = lpl_ok(&home, &["show", V5, "--series", "--no-pager"]);
    assert!(
        shown.contains("note 1: check the callers (written on v4, carried by the range-diff)"),
        "{shown}"
    );
    // v4 shows its own notes, and the one carried from v3.
    let v4 = lpl_ok(&home, &["show", V4_PAGE_OWNER, "--series", "--no-pager"]);
    assert!(v4.contains("note 1: check the callers\n"), "{v4}");
    assert!(v4.contains("note 2: why truncate?"), "{v4}");
    assert!(v4.contains("note 3: nr vs order (written on v3"), "{v4}");

    let listed = json(&home, &["review", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    let on_one = json(&home, &["review", "list", V4_TRUNCATE, "--json"]);
    assert_eq!(on_one[0]["text"], "why truncate?");

    lpl_ok(&home, &["review", "rm", "1"]);
    let out = lpl(&home, &["review", "rm", "1"]);
    assert_eq!(out.status.code(), Some(1), "already removed");
    let j = json(&home, &["show", V5, "--series", "--json"]);
    assert!(j["review_notes"][3].as_array().is_some_and(Vec::is_empty));

    // Bad input.
    let out = lpl(&home, &["review", "note", "nobody@example.org", "text"]);
    assert_eq!(out.status.code(), Some(1));
    let out = lpl(&home, &["review", "note", V4_TRUNCATE, "   "]);
    assert_eq!(out.status.code(), Some(2));
}
