//! Small public-inbox repositories built with the git CLI around real
//! messages (notmuch's LKML corpus), with the holes real mirrors have.

use std::path::{Path, PathBuf};

use lpl_archive::{ObjectRole, Options, ReadError, Resume, SourceKind, detect, open};

use crate::common::{commit_of, git, read_all, shared};

/// Three real LKML messages from the notmuch corpus.
fn messages() -> Option<Vec<Vec<u8>>> {
    let dir = shared()?.join("corpus/mail/notmuch/test/corpora/lkml/cur");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("list lkml")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    Some(
        files[..4]
            .iter()
            .map(|p| std::fs::read(p).expect("read message"))
            .collect(),
    )
}

fn blob(repo: &Path, bytes: &[u8]) -> String {
    git(Some(repo), &["hash-object", "-w", "--stdin"], bytes)
        .trim()
        .to_owned()
}

/// A tree of `name → blob` (names may be `xx/yyyy` for v1).
fn tree(repo: &Path, files: &[(&str, &str)]) -> String {
    let mut top: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    let mut entries = String::new();
    for (name, id) in files {
        match name.split_once('/') {
            Some((dir, file)) => top
                .entry(dir.to_owned())
                .or_default()
                .push((file.to_owned(), (*id).to_owned())),
            None => entries.push_str(&format!("100644 blob {id}\t{name}\n")),
        }
    }
    for (dir, files) in top {
        let sub: String = files
            .iter()
            .map(|(f, id)| format!("100644 blob {id}\t{f}\n"))
            .collect();
        let sub = git(Some(repo), &["mktree"], sub.as_bytes());
        entries.push_str(&format!("040000 tree {}\t{dir}\n", sub.trim()));
    }
    git(Some(repo), &["mktree"], entries.as_bytes())
        .trim()
        .to_owned()
}

fn commit(repo: &Path, tree: &str, parent: Option<&str>) -> String {
    let mut args = vec!["commit-tree", tree, "-m", "msg"];
    if let Some(p) = parent {
        args.extend(["-p", p]);
    }
    let id = git(Some(repo), &args, b"").trim().to_owned();
    git(Some(repo), &["update-ref", "refs/heads/master", &id], b"");
    id
}

fn loose_path(repo: &Path, id: &str) -> PathBuf {
    repo.join("objects").join(&id[..2]).join(&id[2..])
}

fn init(dir: &Path) -> PathBuf {
    let repo = dir.join("test.git");
    git(
        None,
        &["init", "-q", "--bare", repo.to_str().expect("utf-8")],
        b"",
    );
    repo
}

#[test]
fn v2_epoch_with_missing_blob_empty_commit_and_deletion() {
    let Some(msgs) = messages() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = init(tmp.path());
    let b: Vec<String> = msgs.iter().map(|m| blob(&repo, m)).collect();
    let c1 = commit(&repo, &tree(&repo, &[("m", &b[0])]), None);
    let c2 = commit(&repo, &tree(&repo, &[("m", &b[1])]), Some(&c1));
    let c3 = commit(&repo, &tree(&repo, &[("x", &b[2])]), Some(&c2));
    let c4 = commit(&repo, &tree(&repo, &[("d", &b[0])]), Some(&c3));
    let c5 = commit(&repo, &tree(&repo, &[("m", &b[3])]), Some(&c4));
    // A hole like those in real lore mirrors: message 2's blob is gone.
    std::fs::remove_file(loose_path(&repo, &b[1])).expect("remove loose blob");

    assert_eq!(
        detect(&repo).expect("detect"),
        SourceKind::PublicInboxV2Epoch
    );
    for threads in [0, 2] {
        let mut opts = Options::default();
        opts.decode_threads = threads;
        let mut reader = open(&repo, None, &opts).expect("open");
        let items: Vec<_> = reader.by_ref().collect();
        assert_eq!(items.len(), 5);
        let locations: Vec<String> = items
            .iter()
            .map(|i| match i {
                Ok(e) => commit_of(e.location()),
                Err(e) => commit_of(e.location()),
            })
            .collect();
        assert_eq!(locations, [&c1, &c2, &c3, &c4, &c5].map(String::clone));
        match &items[1] {
            Err(ReadError::MissingObject { id, role, .. }) => {
                assert_eq!((id.as_str(), *role), (b[1].as_str(), ObjectRole::Message));
            }
            other => panic!("expected a missing blob, got {other:?}"),
        }
        assert!(matches!(items[2], Err(ReadError::NoMessageInCommit { .. })));
        match &items[3] {
            Ok(lpl_archive::Event::Deleted { bytes, .. }) => {
                assert_eq!(bytes.as_deref(), Some(&msgs[0][..]));
            }
            other => panic!("expected a deletion, got {other:?}"),
        }
        match &items[4] {
            Ok(lpl_archive::Event::Message(m)) => assert_eq!(m.bytes, msgs[3]),
            other => panic!("expected a message, got {other:?}"),
        }
        // Errors are items too: the cursor moves past them.
        assert_eq!(reader.cursor().as_str(), format!("git1 {c5}"));
    }
}

