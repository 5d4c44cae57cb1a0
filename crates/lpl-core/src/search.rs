//! The full-text index beside the store: kept up to date after every
//! import (only messages not indexed yet are read), and queried with the
//! lore/lei query language.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use lpl_search::{DocKey, IndexOptions, Order, SearchDoc, SearchIndex, SearchOptions};
use lpl_store::Store;

use crate::error::{Error, NotFound};
use crate::library::Library;
use crate::series::SeriesSummary;

/// The search document of one message: lore's fields
/// ([`SearchDoc::from_message`]) plus `dffn:`, the functions and macros
/// each hunk of its patch changes.
///
/// `dfhh:` is the hunk header's context line, the last column-0 line
/// before the hunk: the function *before* the change when a hunk starts
/// between two functions (Zi Yan's "Split a folio to any lower order
/// folios" changes `split_page_memcg()` in a hunk headed
/// `memcg_memory_event_mm`). `dffn:` names what the changed lines are in,
/// from the diff's own lines (`lpl_code::attribute` without a tree: the
/// header, the definitions and closing braces the hunk shows, `#define`s).
/// An indexed kernel tree would place lines better, but documents are
/// built in the import's parse stage, one per message, where a lookup per
/// hunk would cost more than the parse; the diff-only rules are what
/// `lpl code history` uses when no tree is indexed. Only C sources and
/// headers: the rules read C.
pub(crate) fn message_doc(key: DocKey, m: &lpl_mail::Message) -> SearchDoc {
    let mut doc = SearchDoc::from_message(key, m);
    if let Some(p) = &m.patch {
        for f in &p.files {
            if !(f.path().ends_with(".c") || f.path().ends_with(".h")) {
                continue;
            }
            for h in &f.hunks {
                for t in lpl_code::attribute(&h.lines(&p.diff), &h.header_context, None) {
                    if !doc.body.diff.functions.contains(&t.name) {
                        doc.body.diff.functions.push(&t.name);
                    }
                }
            }
        }
    }
    doc
}

/// Where indexes made before the watermark moved into the index commit
/// payload kept it (read once, for those; never written now).
const WATERMARK: &str = "search.indexed_through";

/// Most words one wildcard stands for (see [`SearchResults::capped_wildcards`]).
pub const MAX_WILDCARD_TERMS: usize = lpl_search::MAX_WILDCARD_TERMS;

/// The writer side of the index during an import: catches up with rows
/// stored earlier, then takes each new row as the import stores it (parsed
/// once, for the store and the index alike), and commits at the end.
///
/// The watermark (last row id indexed; rows are numbered in insertion
/// order) is the payload of the index commit, so it can never disagree
/// with the index: after a crash the next run re-indexes from the stored
/// raw messages whatever the index had not committed.
pub struct Indexer {
    index: SearchIndex,
    through: i64,
    added: u64,
    /// Why the index on disk was thrown away to be rebuilt, if it was.
    rebuilt: Option<String>,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("through", &self.through)
            .field("added", &self.added)
            .finish_non_exhaustive()
    }
}

fn parse_watermark(v: Option<String>) -> Option<i64> {
    v.and_then(|v| v.parse().ok())
}

impl Indexer {
    /// Opens the index for writing (the writer lock: one writer at a
    /// time; searches still run).
    ///
    /// An index written with another schema (an older lpl), or damaged (a
    /// segment file missing or corrupt), is derived data: it is removed
    /// and rebuilt from the archive by the next
    /// [`Indexer::catch_up`], which then starts from the first row.
    pub(crate) fn open(store: &Store, dir: &Path) -> Result<Self, Error> {
        let options = IndexOptions {
            // Bounded: the import's own memory plus this stays < 300 MB.
            writer_memory: 48 << 20,
            threads: 2,
            ..IndexOptions::default()
        };
        let mut rebuilt = None;
        let index = match SearchIndex::open(dir, &options) {
            Err(
                e @ (lpl_search::Error::SchemaChanged { .. } | lpl_search::Error::Damaged { .. }),
            ) => {
                std::fs::remove_dir_all(dir)
                    .map_err(Error::io("remove the outdated search index", dir))?;
                rebuilt = Some(e.to_string());
                SearchIndex::open(dir, &options)
            }
            other => other,
        }?;
        // Indexes written before the watermark moved into the commit
        // payload kept it in the store.
        let through = match parse_watermark(index.payload()?) {
            Some(w) => w,
            // A new (or deleted and recreated) index starts from the first row.
            None if index.num_docs() == 0 => 0,
            None => parse_watermark(store.state(WATERMARK)?).unwrap_or(0),
        };
        Ok(Self {
            index,
            through,
            added: 0,
            rebuilt,
        })
    }

