//! `lpl series`, `lpl thread`, `lpl revisions`, `lpl am`, and the series
//! view of `lpl show`.

use std::path::PathBuf;

use lpl_core::SeriesShown;
use lpl_core::series::{self, SeriesFilter, SeriesSummary, SeriesView};
use lpl_core::time::{self, parse_day};
use lpl_core::types::Counts;

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// List patch series, newest first
///
/// One line per series (the latest revision of each chain unless --all):
/// short id, date, revision and the revisions known, patches present/total,
/// Acked/Reviewed/Tested counts, author and title. Words filter the title.
///
/// Examples:
///   lpl series folio split
///   lpl series --author ziy --since 2024-01-01
///   lpl series --all --json | jq '.[] | select(.complete | not)'
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Words that must all appear in the title
    words: Vec<String>,
    /// Author name or address contains this
    #[arg(long, short)]
    author: Option<String>,
    /// List-Id contains this (e.g. linux-mm, cgroups)
    #[arg(long, short)]
    list: Option<String>,
    /// Not before this date (YYYY-MM-DD)
    #[arg(long)]
    since: Option<String>,
    /// Not after this date (YYYY-MM-DD)
    #[arg(long)]
    until: Option<String>,
    /// Every revision, not only the latest of each chain
    #[arg(long)]
    all: bool,
    /// Include single patches and pull requests
    #[arg(long)]
    singles: bool,
    /// At most this many
    #[arg(long, short = 'n')]
    limit: Option<usize>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

fn counts(c: &Counts) -> String {
    format!("A{} R{} T{}", c.acked, c.reviewed, c.tested)
}

fn completeness(s: &SeriesSummary) -> String {
    match s.total {
        Some(t) => format!("{}/{}", s.present, t),
        None => format!("{}", s.present),
    }
}

fn revs(s: &SeriesSummary) -> String {
    let label = if s.label.is_empty() {
        format!("v{}", s.revision)
    } else {
        s.label.clone()
    };
    let label = match &s.backport {
        Some(b) => format!("{label} [{b}]"),
        None => label,
    };
    if s.versions.len() <= 1 {
        label
    } else {
        let all: Vec<String> = s
            .versions
            .iter()
            .map(|v| v.strip_prefix('v').unwrap_or(v).to_owned())
            .collect();
        format!("{label} ({})", all.join(","))
    }
}

pub fn list(app: &App, a: ListArgs) -> CmdResult {
    let ws = app.workspace()?;
    let f = SeriesFilter {
        words: a.words,
        author: a.author,
        list: a.list,
        since: a.since.as_deref().map(parse_day).transpose()?,
        until: a
            .until
            .as_deref()
            .map(parse_day)
            .transpose()?
            .map(|u| u + 86_399),
        all_revisions: a.all,
        singles: a.singles,
        limit: a.limit,
        ..Default::default()
    };
    let rows = ws.series(&f)?;
    if a.json {
        let mut out = app.plain();
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
        out.finish()?;
        return Ok(if rows.is_empty() { 1 } else { 0 });
    }
    if rows.is_empty() {
        return Err(CommandError::not_found("no series matched")
            .hint("lpl series --all --singles lists everything"));
    }
    let mut s = String::new();
    for r in &rows {
        let done = if r.complete {
            completeness(r)
        } else {
            style::paint(style::WARN, &format!("{}!", completeness(r)))
        };
        s.push_str(&format!(
            "{} {} {:<12} {:>6} {} {}  {}{}\n",
            style::paint(style::KEY, &r.id),
            time::date(r.date),
            revs(r),
            done,
            style::paint(style::DIM, &counts(&r.trailers)),
            style::paint(style::BOLD, r.author.as_deref().unwrap_or(&r.email)),
            if r.rfc { "RFC " } else { "" },
            style::inert(&r.title)
        ));
    }
    let mut out = app.output();
    out.write_str(&s)?;
    out.finish()?;
    Ok(0)
}

