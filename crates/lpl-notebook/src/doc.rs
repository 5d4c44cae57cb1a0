//! The parsed notebook: the source bytes plus what they mean.
//!
//! Parsing never changes or normalises the source: [`Notebook::as_bytes`]
//! returns exactly the bytes given to [`Notebook::parse`], and every node
//! carries the line range (and so the byte span) it came from. Any input
//! parses, including non-UTF-8 (analysed lossily, kept verbatim).

use std::borrow::Cow;
use std::ops::Range;

use crate::inline::{self, SubjectTags};
use crate::lore::{self, MessageId};

/// How a line ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// The last line, without a terminator.
    None,
}

/// One physical line of the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Bytes of the line including its terminator.
    pub span: Range<usize>,
    /// End of the content (before `\r\n` or `\n`).
    pub content_end: usize,
    /// The terminator.
    pub eol: Eol,
}

/// What a topic is made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopicKind {
    /// An ATX heading (`## THP`).
    Heading,
    /// A short paragraph line standing alone before a list (`selftest`),
    /// which the user uses as a sub-heading.
    Label,
}

/// A topic: a heading or a label, with its section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// Heading or label.
    pub kind: TopicKind,
    /// Heading level (1..=6); a label is one deeper than its parent.
    pub level: u8,
    /// The title, trimmed (may be empty: `##`).
    pub title: String,
    /// 0-based line of the heading or label.
    pub line: usize,
    /// Lines of the section (heading line to the next topic that ends it).
    pub lines: Range<usize>,
    /// Enclosing topic.
    pub parent: Option<usize>,
    /// Entries directly in this topic, in file order.
    pub entries: Vec<usize>,
}

/// A date as the user writes it (`2024-02-26`, `2025-8-18`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day, 1..=31.
    pub day: u8,
}

impl Date {
    /// The UTC date of unix time `secs`.
    pub fn from_unix(secs: i64) -> Date {
        let (y, m, d) = lpl_mail::date::ymd(secs);
        Date {
            year: y.clamp(0, 9999) as u16,
            month: m as u8,
            day: d as u8,
        }
    }

    /// `YYYY-MM-DD`, zero-padded.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Parses `YYYY-M-D` (also with `/` or `.`), with or without padding.
    pub fn parse_prefix(s: &str) -> Option<(Date, usize)> {
        let b = s.as_bytes();
        let digits = |from: usize, min: usize, max: usize| -> Option<(u32, usize)> {
            let mut i = from;
            while i < b.len() && b[i].is_ascii_digit() && i - from < max {
                i += 1;
            }
            if i - from < min {
                return None;
            }
            Some((s[from..i].parse().ok()?, i))
        };
        let (y, i) = digits(0, 4, 4)?;
        let sep = *b.get(i)?;
        if !matches!(sep, b'-' | b'/' | b'.') {
            return None;
        }
        let (m, j) = digits(i + 1, 1, 2)?;
        if b.get(j) != Some(&sep) {
            return None;
        }
        let (d, k) = digits(j + 1, 1, 2)?;
        if b.get(k).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        Some((
            Date {
                year: y as u16,
                month: m as u8,
                day: d as u8,
            },
            k,
        ))
    }
}

/// A progress mark: the learner's own, written in the file.
///
/// Between an entry's date and its link (`- 2024-02-26 ✅ [...](...)`), or
/// before the date, or as the task box of a top-level item (`- [x] ...`);
/// at the start of a per-patch bullet (`  - 📖 mm: track mapcount ...`).
/// The roadmap is a study plan: ✅ is read, 📖 is being read, no mark is
/// not read yet. 🚧 is not a progress mark: it says the series is not
/// merged yet (see [`Entry::not_merged`]) and sits beside these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// 📖: being read.
    Reading,
    /// ✅ (or `[x]`): read.
    Read,
    /// `[ ]` on a top-level item: on the plan, not read yet.
    Unread,
    /// Something else, kept as written (e.g. a mark damaged by mojibake).
    Other(String),
}