    /// Why the index found on disk was removed to be rebuilt from the
    /// archive (another version's format, damage), if it was.
    pub fn rebuilt(&self) -> Option<&str> {
        self.rebuilt.as_deref()
    }

    /// Indexes every stored row above the watermark, reading the raw
    /// messages back from the store (rows stored by an import that ran
    /// without the index, or was killed before its index commit).
    pub fn catch_up(
        &mut self,
        store: &Store,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<u64, Error> {
        let mut done = 0u64;
        loop {
            let ids = store.message_ids_after(self.through, 2000)?;
            if ids.is_empty() {
                break;
            }
            let raws: Vec<(i64, Vec<u8>)> = ids
                .iter()
                .map(|&id| Ok((id, store.raw(id)?)))
                .collect::<Result<_, Error>>()?;
            let docs: Vec<(i64, Box<SearchDoc>)> = raws
                .par_iter()
                .map(|(id, raw)| {
                    let doc =
                        message_doc(DocKey::new(id.to_string()), &lpl_mail::parse(raw).message);
                    (*id, Box::new(doc))
                })
                .collect();
            for (id, d) in docs {
                self.add_row(id, d)?;
            }
            done += ids.len() as u64;
            on_progress(done);
        }
        Ok(done)
    }

    /// Adds the document of a row stored after everything indexed so far
    /// (its key is set to the row). Rows at or below the watermark are
    /// already indexed and ignored.
    pub fn add_row(&mut self, row: i64, mut doc: Box<SearchDoc>) -> Result<(), Error> {
        if row <= self.through {
            return Ok(());
        }
        doc.key = DocKey::new(row.to_string());
        // Above the committed watermark the key cannot be indexed yet: add
        // without the replace.
        self.index.add_new_owned(doc)?;
        self.through = row;
        self.added += 1;
        Ok(())
    }

    /// Documents added since [`Indexer::open`].
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Makes everything added durable and searchable, with the watermark.
    pub fn commit(&mut self) -> Result<(), Error> {
        self.index.commit_with_payload(&self.through.to_string())?;
        Ok(())
    }
}

/// One hit, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// Message-ID.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Sender.
    pub from: String,
    /// Date.
    pub date: Option<i64>,
    /// Relevance (0 when sorted by date).
    pub score: f32,
    /// Series short id, when the message belongs to one.
    pub series: Option<String>,
    /// Thread root Message-ID.
    pub thread: Option<String>,
}

/// Results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Matching messages in all.
    pub total: usize,
    /// The hits shown.
    pub hits: Vec<SearchHit>,
    /// The series of the hits shown, in the order they first appear.
    pub series: Vec<SeriesSummary>,
    /// Wildcard prefixes (`a` of `a*`) that matched more than
    /// [`lpl_search::MAX_WILDCARD_TERMS`] words: only the first were
    /// searched.
    pub capped_wildcards: Vec<String>,
}

/// Version of what [`save_links`] saves: bump it when threading, series
/// assembly or chains change what they conclude (3: replies name their
/// series; chains of issue 15).
const LINKS_VERSION: &str = "links-3";

/// Saves what `lib` concluded about every message (thread root, series)
/// and the [`SeriesSummary`] of every series revision in the store, stamped
/// with the store's content, so that searches show hits without loading
/// the library until the archive changes. Derived data: it does not wait
/// for another writer longer than `wait`.
pub(crate) fn save_links_within(
    store: &mut Store,
    lib: &Library,
    wait: std::time::Duration,
) -> Result<(), Error> {
    let stamp = store.content_stamp(LINKS_VERSION)?;
    let links: Vec<lpl_store::LinkRow> = lib
        .rows
        .iter()
        .enumerate()
        .map(|(i, &row)| {
            let (thread, rev) = links_of(lib, i);
            lpl_store::LinkRow {
                message: row,
                thread,
                series: rev.map(|r| lib.short_id(r)),
            }
        })
        .collect();
    let mut series = Vec::with_capacity(lib.revisions().len());
    for r in 0..lib.revisions().len() {
        let b = crate::series::summary(lib, r);
        let json =
            serde_json::to_string(&b).expect("a summary is plain data and always serializes");
        series.push((b.id, json));
    }
    store.save_links_within(wait, &stamp, &links, &series)?;
    Ok(())
}

