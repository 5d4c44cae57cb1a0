//! The real cgroups epoch: counts against `git rev-list`, bytes against
//! `git cat-file`, incremental reads, rewritten history, v2 inbox layout.

use std::path::Path;

use lpl_archive::{Cursor, Options, RestartReason, Resume, SourceKind, detect, open};

use crate::common::{cgroups_epoch, commit_of, git, read_all};

/// Commits of `repo`'s master, oldest first.
fn commits(repo: &Path) -> Vec<String> {
    git(Some(repo), &["rev-list", "--reverse", "master"], b"")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A mirror clone of `epoch` (objects hard-linked) with master at `commit`.
fn slice(epoch: &Path, dest: &Path, commit: &str) {
    let (e, d) = (
        epoch.to_str().expect("utf-8"),
        dest.to_str().expect("utf-8"),
    );
    git(None, &["clone", "-q", "--mirror", e, d], b"");
    git(
        Some(dest),
        &["update-ref", "refs/heads/master", commit],
        b"",
    );
}

#[test]
fn cgroups_epoch_yields_every_commit_in_order() {
    let Some(epoch) = cgroups_epoch() else { return };
    assert_eq!(
        detect(&epoch).expect("detect"),
        SourceKind::PublicInboxV2Epoch
    );
    let count: usize = git(Some(&epoch), &["rev-list", "--count", "--all"], b"")
        .trim()
        .parse()
        .expect("a number");
    assert_eq!(count, 36146, "the corpus README's count");

    let mut reader = open(&epoch, None, &Options::default()).expect("open");
    assert_eq!(reader.resume(), Resume::Fresh);
    assert_eq!(reader.estimate().messages, Some(count as u64));
    let read = read_all(&mut reader);
    assert!(
        read.errors.is_empty(),
        "errors: {:?}",
        &read.errors[..read.errors.len().min(3)]
    );
    assert_eq!(read.messages.len() + read.deleted.len(), count);
    let total: usize = read.messages.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(reader.progress().bytes, total as u64);
    assert_eq!(reader.progress().items, count as u64);
    assert_eq!(reader.estimate().messages, Some(0));

    // Oldest first, and the bytes are the blob `m` exactly.
    let order = commits(&epoch);
    assert_eq!(commit_of(&read.messages[0].0), order[0]);
    assert_eq!(
        commit_of(&read.messages.last().expect("some").0),
        order[count - 1]
    );
    for i in [0, 1, count / 2, count - 1] {
        let (loc, bytes) = &read.messages[i];
        assert_eq!(commit_of(loc), order[i]);
        let blob = git(
            Some(&epoch),
            &["cat-file", "blob", &format!("{}:m", order[i])],
            b"",
        );
        assert_eq!(bytes, blob.as_bytes(), "message of {loc}");
    }
    assert!(read.messages[0].0.to_string().contains("cgroups.0.git@"));

    // Inline decoding yields the same sequence as the decoding threads.
    let mut inline = Options::default();
    inline.decode_threads = 0;
    let mut reader = open(&epoch, None, &inline).expect("open");
    for (i, item) in reader.by_ref().take(3000).enumerate() {
        let lpl_archive::Event::Message(m) = item.expect("no error") else {
            panic!("not a message")
        };
        assert_eq!(
            (&m.location, &m.bytes),
            (&read.messages[i].0, &read.messages[i].1)
        );
    }

    // Nothing is left after the cursor of a complete read.
    let mut reader = open(&epoch, None, &Options::default()).expect("open");
    reader.by_ref().for_each(drop);
    let cursor = reader.cursor();
    let mut again = open(&epoch, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(again.resume(), Resume::Continued);
    assert_eq!(again.estimate().messages, Some(0));
    assert_eq!(again.next().map(|r| r.is_ok()), None);
}

#[test]
fn epoch_resumes_after_cursor_and_restarts_after_rewrite() {
    let Some(epoch) = cgroups_epoch() else { return };
    let order = commits(&epoch);
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("half.git");
    // The first 4000 commits, read in two halves.
    let (half, end) = (2000, 4000);
    slice(&epoch, &repo, &order[half - 1]);

    let mut reader = open(&repo, None, &Options::default()).expect("open");
    let first = read_all(&mut reader);
    assert_eq!(first.messages.len(), half);
    assert_eq!(commit_of(&first.messages[half - 1].0), order[half - 1]);
    let cursor = reader.cursor();
    // The cursor is text and survives storage.
    let cursor = Cursor::new(cursor.into_string());

    git(
        Some(&repo),
        &["update-ref", "refs/heads/master", &order[end - 1]],
        b"",
    );
    let mut reader = open(&repo, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(reader.resume(), Resume::Continued);
    assert_eq!(reader.estimate().messages, Some((end - half) as u64));
    let second = read_all(&mut reader);
    assert!(second.errors.is_empty());
    assert_eq!(second.messages.len(), end - half);
    assert_eq!(commit_of(&second.messages[0].0), order[half]);
    assert_eq!(
        commit_of(&second.messages[end - half - 1].0),
        order[end - 1]
    );

    // Stopping midway: the cursor covers exactly what was yielded.
    git(
        Some(&repo),
        &["update-ref", "refs/heads/master", &order[end - 1]],
        b"",
    );
    let mut reader = open(&repo, None, &Options::default()).expect("open");
    let taken: Vec<_> = reader.by_ref().take(123).collect();
    assert_eq!(taken.len(), 123);
    let mid = reader.cursor();
    drop(reader);
    let mut rest = open(&repo, Some(&mid), &Options::default()).expect("reopen");
    let rest = read_all(&mut rest);
    assert_eq!(rest.messages.len(), end - 123);
    assert_eq!(commit_of(&rest.messages[0].0), order[123]);

    // A purge rewrites history: the cursor commit is no longer an ancestor.
    let cursor = {
        let mut r = open(&repo, None, &Options::default()).expect("open");
        r.by_ref().for_each(drop);
        r.cursor()
    };
    let tree = git(
        Some(&repo),
        &["rev-parse", &format!("{}^{{tree}}", order[100])],
        b"",
    );
    let rewritten = git(
        Some(&repo),
        &["commit-tree", tree.trim(), "-p", &order[99], "-m", "purged"],
        b"",
    );
    git(
        Some(&repo),
        &["update-ref", "refs/heads/master", rewritten.trim()],
        b"",
    );
    let mut reader = open(&repo, Some(&cursor), &Options::default()).expect("reopen");
    assert_eq!(
        reader.resume(),
        Resume::Restarted(RestartReason::HistoryRewritten)
    );
    assert_eq!(read_all(&mut reader).messages.len(), 101);

    // A cursor naming a commit the repository does not have.
    let gone = Cursor::new(format!("git1 {}", "1".repeat(40)));
    let mut reader = open(&repo, Some(&gone), &Options::default()).expect("reopen");
    assert_eq!(
        reader.resume(),
        Resume::Restarted(RestartReason::CursorCommitMissing)
    );
    assert_eq!(read_all(&mut reader).messages.len(), 101);

    // A cursor of another kind of source, or garbage.
    for bad in ["mbox1 0 0 0", "nonsense"] {
        let reader = open(&repo, Some(&Cursor::new(bad)), &Options::default()).expect("reopen");
        assert_eq!(
            reader.resume(),
            Resume::Restarted(RestartReason::CursorMismatch),
            "{bad}"
        );
    }
}

#[test]
fn v2_inbox_reads_epochs_in_numeric_order_and_resumes() {
    let Some(epoch) = cgroups_epoch() else { return };
    let order = commits(&epoch);
    let tmp = tempfile::tempdir().expect("tempdir");
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(inbox.join("git")).expect("mkdir");
    // Epochs 0, 2 and 10 (numeric, not lexical, order), 100/200/300 commits.
    for (n, len) in [(0, 100), (2, 200), (10, 300)] {
        slice(&epoch, &inbox.join(format!("git/{n}.git")), &order[len - 1]);
    }
    std::fs::create_dir_all(inbox.join("git/all.git")).expect("not an epoch");
    assert_eq!(
        detect(&inbox).expect("detect"),
        SourceKind::PublicInboxV2Inbox
    );

    let mut reader = open(&inbox, None, &Options::default()).expect("open");
    let read = read_all(&mut reader);
    assert!(read.errors.is_empty());
    assert_eq!(read.messages.len(), 600);
    let repo_of = |i: usize| match &read.messages[i].0 {
        lpl_archive::Location::Commit { repo, .. } => repo.file_name().map(|n| n.to_owned()),
        _ => None,
    };
    assert_eq!(repo_of(0).as_deref(), Some("0.git".as_ref()));
    assert_eq!(repo_of(100).as_deref(), Some("2.git".as_ref()));
    assert_eq!(repo_of(300).as_deref(), Some("10.git".as_ref()));
    let complete = reader.cursor();

    // Interrupted in the second epoch: resuming yields exactly the rest.
    let mut reader = open(&inbox, None, &Options::default()).expect("open");
    assert_eq!(reader.by_ref().take(150).count(), 150);
    let mid = reader.cursor();
    let mut reader = open(&inbox, Some(&mid), &Options::default()).expect("reopen");
    let rest = read_all(&mut reader);
    assert_eq!(rest.messages.len(), 450);
    assert_eq!(rest.messages[0], read.messages[150]);

    // The last epoch grows: only its new commits are read.
    let last = inbox.join("git/10.git");
    git(
        Some(&last),
        &["update-ref", "refs/heads/master", &order[399]],
        b"",
    );
    let mut reader = open(&inbox, Some(&complete), &Options::default()).expect("reopen");
    assert_eq!(reader.resume(), Resume::Continued);
    let new = read_all(&mut reader);
    assert_eq!(new.messages.len(), 100);
    assert_eq!(commit_of(&new.messages[0].0), order[300]);
}

#[test]
fn commit_graph_gives_the_same_walk() {
    let Some(epoch) = cgroups_epoch() else { return };
    let order = commits(&epoch);
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("graph.git");
    slice(&epoch, &repo, &order[2999]);
    let read = |cursor: Option<&Cursor>| {
        let mut reader = open(&repo, cursor, &Options::default()).expect("open");
        let read = read_all(&mut reader);
        assert!(read.errors.is_empty());
        (read.messages, reader.cursor())
    };
    let (without, _) = read(None);
    let (_, half) = {
        let mut reader = open(&repo, None, &Options::default()).expect("open");
        reader.by_ref().take(1000).for_each(drop);
        ((), reader.cursor())
    };
    git(Some(&repo), &["commit-graph", "write", "--reachable"], b"");
    assert!(repo.join("objects/info/commit-graph").exists());
    let (with, _) = read(None);
    assert_eq!(with.len(), 3000);
    assert!(with == without, "the commit-graph changed what was read");
    let (rest, _) = read(Some(&half));
    assert_eq!(rest.len(), 2000);
    assert!(rest[..] == without[1000..]);
}
