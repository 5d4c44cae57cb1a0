//! Import benchmark: `lpl import` of the real cgroups and io-uring epochs,
//! cold, side by side in one run with `notmuch new`, `mu index` and
//! `mairix` over the same messages exported to a Maildir, then peak memory
//! as the archive grows.
//!
//! Run: `cargo bench -p lpl-cli --bench import` (release build). Needs
//! `../shared/corpus`, git, python3 (for `../shared/tools/gen_corpus.py`)
//! and the peers (Debian: notmuch maildir-utils mairix); a missing peer is
//! reported and left out.
//!
//! Part 1, per list (the whole epoch by default): `lpl import --no-index
//! EPOCH`, `lpl import EPOCH`, `lpl import --no-index MAILDIR`, `lpl import
//! MAILDIR`, `notmuch new`, `mu index`, `mairix`, where MAILDIR holds the
//! epoch's messages, one file each (exported once, reused). Every run is
//! cold: a fresh archive / database; the page cache is warm for all alike
//! (each input is read once before its list's runs). Then the ratios of
//! lpl's messages/s over each peer's.
//!
//! Part 2, growth: public-inbox epochs of 25k ... 200k synthetic messages
//! built from liburing's history by gen_corpus.py (one corpus per seed,
//! Message-IDs made distinct per seed, concatenated and written with
//! `git fast-import`; cached in the work dir), plus the real epochs and both
//! real epochs into one archive, each imported cold with and without the
//! index: is peak memory flat as the archive grows?
//!
//! Each tool runs under `/usr/bin/time -v` (wall time, CPU time, peak RSS
//! from the kernel). A thread also samples the tool's `/proc/PID/status`
//! every 50 ms for the peak of `RssAnon` (heap, stacks) and `RssFile`
//! (mapped files: the mmapped git pack counts in RSS but is page cache).
//!
//! Knobs (environment):
//! - `LPL_BENCH_MESSAGES=N`: quick mode: only the first N messages of each
//!   list (a cut epoch and a Maildir of the same N); growth off unless
//!   `LPL_BENCH_GROWTH` is given.
//! - `LPL_BENCH_LISTS=cgroups,io-uring` (default both; `none`: skip part 1).
//! - `LPL_BENCH_PEERS=notmuch,mu,mairix` (default all; `none`: lpl alone).
//! - `LPL_BENCH_GROWTH=25000,50000,100000,200000` (default in full mode;
//!   `k` suffix allowed; `none`: skip part 2).
//! - `LPL_BENCH_GROWTH_REAL=0`: leave the real epochs out of part 2.
//! - `LPL_BENCH_SAMPLE_MS=50`: memory sampling period.
//! - `LPL_BENCH_LPL=/path/to/lpl`: measure another lpl binary (a baseline).
//! - `LPL_BENCH_DIR`: work files (default `target/bench-work`).
//!
//! Output: progress on stderr, markdown tables on stdout, everything in
//! `target/bench-results/import.json`.

#[path = "common/growth.rs"]
mod growth;

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const LISTS: [&str; 2] = ["cgroups", "io-uring"];
const PEERS: [&str; 3] = ["notmuch", "mu", "mairix"];
const GROWTH_DEFAULT: [u64; 4] = [25_000, 50_000, 100_000, 200_000];
const NO_INDEX: &str = "lpl import --no-index";
const INDEX: &str = "lpl import";

struct Config {
    root: PathBuf,
    work: PathBuf,
    lpl: PathBuf,
    limit: Option<usize>,
    lists: Vec<String>,
    peers: Vec<String>,
    growth: Vec<u64>,
    growth_real: bool,
    sample: Duration,
}

/// One input as every tool sees it.
#[derive(Clone)]
struct Input {
    /// "cgroups", "io-uring", "both", "synthetic".
    group: String,
    label: String,
    kind: &'static str,
    paths: Vec<PathBuf>,
    messages: u64,
    bytes: u64,
}

#[derive(Default, Clone)]
struct Measure {
    seconds: f64,
    cpu_seconds: f64,
    peak_rss_mb: f64,
    peak_anon_mb: Option<f64>,
    peak_file_mb: Option<f64>,
    samples: u32,
    stdout: String,
}