/// Message `i`'s thread root (Message-ID) and series revision: what a
/// search shows, from the library and, saved, from the store. A reply
/// counts for the series it answers (the revision of the nearest series
/// message above it), so `search --series` finds a series by its review.
fn links_of(lib: &Library, i: usize) -> (String, Option<usize>) {
    let threads = &lib.analysis.threads;
    let assembly = &lib.analysis.assembly;
    let root = threads.root(threads.node_of_message(i));
    let rev = assembly.revision_of_message(i).or_else(|| {
        threads
            .ancestor_messages(i)
            .find_map(|a| assembly.revision_of_message(a))
    });
    (threads.node(root).id.as_str().to_owned(), rev)
}

/// Runs the query over the index: (total, row ids with scores, best first
/// or newest first).
/// Total hits, the page's (row, score), the last row the index holds, and
/// the wildcards whose expansion was cut.
pub(crate) type QueryAnswer = (usize, Vec<(i64, f32)>, i64, Vec<String>);

pub(crate) fn run_query(
    dir: &Path,
    query: &str,
    limit: usize,
    by_date: bool,
    now: i64,
) -> Result<QueryAnswer, Error> {
    if !dir.exists() {
        return Err(NotFound::SearchIndex.into());
    }
    // Read-only: no writer lock, so a search can run beside an import.
    let index = SearchIndex::open(
        dir,
        &IndexOptions {
            writable: false,
            ..Default::default()
        },
    )?;
    let opts = SearchOptions {
        limit,
        order: if by_date {
            Order::DateDesc
        } else {
            Order::Relevance
        },
        now,
        ..Default::default()
    };
    let hits = index.search(query, &opts)?;
    let rows = hits
        .hits
        .iter()
        .filter_map(|h| Some((h.key.as_str().parse::<i64>().ok()?, h.score)))
        .collect();
    // The last row the index holds (its commit's watermark); 0 when no
    // commit names one (meta.json missing: nothing committed).
    let through = parse_watermark(index.payload()?).unwrap_or(0);
    Ok((hits.total, rows, through, hits.capped_wildcards))
}

/// An empty answer from an index that lags behind the archive is not "no
/// message matches" (issue 20: with meta.json removed, or after a killed
/// import, that is what search said).
pub(crate) fn check_not_behind(store: &Store, total: usize, through: i64) -> Result<(), Error> {
    if total > 0 {
        return Ok(());
    }
    let last = store.last_row()?;
    if through < last {
        return Err(Error::IndexBehind { through, last });
    }
    Ok(())
}

/// Whether the saved links ([`save_links_within`]) describe the store as
/// it is.
pub(crate) fn links_current(store: &Store) -> Result<bool, Error> {
    let stamp = store.content_stamp(LINKS_VERSION)?;
    Ok(store.link_stamp()?.as_deref() == Some(stamp.as_str()))
}

