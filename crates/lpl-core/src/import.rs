//! `lpl import`: read a source, parse every message, store it.
//!
//! Three stages run concurrently: a reader thread (git objects, mbox
//! splitting), a parser stage (rayon over each batch) and the writer (this
//! thread), which commits each batch together with the reader's cursor in
//! one SQLite transaction. Memory is bounded by the batch size and the two
//! channel slots between the stages, whatever the size of the archive.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::bounded;
use rayon::prelude::*;
use serde::Serialize;

use lpl_archive::{Event, Reader, Resume};
use lpl_store::{BatchOutcome, Deletion, Incoming, Skip, Store};

use crate::error::Error;

/// Knobs of an import.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Items per transaction (smaller: finer resume points, less memory);
    /// `None`: 500, or 250 when the search index is fed too (documents
    /// also wait in the index builders' queues: smaller batches keep peak
    /// memory under 300 MB at the same speed).
    pub batch_size: Option<usize>,
    /// Read as this kind instead of detecting.
    pub kind: Option<lpl_archive::SourceKind>,
    /// Feed the full-text index as messages are stored (default). Without
    /// it an import is 1.5-1.8x as fast; the next import, fetch, sync or
    /// reindex catches the index up.
    pub index: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: None,
            kind: None,
            index: true,
        }
    }
}

impl ImportOptions {
    /// The batch size in force.
    pub fn batch(&self) -> usize {
        self.batch_size
            .unwrap_or(if self.index { 250 } else { 500 })
            .max(1)
    }
}

/// Progress of an import, for progress bars.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ImportProgress {
    /// Items read so far.
    pub items: u64,
    /// Bytes read so far.
    pub bytes: u64,
    /// Items expected in all, when known.
    pub total_items: Option<u64>,
    /// Bytes expected in all, when known.
    pub total_bytes: Option<u64>,
}

/// What happened, as it happens.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ImportEvent {
    /// Reading started.
    Started {
        /// The source as given.
        source: String,
        /// Source kind.
        kind: String,
        /// How reading started (fresh, continued, restarted and why).
        resume: String,
        /// Expected work.
        progress: ImportProgress,
    },
    /// A batch was committed.
    Progress(ImportProgress),
    /// An item was skipped.
    Skipped(Skip),
    /// The source is done (or failed).
    Done,
}

/// The outcome of importing one source.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// The source as given.
    pub source: String,
    /// Its kind.
    pub kind: String,
    /// How reading started.
    pub resume: String,
    /// Items read in this run.
    pub read: u64,
    /// Bytes read in this run.
    pub bytes: u64,
    /// New messages stored.
    pub imported: u64,
    /// Messages already stored from another source (stored once; this source remembered).
    pub duplicates: u64,
    /// Messages already stored from this very source.
    pub already: u64,
    /// Items skipped in this run, with location and reason.
    pub skipped: Vec<Skip>,
    /// Deletions recorded.
    pub deleted: u64,
    /// Messages stored with a diagnostic (odd charset, impossible date ...).
    pub with_diagnostics: u64,
    /// Wall time.
    pub seconds: f64,
}

struct RawBatch {
    items: Vec<Result<Event, lpl_archive::ReadError>>,
    cursor: Option<String>,
    progress: lpl_archive::Progress,
}

enum Item {
    Message {
        raw: Vec<u8>,
        parsed: Box<lpl_mail::ParsedMessage>,
        hash: [u8; 20],
        location: String,
        /// `raw` compressed for the store (done here, in parallel, not on
        /// the writer thread).
        compressed: Vec<u8>,
        /// The search document, when the import feeds the index.
        doc: Option<Box<lpl_search::SearchDoc>>,
    },
    Skip(Skip),
    Deleted(Deletion),
}

struct ParsedBatch {
    items: Vec<Item>,
    cursor: Option<String>,
    progress: lpl_archive::Progress,
}

