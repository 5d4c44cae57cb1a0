//! `lpl diff --repo DIR`: both revisions applied to a git repository that
//! has the trees they were made against, then the real `git range-diff`
//! (what b4 does). The one place lpl runs the `git` binary: range-diff is
//! git's, and applying a patch with a three-way fallback needs git's apply.
//!
//! The user's repository is only read. Each revision is applied the way
//! `git am` applies it, without a checkout: `git mailinfo` splits each mail,
//! `git apply --cached` (then `--3way`, which needs the pre-image blobs)
//! applies it to a temporary index built from the base, `git commit-tree`
//! records it with the author, date and message `git am` would use. New
//! objects go to a temporary object directory (the repository's own is an
//! alternate), so nothing is written into the repository.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Invalid};

/// A revision to apply.
pub struct RepoSide<'a> {
    /// Label for messages (`v4`).
    pub name: String,
    /// The raw mails, in order.
    pub mails: &'a [Vec<u8>],
    /// The `base-commit:` the series names, if any.
    pub base: Option<String>,
}

/// What `git range-diff` printed, and on what the revisions were applied.
pub struct RepoRangeDiff {
    /// git's output.
    pub output: String,
    /// The commits the two revisions were applied on.
    pub bases: (String, String),
}

struct Env {
    repo: PathBuf,
    objects: PathBuf,
    alternate: PathBuf,
    tmp: tempfile::TempDir,
}

impl Env {
    fn git(&self, index: Option<&Path>) -> Command {
        let mut c = Command::new("git");
        c.arg("-C")
            .arg(&self.repo)
            .env("GIT_OBJECT_DIRECTORY", &self.objects)
            .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &self.alternate)
            .env("GIT_COMMITTER_NAME", "lpl diff")
            .env("GIT_COMMITTER_EMAIL", "lpl@localhost")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        if let Some(i) = index {
            c.env("GIT_INDEX_FILE", i);
        }
        c
    }

    fn run(&self, mut c: Command, stdin: Option<&[u8]>, what: &str) -> Result<String, String> {
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c
            .spawn()
            .map_err(|e| format!("{what}: cannot run git: {e}"))?;
        if let (Some(data), Some(mut w)) = (stdin, child.stdin.take()) {
            w.write_all(data)
                .map_err(|e| format!("{what}: writing to git: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("{what}: git: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

/// Applies both revisions to `repo` and runs `git range-diff`.
pub fn range_diff_in_repo(
    repo: &Path,
    old: &RepoSide<'_>,
    new: &RepoSide<'_>,
    creation_factor: u32,
    color: bool,
) -> Result<RepoRangeDiff, Error> {
    let invalid = |reason: String| -> Error {
        Invalid::Repository {
            path: repo.to_owned(),
            reason,
        }
        .into()
    };
    let probe = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "objects",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| invalid(format!("--repo needs git, which cannot be run here: {e}")))?;
    if !probe.status.success() {
        return Err(invalid(format!(
            "not a git repository ({})",
            String::from_utf8_lossy(&probe.stderr).trim()
        )));
    }
    let alternate = PathBuf::from(String::from_utf8_lossy(&probe.stdout).trim());
    let tmp = tempfile::tempdir().map_err(Error::io(
        "create a temporary directory in",
        std::env::temp_dir(),
    ))?;
    let objects = tmp.path().join("objects");
    std::fs::create_dir_all(objects.join("info"))
        .map_err(Error::io("create", objects.join("info")))?;
    let env = Env {
        repo: repo.to_owned(),
        objects,
        alternate,
        tmp,
    };
    let (old_base, old_tip) = apply(&env, old, "a").map_err(invalid)?;
    let (new_base, new_tip) = apply(&env, new, "b").map_err(invalid)?;
    let mut c = env.git(None);
    c.args([
        "-c",
        "log.mailmap=false",
        "range-diff",
        &format!("--creation-factor={creation_factor}"),
        if color {
            "--color=always"
        } else {
            "--no-color"
        },
        &format!("{old_base}..{old_tip}"),
        &format!("{new_base}..{new_tip}"),
    ]);
    let output = env.run(c, None, "git range-diff").map_err(invalid)?;
    Ok(RepoRangeDiff {
        output,
        bases: (old_base, new_base),
    })
}

/// Applies one revision; returns its base and tip commits.
fn apply(env: &Env, side: &RepoSide<'_>, tag: &str) -> Result<(String, String), String> {
    let verify = |rev: &str| -> Option<String> {
        let mut c = env.git(None);
        c.args(["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")]);
        env.run(c, None, "rev-parse")
            .ok()
            .map(|s| s.trim().to_owned())
    };
    let base = match side.base.as_deref() {
        Some(b) => verify(b).ok_or_else(|| {
            format!(
                "{}: its base-commit {b} is not in {}; fetch it, or leave out --repo to compare from the mail",
                side.name,
                env.repo.display()
            )
        })?,
        None => verify("HEAD").ok_or_else(|| {
            format!("{} has no HEAD commit to apply {} on", env.repo.display(), side.name)
        })?,
    };
    let index = env.tmp.path().join(format!("index-{tag}"));
    let mut c = env.git(Some(&index));
    c.args(["read-tree", &base]);
    env.run(c, None, "git read-tree")?;
    let msg_file = env.tmp.path().join(format!("msg-{tag}"));
    let patch_file = env.tmp.path().join(format!("patch-{tag}"));
    let mut parent = base.clone();
    for (k, mail) in side.mails.iter().enumerate() {
        let what = format!("{} patch {}", side.name, k + 1);
        let mut c = env.git(None);
        c.arg("mailinfo").arg(&msg_file).arg(&patch_file);
        let info = env.run(c, Some(mail), &what)?;
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or("")
                .to_owned()
        };
        let body = std::fs::read_to_string(&msg_file).unwrap_or_default();
        let message = format!("{}\n\n{body}", field("Subject: "));
        let mut c = env.git(None);
        c.args(["stripspace"]);
        let message = env.run(c, Some(message.as_bytes()), &what)?;
        let mut c = env.git(Some(&index));
        c.args(["apply", "--cached"]).arg(&patch_file);
        if env.run(c, None, &what).is_err() {
            let mut c = env.git(Some(&index));
            c.args(["apply", "--cached", "--3way"]).arg(&patch_file);
            env.run(c, None, &what).map_err(|e| {
                format!(
                    "{e}\n(applied on {}; --repo needs a tree with the blobs the patches were made against)",
                    &base[..base.len().min(12)]
                )
            })?;
        }
        let mut c = env.git(Some(&index));
        c.arg("write-tree");
        let tree = env.run(c, None, &what)?.trim().to_owned();
        let mut c = env.git(None);
        c.args(["commit-tree", &tree, "-p", &parent])
            .env("GIT_AUTHOR_NAME", field("Author: "))
            .env("GIT_AUTHOR_EMAIL", field("Email: "))
            .env("GIT_AUTHOR_DATE", field("Date: "));
        parent = env
            .run(c, Some(message.as_bytes()), &what)?
            .trim()
            .to_owned();
    }
    Ok((base, parent))
}
