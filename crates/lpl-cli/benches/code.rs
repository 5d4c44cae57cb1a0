//! Code index benchmark (issue #17): `lpl code index` against
//! universal-ctags and cscope on the same extracted Linux 6.12 tree, in one
//! run, and the queries as whole processes against cscope's.
//!
//! Indexing (wall seconds and peak RSS through `/usr/bin/time`), each tool
//! from scratch on the same files:
//! - `lpl code index DIR` into a fresh home;
//! - `ctags -R --languages=C --langmap=C:+.h -f OUT .` in DIR;
//! - `cscope -b -q -k -R -f OUT` in DIR.
//!
//! Queries (on the index of each scope), each `LPL_BENCH_RUNS` times as a
//! process: `lpl code def zap_pte_range`, `callers
//! split_page_memcg`, `callers folio_put`, `tree do_madvise --depth 6`,
//! and beside them cscope's `-d -L -1` (definition) and `-d -L -3`
//! (callers) of the same names.
//!
//! Run: `nice -n 5 cargo bench -p lpl-cli --bench code` (release).
//! Knobs: `LPL_BENCH_CODE_SCOPE` (`mm`: mm/ and include/; `all`: the whole
//! tree; default `mm,all`), `LPL_BENCH_RUNS` (30), `LPL_BENCH_CODE_TOOLS`
//! (default `lpl,ctags,cscope`), `LPL_BENCH_CODE_INDEX` (`0`: only query
//! the indexes of a previous run), `LPL_LINUX_SOURCE` (the tarball; default
//! Debian's `/usr/src/linux-source-6.12.tar.xz`). The tree is extracted
//! once into `target/bench-work/code/`. Output: markdown on stdout,
//! everything in `target/bench-results/code.json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

#[path = "common/timed.rs"]
mod common_timed;

/// Wall seconds and peak RSS (KiB) of one process, its stdout.
fn timed(cmd: &mut Command) -> (f64, u64, bool, Vec<u8>) {
    let t = common_timed::timed(cmd, true);
    (t.secs, t.rss, t.ok, t.stdout)
}

fn sh(cmd: &mut Command) {
    let st = cmd.status().expect("run");
    assert!(st.success(), "{cmd:?}");
}

/// The whole tree, extracted once.
fn whole_tree(work: &Path) -> PathBuf {
    let top = work.join("linux-source-6.12");
    let marker = work.join(".extracted");
    if marker.exists() {
        return top;
    }
    let tarball = lpl_testutil::kernel::tarball();
    assert!(
        tarball.exists(),
        "{} is missing (install linux-source-6.12, or set LPL_LINUX_SOURCE)",
        tarball.display()
    );
    let _ = std::fs::remove_dir_all(&top);
    eprintln!("extracting {} ...", tarball.display());
    sh(Command::new("tar")
        .arg("-xJf")
        .arg(&tarball)
        .arg("-C")
        .arg(work));
    std::fs::write(&marker, b"").expect("marker");
    top
}

/// mm/ and include/ (with the top-level files), hard links into the whole
/// tree.
fn mm_tree(work: &Path, whole: &Path) -> PathBuf {
    let top = work.join("mm-include");
    if top.join("include").exists() {
        return top;
    }
    std::fs::create_dir_all(&top).expect("mkdir");
    for part in ["mm", "include", "Kconfig", "Makefile", "MAINTAINERS"] {
        sh(Command::new("cp")
            .arg("-al")
            .arg(whole.join(part))
            .arg(&top));
    }
    top
}

struct Run {
    tool: &'static str,
    secs: f64,
    rss_mb: f64,
    ok: bool,
}

fn index_runs(lpl: &Path, tree: &Path, out: &Path, tools: &[String]) -> Vec<Run> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).expect("mkdir");
    let mut runs = Vec::new();
    let mut push = |tool: &'static str, (secs, rss, ok, _): (f64, u64, bool, Vec<u8>)| {
        eprintln!(
            "  {tool:<7} {secs:>7.2} s  {:>7.1} MB{}",
            rss as f64 / 1024.0,
            if ok { "" } else { "  FAILED" }
        );
        runs.push(Run {
            tool,
            secs,
            rss_mb: rss as f64 / 1024.0,
            ok,
        });
    };
    if tools.iter().any(|t| t == "lpl") {
        let home = out.join("home");
        push(
            "lpl",
            timed(
                Command::new(lpl)
                    .env("LPL_HOME", &home)
                    .env("NO_COLOR", "1")
                    .args(["code", "index", "--name", "v6.12"])
                    .arg(tree),
            ),
        );
    }
    if tools.iter().any(|t| t == "ctags") {
        push(
            "ctags",
            timed(
                Command::new("ctags")
                    .args(["-R", "--languages=C", "--langmap=C:+.h", "-f"])
                    .arg(out.join("tags"))
                    .arg(".")
                    .current_dir(tree),
            ),
        );
    }
    if tools.iter().any(|t| t == "cscope") {
        push(
            "cscope",
            timed(
                Command::new("cscope")
                    .args(["-b", "-q", "-k", "-R", "-f"])
                    .arg(out.join("cscope.out"))
                    .current_dir(tree),
            ),
        );
    }
    runs
}

#[derive(Clone, Copy)]
struct Stats {
    n: usize,
    p50: f64,
    p99: f64,
    max_rss_mb: f64,
    lines: usize,
}

