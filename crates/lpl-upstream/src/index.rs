//! Indexing a repository's non-merge commits.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use gix::objs::FindExt;
use lpl_mail::patch_id::{PatchId, patch_id_stable};
use serde::Serialize;

use crate::diff_text::{DiffBuffers, commit_diff};
use crate::similarity::{Fingerprint, fingerprint};
use crate::{CommitId, Error, gitrepo, links, store, tags};

/// What one non-merge commit contributes to matching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexedCommit {
    /// The commit.
    pub id: CommitId,
    /// `git patch-id --stable` of its diff against its parent; `None` for an
    /// empty commit.
    pub patch_id: Option<PatchId>,
    /// The subject (first paragraph of the message, lines joined by a space).
    pub subject: String,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author date, unix seconds.
    pub author_date: i64,
    /// Committer date, unix seconds.
    pub commit_date: i64,
    /// Paths touched, sorted.
    pub files: Vec<String>,
    /// Message-IDs named by its `Link:`/`Message-ID:` trailers.
    pub message_ids: Vec<String>,
    /// Changed-line fingerprint (for diff similarity).
    #[serde(skip)]
    pub fingerprint: Fingerprint,
}

/// How to index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Revisions whose history is indexed; empty means `HEAD`. Release tags'
    /// histories are always indexed too, so every commit a tag contains is
    /// known.
    pub revs: Vec<String>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Commits computed and written per transaction (memory stays flat).
    pub batch: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            revs: Vec::new(),
            threads: None,
            batch: 16384,
        }
    }
}

/// Progress of [`index_repository`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The history walk found this many new non-merge commits.
    Walked {
        /// New non-merge commits to index.
        commits: usize,
    },
    /// This many of them are indexed.
    Indexed {
        /// Done so far.
        done: usize,
        /// Total.
        total: usize,
    },
    /// First release tags are being computed for this many tags.
    Tags {
        /// Release tags in the repository.
        tags: usize,
    },
}

/// A problem that did not stop indexing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Warning {
    /// No release tags: first releases are unknown.
    NoReleaseTags,
    /// A commit could not be read (corrupt or missing object); it is skipped.
    CommitSkipped {
        /// The commit.
        commit: CommitId,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::NoReleaseTags => write!(
                f,
                "the repository has no release tags (like v6.10 or v6.10-rc1): first releases are unknown"
            ),
            Warning::CommitSkipped { commit, reason } => {
                write!(f, "commit {commit} skipped: {reason}")
            }
        }
    }
}

/// What [`index_repository`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexReport {
    /// The repository.
    pub repo: PathBuf,
    /// Non-merge commits newly indexed by this run.
    pub new_commits: usize,
    /// Non-merge commits of this repository in the index after this run.
    pub total_commits: usize,
    /// Release tags known.
    pub release_tags: usize,
    /// Whether first tags were recomputed from scratch (tags were added out
    /// of version order, or this is the first run).
    pub tags_recomputed: bool,
    /// Problems that did not stop the run.
    pub warnings: Vec<Warning>,
}

/// An opened repository.
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    path: PathBuf,
}

impl Repo {
    /// Opens `path` (a work tree or a bare repository). Errors if it is not
    /// a repository or is a shallow clone.
    pub fn open(path: &Path) -> Result<Repo, Error> {
        Ok(Repo {
            inner: gitrepo::open(path)?,
            path: path.to_owned(),
        })
    }