/// The hits with the saved links; `None` when a saved summary cannot be
/// read (then the library is the answer, and saves them anew).
pub(crate) fn results_from_links(
    store: &Store,
    total: usize,
    rows: &[(i64, f32)],
) -> Result<Option<SearchResults>, Error> {
    let ids: Vec<i64> = rows.iter().map(|&(r, _)| r).collect();
    let metas: std::collections::HashMap<i64, lpl_store::MessageRow> = store
        .messages_by_rows(&ids)?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let links: std::collections::HashMap<i64, lpl_store::LinkRow> = store
        .links(&ids)?
        .into_iter()
        .map(|l| (l.message, l))
        .collect();
    let mut hits = Vec::with_capacity(rows.len());
    let mut series_ids: Vec<String> = Vec::new();
    for &(row, score) in rows {
        // A row the library leaves out (no usable metadata) has no link.
        let (Some(m), Some(l)) = (metas.get(&row), links.get(&row)) else {
            continue;
        };
        if let Some(s) = &l.series
            && !series_ids.contains(s)
        {
            series_ids.push(s.clone());
        }
        hits.push(SearchHit {
            message_id: m.message_id.clone(),
            subject: m.subject.clone(),
            from: m
                .from_name
                .clone()
                .or_else(|| m.from_email.clone())
                .unwrap_or_default(),
            date: m.date,
            score,
            series: l.series.clone(),
            thread: Some(l.thread.clone()),
        });
    }
    let mut series = Vec::new();
    for (_, json) in store.series_summaries(&series_ids)? {
        match serde_json::from_str::<SeriesSummary>(&json) {
            Ok(sm) => series.push(sm),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(SearchResults {
        total,
        hits,
        series,
        capped_wildcards: Vec::new(),
    }))
}

pub(crate) fn results_from_library(
    lib: &Library,
    total: usize,
    rows: &[(i64, f32)],
) -> SearchResults {
    let pos: std::collections::HashMap<i64, usize> =
        lib.rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut hits = Vec::new();
    let mut revs: Vec<usize> = Vec::new();
    for &(id, score) in rows {
        let Some(&i) = pos.get(&id) else { continue };
        let m = &lib.metas[i];
        let (thread, rev) = links_of(lib, i);
        if let Some(r) = rev
            && !revs.contains(&r)
        {
            revs.push(r);
        }
        hits.push(SearchHit {
            message_id: m.message_id.as_str().to_owned(),
            subject: m.subject.clone(),
            from: m.from_name.clone().unwrap_or_else(|| m.from_email.clone()),
            // The library reads a missing date as 0; the store keeps NULL.
            date: (m.date != 0).then_some(m.date),
            score,
            series: rev.map(|r| lib.short_id(r)),
            thread: Some(thread),
        });
    }
    SearchResults {
        total,
        hits,
        capped_wildcards: Vec::new(),
        series: revs
            .into_iter()
            .map(|r| crate::series::summary(lib, r))
            .collect(),
    }
}

/// A notebook item that matched.
#[derive(Debug, Clone, Serialize)]
pub struct NotebookHit {
    /// `entry`, `note` or `question`.
    pub kind: String,
    /// Stable anchor in the notebook (and the rendered site).
    pub anchor: String,
    /// 1-based line in the notebook file.
    pub line: usize,
    /// Topic path.
    pub topic: String,
    /// The text.
    pub text: String,
}

/// Runs `query` over the notebook's entries, notes and questions.
///
/// The notebook is small (hundreds of items) and is the user's file, which
/// changes outside lpl: it is indexed in memory at each search, so results
/// never lag behind the file.
pub fn search_notebook(
    nb: &lpl_notebook::Notebook,
    query: &str,
    limit: usize,
    now: i64,
) -> Result<Vec<NotebookHit>, Error> {
    use lpl_notebook::search::ItemKind;
    let mut index = SearchIndex::in_memory(&IndexOptions::default())?;
    let items: Vec<_> = lpl_notebook::search::search_items(nb).collect();
    for (i, it) in items.iter().enumerate() {
        let kind = match it.kind {
            ItemKind::Entry => lpl_search::DocKind::Entry,
            ItemKind::Note => lpl_search::DocKind::Note,
            ItemKind::Question => lpl_search::DocKind::Question,
        };
        index.add(&SearchDoc {
            key: DocKey::new(i.to_string()),
            kind,
            anchor: Some(it.anchor.clone()),
            message_id: it.message_id.as_ref().map(|m| m.as_str().to_owned()),
            subject: it.text.clone(),
            body: lpl_search::BodyText::from_text(&it.text),
            ..SearchDoc::default()
        })?;
    }
    index.commit()?;
    let hits = index.search(
        query,
        &SearchOptions {
            limit,
            now,
            ..Default::default()
        },
    )?;
    Ok(hits
        .hits
        .iter()
        .filter_map(|h| {
            let it = items.get(h.key.as_str().parse::<usize>().ok()?)?;
            Some(NotebookHit {
                kind: format!("{:?}", it.kind).to_lowercase(),
                anchor: it.anchor.clone(),
                line: it.line,
                topic: it.topic.clone(),
                text: it.text.clone(),
            })
        })
        .collect())
}
