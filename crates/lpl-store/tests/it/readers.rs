//! Readers beside a writer: a read-only store never writes, sees each of
//! the writer's commits, and never makes the writer fail.

use lpl_store::{Incoming, Store, StoreError};

fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Dev <dev@example.org>\r\nSubject: [PATCH] change {n}\r\n\
         Message-ID: <r{n}@example.org>\r\nDate: Mon, 3 Feb 2025 14:50:18 +0100\r\n\r\nBody {n}\r\n"
    )
    .into_bytes()
}

fn store(s: &mut Store, range: std::ops::Range<usize>) -> Result<u64, StoreError> {
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
    Ok(s.write_batch(source, &items, &[], &[], None)?.imported)
}

#[test]
fn read_only_opening_creates_nothing_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open_read_only(dir.path()).map(|_| ()).unwrap_err();
    assert!(matches!(e, StoreError::Missing { .. }), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let mut w = Store::open(dir.path()).unwrap();
    store(&mut w, 0..3).unwrap();
    let mut r = Store::open_read_only(dir.path()).unwrap();
    assert!(r.is_read_only());
    assert_eq!(r.stats().unwrap().messages, 3);
    assert!(
        store(&mut r, 3..4).is_err(),
        "a read-only store writes nothing"
    );
    assert_eq!(w.stats().unwrap().messages, 3);
}

#[test]
fn readers_see_each_commit_and_never_fail_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Store::open(dir.path()).unwrap();
    store(&mut w, 0..1).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (path, stop) = (dir.path().to_owned(), stop.clone());
            std::thread::spawn(move || {
                let mut last = 0;
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = Store::open_read_only(&path).expect("open read-only");
                    let n = r.stats().expect("stats").messages;
                    assert!(n >= last, "a reader went back in time: {n} < {last}");
                    last = n;
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for b in 0..40 {
        assert_eq!(store(&mut w, 1 + b * 5..6 + b * 5).unwrap(), 5, "batch {b}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader") > 0);
    }
    assert_eq!(w.stats().unwrap().messages, 201);
}
