//! Edits: pure functions from a parsed notebook to new bytes plus the exact
//! lines changed. Nothing outside those lines moves; the file's line ending
//! (LF or CRLF) and a missing final newline are kept.
//!
//! Progress marks are the learner's own: `📖` (U+1F4D6) for being read,
//! `✅` (U+2705) for read, written between the date and the
//! link (`- 2024-02-26 ✅ [\[PATCH v5 0/8\] ...](...)`), as the task box of
//! an entry written as a task (`- [x] ...`), or at the start of a
//! per-patch bullet (`  - ✅ mm: track mapcount ...`).

use std::fmt;

use crate::doc::{
    Date, Eol, NOT_MERGED_MARK, Notebook, Progress, READ_MARK, READING_MARK, TopicKind,
};
use crate::inline;
use crate::lore::MessageId;
use crate::patches::{self, PatchStyle};
use crate::select;

/// One changed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A line inserted; `line` is its 1-based number in the new file.
    Inserted {
        /// 1-based line in the new file.
        line: usize,
        /// Its text.
        text: String,
    },
    /// A line rewritten in place (same number in old and new file).
    Replaced {
        /// 1-based line.
        line: usize,
        /// The text before.
        old: String,
        /// The text after.
        new: String,
    },
}

/// The result of an edit: the new file and what changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The whole new file.
    pub bytes: Vec<u8>,
    /// The lines changed, in order.
    pub changes: Vec<Change>,
}

impl fmt::Display for Edit {
    /// A short diff: `+ 12: text` for inserted lines, `- 7: old` / `+ 7: new`
    /// for rewritten ones.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            match c {
                Change::Inserted { line, text } => writeln!(f, "+ {line}: {text}")?,
                Change::Replaced { line, old, new } => {
                    writeln!(f, "- {line}: {old}")?;
                    writeln!(f, "+ {line}: {new}")?;
                }
            }
        }
        Ok(())
    }
}

/// Why an edit was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EditError {
    /// The topic does not exist (and creating it was not asked for).
    #[error("no topic {0:?} (ask to create it)")]
    TopicNotFound(String),
    /// The series is already in that topic.
    #[error("already in this topic, line {line}")]
    AlreadyPresent {
        /// 1-based line of the existing entry.
        line: usize,
    },
    /// The question is already answered.
    #[error("question on line {line} is already answered")]
    AlreadyAnswered {
        /// 1-based line.
        line: usize,
    },
    /// The entry already has that status.
    #[error("entry on line {line} already has that status")]
    Unchanged {
        /// 1-based line.
        line: usize,
    },
    /// Empty text for a note or question.
    #[error("empty text")]
    EmptyText,
    /// The place to insert is inside a code block left open (a fence
    /// without its closing fence): the new line would be code.
    #[error("line {line} is inside an unclosed code block; close it first")]
    InsideCode {
        /// 1-based line of the insertion point.
        line: usize,
    },
    /// A name selected nothing or several things.
    #[error(transparent)]
    Select(#[from] select::SelectError),
    /// The edited line would no longer read as the same entry (marks that
    /// are not progress marks beside its task box, say): refused rather
    /// than lose the entry.
    #[error(
        "line {line}: after this edit the line would no longer read as the entry; edit it by hand"
    )]
    WouldLoseEntry {
        /// 1-based line.
        line: usize,
    },
}

/// A series to add as an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// Date of the series (cover letter).
    pub date: Option<Date>,
    /// Subject, tags included (`[PATCH v5 0/8] Split a folio ...`).
    pub subject: String,
    /// Author name.
    pub author: Option<String>,
    /// The lore URL to link.
    pub url: String,
    /// Its Message-ID (to refuse duplicates).
    pub message_id: Option<MessageId>,
    /// Progress mark to write.
    pub status: Progress,
    /// Mark it 🚧, not merged yet (the learner's mark, written between the
    /// date and the progress mark: `- 2017-05-15 🚧 [...](...)`).
    pub not_merged: bool,
}

