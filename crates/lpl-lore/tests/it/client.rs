//! The HTTP client against the lore look-alike.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use lpl_lore::{Config, Lore, LoreError};

use lpl_testutil::lore::{Server, all_messages, cleanup_thread};

pub fn test_config(base: &str, cache: &std::path::Path) -> Config {
    let mut c = Config::new(base, cache);
    c.retries = 2;
    c.backoff = Duration::from_millis(10);
    c.pause = Duration::ZERO;
    c.cache_ttl = Duration::ZERO;
    c.read_timeout = Duration::from_secs(10);
    c.connect_timeout = Duration::from_secs(5);
    c
}

fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

#[test]
fn thread_is_downloaded_checked_and_cached() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let (cover, thread) = cleanup_thread();
    assert!(
        thread.len() >= 10,
        "the fixture thread has the cover, 3 patches and replies: {}",
        thread.len()
    );
    let mut cfg = test_config(&format!("{}/all", srv.base), dir.path());
    cfg.cache_ttl = Duration::from_secs(600);
    let lore = Lore::new(cfg).expect("client");
    let d = lore
        .thread(&cover.message_id, &no_cancel())
        .expect("thread");
    assert_eq!(d.messages, thread.len() as u64);
    assert!(!d.from_cache);
    let text = std::fs::read(&d.path).expect("mbox written");
    assert!(text.starts_with(b"From mboxrd@z "));
    let seen = srv.seen();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].path.ends_with("/t.mbox.gz"), "{}", seen[0].path);
    assert!(
        seen[0].user_agent.starts_with("lpl/"),
        "User-Agent {:?}",
        seen[0].user_agent
    );
    // Within the TTL the cache answers, the server is not asked again.
    let again = lore
        .thread(&cover.message_id, &no_cancel())
        .expect("cached");
    assert!(again.from_cache);
    assert_eq!(again.messages, d.messages);
    assert_eq!(srv.seen().len(), 1);
    println!(
        "thread: {} messages fetched, {} bytes; second call from cache",
        d.messages, d.bytes
    );
}

#[test]
fn slash_in_message_id_is_escaped_and_raw_works() {
    let mut m = all_messages()[20].clone();
    let old = format!("<{}>", m.message_id);
    let new_id = "odd/id+x@test.invalid";
    let text = String::from_utf8_lossy(&m.raw).replacen(&old, &format!("<{new_id}>"), 1);
    m.raw = text.into_bytes();
    m.message_id = new_id.to_owned();
    m.root = new_id.to_owned();
    let srv = Server::start(vec![m]);
    let dir = tempfile::tempdir().expect("tempdir");
    let lore = Lore::new(test_config(&format!("{}/all", srv.base), dir.path())).expect("client");
    let d = lore.thread(new_id, &no_cancel()).expect("thread");
    assert_eq!(d.messages, 1);
    assert!(
        srv.seen()[0]
            .path
            .contains("odd%2Fid+x@test.invalid/t.mbox.gz"),
        "{}",
        srv.seen()[0].path
    );
    let r = lore.raw(new_id, &no_cancel()).expect("raw");
    assert_eq!(r.messages, 1);
    assert!(
        std::fs::read(&r.path)
            .expect("raw file")
            .windows(new_id.len())
            .any(|w| w == new_id.as_bytes())
    );
}

#[test]
fn not_found_redirects_and_loops() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let (cover, thread) = cleanup_thread();
    let lore = Lore::new(test_config(&format!("{}/all", srv.base), dir.path())).expect("client");
    let e = lore
        .thread("no-such-message@example.invalid", &no_cancel())
        .expect_err("404");
    assert!(matches!(e, LoreError::NotFound { .. }), "{e}");
    assert!(e.to_string().starts_with("no such message on lore"), "{e}");
    // A redirect is followed.
    let moved = Lore::new(test_config(&format!("{}/moved", srv.base), dir.path())).expect("client");
    let d = moved
        .thread(&cover.message_id, &no_cancel())
        .expect("followed");
    assert_eq!(d.messages, thread.len() as u64);
    // A loop is reported, quickly.
    let looping =
        Lore::new(test_config(&format!("{}/loop", srv.base), dir.path())).expect("client");
    let t = Instant::now();
    let e = looping
        .thread(&cover.message_id, &no_cancel())
        .expect_err("loop");
    assert!(matches!(e, LoreError::RedirectLoop { .. }), "{e}");
    assert!(t.elapsed() < Duration::from_secs(10));
}

