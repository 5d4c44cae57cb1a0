//! `lpl fetch` against a lore look-alike on 127.0.0.1: what it stores is
//! searchable at once.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

use crate::util::*;

/// Serves `body` (a gzipped mbox) for every `GET .../t.mbox.gz`, 404 for
/// anything else. Returns the base URL.
fn serve(body: Vec<u8>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/all", l.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            let mut first = String::new();
            if r.read_line(&mut first).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("");
            let reply = if path.ends_with("/t.mbox.gz") {
                let mut v = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                v.extend_from_slice(&body);
                v
            } else {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            };
            let _ = s.write_all(&reply);
        }
    });
    base
}

#[test]
fn fetched_threads_are_searchable_at_once() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let gz = Command::new("gzip")
        .arg("-c")
        .arg(sample())
        .output()
        .expect("gzip runs");
    assert!(gz.status.success());
    let base = serve(gz.stdout);
    let out = json(
        &home,
        &[
            "fetch",
            "--json",
            "--base-url",
            &base,
            "20240226205534.1603748-1-zi.yan@sent.com",
        ],
    );
    assert_eq!(out["totals"]["imported"], 340, "{out}");
    assert_eq!(out["indexed"], 340, "{out}");
    let all = json(
        &home,
        &["search", "--json", "-n", "1", "d:1990-01-01..2040-01-01"],
    );
    assert_eq!(all["total"], 340, "{all}");
    let hit = json(
        &home,
        &[
            "search",
            "--json",
            "-n",
            "5",
            "s:\"lower order folios\" f:zi.yan",
        ],
    );
    assert!(
        hit["total"].as_u64().is_some_and(|n| n >= 5),
        "the fetched series is found: {hit}"
    );
}
