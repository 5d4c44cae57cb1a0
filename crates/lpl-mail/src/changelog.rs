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

/// Messages a cover letter (or a patch's notes) names as earlier versions
/// of itself: lore or msgid.link URLs on a line that speaks of a version
/// (`v1: https://lore.kernel.org/...`, `[2] v1 https://...`, `Link to v4:
/// ...`, `Previous version:` above a list of them). URLs of reports,
/// discussions and other series carry no version word and are left out.
pub fn version_links(body: &str) -> Vec<crate::MessageId> {
    let mut out: Vec<crate::MessageId> = Vec::new();
    let mut previous = "";
    let mut under_heading = false;
    for line in body.lines() {
        if line.starts_with("diff --git ") {
            break;
        }
        let t = line.trim();
        if t.is_empty() {
            under_heading = false;
            continue;
        }
        let lower = t.to_ascii_lowercase();
        // The line names a version, or is a bare link under a line that
        // does (`v3:` then the URL) or under `Previous version:`.
        let versionish = speaks_of_version(&lower)
            || ((under_heading || speaks_of_version(&previous.to_ascii_lowercase()))
                && starts_with_url(t));
        if versionish {
            for url in urls(t) {
                if let Some(id) = crate::url::message_id_from_url(url)
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
        }
        // `Previous version:` / `Previous versions:` heads a list of links.
        if lower.starts_with("previous version") || lower.starts_with("previous posting") {
            under_heading = true;
        }
        previous = t;
    }
    out
}

/// [`version_links`] of a message that may name earlier versions of
/// itself: a cover letter or a lone patch (`0/N` or `1/1`, no counter),
/// never a reply or a later patch of a series. What the chain linker reads
/// and the store keeps.
pub fn message_version_links(m: &crate::Message) -> Vec<crate::MessageId> {
    if !m.tags.is_reply && m.tags.counter.is_none_or(|c| c <= 1) {
        version_links(&m.body)
    } else {
        Vec::new()
    }
}

fn starts_with_url(t: &str) -> bool {
    t.trim_start_matches(['-', '*', ' '])
        .trim_start_matches(|c: char| c == '[' || c.is_ascii_digit() || c == ']')
        .trim_start()
        .starts_with("http")
}

/// Does this (lowercase) line name a version: `v3`, `rfc`, `version`,
/// `changes since`, `link to v`?
fn speaks_of_version(lower: &str) -> bool {
    if lower.contains("rfc") || lower.contains("version") || lower.contains("changes since") {
        return true;
    }
    // `v3` as a word (not inside `dev3` or a URL path `/v3.4/`).
    let b = lower.as_bytes();
    let url_at = lower.find("://").unwrap_or(lower.len());
    (0..url_at).any(|i| {
        b[i] == b'v'
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && b[i + 1..]
                .iter()
                .find(|c| !c.is_ascii_digit())
                .is_none_or(|c| !c.is_ascii_alphabetic() && *c != b'.')
    })
}

/// The URLs of a line (`http://` or `https://`, up to a space or a closing
/// bracket).
fn urls(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("http")
        .map(move |(i, _)| &line[i..])
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .map(|u| {
            let end = u
                .find(|c: char| c.is_whitespace() || matches!(c, '>' | ')' | ']' | '"' | ','))
                .unwrap_or(u.len());
            u[..end].trim_end_matches(['.', ';'])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &str) -> Vec<String> {
        version_links(body)
            .iter()
            .map(|i| i.as_str().to_owned())
            .collect()
    }

    #[test]
    fn version_links_name_earlier_versions_only() {
        // Juri Lelli's v3 cover (cgroups epoch, 2023-05-08), trimmed.
        let body = "This is v3 of an alternative approach (v2 at [4]) to fix the problem.\n\n1 - https://lore.kernel.org/lkml/20230206221428.2125324-1-qyousef@layalina.io/\n2 - RFC https://lore.kernel.org/lkml/20230315121812.206079-1-juri.lelli@redhat.com/\n3 - v1  https://lore.kernel.org/lkml/20230329125558.255239-1-juri.lelli@redhat.com/\n4 - v2  https://lore.kernel.org/lkml/20230503072228.115707-1-juri.lelli@redhat.com/\n";
        assert_eq!(
            ids(body),
            [
                "20230315121812.206079-1-juri.lelli@redhat.com",
                "20230329125558.255239-1-juri.lelli@redhat.com",
                "20230503072228.115707-1-juri.lelli@redhat.com",
            ]
        );
        // Yu Kuai's list under `Previous version:` (2022-05-18).
        let body = "Changes in v2:\n - use a new solution\n\nPrevious version:\nv1 : https://lore.kernel.org/all/20220517134909.2910251-1-yukuai3@huawei.com/\n";
        assert_eq!(ids(body), ["20220517134909.2910251-1-yukuai3@huawei.com"]);
        // b4's `Link to v4:` and a bare list after a heading.
        let body = "- Link to v4: https://patch.msgid.link/20240101-x-v4-0-abc@example.com\n\nPrevious versions:\nhttps://lore.kernel.org/r/a@b\n";
        assert_eq!(ids(body), ["20240101-x-v4-0-abc@example.com", "a@b"]);
        // Reports and discussions are not versions.
        let body = "Reported-by: x\nCloses: https://lore.kernel.org/all/67251dc6.050a0220@google.com/\nSee https://lore.kernel.org/lkml/c@d/ for the discussion.\n";
        assert!(ids(body).is_empty());
    }

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
