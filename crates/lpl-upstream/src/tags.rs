//! First release tag containing each commit.
//!
//! Method: release tags (names ending in a version, `v6.10`, `v6.10-rc1`,
//! `liburing-2.8`) are sorted by version, release candidates before the
//! release (`v6.10-rc1 < v6.10-rc7 < v6.10 < v6.10.1 < v6.11-rc1`). Then, in
//! that order, each tag's history is walked, **not descending into commits
//! that an earlier tag already claimed**, and every newly reached commit gets
//! that tag. A commit reachable from an earlier tag is claimed by it (its
//! ancestors too, by induction), so each commit ends with the lowest tag in
//! version order that contains it, and every commit is visited once: the cost
//! is one walk of the whole history (seconds for linux.git with a
//! commit-graph), not one walk per tag. Stable tags (`v6.7.3`, on side
//! branches) fit in: they only claim their own backport commits.
//!
//! Incremental: when the new tags all sort after the ones already processed,
//! only the new tags are walked, hiding the old tags' history.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use crate::Error;

/// A version parsed from a tag name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Numeric components (`6.10.1` -> `[6, 10, 1]`).
    pub numbers: Vec<u64>,
    /// `-rcN`, if a release candidate.
    pub rc: Option<u64>,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // Compare numbers with missing components as 0 (6.10 == 6.10.0), then
        // an rc sorts before the release.
        let n = self.numbers.len().max(other.numbers.len());
        for i in 0..n {
            let a = self.numbers.get(i).copied().unwrap_or(0);
            let b = other.numbers.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match (self.rc, other.rc) {
            (None, None) => self.numbers.len().cmp(&other.numbers.len()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(&b),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Parses the version at the end of a tag name: `[prefix]N(.N)*[-rcN]`, where
/// the prefix ends in a non-digit (`v`, `liburing-`). Names that carry
/// anything else (`next-20240101` has no dot, `v6.10-foo`) are not releases.
pub fn parse_version(tag: &str) -> Option<Version> {
    let (main, rc) = match tag.rsplit_once("-rc") {
        Some((m, r)) if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) => {
            (m, Some(r.parse().ok()?))
        }
        _ => (tag, None),
    };
    let start = main
        .char_indices()
        .find(|(i, c)| c.is_ascii_digit() && (*i == 0 || !main.as_bytes()[i - 1].is_ascii_digit()))
        .map(|(i, _)| i)?;
    let prefix = &main[..start];
    if prefix.len() > 32 || prefix.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let nums = &main[start..];
    if !nums.contains('.') && rc.is_none() {
        return None;
    }
    let numbers: Option<Vec<u64>> = nums.split('.').map(|p| p.parse().ok()).collect();
    let numbers = numbers?;
    Some(Version { numbers, rc })
}

/// Release tags sorted by version: (name, commit). Tags whose names are not
/// versions are left out. If tags with different prefixes exist, the prefix
/// with most tags is kept (e.g. `v` in linux.git).
pub fn release_tags(tags: Vec<(String, gix::ObjectId)>) -> Vec<(String, gix::ObjectId)> {
    let mut parsed: Vec<(Version, String, String, gix::ObjectId)> = tags
        .into_iter()
        .filter_map(|(name, id)| {
            let v = parse_version(&name)?;
            let prefix: String = name.chars().take_while(|c| !c.is_ascii_digit()).collect();
            Some((v, prefix, name, id))
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in &parsed {
        *counts.entry(p.1.as_str()).or_default() += 1;
    }
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(p, _)| (*p).to_owned());
    if let Some(best) = best {
        parsed.retain(|p| p.1 == best);
    }
    parsed.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
    parsed.into_iter().map(|(_, _, n, id)| (n, id)).collect()
}

/// Assigns each commit reachable from `tags` (already in version order) the
/// first tag containing it: returns commit -> index into `tags`.
/// `known` holds assignments from earlier runs (commits not to descend into).
pub fn first_tags(
    repo: &gix::Repository,
    tags: &[(String, gix::ObjectId)],
    start: usize,
    hidden: &[gix::ObjectId],
) -> Result<HashMap<gix::ObjectId, u32>, Error> {
    let claimed: Rc<RefCell<HashMap<gix::ObjectId, u32>>> = Rc::default();
    for (i, (name, tip)) in tags.iter().enumerate().skip(start) {
        if claimed.borrow().contains_key(tip) {
            continue;
        }
        let mut new = Vec::new();
        {
            let seen = Rc::clone(&claimed);
            let walk = repo
                .rev_walk([*tip])
                .with_hidden(hidden.iter().copied())
                .selected(move |id| !seen.borrow().contains_key(id))
                .map_err(|e| Error::git(format!("walking tag {name}"), e))?;
            for info in walk {
                let info = info.map_err(|e| Error::git(format!("walking tag {name}"), e))?;
                new.push(info.id);
            }
        }
        let idx = u32::try_from(i).expect("fewer than 4 billion tags");
        let mut c = claimed.borrow_mut();
        for id in new {
            c.entry(id).or_insert(idx);
        }
    }
    let claimed = Rc::try_unwrap(claimed)
        .map(RefCell::into_inner)
        .unwrap_or_else(|rc| rc.borrow().clone());
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        parse_version(s).expect(s)
    }

    #[test]
    fn version_order() {
        assert!(v("v6.10-rc1") < v("v6.10-rc7"));
        assert!(v("v6.10-rc7") < v("v6.10"));
        assert!(v("v6.10") < v("v6.10.1"));
        assert!(v("v6.10.1") < v("v6.11-rc1"));
        assert!(v("v6.9") < v("v6.10-rc1"));
        assert!(v("liburing-2.8-rc1") < v("liburing-2.8"));
        assert!(v("v2.6.39") < v("v3.0-rc1"));
        assert_eq!(parse_version("next-20240101"), None);
        assert_eq!(parse_version("v6.10-foo"), None);
    }
}
