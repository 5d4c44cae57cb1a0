//! Helpers shared by the integration tests: the corpus, git as an oracle.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use lpl_archive::{Event, Location, ReadError, Reader};

/// `/work/shared` (CI: `../shared` next to the checkout), or `None` with a
/// note when absent.
pub fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: the shared corpus is not at {} (CI and the dev machine have it)",
            dir.display()
        );
        None
    }
}

/// Runs `git` isolated from the user's and system's configuration.
pub fn git(dir: Option<&Path>, args: &[&str], stdin: &[u8]) -> String {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run git");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin)
        .expect("write git stdin");
    let out = child.wait_with_output().expect("wait for git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints utf-8 here")
}

/// The cgroups epoch, unpacked once per machine under the target's test
/// temp directory (and reused by later runs).
pub fn cgroups_epoch() -> Option<PathBuf> {
    static EPOCH: OnceLock<Option<PathBuf>> = OnceLock::new();
    EPOCH
        .get_or_init(|| unpack("cgroups.vger.kernel.org.0.bundle", "cgroups.0.git"))
        .clone()
}

fn unpack(bundle: &str, name: &str) -> Option<PathBuf> {
    let bundle = shared()?.join("corpus/lists").join(bundle);
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if !dest.join("packed-refs").exists() && !dest.join("refs/heads/master").exists() {
        // Clone next to the destination, then rename: an interrupted run
        // never leaves a half-made repository behind.
        let partial = dest.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        let (b, p) = (
            bundle.to_str().expect("utf-8 path"),
            partial.to_str().expect("utf-8 path"),
        );
        git(None, &["clone", "-q", "--mirror", b, p], b"");
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::rename(&partial, &dest).expect("rename the clone into place");
    }
    Some(dest)
}

/// Everything a reader yields, sorted by kind.
#[derive(Default)]
pub struct Read {
    pub messages: Vec<(Location, Vec<u8>)>,
    pub deleted: Vec<(Location, Option<Vec<u8>>)>,
    pub errors: Vec<ReadError>,
}

pub fn read_all(reader: &mut Reader) -> Read {
    let mut out = Read::default();
    for item in reader.by_ref() {
        match item {
            Ok(Event::Message(m)) => out.messages.push((m.location, m.bytes)),
            Ok(Event::Deleted { location, bytes }) => out.deleted.push((location, bytes)),
            Ok(other) => panic!("unexpected event {other:?}"),
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// The commit id of a [`Location::Commit`].
pub fn commit_of(location: &Location) -> String {
    match location {
        Location::Commit { commit, .. } => commit.to_string(),
        other => panic!("not a commit location: {other}"),
    }
}