/// The series view; `notes[i]`: the review notes shown on patch `i`.
pub fn render_series(v: &SeriesView, notes: &[Vec<lpl_core::review::NoteView>]) -> String {
    let mut s = String::new();
    let sm = &v.summary;
    s.push_str(&format!("{}\n", style::paint(style::HEADER, &sm.subject)));
    s.push_str(&format!(
        "{} {}  {}  {}  {} patches{}  {}\n",
        style::paint(style::KEY, "series"),
        sm.id,
        time::date(sm.date),
        style::inert(
            &sm.author
                .as_deref()
                .map(|n| format!("{n} <{}>", sm.email))
                .unwrap_or_else(|| sm.email.clone())
        ),
        completeness(sm),
        if sm.missing.is_empty() {
            String::new()
        } else {
            style::paint(style::WARN, &format!(" (missing {:?})", sm.missing))
        },
        counts(&sm.trailers)
    ));
    if v.unthreaded {
        s.push_str(&format!(
            "{}\n",
            style::paint(
                style::DIM,
                "(sent without threading: assembled by sender, revision and time)"
            )
        ));
    }
    if let Some((id, body)) = &v.cover {
        s.push_str(&format!(
            "\n{} <{}>\n",
            style::paint(style::BOLD, "Cover letter"),
            style::inert(id)
        ));
        for l in style::inert_text(body).lines().take(40) {
            s.push_str(&format!("    {l}\n"));
        }
        if body.lines().count() > 40 {
            s.push_str(&format!(
                "    {}\n",
                style::paint(style::DIM, &format!("... (lpl show {id} --body for all)"))
            ));
        }
        for t in &v.cover_trailers {
            s.push_str(&format!(
                "    {}: {}{}\n",
                style::paint(style::KEY, &t.key),
                style::inert(&t.value),
                style::paint(style::DIM, "  (on the cover: for every patch)")
            ));
        }
    }
    s.push_str(&format!("\n{}\n", style::paint(style::BOLD, "Patches")));
    for (i, p) in v.patches.iter().enumerate() {
        let (add, del) = p.files.iter().fold((0, 0), |(a, d), f| (a + f.1, d + f.2));
        s.push_str(&format!(
            "  {:>2}. {}  {} {} {}{}\n",
            p.counter,
            style::inert(&p.subject),
            style::paint(style::ADD, &format!("+{add}")),
            style::paint(style::DEL, &format!("-{del}")),
            style::paint(style::DIM, &counts(&p.counts)),
            if p.inherited {
                style::paint(style::DIM, "  (from the previous revision)")
            } else {
                String::new()
            }
        ));
        s.push_str(&format!(
            "      {}\n",
            style::paint(style::DIM, &format!("<{}>", p.message_id))
        ));
        for f in &p.files {
            s.push_str(&format!(
                "      {}  +{} -{}\n",
                style::inert(&f.0),
                f.1,
                f.2
            ));
        }
        for t in &p.trailers {
            let mut note = String::new();
            if t.from_cover {
                note.push_str(" (cover)");
            }
            if let Some(v) = t.carried_from_revision {
                note.push_str(&format!(" (carried from v{v}, same patch-id)"));
            }
            if t.by_bot {
                note.push_str(" (written by a bot: not counted, not applied by am)");
            } else if t.giver_is_not_sender {
                note.push_str(
                    " (quoted: given by someone else than the reply's sender; not counted)",
                );
            }
            s.push_str(&format!(
                "      {}: {}{}\n",
                style::paint(style::KEY, &t.key),
                style::inert(&t.value),
                style::paint(style::WARN, &note)
            ));
        }
        for n in notes.get(i).into_iter().flatten() {
            let whence = match n.carried_from_revision {
                Some(r) => format!(" (written on v{r}, carried by the range-diff)"),
                None => String::new(),
            };
            s.push_str(&format!(
                "      {} {}{}\n",
                style::paint(style::WARN, &format!("note {}:", n.id)),
                style::inert(&n.text),
                style::paint(style::DIM, &whence)
            ));
        }
    }
    if v.chain.len() > 1 || !v.backports.is_empty() {
        s.push_str(&format!("\n{}\n", style::paint(style::BOLD, "Revisions")));
        s.push_str(&render_chain(&v.chain));
        s.push_str(&diff_hint(&v.chain));
        s.push_str(&render_backports(&v.backports));
    }
    s
}

/// The `lpl diff` line under a chain of several versions: what changed in
/// the current version since the one before it (or in the newest).
fn diff_hint(chain: &[series::ChainItem]) -> String {
    // One entry per version (its latest posting).
    let mut versions: Vec<&series::ChainItem> = Vec::new();
    let mut at = None;
    for c in chain {
        if c.repost
            && let Some(last) = versions.last_mut()
        {
            *last = c;
        } else {
            versions.push(c);
        }
        if c.current {
            at = Some(versions.len() - 1);
        }
    }
    if versions.len() < 2 {
        return String::new();
    }
    let at = at.unwrap_or(versions.len() - 1);
    let (older, newer) = if at == 0 {
        (versions[0], versions[1])
    } else {
        (versions[at - 1], versions[at])
    };
    let cmd = if older.revision == newer.revision {
        // RFC v1 -> v1: the numbers do not tell them apart.
        format!("lpl diff {} {}", older.id, newer.id)
    } else {
        format!(
            "lpl diff {} v{} v{}",
            newer.id, older.revision, newer.revision
        )
    };
    format!(
        "  {}\n",
        style::paint(
            style::DIM,
            &format!(
                "what changed from {} to {}: {cmd}",
                older.label, newer.label
            )
        )
    )
}

