//! Golden tests of `lpl_series::range_diff` against the real `git
//! range-diff`: revision pairs built from liburing's history (the shared
//! corpus's `git/liburing.bundle`, cloned into a temp dir), sent through
//! `git format-patch`, parsed as mail and compared without the tree. For
//! each case and creation factor (30, 60, 100) the output, plain and in
//! colour, must be byte for byte git's, with the abbreviated commit hashes
//! (taken from the `From <sha>` lines) standing in for the labels.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use lpl_series::range_diff::{self, MailCommit, PatchText, RenderOptions, Side};

struct Repo {
    dir: PathBuf,
    home: PathBuf,
}

impl Repo {
    fn cmd(&self) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LC_ALL", "C")
            .env("GIT_COMMITTER_NAME", "Range Diff")
            .env("GIT_COMMITTER_EMAIL", "rd@example.org")
            .env("GIT_COMMITTER_DATE", "1700000000 +0000")
            .env("GIT_AUTHOR_NAME", "Range Diff")
            .env("GIT_AUTHOR_EMAIL", "rd@example.org")
            .env("GIT_AUTHOR_DATE", "1700000000 +0000");
        c
    }

    fn try_git(&self, args: &[&str]) -> Result<String, String> {
        let out = self.cmd().args(args).output().expect("run git");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn git(&self, args: &[&str]) -> String {
        self.try_git(args)
            .unwrap_or_else(|e| panic!("git {args:?} failed: {e}"))
    }

    fn rev(&self, r: &str) -> String {
        self.git(&["rev-parse", r]).trim().to_owned()
    }

    /// Cleans up after a failed operation.
    fn reset(&self) {
        let _ = self.try_git(&["cherry-pick", "--abort"]);
        let _ = self.try_git(&["revert", "--abort"]);
        let _ = self.try_git(&["reset", "-q", "--hard"]);
    }
}

