//! Indexing liburing through gix, checked against the git CLI.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use lpl_upstream::index::{Repo, Warning, index_repository};
use lpl_upstream::{CommitId, Error, IndexOptions, store, tags};

fn git_patch_ids(repo: &Path, range: &str) -> HashMap<String, String> {
    let log = common::git(
        repo,
        &[
            "log",
            "-p",
            "--no-merges",
            "--no-renames",
            "--full-index",
            "--format=commit %H",
            range,
        ],
    );
    common::git_patch_id(&log)
        .into_iter()
        .map(|(pid, c)| (c, pid))
        .collect()
}

#[test]
fn patch_ids_from_gix_diffs_equal_git() {
    let (_tmp, path) = common::liburing();
    let repo = Repo::open(&path).expect("opens");
    let tips: Vec<CommitId> = repo.tips(&["master".to_owned()]).expect("tips");
    let ids = repo.non_merge_commits(&tips[..1], &[]).expect("walk");
    let expected = git_patch_ids(&path, "master");
    assert!(ids.len() > 3000, "{} commits", ids.len());
    let results = repo.index_commits(&ids, None);
    let mut same = 0;
    let mut differ = Vec::new();
    for r in results {
        let c = r.expect("indexes");
        let ours = c.patch_id.map(|p| p.to_string());
        let theirs = expected.get(&c.id.to_string()).cloned();
        if ours == theirs {
            same += 1;
        } else {
            differ.push((c.id, ours, theirs));
        }
    }
    for d in &differ {
        eprintln!("differs: {d:?}");
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ",
        differ.len(),
        same + differ.len()
    );
}

#[test]
fn incremental_index_reads_only_new_commits() {
    let (_tmp, path) = common::liburing();
    // Start from an old state: a branch 300 commits back, without tags.
    common::git(&path, &["branch", "-f", "old", "master~300"]);
    let tag_list = String::from_utf8(common::git(&path, &["tag"])).expect("utf8");
    let mut conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    store::migrate(&conn).expect("migrate");
    let cancel = AtomicBool::new(false);
    // Hide tags for the first run by moving them away.
    let saved: Vec<(String, String)> = tag_list
        .lines()
        .map(|t| {
            let c = String::from_utf8(common::git(
                &path,
                &["rev-parse", &format!("{t}^{{commit}}")],
            ))
            .expect("utf8");
            (t.to_owned(), c.trim().to_owned())
        })
        .collect();
    for (t, _) in &saved {
        common::git(&path, &["tag", "-d", t]);
    }
    let opts = IndexOptions {
        revs: vec!["old".to_owned()],
        ..Default::default()
    };
    let r1 = index_repository(&mut conn, &path, &opts, &cancel, &mut |_| {}).expect("first run");
    let n_old: usize = String::from_utf8(common::git(
        &path,
        &["rev-list", "--no-merges", "--count", "old"],
    ))
    .expect("utf8")
    .trim()
    .parse()
    .expect("count");
    assert_eq!(r1.new_commits, n_old);
    assert!(r1.warnings.contains(&Warning::NoReleaseTags));
    for (t, c) in &saved {
        common::git(&path, &["tag", t, c]);
    }
    let opts = IndexOptions {
        revs: vec!["master".to_owned()],
        ..Default::default()
    };
    let r2 = index_repository(&mut conn, &path, &opts, &cancel, &mut |_| {}).expect("second run");
    let n_new: usize = String::from_utf8(common::git(
        &path,
        &[
            "rev-list",
            "--no-merges",
            "--count",
            "master",
            "--tags",
            "^old",
        ],
    ))
    .expect("utf8")
    .trim()
    .parse()
    .expect("count");
    assert_eq!(r2.new_commits, n_new, "second run reads only new commits");
    assert_eq!(r2.total_commits, n_old + n_new);
    assert!(r2.release_tags > 20);
    let r3 = index_repository(&mut conn, &path, &opts, &cancel, &mut |_| {}).expect("third run");
    assert_eq!(r3.new_commits, 0);
    assert!(!r3.tags_recomputed);
}

/// First release tag vs `git tag --contains` on a sample of commits.
#[test]
fn first_tags_agree_with_git_tag_contains() {
    let (_tmp, path) = common::liburing();
    let mut conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    let cancel = AtomicBool::new(false);
    index_repository(
        &mut conn,
        &path,
        &IndexOptions::default(),
        &cancel,
        &mut |_| {},
    )
    .expect("index");
    let repo_id = store::repositories(&conn).expect("read")[0].id;
    let all = String::from_utf8(common::git(&path, &["rev-list", "--no-merges", "master"]))
        .expect("utf8");
    let all: Vec<&str> = all.lines().collect();
    let mut checked = 0;
    let mut unreleased = 0;
    for c in all.iter().step_by(all.len() / 60) {
        let contains =
            String::from_utf8(common::git(&path, &["tag", "--contains", c])).expect("utf8");
        let expected = contains
            .lines()
            .filter_map(|t| tags::parse_version(t).map(|v| (v, t.to_owned())))
            .min_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, t)| t);
        let ours = store::first_tag(&conn, repo_id, c.parse().expect("hex")).expect("query");
        assert_eq!(ours, expected, "first tag of {c}");
        checked += 1;
        if ours.is_none() {
            unreleased += 1;
        }
    }
    assert!(checked >= 60);
    assert!(unreleased < checked / 2);
}