#[derive(Clone)]
struct Run {
    part: &'static str,
    tool: String,
    input: Input,
    m: Measure,
    /// What the tool says it did (lpl's `--json` totals, notmuch count).
    reported: Value,
    /// Size of the archive / database afterwards.
    store_mb: Option<f64>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.input.messages as f64 / self.m.seconds
    }
    fn mbps(&self) -> f64 {
        self.input.bytes as f64 / 1e6 / self.m.seconds
    }
    fn to_json(&self) -> Value {
        json!({
            "part": self.part,
            "tool": self.tool,
            "input": self.input.label,
            "group": self.input.group,
            "kind": self.input.kind,
            "messages": self.input.messages,
            "bytes": self.input.bytes,
            "seconds": round(self.m.seconds, 3),
            "cpu_seconds": round(self.m.cpu_seconds, 2),
            "msgs_per_s": round(self.rate(), 1),
            "mb_per_s": round(self.mbps(), 2),
            "peak_rss_mb": round(self.m.peak_rss_mb, 1),
            "peak_rss_anon_mb": self.m.peak_anon_mb.map(|v| round(v, 1)),
            "peak_rss_file_mb": self.m.peak_file_mb.map(|v| round(v, 1)),
            "memory_samples": self.m.samples,
            "store_mb": self.store_mb.map(|v| round(v, 1)),
            "reported": self.reported,
        })
    }
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

// ---------------------------------------------------------------- measuring

#[derive(Default)]
struct Mem {
    anon_kb: u64,
    file_kb: u64,
    samples: u32,
}

/// The pid of a child of `ppid` (the tool that /usr/bin/time forked).
fn find_child(ppid: u32) -> Option<u32> {
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) == Some(ppid) {
            return Some(pid);
        }
    }
    None
}

/// Samples RssAnon and RssFile of the child of `parent` until it exits or
/// `stop` is set; returns the maxima.
fn sample_memory(parent: u32, stop: &AtomicBool, every: Duration) -> Mem {
    let mut m = Mem::default();
    let pid = loop {
        if stop.load(Ordering::Relaxed) {
            return m;
        }
        if let Some(p) = find_child(parent) {
            break p;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let kb = |v: &str| {
        v.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
    };
    while !stop.load(Ordering::Relaxed) {
        let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            break;
        };
        let mut alive = false;
        for l in s.lines() {
            if let Some(v) = l.strip_prefix("RssAnon:") {
                m.anon_kb = m.anon_kb.max(kb(v));
                alive = true;
            } else if let Some(v) = l.strip_prefix("RssFile:") {
                m.file_kb = m.file_kb.max(kb(v));
            }
        }
        if !alive {
            break; // a zombie has no memory lines
        }
        m.samples += 1;
        std::thread::sleep(every);
    }
    m
}

/// Runs `cmd` under /usr/bin/time -v with its memory sampled.
fn measure(cfg: &Config, cmd: &[OsString], env: &[(&str, &Path)]) -> Option<Measure> {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-v")
        .args(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let t = Instant::now();
    let mut child = match c.spawn() {
        Ok(ch) => ch,
        Err(e) => {
            eprintln!("  {cmd:?}: {e}");
            return None;
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (stop, pid, every) = (stop.clone(), child.id(), cfg.sample);
        std::thread::spawn(move || sample_memory(pid, &stop, every))
    };
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut v);
            }
            v
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    );
    let status = child.wait().ok()?;
    let seconds = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mem = sampler.join().unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if !status.success() {
        eprintln!(
            "  {:?} failed: {}",
            cmd.iter().take(3).collect::<Vec<_>>(),
            err.lines().rev().take(14).collect::<Vec<_>>().join(" | ")
        );
        return None;
    }
    let field = |name: &str| -> f64 {
        err.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    };
    Some(Measure {
        seconds,
        cpu_seconds: field("User time (seconds):") + field("System time (seconds):"),
        peak_rss_mb: field("Maximum resident set size (kbytes):") / 1024.0,
        peak_anon_mb: (mem.samples > 0).then(|| mem.anon_kb as f64 / 1024.0),
        peak_file_mb: (mem.samples > 0).then(|| mem.file_kb as f64 / 1024.0),
        samples: mem.samples,
        stdout,
    })
}

fn dir_mb(p: &Path) -> f64 {
    fn walk(p: &Path) -> u64 {
        let Ok(rd) = std::fs::read_dir(p) else {
            return 0;
        };
        rd.flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path()),
                Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
                Err(_) => 0,
            })
            .sum()
    }
    walk(p) as f64 / 1e6
}

/// Reads every file under `paths` once so that all tools start with the
/// same (warm) page cache.
fn warm(paths: &[PathBuf]) {
    for p in paths {
        let _ = Command::new("sh")
            .arg("-c")
            .arg("find \"$1\" -type f -print0 | xargs -0 cat > /dev/null")
            .arg("sh")
            .arg(p)
            .status();
    }
}

fn log_run(r: &Run) {
    eprintln!(
        "  {:<22} {:<34} {:>7} msgs {:>8.2} s {:>8.0} msgs/s  RSS {:>5.0} MB  anon {}",
        r.tool,
        r.input.label,
        r.input.messages,
        r.m.seconds,
        r.rate(),
        r.m.peak_rss_mb,
        mb(r.m.peak_anon_mb)
    );
}

