//! `lpl_mail::patch_id` against the real `git patch-id --stable` on real
//! patches: every message of a slice of the io-uring list epoch, and
//! `git log -p` of liburing.

mod common;

use lpl_mail::patch_id::{patch_id_stable, patch_ids_stable};

fn hex(b: &[u8; 20]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares our stream splitting and ids with git's on the same bytes.
fn assert_same_as_git(stream: &[u8]) -> usize {
    let ours: Vec<(String, String)> = patch_ids_stable(stream)
        .into_iter()
        .map(|e| {
            (
                e.patch_id.to_string(),
                e.commit.map_or_else(|| "0".repeat(40), |c| hex(&c)),
            )
        })
        .collect();
    let theirs = common::git_patch_id(stream);
    let mut diffs = 0;
    for (o, t) in ours.iter().zip(&theirs) {
        if o != t {
            diffs += 1;
            eprintln!("mismatch: ours {o:?} git {t:?}");
        }
    }
    assert_eq!(ours.len(), theirs.len(), "number of patches differs");
    assert_eq!(diffs, 0, "{diffs} patch-ids differ from git");
    ours.len()
}

#[test]
fn list_messages_match_git_patch_id() {
    let (_tmp, epoch) = common::io_uring_epoch();
    // A slice of 3000 consecutive messages (2024-2025: many patches, some
    // base64/QP bodies, some binary and mode-change diffs).
    let revs = common::git(&epoch, &["rev-list", "--skip=4000", "-n", "3000", "HEAD"]);
    let revs = String::from_utf8(revs).expect("hex");
    let mut batch = Vec::new();
    for r in revs.lines() {
        batch.extend_from_slice(format!("{r}:m\n").as_bytes());
    }
    let out = {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .arg("-C")
            .arg(&epoch)
            .args(["cat-file", "--batch"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git cat-file");
        let mut stdin = child.stdin.take().expect("stdin");
        let w = std::thread::spawn(move || stdin.write_all(&batch));
        let out = child.wait_with_output().expect("output");
        w.join().expect("join").expect("write");
        out.stdout
    };
    // Parse `<oid> blob <size>\n<bytes>\n` records.
    let mut msgs: Vec<&[u8]> = Vec::new();
    let mut rest = &out[..];
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        let header = std::str::from_utf8(&rest[..nl]).expect("header");
        let mut parts = header.split(' ');
        let kind = parts.nth(1).expect("kind");
        if kind == "missing" {
            rest = &rest[nl + 1..];
            continue;
        }
        let size: usize = parts.next().expect("size").parse().expect("size");
        msgs.push(&rest[nl + 1..nl + 1 + size]);
        rest = &rest[nl + 1 + size + 1..];
    }
    assert!(msgs.len() > 2500, "only {} messages", msgs.len());

    // One stream, each message introduced by a synthetic `commit <n>` line,
    // so a single git process checks them all (and our splitting too).
    let mut stream = Vec::new();
    let mut with_patch = 0;
    for (n, m) in msgs.iter().enumerate() {
        stream.extend_from_slice(format!("commit {n:040x}\n").as_bytes());
        stream.extend_from_slice(m);
        if !m.ends_with(b"\n") {
            stream.push(b'\n');
        }
        // The single-patch function agrees with git's first line for the message.
        if let Some(id) = patch_id_stable(m) {
            with_patch += 1;
            let theirs = common::git_patch_id(m);
            if with_patch % 50 == 0 {
                assert_eq!(Some(id.to_string()), theirs.first().map(|t| t.0.clone()));
            }
        }
    }
    let n = assert_same_as_git(&stream);
    assert!(n > 1000, "only {n} messages carry a patch");
    assert!(with_patch > 1000);
}

#[test]
fn git_log_p_matches_git_patch_id() {
    let (_tmp, repo) = common::liburing();
    let text = common::git(&repo, &["log", "-p", "--no-merges", "-n", "1500", "master"]);
    let n = assert_same_as_git(&text);
    assert!(n > 1400, "only {n} patches");
    // With full-index binary diffs, as format-patch writes them.
    let text = common::git(
        &repo,
        &[
            "log",
            "-p",
            "--binary",
            "--no-merges",
            "-n",
            "800",
            "master",
        ],
    );
    assert_same_as_git(&text);
}
