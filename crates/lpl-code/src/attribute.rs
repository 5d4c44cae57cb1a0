//! Which functions a diff hunk changes.
//!
//! A hunk is attributed to the functions (and macros) whose bodies its
//! changed lines fall in. Two sources of truth, used together:
//!
//! - the indexed tree's line spans of the file ([`CodeIndex::spans_in_file`]),
//!   when the tree has the file and agrees with what the hunk shows: the
//!   hunk's line numbers may be off (the patch was written against another
//!   version), so the definitions the hunk shows are anchors that fix the
//!   offset, and a tree that contradicts the hunk (another function where
//!   the hunk shows one) is not used for it;
//! - the diff's own lines otherwise (or where the tree has nothing): the
//!   hunk header (the last line before the hunk that starts at column 0,
//!   usually the enclosing function, but the *previous* one when the hunk
//!   starts between two), and the column-0 lines inside the hunk: a
//!   definition starts a function, a `}` ends it, a `#define` is a macro
//!   up to its last `\`, a declaration is outside any function.
//!
//! [`CodeIndex::spans_in_file`]: crate::CodeIndex::spans_in_file

use std::collections::BTreeMap;

use lpl_mail::diff::{HunkLines, LineKind, OutlineLine};
use serde::Serialize;

use crate::model::DefKind;
use crate::query::Span;

/// Where an attribution comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The indexed tree's line spans.
    Tree,
    /// The diff's own lines (header, definitions shown in the hunk).
    Diff,
}

/// A function (or macro) a hunk changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Touched {
    /// Its name.
    pub name: String,
    /// Function or macro.
    pub kind: DefKind,
    /// Lines of it removed.
    pub removed: u32,
    /// Lines of it added.
    pub added: u32,
    /// Where the attribution comes from (the tree when any of its lines
    /// were placed by the tree).
    pub basis: Basis,
    /// Defined by the hunk's added lines (a new function).
    pub added_definition: bool,
    /// Its definition is among the removed lines and not added back (a
    /// deleted function).
    pub removed_definition: bool,
}

/// What a column-0 line (with its continuation lines) is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    /// Starts the definition of a function.
    Def(String),
    /// `#define NAME`: a macro, up to the end of the group.
    Macro(String),
    /// `}`: ends what it is in.
    End,
    /// A declaration or anything else at file scope: outside functions.
    Top,
    /// Changes nothing (a label, `{`, `#if`, a return type alone).
    Nothing,
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    i
}

const NOT_NAMES: &[&str] = &[
    "if",
    "for",
    "while",
    "switch",
    "return",
    "sizeof",
    "typeof",
    "defined",
    "__attribute__",
    "__typeof__",
    "do",
    "else",
    "case",
];

/// The name a definition line defines (the identifier before its first
/// `(`, `sys_NAME` for `SYSCALL_DEFINEn(NAME, ...)`).
fn defined_name(t: &str) -> Option<String> {
    let open = t.find('(')?;
    let before = t[..open].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    if name.is_empty() || name.as_bytes()[0].is_ascii_digit() || NOT_NAMES.contains(&name) {
        return None;
    }
    for (prefix, renamed) in [
        ("COMPAT_SYSCALL_DEFINE", "compat_sys_"),
        ("SYSCALL_DEFINE", "sys_"),
    ] {
        if let Some(rest) = name.strip_prefix(prefix)
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            let args = &t[open + 1..];
            let end = ident_end(args.as_bytes(), 0);
            return (end > 0).then(|| format!("{renamed}{}", &args[..end]));
        }
    }
    Some(name.to_owned())
}

/// Strips a trailing `/* ... */` or `// ...` comment.
fn code_part(t: &str) -> &str {
    let mut end = t.len();
    if let Some(i) = t.find("//") {
        end = end.min(i);
    }
    if let Some(i) = t.find("/*") {
        end = end.min(i);
    }
    t[..end].trim_end()
}

