//! Indexing a tree: list its C files, parse the ones whose content is new
//! (in parallel), store what they define and reference, and record the
//! tree as a list of (path, blob).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::Error;
use crate::db::CodeIndex;
use crate::intern::Interner;
use crate::model::{FileIndex, RefKind};
use crate::source::{self, Entry, Oid, TreeSource};

/// Knobs of [`CodeIndex::index_tree`].
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// The tree's name (default: the revision for git, the directory's
    /// name otherwise). Indexing under an existing name replaces that tree.
    pub name: Option<String>,
    /// Index a directory even if it does not look like a kernel tree.
    pub force: bool,
}

/// Progress of an index run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// The tree's C files are listed; `to_parse` of them are new content.
    Listed {
        /// C files in the tree.
        files: u64,
        /// Files whose content is not indexed yet (at most; a directory's
        /// changed files may turn out unchanged once hashed).
        to_parse: u64,
    },
    /// Files read and parsed so far.
    Parsed {
        /// Done.
        done: u64,
        /// Of.
        total: u64,
    },
    /// Writing the tree and building the lookup indexes.
    Finishing,
}

/// A file that was not indexed (or only partly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// Path in the tree.
    pub path: String,
    /// What went wrong.
    pub what: String,
}

/// What an index run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexReport {
    /// The tree's name.
    pub tree: String,
    /// The commit a git revision resolved to.
    pub commit: Option<String>,
    /// The kernel version from the top Makefile.
    pub version: Option<String>,
    /// C files in the tree.
    pub files: u64,
    /// Files parsed in this run (new content).
    pub parsed: u64,
    /// Files whose content was already indexed (in this or another tree).
    pub reused: u64,
    /// Definitions in the tree.
    pub defs: u64,
    /// References in the tree.
    pub refs: u64,
    /// Files that could not be read or parsed (skipped).
    pub failed: Vec<FileProblem>,
    /// Files parsed with errors (what was inside the error may be missing),
    /// with the first lines of the errors.
    pub with_errors: Vec<FileProblem>,
    /// Blobs dropped because no tree uses them any more.
    pub dropped_blobs: u64,
}

enum Work {
    Parsed {
        idx: usize,
        oid: Oid,
        fi: FileIndex,
    },
    Known {
        idx: usize,
        oid: Oid,
    },
    Failed {
        idx: usize,
        oid: Option<Oid>,
        what: String,
    },
}

/// Files larger than this are skipped (generated data, not code).
const MAX_FILE: usize = 64 << 20;

/// A value reference kept until we know whether it names a function.
struct Pending {
    def: i64,
    name: i64,
    kind: RefKind,
    line: u32,
    via: Option<i64>,
    arg: u8,
}

fn kernel_version(makefile: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(makefile).ok()?;
    let var = |k: &str| {
        text.lines().find_map(|l| {
            let (a, b) = l.split_once('=')?;
            (a.trim() == k).then(|| b.trim().to_owned())
        })
    };
    let v = var("VERSION")?;
    let p = var("PATCHLEVEL")?;
    let mut s = format!("{v}.{p}");
    if let Some(sub) = var("SUBLEVEL").filter(|x| !x.is_empty() && x != "0") {
        s.push('.');
        s.push_str(&sub);
    }
    if let Some(extra) = var("EXTRAVERSION") {
        s.push_str(&extra);
    }
    Some(s)
}

