//! `lpl notebook fetch` against the lore look-alike the lpl-lore tests use
//! (its server module, on 127.0.0.1), serving the sample's real threads:
//! a roadmap of 10 entries is filled, a second run fetches nothing, a
//! killed run resumes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::*;
use lpl_testutil::lore::{Msg, Server};

fn header(raw: &str, name: &str) -> Option<String> {
    let head = raw.split("\n\n").next().unwrap_or("");
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            return value;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value
}

fn first_id(v: &str) -> Option<String> {
    v.split('<')
        .nth(1)
        .and_then(|p| p.split_once('>'))
        .map(|(id, _)| id.trim().to_owned())
}

/// The sample's messages, with each one's thread root.
fn sample_messages() -> Vec<Msg> {
    let text = String::from_utf8_lossy(&std::fs::read(sample()).expect("sample")).into_owned();
    let mut out = Vec::new();
    for chunk in text.split("\nFrom ").map(|c| c.trim_start_matches("From ")) {
        let raw = chunk.split_once('\n').map_or("", |(_, r)| r).to_owned();
        let Some(mid) = header(&raw, "Message-ID").and_then(|v| first_id(&v)) else {
            continue;
        };
        let root = header(&raw, "References")
            .and_then(|v| first_id(&v))
            .or_else(|| header(&raw, "In-Reply-To").and_then(|v| first_id(&v)))
            .unwrap_or_else(|| mid.clone());
        out.push(Msg {
            subject: header(&raw, "Subject").unwrap_or_default(),
            message_id: mid,
            root,
            raw: raw.into_bytes(),
        });
    }
    out
}

/// A roadmap linking the first 10 cover letters of the sample.
fn roadmap(msgs: &[Msg], path: &Path) -> Vec<String> {
    let covers: Vec<&Msg> = msgs
        .iter()
        .filter(|m| m.root == m.message_id && m.subject.contains("0/"))
        .take(10)
        .collect();
    assert_eq!(covers.len(), 10);
    let mut s = String::from("# roadmap\n\n## folios\n\n");
    for m in &covers {
        let title = m.subject.replace('[', "\\[").replace(']', "\\]");
        s.push_str(&format!(
            "- [{title}](https://lore.kernel.org/linux-mm/{}/)\n",
            m.message_id
        ));
    }
    std::fs::write(path, s).expect("write roadmap");
    covers.iter().map(|m| m.message_id.clone()).collect()
}

fn threads_asked(s: &Server) -> usize {
    s.seen()
        .iter()
        .filter(|r| r.path.ends_with("/t.mbox.gz"))
        .count()
}

