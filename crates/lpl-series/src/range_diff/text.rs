//! The text `git range-diff` compares for each commit, built from a mailed
//! patch instead of from `git log -p` output.
//!
//! git's `read_patches()` turns each commit of a range into a text with a
//! ` ## Metadata ##` section (the `Author:` line), a ` ## Commit message ##`
//! section (every line indented by four spaces, trailing whitespace cut) and
//! one ` ## path ##` section per file, whose hunk headers lose their line
//! numbers and gain the path (`@@ path: function`). Only the part from the
//! first file section on (the *diff part*) decides the pairing; the whole
//! text decides between `=` and `!`.

use lpl_mail::diff::{Diff, FileChange, FileDiff};

/// One commit of a range, as `git range-diff` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchText {
    text: String,
    diff_offset: usize,
    diffsize: u32,
}

/// What a commit made from a mailed patch consists of.
#[derive(Debug, Clone, Copy)]
pub struct CommitParts<'a> {
    /// Author name as `git am` records it.
    pub author_name: &'a str,
    /// Author address.
    pub author_email: &'a str,
    /// The commit message: subject line, blank line, body (see [`am_message`]).
    pub message: &'a str,
    /// The diff of the patch.
    pub diff: &'a Diff,
}

impl PatchText {
    /// Builds the text `git range-diff` would build for the commit that
    /// `git am` makes of this patch.
    pub fn new(parts: &CommitParts<'_>) -> PatchText {
        let mut text = String::with_capacity(parts.diff.text.len() + parts.message.len() + 128);
        text.push_str(" ## Metadata ##\nAuthor: ");
        text.push_str(parts.author_name);
        text.push_str(" <");
        text.push_str(parts.author_email);
        text.push_str(">\n\n ## Commit message ##\n");
        for line in parts.message.lines() {
            // `git log --pretty=medium` indents by four spaces; range-diff
            // then cuts trailing whitespace, indentation included.
            let kept = trim_end_c_space(line);
            if !kept.is_empty() {
                text.push_str("    ");
                text.push_str(kept);
            }
            text.push('\n');
        }
        let mut diff_offset = 0;
        let mut diffsize = 0u32;
        for file in &parts.diff.files {
            text.push('\n');
            if diff_offset == 0 {
                diff_offset = text.len();
            }
            let current = push_file_header(&mut text, file);
            diffsize += 1;
            if file.binary {
                text.push_str(" Binary files ");
                text.push_str(file.old_path.as_deref().unwrap_or("/dev/null"));
                text.push_str(" and ");
                text.push_str(file.new_path.as_deref().unwrap_or("/dev/null"));
                text.push_str(" differ\n");
                diffsize += 1;
            }
            for hunk in &file.hunks {
                let header = hunk_header_line(&parts.diff.text, hunk.body.start);
                push_hunk_header(&mut text, header, current);
                text.push('\n');
                diffsize += 1;
                let body = parts.diff.text.get(hunk.body.clone()).unwrap_or("");
                for line in body.split_inclusive('\n') {
                    let line = line.strip_suffix('\n').unwrap_or(line);
                    match line.as_bytes().first() {
                        Some(b'+') | Some(b'-') => text.push_str(line),
                        Some(b' ') => text.push_str(line),
                        // An empty context line whose space a mailer ate.
                        None => text.push(' '),
                        // `\ No newline at end of file` and anything else.
                        Some(_) => {
                            text.push(' ');
                            text.push_str(line);
                        }
                    }
                    text.push('\n');
                    diffsize += 1;
                }
            }
        }
        PatchText {
            text,
            diff_offset,
            diffsize,
        }
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The diff part (from the first file section on; the whole text when
    /// the commit changes no file, as in git).
    pub fn diff(&self) -> &str {
        &self.text[self.diff_offset..]
    }

    /// Lines of the diff part that count for the creation cost.
    pub fn diffsize(&self) -> u32 {
        self.diffsize
    }
}

/// Appends ` ## name ##` and returns the name hunk headers carry.
fn push_file_header<'f>(text: &mut String, file: &'f FileDiff) -> &'f str {
    let old = file.old_path.as_deref();
    let new = file.new_path.as_deref();
    let name_new = new.or(old).unwrap_or("");
    let name_old = old.or(new).unwrap_or("");
    text.push_str(" ## ");
    match file.change {
        FileChange::Added => {
            text.push_str(name_new);
            text.push_str(" (new)");
        }
        FileChange::Deleted => {
            text.push_str(name_old);
            text.push_str(" (deleted)");
        }
        FileChange::Renamed { .. } => {
            text.push_str(name_old);
            text.push_str(" => ");
            text.push_str(name_new);
        }
        FileChange::Modified | FileChange::Copied { .. } => text.push_str(name_new),
    }
    let added_or_deleted = matches!(file.change, FileChange::Added | FileChange::Deleted);
    if let (Some(om), Some(nm)) = (file.old_mode.as_deref(), file.new_mode.as_deref())
        && om != nm
        && !added_or_deleted
    {
        text.push_str(" (mode change ");
        push_mode(text, om);
        text.push_str(" => ");
        push_mode(text, nm);
        text.push(')');
    }
    text.push_str(" ##\n");
    if file.change == FileChange::Deleted {
        name_old
    } else {
        name_new
    }
}

