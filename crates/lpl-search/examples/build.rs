//! The index build alone: the messages of a Maildir are parsed into
//! `SearchDoc`s first, then indexed into a fresh index (segments written,
//! committed) `--reps` times; the fastest run is reported. Isolates the
//! index's share of an import from reading, parsing and SQLite.
//!
//! ```text
//! cargo run --release -p lpl-search --example build -- MAILDIR [--limit N] [--reps R] [--writer-mb MB]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use lpl_search::{DocKey, IndexOptions, SearchDoc, SearchIndex};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("MAILDIR"));
    let (mut limit, mut reps, mut mb) = (usize::MAX, 3usize, 48usize);
    while let Some(a) = args.next() {
        let v: usize = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--limit" => limit = v,
            "--reps" => reps = v,
            "--writer-mb" => mb = v,
            other => panic!("unknown option {other}"),
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("cur"))
        .expect("MAILDIR/cur")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files.truncate(limit);
    let t = Instant::now();
    let docs: Vec<SearchDoc> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let raw = std::fs::read(f).expect("read");
            let p = lpl_mail::parse(&raw);
            SearchDoc::from_message(DocKey::new(format!("m{i}")), &p.message)
        })
        .collect();
    eprintln!(
        "parsed {} messages in {:.2} s",
        docs.len(),
        t.elapsed().as_secs_f64()
    );
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for r in 0..reps {
        let cpu0 = cpu_seconds();
        let tmp = tempfile::tempdir().expect("tempdir");
        let opts = IndexOptions {
            writer_memory: mb << 20,
            ..IndexOptions::default()
        };
        let t = Instant::now();
        let mut idx = SearchIndex::open(tmp.path(), &opts).expect("open");
        for d in &docs {
            idx.add_new(d).expect("add");
        }
        idx.commit().expect("commit");
        let s = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        best = best.min(s);
        best_cpu = best_cpu.min(cpu);
        eprintln!("run {r}: {s:.3} s, {cpu:.2} CPU s");
    }
    println!(
        "index build: {} messages, best of {reps}: {best:.3} s ({:.0} msgs/s), {best_cpu:.2} CPU s \
         (all threads, the documents' copies included)",
        docs.len(),
        docs.len() as f64 / best
    );
}

/// User + system time of this process so far (Linux `/proc/self/stat`,
/// clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}
