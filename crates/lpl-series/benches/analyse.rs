//! Threading + series assembly + revision chains (+ trailers) over both
//! corpus epochs together (~70k messages). Parsing is done first and not
//! timed; the figure to watch is `analyse`.
//!
//! Run: `cargo bench -p lpl-series --bench analyse`
//! (clones the bundles into `$TMPDIR/lpl-series-bench` on first run).

#[path = "epoch_loader.rs"]
mod epoch_loader;

use std::time::Instant;

fn main() {
    let scratch = std::env::temp_dir().join("lpl-series-bench");
    let mut metas = Vec::new();
    let t = Instant::now();
    for name in ["cgroups.vger.kernel.org.0", "io-uring.vger.kernel.org.0"] {
        let Some(repo) = epoch_loader::epoch_repo(name, &scratch) else {
            eprintln!("corpus epoch {name} not available");
            return;
        };
        metas.extend(epoch_loader::load_epoch(&repo));
    }
    println!(
        "loaded+parsed {} messages in {:.2?}",
        metas.len(),
        t.elapsed()
    );
    let mut best = f64::MAX;
    for run in 0..5 {
        let t = Instant::now();
        let threads = lpl_series::Threads::build(&metas);
        let t_thread = t.elapsed();
        let assembly = lpl_series::assemble(&metas, &threads);
        let t_series = t.elapsed();
        let chains = lpl_series::link_revisions(&metas, &threads, &assembly, &[]);
        let t_chain = t.elapsed();
        let trailers = lpl_series::collect(&metas, &threads, &assembly, &chains);
        let t_all = t.elapsed();
        best = best.min(t_chain.as_secs_f64());
        println!(
            "run {run}: threads {:.3?}, +series {:.3?}, +chains {:.3?}, +trailers {:.3?} | {} nodes, {} revisions, {} links, {} chains, {} trailer sets",
            t_thread,
            t_series,
            t_chain,
            t_all,
            threads.len(),
            assembly.revisions.len(),
            chains.links.len(),
            chains.chains.len(),
            trailers.len()
        );
    }
    println!("best threads+series+chains: {best:.3}s (target <= 5 s)");
    if let Some(rss) = max_rss_kib() {
        println!("max RSS: {} MiB", rss / 1024);
    }
}

fn max_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
