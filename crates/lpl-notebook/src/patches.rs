//! Per-patch notes: which of an entry's bullets is about which patch.
//!
//! Learners write a patch's note in two ways: with its tags
//! (`[PATCHv12 29/37] thp: implement split_huge_pmd() ...`, known at parse
//! time as [`crate::Note::patch`]), or as the patch's title
//! (`- mm: track mapcount of large folios in single value`), with or without
//! the subsystem prefix. The second needs the patches' subjects, which only
//! the archive knows: [`patch_notes`] matches them.

use crate::archive::PatchView;
use crate::doc::{Entry, NoteKind, Notebook};
use crate::inline;

/// Lowercase, tags and marks removed, blanks collapsed, code ticks dropped.
fn norm(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    let s = s
        .trim_start_matches(|c: char| {
            c == crate::doc::READ_MARK.chars().next().unwrap_or('✅')
                || c == crate::doc::READING_MARK.chars().next().unwrap_or('📖')
                || c == crate::doc::NOT_MERGED_MARK.chars().next().unwrap_or('🚧')
                || c == '\u{FE0F}'
                || c.is_whitespace()
        })
        .to_owned();
    let rest = inline::subject_tags(&s).rest;
    rest.replace('`', "")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The subject without its subsystem prefixes (`mm: madvise: use x` ->
/// `use x`): prefixes are the leading `word:` groups without blanks.
fn without_prefix(s: &str) -> &str {
    let mut rest = s;
    while let Some((head, tail)) = rest.split_once(": ") {
        if head.is_empty() || head.contains(' ') || head.len() > 40 {
            break;
        }
        rest = tail;
    }
    rest
}

/// Whether `have` (normalised) starts with `want` at a word boundary.
fn starts_with_word(have: &str, want: &str) -> bool {
    have.strip_prefix(want).is_some_and(|rest| {
        rest.is_empty()
            || !rest
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether a note's text (its first line) names the patch with `subject`:
/// the subject, tags stripped, opens the note, with or without its
/// subsystem prefix (the rest must then be long enough to be telling).
pub fn note_names_subject(note: &str, subject: &str) -> bool {
    let have = norm(note);
    let want = norm(subject);
    if want.is_empty() || have.is_empty() {
        return false;
    }
    if starts_with_word(&have, &want) {
        return true;
    }
    let bare = without_prefix(&want);
    bare.len() != want.len()
        && bare.chars().count() >= 12
        && (starts_with_word(&have, bare) || starts_with_word(without_prefix(&have), bare))
}

/// Whether a bullet looks like a patch title (`thp: support file pages in
/// zap_huge_pmd()`, `mm,thp,rmap: simplify ...`): a blank-free lowercase
/// prefix and a colon. Used to see which style a notebook writes per-patch
/// notes in, without the archive.
pub fn looks_like_title(note: &str) -> bool {
    let t = norm(note);
    match t.split_once(": ") {
        Some((head, tail)) => {
            !head.is_empty()
                && head.len() <= 40
                && head
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-/,.".contains(c))
                && tail.split_whitespace().count() >= 2
                && !t.contains("://")
        }
        None => false,
    }
}

/// For each depth-1 item of `entry` that is about a patch of `patches`: the
/// note's index in [`Entry::notes`] and the patch counter. By its tags
/// first, else by its title.
pub fn patch_notes(entry: &Entry, patches: &[PatchView]) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    for (k, n) in entry.notes.iter().enumerate() {
        if n.depth != 1 || n.kind != NoteKind::Item || n.checkbox.is_some() {
            continue;
        }
        if let Some(c) = n.patch {
            out.push((k, c));
            continue;
        }
        if let Some(p) = patches
            .iter()
            .filter(|p| p.counter > 0)
            .find(|p| note_names_subject(&n.text, &p.subject))
        {
            out.push((k, p.counter));
        }
    }
    out
}

/// The note of `entry` about patch `counter` (tags, or title `subject`).
pub fn find_patch_note(entry: &Entry, counter: u32, subject: Option<&str>) -> Option<usize> {
    entry.notes.iter().position(|n| {
        n.depth == 1
            && n.kind == NoteKind::Item
            && n.checkbox.is_none()
            && (n.patch == Some(counter)
                || (n.patch.is_none() && subject.is_some_and(|s| note_names_subject(&n.text, s))))
    })
}

/// How per-patch notes are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchStyle {
    /// `[PATCHv12 29/37] thp: implement split_huge_pmd()`.
    Tags,
    /// `thp: implement split_huge_pmd()`.
    Title,
}

/// The style the entry uses for its per-patch notes, else the one the
/// notebook uses most, else titles.
pub fn patch_style(nb: &Notebook, entry: usize) -> PatchStyle {
    let count = |e: &Entry| {
        e.notes
            .iter()
            .filter(|n| n.depth == 1 && n.kind == NoteKind::Item)
            .fold((0usize, 0usize), |(t, ti), n| {
                if n.patch.is_some() {
                    (t + 1, ti)
                } else if looks_like_title(&n.text) {
                    (t, ti + 1)
                } else {
                    (t, ti)
                }
            })
    };
    let (t, ti) = count(&nb.entries()[entry]);
    let (t, ti) = if t + ti > 0 {
        (t, ti)
    } else {
        nb.entries()
            .iter()
            .map(count)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    if t > ti {
        PatchStyle::Tags
    } else {
        PatchStyle::Title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_with_and_without_tags_and_prefix() {
        let s = "[PATCH v1 04/18] mm: track mapcount of large folios in single value";
        for n in [
            "mm: track mapcount of large folios in single value",
            "[PATCH v1 04/18] mm: track mapcount of large folios in single value",
            "✅ mm: track mapcount of large folios in single value",
            "track mapcount of large folios in single value",
            "MM: Track mapcount of large folios in single value (and why)",
            "mm: track mapcount of large folios in single value 新的方案",
        ] {
            assert!(note_names_subject(n, s), "{n}");
        }
        for n in [
            "mm: track mapcount",
            "mm: track mapcount of large folios in single values",
            "see mm: track mapcount of large folios in single value",
        ] {
            assert!(!note_names_subject(n, s), "{n}");
        }
        assert!(note_names_subject(
            "use walk_page_range_vma() instead of walk_page_range()",
            "mm: madvise: use walk_page_range_vma() instead of walk_page_range()"
        ));
        assert!(looks_like_title(
            "thp: support file pages in zap_huge_pmd()"
        ));
        assert!(looks_like_title(
            "mm,thp,rmap: simplify compound page mapcount handling"
        ));
        assert!(!looks_like_title("v33 https://lore.kernel.org/all/x@y/"));
        assert!(!looks_like_title("支持 anon THP"));
    }
}