#[test]
fn a_roadmap_of_ten_entries_is_filled_and_resumes() {
    let msgs = sample_messages();
    let t = tempfile::tempdir().expect("tempdir");
    let nbp = t.path().join("roadmap.md");
    let ids = roadmap(&msgs, &nbp);
    let server = Server::start(msgs);
    let base = format!("{}/all", server.base);
    let file = nbp.to_string_lossy().into_owned();
    let home = t.path().join("home");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v = vec![
            "notebook".to_owned(),
            "--file".to_owned(),
            file.clone(),
            "fetch".to_owned(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend(["--base-url".to_owned(), base.clone()]);
        v
    };
    let run = |home: &Path, extra: &[&str]| {
        let a = args(extra);
        lpl_ok(home, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // --dry-run lists the URLs and fetches nothing.
    let dry = run(&home, &["--dry-run"]);
    for id in &ids {
        assert!(
            dry.contains(&format!("https://lore.kernel.org/linux-mm/{id}/ (entry)")),
            "{dry}"
        );
    }
    assert!(dry.contains("10 entries, 10 threads to fetch"), "{dry}");
    assert_eq!(threads_asked(&server), 0);

    let out = run(&home, &[]);
    assert!(out.contains("10 entries fetched"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with('L')).count(),
        10,
        "a summary per entry:\n{out}"
    );
    let asked = threads_asked(&server);
    assert!(asked >= 10, "{asked}");
    let check = json(&home, &["notebook", "--file", &file, "check", "--json"]);
    let found = check
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["found"] == "ByMessageId")
        .count();
    assert_eq!(found, 10, "{check}");

    // A second run fetches nothing.
    let again = run(&home, &[]);
    assert!(again.contains("nothing to fetch"), "{again}");
    assert_eq!(threads_asked(&server), asked);

    // Killed after its first threads, a run resumes with what is left.
    let home2 = t.path().join("home2");
    let before = threads_asked(&server);
    let mut child = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(args(&[]))
        .env("LPL_HOME", &home2)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lpl runs");
    let start = Instant::now();
    while threads_asked(&server) < before + 3 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let left = run(&home2, &["--dry-run"]);
    let n: usize = left
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert!((1..10).contains(&n), "{n} entries left:\n{left}");
    let out = run(&home2, &[]);
    assert!(out.contains(&format!("{n} entries fetched")), "{out}");
    assert!(run(&home2, &[]).contains("nothing to fetch"));
}

fn searches(s: &Server) -> Vec<String> {
    s.seen()
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("?x=m"))
        .map(|r| lpl_testutil::lore::pct_decode(&r.path.replace('+', " ")))
        .collect()
}

/// `--newer`: an entry linking v2 of Zi Yan's "Split a folio to any lower
/// order folios" (the sample has v1 to v5) learns of v3, v4 and v5 from
/// lore's search and fetches their threads; v1 is older and is not asked
/// for as a newer revision.
#[test]
fn newer_revisions_are_found_by_lore_search_and_fetched() {
    const TITLE: &str = "Split a folio to any lower order folios";
    const V2: &str = "20230329011712.3242298-1-zi.yan@sent.com";
    let msgs = sample_messages();
    // The expectation, from the sample itself: Zi Yan's cover letters of
    // this title, by version.
    let covers: Vec<(u32, String)> = msgs
        .iter()
        .filter(|m| m.subject.ends_with(TITLE) && m.subject.starts_with("[PATCH"))
        .filter(|m| m.subject.contains(" 0/"))
        .map(|m| {
            let v = m
                .subject
                .split_whitespace()
                .nth(1)
                .and_then(|w| w.strip_prefix('v'))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            (v, m.message_id.clone())
        })
        .collect();
    let versions: Vec<u32> = covers.iter().map(|c| c.0).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5]);
    let newer: Vec<&(u32, String)> = covers.iter().filter(|c| c.0 > 2).collect();

    let t = tempfile::tempdir().expect("tempdir");
    let nbp = t.path().join("roadmap.md");
    std::fs::write(
        &nbp,
        format!(
            "## folios\n\n- 2023-03-29 [\\[PATCH v2 0/7\\] {TITLE} - Zi Yan](https://lore.kernel.org/linux-mm/{V2}/)\n"
        ),
    )
    .expect("write");
    let server = Server::start(msgs.clone());
    let base = format!("{}/all", server.base);
    let file = nbp.to_string_lossy().into_owned();
    let home = t.path().join("home");
    let run = |extra: &[&str]| {
        let mut a = vec!["notebook", "--file", &file, "fetch", "--base-url", &base];
        a.extend_from_slice(extra);
        lpl_ok(&home, &a)
    };

    // Without --newer, lore's search is not asked.
    let dry = run(&["--dry-run"]);
    assert!(dry.contains("1 entries, 1 threads to fetch"), "{dry}");
    assert!(searches(&server).is_empty());

    // With it: one search (title and the sender's name, the store being
    // empty), the newer revisions listed, nothing fetched.
    let dry = run(&["--dry-run", "--newer"]);
    let asked = searches(&server);
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].ends_with(&format!("q=s:\"{TITLE}\" f:\"Zi Yan\"")),
        "{asked:?}"
    );
    for (v, id) in &newer {
        assert!(
            dry.contains(&format!(
                "https://lore.kernel.org/all/{id}/ (newer revision v{v})"
            )),
            "{dry}"
        );
    }
    assert!(!dry.contains("newer revision v1"), "{dry}");
    assert!(!dry.contains("newer revision v2"), "{dry}");
    assert!(dry.contains("1 entries, 4 threads to fetch"), "{dry}");
    assert_eq!(threads_asked(&server), 0);

    // Fetched: the archive now holds v2 to v5 and check says v5 is the
    // latest.
    let out = run(&["--newer"]);
    assert!(out.contains("1 entries fetched"), "{out}");
    let check = json(&home, &["notebook", "--file", &file, "check", "--json"]);
    let e = &check[0];
    assert_eq!(e["found"], "ByMessageId", "{e}");
    assert_eq!(e["linked_revision"], 2, "{e}");
    assert_eq!(e["latest"], 5, "{e}");
    let stale = e["stale"].to_string();
    assert!(stale.contains("NewerRevision"), "{stale}");

    // Again: the search is made with the sender's address now that the
    // series is stored, finds nothing new, and no thread is asked for.
    let threads = threads_asked(&server);
    let again = run(&["--newer"]);
    assert!(again.contains("nothing to fetch"), "{again}");
    assert!(again.contains("lore has no newer revision"), "{again}");
    assert_eq!(threads_asked(&server), threads);
    let asked = searches(&server);
    assert!(
        asked
            .last()
            .is_some_and(|q| q.ends_with(&format!("q=s:\"{TITLE}\" f:zi.yan@sent.com"))),
        "{asked:?}"
    );
}

/// Ctrl-C (SIGINT) during `notebook fetch`: it stops after the thread in
/// hand, names what it kept (exactly what the archive then holds), exits
/// 2, and the same command fetches only what is left (issue 20).
#[test]
fn sigint_stops_a_notebook_fetch_and_names_what_it_kept() {
    let msgs = sample_messages();
    let t = tempfile::tempdir().expect("tempdir");
    let nbp = t.path().join("roadmap.md");
    roadmap(&msgs, &nbp);
    let server = Server::start(msgs);
    let base = format!("{}/all", server.base);
    let file = nbp.to_string_lossy().into_owned();
    let home = t.path().join("home");
    let args = ["notebook", "--file", &file, "fetch", "--base-url", &base];
    let child = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(args)
        .env("LPL_HOME", &home)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lpl runs");
    let start = Instant::now();
    while threads_asked(&server) < 3 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "finished first? {err}");
    assert!(err.contains("error: interrupted: kept "), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    let kept: u64 = err
        .split("interrupted: kept ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|k| k.parse().ok())
        .unwrap_or_else(|| panic!("no count: {err}"));
    let v = json(&home, &["sources", "--json"]);
    assert_eq!(v["totals"]["messages"].as_u64(), Some(kept), "{err}\n{v}");
    let left = lpl_ok(
        &home,
        &[
            "notebook",
            "--file",
            &file,
            "fetch",
            "--dry-run",
            "--base-url",
            &base,
        ],
    );
    let n: usize = left
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert!((1..10).contains(&n), "{n} entries left:\n{left}");
    let again = lpl_ok(&home, &args);
    assert!(again.contains(&format!("{n} entries fetched")), "{again}");
}