impl NewEntry {
    /// The entry for a series from the archive, linking
    /// `https://lore.kernel.org/<list>/<msgid>/` (`all` without a list).
    pub fn from_series(
        s: &crate::archive::SeriesView,
        list: Option<&str>,
        status: Progress,
    ) -> NewEntry {
        NewEntry {
            date: s.date.map(Date::from_unix),
            subject: s.title.clone(),
            author: Some(s.author.clone()).filter(|a| !a.trim().is_empty()),
            url: crate::lore::lore_url(list, &s.message_id),
            message_id: Some(s.message_id.clone()),
            status,
            not_merged: false,
        }
    }
}

/// Where [`add_entry`] puts the entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddOptions {
    /// Topic title (heading or label).
    pub topic: String,
    /// Create the topic (as a heading at the end of the file) if missing.
    pub create_topic: bool,
}

fn progress_mark(p: Progress) -> Option<&'static str> {
    match p {
        Progress::Reading => Some(READING_MARK),
        Progress::Read => Some(READ_MARK),
        Progress::Unread => None,
    }
}

/// Where a note goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteTarget {
    /// Under the entry itself.
    Entry,
    /// Under the per-patch note for patch `counter`: the bullet with its
    /// tags, or the one written as its title (`subject`, from the
    /// archive). Created when missing, in the style the entry (else the
    /// notebook) already uses: the title, or the tags (`[PATCHv12 29/37]`
    /// from the entry's subject) followed by the title when known.
    Patch {
        /// The patch counter.
        counter: u32,
        /// The patch's subject as sent (`[PATCH v1 04/18] mm: track ...`).
        subject: Option<String>,
    },
}

fn line_str(nb: &Notebook, i: usize) -> String {
    nb.line_text(i).into_owned()
}

/// Inserts `new` before line `at`, unless that is inside an open fence.
fn insert_checked(nb: &Notebook, at: usize, new: &[String]) -> Result<Edit, EditError> {
    if nb.inside_code_at(at) {
        return Err(EditError::InsideCode { line: at + 1 });
    }
    Ok(insert_lines(nb, at, new))
}

/// Inserts `new` before line `at` (0-based; `lines().len()` appends).
fn insert_lines(nb: &Notebook, at: usize, new: &[String]) -> Edit {
    let src = nb.as_bytes();
    let eol = nb.eol();
    let lines = nb.lines();
    let mut bytes = Vec::with_capacity(src.len() + 256);
    if at < lines.len() {
        let off = lines[at].span.start;
        bytes.extend_from_slice(&src[..off]);
        for l in new {
            bytes.extend_from_slice(l.as_bytes());
            bytes.extend_from_slice(eol.as_bytes());
        }
        bytes.extend_from_slice(&src[off..]);
    } else {
        bytes.extend_from_slice(src);
        let unterminated = lines.last().is_some_and(|l| l.eol == Eol::None);
        if unterminated {
            // Keep the file's missing final newline: the new lines go after
            // a newline added to the old last line, and the last new line is
            // left unterminated.
            for l in new {
                bytes.extend_from_slice(eol.as_bytes());
                bytes.extend_from_slice(l.as_bytes());
            }
        } else {
            for l in new {
                bytes.extend_from_slice(l.as_bytes());
                bytes.extend_from_slice(eol.as_bytes());
            }
        }
    }
    let at = at.min(lines.len());
    Edit {
        bytes,
        changes: new
            .iter()
            .enumerate()
            .map(|(k, t)| Change::Inserted {
                line: at + k + 1,
                text: t.clone(),
            })
            .collect(),
    }
}

fn item_lines(indent: usize, text: &str) -> Result<Vec<String>, EditError> {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return Err(EditError::EmptyText);
    }
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    for (k, l) in text.lines().enumerate() {
        if k == 0 {
            out.push(format!("{pad}- {}", l.trim()));
        } else {
            out.push(format!("{pad}  {}", l.trim()));
        }
    }
    Ok(out)
}

