//! `lpl serve` under load: the server's own time per page (its
//! `Server-Timing` header) for the roadmap, series, patch and thread
//! pages, then many concurrent clients for a while, counting errors and
//! watching the process's memory.
//!
//! The archive: `LPL_BENCH_HOME` (any archive home, e.g. the 1M one), or
//! else both real epochs of the shared corpus (cgroups and io-uring,
//! 69,640 messages) imported once into `target/bench-work/web/home`. The
//! notebook: the first user's roadmap (`../shared/seed/roadmap-decoded.md`)
//! with one topic of the archive's series appended, so entry and roadmap
//! pages link series that exist.
//!
//! Knobs: `LPL_BENCH_HOME`, `LPL_BENCH_REQUESTS` (per page kind, default
//! 400), `LPL_BENCH_CLIENTS` (default 50), `LPL_BENCH_SECONDS` (default
//! 30), `LPL_BENCH_WORKERS` (the server's archive threads, default 2).
//! Prints a Markdown table and writes `target/bench-results/serve.json`.

#[path = "../tests/it/http.rs"]
#[allow(dead_code)]
mod http;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lpl_core::Workspace;
use lpl_core::notebook::lore::{MessageId, escape_msgid};
use lpl_core::series::SeriesFilter;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The archive home: given, or both real epochs imported once.
fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("LPL_BENCH_HOME") {
        return PathBuf::from(h);
    }
    let home = root().join("target/bench-work/web/home");
    let done = home.join(".bench-imported");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).expect("home");
        let epochs = vec![
            lpl_testutil::corpus::epoch("cgroups"),
            lpl_testutil::corpus::epoch("io-uring"),
        ];
        let t = Instant::now();
        let mut ws = Workspace::open(&home).expect("workspace");
        let out = ws
            .import(
                &epochs,
                &Default::default(),
                &AtomicBool::new(false),
                &mut |_| {},
            )
            .expect("import");
        eprintln!(
            "imported both epochs into {} in {:.1} s ({} failures)",
            home.display(),
            t.elapsed().as_secs_f64(),
            out.failures.len()
        );
        std::fs::write(&done, b"").expect("marker");
    }
    home
}

fn path_of(mid: &str) -> Option<String> {
    MessageId::new(mid).map(|id| format!("/{}/", escape_msgid(id.as_str())))
}

struct Sample {
    roadmap: Vec<String>,
    series: Vec<String>,
    patch: Vec<String>,
    thread: Vec<String>,
}

/// Up to `n` series with patches, spread over the archive, their first
/// patch and its thread; and a notebook linking the first 30.
fn sample(home: &Path, n: usize, dir: &Path) -> (Sample, PathBuf) {
    let ws = Workspace::open_read_only(home).expect("open");
    let all = ws.series(&SeriesFilter::default()).expect("series");
    let with: Vec<_> = all.iter().filter(|s| s.present >= 1).collect();
    let step = (with.len() / n).max(1);
    let mut s = Sample {
        roadmap: vec!["/".into(), "/timeline".into()],
        series: Vec::new(),
        patch: Vec::new(),
        thread: Vec::new(),
    };
    let mut lines = String::from("\n## series of the benchmark archive\n\n");
    for sum in with.iter().step_by(step).take(n) {
        let Some(sp) = path_of(&sum.message_id) else {
            continue;
        };
        let Ok(v) = ws.series_view(&sum.message_id, None) else {
            continue;
        };
        let Some(p) = v.patches.first().and_then(|p| path_of(&p.message_id)) else {
            continue;
        };
        if s.series.len() < 30 {
            lines.push_str(&format!(
                "- {} [{}](https://lore.kernel.org/all/{}/)\n",
                lpl_core::time::date(sum.date),
                sum.title.replace(['[', ']'], ""),
                sum.message_id
            ));
        }
        s.series
            .push(format!("/series{}", sp.trim_end_matches('/')));
        s.thread.push(format!("{p}T/"));
        s.patch.push(p);
    }
    let seed = root().join("../shared/seed/roadmap-decoded.md");
    let mut text = std::fs::read_to_string(&seed).unwrap_or_default();
    text.push_str(&lines);
    let nb = dir.join("roadmap.md");
    std::fs::write(&nb, text).expect("notebook");
    (s, nb)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn server_ms(r: &http::Resp) -> Option<f64> {
    r.header("server-timing")?
        .split("dur=")
        .nth(1)?
        .parse()
        .ok()
}

/// RSS and anonymous RSS of this process, in MB.
fn rss() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("RssAnon:"))
}

