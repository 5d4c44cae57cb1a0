//! The git CLI as an oracle, isolated from the user's and the system's
//! configuration, with fixed identities and dates.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A `git` command with no user or system configuration.
pub fn command(dir: Option<&Path>) -> Command {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000");
    cmd
}

/// Runs git (in `dir` when given) with `stdin`, panicking on failure;
/// returns stdout.
pub fn run(dir: Option<&Path>, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut cmd = command(dir);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run git");
    let mut input = child.stdin.take().expect("piped stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().expect("wait for git");
    let _ = writer.join();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// [`run`] without input, stdout as text.
pub fn text(dir: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&run(Some(dir), args, b"")).into_owned()
}

/// `git clone --mirror SRC DEST` (a bundle or a repository).
pub fn clone_mirror(src: &Path, dest: &Path) {
    let (s, d) = (
        src.to_str().expect("utf-8 path"),
        dest.to_str().expect("utf-8 path"),
    );
    run(None, &["clone", "-q", "--mirror", s, d], b"");
}
