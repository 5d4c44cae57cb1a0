//! Range-diff: which patch of one revision became which patch of the next,
//! and how each changed, computed exactly as `git range-diff` does, but
//! from the mailed patches instead of commits.
//!
//! The model is git's (`range-diff.c`, `linear-assignment.c`):
//!
//! 1. each patch becomes a [`PatchText`]: ` ## Metadata ##`,
//!    ` ## Commit message ##` and one ` ## path ##` section per file, hunk
//!    headers reduced to `@@ path: function`;
//! 2. patches whose diff parts are identical are paired first;
//! 3. the others are paired by solving a linear assignment whose cost is the
//!    size of a three-line-context diff between two diff parts, and whose
//!    cost of leaving a patch unpaired is its diff size times the creation
//!    factor / 100 (integer division), with git's Jonker-Volgenant solver so
//!    that equal costs are broken as git breaks them;
//! 4. [`entries`] lists the result in git's order (the new revision's order,
//!    an unpaired old patch once all old patches before it are shown) and
//!    [`render`] prints it in git's layout and colours.
//!
//! Only the diff parts decide the pairing, so a reworded commit message or
//! an added `Acked-by:` still pairs, shown as `!` with its diff.

mod assign;
mod exact;
mod mail;
mod render;
mod text;
mod xdiff;

use rayon::prelude::*;
use serde::Serialize;

pub use mail::{MailCommit, Unusable, commit_of};
pub use render::{RenderOptions, Side, render, render_with};
pub use text::{CommitParts, PatchText, am_message};
pub use xdiff::{OuterLine, diff_of_diffs};

/// git's default creation factor (percent).
pub const CREATION_FACTOR_DEFAULT: u32 = 60;

/// git's `COST_MAX`: the cost of a pairing ruled out by an exact match.
const COST_MAX: i64 = 1 << 16;

/// Which patch pairs with which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correspondence {
    /// For each patch of the old range, its partner in the new one.
    pub a_to_b: Vec<Option<usize>>,
    /// For each patch of the new range, its partner in the old one.
    pub b_to_a: Vec<Option<usize>>,
}

/// Pairs the patches of `a` (old) and `b` (new) as `git range-diff
/// --creation-factor=creation_factor` does.
pub fn correspond(a: &[PatchText], b: &[PatchText], creation_factor: u32) -> Correspondence {
    let a_diffs: Vec<&str> = a.iter().map(PatchText::diff).collect();
    let b_diffs: Vec<&str> = b.iter().map(PatchText::diff).collect();
    let (mut a_to_b, mut b_to_a) = exact::find_exact_matches(&a_diffs, &b_diffs);

    let n = a.len() + b.len();
    if n == 0 {
        return Correspondence { a_to_b, b_to_a };
    }
    let factor = i64::from(creation_factor);
    let creation = |p: &PatchText| i64::from(p.diffsize()) * factor / 100;
    let tokens = xdiff::Tokenized::new(a_diffs.iter().chain(&b_diffs).copied());
    // cost[i + n * j]: old patch (column) i to new patch (row) j.
    let mut cost = vec![0i64; n * n];
    let columns: Vec<Vec<i64>> = (0..a.len())
        .into_par_iter()
        .map_init(
            || tokens.scratch(),
            |scratch, i| {
                (0..b.len())
                    .map(|j| {
                        if a_to_b[i] == Some(j) {
                            0
                        } else if a_to_b[i].is_none() && b_to_a[j].is_none() {
                            i64::from(tokens.diffsize(scratch, i, a.len() + j))
                        } else {
                            COST_MAX
                        }
                    })
                    .collect()
            },
        )
        .collect();
    for (i, col) in columns.iter().enumerate() {
        for (j, &c) in col.iter().enumerate() {
            cost[i + n * j] = c;
        }
        let c = if a_to_b[i].is_none() {
            creation(&a[i])
        } else {
            COST_MAX
        };
        for j in b.len()..n {
            cost[i + n * j] = c;
        }
    }
    for (j, p) in b.iter().enumerate() {
        let c = if b_to_a[j].is_none() {
            creation(p)
        } else {
            COST_MAX
        };
        for i in a.len()..n {
            cost[i + n * j] = c;
        }
    }
    // The dummy-to-dummy corner stays 0.
    let a2b = assign::compute_assignment(n, &cost);
    for (i, &j) in a2b.iter().enumerate().take(a.len()) {
        if j >= 0 && (j as usize) < b.len() {
            a_to_b[i] = Some(j as usize);
            b_to_a[j as usize] = Some(i);
        }
    }
    Correspondence { a_to_b, b_to_a }
}

/// git's `diffsize()` of two texts: the hunk headers and lines of their
/// diff with three lines of context and no indent heuristic.
pub fn diffsize(a: &str, b: &str) -> u32 {
    let tokens = xdiff::Tokenized::new([a, b].into_iter());
    tokens.diffsize(&mut tokens.scratch(), 0, 1)
}

/// What happened to a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// `=`: the same text.
    Equal,
    /// `!`: paired, with changes.
    Changed,
    /// `<`: only in the old revision.
    Removed,
    /// `>`: only in the new revision.
    Added,
}

impl Status {
    /// git's one-character marker.
    pub fn marker(self) -> char {
        match self {
            Status::Equal => '=',
            Status::Changed => '!',
            Status::Removed => '<',
            Status::Added => '>',
        }
    }
}

/// One line of a range-diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Index in the old range.
    pub a: Option<usize>,
    /// Index in the new range.
    pub b: Option<usize>,
    /// What happened.
    pub status: Status,
}

/// The pairs in git's output order: the new range's order, with each old
/// patch that has no partner shown once every old patch before it is.
pub fn entries(a: &[PatchText], b: &[PatchText], c: &Correspondence) -> Vec<Entry> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut shown = vec![false; a.len()];
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while i < a.len() && shown[i] {
            i += 1;
        }
        if i < a.len() && c.a_to_b[i].is_none() {
            out.push(Entry {
                a: Some(i),
                b: None,
                status: Status::Removed,
            });
            i += 1;
            continue;
        }
        while j < b.len() && c.b_to_a[j].is_none() {
            out.push(Entry {
                a: None,
                b: Some(j),
                status: Status::Added,
            });
            j += 1;
        }
        if j >= b.len() {
            // Only reachable if the solver left an old patch pointing at a
            // partner that does not point back (git would loop forever).
            if i < a.len() {
                out.push(Entry {
                    a: Some(i),
                    b: None,
                    status: Status::Removed,
                });
                i += 1;
            }
            continue;
        }
        {
            let Some(ai) = c.b_to_a[j] else { continue };
            let status = if a[ai].text() == b[j].text() {
                Status::Equal
            } else {
                Status::Changed
            };
            out.push(Entry {
                a: Some(ai),
                b: Some(j),
                status,
            });
            shown[ai] = true;
            j += 1;
        }
    }
    out
}