fn repeat(runs: usize, mut make: impl FnMut() -> Command) -> Stats {
    let (mut secs, mut rss) = (Vec::new(), Vec::new());
    let mut lines = 0;
    for _ in 0..runs {
        let (s, r, _, out) = timed(&mut make());
        secs.push(s);
        rss.push(r);
        lines = out.iter().filter(|&&b| b == b'\n').count();
    }
    secs.sort_by(f64::total_cmp);
    let at = |q: f64| secs[((q * secs.len() as f64).ceil() as usize).clamp(1, secs.len()) - 1];
    Stats {
        n: secs.len(),
        p50: at(0.5) * 1000.0,
        p99: at(0.99) * 1000.0,
        max_rss_mb: rss.iter().copied().max().unwrap_or(0) as f64 / 1024.0,
        lines,
    }
}

/// A query: its label, lpl's arguments, cscope's field and name.
type Query = (
    &'static str,
    &'static [&'static str],
    Option<(&'static str, &'static str)>,
);

const QUERIES: &[Query] = &[
    (
        "def zap_pte_range",
        &["def", "zap_pte_range"],
        Some(("-1", "zap_pte_range")),
    ),
    (
        "callers split_page_memcg",
        &["callers", "split_page_memcg"],
        Some(("-3", "split_page_memcg")),
    ),
    (
        "callers folio_put",
        &["callers", "folio_put"],
        Some(("-3", "folio_put")),
    ),
    (
        "tree do_madvise --depth 6",
        &["tree", "do_madvise", "--depth", "6"],
        None,
    ),
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks; nothing to list
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let lpl = PathBuf::from(env!("CARGO_BIN_EXE_lpl"));
    let runs: usize = var("LPL_BENCH_RUNS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let scopes: Vec<String> = var("LPL_BENCH_CODE_SCOPE")
        .unwrap_or_else(|| "mm,all".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let tools: Vec<String> = var("LPL_BENCH_CODE_TOOLS")
        .unwrap_or_else(|| "lpl,ctags,cscope".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    // 0: query the indexes a previous run left, without indexing again.
    let reindex = var("LPL_BENCH_CODE_INDEX").is_none_or(|v| v != "0");
    let work = root.join("target/bench-work/code");
    std::fs::create_dir_all(&work).expect("work dir");
    let whole = whole_tree(&work);
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(&root)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut md = format!(
        "commit {commit}, load average at start {}\n\n| scope | tool | seconds | peak RSS MB |\n|---|---|---|---|\n",
        loadavg
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut json_index = Vec::new();
    let mut indexed = Vec::new();
    for scope in &scopes {
        let tree = match scope.as_str() {
            "mm" => mm_tree(&work, &whole),
            "all" => whole.clone(),
            other => panic!("LPL_BENCH_CODE_SCOPE: {other}? (mm, all)"),
        };
        eprintln!("== index {scope} ({})", tree.display());
        let out = work.join(format!("out-{scope}"));
        let results = if reindex {
            index_runs(&lpl, &tree, &out, &tools)
        } else {
            Vec::new()
        };
        for r in results {
            md += &format!(
                "| {scope} | {} | {:.2}{} | {:.0} |\n",
                r.tool,
                r.secs,
                if r.ok { "" } else { " (failed)" },
                r.rss_mb
            );
            json_index.push(json!({"scope": scope, "tool": r.tool, "seconds": r.secs, "rss_mb": r.rss_mb, "ok": r.ok}));
        }
        indexed.push((scope.clone(), out, tree));
    }
    let mut json_queries = Vec::new();
    md += &format!(
        "\nQueries, {runs} processes each:\n\n| index | query | tool | n | p50 ms | p99 ms | peak RSS MB | output lines |\n|---|---|---|---|---|---|---|---|\n"
    );
    for (scope, out, tree) in indexed {
        let home = out.join("home");
        let mut report = |label: &str, tool: &str, st: Stats| {
            eprintln!(
                "  {scope:<4} {tool:<12} {label:<28} p50 {:>7.1} ms  p99 {:>7.1} ms",
                st.p50, st.p99
            );
            md += &format!(
                "| {scope} | {label} | {tool} | {} | {:.1} | {:.1} | {:.1} | {} |\n",
                st.n, st.p50, st.p99, st.max_rss_mb, st.lines
            );
            json_queries.push(json!({"index": scope, "query": label, "tool": tool, "n": st.n, "p50_ms": st.p50, "p99_ms": st.p99, "rss_mb": st.max_rss_mb, "lines": st.lines}));
        };
        for (label, args, cs) in QUERIES {
            if tools.iter().any(|t| t == "lpl") {
                let st = repeat(runs, || {
                    let mut c = Command::new(&lpl);
                    c.env("LPL_HOME", &home)
                        .env("NO_COLOR", "1")
                        .arg("code")
                        .args(*args);
                    c
                });
                report(label, "lpl", st);
            }
            if let Some((field, name)) = cs
                && tools.iter().any(|t| t == "cscope")
            {
                let st = repeat(runs, || {
                    let mut c = Command::new("cscope");
                    c.args(["-d", "-L", field, name, "-f"])
                        .arg(out.join("cscope.out"))
                        .current_dir(&tree);
                    c
                });
                report(label, &format!("cscope -L {field}"), st);
            }
        }
    }
    println!("{md}");
    let dir = root.join("target/bench-results");
    std::fs::create_dir_all(&dir).expect("results dir");
    let mut f = std::fs::File::create(dir.join("code.json")).expect("results");
    writeln!(
        f,
        "{}",
        json!({"commit": commit, "loadavg": loadavg.trim(), "runs": runs, "index": json_index, "queries": json_queries})
    )
    .expect("write results");
}
