//! Scores matching on liburing against the ground truth, with timings:
//! `cargo run --release --example eval_liburing -- LIBURING_GIT IO_URING_EPOCH_GIT TSV [threshold...]`
//! (the two repositories are `git clone --mirror` of the corpus bundles).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use lpl_upstream::{IndexOptions, MatchOptions, index, store};

#[path = "../tests/common/eval.rs"]
mod eval;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: eval_liburing LIBURING_GIT EPOCH_GIT TSV [threshold...]");
        std::process::exit(2);
    }
    let truth: Vec<(String, String, u64)> = std::fs::read_to_string(&args[2])?
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((
                f.first()?.to_string(),
                f.get(2)?.to_string(),
                f.get(3)?.parse().ok()?,
            ))
        })
        .collect();
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open_in_memory()?;
    let rep = index::index_repository(
        &mut conn,
        std::path::Path::new(&args[0]),
        &IndexOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )?;
    println!("indexed {} commits in {:.2?}", rep.new_commits, t.elapsed());
    let repo_id = store::repositories(&conn)?.first().map_or(0, |r| r.id);
    let ix = store::load_index(&conn, repo_id)?;
    let t = Instant::now();
    let patches = eval::epoch_patches(std::path::Path::new(&args[1]));
    println!(
        "{} patch messages parsed in {:.2?}",
        patches.len(),
        t.elapsed()
    );
    let mut thresholds: Vec<f64> = args[3..].iter().filter_map(|a| a.parse().ok()).collect();
    if thresholds.is_empty() {
        thresholds.push(MatchOptions::default().similarity_threshold);
    }
    let mut runs: Vec<(String, MatchOptions)> = Vec::new();
    for th in &thresholds {
        runs.push((
            format!("all methods, threshold {th:.2}"),
            MatchOptions {
                no_link_trailers: true,
                similarity_threshold: *th,
                ..Default::default()
            },
        ));
    }
    for m in lpl_upstream::MatchMethod::ALL {
        for th in if m == lpl_upstream::MatchMethod::DiffSimilarity {
            thresholds.clone()
        } else {
            vec![thresholds[0]]
        } {
            runs.push((
                format!("{m} alone, threshold {th:.2}"),
                MatchOptions {
                    no_link_trailers: m != lpl_upstream::MatchMethod::Link,
                    similarity_threshold: th,
                    methods: vec![m],
                    ..Default::default()
                },
            ));
        }
    }
    for (label, opts) in runs {
        let t = Instant::now();
        let out = ix.match_patches(&patches, &opts);
        let s = eval::score(&out.matches, &truth);
        println!(
            "{label}: precision {:.4} recall {:.4} (correct {}, wrong {}, missed {}; {} matches in all) in {:.2?}",
            s.precision(),
            s.recall(),
            s.correct,
            s.wrong.len(),
            s.missed.len(),
            out.matches.len(),
            t.elapsed()
        );
        let mut per: Vec<_> = s.per_method.iter().collect();
        per.sort();
        for (k, v) in per {
            println!("  {k}: correct {} wrong {}", v.0, v.1);
        }
        for (m, why) in &s.wrong {
            println!(
                "  false: <{}> -> {} ({}, {:.3}): {why}",
                m.message_id, m.commit, m.method, m.score
            );
        }
        for (m, c) in &s.missed {
            println!("  missed: <{m}> (truth {c})");
        }
    }
    Ok(())
}
