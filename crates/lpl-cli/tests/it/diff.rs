//! `lpl diff`: the range-diff of two revisions from the archive, on the
//! bundled sample (Zi Yan's split-folio v1..v5, Alex Shi's lru_lock chain),
//! series made with `git format-patch` from liburing (300 patches, `--repo`),
//! and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

const ZI_YAN_V5: &str = "20240226205534.1603748-1-zi.yan@sent.com";

fn sample_home(t: &tempfile::TempDir) -> PathBuf {
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    home
}

#[test]
fn sample_series_and_bad_input() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = sample_home(&t);

    // The two newest revisions, from the mail: git's part is the snapshot
    // the library test keeps.
    let git_part = lpl_ok(&home, &["diff", ZI_YAN_V5, "--git"]);
    let snapshot =
        include_str!("../../../lpl-series/tests/data/range_diff/zi-yan-split-folio-v4-v5.txt");
    assert_eq!(git_part, snapshot);
    let full = lpl_ok(&home, &["diff", ZI_YAN_V5]);
    assert!(
        full.starts_with("Range-diff: Split a folio to any lower order folios\n"),
        "{full}"
    );
    assert!(full.contains("from the mail alone"), "{full}");
    assert!(full.contains("v4 changelog"), "{full}");
    assert!(
        full.contains("Since v4[4]"),
        "the v5 changelog is shown: {full}"
    );
    assert!(
        full.contains("    trailers: +Acked-by: David Hildenbrand <david@redhat.com>"),
        "{full}"
    );
    assert!(
        full.contains("0 unchanged, 6 changed, 1 removed, 2 added"),
        "{full}"
    );
    // Named revisions, and one revision against the one before it.
    assert_eq!(
        lpl_ok(&home, &["diff", ZI_YAN_V5, "v4", "v5", "--git"]),
        snapshot
    );
    assert_eq!(lpl_ok(&home, &["diff", ZI_YAN_V5, "5", "--git"]), snapshot);

    let stat = lpl_ok(&home, &["diff", ZI_YAN_V5, "--stat"]);
    assert!(!stat.contains("@@"), "--stat has no diffs: {stat}");
    assert_eq!(
        stat.lines().filter(|l| l.contains(":  ")).count(),
        9,
        "{stat}"
    );

    let j = json(&home, &["diff", ZI_YAN_V5, "v3", "v5", "--json"]);
    assert_eq!(j["old"]["summary"]["revision"], 3);
    assert_eq!(j["new"]["summary"]["revision"], 5);
    assert_eq!(j["method"]["method"], "mail");
    let entries = j["entries"].as_array().expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e["status"] == "changed" && e["diff"].is_string())
    );
    assert_eq!(
        j["new"]["patches"][0]["message_id"],
        "20240226205534.1603748-2-zi.yan@sent.com"
    );

    // Creation factor 0: nothing pairs unless identical.
    let zero = json(
        &home,
        &["diff", ZI_YAN_V5, "--creation-factor", "0", "--json"],
    );
    assert!(
        zero["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["status"] != "changed"),
        "{zero}"
    );

    // A missing revision: not found (1), with the revisions known.
    let out = lpl(&home, &["diff", ZI_YAN_V5, "v9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no v9 in this chain (known: v1, v2, v3, v4, v5)"),
        "{err}"
    );
    assert!(err.contains("lpl revisions"), "{err}");
    // The first revision has nothing before it.
    let out = lpl(&home, &["diff", ZI_YAN_V5, "v1"]);
    assert_eq!(out.status.code(), Some(1));
    // A series with one revision.
    let out = lpl(&home, &["diff", "20240409192301.907377-1-david@redhat.com"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only one revision of this series is known"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Not a revision.
    let out = lpl(&home, &["diff", ZI_YAN_V5, "vx"]);
    assert_eq!(out.status.code(), Some(2));
    // The same revision twice.
    let out = lpl(&home, &["diff", ZI_YAN_V5, "v5", "v5"]);
    assert_eq!(out.status.code(), Some(2));

    // The notebook's entry page shows the range-diff from the revision
    // before the one the entry links (v5 there: v4 -> v5).
    let roadmap = t.path().join("roadmap.md");
    std::fs::copy(repo_root().join("sample/roadmap.md"), &roadmap).expect("roadmap");
    let site = t.path().join("site");
    lpl_ok(
        &home,
        &[
            "notebook",
            "--file",
            &roadmap.to_string_lossy(),
            "render",
            "--html",
            &site.to_string_lossy(),
        ],
    );
    let page = std::fs::read_dir(site.join("entries"))
        .expect("entry pages")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("page"))
        .find(|p| p.contains("20240226205534.1603748-1-zi.yan@sent.com"))
        .expect("the split-folio entry page");
    assert!(page.contains("<h3>Changes since v4</h3>"), "{page}");
    assert!(
        page.contains("-:  -------- &gt; 1:  a433c82e mm/huge_memory: only split PMD mapping"),
        "{page}"
    );

    // Revisions with no patch in common: David Hildenbrand's series linked
    // by hand after Zi Yan's v5, then compared.
    lpl_ok(
        &home,
        &[
            "revisions",
            "--link",
            ZI_YAN_V5,
            "20240409192301.907377-1-david@redhat.com",
        ],
    );
    let none = lpl_ok(&home, &["diff", "20240409192301.907377-1-david@redhat.com"]);
    assert!(
        none.contains("0 unchanged, 0 changed, 8 removed, 18 added"),
        "{none}"
    );
    assert!(
        none.contains("no patch of v5 pairs with one of v1"),
        "{none}"
    );

    // `lpl show` and `lpl revisions` point to `lpl diff`.
    let shown = lpl_ok(
        &home,
        &[
            "show",
            "--no-pager",
            "20240226205534.1603748-3-zi.yan@sent.com",
            "--series",
        ],
    );
    assert!(shown.contains("lpl diff"), "{shown}");
    let revs = lpl_ok(&home, &["revisions", ZI_YAN_V5]);
    assert!(
        revs.contains("what changed from v4 to v5: lpl diff"),
        "{revs}"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Series Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.org")
        .env("GIT_COMMITTER_NAME", "Series Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.org")
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes revision `v` of a series of `range` as an mbox: a cover letter
/// titled `title`, the patches threaded to it, `base-commit:` given.
/// Message-IDs are made unique per revision (format-patch makes them from
/// the commit and the second, so two revisions made at once would share).
fn series_mbox(repo: &Path, base: &str, tip: &str, v: u32, title: &str, out: &Path) {
    let dir = out.with_extension("d");
    let range = format!("{base}..{tip}");
    let base_arg = format!("--base={base}");
    let v_arg = format!("-v{v}");
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut args = vec!["format-patch", "-q", "--cover-letter", "--thread=shallow"];
    // A base must be an ancestor of every commit of the range.
    let linear = git(repo, &["rev-list", "--merges", &range])
        .trim()
        .is_empty();
    if linear {
        args.push(&base_arg);
    }
    args.extend([v_arg.as_str(), "-o", dir_arg.as_str(), range.as_str()]);
    git(repo, &args);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("patches")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut mbox = String::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("patch");
        for line in text
            .replace("*** SUBJECT HERE ***", title)
            .split_inclusive('\n')
        {
            let id_header = [
                "Message-ID: ",
                "Message-Id: ",
                "In-Reply-To: ",
                "References: ",
            ]
            .iter()
            .any(|h| line.starts_with(h));
            if id_header {
                mbox.push_str(&line.replace(".git.", &format!(".v{v}.git.")));
            } else {
                mbox.push_str(line);
            }
        }
        mbox.push('\n');
    }
    std::fs::write(out, mbox).expect("mbox");
}

fn liburing(t: &tempfile::TempDir) -> Option<PathBuf> {
    let bundle = shared().join("corpus/git/liburing.bundle");
    if !bundle.is_file() {
        return None;
    }
    let dir = t.path().join("liburing");
    let out = Command::new("git")
        .args(["clone", "-q"])
        .arg(&bundle)
        .arg(&dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git clone");
    assert!(out.status.success());
    Some(dir)
}

/// 300 patches against 300, ten dropped and ten added: from the mail, no
/// panic, every kept patch paired.
#[test]
fn a_300_patch_series() {
    let t = tempfile::tempdir().expect("tempdir");
    let Some(repo) = liburing(&t) else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let home = t.path().join("home");
    let tip = git(&repo, &["rev-parse", "HEAD"]);
    let tip = tip.trim();
    let (v1, v2) = (t.path().join("v1.mbox"), t.path().join("v2.mbox"));
    let title = "liburing as a long series";
    series_mbox(
        &repo,
        &format!("{tip}~310"),
        &format!("{tip}~10"),
        1,
        title,
        &v1,
    );
    series_mbox(&repo, &format!("{tip}~300"), tip, 2, title, &v2);
    lpl_ok(
        &home,
        &["import", &v1.to_string_lossy(), &v2.to_string_lossy()],
    );
    let series = json(&home, &["series", "--json", "liburing", "long", "series"]);
    let id = series[0]["id"].as_str().expect("the series").to_owned();
    assert_eq!(
        series[0]["revisions"],
        serde_json::json!([1, 2]),
        "{series}"
    );

    let j = json(&home, &["diff", &id, "--json"]);
    let entries = j["entries"].as_array().expect("entries");
    let count = |s: &str| entries.iter().filter(|e| e["status"] == s).count();
    let old_n = j["old"]["patches"].as_array().map_or(0, Vec::len);
    let new_n = j["new"]["patches"].as_array().map_or(0, Vec::len);
    assert!(old_n >= 300 && new_n >= 300, "{old_n} and {new_n} patches");
    assert!(
        count("equal") >= old_n - 20,
        "{} equal of {old_n}",
        count("equal")
    );
    assert_eq!(
        entries.len(),
        old_n + new_n - count("equal") - count("changed")
    );
    let text = lpl_ok(&home, &["diff", &id, "--stat"]);
    assert!(text.contains(" unchanged, "), "{text}");
}

/// `--repo` applies both revisions and runs the real `git range-diff`: on a
/// linear stretch of liburing, its output must be git's on the original
/// commits, up to the commit hashes.
#[test]
fn through_a_repository() {
    let t = tempfile::tempdir().expect("tempdir");
    let Some(repo) = liburing(&t) else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let home = t.path().join("home");
    // The newest run of ten commits without a merge between them.
    let lines = git(
        &repo,
        &[
            "rev-list",
            "--first-parent",
            "--parents",
            "-n",
            "400",
            "HEAD",
        ],
    );
    let mut run: Vec<String> = Vec::new();
    for l in lines.lines() {
        let ids: Vec<&str> = l.split(' ').collect();
        if ids.len() == 2 {
            run.push(ids[0].to_owned());
            if run.len() == 11 {
                break;
            }
        } else {
            run.clear();
        }
    }
    assert_eq!(run.len(), 11, "a linear run of liburing");
    run.reverse(); // oldest first; run[0] is the base
    let (v1, v2) = (t.path().join("v1.mbox"), t.path().join("v2.mbox"));
    let title = "a stretch of liburing";
    series_mbox(&repo, &run[0], &run[8], 1, title, &v1);
    series_mbox(&repo, &run[2], &run[10], 2, title, &v2);
    lpl_ok(
        &home,
        &["import", &v1.to_string_lossy(), &v2.to_string_lossy()],
    );
    let series = json(&home, &["series", "--json", "stretch", "liburing"]);
    let id = series[0]["id"].as_str().expect("the series").to_owned();

    let ours = lpl_ok(
        &home,
        &["diff", &id, "--repo", &repo.to_string_lossy(), "--git"],
    );
    let oracle = git(
        &repo,
        &[
            "-c",
            "log.mailmap=false",
            "range-diff",
            "--no-color",
            &format!("{}..{}", run[0], run[8]),
            &format!("{}..{}", run[2], run[10]),
        ],
    );
    let mask = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| {
                l.split(' ')
                    .map(|w| {
                        if w.len() >= 7 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                            "HASH"
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert!(!oracle.is_empty());
    assert_eq!(mask(&ours), mask(&oracle));
    let full = lpl_ok(&home, &["diff", &id, "--repo", &repo.to_string_lossy()]);
    assert!(full.contains("git range-diff in "), "{full}");
    // The mail alone pairs the same patches.
    let from_mail = lpl_ok(&home, &["diff", &id, "--git", "--stat"]);
    assert_eq!(
        mask(&from_mail),
        mask(&lpl_ok(
            &home,
            &[
                "diff",
                &id,
                "--repo",
                &repo.to_string_lossy(),
                "--git",
                "--stat"
            ]
        ))
    );

    // A directory that is not a repository: a usage error with a hint.
    let out = lpl(&home, &["diff", &id, "--repo", &t.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a git repository"), "{err}");
    assert!(err.contains("leave out --repo"), "{err}");
}

/// A binary file changed between revisions: git's range-diff shows the pair
/// as unchanged (`=`, it compares `Binary files ... differ`); lpl says the
/// binary content differs.
#[test]
fn binary_patches() {
    let t = tempfile::tempdir().expect("tempdir");
    let Some(repo) = liburing(&t) else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let home = t.path().join("home");
    let base = git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let mut tips = Vec::new();
    for (v, blob) in [
        (1, &b"\0\x01binary v1\0"[..]),
        (2, &b"\0\x01binary, v2\0\x7f"[..]),
    ] {
        git(&repo, &["checkout", "-q", "--detach", &base]);
        std::fs::write(repo.join("lpl-blob.bin"), blob).expect("blob");
        git(&repo, &["add", "lpl-blob.bin"]);
        git(&repo, &["commit", "-q", "-m", "add a binary file"]);
        std::fs::write(repo.join("lpl-note.txt"), format!("revision {v}\n")).expect("text");
        git(&repo, &["add", "lpl-note.txt"]);
        git(&repo, &["commit", "-q", "-m", "add a note"]);
        tips.push(git(&repo, &["rev-parse", "HEAD"]).trim().to_owned());
    }
    let (v1, v2) = (t.path().join("v1.mbox"), t.path().join("v2.mbox"));
    series_mbox(&repo, &base, &tips[0], 1, "a binary series", &v1);
    series_mbox(&repo, &base, &tips[1], 2, "a binary series", &v2);
    lpl_ok(
        &home,
        &["import", &v1.to_string_lossy(), &v2.to_string_lossy()],
    );
    let series = json(&home, &["series", "--json", "binary", "series"]);
    let id = series[0]["id"].as_str().expect("the series").to_owned();
    let out = lpl_ok(&home, &["diff", &id]);
    let first = out
        .lines()
        .find(|l| l.starts_with("1:  "))
        .expect("pair line");
    assert!(first.contains(" = 1:  "), "git's verdict is kept: {out}");
    assert!(
        out.contains("binary content differs (git's range-diff cannot show it): lpl-blob.bin"),
        "{out}"
    );
    let j = json(&home, &["diff", &id, "--json"]);
    assert_eq!(
        j["entries"][0]["binary_changed"],
        serde_json::json!(["lpl-blob.bin"])
    );
    // The one-line note is too small to pair at the default factor (cost 5
    // against creation costs of 1 + 1): a removal and an addition of the
    // same subject, which lpl marks as rewritten.
    assert_eq!(j["entries"][1]["status"], "removed");
    assert_eq!(j["entries"][2]["status"], "added");
    assert_eq!(j["entries"][2]["rewritten"], true);
    assert!(
        out.contains("rewritten: a patch with this subject was removed above"),
        "{out}"
    );
}
