//! `lpl fetch MSGID...`, `lpl fetch --query Q` and `lpl sync`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lpl_core::fetch::{FetchOptions, FetchReport, SyncReport};
use lpl_core::import::ImportEvent;
use lpl_core::series::SeriesSummary;
use lpl_core::types::MirrorOptions;
use lpl_core::{Event, time};

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// Download threads from lore.kernel.org and import them
///
/// Give Message-IDs or lore links: a bare id, <id>, id:..., any lore URL
/// (https://lore.kernel.org/LIST/MSGID/, /all/, /r/, /T/#u, #m anchors) or
/// https://patch.msgid.link/MSGID. The whole thread is downloaded as lore
/// serves it (t.mbox.gz), imported, added to the search index (`lpl
/// search` finds it at once), and the series in it are listed. Fetching
/// again later adds only what is new.
///
/// With --query, a lore search is run instead (the same syntax as the search
/// box on lore: s:subject f:from b:body d:dates ...) and its results are
/// imported, each hit expanded to its whole thread unless --no-threads.
///
/// Downloads are cached for a few minutes in the data directory
/// (--refresh asks again). --base-url points at a mirror; the default can
/// be set as "base_url" in lore.json in the data directory.
///
/// Examples:
///   lpl fetch https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/
///   lpl fetch 20240409192301.907377-1-david@redhat.com
///   lpl fetch --query 's:"mapcount for large folios" f:david@redhat.com' --limit 100
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct FetchArgs {
    /// Message-IDs or lore URLs of threads to fetch
    #[arg(value_name = "MSGID-OR-URL", required_unless_present = "query")]
    ids: Vec<String>,
    /// Run a lore search and import what it finds
    #[arg(short, long, value_name = "QUERY", conflicts_with = "ids")]
    query: Option<String>,
    /// At most this many messages from a search
    #[arg(long, default_value_t = 200, value_name = "N")]
    limit: u64,
    /// Import only the messages that match the search, not their whole threads
    #[arg(long)]
    no_threads: bool,
    /// Server to ask (default https://lore.kernel.org/all, or lore.json's base_url)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Ask the server again even when a fresh copy is cached
    #[arg(long)]
    refresh: bool,
    /// Print a JSON report
    #[arg(long)]
    json: bool,
}

/// Keep lists mirrored from lore (public-inbox git epochs) and imported
///
/// `lpl sync --add [NAME] URL` registers an inbox such as
/// https://lore.kernel.org/linux-mm (NAME defaults to its last path segment)
/// and syncs it; `lpl sync` then brings every registered list up to date:
/// it finds the epochs (manifest.js.gz, else git/0.git, git/1.git ...),
/// clones or fetches them over HTTPS into the data directory's mirrors/,
/// and imports only the messages that arrived since the last sync (and
/// adds them to the search index).
///
/// Examples:
///   lpl sync --add https://lore.kernel.org/linux-mm --since 2024-01-01
///   lpl sync                     # all registered lists
///   lpl sync linux-mm            # one of them
///   lpl sync --list
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SyncArgs {
    /// Lists to sync (default: all registered)
    #[arg(value_name = "LIST")]
    lists: Vec<String>,
    /// Register an inbox (and sync it): [NAME] URL
    #[arg(long, num_args = 1..=2, value_names = ["NAME", "URL"], conflicts_with_all = ["remove", "list"])]
    add: Option<Vec<String>>,
    /// With --add: only epochs modified since this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", requires = "add")]
    since: Option<String>,
    /// With --add: register only, do not sync now
    #[arg(long, requires = "add")]
    no_sync: bool,
    /// Forget a registered list (its mirror stays on disk)
    #[arg(long, value_name = "NAME", conflicts_with = "list")]
    remove: Option<String>,
    /// Show the registered lists
    #[arg(long)]
    list: bool,
    /// Print a JSON report
    #[arg(long)]
    json: bool,
}

