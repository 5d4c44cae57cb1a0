//! Query benchmark (issue #14): each read command as a whole process
//! (`lpl show`, `thread`, `revisions`, `series WORDS`, `am`, `notebook
//! check` on the seed roadmap), wall time p50/p99 and peak RSS, on archives
//! of growing size, answered from the saved understanding ("saved") and, in
//! the same run, by the analysis of the whole archive ("whole").
//!
//! The "whole" runs use the same binary and home with the understanding's
//! stamp removed and the home's job lock held by the bench, so the reader
//! can neither use nor re-save it: each command then loads and analyses
//! every message, as lpl did before the understanding was saved (main at
//! 00deed8 runs that very code). `LPL_BENCH_BASELINE=/path/to/lpl` adds a
//! third column: another binary (main's), on a home it imports itself.
//!
//! Run: `nice -n 5 cargo bench -p lpl-cli --bench understand` (release).
//! Archives: `LPL_BENCH_SIZES` (default `70k,200k`; `70k,200k,1000k` for
//! issue 14's growth): `70k` is both corpus epochs in one home; `Nk` is a
//! synthetic public-inbox epoch of N thousand messages from
//! `../shared/tools/gen_corpus.py` over liburing's history (`common/growth.rs`,
//! the import bench's generator: made here when missing, cached under
//! `target/bench-work/growth`; 1000k is 72 seeds).
//! `LPL_BENCH_RUNS` (default 40): processes per command and archive, each
//! with another argument (series spread over the archive).
//! `LPL_BENCH_WHOLE_RUNS` (default: the same): processes per command for the
//! whole-archive column (`0` leaves it out: at 1M each takes tens of seconds).
//! `LPL_BENCH_PREPARE=1`: make the homes (generate, import, time) and stop.
//! Homes are kept in `target/bench-work/understand/home-lpl-SIZE` and reused
//! (the TUI and web benches take one through `LPL_BENCH_HOME`); the import
//! that made each is timed once under `/usr/bin/time -v` (wall, CPU, peak
//! RSS; `home-lpl-SIZE.json`). Output: markdown on stdout (load averages
//! included: the box is shared), everything in
//! `target/bench-results/understand.json`.
//!
//! Then the import of new mail: a home holding all but the last 1,000
//! messages of the archive (the last source's branch moved back, in a clone
//! of its own) is copied, the branch moved forward, and `lpl import` of
//! the same sources timed (index and understanding included), by each
//! binary on a base home of its own, `LPL_BENCH_INCREMENTAL_RUNS` (3)
//! times. Beside it, the baseline binary's, or without one the same
//! import with the saved stamp removed first, so that every unit is
//! written again (what stage 1, acfd43c, did after each import).
//! `LPL_BENCH_QUERIES=0` skips the query runs.

#[path = "common/growth.rs"]
#[allow(dead_code)] // what the import bench reads of it
mod growth;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

struct Config {
    root: PathBuf,
    work: PathBuf,
    lpl: PathBuf,
    baseline: Option<PathBuf>,
    runs: usize,
    queries: bool,
    incremental_runs: usize,
    whole_runs: usize,
}

#[path = "common/timed.rs"]
#[allow(dead_code)] // its stdout is the code bench's
mod common_timed;

/// Wall seconds and peak RSS (KiB) of one process.
fn timed(cmd: &mut Command) -> (f64, u64, bool) {
    let t = common_timed::timed(cmd, false);
    (t.secs, t.rss, t.ok)
}

fn lpl(bin: &Path, home: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env("LPL_HOME", home).env("NO_COLOR", "1");
    c
}

fn stdout_json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("run lpl");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// The sources of an archive of `size` (`70k`, or `Nk` synthetic).
fn sources(cfg: &Config, size: &str) -> Vec<PathBuf> {
    if size == "70k" {
        return ["cgroups", "io-uring"]
            .iter()
            .map(|l| {
                let dir = cfg.work.join("understand").join(format!("{l}.0.git"));
                if !dir.exists() {
                    let bundle = cfg.root.join(format!(
                        "../shared/corpus/lists/{l}.vger.kernel.org.0.bundle"
                    ));
                    let st = Command::new("git")
                        .args(["clone", "-q", "--mirror"])
                        .arg(bundle)
                        .arg(&dir)
                        .status()
                        .expect("git");
                    assert!(st.success());
                }
                dir
            })
            .collect();
    }
    let n: u64 = size
        .trim_end_matches('k')
        .parse::<u64>()
        .expect("a size such as 200k")
        * 1000;
    let g = growth::synthetic_epoch(
        &growth::Dirs {
            root: &cfg.root,
            work: &cfg.work,
        },
        n,
    );
    eprintln!(
        "{size}: {} ({} messages, {} seeds, {:.0} s to make{})",
        g.path.display(),
        g.messages,
        g.seeds,
        g.seconds,
        if g.cached { ", cached" } else { "" }
    );
    vec![g.path]
}

