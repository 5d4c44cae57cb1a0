//! The raw messages' pack (`messages.pack`): what a crash leaves behind is
//! cut off, a damaged pack is an error with a way out, rows stored inside
//! SQLite by an older lpl still read.

use std::fs::OpenOptions;
use std::io::Write;

use lpl_store::{Incoming, PACK_FILE, Store, StoreError};

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Dev {n} <dev{n}@example.org>\r\nTo: linux-mm@kvack.org\r\n\
         Subject: [PATCH {n}/9] mm: change number {n}\r\nMessage-ID: <m{n}@example.org>\r\n\
         Date: Mon, 3 Feb 2025 14:50:18 +0100\r\n\r\nBody of {n}, {}\r\n",
        "words ".repeat(n * 7)
    )
    .into_bytes()
}

/// Stores messages `range` in one batch; returns their row ids.
fn store(s: &mut Store, range: std::ops::Range<usize>) -> Result<Vec<i64>, StoreError> {
    let raws: Vec<Vec<u8>> = range.clone().map(mail).collect();
    let parsed: Vec<_> = raws.iter().map(|r| lpl_mail::parse(r)).collect();
    let items: Vec<Incoming<'_>> = raws
        .iter()
        .zip(&parsed)
        .zip(range)
        .map(|((raw, p), n)| Incoming {
            raw,
            parsed: p,
            content_hash: lpl_mail::content_hash(&p.message),
            location: format!("test:{n}"),
            compressed: None,
        })
        .collect();
    let source = s.source_for("mbox", "/test")?.id;
    let out = s.write_batch(source, &items, &[], &[], None)?;
    Ok(out.new_rows.into_iter().map(|(_, id)| id).collect())
}

#[test]
fn raw_messages_round_trip_through_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..5).unwrap();
    let b = store(&mut s, 5..12).unwrap();
    assert_eq!(a.len() + b.len(), 12);
    for (n, id) in a.iter().chain(&b).enumerate() {
        assert_eq!(s.raw(*id).unwrap(), mail(n), "message {n}");
    }
    // Nothing of the raw bytes is left in SQLite, and the pack holds every
    // record once after its 8-byte header.
    let inline: i64 = s
        .conn()
        .query_row("SELECT sum(length(data)) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(inline, 0);
    let packed: i64 = s
        .conn()
        .query_row("SELECT sum(pack_len) FROM blobs", [], |r| r.get(0))
        .unwrap();
    let len = std::fs::metadata(dir.path().join(PACK_FILE)).unwrap().len();
    assert_eq!(len, 8 + packed as u64);
    assert_eq!(s.stats().unwrap().stored_bytes, packed);
    // Another process (here: another connection) reads them too.
    let other = Store::open(dir.path()).unwrap();
    assert_eq!(other.raw(b[3]).unwrap(), mail(8));
}

#[test]
fn bytes_of_a_batch_that_never_committed_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..3).unwrap();
    drop(s);
    let path = dir.path().join(PACK_FILE);
    let committed = std::fs::metadata(&path).unwrap().len();
    // What a killed import leaves: records appended, their rows never
    // committed.
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&[0xAB; 1000]).unwrap();
    drop(f);
    let mut s = Store::open(dir.path()).unwrap();
    let b = store(&mut s, 3..6).unwrap();
    for (n, id) in a.iter().chain(&b).enumerate() {
        assert_eq!(s.raw(*id).unwrap(), mail(n), "message {n}");
    }
    let first_new: i64 = s
        .conn()
        .query_row(
            "SELECT pack_offset FROM blobs ORDER BY id LIMIT 1 OFFSET 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        first_new as u64, committed,
        "appended where the committed records end"
    );
}

#[test]
fn a_truncated_pack_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..4).unwrap();
    drop(s);
    let path = dir.path().join(PACK_FILE);
    let len = std::fs::metadata(&path).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 10)
        .unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    // The first messages still read; the cut one is an error, not a panic.
    assert_eq!(s.raw(a[0]).unwrap(), mail(0));
    assert!(matches!(s.raw(a[3]), Err(StoreError::Pack { .. })));
    // Writing refuses to append after a hole.
    let err = store(&mut s, 4..6).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Pack { .. }), "{text}");
    assert!(text.contains("restore it from a backup"), "{text}");
    // ... and stored nothing.
    let n: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
}

#[test]
fn a_pack_with_damaged_bytes_is_reported_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..3).unwrap();
    let (offset, len): (i64, i64) = s
        .conn()
        .query_row(
            "SELECT pack_offset, pack_len FROM blobs WHERE id = (SELECT blob_id FROM messages WHERE id = ?1)",
            [a[1]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let path = dir.path().join(PACK_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[offset as usize..(offset + len) as usize] {
        *b = 0;
    }
    std::fs::write(&path, bytes).unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.raw(a[0]).unwrap(), mail(0));
    assert!(matches!(s.raw(a[1]), Err(StoreError::CorruptBlob { .. })));
    assert_eq!(s.raw(a[2]).unwrap(), mail(2));
}

#[test]
fn rows_stored_inside_sqlite_by_an_older_lpl_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..2).unwrap();
    // Schema 4 kept the compressed bytes in `blobs.data`.
    let compressed = lpl_store::compress_raw(&mail(1));
    s.conn()
        .execute(
            "UPDATE blobs SET data = ?1, pack_offset = NULL, pack_len = NULL
             WHERE id = (SELECT blob_id FROM messages WHERE id = ?2)",
            rusqlite::params![compressed, a[1]],
        )
        .unwrap();
    assert_eq!(s.raw(a[1]).unwrap(), mail(1));
    assert_eq!(s.raw(a[0]).unwrap(), mail(0));
}

#[test]
fn a_file_that_is_not_a_pack_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(PACK_FILE), b"something else entirely").unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let err = store(&mut s, 0..1).unwrap_err();
    assert!(err.to_string().contains("not an lpl message pack"), "{err}");
}

#[test]
fn a_damaged_end_in_the_database_never_cuts_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    let a = store(&mut s, 0..3).unwrap();
    let path = dir.path().join(PACK_FILE);
    let len = std::fs::metadata(&path).unwrap().len();
    // The last row's offset scribbled, as a damaged database might have it:
    // taken as the pack's end, it would cut the records before it off.
    s.conn()
        .execute(
            "UPDATE blobs SET pack_offset = -100 WHERE id = (SELECT max(id) FROM blobs)",
            [],
        )
        .unwrap();
    // The writer goes by the end each batch records, not by that row: it
    // appends after the true end and cuts nothing.
    let b = store(&mut s, 3..5).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > len);
    for (n, id) in a.iter().take(2).chain(&b).enumerate() {
        let want = if n < 2 { n } else { n + 1 };
        assert_eq!(s.raw(*id).unwrap(), mail(want), "message {want}");
    }
    // The scribbled row itself is reported, not misread.
    assert!(s.raw(a[2]).is_err());
}
