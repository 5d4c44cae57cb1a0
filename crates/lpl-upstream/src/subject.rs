//! Subject normalisation for matching a mailed patch to the commit it became.
//!
//! Maintainers edit subjects when applying: they add or change the subsystem
//! prefix (`mm: `, `mm/thp:` vs `mm: thp:`), drop a trailing dot, fix
//! capitalisation or spacing. [`normalise`] removes the mail tags and the
//! cosmetic differences; [`core`] also drops the leading `prefix:` words, so
//! that `mm/thp: fix foo` and `thp: fix foo.` both become `fix foo`.

/// Lowercased subject without `Re:`/`[PATCH ...]` tags, with whitespace
/// collapsed and trailing dots removed.
pub fn normalise(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix('[')
            && let Some(end) = rest.find(']')
        {
            s = rest[end + 1..].trim_start();
        }
        for p in ["Re:", "RE:", "re:", "Fwd:", "FW:", "Aw:", "AW:"] {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim_start();
            }
        }
        if s == before {
            break;
        }
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    while out.ends_with('.') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The normalised subject without its leading `prefix:` words (a word ending
/// in `:` made of letters, digits and `/_-.,+*{}` and not the whole subject).
pub fn core(subject: &str) -> String {
    let n = normalise(subject);
    let mut rest = n.as_str();
    while let Some((head, tail)) = rest.split_once(": ") {
        let is_prefix = !head.is_empty()
            && head.len() <= 40
            && head
                .chars()
                .all(|c| c.is_alphanumeric() || "/_-.,+*{}() ".contains(c))
            && head.split(' ').count() <= 3
            && !tail.trim().is_empty();
        if !is_prefix {
            break;
        }
        rest = tail.trim_start();
    }
    rest.to_owned()
}

/// Words of a subject core, for the similarity score.
pub fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.len() > 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintainer_edits() {
        assert_eq!(core("[PATCH v3 2/5] mm/thp: Fix the foo."), "fix the foo");
        assert_eq!(core("mm: thp: fix the foo"), "fix the foo");
        assert_eq!(core("thp: fix  the foo"), "fix the foo");
        assert_eq!(core("fix the foo"), "fix the foo");
        assert_eq!(
            normalise("[PATCH liburing 6/6] tests: add mock file based tests"),
            "tests: add mock file based tests"
        );
        assert_eq!(core("io_uring/rw: don't: do this"), "don't: do this");
    }
}
