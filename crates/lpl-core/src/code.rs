//! `lpl code`: the kernel source index (lpl-code) in the home, and what
//! joins it to the archive: every series whose patches change a function.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use lpl_code::{Basis, CodeIndex, DefKind, Span};
use lpl_store::Store;

use crate::error::{Error, NotFound};
use crate::library::Library;
use crate::series::SeriesSummary;

pub use lpl_code::{
    CallSite, CallTree, Callee, Callees, Callers, Definition, Edge, Error as IndexError,
    FileProblem, IndexOptions, IndexReport, Progress, Touched, TreeInfo, TreeNode, TreeOptions,
    TreeSource,
};

/// A patch that changes the function asked about.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryPatch {
    /// Its Message-ID.
    pub message_id: String,
    /// Its subject.
    pub subject: String,
    /// `N` of `N/M`.
    pub counter: Option<u32>,
    /// The files where it changes the function.
    pub files: Vec<String>,
    /// Lines of the function removed.
    pub removed: u32,
    /// Lines of the function added.
    pub added: u32,
    /// It adds the function (its definition is among the added lines).
    pub adds_it: bool,
    /// It deletes the function.
    pub deletes_it: bool,
    /// How the hunks were attributed: `tree` when the indexed tree placed
    /// any of its lines, else `diff`.
    pub basis: Basis,
}

/// A series revision whose patches change the function.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// The revision (revision number, trailer counts ...).
    pub series: SeriesSummary,
    /// Merge status, when an upstream repository is indexed (`merged in
    /// v6.10-rc1 (5/5)`).
    pub upstream: Option<String>,
    /// Its patches that change the function.
    pub patches: Vec<HistoryPatch>,
}

/// Every series in the archive whose patches change a function.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The function (or macro).
    pub name: String,
    /// The tree whose line spans were used (`None`: no tree indexed; the
    /// diffs' own lines only).
    pub tree: Option<String>,
    /// Where that tree defines it.
    pub definitions: Vec<Definition>,
    /// Revisions, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Hunks read.
    pub hunks_read: usize,
}

/// Opens the index of `layout` for queries.
pub(crate) fn open(layout: &crate::Layout) -> Result<CodeIndex, Error> {
    Ok(CodeIndex::open_read(
        &layout.path(crate::Component::CodeIndex),
    )?)
}

/// A name no tree defines: the error, with names close to it.
pub(crate) fn not_defined(ix: &CodeIndex, name: &str, tree: Option<&str>) -> Error {
    let near = ix.near_matches(name, 8).unwrap_or_default();
    NotFound::Symbol {
        name: name.to_owned(),
        tree: tree.map(str::to_owned),
        near,
    }
    .into()
}

/// The tree `tree` names, or the one indexed last.
fn tree_name(ix: &CodeIndex, tree: Option<&str>) -> Result<Option<String>, Error> {
    let trees = ix.tree_names()?;
    match tree {
        Some(t) if trees.iter().any(|n| n == t) => Ok(Some(t.to_owned())),
        Some(t) => Err(lpl_code::Error::NoSuchTree {
            name: t.to_owned(),
            known: trees,
        }
        .into()),
        None => Ok(trees.last().cloned()),
    }
}

#[derive(Default)]
struct Hit {
    files: Vec<String>,
    removed: u32,
    added: u32,
    adds: bool,
    deletes: bool,
    tree: bool,
}

