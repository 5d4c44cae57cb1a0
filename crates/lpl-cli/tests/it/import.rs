//! `lpl import`: idempotence, dedupe across sources, resume after kill -9.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

fn totals(home: &std::path::Path) -> serde_json::Value {
    json(home, &["sources", "--json"])["totals"].clone()
}

#[test]
fn sample_import_is_idempotent_and_dedupes_across_sources() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let sample = sample();
    let s = sample.to_string_lossy();
    let first = json(&home, &["import", "--json", &s]);
    let imported = first["totals"]["imported"].as_u64().expect("count");
    assert_eq!(imported, 340, "{first}");
    assert_eq!(first["totals"]["skipped"], 0);

    // Again: nothing new, nothing read (the cursor says the file is done).
    let again = json(&home, &["import", "--json", &s]);
    assert_eq!(again["totals"]["imported"], 0, "{again}");
    assert_eq!(totals(&home)["messages"], 340);

    // The same messages from another source: stored once, both remembered.
    let copy = t.path().join("other-list.mbox");
    std::fs::copy(&sample, &copy).expect("copy");
    let other = json(&home, &["import", "--json", &copy.to_string_lossy()]);
    assert_eq!(other["totals"]["imported"], 0, "{other}");
    assert_eq!(other["totals"]["duplicates"], 340, "{other}");
    assert_eq!(totals(&home)["messages"], 340);
    let shown = json(
        &home,
        &[
            "show",
            "--json",
            "--message",
            "20240226205534.1603748-1-zi.yan@sent.com",
        ],
    );
    assert_eq!(
        shown["locations"].as_array().map(|a| a.len()),
        Some(2),
        "{}",
        shown["locations"]
    );
}

/// `--no-index` leaves the index behind; the next import (even one with
/// nothing new) catches it up from the stored raw messages.
#[test]
fn unindexed_rows_are_caught_up_by_the_next_import() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let s = sample().to_string_lossy().into_owned();
    let all = "d:1990-01-01..2040-01-01";
    let first = json(&home, &["import", "--json", "--no-index", &s]);
    assert_eq!(first["indexed"], 0, "{first}");
    let again = json(&home, &["import", "--json", &s]);
    assert_eq!(again["totals"]["imported"], 0, "{again}");
    assert_eq!(again["indexed"], 340, "caught up: {again}");
    let n = json(&home, &["search", "--json", "-n", "1", all])["total"].clone();
    assert_eq!(n, 340, "the catch-up indexed every stored message once");
    // A third run adds nothing to the index either.
    lpl_ok(&home, &["import", &s]);
    let n = json(&home, &["search", "--json", "-n", "1", all])["total"].clone();
    assert_eq!(n, 340);
    // An index deleted by hand is rebuilt from the store by the next run.
    std::fs::remove_dir_all(home.join("search")).expect("rm search/");
    let rebuilt = json(&home, &["import", "--json", &s]);
    assert_eq!(rebuilt["indexed"], 340, "{rebuilt}");
    let n = json(&home, &["search", "--json", "-n", "1", all])["total"].clone();
    assert_eq!(n, 340);

    // An index written by an older lpl (here: its schema without the `rt`
    // field) is refused by a search with what to do, and rebuilt by
    // `--reindex`.
    let meta = home.join("search/meta.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta).expect("meta.json")).expect("json");
    let fields = v["fields"].as_array_mut().expect("schema fields");
    let before = fields.len();
    fields.retain(|f| f != "rt");
    assert_eq!(fields.len(), before - 1, "the schema has an rt field");
    std::fs::write(&meta, serde_json::to_vec(&v).expect("json")).expect("write meta.json");
    let out = lpl(&home, &["search", all]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("lpl search --reindex"), "{err}");
    let out = lpl_ok(&home, &["search", "--reindex"]);
    assert!(out.is_empty() || out.contains("indexed"), "{out}");
    let n = json(&home, &["search", "--json", "-n", "1", all])["total"].clone();
    assert_eq!(n, 340, "rebuilt from the archive");
    let n = json(&home, &["search", "--json", "-n", "1", "rt:600000000.."])["total"].clone();
    assert_eq!(n, 340, "with the received times");

    // A damaged segment file (here: truncated) is refused with the same
    // hint, and `--reindex` rebuilds the index from the archive.
    let seg = std::fs::read_dir(home.join("search"))
        .expect("search/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "lpl"))
        .expect("a segment file");
    std::fs::write(&seg, b"").expect("truncate the segment");
    let out = lpl(&home, &["search", all]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("damaged") && err.contains("lpl search --reindex"),
        "{err}"
    );
    lpl_ok(&home, &["search", "--reindex"]);
    let n = json(&home, &["search", "--json", "-n", "1", all])["total"].clone();
    assert_eq!(n, 340, "rebuilt after the damage");
}

#[test]
fn same_message_id_different_content_is_kept() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let a = t.path().join("a.eml");
    let b = t.path().join("b.eml");
    std::fs::write(&a, "Message-ID: <reused@example.org>\nFrom: A <a@example.org>\nSubject: first\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\none\n").expect("write");
    std::fs::write(&b, "Message-ID: <reused@example.org>\nFrom: B <b@example.org>\nSubject: second\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\ntwo\n").expect("write");
    lpl_ok(
        &home,
        &["import", &a.to_string_lossy(), &b.to_string_lossy()],
    );
    assert_eq!(totals(&home)["messages"], 2);
    let shown = json(&home, &["show", "--json", "reused@example.org"]);
    assert_eq!(
        shown.as_array().map(|a| a.len()),
        Some(2),
        "both copies are shown"
    );
}