/// Adds a note under entry `entry` (index into [`Notebook::entries`]).
pub fn add_note(
    nb: &Notebook,
    entry: usize,
    target: &NoteTarget,
    text: &str,
) -> Result<Edit, EditError> {
    let e = &nb.entries()[entry];
    match target {
        NoteTarget::Entry => {
            let lines = item_lines(e.content_indent, text)?;
            insert_checked(nb, e.lines.end, &lines)
        }
        NoteTarget::Patch { counter, subject } => {
            if let Some(k) = patches::find_patch_note(e, *counter, subject.as_deref()) {
                let n = &e.notes[k];
                let lines = item_lines(n.content_indent, text)?;
                return insert_checked(nb, n.subtree.end, &lines);
            }
            let title = patch_title(nb, entry, *counter, subject.as_deref());
            let mut lines = item_lines(e.content_indent, &title)?;
            lines.extend(item_lines(e.content_indent + 2, text)?);
            insert_checked(nb, patch_insertion_line(e, *counter), &lines)
        }
    }
}

/// Adds a nested bullet list (`- a` / `  - b` ..., as `lpl code tree`
/// prints a call tree) under entry `entry`, at the end of its notes: each
/// line keeps its indentation relative to the first, which sits where the
/// entry's notes do.
pub fn add_list(nb: &Notebook, entry: usize, list: &str) -> Result<Edit, EditError> {
    let e = &nb.entries()[entry];
    let lines: Vec<&str> = list.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(first) = lines.first() else {
        return Err(EditError::EmptyText);
    };
    let base = first.len() - first.trim_start().len();
    let pad = " ".repeat(e.content_indent);
    let new: Vec<String> = lines
        .iter()
        .map(|l| {
            let indent = (l.len() - l.trim_start().len()).saturating_sub(base);
            format!("{pad}{}{}", " ".repeat(indent), l.trim())
        })
        .collect();
    insert_checked(nb, e.lines.end, &new)
}

/// Where a new per-patch bullet for `counter` goes: before the first tagged
/// one with a higher counter (keeping counter order), else at the end.
fn patch_insertion_line(e: &crate::doc::Entry, counter: u32) -> usize {
    e.notes
        .iter()
        .find(|n| n.depth == 1 && n.patch.is_some_and(|p| p > counter))
        .map_or(e.lines.end, |n| n.lines.start)
}

/// A new per-patch bullet's text, in the entry's (or notebook's) style.
fn patch_title(nb: &Notebook, entry: usize, counter: u32, subject: Option<&str>) -> String {
    let e = &nb.entries()[entry];
    let rest = subject
        .map(|s| crate::inline::subject_tags(s).rest)
        .filter(|r| !r.is_empty());
    match (patches::patch_style(nb, entry), rest) {
        (PatchStyle::Title, Some(r)) => r,
        (PatchStyle::Tags, Some(r)) => format!("{} {r}", patch_label(&e.subject, counter)),
        (_, None) => patch_label(&e.subject, counter),
    }
}

/// `[PATCHv12 00/37] x` and 29 give `[PATCHv12 29/37]`, in the user's style.
fn patch_label(subject: &str, counter: u32) -> String {
    if let Some(inner) = subject.strip_prefix('[').and_then(|s| s.split(']').next()) {
        let toks: Vec<String> = inner
            .split_whitespace()
            .map(|t| match t.split_once('/') {
                Some((a, b)) if a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok() => {
                    format!("{:0w$}/{b}", counter, w = a.len())
                }
                _ => t.to_owned(),
            })
            .collect();
        if toks.iter().any(|t| t.contains('/')) {
            return format!("[{}]", toks.join(" "));
        }
    }
    format!("[PATCH {counter}]")
}

/// Adds an open question (`- [ ] text`) under entry `entry`.
pub fn ask(nb: &Notebook, entry: usize, text: &str) -> Result<Edit, EditError> {
    if text.trim().is_empty() {
        return Err(EditError::EmptyText);
    }
    add_note(
        nb,
        entry,
        &NoteTarget::Entry,
        &format!("[ ] {}", text.trim()),
    )
}

