//! The fixture epoch (the first 400 messages of the io-uring list, in
//! `data/`), cloned and read message by message.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/io-uring.0.first400.bundle")
}

/// A bare mirror of the fixture epoch in `dest`.
pub fn clone_epoch(dest: &Path) {
    std::fs::create_dir_all(dest.parent().expect("has a parent")).expect("mkdir");
    let out = Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(bundle())
        .arg(dest)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "clone: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // http-backend serves only repositories that allow it.
    git(dest, &["config", "http.receivepack", "false"]);
    std::fs::write(dest.join("git-daemon-export-ok"), "").expect("export-ok");
}

/// The commits of `master`, oldest first.
pub fn commits(repo: &Path) -> Vec<String> {
    String::from_utf8(git(repo, &["rev-list", "--reverse", "master"]))
        .expect("hex")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// One message of the epoch.
#[derive(Clone, Debug)]
pub struct Msg {
    pub raw: Vec<u8>,
    pub message_id: String,
    pub subject: String,
    /// Root of its thread (first References entry, else In-Reply-To, else itself).
    pub root: String,
}

fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\n\n").next().unwrap_or("");
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            return value;
        }
        if line.len() > name.len()
            && line[..name.len()].eq_ignore_ascii_case(name)
            && line.as_bytes()[name.len()] == b':'
        {
            value = Some(line[name.len() + 1..].trim().to_owned());
        }
    }
    value
}

fn ids(v: &str) -> Vec<String> {
    v.split('<')
        .skip(1)
        .filter_map(|p| p.split_once('>').map(|(id, _)| id.trim().to_owned()))
        .collect()
}

/// Every message (`m` blob) of the commits given.
pub fn messages(repo: &Path, commits: &[String]) -> Vec<Msg> {
    let mut out = Vec::new();
    for c in commits {
        let o = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["cat-file", "blob", &format!("{c}:m")])
            .output()
            .expect("git");
        if !o.status.success() {
            continue; // a deletion
        }
        let raw = o.stdout;
        let Some(mid) = header(&raw, "Message-ID").and_then(|v| ids(&v).into_iter().next()) else {
            continue;
        };
        let refs = header(&raw, "References")
            .map(|v| ids(&v))
            .unwrap_or_default();
        let irt = header(&raw, "In-Reply-To").and_then(|v| ids(&v).into_iter().next());
        let root = refs
            .first()
            .cloned()
            .or_else(|| irt.clone())
            .unwrap_or_else(|| mid.clone());
        out.push(Msg {
            subject: header(&raw, "Subject").unwrap_or_default(),
            message_id: mid,
            root,
            raw,
        });
    }
    out
}

/// All messages of every commit of the fixture, read once per test binary.
pub fn all_messages() -> &'static [Msg] {
    static M: std::sync::OnceLock<Vec<Msg>> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("0.git");
        clone_epoch(&repo);
        let c = commits(&repo);
        messages(&repo, &c)
    })
}

/// Messages as an mboxrd, as public-inbox writes it.
pub fn mboxrd<'a>(msgs: impl IntoIterator<Item = &'a Msg>) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
        for line in m.raw.split_inclusive(|&b| b == b'\n') {
            let stripped = line
                .iter()
                .skip_while(|&&b| b == b'>')
                .copied()
                .collect::<Vec<u8>>();
            if stripped.starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}
