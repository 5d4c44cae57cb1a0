//! mbox, mbox.gz and standard input: round trips of real messages through
//! mboxrd, patchwork's series mboxes, broken and growing files.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use lpl_archive::{
    Event, Location, Options, ReadError, RestartReason, Resume, SourceKind, detect, open,
    read_stream,
};

use crate::common::{read_all, shared};

/// Writes messages as mboxrd, the way lore serves them.
fn mboxrd(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
        for line in m.split_inclusive(|&b| b == b'\n') {
            let quoted = line.iter().take_while(|&&b| b == b'>').count();
            if line[quoted..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        out.extend_from_slice(b"\n");
    }
    out
}

/// The 210 real LKML messages of notmuch's corpus, plus hand-made ones with
/// every `From ` hazard.
fn corpus_messages() -> Option<Vec<Vec<u8>>> {
    let dir = shared()?.join("corpus/mail/notmuch/test/corpora/lkml/cur");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut msgs: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    msgs.push(
        b"From: a@example.org\nSubject: escapes\n\nFrom the start\n>From quoted\n>>From twice\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n> From spaced\n"
            .to_vec(),
    );
    msgs.push(b"Subject: blank lines at the end\n\nbody\n\n\n".to_vec());
    Some(msgs)
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fixture");
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("finish gzip")
}

#[test]
fn mboxrd_round_trip_plain_and_gzip() {
    let Some(msgs) = corpus_messages() else {
        return;
    };
    assert!(msgs.len() > 200);
    let data = mboxrd(&msgs);
    let tmp = tempfile::tempdir().expect("tempdir");

    let plain = tmp.path().join("lkml.mbox");
    write(&plain, &data);
    assert_eq!(detect(&plain).expect("detect"), SourceKind::Mbox);
    let mut reader = open(&plain, None, &Options::default()).expect("open");
    assert_eq!(reader.estimate().bytes, Some(data.len() as u64));
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty());
    let got: Vec<Vec<u8>> = read.messages.iter().map(|(_, b)| b.clone()).collect();
    assert_eq!(got.len(), msgs.len());
    for (i, (g, m)) in got.iter().zip(&msgs).enumerate() {
        assert_eq!(g, m, "message {i} differs");
    }
    assert_eq!(reader.progress().bytes, data.len() as u64);
    // Locations are the offsets of the From_ lines.
    for (loc, _) in &read.messages {
        let Location::Mbox { offset, .. } = loc else {
            panic!("{loc}")
        };
        assert!(data[*offset as usize..].starts_with(b"From mboxrd@z "));
    }

    // gzip, in two members (as `cat a.gz b.gz` makes): the same messages.
    let mid = msgs.len() / 2;
    let mut two = gz(&mboxrd(&msgs[..mid]));
    two.extend(gz(&mboxrd(&msgs[mid..])));
    let zipped = tmp.path().join("lkml.mbox.gz");
    write(&zipped, &two);
    assert_eq!(detect(&zipped).expect("detect"), SourceKind::MboxGz);
    let mut reader = open(&zipped, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty());
    let got_gz: Vec<Vec<u8>> = read.messages.into_iter().map(|(_, b)| b).collect();
    assert_eq!(got_gz, got);
    assert_eq!(reader.progress().bytes, two.len() as u64);

    // Standard input (any stream): the same again, located by offset.
    let mut reader = read_stream(std::io::Cursor::new(data.clone()));
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), msgs.len());
    assert_eq!(read.messages[0].0, Location::Stdin { offset: 0 });
}

#[test]
fn truncated_gzip_yields_messages_then_an_error() {
    let Some(msgs) = corpus_messages() else {
        return;
    };
    let whole = gz(&mboxrd(&msgs));
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("cut.mbox.gz");
    write(&path, &whole[..whole.len() * 2 / 3]);
    let mut reader = open(&path, None, &Options::default()).expect("open");
    let items: Vec<_> = reader.by_ref().collect();
    let (ok, err): (Vec<_>, Vec<_>) = items.iter().partition(|i| i.is_ok());
    assert!(
        ok.len() > 50 && ok.len() < msgs.len(),
        "{} messages",
        ok.len()
    );
    assert_eq!(err.len(), 1);
    assert!(
        items
            .last()
            .is_some_and(|i| matches!(i, Err(ReadError::Io { .. })))
    );
    for (i, item) in ok.iter().enumerate() {
        let Ok(Event::Message(m)) = item else {
            panic!()
        };
        assert_eq!(m.bytes, msgs[i]);
    }
}

#[test]
fn patchwork_series_mboxes_split_on_every_from_line() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/mail/patchwork/patchwork/tests/data/series");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "mbox") {
            continue;
        }
        let data = std::fs::read(&path).expect("read");
        // Oracle: these files have no `From ` in bodies, so every line
        // starting `From ` starts a message (Python's mailbox agrees).
        let expected = data
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"From "))
            .count();
        let mut reader = open(&path, None, &Options::default()).expect("open");
        let read = read_all(&mut reader);
        assert!(read.errors.is_empty(), "{}", path.display());
        assert_eq!(read.messages.len(), expected, "{}", path.display());
        for (_, m) in &read.messages {
            assert!(
                !m.starts_with(b"From "),
                "From_ line kept in {}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} series mboxes");
}

