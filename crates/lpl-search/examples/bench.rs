//! Indexing throughput and query latency, side by side with notmuch and mu.
//!
//! ```text
//! cargo run --release -p lpl-search --example bench -- MAILDIR INDEX_DIR \
//!     [--notmuch-config FILE] [--muhome DIR] [--lpl BIN --lpl-home DIR]
//!     [--skip-index] [--threads N] [--writer-mb MB]
//! ```
//! MAILDIR holds the messages (`cur/`), e.g. both corpus epochs exported;
//! INDEX_DIR is (re)created. The peers must already have indexed MAILDIR
//! (`notmuch new`, `mu init && mu index`). Queries: `benches/queries.tsv`.
//! With `--lpl`, the `lpl search` command itself is timed like the peers'
//! commands (a process per query, 3 runs each) over the archive in
//! `--lpl-home` (whose `search/` should be INDEX_DIR).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lpl_search::{DocKey, IndexOptions, Order, SearchDoc, SearchIndex, SearchOptions};

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn maildir_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    for sub in ["cur", "new"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .split('.')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u64::MAX);
            files.push((n, e.path()));
        }
    }
    files.sort();
    files.into_iter().map(|(_, p)| p).collect()
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

struct Peer {
    name: &'static str,
    column: usize,
    cmd: Box<dyn Fn(&str) -> Command>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let maildir = PathBuf::from(args.first().ok_or("usage: bench MAILDIR INDEX_DIR [...]")?);
    let index_dir = PathBuf::from(args.get(1).ok_or("usage: bench MAILDIR INDEX_DIR [...]")?);
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let skip_index = args.iter().any(|a| a == "--skip-index");

