//! Messages over `lpl_mail::MAX_MESSAGE_BYTES` (issue 20): a gzip bomb in
//! an mbox, an endless line, a huge file, a huge blob in an epoch are
//! skipped with a reason, and the messages around them are read. The
//! inputs are generated here (they are large).

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use lpl_archive::{Event, Options, ReadError, open};

use crate::common::{Read, git, read_all};

const LIMIT: usize = lpl_mail::MAX_MESSAGE_BYTES;

fn small(n: usize) -> Vec<u8> {
    format!("From: a@example.org\nSubject: small {n}\nMessage-ID: <s{n}@x>\n\nhello {n}\n")
        .into_bytes()
}

/// An mbox: a small message, one of `big` bytes of body (zeros, or one
/// line without a newline), another small message.
fn mbox_with(big: usize, one_line: bool) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    m.extend_from_slice(&small(1));
    m.extend_from_slice(b"\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n");
    m.extend_from_slice(b"From: bomb@example.org\nSubject: bomb\n\n");
    if one_line {
        m.resize(m.len() + big, b'0');
        m.push(b'\n');
    } else {
        let line = [b"0".repeat(1023), b"\n".to_vec()].concat();
        for _ in 0..big / 1024 {
            m.extend_from_slice(&line);
        }
    }
    m.extend_from_slice(b"\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n");
    m.extend_from_slice(&small(2));
    m
}

fn check(read: &Read) {
    let subjects: Vec<String> = read
        .messages
        .iter()
        .map(|(_, b)| {
            String::from_utf8_lossy(b)
                .lines()
                .nth(1)
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        subjects,
        ["Subject: small 1", "Subject: small 2"],
        "{:?}",
        read.errors
    );
    assert_eq!(read.errors.len(), 1, "{:?}", read.errors);
    match &read.errors[0] {
        ReadError::TooLarge { at_least, .. } => assert!(*at_least > LIMIT as u64),
        other => panic!("expected TooLarge, got {other}"),
    }
    assert!(read.errors[0].to_string().contains("over the 32 MiB limit"));
}

#[test]
fn an_mbox_message_over_the_limit_is_skipped_and_reading_goes_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    for one_line in [false, true] {
        let path = tmp.path().join(format!("big-{one_line}.mbox"));
        std::fs::write(&path, mbox_with(LIMIT + (1 << 20), one_line)).expect("write");
        let mut r = open(&path, None, &Options::default()).expect("open");
        check(&read_all(&mut r));
    }
    // Exactly at the limit is still read.
    let path = tmp.path().join("at-limit.mbox");
    let head = b"From: bomb@example.org\nSubject: bomb\n\n".len();
    std::fs::write(&path, mbox_with(LIMIT - head - 8192, false)).expect("write");
    let mut r = open(&path, None, &Options::default()).expect("open");
    let read = read_all(&mut r);
    assert_eq!(read.messages.len(), 3, "{:?}", read.errors);
}

#[test]
fn a_gzip_bomb_is_not_inflated_into_memory() {
    // 256 MiB of zeros in one message compress to about 250 KB.
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bomb.mbox.gz");
    let mut enc2 = GzEncoder::new(Vec::new(), Compression::fast());
    let mut m = Vec::new();
    m.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    m.extend_from_slice(&small(1));
    m.extend_from_slice(b"\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: bomb\n\n");
    enc2.write_all(&m).expect("gz");
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..256 {
        enc2.write_all(&zeros).expect("gz");
    }
    enc2.write_all(b"\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n")
        .expect("gz");
    enc2.write_all(&small(2)).expect("gz");
    let gz = enc2.finish().expect("gz");
    assert!(gz.len() < 2 << 20, "{} bytes", gz.len());
    std::fs::write(&path, &gz).expect("write");
    let mut r = open(&path, None, &Options::default()).expect("open");
    check(&read_all(&mut r));
}

#[test]
fn a_message_file_over_the_limit_is_skipped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("mail");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("1.eml"), small(1)).expect("write");
    let mut big = b"From: bomb@example.org\nSubject: bomb\n\n".to_vec();
    big.resize(LIMIT + 1, b'x');
    std::fs::write(dir.join("2.eml"), &big).expect("write");
    let mut r = open(&dir, None, &Options::default()).expect("open");
    let read = read_all(&mut r);
    assert_eq!(read.messages.len(), 1, "{:?}", read.errors);
    assert!(
        matches!(read.errors[..], [ReadError::TooLarge { .. }]),
        "{:?}",
        read.errors
    );
}

#[test]
fn an_epoch_blob_over_the_limit_is_skipped_without_inflating_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = tmp.path().join("0.git");
    git(
        None,
        &["init", "-q", "--bare", repo.to_str().expect("utf-8")],
        b"",
    );
    let mut parent: Option<String> = None;
    let mut big = b"From: bomb@example.org\nSubject: bomb\nMessage-ID: <b@x>\n\n".to_vec();
    big.resize(LIMIT + 10, b'0');
    for raw in [small(1), big, small(2)] {
        let blob = git(Some(&repo), &["hash-object", "-w", "--stdin"], &raw)
            .trim()
            .to_owned();
        let tree = git(
            Some(&repo),
            &["mktree"],
            format!("100644 blob {blob}\tm\n").as_bytes(),
        )
        .trim()
        .to_owned();
        let mut args = vec!["commit-tree", tree.as_str(), "-m", "m"];
        if let Some(p) = &parent {
            args.extend(["-p", p.as_str()]);
        }
        let c = git(Some(&repo), &args, b"").trim().to_owned();
        git(Some(&repo), &["update-ref", "refs/heads/master", &c], b"");
        parent = Some(c);
    }
    for threads in [0, 2] {
        let mut opts = Options::default();
        opts.decode_threads = threads;
        let mut r = open(&repo, None, &opts).expect("open");
        let items: Vec<_> = r.by_ref().collect();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], Ok(Event::Message(_))));
        match &items[1] {
            Err(ReadError::TooLarge { at_least, .. }) => assert_eq!(*at_least, LIMIT as u64 + 10),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(matches!(&items[2], Ok(Event::Message(_))));
    }
}