/// git prints modes with `%06o`.
fn push_mode(text: &mut String, mode: &str) {
    match u32::from_str_radix(mode, 8) {
        Ok(m) => text.push_str(&format!("{m:06o}")),
        Err(_) => text.push_str(mode),
    }
}

/// The `@@ ... @@ context` line that ends right before `body_start`.
fn hunk_header_line(diff: &str, body_start: usize) -> &str {
    let upto = diff.get(..body_start).unwrap_or("");
    let upto = upto.strip_suffix('\n').unwrap_or(upto);
    let start = upto.rfind('\n').map_or(0, |i| i + 1);
    let line = &upto[start..];
    line.strip_suffix('\r').unwrap_or(line)
}

/// `@@ -1,2 +1,3 @@ func` becomes `@@ path: func`; `@@ -1 +1 @@` becomes `@@`.
fn push_hunk_header(text: &mut String, line: &str, current: &str) {
    let Some(after) = line.strip_prefix("@@ ") else {
        text.push(' ');
        text.push_str(line);
        return;
    };
    match after.find("@@") {
        Some(p) => {
            let rest = &after[p + 2..];
            text.push_str("@@");
            if !rest.is_empty() {
                text.push(' ');
                text.push_str(current);
                text.push(':');
            }
            text.push_str(rest);
        }
        None => {
            text.push(' ');
            text.push_str(line);
        }
    }
}

/// C's `isspace` in the C locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn trim_end_c_space(s: &str) -> &str {
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 && is_c_space(b[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

/// The commit message `git am` records: the subject, a blank line and the
/// body, run through `git stripspace` (trailing whitespace cut, runs of
/// blank lines made one, blank lines at both ends dropped).
pub fn am_message(subject: &str, body: &str) -> String {
    let mut out = String::with_capacity(subject.len() + body.len() + 2);
    let mut pending_blank = false;
    let joined = [subject, "", body];
    for part in joined {
        for line in part.split('\n') {
            let line = trim_end_c_space(line);
            if line.is_empty() {
                pending_blank = !out.is_empty();
                continue;
            }
            if pending_blank {
                out.push('\n');
                pending_blank = false;
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(text: &str) -> Diff {
        lpl_mail::diff::parse(text)
    }

    #[test]
    fn sections_and_hunk_headers() {
        let d = diff(
            "diff --git a/src/x.c b/src/x.c\nindex 1..2 100644\n--- a/src/x.c\n+++ b/src/x.c\n@@ -1,3 +1,3 @@ int f(void)\n a\n-b\n+c\n \n@@ -10 +10 @@\n-x\n+y\n\\ No newline at end of file\ndiff --git a/n.txt b/n.txt\nnew file mode 100755\nindex 0000000..1\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+new\n",
        );
        let t = PatchText::new(&CommitParts {
            author_name: "A U Thor",
            author_email: "a@x.org",
            message: "subject\n\nbody  \n",
            diff: &d,
        });
        assert_eq!(
            t.text(),
            " ## Metadata ##\nAuthor: A U Thor <a@x.org>\n\n ## Commit message ##\n    subject\n\n    body\n\n ## src/x.c ##\n@@ src/x.c: int f(void)\n a\n-b\n+c\n \n@@\n-x\n+y\n \\ No newline at end of file\n\n ## n.txt (new) ##\n@@\n+new\n"
        );
        assert!(t.diff().starts_with(" ## src/x.c ##\n"));
        assert_eq!(t.diffsize(), 13);
    }

    #[test]
    fn mode_change_and_rename() {
        let d = diff(
            "diff --git a/a.sh b/a.sh\nold mode 100644\nnew mode 100755\ndiff --git a/o.c b/p.c\nsimilarity index 100%\nrename from o.c\nrename to p.c\n",
        );
        let t = PatchText::new(&CommitParts {
            author_name: "n",
            author_email: "e",
            message: "s\n",
            diff: &d,
        });
        assert!(
            t.diff()
                .starts_with(" ## a.sh (mode change 100644 => 100755) ##\n\n ## o.c => p.c ##\n"),
            "{}",
            t.diff()
        );
    }

    #[test]
    fn am_message_is_stripspaced() {
        assert_eq!(
            am_message("subj  ", "\n\nline 1\n\n\n\nline 2 \t\n\n"),
            "subj\n\nline 1\n\nline 2\n"
        );
        assert_eq!(am_message("subj", ""), "subj\n");
    }
}