fn clone_liburing() -> Option<(tempfile::TempDir, Repo)> {
    let bundle = common::corpus_dir()?.join("git/liburing.bundle");
    if !bundle.is_file() {
        return None;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("liburing");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let st = Command::new("git")
        .args(["-c", "init.defaultBranch=master", "clone", "-q"])
        .arg(&bundle)
        .arg(&dir)
        .env("HOME", &home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git clone");
    assert!(st.success());
    Some((tmp, Repo { dir, home }))
}

/// One step of building the new revision.
#[derive(Clone, Debug)]
enum Op {
    /// Cherry-pick old patch `i` unchanged.
    Pick(usize),
    /// Cherry-pick it and give it a new subject.
    Reword(usize, &'static str),
    /// Cherry-pick it and add a trailer.
    Trailer(usize, &'static str),
    /// Cherry-pick it and change one line it adds.
    Edit(usize),
    /// Cherry-pick it and its successor as one commit.
    Squash(usize, usize),
    /// Cherry-pick it as two commits: its first file, then the rest.
    Split(usize),
    /// A new patch adding a file.
    New(&'static str, &'static str, &'static str),
    /// Revert the previous commit.
    RevertPrevious,
}

fn apply(repo: &Repo, old: &[String], op: &Op) -> Result<(), String> {
    match op {
        Op::Pick(i) => repo
            .try_git(&["cherry-pick", "--allow-empty", &old[*i]])
            .map(drop),
        Op::Reword(i, subject) => {
            repo.try_git(&["cherry-pick", &old[*i]])?;
            let body = repo.git(&["log", "-1", "--format=%b"]);
            let msg = format!("{subject}\n\n{body}");
            repo.try_git(&["commit", "-q", "--amend", "-m", &msg])
                .map(drop)
        }
        Op::Trailer(i, trailer) => {
            repo.try_git(&["cherry-pick", &old[*i]])?;
            let msg = repo.git(&["log", "-1", "--format=%B"]);
            let msg = format!("{}\n{trailer}\n", msg.trim_end());
            repo.try_git(&["commit", "-q", "--amend", "-m", &msg])
                .map(drop)
        }
        Op::Edit(i) => {
            repo.try_git(&["cherry-pick", &old[*i]])?;
            // The last added line of the commit's first text file gets a
            // suffix (the line must be unique in the file).
            let diff = repo.git(&["show", "--format=", "-U0", "HEAD"]);
            let mut file = None;
            let mut target = None;
            for l in diff.lines() {
                if let Some(f) = l.strip_prefix("+++ b/") {
                    file = Some(f.to_owned());
                } else if let Some(t) = l.strip_prefix('+')
                    && !l.starts_with("+++")
                    && t.trim().len() > 3
                    && target.is_none()
                {
                    target = file.clone().map(|f| (f, t.to_owned()));
                }
            }
            let (f, line) = target.ok_or("no added line")?;
            let path = repo.dir.join(&f);
            let content = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            if content.matches(line.as_str()).count() != 1 {
                return Err("line not unique".into());
            }
            let changed = content.replacen(&line, &format!("{line} /* v2 */"), 1);
            std::fs::write(&path, changed).map_err(|e| e.to_string())?;
            repo.try_git(&["commit", "-q", "-a", "--amend", "--no-edit"])
                .map(drop)
        }
        Op::Squash(i, j) => {
            repo.try_git(&["cherry-pick", &old[*i]])?;
            repo.try_git(&["cherry-pick", "-n", &old[*j]])?;
            repo.try_git(&["commit", "-q", "--amend", "--no-edit"])
                .map(drop)
        }
        Op::Split(i) => {
            repo.try_git(&["cherry-pick", "-n", &old[*i]])?;
            let files = repo.git(&["diff", "--cached", "--name-only"]);
            let files: Vec<&str> = files.lines().collect();
            if files.len() < 2 {
                return Err("one file only".into());
            }
            let msg = repo.git(&["log", "-1", "--format=%B", &old[*i]]);
            let author = repo.git(&["log", "-1", "--format=%an <%ae>", &old[*i]]);
            let author = author.trim();
            repo.try_git(&["reset", "-q"])?;
            repo.try_git(&["add", "--", files[0]])?;
            let first = format!("{}\n\n(first part)\n", msg.lines().next().unwrap_or(""));
            repo.try_git(&["commit", "-q", "--author", author, "-m", &first])?;
            repo.try_git(&["add", "-A", "--", "."])?;
            repo.try_git(&["commit", "-q", "--author", author, "-m", &msg])
                .map(drop)
        }
        Op::New(path, content, subject) => {
            std::fs::write(repo.dir.join(path), content).map_err(|e| e.to_string())?;
            repo.try_git(&["add", "--", path])?;
            repo.try_git(&["commit", "-q", "-m", subject]).map(drop)
        }
        Op::RevertPrevious => repo.try_git(&["revert", "--no-edit", "HEAD"]).map(drop),
    }
}

/// Builds a branch from `base` with `ops`; `None` when a step does not apply.
fn build(repo: &Repo, base: &str, old: &[String], ops: &[Op]) -> Option<String> {
    repo.git(&["checkout", "-q", "--detach", base]);
    for op in ops {
        if apply(repo, old, op).is_err() {
            repo.reset();
            return None;
        }
    }
    Some(repo.rev("HEAD"))
}

/// Runs of first-parent, non-merge commits that follow each other, newest
/// runs first, each oldest first.
fn linear_runs(repo: &Repo, min_len: usize) -> Vec<Vec<String>> {
    let out = repo.git(&[
        "rev-list",
        "--first-parent",
        "--parents",
        "-n",
        "1500",
        "HEAD",
    ]);
    let mut runs: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for l in out.lines() {
        let ids: Vec<&str> = l.split(' ').collect();
        let linear = ids.len() == 2;
        // `--first-parent` lists each commit right after its child, so
        // consecutive non-merge lines form a chain; a merge ends it.
        if linear {
            cur.push(ids[0].to_owned());
            continue;
        }
        if cur.len() >= min_len {
            runs.push(cur.iter().rev().cloned().collect());
        }
        cur.clear();
    }
    runs
}

/// `git format-patch` of `range`, parsed as mail, with the abbreviated
/// commit hash of each patch.
fn mail_range(repo: &Repo, range: &str, out: &Path) -> (Vec<MailCommit>, Vec<String>) {
    let _ = std::fs::remove_dir_all(out);
    repo.git(&[
        "format-patch",
        "-q",
        "--no-cover-letter",
        "-o",
        out.to_str().expect("utf-8 path"),
        range,
    ]);
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("patches")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut commits = Vec::new();
    let mut labels = Vec::new();
    for f in files {
        let raw = std::fs::read(&f).expect("patch file");
        let sha = String::from_utf8_lossy(&raw[5..45]).into_owned();
        labels.push(repo.git(&["rev-parse", "--short", &sha]).trim().to_owned());
        let m = lpl_mail::parse(&raw).message;
        commits.push(range_diff::commit_of(&m).expect("a usable patch"));
    }
    (commits, labels)
}

struct Case {
    name: String,
    old_range: String,
    new_range: String,
}

fn check(repo: &Repo, tmp: &Path, case: &Case, factor: u32) -> Result<(), String> {
    let (a, a_labels) = mail_range(repo, &case.old_range, &tmp.join("a"));
    let (b, b_labels) = mail_range(repo, &case.new_range, &tmp.join("b"));
    let a_texts: Vec<PatchText> = a.iter().map(|c| c.text.clone()).collect();
    let b_texts: Vec<PatchText> = b.iter().map(|c| c.text.clone()).collect();
    let a_subjects: Vec<String> = a.iter().map(|c| c.subject.clone()).collect();
    let b_subjects: Vec<String> = b.iter().map(|c| c.subject.clone()).collect();
    let corr = range_diff::correspond(&a_texts, &b_texts, factor);
    let entries = range_diff::entries(&a_texts, &b_texts, &corr);
    let a_numbers: Vec<u32> = (1..=a_texts.len() as u32).collect();
    let b_numbers: Vec<u32> = (1..=b_texts.len() as u32).collect();
    let a_side = Side {
        texts: &a_texts,
        numbers: &a_numbers,
        labels: &a_labels,
        subjects: &a_subjects,
    };
    let b_side = Side {
        texts: &b_texts,
        numbers: &b_numbers,
        labels: &b_labels,
        subjects: &b_subjects,
    };
    let cf = format!("--creation-factor={factor}");
    for color in [false, true] {
        let ours = range_diff::render(
            a_side,
            b_side,
            &entries,
            &RenderOptions {
                color,
                no_patch: false,
            },
        );
        let git = repo.git(&[
            "-c",
            "log.mailmap=false",
            "range-diff",
            &cf,
            if color {
                "--color=always"
            } else {
                "--no-color"
            },
            &case.old_range,
            &case.new_range,
        ]);
        if std::env::var_os("RD_SHOW").is_some() && !color {
            eprintln!("=== {} cf={factor}\n{git}", case.name);
        }
        if ours != git {
            return Err(format!(
                "case {} factor {factor} color {color}:\n--- git\n{git}\n--- lpl\n{ours}",
                case.name
            ));
        }
    }
    Ok(())
}

#[test]
fn golden_against_git_range_diff() {
    let Some((tmp, repo)) = clone_liburing() else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let runs = linear_runs(&repo, 8);
    assert!(runs.len() > 10, "liburing has linear runs");

    // Each scenario: how to build the new revision from the old run (of at
    // least `len` patches) and on which base. Candidate runs are tried in
    // order until every step applies.
    type Scenario = (
        &'static str,
        usize,
        bool,
        fn(&[String], &Repo) -> Option<Vec<Op>>,
    );
    let scenarios: Vec<Scenario> = vec![
        ("identical", 6, false, |_, _| {
            Some((0..6).map(Op::Pick).collect())
        }),
        ("reworded subject", 5, false, |_, _| {
            Some(vec![
                Op::Pick(0),
                Op::Reword(1, "a reworded subject"),
                Op::Pick(2),
                Op::Pick(3),
                Op::Pick(4),
            ])
        }),
        ("trailer added", 4, false, |_, _| {
            Some(vec![
                Op::Pick(0),
                Op::Trailer(1, "Acked-by: Some One <one@example.org>"),
                Op::Trailer(2, "Reviewed-by: Some One <one@example.org>"),
                Op::Pick(3),
            ])
        }),
        ("drop and add", 6, false, |_, _| {
            Some(vec![
                Op::Pick(0),
                Op::Pick(1),
                Op::New(
                    "lpl-new.txt",
                    "a new file\nwith two lines\n",
                    "add a new file",
                ),
                Op::Pick(3),
                Op::Pick(4),
                Op::Pick(5),
            ])
        }),
        ("edit the largest patch", 6, false, |old, repo| {
            let k = largest(repo, &old[..6], true);
            Some(
                (0..6)
                    .map(|i| if i == k { Op::Edit(i) } else { Op::Pick(i) })
                    .collect(),
            )
        }),
        ("edit the smallest patch", 6, false, |old, repo| {
            let k = largest(repo, &old[..6], false);
            Some(
                (0..6)
                    .map(|i| if i == k { Op::Edit(i) } else { Op::Pick(i) })
                    .collect(),
            )
        }),
        ("reorder", 6, false, |old, repo| {
            let (i, j) = same_file_pair(repo, &old[..6])?;
            let mut order: Vec<usize> = (0..6).collect();
            order.swap(i, j);
            Some(order.into_iter().map(Op::Pick).collect())
        }),
        ("split", 5, false, |old, repo| {
            let k = multi_file(repo, &old[..5])?;
            Some(
                (0..5)
                    .map(|i| if i == k { Op::Split(i) } else { Op::Pick(i) })
                    .collect(),
            )
        }),
        ("squash", 6, false, |_, _| {
            Some(vec![
                Op::Pick(0),
                Op::Squash(1, 2),
                Op::Pick(3),
                Op::Pick(4),
                Op::Pick(5),
            ])
        }),
        ("rebase onto an older base", 6, true, |_, _| {
            Some((0..6).map(Op::Pick).collect())
        }),
        ("many changes at once", 8, false, |old, repo| {
            let k = largest(repo, &old[..8], true);
            let mut ops = vec![Op::Pick(0), Op::Reword(1, "subject changed in v2")];
            for i in 2..8 {
                if i == 4 {
                    continue;
                }
                ops.push(if i == k { Op::Edit(i) } else { Op::Pick(i) });
            }
            ops.push(Op::New("lpl-extra.txt", "x\n", "an extra patch at the end"));
            Some(ops)
        }),
        (
            "a long series with edits, drops and rewords",
            40,
            false,
            |old, repo| {
                // Edits and drops only where no later patch touches the files.
                let files: Vec<Vec<String>> = old[..40].iter().map(|c| files_of(repo, c)).collect();
                let alone = |i: usize| {
                    files[i + 1..]
                        .iter()
                        .all(|later| later.iter().all(|f| !files[i].contains(f)))
                };
                let mut ops = Vec::new();
                let (mut edits, mut drops) = (0, 0);
                for i in 0..40 {
                    ops.push(match i % 4 {
                        1 if alone(i) && drops < 2 && i > 10 => {
                            drops += 1;
                            continue;
                        }
                        2 if alone(i) && edits < 4 => {
                            edits += 1;
                            Op::Edit(i)
                        }
                        3 if i % 8 == 3 => Op::Reword(i, "reworded in the long series"),
                        0 if i % 12 == 0 => Op::Trailer(i, "Tested-by: T <t@example.org>"),
                        _ => Op::Pick(i),
                    });
                }
                (edits > 0).then_some(ops)
            },
        ),
    ];

    let mut cases: Vec<Case> = Vec::new();
    for (name, len, older_base, make) in &scenarios {
        let mut made = false;
        'runs: for run in runs.iter().filter(|r| r.len() >= *len).take(25) {
            let old = &run[..*len];
            let base = format!("{}^", old[0]);
            let Some(ops) = make(old, &repo) else {
                continue;
            };
            // An older base must change some patch's context, else the
            // case would only repeat "identical".
            let distances: &[usize] = if *older_base {
                &[20, 40, 80, 160]
            } else {
                &[0]
            };
            for &back in distances {
                let new_base = if back == 0 {
                    base.clone()
                } else {
                    format!("{}~{back}", old[0])
                };
                let Some(tip) = build(&repo, &new_base, old, &ops) else {
                    continue;
                };
                let old_tip = &old[old.len() - 1];
                let case = Case {
                    name: (*name).to_owned(),
                    old_range: format!("{base}..{old_tip}"),
                    new_range: format!("{new_base}..{tip}"),
                };
                if back > 0 {
                    let plain =
                        repo.git(&["range-diff", "--no-color", &case.old_range, &case.new_range]);
                    if !plain.lines().any(|l| l.contains(" ! ")) {
                        continue;
                    }
                }
                cases.push(case);
                made = true;
                break 'runs;
            }
        }
        assert!(made, "no run of liburing fits scenario {name}");
    }
    cases.extend(tie_cases(&repo, &runs));
    cases.extend(binary_cases(&repo, &runs));

    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        for factor in [30, 60, 100] {
            checked += 1;
            if let Err(e) = check(&repo, tmp.path(), case, factor) {
                failures.push(e);
            }
        }
    }
    eprintln!(
        "{checked} range-diffs compared with git, {} differ",
        failures.len()
    );
    assert!(checked >= 30, "at least 30 golden cases ({checked})");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Exact cost ties: identical diffs on one side (a patch, its revert and
/// the patch again), so that the exact-match pass and the solver must break
/// ties as git does.
fn tie_cases(repo: &Repo, runs: &[Vec<String>]) -> Vec<Case> {
    let mut out = Vec::new();
    for run in runs.iter().take(25) {
        let k = largest(repo, &run[..4], false);
        let base = format!("{}^", run[0]);
        let x = std::slice::from_ref(&run[k]);
        let Some(old_dup) = build(
            repo,
            &base,
            x,
            &[Op::Pick(0), Op::RevertPrevious, Op::Pick(0)],
        ) else {
            continue;
        };
        let Some(new_dup) = build(
            repo,
            &base,
            x,
            &[Op::Pick(0), Op::RevertPrevious, Op::Pick(0)],
        ) else {
            continue;
        };
        let Some(edited) = build(repo, &base, x, &[Op::Edit(0)]) else {
            continue;
        };
        out.push(Case {
            name: "tie: duplicates on both sides".into(),
            old_range: format!("{base}..{old_dup}"),
            new_range: format!("{base}..{new_dup}"),
        });
        out.push(Case {
            name: "tie: one edited patch against two identical ones".into(),
            old_range: format!("{base}..{edited}"),
            new_range: format!("{base}..{new_dup}"),
        });
        out.push(Case {
            name: "tie: two identical patches against one edited".into(),
            old_range: format!("{base}..{old_dup}"),
            new_range: format!("{base}..{edited}"),
        });
        break;
    }
    assert!(!out.is_empty(), "no run fits the tie cases");
    out
}

/// Binary files (`GIT binary patch` in the mail, `Binary files ... differ`
/// in git's texts): one changed, one unchanged, one text patch around.
fn binary_cases(repo: &Repo, runs: &[Vec<String>]) -> Vec<Case> {
    for run in runs.iter().take(25) {
        let base = format!("{}^", run[0]);
        let with = |blob: &'static str| {
            vec![
                Op::Pick(0),
                Op::New("lpl-blob.bin", blob, "add a binary file"),
                Op::New(
                    "lpl-other.bin",
                    "\0same\x01\x02\0",
                    "add another binary file",
                ),
                Op::Pick(1),
            ]
        };
        let Some(old) = build(repo, &base, run, &with("\0\x01binary v1\0")) else {
            continue;
        };
        let Some(new) = build(repo, &base, run, &with("\0\x01binary, v2\0\x7f")) else {
            continue;
        };
        return vec![Case {
            name: "binary files".into(),
            old_range: format!("{base}..{old}"),
            new_range: format!("{base}..{new}"),
        }];
    }
    panic!("no run fits the binary case");
}

/// Index of the patch with the most (or fewest) changed lines.
fn largest(repo: &Repo, commits: &[String], most: bool) -> usize {
    let sizes: Vec<usize> = commits
        .iter()
        .map(|c| {
            repo.git(&["show", "--format=", "--numstat", c])
                .lines()
                .map(|l| {
                    l.split('\t')
                        .take(2)
                        .map(|n| n.parse::<usize>().unwrap_or(0))
                        .sum::<usize>()
                })
                .sum()
        })
        .collect();
    let pick = if most {
        sizes.iter().enumerate().max_by_key(|(_, s)| **s)
    } else {
        sizes.iter().enumerate().min_by_key(|(_, s)| **s)
    };
    pick.map_or(0, |(i, _)| i)
}

fn files_of(repo: &Repo, c: &str) -> Vec<String> {
    repo.git(&["show", "--format=", "--name-only", c])
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Two patches touching the same file (to swap).
fn same_file_pair(repo: &Repo, commits: &[String]) -> Option<(usize, usize)> {
    let files: Vec<Vec<String>> = commits.iter().map(|c| files_of(repo, c)).collect();
    for i in 0..files.len() {
        for j in i + 1..files.len() {
            if files[i].iter().any(|f| files[j].contains(f)) {
                return Some((i, j));
            }
        }
    }
    None
}

/// A patch touching several files (to split).
fn multi_file(repo: &Repo, commits: &[String]) -> Option<usize> {
    commits.iter().position(|c| files_of(repo, c).len() >= 2)
}
