//! The server's pages (maud: every interpolation is escaped; the only
//! pre-escaped HTML is the notebook's own pages, rendered by
//! `lpl_notebook::html`, which escapes every text itself).
//!
//! Mail fields pass through [`clean`] too: escaping stops markup, but not
//! bidirectional overrides (text that reads backwards) or control
//! characters, which are shown as visible marks instead.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use lpl_core::diff::RangeDiffView;
use lpl_core::notebook::html::PageParts;
use lpl_core::notebook::lore::{MessageId, escape_msgid};
use lpl_core::search::{NotebookHit, SearchResults};
use lpl_core::series::{SeriesSummary, ThreadLine, TrailerView};
use lpl_core::show::MessageView;
use lpl_core::{SeriesShown, ThreadView};

/// The server's style sheet: the notebook site's, plus the server's own.
pub fn css() -> String {
    format!(
        "{}\n{}",
        lpl_core::notebook::html::CSS,
        include_str!("web.css")
    )
}

/// `s` with bidirectional controls and other control characters (tab and
/// line feed kept) replaced by visible marks, so that no mail field can
/// reorder or hide the text around it.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                '\u{fffd}'
            }
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// The local URL of a message (lore's shape): `/MSGID/`.
pub fn msg_href(mid: &str) -> String {
    match MessageId::new(mid) {
        Some(id) => format!("/{}/", escape_msgid(id.as_str())),
        None => "/".into(),
    }
}

/// The local URL of a series page for a message of it, or a series id.
pub fn series_href(arg: &str) -> String {
    match MessageId::new(arg) {
        Some(id) => format!("/series/{}", escape_msgid(id.as_str())),
        None => "/series".into(),
    }
}

/// The page around `body`.
pub fn shell(title: &str, crumbs: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                // As the Referrer-Policy header says: `no-referrer` here
                // would override it, and Chromium then sends `Origin: null`
                // on the pages' own form posts, which the guard refuses.
                // Links to other sites still carry no referrer.
                meta name="referrer" content="same-origin";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (clean(title)) " · lpl" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    nav class="top" {
                        a href="/" { "Roadmap" } " · "
                        a href="/timeline" { "Timeline" } " · "
                        a href="/series" { "Series" } " · "
                        form class="search" method="get" action="/search" {
                            input type="search" name="q" placeholder="search (lei: s:, f:, dfn:, d:…)" aria-label="search";
                            button type="submit" { "Search" }
                        }
                    }
                    div class="crumbs" { (crumbs) }
                    h1 { (clean(title)) }
                }
                main { (body) }
            }
        }
    }
}

/// A page of the notebook's site (already escaped by its renderer), with
/// `before` above and `after` below its body.
pub fn notebook(parts: &PageParts, before: Option<Markup>, after: Option<Markup>) -> Markup {
    shell(
        &parts.title,
        PreEscaped(parts.crumbs.clone()),
        html! {
            @if let Some(b) = before { (b) }
            (PreEscaped(parts.body.clone()))
            @if let Some(a) = after { (a) }
        },
    )
}

/// An error page.
pub fn error(title: &str, detail: &str) -> Markup {
    shell(
        title,
        html! { a href="/" { "Roadmap" } },
        html! { p class="warn" { (clean(detail)) } },
    )
}

/// What the entry page's forms need.
#[derive(Debug, Clone)]
pub struct EntryForms {
    /// The entry's anchor.
    pub anchor: String,
    /// The CSRF token.
    pub token: String,
    /// The notebook's version as shown (an edit of another version is refused).
    pub rev: String,
    /// Its progress now (`read`, `reading`, `unread`).
    pub progress: Option<&'static str>,
    /// Its open questions: (index in the notebook, text).
    pub questions: Vec<(usize, String)>,
    /// A message to show (after an edit).
    pub flash: Option<String>,
}