    if !skip_index {
        let _ = std::fs::remove_dir_all(&index_dir);
        let t = Instant::now();
        let files = maildir_files(&maildir);
        let raws: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
        let bytes: usize = raws.iter().map(Vec::len).sum();
        println!(
            "read {} files ({} MB) in {:.2?}",
            raws.len(),
            bytes >> 20,
            t.elapsed()
        );

        // Whole import step: parse + build SearchDoc (2 threads, as an import
        // pipeline would), then index + commit.
        let threads = opt("--threads")
            .and_then(|t| t.parse().ok())
            .unwrap_or(2usize);
        println!("threads: {threads}");
        let t = Instant::now();
        let chunk = raws.len().div_ceil(threads);
        let docs: Vec<SearchDoc> = std::thread::scope(|s| {
            let handles: Vec<_> = raws
                .chunks(chunk.max(1))
                .enumerate()
                .map(|(c, part)| {
                    s.spawn(move || {
                        part.iter()
                            .enumerate()
                            .map(|(i, raw)| {
                                let parsed = lpl_mail::parse(raw);
                                let key = parsed.message.message_id.as_ref().map_or_else(
                                    || format!("noid-{}", c * chunk + i),
                                    |m| m.as_str().to_owned(),
                                );
                                SearchDoc::from_message(DocKey::new(key), &parsed.message)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("parser thread"))
                .collect()
        });
        let parse_time = t.elapsed();
        println!("parse+SearchDoc: {parse_time:.2?}");
        let t = Instant::now();
        let writer_memory = opt("--writer-mb")
            .and_then(|t| t.parse().ok())
            .unwrap_or(256usize)
            << 20;
        let mut index = SearchIndex::open(
            &index_dir,
            &IndexOptions {
                threads,
                writer_memory,
                ..IndexOptions::default()
            },
        )?;
        let n = docs.len();
        for doc in &docs {
            index.add(doc)?;
        }
        let added = t.elapsed();
        index.commit()?;
        println!(
            "adds done after {added:.2?}, commit {:.2?}",
            t.elapsed() - added
        );
        let index_time = t.elapsed();
        let total = parse_time + index_time;
        println!(
            "parse+SearchDoc: {n} msgs in {parse_time:.2?} = {:.0} msgs/s",
            n as f64 / parse_time.as_secs_f64()
        );
        println!(
            "index+commit:    {n} msgs in {index_time:.2?} = {:.0} msgs/s",
            n as f64 / index_time.as_secs_f64()
        );
        println!(
            "import total:    {n} msgs in {total:.2?} = {:.0} msgs/s ({:.1} MB/s); index size {} MB",
            n as f64 / total.as_secs_f64(),
            bytes as f64 / 1e6 / total.as_secs_f64(),
            dir_size(&index_dir) >> 20
        );
        println!("docs in index: {}", index.num_docs());
    }

    let tsv =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/queries.tsv"))?;
    let rows: Vec<Vec<String>> = tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    println!("{} queries", rows.len());
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let search = SearchOptions {
        limit: 50,
        offset: 0,
        order: Order::DateDesc,
        now,
    };

    // Ours, cold-ish: open the index and run one query, like one `lpl search` process.
    let mut cold = Vec::new();
    for row in &rows {
        let t = Instant::now();
        let index = SearchIndex::open(
            &index_dir,
            &IndexOptions {
                writable: false,
                ..IndexOptions::default()
            },
        )?;
        index.search(&row[0], &search)?;
        cold.push(t.elapsed());
    }
    // Ours, warm: an open index (TUI, web, or a long-running CLI).
    let index = SearchIndex::open(
        &index_dir,
        &IndexOptions {
            writable: false,
            ..IndexOptions::default()
        },
    )?;
    let mut warm = Vec::new();
    let mut totals = Vec::new();
    for row in &rows {
        for _ in 0..10 {
            let t = Instant::now();
            let hits = index.search(&row[0], &search)?;
            warm.push(t.elapsed());
            if totals.len() < rows.len() && warm.len() % 10 == 1 {
                totals.push(hits.total);
            }
        }
    }
    if args.iter().any(|a| a == "--per-query") {
        let mut per: Vec<(std::time::Duration, &str)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut v: Vec<_> = warm[i * 10..i * 10 + 10].to_vec();
                v.sort();
                (v[5], r[0].as_str())
            })
            .collect();
        per.sort();
        for (d, q) in per.iter().rev().take(12) {
            println!("{:>8.2} ms  {q}", d.as_secs_f64() * 1e3);
        }
    }
    let mut ours_rel = Vec::new();
    for row in &rows {
        let t = Instant::now();
        index.search(
            &row[0],
            &SearchOptions {
                order: Order::Relevance,
                ..search.clone()
            },
        )?;
        ours_rel.push(t.elapsed());
    }

    let mut peers: Vec<Peer> = Vec::new();
    // The whole `lpl search` command, like the peers' commands: a process
    // that opens the archive and the index, runs the query and prints the
    // hits with their threads and series (from the saved links; one search
    // first so that they are saved, as after any first search).
    if let (Some(bin), Some(home)) = (opt("--lpl"), opt("--lpl-home")) {
        let warmup = Command::new(&bin)
            .env("LPL_HOME", &home)
            .args(["search", "--json", "-n", "1", "s:x"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if warmup.code().is_some_and(|c| c > 1) {
            return Err(format!("{bin} search failed in {home}").into());
        }
        peers.push(Peer {
            name: "lpl search (command)",
            column: 0,
            cmd: Box::new(move |q| {
                let mut c = Command::new(&bin);
                c.env("LPL_HOME", &home)
                    .args(["search", "--json", "--date", "-n", "50", q]);
                c
            }),
        });
    }
    if let Some(cfg) = opt("--notmuch-config") {
        peers.push(Peer {
            name: "notmuch search",
            column: 1,
            cmd: Box::new(move |q| {
                let mut c = Command::new("notmuch");
                c.env("NOTMUCH_CONFIG", &cfg).args([
                    "search",
                    "--output=messages",
                    "--limit=50",
                    "--sort=newest-first",
                    q,
                ]);
                c
            }),
        });
    }
    if let Some(home) = opt("--muhome") {
        peers.push(Peer {
            name: "mu find",
            column: 2,
            cmd: Box::new(move |q| {
                let mut c = Command::new("mu");
                c.arg("find").arg(format!("--muhome={home}")).args([
                    "--maxnum=50",
                    "--sortfield=date",
                    "--reverse",
                    "--fields=i",
                    q,
                ]);
                c
            }),
        });
    }
    println!(
        "{:<28} {:>8} {:>9} {:>9} {:>8}",
        "engine", "queries", "p50 ms", "p99 ms", "max ms"
    );
    let line = |name: &str, v: &mut Vec<Duration>| {
        let n = v.len();
        let (p50, p99) = (pct(v, 0.5), pct(v, 0.99));
        let max = *v.iter().max().unwrap_or(&Duration::ZERO);
        println!(
            "{name:<28} {n:>8} {:>9.2} {:>9.2} {:>8.2}",
            ms(p50),
            ms(p99),
            ms(max)
        );
    };
    line("lpl-search (open index)", &mut warm);
    line("lpl-search relevance", &mut ours_rel);
    line("lpl-search open+query", &mut cold);
    for p in &peers {
        let mut times = Vec::new();
        let mut ran = 0;
        for row in &rows {
            let Some(q) = row.get(p.column).filter(|q| q.as_str() != "-") else {
                continue;
            };
            ran += 1;
            for _ in 0..3 {
                let t = Instant::now();
                let _ = (p.cmd)(q)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()?;
                times.push(t.elapsed());
            }
        }
        line(&format!("{} ({ran} q)", p.name), &mut times);
    }
    // Our latency on exactly the peers' subset, for a like-for-like figure.
    let mut subset = Vec::new();
    for row in &rows {
        if row.get(1).is_some_and(|q| q != "-") {
            let t = Instant::now();
            index.search(&row[0], &search)?;
            subset.push(t.elapsed());
        }
    }
    line("lpl-search (peer subset)", &mut subset);
    println!(
        "hit totals (first 10): {:?}",
        &totals[..totals.len().min(10)]
    );
    Ok(())
}
