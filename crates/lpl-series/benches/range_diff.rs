//! Range-diff of every consecutive pair of complete revisions in both
//! corpus epochs (cgroups, io-uring), from the mail; and, in the same run,
//! lpl against `git range-diff` on pairs of liburing ranges (a window of 8
//! patches against the window one patch later: one dropped, one added).
//!
//! Run: `cargo bench -p lpl-series --bench range_diff`
//! (clones the bundles into `$TMPDIR/lpl-series-bench` on first run).
//! Figures: per pair, the time from parsed patches to git's full output
//! (texts, pairing, diffs of diffs rendered); mail parsing is reported on
//! its own.

#[path = "epoch_loader.rs"]
mod epoch_loader;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lpl_series::range_diff::{self, MailCommit, PatchText, RenderOptions, Side, Status};

struct Range {
    texts: Vec<PatchText>,
    numbers: Vec<u32>,
    labels: Vec<String>,
    subjects: Vec<String>,
}

impl Range {
    fn from(commits: Vec<MailCommit>, numbers: Vec<u32>, labels: Vec<String>) -> Range {
        Range {
            subjects: commits.iter().map(|c| c.subject.clone()).collect(),
            texts: commits.into_iter().map(|c| c.text).collect(),
            numbers,
            labels,
        }
    }
    fn side(&self) -> Side<'_> {
        Side {
            texts: &self.texts,
            numbers: &self.numbers,
            labels: &self.labels,
            subjects: &self.subjects,
        }
    }
}

/// Pairing, order and git's full output (plain) of one pair.
fn range_diff(a: &Range, b: &Range) -> (String, Vec<range_diff::Entry>) {
    let corr = range_diff::correspond(&a.texts, &b.texts, range_diff::CREATION_FACTOR_DEFAULT);
    let entries = range_diff::entries(&a.texts, &b.texts, &corr);
    let out = range_diff::render(a.side(), b.side(), &entries, &RenderOptions::default());
    (out, entries)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let total: Duration = times.iter().sum();
    println!(
        "{name}: {} pairs, total {:.3?}, mean {:.3?}, p50 {:.3?}, p99 {:.3?}, max {:.3?}",
        times.len(),
        total,
        total / times.len().max(1) as u32,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default()
    );
}

