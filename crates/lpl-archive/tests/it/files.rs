//! Maildirs, directory trees and single files from real corpora.

use std::path::Path;

use lpl_archive::{Location, Options, ReadError, SourceKind, detect, open};

use crate::common::{read_all, shared};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("list") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn notmuch_maildir_tree() {
    let Some(shared) = shared() else { return };
    let root = shared.join("corpus/mail/notmuch/test/corpora/default");
    assert_eq!(detect(&root).expect("detect"), SourceKind::Maildir);
    let mut reader = open(&root, None, &Options::default()).expect("open");
    // `find default -type f | wc -l`: nested Maildir folders included.
    assert_eq!(reader.estimate().messages, Some(53));
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.messages.len(), 53);
    for (loc, bytes) in &read.messages {
        let Location::File { path } = loc else {
            panic!("{loc}")
        };
        assert_eq!(&std::fs::read(path).expect("read"), bytes);
    }
}

#[test]
fn lkml_directory_is_all_mail() {
    let Some(shared) = shared() else { return };
    let root = shared.join("corpus/mail/notmuch/test/corpora/lkml");
    assert_eq!(detect(&root).expect("detect"), SourceKind::Directory);
    let mut reader = open(&root, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.messages.len(), 210);
}

#[test]
fn public_inbox_test_files_mixed_with_a_bare_patch() {
    let Some(shared) = shared() else { return };
    let root = shared.join("corpus/mail/public-inbox/t");
    let mut reader = open(&root, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    // 22 files: 19 messages, 2 format-patch mboxes (`From <sha1> …`) and
    // `solve/bare.patch`, a diff without headers.
    assert_eq!(read.messages.len(), 21);
    assert_eq!(read.errors.len(), 1);
    match &read.errors[0] {
        ReadError::NotMail { location, .. } => {
            assert!(location.to_string().ends_with("bare.patch"), "{location}");
        }
        other => panic!("expected not-mail, got {other}"),
    }
    let binary = read
        .messages
        .iter()
        .find(|(l, _)| l.to_string().contains("binary.patch"))
        .expect("the format-patch file");
    assert!(matches!(binary.0, Location::Mbox { offset: 0, .. }));
    assert!(binary.1.starts_with(b"From: BOFH"));
}

#[test]
fn maildir_skips_tmp_and_hidden_files_and_reports_junk() {
    let Some(shared) = shared() else { return };
    let lkml = shared.join("corpus/mail/notmuch/test/corpora/lkml/cur");
    let msg: Vec<std::path::PathBuf> = std::fs::read_dir(&lkml)
        .expect("list")
        .take(3)
        .map(|e| e.expect("entry").path())
        .collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let md = tmp.path().join("Mail");
    for d in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".git"] {
        std::fs::create_dir_all(md.join(d)).expect("mkdir");
    }
    std::fs::copy(&msg[0], md.join("cur/1.host:2,S")).expect("copy");
    std::fs::copy(&msg[1], md.join("new/2.host")).expect("copy");
    std::fs::copy(&msg[2], md.join(".Sent/cur/3.host:2,S")).expect("copy");
    std::fs::copy(&msg[2], md.join("tmp/4.host")).expect("copy");
    std::fs::copy(&msg[2], md.join(".git/5")).expect("copy");
    std::fs::write(md.join(".uidvalidity"), b"1234\n").expect("write");
    std::fs::write(md.join("cur/6.host:2,"), b"").expect("write");
    std::fs::write(md.join("cur/7.host:2,"), b"\x00\x01binary").expect("write");
    assert_eq!(detect(&md).expect("detect"), SourceKind::Maildir);
    let mut reader = open(&md, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 3);
    let kinds: Vec<&str> = read.errors.iter().map(ReadError::kind).collect();
    assert_eq!(kinds, ["empty", "not-mail"]);

    // A plain directory is stricter: text that is not mail is reported.
    let dir = tmp.path().join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(&msg[0], dir.join("a.eml")).expect("copy");
    std::fs::write(dir.join("notes"), b"just some notes\n").expect("write");
    std::fs::write(dir.join("index.json"), b"{}").expect("write");
    let repo = dir.join("0.git");
    crate::common::git(
        None,
        &["init", "-q", "--bare", repo.to_str().expect("utf-8")],
        b"",
    );
    let mut reader = open(&dir, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 1);
    let kinds: Vec<&str> = read.errors.iter().map(ReadError::kind).collect();
    assert_eq!(
        kinds,
        ["not-mail"],
        "index.json and 0.git are skipped silently"
    );
}

#[test]
fn files_cursor_skips_unchanged_files() {
    let Some(shared) = shared() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("lkml");
    copy_dir(&shared.join("corpus/mail/notmuch/test/corpora/lkml"), &root);

    let mut reader = open(&root, None, &Options::default()).expect("open");
    assert_eq!(reader.by_ref().take(100).count(), 100);
    let partial = reader.cursor();
    reader.by_ref().for_each(drop);
    let done = reader.cursor();

    let mut again = open(&root, Some(&partial), &Options::default()).expect("reopen");
    assert_eq!(again.estimate().messages, Some(110));
    assert_eq!(read_all(&mut again).messages.len(), 110);

    let mut again = open(&root, Some(&done), &Options::default()).expect("reopen");
    assert!(again.next().is_none());

    // A new file, and a removed one: only the new file is read, and the
    // cursor forgets the removed one.
    let first = std::fs::read_dir(root.join("cur"))
        .expect("list")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    std::fs::copy(&first, root.join("cur/new-message")).expect("copy");
    std::fs::remove_file(&first).expect("remove");
    let mut again = open(&root, Some(&done), &Options::default()).expect("reopen");
    let read = read_all(&mut again);
    assert_eq!(read.messages.len(), 1);
    assert!(read.messages[0].0.to_string().ends_with("new-message"));
    assert_eq!(again.cursor().as_str().len(), "files1 ".len() + 210 * 16);
}

#[test]
fn single_eml_file() {
    let Some(shared) = shared() else { return };
    let path = shared.join("corpus/mail/public-inbox/t/iso-2202-jp.eml");
    assert_eq!(detect(&path).expect("detect"), SourceKind::MessageFile);
    let mut reader = open(&path, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 1);
    assert_eq!(read.messages[0].1, std::fs::read(&path).expect("read"));
    assert_eq!(read.messages[0].0.to_string(), path.display().to_string());
}

#[test]
fn file_vanishing_after_listing_is_an_error_and_reading_goes_on() {
    let Some(shared) = shared() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("lkml");
    copy_dir(&shared.join("corpus/mail/notmuch/test/corpora/lkml"), &root);
    let mut reader = open(&root, None, &Options::default()).expect("open");
    // Listed at open; gone (or unreadable) when its turn comes.
    let mut names: Vec<_> = std::fs::read_dir(root.join("cur"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    std::fs::remove_file(&names[5]).expect("remove");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 209);
    assert_eq!(read.errors.len(), 1);
    assert!(
        matches!(&read.errors[0], ReadError::Io { location: Location::File { path }, .. } if *path == names[5])
    );
}
