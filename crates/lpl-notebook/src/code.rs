//! The roadmap's hand-written call chains: nested bullets of function
//! names under an entry (`- do_madvise [behavior=MADV_DONTNEED]`, then
//! `- madvise_lock` one level deeper ...), found so that the site can link
//! each name to its definition and its history, and `check` can name
//! those no indexed kernel tree defines.

use crate::doc::{NoteKind, Notebook};

/// A function name written as a bullet of a call chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainName {
    /// Index into [`Notebook::entries`].
    pub entry: usize,
    /// Index into the entry's notes.
    pub note: usize,
    /// 1-based line.
    pub line: usize,
    /// The name (`madvise_lock`).
    pub name: String,
}

/// The identifier a call-chain bullet names: the whole text is a C
/// identifier, maybe with `()`, maybe followed by a bracketed remark
/// (`map_page_range_single_batched [.reclaim_pt = true]`).
pub fn bullet_name(text: &str) -> Option<&str> {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let (name, rest) = t.split_at(end);
    let first = name.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let rest = rest.strip_prefix("()").unwrap_or(rest).trim_start();
    let remark = rest.is_empty() || (rest.starts_with('[') && rest.ends_with(']'));
    remark.then_some(name)
}

/// Every name of the notebook's call chains, in file order: bullets that
/// name an identifier and sit in a chain (the bullet right above one level
/// up, or the one right below one level down, names one too), so that a
/// lone word in a list is not taken for a function.
pub fn chain_names(nb: &Notebook) -> Vec<ChainName> {
    let mut out = Vec::new();
    for (i, e) in nb.entries().iter().enumerate() {
        let named: Vec<Option<&str>> = e
            .notes
            .iter()
            .map(|n| {
                (n.kind == NoteKind::Item && n.checkbox.is_none())
                    .then(|| bullet_name(&n.text))
                    .flatten()
            })
            .collect();
        // The parent of each note: the nearest note above it one level up.
        let items: Vec<(usize, usize)> = e
            .notes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NoteKind::Item)
            .map(|(k, n)| (k, n.depth))
            .collect();
        let mut in_chain = vec![false; e.notes.len()];
        for (pos, &(k, depth)) in items.iter().enumerate() {
            if named[k].is_none() {
                continue;
            }
            let parent = items[..pos]
                .iter()
                .rev()
                .find(|&&(_, d)| d < depth)
                .filter(|&&(_, d)| d + 1 == depth)
                .map(|&(p, _)| p);
            if let Some(p) = parent
                && named[p].is_some()
            {
                in_chain[k] = true;
                in_chain[p] = true;
            }
        }
        for (k, n) in e.notes.iter().enumerate() {
            if let (true, Some(name)) = (in_chain[k], named[k]) {
                out.push(ChainName {
                    entry: i,
                    note: k,
                    line: n.lines.start + 1,
                    name: name.to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullet_names() {
        assert_eq!(bullet_name("do_madvise"), Some("do_madvise"));
        assert_eq!(bullet_name("zap_pte_range()"), Some("zap_pte_range"));
        assert_eq!(
            bullet_name("map_page_range_single_batched [.reclaim_pt = true]"),
            Some("map_page_range_single_batched")
        );
        assert_eq!(bullet_name("mm: use per_vma lock"), None);
        assert_eq!(bullet_name("2 things"), None);
        assert_eq!(bullet_name(""), None);
    }

    #[test]
    fn only_chains_count() {
        let src = "## madvise\n\n\
- 2025-06-07 [\\[PATCH v4\\] mm: use per_vma lock - Barry Song](https://lore.kernel.org/all/20250607220150.2980-1-21cnbao@gmail.com/)\n\n  \
- mm: madvise: use walk_page_range_vma()\n\n    \
- do_madvise [behavior=MADV_DONTNEED]\n\n      \
- madvise_lock\n\n        \
- lock_vma_under_rcu\n  \
- selftests\n";
        let nb = Notebook::parse(src);
        let names: Vec<(usize, String)> = chain_names(&nb)
            .into_iter()
            .map(|c| (c.line, c.name))
            .collect();
        assert_eq!(
            names,
            [
                (7, "do_madvise".to_owned()),
                (9, "madvise_lock".to_owned()),
                (11, "lock_vma_under_rcu".to_owned())
            ]
        );
    }
}