fn mb(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0} MB"))
        .unwrap_or_else(|| "-".into())
}

// ---------------------------------------------------------------- the tools

fn run_lpl(cfg: &Config, part: &'static str, input: &Input, index: bool) -> Option<Run> {
    let home = cfg.work.join(format!("home-{}", part));
    let _ = std::fs::remove_dir_all(&home);
    let mut cmd: Vec<OsString> = vec![cfg.lpl.clone().into(), "import".into(), "--json".into()];
    if !index {
        cmd.push("--no-index".into());
    }
    cmd.extend(input.paths.iter().map(|p| p.clone().into_os_string()));
    let m = measure(cfg, &cmd, &[("LPL_HOME", &home)]);
    let store_mb = dir_mb(&home);
    let _ = std::fs::remove_dir_all(&home);
    let m = m?;
    let v: Value = serde_json::from_str(&m.stdout).unwrap_or(Value::Null);
    let reported = json!({"totals": v.get("totals"), "indexed": v.get("indexed")});
    let read = v.pointer("/totals/read").and_then(Value::as_u64);
    if let Some(read) = read.filter(|&n| n < input.messages) {
        eprintln!(
            "  note: lpl read {read} items of {} messages ({})",
            input.messages, input.label
        );
    }
    let r = Run {
        part,
        tool: if index { INDEX } else { NO_INDEX }.into(),
        input: input.clone(),
        m,
        reported,
        store_mb: Some(store_mb),
    };
    log_run(&r);
    Some(r)
}

fn run_notmuch(cfg: &Config, input: &Input, tag: &str) -> Option<Run> {
    let dir = cfg.work.join(format!("notmuch-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("db");
    std::fs::create_dir_all(&db).expect("notmuch db dir");
    let conf = dir.join("config");
    // The database lives outside the Maildir, which stays as lpl reads it.
    std::fs::write(
        &conf,
        format!(
            "[database]\npath={}\nmail_root={}\n[new]\ntags=new\n[maildir]\nsynchronize_flags=false\n",
            db.display(),
            input.paths[0].display()
        ),
    )
    .expect("notmuch config");
    let cmd: Vec<OsString> = vec!["notmuch".into(), "new".into(), "--quiet".into()];
    let m = measure(cfg, &cmd, &[("NOTMUCH_CONFIG", &conf)])?;
    let count = Command::new("notmuch")
        .args(["count", "--output=files", "*"])
        .env("NOTMUCH_CONFIG", &conf)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<u64>()
                .ok()
        });
    let store_mb = dir_mb(&db);
    let _ = std::fs::remove_dir_all(&dir);
    let r = Run {
        part: "lists",
        tool: "notmuch new".into(),
        input: input.clone(),
        m,
        reported: json!({"files": count}),
        store_mb: Some(store_mb),
    };
    log_run(&r);
    Some(r)
}

fn run_mu(cfg: &Config, input: &Input, tag: &str) -> Option<Run> {
    let muhome = cfg.work.join(format!("mu-{tag}"));
    let _ = std::fs::remove_dir_all(&muhome);
    let mh = format!("--muhome={}", muhome.display());
    let init = Command::new("mu")
        .args([
            "init",
            &mh,
            &format!("--maildir={}", input.paths[0].display()),
        ])
        .output();
    if !init.is_ok_and(|o| o.status.success()) {
        eprintln!("  mu init failed");
        return None;
    }
    let cmd: Vec<OsString> = vec!["mu".into(), "index".into(), mh.into(), "--quiet".into()];
    let m = measure(cfg, &cmd, &[])?;
    let store_mb = dir_mb(&muhome);
    let _ = std::fs::remove_dir_all(&muhome);
    let r = Run {
        part: "lists",
        tool: "mu index".into(),
        input: input.clone(),
        m,
        reported: Value::Null,
        store_mb: Some(store_mb),
    };
    log_run(&r);
    Some(r)
}

fn run_mairix(cfg: &Config, input: &Input, tag: &str) -> Option<Run> {
    let md = &input.paths[0];
    let (Some(base), Some(name)) = (md.parent(), md.file_name()) else {
        return None;
    };
    let rc = cfg.work.join(format!("mairix-{tag}.rc"));
    let db = cfg.work.join(format!("mairix-{tag}.db"));
    let _ = std::fs::remove_file(&db);
    std::fs::write(
        &rc,
        format!(
            "base={}\nmaildir={}\nmfolder={}\ndatabase={}\n",
            base.display(),
            name.to_string_lossy(),
            cfg.work.join("mairix-results").display(),
            db.display()
        ),
    )
    .expect("mairixrc");
    let cmd: Vec<OsString> = vec!["mairix".into(), "-f".into(), rc.into()];
    let m = measure(cfg, &cmd, &[])?;
    let store_mb = std::fs::metadata(&db).map(|m| m.len() as f64 / 1e6).ok();
    let _ = std::fs::remove_file(&db);
    let r = Run {
        part: "lists",
        tool: "mairix".into(),
        input: input.clone(),
        m,
        reported: Value::Null,
        store_mb,
    };
    log_run(&r);
    Some(r)
}

