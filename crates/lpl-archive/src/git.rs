//! public-inbox git repositories: v2 epochs and v1 inboxes.
//!
//! A v2 epoch commit's tree holds one blob: `m`, the raw message, or `d`,
//! a message being deleted. A v1 inbox's tree holds one blob per message at
//! `xx/yyyy…` (the sha1 of the Message-ID); each commit adds (or removes)
//! some, so a commit's messages are the blobs its tree has and its first
//! parent's tree does not.
//!
//! Reading walks the history once from the tips (every reference) back to
//! the root, or to the cursor commit when resuming, keeping only
//! `(commit, tree, first parent)` ids (from the commit-graph when the
//! repository has one, else by decoding each commit), then yields commits
//! oldest first.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};

use gix::ObjectId;
use gix::objs::{CommitRefIter, Exists, Find, FindHeader, Kind, TreeRefIter};

use crate::error::{GitError, ObjectRole, OpenError, ReadError};
use crate::location::{Location, commit_of};
use crate::reader::{Event, RawMessage, RestartReason};

/// The layout of the repository's trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// public-inbox v2 epoch: `m` or `d` per commit.
    V2,
    /// public-inbox v1: `xx/yyyy…` files.
    V1,
}

/// Bytes of decoded objects kept in gix's object cache. Trees of v1 inboxes
/// are read twice (as a commit's tree, then as the next commit's parent
/// tree); v2 objects are read once, so this mostly helps v1.
const OBJECT_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Opens a repository without reading the user's or system's git
/// configuration or the environment (a library reads what it is given).
pub(crate) fn open_repo(path: &Path) -> Result<gix::Repository, OpenError> {
    let mut repo =
        gix::open_opts(path, gix::open::Options::isolated()).map_err(|e| OpenError::Git {
            path: path.to_owned(),
            source: GitError::new(e),
        })?;
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    Ok(repo)
}

