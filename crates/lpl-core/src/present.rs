//! Presentation data shared by the terminal and web front ends: what each
//! line of a mail body is (quote, diff, trailer, signature), so that both
//! colour and fold the same lines. Plain data: no styles, no escaping.

use serde::Serialize;

/// What one line of a mail body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LineKind {
    /// Ordinary text.
    Plain,
    /// Quoted text (`> ...`), with its depth (number of `>`).
    Quote(u8),
    /// A diff's file header (`diff --git`, `index`, `---`, `+++`, modes).
    DiffFile,
    /// A hunk header (`@@ -1,2 +1,3 @@ fn`).
    DiffHunk,
    /// An added line.
    DiffAdd,
    /// A removed line.
    DiffRemove,
    /// A context line inside a hunk.
    DiffContext,
    /// A trailer (`Reviewed-by: ...`) outside a diff.
    Trailer,
    /// The signature, from `-- ` on.
    Signature,
}

/// Quote depth of a line: the number of `>` at its start (spaces between
/// them allowed, as mailers write `> > text`).
fn quote_depth(line: &str) -> u8 {
    let mut depth = 0u8;
    for b in line.bytes() {
        match b {
            b'>' => depth = depth.saturating_add(1),
            b' ' if depth > 0 => {}
            _ => break,
        }
    }
    depth
}

fn is_trailer(line: &str) -> bool {
    let Some((key, value)) = line.split_once(": ") else {
        return false;
    };
    !value.trim().is_empty()
        && key.len() <= 40
        && key.contains('-')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && key.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
}

/// Classifies every line of `text` (a body, a commit message, a diff), in
/// order. A diff starts at `diff --git` (or a `--- `/`+++ ` pair) and its
/// hunks are counted, so a removed line `-- ` inside a hunk is not taken
/// for a signature.
pub fn classify(text: &str) -> Vec<(LineKind, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    // Lines left in the current hunk: (old, new).
    let mut hunk: Option<(u64, u64)> = None;
    let mut in_diff = false;
    let mut in_sig = false;
    for (i, line) in lines.iter().enumerate() {
        let line = *line;
        if let Some((old, new)) = hunk {
            let (o, n) = match line.as_bytes().first() {
                Some(b'+') => (0, 1),
                Some(b'-') => (1, 0),
                Some(b' ') | None => (1, 1),
                Some(b'\\') => (0, 0),
                _ => (old + 1, new + 1), // not a hunk line: the hunk ended early
            };
            if o <= old && n <= new && (o, n) != (old + 1, new + 1) {
                let kind = match line.as_bytes().first() {
                    Some(b'+') => LineKind::DiffAdd,
                    Some(b'-') => LineKind::DiffRemove,
                    _ => LineKind::DiffContext,
                };
                out.push((kind, line));
                let left = (old - o, new - n);
                hunk = if left == (0, 0) { None } else { Some(left) };
                continue;
            }
            hunk = None;
        }
        if line.starts_with("@@ ")
            && let Some(counts) = hunk_counts(line)
        {
            in_diff = true;
            hunk = Some(counts);
            out.push((LineKind::DiffHunk, line));
            continue;
        }
        let next = lines.get(i + 1).copied().unwrap_or("");
        if line.starts_with("diff --git ")
            || (line.starts_with("--- ") && next.starts_with("+++ "))
            || (in_diff && line.starts_with("+++ "))
        {
            in_diff = true;
            in_sig = false;
            out.push((LineKind::DiffFile, line));
            continue;
        }
        if in_diff
            && [
                "index ",
                "new file mode",
                "deleted file mode",
                "old mode",
                "new mode",
                "similarity index",
                "rename from",
                "rename to",
                "copy from",
                "copy to",
                "Binary files",
            ]
            .iter()
            .any(|p| line.starts_with(p))
        {
            out.push((LineKind::DiffFile, line));
            continue;
        }
        if line == "-- " {
            in_sig = true;
            in_diff = false;
        }
        let kind = if in_sig {
            LineKind::Signature
        } else {
            match quote_depth(line) {
                0 if is_trailer(line) => LineKind::Trailer,
                0 => LineKind::Plain,
                d => LineKind::Quote(d),
            }
        };
        out.push((kind, line));
    }
    out
}

/// The old and new line counts of a hunk header `@@ -a,b +c,d @@`.
fn hunk_counts(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let count = |r: &str| -> Option<u64> {
        match r.split_once(',') {
            Some((_, n)) => n.parse().ok(),
            None => r.parse::<u64>().ok().map(|_| 1),
        }
    };
    Some((count(old)?, count(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineKind::*;

    #[test]
    fn a_reply_with_quotes_trailers_and_signature() {
        let body = "On Mon, A wrote:\n> text\n> > older\n\nReviewed-by: B <b@x>\n-- \nsig\n";
        let kinds: Vec<LineKind> = classify(body).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            vec![
                Plain,
                Quote(1),
                Quote(2),
                Plain,
                Trailer,
                Signature,
                Signature
            ]
        );
    }

    #[test]
    fn a_removed_signature_line_inside_a_hunk_is_diff() {
        let d = "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n-- \n x\n-- \nsig\n";
        let kinds: Vec<LineKind> = classify(d).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            vec![
                DiffFile,
                DiffFile,
                DiffFile,
                DiffFile,
                DiffHunk,
                DiffRemove,
                DiffContext,
                Signature,
                Signature
            ]
        );
    }

    #[test]
    fn hunk_counts_without_commas() {
        assert_eq!(hunk_counts("@@ -1 +1 @@"), Some((1, 1)));
        assert_eq!(hunk_counts("@@ -0,0 +1,3 @@ f"), Some((0, 3)));
        assert_eq!(hunk_counts("@@ nonsense"), None);
    }
}