/// [`parse_one`] with a panic in it caught: one message that trips a bug
/// in a parser is skipped with its location, never the end of the job.
fn parse_item(it: Result<Event, lpl_archive::ReadError>, with_doc: bool) -> Item {
    let location = match &it {
        Err(e) => e.location().to_string(),
        Ok(Event::Message(m)) => m.location.to_string(),
        Ok(Event::Deleted { location, .. }) => location.to_string(),
        Ok(_) => "?".to_owned(),
    };
    guarded(location, || parse_one(it, with_doc))
}

/// Runs `parse`; a panic in it becomes a skip of the item at `location`.
fn guarded(location: String, parse: impl FnOnce() -> Item) -> Item {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)) {
        Ok(item) => item,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_owned());
            Item::Skip(Skip {
                location,
                reason: format!(
                    "internal error while reading this message ({what}): a bug in lpl, please report it with the message"
                ),
            })
        }
    }
}

fn parse_one(it: Result<Event, lpl_archive::ReadError>, with_doc: bool) -> Item {
    match it {
        Err(e) => Item::Skip(Skip {
            location: e.location().to_string(),
            reason: e.to_string(),
        }),
        Ok(Event::Message(m)) => {
            let location = m.location.to_string();
            let parsed = lpl_mail::parse(&m.bytes);
            if parsed
                .diagnostics
                .iter()
                .any(|d| d.kind == lpl_mail::DiagnosticKind::NotAMessage)
            {
                return Item::Skip(Skip {
                    location,
                    reason: "not a mail message (no header found)".to_owned(),
                });
            }
            let hash = lpl_mail::content_hash(&parsed.message);
            // Built here, in parallel, from the one parse; keyed by its row
            // once stored.
            let doc = with_doc.then(|| {
                Box::new(crate::search::message_doc(
                    lpl_search::DocKey::default(),
                    &parsed.message,
                ))
            });
            Item::Message {
                compressed: lpl_store::compress_raw(&m.bytes),
                raw: m.bytes,
                parsed: Box::new(parsed),
                hash,
                location,
                doc,
            }
        }
        Ok(Event::Deleted { location, bytes }) => {
            let message_id = bytes
                .as_deref()
                .and_then(|b| lpl_mail::parse(b).message.message_id)
                .map(|m| m.as_str().to_owned());
            Item::Deleted(Deletion {
                location: location.to_string(),
                message_id,
            })
        }
        Ok(_) => Item::Skip(Skip {
            location: "?".into(),
            reason: "unknown archive event".into(),
        }),
    }
}

/// The canonical name under which a source is remembered.
pub fn source_key(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "-".to_owned();
    }
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned()
}

