//! `lpl search QUERY`: lore/lei query language over the local archive.

use lpl_core::{SearchOptions, time};

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// Search the archive with lore's query language
///
/// Prefixes (as on lore.kernel.org and in lei): s: subject, f: from, t: to,
/// c: cc, a: any address, tc: to+cc, l: list-id, b: body, bs: subject+body,
/// nq: non-quoted text, q: quoted text, n: attachment file name,
/// m: Message-ID, d: date range (d:2024-01-01..2024-03-01, d:20240101..,
/// d:..2.weeks.ago, d:last.month..), dt: the same by the second
/// (dt:20240101120000..), rt: received time (rt:last.week.., or unix
/// seconds), and on patches: dfn: file name, dfa: removed lines, dfb: added lines,
/// dfctx: context lines, dfhh: hunk header (as on lore: the last line
/// before the hunk that starts at column 0, usually the enclosing function,
/// but the one before when a hunk starts between two), dfpre:/dfpost:
/// blob ids, patchid:. lpl adds dffn: the functions and macros a hunk
/// really changes, worked out from the diff's own lines (definitions,
/// their bodies and closing braces, #define) in C files; lore has no such
/// prefix. Combine with AND, OR, NOT, -, (...), "phrases" and trailing *.
/// Bare words search subject and body.
///
/// Examples:
///   lpl search 's:folio f:willy d:2024-01-01..'
///   lpl search 'dfn:mm/huge_memory.c dfhh:split_huge_page' --series
///   lpl search 'dffn:split_page_memcg' --series   # every series changing it
///   lpl search 'b:"deferred split" -s:Re' --date --limit 20 --json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The query
    #[arg(required_unless_present = "reindex")]
    query: Vec<String>,
    /// At most this many results
    #[arg(long, short = 'n', default_value_t = 50)]
    limit: usize,
    /// Newest first instead of best match first
    #[arg(long)]
    date: bool,
    /// Group hits by thread
    #[arg(short = 't', long, conflicts_with = "series")]
    threads: bool,
    /// Group hits by series (revision, completeness, trailers)
    #[arg(long)]
    series: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Bring the index up to date first (import does this by itself); an
    /// index that is damaged or written by another lpl version is rebuilt
    /// from the archive
    #[arg(long)]
    reindex: bool,
    /// Also search this notebook (default: notebook.file from the config file)
    #[arg(long, value_name = "FILE")]
    notebook: Option<std::path::PathBuf>,
}

pub fn run(app: &App, a: Args) -> CmdResult {
    if a.reindex {
        let mut ws = app.workspace_existing_rw()?;
        let n = ws.reindex(&crate::app::INTERRUPTED, &mut |_| {})?;
        eprintln!("indexed {n} messages");
        if a.query.is_empty() {
            return Ok(0);
        }
    }
    let ws = app.workspace()?;
    let q = a.query.join(" ");
    let mut opts = SearchOptions::default();
    opts.limit = a.limit;
    opts.by_date = a.date;
    opts.now = crate::app::now_unix();
    let res = ws.search(&q, &opts)?;
    let nb_path = a
        .notebook
        .clone()
        .or_else(|| crate::config::get("notebook", "file").map(Into::into));
    let nb_hits = match &nb_path {
        Some(p) => match std::fs::read(p) {
            Ok(bytes) => lpl_core::search::search_notebook(
                &lpl_core::notebook::Notebook::parse(bytes),
                &q,
                a.limit,
                crate::app::now_unix(),
            )?,
            Err(e) => {
                return Err(CommandError::user(format!(
                    "cannot read notebook {}: {e}",
                    p.display()
                )));
            }
        },
        None => Vec::new(),
    };
    for w in &res.capped_wildcards {
        eprintln!(
            "note: `{w}*` matches more than {} words: only the first {} (in alphabetical order) were searched; make the prefix longer",
            lpl_core::search::MAX_WILDCARD_TERMS,
            lpl_core::search::MAX_WILDCARD_TERMS
        );
    }
    if a.json {
        let mut out = app.plain();
        let mut v = serde_json::to_value(&res)?;
        v["notebook"] = serde_json::to_value(&nb_hits)?;
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(if res.hits.is_empty() && nb_hits.is_empty() {
            1
        } else {
            0
        });
    }
    if res.hits.is_empty() && nb_hits.is_empty() {
        return Err(CommandError::not_found(format!("no message matches {q:?}")));
    }
    let mut s = String::new();
    if !nb_hits.is_empty() {
        s.push_str(&format!(
            "{}\n",
            style::paint(style::BOLD, "In your notebook:")
        ));
        for h in &nb_hits {
            s.push_str(&format!(
                "  L{:<4} {:<8} {}  {}\n",
                h.line,
                h.kind,
                h.text,
                style::paint(style::DIM, &h.topic)
            ));
        }
        s.push_str(&format!(
            "{}\n",
            style::paint(style::BOLD, "In the archive:")
        ));
    }
    // Mail fields are strangers' text: control characters are shown
    // (`^[`), never sent to the terminal.
    let clean = lpl_tui::sanitize::clean;
    if a.series {
        for sm in &res.series {
            s.push_str(&format!(
                "{} {} v{:<3} {}/{} A{} R{} T{}  {}  {}\n",
                style::paint(style::KEY, &sm.id),
                time::date(sm.date),
                sm.revision,
                sm.present,
                sm.total.map(|t| t.to_string()).unwrap_or("?".into()),
                sm.trailers.acked,
                sm.trailers.reviewed,
                sm.trailers.tested,
                style::paint(
                    style::BOLD,
                    &clean(sm.author.as_deref().unwrap_or(&sm.email))
                ),
                clean(&sm.title)
            ));
        }
    } else if a.threads {
        let mut seen: Vec<String> = Vec::new();
        for h in &res.hits {
            let t = h.thread.clone().unwrap_or_default();
            if seen.contains(&t) {
                continue;
            }
            seen.push(t.clone());
            let n = res
                .hits
                .iter()
                .filter(|x| x.thread.as_deref() == Some(&t))
                .count();
            s.push_str(&format!(
                "{} {:>3} hits  thread {}\n      {}\n",
                time::date(h.date.unwrap_or(0)),
                n,
                typeable_id(&t),
                clean(&h.subject)
            ));
        }
    } else {
        for h in &res.hits {
            s.push_str(&format!(
                "{} {}  {}\n      {}\n",
                time::date(h.date.unwrap_or(0)),
                clean(&h.subject),
                style::paint(style::KEY, &clean(&h.from)),
                style::paint(style::DIM, &typeable_id(&h.message_id))
            ));
        }
    }
    s.push_str(&format!(
        "{} of {} matching messages shown\n",
        res.hits.len(),
        res.total
    ));
    let mut out = app.output();
    out.write_str(&s)?;
    out.finish()?;
    Ok(0)
}

/// A Message-ID as the user can type it back: `<id>`, or, when it holds a
/// control character (a NUL, an escape) or a bidi override that must not
/// reach the terminal and that no shell argument carries, its lore URL,
/// percent-encoded, which `lpl show` and `lpl thread` take.
fn typeable_id(id: &str) -> String {
    let plain = lpl_tui::sanitize::clean(id) == id && !id.contains(' ');
    match lpl_core::show::lore_url(id) {
        Some(url) if !plain => url,
        _ => format!("<{}>", lpl_tui::sanitize::clean(id)),
    }
}
