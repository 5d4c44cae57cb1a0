//! One writer, many readers, as separate processes: searches and shows run
//! in loops while an epoch is imported. The import ends with exactly the
//! counts of an import alone, and no reader fails (each sees the last
//! commit; none blocks or breaks the writer: issue 20's "database is
//! locked").

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::util::*;

#[test]
fn searches_and_shows_never_break_an_import() {
    let t = tempfile::tempdir().expect("tempdir");
    // The first 500 messages first: the archive and its index exist, and a
    // message known to be there can be shown throughout.
    let ep = epoch("cgroups", t.path(), Some(500));
    let p = ep.to_string_lossy().into_owned();
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &p]);
    let shown = json(&home, &["search", "--json", "-n", "1", "--date", "s:mm"]);
    let mid = shown["hits"][0]["message_id"]
        .as_str()
        .expect("a hit")
        .to_owned();
    let before = json(&home, &["sources", "--json"])["totals"]["messages"]
        .as_u64()
        .expect("n");

    // The alone run, for the counts.
    let alone = t.path().join("alone");
    let full = t.path().join("full");
    std::fs::create_dir_all(&full).expect("mkdir");
    let full_ep = epoch("cgroups", &full, Some(8000));
    let fp = full_ep.to_string_lossy().into_owned();
    let want = json(&alone, &["import", "--json", &fp]);

    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for k in 0..6 {
        let (home, done, mid) = (home.clone(), done.clone(), mid.clone());
        readers.push(std::thread::spawn(move || {
            let mut runs = 0u32;
            let mut failures = Vec::new();
            while !done.load(Ordering::Relaxed) || runs == 0 {
                let args: Vec<&str> = if k < 4 {
                    [
                        "search",
                        "--json",
                        "-n",
                        "5",
                        ["s:mm", "b:memcg", "dfn:mm/memcontrol.c", "f:hannes"][k],
                    ]
                    .to_vec()
                } else {
                    ["show", "--json", "--message", mid.as_str()].to_vec()
                };
                let out = lpl(&home, &args);
                runs += 1;
                if !out.status.success() {
                    failures.push(format!(
                        "lpl {args:?}: {:?}: {}",
                        out.status.code(),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
            (runs, failures)
        }));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(["import", "--json", &fp])
        .env("LPL_HOME", &home)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .output()
        .expect("import runs");
    done.store(true, Ordering::Relaxed);
    let mut total_runs = 0;
    for r in readers {
        let (runs, failures) = r.join().expect("reader thread");
        total_runs += runs;
        assert!(
            failures.is_empty(),
            "{} failures: {failures:#?}",
            failures.len()
        );
    }
    assert!(
        out.status.success(),
        "the import failed beside {total_runs} readers: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    println!("{total_runs} reader runs beside the import");
    assert!(total_runs >= 6, "the readers ran during the import");
    // Exactly the alone run's counts: what the prefix import stored is
    // found again as already stored, the rest is new.
    let after = json(&home, &["sources", "--json"])["totals"].clone();
    assert_eq!(
        after["messages"],
        json(&alone, &["sources", "--json"])["totals"]["messages"]
    );
    assert_eq!(
        got["totals"]["imported"].as_u64().expect("n") + before,
        want["totals"]["imported"].as_u64().expect("n")
    );
    assert_eq!(got["totals"]["skipped"], want["totals"]["skipped"]);
    let all = "d:1990-01-01..2040-01-01";
    assert_eq!(
        json(&home, &["search", "--json", "-n", "1", all])["total"],
        after["messages"],
        "every message indexed once"
    );
}