#[test]
fn bad_input_is_counted_not_fatal_and_exit_codes_hold() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let dir = t.path().join("maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    std::fs::write(
        dir.join("new/1.eml"),
        "Message-ID: <ok@x>\nFrom: a@x\nSubject: fine\n\nbody\n",
    )
    .expect("w");
    std::fs::write(
        dir.join("new/2.eml"),
        b"\x00\x01\x02 not mail at all \xff\xfe",
    )
    .expect("w");
    std::fs::write(dir.join("cur/3:2,S"), "Message-ID: <ok2@x>\nFrom: b@x\nSubject: also fine\nDate: Tue, 4 Jun 2019 10:00:00 +1700\n\nbody\n").expect("w");
    let v = json(&home, &["import", "--json", &dir.to_string_lossy()]);
    assert_eq!(v["totals"]["imported"], 2, "{v}");
    assert_eq!(v["totals"]["skipped"], 1, "{v}");
    let skipped = &v["sources"][0]["skipped"][0];
    assert!(
        skipped["location"]
            .as_str()
            .is_some_and(|l| l.contains("2.eml")),
        "{skipped}"
    );

    // Exit codes: 1 not found, 2 bad input.
    assert_eq!(
        lpl(&home, &["show", "nothing-here@x"]).status.code(),
        Some(1)
    );
    assert_eq!(
        lpl(&home, &["import", "/definitely/not/here"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(lpl(&home, &["show", "not a msgid"]).status.code(), Some(2));
}

#[test]
fn epoch_import_is_incremental() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let ep = epoch("io-uring", t.path(), Some(1500));
    let p = ep.to_string_lossy();
    let first = json(&home, &["import", "--json", &p]);
    assert_eq!(first["totals"]["read"], 1500, "{first}");
    let n1 = totals(&home)["messages"].as_u64().expect("n");
    advance(&ep, "io-uring", 2000);
    let second = json(&home, &["import", "--json", &p]);
    assert_eq!(
        second["totals"]["read"], 500,
        "only the new commits are read: {second}"
    );
    let n2 = totals(&home)["messages"].as_u64().expect("n");
    assert_eq!(n2 - n1, second["totals"]["imported"].as_u64().expect("n"));
}

/// kill -9 at random points, then finish: same final counts as one clean run.
#[test]
fn killed_import_resumes_to_the_same_counts() {
    let t = tempfile::tempdir().expect("tempdir");
    let ep = epoch("cgroups", t.path(), Some(4000));
    let p = ep.to_string_lossy().into_owned();

    let clean = t.path().join("clean");
    lpl_ok(&clean, &["import", "--batch-size", "50", &p]);
    let want = totals(&clean);

    let killed = t.path().join("killed");
    let (seed, kills) = kill_at_random(&killed, &["import", "--batch-size", "50", &p], 5, |r| {
        Duration::from_millis(100 + r % 900)
    });
    let kills = kills.len();
    lpl_ok(&killed, &["import", "--batch-size", "50", &p]);
    let got = totals(&killed);
    eprintln!("seed {seed}: {kills} kills; clean {want}; resumed {got}");
    assert!(kills > 0, "no import was killed mid-way (seed {seed})");
    for k in ["messages", "patches", "skipped", "raw_bytes"] {
        assert_eq!(
            got[k], want[k],
            "{k} differs after {kills} kills (seed {seed})"
        );
    }
    // The search index (fed during the import, committed at its end, with
    // its watermark in the commit) holds each message exactly once: a
    // missed or doubly indexed row changes these totals.
    for q in [
        "d:1990-01-01..2040-01-01",
        "s:mm",
        "dfn:mm/memcontrol.c",
        "b:memcg",
    ] {
        let total = |home: &std::path::Path| {
            json(home, &["search", "--json", "-n", "1", q])["total"].clone()
        };
        assert_eq!(total(&killed), total(&clean), "search {q:?} (seed {seed})");
    }
    assert_eq!(
        json(
            &killed,
            &["search", "--json", "-n", "1", "d:1990-01-01..2040-01-01"]
        )["total"],
        want["messages"],
        "every message indexed once (seed {seed})"
    );
    // The understanding saved at the end of the import (threads, series,
    // chains, trailers, summaries) is the clean run's.
    let all = |home: &std::path::Path| json(home, &["series", "--json", "--all", "--singles"]);
    let (series_killed, series_clean) = (all(&killed), all(&clean));
    assert_eq!(series_killed, series_clean, "series (seed {seed})");
    let ids: Vec<String> = series_clean
        .as_array()
        .expect("a list")
        .iter()
        .step_by(17)
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!ids.is_empty());
    for id in &ids {
        for cmd in ["revisions", "show"] {
            assert_eq!(
                json(&killed, &[cmd, "--json", id]),
                json(&clean, &[cmd, "--json", id]),
                "{cmd} {id} (seed {seed})"
            );
        }
    }
    let store = lpl_store::Store::open(&killed).expect("open");
    assert_eq!(
        store.understanding_stamp().expect("stamp"),
        lpl_store::Store::open(&clean)
            .expect("open")
            .understanding_stamp()
            .expect("stamp"),
        "the understanding is saved, and current (seed {seed})"
    );
    let ok: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
}