/// `lpl code history NAME`.
pub(crate) fn history(
    store: &Store,
    lib: &Library,
    ix: Option<&CodeIndex>,
    name: &str,
    tree: Option<&str>,
) -> Result<History, Error> {
    let tree = match ix {
        Some(ix) => tree_name(ix, tree)?,
        None => None,
    };
    let definitions = match (ix, &tree) {
        (Some(ix), Some(t)) => ix.definitions(name, Some(t))?,
        _ => Vec::new(),
    };
    let mut paths: Vec<String> = definitions
        .iter()
        .filter(|d| matches!(d.kind, DefKind::Function | DefKind::Macro))
        .map(|d| d.path.clone())
        .collect();
    paths.sort();
    paths.dedup();
    let rows = store.hunks_touching(&paths, name)?;
    let mut spans: HashMap<String, Option<Vec<Span>>> = HashMap::new();
    let mut hits: BTreeMap<i64, Hit> = BTreeMap::new();
    for row in &rows {
        // The tree stands for the old side: a patch's line numbers are
        // those of the file it applies to.
        let Some(path) = row.old_path.as_ref().or(row.new_path.as_ref()) else {
            continue;
        };
        let sp = match (ix, &tree) {
            (Some(ix), Some(t)) => {
                if !spans.contains_key(path) {
                    spans.insert(path.clone(), ix.spans_in_file(Some(t), path)?);
                }
                spans.get(path).and_then(|s| s.as_deref())
            }
            _ => None,
        };
        let touched = lpl_code::attribute(&row.lines, &row.header, sp);
        let Some(t) = touched.iter().find(|t| t.name == name) else {
            continue;
        };
        let h = hits.entry(row.message).or_default();
        let shown = row.new_path.as_ref().unwrap_or(path);
        if !h.files.contains(shown) {
            h.files.push(shown.clone());
        }
        h.removed += t.removed;
        h.added += t.added;
        h.adds |= t.added_definition;
        h.deletes |= t.removed_definition;
        h.tree |= t.basis == Basis::Tree;
    }
    let index_of: HashMap<i64, usize> = lib.rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut by_rev: BTreeMap<usize, Vec<HistoryPatch>> = BTreeMap::new();
    for (row, h) in hits {
        let Some(&i) = index_of.get(&row) else {
            continue;
        };
        let Some(r) = lib.analysis.assembly.revision_of_message(i) else {
            continue;
        };
        let m = &lib.metas[i];
        by_rev.entry(r).or_default().push(HistoryPatch {
            message_id: m.message_id.as_str().to_owned(),
            subject: m.subject.clone(),
            counter: m.tags.counter,
            files: h.files,
            removed: h.removed,
            added: h.added,
            adds_it: h.adds,
            deletes_it: h.deletes,
            basis: if h.tree { Basis::Tree } else { Basis::Diff },
        });
    }
    let with_upstream = crate::upstream::has_index(store);
    let mut entries = Vec::new();
    for (r, mut patches) in by_rev {
        patches.sort_by_key(|p| p.counter.unwrap_or(0));
        let upstream = if with_upstream {
            crate::upstream::status(store, lib, r)?.map(|s| s.summary())
        } else {
            None
        };
        entries.push(HistoryEntry {
            series: crate::series::summary(lib, r),
            upstream,
            patches,
        });
    }
    entries.sort_by(|a, b| {
        b.series
            .date
            .cmp(&a.series.date)
            .then_with(|| a.series.id.cmp(&b.series.id))
    });
    Ok(History {
        name: name.to_owned(),
        tree,
        definitions,
        entries,
        hunks_read: rows.len(),
    })
}

/// Where to read `path` at `line` of `tree` on the web: elixir's page of
/// the release the tree is (its git tag, else its Makefile's version);
/// `None` for a tree of no known release.
pub(crate) fn source_url(tree: &TreeInfo, path: &str, line: u32) -> Option<String> {
    let tag = match (&tree.rev, &tree.version) {
        (Some(rev), _)
            if rev.starts_with('v') && rev[1..].starts_with(|c: char| c.is_ascii_digit()) =>
        {
            rev.clone()
        }
        (_, Some(v)) if v.starts_with(|c: char| c.is_ascii_digit()) => format!("v{v}"),
        _ => return None,
    };
    Some(format!(
        "https://elixir.bootlin.com/linux/{tag}/source/{path}#L{line}"
    ))
}

/// A call tree as nested Markdown bullets, in the roadmap's own style
/// (`- name`, two more spaces per level), starting at `indent` spaces.
/// "Maybe" edges say how (`[maybe: passed to madvise_walk_vmas]`); a
/// function shown above is marked `(above)`, one cut by the depth `…`.
pub fn bullets(tree: &CallTree, indent: usize) -> String {
    fn walk(n: &TreeNode, level: usize, out: &mut String) {
        out.push_str(&" ".repeat(level));
        out.push_str("- ");
        out.push_str(&n.name);
        match &n.edge {
            Edge::PassedTo { via, .. } => out.push_str(&format!(" [maybe: passed to {via}]")),
            Edge::StoredIn { field } if !field.is_empty() => {
                out.push_str(&format!(" [maybe: stored in .{field}]"))
            }
            Edge::StoredIn { .. } => out.push_str(" [maybe: stored]"),
            Edge::FieldCall => out.push_str(" [via a field]"),
            Edge::Call => {}
        }
        if n.seen {
            out.push_str(" (above)");
        } else if n.truncated {
            out.push_str(" …");
        }
        out.push('\n');
        for c in &n.children {
            walk(c, level + 2, out);
        }
    }
    let mut out = String::new();
    walk(&tree.root, indent, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, edge: Edge, children: Vec<TreeNode>) -> TreeNode {
        TreeNode {
            name: name.into(),
            edge,
            path: None,
            line: None,
            seen: false,
            truncated: false,
            children,
        }
    }

    #[test]
    fn bullets_in_the_roadmap_style() {
        let t = CallTree {
            tree: "v6.12".into(),
            root: node(
                "do_madvise",
                Edge::Call,
                vec![node(
                    "madvise_walk_vmas",
                    Edge::Call,
                    vec![node(
                        "madvise_vma_behavior",
                        Edge::PassedTo {
                            via: "madvise_walk_vmas".into(),
                            arg: 4,
                        },
                        vec![],
                    )],
                )],
            ),
        };
        assert_eq!(
            bullets(&t, 2),
            "  - do_madvise\n    - madvise_walk_vmas\n      - madvise_vma_behavior [maybe: passed to madvise_walk_vmas]\n"
        );
    }
}
