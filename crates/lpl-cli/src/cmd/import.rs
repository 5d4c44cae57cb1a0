//! `lpl import PATH...`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lpl_core::import::{ImportEvent, ImportOptions, ImportReport};
use lpl_core::{Event, IndexEvent, UnderstandEvent};

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// Import mail into the archive (epochs, inboxes, mbox, Maildir, messages)
///
/// The format is detected: a public-inbox v2 epoch (a bare git repository such
/// as `git/0.git`, as `git clone --mirror https://lore.kernel.org/LIST/0`
/// makes), a v2 inbox directory (all its epochs), a v1 inbox, an mbox (mboxo
/// or mboxrd, also .gz), a Maildir, a single message file, a directory of
/// them, or `-` for standard input.
///
/// Importing is incremental and idempotent: a second run of the same source
/// reads only what is new (for an epoch, the commits after the last one
/// seen) and stores nothing twice. A message that arrives from two lists is
/// stored once with both sources remembered. A broken message is skipped,
/// counted and reported with its location; it never stops the import. An
/// import that is interrupted (even by kill -9) leaves a consistent archive
/// and the next run completes it.
///
/// New messages also go into the full-text index of `lpl search`, from the
/// same parse, committed once at the end. With --no-index they are stored
/// only (1.5-1.8x as fast); the next import, fetch or `lpl search --reindex`
/// indexes whatever the index lacks.
///
/// Examples:
///   lpl import ~/lore/linux-mm/git/0.git
///   lpl import ~/lore/linux-mm            # a v2 inbox: every epoch
///   lpl import series.mbox patch.eml ~/Maildir/lkml
///   curl -s https://lore.kernel.org/linux-mm/MSGID/t.mbox.gz | gunzip | lpl import -
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Sources to import (`-` for standard input)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print a JSON summary (imported, duplicates, skipped with reasons) instead of text
    #[arg(long)]
    json: bool,
    /// List every skipped message with its location and reason
    #[arg(short, long)]
    verbose: bool,
    /// Do not update the search index now (the next import or `lpl search --reindex` will)
    #[arg(long)]
    no_index: bool,
    /// Messages per transaction (smaller: finer resume points, less memory);
    /// default 500, or 250 when the search index is fed too
    #[arg(long, hide = true)]
    batch_size: Option<usize>,
}

fn progress_bar(json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} msgs  {msg}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(125));
    pb
}

fn summary_line(r: &ImportReport) -> String {
    let rate = if r.seconds > 0.0 {
        r.read as f64 / r.seconds
    } else {
        0.0
    };
    let mbs = if r.seconds > 0.0 {
        r.bytes as f64 / 1e6 / r.seconds
    } else {
        0.0
    };
    let mut s = format!(
        "{}: {} read, {} imported, {} duplicates",
        r.source, r.read, r.imported, r.duplicates
    );
    if r.already > 0 {
        s.push_str(&format!(", {} already stored", r.already));
    }
    s.push_str(&format!(", {} skipped", r.skipped.len()));
    if r.deleted > 0 {
        s.push_str(&format!(", {} deletions", r.deleted));
    }
    s.push_str(&format!(
        " in {:.1} s ({rate:.0} msg/s, {mbs:.1} MB/s)",
        r.seconds
    ));
    if r.resume != "fresh" {
        s.push_str(&format!(" [{}]", r.resume));
    }
    s
}

fn skip_reasons(r: &ImportReport) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for s in &r.skipped {
        // Group by the reason without its location prefix.
        let reason = s
            .reason
            .strip_prefix(&format!("{}: ", s.location))
            .unwrap_or(&s.reason);
        let key: String = reason
            .split(" (")
            .next()
            .unwrap_or(reason)
            .chars()
            .take(60)
            .collect();
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }
    counts
}

