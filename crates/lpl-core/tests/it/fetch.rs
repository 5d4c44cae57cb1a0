//! End to end through the workspace's fetch and sync: downloads and
//! mirrors from a lore look-alike on 127.0.0.1, imported into a real
//! archive.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use lpl_core::error::{Invalid, LoreError, NotFound};
use lpl_core::fetch::{FetchOptions, SyncReport};
use lpl_core::types::MirrorOptions;
use lpl_core::{Error, Workspace};
use lpl_testutil::lore::{self as corpus, Msg, Server, all_messages, cleanup_thread};

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

/// A client for the test server: no pauses, quick retries, no cache.
fn test_config(base: &str, cache: &std::path::Path) -> FetchOptions {
    let mut c = lpl_lore::Config::new(base, cache);
    c.retries = 2;
    c.backoff = Duration::from_millis(10);
    c.pause = Duration::ZERO;
    c.cache_ttl = Duration::ZERO;
    c.read_timeout = Duration::from_secs(10);
    c.connect_timeout = Duration::from_secs(5);
    let mut o = FetchOptions::default();
    o.client = Some(c);
    o
}

/// The lists named in `only` (all when empty) synced into `ws`'s mirrors,
/// with default options.
fn sync(
    ws: &mut Workspace,
    only: &[String],
    lore: &FetchOptions,
) -> Result<Vec<SyncReport>, Error> {
    ws.sync(only, &MirrorOptions::default(), lore, &no(), &mut |_| {})
}

#[test]
fn fetch_imports_the_thread_and_again_only_what_is_new() {
    let (cover, thread) = cleanup_thread();
    // lore first knows the thread without its last two replies.
    let n = thread.len();
    let late: Vec<String> = thread[n - 2..]
        .iter()
        .map(|m| m.message_id.clone())
        .collect();
    let early: Vec<Msg> = all_messages()
        .iter()
        .filter(|m| !late.contains(&m.message_id))
        .cloned()
        .collect();
    let srv = Server::start(early);
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let lore = test_config(&format!("{}/all", srv.base), &home.path().join("cache"));
    let url = format!("https://lore.kernel.org/io-uring/{}/T/#u", cover.message_id);
    let r1 = ws.fetch(&url, &lore, &no(), &mut |_| {}).expect("fetch");
    assert_eq!(r1.message_id.as_deref(), Some(cover.message_id.as_str()));
    assert_eq!(r1.fetched, (n - 2) as u64);
    assert_eq!(r1.imported + r1.deduplicated + r1.skipped, r1.fetched);
    assert_eq!(r1.imported, (n - 2) as u64);
    let s = r1.series.first().expect("the series is named");
    assert_eq!(s.message_id, cover.message_id);
    assert_eq!(s.total, Some(3));
    assert!(s.complete, "{s:?}");
    // Later the replies arrived: a second fetch imports just those.
    srv.state.lock().expect("lock").messages = all_messages().to_vec();
    let r2 = ws
        .fetch(
            &format!("<{}>", cover.message_id),
            &lore,
            &no(),
            &mut |_| {},
        )
        .expect("fetch again");
    assert_eq!(r2.fetched, n as u64);
    assert_eq!(r2.imported, 2);
    assert_eq!(r2.deduplicated, (n - 2) as u64);
    let stats = ws.stats().expect("stats");
    assert_eq!(stats.messages, n as i64);
    println!(
        "fetch thread: run 1 fetched {} imported {} dedup {}; run 2 fetched {} imported {} dedup {}",
        r1.fetched, r1.imported, r1.deduplicated, r2.fetched, r2.imported, r2.deduplicated
    );
}

#[test]
fn bad_answers_leave_the_store_alone() {
    let (cover, thread) = cleanup_thread();
    let srv = Server::start(all_messages().to_vec());
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let good = test_config(&format!("{}/all", srv.base), &home.path().join("cache"));
    ws.fetch(&cover.message_id, &good, &no(), &mut |_| {})
        .expect("fetch");
    let before = ws.stats().expect("stats").messages;
    assert_eq!(before, thread.len() as i64);
    for inbox in ["trunc", "html", "empty", "loop"] {
        let bad = test_config(&format!("{}/{inbox}", srv.base), &home.path().join("cache"));
        let e = ws
            .fetch(&cover.message_id, &bad, &no(), &mut |_| {})
            .expect_err(inbox);
        assert!(matches!(e, Error::Lore(_)), "{inbox}: {e}");
        assert_eq!(
            ws.stats().expect("stats").messages,
            before,
            "{inbox} changed the store"
        );
        println!("{inbox}: {e} (store still {before} messages)");
    }
    let e = ws
        .fetch("not a message id", &good, &no(), &mut |_| {})
        .expect_err("junk");
    assert!(
        matches!(e, Error::Invalid(Invalid::MessageId { .. })),
        "{e}"
    );
    let e = ws
        .fetch("missing@example.invalid", &good, &no(), &mut |_| {})
        .expect_err("404");
    assert!(matches!(e, Error::Lore(LoreError::NotFound { .. })), "{e}");
}

