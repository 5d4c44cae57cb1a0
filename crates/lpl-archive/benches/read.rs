//! Reading speed of the cgroups epoch and of an mboxrd export of it.
//!
//! Run with `cargo bench -p lpl-archive --bench read`. Needs the corpus
//! (`../shared/corpus/lists/cgroups.vger.kernel.org.0.bundle`) and the
//! `git` CLI (to unpack the bundle). Set `LPL_BENCH_EPOCH=/path/N.git` to
//! use an already unpacked epoch instead (and `LPL_BENCH_RUNS` for the
//! number of timed runs, default 3; `LPL_BENCH_EPOCH_ONLY=1` to skip the
//! mbox part). Prints messages/s and MB/s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lpl_archive::{Event, Options, open};

fn corpus_bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/lists/cgroups.vger.kernel.org.0.bundle")
}

struct Run {
    cpu: Duration,
    opened: Duration,
    items: u64,
    messages: u64,
    bytes: u64,
    errors: u64,
    time: Duration,
}

/// CPU time (user + system, all threads) of this process so far, from
/// `/proc/self/stat` (Linux; 0 elsewhere). On a shared machine wall time
/// depends on the load; CPU time tells what the work costs.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in clock ticks (100 per second).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn read_all(path: &Path, opts: &Options) -> Run {
    let cpu = cpu_time();
    let start = Instant::now();
    let reader = open(path, None, opts).expect("open source");
    let opened = start.elapsed();
    let (mut items, mut messages, mut bytes, mut errors) = (0, 0, 0, 0);
    for item in reader {
        items += 1;
        match item {
            Ok(Event::Message(m)) => {
                messages += 1;
                bytes += m.bytes.len() as u64;
            }
            Ok(_) => {}
            Err(_) => errors += 1,
        }
    }
    Run {
        cpu: cpu_time() - cpu,
        opened,
        items,
        messages,
        bytes,
        errors,
        time: start.elapsed(),
    }
}

fn report(name: &str, path: &Path, opts: &Options, runs: usize) {
    let mut best: Option<Run> = None;
    for i in 0..runs {
        let run = read_all(path, opts);
        println!(
            "  {name} run {}: {:.3} s wall, {:.2} s CPU (open {:.3} s)",
            i + 1,
            run.time.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.opened.as_secs_f64()
        );
        if best.as_ref().is_none_or(|b| run.time < b.time) {
            best = Some(run);
        }
    }
    let Some(run) = best else { return };
    let secs = run.time.as_secs_f64();
    println!(
        "{name}: {} items ({} messages, {} errors), {:.1} MB in {:.3} s wall, {:.2} s CPU (best of {runs}): {:.0} msgs/s, {:.1} MB/s",
        run.items,
        run.messages,
        run.errors,
        run.bytes as f64 / 1e6,
        secs,
        run.cpu.as_secs_f64(),
        run.messages as f64 / secs,
        run.bytes as f64 / 1e6 / secs,
    );
}

/// Writes every message of `epoch` to `out` as mboxrd, as lore serves it.
fn export_mboxrd(epoch: &Path, out: &Path) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("create mbox"));
    for item in open(epoch, None, &Options::default()).expect("open epoch") {
        let Ok(Event::Message(m)) = item else {
            continue;
        };
        w.write_all(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")
            .expect("write");
        for line in m.bytes.split_inclusive(|&b| b == b'\n') {
            let quoted = line.iter().take_while(|&&b| b == b'>').count();
            if line[quoted..].starts_with(b"From ") {
                w.write_all(b">").expect("write");
            }
            w.write_all(line).expect("write");
        }
        if !m.bytes.ends_with(b"\n") {
            w.write_all(b"\n").expect("write");
        }
        w.write_all(b"\n").expect("write");
    }
    w.flush().expect("flush");
}

fn main() {
    let runs: usize = std::env::var("LPL_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let tmp = tempfile::tempdir().expect("temp dir");
    let epoch = match std::env::var_os("LPL_BENCH_EPOCH") {
        Some(p) => PathBuf::from(p),
        None => {
            let bundle = corpus_bundle();
            if !bundle.exists() {
                eprintln!("skipping: {} not found", bundle.display());
                return;
            }
            let epoch = tmp.path().join("cgroups.0.git");
            let status = Command::new("git")
                .args(["clone", "-q", "--mirror"])
                .arg(&bundle)
                .arg(&epoch)
                .status()
                .expect("run git clone");
            assert!(status.success(), "git clone --mirror failed");
            epoch
        }
    };
    println!("epoch: {}", epoch.display());
    let mut inline = Options::default();
    inline.decode_threads = 0;
    report("v2 epoch, decoding inline", &epoch, &inline, runs);
    let mut one = Options::default();
    one.decode_threads = 1;
    report("v2 epoch, 1 decode thread", &epoch, &one, runs);
    report(
        "v2 epoch, 2 decode threads",
        &epoch,
        &Options::default(),
        runs,
    );
    // The same epoch with a commit-graph (`git commit-graph write`), which
    // lore mirrors maintained by grokmirror or `git gc` have.
    let graphed = tmp.path().join("graphed.git");
    let cloned = Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(&epoch)
        .arg(&graphed)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("git")
            .arg("-C")
            .arg(&graphed)
            .args(["commit-graph", "write", "--reachable"])
            .status()
            .is_ok_and(|s| s.success());
    if cloned {
        report(
            "v2 epoch with commit-graph, 2 decode threads",
            &graphed,
            &Options::default(),
            runs,
        );
    }
    if std::env::var_os("LPL_BENCH_EPOCH_ONLY").is_some() {
        return;
    }

    let mbox = tmp.path().join("cgroups.mbox");
    export_mboxrd(&epoch, &mbox);
    report("mboxrd export", &mbox, &Options::default(), runs);

    let gz = tmp.path().join("cgroups.mbox.gz");
    let status = Command::new("gzip")
        .args(["-k", "-1"])
        .arg(&mbox)
        .status()
        .expect("run gzip");
    if status.success() && gz.exists() {
        report("mboxrd.gz export", &gz, &Options::default(), runs);
    }
}