    /// The path it was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn local(&self) -> gix::Repository {
        let mut r = self.inner.to_thread_local();
        // A small object cache catches the trees read twice (a commit's tree,
        // then as its child's parent tree); a big one costs more in copies
        // than it saves (measured: 32 MiB halves throughput vs 4 MiB). Blobs
        // come out of delta chains, so the delta base cache is git-sized.
        r.object_cache_size(4 * 1024 * 1024);
        r.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                64 * 1024 * 1024,
            ))
        });
        r
    }

    /// Release tags in version order: (name, commit).
    pub fn release_tags(&self) -> Result<Vec<(String, CommitId)>, Error> {
        let repo = self.local();
        Ok(tags::release_tags(gitrepo::tags(&repo)?)
            .into_iter()
            .map(|(n, id)| (n, crate::ids::commit_id(&id)))
            .collect())
    }

    /// The tips to walk: `revs` (or `HEAD`) plus every release tag.
    pub fn tips(&self, revs: &[String]) -> Result<Vec<CommitId>, Error> {
        let repo = self.local();
        let mut tips = if revs.is_empty() {
            gitrepo::head(&repo).into_iter().collect()
        } else {
            gitrepo::resolve(&repo, &self.path, revs)?
        };
        for (_, id) in tags::release_tags(gitrepo::tags(&repo)?) {
            if !tips.contains(&id) {
                tips.push(id);
            }
        }
        if tips.is_empty() {
            return Err(Error::NothingToIndex {
                path: self.path.clone(),
            });
        }
        Ok(tips.iter().map(|t| crate::ids::commit_id(t)).collect())
    }

    /// Non-merge commits reachable from `tips` but not from `hidden`, newest
    /// first.
    pub fn non_merge_commits(
        &self,
        tips: &[CommitId],
        hidden: &[CommitId],
    ) -> Result<Vec<CommitId>, Error> {
        let repo = self.local();
        let walk = repo
            .rev_walk(tips.iter().map(|c| crate::ids::oid(*c)))
            .with_hidden(hidden.iter().map(|c| crate::ids::oid(*c)))
            .all()
            .map_err(|e| Error::git("walking history", e))?;
        let mut out = Vec::new();
        for info in walk {
            let info = info.map_err(|e| Error::git("walking history", e))?;
            if info.parent_ids.len() <= 1 {
                out.push(crate::ids::commit_id(&info.id));
            }
        }
        Ok(out)
    }

    /// Indexes `ids` in parallel (`threads` workers, `None` = all cores).
    /// Results are in the order of `ids`.
    pub fn index_commits(
        &self,
        ids: &[CommitId],
        threads: Option<usize>,
    ) -> Vec<Result<IndexedCommit, Error>> {
        // Each worker takes a contiguous run of commits: consecutive commits
        // share trees and delta bases, so per-thread caches stay warm.
        let n = threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, 64);
        let per = ids.len().div_ceil(n).max(1);
        let work = |part: &[CommitId]| {
            let repo = self.local();
            let (mut bufs, mut text, mut obj) = (DiffBuffers::default(), Vec::new(), Vec::new());
            part.iter()
                .map(|id| index_one(&repo, *id, &mut bufs, &mut text, &mut obj))
                .collect::<Vec<_>>()
        };
        if n == 1 || ids.len() < 64 {
            return work(ids);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = ids
                .chunks(per)
                .map(|part| s.spawn(move || work(part)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("indexing worker does not panic"))
                .collect()
        })
    }

    /// The diff text of one commit against its first parent, as
    /// `git show --full-index --no-renames --format=` prints it.
    pub fn commit_diff(&self, id: CommitId) -> Result<String, Error> {
        let repo = self.local();
        let mut bufs = DiffBuffers::default();
        let mut obj = Vec::new();
        let (tree, parent_tree) = trees(&repo, crate::ids::oid(id), &mut obj)?;
        let mut text = Vec::new();
        commit_diff(&repo, parent_tree, tree, &mut bufs, &mut text)?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// commit -> index into [`Repo::release_tags`] of the first tag
    /// containing it, for tags `start..`, not descending into `hidden`.
    pub fn first_tags(
        &self,
        release_tags: &[(String, CommitId)],
        start: usize,
        hidden: &[CommitId],
    ) -> Result<Vec<(CommitId, u32)>, Error> {
        let repo = self.local();
        let t: Vec<(String, gix::ObjectId)> = release_tags
            .iter()
            .map(|(n, c)| (n.clone(), crate::ids::oid(*c)))
            .collect();
        let h: Vec<gix::ObjectId> = hidden.iter().map(|c| crate::ids::oid(*c)).collect();
        Ok(tags::first_tags(&repo, &t, start, &h)?
            .into_iter()
            .map(|(k, v)| (crate::ids::commit_id(&k), v))
            .collect())
    }
}

/// The tree of `id` and of its first parent.
fn trees(
    repo: &gix::Repository,
    id: gix::ObjectId,
    buf: &mut Vec<u8>,
) -> Result<(gix::ObjectId, Option<gix::ObjectId>), Error> {
    let c = repo
        .objects
        .find_commit(&id, buf)
        .map_err(|e| Error::git(format!("reading commit {id}"), e))?;
    let tree = c.tree();
    let parent = c.parents().next();
    drop(c);
    let parent_tree = match parent {
        Some(p) => Some(
            repo.objects
                .find_commit(&p, buf)
                .map_err(|e| Error::git(format!("reading commit {p}"), e))?
                .tree(),
        ),
        None => None,
    };
    Ok((tree, parent_tree))
}

/// git's `%s`: the first paragraph of the message, lines joined by a space.
pub fn subject_of(message: &str) -> String {
    let mut s = String::new();
    for line in message.trim_start_matches('\n').lines() {
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(line);
    }
    s
}

