//! Import benchmark: `lpl import` of the real cgroups and io-uring epochs,
//! cold, side by side in one run with `notmuch new`, `mu index` and
//! `mairix` over the same messages exported to a Maildir.
//!
//! Run: `cargo bench -p lpl-cli --bench import` (release build). Needs
//! `../shared/corpus`, git, and the peers (Debian: notmuch maildir-utils
//! mairix); a missing peer is reported and left out. Work files go to
//! `$LPL_BENCH_DIR` (default `target/bench-work`); figures are printed and
//! written to `target/bench-results/import.json`.
//!
//! Each tool runs under `/usr/bin/time -v` for wall time and peak RSS.
//! Caches: every tool gets a fresh database; the page cache is warm for
//! all of them alike (each input is read once before timing).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Run {
    tool: String,
    input: String,
    messages: u64,
    bytes: u64,
    seconds: f64,
    peak_rss_mb: f64,
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

/// Runs `cmd` under /usr/bin/time -v; returns (seconds, peak RSS MB).
fn timed(cmd: &[&str], env: &[(&str, &Path)]) -> Option<(f64, f64)> {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-v").args(cmd);
    for (k, v) in env {
        c.env(k, v);
    }
    let t = Instant::now();
    let out = c.output().ok()?;
    let secs = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!(
            "  {} failed: {}",
            cmd[0],
            err.lines().rev().take(12).collect::<Vec<_>>().join(" | ")
        );
        return None;
    }
    let rss_kb: f64 = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    Some((secs, rss_kb / 1024.0))
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
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
    let tmp = maildir.join("revs.txt");
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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/corpus/lists");
    if !shared.exists() {
        eprintln!("bench: {} is missing; nothing to measure", shared.display());
        return;
    }
    let work = std::env::var_os("LPL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-work"));
    std::fs::create_dir_all(&work).expect("work dir");
    let lpl = env!("CARGO_BIN_EXE_lpl");
    let mut runs: Vec<Run> = Vec::new();
    let lists = ["cgroups", "io-uring"];
    let mut epochs = Vec::new();
    for list in lists {
        let ep = work.join(format!("{list}.0.git"));
        if !ep.exists() {
            let b = shared.join(format!("{list}.vger.kernel.org.0.bundle"));
            sh(Command::new("git")
                .args(["clone", "-q", "--mirror"])
                .arg(&b)
                .arg(&ep));
        }
        epochs.push(ep);
    }
    // One Maildir with both epochs (for the peers and for lpl alike).
    // mu and notmuch index tens of messages per second on this machine:
    // LPL_BENCH_MESSAGES=N puts only the first N messages of each list in
    // the Maildir that every tool (lpl too) indexes side by side.
    let limit: Option<usize> = std::env::var("LPL_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok());
    let maildir = work.join(match limit {
        Some(n) => format!("maildir-{n}"),
        None => "maildir".to_owned(),
    });
    let (mut n_all, mut b_all) = (0u64, 0u64);
    let counts_file = maildir.with_extension("counts");
    if let Ok(s) = std::fs::read_to_string(&counts_file) {
        let v: Vec<u64> = s
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if v.len() == 2 {
            (n_all, b_all) = (v[0], v[1]);
        }
    }
    if n_all == 0 {
        let _ = std::fs::remove_dir_all(&maildir);
        for (list, ep) in lists.iter().zip(&epochs) {
            let (n, b) = export_maildir(ep, &maildir.join(list), limit);
            n_all += n;
            b_all += b;
        }
        std::fs::write(&counts_file, format!("{n_all} {b_all}")).expect("write counts");
    }
    // Warm the page cache for everyone.
    sh(Command::new("sh").arg("-c").arg(format!(
        "find {} {} -type f -print0 | xargs -0 cat > /dev/null",
        maildir.display(),
        work.display()
    )));

    // lpl: each epoch cold (fresh home), then both epochs into one home, then the Maildir.
    for (list, ep) in lists.iter().zip(&epochs) {
        let home = work.join(format!("home-{list}"));
        let _ = std::fs::remove_dir_all(&home);
        let n: u64 = sh(Command::new("git")
            .arg("-C")
            .arg(ep)
            .args(["rev-list", "--count", "--all"]))
        .trim()
        .parse()
        .unwrap_or(0);
        let bytes: u64 = sh(Command::new("sh").arg("-c").arg(format!(
            "git -C {} rev-list --all | sed 's/$/:m/' | git -C {} cat-file --batch-check='%(objectsize)' | awk '{{s+=$1}} END {{print s}}'",
            ep.display(),
            ep.display()
        )))
        .trim()
        .parse()
        .unwrap_or(0);
        if let Some((s, rss)) = timed(
            &[lpl, "import", "--no-index", &ep.to_string_lossy()],
            &[("LPL_HOME", &home)],
        ) {
            runs.push(Run {
                tool: "lpl import --no-index".into(),
                input: format!("{list} epoch (git)"),
                messages: n,
                bytes,
                seconds: s,
                peak_rss_mb: rss,
            });
        }
        let _ = std::fs::remove_dir_all(&home);
        if let Some((s, rss)) = timed(
            &[lpl, "import", &ep.to_string_lossy()],
            &[("LPL_HOME", &home)],
        ) {
            runs.push(Run {
                tool: "lpl import".into(),
                input: format!("{list} epoch (git)"),
                messages: n,
                bytes,
                seconds: s,
                peak_rss_mb: rss,
            });
        }
    }
    let home = work.join("home-maildir");
    let _ = std::fs::remove_dir_all(&home);
    if let Some((s, rss)) = timed(
        &[
            lpl,
            "import",
            &maildir.join("cgroups").to_string_lossy(),
            &maildir.join("io-uring").to_string_lossy(),
        ],
        &[("LPL_HOME", &home)],
    ) {
        runs.push(Run {
            tool: "lpl import".into(),
            input: "both, Maildir".into(),
            messages: n_all,
            bytes: b_all,
            seconds: s,
            peak_rss_mb: rss,
        });
    }

    // notmuch new
    if have("notmuch") {
        let cfg = work.join("notmuch-config");
        let db = maildir.join(".notmuch");
        let _ = std::fs::remove_dir_all(&db);
        std::fs::write(
            &cfg,
            format!(
                "[database]\npath={}\n[new]\ntags=new\n[maildir]\nsynchronize_flags=false\n",
                maildir.display()
            ),
        )
        .expect("cfg");
        if let Some((s, rss)) = timed(&["notmuch", "new", "--quiet"], &[("NOTMUCH_CONFIG", &cfg)]) {
            runs.push(Run {
                tool: "notmuch new".into(),
                input: "both, Maildir".into(),
                messages: n_all,
                bytes: b_all,
                seconds: s,
                peak_rss_mb: rss,
            });
        }
        let _ = std::fs::remove_dir_all(&db);
    } else {
        eprintln!("bench: notmuch not installed (apt-get install notmuch); left out");
    }
    // mu index
    if have("mu") {
        let muhome = work.join("mu-home");
        let _ = std::fs::remove_dir_all(&muhome);
        let md = maildir.to_string_lossy().into_owned();
        let mh = format!("--muhome={}", muhome.display());
        if timed(&["mu", "init", &mh, &format!("--maildir={md}")], &[]).is_some()
            && let Some((s, rss)) = timed(&["mu", "index", &mh, "--quiet"], &[])
        {
            runs.push(Run {
                tool: "mu index".into(),
                input: "both, Maildir".into(),
                messages: n_all,
                bytes: b_all,
                seconds: s,
                peak_rss_mb: rss,
            });
        }
    } else {
        eprintln!("bench: mu not installed (apt-get install maildir-utils); left out");
    }
    // mairix
    if have("mairix") {
        let rc = work.join("mairixrc");
        let db = work.join("mairix.db");
        let _ = std::fs::remove_file(&db);
        std::fs::write(
            &rc,
            format!(
                "base={}\nmaildir=cgroups...:io-uring...\nmfolder={}/mairix-results\ndatabase={}\n",
                maildir.display(),
                work.display(),
                db.display()
            ),
        )
        .expect("rc");
        if let Some((s, rss)) = timed(&["mairix", "-f", &rc.to_string_lossy()], &[]) {
            runs.push(Run {
                tool: "mairix".into(),
                input: "both, Maildir".into(),
                messages: n_all,
                bytes: b_all,
                seconds: s,
                peak_rss_mb: rss,
            });
        }
    }

    println!(
        "\n{:<14} {:<22} {:>8} {:>9} {:>10} {:>8} {:>10}",
        "tool", "input", "msgs", "seconds", "msgs/s", "MB/s", "peak RSS"
    );
    for r in &runs {
        println!(
            "{:<22} {:<22} {:>8} {:>9.2} {:>10.0} {:>8.1} {:>7.0} MB",
            r.tool,
            r.input,
            r.messages,
            r.seconds,
            r.messages as f64 / r.seconds,
            r.bytes as f64 / 1e6 / r.seconds,
            r.peak_rss_mb
        );
    }
    let rate = |tool: &str, input: &str| {
        runs.iter()
            .find(|r| r.tool == tool && r.input == input)
            .map(|r| r.messages as f64 / r.seconds)
    };
    let ours = rate("lpl import", "both, Maildir");
    let mut ratios = Vec::new();
    for peer in ["mu index", "notmuch new", "mairix"] {
        if let (Some(a), Some(b)) = (ours, rate(peer, "both, Maildir")) {
            println!("lpl import / {peer}: {:.1}x the messages/s", a / b);
            ratios.push(format!("\"{peer}\": {:.2}", a / b));
        }
    }
    let json_runs: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "{{\"tool\": \"{}\", \"input\": \"{}\", \"messages\": {}, \"bytes\": {}, \"seconds\": {:.3}, \"msgs_per_s\": {:.1}, \"mb_per_s\": {:.2}, \"peak_rss_mb\": {:.1}}}",
                r.tool,
                r.input,
                r.messages,
                r.bytes,
                r.seconds,
                r.messages as f64 / r.seconds,
                r.bytes as f64 / 1e6 / r.seconds,
                r.peak_rss_mb
            )
        })
        .collect();
    let out = root.join("target/bench-results");
    std::fs::create_dir_all(&out).expect("results dir");
    std::fs::write(
        out.join("import.json"),
        format!(
            "{{\"runs\": [\n  {}\n], \"lpl_over_peer\": {{{}}}}}\n",
            json_runs.join(",\n  "),
            ratios.join(", ")
        ),
    )
    .expect("write results");
    println!("figures written to {}", out.join("import.json").display());
}