fn epoch(name: &str, scratch: &Path) {
    let Some(repo) = epoch_loader::epoch_repo(name, scratch) else {
        println!("{name}: corpus epoch not available");
        return;
    };
    let (metas, positions) = epoch_loader::load_epoch_positions(&repo);
    let analysis = lpl_series::analyse(&metas, &[]);
    let revs = &analysis.assembly.revisions;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for chain in &analysis.chains.chains {
        for w in chain.windows(2) {
            if revs[w[0]].is_complete() && revs[w[1]].is_complete() {
                pairs.push((w[0], w[1]));
            }
        }
    }
    let wanted: HashSet<usize> = pairs
        .iter()
        .flat_map(|&(a, b)| revs[a].patches.iter().chain(&revs[b].patches))
        .map(|p| positions[p.message])
        .collect();
    let raws = epoch_loader::raws_at(&repo, &wanted);
    let t = Instant::now();
    let mut commits: HashMap<usize, Option<MailCommit>> = HashMap::new();
    for &pos in &wanted {
        let m = lpl_mail::parse(&raws[&pos]).message;
        commits.insert(pos, range_diff::commit_of(&m).ok());
    }
    let parse_time = t.elapsed();
    let range = |r: usize| {
        let mut cs = Vec::new();
        let mut numbers = Vec::new();
        let mut labels = Vec::new();
        for p in &revs[r].patches {
            if let Some(Some(c)) = commits.get(&positions[p.message]) {
                cs.push(c.clone());
                numbers.push(p.counter);
                labels.push(metas[p.message].message_id.short_id());
            }
        }
        Range::from(cs, numbers, labels)
    };
    let mut times = Vec::new();
    let mut series_times = Vec::new();
    let (mut paired, mut renamed, mut patches) = (0usize, 0usize, 0usize);
    let (mut s_paired, mut s_renamed, mut s_pairs) = (0usize, 0usize, 0usize);
    let mut statuses = [0usize; 4];
    for &(a, b) in &pairs {
        let series = revs[a].kind == lpl_series::SeriesKind::Series
            && revs[b].kind == lpl_series::SeriesKind::Series;
        let (ra, rb) = (range(a), range(b));
        patches += ra.texts.len() + rb.texts.len();
        let t = Instant::now();
        let (out, entries) = range_diff(&ra, &rb);
        let took = t.elapsed();
        times.push(took);
        std::hint::black_box(out);
        if series {
            series_times.push(took);
            s_pairs += 1;
        }
        for e in &entries {
            statuses[match e.status {
                Status::Equal => 0,
                Status::Changed => 1,
                Status::Removed => 2,
                Status::Added => 3,
            }] += 1;
            if let (Some(i), Some(j)) = (e.a, e.b) {
                let norm = lpl_mail::subject::normalize_title;
                let changed = usize::from(norm(&ra.subjects[i]) != norm(&rb.subjects[j]));
                paired += 1;
                renamed += changed;
                if series {
                    s_paired += 1;
                    s_renamed += changed;
                }
            }
        }
    }
    println!(
        "{name}: {} messages; {} consecutive complete revision pairs ({s_pairs} of multi-patch series), {patches} patches; mail parsed in {parse_time:.2?}",
        metas.len(),
        pairs.len()
    );
    println!(
        "{name}: {paired} patch pairings, {renamed} of them between patches whose subject changed (series pairs only: {s_paired}, {s_renamed}); = {} ! {} < {} > {}",
        statuses[0], statuses[1], statuses[2], statuses[3]
    );
    report(&format!("{name} lpl range-diff, all pairs"), times);
    report(
        &format!("{name} lpl range-diff, series pairs"),
        series_times,
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The range as mail, and the time spent parsing it (format-patch not counted).
fn mail_range(dir: &Path, range: &str, out: &Path) -> (Range, Duration) {
    let _ = std::fs::remove_dir_all(out);
    git(
        dir,
        &["format-patch", "-q", "-o", &out.to_string_lossy(), range],
    );
    let mut files: Vec<_> = std::fs::read_dir(out)
        .expect("patches")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut commits = Vec::new();
    let mut labels = Vec::new();
    let mut parse = Duration::ZERO;
    for f in files {
        let raw = std::fs::read(&f).expect("patch");
        let sha = String::from_utf8_lossy(&raw[5..45]).into_owned();
        labels.push(git(dir, &["rev-parse", "--short", &sha]).trim().to_owned());
        let t = Instant::now();
        commits.push(range_diff::commit_of(&lpl_mail::parse(&raw).message).expect("a patch"));
        parse += t.elapsed();
    }
    let n = commits.len() as u32;
    (Range::from(commits, (1..=n).collect(), labels), parse)
}

fn liburing(scratch: &Path) {
    let Some(bundle) = epoch_loader::corpus_dir().map(|c| c.join("git/liburing.bundle")) else {
        return;
    };
    let dir = scratch.join("liburing");
    if !dir.exists() {
        let st = Command::new("git")
            .args(["clone", "-q", "--bare"])
            .arg(&bundle)
            .arg(&dir)
            .status()
            .expect("clone");
        assert!(st.success());
    }
    let lines = git(
        &dir,
        &[
            "rev-list",
            "--first-parent",
            "--parents",
            "-n",
            "3000",
            "HEAD",
        ],
    );
    let mut runs: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for l in lines.lines() {
        let ids: Vec<&str> = l.split(' ').collect();
        if ids.len() == 2 {
            cur.push(ids[0].to_owned());
            if cur.len() == 10 {
                cur.reverse();
                runs.push(std::mem::take(&mut cur));
            }
        } else {
            cur.clear();
        }
    }
    let tmp = scratch.join("liburing-patches");
    let (mut lpl_times, mut git_times, mut parse_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut same = 0;
    for run in runs.iter().take(40) {
        let old = format!("{}..{}", run[0], run[8]);
        let new = format!("{}..{}", run[1], run[9]);
        let (a, pa) = mail_range(&dir, &old, &tmp.join("a"));
        let (b, pb) = mail_range(&dir, &new, &tmp.join("b"));
        parse_times.push(pa + pb);
        let t = Instant::now();
        let (ours, _) = range_diff(&a, &b);
        lpl_times.push(t.elapsed());
        let t = Instant::now();
        let theirs = git(
            &dir,
            &[
                "-c",
                "log.mailmap=false",
                "range-diff",
                "--no-color",
                &old,
                &new,
            ],
        );
        git_times.push(t.elapsed());
        same += usize::from(ours == theirs);
    }
    let total = |v: &[Duration]| v.iter().sum::<Duration>();
    println!(
        "liburing: {} range pairs (8 patches against the next 8), lpl output identical to git's in {same}",
        lpl_times.len()
    );
    report("liburing lpl range-diff", lpl_times.clone());
    report("liburing git range-diff", git_times.clone());
    let with_parse: Vec<Duration> = lpl_times
        .iter()
        .zip(&parse_times)
        .map(|(a, b)| *a + *b)
        .collect();
    report("liburing lpl mail parsing + range-diff", with_parse.clone());
    println!(
        "liburing: git range-diff / lpl = {:.1}x; / lpl with mail parsing = {:.1}x",
        total(&git_times).as_secs_f64() / total(&lpl_times).as_secs_f64().max(1e-9),
        total(&git_times).as_secs_f64() / total(&with_parse).as_secs_f64().max(1e-9)
    );
}

fn main() {
    let scratch = std::env::temp_dir().join("lpl-series-bench");
    epoch("cgroups.vger.kernel.org.0", &scratch);
    epoch("io-uring.vger.kernel.org.0", &scratch);
    liburing(&scratch);
}