/// The forms under an entry: a note, a question, an answer, the status.
pub fn entry_forms(f: &EntryForms) -> Markup {
    let action = |what: &str| format!("/entry/{}/{what}", f.anchor);
    let hidden = html! {
        input type="hidden" name="csrf" value=(f.token);
        input type="hidden" name="rev" value=(f.rev);
    };
    html! {
        section class="panel edit" id="edit" {
            h3 { "Edit your notes" }
            @if let Some(m) = &f.flash { p class="flash" { (m) } }
            form method="post" action=(action("note")) class="row" {
                (hidden)
                label for="note" { "Add a note" }
                textarea id="note" name="text" rows="2" required {}
                button type="submit" { "Add note" }
            }
            form method="post" action=(action("question")) class="row" {
                (hidden)
                label for="question" { "Ask a question" }
                input id="question" type="text" name="text" required;
                button type="submit" { "Add question" }
            }
            @for (q, text) in &f.questions {
                form method="post" action=(action("answer")) class="row" {
                    (hidden)
                    input type="hidden" name="question" value=(q);
                    label { "Answer: " (clean(text)) }
                    input type="text" name="text" placeholder="answer (optional: empty just ticks it)";
                    button type="submit" { "Answer" }
                }
            }
            form method="post" action=(action("status")) class="row" {
                (hidden)
                label for="status" { "Status" }
                select id="status" name="status" {
                    @for s in ["unread", "reading", "read"] {
                        option value=(s) selected[f.progress == Some(s)] { (s) }
                    }
                }
                button type="submit" { "Set status" }
            }
        }
    }
}