/// The mark for "being read".
pub const READING_MARK: &str = "📖";
/// The mark for "read".
pub const READ_MARK: &str = "✅";
/// The mark for "the series is not merged yet" (the seed's own).
pub const NOT_MERGED_MARK: &str = "🚧";

/// Reading progress of an entry or a patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Progress {
    /// Not read yet (no mark, or `[ ]`).
    Unread,
    /// Being read (📖).
    Reading,
    /// Read (✅ or `[x]`).
    Read,
}

impl Progress {
    /// The progress a mark stands for (`None` for a damaged or unknown mark).
    pub fn of(mark: Option<&Mark>) -> Option<Progress> {
        match mark {
            None | Some(Mark::Unread) => Some(Progress::Unread),
            Some(Mark::Reading) => Some(Progress::Reading),
            Some(Mark::Read) => Some(Progress::Read),
            Some(Mark::Other(_)) => None,
        }
    }

    /// `read`, `reading` or `unread`.
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Unread => "unread",
            Progress::Reading => "reading",
            Progress::Read => "read",
        }
    }
}

/// What kind of note a line or block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// A nested list item (with its continuation lines).
    Item,
    /// A paragraph (or lazy continuation) inside the entry.
    Paragraph,
}

/// A note under an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Item or paragraph.
    pub kind: NoteKind,
    /// Nesting under the entry: 1 for its direct items; 0 for paragraphs
    /// belonging to the entry itself.
    pub depth: usize,
    /// Lines of this note (without its children).
    pub lines: Range<usize>,
    /// Lines of this note and all notes nested below it.
    pub subtree: Range<usize>,
    /// Text content (list marker and indentation removed, lines joined).
    pub text: String,
    /// The patch this note is about (`[PATCHv12 29/37] ...`): its counter.
    pub patch: Option<u32>,
    /// Task checkbox: `Some(false)` for `[ ]`, `Some(true)` for `[x]`.
    pub checkbox: Option<bool>,
    /// Column where the item's content starts (for children: this indent).
    pub content_indent: usize,
    /// A progress mark at the start of the text (`✅`, `📖`).
    pub mark: Option<Mark>,
    /// Byte span (absolute) of the mark, when there is one.
    pub mark_span: Option<Range<usize>>,
    /// Byte offset (absolute) where the item's text starts (after the list
    /// marker), for items: where a mark is inserted.
    pub text_start: usize,
}

/// Another revision's URL given in a note (`v33 https://...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherRevision {
    /// The revision number written before the URL.
    pub version: u32,
    /// The Message-ID the URL names.
    pub message_id: MessageId,
    /// 0-based line of the note.
    pub line: usize,
}

/// An entry: a top-level list item whose first inline is a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The topic the entry is in (innermost).
    pub topic: Option<usize>,
    /// 0-based line of the item.
    pub line: usize,
    /// Lines of the entry including its notes (trailing blank lines excluded).
    pub lines: Range<usize>,
    /// The date, if written.
    pub date: Option<Date>,
    /// The date exactly as written.
    pub date_text: Option<String>,
    /// The progress mark, if any (📖, ✅, a task box, or something else).
    pub mark: Option<Mark>,
    /// Marked 🚧: the learner's note that the series is not merged yet
    /// (`check` flags it when the archive knows the series as merged).
    pub not_merged: bool,
    /// Byte span (absolute) of the progress mark text, 🚧 not included (for
    /// a task box: the character between the brackets).
    pub mark_span: Option<Range<usize>>,
    /// Whether the mark is a task box (`- [x] 2024-... [..](..)`).
    pub task_box: bool,
    /// Byte span (absolute) of the date.
    pub date_span: Option<Range<usize>>,
    /// Byte span (absolute) of the link.
    pub link_span: Range<usize>,
    /// The link title, unescaped (`[PATCH v5 0/8] Split ... - Zi Yan`).
    pub title: String,
    /// The subject part of the title (before the last ` - `).
    pub subject: String,
    /// The author part of the title, when the title is a patch subject.
    pub author: Option<String>,
    /// Tags parsed from the subject.
    pub tags: SubjectTags,
    /// The link URL.
    pub url: String,
    /// The Message-ID the URL names (lore or msgid.link), if any.
    pub message_id: Option<MessageId>,
    /// Other revisions given in notes.
    pub other_revisions: Vec<OtherRevision>,
    /// Notes, in file order.
    pub notes: Vec<Note>,
    /// Column where the item's content starts (children are indented so).
    pub content_indent: usize,
    /// A stable anchor: derived from the Message-ID, else the title.
    pub anchor: String,
}

