//! Each view as rows of text: what is drawn, and what Enter opens.
//!
//! Rows do not depend on the terminal's width (long lines are cut at the
//! edge, as tig and mutt do), so a resize only redraws.

use std::collections::HashSet;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use lpl_core::notebook::check::{CheckReport, EntryCheck, Found, Stale};
use lpl_core::notebook::{Notebook, Progress};
use lpl_core::present::{LineKind, classify};
use lpl_core::search::SearchResults;
use lpl_core::series::SeriesSummary;
use lpl_core::show::MessageView;
use lpl_core::types::SeriesStatus;
use lpl_core::{Reply, SeriesShown, ThreadView};

use crate::sanitize::clean;
use crate::theme::Theme;

/// What Enter on a row opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    None,
    /// A notebook entry (index into its entries).
    Entry(usize),
    /// A series (series id or Message-ID).
    Series(String),
    /// A message.
    Message(String),
    /// A block of quoted text, folded or not (its first line's number).
    Fold(usize),
    /// The upstream status of the series shown.
    Upstream,
    /// A web page (an upstream commit).
    Url(String),
}

/// One row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub line: Line<'static>,
    pub target: Target,
    /// Starts a section (Tab moves between them).
    pub section: bool,
    /// The text, for finding (`/`, n, N).
    pub text: String,
}

impl Row {
    fn new(spans: Vec<Span<'static>>, target: Target) -> Row {
        let text = spans.iter().map(|s| s.content.as_ref()).collect();
        Row {
            line: Line::from(spans),
            target,
            section: false,
            text,
        }
    }

    fn text(s: impl Into<String>, style: Style) -> Row {
        Row::new(vec![Span::styled(s.into(), style)], Target::None)
    }

    fn section(title: impl Into<String>, t: &Theme) -> Row {
        let mut r = Row::text(title, t.section);
        r.section = true;
        r
    }
}

fn date(ts: i64) -> String {
    lpl_core::time::date(ts)
}

/// Text lines coloured by kind; quoted blocks longer than two lines folded
/// into one row unless their first line is in `expanded`. `base` numbers
/// the lines (so that folds of several texts in one view do not collide).
fn text_rows(
    text: &str,
    indent: usize,
    base: usize,
    expanded: &HashSet<usize>,
    t: &Theme,
    out: &mut Vec<Row>,
) {
    let pad = " ".repeat(indent);
    let lines = classify(text);
    let mut i = 0;
    while i < lines.len() {
        let (kind, line) = lines[i];
        if let LineKind::Quote(_) = kind {
            let end = lines[i..]
                .iter()
                .position(|(k, _)| !matches!(k, LineKind::Quote(_)))
                .map_or(lines.len(), |n| i + n);
            let n = end - i;
            if n > 2 && !expanded.contains(&(base + i)) {
                out.push(Row::new(
                    vec![Span::styled(
                        format!("{pad}[> {n} quoted lines folded: Enter or z shows them]"),
                        t.dim,
                    )],
                    Target::Fold(base + i),
                ));
                i = end;
                continue;
            }
            for (k, (_, l)) in lines[i..end].iter().enumerate() {
                let target = if n > 2 && k == 0 {
                    Target::Fold(base + i)
                } else {
                    Target::None
                };
                out.push(Row::new(
                    vec![Span::styled(format!("{pad}{}", clean(l)), t.quote)],
                    target,
                ));
            }
            i = end;
            continue;
        }
        let style = match kind {
            LineKind::Plain | LineKind::Quote(_) => t.plain,
            LineKind::DiffFile => t.file,
            LineKind::DiffHunk => t.hunk,
            LineKind::DiffAdd => t.add,
            LineKind::DiffRemove => t.remove,
            LineKind::DiffContext => t.plain,
            LineKind::Trailer => t.trailer,
            LineKind::Signature => t.dim,
        };
        out.push(Row::text(format!("{pad}{}", clean(line)), style));
        i += 1;
    }
}

// ------------------------------------------------------------ roadmap

fn progress_mark(p: Option<Progress>) -> &'static str {
    match p {
        Some(Progress::Read) => "✅",
        Some(Progress::Reading) => "📖",
        _ => "  ",
    }
}