// ---------------------------------------------------------------- inputs

/// A bare mirror of `list`'s epoch (cloned once from the corpus bundle).
fn epoch(cfg: &Config, list: &str) -> PathBuf {
    let ep = cfg.work.join(format!("{list}.0.git"));
    if !ep.exists() {
        let b = cfg
            .root
            .join("../shared/corpus/lists")
            .join(format!("{list}.vger.kernel.org.0.bundle"));
        sh(Command::new("git")
            .args(["clone", "-q", "--mirror"])
            .arg(&b)
            .arg(&ep));
    }
    ep
}

/// The first `n` commits of `ep` as an epoch of their own (cached).
fn cut_epoch(cfg: &Config, list: &str, ep: &Path, n: usize) -> PathBuf {
    let cut = cfg.work.join(format!("{list}-{n}.0.git"));
    if cut.join("lpl-bench-complete").exists() {
        return cut;
    }
    let _ = std::fs::remove_dir_all(&cut);
    let revs = sh(Command::new("git")
        .arg("-C")
        .arg(ep)
        .args(["rev-list", "--reverse", "--all"]));
    let Some(last) = revs.lines().take(n).last() else {
        return ep.to_path_buf();
    };
    sh(Command::new("git")
        .args(["init", "-q", "--bare", "--initial-branch=master"])
        .arg(&cut));
    sh(Command::new("git")
        .arg("-C")
        .arg(ep)
        .args(["push", "-q"])
        .arg(&cut)
        .arg(format!("{last}:refs/heads/master")));
    std::fs::write(cut.join("lpl-bench-complete"), "").expect("marker");
    cut
}

/// Messages (files `m`; deletions left out) and their bytes in an epoch.
fn epoch_counts(ep: &Path) -> (u64, u64) {
    let out = sh(Command::new("sh").arg("-c").arg(
        "git -C \"$1\" rev-list --all | sed 's/$/:m/' | git -C \"$1\" cat-file --batch-check='%(objectsize)'",
    ).arg("sh").arg(ep));
    out.lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .fold((0, 0), |(n, b), s| (n + 1, b + s))
}

/// Exports the messages of `epoch` (the first `limit`, oldest first, when
/// given) into `maildir/cur` (one file each).
fn export_maildir(epoch: &Path, maildir: &Path, limit: Option<usize>) -> (u64, u64) {
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).expect("mkdir");
    }
    let revs =
        sh(Command::new("git")
            .arg("-C")
            .arg(epoch)
            .args(["rev-list", "--reverse", "--all"]));
    let input: String = revs
        .lines()
        .take(limit.unwrap_or(usize::MAX))
        .map(|c| format!("{c}:m\n"))
        .collect();
    let tmp = maildir.with_extension("revs");
    std::fs::write(&tmp, input).expect("write");
    let out = Command::new("git")
        .arg("-C")
        .arg(epoch)
        .args(["cat-file", "--batch"])
        .stdin(std::fs::File::open(&tmp).expect("open"))
        .output()
        .expect("cat-file");
    std::fs::remove_file(&tmp).ok();
    let b = out.stdout;
    let (mut i, mut n, mut bytes) = (0usize, 0u64, 0u64);
    while i < b.len() {
        let nl = b[i..]
            .iter()
            .position(|&x| x == b'\n')
            .map(|p| i + p)
            .unwrap_or(b.len());
        let hdr = String::from_utf8_lossy(&b[i..nl]).into_owned();
        i = nl + 1;
        let parts: Vec<&str> = hdr.split(' ').collect();
        if parts.len() < 3 {
            continue; // "<rev>:m missing" (deletion commits)
        }
        let size: usize = parts[2].parse().unwrap_or(0);
        let body = &b[i..(i + size).min(b.len())];
        i += size + 1;
        n += 1;
        bytes += size as u64;
        std::fs::write(
            maildir
                .join("cur")
                .join(format!("{n}.{}:2,S", &parts[0][..12])),
            body,
        )
        .expect("write");
    }
    (n, bytes)
}

