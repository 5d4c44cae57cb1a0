//! git's first pass: patches whose diff parts are byte-identical are paired
//! before any cost is computed.
//!
//! git puts the old range's patches in its `hashmap` and removes a match for
//! each patch of the new range in turn. When several old patches have the
//! same diff, which one a new patch gets depends on the order of that
//! hashmap's bucket chains: an entry is added at the head of its chain, a
//! lookup takes the first equal entry, and every resize (the table grows
//! fourfold past 80% load and shrinks when a fifth of that is left) re-adds
//! the entries of each chain head first, reversing them. The chains of one
//! diff text are reproduced here, so duplicates pair exactly as in git.

use std::collections::HashMap;

const INITIAL_SIZE: u32 = 64;
const RESIZE_BITS: u32 = 2;
const LOAD_FACTOR: u64 = 80;

struct GitHashmapOrder<'a> {
    chains: HashMap<&'a str, Vec<usize>>,
    size: u32,
    tablesize: u32,
    grow_at: u32,
    shrink_at: u32,
}

impl<'a> GitHashmapOrder<'a> {
    fn new() -> Self {
        let mut m = GitHashmapOrder {
            chains: HashMap::new(),
            size: 0,
            tablesize: 0,
            grow_at: 0,
            shrink_at: 0,
        };
        m.alloc_table(INITIAL_SIZE);
        m
    }

    fn alloc_table(&mut self, size: u32) {
        self.tablesize = size;
        self.grow_at = (u64::from(size) * LOAD_FACTOR / 100) as u32;
        self.shrink_at = if size <= INITIAL_SIZE {
            0
        } else {
            self.grow_at / ((1 << RESIZE_BITS) + 1)
        };
    }

    fn rehash(&mut self, newsize: u32) {
        self.alloc_table(newsize);
        for chain in self.chains.values_mut() {
            chain.reverse();
        }
    }

    /// Adds at the head of the chain (the end of the `Vec`).
    fn add(&mut self, key: &'a str, value: usize) {
        self.chains.entry(key).or_default().push(value);
        self.size += 1;
        if self.size > self.grow_at {
            self.rehash(self.tablesize << RESIZE_BITS);
        }
    }

    /// Removes the first equal entry of the chain.
    fn remove(&mut self, key: &str) -> Option<usize> {
        let v = self.chains.get_mut(key)?.pop()?;
        self.size -= 1;
        if self.size < self.shrink_at {
            self.rehash(self.tablesize >> RESIZE_BITS);
        }
        Some(v)
    }
}

/// Pairs identical diffs: `(a_match, b_match)`, each the index in the other
/// range or `None`.
pub(crate) fn find_exact_matches(
    a: &[&str],
    b: &[&str],
) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let mut map = GitHashmapOrder::new();
    for (i, d) in a.iter().enumerate() {
        map.add(d, i);
    }
    let mut a_match = vec![None; a.len()];
    let mut b_match = vec![None; b.len()];
    for (j, d) in b.iter().enumerate() {
        if let Some(i) = map.remove(d) {
            a_match[i] = Some(j);
            b_match[j] = Some(i);
        }
    }
    (a_match, b_match)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_pair_last_first() {
        let (a, b) = find_exact_matches(&["x", "y", "x"], &["x", "x", "z"]);
        assert_eq!(b, vec![Some(2), Some(0), None]);
        assert_eq!(a, vec![Some(1), None, Some(0)]);
    }

    #[test]
    fn a_resize_reverses_the_chain() {
        // 52 entries grow the table once: the chain of "d" is reversed.
        let mut a: Vec<String> = (0..50).map(|i| format!("u{i}")).collect();
        a.insert(0, "d".into());
        a.push("d".into());
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (_, b) = find_exact_matches(&a, &["d"]);
        assert_eq!(b, vec![Some(0)]);
    }
}
