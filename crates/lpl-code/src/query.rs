//! Questions to the index: where is NAME defined, who calls it, what does
//! it call, its call tree, and which functions span which lines of a file.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;

use crate::Error;
use crate::db::CodeIndex;
use crate::model::{DefKind, RefKind};

/// An indexed tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeInfo {
    /// Its name (`v6.12`).
    pub name: String,
    /// `dir` or `git`.
    pub kind: String,
    /// The directory or repository.
    pub source: String,
    /// The revision given (git).
    pub rev: Option<String>,
    /// The commit (git).
    pub commit: Option<String>,
    /// The version in its top Makefile.
    pub version: Option<String>,
    /// When it was indexed (unix seconds).
    pub indexed_at: i64,
    /// C files.
    pub files: u64,
    /// Definitions.
    pub defs: u64,
    /// References.
    pub refs: u64,
    /// Files not indexed.
    pub failed: u64,
    /// Files with parse errors.
    pub with_errors: u64,
}

/// One definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The name.
    pub name: String,
    /// What it is.
    pub kind: DefKind,
    /// The tree it is in.
    pub tree: String,
    /// The file.
    pub path: String,
    /// Line of the name.
    pub line: u32,
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
    /// `static`.
    pub is_static: bool,
    #[serde(skip)]
    pub(crate) id: i64,
    #[serde(skip)]
    pub(crate) blob: i64,
    #[serde(skip)]
    pub(crate) called_params: u32,
}

/// How one function reaches another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Edge {
    /// A direct call.
    Call,
    /// A call through a structure field (`ops->name(...)`).
    FieldCall,
    /// Maybe: the function is passed as argument `arg` to `via`, which
    /// calls that parameter (`madvise_walk_vmas(..., madvise_vma_behavior)`).
    PassedTo {
        /// The function receiving it.
        via: String,
        /// The argument position (0-based).
        arg: u8,
    },
    /// Maybe: the function is stored in field `field` (`.fault = fn`,
    /// `x->fault = fn`), or in a variable (`field` empty), and called from
    /// wherever that field is called.
    StoredIn {
        /// The field.
        field: String,
    },
}

impl Edge {
    /// Whether the edge is certain (a call written in the source).
    pub fn is_certain(&self) -> bool {
        matches!(self, Edge::Call)
    }
}

/// One place that calls (or may call) the function asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallSite {
    /// The function (or macro, or variable for `StoredIn`) the reference is in.
    pub from: String,
    /// Its kind.
    pub from_kind: DefKind,
    /// The file.
    pub path: String,
    /// The line of the reference.
    pub line: u32,
    /// How.
    pub edge: Edge,
}

/// Everything calling a function, in one tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Callers {
    /// The tree.
    pub tree: String,
    /// The name asked about.
    pub name: String,
    /// Direct calls, then the "maybe" ones.
    pub sites: Vec<CallSite>,
}

/// One thing a function calls (or may call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Callee {
    /// The name called (a field name for [`Edge::FieldCall`]).
    pub name: String,
    /// Line of the call in the caller.
    pub line: u32,
    /// How.
    pub edge: Edge,
    /// What the name is in this tree (`None`: not defined in it).
    pub kind: Option<DefKind>,
    /// Where it is defined (the first definition), if it is.
    pub path: Option<String>,
    /// Its line there.
    pub def_line: Option<u32>,
}

/// What a function calls, in one tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Callees {
    /// The tree.
    pub tree: String,
    /// The name asked about.
    pub name: String,
    /// Its definitions (several with `#ifdef` variants).
    pub definitions: Vec<Definition>,
    /// In source order, each name once per line.
    pub callees: Vec<Callee>,
}

/// A node of a call tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    /// The function.
    pub name: String,
    /// How its parent reaches it (`call` for the root).
    pub edge: Edge,
    /// Where it is defined.
    pub path: Option<String>,
    /// Line of the definition.
    pub line: Option<u32>,
    /// Already shown above: not expanded again.
    pub seen: bool,
    /// Not expanded: the depth limit.
    pub truncated: bool,
    /// What it calls.
    pub children: Vec<TreeNode>,
}