/// Why a revision follows the one above it: `same-title (90%): evidence`;
/// a manual link has no percentage.
fn link_why(c: &series::ChainItem) -> String {
    let Some(r) = c.reason else {
        return String::new();
    };
    let name = serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let pct = c
        .confidence
        .map(|p| format!(" ({:.0}%)", p * 100.0))
        .unwrap_or_default();
    let evidence = c
        .evidence
        .as_deref()
        .filter(|e| !e.is_empty())
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    format!("  <- {name}{pct}{evidence}")
}

fn chain_line(c: &series::ChainItem, why: &str) -> String {
    let label = match &c.backport {
        Some(b) => format!("{} [{b}]", c.label),
        None => c.label.clone(),
    };
    format!(
        "  {} {} {:>6} {} {}/{}  {}{}\n",
        if c.current { ">" } else { " " },
        style::paint(style::KEY, &c.id),
        if c.repost {
            "  \"".to_owned()
        } else {
            style::inert(&label).into_owned()
        },
        time::date(c.date),
        c.present,
        c.total.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
        style::inert(&c.title),
        style::paint(style::DIM, why)
    )
}

fn render_chain(chain: &[series::ChainItem]) -> String {
    let mut s = String::new();
    for c in chain {
        s.push_str(&chain_line(c, &link_why(c)));
    }
    s
}

/// Stable backports shown beside a chain (never inside it).
fn render_backports(backports: &[series::ChainItem]) -> String {
    let mut s = String::new();
    if backports.is_empty() {
        return s;
    }
    s.push_str(&format!(
        "  {}\n",
        style::paint(style::DIM, "stable backports (not revisions):")
    ));
    for b in backports {
        s.push_str(&chain_line(b, ""));
    }
    s
}

/// Renders the series view of `lpl show`.
pub fn render_shown(app: &App, sh: &SeriesShown, json: bool) -> CmdResult {
    if json {
        let mut out = app.plain();
        let mut val = serde_json::to_value(&sh.view)?;
        val["upstream"] = serde_json::to_value(&sh.upstream)?;
        val["review_notes"] = serde_json::to_value(&sh.review_notes)?;
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&val)?))?;
        return Ok(0);
    }
    let mut out = app.output();
    let mut text = render_series(&sh.view, &sh.review_notes);
    if let Some(st) = &sh.upstream {
        let line = format!(
            "{} {}\n",
            style::paint(style::KEY, "upstream:"),
            style::paint(style::BOLD, &st.summary())
        );
        let at = text.find('\n').map(|i| i + 1).unwrap_or(0);
        text.insert_str(at, &line);
    }
    out.write_str(&text)?;
    out.finish()?;
    Ok(0)
}

/// Show the reply tree of a thread
///
/// Example: lpl thread 20240226205534.1603748-1-zi.yan@sent.com
#[derive(clap::Args)]
pub struct ThreadArgs {
    /// Message-ID or lore URL of any message in the thread
    msgid: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn thread(app: &App, a: ThreadArgs) -> CmdResult {
    let ws = app.workspace()?;
    let t = ws.thread(&a.msgid)?;
    if a.json {
        let mut out = app.plain();
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&t.lines)?))?;
        return Ok(0);
    }
    let mut s = String::new();
    for l in &t.lines {
        let indent = "  ".repeat(l.depth.min(20) as usize);
        let mark = if l.message_id == t.focus { ">" } else { " " };
        match &l.subject {
            Some(subj) => s.push_str(&format!(
                "{mark}{} {indent}{}  {}\n",
                style::paint(style::DIM, &l.date.map(time::date).unwrap_or_default()),
                style::inert(subj),
                style::paint(style::KEY, l.from.as_deref().unwrap_or(""))
            )),
            None => s.push_str(&format!(
                "{mark}           {indent}{}\n",
                style::paint(
                    style::DIM,
                    &format!("[not in the archive] <{}>", l.message_id)
                )
            )),
        }
        for t in &l.trailers {
            s.push_str(&format!(
                "             {indent}  {}\n",
                style::paint(style::ADD, t)
            ));
        }
    }
    let mut out = app.output();
    out.write_str(&s)?;
    out.finish()?;
    Ok(0)
}

