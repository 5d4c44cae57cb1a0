//! A static HTML site of the notebook: pure (pages as strings); writing it
//! is [`crate::fsio::write_site`].
//!
//! `index.html` has the topic tree, every topic's entries and the open
//! questions; `timeline.html` the dated entries by year; `entries/ANCHOR.html`
//! shows one entry: the user's notes and questions beside the series from
//! the archive (revisions, patches with diffstats and trailers, cover
//! letter). Links between pages are relative and the CSS is inline, so the
//! site works from `file://` offline. Every text is escaped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::archive::{Archive, CodeChange, CodeView, SeriesView, TrailerCounts};
use crate::check::{self, EntryCheck, Found, Stale};
use crate::doc::{Entry, Mark, NoteKind, Notebook, TopicKind};
use crate::inline;
use crate::lore;

/// One page of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the site root (`index.html`, `entries/x.html`).
    pub path: String,
    /// The document.
    pub html: String,
}

/// The rendered site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Pages: `index.html`, `timeline.html`, then one per entry.
    pub pages: Vec<Page>,
}

/// The site's style sheet, inlined into every page of the static site (no
/// external files); a server serves it as a file of its own.
pub const CSS: &str = include_str!("html.css");

/// Where the pages' links go: the same pages are a static site (relative
/// files, messages on lore) or a local server's pages (its own URLs, lore's
/// URL shapes for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// `index.html`, `timeline.html`, `entries/ANCHOR.html`; messages and
    /// revisions link lore.kernel.org.
    Static,
    /// `/`, `/timeline`, `/entry/ANCHOR`; a message is `/MSGID/` and a
    /// series `/series/MSGID` (the server's own pages).
    Served,
}

/// One page of the notebook (see [`render_page`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The topic tree, every topic's entries, the open questions.
    Index,
    /// Dated entries by year.
    Timeline,
    /// One entry (index into [`Notebook::entries`]).
    Entry(usize),
}

/// A page's parts, for a shell of the caller's own (a server's, with its
/// navigation); [`render`] wraps them in the static site's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageParts {
    /// The title (plain text).
    pub title: String,
    /// The breadcrumbs (HTML).
    pub crumbs: String,
    /// The main content (HTML, every text escaped).
    pub body: String,
}

/// Links as seen from a page `depth` directories below the site root.
#[derive(Clone, Copy)]
struct Ln {
    links: Links,
    depth: usize,
}