#[test]
fn bad_repositories_get_typed_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    match Repo::open(dir.path()) {
        Err(Error::NotARepository { .. }) => {}
        other => panic!("expected NotARepository, got {:?}", other.err()),
    }
    match Repo::open(&dir.path().join("missing")) {
        Err(e @ Error::NotARepository { .. }) => {
            assert!(e.to_string().contains("not a git repository"))
        }
        other => panic!("expected NotARepository, got {:?}", other.err()),
    }
    let (_tmp, path) = common::liburing();
    let shallow = dir.path().join("shallow");
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "5"])
        .arg(format!("file://{}", path.display()))
        .arg(&shallow)
        .status()
        .expect("git");
    assert!(st.success());
    match Repo::open(&shallow) {
        Err(e @ Error::ShallowClone { .. }) => assert!(e.to_string().contains("shallow")),
        other => panic!("expected ShallowClone, got {:?}", other.err()),
    }
    // An empty repository: nothing to index.
    let empty = dir.path().join("empty");
    common::git(dir.path(), &["init", "-q", empty.to_str().expect("utf8")]);
    let repo = Repo::open(&empty).expect("opens");
    assert!(matches!(repo.tips(&[]), Err(Error::NothingToIndex { .. })));
    assert!(matches!(
        repo.tips(&["nope".to_owned()]),
        Err(Error::BadRevision { .. })
    ));
}

/// Issue 15: a repository that never touched a series' files cannot say
/// "not merged" about it. liburing's history covers liburing's files (and
/// a new file beside them) but not a kernel series' (`io_uring/...`,
/// `include/uapi/linux/io_uring.h`); the indexed repository is named with
/// the tips it was read at.
#[test]
fn coverage_of_a_series_files_and_the_repository_named() {
    let (t, repo) = common::liburing();
    let mut conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    lpl_upstream::store::migrate(&conn).expect("migrate");
    let none = lpl_upstream::store::repositories(&conn).expect("read");
    assert!(none.is_empty(), "nothing indexed yet: {none:?}");
    let index = |conn: &mut rusqlite::Connection, path: &std::path::Path| {
        lpl_upstream::index::index_repository(
            conn,
            path,
            &lpl_upstream::IndexOptions::default(),
            &std::sync::atomic::AtomicBool::new(false),
            &mut |_| {},
        )
        .expect("index")
    };
    let first = index(&mut conn, &repo);
    let repos = lpl_upstream::store::repositories(&conn).expect("read");
    assert_eq!(repos.len(), 1, "{repos:?}");
    let lib = repos[0].clone();
    assert_eq!(lib.path, lpl_upstream::store::repo_key(&repo));
    let head = String::from_utf8(common::git(&repo, &["rev-parse", "HEAD"])).expect("utf-8");
    assert!(
        lib.tips.iter().any(|t| t.to_string() == head.trim()),
        "{:?} holds HEAD {head}",
        lib.tips
    );
    let files = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let covers = |conn: &rusqlite::Connection, id: i64, v: &[&str]| {
        lpl_upstream::store::covers_any_file(conn, id, &files(v)).expect("query")
    };
    // A liburing series: its test and header, and a new test beside them.
    assert!(covers(&conn, lib.id, &["src/include/liburing.h"]));
    assert!(covers(
        &conn,
        lib.id,
        &["test/a-test-that-does-not-exist-yet.c"]
    ));
    // A kernel series (Gabriel Krisman Bertazi's getsockname, io-uring epoch).
    let kernel = [
        "io_uring/cmd_net.c",
        "include/uapi/linux/io_uring.h",
        "net/socket.c",
        "include/linux/socket.h",
    ];
    assert!(!covers(&conn, lib.id, &kernel));

    // A second repository (liburing's history 300 commits back, a clone
    // of its own) is indexed beside the first, which keeps its rows.
    let old = t.path().join("old-liburing");
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--no-tags"])
        .arg(&repo)
        .arg(&old)
        .status()
        .expect("git runs");
    assert!(st.success());
    common::git(&old, &["reset", "-q", "--hard", "HEAD~300"]);
    let second = index(&mut conn, &old);
    let repos = lpl_upstream::store::repositories(&conn).expect("read");
    assert_eq!(repos.len(), 2, "{repos:?}");
    assert_eq!(repos[0], lib, "the first repository is as it was");
    assert_eq!(
        lpl_upstream::store::count_commits(&conn, lib.id).expect("count"),
        first.total_commits
    );
    let other = &repos[1];
    assert_eq!(other.path, lpl_upstream::store::repo_key(&old));
    assert_eq!(
        lpl_upstream::store::count_commits(&conn, other.id).expect("count"),
        second.total_commits
    );
    assert!(second.total_commits + 300 <= first.total_commits);
    assert!(covers(&conn, other.id, &["src/include/liburing.h"]));
    assert!(!covers(&conn, other.id, &kernel));
    // Indexing the first again reads nothing new and leaves the second.
    let again = index(&mut conn, &repo);
    assert_eq!(again.new_commits, 0);
    assert_eq!(
        lpl_upstream::store::repositories(&conn).expect("read")[1],
        *other
    );
}
