//! Skipped items are listed back (issue 20: `lpl sources --skipped` failed
//! on every archive: it ordered a WITHOUT ROWID table by `rowid`).

use lpl_store::{Skip, Store};

#[test]
fn skipped_items_are_listed_in_location_order() {
    let t = tempfile::tempdir().expect("tmp");
    let mut s = Store::open(t.path()).expect("open");
    let source = s.source_for("mbox", "/x.mbox").expect("source").id;
    let skips: Vec<Skip> = [100, 7, 25]
        .iter()
        .map(|n| Skip {
            location: format!("x.mbox:{n}"),
            reason: format!("bad message at {n}"),
        })
        .collect();
    s.write_batch(source, &[], &skips, &[], None)
        .expect("batch");
    let got = s.skipped(source).expect("skipped lists");
    assert_eq!(
        got.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["x.mbox:7", "x.mbox:25", "x.mbox:100"]
    );
    assert_eq!(got[0].1, "bad message at 7");
}

/// The store refuses a message over `lpl_mail::MAX_MESSAGE_BYTES` from any
/// caller: its size would not fit the 32-bit length of the stored block
/// once past 4 GiB (issue 20: such a message was stored with its length
/// cut, then `show` failed and every later import exited 255).
#[test]
fn a_message_over_the_limit_is_skipped_not_stored() {
    let t = tempfile::tempdir().expect("tmp");
    let mut s = Store::open(t.path()).expect("open");
    let source = s.source_for("mbox", "/big.mbox").expect("source").id;
    let mut raw = b"From: a@b\nSubject: big\nMessage-ID: <big@x>\n\n".to_vec();
    raw.resize(lpl_mail::MAX_MESSAGE_BYTES + 1, b'x');
    let small = b"From: a@b\nSubject: small\nMessage-ID: <small@x>\n\nhi\n".to_vec();
    let parsed = [lpl_mail::parse(&raw), lpl_mail::parse(&small)];
    let items: Vec<lpl_store::Incoming<'_>> = [&raw, &small]
        .iter()
        .zip(&parsed)
        .enumerate()
        .map(|(i, (r, p))| lpl_store::Incoming {
            raw: r,
            parsed: p,
            content_hash: lpl_mail::content_hash(&p.message),
            location: format!("big.mbox:{i}"),
            compressed: None,
        })
        .collect();
    let out = s
        .write_batch(source, &items, &[], &[], None)
        .expect("batch");
    assert_eq!((out.imported, out.skipped), (1, 1));
    let skipped = s.skipped(source).expect("skipped");
    assert_eq!(skipped[0].0, "big.mbox:0");
    assert!(
        skipped[0].1.contains("over the 32 MiB limit"),
        "{}",
        skipped[0].1
    );
    assert!(s.messages_by_id("big@x").expect("lookup").is_empty());
    assert_eq!(s.messages_by_id("small@x").expect("lookup").len(), 1);
}