/// Knobs of [`CodeIndex::call_tree`].
#[derive(Debug, Clone, Copy)]
pub struct TreeOptions {
    /// Levels below the root.
    pub depth: u32,
    /// Follow "maybe" edges (functions passed as arguments or stored in fields).
    pub maybe: bool,
    /// Also show callees not defined as functions in the tree (macros,
    /// undefined names).
    pub all: bool,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            depth: 3,
            maybe: true,
            all: false,
        }
    }
}

/// A call tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallTree {
    /// The tree (source version) it was computed in.
    pub tree: String,
    /// The root.
    pub root: TreeNode,
}

/// A function's lines in a file (for attributing diff hunks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: DefKind,
    /// First line.
    pub start: u32,
    /// Line of the name.
    pub line: u32,
    /// Last line.
    pub end: u32,
}

const DEF_COLUMNS: &str = "n.name, d.kind, t.name, p.path, d.line, d.start, d.end, d.static, d.id, d.blob, d.called_params";

fn def_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Definition> {
    Ok(Definition {
        name: r.get(0)?,
        kind: DefKind::from_code(r.get(1)?),
        tree: r.get(2)?,
        path: r.get(3)?,
        line: r.get(4)?,
        start: r.get(5)?,
        end: r.get(6)?,
        is_static: r.get(7)?,
        id: r.get(8)?,
        blob: r.get(9)?,
        called_params: r.get(10)?,
    })
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(",")
}

/// Lists of ids are bound in chunks of this size (padded with NULL), so
/// that a handful of prepared statements serve every query.
const CHUNK: usize = 128;

/// `chunk` padded to [`CHUNK`] values with NULLs.
fn padded<T: Clone + rusqlite::ToSql>(chunk: &[T]) -> Vec<Option<T>> {
    let mut v: Vec<Option<T>> = chunk.iter().cloned().map(Some).collect();
    v.resize(CHUNK, None);
    v
}

