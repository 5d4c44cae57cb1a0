//! Shared helpers for tests over the real corpus.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The shared corpus directory, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for cand in [
        here.join("../../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ] {
        if cand.join("lists").is_dir() {
            return Some(cand);
        }
    }
    None
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
    let base = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let dest = base.path().join(name);
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
