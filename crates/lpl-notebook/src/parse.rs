//! Line-oriented parse of the notebook (a pragmatic subset of CommonMark:
//! ATX headings, nested lists with lazy continuation, fenced code, inline
//! links), keeping every byte where it was.

use crate::doc::{
    Date, Entry, Eol, Line, Link, LinkKind, Mark, Note, NoteKind, Notebook, OtherRevision,
    Question, Topic, TopicKind, slug, split_title,
};
use std::collections::{HashMap, HashSet};

use crate::inline;
use crate::lore;

#[derive(Clone, Debug)]
enum Kind {
    Blank,
    Heading {
        level: u8,
        title: String,
    },
    Item {
        indent: usize,
        /// Byte offset (in the content) where the item's text starts.
        text_at: usize,
        /// Column where the item's content starts.
        content_indent: usize,
        /// `Some((answered, offset of the mark char in content))`.
        checkbox: Option<(bool, usize)>,
    },
    Text {
        indent: usize,
        code: bool,
    },
}

fn split_lines(src: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < src.len() {
        match src[start..].iter().position(|&b| b == b'\n') {
            Some(p) => {
                let end = start + p + 1;
                let crlf = p > 0 && src[start + p - 1] == b'\r';
                lines.push(Line {
                    span: start..end,
                    content_end: if crlf { end - 2 } else { end - 1 },
                    eol: if crlf { Eol::CrLf } else { Eol::Lf },
                });
                start = end;
            }
            None => {
                lines.push(Line {
                    span: start..src.len(),
                    content_end: src.len(),
                    eol: Eol::None,
                });
                start = src.len();
            }
        }
    }
    lines
}

/// Leading indentation in columns (tabs to the next multiple of 4) and bytes.
fn indent_of(s: &str) -> (usize, usize) {
    let mut col = 0;
    let mut bytes = 0;
    for c in s.chars() {
        match c {
            ' ' => col += 1,
            '\t' => col = (col / 4 + 1) * 4,
            _ => break,
        }
        bytes += 1;
    }
    (col, bytes)
}

fn classify(s: &str, in_code: bool) -> Kind {
    let (indent, ib) = indent_of(s);
    let rest = &s[ib..];
    if rest.trim().is_empty() {
        return Kind::Blank;
    }
    if in_code {
        return Kind::Text { indent, code: true };
    }
    if indent <= 3 && rest.starts_with('#') {
        let hashes = rest.bytes().take_while(|&b| b == b'#').count();
        let after = &rest[hashes..];
        if hashes <= 6 && (after.is_empty() || after.starts_with([' ', '\t'])) {
            let mut title = after.trim();
            let stripped = title.trim_end_matches('#');
            if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
                title = stripped.trim();
            }
            return Kind::Heading {
                level: hashes as u8,
                title: title.to_owned(),
            };
        }
    }
    let rb = rest.as_bytes();
    let marker_len = if matches!(rb[0], b'-' | b'*' | b'+') {
        Some(1)
    } else {
        let d = rb.iter().take_while(|b| b.is_ascii_digit()).count();
        if (1..=9).contains(&d) && matches!(rb.get(d), Some(b'.') | Some(b')')) {
            Some(d + 1)
        } else {
            None
        }
    };
    if let Some(m) = marker_len {
        let after = &rest[m..];
        if after.is_empty() || after.starts_with([' ', '\t']) {
            let spaces = after.bytes().take_while(|&b| b == b' ').count();
            let spaces = if after.trim().is_empty() || spaces == 0 || spaces > 4 {
                1
            } else {
                spaces
            };
            let text_at = (ib + m + spaces).min(s.len());
            let text = &s[text_at..];
            let checkbox = if text.len() >= 3
                && text.as_bytes()[0] == b'['
                && text.as_bytes()[2] == b']'
                && (text.len() == 3 || text.as_bytes()[3] == b' ' || text.as_bytes()[3] == b'\t')
            {
                match text.as_bytes()[1] {
                    b' ' => Some((false, text_at + 1)),
                    b'x' | b'X' => Some((true, text_at + 1)),
                    _ => None,
                }
            } else {
                None
            };
            return Kind::Item {
                indent,
                text_at,
                content_indent: indent + m + spaces,
                checkbox,
            };
        }
    }
    Kind::Text {
        indent,
        code: false,
    }
}

