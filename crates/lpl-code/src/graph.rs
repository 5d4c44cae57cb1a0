//! The call graph of a tree, resolved once when the tree is indexed.
//!
//! What a function calls depends on the tree it is read in: which
//! definition a called name stands for (a function before a macro of the
//! same name, a `.c` file's before a header's), and which functions passed
//! as arguments are "maybe" callees (the receiver calls that parameter, in
//! this tree). Resolving that at query time cost a call tree thousands of
//! B-tree probes per level (`lpl code tree do_madvise --depth 6` took
//! 1.4 s on Linux 6.12). So each tree keeps, per function, macro or
//! variable definition, the list of its callees already resolved
//! (table `calls`, keyed by tree and name): a call tree is one lookup per
//! name it expands, plus the names and paths it prints.
//!
//! The lists are computed from two sequential scans (`defs`, `refs`),
//! whatever the size of the change: a tree is a whole, and a re-indexed
//! tree's resolution may change where none of its files did.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::model::{DefKind, RefKind};

/// How a callee is reached, by id (see [`crate::Edge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EdgeIds {
    Call,
    FieldCall,
    /// Passed as argument `arg` to `via` (a name id).
    PassedTo {
        via: i64,
        arg: u8,
    },
    /// Stored in field `field` (a name id; 0 for a variable).
    StoredIn {
        field: i64,
    },
}

/// Where the callee's name is defined in the tree (its best definition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) kind: DefKind,
    pub(crate) path: i64,
    pub(crate) line: u32,
}

/// One callee as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Call {
    /// Name id called.
    pub(crate) name: i64,
    /// Line of the call in the caller.
    pub(crate) line: u32,
    pub(crate) edge: EdgeIds,
    /// `None`: not defined in the tree (or a field call).
    pub(crate) target: Option<Target>,
    /// The name has an upper-case letter (`WARN_ON`: a macro not worth
    /// showing in a call tree).
    pub(crate) upper: bool,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let x = *b.get(*at)?;
        *at += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Appends `c` to an encoded list: name, line, a flags byte (edge in bits
/// 0-1, resolved in bit 2, upper case in bit 3, the target's kind in bits
/// 4-7), the edge's name and argument, the target's path and line.
pub(crate) fn encode(out: &mut Vec<u8>, c: &Call) {
    put_varint(out, c.name as u64);
    put_varint(out, u64::from(c.line));
    let edge = match c.edge {
        EdgeIds::Call => 0u8,
        EdgeIds::FieldCall => 1,
        EdgeIds::PassedTo { .. } => 2,
        EdgeIds::StoredIn { .. } => 3,
    };
    let mut flags = edge;
    if let Some(t) = c.target {
        flags |= 4 | ((t.kind.code() as u8) << 4);
    }
    if c.upper {
        flags |= 8;
    }
    out.push(flags);
    match c.edge {
        EdgeIds::PassedTo { via, arg } => {
            put_varint(out, via as u64);
            out.push(arg);
        }
        EdgeIds::StoredIn { field } => put_varint(out, field as u64),
        EdgeIds::Call | EdgeIds::FieldCall => {}
    }
    if let Some(t) = c.target {
        put_varint(out, t.path as u64);
        put_varint(out, u64::from(t.line));
    }
}

/// Decodes a list written by [`encode`] (a damaged tail is left out).
pub(crate) fn decode(b: &[u8], out: &mut Vec<Call>) {
    let mut at = 0;
    while at < b.len() {
        let Some(c) = decode_one(b, &mut at) else {
            return;
        };
        out.push(c);
    }
}

fn decode_one(b: &[u8], at: &mut usize) -> Option<Call> {
    let name = get_varint(b, at)? as i64;
    let line = get_varint(b, at)? as u32;
    let flags = *b.get(*at)?;
    *at += 1;
    let edge = match flags & 3 {
        0 => EdgeIds::Call,
        1 => EdgeIds::FieldCall,
        2 => {
            let via = get_varint(b, at)? as i64;
            let arg = *b.get(*at)?;
            *at += 1;
            EdgeIds::PassedTo { via, arg }
        }
        _ => EdgeIds::StoredIn {
            field: get_varint(b, at)? as i64,
        },
    };
    let target = if flags & 4 != 0 {
        let path = get_varint(b, at)? as i64;
        let line = get_varint(b, at)? as u32;
        Some(Target {
            kind: DefKind::from_code(i64::from(flags >> 4)),
            path,
            line,
        })
    } else {
        None
    };
    Some(Call {
        name,
        line,
        edge,
        target,
        upper: flags & 8 != 0,
    })
}

/// The best definition of a name so far (definitions met in id order).
#[derive(Clone, Copy)]
struct Best {
    kind: u8,
    path: u32,
    line: u32,
    in_header: bool,
}

const NONE: u8 = u8::MAX;

/// A definition of the tree, by def id: its name and kind.
#[derive(Clone, Copy)]
struct Owner {
    name: u32,
    kind: u8,
}

/// A receiver: a definition that calls some of its parameters.
#[derive(Clone, Copy)]
struct Receiver {
    def: i64,
    start: u32,
    called: u32,
}

fn is_owner(kind: u8) -> bool {
    [DefKind::Function, DefKind::Macro, DefKind::Variable]
        .iter()
        .any(|k| k.code() as u8 == kind)
}

/// One definition's callees while they are collected: encoded, and
/// whether any was appended out of line order.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    last_line: u32,
    unsorted: bool,
}