#[test]
fn bad_answers_are_reported_and_nothing_is_cached() {
    let srv = Server::start(all_messages().to_vec());
    let (cover, _) = cleanup_thread();
    for (inbox, want) in [
        ("trunc", "truncated"),
        ("html", "HTML"),
        ("html-gz", "HTML"),
        ("empty", "empty"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let lore =
            Lore::new(test_config(&format!("{}/{inbox}", srv.base), dir.path())).expect("client");
        let e = lore
            .thread(&cover.message_id, &no_cancel())
            .expect_err(inbox);
        let msg = e.to_string();
        assert!(msg.contains(want), "{inbox}: {msg}");
        match inbox {
            "trunc" => assert!(matches!(e, LoreError::BadGzip { .. })),
            "empty" => assert!(matches!(e, LoreError::EmptyThread { .. })),
            _ => {
                assert!(matches!(e, LoreError::Html { .. }));
                assert!(msg.contains("not a bot"), "the page title is quoted: {msg}");
            }
        }
        let left: Vec<_> = walk(dir.path());
        assert!(left.is_empty(), "{inbox}: files left behind: {left:?}");
        println!("{inbox}: {msg}");
    }
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let path = e.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let (cover, thread) = cleanup_thread();
    let lore = Lore::new(test_config(&format!("{}/flaky", srv.base), dir.path())).expect("client");
    let d = lore
        .thread(&cover.message_id, &no_cancel())
        .expect("third attempt succeeds");
    assert_eq!(d.messages, thread.len() as u64);
    assert_eq!(srv.seen().len(), 3, "two 503s, then 200");
    // With fewer retries than failures: a clear error.
    srv.flaky.store(0, std::sync::atomic::Ordering::SeqCst);
    let mut cfg = test_config(&format!("{}/flaky", srv.base), dir.path());
    cfg.retries = 1;
    let e = Lore::new(cfg)
        .expect("client")
        .thread(&cover.message_id, &no_cancel())
        .expect_err("503");
    assert!(
        matches!(
            e,
            LoreError::Server {
                status: 503,
                attempts: 2,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn offline_and_stalled_servers_fail_fast() {
    // Nothing listens on a port we just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let lore = Lore::new(test_config(
        &format!("http://127.0.0.1:{port}/all"),
        dir.path(),
    ))
    .expect("client");
    let t = Instant::now();
    let e = lore
        .thread("x@y", &AtomicBool::new(false))
        .expect_err("offline");
    assert!(
        e.to_string()
            .starts_with(&format!("could not reach 127.0.0.1:{port}: ")),
        "{e}"
    );
    assert!(e.is_network());
    assert!(t.elapsed() < Duration::from_secs(5));
    // A server that accepts and never answers: the read timeout ends it.
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut keep = Vec::new();
        for s in l.incoming() {
            keep.push(s);
        }
    });
    let mut cfg = test_config(&format!("http://{addr}/all"), dir.path());
    cfg.read_timeout = Duration::from_millis(500);
    cfg.retries = 1;
    let t = Instant::now();
    let e = Lore::new(cfg)
        .expect("client")
        .thread("x@y", &AtomicBool::new(false))
        .expect_err("stalled");
    assert!(matches!(e, LoreError::Timeout { attempts: 2, .. }), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn search_posts_expands_and_limits() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, thread) = cleanup_thread();
    let lore = Lore::new(test_config(&format!("{}/all", srv.base), dir.path())).expect("client");
    let q = "s:\"submission path cleanup\"";
    let hits = all_messages()
        .iter()
        .filter(|m| m.subject.contains("submission path cleanup"))
        .count() as u64;
    let d = lore
        .search(q, false, None, &AtomicBool::new(false))
        .expect("search")
        .expect("hits");
    assert_eq!(d.messages, hits);
    let seen = srv.seen();
    assert_eq!(seen[0].method, "POST");
    assert!(
        seen[0]
            .path
            .starts_with("/all/?x=m&q=s%3A%22submission+path+cleanup%22"),
        "{}",
        seen[0].path
    );
    let t = lore
        .search(q, true, None, &AtomicBool::new(false))
        .expect("search")
        .expect("hits");
    assert!(
        t.messages >= thread.len() as u64,
        "{} >= {}",
        t.messages,
        thread.len()
    );
    let l = lore
        .search(q, true, Some(3), &AtomicBool::new(false))
        .expect("search")
        .expect("hits");
    assert_eq!((l.messages, l.dropped), (3, t.messages - 3));
    assert!(
        lore.search(
            "s:no such subject anywhere",
            true,
            None,
            &AtomicBool::new(false)
        )
        .expect("search")
        .is_none()
    );
    println!(
        "search: {hits} hits, {} with threads, limit 3 keeps 3",
        t.messages
    );
}

#[test]
fn batch_requests_are_paced() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = test_config(&format!("{}/all", srv.base), dir.path());
    cfg.pause = Duration::from_millis(300);
    let lore = Lore::new(cfg).expect("client");
    for m in &all_messages()[..3] {
        lore.raw(&m.message_id, &AtomicBool::new(false))
            .expect("raw");
    }
    let seen = srv.seen();
    assert_eq!(seen.len(), 3);
    for w in seen.windows(2) {
        let gap = w[1].at.duration_since(w[0].at);
        assert!(gap >= Duration::from_millis(280), "gap {gap:?}");
    }
}

#[test]
fn cancel_stops_before_asking() {
    let srv = Server::start(all_messages().to_vec());
    let dir = tempfile::tempdir().expect("tempdir");
    let lore = Lore::new(test_config(&format!("{}/all", srv.base), dir.path())).expect("client");
    let e = lore
        .thread("x@y", &AtomicBool::new(true))
        .expect_err("cancelled");
    assert!(matches!(e, LoreError::Cancelled));
    assert!(srv.seen().is_empty());
}
