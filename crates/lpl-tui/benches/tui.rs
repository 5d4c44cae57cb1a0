//! How fast `lpl tui` answers, on a real archive: start-up to the first
//! complete screen, and key press to the next complete screen when opening
//! a series (Enter on the series list) and a patch (Enter on a series'
//! first patch).
//!
//! "Complete" means every answer the key asked for has come back from the
//! worker thread and the frame is drawn (80x24, ratatui's `TestBackend`:
//! the layout and diff work of a real draw, without the bytes written to a
//! terminal). Start-up runs from opening the archive read-only to that
//! first frame, in two forms: on the seed roadmap (the first user's,
//! checked against the archive) and on the series list (no roadmap); and
//! the first frame with the roadmap's text before the check's badges.
//!
//! The archive: both corpus epochs (cgroups 36,146 and io-uring 33,494
//! messages) imported once into `target/bench-work/tui/home-70k` (reused
//! while its `complete` marker exists), or the home `LPL_BENCH_HOME` names
//! (the 1M-message archive, say). The page cache is warm (the import just
//! read everything); nothing else is cached between samples, and every
//! series opened is a different one, spread evenly over the list.
//!
//!     cargo bench -p lpl-tui --bench tui
//!     LPL_BENCH_SAMPLES=50 cargo bench -p lpl-tui --bench tui   # quicker
//!     LPL_BENCH_HOME=/path/to/home cargo bench -p lpl-tui --bench tui
//!
//! Prints a markdown table and writes every sample to
//! `target/bench-results/tui.json`. Targets (issue 18): open a series or a
//! patch p99 <= 50 ms; start-up <= 200 ms.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use lpl_core::Workspace;
use lpl_core::import::ImportOptions;
use lpl_tui::{App, Options};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const W: u16 = 80;
const H: u16 = 24;
const TIMEOUT: Duration = Duration::from_secs(600);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The archive to read: `LPL_BENCH_HOME`, else both epochs imported once.
fn home(root: &Path) -> PathBuf {
    if let Some(h) = std::env::var_os("LPL_BENCH_HOME") {
        return PathBuf::from(h);
    }
    let home = root.join("target/bench-work/tui/home-70k");
    if home.join("complete").exists() {
        return home;
    }
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("create the bench home");
    let epochs = [
        lpl_testutil::corpus::epoch("cgroups"),
        lpl_testutil::corpus::epoch("io-uring"),
    ];
    eprintln!("importing both corpus epochs into {} …", home.display());
    let t = Instant::now();
    let mut ws = Workspace::open(&home).expect("open the bench home");
    let out = ws
        .import(
            &epochs,
            &ImportOptions::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .expect("import the epochs");
    assert!(
        out.failures.is_empty(),
        "import failures: {:?}",
        out.failures
    );
    eprintln!(
        "imported {} messages in {:.1?}",
        out.store.messages,
        t.elapsed()
    );
    drop(ws);
    std::fs::write(home.join("complete"), b"").expect("mark the bench home");
    home
}

fn key(a: &mut App, code: KeyCode) {
    a.key(KeyEvent::new(code, KeyModifiers::NONE));
    assert!(a.settle(TIMEOUT), "the worker did not answer");
}

fn draw(t: &mut Terminal<TestBackend>, a: &mut App) {
    t.draw(|f| lpl_tui::draw(f, a)).expect("draw");
}

/// Key press to the next complete frame.
fn timed(t: &mut Terminal<TestBackend>, a: &mut App, code: KeyCode) -> Duration {
    let t0 = Instant::now();
    a.key(KeyEvent::new(code, KeyModifiers::NONE));
    assert!(a.settle(TIMEOUT), "the worker did not answer");
    draw(t, a);
    t0.elapsed()
}

/// Start-up: open the archive, start the app, first complete frame.
fn start(home: &Path, notebook: Option<PathBuf>) -> (Duration, App) {
    let t0 = Instant::now();
    let ws = Workspace::open_read_only(home).expect("open the archive read-only");
    let mut a = App::new(ws, Options::new(notebook, std::env::temp_dir()).color(true));
    assert!(a.settle(TIMEOUT), "the worker did not answer");
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    draw(&mut t, &mut a);
    (t0.elapsed(), a)
}

/// Start-up to the first frame with the roadmap's text on it (its badges
/// still to come from the check against the archive).
fn first_paint(home: &Path, notebook: PathBuf) -> Duration {
    let t0 = Instant::now();
    let ws = Workspace::open_read_only(home).expect("open the archive read-only");
    let mut a = App::new(
        ws,
        Options::new(Some(notebook), std::env::temp_dir()).color(true),
    );
    while a.rows() == 0 {
        a.poll();
        std::thread::sleep(Duration::from_micros(100));
    }
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    draw(&mut t, &mut a);
    let d = t0.elapsed();
    assert!(a.settle(TIMEOUT), "the worker did not answer");
    d
}

struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

/// Nearest-rank percentiles, in milliseconds.
fn stats(d: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = d.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    let at = |p: f64| {
        if n == 0 {
            return f64::NAN;
        }
        let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        ms[i]
    };
    Stats {
        n,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: at(1.0),
        mean: if n == 0 {
            f64::NAN
        } else {
            ms.iter().sum::<f64>() / n as f64
        },
    }
}

fn json_ms(d: &[Duration]) -> String {
    let v: Vec<String> = d
        .iter()
        .map(|d| format!("{:.3}", d.as_secs_f64() * 1e3))
        .collect();
    format!("[{}]", v.join(","))
}

fn main() {
    let root = lpl_testutil::workspace_root();
    let home = home(&root);
    let samples = env_usize("LPL_BENCH_SAMPLES", 300);
    let starts = env_usize("LPL_BENCH_STARTS", 10);
    let roadmap = root.join("crates/lpl-notebook/tests/data/seed/roadmap-decoded.md");
    let messages = Workspace::open_read_only(&home)
        .and_then(|w| w.stats())
        .map(|s| s.messages)
        .expect("archive stats");
    println!(
        "archive: {} ({messages} messages); {W}x{H}; {samples} series, {starts} start-ups each way",
        home.display()
    );

    // Start-up, on the roadmap and on the series list.
    let mut start_roadmap = Vec::new();
    let mut start_list = Vec::new();
    let mut paint_roadmap = Vec::new();
    for _ in 0..starts {
        paint_roadmap.push(first_paint(&home, roadmap.clone()));
        start_roadmap.push(start(&home, Some(roadmap.clone())).0);
        start_list.push(start(&home, None).0);
    }

    // Open series and patches, from one app on the series list.
    let (_, mut a) = start(&home, None);
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    draw(&mut t, &mut a);
    // The list reads its rows a page at a time as the cursor moves down
    // (the `j` presses below wait for them): spread the samples over the
    // archive's whole list.
    assert!(a.rows() > 0, "the archive has no series");
    let rows = Workspace::open_read_only(&home)
        .and_then(|w| w.series(&Default::default()))
        .map(|l| l.len())
        .expect("the series list");
    let n = samples.min(rows);
    let mut series = Vec::new();
    let mut patches = Vec::new();
    let mut failed = 0usize;
    let mut at = 0usize;
    for i in 0..n {
        let want = i * rows / n;
        for _ in at..want {
            key(&mut a, KeyCode::Char('j'));
        }
        at = want;
        series.push(timed(&mut t, &mut a, KeyCode::Enter));
        if a.depth() != 2 || a.rows() == 0 {
            failed += 1;
            let buf = t.backend().buffer();
            let text: String = (0..H)
                .map(|y| (0..W).map(|x| buf[(x, y)].symbol()).collect::<String>())
                .map(|l| l.trim_end().to_owned())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" | ");
            println!("series row {want} did not open: {text}");
            while a.depth() > 1 {
                key(&mut a, KeyCode::Char('q'));
            }
            continue;
        }
        // Revisions, Patches, the first patch.
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Char('j'));
        let d = timed(&mut t, &mut a, KeyCode::Enter);
        if a.depth() == 3 {
            patches.push(d);
        }
        while a.depth() > 1 {
            key(&mut a, KeyCode::Char('q'));
        }
    }

    let rows_out = [
        // Start-up's target holds for every start; a key's for its p99.
        (
            "start-up, roadmap (seed) to first screen",
            &start_roadmap,
            200.0,
            true,
        ),
        (
            "start-up, series list to first screen",
            &start_list,
            200.0,
            true,
        ),
        (
            "start-up, roadmap text before its badges",
            &paint_roadmap,
            200.0,
            true,
        ),
        (
            "Enter on the series list: open a series",
            &series,
            50.0,
            false,
        ),
        (
            "Enter on a series: open its first patch",
            &patches,
            50.0,
            false,
        ),
    ];
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| what | n | p50 ms | p90 ms | p99 ms | max ms | mean ms | target | met |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
    let mut json = format!(
        "{{\"archive\":{:?},\"messages\":{messages},\"terminal\":\"{W}x{H}\",\"series_rows\":{rows},\"failed_opens\":{failed},\"runs\":[",
        home.display().to_string()
    );
    for (i, (what, d, target, by_max)) in rows_out.iter().enumerate() {
        let s = stats(d);
        let judged = if *by_max { s.max } else { s.p99 };
        let met = if judged <= *target { "met" } else { "NOT met" };
        let _ = writeln!(
            md,
            "| {what} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} {target:.0} ms | {met} |",
            s.n,
            s.p50,
            s.p90,
            s.p99,
            s.max,
            s.mean,
            if *by_max { "max <=" } else { "p99 <=" },
        );
        if i > 0 {
            json.push(',');
        }
        let _ = write!(
            json,
            "{{\"what\":{what:?},\"target_ms\":{target},\"met\":{},\"p50\":{:.3},\"p90\":{:.3},\"p99\":{:.3},\"max\":{:.3},\"ms\":{}}}",
            met == "met",
            s.p50,
            s.p90,
            s.p99,
            s.max,
            json_ms(d)
        );
    }
    json.push_str("]}\n");
    println!("\n{md}");
    if failed > 0 {
        println!("{failed} series did not open (their view showed an error)");
    }
    let out = root.join("target/bench-results");
    std::fs::create_dir_all(&out).expect("create target/bench-results");
    let path = out.join("tui.json");
    std::fs::write(&path, json).expect("write the results");
    println!("wrote {}", path.display());
}