#[test]
fn search_results_are_imported() {
    let srv = Server::start(all_messages().to_vec());
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let lore = test_config(&format!("{}/all", srv.base), &home.path().join("cache"));
    let q = "s:io_uring: don't wait when under-submitting";
    let r = ws
        .fetch_query(q, true, Some(50), &lore, &no(), &mut |_| {})
        .expect("search")
        .expect("hits");
    assert!(r.fetched >= 10, "v1..v4 and their replies: {}", r.fetched);
    assert_eq!(r.imported + r.deduplicated + r.skipped, r.fetched);
    assert!(
        r.series
            .iter()
            .any(|s| s.title.contains("don't wait when under-submitting")),
        "{:?}",
        r.series
    );
    let again = ws
        .fetch_query(q, true, Some(50), &lore, &no(), &mut |_| {})
        .expect("search")
        .expect("hits");
    assert_eq!(again.imported, 0);
    assert_eq!(again.deduplicated + again.skipped, again.fetched);
    let none = ws
        .fetch_query("s:nothing like this", true, None, &lore, &no(), &mut |_| {})
        .expect("search");
    assert!(none.is_none());
    println!(
        "search: fetched {} imported {} dedup {} ({} series); again: imported {} dedup {}",
        r.fetched,
        r.imported,
        r.deduplicated,
        r.series.len(),
        again.imported,
        again.deduplicated
    );
}

#[test]
fn sync_clones_then_fetches_only_the_second_half() {
    let srv = Server::start(Vec::new());
    let root = tempfile::tempdir().expect("tempdir");
    // The server's epoch: the fixture, with master moved back to its first half.
    let epoch = root.path().join("io-uring/git/0.git");
    corpus::clone_epoch(&epoch);
    let commits = corpus::commits(&epoch);
    let half = commits.len() / 2;
    let tip = commits.last().expect("commits").clone();
    corpus::git(
        &epoch,
        &["update-ref", "refs/heads/master", &commits[half - 1]],
    );
    // A second inbox without a manifest: found by probing git/0.git.
    let probe = root.path().join("probe/git/0.git");
    corpus::clone_epoch(&probe);
    corpus::git(&probe, &["update-ref", "refs/heads/master", &commits[9]]);
    {
        let mut st = srv.state.lock().expect("lock");
        st.git_root = Some(root.path().to_owned());
        st.manifests = vec!["io-uring".into()];
    }
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let lore = test_config(&format!("{}/all", srv.base), &home.path().join("cache"));
    let l = ws
        .sync_add(None, &format!("{}/io-uring/", srv.base), None)
        .expect("add");
    assert_eq!(l.name, "io-uring");
    let mirrors = home.path().join("mirrors");
    let sync = |ws: &mut Workspace, only: &[String]| sync(ws, only, &lore).expect("sync");
    let one = ["io-uring".to_owned()];
    let r1 = sync(&mut ws, &one);
    assert_eq!(r1.len(), 1);
    assert_eq!(r1[0].error, None);
    assert_eq!(r1[0].epochs_found, 1);
    let e1 = &r1[0].epochs[0];
    assert_eq!(e1.error, None, "{e1:?}");
    assert!(e1.cloned);
    assert_eq!(e1.fetched, half as u64);
    assert_eq!(e1.read, half as u64);
    assert_eq!(e1.imported + e1.deduplicated + e1.skipped, half as u64);
    assert!(e1.imported > half as u64 * 9 / 10, "{e1:?}");
    let after1 = ws.stats().expect("stats").messages;
    assert_eq!(after1, e1.imported as i64);
    // The list grows on the server: the second sync fetches and reads only the rest.
    corpus::git(&epoch, &["update-ref", "refs/heads/master", &tip]);
    let r2 = sync(&mut ws, &one);
    let e2 = &r2[0].epochs[0];
    assert_eq!(e2.error, None, "{e2:?}");
    assert!(!e2.cloned);
    let rest = (commits.len() - half) as u64;
    assert_eq!(e2.fetched, rest);
    assert_eq!(e2.read, rest, "only the new commits are read");
    assert_eq!(e2.imported + e2.deduplicated + e2.skipped, rest);
    assert_eq!(
        ws.stats().expect("stats").messages,
        after1 + e2.imported as i64
    );
    // Nothing new: nothing fetched, nothing read.
    let r3 = sync(&mut ws, &one);
    let e3 = &r3[0].epochs[0];
    assert_eq!((e3.fetched, e3.read, e3.imported), (0, 0, 0), "{e3:?}");
    // The mirror is a real epoch: git agrees on the tip.
    let local_tip = String::from_utf8(corpus::git(
        &mirrors.join("io-uring/git/0.git"),
        &["rev-parse", "refs/heads/master"],
    ))
    .expect("hex");
    assert_eq!(local_tip.trim(), tip);
    // Probing, and syncing every registered list.
    ws.sync_add(None, &format!("{}/probe", srv.base), None)
        .expect("add");
    let all = sync(&mut ws, &[]);
    assert_eq!(all.len(), 2);
    let p = all
        .iter()
        .find(|r| r.list.name == "probe")
        .expect("probe synced");
    assert_eq!(p.epochs_found, 1);
    assert_eq!(p.epochs[0].fetched, 10);
    assert_eq!(
        p.epochs[0].imported, 0,
        "all 10 are already stored from io-uring"
    );
    let seen = srv.seen();
    assert!(
        seen.iter()
            .any(|s| s.path == "/probe/git/1.git/info/refs?service=git-upload-pack"),
        "probed for epoch 1"
    );
    let git_uas: Vec<&str> = seen
        .iter()
        .filter(|s| s.path.contains("/git/"))
        .map(|s| s.user_agent.as_str())
        .collect();
    // Probes go through our HTTP client and name lpl; gix's reqwest backend
    // sends its own fixed User-Agent (lpl's name travels in the git
    // protocol's agent= capability instead).
    assert!(
        git_uas
            .iter()
            .all(|ua| ua.contains("lpl/") || ua.starts_with("git/oxide-")),
        "git requests: {git_uas:?}"
    );
    assert!(
        git_uas.iter().any(|ua| ua.contains("lpl/")),
        "the probes name lpl: {git_uas:?}"
    );
    println!(
        "sync: run 1 fetched {} imported {} dedup {} skipped {}; run 2 fetched {} read {} imported {} dedup {} skipped {}; run 3 fetched {}; probe list fetched {} dedup {}",
        e1.fetched,
        e1.imported,
        e1.deduplicated,
        e1.skipped,
        e2.fetched,
        e2.read,
        e2.imported,
        e2.deduplicated,
        e2.skipped,
        e3.fetched,
        p.epochs[0].fetched,
        p.epochs[0].deduplicated
    );
}