/// kill -9 during the update of the understanding after new mail, at
/// random points, then finish: the units saved are a clean run's, the
/// understanding current, the answers the same (issue 14).
#[test]
fn killed_incremental_update_ends_as_a_clean_run() {
    let t = tempfile::tempdir().expect("tempdir");
    let ep = epoch("cgroups", t.path(), Some(2500));
    let p = ep.to_string_lossy().into_owned();
    let clean = t.path().join("clean");
    let base = t.path().join("base");
    let killed = t.path().join("killed");
    lpl_ok(&clean, &["import", "--no-index", &p]);
    lpl_ok(&base, &["import", "--no-index", &p]);
    advance(&ep, "cgroups", 4000);
    let started = Instant::now();
    lpl_ok(&clean, &["import", "--no-index", &p]);
    let took = started.elapsed();

    // Anywhere in an incremental import of the same size; the later
    // rounds find less to read, so more of them land in the update. A run
    // that ends before its wait leaves nothing to kill: then the rounds
    // start again from the home before the new mail, with waits halved
    // (the clean run's time is only an estimate on a loaded machine).
    let mut attempt = 0;
    let (seed, kills) = loop {
        let _ = std::fs::remove_dir_all(&killed);
        let cp = Command::new("cp")
            .arg("-a")
            .arg(&base)
            .arg(&killed)
            .status()
            .expect("cp");
        assert!(cp.success(), "cp -a base killed");
        let scale = 0.5f64.powi(attempt);
        let (seed, kills) = kill_at_random(&killed, &["import", "--no-index", &p], 6, |r| {
            took.mul_f64(scale * (r % 1000) as f64 / 1000.0)
        });
        if !kills.is_empty() || attempt == 4 {
            break (seed, kills);
        }
        attempt += 1;
    };
    lpl_ok(&killed, &["import", "--no-index", &p]);
    eprintln!(
        "seed {seed}: an incremental import takes {} ms; killed at {kills:?} ms",
        took.as_millis()
    );
    assert!(!kills.is_empty(), "no import was killed (seed {seed})");
    let hashes = |home: &std::path::Path| {
        let mut h = lpl_store::Store::open(home)
            .expect("open")
            .unit_hashes()
            .expect("hashes");
        h.sort_unstable();
        h
    };
    assert_eq!(hashes(&killed), hashes(&clean), "saved units (seed {seed})");
    let all = |home: &std::path::Path| json(home, &["series", "--json", "--all", "--singles"]);
    let (series_killed, series_clean) = (all(&killed), all(&clean));
    assert_eq!(series_killed, series_clean, "series (seed {seed})");
    for id in series_clean
        .as_array()
        .expect("a list")
        .iter()
        .step_by(23)
        .filter_map(|s| s["id"].as_str())
    {
        for cmd in ["revisions", "show"] {
            assert_eq!(
                json(&killed, &[cmd, "--json", id]),
                json(&clean, &[cmd, "--json", id]),
                "{cmd} {id} (seed {seed})"
            );
        }
    }
    let (sk, sc) = (
        lpl_store::Store::open(&killed).expect("open"),
        lpl_store::Store::open(&clean).expect("open"),
    );
    assert_eq!(
        sk.understanding_stamp().expect("stamp"),
        sc.understanding_stamp().expect("stamp"),
        "current (seed {seed})"
    );
}

