//! Hostile servers on 127.0.0.1 (issue 20): an endless chunked body, a
//! gzip bomb, a server trickling one byte at a time, redirects to another
//! host and to `file://`. Each server here answers a bounded number of
//! connections and stops with the test.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use lpl_lore::{Lore, LoreError};

use crate::client::test_config;

/// Starts a server whose every connection is answered by `answer`
/// (after the request head is read); at most `n` connections.
fn serve(n: usize, answer: fn(&mut TcpStream, &str)) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for s in l.incoming().take(n) {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().expect("clone"));
                let mut first = String::new();
                let _ = r.read_line(&mut first);
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                answer(&mut s, &first);
            });
        }
    });
    format!("http://{addr}")
}

fn cache_files(dir: &std::path::Path) -> u64 {
    fn walk(p: &std::path::Path, total: &mut u64) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let m = e.metadata().expect("meta");
                if m.is_dir() {
                    walk(&e.path(), total);
                } else {
                    *total += m.len();
                }
            }
        }
    }
    let mut t = 0;
    walk(dir, &mut t);
    t
}

#[test]
fn an_endless_body_stops_at_the_limit_and_nothing_is_cached() {
    let base = serve(4, |s, _| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/mbox\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = format!(
            "{:x}\r\n{}\r\n",
            64 << 10,
            "From x\n".repeat((64 << 10) / 7 + 1)[..64 << 10].to_owned()
        );
        // Endless, but each test run ends it: the client stops reading.
        for _ in 0..100_000 {
            if s.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = test_config(&format!("{base}/all"), dir.path());
    cfg.max_body_bytes = 4 << 20;
    cfg.retries = 0;
    let e = Lore::new(cfg)
        .expect("client")
        .thread("x@y", &AtomicBool::new(false))
        .expect_err("too large");
    assert!(
        matches!(e, LoreError::TooLarge { limit, .. } if limit == 4 << 20),
        "{e}"
    );
    assert!(e.to_string().contains("nothing kept"), "{e}");
    assert_eq!(cache_files(dir.path()), 0, "nothing left in the cache");
}

#[test]
fn a_gzip_bomb_is_refused_not_inflated() {
    let base = serve(2, |s, _| {
        use flate2::write::GzEncoder;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: bomb\n\n")
            .expect("gz");
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).expect("gz");
        }
        let gz = enc.finish().expect("gz");
        let _ = s.write_all(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\n\r\n",
                gz.len()
            )
            .as_bytes(),
        );
        let _ = s.write_all(&gz);
    });
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = test_config(&format!("{base}/all"), dir.path());
    cfg.max_body_bytes = 8 << 20;
    cfg.retries = 0;
    let e = Lore::new(cfg)
        .expect("client")
        .thread("x@y", &AtomicBool::new(false))
        .expect_err("bomb");
    assert!(matches!(e, LoreError::TooLarge { .. }), "{e}");
    assert_eq!(cache_files(dir.path()), 0);
}

#[test]
fn a_trickling_server_is_stopped_by_the_deadline() {
    let base = serve(2, |s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/mbox\r\nContent-Length: 100000\r\n\r\nFrom x");
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(100));
            if s.write_all(b"x").is_err() {
                return;
            }
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = test_config(&format!("{base}/all"), dir.path());
    cfg.deadline = Duration::from_secs(1);
    cfg.read_timeout = Duration::from_secs(5);
    cfg.retries = 0;
    let t = Instant::now();
    let e = Lore::new(cfg)
        .expect("client")
        .thread("x@y", &AtomicBool::new(false))
        .expect_err("slow");
    assert!(matches!(e, LoreError::Deadline { secs: 1, .. }), "{e}");
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
}

#[test]
fn redirects_leave_neither_the_host_nor_http() {
    let base = serve(4, |s, first| {
        let to = if first.contains("/file/") {
            "file:///etc/passwd"
        } else {
            "http://127.0.0.2:9/all/x@y/t.mbox.gz"
        };
        let _ = s.write_all(
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
        );
    });
    let dir = tempfile::tempdir().expect("tmp");
    for (path, want) in [("other", "another host"), ("file", "a file: address")] {
        let mut cfg = test_config(&format!("{base}/{path}"), dir.path());
        cfg.retries = 0;
        let e = Lore::new(cfg)
            .expect("client")
            .thread("x@y", &AtomicBool::new(false))
            .expect_err("refused");
        assert!(matches!(e, LoreError::RedirectRefused { .. }), "{e}");
        assert!(e.to_string().contains(want), "{e}");
    }
}