struct Row {
    kind: &'static str,
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    client_p50: f64,
    bytes: f64,
}

fn measure(addr: SocketAddr, kind: &'static str, urls: &[String], n: usize) -> Row {
    let mut server = Vec::with_capacity(n);
    let mut client = Vec::with_capacity(n);
    let mut bytes = 0usize;
    for i in 0..n {
        let u = &urls[i % urls.len()];
        let t = Instant::now();
        let r = http::request(addr, "GET", u, &[], b"");
        client.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, 200, "{u}: {}", r.text());
        server.push(server_ms(&r).expect("server-timing"));
        bytes += r.body.len();
    }
    server.sort_by(f64::total_cmp);
    client.sort_by(f64::total_cmp);
    Row {
        kind,
        n,
        p50: pct(&server, 0.5),
        p90: pct(&server, 0.9),
        p99: pct(&server, 0.99),
        max: *server.last().unwrap_or(&f64::NAN),
        client_p50: pct(&client, 0.5),
        bytes: bytes as f64 / n.max(1) as f64 / 1024.0,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let requests = env_usize("LPL_BENCH_REQUESTS", 400);
    let clients = env_usize("LPL_BENCH_CLIENTS", 50);
    let seconds = env_usize("LPL_BENCH_SECONDS", 30);
    let workers = env_usize("LPL_BENCH_WORKERS", 2);
    let home = home();
    let messages = Workspace::open_read_only(&home)
        .and_then(|ws| ws.stats())
        .map(|s| s.messages)
        .unwrap_or(0);
    let tmp = tempfile::tempdir().expect("tmp");
    let (s, nb) = sample(&home, 200, tmp.path());
    let srv = lpl_web::Server::bind(lpl_web::Config {
        home: home.clone(),
        notebook: Some(nb),
        addr: "127.0.0.1:0".parse().expect("addr"),
        workers,
    })
    .expect("bind")
    .spawn()
    .expect("serve");
    let addr = srv.addr();
    // Warm the caches the way a reader's first clicks would.
    for u in s.roadmap.iter().chain(&s.series).take(20) {
        let _ = http::request(addr, "GET", u, &[], b"");
    }

    println!(
        "\n## lpl serve: {} messages, {workers} archive threads, {requests} requests per kind\n",
        messages
    );
    println!("| page | requests | server p50 ms | p90 | p99 | max | client p50 ms | KiB/page |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for (kind, urls) in [
        ("roadmap", &s.roadmap),
        ("series", &s.series),
        ("patch", &s.patch),
        ("thread", &s.thread),
    ] {
        let r = measure(addr, kind, urls, requests);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} |",
            r.kind, r.n, r.p50, r.p90, r.p99, r.max, r.client_p50, r.bytes
        );
        rows.push(r);
    }

    // Concurrent clients, each cycling through every kind of page.
    let mix: Arc<Vec<String>> = Arc::new(
        s.roadmap
            .iter()
            .chain(&s.series)
            .chain(&s.patch)
            .chain(&s.thread)
            .cloned()
            .collect(),
    );
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let rss0 = rss();
    let mut samples = vec![(0.0, rss0.0, rss0.1)];
    let start = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (mix, ok, errors, stop, first) = (
                mix.clone(),
                ok.clone(),
                errors.clone(),
                stop.clone(),
                first_error.clone(),
            );
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                let mut i = c * 7;
                while !stop.load(Ordering::Relaxed) {
                    let u = &mix[i % mix.len()];
                    i += 1;
                    let t = Instant::now();
                    match http::try_request(addr, "GET", u, &[], b"") {
                        Ok(r) if r.status == 200 => {
                            ok.fetch_add(1, Ordering::Relaxed);
                            lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        Ok(r) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            let mut f = first.lock().unwrap_or_else(|e| e.into_inner());
                            f.get_or_insert_with(|| format!("{u}: HTTP {}", r.status));
                        }
                        Err(e) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            let mut f = first.lock().unwrap_or_else(|e| e.into_inner());
                            f.get_or_insert_with(|| format!("{u}: {e}"));
                        }
                    }
                }
                lat
            })
        })
        .collect();
    while start.elapsed() < Duration::from_secs(seconds as u64) {
        std::thread::sleep(Duration::from_secs(1));
        let (r, a) = rss();
        samples.push((start.elapsed().as_secs_f64(), r, a));
    }
    stop.store(true, Ordering::Relaxed);
    let mut lat: Vec<f64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap_or_default())
        .collect();
    lat.sort_by(f64::total_cmp);
    let wall = start.elapsed().as_secs_f64();
    let (ok, errors) = (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    // Flat: the last third's peak against the first third's peak (after
    // the first seconds, when caches fill).
    let third = samples.len() / 3;
    let peak = |v: &[(f64, f64, f64)]| v.iter().map(|x| x.2).fold(0.0f64, f64::max);
    let early = peak(&samples[1.min(samples.len())..third.max(2).min(samples.len())]);
    let late = peak(&samples[(2 * third).min(samples.len())..]);
    let max_rss = samples.iter().map(|x| x.1).fold(0.0f64, f64::max);
    println!(
        "\n{clients} clients for {wall:.1} s: {ok} pages ({:.0}/s), {errors} errors{}; \
         client latency p50 {:.1} ms, p99 {:.1} ms; RssAnon {:.0} MB before, peak {:.0} MB in the \
         first third, {:.0} MB in the last third (x{:.2}); peak RSS {:.0} MB",
        ok as f64 / wall,
        first_error
            .lock()
            .map(|f| f
                .as_ref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default())
            .unwrap_or_default(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        rss0.1,
        early,
        late,
        late / early.max(1.0),
        max_rss,
    );
    let targets: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: p50 {:.2} ms {} 20, p99 {:.2} ms {} 100",
                r.kind,
                r.p50,
                if r.p50 <= 20.0 { "<=" } else { ">" },
                r.p99,
                if r.p99 <= 100.0 { "<=" } else { ">" }
            )
        })
        .collect();
    println!("targets: {}", targets.join("; "));
    println!(
        "load: {} errors (target 0); memory last third / first third x{:.2} (flat: <= 1.2)",
        errors,
        late / early.max(1.0)
    );

    let json = format!(
        "{{\"messages\":{messages},\"workers\":{workers},\"requests\":{requests},\"pages\":[{}],\
         \"load\":{{\"clients\":{clients},\"seconds\":{wall:.1},\"ok\":{ok},\"errors\":{errors},\
         \"p50_ms\":{:.2},\"p99_ms\":{:.2},\"rss_anon_mb\":[{}]}}}}\n",
        rows.iter()
            .map(|r| format!(
                "{{\"page\":\"{}\",\"n\":{},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\
                 \"max_ms\":{:.3},\"client_p50_ms\":{:.3},\"kib\":{:.1}}}",
                r.kind, r.n, r.p50, r.p90, r.p99, r.max, r.client_p50, r.bytes
            ))
            .collect::<Vec<_>>()
            .join(","),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        samples
            .iter()
            .map(|x| format!("{:.1}", x.2))
            .collect::<Vec<_>>()
            .join(","),
    );
    let out = root().join("target/bench-results");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("serve.json"), json);
}