/// Both whole epochs of ../shared/corpus/lists into one archive: every
/// commit accounted for (stored, duplicate or skipped with a location).
#[test]
fn both_full_epochs_import() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let mut read_total = 0;
    for list in ["cgroups", "io-uring"] {
        let ep = epoch(list, t.path(), None);
        let commits: u64 = String::from_utf8_lossy(
            &std::process::Command::new("git")
                .arg("-C")
                .arg(&ep)
                .args(["rev-list", "--count", "--all"])
                .output()
                .expect("git")
                .stdout,
        )
        .trim()
        .parse()
        .expect("count");
        let v = json(&home, &["import", "--json", &ep.to_string_lossy()]);
        let tot = &v["totals"];
        let read = tot["read"].as_u64().expect("read");
        assert_eq!(read, commits, "{list}: every commit read once");
        let accounted = tot["imported"].as_u64().expect("n")
            + tot["duplicates"].as_u64().expect("n")
            + tot["already"].as_u64().expect("n")
            + tot["skipped"].as_u64().expect("n")
            + v["sources"][0]["deleted"].as_u64().unwrap_or(0);
        assert_eq!(accounted, read, "{list}: {v}");
        for s in v["sources"][0]["skipped"].as_array().into_iter().flatten() {
            assert!(
                s["location"].as_str().is_some_and(|l| l.contains(".git@")),
                "skip without location: {s}"
            );
        }
        read_total += read;
    }
    assert!(read_total > 69_000);
    let t2 = totals(&home);
    assert!(t2["messages"].as_u64().expect("n") > 68_000, "{t2}");
    // A known seed-roadmap series from each epoch is understood.
    let v = json(
        &home,
        &[
            "show",
            "--json",
            "--series",
            "20250827220141.262669-1-david@redhat.com",
        ],
    );
    assert_eq!(v["summary"]["revision"], 1, "{}", v["summary"]);
    assert_eq!(v["summary"]["total"], 36);
    let v = json(
        &home,
        &["show", "--json", "20240226205534.1603748-1-zi.yan@sent.com"],
    );
    assert_eq!(
        v["summary"]["revisions"],
        serde_json::json!([1, 2, 3, 4, 5]),
        "{}",
        v["summary"]
    );
    understanding_on_both_epochs(&home, t.path());
}