/// Show the revision chain of a series (v1 -> v2 -> ...), or correct it
///
/// A chain is a sequence of versions, RFCs first (RFC, RFC v2, then v1,
/// v2...); a version sent more than once (a RESEND, again to more lists,
/// a month later) shows its further postings as `"` under it. Each link
/// says why it was made and on what evidence: change-id, in-reply-to (the
/// new version was sent into the old one's thread), was-title (the subject
/// says "(was OLD TITLE)"), changelog-link (the cover links to the older
/// version: "v1: https://lore.kernel.org/..."), same-title (same
/// normalised title from the same sender), similar-patches (the title drifted but files, patch titles and
/// patch-ids agree), repost, manual (yours: no percentage). Stable
/// backports (`[PATCH 6.12.y]`) are listed beside the chain, never in it.
/// Corrections with `link` and `unlink` are kept in the archive and survive
/// re-imports.
///
/// Examples:
///   lpl revisions 20240226205534.1603748-1-zi.yan@sent.com
///   lpl revisions --link OLDER NEWER
///   lpl revisions --unlink OLDER NEWER
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RevisionsArgs {
    /// Series (short id, Message-ID or lore URL)
    series: Option<String>,
    /// Link two revisions (OLDER NEWER) as consecutive revisions of one work
    #[arg(long, num_args = 2, value_names = ["OLDER", "NEWER"], conflicts_with_all = ["series", "unlink"])]
    link: Option<Vec<String>>,
    /// Declare two revisions (OLDER NEWER) unrelated
    #[arg(long, num_args = 2, value_names = ["OLDER", "NEWER"], conflicts_with = "series")]
    unlink: Option<Vec<String>>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn revisions(app: &App, a: RevisionsArgs) -> CmdResult {
    if let Some((pair, link)) = a
        .link
        .as_ref()
        .map(|p| (p, true))
        .or_else(|| a.unlink.as_ref().map(|p| (p, false)))
    {
        let mut ws = app.workspace_existing_rw()?;
        let chain = ws.set_revision_link(&pair[0], &pair[1], link)?;
        let mut out = app.plain();
        out.write_str(&format!(
            "{}ed; the chain is now:\n{}",
            if link { "link" } else { "unlink" },
            render_chain(&chain)
        ))?;
        return Ok(0);
    }
    let ws = app.workspace()?;
    let arg = a
        .series
        .ok_or_else(|| CommandError::user("name a series, or use --link/--unlink OLDER NEWER"))?;
    let c = ws.revisions(&arg)?;
    let b = ws.backports(&arg)?;
    let mut out = app.plain();
    if a.json {
        let v = serde_json::json!({"chain": c, "backports": b});
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        out.write_str(&render_chain(&c))?;
        out.write_str(&diff_hint(&c))?;
        out.write_str(&render_backports(&b))?;
    }
    Ok(0)
}

/// Write a `git am`-ready mbox of a series, with collected trailers folded in
///
/// Like `b4 am`: the patches of one revision in order, each with the
/// Reviewed-by/Acked-by/Tested-by given in replies (to the patch, or to the
/// cover for every patch) added to its trailers.
///
/// Examples:
///   lpl am 20240226205534.1603748-1-zi.yan@sent.com -o split.mbx && git am split.mbx
///   lpl am SERIES -v 3 | git am
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AmArgs {
    /// Series (short id, Message-ID or lore URL)
    series: String,
    /// Revision of the chain to export (default: the one named)
    #[arg(short = 'v', long = "revision", value_name = "N")]
    version: Option<u32>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn am(app: &App, a: AmArgs) -> CmdResult {
    let ws = app.workspace()?;
    let x = ws.am(&a.series, a.version)?;
    let (mbox, n, sm) = (x.mbox, x.patches, x.summary);
    match a.output {
        Some(p) => {
            std::fs::write(&p, &mbox)
                .map_err(|e| CommandError::user(format!("cannot write {}: {e}", p.display())))?;
            eprintln!(
                "wrote {n} patches of {} \"{}\" to {}",
                if sm.label.is_empty() {
                    format!("v{}", sm.revision)
                } else {
                    sm.label.clone()
                },
                sm.title,
                p.display()
            );
        }
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            o.write_all(&mbox)?;
            o.flush()?;
        }
    }
    if !sm.complete {
        eprintln!(
            "warning: this revision is incomplete (missing patches {:?})",
            sm.missing
        );
    }
    Ok(0)
}
