//! End to end through `lpl_core::fetch`: downloads and mirrors imported
//! into a real store.

use std::sync::atomic::AtomicBool;

use lpl_core::fetch::{self, FetchError};
use lpl_core::import::ImportOptions;
use lpl_lore::mirror::MirrorOptions;
use lpl_lore::{Lore, LoreError};
use lpl_store::Store;

use crate::client::{cleanup_thread, test_config};
use crate::corpus::{self, Msg, all_messages};
use crate::server::Server;

fn no() -> AtomicBool {
    AtomicBool::new(false)
}

/// `fetch::sync` of the lists named in `only` (all when empty) into
/// `home`'s mirrors, with default options.
fn sync(
    store: &mut Store,
    home: &std::path::Path,
    only: &[String],
    lore: &Lore,
) -> Result<Vec<fetch::SyncReport>, FetchError> {
    fetch::sync(
        store,
        home,
        &home.join("mirrors"),
        only,
        lore,
        &MirrorOptions::default(),
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
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
    let mut store = Store::open(home.path()).expect("store");
    let lore = Lore::new(test_config(
        &format!("{}/all", srv.base),
        &home.path().join("cache"),
    ))
    .expect("client");
    let url = format!("https://lore.kernel.org/io-uring/{}/T/#u", cover.message_id);
    let r1 = fetch::fetch(
        &mut store,
        &lore,
        &url,
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect("fetch");
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
    let r2 = fetch::fetch(
        &mut store,
        &lore,
        &format!("<{}>", cover.message_id),
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect("fetch again");
    assert_eq!(r2.fetched, n as u64);
    assert_eq!(r2.imported, 2);
    assert_eq!(r2.deduplicated, (n - 2) as u64);
    let stats = store.stats().expect("stats");
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
    let mut store = Store::open(home.path()).expect("store");
    let good = Lore::new(test_config(
        &format!("{}/all", srv.base),
        &home.path().join("cache"),
    ))
    .expect("client");
    fetch::fetch(
        &mut store,
        &good,
        &cover.message_id,
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect("fetch");
    let before = store.stats().expect("stats").messages;
    assert_eq!(before, thread.len() as i64);
    for inbox in ["trunc", "html", "empty", "loop"] {
        let bad = Lore::new(test_config(
            &format!("{}/{inbox}", srv.base),
            &home.path().join("cache"),
        ))
        .expect("client");
        let e = fetch::fetch(
            &mut store,
            &bad,
            &cover.message_id,
            &ImportOptions::default(),
            &no(),
            &mut |_| {},
        )
        .expect_err(inbox);
        assert!(matches!(e, FetchError::Lore(_)), "{inbox}: {e}");
        assert_eq!(
            store.stats().expect("stats").messages,
            before,
            "{inbox} changed the store"
        );
        println!("{inbox}: {e} (store still {before} messages)");
    }
    let e = fetch::fetch(
        &mut store,
        &good,
        "not a message id",
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect_err("junk");
    assert!(matches!(e, FetchError::NotAMessageId { .. }), "{e}");
    let e = fetch::fetch(
        &mut store,
        &good,
        "missing@example.invalid",
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect_err("404");
    assert!(
        matches!(e, FetchError::Lore(LoreError::NotFound { .. })),
        "{e}"
    );
}

#[test]
fn search_results_are_imported() {
    let srv = Server::start(all_messages().to_vec());
    let home = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(home.path()).expect("store");
    let lore = Lore::new(test_config(
        &format!("{}/all", srv.base),
        &home.path().join("cache"),
    ))
    .expect("client");
    let q = "s:io_uring: don't wait when under-submitting";
    let r = fetch::fetch_query(
        &mut store,
        &lore,
        q,
        true,
        Some(50),
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
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
    let again = fetch::fetch_query(
        &mut store,
        &lore,
        q,
        true,
        Some(50),
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
    .expect("search")
    .expect("hits");
    assert_eq!(again.imported, 0);
    assert_eq!(again.deduplicated + again.skipped, again.fetched);
    let none = fetch::fetch_query(
        &mut store,
        &lore,
        "s:nothing like this",
        true,
        None,
        &ImportOptions::default(),
        &no(),
        &mut |_| {},
    )
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
    let mut store = Store::open(home.path()).expect("store");
    let lore = Lore::new(test_config(
        &format!("{}/all", srv.base),
        &home.path().join("cache"),
    ))
    .expect("client");
    let l =
        fetch::sync_add(home.path(), None, &format!("{}/io-uring/", srv.base), None).expect("add");
    assert_eq!(l.name, "io-uring");
    let mirrors = home.path().join("mirrors");
    let sync =
        |store: &mut Store, only: &[String]| sync(store, home.path(), only, &lore).expect("sync");
    let one = ["io-uring".to_owned()];
    let r1 = sync(&mut store, &one);
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
    let after1 = store.stats().expect("stats").messages;
    assert_eq!(after1, e1.imported as i64);
    // The list grows on the server: the second sync fetches and reads only the rest.
    corpus::git(&epoch, &["update-ref", "refs/heads/master", &tip]);
    let r2 = sync(&mut store, &one);
    let e2 = &r2[0].epochs[0];
    assert_eq!(e2.error, None, "{e2:?}");
    assert!(!e2.cloned);
    let rest = (commits.len() - half) as u64;
    assert_eq!(e2.fetched, rest);
    assert_eq!(e2.read, rest, "only the new commits are read");
    assert_eq!(e2.imported + e2.deduplicated + e2.skipped, rest);
    assert_eq!(
        store.stats().expect("stats").messages,
        after1 + e2.imported as i64
    );
    // Nothing new: nothing fetched, nothing read.
    let r3 = sync(&mut store, &one);
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
    fetch::sync_add(home.path(), None, &format!("{}/probe", srv.base), None).expect("add");
    let all = sync(&mut store, &[]);
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
    let mut store = Store::open(home.path()).expect("store");
    let lore = Lore::new(test_config(
        "https://lore.kernel.org/all",
        &home.path().join("cache"),
    ))
    .expect("client");
    fetch::sync_add(
        home.path(),
        Some("gone"),
        &format!("http://127.0.0.1:{port}/gone"),
        None,
    )
    .expect("add");
    let r = sync(&mut store, home.path(), &[], &lore).expect("sync runs");
    let err = r[0].error.as_deref().expect("reported");
    assert!(
        err.starts_with(&format!("could not reach 127.0.0.1:{port}")),
        "{err}"
    );
    let e = sync(&mut store, home.path(), &["nope".into()], &lore).expect_err("unknown list");
    assert!(matches!(e, FetchError::UnknownList { .. }));
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
    let mut store = Store::open(home.path()).expect("store");
    let lore = Lore::new(test_config(
        &format!("{}/all", srv.base),
        &home.path().join("cache"),
    ))
    .expect("client");
    fetch::sync_add(
        home.path(),
        None,
        &format!("{}/mm", srv.base),
        Some("2022-01-01"),
    )
    .expect("add");
    let r = sync(&mut store, home.path(), &[], &lore).expect("sync");
    assert_eq!(r[0].epochs_found, 2);
    let synced: Vec<u32> = r[0].epochs.iter().map(|e| e.epoch).collect();
    assert_eq!(synced, vec![1], "epoch 0 predates --since");
    assert_eq!(r[0].epochs[0].fetched, 10);
    assert!(!home.path().join("mirrors/mm/git/0.git").exists());
}