impl Ln {
    fn up(&self) -> &'static str {
        if self.depth == 0 { "" } else { "../" }
    }
    fn index(&self) -> String {
        match self.links {
            Links::Static => format!("{}index.html", self.up()),
            Links::Served => "/".into(),
        }
    }
    fn timeline(&self) -> String {
        match self.links {
            Links::Static => format!("{}timeline.html", self.up()),
            Links::Served => "/timeline".into(),
        }
    }
    fn entry(&self, e: &Entry) -> String {
        match self.links {
            Links::Static => format!("{}entries/{}.html", self.up(), e.anchor),
            Links::Served => format!("/entry/{}", e.anchor),
        }
    }
    fn message(&self, id: &lore::MessageId) -> String {
        match self.links {
            Links::Static => lore::lore_url(None, id),
            Links::Served => format!("/{}/", lore::escape_msgid(id.as_str())),
        }
    }
    fn series(&self, id: &lore::MessageId) -> String {
        match self.links {
            Links::Static => lore::lore_url(None, id),
            Links::Served => format!("/series/{}", lore::escape_msgid(id.as_str())),
        }
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidi overrides and isolates would reorder what follows
            // them on the page; other controls have no business there.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => out.push('\u{fffd}'),
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of every rendered page: no script, no
/// plug-in, no remote style or font, no form; the inline style sheet and
/// images of the site itself only. A link that got through anyway cannot
/// run code in the page.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `url` as a link target, if it is safe to follow: `http:`, `https:` and
/// `mailto:` URLs, and relative references (no scheme). Anything else
/// (`javascript:`, `data:`, `vbscript:`, `file:` ...) is `None`. The scheme
/// is read as a browser reads it: after dropping leading and trailing
/// spaces and control characters, and the tabs and line breaks inside.
pub fn safe_href(url: &str) -> Option<String> {
    let u: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if u.chars().any(char::is_control) {
        return None;
    }
    let end = u.find([':', '/', '?', '#']);
    match end.map(|i| (i, u.as_bytes()[i])) {
        Some((i, b':')) => {
            let scheme = u[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto").then_some(u)
        }
        _ => Some(u),
    }
}

/// A link to `url` with `text_html` as its text, when the URL is safe to
/// follow (see [`safe_href`]); otherwise the text alone.
fn ext_link(url: &str, text_html: &str) -> String {
    match safe_href(url) {
        Some(u) => format!(
            "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
            escape(&u),
            text_html
        ),
        None => text_html.to_owned(),
    }
}

/// Inline Markdown to HTML: links and code spans; everything else escaped.
pub fn inline_html(s: &str) -> String {
    let mut out = String::new();
    let mut pos = 0;
    let links = inline::scan_links(s);
    let emit_text = |out: &mut String, t: &str| {
        // Code spans within plain text.
        let mut i = 0;
        while let Some(k) = t[i..].find('`') {
            let start = i + k;
            match inline::code_span_end(t, start) {
                Some(end) => {
                    let n = t[start..].bytes().take_while(|&b| b == b'`').count();
                    out.push_str(&escape(&inline::unescape(&t[i..start])));
                    out.push_str("<code>");
                    out.push_str(&escape(t[start + n..end - n].trim()));
                    out.push_str("</code>");
                    i = end;
                }
                None => {
                    out.push_str(&escape(&inline::unescape(&t[i..start + 1])));
                    i = start + 1;
                }
            }
        }
        out.push_str(&escape(&inline::unescape(&t[i..])));
    };
    for l in links {
        emit_text(&mut out, &s[pos..l.span.start]);
        let text = if l.text.is_empty() {
            escape(&l.url)
        } else {
            let mut t = String::new();
            let inner = &s[l.text.clone()];
            let mut inner_out = String::new();
            emit_text(&mut inner_out, inner);
            t.push_str(&inner_out);
            t
        };
        out.push_str(&ext_link(&l.url, &text));
        pos = l.span.end;
    }
    emit_text(&mut out, &s[pos..]);
    out
}

fn page(title: &str, crumbs: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{CSS}</style></head><body>\
<header><div class=\"crumbs\">{crumbs}</div><h1>{}</h1></header><main>{body}</main></body></html>\n",
        escape(title),
        escape(title)
    )
}

/// `YYYY-MM-DD` for unix seconds (UTC).
pub fn ymd(secs: i64) -> String {
    crate::doc::Date::from_unix(secs).iso()
}

fn mark_html(e: &Entry) -> String {
    let wip = if e.not_merged {
        "<span class=\"mark\" title=\"not merged yet (your mark)\">🚧</span>"
    } else {
        ""
    };
    let progress: String = match &e.mark {
        Some(Mark::Reading) => "<span class=\"mark\" title=\"reading\">📖</span>".into(),
        Some(Mark::Read) => "<span class=\"mark\" title=\"read\">✅</span>".into(),
        Some(Mark::Unread) => "<span class=\"mark muted\" title=\"not read yet\">☐</span>".into(),
        Some(Mark::Other(s)) => format!(
            "<span class=\"mark muted\" title=\"mark\">{}</span>",
            escape(s)
        ),
        None => String::new(),
    };
    format!("{wip}{progress}")
}

fn badges(c: &EntryCheck) -> String {
    let mut s = String::new();
    match c.found {
        Found::ByMessageId | Found::ByOtherRevision | Found::BySubject => {
            let known: Vec<String> = c.revisions.iter().map(|v| format!("v{v}")).collect();
            let revs = match (c.linked_revision, c.latest) {
                (Some(l), _) if !c.linked_in_archive => {
                    format!(": {} (the linked v{l} is not)", known.join(", "))
                }
                (Some(l), Some(t)) if l != t => format!(" v{l} of v{t}"),
                (_, Some(t)) => format!(" v{t}"),
                _ => String::new(),
            };
            let _ = write!(
                s,
                "<span class=\"badge found\">in archive{}</span>",
                escape(&revs)
            );
        }
        Found::NotFound => s.push_str("<span class=\"badge missing\">not in archive</span>"),
        Found::NotASeries => {}
    }
    if !c.stale.is_empty() {
        s.push_str("<span class=\"badge stale\">stale</span>");
    }
    if c.open_questions > 0 {
        let _ = write!(
            s,
            "<span class=\"badge q\">{} open ?</span>",
            c.open_questions
        );
    }
    s
}

fn entry_li(nb: &Notebook, c: &EntryCheck, ln: Ln, with_topic: bool) -> String {
    let e = &nb.entries()[c.entry];
    let date = e
        .date
        .map(|d| format!("<span class=\"date\">{}</span>", d.iso()))
        .unwrap_or_default();
    let topic = if with_topic {
        format!("<span class=\"topic\">{}</span>", escape(&c.topic))
    } else {
        String::new()
    };
    format!(
        "{date}{}<a href=\"{}\">{}</a>{}{topic}",
        mark_html(e),
        escape(&ln.entry(e)),
        escape(&e.title),
        badges(c)
    )
}

fn topic_id(t: usize) -> String {
    format!("topic-{t}")
}

fn topic_title(nb: &Notebook, t: usize) -> String {
    let title = &nb.topics()[t].title;
    if title.is_empty() {
        "(untitled)".into()
    } else {
        title.clone()
    }
}

/// The call chains' links (see [`crate::code`]): where the indexed tree
/// defines each name, and the series that changed it.
#[derive(Default)]
struct CodeLinks {
    /// Note (entry, note) to the name it is.
    names: HashMap<(usize, usize), String>,
    defs: HashMap<String, CodeView>,
    /// Filled for the static site, which has a page per name.
    history: HashMap<String, Vec<CodeChange>>,
}

fn code_links(nb: &Notebook, archive: &dyn Archive, history: bool) -> CodeLinks {
    let mut out = CodeLinks::default();
    if archive.code_tree().is_none() {
        return out;
    }
    for c in crate::code::chain_names(nb) {
        if !out.defs.contains_key(&c.name)
            && let Some(d) = archive.code_definition(&c.name)
        {
            out.defs.insert(c.name.clone(), d);
        }
        if history && !out.history.contains_key(&c.name) {
            out.history
                .insert(c.name.clone(), archive.code_history(&c.name));
        }
        out.names.insert((c.entry, c.note), c.name);
    }
    out
}

/// A call-chain name as HTML: linked to its definition, with its
/// history's page beside it (static site).
fn code_name_html(name: &str, code: &CodeLinks, ln: Ln) -> String {
    let mut s = match code.defs.get(name) {
        Some(d) => {
            let title = format!("{} {}:{}", d.tree, d.path, d.line);
            match d.url.as_deref().and_then(safe_href) {
                Some(u) => format!(
                    "<a class=\"code\" href=\"{}\" title=\"{}\" rel=\"noreferrer\"><code>{}</code></a>",
                    escape(&u),
                    escape(&title),
                    escape(name)
                ),
                None => format!("<code title=\"{}\">{}</code>", escape(&title), escape(name)),
            }
        }
        None => format!(
            "<code class=\"undefined\" title=\"not defined in the indexed tree\">{}</code>",
            escape(name)
        ),
    };
    if ln.links == Links::Static
        && let Some(h) = code.history.get(name)
    {
        let _ = write!(
            s,
            " <a class=\"muted\" href=\"{}code/{}.html\">history ({})</a>",
            ln.up(),
            escape(name),
            h.len()
        );
    }
    s
}

/// The page of one call-chain name: its definition and every series
/// revision that changed it.
fn code_page(name: &str, code: &CodeLinks, ln: Ln) -> PageParts {
    let mut b = String::new();
    match code.defs.get(name) {
        Some(d) => {
            let at = format!("{}:{}", d.path, d.line);
            let _ = write!(
                b,
                "<p>Defined in {} at {}.</p>",
                escape(&d.tree),
                match d.url.as_deref() {
                    Some(u) => ext_link(u, &escape(&at)),
                    None => escape(&at),
                }
            );
        }
        None => b.push_str(
            "<p class=\"warn\">Not defined in the indexed tree (renamed or removed?).</p>",
        ),
    }
    let changes = code.history.get(name).map(Vec::as_slice).unwrap_or(&[]);
    if changes.is_empty() {
        b.push_str("<p class=\"muted\">No series in the archive changes it.</p>");
    } else {
        b.push_str("<h3>Series that change it</h3><ul>");
        for c in changes {
            let _ = write!(
                b,
                "<li><span class=\"date\">{}</span> {} <span class=\"muted\">v{}</span></li>",
                ymd(c.date),
                ext_link(&ln.series(&c.message_id), &escape(&c.title)),
                c.revision
            );
        }
        b.push_str("</ul>");
    }
    PageParts {
        title: name.to_owned(),
        crumbs: format!("<a href=\"{}\">Notebook</a>", escape(&ln.index())),
        body: b,
    }
}

/// Renders the static site.
pub fn render(nb: &Notebook, archive: &dyn Archive) -> Site {
    let report = check::check(nb, archive);
    let stats = check::stats(nb, &report);
    let mut pages = Vec::new();
    let mut push = |path: String, p: PageParts| {
        pages.push(Page {
            path,
            html: page(&p.title, &p.crumbs, &p.body),
        })
    };
    let top = Ln {
        links: Links::Static,
        depth: 0,
    };
    push("index.html".into(), index_parts(nb, &report, &stats, top));
    push("timeline.html".into(), timeline_parts(nb, &report, top));
    let below = Ln { depth: 1, ..top };
    let code = code_links(nb, archive, true);
    for (i, e) in nb.entries().iter().enumerate() {
        push(
            format!("entries/{}.html", e.anchor),
            entry_parts(nb, &report.entries[i], &code, below),
        );
    }
    let mut names: Vec<&String> = code.history.keys().collect();
    names.sort();
    for name in names {
        push(format!("code/{name}.html"), code_page(name, &code, below));
    }
    Site { pages }
}

/// Renders one page with `links`; `None` when the entry does not exist.
///
/// The index and the timeline check every entry against `archive`; an
/// entry's page checks that entry alone. What a page shows of a series
/// is what `archive` gives: a caller that serves the index from a light
/// archive (no diffstats, cover letters or range-diffs, which the index
/// does not show) gives an entry's page the whole view.
pub fn render_page(
    nb: &Notebook,
    archive: &dyn Archive,
    links: Links,
    which: Which,
) -> Option<PageParts> {
    Some(match which {
        Which::Index => {
            let report = check::check(nb, archive);
            index_parts(
                nb,
                &report,
                &check::stats(nb, &report),
                Ln { links, depth: 0 },
            )
        }
        Which::Timeline => timeline_parts(nb, &check::check(nb, archive), Ln { links, depth: 0 }),
        Which::Entry(i) => entry_parts(
            nb,
            &check::check_entry(nb, archive, i)?,
            &code_links(nb, archive, false),
            Ln { links, depth: 1 },
        ),
    })
}

fn index_parts(
    nb: &Notebook,
    report: &check::CheckReport,
    stats: &check::Stats,
    ln: Ln,
) -> PageParts {
    // Index.
    let mut b = String::new();
    let _ = write!(
        b,
        "<p class=\"muted\">{} entries in {} topics · {} read, {} reading · {} series, {} in the archive · {} open questions · <a href=\"{}\">timeline</a> · <a href=\"#questions\">questions</a></p>",
        stats.entries,
        nb.topics().len(),
        stats.read,
        stats.reading,
        stats.series,
        stats.found,
        stats.open_questions,
        escape(&ln.timeline())
    );
    b.push_str("<div class=\"toc panel\"><strong>Topics</strong>");
    toc(nb, None, stats, &mut b);
    b.push_str("</div>");
    for (t, topic) in nb.topics().iter().enumerate() {
        let h = if topic.kind == TopicKind::Label || topic.level > 2 {
            "h3"
        } else {
            "h2"
        };
        let path = nb.topic_path(t).join(" / ");
        let _ = write!(
            b,
            "<{h} id=\"{}\">{}</{h}>",
            topic_id(t),
            escape(if path.trim().is_empty() {
                "(untitled)"
            } else {
                &path
            })
        );
        if topic.entries.is_empty() {
            continue;
        }
        b.push_str("<ul class=\"entries\">");
        for &e in &topic.entries {
            let _ = write!(
                b,
                "<li>{}</li>",
                entry_li(nb, &report.entries[e], ln, false)
            );
        }
        b.push_str("</ul>");
    }
    // Questions.
    b.push_str("<h2 id=\"questions\">Open questions</h2><ul>");
    for q in nb.questions().iter().filter(|q| !q.answered) {
        let whereabouts = match q.entry {
            Some(e) => {
                let en = &nb.entries()[e];
                format!(
                    " — <a href=\"{}\">{}</a>",
                    escape(&ln.entry(en)),
                    escape(&en.title)
                )
            }
            None => String::new(),
        };
        let _ = write!(
            b,
            "<li><span class=\"question\">{}</span>{whereabouts} <span class=\"muted\">line {}</span></li>",
            inline_html(&q.text),
            q.line + 1
        );
    }
    b.push_str("</ul>");
    PageParts {
        title: "Notebook".into(),
        crumbs: "linux-patch-learn".into(),
        body: b,
    }
}

fn timeline_parts(nb: &Notebook, report: &check::CheckReport, ln: Ln) -> PageParts {
    // Timeline.
    let mut b = String::new();
    let _ = write!(
        b,
        "<p class=\"muted\">Dated entries, newest first. <a href=\"{0}\">Topics</a> · <a href=\"{0}#questions\">open questions</a></p><div class=\"timeline\">",
        escape(&ln.index())
    );
    let mut by_year: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, e) in nb.entries().iter().enumerate() {
        if let Some(d) = e.date {
            by_year.entry(d.year).or_default().push(i);
        }
    }
    for (year, mut list) in by_year.into_iter().rev() {
        list.sort_by_key(|&i| std::cmp::Reverse(nb.entries()[i].date));
        let _ = write!(b, "<div class=\"year\">{year}</div>");
        for i in list {
            let _ = write!(
                b,
                "<div class=\"tl-item\">{}</div>",
                entry_li(nb, &report.entries[i], ln, true)
            );
        }
    }
    let undated: Vec<usize> = (0..nb.entries().len())
        .filter(|&i| nb.entries()[i].date.is_none())
        .collect();
    if !undated.is_empty() {
        b.push_str("<div class=\"year\">undated</div>");
        for i in undated {
            let _ = write!(
                b,
                "<div class=\"tl-item\">{}</div>",
                entry_li(nb, &report.entries[i], ln, true)
            );
        }
    }
    b.push_str("</div>");
    PageParts {
        title: "Timeline".into(),
        crumbs: format!("<a href=\"{}\">Notebook</a>", escape(&ln.index())),
        body: b,
    }
}