fn badges(c: &EntryCheck, t: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    match c.found {
        Found::ByMessageId | Found::ByOtherRevision | Found::BySubject => {
            let v = c
                .linked_revision
                .or(c.series.as_ref().map(|s| s.revision))
                .map_or("in archive".to_owned(), |v| format!("v{v}"));
            out.push(Span::styled(v, t.good));
        }
        Found::NotFound => out.push(Span::styled("not in archive", t.dim)),
        Found::NotASeries => {}
    }
    for s in &c.stale {
        if let Stale::NewerRevision { latest, .. } = s {
            out.push(Span::styled(format!("→v{latest}"), t.warn));
        }
    }
    if c.open_questions > 0 {
        out.push(Span::styled(format!("?{}", c.open_questions), t.warn));
    }
    if c.marked_not_merged {
        let merged = c
            .stale
            .iter()
            .any(|s| matches!(s, Stale::MarkedNotMergedButMerged { .. }));
        out.push(Span::styled(
            if merged { "🚧 but merged" } else { "🚧" },
            if merged { t.warn } else { t.plain },
        ));
    } else if let Some(m) = c.upstream.as_ref().filter(|u| u.is_merged()) {
        out.push(Span::styled(clean(&m.what), t.good));
    }
    let mut spaced = Vec::new();
    for (i, s) in out.into_iter().enumerate() {
        if i > 0 {
            spaced.push(Span::raw(" "));
        }
        spaced.push(s);
    }
    spaced
}

/// The roadmap: topics, their entries with badges and (unless hidden)
/// their notes.
pub(crate) fn roadmap(
    nb: &Notebook,
    check: Option<&CheckReport>,
    notes: bool,
    t: &Theme,
) -> Vec<Row> {
    let mut out = Vec::new();
    let by_entry = |e: usize| check.and_then(|c| c.entries.iter().find(|x| x.entry == e));
    let mut last_topic = None;
    for (i, e) in nb.entries().iter().enumerate() {
        if e.topic != last_topic {
            last_topic = e.topic;
            if let Some(ti) = e.topic {
                let tp = &nb.topics()[ti];
                let depth = usize::from(tp.level.saturating_sub(2)).min(4);
                let mut r = Row::text(
                    format!("{}{}", "  ".repeat(depth), clean(&tp.title)),
                    t.section,
                );
                r.section = true;
                out.push(r);
            }
        }
        let mut spans = vec![
            Span::raw(" "),
            Span::raw(progress_mark(e.progress())),
            Span::raw(" "),
            Span::styled(e.date.map_or("          ".to_owned(), |d| d.iso()), t.dim),
            Span::raw(" "),
        ];
        if let Some(c) = by_entry(i) {
            let b = badges(c, t);
            if !b.is_empty() {
                spans.push(Span::raw("["));
                spans.extend(b);
                spans.push(Span::raw("] "));
            }
        } else if e.is_series() && check.is_none() {
            spans.push(Span::styled("[…] ", t.dim));
        }
        let style = if e.is_series() { t.title } else { t.plain };
        spans.push(Span::styled(clean(&e.title), style));
        out.push(Row::new(spans, Target::Entry(i)));
        if notes {
            for n in &e.notes {
                let pad = "  ".repeat(n.depth.min(6) + 3);
                let style = match n.checkbox {
                    Some(false) => t.warn,
                    Some(true) => t.dim,
                    None => t.plain,
                };
                let mark = match n.checkbox {
                    Some(false) => "[ ] ",
                    Some(true) => "[x] ",
                    None => "- ",
                };
                let mut r = Row::text(format!("{pad}{mark}{}", clean(&n.text)), style);
                r.target = Target::Entry(i);
                out.push(r);
            }
        }
    }
    if out.is_empty() {
        out.push(Row::text(
            "(no entries: add one with `lpl notebook add SERIES --topic T`)",
            t.dim,
        ));
    }
    out
}

// ------------------------------------------------------------ lists

/// One series as a list row.
fn series_row(s: &SeriesSummary, t: &Theme) -> Row {
    let total = s.total.map_or("?".to_owned(), |n| n.to_string());
    Row::new(
        vec![
            Span::styled(format!("{:<8} ", s.id), t.dim),
            Span::raw(format!("{} ", date(s.date))),
            Span::styled(format!("v{:<2} ", s.revision), t.good),
            Span::raw(format!("{:>5} ", format!("{}/{}", s.present, total))),
            Span::styled(
                format!(
                    "A{} R{} T{} ",
                    s.trailers.acked, s.trailers.reviewed, s.trailers.tested
                ),
                t.dim,
            ),
            Span::styled(
                format!("{:<18.18} ", clean(s.author.as_deref().unwrap_or(&s.email))),
                t.plain,
            ),
            Span::styled(clean(&s.title), t.title),
        ],
        Target::Series(s.message_id.clone()),
    )
}

