//! Shared helpers for tests over the real corpus.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The shared corpus directory, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|c| c.join("lists").is_dir())
}

/// A bare clone of an epoch bundle, made once per test binary in a temp dir
/// that lives until the process ends.
pub fn epoch_repo(name: &str) -> Option<PathBuf> {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let corpus = corpus_dir()?;
    let bundle = corpus.join("lists").join(format!("{name}.bundle"));
    if !bundle.is_file() {
        return None;
    }
    static CLONING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let base = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let dest = base.path().join(name);
    // Tests of one binary run on several threads: one clone at a time.
    let _guard = CLONING.lock().unwrap_or_else(|e| e.into_inner());
    if !dest.exists() {
        let st = Command::new("git")
            .args(["-c", "init.defaultBranch=main", "clone", "-q", "--mirror"])
            .arg(&bundle)
            .arg(&dest)
            .status()
            .expect("run git clone");
        assert!(st.success(), "git clone of {bundle:?} failed");
    }
    Some(dest)
}

/// Every commit subject (= message subject) of an epoch, oldest first.
pub fn git_subjects(repo: &Path) -> Vec<String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["log", "--all", "--reverse", "--format=%s"])
        .output()
        .expect("run git log");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Split an mbox into messages (lpl-mail's one rule).
pub fn split_mbox(data: &[u8]) -> Vec<Vec<u8>> {
    lpl_mail::mbox::split(data)
        .into_iter()
        .map(|(_, m)| m)
        .filter(|m| !m.iter().all(|b| b.is_ascii_whitespace()))
        .collect()
}

/// Parse an mbox file into series input.
pub fn load_mbox(path: &Path) -> (Vec<Vec<u8>>, Vec<lpl_series::MessageMeta>) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    let raws = split_mbox(&data);
    let metas = raws
        .iter()
        .map(|r| {
            let m = lpl_mail::parse(r).message;
            lpl_series::MessageMeta::from_message(&m).expect("sample messages have a Message-ID")
        })
        .collect();
    (raws, metas)
}

/// Raw messages of commits selected by `keep(author_email, subject)`,
/// oldest first, read with `git rev-list` + `git cat-file --batch`.
pub fn epoch_raws(repo: &Path, keep: impl Fn(&str, &str) -> bool) -> Vec<Vec<u8>> {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    let log = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(["log", "--all", "--reverse", "--format=%H%x09%ae%x09%s"])
        .output()
        .expect("git log");
    let text = String::from_utf8_lossy(&log.stdout).into_owned();
    let wanted: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let (h, a, s) = (f.next()?, f.next()?, f.next().unwrap_or(""));
            keep(a, s).then(|| format!("{h}:m"))
        })
        .collect();
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
        for w in wanted {
            let _ = writeln!(stdin, "{w}");
        }
    });
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut raws = Vec::new();
    let mut header = String::new();
    loop {
        header.clear();
        if out.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        let parts: Vec<&str> = header.split_whitespace().collect();
        if parts.len() != 3 {
            continue;
        }
        let size: usize = parts[2].parse().unwrap_or(0);
        let mut buf = vec![0; size + 1];
        if out.read_exact(&mut buf).is_err() {
            break;
        }
        buf.truncate(size);
        raws.push(buf);
    }
    let _ = writer.join();
    let _ = child.wait();
    raws
}
