//! Where a tree's files come from: a directory on disk, or a git
//! repository at a revision (read through gix). Each file is named by its
//! content's git blob id, so the same file in two trees (or a directory and
//! the git tree it was checked out from) is parsed once.

use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::Error;

/// A tree to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeSource {
    /// A directory (a kernel source tree as unpacked).
    Dir(PathBuf),
    /// A git repository at a revision (`v6.12`, a commit id, a branch).
    Git {
        /// The repository (work tree or bare).
        repo: PathBuf,
        /// The revision.
        rev: String,
    },
}

impl TreeSource {
    /// The directory or repository.
    pub fn path(&self) -> &Path {
        match self {
            TreeSource::Dir(p) => p,
            TreeSource::Git { repo, .. } => repo,
        }
    }
}

/// A 20-byte git blob id.
pub type Oid = [u8; 20];

/// One C file of a tree.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Path inside the tree, `/`-separated.
    pub path: String,
    /// The blob id, when known without reading (git; a directory file
    /// unchanged since the last index).
    pub oid: Option<Oid>,
    /// Size and modification time (directories).
    pub size: u64,
    pub mtime: i64,
}

/// Whether `path` names a file the index reads.
pub(crate) fn is_c_file(path: &str) -> bool {
    path.ends_with(".c") || path.ends_with(".h")
}

/// git's blob id of `data`.
pub(crate) fn blob_id(data: &[u8]) -> Oid {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    h.finalize().into()
}

/// The hex form of an id.
#[cfg(test)]
pub(crate) fn hex(oid: &Oid) -> String {
    oid.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lists the C files under `root` (symbolic links and `.git` left out),
/// sorted by path.
pub(crate) fn list_dir(root: &Path) -> Result<Vec<Entry>, Error> {
    let meta = std::fs::metadata(root).map_err(|source| Error::Io {
        path: root.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::NotATree {
            path: root.to_owned(),
            why: "not a directory".into(),
        });
    }
    let mut out = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        for e in rd {
            let e = e.map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(ft) = e.file_type() else { continue };
            let path = if rel.is_empty() {
                name.to_owned()
            } else {
                format!("{rel}/{name}")
            };
            if ft.is_dir() {
                if name != ".git" {
                    stack.push((e.path(), path));
                }
            } else if ft.is_file() && is_c_file(name) {
                let Ok(m) = e.metadata() else { continue };
                let mtime = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i64);
                out.push(Entry {
                    path,
                    oid: None,
                    size: m.len(),
                    mtime,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Checks that `root` (a directory, or the root of a git tree given by
/// its top-level names) looks like a Linux kernel tree.
pub(crate) fn looks_like_kernel(names: &[&str]) -> bool {
    let has = |n: &str| names.contains(&n);
    (has("Kconfig") || has("Kbuild") || has("MAINTAINERS")) || has("include/linux")
}

/// A git repository opened for reading a tree.
pub(crate) struct GitTree {
    pub repo: gix::ThreadSafeRepository,
    pub commit: String,
    pub entries: Vec<Entry>,
    pub top: Vec<String>,
}

/// Opens `repo` and lists the C files of `rev`'s tree.
pub(crate) fn list_git(path: &Path, rev: &str) -> Result<GitTree, Error> {
    let git = |what: &'static str| {
        move |e: &dyn std::fmt::Display| Error::Git {
            path: path.to_owned(),
            what,
            detail: e.to_string(),
        }
    };
    let repo = gix::open(path).map_err(|e| Error::NotATree {
        path: path.to_owned(),
        why: format!("not a git repository ({e})"),
    })?;
    let (id, entries, top) = {
        let commit = repo
            .rev_parse_single(rev)
            .ok()
            .and_then(|id| id.object().ok())
            .and_then(|o| o.peel_to_commit().ok())
            .ok_or_else(|| Error::BadRevision {
                path: path.to_owned(),
                rev: rev.to_owned(),
            })?;
        let tree = commit
            .tree()
            .map_err(|e| git("reading the commit's tree")(&e))?;
        let mut top = Vec::new();
        for e in tree.iter() {
            let e = e.map_err(|e| git("reading the root tree")(&e))?;
            top.push(e.filename().to_string());
        }
        if top.iter().any(|n| n == "include") {
            // `include/linux` decides like a directory's.
            top.push("include/linux".into());
        }
        let files = tree
            .traverse()
            .breadthfirst
            .files()
            .map_err(|e| git("listing the tree")(&e))?;
        let mut entries = Vec::new();
        for f in files {
            if !f.mode.is_blob() {
                continue;
            }
            let Ok(p) = std::str::from_utf8(&f.filepath) else {
                continue;
            };
            if !is_c_file(p) {
                continue;
            }
            let mut oid = [0u8; 20];
            let bytes = f.oid.as_bytes();
            if bytes.len() == 20 {
                oid.copy_from_slice(bytes);
            }
            entries.push(Entry {
                path: p.to_owned(),
                oid: Some(oid),
                size: 0,
                mtime: 0,
            });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        (commit.id.to_string(), entries, top)
    };
    Ok(GitTree {
        repo: repo.into_sync(),
        commit: id,
        entries,
        top,
    })
}

/// Reads one blob.
pub(crate) fn read_blob(repo: &gix::Repository, oid: &Oid) -> Result<Vec<u8>, String> {
    let id = gix::ObjectId::from_bytes_or_panic(oid);
    repo.find_object(id)
        .map(|o| o.detach().data)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            hex(&blob_id(b"hello\n")),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