fn default_name(src: &TreeSource) -> String {
    match src {
        TreeSource::Git { rev, .. } => rev.clone(),
        TreeSource::Dir(p) => std::fs::canonicalize(p)
            .ok()
            .as_deref()
            .unwrap_or(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string()),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

struct Listing {
    entries: Vec<Entry>,
    git: Option<source::GitTree>,
    commit: Option<String>,
    version: Option<String>,
}

fn list(src: &TreeSource, force: bool) -> Result<Listing, Error> {
    match src {
        TreeSource::Dir(root) => {
            let entries = source::list_dir(root)?;
            let top: Vec<&str> = ["Kconfig", "Kbuild", "MAINTAINERS", "include/linux"]
                .into_iter()
                .filter(|n| root.join(n).exists())
                .collect();
            check_tree(root, &entries, &top, force)?;
            let version = std::fs::read(root.join("Makefile"))
                .ok()
                .and_then(|m| kernel_version(&m));
            Ok(Listing {
                entries,
                git: None,
                commit: None,
                version,
            })
        }
        TreeSource::Git { repo, rev } => {
            let mut g = source::list_git(repo, rev)?;
            let top: Vec<&str> = g.top.iter().map(String::as_str).collect();
            check_tree(repo, &g.entries, &top, force)?;
            let entries = std::mem::take(&mut g.entries);
            let commit = Some(g.commit.clone());
            let version = makefile_at(&g, repo, rev).and_then(|m| kernel_version(&m));
            Ok(Listing {
                entries,
                git: Some(g),
                commit,
                version,
            })
        }
    }
}

fn makefile_at(g: &source::GitTree, _repo: &Path, rev: &str) -> Option<Vec<u8>> {
    let repo = g.repo.to_thread_local();
    let spec = format!("{rev}:Makefile");
    let id = repo.rev_parse_single(spec.as_str()).ok()?;
    Some(id.object().ok()?.detach().data)
}

fn check_tree(root: &Path, entries: &[Entry], top: &[&str], force: bool) -> Result<(), Error> {
    if entries.is_empty() {
        return Err(Error::NotATree {
            path: root.to_owned(),
            why: "no C files (.c, .h) in it".into(),
        });
    }
    if !force && !source::looks_like_kernel(top) {
        return Err(Error::NotATree {
            path: root.to_owned(),
            why: "does not look like a Linux kernel tree (no Kconfig, Kbuild, MAINTAINERS or include/linux at its top); give the top of the tree, or force indexing it anyway".into(),
        });
    }
    Ok(())
}

fn read_work(
    idx: usize,
    e: &Entry,
    root: &Path,
    repo: Option<&gix::Repository>,
    known: &HashSet<Oid>,
) -> Work {
    let data = match (repo, e.oid) {
        (Some(r), Some(oid)) => {
            if known.contains(&oid) {
                return Work::Known { idx, oid };
            }
            match source::read_blob(r, &oid) {
                Ok(d) => d,
                Err(what) => {
                    return Work::Failed {
                        idx,
                        oid: Some(oid),
                        what: format!("cannot read the blob: {what}"),
                    };
                }
            }
        }
        _ => match std::fs::read(root.join(&e.path)) {
            Ok(d) => d,
            Err(err) => {
                return Work::Failed {
                    idx,
                    oid: None,
                    what: format!("cannot read: {err}"),
                };
            }
        },
    };
    let oid = e.oid.unwrap_or_else(|| source::blob_id(&data));
    if known.contains(&oid) {
        return Work::Known { idx, oid };
    }
    if data.len() > MAX_FILE {
        return Work::Failed {
            idx,
            oid: Some(oid),
            what: format!("{} MB: too large to be source code", data.len() >> 20),
        };
    }
    if memchr::memchr(0, &data).is_some() {
        return Work::Failed {
            idx,
            oid: Some(oid),
            what: "binary content (NUL bytes)".into(),
        };
    }
    Work::Parsed {
        idx,
        oid,
        fi: crate::index_file(&data),
    }
}

/// The writer's state during a run.
struct Writer<'a> {
    ix: &'a CodeIndex,
    /// The inserts, prepared once (a statement cache lookup per row cost
    /// more than the row on the kernel's 18M rows).
    ins_name: rusqlite::Statement<'a>,
    ins_def: rusqlite::Statement<'a>,
    ins_ref: rusqlite::Statement<'a>,
    names: Interner,
    /// Look names up in the database on a miss (the interner was not
    /// preloaded).
    lazy: bool,
    next_name: i64,
    next_def: i64,
    blobs: HashMap<Oid, i64>,
    pending: Vec<Pending>,
    functions_here: HashSet<i64>,
}

impl Writer<'_> {
    fn name(&mut self, name: &str) -> Result<i64, Error> {
        if let Some(id) = self.names.get(name) {
            return Ok(id);
        }
        if self.lazy
            && let Some(id) = self.ix.name_id(name)?
        {
            self.names.insert(name, id);
            return Ok(id);
        }
        let id = self.next_name;
        self.next_name += 1;
        self.ins_name
            .execute(params![id, name])
            .map_err(self.ix.err())?;
        self.names.insert(name, id);
        Ok(id)
    }

    fn blob(
        &mut self,
        oid: Oid,
        fi: Option<&FileIndex>,
        failed: Option<&str>,
    ) -> Result<i64, Error> {
        if let Some(&id) = self.blobs.get(&oid) {
            return Ok(id);
        }
        let (lines, errors, ndefs, nrefs) = match fi {
            Some(f) => (
                f.lines,
                (!f.error_lines.is_empty()).then(|| {
                    f.error_lines
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                }),
                f.defs.len(),
                f.refs.len(),
            ),
            None => (0, None, 0, 0),
        };
        let failed = failed.map(str::to_owned).or_else(|| {
            fi.filter(|f| f.timed_out).map(|_| {
                "tree-sitter ran out of time: only macros and enumerators indexed".to_owned()
            })
        });
        self.ix
            .conn
            .prepare_cached(
                "INSERT INTO blobs(oid, lines, error_lines, failed, ndefs, nrefs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute(params![&oid[..], lines, errors, failed, ndefs as i64, nrefs as i64]))
            .map_err(self.ix.err())?;
        let id = self.ix.conn.last_insert_rowid();
        self.blobs.insert(oid, id);
        Ok(id)
    }

    fn file(&mut self, oid: Oid, fi: &FileIndex) -> Result<i64, Error> {
        if let Some(&id) = self.blobs.get(&oid) {
            return Ok(id);
        }
        let blob = self.blob(oid, Some(fi), None)?;
        let first = self.next_def;
        self.next_def += fi.defs.len() as i64;
        for (i, d) in fi.defs.iter().enumerate() {
            let name = self.name(&d.name)?;
            if d.kind == crate::DefKind::Function {
                self.functions_here.insert(name);
            }
            self.ins_def
                .execute(params![
                    first + i as i64,
                    blob,
                    name,
                    d.kind.code(),
                    d.line,
                    d.start,
                    d.end,
                    d.is_static,
                    d.called_params
                ])
                .map_err(self.ix.err())?;
        }
        for r in &fi.refs {
            let def = first + i64::from(r.from);
            let name = self.name(&r.name)?;
            let via = match &r.via {
                Some(v) => Some(self.name(v)?),
                None => None,
            };
            match r.kind {
                RefKind::Call | RefKind::FieldCall => {
                    self.insert_ref(def, name, r.kind, r.line, via, r.arg)?
                }
                RefKind::Arg | RefKind::Assign => self.pending.push(Pending {
                    def,
                    name,
                    kind: r.kind,
                    line: r.line,
                    via,
                    arg: r.arg,
                }),
            }
        }
        Ok(blob)
    }

    fn insert_ref(
        &mut self,
        def: i64,
        name: i64,
        kind: RefKind,
        line: u32,
        via: Option<i64>,
        arg: u8,
    ) -> Result<(), Error> {
        self.ins_ref
            .execute(params![def, name, kind.code(), line, via, arg])
            .map(|_| ())
            .map_err(self.ix.err())
    }

    /// Stores the value references that name a function (defined in any
    /// indexed tree): the "maybe" edges.
    fn flush_pending(&mut self, scan_all: bool) -> Result<(), Error> {
        let pending = std::mem::take(&mut self.pending);
        let mut functions = std::mem::take(&mut self.functions_here);
        let mut probed: HashMap<i64, bool> = HashMap::new();
        if scan_all {
            let mut st = self
                .ix
                .conn
                .prepare("SELECT DISTINCT name FROM defs WHERE kind = ?1")
                .map_err(self.ix.err())?;
            let rows = st
                .query_map(params![crate::DefKind::Function.code()], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(self.ix.err())?;
            for r in rows {
                functions.insert(r.map_err(self.ix.err())?);
            }
        }
        for p in pending {
            let is_fn = if functions.contains(&p.name) {
                true
            } else if scan_all {
                false
            } else if let Some(&b) = probed.get(&p.name) {
                b
            } else {
                let b = self
                    .ix
                    .conn
                    .prepare_cached("SELECT 1 FROM defs WHERE name = ?1 AND kind = ?2 LIMIT 1")
                    .and_then(|mut s| {
                        s.query_row(params![p.name, crate::DefKind::Function.code()], |_| Ok(()))
                            .optional()
                    })
                    .map_err(self.ix.err())?
                    .is_some();
                probed.insert(p.name, b);
                b
            };
            if is_fn {
                self.insert_ref(p.def, p.name, p.kind, p.line, p.via, p.arg)?;
            }
        }
        Ok(())
    }
}

impl CodeIndex {
    /// Indexes a tree: parses the files whose content is new and records
    /// the tree under its name (replacing an earlier tree of that name).
    pub fn index_tree(
        &mut self,
        src: &TreeSource,
        opts: &IndexOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<IndexReport, Error> {
        let listing = list(src, opts.force)?;
        let name = opts.name.clone().unwrap_or_else(|| default_name(src));
        let mut report = IndexReport {
            tree: name.clone(),
            commit: listing.commit.clone(),
            version: listing.version.clone(),
            files: listing.entries.len() as u64,
            ..IndexReport::default()
        };
        let e = self.err();
        // What is indexed already.
        let mut blobs: HashMap<Oid, i64> = HashMap::new();
        {
            let mut st = self.conn.prepare("SELECT oid, id FROM blobs").map_err(&e)?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))
                .map_err(&e)?;
            for row in rows {
                let (oid, id) = row.map_err(&e)?;
                if let Ok(o) = <Oid>::try_from(oid.as_slice()) {
                    blobs.insert(o, id);
                }
            }
        }
        let tree_id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM trees WHERE name = ?1", params![name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&e)?;
        // A directory's unchanged files (same size and time) keep their id.
        let mut entries = listing.entries;
        if let (Some(t), None) = (tree_id, &listing.git) {
            let mut st = self
                .conn
                .prepare(
                    "SELECT p.path, tf.size, tf.mtime, b.oid FROM tree_files tf
                     JOIN paths p ON p.id = tf.path JOIN blobs b ON b.id = tf.blob WHERE tf.tree = ?1",
                )
                .map_err(&e)?;
            let rows = st
                .query_map(params![t], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                    ))
                })
                .map_err(&e)?;
            let mut old: HashMap<String, (i64, i64, Oid)> = HashMap::new();
            for row in rows {
                let (p, size, mtime, oid) = row.map_err(&e)?;
                if let Ok(o) = <Oid>::try_from(oid.as_slice()) {
                    old.insert(p, (size, mtime, o));
                }
            }
            for en in &mut entries {
                if let Some(&(size, mtime, oid)) = old.get(&en.path)
                    && size == en.size as i64
                    && mtime == en.mtime
                {
                    en.oid = Some(oid);
                }
            }
        }
        let known: Arc<HashSet<Oid>> = Arc::new(blobs.keys().copied().collect());
        let to_parse = entries
            .iter()
            .filter(|en| en.oid.is_none_or(|o| !known.contains(&o)))
            .count() as u64;
        progress(Progress::Listed {
            files: entries.len() as u64,
            to_parse,
        });
        // Bulk loads build the lookup indexes once at the end.
        let bulk = to_parse > 1_000 && to_parse as usize > blobs.len();
        let existing_names: i64 = self
            .conn
            .query_row("SELECT count(*) FROM names", [], |r| r.get(0))
            .map_err(&e)?;
        let prepare = |sql: &str| self.conn.prepare(sql).map_err(self.err());
        let mut writer = Writer {
            ix: self,
            ins_name: prepare("INSERT INTO names(id, name) VALUES (?1, ?2)")?,
            ins_def: prepare(
                "INSERT INTO defs(id, blob, name, kind, line, start, end, static, called_params) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            )?,
            ins_ref: prepare(
                "INSERT INTO refs(def, name, kind, line, via, arg) VALUES (?1,?2,?3,?4,?5,?6)",
            )?,
            names: Interner::new(),
            lazy: !bulk && existing_names > 0,
            next_name: 1 + self
                .conn
                .query_row("SELECT coalesce(max(id), 0) FROM names", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(&e)?,
            next_def: 1 + self
                .conn
                .query_row("SELECT coalesce(max(id), 0) FROM defs", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(&e)?,
            blobs,
            pending: Vec::new(),
            functions_here: HashSet::new(),
        };
        if bulk {
            writer.ix.drop_bulk_indexes()?;
            if existing_names > 0 {
                let mut st = writer
                    .ix
                    .conn
                    .prepare("SELECT id, name FROM names")
                    .map_err(&e)?;
                let rows = st
                    .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                    .map_err(&e)?;
                for row in rows {
                    let (id, n) = row.map_err(&e)?;
                    writer.names.insert(&n, id);
                }
            }
        }
        // Parse in parallel; store here, in order of arrival.
        let entries = Arc::new(entries);
        let root = src.path().to_owned();
        let git = listing.git.map(|g| g.repo);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Work>>(64);
        let stop = Arc::new(AtomicBool::new(false));
        let producer = {
            let entries = entries.clone();
            let known = known.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("lpl-code-parse".into())
                .spawn(move || {
                    let idxs: Vec<usize> = (0..entries.len()).collect();
                    idxs.par_chunks(16).for_each_init(
                        || git.as_ref().map(|g| g.to_thread_local()),
                        |repo, chunk| {
                            if stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let works: Vec<Work> = chunk
                                .iter()
                                .map(|&i| read_work(i, &entries[i], &root, repo.as_ref(), &known))
                                .collect();
                            let _ = tx.send(works);
                        },
                    );
                })
                .map_err(Error::Thread)?
        };
        let mut blob_of: Vec<Option<i64>> = vec![None; entries.len()];
        let mut done = 0u64;
        let result = (|| -> Result<(), Error> {
            writer
                .ix
                .conn
                .execute_batch("BEGIN")
                .map_err(writer.ix.err())?;
            let mut since_commit = 0usize;
            for works in rx.iter() {
                if cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(Error::Cancelled);
                }
                for w in works {
                    match w {
                        Work::Known { idx, oid } => {
                            blob_of[idx] = writer.blobs.get(&oid).copied();
                            report.reused += 1;
                        }
                        Work::Parsed { idx, oid, fi } => {
                            if !fi.error_lines.is_empty() {
                                report.with_errors.push(FileProblem {
                                    path: entries[idx].path.clone(),
                                    what: format!(
                                        "parse errors at line {}",
                                        fi.error_lines
                                            .iter()
                                            .take(5)
                                            .map(u32::to_string)
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                });
                            }
                            if fi.timed_out {
                                report.failed.push(FileProblem {
                                    path: entries[idx].path.clone(),
                                    what: "tree-sitter ran out of time: only macros and enumerators indexed".into(),
                                });
                            }
                            let new = !writer.blobs.contains_key(&oid);
                            blob_of[idx] = Some(writer.file(oid, &fi)?);
                            if new {
                                report.parsed += 1;
                                since_commit += 1;
                            } else {
                                report.reused += 1;
                            }
                        }
                        Work::Failed { idx, oid, what } => {
                            if let Some(oid) = oid {
                                blob_of[idx] = Some(writer.blob(oid, None, Some(&what))?);
                            }
                            report.failed.push(FileProblem {
                                path: entries[idx].path.clone(),
                                what,
                            });
                        }
                    }
                    done += 1;
                }
                if since_commit >= 4000 {
                    // Complete blobs are reusable even if the run dies later.
                    writer
                        .ix
                        .conn
                        .execute_batch("COMMIT; BEGIN")
                        .map_err(writer.ix.err())?;
                    since_commit = 0;
                }
                progress(Progress::Parsed {
                    done,
                    total: entries.len() as u64,
                });
            }
            Ok(())
        })();
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
            drop(rx);
            let _ = producer.join();
            let _ = writer.ix.conn.execute_batch("COMMIT");
            if bulk {
                writer.ix.create_bulk_indexes()?;
            }
            return result.map(|_| report);
        }
        let _ = producer.join();
        progress(Progress::Finishing);
        writer.flush_pending(bulk || writer.pending.len() > 100_000)?;
        // The names are in the database now; the call graph needs the room.
        writer.names = Interner::new();
        // The tree: its row and its files.
        let e = writer.ix.err();
        let conn = &writer.ix.conn;
        let (kind, rev) = match src {
            TreeSource::Dir(_) => ("dir", None),
            TreeSource::Git { rev, .. } => ("git", Some(rev.clone())),
        };
        let source_path = std::fs::canonicalize(src.path())
            .unwrap_or_else(|_| src.path().to_owned())
            .display()
            .to_string();
        let tree_id = match tree_id {
            Some(t) => {
                conn.execute(
                    "UPDATE trees SET kind=?2, source=?3, rev=?4, commit_id=?5, version=?6, indexed_at=?7 WHERE id=?1",
                    params![t, kind, source_path, rev, report.commit, report.version, now()],
                )
                .map_err(&e)?;
                conn.execute("DELETE FROM tree_files WHERE tree = ?1", params![t])
                    .map_err(&e)?;
                t
            }
            None => {
                conn.execute(
                    "INSERT INTO trees(name, kind, source, rev, commit_id, version, indexed_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                    params![name, kind, source_path, rev, report.commit, report.version, now()],
                )
                .map_err(&e)?;
                conn.last_insert_rowid()
            }
        };
        let mut paths: HashMap<String, i64> = HashMap::new();
        {
            let mut st = conn.prepare("SELECT path, id FROM paths").map_err(&e)?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(&e)?;
            for row in rows {
                let (p, id) = row.map_err(&e)?;
                paths.insert(p, id);
            }
        }
        {
            let mut ins_path = conn
                .prepare("INSERT INTO paths(path) VALUES (?1)")
                .map_err(&e)?;
            let mut ins_file = conn
                .prepare("INSERT OR REPLACE INTO tree_files(tree, path, blob, size, mtime) VALUES (?1,?2,?3,?4,?5)")
                .map_err(&e)?;
            for (i, en) in entries.iter().enumerate() {
                let Some(blob) = blob_of[i] else { continue };
                let pid = match paths.get(&en.path) {
                    Some(&p) => p,
                    None => {
                        ins_path.execute(params![en.path]).map_err(&e)?;
                        let p = conn.last_insert_rowid();
                        paths.insert(en.path.clone(), p);
                        p
                    }
                };
                ins_file
                    .execute(params![tree_id, pid, blob, en.size as i64, en.mtime])
                    .map_err(&e)?;
            }
        }
        if bulk {
            writer.ix.conn.execute_batch("COMMIT; BEGIN").map_err(&e)?;
            writer.ix.create_bulk_indexes()?;
        }
        report.dropped_blobs = drop_unused_blobs(conn).map_err(&e)?;
        crate::graph::build(conn, tree_id).map_err(&e)?;
        let (defs, refs, failed, with_errors): (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT coalesce(sum(b.ndefs), 0), coalesce(sum(b.nrefs), 0),
                        count(b.failed), count(b.error_lines)
                 FROM tree_files tf JOIN blobs b ON b.id = tf.blob WHERE tf.tree = ?1",
                params![tree_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(&e)?;
        conn.execute(
            "UPDATE trees SET files=?2, defs=?3, refs=?4, failed=?5, with_errors=?6 WHERE id=?1",
            params![
                tree_id,
                report.files as i64,
                defs,
                refs,
                failed,
                with_errors
            ],
        )
        .map_err(&e)?;
        conn.execute_batch("COMMIT").map_err(&e)?;
        report.defs = defs as u64;
        report.refs = refs as u64;
        Ok(report)
    }

    /// Removes a tree (and the parse results no other tree uses).
    pub fn remove_tree(&mut self, name: &str) -> Result<u64, Error> {
        let e = self.err();
        let tx = self.conn.unchecked_transaction().map_err(&e)?;
        let id: Option<i64> = tx
            .query_row("SELECT id FROM trees WHERE name = ?1", params![name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&e)?;
        let Some(id) = id else {
            return Err(Error::NoSuchTree {
                name: name.to_owned(),
                known: self.tree_names()?,
            });
        };
        tx.execute("DELETE FROM tree_files WHERE tree = ?1", params![id])
            .map_err(&e)?;
        tx.execute("DELETE FROM calls WHERE tree = ?1", params![id])
            .map_err(&e)?;
        tx.execute("DELETE FROM trees WHERE id = ?1", params![id])
            .map_err(&e)?;
        let n = drop_unused_blobs(&tx).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(n)
    }

    /// The names of the indexed trees.
    pub fn tree_names(&self) -> Result<Vec<String>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT name FROM trees ORDER BY indexed_at, id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }
}

fn drop_unused_blobs(conn: &rusqlite::Connection) -> Result<u64, rusqlite::Error> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS gone(id INTEGER PRIMARY KEY);
         DELETE FROM gone;
         INSERT INTO gone SELECT id FROM blobs WHERE id NOT IN (SELECT blob FROM tree_files);",
    )?;
    let n: i64 = conn.query_row("SELECT count(*) FROM gone", [], |r| r.get(0))?;
    if n > 0 {
        conn.execute_batch(
            "DELETE FROM refs WHERE def IN (SELECT d.id FROM defs d JOIN gone g ON g.id = d.blob);
             DELETE FROM defs WHERE blob IN (SELECT id FROM gone);
             DELETE FROM blobs WHERE id IN (SELECT id FROM gone);",
        )?;
    }
    Ok(n as u64)
}