/// What a logical line (a column-0 line and its continuations, joined)
/// is.
fn classify(t: &str) -> Mark {
    let t = t.trim_end();
    let b = t.as_bytes();
    match b.first() {
        None => return Mark::Nothing,
        Some(b'}') => return Mark::End,
        Some(b'{') => return Mark::Nothing,
        Some(b'#') => {
            let rest = t[1..].trim_start();
            if let Some(rest) = rest.strip_prefix("define")
                && rest.starts_with([' ', '\t'])
            {
                let rest = rest.trim_start();
                let end = ident_end(rest.as_bytes(), 0);
                if end > 0 {
                    return Mark::Macro(rest[..end].to_owned());
                }
            }
            return Mark::Nothing;
        }
        _ => {}
    }
    let code = code_part(t);
    // A label (`out_unlock:`) is inside a function.
    let id = ident_end(code.as_bytes(), 0);
    if id > 0 && code[id..].trim_start().starts_with(':') && !code[id..].contains("::") {
        return Mark::Nothing;
    }
    let first_word = &code[..id];
    if matches!(first_word, "extern" | "typedef") {
        return Mark::Top;
    }
    // (A line ending with `,` is the first line of a longer signature, as
    // hunk headers show it: a definition when it has a name and `(`.)
    if code.ends_with(';') {
        return Mark::Top;
    }
    match code.find('(') {
        Some(open) => {
            if code[..open].contains('=') {
                return Mark::Top;
            }
            match defined_name(code) {
                Some(n) => Mark::Def(n),
                None => Mark::Top,
            }
        }
        None => {
            if code.ends_with('{') || code.contains('=') {
                Mark::Top
            } else {
                // A return type alone (`static int`), a line of a
                // multi-line declaration: the next line tells.
                Mark::Nothing
            }
        }
    }
}

/// A logical line on one side: its marks and the lines it covers.
#[derive(Debug)]
struct Group {
    start: u32,
    end: u32,
    kind: LineKind,
    mark: Mark,
}

/// The outline of one side (`old`: context and removed lines, numbered
/// in the old file; else context and added, in the new file), as logical
/// lines.
fn groups(outline: &[OutlineLine], old: bool) -> Vec<Group> {
    let mut out: Vec<(Group, String)> = Vec::new();
    for o in outline {
        let (n, on_side) = if old {
            (o.old, o.kind != LineKind::Added)
        } else {
            (o.new, o.kind != LineKind::Removed)
        };
        if !on_side || n == 0 {
            continue;
        }
        let col0 = o
            .text
            .as_bytes()
            .first()
            .is_some_and(|b| !b.is_ascii_whitespace());
        match out.last_mut() {
            Some((g, text)) if !col0 && g.end + 1 == n => {
                g.end = n;
                text.push(' ');
                text.push_str(o.text.trim());
            }
            _ if !col0 => {}
            _ => out.push((
                Group {
                    start: n,
                    end: n,
                    kind: o.kind,
                    mark: Mark::Nothing,
                },
                o.text.clone(),
            )),
        }
    }
    out.into_iter()
        .map(|(mut g, text)| {
            g.mark = classify(&text);
            g
        })
        .collect()
}

/// What the diff says a line is in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Walk {
    /// Nothing known (no header function, nothing shown above it).
    Unknown,
    /// Outside any function.
    Outside,
    /// In this function; `added`: defined by an added line.
    In {
        name: String,
        kind: DefKind,
        added: bool,
    },
}

