//! Review notes: stored by Message-ID, listed, removed, kept when the
//! store is reopened (schema 7).

use lpl_store::Store;

#[test]
fn notes_round_trip_and_survive_reopening() {
    let t = tempfile::tempdir().expect("tempdir");
    let mut s = Store::open(t.path()).expect("open");
    let a = s
        .add_review_note("p1@x", "check the locking", 10)
        .expect("add");
    let b = s
        .add_review_note("p2@x", "typo in the subject", 11)
        .expect("add");
    s.add_review_note("p1@x", "second note", 12).expect("add");
    drop(s);
    let mut s = Store::open(t.path()).expect("reopen");
    let on_p1: Vec<String> = s
        .review_notes_on("p1@x")
        .expect("notes")
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(on_p1, ["check the locking", "second note"]);
    assert!(s.remove_review_note(a).expect("rm"));
    assert!(!s.remove_review_note(a).expect("rm again"), "already gone");
    let all = s.review_notes().expect("all");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, b);
    assert_eq!(all[0].message_id, "p2@x");
    assert_eq!(all[0].created_at, 11);
}
