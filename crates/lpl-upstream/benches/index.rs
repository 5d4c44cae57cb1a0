//! Indexing throughput (non-merge commits per second), lpl-upstream vs the
//! git pipeline `git log -p --no-merges | git patch-id --stable`, over the
//! same commits, side by side.
//!
//! ```text
//! cargo bench -p lpl-upstream --bench index                 # liburing (restored from the corpus bundle)
//! LPL_BENCH_REPOS=/work/scratch/upstream/big.git cargo bench -p lpl-upstream --bench index
//! ```
//! `LPL_BENCH_REPOS` is a colon-separated list of repositories (build a large
//! one with `benches/make_big_repo.sh`). For each, lpl indexes `HEAD` into a
//! fresh SQLite file (walk, gix diff, patch-id, fingerprint, trailers,
//! first tags, writes), then the git pipeline runs; peak memory is the
//! process's VmHWM for lpl (measured before git runs) and `/usr/bin/time`'s
//! maximum RSS for each git process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn count(repo: &Path) -> usize {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-list", "--no-merges", "--count", "HEAD"])
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("count")
}

fn bench(repo: &Path) {
    let n = count(repo);
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("up.sqlite");
    let mut conn = rusqlite::Connection::open(&db).expect("sqlite");
    let t = Instant::now();
    let rep = lpl_upstream::index::index_repository(
        &mut conn,
        repo,
        &lpl_upstream::IndexOptions {
            revs: vec!["HEAD".into()],
            ..Default::default()
        },
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("index");
    let lpl = t.elapsed().as_secs_f64();
    let lpl_mem = vm_hwm_kib().unwrap_or(0);

    let t = Instant::now();
    let again = lpl_upstream::index::index_repository(
        &mut conn,
        repo,
        &lpl_upstream::IndexOptions {
            revs: vec!["HEAD".into()],
            ..Default::default()
        },
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("index again");
    let incr = t.elapsed().as_secs_f64();

    let m1 = dir.path().join("log.rss");
    let m2 = dir.path().join("pid.rss");
    let script = format!(
        "/usr/bin/time -f %M -o {} git -C {} log -p --no-merges HEAD | /usr/bin/time -f %M -o {} git patch-id --stable | wc -l",
        m1.display(),
        repo.display(),
        m2.display()
    );
    let t = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("sh");
    let git = t.elapsed().as_secs_f64();
    let git_ids: usize = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    let rss = |p: &PathBuf| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse::<u64>().ok()))
            .unwrap_or(0)
    };
    println!(
        "repository: {} ({} non-merge commits on HEAD)",
        repo.display(),
        n
    );
    println!(
        "  lpl-upstream index: {:>8} commits in {:>7.2}s = {:>8.0} commits/s, peak RSS {} MiB (tags {}, total indexed {})",
        rep.new_commits,
        lpl,
        rep.new_commits as f64 / lpl,
        lpl_mem / 1024,
        rep.release_tags,
        rep.total_commits
    );
    println!(
        "  lpl-upstream second (incremental) run: {} new commits in {:.3}s",
        again.new_commits, incr
    );
    println!(
        "  git log -p | git patch-id --stable: {:>8} ids in {:>7.2}s = {:>8.0} commits/s, peak RSS log {} MiB, patch-id {} MiB",
        git_ids,
        git,
        n as f64 / git,
        rss(&m1) / 1024,
        rss(&m2) / 1024
    );
    println!(
        "  ratio (lpl commits/s / git commits/s): {:.2}",
        (rep.new_commits as f64 / lpl) / (n as f64 / git)
    );
}

fn main() {
    let repos: Vec<PathBuf> = match std::env::var_os("LPL_BENCH_REPOS") {
        Some(v) => std::env::split_paths(&v).collect(),
        None => Vec::new(),
    };
    let _keep;
    let repos = if repos.is_empty() {
        let dir = tempfile::tempdir().expect("tmp");
        let dest = dir.path().join("liburing.git");
        let bundle = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/git/liburing.bundle");
        let bundle = if bundle.exists() {
            bundle
        } else {
            PathBuf::from("/work/shared/corpus/git/liburing.bundle")
        };
        let st = Command::new("git")
            .args(["clone", "-q", "--mirror"])
            .arg(&bundle)
            .arg(&dest)
            .status()
            .expect("git clone");
        assert!(st.success());
        _keep = dir;
        vec![dest]
    } else {
        repos
    };
    for r in &repos {
        bench(r);
    }
}