/// Marks question `question` answered (`[ ]` becomes `[x]`) and, with
/// `text`, writes the answer under it as a nested bullet (after anything
/// already nested there), as the learner writes notes. An answered
/// question takes more answer text; without text it is refused.
pub fn answer(nb: &Notebook, question: usize, text: Option<&str>) -> Result<Edit, EditError> {
    let q = &nb.questions()[question];
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let mut splices = Vec::new();
    if !q.answered {
        splices.push((q.line, q.mark_offset..q.mark_offset + 1, "x".to_owned()));
    } else if text.is_none() {
        return Err(EditError::AlreadyAnswered { line: q.line + 1 });
    }
    let mut inserts = Vec::new();
    if let Some(t) = text {
        let at = q.subtree.end;
        if nb.inside_code_at(at) {
            return Err(EditError::InsideCode { line: at + 1 });
        }
        inserts.push((at, item_lines(q.content_indent, t)?));
    }
    Ok(compose(nb, &splices, &inserts))
}

/// Sets the progress mark of entry `entry`: `✅` read, `📖` reading, none
/// for unread. An entry written as a task (`- [ ] ...`) keeps its box:
/// `[x]` when read, `[ ]` otherwise (with `📖` after it when being read).
/// A `🚧` (not merged yet) stays where it is.
pub fn set_status(nb: &Notebook, entry: usize, status: Progress) -> Result<Edit, EditError> {
    let e = &nb.entries()[entry];
    let line = e.line;
    if e.progress() == Some(status) {
        return Err(EditError::Unchanged { line: line + 1 });
    }
    let src = nb.as_bytes();
    if e.task_box {
        let span = e.mark_span.clone().expect("a task box has a span");
        let boxed = if status == Progress::Read { "x" } else { " " };
        let mut splices = vec![(line, span.clone(), boxed.to_owned())];
        // A 📖 right after the box (`- [ ] 📖 2024-...`).
        let after = span.end + 2;
        let has_wip = src[after.min(src.len())..].starts_with(READING_MARK.as_bytes());
        match (status, has_wip) {
            (Progress::Reading, false) => {
                splices.push((line, after..after, format!("{READING_MARK} ")))
            }
            (Progress::Reading, true) => {}
            (_, true) => {
                let mut end = after + READING_MARK.len();
                while src.get(end) == Some(&b' ') {
                    end += 1;
                }
                splices.push((line, after..end, String::new()));
            }
            (_, false) => {}
        }
        return kept(nb, entry, status, compose(nb, &splices, &[]));
    }
    let mark = progress_mark(status);
    let splice = match (&e.mark_span, mark) {
        (None, None) => return Err(EditError::Unchanged { line: line + 1 }),
        (None, Some(m)) => {
            let at = e.link_span.start;
            let before = at.checked_sub(1).map(|k| src[k]);
            let text = if matches!(before, Some(b' ') | Some(b'\t')) {
                format!("{m} ")
            } else {
                format!(" {m} ")
            };
            (at..at, text)
        }
        (Some(span), Some(m)) => (span.clone(), m.to_owned()),
        (Some(span), None) => {
            // Remove the mark and the blanks after it.
            let mut end = span.end;
            while end < src.len() && matches!(src[end], b' ' | b'\t') {
                end += 1;
            }
            (span.start..end, String::new())
        }
    };
    kept(
        nb,
        entry,
        status,
        compose(nb, &[(line, splice.0, splice.1)], &[]),
    )
}

/// `ed` if the notebook it makes still has every entry and entry
/// `entry` reads with `status`.
fn kept(nb: &Notebook, entry: usize, status: Progress, ed: Edit) -> Result<Edit, EditError> {
    let after = Notebook::parse(ed.bytes.clone());
    let same = after.entries().len() == nb.entries().len()
        && after.entries()[entry].line == nb.entries()[entry].line
        && after.entries()[entry].progress() == Some(status);
    if same {
        Ok(ed)
    } else {
        Err(EditError::WouldLoseEntry {
            line: nb.entries()[entry].line + 1,
        })
    }
}

/// A patch of a series, as the archive names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchRef {
    /// The counter (`4` of `04/18`).
    pub counter: u32,
    /// Its subject as sent, when known (`[PATCH v1 04/18] mm: track ...`).
    pub subject: Option<String>,
}