/// Series, newest first: `list` as read (with the filter typed), or those
/// of it matching every word of `filter` (title or author,
/// case-insensitive) while the archive's rows for it are read; `filtered`:
/// a filter is typed; `more`: rows follow those read.
pub(crate) fn series_list(
    list: &[SeriesSummary],
    filter: Option<&str>,
    filtered: bool,
    more: bool,
    t: &Theme,
) -> Vec<Row> {
    let words: Vec<String> = filter
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut rows: Vec<Row> = list
        .iter()
        .filter(|s| {
            let hay = format!(
                "{} {} {}",
                s.title,
                s.author.as_deref().unwrap_or(""),
                s.email
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .map(|s| series_row(s, t))
        .collect();
    if rows.is_empty() {
        return vec![Row::text(
            if !filtered {
                "(no series in the archive: lpl import, lpl fetch or lpl sync bring mail in)"
            } else {
                "(no series matches the filter)"
            },
            t.dim,
        )];
    }
    if more {
        rows.push(Row::text("… (more are read as you scroll)", t.dim));
    }
    rows
}

/// Search hits.
pub(crate) fn search(r: &SearchResults, query: &str, t: &Theme) -> Vec<Row> {
    let mut out = vec![Row::section(
        format!(
            "{} matches for {}{}",
            r.total,
            clean(query),
            if r.total > r.hits.len() {
                format!(" (first {} shown)", r.hits.len())
            } else {
                String::new()
            }
        ),
        t,
    )];
    for h in &r.hits {
        out.push(Row::new(
            vec![
                Span::raw(format!("{} ", h.date.map_or("          ".to_owned(), date))),
                Span::styled(format!("{:<18.18} ", clean(&h.from)), t.dim),
                Span::raw(clean(&h.subject)),
                Span::styled(
                    h.series
                        .as_ref()
                        .map_or(String::new(), |s| format!("  [{s}]")),
                    t.dim,
                ),
            ],
            Target::Message(h.message_id.clone()),
        ));
    }
    out
}

// ------------------------------------------------------------ series

/// A series: summary, upstream, revisions, patches, cover letter.
pub(crate) fn series(s: &SeriesShown, expanded: &HashSet<usize>, t: &Theme) -> Vec<Row> {
    let v = &s.view;
    let sm = &v.summary;
    let mut out = vec![Row::text(clean(&sm.subject), t.title)];
    out.push(Row::text(
        format!(
            "v{} · {} <{}> · {} · {}/{} patches{} · {}",
            sm.revision,
            clean(sm.author.as_deref().unwrap_or("")),
            clean(&sm.email),
            date(sm.date),
            sm.present,
            sm.total.map_or("?".into(), |n| n.to_string()),
            if sm.missing.is_empty() {
                String::new()
            } else {
                format!(
                    " (missing {})",
                    sm.missing
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                )
            },
            clean(sm.list.as_deref().unwrap_or("")),
        ),
        t.dim,
    ));
    out.push(Row::text(
        format!(
            "trailers: Reviewed-by {}, Acked-by {}, Tested-by {}",
            sm.trailers.reviewed, sm.trailers.acked, sm.trailers.tested
        ),
        t.dim,
    ));
    let up = match &s.upstream {
        Some(st) => Row::new(
            vec![
                Span::raw("upstream: "),
                Span::styled(st.summary(), t.good),
                Span::styled("  (Enter: the commits)", t.dim),
            ],
            Target::Upstream,
        ),
        None => Row::text(
            "upstream: unknown (no upstream index: lpl upstream index ~/linux)",
            t.dim,
        ),
    };
    out.push(up);
    out.push(Row::section(
        format!(
            "Revisions ({})  d: range-diff with the one before",
            v.chain.len()
        ),
        t,
    ));
    for c in &v.chain {
        out.push(Row::new(
            vec![
                Span::raw(if c.current { " * " } else { "   " }),
                Span::styled(format!("v{:<3}", c.revision), t.good),
                Span::raw(format!(
                    "{} {:>5}  ",
                    date(c.date),
                    format!(
                        "{}/{}",
                        c.present,
                        c.total.map_or("?".into(), |n| n.to_string())
                    )
                )),
                Span::raw(clean(&c.title)),
                Span::styled(
                    c.reason
                        .as_ref()
                        .map_or(String::new(), |r| format!("  ({r:?})")),
                    t.dim,
                ),
            ],
            Target::Series(c.message_id.clone()),
        ));
    }
    out.push(Row::section(format!("Patches ({})", v.patches.len()), t));
    for p in &v.patches {
        let (add, del) = p.files.iter().fold((0, 0), |(a, d), f| (a + f.1, d + f.2));
        out.push(Row::new(
            vec![
                Span::styled(
                    format!(
                        "{:>3}/{} ",
                        p.counter,
                        sm.total.map_or("?".into(), |n| n.to_string())
                    ),
                    t.good,
                ),
                Span::raw(clean(&p.subject)),
                Span::styled(format!("  +{add} -{del}"), t.dim),
                Span::styled(
                    format!(
                        "  R{} A{} T{}",
                        p.counts.reviewed, p.counts.acked, p.counts.tested
                    ),
                    t.dim,
                ),
            ],
            Target::Message(p.message_id.clone()),
        ));
        for (path, a, d) in &p.files {
            let mut r = Row::new(
                vec![
                    Span::raw(format!("        {} ", clean(path))),
                    Span::styled(format!("+{a}"), t.add),
                    Span::raw(" "),
                    Span::styled(format!("-{d}"), t.remove),
                ],
                Target::Message(p.message_id.clone()),
            );
            r.line = r.line.style(t.dim);
            out.push(r);
        }
        for tr in &p.trailers {
            out.push(Row::new(
                vec![Span::styled(
                    format!(
                        "        {}: {}{}",
                        clean(&tr.key),
                        clean(&tr.value),
                        tr.carried_from_revision
                            .map_or(String::new(), |r| format!(" (from v{r})"))
                    ),
                    t.trailer,
                )],
                Target::Message(p.message_id.clone()),
            ));
        }
    }
    if let Some((_, body)) = &v.cover {
        out.push(Row::section("Cover letter", t));
        text_rows(body, 2, 0, expanded, t, &mut out);
    }
    out
}

/// The merge status of a series, patch by patch, each commit a link.
pub(crate) fn upstream(st: &SeriesStatus, t: &Theme) -> Vec<Row> {
    let mut out = vec![Row::section(format!("{}: {}", st.label, st.summary()), t)];
    for (i, p) in st.patches.iter().enumerate() {
        out.push(Row::text(
            format!("{:>3}. <{}>", i + 1, clean(&p.message_id)),
            t.plain,
        ));
        if p.matches.is_empty() {
            out.push(Row::text("       not merged", t.dim));
        }
        for m in &p.matches {
            let hex = m.commit.to_hex();
            out.push(Row::new(
                vec![
                    Span::styled(format!("       {}", &hex[..12.min(hex.len())]), t.good),
                    Span::styled(
                        format!(
                            "  {:?} {:.2}{}",
                            m.method,
                            m.score,
                            m.first_tag
                                .as_deref()
                                .map_or(String::new(), |t| format!("  first in {}", clean(t)))
                        ),
                        t.dim,
                    ),
                ],
                Target::Url(format!(
                    "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id={hex}"
                )),
            ));
        }
    }
    out
}

// ------------------------------------------------------------ messages

fn message_header(m: &MessageView, t: &Theme, out: &mut Vec<Row>) {
    out.push(Row::text(clean(&m.subject), t.title));
    let from = m
        .from
        .as_ref()
        .map_or(String::new(), |a| clean(&a.display()));
    let when = m.date.map_or(String::new(), |d| {
        lpl_core::time::datetime(d.timestamp, d.offset_minutes)
    });
    out.push(Row::text(format!("From: {from}   Date: {when}"), t.dim));
    out.push(Row::text(
        format!("Message-ID: <{}>", clean(&m.message_id)),
        t.dim,
    ));
}

/// A message (a patch: its commit message, diffstat and diff), then the
/// replies below it, quoted text folded.
pub(crate) fn message(
    copies: &[MessageView],
    replies: &[Reply],
    expanded: &HashSet<usize>,
    t: &Theme,
) -> Vec<Row> {
    let mut out = Vec::new();
    let Some(m) = copies.first() else {
        return vec![Row::text("(no such message)", t.dim)];
    };
    message_header(m, t, &mut out);
    out.push(Row::text("", t.plain));
    // Fold numbers: 0.. for the message, 100_000 * (k + 1) for reply k.
    match &m.patch {
        Some(p) => {
            if let Some(a) = &p.author {
                out.push(Row::text(format!("Author: {}", clean(&a.display())), t.dim));
            }
            text_rows(&p.commit_message, 0, 0, expanded, t, &mut out);
            for tr in &p.trailers {
                out.push(Row::text(
                    format!("{}: {}", clean(&tr.key), clean(&tr.value)),
                    t.trailer,
                ));
            }
            out.push(Row::text("---", t.dim));
            if let Some(n) = &p.notes {
                text_rows(n, 0, 50_000, expanded, t, &mut out);
            }
            if let Some(ds) = &p.diffstat {
                for l in ds.lines() {
                    out.push(Row::text(clean(l), t.plain));
                }
            }
            let mut first = true;
            for (kind, line) in classify(&p.diff) {
                let style = match kind {
                    LineKind::DiffFile => t.file,
                    LineKind::DiffHunk => t.hunk,
                    LineKind::DiffAdd => t.add,
                    LineKind::DiffRemove => t.remove,
                    _ => t.plain,
                };
                let mut r = Row::text(clean(line), style);
                if line.starts_with("diff --git ") || first {
                    r.section = true;
                    first = false;
                }
                out.push(r);
            }
        }
        None => text_rows(&m.body, 0, 0, expanded, t, &mut out),
    }
    let mut head = Row::section(format!("Replies ({})", replies.len()), t);
    head.section = true;
    out.push(Row::text("", t.plain));
    out.push(head);
    for (k, r) in replies.iter().enumerate() {
        let pad = "  ".repeat((r.depth as usize).min(6));
        let rm = &r.message;
        let mut row = Row::new(
            vec![
                Span::raw(pad.clone()),
                Span::styled("↳ ", t.dim),
                Span::styled(
                    rm.from.as_ref().map_or(String::new(), |a| {
                        clean(a.name.as_deref().unwrap_or(&a.email))
                    }),
                    t.title,
                ),
                Span::styled(
                    format!(
                        "  {}  {}",
                        rm.date.map_or(String::new(), |d| date(d.timestamp)),
                        clean(&rm.subject)
                    ),
                    t.dim,
                ),
            ],
            Target::Message(rm.message_id.clone()),
        );
        row.section = true;
        out.push(row);
        text_rows(
            &rm.body,
            pad.len() + 2,
            100_000 * (k + 1),
            expanded,
            t,
            &mut out,
        );
    }
    out
}

/// The reply tree of a thread.
pub(crate) fn thread(v: &ThreadView, t: &Theme) -> Vec<Row> {
    v.lines
        .iter()
        .map(|l| {
            let pad = "  ".repeat((l.depth as usize).min(12));
            let focus = if l.message_id == v.focus { ">" } else { " " };
            match &l.subject {
                Some(s) => Row::new(
                    vec![
                        Span::raw(focus),
                        Span::styled(
                            format!("{} ", l.date.map_or("          ".into(), date)),
                            t.dim,
                        ),
                        Span::raw(pad),
                        Span::raw(clean(s)),
                        Span::styled(
                            format!("  {}", clean(l.from.as_deref().unwrap_or(""))),
                            t.dim,
                        ),
                        Span::styled(
                            if l.trailers.is_empty() {
                                String::new()
                            } else {
                                format!("  {}", clean(&l.trailers.join(", ")))
                            },
                            t.trailer,
                        ),
                    ],
                    Target::Message(l.message_id.clone()),
                ),
                None => Row::text(
                    format!(
                        "{focus}           {pad}(not in the archive) <{}>",
                        clean(&l.message_id)
                    ),
                    t.dim,
                ),
            }
        })
        .collect()
}

/// A range-diff in git's layout.
pub(crate) fn range_diff(text: &str, t: &Theme) -> Vec<Row> {
    text.lines()
        .map(|l| {
            let body = l.trim_start_matches(' ');
            let indented = l.len() - body.len() >= 4;
            let style = if !l.starts_with(' ') {
                t.title
            } else if indented && body.starts_with('+') {
                t.add
            } else if indented && body.starts_with('-') {
                t.remove
            } else if indented && body.starts_with("@@") {
                t.hunk
            } else {
                t.plain
            };
            let mut r = Row::text(clean(l), style);
            r.section = !l.starts_with(' ');
            r
        })
        .collect()
}
