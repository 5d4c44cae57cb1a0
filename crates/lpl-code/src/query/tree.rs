//! What a function calls, its call tree and the call chains between two
//! functions: walks over the tree's resolved callees (`graph`), by name
//! id, with strings looked up once for what is shown.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, params_from_iter};

use super::{
    CHUNK, CallTree, Callee, Callees, Definition, Edge, TreeNode, TreeOptions, numbered, padded,
    placeholders,
};
use crate::Error;
use crate::db::CodeIndex;
use crate::graph::{self, Call, EdgeIds};
use crate::model::{DefKind, RefKind};

/// Callees of the names explored, by name id.
type Graph = HashMap<i64, Vec<Call>>;

/// A call tree node before its strings are looked up.
struct IdNode {
    name: i64,
    edge: EdgeIds,
    at: Option<(i64, u32)>,
    seen: bool,
    truncated: bool,
    children: Vec<IdNode>,
}

/// Whether a callee belongs in a call tree: functions (and lower-case
/// macros, pruned later unless they lead to a function), "maybe" edges on
/// request, everything else with `all`.
fn keep(c: &Call, opts: TreeOptions) -> bool {
    let kind = c.target.map(|t| t.kind);
    match c.edge {
        EdgeIds::Call => match kind {
            Some(DefKind::Function) => true,
            Some(DefKind::Macro) => opts.all || !c.upper,
            Some(DefKind::Variable) => false,
            _ => opts.all,
        },
        EdgeIds::PassedTo { .. } => opts.maybe && kind == Some(DefKind::Function),
        EdgeIds::StoredIn { .. } | EdgeIds::FieldCall => false,
    }
}

/// The level (distance from `root`) of every name in the explored graph.
fn levels(root: i64, graph: &Graph, opts: TreeOptions) -> HashMap<i64, u32> {
    let mut level_of = HashMap::new();
    level_of.insert(root, 0);
    let mut frontier = vec![root];
    let mut l = 0;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for n in &frontier {
            for c in graph.get(n).into_iter().flatten() {
                if keep(c, opts) && !level_of.contains_key(&c.name) {
                    level_of.insert(c.name, l + 1);
                    next.push(c.name);
                }
            }
        }
        frontier = next;
        l += 1;
    }
    level_of
}

/// Whether the macro `name` leads to a function within the explored graph.
fn macro_is_useful(name: i64, graph: &Graph, useful: &mut HashMap<i64, bool>, depth: u32) -> bool {
    if let Some(&u) = useful.get(&name) {
        return u;
    }
    useful.insert(name, false);
    let u = graph.get(&name).is_some_and(|cs| {
        cs.iter().any(|c| {
            c.edge == EdgeIds::Call
                && match c.target.map(|t| t.kind) {
                    Some(DefKind::Function) => true,
                    Some(DefKind::Macro) if depth < 4 => {
                        macro_is_useful(c.name, graph, useful, depth + 1)
                    }
                    _ => false,
                }
        })
    });
    useful.insert(name, u);
    u
}

struct Ctx<'a> {
    graph: &'a Graph,
    level_of: &'a HashMap<i64, u32>,
    opts: TreeOptions,
    /// Only these names (a call path).
    only: Option<&'a HashSet<i64>>,
}

/// Where a tree walk is: what it expanded already, which macros lead to
/// functions.
#[derive(Default)]
struct Walk {
    done: HashSet<i64>,
    useful: HashMap<i64, bool>,
}

fn build(c: &Call, level: u32, seen: bool, ctx: &Ctx<'_>, walk: &mut Walk) -> IdNode {
    let mut node = IdNode {
        name: c.name,
        edge: c.edge,
        at: c.target.map(|t| (t.path, t.line)),
        seen,
        truncated: false,
        children: Vec::new(),
    };
    if seen {
        return node;
    }
    if level >= ctx.opts.depth {
        node.truncated = ctx.only.is_none() && ctx.graph.get(&c.name).is_none_or(|c| !c.is_empty());
        return node;
    }
    let Some(callees) = ctx.graph.get(&c.name) else {
        return node;
    };
    let mut shown: HashSet<i64> = HashSet::new();
    for k in callees {
        if !keep(k, ctx.opts) || !shown.insert(k.name) {
            continue;
        }
        if ctx.only.is_some_and(|o| !o.contains(&k.name)) {
            continue;
        }
        if k.target.map(|t| t.kind) == Some(DefKind::Macro)
            && ctx.only.is_none()
            && !macro_is_useful(k.name, ctx.graph, &mut walk.useful, 0)
        {
            continue;
        }
        // Expanded where it is first met at its shallowest level.
        let first = ctx.level_of.get(&k.name) == Some(&(level + 1)) && walk.done.insert(k.name);
        node.children.push(build(k, level + 1, !first, ctx, walk));
    }
    node
}