#[test]
fn v2_epoch_with_missing_commit_reads_what_is_reachable() {
    let Some(msgs) = messages() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = init(tmp.path());
    let b: Vec<String> = msgs.iter().map(|m| blob(&repo, m)).collect();
    let c1 = commit(&repo, &tree(&repo, &[("m", &b[0])]), None);
    let c2 = commit(&repo, &tree(&repo, &[("m", &b[1])]), Some(&c1));
    let c3 = commit(&repo, &tree(&repo, &[("m", &b[2])]), Some(&c2));
    // The root commit is gone: c2's parent dangles.
    std::fs::remove_file(loose_path(&repo, &c1)).expect("remove loose commit");
    let mut reader = open(&repo, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 2);
    assert_eq!(commit_of(&read.messages[0].0), c2);
    assert_eq!(commit_of(&read.messages[1].0), c3);
    assert_eq!(read.errors.len(), 1);
    match &read.errors[0] {
        ReadError::MissingObject { id, role, .. } => {
            assert_eq!((id.as_str(), *role), (c1.as_str(), ObjectRole::Commit));
        }
        other => panic!("expected a missing commit, got {other:?}"),
    }
    assert!(read.errors[0].to_string().contains("missing git object"));
}

#[test]
fn v1_inbox_added_and_removed_files() {
    let Some(msgs) = messages() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = init(tmp.path());
    let b: Vec<String> = msgs.iter().map(|m| blob(&repo, m)).collect();
    // v1 names files by the sha1 of the Message-ID; any 40 hex digits do.
    let name = |i: usize| {
        let h = format!("{:040x}", 0xabc0 + i);
        format!("{}/{}", &h[..2], &h[2..])
    };
    let (n0, n1, n2, n3) = (name(0), name(1), name(2), name(3));
    let c1 = commit(&repo, &tree(&repo, &[(&n0, &b[0])]), None);
    let c2 = commit(
        &repo,
        &tree(&repo, &[(&n0, &b[0]), (&n1, &b[1]), (&n2, &b[2])]),
        Some(&c1),
    );
    let c3 = commit(
        &repo,
        &tree(&repo, &[(&n1, &b[1]), (&n2, &b[2])]),
        Some(&c2),
    );

    assert_eq!(detect(&repo).expect("detect"), SourceKind::PublicInboxV1);
    let mut reader = open(&repo, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let got: Vec<(String, &[u8])> = read
        .messages
        .iter()
        .map(|(l, b)| (commit_of(l), &b[..]))
        .collect();
    assert_eq!(
        got,
        [
            (c1.clone(), &msgs[0][..]),
            (c2.clone(), &msgs[1][..]),
            (c2.clone(), &msgs[2][..])
        ]
    );
    assert_eq!(read.deleted.len(), 1);
    assert_eq!(commit_of(&read.deleted[0].0), c3);
    assert_eq!(read.deleted[0].1.as_deref(), Some(&msgs[0][..]));
    assert!(
        read.deleted[0].0.to_string().ends_with(&n0),
        "{}",
        read.deleted[0].0
    );

    // Resuming reads only the new commit.
    let cursor = reader.cursor();
    let c4 = commit(
        &repo,
        &tree(&repo, &[(&n1, &b[1]), (&n2, &b[2]), (&n3, &b[3])]),
        Some(&c3),
    );
    let mut reader = open(&repo, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(reader.resume(), Resume::Continued);
    let read = read_all(&mut reader);
    assert_eq!(read.messages.len(), 1);
    assert_eq!(commit_of(&read.messages[0].0), c4);
    assert_eq!(read.messages[0].1, msgs[3]);
}

#[test]
fn empty_repository_is_an_epoch_without_messages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = init(tmp.path());
    assert_eq!(
        detect(&repo).expect("detect"),
        SourceKind::PublicInboxV2Epoch
    );
    let mut reader = open(&repo, None, &Options::default()).expect("open");
    assert!(reader.next().is_none());
}