impl Walk {
    fn name(&self) -> Option<&str> {
        match self {
            Walk::In { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// What the diff's own lines say line `line` (on the side `groups` come
/// from) is in.
fn walk_at(header: &Walk, groups: &[Group], line: u32) -> Walk {
    let mut state = header.clone();
    for g in groups {
        if g.start > line {
            break;
        }
        match &g.mark {
            Mark::Def(n) => {
                state = Walk::In {
                    name: n.clone(),
                    kind: DefKind::Function,
                    added: g.kind == LineKind::Added,
                }
            }
            Mark::Macro(n) => {
                if line <= g.end {
                    return Walk::In {
                        name: n.clone(),
                        kind: DefKind::Macro,
                        added: g.kind == LineKind::Added,
                    };
                }
            }
            // The `}` line is the function's own.
            Mark::End if g.start < line => state = Walk::Outside,
            Mark::End => {}
            Mark::Top => state = Walk::Outside,
            Mark::Nothing => {}
        }
    }
    state
}

fn header_walk(header: &str) -> Walk {
    match classify(header.trim()) {
        Mark::Def(n) => Walk::In {
            name: n,
            kind: DefKind::Function,
            added: false,
        },
        Mark::Macro(n) => Walk::In {
            name: n,
            kind: DefKind::Macro,
            added: false,
        },
        Mark::Top | Mark::End => Walk::Outside,
        Mark::Nothing => Walk::Unknown,
    }
}

/// The innermost span holding line `x`.
fn span_at(spans: &[Span], x: i64) -> Option<&Span> {
    spans
        .iter()
        .filter(|s| i64::from(s.start) <= x && x <= i64::from(s.end))
        .min_by_key(|s| s.end - s.start)
}

/// The innermost span holding both `x - 1` and `x` (an insertion before
/// old line `x` lands inside it).
fn span_around(spans: &[Span], x: i64) -> Option<&Span> {
    spans
        .iter()
        .filter(|s| i64::from(s.start) < x && x <= i64::from(s.end))
        .min_by_key(|s| s.end - s.start)
}

/// How the tree lines up with the hunk: the offset to add to the hunk's
/// old line numbers, and whether the hunk confirmed it (a definition it
/// shows, or a changed line it places, where the tree has it).
#[derive(Debug, Clone, Copy)]
struct Alignment {
    delta: i64,
    verified: bool,
}

fn align(
    spans: &[Span],
    header: &Walk,
    old_groups: &[Group],
    old_changed: &[u32],
    first_line: u32,
) -> Option<Alignment> {
    let mut candidates: Vec<i64> = vec![0];
    for g in old_groups {
        if let Mark::Def(n) = &g.mark {
            for s in spans.iter().filter(|s| &s.name == n) {
                for d in [
                    i64::from(s.line) - i64::from(g.start),
                    i64::from(s.start) - i64::from(g.start),
                ] {
                    if !candidates.contains(&d) {
                        candidates.push(d);
                    }
                }
            }
        }
    }
    'next: for delta in candidates {
        let mut agree = 0;
        // The definitions the hunk shows sit where the tree has them.
        for g in old_groups {
            if let Mark::Def(n) = &g.mark {
                let at = i64::from(g.start) + delta;
                let defined: Vec<&Span> = spans.iter().filter(|s| &s.name == n).collect();
                if defined.is_empty() {
                    continue;
                }
                if defined
                    .iter()
                    .any(|s| i64::from(s.start) <= at && at <= i64::from(s.line))
                {
                    agree += 1;
                } else {
                    continue 'next;
                }
            }
        }
        // The header's function starts before the hunk.
        if let Walk::In { name, .. } = header {
            let defined: Vec<&Span> = spans.iter().filter(|s| &s.name == name).collect();
            if !defined.is_empty()
                && !defined
                    .iter()
                    .any(|s| i64::from(s.start) < i64::from(first_line) + delta)
            {
                continue 'next;
            }
        }
        // Where both know, they name the same function.
        for &l in old_changed {
            let w = walk_at(header, old_groups, l);
            let t = span_at(spans, i64::from(l) + delta);
            match (w.name(), t) {
                (Some(a), Some(s)) if a == s.name => agree += 1,
                (Some(_), Some(_)) => continue 'next,
                _ => {}
            }
        }
        return Some(Alignment {
            delta,
            verified: agree > 0,
        });
    }
    None
}

#[derive(Default)]
struct Tally {
    kind: Option<DefKind>,
    removed: u32,
    added: u32,
    tree: bool,
}

/// The functions and macros hunk `h` (with header text `header`) changes;
/// `spans`: the functions of its file in an indexed tree
/// ([`crate::CodeIndex::spans_in_file`]), `None` when the tree lacks the
/// file. Ordered by name.
pub fn attribute(h: &HunkLines, header: &str, spans: Option<&[Span]>) -> Vec<Touched> {
    let hw = header_walk(header);
    let old_groups = groups(&h.outline, true);
    let new_groups = groups(&h.outline, false);
    let first_old = h
        .outline
        .iter()
        .filter(|o| o.old > 0)
        .map(|o| o.old)
        .chain(h.old_changed.iter().copied())
        .chain(h.old_inserted.iter().copied())
        .min()
        .unwrap_or(0);
    let spans = spans.filter(|s| !s.is_empty());
    let alignment = spans.and_then(|s| align(s, &hw, &old_groups, &h.old_changed, first_old));
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    // Whether the tree's word is taken where the diff says something else
    // (or nothing): when the hunk confirmed the offset, or has nothing to say.
    let trust_tree = |w: &Walk| alignment.is_some_and(|a| a.verified || *w == Walk::Unknown);
    for &l in &h.old_changed {
        let w = walk_at(&hw, &old_groups, l);
        let t = match (spans, alignment) {
            (Some(s), Some(a)) => span_at(s, i64::from(l) + a.delta),
            _ => None,
        };
        let pick = match (t, &w) {
            (Some(s), _) if trust_tree(&w) || w.name() == Some(s.name.as_str()) => {
                Some((s.name.clone(), s.kind, true))
            }
            (_, Walk::In { name, kind, .. }) => Some((name.clone(), *kind, false)),
            _ => None,
        };
        if let Some((name, kind, tree)) = pick {
            let e = tally.entry(name).or_default();
            e.kind.get_or_insert(kind);
            e.removed += 1;
            e.tree |= tree;
        }
    }
    // Added lines: runs of consecutive new numbers, each inserted before
    // one old line.
    let mut runs: Vec<Vec<u32>> = Vec::new();
    for &n in &h.new_changed {
        match runs.last_mut() {
            Some(r) if r.last() == Some(&(n - 1)) => r.push(n),
            _ => runs.push(vec![n]),
        }
    }
    for (i, run) in runs.iter().enumerate() {
        let at = h.old_inserted.get(i).copied();
        for &n in run {
            let w = walk_at(&hw, &new_groups, n);
            let t = match (spans, alignment, at) {
                (Some(s), Some(a), Some(x)) => span_around(s, i64::from(x) + a.delta),
                _ => None,
            };
            let pick = match (&w, t) {
                // Defined right here by added lines: the diff knows best.
                (
                    Walk::In {
                        name,
                        kind,
                        added: true,
                    },
                    _,
                ) => Some((name.clone(), *kind, false)),
                (_, Some(s)) if trust_tree(&w) || w.name() == Some(s.name.as_str()) => {
                    Some((s.name.clone(), s.kind, true))
                }
                (Walk::In { name, kind, .. }, _) => Some((name.clone(), *kind, false)),
                _ => None,
            };
            if let Some((name, kind, tree)) = pick {
                let e = tally.entry(name).or_default();
                e.kind.get_or_insert(kind);
                e.added += 1;
                e.tree |= tree;
            }
        }
    }
    let defined = |groups: &[Group], kind: LineKind, name: &str| {
        groups.iter().any(|g| {
            g.kind == kind && matches!(&g.mark, Mark::Def(n) | Mark::Macro(n) if n == name)
        })
    };
    tally
        .into_iter()
        .map(|(name, t)| {
            let added_def = defined(&new_groups, LineKind::Added, &name);
            let removed_def = defined(&old_groups, LineKind::Removed, &name);
            Touched {
                kind: t.kind.unwrap_or(DefKind::Function),
                removed: t.removed,
                added: t.added,
                basis: if t.tree { Basis::Tree } else { Basis::Diff },
                added_definition: added_def && !removed_def,
                removed_definition: removed_def && !added_def,
                name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_lines() {
        assert_eq!(
            classify("static int foo(struct page *page, int x)"),
            Mark::Def("foo".into())
        );
        assert_eq!(
            classify(
                "SYSCALL_DEFINE3(madvise, unsigned long, start, size_t, len_in, int, behavior)"
            ),
            Mark::Def("sys_madvise".into())
        );
        assert_eq!(classify("int foo(int a);"), Mark::Top);
        // A hunk header shows the first line of a long signature.
        assert_eq!(
            classify("int hugetlb_reserve_pages(struct inode *inode,"),
            Mark::Def("hugetlb_reserve_pages".into())
        );
        assert_eq!(classify("EXPORT_SYMBOL_GPL(foo);"), Mark::Top);
        assert_eq!(classify("static DEFINE_MUTEX(lock);"), Mark::Top);
        assert_eq!(classify("struct foo {"), Mark::Top);
        assert_eq!(classify("out_unlock:"), Mark::Nothing);
        assert_eq!(classify("}"), Mark::End);
        assert_eq!(
            classify("#define for_each_x(i) \\"),
            Mark::Macro("for_each_x".into())
        );
        assert_eq!(classify("#ifdef CONFIG_MEMCG"), Mark::Nothing);
        assert_eq!(
            classify("static const struct x y = { .f = foo(1) };"),
            Mark::Top
        );
    }
}