/// The 1-, 5- and 15-minute load averages (the box is shared: say so).
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The import that makes a home, under `/usr/bin/time -v`: wall and CPU
/// seconds, peak RSS.
fn timed_import(cmd: &mut Command) -> Value {
    let out = std::env::temp_dir().join(format!("lpl-bench-import-{}", std::process::id()));
    let mut c = Command::new("/usr/bin/time");
    c.arg("-v")
        .arg("-o")
        .arg(&out)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .stdout(Stdio::null());
    let load = loadavg();
    let t = Instant::now();
    let st = c.status().expect("run /usr/bin/time");
    let secs = t.elapsed().as_secs_f64();
    assert!(st.success(), "import");
    let report = std::fs::read_to_string(&out).unwrap_or_default();
    let field = |k: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(k))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    json!({
        "seconds": secs,
        "cpu_seconds": field("User time (seconds):") + field("System time (seconds):"),
        "rss_mb": field("Maximum resident set size (kbytes):") / 1024.0,
        "load_before": load,
        "load_after": loadavg(),
    })
}

/// The home of `size` for `bin` (imported now when missing, timed):
/// `WORK/understand/home-TAG-SIZE`, kept for later runs and for the TUI
/// and web benches (`LPL_BENCH_HOME`).
fn home(cfg: &Config, size: &str, bin: &Path, tag: &str) -> (PathBuf, Value) {
    let home = cfg.work.join(format!("understand/home-{tag}-{size}"));
    let marker = home.with_extension("json");
    if let Some(v) = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .filter(|_| home.exists())
    {
        return (home, v);
    }
    let _ = std::fs::remove_dir_all(&home);
    let src = sources(cfg, size);
    eprintln!("importing {size} with {tag} into {} ...", home.display());
    let v = timed_import(lpl(bin, &home).arg("import").args(src));
    eprintln!("  {v}");
    std::fs::write(&marker, v.to_string()).expect("marker");
    (home, v)
}

/// Arguments for each command: series ids, Message-IDs of patches and
/// replies, title words, spread evenly over the archive.
struct Args {
    series: Vec<String>,
    messages: Vec<String>,
    words: Vec<String>,
}

fn args(cfg: &Config, home: &Path) -> Args {
    let list = stdout_json(lpl(&cfg.lpl, home).args(["series", "--json", "--all"]));
    let list = list.as_array().cloned().unwrap_or_default();
    assert!(!list.is_empty(), "series in {}", home.display());
    let step = (list.len() / cfg.runs).max(1);
    let picked: Vec<&Value> = list.iter().step_by(step).take(cfg.runs).collect();
    let series = picked
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    let messages = picked
        .iter()
        .filter_map(|s| s["message_id"].as_str().map(str::to_owned))
        .collect();
    let words = picked
        .iter()
        .filter_map(|s| {
            s["title"]
                .as_str()?
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 5)
                .max_by_key(|w| w.len())
                .map(str::to_lowercase)
        })
        .collect();
    Args {
        series,
        messages,
        words,
    }
}

#[derive(Clone)]
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max: f64,
    max_rss_mb: f64,
}

fn stats(mut secs: Vec<f64>, rss: &[u64]) -> Stats {
    secs.sort_by(f64::total_cmp);
    let at = |q: f64| secs[((q * secs.len() as f64).ceil() as usize).clamp(1, secs.len()) - 1];
    Stats {
        n: secs.len(),
        p50: at(0.5) * 1000.0,
        p99: at(0.99) * 1000.0,
        max: at(1.0) * 1000.0,
        max_rss_mb: rss.iter().copied().max().unwrap_or(0) as f64 / 1024.0,
    }
}

const COMMANDS: [&str; 6] = [
    "show",
    "thread",
    "revisions",
    "series WORDS",
    "am",
    "notebook check",
];