#[test]
fn sync_reports_an_unreachable_list_and_goes_on() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let lore = test_config("https://lore.kernel.org/all", &home.path().join("cache"));
    ws.sync_add(Some("gone"), &format!("http://127.0.0.1:{port}/gone"), None)
        .expect("add");
    let r = sync(&mut ws, &[], &lore).expect("sync runs");
    let err = r[0].error.as_deref().expect("reported");
    assert!(
        err.starts_with(&format!("could not reach 127.0.0.1:{port}")),
        "{err}"
    );
    let e = sync(&mut ws, &["nope".into()], &lore).expect_err("unknown list");
    assert!(matches!(e, Error::NotFound(NotFound::SyncList { .. })));
}

#[test]
fn since_skips_epochs_last_modified_before_it() {
    let srv = Server::start(Vec::new());
    let root = tempfile::tempdir().expect("tempdir");
    // Two epochs; the manifest dates epoch 0 2020-01-22 and epoch 1 2023-03-25.
    for n in 0..2 {
        let e = root.path().join(format!("mm/git/{n}.git"));
        corpus::clone_epoch(&e);
        let commits = corpus::commits(&e);
        corpus::git(
            &e,
            &["update-ref", "refs/heads/master", &commits[5 * n + 4]],
        );
    }
    {
        let mut st = srv.state.lock().expect("lock");
        st.git_root = Some(root.path().to_owned());
        st.manifests = vec!["mm".into()];
    }
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("workspace");
    let lore = test_config(&format!("{}/all", srv.base), &home.path().join("cache"));
    ws.sync_add(None, &format!("{}/mm", srv.base), Some("2022-01-01"))
        .expect("add");
    let r = sync(&mut ws, &[], &lore).expect("sync");
    assert_eq!(r[0].epochs_found, 2);
    let synced: Vec<u32> = r[0].epochs.iter().map(|e| e.epoch).collect();
    assert_eq!(synced, vec![1], "epoch 0 predates --since");
    assert_eq!(r[0].epochs[0].fetched, 10);
    assert!(!home.path().join("mirrors/mm/git/0.git").exists());
}
