//! Shared helpers for the integration tests: restore the real corpus bundles
//! into temporary directories and run the git CLI as an oracle.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The shared corpus (read-only), `../shared/corpus` from the workspace root.
pub fn corpus() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for cand in [
        here.join("../../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ] {
        if cand.is_dir() {
            return cand;
        }
    }
    panic!("the shared corpus is missing (expected ../shared/corpus next to the repository)");
}

/// `git clone --mirror BUNDLE` into a fresh temporary directory.
pub fn clone_bundle(bundle: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let dest = dir.path().join("repo.git");
    let st = Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(bundle)
        .arg(&dest)
        .stderr(Stdio::null())
        .status()
        .expect("git runs");
    assert!(st.success(), "git clone --mirror {}", bundle.display());
    (dir, dest)
}

/// The liburing repository, restored from the corpus bundle.
pub fn liburing() -> (tempfile::TempDir, PathBuf) {
    clone_bundle(&corpus().join("git/liburing.bundle"))
}

/// The io-uring list epoch, restored from the corpus bundle.
pub fn io_uring_epoch() -> (tempfile::TempDir, PathBuf) {
    clone_bundle(&corpus().join("lists/io-uring.vger.kernel.org.0.bundle"))
}

/// Runs git in `repo` and returns stdout.
pub fn git(repo: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?} failed");
    out.stdout
}

/// Pipes `input` through `git patch-id --stable`; returns (patch-id, commit) pairs.
pub fn git_patch_id(input: &[u8]) -> Vec<(String, String)> {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(["patch-id", "--stable"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git patch-id runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("git patch-id output");
    writer
        .join()
        .expect("writer")
        .expect("write to git patch-id");
    String::from_utf8(out.stdout)
        .expect("hex output")
        .lines()
        .map(|l| {
            let (a, b) = l.split_once(' ').expect("two columns");
            (a.to_owned(), b.to_owned())
        })
        .collect()
}

/// The ground truth: (commit, message-id, list_msg_n).
pub fn ground_truth() -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(corpus().join("git/liburing-commit-to-msgid.tsv"))
        .expect("ground truth tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((
                f.first()?.to_string(),
                f.get(2)?.to_string(),
                f.get(3)?.parse().ok()?,
            ))
        })
        .collect()
}