/// Runs every command `cfg.runs` times on `home` with `bin`.
fn run_all(cfg: &Config, bin: &Path, home: &Path, a: &Args, runs: usize) -> Vec<Stats> {
    let roadmap = cfg.root.join("../shared/seed/roadmap-decoded.md");
    let mut out = Vec::new();
    for name in COMMANDS {
        let (mut secs, mut rss) = (Vec::new(), Vec::new());
        for k in 0..runs {
            let mut c = lpl(bin, home);
            let pick = |v: &Vec<String>| v[k % v.len()].clone();
            match name {
                "show" => c.args(["show", &pick(&a.series)]),
                "thread" => c.args(["thread", &pick(&a.messages)]),
                "revisions" => c.args(["revisions", &pick(&a.series)]),
                "series WORDS" => c.args(["series", &pick(&a.words)]),
                "am" => c.args(["am", &pick(&a.series)]),
                _ => c.args(["notebook", "check", "--file"]).arg(&roadmap),
            };
            let (s, r, _) = timed(&mut c);
            secs.push(s);
            rss.push(r);
        }
        let st = stats(secs, &rss);
        eprintln!(
            "  {name:<15} p50 {:>8.1} ms  p99 {:>8.1} ms  rss {:>6.1} MB",
            st.p50, st.p99, st.max_rss_mb
        );
        out.push(st);
    }
    out
}

/// Runs `f` with the understanding of `home` out of use: its stamp removed
/// (put back afterwards) and the job lock held, so no reader re-saves it.
fn without_understanding<T>(home: &Path, f: impl FnOnce() -> T) -> T {
    let store = lpl_store::Store::open(home).expect("open");
    let stamp = store.understanding_stamp().expect("stamp");
    store
        .conn()
        .execute("DELETE FROM state WHERE key = 'understanding.stamp'", [])
        .expect("unstamp");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(home.join("lpl.lock"))
        .expect("lock file");
    lock.lock().expect("job lock");
    let out = f();
    drop(lock);
    if let Some(s) = stamp {
        store.set_state("understanding.stamp", &s).expect("restamp");
    }
    out
}