fn index_one(
    repo: &gix::Repository,
    id: CommitId,
    bufs: &mut DiffBuffers,
    text: &mut Vec<u8>,
    obj: &mut Vec<u8>,
) -> Result<IndexedCommit, Error> {
    let oid: gix::ObjectId = crate::ids::oid(id);
    let (author_name, author_email, author_date, commit_date, message, tree, parent) = {
        let c = repo
            .objects
            .find_commit(&oid, obj)
            .map_err(|e| Error::git(format!("reading commit {oid}"), e))?;
        let author = c
            .author()
            .map_err(|e| Error::git(format!("author of {oid}"), e))?;
        let author_date = author.time().map(|t| t.seconds).unwrap_or(0);
        let commit_date = c.time().map(|t| t.seconds).unwrap_or(author_date);
        (
            String::from_utf8_lossy(author.trim().name).into_owned(),
            String::from_utf8_lossy(author.trim().email).into_owned(),
            author_date,
            commit_date,
            String::from_utf8_lossy(c.message).into_owned(),
            c.tree(),
            c.parents().next(),
        )
    };
    let parent_tree = match parent {
        Some(p) => Some(
            repo.objects
                .find_commit(&p, obj)
                .map_err(|e| Error::git(format!("reading commit {p}"), e))?
                .tree(),
        ),
        None => None,
    };
    text.clear();
    let files = commit_diff(repo, parent_tree, tree, bufs, text)?;
    let patch_id = patch_id_stable(text);
    let fp = fingerprint(text);
    Ok(IndexedCommit {
        id,
        patch_id,
        subject: subject_of(&message),
        author_name,
        author_email,
        author_date,
        commit_date,
        files,
        message_ids: links::message_ids(&message),
        fingerprint: fp,
    })
}

/// Indexes the repository at `path` into the `up_*` tables of `conn`
/// (created by [`store::migrate`]): new non-merge commits since the last run,
/// then first release tags. `cancel` is checked between batches.
pub fn index_repository(
    conn: &mut rusqlite::Connection,
    path: &Path,
    opts: &IndexOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Result<IndexReport, Error> {
    store::migrate(conn)?;
    let repo = Repo::open(path)?;
    let key = store::repo_key(path);
    let tips = repo.tips(&opts.revs)?;
    // This repository's own rows: another one indexed before keeps its.
    let rid = store::repository_id(conn, &key)?;
    let old_tips: Vec<CommitId> = store::tips(conn, rid)?;
    let new_ids = repo.non_merge_commits(&tips, &old_tips)?;
    progress(Progress::Walked {
        commits: new_ids.len(),
    });
    let mut warnings = Vec::new();
    let mut done = 0;
    for chunk in new_ids.chunks(opts.batch.max(1)) {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let results = repo.index_commits(chunk, opts.threads);
        let mut ok = Vec::with_capacity(results.len());
        for (id, r) in chunk.iter().zip(results) {
            match r {
                Ok(c) => ok.push(c),
                Err(e) => warnings.push(Warning::CommitSkipped {
                    commit: *id,
                    reason: e.to_string(),
                }),
            }
        }
        store::save_commits(conn, rid, &ok)?;
        done += chunk.len();
        progress(Progress::Indexed {
            done,
            total: new_ids.len(),
        });
    }

    // Tags.
    let rtags = repo.release_tags()?;
    progress(Progress::Tags { tags: rtags.len() });
    if rtags.is_empty() {
        warnings.push(Warning::NoReleaseTags);
    }
    let old_tags = store::tags(conn, rid)?;
    let same_prefix = rtags.len() >= old_tags.len()
        && old_tags
            .iter()
            .zip(&rtags)
            .all(|((a, ac), (b, bc))| a == b && ac == bc);
    let tags_recomputed;
    if same_prefix && !old_tags.is_empty() {
        tags_recomputed = false;
        if rtags.len() > old_tags.len() {
            let hidden: Vec<CommitId> = old_tags.iter().map(|(_, c)| *c).collect();
            let firsts = repo.first_tags(&rtags, old_tags.len(), &hidden)?;
            store::save_tags(conn, rid, &rtags, &firsts, false)?;
        }
    } else {
        tags_recomputed = true;
        let firsts = repo.first_tags(&rtags, 0, &[])?;
        store::save_tags(conn, rid, &rtags, &firsts, true)?;
    }
    store::set_tips(conn, rid, &tips)?;
    Ok(IndexReport {
        repo: path.to_owned(),
        new_commits: new_ids.len(),
        total_commits: store::count_commits(conn, rid)?,
        release_tags: rtags.len(),
        tags_recomputed,
        warnings,
    })
}