fn spinner(json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(125));
    pb
}

fn on_event(pb: &ProgressBar) -> impl FnMut(&Event) + '_ {
    move |e| match e {
        Event::Downloading { what } => pb.set_message(format!("downloading {what}")),
        Event::Mirroring { list, url } => pb.set_message(format!("{list}: git fetch {url}")),
        Event::Import(ImportEvent::Progress(p)) => pb.set_position(p.items),
        Event::Import(ImportEvent::Started { .. }) => pb.set_message("importing".to_owned()),
        Event::Waiting { reason } => pb.set_message(format!("{reason}; waiting for it")),
        Event::Understanding(_) => {
            pb.set_message("understanding threads, series and chains".to_owned())
        }
        _ => {}
    }
}

fn series_line(r: &SeriesSummary) -> String {
    let done = match r.total {
        Some(t) => format!("{}/{}", r.present, t),
        None => format!("{}", r.present),
    };
    format!(
        "  {} {} v{} {}{}  {}  {}{}\n",
        style::paint(style::KEY, &r.id),
        time::date(r.date),
        r.revision,
        done,
        if r.complete { "" } else { "!" },
        style::paint(style::BOLD, r.author.as_deref().unwrap_or(&r.email)),
        if r.rfc { "RFC " } else { "" },
        r.title
    )
}

fn fetch_line(r: &FetchReport) -> String {
    let what = r
        .message_id
        .as_deref()
        .map(|m| format!("<{m}>"))
        .unwrap_or_else(|| format!("search {:?}", r.request));
    let mut s = format!(
        "{what}: {} fetched, {} imported, {} already stored",
        r.fetched, r.imported, r.deduplicated
    );
    if r.skipped > 0 {
        s.push_str(&format!(", {} skipped", r.skipped));
    }
    if r.dropped > 0 {
        s.push_str(&format!(", {} left out by --limit", r.dropped));
    }
    if r.from_cache {
        s.push_str(" (cached; --refresh asks again)");
    }
    s.push('\n');
    s
}

pub fn run_fetch(app: &App, a: FetchArgs) -> CmdResult {
    let mut ws = app.workspace_rw()?;
    let mut fo = FetchOptions::default();
    fo.base_url = a.base_url.clone();
    fo.refresh = a.refresh;
    let cancel = &crate::app::INTERRUPTED;
    let mut reports = Vec::new();
    let mut failures: Vec<(String, CommandError)> = Vec::new();
    let mut no_results = false;
    let pb = spinner(a.json);
    let mut count = on_event(&pb);
    if let Some(q) = &a.query {
        match ws.fetch_query(q, !a.no_threads, Some(a.limit), &fo, cancel, &mut count) {
            Ok(Some(r)) => reports.push(r),
            Ok(None) => no_results = true,
            Err(e) => failures.push((format!("search {q:?}"), e.into())),
        }
    } else {
        for id in &a.ids {
            match ws.fetch(id, &fo, cancel, &mut count) {
                Ok(r) => reports.push(r),
                Err(e) => failures.push((id.clone(), e.into())),
            }
        }
    }
    pb.finish_and_clear();
    let indexed: u64 = reports.iter().map(|r| r.indexed).sum();
    let mut out = app.plain();
    if a.json {
        let v = serde_json::json!({
            "indexed": indexed,
            "fetches": reports,
            "totals": {
                "fetched": reports.iter().map(|r| r.fetched).sum::<u64>(),
                "imported": reports.iter().map(|r| r.imported).sum::<u64>(),
                "deduplicated": reports.iter().map(|r| r.deduplicated).sum::<u64>(),
            },
            "no_results": no_results,
            "errors": failures.iter().map(|(w, e)| serde_json::json!({"request": w, "error": e.message, "hints": e.hints})).collect::<Vec<_>>(),
        });
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        for r in &reports {
            out.write_str(&fetch_line(r))?;
            for s in &r.series {
                out.write_str(&series_line(s))?;
            }
        }
        if no_results {
            out.write_str("no message matched the search\n")?;
        }
    }
    out.finish()?;
    if let Some((w, e)) = failures.into_iter().next() {
        return Err(CommandError {
            message: format!("cannot fetch {w}: {}", e.message),
            ..e
        });
    }
    Ok(if no_results { 1 } else { 0 })
}