/// The root of a tree walk: `name` itself.
fn root_call(name: i64) -> Call {
    Call {
        name,
        line: 0,
        edge: EdgeIds::Call,
        target: None,
        upper: false,
    }
}

/// The strings of the names and paths a walk shows, by id.
#[derive(Default)]
struct Strings {
    names: HashMap<i64, String>,
    paths: HashMap<i64, String>,
}

impl Strings {
    fn name(&self, id: i64) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }

    fn edge(&self, e: EdgeIds) -> Edge {
        match e {
            EdgeIds::Call => Edge::Call,
            EdgeIds::FieldCall => Edge::FieldCall,
            EdgeIds::PassedTo { via, arg } => Edge::PassedTo {
                via: self.name(via),
                arg,
            },
            EdgeIds::StoredIn { field } => Edge::StoredIn {
                field: self.name(field),
            },
        }
    }

    fn node(&self, n: IdNode) -> TreeNode {
        TreeNode {
            name: self.name(n.name),
            edge: self.edge(n.edge),
            path: n.at.and_then(|(p, _)| self.paths.get(&p).cloned()),
            line: n.at.map(|(_, l)| l),
            seen: n.seen,
            truncated: n.truncated,
            children: n.children.into_iter().map(|c| self.node(c)).collect(),
        }
    }
}

/// The ids a list of callees names (names, edge names, paths).
fn ids_of(c: &Call, names: &mut HashSet<i64>, paths: &mut HashSet<i64>) {
    names.insert(c.name);
    match c.edge {
        EdgeIds::PassedTo { via: n, .. } | EdgeIds::StoredIn { field: n } if n != 0 => {
            names.insert(n);
        }
        _ => {}
    }
    if let Some(t) = c.target {
        paths.insert(t.path);
    }
}

fn node_ids(n: &IdNode, names: &mut HashSet<i64>, paths: &mut HashSet<i64>) {
    ids_of(
        &Call {
            name: n.name,
            line: 0,
            edge: n.edge,
            target: None,
            upper: false,
        },
        names,
        paths,
    );
    if let Some((p, _)) = n.at {
        paths.insert(p);
    }
    for c in &n.children {
        node_ids(c, names, paths);
    }
}

