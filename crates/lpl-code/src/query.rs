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

/// Definitions and callees of explored names.
type Graph = HashMap<String, (Vec<Definition>, Vec<Callee>)>;

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

    /// Name ids of several names (missing names left out).
    fn name_ids(&self, names: &[String]) -> Result<HashMap<i64, String>, Error> {
        let mut out = HashMap::new();
        for chunk in names.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, name FROM names WHERE name IN ({})",
                placeholders(CHUNK)
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            let rows = st
                .query_map(params_from_iter(padded(chunk)), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(self.err())?;
            for r in rows {
                let (id, n) = r.map_err(self.err())?;
                out.insert(id, n);
            }
        }
        Ok(out)
    }

    /// What each of `names` calls in one tree, computed for all of them
    /// at once (a handful of queries per call-tree level, whatever its
    /// width): their definitions (functions, macros, variables), and their
    /// callees in line order, each name once per line. A function passed
    /// as an argument is kept only where the receiver calls that
    /// parameter; a function passed *in* to a parameter the definition
    /// calls is a callee of it ("maybe").
    fn children(&self, tid: i64, names: &[String]) -> Result<Graph, Error> {
        let ids = self.name_ids(names)?;
        let id_list: Vec<i64> = ids.keys().copied().collect();
        let defs: Vec<Definition> = self
            .defs_of_names(tid, &id_list)?
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| {
                matches!(
                    d.kind,
                    DefKind::Function | DefKind::Macro | DefKind::Variable
                )
            })
            .collect();
        // (def, name id, name, line, kind, via, arg)
        type Raw = (i64, i64, String, u32, RefKind, Option<String>, u8);
        let mut raw: Vec<Raw> = Vec::new();
        let def_ids: Vec<i64> = defs.iter().map(|d| d.id).collect();
        for chunk in def_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT r.def, r.name, n.name, r.line, r.kind, vn.name, r.arg FROM refs r
                 JOIN names n ON n.id = r.name LEFT JOIN names vn ON vn.id = r.via
                 WHERE r.def IN ({})",
                placeholders(CHUNK)
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            let rows = st
                .query_map(params_from_iter(padded(chunk)), |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, u32>(3)?,
                        RefKind::from_code(r.get(4)?),
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, u8>(6)?,
                    ))
                })
                .map_err(self.err())?;
            for r in rows {
                raw.push(r.map_err(self.err())?);
            }
        }
        // Functions passed in to parameters these definitions call.
        let receivers: Vec<(i64, &Definition)> = defs
            .iter()
            .filter(|d| d.called_params != 0)
            .filter_map(|d| {
                ids.iter()
                    .find(|(_, n)| **n == d.name)
                    .map(|(&id, _)| (id, d))
            })
            .collect();
        let recv_ids: Vec<i64> = receivers
            .iter()
            .map(|(id, _)| *id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in recv_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT r.via, r.name, n.name, r.arg FROM refs r INDEXED BY refs_via
                 JOIN names n ON n.id = r.name
                 JOIN defs c ON c.id = r.def
                 JOIN tree_files tf ON tf.blob = c.blob AND tf.tree = ?1
                 WHERE r.via IN ({}) AND r.kind = ?2",
                numbered(3, CHUNK)
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            let args = [Some(tid), Some(RefKind::Arg.code())]
                .into_iter()
                .chain(padded(chunk));
            let rows = st
                .query_map(params_from_iter(args), |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, u8>(3)?,
                    ))
                })
                .map_err(self.err())?;
            for r in rows {
                let (via, nid, n, arg) = r.map_err(self.err())?;
                for (rid, d) in &receivers {
                    if *rid == via && arg < 32 && d.called_params & (1 << arg) != 0 {
                        raw.push((
                            d.id,
                            nid,
                            n.clone(),
                            d.start,
                            RefKind::Arg,
                            Some(d.name.clone()),
                            arg,
                        ));
                    }
                }
            }
        }
        // What each referenced name is in this tree.
        let callee_ids: Vec<i64> = raw
            .iter()
            .filter(|r| r.4 != RefKind::FieldCall)
            .map(|r| r.1)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut resolved: HashMap<i64, Definition> = HashMap::new();
        let mut called_params: HashMap<String, u32> = HashMap::new();
        for (nid, d) in self.defs_of_names(tid, &callee_ids)? {
            if matches!(d.kind, DefKind::Function | DefKind::Macro) {
                *called_params.entry(d.name.clone()).or_default() |= d.called_params;
            }
            let better = resolved.get(&nid).is_none_or(|old| {
                (d.kind == DefKind::Function && old.kind != DefKind::Function)
                    || (d.kind == old.kind && !d.path.ends_with(".h") && old.path.ends_with(".h"))
            });
            if better {
                resolved.insert(nid, d);
            }
        }
        let mut out: Graph = HashMap::new();
        for d in &defs {
            out.entry(d.name.clone()).or_default().0.push(d.clone());
        }
        let owner: HashMap<i64, &Definition> = defs.iter().map(|d| (d.id, d)).collect();
        raw.sort_by_key(|r| (r.0, r.3));
        let mut seen: HashSet<(String, String, u32, Edge)> = HashSet::new();
        for (def, nid, name, line, kind, via, arg) in raw {
            let Some(d) = owner.get(&def) else { continue };
            let edge = match kind {
                RefKind::Call => Edge::Call,
                RefKind::FieldCall => Edge::FieldCall,
                RefKind::Arg => {
                    let via = via.unwrap_or_default();
                    let passed_in = via == d.name;
                    let receiver_calls =
                        arg < 32 && called_params.get(&via).is_some_and(|m| m & (1 << arg) != 0);
                    if !passed_in && !receiver_calls {
                        continue;
                    }
                    Edge::PassedTo { via, arg }
                }
                RefKind::Assign => Edge::StoredIn {
                    field: via.unwrap_or_default(),
                },
            };
            if !seen.insert((d.name.clone(), name.clone(), line, edge.clone())) {
                continue;
            }
            let target = if kind == RefKind::FieldCall {
                None
            } else {
                resolved.get(&nid)
            };
            out.entry(d.name.clone()).or_default().1.push(Callee {
                name,
                line,
                edge,
                kind: target.map(|t| t.kind),
                path: target.map(|t| t.path.clone()),
                def_line: target.map(|t| t.line),
            });
        }
        Ok(out)
    }

    /// What `name` calls in `tree` (default: the tree indexed last).
    pub fn callees(&self, name: &str, tree: Option<&str>) -> Result<Callees, Error> {
        let (tid, tname) = self.tree_id(tree)?;
        let (definitions, callees) = self
            .children(tid, &[name.to_owned()])?
            .remove(name)
            .unwrap_or_default();
        Ok(Callees {
            tree: tname,
            name: name.to_owned(),
            definitions,
            callees,
        })
    }

    /// The call tree below `name` in `tree` (default: the tree indexed
    /// last), `opts.depth` levels deep. Each function is expanded once,
    /// at its shallowest place; other appearances are marked `seen`.
    /// Function-like macros are shown where they lead to functions
    /// (`pte_offset_map_lock` -> `__pte_offset_map_lock`).
    pub fn call_tree(
        &self,
        name: &str,
        tree: Option<&str>,
        opts: TreeOptions,
    ) -> Result<CallTree, Error> {
        let (tid, tname) = self.tree_id(tree)?;
        let graph = self.explore(tid, name, opts, None)?;
        let defs = graph.get(name).map(|g| g.0.clone()).unwrap_or_default();
        let first = defs
            .iter()
            .find(|d| d.kind == DefKind::Function)
            .or(defs.first());
        let mut level_of: HashMap<String, u32> = HashMap::new();
        levels(name, &graph, opts, &mut level_of);
        let mut done: HashSet<String> = HashSet::new();
        done.insert(name.to_owned());
        let mut useful: HashMap<String, bool> = HashMap::new();
        let root = build(
            name,
            Edge::Call,
            first.map(|d| d.path.clone()),
            first.map(|d| d.line),
            0,
            false,
            &Ctx {
                graph: &graph,
                level_of: &level_of,
                opts,
                only: None,
            },
            &mut done,
            &mut useful,
        );
        Ok(CallTree { tree: tname, root })
    }

    /// The shortest call chains from `from` to `to` in `tree`, at most
    /// `opts.depth` calls long, as a tree holding only the functions on
    /// them (`do_madvise` ... `zap_pte_range`, as the roadmap writes it).
    /// `None` when `to` is not reached.
    pub fn call_path(
        &self,
        from: &str,
        to: &str,
        tree: Option<&str>,
        opts: TreeOptions,
    ) -> Result<Option<CallTree>, Error> {
        let (tid, tname) = self.tree_id(tree)?;
        // Only what can reach `to` is worth exploring from `from`.
        let reach = self.reaching(tid, to, opts.depth)?;
        if !reach.contains(from) {
            return Ok(None);
        }
        let graph = self.explore(tid, from, opts, Some((to, &reach)))?;
        let mut level_of: HashMap<String, u32> = HashMap::new();
        levels(from, &graph, opts, &mut level_of);
        let Some(&target_level) = level_of.get(to) else {
            return Ok(None);
        };
        // Names on a shortest path: walk back from the target level by level.
        let mut on_path: HashSet<String> = HashSet::new();
        on_path.insert(to.to_owned());
        for l in (0..target_level).rev() {
            let at: Vec<String> = level_of
                .iter()
                .filter(|(_, lv)| **lv == l)
                .map(|(n, _)| n.clone())
                .collect();
            for n in at {
                let reaches = graph.get(&n).is_some_and(|(_, cs)| {
                    cs.iter().any(|c| {
                        keep(c, opts)
                            && level_of.get(&c.name) == Some(&(l + 1))
                            && on_path.contains(&c.name)
                    })
                });
                if reaches {
                    on_path.insert(n);
                }
            }
        }
        let defs = graph.get(from).map(|g| g.0.clone()).unwrap_or_default();
        let first = defs.first();
        let mut done: HashSet<String> = HashSet::new();
        done.insert(from.to_owned());
        let mut useful: HashMap<String, bool> = HashMap::new();
        let root = build(
            from,
            Edge::Call,
            first.map(|d| d.path.clone()),
            first.map(|d| d.line),
            0,
            false,
            &Ctx {
                graph: &graph,
                level_of: &level_of,
                opts: TreeOptions {
                    depth: target_level,
                    all: true,
                    ..opts
                },
                only: Some(&on_path),
            },
            &mut done,
            &mut useful,
        );
        Ok(Some(CallTree { tree: tname, root }))
    }

    /// Every name (function or macro) from which `target` is reachable in
    /// at most `depth` calls (direct calls, and functions handing `target`
    /// or its callers on as arguments), `target` included.
    fn reaching(&self, tid: i64, target: &str, depth: u32) -> Result<HashSet<String>, Error> {
        let mut reach: HashSet<String> = HashSet::new();
        reach.insert(target.to_owned());
        let mut frontier: Vec<i64> = self.name_id(target)?.into_iter().collect();
        let mut known: HashSet<i64> = frontier.iter().copied().collect();
        for _ in 0..depth {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for chunk in frontier.chunks(CHUNK) {
                // References by name first (`CROSS JOIN` keeps that order:
                // with a long `IN` list SQLite would rather walk every
                // file of the tree, as in `defs_of_names`).
                let sql = format!(
                    "SELECT d.name, n.name, r.via FROM refs r
                     CROSS JOIN defs d ON d.id = r.def
                     CROSS JOIN tree_files tf ON tf.blob = d.blob AND tf.tree = ?1
                     JOIN names n ON n.id = d.name
                     WHERE r.name IN ({}) AND r.kind IN (?2, ?3)",
                    numbered(4, CHUNK)
                );
                let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
                let args = [
                    Some(tid),
                    Some(RefKind::Call.code()),
                    Some(RefKind::Arg.code()),
                ]
                .into_iter()
                .chain(padded(chunk));
                let rows = st
                    .query_map(params_from_iter(args), |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<i64>>(2)?,
                        ))
                    })
                    .map_err(self.err())?;
                for r in rows {
                    let (id, name, via) = r.map_err(self.err())?;
                    if known.insert(id) {
                        reach.insert(name);
                        next.push(id);
                    }
                    // Handed on as an argument: the receiver may call it.
                    if let Some(v) = via
                        && known.insert(v)
                    {
                        next.push(v);
                        if let Some(n) = self
                            .conn
                            .query_row("SELECT name FROM names WHERE id = ?1", params![v], |r| {
                                r.get::<_, String>(0)
                            })
                            .optional()
                            .map_err(self.err())?
                        {
                            reach.insert(n);
                        }
                    }
                }
            }
            frontier = next;
        }
        Ok(reach)
    }

    /// Breadth-first exploration below `root`, one batch of queries per
    /// level; stops early once `target` is met.
    fn explore(
        &self,
        tid: i64,
        root: &str,
        opts: TreeOptions,
        target: Option<(&str, &HashSet<String>)>,
    ) -> Result<Graph, Error> {
        let mut graph: Graph = HashMap::new();
        let mut met: HashSet<String> = HashSet::new();
        met.insert(root.to_owned());
        let mut frontier = vec![root.to_owned()];
        for _ in 0..opts.depth {
            if frontier.is_empty() {
                break;
            }
            let kids = self.children(tid, &frontier)?;
            let mut next = Vec::new();
            let mut found = false;
            for n in &frontier {
                let Some((_, callees)) = kids.get(n) else {
                    continue;
                };
                for c in callees {
                    if target.is_some_and(|(_, reach)| !reach.contains(&c.name)) {
                        continue;
                    }
                    if keep(c, opts) && met.insert(c.name.clone()) {
                        found |= target.is_some_and(|(t, _)| t == c.name);
                        next.push(c.name.clone());
                    }
                }
            }
            graph.extend(kids);
            if found {
                break;
            }
            frontier = next;
        }
        Ok(graph)
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

/// Whether a callee belongs in a call tree: functions (and lower-case
/// macros, pruned later unless they lead to a function), "maybe" edges on
/// request, everything else with `all`.
fn keep(c: &Callee, opts: TreeOptions) -> bool {
    match &c.edge {
        Edge::Call => match c.kind {
            Some(DefKind::Function) => true,
            Some(DefKind::Macro) => opts.all || !c.name.bytes().any(|b| b.is_ascii_uppercase()),
            Some(DefKind::Variable) => false,
            _ => opts.all,
        },
        Edge::PassedTo { .. } => opts.maybe && c.kind == Some(DefKind::Function),
        Edge::StoredIn { .. } | Edge::FieldCall => false,
    }
}

/// The level (distance from `root`) of every name in the explored graph.
fn levels(root: &str, graph: &Graph, opts: TreeOptions, level_of: &mut HashMap<String, u32>) {
    level_of.insert(root.to_owned(), 0);
    let mut frontier = vec![root.to_owned()];
    let mut l = 0;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for n in &frontier {
            if let Some((_, cs)) = graph.get(n) {
                for c in cs {
                    if keep(c, opts) && !level_of.contains_key(&c.name) {
                        level_of.insert(c.name.clone(), l + 1);
                        next.push(c.name.clone());
                    }
                }
            }
        }
        frontier = next;
        l += 1;
    }
}