/// Files and bytes in a Maildir's cur/ and new/.
fn maildir_counts(md: &Path) -> (u64, u64) {
    let (mut n, mut b) = (0, 0);
    for sub in ["cur", "new"] {
        for e in std::fs::read_dir(md.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            n += 1;
            b += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    (n, b)
}

/// The list's messages in a Maildir (exported once; a `LIST.done` marker
/// beside it, or the older harness's `maildir.counts`, says it is complete).
fn maildir(cfg: &Config, list: &str, ep: &Path) -> (PathBuf, u64, u64) {
    let top = cfg.work.join(match cfg.limit {
        Some(n) => format!("maildir-{n}"),
        None => "maildir".to_owned(),
    });
    let md = top.join(list);
    let done = top.join(format!("{list}.done"));
    let legacy = top.with_extension("counts");
    if !(done.exists() || legacy.exists() && md.join("cur").exists()) {
        eprintln!("exporting {list} to {} ...", md.display());
        let _ = std::fs::remove_dir_all(&md);
        export_maildir(ep, &md, cfg.limit);
    }
    let (n, b) = maildir_counts(&md);
    std::fs::write(&done, format!("{n} {b}\n")).expect("marker");
    (md, n, b)
}

// ---------------------------------------------------------------- output

fn table(runs: &[&Run]) -> String {
    let mut s = String::from(
        "| tool | input | msgs | seconds | CPU s | msgs/s | MB/s | peak RSS | peak RssAnon | peak RssFile |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in runs {
        s += &format!(
            "| {} | {} | {} | {:.2} | {:.1} | {:.0} | {:.1} | {:.0} MB | {} | {} |\n",
            r.tool,
            r.input.label,
            r.input.messages,
            r.m.seconds,
            r.m.cpu_seconds,
            r.rate(),
            r.mbps(),
            r.m.peak_rss_mb,
            mb(r.m.peak_anon_mb),
            mb(r.m.peak_file_mb)
        );
    }
    s
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    if !root.join("../shared/corpus/lists").exists() {
        eprintln!("bench: ../shared/corpus/lists is missing; nothing to measure");
        return;
    }
    let work = std::env::var_os("LPL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-work"));
    std::fs::create_dir_all(&work).expect("work dir");
    let limit: Option<usize> = std::env::var("LPL_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok());
    let names = |var: &str, all: &[&str]| -> Vec<String> {
        let Ok(v) = std::env::var(var) else {
            return all.iter().map(|s| s.to_string()).collect();
        };
        let v: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && s != "none")
            .collect();
        for x in &v {
            assert!(
                all.contains(&x.as_str()),
                "{var}: unknown {x:?} (one of {all:?})"
            );
        }
        v
    };
    let growth = match std::env::var("LPL_BENCH_GROWTH") {
        Ok(v) => v
            .split(',')
            .filter_map(|s| {
                let s = s.trim().to_ascii_lowercase();
                match s.strip_suffix('k') {
                    Some(k) => k.parse::<u64>().ok().map(|k| k * 1000),
                    None => s.parse().ok(),
                }
            })
            .filter(|&n| n > 0)
            .collect(),
        Err(_) if limit.is_some() => Vec::new(),
        Err(_) => GROWTH_DEFAULT.to_vec(),
    };
    let cfg = Config {
        lpl: std::env::var_os("LPL_BENCH_LPL")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_lpl"))),
        lists: names("LPL_BENCH_LISTS", &LISTS),
        peers: names("LPL_BENCH_PEERS", &PEERS)
            .into_iter()
            .filter(|p| {
                have(p) || {
                    eprintln!("bench: {p} is not installed; left out");
                    false
                }
            })
            .collect(),
        growth,
        growth_real: std::env::var("LPL_BENCH_GROWTH_REAL").map_or(true, |v| v != "0"),
        sample: Duration::from_millis(
            std::env::var("LPL_BENCH_SAMPLE_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(50),
        ),
        limit,
        root,
        work,
    };
    let started = Instant::now();
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "bench: lpl = {}, lists {:?}, peers {:?}, growth {:?}{}",
        cfg.lpl.display(),
        cfg.lists,
        cfg.peers,
        cfg.growth,
        match cfg.limit {
            Some(n) => format!(", QUICK MODE: first {n} messages per list"),
            None => String::new(),
        }
    );
    let mut runs: Vec<Run> = Vec::new();

    // Part 1: per list, every tool on the same messages.
    for list in &cfg.lists {
        let full = epoch(&cfg, list);
        let ep = match cfg.limit {
            Some(n) => cut_epoch(&cfg, list, &full, n),
            None => full.clone(),
        };
        let (n, bytes) = epoch_counts(&ep);
        let (md, mn, mbytes) = maildir(&cfg, list, &full);
        if mn != n {
            eprintln!("  note: {list}: {n} messages in the epoch, {mn} files in the Maildir");
        }
        let cut = cfg
            .limit
            .map(|k| format!(", first {k}"))
            .unwrap_or_default();
        let ep_in = Input {
            group: list.clone(),
            label: format!("{list} epoch (git{cut})"),
            kind: "epoch",
            paths: vec![ep],
            messages: n,
            bytes,
        };
        let md_in = Input {
            group: list.clone(),
            label: format!(
                "{list} Maildir{}",
                cfg.limit
                    .map(|k| format!(" (first {k})"))
                    .unwrap_or_default()
            ),
            kind: "maildir",
            paths: vec![md],
            messages: mn,
            bytes: mbytes,
        };
        eprintln!("{list}: {n} messages, {:.0} MB", bytes as f64 / 1e6);
        warm(&ep_in.paths);
        warm(&md_in.paths);
        for input in [&ep_in, &md_in] {
            for index in [false, true] {
                runs.extend(run_lpl(&cfg, "lists", input, index));
            }
        }
        let tag = match cfg.limit {
            Some(k) => format!("{list}-{k}"),
            None => list.clone(),
        };
        for peer in &cfg.peers {
            runs.extend(match peer.as_str() {
                "notmuch" => run_notmuch(&cfg, &md_in, &tag),
                "mu" => run_mu(&cfg, &md_in, &tag),
                _ => run_mairix(&cfg, &md_in, &tag),
            });
        }
    }

    // Part 2: growth.
    let mut generated: Vec<growth::Generated> = Vec::new();
    let mut growth_inputs: Vec<Input> = Vec::new();
    if !cfg.growth.is_empty() {
        if cfg.growth_real {
            let mut both = Input {
                group: "both".into(),
                label: "cgroups + io-uring epochs (real)".into(),
                kind: "epoch",
                paths: Vec::new(),
                messages: 0,
                bytes: 0,
            };
            for list in LISTS {
                let ep = epoch(&cfg, list);
                let (n, b) = epoch_counts(&ep);
                growth_inputs.push(Input {
                    group: list.into(),
                    label: format!("{list} epoch (git)"),
                    kind: "epoch",
                    paths: vec![ep.clone()],
                    messages: n,
                    bytes: b,
                });
                both.paths.push(ep);
                both.messages += n;
                both.bytes += b;
            }
            growth_inputs.push(both);
        }
        if have("python3") {
            for &n in &cfg.growth {
                let g = growth::synthetic_epoch(
                    &growth::Dirs {
                        root: &cfg.root,
                        work: &cfg.work,
                    },
                    n,
                );
                growth_inputs.push(Input {
                    group: "synthetic".into(),
                    label: format!("synthetic {}k (epoch)", n / 1000),
                    kind: "epoch",
                    paths: vec![g.path.clone()],
                    messages: g.messages,
                    bytes: g.bytes,
                });
                generated.push(g);
            }
        } else {
            eprintln!("bench: python3 is missing: no synthetic archives");
        }
        growth_inputs.sort_by_key(|i| i.messages);
        eprintln!("growth:");
        for input in &growth_inputs {
            warm(&input.paths);
            for index in [false, true] {
                let tool = if index { INDEX } else { NO_INDEX };
                // The real epochs may have been measured in part 1 already.
                let done = runs
                    .iter()
                    .find(|r| r.tool == tool && r.input.label == input.label && r.part == "lists")
                    .cloned();
                match done {
                    Some(mut r) => {
                        r.part = "growth";
                        runs.push(r);
                    }
                    None => runs.extend(run_lpl(&cfg, "growth", input, index)),
                }
            }
        }
    }

    // Ratios: lpl's messages/s over each peer's, per list.
    let mut ratios: Vec<Value> = Vec::new();
    let mut md_out = String::new();
    let list_runs: Vec<&Run> = runs.iter().filter(|r| r.part == "lists").collect();
    if !list_runs.is_empty() {
        md_out += &format!(
            "### Import, side by side{}\n\n",
            cfg.limit
                .map(|n| format!(" (QUICK MODE: first {n} messages per list)"))
                .unwrap_or_default()
        );
        md_out += &table(&list_runs);
        for list in &cfg.lists {
            let of = |tool: &str, kind: &str| {
                list_runs
                    .iter()
                    .find(|r| r.tool == tool && r.input.kind == kind && &r.input.group == list)
            };
            let peers: Vec<&&Run> = ["notmuch new", "mu index", "mairix"]
                .iter()
                .filter_map(|t| of(t, "maildir"))
                .collect();
            if peers.is_empty() {
                continue;
            }
            md_out += &format!(
                "\n{list}: lpl's messages/s over the peer's (same messages; the peers read the Maildir)\n\n| lpl | {} |\n|---|{}\n",
                peers
                    .iter()
                    .map(|p| format!("vs {}", p.tool))
                    .collect::<Vec<_>>()
                    .join(" | "),
                "---:|".repeat(peers.len())
            );
            for (tool, kind) in [
                (NO_INDEX, "epoch"),
                (INDEX, "epoch"),
                (NO_INDEX, "maildir"),
                (INDEX, "maildir"),
            ] {
                let Some(ours) = of(tool, kind) else { continue };
                md_out += &format!(
                    "| {tool}, {} |",
                    if kind == "epoch" { "epoch" } else { "Maildir" }
                );
                for p in &peers {
                    let x = ours.rate() / p.rate();
                    md_out += &format!(" {x:.1}x |");
                    ratios.push(json!({
                        "list": list, "lpl": tool, "lpl_input": kind, "peer": p.tool,
                        "ratio_msgs_per_s": round(x, 3),
                    }));
                }
                md_out += "\n";
            }
        }
    }
    let growth_runs: Vec<&Run> = runs.iter().filter(|r| r.part == "growth").collect();
    let mut flat: Vec<Value> = Vec::new();
    if !growth_runs.is_empty() {
        md_out += "\n### Peak memory as the archive grows (each imported cold into a fresh archive)\n\n| archive | msgs | MB | --no-index s | msgs/s | peak RSS | RssAnon | with index s | msgs/s | peak RSS | RssAnon |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
        for input in &growth_inputs {
            let of = |tool: &str| {
                growth_runs
                    .iter()
                    .find(|r| r.tool == tool && r.input.label == input.label)
            };
            let cells = |r: Option<&&Run>| match r {
                Some(r) => format!(
                    "{:.2} | {:.0} | {:.0} MB | {}",
                    r.m.seconds,
                    r.rate(),
                    r.m.peak_rss_mb,
                    mb(r.m.peak_anon_mb)
                ),
                None => "- | - | - | -".into(),
            };
            md_out += &format!(
                "| {} | {} | {:.0} | {} | {} |\n",
                input.label,
                input.messages,
                input.bytes as f64 / 1e6,
                cells(of(NO_INDEX)),
                cells(of(INDEX))
            );
        }
        for tool in [NO_INDEX, INDEX] {
            let syn: Vec<&&Run> = growth_runs
                .iter()
                .filter(|r| r.tool == tool && r.input.group == "synthetic")
                .collect();
            if let (Some(a), Some(b)) = (syn.first(), syn.last())
                && syn.len() > 1
            {
                let rss = b.m.peak_rss_mb / a.m.peak_rss_mb;
                let anon = b.m.peak_anon_mb.zip(a.m.peak_anon_mb).map(|(b, a)| b / a);
                md_out += &format!(
                    "\n{tool}: {}x the messages ({} -> {}): peak RSS x{rss:.2}, peak RssAnon x{}",
                    b.input.messages / a.input.messages.max(1),
                    a.input.messages,
                    b.input.messages,
                    anon.map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "-".into())
                );
                flat.push(json!({
                    "tool": tool, "from_messages": a.input.messages, "to_messages": b.input.messages,
                    "peak_rss_growth": round(rss, 3), "peak_anon_growth": anon.map(|v| round(v, 3)),
                }));
            }
        }
        md_out += "\n";
        if !generated.is_empty() {
            md_out += "\nSynthetic archives: gen_corpus.py over liburing (13k to 14.4k messages per seed; seeds concatenated, Message-IDs per seed), written with git fast-import:";
            for g in &generated {
                md_out += &format!(
                    " {}k = {} seeds, {:.0} s to make{};",
                    g.messages / 1000,
                    g.seeds,
                    g.seconds,
                    if g.cached { " (cached)" } else { "" }
                );
            }
            md_out += "\n";
        }
    }

    // Targets of the issue, as measured here.
    let mut targets: Vec<Value> = Vec::new();
    let mut tline = |what: String, value: String, ok: Option<bool>| {
        targets.push(json!({"target": what, "measured": value, "met": ok}));
    };
    let find = |tool: &str, list: &str, kind: &str| {
        list_runs
            .iter()
            .find(|r| r.tool == tool && r.input.group == list && r.input.kind == kind)
    };
    for tool in [INDEX, NO_INDEX] {
        if let Some(r) = find(tool, "cgroups", "epoch") {
            tline(
                format!("`{tool}` of the cgroups epoch <= 8 s"),
                format!("{:.2} s ({} msgs)", r.m.seconds, r.input.messages),
                Some(r.m.seconds <= 8.0),
            );
        }
    }
    // Issue 2's memory target is the archive's import (`--no-index`);
    // issue 6 asks what the index adds, reported beside it.
    for tool in [NO_INDEX, INDEX] {
        let lpl_runs: Vec<&Run> = runs.iter().filter(|r| r.tool == tool).collect();
        if let Some(max) = lpl_runs.iter().map(|r| r.m.peak_rss_mb).reduce(f64::max) {
            let anon = lpl_runs
                .iter()
                .filter_map(|r| r.m.peak_anon_mb)
                .reduce(f64::max);
            tline(
                format!("`{tool}` peak memory < 300 MB (max over all its runs)"),
                format!("peak RSS {max:.0} MB, peak RssAnon {}", mb(anon)),
                Some(max < 300.0),
            );
        }
    }
    for f in &flat {
        let g = f["peak_rss_growth"].as_f64().unwrap_or(0.0);
        tline(
            format!(
                "{} peak memory flat as the archive grows (<= 1.2x)",
                f["tool"].as_str().unwrap_or("")
            ),
            format!(
                "{} -> {} msgs: RSS x{g:.2}, RssAnon x{}",
                f["from_messages"],
                f["to_messages"],
                f["peak_anon_growth"]
                    .as_f64()
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_else(|| "-".into())
            ),
            Some(g <= 1.2),
        );
    }
    for r in &ratios {
        let (peer, tool, x) = (
            r["peer"].as_str().unwrap_or(""),
            r["lpl"].as_str().unwrap_or(""),
            r["ratio_msgs_per_s"].as_f64().unwrap_or(0.0),
        );
        let need = match (tool, peer) {
            (NO_INDEX, "mu index") => 10.0,
            (INDEX, "mu index") => 5.0,
            (INDEX, "mairix") => 1.0,
            _ => continue,
        };
        tline(
            format!(
                "{}: `{tool}` ({}) >= {need}x the messages/s of {peer}",
                r["list"].as_str().unwrap_or(""),
                r["lpl_input"].as_str().unwrap_or("")
            ),
            format!("{x:.2}x"),
            Some(x >= need),
        );
    }
    if !targets.is_empty() {
        md_out += &format!(
            "\n### Targets{}\n\n",
            if cfg.limit.is_some() {
                " (quick mode: not the real figures)"
            } else {
                ""
            }
        );
        for t in &targets {
            md_out += &format!(
                "- {}: {} — {}\n",
                t["target"].as_str().unwrap_or(""),
                t["measured"].as_str().unwrap_or(""),
                match t["met"].as_bool() {
                    Some(true) => "met",
                    Some(false) => "NOT met",
                    None => "?",
                }
            );
        }
    }
    println!("\n{md_out}");

    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(&cfg.root)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let version = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .output()
            .map(|o| {
                let s = String::from_utf8_lossy(&o.stdout).into_owned()
                    + &String::from_utf8_lossy(&o.stderr);
                s.lines().next().unwrap_or("").trim().to_owned()
            })
            .unwrap_or_default()
    };
    let meta = json!({
        "date": version(&["date", "-Iseconds"]),
        "commit": git(&["rev-parse", "--short", "HEAD"]),
        "dirty": !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty(),
        "lpl": cfg.lpl,
        "quick_messages_per_list": cfg.limit,
        "lists": cfg.lists,
        "peers": cfg.peers,
        "growth": cfg.growth,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "loadavg_before": load_before.trim(),
        "loadavg_after": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "sample_ms": cfg.sample.as_millis() as u64,
        "total_seconds": round(started.elapsed().as_secs_f64(), 1),
        "versions": {
            "notmuch": version(&["notmuch", "--version"]),
            "mu": version(&["mu", "--version"]),
            "mairix": version(&["mairix", "-V"]),
            "git": version(&["git", "--version"]),
        },
    });
    let out = cfg.root.join("target/bench-results");
    std::fs::create_dir_all(&out).expect("results dir");
    let doc = json!({
        "meta": meta,
        "runs": runs.iter().filter(|r| r.part == "lists").map(Run::to_json).collect::<Vec<_>>(),
        "ratios": ratios,
        "growth": {
            "runs": growth_runs.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "generated": generated.iter().map(|g| json!({
                "messages": g.messages, "bytes": g.bytes, "seeds": g.seeds,
                "seconds": round(g.seconds, 1), "cached": g.cached,
            })).collect::<Vec<_>>(),
            "flatness": flat,
        },
        "targets": targets,
        "markdown": md_out,
    });
    std::fs::write(
        out.join("import.json"),
        serde_json::to_string_pretty(&doc).expect("json") + "\n",
    )
    .expect("write results");
    println!("figures written to {}", out.join("import.json").display());
}