/// Issue 15 on the real epochs: RFC labels, a version posted twice, stable
/// backports, and trailer counts that `series`, `show` and `am` agree on.
fn understanding_on_both_epochs(home: &std::path::Path, tmp: &std::path::Path) {
    // nth_page: RFC -> v1 -> v2, and syzbot ci's report is no Tested-by.
    let rows = json(home, &["series", "--all", "--json", "nth_page"]);
    let rows = rows.as_array().expect("rows");
    let labels: Vec<&str> = rows.iter().filter_map(|r| r["label"].as_str()).collect();
    assert_eq!(labels, vec!["v2", "v1", "RFC"], "{rows:?}");
    for r in rows {
        assert_eq!(r["trailers"]["tested"], 0, "{r}");
        let id = r["id"].as_str().expect("id");
        let shown = json(home, &["show", "--json", "--series", id]);
        assert_eq!(
            shown["summary"]["trailers"], r["trailers"],
            "show agrees with series"
        );
        let bots = shown["patches"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|p| p["trailers"].as_array().into_iter().flatten())
            .filter(|t| t["by_bot"] == true)
            .count();
        if r["label"] == "RFC" {
            assert!(bots > 0, "the syzbot ci report is shown as a bot's");
            let mbox = tmp.join("rfc.mbx");
            let m = mbox.to_string_lossy();
            let out = lpl(home, &["am", id, "-o", &m]);
            assert!(out.status.success());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("patches of RFC"), "{err}");
            let text = std::fs::read_to_string(&mbox).expect("mbox");
            assert!(!text.contains("Tested-by: syzbot"), "am leaves bots out");
        }
    }
    let revs = lpl_ok(home, &["revisions", "761b98c3"]);
    assert!(revs.contains("RFC"), "{revs}");
    assert!(revs.contains("what changed from RFC to v1"), "{revs}");

    // getsockname: the kernel series' v2 was sent twice; one chain.
    let rows = json(home, &["series", "--json", "getsockname io_uring_cmd"]);
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(
        rows[0]["versions"],
        serde_json::json!(["v1", "v2", "v3", "v4"])
    );

    // Stable backports: three branches, three rows, no chain.
    let rows = json(home, &["series", "--json", "pressure_write"]);
    let mut branches: Vec<&str> = rows
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["backport"].as_str())
        .collect();
    branches.sort();
    assert_eq!(branches, vec!["6.1.y", "6.12.y", "6.6.y"], "{rows}");
}

/// A Maildir's cursor (every file done) is not stored with each batch; the
/// last one must still land, so that a rerun reads nothing, and it must
/// name every file, also when the last batch was full.
#[test]
fn a_large_maildir_is_read_once_with_spaced_out_cursors() {
    let t = tempfile::tempdir().expect("tempdir");
    let md = t.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).expect("mkdir");
    }
    // 3,000 files, batches of 100: cursors at 100 ... 1000, 2000 and the
    // end (a multiple of the batch size: the last batch is a full one).
    let n = 3000;
    for i in 0..n {
        let mail = format!(
            "From: Dev <dev{i}@example.org>\nTo: list@example.org\nSubject: note {i}\n\
             Message-ID: <maildir-{i}@example.org>\nDate: Mon, 3 Feb 2025 14:50:18 +0100\n\n\
             body {i}\n"
        );
        std::fs::write(md.join("cur").join(format!("{i:05}.host:2,S")), mail).expect("write");
    }
    let home = t.path().join("home");
    let p = md.to_string_lossy();
    let first = json(&home, &["import", "--json", "--batch-size", "100", &p]);
    assert_eq!(first["totals"]["imported"], n, "{first}");
    let again = json(&home, &["import", "--json", "--batch-size", "100", &p]);
    assert_eq!(again["totals"]["read"], 0, "nothing read twice: {again}");
    // A file added later is the only one read.
    std::fs::write(
        md.join("new").join("99999.host"),
        "From: a@b.c\nSubject: late\nMessage-ID: <late@example.org>\n\nlate\n",
    )
    .expect("write");
    let third = json(&home, &["import", "--json", "--batch-size", "100", &p]);
    assert_eq!(third["totals"]["read"], 1, "{third}");
    assert_eq!(third["totals"]["imported"], 1, "{third}");
}

/// Runs `lpl ARGS` on `home` `rounds` times, each killed (SIGKILL) after
/// `wait(random)` unless it ended first; the seed (from the clock) and
/// the waits of the runs killed, in ms.
fn kill_at_random(
    home: &std::path::Path,
    args: &[&str],
    rounds: usize,
    wait: impl Fn(u64) -> Duration,
) -> (u64, Vec<u128>) {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    let mut rng = seed | 1;
    let mut kills = Vec::new();
    for _ in 0..rounds {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let wait = wait(rng);
        let mut child = Command::new(env!("CARGO_BIN_EXE_lpl"))
            .args(args)
            .env("LPL_HOME", home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        while started.elapsed() < wait {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            kills.push(wait.as_millis());
        }
        let _ = child.wait();
    }
    (seed, kills)
}