fn source_label(source: &str) -> String {
    let p = std::path::Path::new(source);
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.to_owned())
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let mut ws = app.workspace_rw()?;
    let cancel = &crate::app::INTERRUPTED;
    let mut opts = ImportOptions::default();
    opts.batch_size = a.batch_size;
    opts.index = !a.no_index;
    let mut err = anstream::stderr();
    let verbose = a.verbose && !a.json;
    let mut pb = ProgressBar::hidden();
    let mut on_event = |e: &Event| match e {
        Event::Index(IndexEvent::Rebuilding) => {
            pb.suspend(|| {
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!(
                        "{} the search index was written by another version of lpl (or is damaged): rebuilding it from the archive\n",
                        style::paint(style::WARN, "note:")
                    )
                    .as_bytes(),
                );
            });
        }
        Event::Index(IndexEvent::CatchingUp { done }) => {
            if pb.is_hidden() {
                pb = progress_bar(a.json);
                pb.set_prefix("search index (catching up)");
            }
            pb.set_position(*done);
        }
        Event::Index(IndexEvent::Committing) => {
            pb.finish_and_clear();
            pb = progress_bar(a.json);
            pb.set_prefix("search index (committing)");
        }
        Event::Understanding(UnderstandEvent::Analysing) => {
            pb.finish_and_clear();
            pb = progress_bar(a.json);
            pb.set_prefix("understanding threads, series and chains");
        }
        Event::Understanding(UnderstandEvent::Writing { done, total }) => {
            if pb.length() != Some(*total) {
                pb.finish_and_clear();
                pb = progress_bar(a.json);
                pb.set_prefix("saving the understanding (units)");
                pb.set_length(*total);
            }
            pb.set_position(*done);
        }
        Event::Index(IndexEvent::Done)
        | Event::Import(ImportEvent::Done)
        | Event::Understanding(UnderstandEvent::Done) => {
            pb.finish_and_clear();
            pb = ProgressBar::hidden();
        }
        Event::Import(ImportEvent::Started {
            source, progress, ..
        }) => {
            pb.finish_and_clear();
            pb = progress_bar(a.json);
            pb.set_prefix(source_label(source));
            if let Some(n) = progress.total_items {
                pb.set_length(n);
            }
        }
        Event::Import(ImportEvent::Progress(p)) => {
            pb.set_position(p.items);
            let secs = pb.elapsed().as_secs_f64().max(0.001);
            pb.set_message(format!("{:.1} MB/s", p.bytes as f64 / 1e6 / secs));
        }
        Event::Import(ImportEvent::Skipped(s)) if verbose => {
            pb.suspend(|| {
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!("{} {}\n", style::paint(style::WARN, "skipped"), s.reason).as_bytes(),
                );
            });
        }
        Event::Waiting { reason } => {
            pb.suspend(|| {
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!(
                        "{} {reason}; waiting for it\n",
                        style::paint(style::WARN, "note:")
                    )
                    .as_bytes(),
                );
            });
        }
        _ => {}
    };
    let outcome = ws.import(&a.paths, &opts, cancel, &mut on_event)?;
    let reports = &outcome.sources;
    let failures: Vec<(String, CommandError)> = outcome
        .failures
        .into_iter()
        .map(|(p, e)| (p.display().to_string(), e.into()))
        .collect();
    let indexed = outcome.indexed;
    let mut out = app.plain();
    if a.json {
        let v = serde_json::json!({
            "sources": reports,
            "totals": {
                "read": reports.iter().map(|r| r.read).sum::<u64>(),
                "imported": reports.iter().map(|r| r.imported).sum::<u64>(),
                "duplicates": reports.iter().map(|r| r.duplicates).sum::<u64>(),
                "already": reports.iter().map(|r| r.already).sum::<u64>(),
                "skipped": reports.iter().map(|r| r.skipped.len()).sum::<usize>(),
            },
            "errors": failures.iter().map(|(p, e)| serde_json::json!({"source": p, "error": e.message, "hints": e.hints})).collect::<Vec<_>>(),
            "indexed": indexed,
            "store": outcome.store,
        });
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    } else {
        for r in reports {
            out.write_str(&format!("{}\n", summary_line(r)))?;
            if !r.skipped.is_empty() && !a.verbose {
                let reasons = skip_reasons(r);
                let list: Vec<String> = reasons.iter().map(|(k, n)| format!("{n} {k}")).collect();
                out.write_str(&format!(
                    "  {} {} (lpl import -v, or lpl sources --skipped, lists each with its location)\n",
                    style::paint(style::WARN, "skipped:"),
                    list.join("; ")
                ))?;
            }
        }
        let st = outcome.store;
        out.write_str(&format!(
            "archive {}: {} messages, {} patches; {} newly indexed for search\n",
            ws.home().display(),
            st.messages,
            st.patches,
            indexed
        ))?;
    }
    out.finish()?;
    if let Some((p, e)) = failures.into_iter().next() {
        return Err(CommandError {
            message: format!("cannot import {p}: {}", e.message),
            ..e
        });
    }
    Ok(0)
}