/// Sets the progress mark of one patch of entry `entry`: on its bullet
/// (tagged or written as its title), created in the entry's style when
/// missing (`  - ✅ mm: track mapcount ...`).
pub fn set_patch_status(
    nb: &Notebook,
    entry: usize,
    patch: &PatchRef,
    status: Progress,
) -> Result<Edit, EditError> {
    let e = &nb.entries()[entry];
    let Some(k) = patches::find_patch_note(e, patch.counter, patch.subject.as_deref()) else {
        let Some(m) = progress_mark(status) else {
            return Err(EditError::Unchanged { line: e.line + 1 });
        };
        let title = patch_title(nb, entry, patch.counter, patch.subject.as_deref());
        let lines = item_lines(e.content_indent, &format!("{m} {title}"))?;
        return insert_checked(nb, patch_insertion_line(e, patch.counter), &lines);
    };
    let n = &e.notes[k];
    let line = n.lines.start;
    if Progress::of(n.mark.as_ref()) == Some(status) {
        return Err(EditError::Unchanged { line: line + 1 });
    }
    let src = nb.as_bytes();
    let splice = match (&n.mark_span, progress_mark(status)) {
        (None, None) => return Err(EditError::Unchanged { line: line + 1 }),
        (None, Some(m)) => (n.text_start..n.text_start, format!("{m} ")),
        (Some(span), Some(m)) => (span.clone(), m.to_owned()),
        (Some(span), None) => {
            let mut end = span.end;
            while end < src.len() && matches!(src[end], b' ' | b'\t') {
                end += 1;
            }
            (span.start..end, String::new())
        }
    };
    Ok(compose(nb, &[(line, splice.0, splice.1)], &[]))
}

/// Applies in-line splices (line, absolute byte range, replacement) and
/// line insertions (before line `at`) in one pass, reporting each changed
/// line with its number in the new file.
fn compose(
    nb: &Notebook,
    splices: &[(usize, std::ops::Range<usize>, String)],
    inserts: &[(usize, Vec<String>)],
) -> Edit {
    let src = nb.as_bytes();
    let eol = nb.eol();
    let lines = nb.lines();
    let n = lines.len();
    let mut bytes = Vec::with_capacity(src.len() + 256);
    let mut changes = Vec::new();
    let mut new_line = 0usize;
    let emit_inserts =
        |at: usize, bytes: &mut Vec<u8>, new_line: &mut usize, changes: &mut Vec<Change>| {
            for (_, new) in inserts.iter().filter(|(k, _)| *k == at) {
                let unterminated_end = at >= n && lines.last().is_some_and(|l| l.eol == Eol::None);
                for l in new {
                    if unterminated_end {
                        bytes.extend_from_slice(eol.as_bytes());
                        bytes.extend_from_slice(l.as_bytes());
                    } else {
                        bytes.extend_from_slice(l.as_bytes());
                        bytes.extend_from_slice(eol.as_bytes());
                    }
                    *new_line += 1;
                    changes.push(Change::Inserted {
                        line: *new_line,
                        text: l.clone(),
                    });
                }
            }
        };
    for (i, l) in lines.iter().enumerate() {
        emit_inserts(i, &mut bytes, &mut new_line, &mut changes);
        new_line += 1;
        let mut mine: Vec<&(usize, std::ops::Range<usize>, String)> =
            splices.iter().filter(|s| s.0 == i).collect();
        if mine.is_empty() {
            bytes.extend_from_slice(&src[l.span.clone()]);
            continue;
        }
        mine.sort_by_key(|s| s.1.start);
        let start = bytes.len();
        let mut pos = l.span.start;
        for (_, r, with) in mine {
            bytes.extend_from_slice(&src[pos..r.start]);
            bytes.extend_from_slice(with.as_bytes());
            pos = r.end;
        }
        bytes.extend_from_slice(&src[pos..l.span.end]);
        let term = l.span.end - l.content_end;
        let new = String::from_utf8_lossy(&bytes[start..bytes.len() - term]).into_owned();
        changes.push(Change::Replaced {
            line: new_line,
            old: line_str(nb, i),
            new,
        });
    }
    emit_inserts(n, &mut bytes, &mut new_line, &mut changes);
    Edit { bytes, changes }
}