/// Runs `git` in `dir`, stdout as text.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Times `lpl import` of the last 1,000 messages of the archive of `size`
/// into a copy of a home that holds the others: (seconds of each run,
/// peak RSS of each run in KiB).
fn incremental(
    cfg: &Config,
    size: &str,
    bin: &Path,
    tag: &str,
    runs: usize,
    resave: bool,
) -> (Vec<f64>, Vec<u64>) {
    const NEW: usize = 1000;
    let mut srcs = sources(cfg, size);
    let last = srcs.pop().expect("a source");
    let dir = cfg.work.join(format!("understand/inc-{size}"));
    std::fs::create_dir_all(&dir).expect("dir");
    let clone = dir.join("last.git");
    if !clone.exists() {
        let st = Command::new("git")
            .args(["clone", "-q", "--mirror"])
            .arg(&last)
            .arg(&clone)
            .status()
            .expect("git");
        assert!(st.success());
    }
    let head = git(&clone, &["symbolic-ref", "HEAD"]).trim().to_owned();
    let tip = git(&last, &["rev-parse", &head]).trim().to_owned();
    let commits: Vec<String> = git(&clone, &["rev-list", "--reverse", "--first-parent", &tip])
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        commits.len() > NEW,
        "{} has {} commits",
        last.display(),
        commits.len()
    );
    let set = |n: usize| {
        git(&clone, &["update-ref", &head, &commits[n - 1]]);
    };
    srcs.push(clone.clone());
    let base = dir.join(format!("base-{tag}"));
    if !base.join("done").exists() {
        let _ = std::fs::remove_dir_all(&base);
        set(commits.len() - NEW);
        eprintln!("importing all but the last {NEW} messages of {size} with {tag} ...");
        let (_, _, ok) = timed(lpl(bin, &base).arg("import").args(&srcs));
        assert!(ok, "base import");
        std::fs::write(base.join("done"), "").expect("marker");
    }
    let (mut secs, mut rss) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let run = dir.join(format!("run-{tag}"));
        let _ = std::fs::remove_dir_all(&run);
        let st = Command::new("cp")
            .arg("-a")
            .arg(&base)
            .arg(&run)
            .status()
            .expect("cp");
        assert!(st.success());
        if resave {
            // The saved understanding's stamp removed: the import saves
            // every unit anew, as stage 1 (acfd43c) did after each import.
            lpl_store::Store::open(&run)
                .expect("open")
                .conn()
                .execute("DELETE FROM state WHERE key = 'understanding.stamp'", [])
                .expect("unstamp");
        }
        set(commits.len());
        let (s, r, ok) = timed(lpl(bin, &run).arg("import").args(&srcs));
        assert!(ok, "incremental import");
        let read = lpl_store::Store::open_read_only(&run)
            .and_then(|s| s.stats())
            .map_or(0, |s| s.messages);
        eprintln!(
            "  {tag} (resave {resave}): last {NEW} of {size} in {s:.2} s, {:.0} MB ({read} messages)",
            r as f64 / 1024.0
        );
        secs.push(s);
        rss.push(r);
        set(commits.len() - NEW);
    }
    (secs, rss)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks; nothing to list
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let runs = var("LPL_BENCH_RUNS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let cfg = Config {
        work: var("LPL_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/bench-work")),
        lpl: PathBuf::from(env!("CARGO_BIN_EXE_lpl")),
        baseline: var("LPL_BENCH_BASELINE").map(PathBuf::from),
        runs,
        whole_runs: var("LPL_BENCH_WHOLE_RUNS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(runs),
        queries: var("LPL_BENCH_QUERIES").is_none_or(|v| v != "0"),
        incremental_runs: var("LPL_BENCH_INCREMENTAL_RUNS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(3),
        root,
    };
    std::fs::create_dir_all(cfg.work.join("understand")).expect("work dir");
    let sizes: Vec<String> = var("LPL_BENCH_SIZES")
        .unwrap_or_else(|| "70k,200k".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut md = String::new();
    let mut all = Vec::new();
    let mut inc_md = String::from(
        "| archive | messages | import of the last 1,000: changed units written, s (each run) | peak RSS MB | every unit written (baseline), s (each run) | peak RSS MB |\n|---|---|---|---|---|---|\n",
    );
    for size in &sizes {
        eprintln!("== {size}");
        let (h, imported) = home(&cfg, size, &cfg.lpl, "lpl");
        if var("LPL_BENCH_PREPARE").is_some() {
            eprintln!("  home {} ready: {imported}", h.display());
            continue;
        }
        if cfg.incremental_runs > 0 {
            let runs = cfg.incremental_runs;
            let (s, r) = incremental(&cfg, size, &cfg.lpl, "lpl", runs, false);
            let b = Some(match &cfg.baseline {
                Some(b) => incremental(&cfg, size, b, "baseline", runs, false),
                None => incremental(&cfg, size, &cfg.lpl, "lpl", runs, true),
            });
            let fmt = |v: &[f64]| {
                v.iter()
                    .map(|x| format!("{x:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mb = |v: &[u64]| v.iter().copied().max().unwrap_or(0) as f64 / 1024.0;
            let messages = lpl_store::Store::open_read_only(&h)
                .and_then(|s| s.stats())
                .map_or(0, |s| s.messages);
            inc_md += &format!(
                "| {size} | {messages} | {} | {:.0} | {} | {} |\n",
                fmt(&s),
                mb(&r),
                b.as_ref().map_or("-".into(), |(bs, _)| fmt(bs)),
                b.as_ref()
                    .map_or("-".into(), |(_, br)| format!("{:.0}", mb(br)))
            );
            all.push(json!({"size": size, "incremental_last_1000_s": s, "rss_kb": r,
                "baseline_s": b.as_ref().map(|x| x.0.clone()), "baseline_rss_kb": b.as_ref().map(|x| x.1.clone())}));
        }
        if !cfg.queries {
            let b = cfg
                .baseline
                .as_ref()
                .map(|b| home(&cfg, size, b, "baseline").1);
            md += &format!(
                "\n{size}: whole import {:.1} s, peak RSS {:.0} MB{}\n",
                imported["seconds"].as_f64().unwrap_or(0.0),
                imported["rss_mb"].as_f64().unwrap_or(0.0),
                b.map_or(String::new(), |b| format!(
                    "; baseline {:.1} s, {:.0} MB",
                    b["seconds"].as_f64().unwrap_or(0.0),
                    b["rss_mb"].as_f64().unwrap_or(0.0)
                ))
            );
            continue;
        }
        let a = args(&cfg, &h);
        let load_before = loadavg();
        eprintln!(" saved understanding (load {load_before}):");
        let saved = run_all(&cfg, &cfg.lpl, &h, &a, cfg.runs);
        let whole = (cfg.whole_runs > 0).then(|| {
            eprintln!(" whole-archive analysis (same binary, understanding out of use):");
            without_understanding(&h, || run_all(&cfg, &cfg.lpl, &h, &a, cfg.whole_runs))
        });
        let base = cfg.baseline.as_ref().map(|b| {
            let (bh, bimp) = home(&cfg, size, b, "baseline");
            eprintln!(" baseline {}:", b.display());
            (run_all(&cfg, b, &bh, &a, cfg.runs), bimp)
        });
        let load_after = loadavg();
        let messages = lpl_store::Store::open_read_only(&h)
            .and_then(|s| s.stats())
            .map_or(0, |s| s.messages);
        md += &format!(
            "\n#### {size}: {messages} messages (import {:.1} s, CPU {:.1} s, peak RSS {:.0} MB{}); load average {load_before} before the queries, {load_after} after\n\n",
            imported["seconds"].as_f64().unwrap_or(0.0),
            imported["cpu_seconds"].as_f64().unwrap_or(0.0),
            imported["rss_mb"].as_f64().unwrap_or(0.0),
            base.as_ref().map_or(String::new(), |(_, b)| format!(
                "; baseline import {:.1} s, {:.0} MB",
                b["seconds"].as_f64().unwrap_or(0.0),
                b["rss_mb"].as_f64().unwrap_or(0.0)
            ))
        );
        md += "| command | n | p50 ms | p99 ms | max ms | peak RSS MB | target met | whole n | whole p50 ms | whole p99 ms | whole RSS MB | p50 whole / saved |";
        if base.is_some() {
            md += " baseline p50 ms | baseline p99 ms | baseline RSS MB |";
        }
        md += "\n|---|---|---|---|---|---|---|---|---|---|---|---|";
        if base.is_some() {
            md += "---|---|---|";
        }
        md += "\n";
        for (i, name) in COMMANDS.iter().enumerate() {
            let s = &saved[i];
            // Issue 14's targets: p50 <= 20 ms, p99 <= 100 ms, RSS <= 100 MB.
            let met = s.p50 <= 20.0 && s.p99 <= 100.0 && s.max_rss_mb <= 100.0;
            md += &format!(
                "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                s.n,
                s.p50,
                s.p99,
                s.max,
                s.max_rss_mb,
                if met { "yes" } else { "NO" }
            );
            match &whole {
                Some(w) => {
                    let w = &w[i];
                    md += &format!(
                        " {} | {:.1} | {:.1} | {:.1} | {:.0}x |",
                        w.n,
                        w.p50,
                        w.p99,
                        w.max_rss_mb,
                        w.p50 / s.p50.max(0.001)
                    )
                }
                None => md += " - | - | - | - | - |",
            }
            if let Some((b, _)) = &base {
                md += &format!(
                    " {:.1} | {:.1} | {:.1} |",
                    b[i].p50, b[i].p99, b[i].max_rss_mb
                );
            }
            md += "\n";
            all.push(json!({
                "size": size, "messages": messages, "command": name, "n": s.n,
                "import": imported.clone(),
                "load_before": load_before, "load_after": load_after,
                "target_met": met,
                "saved": {"p50_ms": s.p50, "p99_ms": s.p99, "max_ms": s.max, "rss_mb": s.max_rss_mb},
                "whole": whole.as_ref().map(|w| json!({"n": w[i].n, "p50_ms": w[i].p50, "p99_ms": w[i].p99, "rss_mb": w[i].max_rss_mb})),
                "baseline": base.as_ref().map(|(b, _)| json!({"p50_ms": b[i].p50, "p99_ms": b[i].p99, "rss_mb": b[i].max_rss_mb})),
            }));
        }
    }
    println!("{md}");
    if cfg.incremental_runs > 0 {
        println!("\n{inc_md}");
    }
    let dir = cfg.root.join("target/bench-results");
    std::fs::create_dir_all(&dir).expect("results dir");
    let mut f = std::fs::File::create(dir.join("understand.json")).expect("results");
    writeln!(f, "{}", Value::Array(all)).expect("write results");
}
