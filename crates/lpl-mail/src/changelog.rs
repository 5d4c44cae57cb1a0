//! The changelog of a cover letter: the "Changes in v5:", "v4 -> v5:",
//! "Changelog / Since v4" section authors write between revisions.

/// Is `line` the heading of a changelog section?
fn is_heading(line: &str) -> bool {
    let l = line
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase();
    if l.is_empty() || l.len() > 60 {
        return false;
    }
    let l = l
        .trim_start_matches(['-', '=', '*', '#', ' '])
        .trim_start_matches("rfc ")
        .trim();
    if l.starts_with("changelog")
        || l.starts_with("change log")
        || l.starts_with("changes")
        || l.starts_with("revision history")
        || l.starts_with("version history")
        || l.starts_with("since v")
        || l.starts_with("history")
    {
        return true;
    }
    // `v5`, `v4 -> v5`, `v4->v5`, `v3 vs v4`, `v2 changes`, `V2:`.
    let Some(rest) = l.strip_prefix('v') else {
        return false;
    };
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return false;
    }
    let after = rest[digits..].trim();
    after.is_empty()
        || line.trim_end().ends_with(':')
        || after.starts_with("->")
        || after.starts_with('→')
        || after.starts_with("- v")
        || after.starts_with("vs")
        || after.starts_with("to v")
        || after.starts_with("changes")
        || after.starts_with(':')
}

/// Is `line` where the cover letter moves on to something else?
fn ends_section(line: &str, next: Option<&str>) -> bool {
    let t = line.trim_end();
    // Shortlog: `Zi Yan (8):`.
    if !t.starts_with(char::is_whitespace)
        && t.ends_with("):")
        && t.rfind('(')
            .is_some_and(|p| t[p + 1..t.len() - 2].bytes().all(|b| b.is_ascii_digit()))
    {
        return true;
    }
    // Diffstat.
    if t.starts_with(' ') && (t.contains(" | ") || t.contains(" changed,")) {
        return true;
    }
    if t.starts_with("base-commit:") || t == "--" || line == "-- " || t.starts_with("[1] ") {
        return true;
    }
    // Another heading, underlined with `===`, that is not about changes.
    if let Some(n) = next {
        let n = n.trim();
        if n.len() >= 3 && n.bytes().all(|b| b == b'=') && !is_heading(t) {
            return true;
        }
    }
    false
}

/// The changelog section of a cover letter (or of a patch's notes), if it
/// has one: from the first changelog heading to the shortlog, diffstat,
/// `base-commit:`, reference list or next unrelated heading.
pub fn extract(body: &str) -> Option<String> {
    let lines: Vec<&str> = body.lines().collect();
    let start = lines.iter().position(|l| is_heading(l))?;
    let mut end = lines.len();
    for i in start + 1..lines.len() {
        if ends_section(lines[i], lines.get(i + 1).copied()) {
            end = i;
            break;
        }
    }
    let mut section: Vec<&str> = lines[start..end].to_vec();
    while section
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.trim() == "---")
    {
        section.pop();
    }
    // A heading alone says nothing.
    if section.len() < 2 {
        return None;
    }
    Some(section.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b4_style() {
        let body = "Intro.\n\nChanges in v5:\n- fixed a thing\n- Link to v4: https://x\n\n---\nA U Thor (2):\n  a\n  b\n\n mm/x.c | 2 +-\n";
        assert_eq!(
            extract(body).as_deref(),
            Some("Changes in v5:\n- fixed a thing\n- Link to v4: https://x")
        );
    }

    #[test]
    fn underlined_sections_until_the_next_heading() {
        let body = "Hi,\n\nChangelog\n===\n\nSince v4[4]\n1. a\n\nSince v3\n---\n1. b\n\nDetails\n===\n\n* Patch 1\n";
        assert_eq!(
            extract(body).as_deref(),
            Some("Changelog\n===\n\nSince v4[4]\n1. a\n\nSince v3\n---\n1. b")
        );
    }

    #[test]
    fn version_arrows() {
        assert!(is_heading("v4 -> v5:"));
        assert!(is_heading("v5:"));
        assert!(is_heading("RFC v2 -> v3"));
        assert!(!is_heading(
            "v2 of this series fixes the race that was reported"
        ));
        assert!(!is_heading("Hi all,"));
        assert_eq!(extract("no changes here\n"), None);
    }
}
