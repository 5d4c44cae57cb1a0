//! Every truncation and every single-byte flip of every file of a small
//! index is detected (the index is refused as damaged or of another
//! format, and rebuilt by lpl) or harmless (the same answers): never a
//! panic, never other results (issue 20: 6 of 400 queries changed after
//! bytes were flipped inside a segment).

use std::path::{Path, PathBuf};

use lpl_search::{
    Addr, BodyText, DocKey, Error, IndexOptions, SearchDoc, SearchIndex, SearchOptions,
};

const QUERIES: &[&str] = &[
    "folio",
    "s:split",
    "f:willy",
    "b:lock*",
    "\"page cache\"",
    "d:20240101..20240301",
    "s:folio OR b:cache",
    "NOT s:split",
    "mid:m2@x",
    "dfn:mm/filemap.c",
];

fn doc(i: usize, subject: &str, body: &str) -> SearchDoc {
    SearchDoc {
        key: DocKey::new(i.to_string()),
        message_id: Some(format!("m{i}@x")),
        subject: subject.to_owned(),
        from: vec![Addr {
            name: Some("Matthew Wilcox".into()),
            email: if i.is_multiple_of(2) {
                "willy@infradead.org"
            } else {
                "z@x.org"
            }
            .into(),
        }],
        date: Some(1_704_067_200 + 86_400 * 20 * i as i64),
        body: BodyText::from_text(body),
        ..SearchDoc::default()
    }
}

/// A small on-disk index of two segments and a delete.
fn build(dir: &Path) {
    let mut ix = SearchIndex::open(dir, &IndexOptions::default()).expect("open");
    ix.add(&doc(
        0,
        "mm: folio split",
        "split the folio\n> page cache\n",
    ))
    .expect("add");
    ix.add(&doc(1, "mm: page cache lock", "locking the page cache\n"))
        .expect("add");
    ix.add(&doc(2, "fs: folio lookup", "diff --git a/mm/filemap.c b/mm/filemap.c\n--- a/mm/filemap.c\n+++ b/mm/filemap.c\n@@ -1 +1 @@\n-a\n+b\n")).expect("add");
    ix.commit_with_payload("3").expect("commit");
    ix.add(&doc(3, "mm: split huge page", "lockless split\n"))
        .expect("add");
    ix.delete(&DocKey::new("1")).expect("delete");
    ix.commit_with_payload("4").expect("commit");
}

/// Answers of every query, or the error that refused the index.
fn answers(dir: &Path) -> Result<Vec<Vec<String>>, Error> {
    let ix = SearchIndex::open(
        dir,
        &IndexOptions {
            writable: false,
            ..IndexOptions::default()
        },
    )?;
    let mut out = Vec::new();
    out.push(vec![ix.payload()?.unwrap_or_default()]);
    for q in QUERIES {
        let hits = ix.search(
            q,
            &SearchOptions {
                limit: 100,
                now: 1_710_000_000,
                ..SearchOptions::default()
            },
        )?;
        let mut keys: Vec<String> = hits
            .hits
            .iter()
            .map(|h| h.key.as_str().to_owned())
            .collect();
        keys.sort();
        out.push(keys);
    }
    Ok(out)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n == "meta.json" || n.ends_with(".lpl")
        })
        .collect();
    v.sort();
    v
}

/// Whether `r` is a refusal lpl acts on (rebuilds the index).
fn detected(r: &Result<Vec<Vec<String>>, Error>) -> bool {
    matches!(r, Err(Error::Damaged { .. } | Error::SchemaChanged { .. }))
}

#[test]
fn every_truncation_and_byte_flip_is_detected_or_harmless() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("ix");
    build(&dir);
    let good = answers(&dir).expect("the intact index answers");
    assert!(
        good.iter().skip(1).any(|k| !k.is_empty()),
        "queries find something: {good:?}"
    );
    let paths = files(&dir);
    assert!(paths.len() >= 2, "meta.json and segments: {paths:?}");
    let (mut trunc, mut flips, mut harmless) = (0usize, 0usize, 0usize);
    for path in &paths {
        let orig = std::fs::read(path).expect("read");
        // Truncations: every length short of the whole file.
        for len in 0..orig.len() {
            std::fs::write(path, &orig[..len]).expect("write");
            let r = answers(&dir);
            assert!(
                detected(&r) || r.as_ref().ok() == Some(&good),
                "{} cut to {len} bytes: {r:?}",
                path.display()
            );
            trunc += 1;
        }
        // Flips: every byte, two patterns (one bit, all bits).
        for i in 0..orig.len() {
            for mask in [0x01u8, 0xff] {
                let mut b = orig.clone();
                b[i] ^= mask;
                std::fs::write(path, &b).expect("write");
                let r = answers(&dir);
                if !detected(&r) {
                    assert_eq!(
                        r.as_ref().ok(),
                        Some(&good),
                        "{} byte {i} ^ {mask:#x}: {r:?}",
                        path.display()
                    );
                    harmless += 1;
                }
                flips += 1;
            }
        }
        std::fs::write(path, &orig).expect("restore");
    }
    assert_eq!(answers(&dir).expect("restored"), good);
    eprintln!(
        "{trunc} truncations, {flips} flips ({harmless} harmless) over {} files",
        paths.len()
    );
    // A missing meta.json is an empty index (nothing committed), not a
    // wrong answer about committed documents: lpl compares the payload.
    std::fs::remove_file(dir.join("meta.json")).expect("rm");
    let ix = SearchIndex::open(
        &dir,
        &IndexOptions {
            writable: false,
            ..IndexOptions::default()
        },
    )
    .expect("open");
    assert_eq!(ix.payload().expect("payload"), None);
}

#[test]
fn a_corrupt_meta_json_is_reported_as_damaged_not_another_version() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("ix");
    build(&dir);
    std::fs::write(dir.join("meta.json"), b"{\"format\":\"lpl-index-4\",\"fie").expect("write");
    let e = answers(&dir).expect_err("refused");
    assert!(matches!(e, Error::Damaged { .. }), "{e}");
    assert!(e.to_string().contains("damaged"), "{e}");
    std::fs::write(dir.join("meta.json"), b"\x00\x01garbage").expect("write");
    assert!(matches!(answers(&dir), Err(Error::Damaged { .. })));
    // Another format (an older lpl's) is still "another version".
    std::fs::write(
        dir.join("meta.json"),
        br#"{"format":"lpl-index-1","fields":[]}"#,
    )
    .expect("write");
    assert!(matches!(answers(&dir), Err(Error::SchemaChanged { .. })));
}