/// Imports `path` (`-` for standard input) into `store`, also adding each
/// new message to the search index as it is stored, when given one (one
/// parse for both). The caller commits the index
/// ([`crate::search::Indexer::commit`]) when its imports are done; until
/// then the store is ahead of the index, which the next
/// [`crate::search::Indexer::catch_up`] repairs.
pub(crate) fn import_indexed(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    cancel: &AtomicBool,
    mut index: Option<&mut crate::search::Indexer>,
    on_event: &mut dyn FnMut(&ImportEvent),
) -> Result<ImportReport, Error> {
    let start = Instant::now();
    let key = source_key(path);
    let is_stdin = key == "-";
    let (reader, kind_name) = if is_stdin {
        let r = lpl_archive::read_stream(std::io::stdin());
        let k = r.kind().name().to_owned();
        (r, k)
    } else {
        let kind = match opts.kind {
            Some(k) => k,
            None => lpl_archive::detect(path)?,
        };
        let cursor = store
            .source_by_path(&key)?
            .and_then(|s| s.cursor)
            .map(lpl_archive::Cursor::new);
        let mut o = lpl_archive::Options::default();
        o.kind = Some(kind);
        (
            lpl_archive::open(path, cursor.as_ref(), &o)?,
            kind.name().to_owned(),
        )
    };
    let source = store.source_for(&kind_name, &key)?;
    let resume = match reader.resume() {
        Resume::Fresh => "fresh".to_owned(),
        Resume::Continued => "continued after the last import".to_owned(),
        Resume::Restarted(why) => format!("restarted: {why}"),
        _ => "unknown".to_owned(),
    };
    let est = reader.estimate();
    on_event(&ImportEvent::Started {
        source: path.display().to_string(),
        kind: kind_name.clone(),
        resume: resume.clone(),
        progress: ImportProgress {
            items: 0,
            bytes: 0,
            total_items: est.messages,
            total_bytes: est.bytes,
        },
    });
    let mut report = ImportReport {
        source: path.display().to_string(),
        kind: kind_name,
        resume,
        ..Default::default()
    };

    let batch_size = opts.batch();
    let (raw_tx, raw_rx) = bounded::<RawBatch>(1);
    let (parsed_tx, parsed_rx) = bounded::<ParsedBatch>(1);
    let stop = AtomicBool::new(false);
    let with_doc = index.is_some();

    let bulk = store.bulk()?;
    let result = std::thread::scope(|s| -> Result<(), Error> {
        let stop = &stop;
        let reader_thread =
            s.spawn(move || read_batches(reader, batch_size, raw_tx, stop, is_stdin));
        let parser_thread = s.spawn(move || {
            for b in raw_rx {
                let items: Vec<Item> = b
                    .items
                    .into_par_iter()
                    .map(|it| parse_item(it, with_doc))
                    .collect();
                if parsed_tx
                    .send(ParsedBatch {
                        items,
                        cursor: b.cursor,
                        progress: b.progress,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        let mut outcome = Ok(());
        for mut b in parsed_rx.iter() {
            if cancel.load(Ordering::Relaxed) {
                stop.store(true, Ordering::Relaxed);
                let mut kept = crate::error::Kept::default();
                kept.add(report.source.clone(), report.imported);
                outcome = Err(Error::Cancelled { kept });
                break;
            }
            let new_rows = match write(store, source.id, &b, &mut report) {
                Ok(rows) => rows,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    outcome = Err(e);
                    break;
                }
            };
            if let Some(ix) = index.as_deref_mut()
                && let Err(e) = index_rows(ix, &mut b, &new_rows)
            {
                stop.store(true, Ordering::Relaxed);
                outcome = Err(e);
                break;
            }
            for it in &b.items {
                if let Item::Skip(sk) = it {
                    on_event(&ImportEvent::Skipped(sk.clone()));
                }
            }
            report.read = b.progress.items;
            report.bytes = b.progress.bytes;
            on_event(&ImportEvent::Progress(ImportProgress {
                items: b.progress.items,
                bytes: b.progress.bytes,
                total_items: est.messages,
                total_bytes: est.bytes,
            }));
        }
        // Drain so the other stages can finish after a stop.
        stop.store(true, Ordering::Relaxed);
        for _ in parsed_rx.iter() {}
        reader_thread
            .join()
            .map_err(|_| Error::WorkerPanicked { thread: "reader" })?;
        parser_thread
            .join()
            .map_err(|_| Error::WorkerPanicked { thread: "parser" })?;
        outcome
    });
    store.end_bulk(bulk)?;
    result?;
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

fn read_batches(
    mut reader: Reader,
    batch_size: usize,
    tx: crossbeam_channel::Sender<RawBatch>,
    stop: &AtomicBool,
    is_stdin: bool,
) {
    let mut items = Vec::with_capacity(batch_size);
    let mut bytes_in_batch = 0usize;
    let mut last_flush = Instant::now();
    // A Maildir's cursor names every file done: written with each batch,
    // it made an import quadratic (33,494 files: 134 cursors of up to
    // 536 KB, formatted, sorted and stored). It is written when the set
    // has doubled since the last one, every 30 s, and at the end; a batch
    // without one keeps the stored cursor, which is behind but true (what
    // a resume reads again is recognised as already stored).
    let mut cursor_entries = 0usize;
    let mut cursor_at = Instant::now();
    let mut cursor_behind = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let next = reader.next();
        let done = next.is_none();
        if let Some(it) = next {
            if let Ok(Event::Message(m)) = &it {
                bytes_in_batch += m.bytes.len();
            }
            items.push(it);
        }
        // Flush on count, on size (a few huge messages), or when time passes
        // (so a slow source still commits progress).
        let full = items.len() >= batch_size
            || bytes_in_batch > 64 << 20
            || (!items.is_empty() && last_flush.elapsed() > Duration::from_secs(2));
        if full || (done && (!items.is_empty() || cursor_behind)) {
            let entries = reader.cursor_entries();
            let with_cursor = !is_stdin
                && (done
                    || entries < 1024
                    || entries >= 2 * cursor_entries
                    || cursor_at.elapsed() > Duration::from_secs(30));
            let cursor = with_cursor.then(|| {
                cursor_entries = entries;
                cursor_at = Instant::now();
                reader.cursor().into_string()
            });
            cursor_behind = !is_stdin && cursor.is_none();
            let batch = RawBatch {
                items: std::mem::take(&mut items),
                cursor,
                progress: reader.progress(),
            };
            bytes_in_batch = 0;
            last_flush = Instant::now();
            if tx.send(batch).is_err() {
                return;
            }
        }
        if done {
            return;
        }
    }
}

/// Hands the documents of the newly stored rows to the index.
fn index_rows(
    ix: &mut crate::search::Indexer,
    b: &mut ParsedBatch,
    new_rows: &[(usize, i64)],
) -> Result<(), Error> {
    // `new_rows` indexes the batch's messages (skips and deletions left out).
    let mut docs: Vec<&mut Option<Box<lpl_search::SearchDoc>>> = b
        .items
        .iter_mut()
        .filter_map(|it| match it {
            Item::Message { doc, .. } => Some(doc),
            _ => None,
        })
        .collect();
    for &(i, row) in new_rows {
        if let Some(doc) = docs.get_mut(i).and_then(|d| d.take()) {
            ix.add_row(row, doc)?;
        }
    }
    Ok(())
}

fn write(
    store: &mut Store,
    source: i64,
    b: &ParsedBatch,
    report: &mut ImportReport,
) -> Result<Vec<(usize, i64)>, Error> {
    let mut incoming = Vec::with_capacity(b.items.len());
    let mut skips = Vec::new();
    let mut deletions = Vec::new();
    for it in &b.items {
        match it {
            Item::Message {
                raw,
                parsed,
                hash,
                location,
                compressed,
                ..
            } => incoming.push(Incoming {
                compressed: Some(compressed),
                raw,
                parsed,
                content_hash: *hash,
                location: location.clone(),
            }),
            Item::Skip(s) => skips.push(s.clone()),
            Item::Deleted(d) => deletions.push(d.clone()),
        }
    }
    let out: BatchOutcome =
        store.write_batch(source, &incoming, &skips, &deletions, b.cursor.as_deref())?;
    report.imported += out.imported;
    report.duplicates += out.duplicates;
    report.already += out.already;
    report.deleted += out.deleted;
    report.with_diagnostics += incoming
        .iter()
        .filter(|i| !i.parsed.diagnostics.is_empty())
        .count() as u64;
    report.skipped.extend(skips);
    Ok(out.new_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message whose parse panics is skipped with its place and the
    /// panic's text; the parser stage goes on (no panicking input is known
    /// any more, so the guard is driven directly).
    #[test]
    fn a_panic_while_parsing_one_message_skips_it() {
        let items: Vec<Item> = (0..3)
            .map(|i| {
                guarded(format!("box.mbox:{i}"), || {
                    if i == 1 {
                        panic!("nested too deep");
                    }
                    Item::Skip(Skip {
                        location: format!("box.mbox:{i}"),
                        reason: "fine".to_owned(),
                    })
                })
            })
            .collect();
        let reasons: Vec<(String, String)> = items
            .iter()
            .map(|it| match it {
                Item::Skip(s) => (s.location.clone(), s.reason.clone()),
                _ => panic!("not a skip"),
            })
            .collect();
        assert_eq!(reasons[0].1, "fine");
        assert_eq!(reasons[2].1, "fine");
        assert_eq!(reasons[1].0, "box.mbox:1");
        assert!(
            reasons[1]
                .1
                .starts_with("internal error while reading this message (nested too deep)"),
            "{:?}",
            reasons[1]
        );
    }
}