impl Entry {
    /// Whether the entry links a mailing-list message.
    pub fn is_series(&self) -> bool {
        self.message_id.is_some()
    }

    /// Reading progress from the entry's mark (`None`: a damaged mark).
    pub fn progress(&self) -> Option<Progress> {
        Progress::of(self.mark.as_ref())
    }
}

/// A `[ ]` / `[x]` item anywhere in the notebook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// 0-based line.
    pub line: usize,
    /// Whether it is answered (`[x]`).
    pub answered: bool,
    /// Byte offset (absolute) of the character between the brackets.
    pub mark_offset: usize,
    /// The question's text.
    pub text: String,
    /// The entry it is under, if any.
    pub entry: Option<usize>,
    /// The topic it is in, if any.
    pub topic: Option<usize>,
    /// Column where the item's content starts (an answer is indented so).
    pub content_indent: usize,
    /// Lines of the question and everything nested under it.
    pub subtree: Range<usize>,
}

/// What a link points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A mailing-list message.
    Message(MessageId),
    /// An LWN article.
    Lwn,
    /// kernelnewbies.org.
    KernelNewbies,
    /// A conference page (LPC, LSFMM, Kernel Recipes, OSS...).
    Conference,
    /// A paper (PDF or a publisher's site).
    Paper,
    /// Anything else.
    Other,
}

impl LinkKind {
    /// Classifies a URL.
    pub fn of(url: &str) -> LinkKind {
        if let Some(id) = lore::message_id_from_url(url) {
            return LinkKind::Message(id);
        }
        let lower = url.to_ascii_lowercase();
        let host = lower
            .split("://")
            .nth(1)
            .unwrap_or(&lower)
            .split('/')
            .next()
            .unwrap_or("");
        if host.ends_with("lwn.net") {
            LinkKind::Lwn
        } else if host.ends_with("kernelnewbies.org") {
            LinkKind::KernelNewbies
        } else if host.ends_with("lpc.events")
            || host.contains("kernel-recipes")
            || host.ends_with("events.linuxfoundation.org")
            || host.ends_with("youtube.com")
        {
            LinkKind::Conference
        } else if lower.ends_with(".pdf")
            || host.ends_with("usenix.org")
            || host.ends_with("acm.org")
            || host.ends_with("arxiv.org")
        {
            LinkKind::Paper
        } else {
            LinkKind::Other
        }
    }
}

/// A link anywhere in the notebook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// 0-based line.
    pub line: usize,
    /// Byte span (absolute) of the whole link.
    pub span: Range<usize>,
    /// The link text, unescaped (empty for bare URLs).
    pub text: String,
    /// The URL.
    pub url: String,
    /// What it points to.
    pub kind: LinkKind,
    /// The entry it is in, if any.
    pub entry: Option<usize>,
    /// Whether it is the entry's own link (the one in its first line).
    pub is_entry_link: bool,
}