fn trailer_counts(c: &lpl_core::types::Counts) -> String {
    let mut v = Vec::new();
    if c.reviewed > 0 {
        v.push(format!("{} Reviewed-by", c.reviewed));
    }
    if c.acked > 0 {
        v.push(format!("{} Acked-by", c.acked));
    }
    if c.tested > 0 {
        v.push(format!("{} Tested-by", c.tested));
    }
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

fn trailers_list(t: &[TrailerView]) -> Markup {
    html! {
        @if !t.is_empty() {
            ul class="trailers" {
                @for x in t {
                    li {
                        (clean(&x.key)) ": " (clean(&x.value))
                        @if let Some(v) = x.carried_from_revision { span class="muted" { " (from v" (v) ")" } }
                        @if x.from_cover { span class="muted" { " (on the cover)" } }
                    }
                }
            }
        }
    }
}

/// A list of series (newest first).
pub fn series_list(list: &[SeriesSummary], title: &str) -> Markup {
    shell(
        title,
        html! { a href="/" { "Roadmap" } },
        html! {
            table {
                tr { th { "date" } th { "rev" } th { "series" } th { "author" } th { "patches" } th { "trailers" } }
                @for s in list {
                    tr {
                        td class="nowrap" { (lpl_core::time::date(s.date)) }
                        td { "v" (s.revision) }
                        td { a href=(series_href(&s.message_id)) { (clean(&s.title)) } }
                        td { (clean(s.author.as_deref().unwrap_or(&s.email))) }
                        td { (s.present) @if let Some(t) = s.total { "/" (t) } }
                        td { (trailer_counts(&s.trailers)) }
                    }
                }
            }
        },
    )
}

/// A series revision.
pub fn series(
    shown: &SeriesShown,
    svg: Option<Markup>,
    diff: Option<&RangeDiffView>,
    diff_text: Option<&str>,
) -> Markup {
    let v = &shown.view;
    let s = &v.summary;
    html! {
        p {
            span class="date" { (lpl_core::time::date(s.date)) }
            "v" (s.revision) " · " (clean(s.author.as_deref().unwrap_or(&s.email)))
            " · " (s.present) @if let Some(t) = s.total { "/" (t) } " patches"
            @if let Some(l) = &s.list { " · " (clean(l)) }
            " · " a href=(msg_href(&s.message_id)) { "message" }
            " · " a href={ (msg_href(&s.message_id)) "T/" } { "thread" }
            " · " a href={ (msg_href(&s.message_id)) "t.mbox.gz" } { "mbox" }
        }
        @if let Some(u) = &shown.upstream {
            p class="upstream" { "Upstream: " (clean(&u.summary())) }
        } @else {
            p class="muted" { "Upstream: unknown (no repository indexed: lpl upstream index)" }
        }
        p { "Trailers: " (trailer_counts(&s.trailers)) }
        h2 { "Revisions" }
        @if let Some(svg) = svg { div class="svg" { (svg) } }
        table {
            tr { th { "rev" } th { "date" } th { "title" } th { "patches" } th { "linked by" } }
            @for c in &v.chain {
                tr class=[c.current.then_some("rev-current")] {
                    td { a href=(series_href(&c.message_id)) { "v" (c.revision) } }
                    td class="nowrap" { (lpl_core::time::date(c.date)) }
                    td { (clean(&c.title)) }
                    td { (c.present) @if let Some(t) = c.total { "/" (t) } }
                    td class="muted" { @if let Some(r) = &c.reason { (format!("{r:?}")) } }
                }
            }
        }
        @if let Some((subject, body)) = &v.cover {
            h2 { "Cover letter" }
            p { strong { (clean(subject)) } }
            (mail_body(body))
        }
        (trailers_list(&v.cover_trailers))
        h2 { "Patches" }
        table {
            tr { th { "#" } th { "subject" } th { "files" } th { "trailers" } }
            @for p in &v.patches {
                tr id={ "p" (p.counter) } {
                    td { (p.counter) }
                    td { a href=(msg_href(&p.message_id)) { (clean(&p.subject)) }
                        @if p.inherited { span class="muted" { " (from an earlier revision)" } } }
                    td class="files" {
                        @for (f, a, d) in &p.files {
                            div { code { (clean(f)) } " " span class="add" { "+" (a) } " " span class="del" { "-" (d) } }
                        }
                    }
                    td { (trailer_counts(&p.counts)) (trailers_list(&p.trailers)) }
                }
            }
        }
        @if let (Some(d), Some(text)) = (diff, diff_text) {
            h2 id="range-diff" { "Range-diff v" (d.old.summary.revision) " → v" (d.new.summary.revision) }
            p class="muted" { (d.paired()) " patches paired" }
            @if let Some(cl) = &d.new.changelog {
                details { summary { "Changelog of v" (d.new.summary.revision) } pre { (clean(cl)) } }
            }
            (range_diff(text))
        }
    }
}

fn range_diff(text: &str) -> Markup {
    html! {
        pre class="diff" {
            @for line in text.lines() {
                @let t = line.trim_start();
                @let cls = if line.starts_with(|c: char| c.is_ascii_digit() || c == '-') && line.contains(':') { "hunk" }
                    else if t.starts_with("+") { "add" } else if t.starts_with("-") { "del" }
                    else if t.starts_with("@@") { "hunk" } else { "ctx" };
                span class=(cls) { (clean(line)) "\n" }
            }
        }
    }
}

/// A diff with a colour per line kind.
pub fn diff(text: &str) -> Markup {
    html! {
        pre class="diff" {
            @for line in text.lines() {
                @let cls = if line.starts_with("diff --git") || line.starts_with("index ") || line.starts_with("--- ") || line.starts_with("+++ ")
                    || line.starts_with("new file") || line.starts_with("deleted file") || line.starts_with("rename ") || line.starts_with("similarity ") { "dh" }
                    else if line.starts_with("@@") { "hunk" }
                    else if line.starts_with('+') { "add" }
                    else if line.starts_with('-') { "del" }
                    else { "ctx" };
                span class=(cls) { (clean(line)) "\n" }
            }
        }
    }
}

/// A mail body: quoted runs (`>` lines, with the blank lines between
/// them) folded into a closed `<details>` whose summary says how many
/// lines it holds and how the quote starts; a quote of one or two lines
/// stays open; the rest as written. Everything escaped.
pub fn mail_body(body: &str) -> Markup {
    let quoted = |l: &str| l.trim_start().starts_with('>');
    let lines: Vec<&str> = body.lines().collect();
    let mut blocks: Vec<(bool, Vec<&str>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // A blank line between two quoted lines is part of the quote.
        let q = quoted(line)
            || (line.trim().is_empty()
                && blocks.last().is_some_and(|(bq, _)| *bq)
                && lines[i + 1..]
                    .iter()
                    .find(|l| !l.trim().is_empty())
                    .is_some_and(|l| quoted(l)));
        match blocks.last_mut() {
            Some((bq, v)) if *bq == q => v.push(line),
            _ => blocks.push((q, vec![line])),
        }
    }
    html! {
        div class="body" {
            @for (q, lines) in &blocks {
                @if *q && lines.len() > 2 {
                    @let first = lines
                        .iter()
                        .map(|l| l.trim_start().trim_start_matches(['>', ' ']).trim())
                        .find(|l| !l.is_empty())
                        .unwrap_or("");
                    @let preview: String = first.chars().take(60).collect();
                    details class="quote" {
                        summary {
                            (lines.len()) " quoted lines"
                            @if !preview.is_empty() { ": " span class="muted" { (clean(&preview)) "…" } }
                        }
                        pre { (clean(&lines.join("\n"))) }
                    }
                } @else if *q {
                    pre class="quote" { (clean(&lines.join("\n"))) }
                } @else {
                    pre { (clean(&lines.join("\n"))) }
                }
            }
        }
    }
}

fn addr(a: &Option<lpl_core::types::Address>) -> String {
    a.as_ref().map(|a| a.display()).unwrap_or_default()
}

/// One message: headers, and its patch (commit message, notes, diffstat,
/// the diff coloured) or its body.
pub fn message_article(m: &MessageView, anchor: Option<&str>) -> Markup {
    html! {
        article class="msg" id=[anchor] {
            div class="hdr" {
                div { strong { (clean(&m.subject)) } }
                div class="muted" {
                    (clean(&addr(&m.from)))
                    @if let Some(d) = &m.date { " · " (lpl_core::time::datetime(d.timestamp, d.offset_minutes)) }
                }
                div class="muted small" {
                    a href=(msg_href(&m.message_id)) { "permalink" } " · "
                    a href={ (msg_href(&m.message_id)) "raw" } { "raw" } " · "
                    a href={ (msg_href(&m.message_id)) "T/" } { "thread" } " · "
                    a href={ (msg_href(&m.message_id)) "t.mbox.gz" } { "mbox.gz" } " · "
                    a href=(series_href(&m.message_id)) { "series" }
                    @if let Some(irt) = &m.in_reply_to { " · " a href=(msg_href(irt)) { "parent" } }
                }
            }
            @if let Some(p) = &m.patch {
                pre { (clean(&p.commit_message)) }
                @if let Some(n) = &p.notes { pre class="notes" { (clean(n)) } }
                @if let Some(ds) = &p.diffstat { pre class="muted" { (clean(ds)) } }
                (diff(&p.diff))
            } @else {
                (mail_body(&m.body))
            }
        }
    }
}

/// A message page: the message, then its replies inline.
pub fn message(m: &MessageView, replies: &[(u32, MessageView)], thread: &ThreadView) -> Markup {
    shell(
        &m.subject,
        html! {
            a href="/" { "Roadmap" } " / "
            a href=(series_href(&m.message_id)) { "series" } " / "
            a href={ (msg_href(&m.message_id)) "T/" } { "thread (" (thread.lines.len()) ")" }
        },
        html! {
            (message_article(m, Some("m")))
            @if !replies.is_empty() {
                h2 { "Replies" }
                @for (depth, r) in replies {
                    div class={ "reply d" ((*depth).min(8)) } { (message_article(r, None)) }
                }
            }
            h2 { "Thread" }
            (thread_tree(&thread.lines, &thread.focus))
        },
    )
}

/// The reply tree, each message a link to its page.
pub fn thread_tree(lines: &[ThreadLine], focus: &str) -> Markup {
    html! {
        ul class="tree" {
            @for l in lines {
                li class=[(l.message_id == focus).then_some("focus")] {
                    span class="indent" { (" ".repeat(l.depth.min(40) as usize * 2)) }
                    a href=(msg_href(&l.message_id)) {
                        (clean(l.subject.as_deref().unwrap_or("(no subject)")))
                    }
                    span class="muted" {
                        " " (clean(l.from.as_deref().unwrap_or("")))
                        @if let Some(d) = l.date { " " (lpl_core::time::date(d)) }
                    }
                    @for t in &l.trailers { " " span class="badge" { (clean(t)) } }
                }
            }
        }
    }
}

/// A whole thread (lore's `/T/`): the tree, then every message.
pub fn thread(t: &ThreadView, msgs: &[MessageView], left_out: usize) -> Markup {
    let title = msgs
        .first()
        .map(|m| m.subject.clone())
        .unwrap_or_else(|| "Thread".into());
    shell(
        &title,
        html! { a href="/" { "Roadmap" } " / thread of " (t.lines.len()) " messages" },
        html! {
            (thread_tree(&t.lines, &t.focus))
            @for (i, m) in msgs.iter().enumerate() {
                (message_article(m, Some(&format!("m{i}"))))
            }
            @if left_out > 0 { p class="muted" { (left_out) " more messages not shown" } }
        },
    )
}

/// The search page.
pub fn search(
    q: &str,
    results: Option<&SearchResults>,
    nb_hits: &[NotebookHit],
    error: Option<&str>,
) -> Markup {
    shell(
        if q.is_empty() { "Search" } else { q },
        html! { a href="/" { "Roadmap" } " / search" },
        html! {
            form method="get" action="/search" class="row" {
                input type="search" name="q" value=(q) size="60";
                button type="submit" { "Search" }
            }
            p class="muted" { "lei's language: " code { "s:folio f:willy d:2024-01-01.. dfn:mm/huge_memory.c" } }
            @if let Some(e) = error { p class="warn" { (clean(e)) } }
            @if !nb_hits.is_empty() {
                h2 { "In your notebook" }
                ul {
                    @for h in nb_hits {
                        li {
                            @if crate::guard::anchor_ok(&h.anchor) {
                                a href={ "/entry/" (h.anchor) } { (clean(&h.text)) }
                            } @else { (clean(&h.text)) }
                            span class="muted" { " " (h.kind) " · " (clean(&h.topic)) " · line " (h.line) }
                        }
                    }
                }
            }
            @if let Some(r) = results {
                @if !r.series.is_empty() {
                    h2 { "Series" }
                    ul {
                        @for s in &r.series {
                            li { span class="date" { (lpl_core::time::date(s.date)) }
                                a href=(series_href(&s.message_id)) { (clean(&s.title)) } " v" (s.revision) }
                        }
                    }
                }
                h2 { "Messages (" (r.total) ")" }
                ul {
                    @for h in &r.hits {
                        li {
                            @if let Some(d) = h.date { span class="date" { (lpl_core::time::date(d)) } }
                            a href=(msg_href(&h.message_id)) { (clean(&h.subject)) }
                            span class="muted" { " " (clean(&h.from)) }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_blocks_fold_closed_and_escaped() {
        let body = "On Mon, A wrote:\n> first <script>alert(1)</script>\n>\n\n> > deeper & more\n> last\nMy answer <b>here</b>.\n> one line\n";
        let html = mail_body(body).into_string();
        // One folded block: four quoted lines and the blank one between.
        assert_eq!(
            html.matches("<details class=\"quote\">").count(),
            1,
            "{html}"
        );
        assert!(!html.contains("<details class=\"quote\" open"), "{html}");
        assert!(html.contains("<summary>5 quoted lines: <span class=\"muted\">first &lt;script&gt;alert(1)&lt;/script&gt;…</span></summary>"), "{html}");
        assert!(html.contains("&gt; &gt; deeper &amp; more"), "{html}");
        // The answer and the attribution stay outside, escaped.
        let details_end = html.find("</details>").expect("end");
        let answer = html
            .find("My answer &lt;b&gt;here&lt;/b&gt;.")
            .expect("answer");
        assert!(answer > details_end);
        assert!(
            html.find("On Mon, A wrote:").expect("attribution")
                < html.find("<details").expect("details")
        );
        // A one-line quote is not folded.
        assert!(
            html.contains("<pre class=\"quote\">&gt; one line</pre>"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
    }
}
