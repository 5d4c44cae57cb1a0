//! The shared corpus of real data (`../shared/corpus` beside the workspace
//! root: public-inbox epochs of two lists, liburing's history with ground
//! truth, other tools' mail corpora). It is read-only: epochs are unpacked
//! into a cache directory, once per machine.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The corpus directory. Panics, saying where it looked, when it is
/// missing: the real-data tests need it (`.ci/run` checks it first).
pub fn dir() -> PathBuf {
    let d = crate::workspace_root().join("../shared/corpus");
    assert!(
        d.join("lists").is_dir(),
        "the shared corpus is not at {} (it must sit next to the repository, as ../shared/corpus)",
        d.display()
    );
    d
}

/// A file of the corpus (`git/liburing.bundle`, `mail/b4/...`).
pub fn path(rel: &str) -> PathBuf {
    dir().join(rel)
}

/// The bundle of epoch 0 of `list` (`cgroups`, `io-uring`).
pub fn epoch_bundle(list: &str) -> PathBuf {
    dir().join(format!("lists/{list}.vger.kernel.org.0.bundle"))
}

/// Where unpacked corpus data is kept between runs.
pub fn cache_dir() -> PathBuf {
    let d = std::env::temp_dir().join("lpl-testutil-corpus");
    std::fs::create_dir_all(&d).expect("create the corpus cache directory");
    d
}

/// Epoch 0 of `list` as a bare repository (`git clone --mirror` of its
/// bundle), unpacked once per machine and shared by every test: do not
/// write into it. Cloned beside its place and renamed, so a killed run
/// never leaves half a repository behind.
pub fn epoch(list: &str) -> PathBuf {
    mirror_of(&epoch_bundle(list), &format!("{list}.0.git"))
}

/// liburing's history as a bare repository (shared, read-only).
pub fn liburing() -> PathBuf {
    mirror_of(&path("git/liburing.bundle"), "liburing.git")
}

fn mirror_of(bundle: &Path, name: &str) -> PathBuf {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    let _g = LOCK.get_or_init(|| Mutex::new(())).lock();
    let dest = cache_dir().join(name);
    if !dest.join("packed-refs").exists() && !dest.join("refs/heads/master").exists() {
        let partial = dest.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        crate::git::clone_mirror(bundle, &partial);
        if !dest.join("packed-refs").exists() {
            let _ = std::fs::remove_dir_all(&dest);
            std::fs::rename(&partial, &dest).expect("rename the clone into place");
        } else {
            let _ = std::fs::remove_dir_all(&partial);
        }
    }
    dest
}

/// A private bare clone of epoch 0 of `list` in `dir`, with only its first
/// `n` commits reachable when given (epochs are linear: one message per
/// commit), for tests that write into it or import a prefix.
pub fn epoch_prefix(list: &str, dir: &Path, n: Option<usize>) -> PathBuf {
    let dest = dir.join(format!("{list}.0.git"));
    crate::git::clone_mirror(&epoch_bundle(list), &dest);
    if let Some(n) = n {
        let head = crate::git::text(&dest, &["symbolic-ref", "HEAD"])
            .trim()
            .to_owned();
        let revs = crate::git::text(&dest, &["rev-list", "--reverse", "--first-parent", &head]);
        let cut = revs
            .lines()
            .nth(n.saturating_sub(1))
            .expect("the epoch has that many commits")
            .to_owned();
        crate::git::run(Some(&dest), &["update-ref", &head, &cut], b"");
        let refs = crate::git::text(&dest, &["for-each-ref", "--format=%(refname)"]);
        for r in refs.lines().filter(|r| *r != head) {
            crate::git::run(Some(&dest), &["update-ref", "-d", r], b"");
        }
    }
    dest
}

/// Every raw message (`m` blob) of a public-inbox epoch, oldest first,
/// handed to `f` (deletions skipped), read with `git cat-file --batch`.
pub fn for_each_raw(repo: &Path, f: impl FnMut(&[u8])) {
    let list = crate::git::text(repo, &["rev-list", "--reverse", "HEAD"]);
    raw_of_commits(repo, list.lines(), f);
}

/// The raw messages of commits `range` of a public-inbox epoch (0-based,
/// oldest first: commit `n` is the list's message `n + 1`), deletions
/// skipped: a slice of a list to import without the whole epoch.
pub fn epoch_slice(repo: &Path, range: std::ops::Range<usize>) -> Vec<Vec<u8>> {
    let list = crate::git::text(repo, &["rev-list", "--reverse", "--first-parent", "HEAD"]);
    let mut out = Vec::new();
    raw_of_commits(
        repo,
        list.lines().skip(range.start).take(range.len()),
        |m| out.push(m.to_vec()),
    );
    out
}

fn raw_of_commits<'a>(
    repo: &Path,
    commits: impl Iterator<Item = &'a str>,
    mut f: impl FnMut(&[u8]),
) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    let list: String = commits.map(|c| format!("{c}:m\n")).collect();
    let mut child = crate::git::command(Some(repo))
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git cat-file");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
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
            continue; // `missing`: a deletion commit has `d`, not `m`
        }
        let size: usize = parts[2].parse().expect("blob size");
        buf.resize(size + 1, 0);
        out.read_exact(&mut buf).expect("blob");
        f(&buf[..size]);
    }
    let _ = writer.join();
    let _ = child.wait();
}