#[test]
fn patchwork_fuzz_mboxes_never_panic() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("corpus/mail/patchwork/patchwork/tests/data");
    for sub in ["fuzz", "mail"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("list") {
            let path = entry.expect("entry").path();
            // Whatever the kind; unrecognised files are an OpenError.
            if let Ok(mut reader) = open(&path, None, &Options::default()) {
                let read = read_all(&mut reader);
                assert!(
                    !read.messages.is_empty() || !read.errors.is_empty(),
                    "{} yielded nothing",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn empty_mbox_and_empty_message_are_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let empty = tmp.path().join("empty.mbox");
    write(&empty, b"");
    assert_eq!(detect(&empty).expect("detect"), SourceKind::Mbox);
    let mut reader = open(&empty, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert!(read.messages.is_empty());
    assert!(matches!(read.errors.as_slice(), [ReadError::Empty { .. }]));

    let hollow = tmp.path().join("hollow.mbox");
    write(
        &hollow,
        b"From a@b Thu Jan  1 00:00:00 1970\n\nFrom a@b Thu Jan  1 00:00:00 1970\nSubject: x\n\nbody\n",
    );
    let mut reader = open(&hollow, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 1);
    assert!(matches!(
        read.errors.as_slice(),
        [ReadError::Empty {
            location: Location::Mbox { offset: 0, .. }
        }]
    ));
}

#[test]
fn mbox_cursor_continues_when_the_file_grows_and_restarts_when_it_changes() {
    let Some(msgs) = corpus_messages() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("grow.mbox");
    write(&path, &mboxrd(&msgs[..10]));
    let mut reader = open(&path, None, &Options::default()).expect("open");
    assert_eq!(reader.by_ref().take(4).count(), 4);
    let partial = reader.cursor();
    assert_eq!(read_all(&mut reader).messages.len(), 6);
    let cursor = reader.cursor();

    // Resuming a partial read yields the rest.
    let mut again = open(&path, Some(&partial), &Options::default()).expect("reopen");
    assert_eq!(again.resume(), Resume::Continued);
    let rest = read_all(&mut again);
    assert_eq!(rest.messages.len(), 6);
    assert_eq!(rest.messages[0].1, msgs[4]);

    // Appending: only the new messages.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("append");
    f.write_all(&mboxrd(&msgs[10..13])).expect("append");
    drop(f);
    let mut again = open(&path, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(again.resume(), Resume::Continued);
    let new = read_all(&mut again);
    assert_eq!(new.messages.len(), 3);
    assert_eq!(new.messages[0].1, msgs[10]);
    assert!(new.errors.is_empty());
    let cursor = again.cursor();
    let mut again = open(&path, Some(&cursor), &Options::default()).expect("reopen");
    assert!(
        again.next().is_none(),
        "nothing new, no empty-mbox error either"
    );

    // Rewritten in place (same size or not): everything again.
    write(&path, &mboxrd(&msgs[20..33]));
    let mut again = open(&path, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(
        again.resume(),
        Resume::Restarted(RestartReason::SourceChanged)
    );
    assert_eq!(read_all(&mut again).messages.len(), 13);
}

#[test]
fn gzip_cursor_skips_an_unchanged_file() {
    let Some(msgs) = corpus_messages() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("a.mbox.gz");
    write(&path, &gz(&mboxrd(&msgs[..20])));
    let mut reader = open(&path, None, &Options::default()).expect("open");
    assert_eq!(reader.by_ref().take(7).count(), 7);
    let partial = reader.cursor();
    reader.by_ref().for_each(drop);
    let done = reader.cursor();
    let mut again = open(&path, Some(&partial), &Options::default()).expect("reopen");
    let rest = read_all(&mut again);
    assert_eq!(rest.messages.len(), 13);
    assert_eq!(rest.messages[0].1, msgs[7]);
    let mut again = open(&path, Some(&done), &Options::default()).expect("reopen");
    assert!(again.next().is_none());
}

#[test]
fn stdin_single_message_is_kept_whole() {
    let msg = b"Subject: one\n\n>From stays escaped in a single message\n".to_vec();
    let mut reader = read_stream(std::io::Cursor::new(msg.clone()));
    let read = read_all(&mut reader);
    assert_eq!(read.messages, vec![(Location::Stdin { offset: 0 }, msg)]);
    assert_eq!(reader.kind(), SourceKind::Stdin);
    let mut reader = read_stream(std::io::empty());
    assert!(matches!(
        read_all(&mut reader).errors.as_slice(),
        [ReadError::Empty { .. }]
    ));
}

mod properties {
    use proptest::prelude::*;

    use super::mboxrd;
    use crate::common::read_all;

    /// Lines full of mbox hazards: `From `, quoted `>From `, blank, CRLF.
    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n".to_vec()),
            Just(b"From someone else\n".to_vec()),
            (0usize..4, "[ a-zA-Z0-9:]{0,20}").prop_map(|(q, rest)| {
                let mut l = vec![b'>'; q];
                l.extend_from_slice(b"From ");
                l.extend_from_slice(rest.as_bytes());
                l.push(b'\n');
                l
            }),
            "[ -~]{0,40}".prop_map(|s| format!("{s}\n").into_bytes()),
        ]
    }

    fn message() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(line(), 1..12).prop_map(|lines| {
            let mut m = b"Subject: x\n".to_vec();
            m.extend(lines.concat());
            m
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any messages written as mboxrd read back exactly.
        #[test]
        fn mboxrd_round_trips(msgs in prop::collection::vec(message(), 1..8)) {
            let data = mboxrd(&msgs);
            let mut reader = lpl_archive::read_stream(std::io::Cursor::new(data));
            let read = read_all(&mut reader);
            prop_assert!(read.errors.is_empty());
            let got: Vec<Vec<u8>> = read.messages.into_iter().map(|(_, b)| b).collect();
            prop_assert_eq!(got, msgs);
        }

        /// Arbitrary bytes never panic, and every byte is accounted for.
        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2000)) {
            let len = data.len() as u64;
            let mut reader = lpl_archive::read_stream(std::io::Cursor::new(data));
            let _ = read_all(&mut reader);
            prop_assert_eq!(reader.progress().bytes, len);
        }
    }
}
