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
    for r in 0..reps {
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
        best = best.min(s);
        eprintln!("run {r}: {s:.3} s");
    }
    println!(
        "index build: {} messages, best of {reps}: {best:.3} s ({:.0} msgs/s)",
        docs.len(),
        docs.len() as f64 / best
    );
}