/// `?K,?K+1,...`: placeholders after K-1 numbered ones.
fn numbered(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Levenshtein distance (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl CodeIndex {
    /// The indexed trees, oldest first.
    pub fn trees(&self) -> Result<Vec<TreeInfo>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name, kind, source, rev, commit_id, version, indexed_at, files, defs, refs, failed, with_errors
                 FROM trees ORDER BY indexed_at, id",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok(TreeInfo {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    source: r.get(2)?,
                    rev: r.get(3)?,
                    commit: r.get(4)?,
                    version: r.get(5)?,
                    indexed_at: r.get(6)?,
                    files: r.get::<_, i64>(7)? as u64,
                    defs: r.get::<_, i64>(8)? as u64,
                    refs: r.get::<_, i64>(9)? as u64,
                    failed: r.get::<_, i64>(10)? as u64,
                    with_errors: r.get::<_, i64>(11)? as u64,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// The tree named `name`, or the one indexed last.
    pub(crate) fn tree_id(&self, name: Option<&str>) -> Result<(i64, String), Error> {
        let row = match name {
            Some(n) => self
                .conn
                .query_row(
                    "SELECT id, name FROM trees WHERE name = ?1",
                    params![n],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional(),
            None => self
                .conn
                .query_row(
                    "SELECT id, name FROM trees ORDER BY indexed_at DESC, id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional(),
        }
        .map_err(self.err())?;
        match (row, name) {
            (Some(r), _) => Ok(r),
            (None, Some(n)) => Err(Error::NoSuchTree {
                name: n.to_owned(),
                known: self.tree_names()?,
            }),
            (None, None) => Err(Error::NoTrees),
        }
    }

    /// Where `name` is defined: in `tree`, or in every indexed tree (newest
    /// tree first).
    pub fn definitions(&self, name: &str, tree: Option<&str>) -> Result<Vec<Definition>, Error> {
        let tree = tree.map(|t| self.tree_id(Some(t))).transpose()?;
        let Some(nid) = self.name_id(name)? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {DEF_COLUMNS} FROM defs d
             JOIN names n ON n.id = d.name
             JOIN tree_files tf ON tf.blob = d.blob
             JOIN trees t ON t.id = tf.tree
             JOIN paths p ON p.id = tf.path
             WHERE d.name = ?1 AND (?2 IS NULL OR tf.tree = ?2)
             ORDER BY t.indexed_at DESC, t.id DESC, d.kind, p.path, d.line"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
        let rows = st
            .query_map(params![nid, tree.map(|t| t.0)], def_row)
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Definitions of several names in one tree, by name id.
    ///
    /// `CROSS JOIN` fixes the loop order: definitions by name first, then
    /// whether the tree holds their file. Left to itself (no statistics),
    /// SQLite starts from `tree_files` by tree, every file of the tree,
    /// which made `lpl code tree do_madvise --depth 6` take a minute on a
    /// whole kernel tree.
    fn defs_of_names(&self, tree: i64, names: &[i64]) -> Result<Vec<(i64, Definition)>, Error> {
        let mut out = Vec::new();
        for chunk in names.chunks(CHUNK) {
            let sql = format!(
                "SELECT {DEF_COLUMNS}, d.name FROM defs d
                 CROSS JOIN tree_files tf ON tf.blob = d.blob AND tf.tree = ?1
                 JOIN names n ON n.id = d.name
                 JOIN trees t ON t.id = tf.tree
                 JOIN paths p ON p.id = tf.path
                 WHERE d.name IN ({})",
                numbered(2, CHUNK)
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            let args = std::iter::once(Some(tree)).chain(padded(chunk));
            let rows = st
                .query_map(params_from_iter(args), |r| {
                    Ok((r.get::<_, i64>(11)?, def_row(r)?))
                })
                .map_err(self.err())?;
            for r in rows {
                out.push(r.map_err(self.err())?);
            }
        }
        Ok(out)
    }

    /// Who calls `name` in `tree` (default: the tree indexed last).
    pub fn callers(&self, name: &str, tree: Option<&str>) -> Result<Callers, Error> {
        let (tid, tname) = self.tree_id(tree)?;
        let mut out = Callers {
            tree: tname,
            name: name.to_owned(),
            sites: Vec::new(),
        };
        let Some(nid) = self.name_id(name)? else {
            return Ok(out);
        };
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT fn.name, d.kind, p.path, r.line, r.kind, vn.name, r.arg
                 FROM refs r
                 JOIN defs d ON d.id = r.def
                 JOIN tree_files tf ON tf.blob = d.blob AND tf.tree = ?2
                 JOIN paths p ON p.id = tf.path
                 JOIN names fn ON fn.id = d.name
                 LEFT JOIN names vn ON vn.id = r.via
                 WHERE r.name = ?1 AND r.kind != ?3
                 ORDER BY p.path, r.line",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![nid, tid, RefKind::FieldCall.code()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    DefKind::from_code(r.get(1)?),
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    RefKind::from_code(r.get(4)?),
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, u8>(6)?,
                ))
            })
            .map_err(self.err())?;
        let mut maybe = Vec::new();
        let mut passed: Vec<(String, u8, CallSite)> = Vec::new();
        for row in rows {
            let (from, from_kind, path, line, kind, via, arg) = row.map_err(self.err())?;
            match kind {
                RefKind::Call => out.sites.push(CallSite {
                    from,
                    from_kind,
                    path,
                    line,
                    edge: Edge::Call,
                }),
                RefKind::Arg => {
                    let via = via.unwrap_or_default();
                    passed.push((
                        via.clone(),
                        arg,
                        CallSite {
                            from,
                            from_kind,
                            path,
                            line,
                            edge: Edge::PassedTo { via, arg },
                        },
                    ));
                }
                RefKind::Assign | RefKind::FieldCall => maybe.push(CallSite {
                    from,
                    from_kind,
                    path,
                    line,
                    edge: Edge::StoredIn {
                        field: via.unwrap_or_default(),
                    },
                }),
            }
        }
        // A function passed to one that calls that parameter: the receiver
        // is a "maybe" caller.
        let receivers: Vec<i64> = {
            let mut v = Vec::new();
            for (via, _, _) in &passed {
                if let Some(id) = self.name_id(via)?
                    && !v.contains(&id)
                {
                    v.push(id);
                }
            }
            v
        };
        let calls_param: HashMap<String, u32> = self
            .defs_of_names(tid, &receivers)?
            .into_iter()
            .filter(|(_, d)| d.kind == DefKind::Function || d.kind == DefKind::Macro)
            .fold(HashMap::new(), |mut m, (_, d)| {
                *m.entry(d.name).or_default() |= d.called_params;
                m
            });
        for (via, arg, site) in passed {
            let mask = calls_param.get(&via).copied().unwrap_or(0);
            if arg < 32 && mask & (1 << arg) != 0 {
                maybe.push(site);
            }
        }
        out.sites.extend(maybe);
        Ok(out)
    }

    /// Defined names close to `name` (for "did you mean"), best first.
    pub fn near_matches(&self, name: &str, limit: usize) -> Result<Vec<String>, Error> {
        let mut cands: HashSet<String> = HashSet::new();
        let chars: Vec<char> = name.chars().collect();
        for k in [8usize, 5, 3] {
            if chars.len() < k {
                continue;
            }
            let prefix: String = chars[..k].iter().collect();
            let mut hi = prefix.clone();
            hi.push(char::MAX);
            let mut st = self
                .conn
                .prepare_cached(
                    "SELECT n.name FROM names n WHERE n.name >= ?1 AND n.name < ?2
                     AND EXISTS (SELECT 1 FROM defs d WHERE d.name = n.id) LIMIT 400",
                )
                .map_err(self.err())?;
            let rows = st
                .query_map(params![prefix, hi], |r| r.get::<_, String>(0))
                .map_err(self.err())?;
            for r in rows {
                cands.insert(r.map_err(self.err())?);
            }
            if cands.len() >= 50 {
                break;
            }
        }
        // Same words in another order or with another prefix
        // (`split_page_memcg` for `memcg_split_page`): the longest word.
        if let Some(word) = name
            .split('_')
            .filter(|w| w.len() >= 4)
            .max_by_key(|w| w.len())
        {
            let mut st = self
                .conn
                .prepare_cached(
                    "SELECT n.name FROM names n WHERE n.name LIKE ?1 ESCAPE '\\'
                     AND EXISTS (SELECT 1 FROM defs d WHERE d.name = n.id) LIMIT 400",
                )
                .map_err(self.err())?;
            let pat = format!("%{}%", word.replace('_', "\\_"));
            let rows = st
                .query_map(params![pat], |r| r.get::<_, String>(0))
                .map_err(self.err())?;
            for r in rows {
                cands.insert(r.map_err(self.err())?);
            }
        }
        cands.remove(name);
        let words = |s: &str| {
            let mut w: Vec<String> = s
                .split('_')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
            w.sort();
            w
        };
        let want = words(name);
        let mut ranked: Vec<(usize, String)> = cands
            .into_iter()
            .map(|c| {
                // The same words in another order is the nearest miss.
                let d = if words(&c) == want {
                    0
                } else {
                    distance(name, &c)
                };
                (d, c)
            })
            .filter(|(d, c)| *d <= name.len().max(c.len()) / 2)
            .collect();
        ranked.sort();
        Ok(ranked.into_iter().take(limit).map(|(_, c)| c).collect())
    }

    /// The functions (and function-like macros) defined in `path` of
    /// `tree`, by line; `None` when the tree has no such file.
    pub fn spans_in_file(
        &self,
        tree: Option<&str>,
        path: &str,
    ) -> Result<Option<Vec<Span>>, Error> {
        let (tid, _) = self.tree_id(tree)?;
        let blob: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT tf.blob FROM tree_files tf JOIN paths p ON p.id = tf.path
                 WHERE tf.tree = ?1 AND p.path = ?2",
            )
            .and_then(|mut s| s.query_row(params![tid, path], |r| r.get(0)).optional())
            .map_err(self.err())?;
        let Some(blob) = blob else {
            return Ok(None);
        };
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT n.name, d.kind, d.start, d.end, d.line FROM defs d JOIN names n ON n.id = d.name
                 WHERE d.blob = ?1 AND d.kind IN (?2, ?3) ORDER BY d.start",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(
                params![blob, DefKind::Function.code(), DefKind::Macro.code()],
                |r| {
                    Ok(Span {
                        name: r.get(0)?,
                        kind: DefKind::from_code(r.get(1)?),
                        start: r.get(2)?,
                        end: r.get(3)?,
                        line: r.get(4)?,
                    })
                },
            )
            .map_err(self.err())?;
        Ok(Some(rows.collect::<Result<_, _>>().map_err(self.err())?))
    }
}

mod tree;

#[cfg(test)]
mod tests;