fn sync_lines(r: &SyncReport) -> String {
    let mut s = format!(
        "{} ({}): ",
        style::paint(style::BOLD, &r.list.name),
        r.list.url
    );
    if let Some(e) = &r.error {
        s.push_str(&style::paint(style::WARN, &format!("failed: {e}\n")));
        return s;
    }
    s.push_str(&format!(
        "{} epochs on the server, {} synced\n",
        r.epochs_found,
        r.epochs.len()
    ));
    for e in &r.epochs {
        s.push_str(&format!(
            "  epoch {}: {} {} new, {} imported, {} already stored",
            e.epoch,
            if e.cloned { "cloned," } else { "fetched," },
            e.fetched,
            e.imported,
            e.deduplicated
        ));
        if e.skipped > 0 {
            s.push_str(&format!(", {} skipped", e.skipped));
        }
        s.push('\n');
        if let Some(err) = &e.error {
            s.push_str(&format!(
                "    {} {err}\n",
                style::paint(style::WARN, "error:")
            ));
        }
    }
    s
}

pub fn run_sync(app: &App, a: SyncArgs) -> CmdResult {
    let mut out = app.plain();
    let mut ws = app.workspace_rw()?;
    if let Some(name) = &a.remove {
        let l = ws.sync_remove(name)?;
        out.write_str(&format!(
            "removed {} ({}); its mirror stays in {}\n",
            l.name,
            l.url,
            ws.layout().mirror(&l.name).display()
        ))?;
        out.finish()?;
        return Ok(0);
    }
    let mut only = a.lists.clone();
    if let Some(add) = &a.add {
        let (name, url) = match add.as_slice() {
            [url] => (None, url.as_str()),
            [name, url] => (Some(name.as_str()), url.as_str()),
            _ => return Err(CommandError::user("--add takes [NAME] URL")),
        };
        let l = ws.sync_add(name, url, a.since.as_deref())?;
        if !a.json {
            out.write_str(&format!("registered {} ({})\n", l.name, l.url))?;
        }
        if a.no_sync {
            out.finish()?;
            return Ok(0);
        }
        only = vec![l.name];
    }
    if a.list {
        let lists = ws.sync_lists()?;
        if a.json {
            out.write_str(&format!("{}\n", serde_json::to_string_pretty(&lists)?))?;
        } else {
            for l in &lists {
                let since = l
                    .since
                    .as_deref()
                    .map(|s| format!(" since {s}"))
                    .unwrap_or_default();
                out.write_str(&format!("{} {}{since}\n", l.name, l.url))?;
            }
        }
        out.finish()?;
        return Ok(if lists.is_empty() { 1 } else { 0 });
    }
    let cancel = &crate::app::INTERRUPTED;
    let pb = spinner(a.json);
    let reports = ws.sync(
        &only,
        &MirrorOptions::default(),
        &FetchOptions::default(),
        cancel,
        &mut on_event(&pb),
    );
    pb.finish_and_clear();
    let reports = reports?;
    let failed = reports
        .iter()
        .any(|r| r.error.is_some() || r.epochs.iter().any(|e| e.error.is_some()));
    if a.json {
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&reports)?))?;
    } else {
        for r in &reports {
            out.write_str(&sync_lines(r))?;
        }
    }
    out.finish()?;
    if failed {
        return Err(
            CommandError::user("some lists or epochs could not be synced (see above)")
                .hint("what was already mirrored is imported; run lpl sync again later"),
        );
    }
    Ok(0)
}
