//! Helpers: run lpl with a private home, unpack corpus epochs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn lpl(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(args)
        .env("LPL_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("PAGER")
        .output()
        .expect("lpl runs")
}

pub fn lpl_ok(home: &Path, args: &[&str]) -> String {
    let out = lpl(home, args);
    assert!(
        out.status.success(),
        "lpl {args:?} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn json(home: &Path, args: &[&str]) -> serde_json::Value {
    let s = lpl_ok(home, args);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("lpl {args:?}: bad JSON ({e}):\n{s}"))
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn shared() -> PathBuf {
    repo_root().join("../shared")
}

pub fn sample() -> PathBuf {
    repo_root().join("sample/linux-mm-sample.mbox")
}

fn git(args: &[&str]) -> String {
    let out = Command::new("git").args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Clones an epoch bundle (`cgroups`, `io-uring`) into `dir`, keeping only
/// its first `n` commits reachable (None: all of them).
pub fn epoch(list: &str, dir: &Path, n: Option<usize>) -> PathBuf {
    let bundle = shared().join(format!("corpus/lists/{list}.vger.kernel.org.0.bundle"));
    let dest = dir.join(format!("{list}.0.git"));
    git(&[
        "clone",
        "-q",
        "--mirror",
        &bundle.to_string_lossy(),
        &dest.to_string_lossy(),
    ]);
    if let Some(n) = n {
        let d = dest.to_string_lossy();
        let head = git(&["-C", &d, "symbolic-ref", "HEAD"]).trim().to_owned();
        let revs = git(&["-C", &d, "rev-list", "--reverse", "--first-parent", &head]);
        let cut = revs
            .lines()
            .nth(n - 1)
            .expect("epoch has n commits")
            .to_owned();
        git(&["-C", &d, "update-ref", &head, &cut]);
        for r in git(&["-C", &d, "for-each-ref", "--format=%(refname)"]).lines() {
            if r != head {
                git(&["-C", &d, "update-ref", "-d", r]);
            }
        }
    }
    dest
}

/// Moves an epoch's branch forward to its first `n` commits of `full`.
pub fn advance(epoch: &Path, full_bundle_list: &str, n: usize) {
    let d = epoch.to_string_lossy();
    let bundle = shared().join(format!(
        "corpus/lists/{full_bundle_list}.vger.kernel.org.0.bundle"
    ));
    let head = git(&["-C", &d, "symbolic-ref", "HEAD"]).trim().to_owned();
    let heads = git(&["bundle", "list-heads", &bundle.to_string_lossy()]);
    let tip = heads
        .split_whitespace()
        .next()
        .expect("bundle head")
        .to_owned();
    let revs = git(&["-C", &d, "rev-list", "--reverse", "--first-parent", &tip]);
    let cut = revs.lines().nth(n - 1).expect("enough commits").to_owned();
    git(&["-C", &d, "update-ref", &head, &cut]);
}
