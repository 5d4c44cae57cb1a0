//! Read a public-inbox v2 epoch (a bare git repository) with the `git`
//! CLI and turn every message into series input. Shared by the bench and
//! the examples.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The corpus directory.
pub fn corpus_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|c| c.join("lists").is_dir())
}

/// Clone an epoch bundle (once) into `scratch` and return the repo path.
pub fn epoch_repo(name: &str, scratch: &Path) -> Option<PathBuf> {
    let bundle = corpus_dir()?.join("lists").join(format!("{name}.bundle"));
    if !bundle.is_file() {
        return None;
    }
    let dest = scratch.join(format!("{name}.git"));
    if !dest.exists() {
        std::fs::create_dir_all(scratch).ok()?;
        let st = Command::new("git")
            .args(["-c", "init.defaultBranch=main", "clone", "-q", "--mirror"])
            .arg(&bundle)
            .arg(&dest)
            .status()
            .ok()?;
        if !st.success() {
            return None;
        }
    }
    Some(dest)
}

/// Every raw message of the epoch, oldest first, passed to `f`.
pub fn for_each_raw(repo: &Path, mut f: impl FnMut(&[u8])) {
    let revs = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["rev-list", "--reverse", "--all"])
        .output()
        .expect("git rev-list");
    let list = String::from_utf8_lossy(&revs.stdout).into_owned();
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git cat-file");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        for c in list.lines() {
            let _ = writeln!(stdin, "{c}:m");
        }
    });
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().expect("stdout"));
    let mut header = String::new();
    let mut buf = Vec::new();
    loop {
        header.clear();
        if out.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        let parts: Vec<&str> = header.split_whitespace().collect();
        if parts.len() != 3 {
            continue; // `missing` (a deletion commit has `d`, not `m`)
        }
        let size: usize = parts[2].parse().unwrap_or(0);
        buf.resize(size + 1, 0);
        if out.read_exact(&mut buf).is_err() {
            break;
        }
        f(&buf[..size]);
    }
    let _ = writer.join();
    let _ = child.wait();
}

/// Parse every message of an epoch into series input.
pub fn load_epoch(repo: &Path) -> Vec<lpl_series::MessageMeta> {
    let mut out = Vec::new();
    for_each_raw(repo, |raw| {
        let m = lpl_mail::parse(raw).message;
        if let Some(meta) = lpl_series::MessageMeta::from_message(&m) {
            out.push(meta);
        }
    });
    out
}

/// Parse an epoch; also return, for each input message, its position in
/// the raw stream of [`for_each_raw`] (messages without a Message-ID are
/// skipped, so the two differ).
pub fn load_epoch_positions(repo: &Path) -> (Vec<lpl_series::MessageMeta>, Vec<usize>) {
    let mut out = Vec::new();
    let mut pos = Vec::new();
    let mut k = 0usize;
    for_each_raw(repo, |raw| {
        let m = lpl_mail::parse(raw).message;
        if let Some(meta) = lpl_series::MessageMeta::from_message(&m) {
            out.push(meta);
            pos.push(k);
        }
        k += 1;
    });
    (out, pos)
}

/// The raw messages at the given stream positions.
pub fn raws_at(
    repo: &Path,
    wanted: &std::collections::HashSet<usize>,
) -> std::collections::HashMap<usize, Vec<u8>> {
    let mut out = std::collections::HashMap::new();
    let mut k = 0usize;
    for_each_raw(repo, |raw| {
        if wanted.contains(&k) {
            out.insert(k, raw.to_vec());
        }
        k += 1;
    });
    out
}