impl CodeIndex {
    /// The resolved callees of name `nid` in tree `tid` (over its
    /// `#ifdef` variants, in definition then line order), each name once
    /// per line and edge.
    fn calls_of(&self, tid: i64, nid: i64) -> Result<Vec<Call>, Error> {
        // Sorted here, not by `ORDER BY def`: with it, SQLite 3.54
        // prepared the statement again at every new name (a third of a
        // call tree's time).
        let mut st = self
            .conn
            .prepare_cached("SELECT def, callees FROM calls WHERE tree = ?1 AND name = ?2")
            .map_err(self.err())?;
        let mut lists: Vec<(i64, Vec<u8>)> = st
            .query_map(params![tid, nid], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        lists.sort_unstable_by_key(|l| l.0);
        let mut out = Vec::new();
        for (_, b) in &lists {
            graph::decode(b, &mut out);
        }
        let mut seen = HashSet::new();
        out.retain(|c| seen.insert((c.name, c.line, c.edge)));
        Ok(out)
    }

    /// The strings of `names` and `paths` (ids), looked up in lists.
    fn strings(&self, names: HashSet<i64>, paths: HashSet<i64>) -> Result<Strings, Error> {
        let mut out = Strings::default();
        for (ids, table, map) in [
            (names, "names", &mut out.names),
            (paths, "paths", &mut out.paths),
        ] {
            let ids: Vec<i64> = ids.into_iter().collect();
            let column = if table == "names" { "name" } else { "path" };
            let sql = format!(
                "SELECT id, {column} FROM {table} WHERE id IN ({})",
                placeholders(CHUNK)
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            for chunk in ids.chunks(CHUNK) {
                let mut rows = st
                    .query(params_from_iter(padded(chunk)))
                    .map_err(self.err())?;
                while let Some(r) = rows.next().map_err(self.err())? {
                    map.insert(r.get(0).map_err(self.err())?, r.get(1).map_err(self.err())?);
                }
            }
        }
        Ok(out)
    }

    /// The functions, macros and variables named `nid` in tree `tid`.
    fn owner_defs(&self, tid: i64, nid: i64) -> Result<Vec<Definition>, Error> {
        Ok(self
            .defs_of_names(tid, &[nid])?
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| {
                matches!(
                    d.kind,
                    DefKind::Function | DefKind::Macro | DefKind::Variable
                )
            })
            .collect())
    }

    /// What `name` calls in `tree` (default: the tree indexed last): its
    /// definitions (functions, macros, variables), and their callees in
    /// line order, each name once per line. A function passed as an
    /// argument is kept only where the receiver calls that parameter; a
    /// function passed *in* to a parameter the definition calls is a
    /// callee of it ("maybe").
    pub fn callees(&self, name: &str, tree: Option<&str>) -> Result<Callees, Error> {
        let (tid, tname) = self.tree_id(tree)?;
        let mut out = Callees {
            tree: tname,
            name: name.to_owned(),
            definitions: Vec::new(),
            callees: Vec::new(),
        };
        let Some(nid) = self.name_id(name)? else {
            return Ok(out);
        };
        out.definitions = self.owner_defs(tid, nid)?;
        let calls = self.calls_of(tid, nid)?;
        let (mut names, mut paths) = (HashSet::new(), HashSet::new());
        for c in &calls {
            ids_of(c, &mut names, &mut paths);
        }
        let s = self.strings(names, paths)?;
        out.callees = calls
            .into_iter()
            .map(|c| Callee {
                name: s.name(c.name),
                line: c.line,
                edge: s.edge(c.edge),
                kind: c.target.map(|t| t.kind),
                path: c.target.and_then(|t| s.paths.get(&t.path).cloned()),
                def_line: c.target.map(|t| t.line),
            })
            .collect();
        Ok(out)
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
        let Some(nid) = self.name_id(name)? else {
            return Ok(CallTree {
                tree: tname,
                root: TreeNode {
                    name: name.to_owned(),
                    edge: Edge::Call,
                    path: None,
                    line: None,
                    seen: false,
                    truncated: false,
                    children: Vec::new(),
                },
            });
        };
        let graph = self.explore(tid, nid, opts, None)?;
        let defs = self.owner_defs(tid, nid)?;
        let first = defs
            .iter()
            .find(|d| d.kind == DefKind::Function)
            .or(defs.first());
        let level_of = levels(nid, &graph, opts);
        let mut walk = Walk::default();
        walk.done.insert(nid);
        let ctx = Ctx {
            graph: &graph,
            level_of: &level_of,
            opts,
            only: None,
        };
        let root = build(&root_call(nid), 0, false, &ctx, &mut walk);
        Ok(CallTree {
            tree: tname,
            root: self.materialize(root, name, first)?,
        })
    }

    /// The strings of a walk: `name` and `def` for the root.
    fn materialize(
        &self,
        root: IdNode,
        name: &str,
        def: Option<&Definition>,
    ) -> Result<TreeNode, Error> {
        let (mut names, mut paths) = (HashSet::new(), HashSet::new());
        node_ids(&root, &mut names, &mut paths);
        let mut node = self.strings(names, paths)?.node(root);
        name.clone_into(&mut node.name);
        node.path = def.map(|d| d.path.clone());
        node.line = def.map(|d| d.line);
        Ok(node)
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
        let (Some(fid), Some(tid_name)) = (self.name_id(from)?, self.name_id(to)?) else {
            return Ok(None);
        };
        // Only what can reach `to` is worth exploring from `from`.
        let reach = self.reaching(tid, tid_name, opts.depth)?;
        if !reach.contains(&fid) {
            return Ok(None);
        }
        let graph = self.explore(tid, fid, opts, Some((tid_name, &reach)))?;
        let level_of = levels(fid, &graph, opts);
        let Some(&target_level) = level_of.get(&tid_name) else {
            return Ok(None);
        };
        // Names on a shortest path: walk back from the target level by level.
        let mut on_path: HashSet<i64> = HashSet::new();
        on_path.insert(tid_name);
        for l in (0..target_level).rev() {
            let at: Vec<i64> = level_of
                .iter()
                .filter(|(_, lv)| **lv == l)
                .map(|(n, _)| *n)
                .collect();
            for n in at {
                let reaches = graph.get(&n).is_some_and(|cs| {
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
        let defs = self.owner_defs(tid, fid)?;
        let mut walk = Walk::default();
        walk.done.insert(fid);
        let ctx = Ctx {
            graph: &graph,
            level_of: &level_of,
            opts: TreeOptions {
                depth: target_level,
                all: true,
                ..opts
            },
            only: Some(&on_path),
        };
        let root = build(&root_call(fid), 0, false, &ctx, &mut walk);
        Ok(Some(CallTree {
            tree: tname,
            root: self.materialize(root, from, defs.first())?,
        }))
    }

    /// Every name (function or macro) from which `target` is reachable in
    /// at most `depth` calls (direct calls, and functions handing `target`
    /// or its callers on as arguments), `target` included.
    fn reaching(&self, tid: i64, target: i64, depth: u32) -> Result<HashSet<i64>, Error> {
        let mut reach: HashSet<i64> = HashSet::new();
        reach.insert(target);
        let mut frontier = vec![target];
        // References by name first (`CROSS JOIN` keeps that order: with a
        // long `IN` list SQLite would rather walk every file of the tree,
        // as in `defs_of_names`).
        let sql = format!(
            "SELECT d.name, r.via FROM refs r
             CROSS JOIN defs d ON d.id = r.def
             CROSS JOIN tree_files tf ON tf.blob = d.blob AND tf.tree = ?1
             WHERE r.name IN ({}) AND r.kind IN (?2, ?3)",
            numbered(4, CHUNK)
        );
        for _ in 0..depth {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            let mut st = self.conn.prepare_cached(&sql).map_err(self.err())?;
            for chunk in frontier.chunks(CHUNK) {
                let args = [
                    Some(tid),
                    Some(RefKind::Call.code()),
                    Some(RefKind::Arg.code()),
                ]
                .into_iter()
                .chain(padded(chunk));
                let mut rows = st.query(params_from_iter(args)).map_err(self.err())?;
                while let Some(r) = rows.next().map_err(self.err())? {
                    let id: i64 = r.get(0).map_err(self.err())?;
                    let via: Option<i64> = r.get(1).map_err(self.err())?;
                    // Handed on as an argument: the receiver may call it.
                    for n in std::iter::once(id).chain(via) {
                        if reach.insert(n) {
                            next.push(n);
                        }
                    }
                }
            }
            frontier = next;
        }
        Ok(reach)
    }

    /// Breadth-first exploration below `root`, one lookup per name; stops
    /// early once `target` is met.
    fn explore(
        &self,
        tid: i64,
        root: i64,
        opts: TreeOptions,
        target: Option<(i64, &HashSet<i64>)>,
    ) -> Result<Graph, Error> {
        let mut graph: Graph = HashMap::new();
        let mut met: HashSet<i64> = HashSet::new();
        met.insert(root);
        let mut frontier = vec![root];
        for _ in 0..opts.depth {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            let mut found = false;
            for &n in &frontier {
                let callees = self.calls_of(tid, n)?;
                for c in &callees {
                    if target.is_some_and(|(_, reach)| !reach.contains(&c.name)) {
                        continue;
                    }
                    if keep(c, opts) && met.insert(c.name) {
                        found |= target.is_some_and(|(t, _)| t == c.name);
                        next.push(c.name);
                    }
                }
                graph.insert(n, callees);
            }
            if found {
                break;
            }
            frontier = next;
        }
        Ok(graph)
    }
}