fn is_fence(s: &str) -> Option<(u8, usize)> {
    let t = s.trim_start();
    let c = *t.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

struct Frame {
    content_indent: usize,
}

pub(crate) fn parse(src: Vec<u8>) -> Notebook {
    let lines = split_lines(&src);
    let texts: Vec<String> = lines
        .iter()
        .map(|l| String::from_utf8_lossy(&src[l.span.start..l.content_end]).into_owned())
        .collect();
    // Byte offsets in `texts` equal offsets in `src` only for valid UTF-8;
    // map through this to stay exact for other input.
    let valid: Vec<bool> = lines
        .iter()
        .map(|l| std::str::from_utf8(&src[l.span.start..l.content_end]).is_ok())
        .collect();

    // Pass 1: classify.
    let mut kinds = Vec::with_capacity(lines.len());
    let mut fence_open = Vec::with_capacity(lines.len());
    let mut fence: Option<(u8, usize)> = None;
    for (t, ok) in texts.iter().zip(&valid) {
        if !ok {
            // Not UTF-8: kept verbatim, never edited, so only its indent matters.
            kinds.push(Kind::Text {
                indent: indent_of(t).0,
                code: true,
            });
            fence_open.push(fence.is_some());
            continue;
        }
        let k = match (fence, is_fence(t)) {
            (None, Some(f)) => {
                fence = Some(f);
                Kind::Text {
                    indent: indent_of(t).0,
                    code: true,
                }
            }
            (Some((c, n)), Some((c2, n2)))
                if c == c2 && n2 >= n && t.trim().bytes().all(|b| b == c) =>
            {
                fence = None;
                Kind::Text {
                    indent: indent_of(t).0,
                    code: true,
                }
            }
            (f, _) => classify(t, f.is_some()),
        };
        kinds.push(k);
        fence_open.push(fence.is_some());
    }

    // Pass 2: labels (a short lone paragraph line introducing a list).
    let mut label = vec![false; lines.len()];
    for i in 0..lines.len() {
        let Kind::Text {
            indent: 0,
            code: false,
        } = kinds[i]
        else {
            continue;
        };
        let prev_ok = i == 0 || matches!(kinds[i - 1], Kind::Blank | Kind::Heading { .. });
        let next_blank = matches!(kinds.get(i + 1), Some(Kind::Blank));
        let next_item = kinds[i + 1..]
            .iter()
            .find(|k| !matches!(k, Kind::Blank))
            .is_some_and(|k| matches!(k, Kind::Item { indent: 0, .. }));
        let t = texts[i].trim();
        // A label names a topic; a sentence introducing a list does not.
        let sentence = t.ends_with([
            '.', ':', ';', ',', '!', '?', '。', '：', '；', '，', '！', '？',
        ]);
        let short = t.chars().count() <= 60 && !t.contains("](") && !t.contains("://") && !sentence;
        label[i] = prev_ok && next_blank && next_item && short;
    }

    let mut topics: Vec<Topic> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut questions: Vec<Question> = Vec::new();
    let mut heading_stack: Vec<usize> = Vec::new();
    let mut cur_label: Option<usize> = None;
    let mut stack: Vec<Frame> = Vec::new();
    let mut cur_entry: Option<usize> = None;
    let mut cur_note: Option<usize> = None;
    let mut last_nonblank = 0usize;
    let mut prev_blank = false;
    let mut anchors: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();

    let abs = |i: usize, off: usize| -> usize {
        if valid[i] {
            lines[i].span.start + off
        } else {
            lines[i].span.start
        }
    };

    let close = |entries: &mut Vec<Entry>, cur: &mut Option<usize>, last: usize| {
        if let Some(e) = cur.take() {
            entries[e].lines.end = last + 1;
        }
    };

    for i in 0..lines.len() {
        let t = &texts[i];
        match kinds[i].clone() {
            Kind::Blank => {
                prev_blank = true;
                continue;
            }
            Kind::Heading { level, title } => {
                close(&mut entries, &mut cur_entry, last_nonblank);
                cur_note = None;
                stack.clear();
                while heading_stack
                    .last()
                    .is_some_and(|&h| topics[h].level >= level)
                {
                    heading_stack.pop();
                }
                topics.push(Topic {
                    kind: TopicKind::Heading,
                    level,
                    title,
                    line: i,
                    lines: i..i + 1,
                    parent: heading_stack.last().copied(),
                    entries: Vec::new(),
                });
                heading_stack.push(topics.len() - 1);
                cur_label = None;
            }
            Kind::Text { .. } if label[i] => {
                close(&mut entries, &mut cur_entry, last_nonblank);
                cur_note = None;
                stack.clear();
                let parent = heading_stack.last().copied();
                topics.push(Topic {
                    kind: TopicKind::Label,
                    level: parent.map_or(1, |p| topics[p].level.saturating_add(1)),
                    title: t.trim().to_owned(),
                    line: i,
                    lines: i..i + 1,
                    parent,
                    entries: Vec::new(),
                });
                cur_label = Some(topics.len() - 1);
            }
            Kind::Item {
                indent,
                text_at,
                content_indent,
                checkbox,
            } => {
                while stack.last().is_some_and(|f| indent < f.content_indent) {
                    stack.pop();
                }
                let depth = stack.len();
                let text = t[text_at..].to_owned();
                let mut task_entry = false;
                if depth == 0 {
                    close(&mut entries, &mut cur_entry, last_nonblank);
                    cur_note = None;
                    // `- [x] 2024-02-26 [title](url)`: an entry whose task
                    // box is its progress mark.
                    let skip = match checkbox {
                        Some(_) => 3 + (text.len() - 3 - text[3..].trim_start().len()),
                        None => 0,
                    };
                    let found = entry_from(&text[skip..], i, &|off| abs(i, text_at + skip + off))
                        .filter(|e| {
                            checkbox.is_none() || matches!(e.mark, None | Some(Mark::Reading))
                        });
                    if let Some(mut e) = found {
                        if let Some((answered, off)) = checkbox {
                            // `[ ] 📖` is being read; `[x]` read.
                            e.mark = Some(match (answered, &e.mark) {
                                (true, _) => Mark::Read,
                                (false, Some(Mark::Reading)) => Mark::Reading,
                                _ => Mark::Unread,
                            });
                            e.mark_span = Some(abs(i, off)..abs(i, off) + 1);
                            e.task_box = true;
                            task_entry = true;
                        }
                        e.topic = cur_label.or(heading_stack.last().copied());
                        e.content_indent = content_indent;
                        let base = e
                            .message_id
                            .as_ref()
                            .map(|m| slug(m.as_str()))
                            .filter(|s| !s.is_empty())
                            .or_else(|| Some(slug(&e.title)).filter(|s| !s.is_empty()))
                            .unwrap_or_else(|| "entry".to_owned());
                        let mut a = base.clone();
                        let n = next_suffix.entry(base.clone()).or_insert(2);
                        while anchors.contains(&a) {
                            a = format!("{base}-{n}");
                            *n += 1;
                        }
                        anchors.insert(a.clone());
                        e.anchor = a;
                        entries.push(e);
                        cur_entry = Some(entries.len() - 1);
                    }
                } else if let Some(e) = cur_entry {
                    let body = match checkbox {
                        Some(_) => text.get(3..).unwrap_or("").trim().to_owned(),
                        None => text.trim().to_owned(),
                    };
                    let (mark, mark_len) = match checkbox {
                        Some(_) => (None, 0),
                        None => lead_mark(&text),
                    };
                    let patch = patch_counter(text[mark_len..].trim_start());
                    entries[e].notes.push(Note {
                        kind: NoteKind::Item,
                        depth,
                        lines: i..i + 1,
                        subtree: i..i + 1,
                        text: body,
                        patch,
                        checkbox: checkbox.map(|c| c.0),
                        content_indent,
                        mark_span: mark
                            .as_ref()
                            .map(|_| abs(i, text_at)..abs(i, text_at + mark_len)),
                        mark,
                        text_start: abs(i, text_at),
                    });
                    cur_note = Some(entries[e].notes.len() - 1);
                }
                if let Some((answered, off)) = checkbox.filter(|_| !task_entry) {
                    questions.push(Question {
                        line: i,
                        answered,
                        mark_offset: abs(i, off),
                        text: text.get(3..).unwrap_or("").trim().to_owned(),
                        entry: None,
                        topic: None,
                        content_indent,
                        subtree: i..i + 1,
                    });
                }
                stack.push(Frame { content_indent });
            }
            Kind::Text { indent, code } => {
                // Code cannot be a lazy continuation: a fence not indented
                // into the item ends it (CommonMark).
                let inside = cur_entry.is_some()
                    && ((!prev_blank && !code)
                        || stack.first().is_some_and(|f| indent >= f.content_indent));
                if let (true, Some(e)) = (inside, cur_entry) {
                    let body = t.trim().to_owned();
                    match (prev_blank, cur_note) {
                        (false, Some(n)) => {
                            let note = &mut entries[e].notes[n];
                            note.lines.end = i + 1;
                            note.subtree.end = i + 1;
                            note.text.push('\n');
                            note.text.push_str(&body);
                        }
                        _ => {
                            if prev_blank {
                                while stack.len() > 1
                                    && stack.last().is_some_and(|f| indent < f.content_indent)
                                {
                                    stack.pop();
                                }
                            }
                            let depth = stack.len().saturating_sub(1);
                            entries[e].notes.push(Note {
                                kind: NoteKind::Paragraph,
                                depth,
                                lines: i..i + 1,
                                subtree: i..i + 1,
                                text: body,
                                patch: None,
                                checkbox: None,
                                content_indent: indent,
                                mark: None,
                                mark_span: None,
                                text_start: abs(i, 0),
                            });
                            cur_note = Some(entries[e].notes.len() - 1);
                        }
                    }
                } else {
                    let in_list = !stack.is_empty()
                        && ((!prev_blank && !code)
                            || stack.first().is_some_and(|f| indent >= f.content_indent));
                    if !in_list {
                        close(&mut entries, &mut cur_entry, last_nonblank);
                        cur_note = None;
                        stack.clear();
                    }
                }
            }
        }
        prev_blank = false;
        if cur_entry.is_some() {
            last_nonblank = i;
        }
    }
    close(&mut entries, &mut cur_entry, last_nonblank);

    // Topic sections.
    let n = lines.len();
    for k in 0..topics.len() {
        let start = topics[k].line;
        let end = topics[k + 1..]
            .iter()
            .find(|t| match topics[k].kind {
                TopicKind::Heading => t.kind == TopicKind::Heading && t.level <= topics[k].level,
                TopicKind::Label => true,
            })
            .map_or(n, |t| t.line);
        topics[k].lines = start..end;
    }
    for (k, e) in entries.iter().enumerate() {
        if let Some(t) = e.topic {
            topics[t].entries.push(k);
        }
    }
    // Innermost topic of each line: sections nest and inner ones start
    // later, so filling in file order leaves the innermost.
    let mut topic_of_line: Vec<Option<usize>> = vec![None; n];
    for (k, t) in topics.iter().enumerate() {
        for slot in &mut topic_of_line[t.lines.clone()] {
            *slot = Some(k);
        }
    }
    let topic_at = |line: usize| topic_of_line.get(line).copied().flatten();
    // Note subtrees and other revisions.
    for e in &mut entries {
        let end = e.lines.end;
        for k in 0..e.notes.len() {
            let d = e.notes[k].depth;
            let stop = e.notes[k + 1..]
                .iter()
                .find(|m| match m.kind {
                    NoteKind::Item => m.depth <= d,
                    NoteKind::Paragraph => m.depth < d,
                })
                .map_or(end, |m| m.lines.start);
            e.notes[k].subtree = e.notes[k].lines.start..stop.max(e.notes[k].lines.end);
        }
        for note in &e.notes {
            if let Some(r) = other_revision(&note.text, note.lines.start) {
                e.other_revisions.push(r);
            }
        }
    }
    let mut entry_of_line: Vec<Option<usize>> = vec![None; n];
    for (k, e) in entries.iter().enumerate() {
        for slot in &mut entry_of_line[e.lines.clone()] {
            *slot = Some(k);
        }
    }
    let entry_at = |line: usize| entry_of_line.get(line).copied().flatten();
    for q in &mut questions {
        q.entry = entry_at(q.line);
        q.topic = topic_at(q.line);
        let note = q
            .entry
            .and_then(|e| entries[e].notes.iter().find(|n| n.lines.start == q.line));
        q.subtree = match note {
            Some(n) => n.subtree.clone(),
            None => {
                // A question outside entries: the lines indented under it.
                let mut end = q.line + 1;
                while end < n
                    && !matches!(kinds[end], Kind::Blank | Kind::Heading { .. })
                    && indent_of(&texts[end]).0 >= q.content_indent
                {
                    end += 1;
                }
                q.line..end
            }
        };
    }
    // Links.
    let mut links = Vec::new();
    for i in 0..n {
        if matches!(kinds[i], Kind::Text { code: true, .. } | Kind::Blank) {
            continue;
        }
        let entry = entry_at(i);
        for l in inline::scan_links(&texts[i]) {
            let span = abs(i, l.span.start)..abs(i, l.span.end);
            let is_entry_link =
                entry.is_some_and(|e| entries[e].line == i && entries[e].link_span == span);
            links.push(Link {
                line: i,
                text: inline::unescape(&texts[i][l.text.clone()]),
                kind: LinkKind::of(&l.url),
                url: l.url,
                span,
                entry,
                is_entry_link,
            });
        }
    }

    Notebook {
        src,
        fence_open,
        lines,
        topics,
        entries,
        questions,
        links,
    }
}

/// A token that can be a mark: short, no letters or digits, no link.
fn mark_like(tok: &str) -> bool {
    !tok.is_empty()
        && tok.chars().count() <= 6
        && !tok.chars().any(|c| c.is_ascii_alphanumeric() || c == '[')
}

fn is_not_merged_mark(tok: &str) -> bool {
    tok.trim_end_matches('\u{FE0F}') == crate::doc::NOT_MERGED_MARK
}

/// The blank-separated tokens of `s` with their byte ranges.
fn tokens(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (k, c) in s.char_indices() {
        match (c == ' ' || c == '\t', start) {
            (true, Some(st)) => {
                out.push((st, k));
                start = None;
            }
            (false, None) => start = Some(k),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Parses an entry's first-line text: `[marks] [date] [marks] [title](url)
/// rest`. A 🚧 among the marks says "not merged yet"; the others (📖, ✅, or
/// anything else, e.g. a damaged mark) are the progress mark.
fn entry_from(text: &str, line: usize, abs: &dyn Fn(usize) -> usize) -> Option<Entry> {
    // Marks may also come before the date: `🚧 2024-02-26 [...]`.
    let mut date_at = 0;
    if Date::parse_prefix(text).is_none() {
        let mut at = 0;
        for _ in 0..3 {
            let Some(sp) = text[at..].find([' ', '\t']).map(|k| at + k) else {
                break;
            };
            if !mark_like(&text[at..sp]) {
                break;
            }
            at = sp + (text[sp..].len() - text[sp..].trim_start().len());
            if Date::parse_prefix(&text[at..]).is_some() {
                date_at = at;
                break;
            }
        }
    }
    let (date, date_end) = match Date::parse_prefix(&text[date_at..]) {
        Some((d, k)) => (Some(d), date_at + k),
        None => (None, 0),
    };
    let rest = &text[date_end..];
    let lb = rest.find('[')?;
    let mark_raw = &rest[..lb];
    let after: Vec<(usize, usize)> = tokens(mark_raw)
        .into_iter()
        .map(|(s, e)| (date_end + s, date_end + e))
        .collect();
    if after.len() > 3 || after.iter().any(|&(s, e)| !mark_like(&text[s..e])) {
        return None;
    }
    let before: Vec<(usize, usize)> = tokens(&text[..date_at]);
    let not_merged = before
        .iter()
        .chain(&after)
        .any(|&(s, e)| is_not_merged_mark(&text[s..e]));
    // The progress mark: the other tokens after the date, else before it.
    let progress = |toks: &[(usize, usize)]| {
        let rest: Vec<&(usize, usize)> = toks
            .iter()
            .filter(|&&(s, e)| !is_not_merged_mark(&text[s..e]))
            .collect();
        Some((rest.first()?.0, rest.last()?.1))
    };
    let mark_at = progress(&after).or_else(|| progress(&before));
    let link = inline::link_at(text, date_end + lb)?;
    let title = inline::unescape(&text[link.text.clone()]);
    let message_id = lore::message_id_from_url(&link.url);
    let (subject, author) = split_title(&title, message_id.is_some());
    Some(Entry {
        topic: None,
        line,
        lines: line..line + 1,
        date,
        date_text: date.map(|_| text[date_at..date_end].to_owned()),
        mark: mark_at.map(|(s, e)| Mark::classify_pub(&text[s..e])),
        not_merged,
        mark_span: mark_at.map(|(s, e)| abs(s)..abs(e)),
        task_box: false,
        date_span: date.map(|_| abs(date_at)..abs(date_end)),
        link_span: abs(link.span.start)..abs(link.span.end),
        tags: inline::subject_tags(&subject),
        title,
        subject,
        author,
        url: link.url,
        message_id,
        other_revisions: Vec::new(),
        notes: Vec::new(),
        content_indent: 2,
        anchor: String::new(),
    })
}

/// `[PATCHv12 29/37] thp: ...` (not a link) names patch 29.
fn patch_counter(text: &str) -> Option<u32> {
    if !text.starts_with('[') || inline::link_at(text, 0).is_some() {
        return None;
    }
    let tags = inline::subject_tags(text);
    if tags.is_patch { tags.counter } else { None }
}

/// `v33 https://lore...` (or `v33: [..](https://lore...)`) in a note.
fn other_revision(text: &str, line: usize) -> Option<OtherRevision> {
    let t = text.trim_start();
    let rest = t.strip_prefix('v').or_else(|| t.strip_prefix('V'))?;
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    let version: u32 = rest[..digits].parse().ok()?;
    let after = rest[digits..].trim_start_matches([':', ' ', '\t']);
    let link = inline::scan_links(after).into_iter().next()?;
    if link.span.start != 0 {
        return None;
    }
    let message_id = lore::message_id_from_url(&link.url)?;
    Some(OtherRevision {
        version,
        message_id,
        line,
    })
}

impl Mark {
    pub(crate) fn classify_pub(s: &str) -> Mark {
        if s.contains(crate::doc::READING_MARK) {
            Mark::Reading
        } else if s.contains(crate::doc::READ_MARK) {
            Mark::Read
        } else {
            Mark::Other(s.to_owned())
        }
    }
}

/// A progress mark opening a note (`✅ mm: ...`, `📖 [PATCH 3/8] ...`):
/// the mark and its length in bytes, spaces after it included.
fn lead_mark(text: &str) -> (Option<Mark>, usize) {
    for (m, mark) in [
        (crate::doc::READ_MARK, Mark::Read),
        (crate::doc::READING_MARK, Mark::Reading),
    ] {
        if let Some(rest) = text.strip_prefix(m) {
            // An emoji may carry a variation selector (U+FE0F).
            let rest = rest.strip_prefix('\u{FE0F}').unwrap_or(rest);
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                let len = text.len() - rest.len();
                return (Some(mark), len);
            }
        }
    }
    (None, 0)
}