impl Pending {
    fn push(&mut self, c: &Call) {
        if c.line < self.last_line {
            self.unsorted = true;
        }
        self.last_line = c.line;
        encode(&mut self.bytes, c);
    }

    /// The list in line order (stable: a call before a function passed in
    /// at the same line).
    fn finish(self) -> Vec<u8> {
        if !self.unsorted {
            return self.bytes;
        }
        let mut v = Vec::new();
        decode(&self.bytes, &mut v);
        v.sort_by_key(|c| (c.line, matches!(c.edge, EdgeIds::PassedTo { .. })));
        let mut out = Vec::with_capacity(self.bytes.len());
        for c in &v {
            encode(&mut out, c);
        }
        out
    }
}

/// Computes and stores the resolved callees of every function, macro and
/// variable of tree `tree` (replacing what the tree had).
pub(crate) fn build(conn: &Connection, tree: i64) -> rusqlite::Result<u64> {
    conn.execute("DELETE FROM calls WHERE tree = ?1", params![tree])?;
    // The tree's files: blob -> (path id, header?), the first path of a
    // content that is in several places.
    let mut files: HashMap<i64, (u32, bool)> = HashMap::new();
    {
        let mut st = conn.prepare(
            "SELECT tf.blob, tf.path, p.path FROM tree_files tf JOIN paths p ON p.id = tf.path
             WHERE tf.tree = ?1 ORDER BY tf.path",
        )?;
        let mut rows = st.query(params![tree])?;
        while let Some(r) = rows.next()? {
            let blob: i64 = r.get(0)?;
            let path: i64 = r.get(1)?;
            let header = r.get_ref(2)?.as_str().is_ok_and(|p| p.ends_with(".h"));
            files.entry(blob).or_insert((path as u32, header));
        }
    }
    let (min_def, max_def): (i64, i64) = conn.query_row(
        "SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM defs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let max_name: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM names", [], |r| r.get(0))?;
    let span = usize::try_from(max_def - min_def + 1).unwrap_or(0);
    let mut owners: Vec<Owner> = vec![
        Owner {
            name: 0,
            kind: NONE,
        };
        span
    ];
    let mut best: Vec<Best> = vec![
        Best {
            kind: NONE,
            path: 0,
            line: 0,
            in_header: false,
        };
        usize::try_from(max_name + 1).unwrap_or(0)
    ];
    // Parameters called, over a name's functions and macros.
    let mut called: HashMap<i64, u32> = HashMap::new();
    let mut receivers: HashMap<i64, Vec<Receiver>> = HashMap::new();
    let function = DefKind::Function.code() as u8;
    let macro_ = DefKind::Macro.code() as u8;
    {
        let mut st = conn.prepare(
            "SELECT id, blob, name, kind, line, start, called_params FROM defs ORDER BY id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let blob: i64 = r.get(1)?;
            let Some(&(path, in_header)) = files.get(&blob) else {
                continue;
            };
            let id: i64 = r.get(0)?;
            let name: i64 = r.get(2)?;
            let kind = r.get::<_, i64>(3)? as u8;
            let line: u32 = r.get(4)?;
            let start: u32 = r.get(5)?;
            let cp: u32 = r.get(6)?;
            if let Some(o) = owners.get_mut((id - min_def) as usize) {
                *o = Owner {
                    name: name as u32,
                    kind,
                };
            }
            if let Some(b) = best.get_mut(name as usize) {
                let better = b.kind == NONE
                    || (kind == function && b.kind != function)
                    || (kind == b.kind && !in_header && b.in_header);
                if better {
                    *b = Best {
                        kind,
                        path,
                        line,
                        in_header,
                    };
                }
            }
            if cp != 0 && (kind == function || kind == macro_) {
                *called.entry(name).or_default() |= cp;
                receivers.entry(name).or_default().push(Receiver {
                    def: id,
                    start,
                    called: cp,
                });
            }
        }
    }
    // Names with an upper-case letter, one bit each.
    let mut upper_bits = vec![0u64; usize::try_from(max_name / 64 + 1).unwrap_or(0)];
    {
        let mut st = conn.prepare("SELECT id FROM names WHERE name GLOB '*[A-Z]*'")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
            if let Some(w) = upper_bits.get_mut(id / 64) {
                *w |= 1 << (id % 64);
            }
        }
    }
    let upper = |name: i64| {
        usize::try_from(name)
            .ok()
            .and_then(|i| upper_bits.get(i / 64).map(|w| w & (1 << (i % 64)) != 0))
            .unwrap_or(false)
    };
    let target = |name: i64| {
        best.get(name as usize)
            .filter(|b| b.kind != NONE)
            .map(|b| Target {
                kind: DefKind::from_code(i64::from(b.kind)),
                path: i64::from(b.path),
                line: b.line,
            })
    };
    let mut pending: HashMap<i64, Pending> = HashMap::new();
    {
        let mut st = conn.prepare("SELECT def, name, kind, line, via, arg FROM refs")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let def: i64 = r.get(0)?;
            let Some(o) = owners.get((def - min_def) as usize).copied() else {
                continue;
            };
            if o.kind == NONE {
                continue;
            }
            let name: i64 = r.get(1)?;
            let kind = RefKind::from_code(r.get(2)?);
            let line: u32 = r.get(3)?;
            let via: Option<i64> = r.get(4)?;
            let arg: u8 = r.get(5)?;
            // Passed to a receiver that calls that parameter: a callee of
            // the receiver's definitions, at their first line.
            if kind == RefKind::Arg
                && arg < 32
                && let Some(v) = via
                && let Some(rs) = receivers.get(&v)
            {
                for rc in rs.iter().filter(|rc| rc.called & (1 << arg) != 0) {
                    pending.entry(rc.def).or_default().push(&Call {
                        name,
                        line: rc.start,
                        edge: EdgeIds::PassedTo { via: v, arg },
                        target: target(name),
                        upper: upper(name),
                    });
                }
            }
            if !is_owner(o.kind) {
                continue;
            }
            let edge = match kind {
                RefKind::Call => EdgeIds::Call,
                RefKind::FieldCall => EdgeIds::FieldCall,
                RefKind::Arg => {
                    let v = via.unwrap_or(0);
                    let passed_in = v == i64::from(o.name);
                    let receiver_calls =
                        arg < 32 && called.get(&v).is_some_and(|m| m & (1 << arg) != 0);
                    if !passed_in && !receiver_calls {
                        continue;
                    }
                    EdgeIds::PassedTo { via: v, arg }
                }
                RefKind::Assign => EdgeIds::StoredIn {
                    field: via.unwrap_or(0),
                },
            };
            pending.entry(def).or_default().push(&Call {
                name,
                line,
                edge,
                target: if kind == RefKind::FieldCall {
                    None
                } else {
                    target(name)
                },
                upper: upper(name),
            });
        }
    }
    drop(best);
    let mut rows: Vec<(i64, i64, Vec<u8>)> = pending
        .into_iter()
        .filter_map(|(def, p)| {
            let o = owners.get((def - min_def) as usize)?;
            Some((i64::from(o.name), def, p.finish()))
        })
        .collect();
    drop(owners);
    rows.sort_unstable_by_key(|r| (r.0, r.1));
    let mut ins =
        conn.prepare("INSERT INTO calls(tree, name, def, callees) VALUES (?1, ?2, ?3, ?4)")?;
    for (name, def, bytes) in &rows {
        ins.execute(params![tree, name, def, bytes])?;
    }
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let calls = [
            Call {
                name: 1,
                line: 10,
                edge: EdgeIds::Call,
                target: Some(Target {
                    kind: DefKind::Function,
                    path: 300_000,
                    line: 77,
                }),
                upper: false,
            },
            Call {
                name: 5_000_000,
                line: 3,
                edge: EdgeIds::PassedTo { via: 9, arg: 4 },
                target: Some(Target {
                    kind: DefKind::Variable,
                    path: 1,
                    line: 1,
                }),
                upper: true,
            },
            Call {
                name: 2,
                line: 0,
                edge: EdgeIds::StoredIn { field: 0 },
                target: None,
                upper: false,
            },
            Call {
                name: 3,
                line: 200_000,
                edge: EdgeIds::FieldCall,
                target: None,
                upper: true,
            },
        ];
        let mut b = Vec::new();
        for c in &calls {
            encode(&mut b, c);
        }
        let mut back = Vec::new();
        decode(&b, &mut back);
        assert_eq!(back, calls);
        // A cut list decodes to its whole entries.
        let mut cut = Vec::new();
        decode(&b[..b.len() - 1], &mut cut);
        assert_eq!(cut, calls[..3]);
    }
}