/// Adds an entry for a series to a topic, in the user's style, at its
/// dated place.
pub fn add_entry(nb: &Notebook, new: &NewEntry, opts: &AddOptions) -> Result<Edit, EditError> {
    let line = entry_line(nb, new);
    let topic = match select::find_topic(nb, &opts.topic) {
        Ok(t) => Some(t),
        Err(select::SelectError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let Some(t) = topic else {
        if !opts.create_topic {
            return Err(EditError::TopicNotFound(opts.topic.clone()));
        }
        let level = heading_level(nb);
        let mut lines = Vec::new();
        let n = nb.lines().len();
        let last_blank = n == 0 || nb.line_text(n - 1).trim().is_empty();
        if !last_blank {
            lines.push(String::new());
        }
        lines.push(format!(
            "{} {}",
            "#".repeat(level as usize),
            opts.topic.trim()
        ));
        lines.push(String::new());
        lines.push(line);
        return insert_checked(nb, n, &lines);
    };
    let topic = &nb.topics()[t];
    if let Some(id) = &new.message_id
        && let Some(&e) = topic
            .entries
            .iter()
            .find(|&&e| nb.entries()[e].message_id.as_ref() == Some(id))
    {
        return Err(EditError::AlreadyPresent {
            line: nb.entries()[e].line + 1,
        });
    }
    let entries: Vec<&crate::doc::Entry> =
        topic.entries.iter().map(|&e| &nb.entries()[e]).collect();
    let at = insertion_line(nb, topic, &entries, new.date);
    let mut lines = Vec::new();
    if entries.is_empty() {
        let prev_blank = at > 0 && nb.line_text(at - 1).trim().is_empty();
        if !prev_blank {
            lines.push(String::new());
        }
    }
    lines.push(line);
    // Keep a following paragraph or label from turning into a lazy
    // continuation of the new item, and a new list apart from a heading.
    if at < nb.lines().len() {
        let next = nb.line_text(at);
        let next_t = next.trim_start();
        if !next_t.is_empty() {
            let is_item =
                next_t.starts_with("- ") || next_t.starts_with("* ") || next_t.starts_with("+ ");
            let heading = next_t.starts_with('#');
            if (!is_item && !heading) || (entries.is_empty() && heading) {
                lines.push(String::new());
            }
        }
    }
    insert_checked(nb, at, &lines)
}

/// Where a new entry dated `date` goes among a topic's `entries`.
///
/// The user's topics are mostly, not strictly, in date order (the seed's
/// THP has a 2017 entry at the end). So the entry goes into the gap that
/// leaves the fewest dated entries on the wrong side of it (for the
/// direction the topic mostly runs in); among equal gaps the last one, as
/// new entries are usually appended. Undated: after the last entry.
fn insertion_line(
    nb: &Notebook,
    topic: &crate::doc::Topic,
    entries: &[&crate::doc::Entry],
    date: Option<Date>,
) -> usize {
    let after_last = |entries: &[&crate::doc::Entry]| entries.last().map(|e| e.lines.end);
    let Some(d) = date else {
        return after_last(entries).unwrap_or_else(|| empty_topic_line(nb, topic));
    };
    let dated: Vec<Date> = entries.iter().filter_map(|e| e.date).collect();
    if dated.is_empty() {
        return after_last(entries).unwrap_or_else(|| empty_topic_line(nb, topic));
    }
    let asc = dated.windows(2).filter(|w| w[0] <= w[1]).count();
    let desc = dated.windows(2).filter(|w| w[0] > w[1]).count();
    let descending = desc > asc;
    let wrong_before = |x: Date| if descending { x < d } else { x > d };
    let wrong_after = |x: Date| if descending { x > d } else { x < d };
    let mut best = (usize::MAX, 0usize);
    for p in 0..=entries.len() {
        let v = entries[..p]
            .iter()
            .filter_map(|e| e.date)
            .filter(|&x| wrong_before(x))
            .count()
            + entries[p..]
                .iter()
                .filter_map(|e| e.date)
                .filter(|&x| wrong_after(x))
                .count();
        if v <= best.0 {
            best = (v, p);
        }
    }
    match best.1 {
        0 => entries[0].line,
        p => entries[p - 1].lines.end,
    }
}

/// An empty topic: after the heading (and its blank line).
fn empty_topic_line(nb: &Notebook, topic: &crate::doc::Topic) -> usize {
    let mut at = topic.line + 1;
    if at < nb.lines().len() && nb.line_text(at).trim().is_empty() {
        at += 1;
    }
    at
}

fn heading_level(nb: &Notebook) -> u8 {
    let mut counts = [0usize; 7];
    for t in nb.topics() {
        if t.kind == TopicKind::Heading && t.level >= 2 {
            counts[t.level as usize] += 1;
        }
    }
    (2..=6u8)
        .max_by_key(|&l| (counts[l as usize], std::cmp::Reverse(l)))
        .filter(|&l| counts[l as usize] > 0)
        .unwrap_or(2)
}

/// The entry line in the style the notebook already uses.
pub fn entry_line(nb: &Notebook, new: &NewEntry) -> String {
    let src = nb.as_bytes();
    let entries = nb.entries();
    let unpadded = entries
        .iter()
        .filter(|e| e.date_text.as_ref().is_some_and(|t| t.len() < 10))
        .count();
    let padded = entries
        .iter()
        .filter(|e| e.date_text.as_ref().is_some_and(|t| t.len() == 10))
        .count();
    let escape = entries.is_empty()
        || entries
            .iter()
            .any(|e| src.get(e.link_span.start..e.link_span.start + 3) == Some(b"[\\["));
    let marker = entries
        .first()
        .and_then(|e| nb.line_text(e.line).trim_start().chars().next())
        .filter(|c| matches!(c, '-' | '*' | '+'))
        .unwrap_or('-');
    let mut title = new.subject.trim().to_owned();
    if let Some(a) = &new.author {
        title = format!("{title} - {}", a.trim());
    }
    let title = if escape {
        inline::escape_link_text(&title)
    } else {
        title
    };
    let mut s = format!("{marker} ");
    if let Some(d) = new.date {
        if unpadded > padded {
            s.push_str(&format!("{}-{}-{} ", d.year, d.month, d.day));
        } else {
            s.push_str(&d.iso());
            s.push(' ');
        }
    }
    if new.not_merged {
        s.push_str(NOT_MERGED_MARK);
        s.push(' ');
    }
    if let Some(m) = progress_mark(new.status) {
        s.push_str(m);
        s.push(' ');
    }
    s.push_str(&format!("[{title}]({})", new.url));
    s
}

/// Replaces the whole file by `new` (a repair of the file itself), listing
/// the lines that differ.
pub fn replace_all(nb: &Notebook, new: &[u8]) -> Edit {
    let old = String::from_utf8_lossy(nb.as_bytes());
    let newt = String::from_utf8_lossy(new);
    let changes = old
        .lines()
        .zip(newt.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(k, (a, b))| Change::Replaced {
            line: k + 1,
            old: a.to_owned(),
            new: b.to_owned(),
        })
        .collect();
    Edit {
        bytes: new.to_vec(),
        changes,
    }
}

/// Fills the holes of a repaired file into the notebook: each line of the
/// notebook that is still exactly a line of `repaired` with a hole
/// (U+FFFD) becomes that line of `filled`; other lines stay as they are.
pub fn fill_lines(nb: &Notebook, repaired: &[u8], filled: &[u8]) -> Edit {
    let rep = String::from_utf8_lossy(repaired);
    let fil = String::from_utf8_lossy(filled);
    let map: std::collections::HashMap<&str, &str> = rep
        .lines()
        .zip(fil.lines())
        .filter(|(a, b)| a.contains('\u{FFFD}') && a != b)
        .collect();
    let mut splices = Vec::new();
    for (i, l) in nb.lines().iter().enumerate() {
        let t = nb.line_text(i);
        if let Some(new) = map.get(t.as_ref()) {
            splices.push((i, l.span.start..l.content_end, (*new).to_owned()));
        }
    }
    compose(nb, &splices, &[])
}