/// A parsed notebook.
#[derive(Clone, Debug)]
pub struct Notebook {
    pub(crate) src: Vec<u8>,
    /// Per line: whether a code fence is still open after it.
    pub(crate) fence_open: Vec<bool>,
    pub(crate) lines: Vec<Line>,
    pub(crate) topics: Vec<Topic>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) questions: Vec<Question>,
    pub(crate) links: Vec<Link>,
}

impl Notebook {
    /// The source bytes, unchanged: writing them back is the round trip.
    pub fn as_bytes(&self) -> &[u8] {
        &self.src
    }

    /// Physical lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Topics in file order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Entries in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Questions in file order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// Every link in file order (entry links included).
    pub fn links(&self) -> &[Link] {
        &self.links
    }

    /// The content of line `i` (without terminator), lossily decoded.
    pub fn line_text(&self, i: usize) -> Cow<'_, str> {
        let l = &self.lines[i];
        String::from_utf8_lossy(&self.src[l.span.start..l.content_end])
    }

    /// Byte span of a range of lines (terminators included).
    pub fn span_of_lines(&self, r: Range<usize>) -> Range<usize> {
        if r.start >= self.lines.len() {
            return self.src.len()..self.src.len();
        }
        let start = self.lines[r.start].span.start;
        let end = if r.end == 0 || r.end <= r.start {
            start
        } else {
            self.lines[(r.end - 1).min(self.lines.len() - 1)].span.end
        };
        start..end
    }

    /// The path of topic titles from the root to `topic` (`THP / selftest`).
    pub fn topic_path(&self, topic: usize) -> Vec<&str> {
        let mut v = Vec::new();
        let mut t = Some(topic);
        while let Some(i) = t {
            v.push(self.topics[i].title.as_str());
            t = self.topics[i].parent;
        }
        v.reverse();
        v
    }

    /// Whether inserting before line `at` would land inside an open code fence.
    pub fn inside_code_at(&self, at: usize) -> bool {
        at > 0 && self.fence_open.get(at - 1).copied().unwrap_or(false)
    }

    /// The dominant line ending (for inserted lines).
    pub fn eol(&self) -> &'static str {
        let crlf = self.lines.iter().filter(|l| l.eol == Eol::CrLf).count();
        let lf = self.lines.iter().filter(|l| l.eol == Eol::Lf).count();
        if crlf > lf { "\r\n" } else { "\n" }
    }

    /// Parses `src`. Never fails; anything not understood is kept as text.
    pub fn parse(src: impl Into<Vec<u8>>) -> Notebook {
        crate::parse::parse(src.into())
    }
}

/// Turns a title or Message-ID into an anchor of `[a-z0-9-]`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= 60 {
            break;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

pub(crate) fn split_title(title: &str, is_series: bool) -> (String, Option<String>) {
    let tags = inline::subject_tags(title);
    if (is_series || tags.is_patch)
        && let Some((s, a)) = title.rsplit_once(" - ")
    {
        let a = a.trim();
        if !a.is_empty() && !a.contains('[') {
            return (s.trim().to_owned(), Some(a.to_owned()));
        }
    }
    (title.trim().to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse_prefix("2025-8-18[x"),
            Some((
                Date {
                    year: 2025,
                    month: 8,
                    day: 18
                },
                9
            ))
        );
        assert_eq!(
            Date::parse_prefix("2024-02-26 ").map(|d| d.0.iso()),
            Some("2024-02-26".into())
        );
        assert_eq!(Date::parse_prefix("2024/2/6").map(|d| d.1), Some(8));
        assert_eq!(Date::parse_prefix("2024-13-01"), None);
        assert_eq!(Date::parse_prefix("20240-1-1"), None);
        assert_eq!(Date::parse_prefix("2024-1-123"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("20240226205534.1603748-1-zi.yan@sent.com"),
            "20240226205534-1603748-1-zi-yan-sent-com"
        );
        assert_eq!(
            slug("The state of the page（LSFMM）"),
            "the-state-of-the-page-lsfmm"
        );
        assert_eq!(slug("支持"), "");
    }
}
