//! `lpl am` output read back by plain `git am` (issue 20): the author git
//! records is the real sender whatever the From name holds, no header is
//! forged from a decoded CR/LF, and commit messages come back exactly,
//! `From ` lines included (no `>From `).

use std::path::Path;
use std::process::Command;

use lpl_series::am::{AmOptions, AmPatch, write_mbox};

fn data(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hostile")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Committer",
            "-c",
            "user.email=c@example.org",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Applies `mbox` with plain `git am` (no `--patch-format`) to a new
/// repository; returns `git log` of the applied commits, oldest first:
/// author, then the raw commit message.
fn apply(mbox: &[u8]) -> Vec<(String, String)> {
    let repo = tempfile::tempdir().expect("tempdir");
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "base"]);
    std::fs::write(dir.join("series.mbox"), mbox).expect("write mbox");
    git(dir, &["am", "-q", "series.mbox"]);
    let log = git(
        dir,
        &[
            "log",
            "--reverse",
            "--format=%an <%ae>%x00%B%x01",
            "HEAD~1..HEAD",
        ],
    );
    let all = git(dir, &["rev-list", "--count", "HEAD"]);
    let n: usize = all.trim().parse().expect("count");
    let log = if n > 2 {
        git(
            dir,
            &[
                "log",
                "--reverse",
                "--format=%an <%ae>%x00%B%x01",
                &format!("HEAD~{}..HEAD", n - 1),
            ],
        )
    } else {
        log
    };
    log.split('\u{1}')
        .filter(|s| !s.trim().is_empty())
        .map(|c| {
            let (a, b) = c.split_once('\0').expect("author and body");
            (a.trim_start_matches('\n').to_owned(), b.to_owned())
        })
        .collect()
}

#[test]
fn plain_git_am_records_the_real_author_and_the_exact_message() {
    let hostile = data("from-injection.eml");
    let plain = data("plain-utf8.eml");
    let patches = [
        AmPatch {
            raw: &hostile,
            subject: "[PATCH 1/2] subject\nX-Injected: yes".into(),
            add: Vec::new(),
        },
        AmPatch {
            raw: &plain,
            subject: "[PATCH 2/2] add g".into(),
            add: Vec::new(),
        },
    ];
    let mbox = write_mbox(&patches, &AmOptions::default());
    let text = String::from_utf8_lossy(&mbox);
    for line in text.lines() {
        assert!(!line.starts_with("X-Injected"), "forged header:\n{text}");
        assert!(
            !(line.starts_with("From: ")
                && line.contains("torvalds@linux-foundation.org>")
                && !line.contains("mallory")),
            "forged author line:\n{text}"
        );
    }
    let log = apply(&mbox);
    assert_eq!(log.len(), 2, "two commits applied:\n{text}");
    // The name is over git's 60 characters, so git records the address
    // as the name: the real sender either way, never Linus.
    assert_eq!(log[0].0, "mallory@evil.example <mallory@evil.example>");
    let want = "subject X-Injected: yes\n\nThe first line of the commit message.\n\nFrom the start of a line this word would be escaped in an mbox.\n>From a quoted mbox line.\nFrom x Mon Jan  1 00:00:00 2024\n\nSigned-off-by: Mallory <mallory@evil.example>\n";
    assert_eq!(log[0].1.trim_end(), want.trim_end(), "mbox:\n{text}");
    assert_eq!(log[1].0, "Zoë Example <zoe@example.org>");
    assert_eq!(
        log[1].1.trim_end(),
        "add g\n\nAdd g, naïvely.\n\nSigned-off-by: Zoë Example <zoe@example.org>"
    );
}