/// Every reference's target commit (tags peeled), deduplicated, plus HEAD.
fn tips(repo: &gix::Repository, path: &Path) -> Result<Vec<ObjectId>, OpenError> {
    let git_err = |e: gix::Error| OpenError::Git {
        path: path.to_owned(),
        source: GitError::new(e),
    };
    let mut tips = Vec::new();
    let platform = repo.references().map_err(git_err)?;
    let iter = platform.all().map_err(git_err)?.peeled().map_err(git_err)?;
    for reference in iter {
        // A broken reference is skipped: the others still lead to messages.
        if let Ok(reference) = reference
            && let Some(id) = reference.try_id()
        {
            tips.push(id.detach());
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// Guesses the layout from the tip's tree: `m`/`d` is v2, `xx/` is v1.
/// `None` for an empty repository; `Err` when it is neither.
pub(crate) fn detect_layout(path: &Path) -> Result<Option<Layout>, OpenError> {
    let repo = open_repo(path)?;
    let not_inbox = OpenError::Unrecognised {
        path: path.to_owned(),
        reason: "a git repository whose commits hold no `m`, `d` or `xx/…` message files",
    };
    let tips = tips(&repo, path)?;
    let mut buf = Vec::new();
    for tip in tips {
        let Ok(Some(data)) = repo.objects.try_find(&tip, &mut buf) else {
            continue;
        };
        if data.kind != Kind::Commit {
            continue;
        }
        let Ok(tree) = CommitRefIter::from_bytes(data.data, repo.object_hash()).tree_id() else {
            continue;
        };
        let Ok(Some(data)) = repo.objects.try_find(&tree, &mut buf) else {
            continue;
        };
        let mut v1 = false;
        for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()).flatten() {
            let name: &[u8] = entry.filename;
            if entry.mode.is_blob() && (name == b"m" || name == b"d") {
                return Ok(Some(Layout::V2));
            }
            v1 |= entry.mode.is_tree() && name.len() == 2 && name.iter().all(u8::is_ascii_hexdigit);
        }
        return if v1 {
            Ok(Some(Layout::V1))
        } else {
            Err(not_inbox)
        };
    }
    Ok(None)
}

fn commit_location(repo: &Path, commit: ObjectId) -> Location {
    Location::Commit {
        repo: repo.to_owned(),
        commit: commit_of(&commit),
        path: None,
    }
}

/// Reads v2 epoch commit `commit` (whose tree is `tree`): its `m` is a
/// message, its `d` a deletion.
fn read_v2(
    repo: &gix::Repository,
    path: &Path,
    commit: ObjectId,
    tree: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Event, ReadError> {
    let hash = repo.object_hash();
    let entry = match repo.objects.try_find(&tree, buf) {
        Ok(Some(data)) => TreeRefIter::from_bytes(data.data, hash)
            .flatten()
            .find(|e| e.mode.is_blob() && (e.filename == "m" || e.filename == "d"))
            .map(|e| (e.filename == "d", e.oid.to_owned())),
        Ok(None) => {
            return Err(ReadError::MissingObject {
                location: commit_location(path, commit),
                id: tree.to_string(),
                role: ObjectRole::Tree,
            });
        }
        Err(e) => {
            return Err(ReadError::Git {
                location: commit_location(path, commit),
                source: GitError::new(e),
            });
        }
    };
    let Some((deleted, blob)) = entry else {
        return Err(ReadError::NoMessageInCommit {
            location: commit_location(path, commit),
        });
    };
    // The size is in the object's header: a blob over the limit is never
    // inflated (a 4 GiB blob cost 4 GiB of memory and was stored with its
    // length cut to 32 bits).
    if let Ok(Some(h)) = repo.objects.try_header(&blob)
        && h.size > lpl_mail::MAX_MESSAGE_BYTES as u64
    {
        return Err(ReadError::TooLarge {
            location: commit_location(path, commit),
            at_least: h.size,
        });
    }
    let bytes = match repo.objects.try_find(&blob, buf) {
        Ok(Some(data)) => data.data.to_vec(),
        Ok(None) => {
            return Err(ReadError::MissingObject {
                location: commit_location(path, commit),
                id: blob.to_string(),
                role: ObjectRole::Message,
            });
        }
        Err(e) => {
            return Err(ReadError::Git {
                location: commit_location(path, commit),
                source: GitError::new(e),
            });
        }
    };
    let location = commit_location(path, commit);
    Ok(if deleted {
        Event::Deleted {
            location,
            bytes: Some(bytes),
        }
    } else {
        Event::Message(RawMessage { bytes, location })
    })
}

/// Commits a worker decodes and sends at once: batching keeps thread
/// wake-ups (costly on a loaded machine) to one per batch.
const BATCH: usize = 32;
/// Batches a worker may have decoded ahead of the consumer.
const WORKER_QUEUE: usize = 2;

/// Batches a decoding worker reads before re-opening the repository.
const REOPEN_BATCHES: usize = 16;

/// Commits the history walk decodes before re-opening the repository.
const WALK_REOPEN: usize = 4096;
/// Below this many commits, decoding on the calling thread is as fast.
const MIN_COMMITS_FOR_WORKERS: usize = 512;

type Batch = Vec<Result<Event, ReadError>>;

/// Background threads decoding v2 commits ahead of the consumer. The steps
/// are cut into batches of [`BATCH`]; worker `k` decodes batches `k`,
/// `k + n`, `k + 2n` … in order, so the consumer takes batch `c` from worker
/// `c % n` and the order is kept. Dropping the receivers stops the workers
/// (their next send fails).
struct Workers {
    receivers: Vec<Receiver<Batch>>,
    /// Index of `steps` where the workers started.
    from: usize,
    /// The batch being consumed, and the index of the step at its front.
    current: std::collections::VecDeque<Result<Event, ReadError>>,
    current_start: usize,
}

impl Workers {
    fn spawn(
        repo: &gix::Repository,
        path: &Path,
        steps: &[Step],
        from: usize,
        threads: usize,
    ) -> Option<Self> {
        let mut receivers = Vec::with_capacity(threads);
        // One shared list for all workers (not a copy each): memory per
        // commit stays small on epochs of millions of messages.
        let pairs: std::sync::Arc<[(ObjectId, ObjectId)]> =
            steps[from..].iter().map(|s| (s.commit, s.tree)).collect();
        let n_batches = pairs.len().div_ceil(BATCH);
        for k in 0..threads {
            let (tx, rx) = sync_channel::<Batch>(WORKER_QUEUE);
            let mut repo = repo.clone();
            repo.object_cache_size(0);
            let path = path.to_owned();
            let pairs = pairs.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("lpl-archive-git-{k}"))
                .spawn(move || {
                    let mut buf = Vec::new();
                    for (i, b) in (k..n_batches).step_by(threads).enumerate() {
                        let batch = &pairs[b * BATCH..((b + 1) * BATCH).min(pairs.len())];
                        // gix maps the pack; pages read stay resident in
                        // that mapping. A fresh handle now and then unmaps
                        // them, so resident memory does not grow with the
                        // epoch (the page cache keeps them for the OS).
                        if i > 0
                            && i.is_multiple_of(REOPEN_BATCHES)
                            && let Ok(mut fresh) = open_repo(&path)
                        {
                            fresh.object_cache_size(0);
                            repo = fresh;
                        }
                        let out = batch
                            .iter()
                            .map(|&(commit, tree)| read_v2(&repo, &path, commit, tree, &mut buf))
                            .collect();
                        if tx.send(out).is_err() {
                            return;
                        }
                    }
                });
            if spawned.is_err() {
                // No threads to be had: decode on the calling thread.
                return None;
            }
            receivers.push(rx);
        }
        Some(Self {
            receivers,
            from,
            current: Default::default(),
            current_start: from,
        })
    }

    /// The item for `step`, which must follow the previous one asked for.
    /// `None` if a worker is gone.
    fn take(&mut self, step: usize) -> Option<Result<Event, ReadError>> {
        if self.current.is_empty() {
            let c = (step - self.from) / BATCH;
            let batch = self.receivers[c % self.receivers.len()].recv().ok()?;
            self.current = batch.into();
            self.current_start = step;
        }
        debug_assert!(step >= self.current_start);
        self.current.pop_front()
    }
}

/// One commit to read.
struct Step {
    commit: ObjectId,
    tree: ObjectId,
    /// First parent (v1 only needs it, to diff against).
    parent: Option<ObjectId>,
}

/// Reads one public-inbox git repository.
pub(crate) struct GitReader {
    repo: gix::Repository,
    path: PathBuf,
    layout: Layout,
    /// Commits to read, oldest first.
    steps: Vec<Step>,
    next: usize,
    /// Events of the current commit not yet yielded (v1 commits can hold
    /// several messages), and errors found while walking.
    pending: VecDeque<Result<Event, ReadError>>,
    /// The commit whose events are in `pending`.
    pending_commit: Option<ObjectId>,
    /// The last commit completely yielded.
    last: Option<ObjectId>,
    restart: Option<RestartReason>,
    bytes_read: u64,
    /// Trees by commit, for v1 parent lookups.
    trees: HashMap<ObjectId, ObjectId>,
    buf: Vec<u8>,
    /// Background decoding (v2 only), started on the first `next()`.
    workers: Option<Workers>,
    threads: usize,
}

impl GitReader {
    /// Opens `path` and walks its history back to `resume_from` (exclusive).
    pub(crate) fn open(
        path: &Path,
        layout: Layout,
        resume_from: Option<ObjectId>,
        threads: usize,
    ) -> Result<Self, OpenError> {
        let mut repo = open_repo(path)?;
        if layout == Layout::V2 {
            // Each object is read once: a cache would only copy it.
            repo.object_cache_size(0);
        }
        let tips = tips(&repo, path)?;
        let mut reader = GitReader {
            repo,
            path: path.to_owned(),
            layout,
            steps: Vec::new(),
            next: 0,
            pending: VecDeque::new(),
            pending_commit: None,
            last: None,
            restart: None,
            bytes_read: 0,
            trees: HashMap::new(),
            buf: Vec::new(),
            workers: None,
            threads,
        };
        reader.walk(&tips, resume_from);
        if layout == Layout::V2
            && let Ok(mut fresh) = open_repo(path)
        {
            // The walk touched commits all over the pack: drop that mapping.
            fresh.object_cache_size(0);
            reader.repo = fresh;
        }
        Ok(reader)
    }

    fn location(&self, commit: ObjectId, path: Option<String>) -> Location {
        Location::Commit {
            repo: self.path.clone(),
            commit: commit_of(&commit),
            path,
        }
    }

    /// Collects the commits reachable from `tips` and not from `stop`.
    fn walk(&mut self, tips: &[ObjectId], stop: Option<ObjectId>) {
        let hash = self.repo.object_hash();
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut queue: Vec<ObjectId> = tips.to_vec();
        queue.reverse();
        let mut found_stop = false;
        if let Some(stop) = stop {
            // The cursor commit is also where a v1 diff starts.
            if !self.repo.objects.exists(&stop) {
                self.restart = Some(RestartReason::CursorCommitMissing);
            }
        }
        let stop = if self.restart.is_some() { None } else { stop };
        let mut errors = Vec::new();
        // A broken or absent commit-graph only costs speed.
        let graph = self.repo.commit_graph_if_enabled().ok().flatten();
        let mut decoded = 0usize;
        while let Some(id) = queue.pop() {
            if Some(id) == stop {
                found_stop = true;
                continue;
            }
            if !seen.insert(id) {
                continue;
            }
            // The commit-graph, when there is one, has tree and parents
            // without decoding the commit object.
            if let Some(graph) = &graph
                && let Some(c) = graph.commit_by_id(id)
            {
                let parents: Result<Vec<ObjectId>, _> = c
                    .iter_parents()
                    .map(|p| p.map(|pos| graph.id_at(pos).to_owned()))
                    .collect();
                if let Ok(parents) = parents {
                    queue.extend(parents.iter().rev().copied());
                    self.steps.push(Step {
                        commit: id,
                        tree: c.root_tree_id().to_owned(),
                        parent: parents.first().copied(),
                    });
                    continue;
                }
            }
            // Without a commit-graph every commit object is read from the
            // pack: a fresh handle now and then keeps the mapped pages from
            // piling up in RSS (see REOPEN_BATCHES).
            decoded += 1;
            if decoded.is_multiple_of(WALK_REOPEN)
                && let Ok(mut fresh) = open_repo(&self.path)
            {
                if self.layout == Layout::V2 {
                    fresh.object_cache_size(0);
                }
                self.repo = fresh;
            }
            let data = match self.repo.objects.try_find(&id, &mut self.buf) {
                Ok(Some(data)) => data,
                Ok(None) => {
                    errors.push(ReadError::MissingObject {
                        location: self.location(id, None),
                        id: id.to_string(),
                        role: ObjectRole::Commit,
                    });
                    continue;
                }
                Err(e) => {
                    errors.push(ReadError::Git {
                        location: self.location(id, None),
                        source: GitError::new(e),
                    });
                    continue;
                }
            };
            if data.kind != Kind::Commit {
                // A reference to a tree or blob: nothing public-inbox makes.
                continue;
            }
            let mut iter = CommitRefIter::from_bytes(data.data, hash);
            let tree = match iter.tree_id() {
                Ok(tree) => tree,
                Err(e) => {
                    errors.push(ReadError::Git {
                        location: self.location(id, None),
                        source: GitError::new(e),
                    });
                    continue;
                }
            };
            // Parents pushed in reverse so the first parent is walked first.
            let parents: Vec<ObjectId> = iter.parent_ids().collect();
            queue.extend(parents.iter().rev().copied());
            let parent = parents.first().copied();
            self.steps.push(Step {
                commit: id,
                tree,
                parent,
            });
        }
        if stop.is_some() && !found_stop {
            self.restart = Some(RestartReason::HistoryRewritten);
        }
        // Newest first from the walk; read oldest first.
        self.steps.reverse();
        if self.layout == Layout::V1 {
            self.trees = self.steps.iter().map(|s| (s.commit, s.tree)).collect();
        }
        self.pending.extend(errors.into_iter().map(Err));
        // When resuming past the stop commit, the last complete commit is it.
        self.last = if found_stop { stop } else { None };
    }

    /// Why the cursor could not be used, if it could not.
    pub(crate) fn restart(&self) -> Option<RestartReason> {
        self.restart
    }

    /// The last commit whose events were all yielded.
    pub(crate) fn last_done(&self) -> Option<ObjectId> {
        self.last
    }

    /// Commits left to read.
    pub(crate) fn remaining(&self) -> u64 {
        (self.steps.len() - self.next) as u64
    }

    /// Message bytes yielded so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads object `id` into a fresh vector.
    fn read_object(
        &mut self,
        id: &ObjectId,
        commit: ObjectId,
        path: Option<&str>,
        role: ObjectRole,
    ) -> Result<(Kind, Vec<u8>), ReadError> {
        if role == ObjectRole::Message
            && let Ok(Some(h)) = self.repo.objects.try_header(id)
            && h.size > lpl_mail::MAX_MESSAGE_BYTES as u64
        {
            return Err(ReadError::TooLarge {
                location: self.location(commit, path.map(str::to_owned)),
                at_least: h.size,
            });
        }
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(data)) => {
                let kind = data.kind;
                Ok((kind, data.data.to_vec()))
            }
            Ok(None) => Err(ReadError::MissingObject {
                location: self.location(commit, path.map(str::to_owned)),
                id: id.to_string(),
                role,
            }),
            Err(e) => Err(ReadError::Git {
                location: self.location(commit, path.map(str::to_owned)),
                source: GitError::new(e),
            }),
        }
    }

    /// The entries of tree `id` as (name, mode-is-tree, oid), sorted by name.
    fn tree_entries(
        &mut self,
        id: &ObjectId,
        commit: ObjectId,
        path: &str,
    ) -> Result<Vec<(Vec<u8>, bool, ObjectId)>, ReadError> {
        let hash = self.repo.object_hash();
        let where_ = (!path.is_empty()).then_some(path);
        let (_, data) = self.read_object(id, commit, where_, ObjectRole::Tree)?;
        let mut out = Vec::new();
        for entry in TreeRefIter::from_bytes(&data, hash) {
            match entry {
                Ok(e) => out.push((e.filename.to_vec(), e.mode.is_tree(), e.oid.to_owned())),
                Err(e) => {
                    return Err(ReadError::Git {
                        location: self.location(commit, where_.map(str::to_owned)),
                        source: GitError::new(e),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Queues the events of v1 commit `step`: blobs added or changed are
    /// messages, blobs removed are deletions.
    fn queue_v1(&mut self, step: usize) {
        let (commit, tree, parent) = {
            let s = &self.steps[step];
            (s.commit, s.tree, s.parent)
        };
        let parent_tree = match parent {
            None => None,
            Some(p) => match self.trees.get(&p) {
                Some(t) => Some(*t),
                None => match self.read_object(&p, commit, None, ObjectRole::Commit) {
                    Ok((_, data)) => CommitRefIter::from_bytes(&data, self.repo.object_hash())
                        .tree_id()
                        .ok(),
                    Err(e) => {
                        self.pending.push_back(Err(e));
                        None
                    }
                },
            },
        };
        self.diff_trees(commit, parent_tree, Some(tree), String::new());
    }

    fn diff_trees(
        &mut self,
        commit: ObjectId,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: String,
    ) {
        let load = |this: &mut Self, id: Option<ObjectId>| match id {
            None => Some(Vec::new()),
            Some(id) => match this.tree_entries(&id, commit, &prefix) {
                Ok(entries) => Some(entries),
                Err(e) => {
                    this.pending.push_back(Err(e));
                    None
                }
            },
        };
        let Some(old) = load(self, old) else { return };
        let Some(new) = load(self, new) else { return };
        let old_map: HashMap<&[u8], (bool, ObjectId)> = old
            .iter()
            .map(|(n, t, id)| (n.as_slice(), (*t, *id)))
            .collect();
        let new_names: HashSet<&[u8]> = new.iter().map(|(n, _, _)| n.as_slice()).collect();
        let join = |name: &[u8]| {
            let name = String::from_utf8_lossy(name);
            if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            }
        };
        for (name, is_tree, id) in &new {
            let before = old_map.get(name.as_slice());
            if before.map(|b| b.1) == Some(*id) {
                continue;
            }
            let path = join(name);
            match (is_tree, before) {
                (true, Some((true, old_id))) => {
                    self.diff_trees(commit, Some(*old_id), Some(*id), path)
                }
                (true, _) => self.diff_trees(commit, None, Some(*id), path),
                (false, _) => {
                    let event = self
                        .read_object(id, commit, Some(&path), ObjectRole::Message)
                        .map(|(_, bytes)| {
                            self.bytes_read += bytes.len() as u64;
                            Event::Message(RawMessage {
                                bytes,
                                location: self.location(commit, Some(path.clone())),
                            })
                        });
                    self.pending.push_back(event);
                }
            }
        }
        for (name, is_tree, id) in &old {
            if new_names.contains(name.as_slice()) {
                continue;
            }
            let path = join(name);
            if *is_tree {
                self.diff_trees(commit, Some(*id), None, path);
            } else {
                let bytes = self
                    .read_object(id, commit, Some(&path), ObjectRole::Message)
                    .ok()
                    .map(|(_, b)| b);
                self.pending.push_back(Ok(Event::Deleted {
                    location: self.location(commit, Some(path)),
                    bytes,
                }));
            }
        }
    }
}

impl GitReader {
    /// Step `step` of a v2 epoch, from the workers when there are any.
    fn next_v2(&mut self, step: usize) -> Result<Event, ReadError> {
        if self.workers.is_none()
            && self.threads > 0
            && self.steps.len() - step >= MIN_COMMITS_FOR_WORKERS
        {
            self.workers = Workers::spawn(&self.repo, &self.path, &self.steps, step, self.threads);
        }
        if let Some(workers) = &mut self.workers {
            if let Some(item) = workers.take(step) {
                return item;
            }
            // A worker died (it cannot, short of a bug): go on without them.
            self.workers = None;
            self.threads = 0;
        }
        let (commit, tree) = (self.steps[step].commit, self.steps[step].tree);
        read_v2(&self.repo, &self.path, commit, tree, &mut self.buf)
    }
}

impl Iterator for GitReader {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if self.pending.is_empty()
                    && let Some(commit) = self.pending_commit.take()
                {
                    self.last = Some(commit);
                }
                return Some(item);
            }
            if let Some(commit) = self.pending_commit.take() {
                // A commit that yielded nothing (v1 commit changing no file).
                self.last = Some(commit);
            }
            let step = self.next;
            if step >= self.steps.len() {
                return None;
            }
            self.next += 1;
            let commit = self.steps[step].commit;
            match self.layout {
                Layout::V2 => {
                    let item = self.next_v2(step);
                    if let Ok(Event::Message(m)) = &item {
                        self.bytes_read += m.bytes.len() as u64;
                    }
                    self.last = Some(commit);
                    return Some(item);
                }
                Layout::V1 => {
                    self.queue_v1(step);
                    self.pending_commit = Some(commit);
                }
            }
        }
    }
}