/// Whether the macro `name` leads to a function within the explored graph.
fn macro_is_useful(
    name: &str,
    graph: &Graph,
    useful: &mut HashMap<String, bool>,
    depth: u32,
) -> bool {
    if let Some(&u) = useful.get(name) {
        return u;
    }
    useful.insert(name.to_owned(), false);
    let u = graph.get(name).is_some_and(|(_, cs)| {
        cs.iter().any(|c| {
            c.edge == Edge::Call
                && match c.kind {
                    Some(DefKind::Function) => true,
                    Some(DefKind::Macro) if depth < 4 => {
                        macro_is_useful(&c.name, graph, useful, depth + 1)
                    }
                    _ => false,
                }
        })
    });
    useful.insert(name.to_owned(), u);
    u
}

struct Ctx<'a> {
    graph: &'a Graph,
    level_of: &'a HashMap<String, u32>,
    opts: TreeOptions,
    /// Only these names (a call path).
    only: Option<&'a HashSet<String>>,
}

#[allow(clippy::too_many_arguments)]
fn build(
    name: &str,
    edge: Edge,
    path: Option<String>,
    line: Option<u32>,
    level: u32,
    seen: bool,
    ctx: &Ctx<'_>,
    done: &mut HashSet<String>,
    useful: &mut HashMap<String, bool>,
) -> TreeNode {
    let mut node = TreeNode {
        name: name.to_owned(),
        edge,
        path,
        line,
        seen,
        truncated: false,
        children: Vec::new(),
    };
    if seen {
        return node;
    }
    if level >= ctx.opts.depth {
        node.truncated =
            ctx.only.is_none() && ctx.graph.get(name).is_none_or(|(_, c)| !c.is_empty());
        return node;
    }
    let Some((_, callees)) = ctx.graph.get(name) else {
        return node;
    };
    let mut shown: HashSet<&str> = HashSet::new();
    for c in callees {
        if !keep(c, ctx.opts) || !shown.insert(&c.name) {
            continue;
        }
        if ctx.only.is_some_and(|o| !o.contains(&c.name)) {
            continue;
        }
        if c.kind == Some(DefKind::Macro)
            && ctx.only.is_none()
            && !macro_is_useful(&c.name, ctx.graph, useful, 0)
        {
            continue;
        }
        // Expanded where it is first met at its shallowest level.
        let first = ctx.level_of.get(&c.name) == Some(&(level + 1)) && done.insert(c.name.clone());
        node.children.push(build(
            &c.name,
            c.edge.clone(),
            c.path.clone(),
            c.def_line,
            level + 1,
            !first,
            ctx,
            done,
            useful,
        ));
    }
    node
}

#[cfg(test)]
mod tests;
