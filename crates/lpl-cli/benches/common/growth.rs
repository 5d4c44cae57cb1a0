//! Synthetic public-inbox epochs for the benches (shared by `import` and
//! `understand`): `../shared/tools/gen_corpus.py` over liburing's history,
//! one corpus per seed (13k to 14.4k messages each), seeds concatenated
//! with each seed's Message-IDs moved to a domain of their own, written
//! with `git fast-import` into `WORK/growth/gen-N.0.git` and cached there
//! (with a `gen-N.json` marker) for every later run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

/// Where the generator runs: the workspace root (for `../shared`) and the
/// bench work directory (for the cache).
pub struct Dirs<'a> {
    pub root: &'a Path,
    pub work: &'a Path,
}

fn sh(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where gen_corpus.py takes its history from: a mirror of liburing.
fn liburing(cfg: &Dirs) -> PathBuf {
    let repo = cfg.work.join("liburing.git");
    if !repo.exists() {
        sh(Command::new("git")
            .args(["clone", "-q", "--mirror"])
            .arg(cfg.root.join("../shared/corpus/git/liburing.bundle"))
            .arg(&repo));
    }
    repo
}

/// gen_corpus.py's fast-import stream for `seed` (cached); the seconds it
/// took when it was made now.
fn seed_stream(cfg: &Dirs, seed: u32) -> (PathBuf, f64) {
    let dir = cfg.work.join("growth");
    std::fs::create_dir_all(&dir).expect("growth dir");
    let f = dir.join(format!("seed-{seed}.fi"));
    if f.exists() {
        return (f, 0.0);
    }
    let repo = liburing(cfg);
    let tmp = f.with_extension("tmp");
    let t = Instant::now();
    // liburing yields 13k to 14.4k messages whatever is asked beyond that.
    sh(Command::new("python3")
        .arg(cfg.root.join("../shared/tools/gen_corpus.py"))
        .arg("--repo")
        .arg(&repo)
        .args(["--messages", "100000", "--seed", &seed.to_string()])
        .arg("--fast-import")
        .arg(&tmp));
    std::fs::rename(&tmp, &f).expect("rename");
    (f, t.elapsed().as_secs_f64())
}

/// The raw messages (blobs) of a fast-import stream.
fn stream_blobs(path: &Path) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).expect("read stream");
    let mut out = Vec::new();
    let (mut i, mut blob) = (0usize, false);
    while i < data.len() {
        let nl = data[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |p| i + p);
        let line = &data[i..nl];
        i = nl + 1;
        if line == b"blob" {
            blob = true;
        } else if line.starts_with(b"commit ") {
            blob = false;
        } else if let Some(n) = line.strip_prefix(b"data ") {
            let n: usize = std::str::from_utf8(n)
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("data length");
            if blob {
                out.push(data[i..i + n].to_vec());
            }
            i += n;
        }
    }
    out
}

fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len() + 256);
    let mut i = 0;
    while let Some(p) = hay[i..].iter().position(|&b| b == from[0]) {
        out.extend_from_slice(&hay[i..i + p]);
        i += p;
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&hay[i..]);
    out
}

/// A synthetic epoch: where it is, what it holds, what it cost to make.
pub struct Generated {
    pub path: PathBuf,
    pub messages: u64,
    /// Raw message bytes.
    pub bytes: u64,
    /// Seconds it took to make (when it was made, if cached).
    pub seconds: f64,
    pub cached: bool,
    pub seeds: u32,
}

/// A public-inbox epoch of `n` synthetic messages (cached): seed 1's
/// corpus, then seed 2's ..., each seed's Message-IDs (and the references
/// to them) moved to a domain of their own.
pub fn synthetic_epoch(cfg: &Dirs, n: u64) -> Generated {
    let dir = cfg.work.join("growth");
    let ep = dir.join(format!("gen-{n}.0.git"));
    let marker = dir.join(format!("gen-{n}.json"));
    if let Some(v) = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .filter(|_| ep.exists())
    {
        let num = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        return Generated {
            path: ep,
            messages: num("messages") as u64,
            bytes: num("bytes") as u64,
            seconds: num("seconds"),
            cached: true,
            seeds: num("seeds") as u32,
        };
    }
    eprintln!("generating {n} messages into {} ...", ep.display());
    let t = Instant::now();
    let _ = std::fs::remove_dir_all(&ep);
    sh(Command::new("git")
        .args(["init", "-q", "--bare", "--initial-branch=master"])
        .arg(&ep));
    let mut fi = Command::new("git")
        .arg("-C")
        .arg(&ep)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let (mut count, mut bytes, mut seed) = (0u64, 0u64, 0u32);
    {
        let mut w = std::io::BufWriter::new(fi.stdin.take().expect("stdin"));
        while count < n {
            seed += 1;
            let (stream, _) = seed_stream(cfg, seed);
            let to = format!("@s{seed}.gen.example.org");
            for raw in stream_blobs(&stream) {
                if count == n {
                    break;
                }
                count += 1;
                let raw = replace_all(&raw, b"@gen.example.org", to.as_bytes());
                bytes += raw.len() as u64;
                let ts = 1_500_000_000 + count * 60;
                let subject = format!("msg {count}");
                write!(
                    w,
                    "commit refs/heads/master\nauthor Gen <gen@example.org> {ts} +0000\ncommitter public-inbox <devel@lists.example.org> {ts} +0000\ndata {}\n{subject}\nM 100644 inline m\ndata {}\n",
                    subject.len(),
                    raw.len()
                )
                .expect("fast-import");
                w.write_all(&raw).expect("fast-import");
                w.write_all(b"\n\n").expect("fast-import");
            }
        }
        w.flush().expect("fast-import");
    }
    assert!(fi.wait().expect("fast-import").success(), "git fast-import");
    let seconds = t.elapsed().as_secs_f64();
    std::fs::write(
        &marker,
        json!({"messages": count, "bytes": bytes, "seconds": (seconds * 10.0).round() / 10.0, "seeds": seed})
            .to_string(),
    )
    .expect("marker");
    eprintln!(
        "  {count} messages, {:.0} MB, {seed} seeds, in {seconds:.1} s",
        bytes as f64 / 1e6
    );
    Generated {
        path: ep,
        messages: count,
        bytes,
        seconds,
        cached: false,
        seeds: seed,
    }
}