fn entry_parts(nb: &Notebook, c: &EntryCheck, code: &CodeLinks, ln: Ln) -> PageParts {
    let n = nb.entries().len();
    let i = c.entry;
    let e = &nb.entries()[i];
    let mut b = String::new();
    let _ = write!(
        b,
        "<p>{}{}{}{}</p>",
        e.date
            .map(|d| format!("<span class=\"date\">{}</span>", d.iso()))
            .unwrap_or_default(),
        mark_html(e),
        ext_link(&e.url, &escape(&e.url)),
        badges(c)
    );
    if let Some(id) = &e.message_id {
        let _ = write!(
            b,
            "<p class=\"muted\">Message-ID: <code>{}</code></p>",
            escape(id.as_str())
        );
    }
    for s in &c.stale {
        let msg = match s {
            Stale::NewerRevision {
                linked,
                latest,
                latest_message_id,
            } => format!(
                "A newer revision exists: you link v{linked}, the latest is {}.",
                ext_link(&ln.message(latest_message_id), &format!("v{latest}"))
            ),
            Stale::MarkedNotMergedButMerged { merged } => format!(
                "Marked 🚧 (not merged yet), but upstream: {}.",
                escape(merged)
            ),
            Stale::TitleMismatch { notebook, archive } => format!(
                "The link's title ({}) differs from the archived subject ({}): wrong link?",
                escape(notebook),
                escape(archive)
            ),
        };
        let _ = write!(b, "<div class=\"warn\">{msg}</div>");
    }
    b.push_str("<div class=\"cols\"><section class=\"panel notes\"><h3>Your notes</h3>");
    notes_html(nb, i, c.series.as_ref(), code, ln, &mut b);
    if !c.reading.is_empty() {
        b.push_str("<h3>Reading</h3><ul class=\"reading\">");
        for r in &c.reading {
            let label = if r.text.is_empty() { &r.url } else { &r.text };
            let _ = write!(
                b,
                "<li>{} <span class=\"muted\">{} · line {} · {}</span></li>",
                ext_link(&r.url, &escape(label)),
                if r.kind == "lwn" { "LWN" } else { "paper" },
                r.line,
                r.why
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section><section class=\"panel\"><h3>In the archive</h3>");
    match &c.series {
        Some(s) => series_html(
            s,
            c,
            &patch_notes_html(e, s),
            e.message_id.as_ref(),
            ln,
            &mut b,
        ),
        None => {
            let why = match c.found {
                Found::NotASeries => "Not a mailing-list series.",
                _ => "Not in the archive.",
            };
            let _ = write!(b, "<p class=\"muted\">{why}</p>");
        }
    }
    b.push_str("</section></div><nav class=\"pager\">");
    if i > 0 {
        let p = &nb.entries()[i - 1];
        let _ = write!(
            b,
            "<a href=\"{}\">← {}</a>",
            escape(&ln.entry(p)),
            escape(&p.title)
        );
    } else {
        b.push_str("<span></span>");
    }
    let _ = write!(b, "<a href=\"{}\">index</a>", escape(&ln.index()));
    if i + 1 < n {
        let p = &nb.entries()[i + 1];
        let _ = write!(
            b,
            "<a href=\"{}\">{} →</a>",
            escape(&ln.entry(p)),
            escape(&p.title)
        );
    } else {
        b.push_str("<span></span>");
    }
    b.push_str("</nav>");
    let topic_link = e
        .topic
        .map(|t| {
            format!(
                " / <a href=\"{}#{}\">{}</a>",
                escape(&ln.index()),
                topic_id(t),
                escape(&topic_title(nb, t))
            )
        })
        .unwrap_or_default();
    let crumbs = format!(
        "<a href=\"{}\">Notebook</a>{topic_link}",
        escape(&ln.index())
    );
    PageParts {
        title: e.title.clone(),
        crumbs,
        body: b,
    }
}

/// ` · 3 read, 1 reading · 2 merged · 1 🚧 · 1 open ?` for a topic.
fn progress_text(st: &check::TopicStats) -> String {
    let mut s = format!(" · {} read", st.read);
    if st.reading > 0 {
        s.push_str(&format!(", {} reading", st.reading));
    }
    if st.merged > 0 {
        s.push_str(&format!(" · {} merged", st.merged));
    }
    if st.marked_not_merged > 0 {
        s.push_str(&format!(" · {} 🚧", st.marked_not_merged));
    }
    if st.open_questions > 0 {
        s.push_str(&format!(" · {} open ?", st.open_questions));
    }
    s
}

/// The learner's notes on each patch (by counter), as HTML: the bullet and
/// what is nested under it.
fn patch_notes_html(e: &Entry, s: &SeriesView) -> BTreeMap<u32, String> {
    let mut out: BTreeMap<u32, String> = BTreeMap::new();
    for (k, counter) in crate::patches::patch_notes(e, &s.patches) {
        let n = &e.notes[k];
        let mut h = String::new();
        for m in e
            .notes
            .iter()
            .filter(|m| n.subtree.contains(&m.lines.start) && m.lines.start >= n.lines.start)
        {
            let _ = write!(
                h,
                "<div class=\"pnote\" style=\"margin-left:{}em\">{}</div>",
                m.depth.saturating_sub(1),
                m.text
                    .lines()
                    .map(inline_html)
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
        out.entry(counter).or_default().push_str(&h);
    }
    out
}

fn toc(nb: &Notebook, parent: Option<usize>, stats: &check::Stats, b: &mut String) {
    let kids: Vec<usize> = (0..nb.topics().len())
        .filter(|&t| nb.topics()[t].parent == parent)
        .collect();
    if kids.is_empty() {
        return;
    }
    b.push_str("<ul>");
    for t in kids {
        let st = &stats.topics[t];
        let _ = write!(
            b,
            "<li><a href=\"#{}\">{}</a> <span class=\"muted\">{}</span>",
            topic_id(t),
            escape(&topic_title(nb, t)),
            match st.entries {
                0 => String::new(),
                1 => format!("1 entry{}", progress_text(st)),
                n => format!("{n} entries{}", progress_text(st)),
            }
        );
        toc(nb, Some(t), stats, b);
        b.push_str("</li>");
    }
    b.push_str("</ul>");
}

fn notes_html(
    nb: &Notebook,
    i: usize,
    series: Option<&SeriesView>,
    code: &CodeLinks,
    ln: Ln,
    b: &mut String,
) {
    let e = &nb.entries()[i];
    if e.notes.is_empty() {
        b.push_str("<p class=\"muted\">No notes yet.</p>");
        return;
    }
    let mut depth = 0usize;
    for (k, n) in e.notes.iter().enumerate() {
        let want = match n.kind {
            NoteKind::Item => n.depth,
            NoteKind::Paragraph => n.depth.max(depth.min(n.depth + 1)).max(n.depth),
        };
        let want = want.max(1);
        while depth < want {
            b.push_str("<ul>");
            depth += 1;
        }
        while depth > want {
            b.push_str("</ul>");
            depth -= 1;
        }
        let body: String = match code.names.get(&(i, k)) {
            // A call-chain bullet: the name linked, the remark after it.
            Some(name) => {
                let rest = n.text.trim_start()[name.len()..].trim_start_matches("()");
                format!("{}{}", code_name_html(name, code, ln), inline_html(rest))
            }
            None => n
                .text
                .lines()
                .map(inline_html)
                .collect::<Vec<_>>()
                .join("<br>"),
        };
        // A per-patch note links the patch's row in the archive panel.
        let body = match (n.patch, series) {
            (Some(p), Some(s)) if s.patches.iter().any(|x| x.counter == p) => {
                format!("{body} <a href=\"#p{p}\" title=\"patch {p} in the archive\">↗</a>")
            }
            _ => body,
        };
        let body = match n.checkbox {
            Some(false) => format!("<span class=\"question\">☐ {body}</span>"),
            Some(true) => format!("<span class=\"question done\">☑ {body}</span>"),
            None => body,
        };
        let style = if n.kind == NoteKind::Paragraph {
            " style=\"list-style:none\""
        } else {
            ""
        };
        let _ = write!(b, "<li id=\"n{k}\"{style}>{body}</li>");
    }
    while depth > 0 {
        b.push_str("</ul>");
        depth -= 1;
    }
}

fn trailers_text(t: &TrailerCounts) -> String {
    let mut v = Vec::new();
    if t.reviewed_by > 0 {
        v.push(format!("{} Reviewed-by", t.reviewed_by));
    }
    if t.acked_by > 0 {
        v.push(format!("{} Acked-by", t.acked_by));
    }
    if t.tested_by > 0 {
        v.push(format!("{} Tested-by", t.tested_by));
    }
    if t.other > 0 {
        v.push(format!("{} other", t.other));
    }
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

fn series_html(
    s: &SeriesView,
    c: &EntryCheck,
    notes: &BTreeMap<u32, String>,
    linked_id: Option<&lore::MessageId>,
    ln: Ln,
    b: &mut String,
) {
    let _ = write!(
        b,
        "<p><strong>{}</strong><br><span class=\"muted\">{} · {}</span></p>",
        escape(&s.title),
        escape(&s.author),
        s.date.map(ymd).unwrap_or_default()
    );
    if let Some(m) = s.upstream.as_ref().filter(|u| u.repository.is_some()) {
        let _ = write!(b, "<p>Upstream: {}</p>", escape(&m.what));
    }
    let _ = write!(
        b,
        "<p>Trailers: {}</p>",
        escape(&trailers_text(&s.trailers))
    );
    b.push_str("<h3>Revisions</h3><table><tr><th>rev</th><th>date</th><th>subject</th></tr>");
    for r in &s.revisions {
        let cls = if Some(r.version) == c.linked_revision {
            " class=\"rev-current\""
        } else {
            ""
        };
        let _ = write!(
            b,
            "<tr{cls}><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td></tr>",
            ext_link(&ln.series(&r.message_id), &format!("v{}", r.version)),
            r.date.map(ymd).unwrap_or_default(),
            escape(&r.subject)
        );
    }
    b.push_str("</table>");
    if !s.patches.is_empty() {
        let _ = write!(
            b,
            "<h3>Patches of v{}</h3><table><tr><th>#</th><th>subject</th><th>trailers</th><th>your notes</th></tr>",
            s.revision
        );
        for p in &s.patches {
            let stat = p
                .diffstat
                .as_ref()
                .map(|d| format!("<details><summary class=\"muted\">diffstat</summary><pre>{}</pre></details>", escape(d)))
                .unwrap_or_default();
            let linked = if Some(&p.message_id) == linked_id {
                " class=\"rev-current\" title=\"the patch your entry links\""
            } else {
                ""
            };
            let _ = write!(
                b,
                "<tr id=\"p{}\"{linked}><td>{}</td><td>{}{stat}</td><td>{}</td><td class=\"pnotes\">{}</td></tr>",
                p.counter,
                p.counter,
                ext_link(&ln.message(&p.message_id), &escape(&p.subject)),
                escape(&trailers_text(&p.trailers)),
                notes.get(&p.counter).map(String::as_str).unwrap_or("")
            );
        }
        b.push_str("</table>");
    }
    if let Some(d) = &s.previous_diff {
        let _ = write!(
            b,
            "<h3>Changes since v{}</h3><details><summary class=\"muted\">range-diff v{} → v{}, as git range-diff shows it (lpl diff)</summary><pre class=\"range-diff\">{}</pre></details>",
            d.from_revision,
            d.from_revision,
            s.revision,
            escape(&d.text)
        );
    }
    if let Some(cover) = &s.cover_body {
        let _ = write!(b, "<h3>Cover letter</h3><pre>{}</pre>", escape(cover));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_inlines() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            inline_html("see `a<b>` and [x](https://e.org/?a=1&b=2) <script>"),
            "see <code>a&lt;b&gt;</code> and <a href=\"https://e.org/?a=1&amp;b=2\" rel=\"noreferrer\">x</a> &lt;script&gt;"
        );
        assert_eq!(inline_html("[x](javascript:alert(1))"), "x");
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(1_708_980_934), "2024-02-26");
    }
}
