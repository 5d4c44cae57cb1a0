//! The line diff under the range-diff must be git's: for pairs of real
//! range-diff texts (liburing's last 160 patches, `git format-patch`ed and
//! parsed as mail), the hunks and lines of `diff_of_diffs` must be those of
//! `git diff --no-index` (indent heuristic on, git's default), and the cost
//! (`diffsize`, seen through `correspond` on one-patch ranges) must count
//! what `git diff --no-index --no-indent-heuristic` prints.

mod common;

use std::path::Path;
use std::process::Command;

use lpl_series::range_diff::{self, OuterLine, PatchText};

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .args(args)
        .output()
        .expect("run git");
    // `diff --no-index` exits 1 when the files differ.
    assert!(out.status.code().is_some_and(|c| c <= 1), "git {args:?}");
    out.stdout
}

/// Body lines and the number of hunks of a unified diff.
fn body(diff: &[u8]) -> (Vec<String>, usize) {
    let text = String::from_utf8_lossy(diff);
    let mut lines = Vec::new();
    let mut hunks = 0;
    let mut in_body = false;
    for l in text.lines() {
        if l.starts_with("@@ ") {
            hunks += 1;
            in_body = true;
        } else if in_body && !l.starts_with('\\') {
            lines.push(l.to_owned());
        }
    }
    (lines, hunks)
}

#[test]
fn same_hunks_and_costs_as_git_diff() {
    let Some(corpus) = common::corpus_dir() else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("liburing");
    let st = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(corpus.join("git/liburing.bundle"))
        .arg(&repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("clone");
    assert!(st.success());
    let out = tmp.path().join("patches");
    git(
        &repo,
        &[
            "format-patch",
            "-q",
            "--no-merges",
            "-o",
            out.to_str().expect("utf-8"),
            "HEAD~160..HEAD",
        ],
    );
    let mut files: Vec<_> = std::fs::read_dir(&out)
        .expect("patches")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let texts: Vec<PatchText> = files
        .iter()
        .filter_map(|f| {
            let m = lpl_mail::parse(&std::fs::read(f).expect("read")).message;
            range_diff::commit_of(&m).ok().map(|c| c.text)
        })
        .collect();
    assert!(texts.len() > 100);
    let (fa, fb) = (tmp.path().join("a"), tmp.path().join("b"));
    let mut compared = 0;
    for k in 0..texts.len() - 2 {
        for d in [1, 2] {
            let (a, b) = (&texts[k], &texts[k + d]);
            let paths = [fa.to_str().expect("utf-8"), fb.to_str().expect("utf-8")];

            // The diff shown (whole texts, default heuristics).
            std::fs::write(&fa, a.text()).expect("write");
            std::fs::write(&fb, b.text()).expect("write");
            let (want, want_hunks) = body(&git(
                tmp.path(),
                &[
                    "diff",
                    "--no-index",
                    "--no-color",
                    "-U3",
                    paths[0],
                    paths[1],
                ],
            ));
            let ours = range_diff::diff_of_diffs(a.text(), b.text());
            let got_hunks = ours
                .iter()
                .filter(|l| matches!(l, OuterLine::Hunk(_)))
                .count();
            let got: Vec<String> = ours
                .iter()
                .filter_map(|l| match l {
                    OuterLine::Hunk(_) => None,
                    OuterLine::Context(s) => Some(format!(" {s}")),
                    OuterLine::Removed(s) => Some(format!("-{s}")),
                    OuterLine::Added(s) => Some(format!("+{s}")),
                })
                .collect();
            assert_eq!(
                (got_hunks, &got),
                (want_hunks, &want),
                "patches {k} and {}",
                k + d
            );

            // The cost: diff parts, no indent heuristic. With one patch on
            // each side, they pair exactly when the cost is below the sum
            // of the creation costs, here at a factor of 100.
            std::fs::write(&fa, a.diff()).expect("write");
            std::fs::write(&fb, b.diff()).expect("write");
            let (lines, hunks) = body(&git(
                tmp.path(),
                &[
                    "diff",
                    "--no-index",
                    "--no-color",
                    "--no-indent-heuristic",
                    "-U3",
                    paths[0],
                    paths[1],
                ],
            ));
            let cost = (lines.len() + hunks) as u32;
            let creation = a.diffsize() + b.diffsize();
            let c = range_diff::correspond(std::slice::from_ref(a), std::slice::from_ref(b), 100);
            if cost != creation && a.diff() != b.diff() {
                assert_eq!(
                    c.a_to_b[0].is_some(),
                    cost < creation,
                    "patches {k} and {}: git's cost {cost}, creation {creation}",
                    k + d
                );
            }
            assert_eq!(range_diff::diffsize(a.diff(), b.diff()), cost);
            compared += 1;
        }
    }
    eprintln!("{compared} pairs of range-diff texts compared with git diff");
}
