//! The full-text index beside the store: kept up to date after every
//! import (only messages not indexed yet are read), and queried with the
//! lore/lei query language.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use lpl_search::{DocKey, IndexOptions, Order, SearchDoc, SearchIndex, SearchOptions};
use lpl_store::Store;

use crate::CoreError;
use crate::library::Library;

/// Where indexes made before the watermark moved into the tantivy commit
/// payload kept it (read once, for those; never written now).
const WATERMARK: &str = "search.indexed_through";

/// The index directory inside the data directory.
pub fn index_dir(home: &Path) -> PathBuf {
    home.join("search")
}

fn se(e: lpl_search::Error) -> CoreError {
    match e {
        lpl_search::Error::SchemaChanged { .. } => CoreError::Invalid(format!(
            "{e}: run `lpl search --reindex` to rebuild it from the archive"
        )),
        e => CoreError::Invalid(e.to_string()),
    }
}

/// The writer side of the index during an import: catches up with rows
/// stored earlier, then takes each new row as the import stores it (parsed
/// once, for the store and the index alike), and commits at the end.
///
/// The watermark (last row id indexed; rows are numbered in insertion
/// order) is the payload of the tantivy commit, so it can never disagree
/// with the index: after a crash the next run re-indexes from the stored
/// raw messages whatever the index had not committed.
pub struct Indexer {
    index: SearchIndex,
    through: i64,
    added: u64,
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
    /// Opens the index for writing (tantivy's writer lock: one writer at a
    /// time; searches still run).
    ///
    /// An index written with another schema (an older lpl) is derived
    /// data: it is removed and rebuilt from the archive by the next
    /// [`Indexer::catch_up`], which then starts from the first row.
    pub fn open(store: &Store, home: &Path) -> Result<Self, CoreError> {
        let dir = index_dir(home);
        let options = IndexOptions {
            // Bounded: the import's own memory plus this stays < 300 MB.
            writer_memory: 64 << 20,
            threads: 2,
            ..IndexOptions::default()
        };
        let index = match SearchIndex::open(&dir, &options) {
            Err(lpl_search::Error::SchemaChanged { .. }) => {
                std::fs::remove_dir_all(&dir).map_err(|e| {
                    CoreError::Invalid(format!(
                        "cannot remove the outdated search index {}: {e}",
                        dir.display()
                    ))
                })?;
                SearchIndex::open(&dir, &options)
            }
            other => other,
        }
        .map_err(se)?;
        // Indexes written before the watermark moved into the commit
        // payload kept it in the store.
        let through = match parse_watermark(index.payload().map_err(se)?) {
            Some(w) => w,
            // A new (or deleted and recreated) index starts from the first row.
            None if index.num_docs() == 0 => 0,
            None => parse_watermark(store.state(WATERMARK)?).unwrap_or(0),
        };
        Ok(Self {
            index,
            through,
            added: 0,
        })
    }

    /// Indexes every stored row above the watermark, reading the raw
    /// messages back from the store (rows stored by an import that ran
    /// without the index, or was killed before its index commit).
    pub fn catch_up(
        &mut self,
        store: &Store,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<u64, CoreError> {
        let mut done = 0u64;
        loop {
            let ids = store.message_ids_after(self.through, 2000)?;
            if ids.is_empty() {
                break;
            }
            let raws: Vec<(i64, Vec<u8>)> = ids
                .iter()
                .map(|&id| Ok((id, store.raw(id)?)))
                .collect::<Result<_, CoreError>>()?;
            let mut docs: Vec<(i64, SearchDoc)> = raws
                .par_iter()
                .map(|(id, raw)| {
                    let doc = SearchDoc::from_message(
                        DocKey::new(id.to_string()),
                        &lpl_mail::parse(raw).message,
                    );
                    (*id, doc)
                })
                .collect();
            for (id, d) in &mut docs {
                self.add_row(*id, d)?;
            }
            done += ids.len() as u64;
            on_progress(done);
        }
        Ok(done)
    }

    /// Adds the document of a row stored after everything indexed so far
    /// (its key is set to the row). Rows at or below the watermark are
    /// already indexed and ignored.
    pub fn add_row(&mut self, row: i64, doc: &mut SearchDoc) -> Result<(), CoreError> {
        if row <= self.through {
            return Ok(());
        }
        doc.key = DocKey::new(row.to_string());
        // Above the committed watermark the key cannot be indexed yet: add
        // without the replace.
        self.index.add_new(doc).map_err(se)?;
        self.through = row;
        self.added += 1;
        Ok(())
    }

    /// Documents added since [`Indexer::open`].
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Makes everything added durable and searchable, with the watermark.
    pub fn commit(&mut self) -> Result<(), CoreError> {
        self.index
            .commit_with_payload(&self.through.to_string())
            .map_err(se)?;
        Ok(())
    }
}

/// Adds every message stored since the last update to the index.
pub fn update_index(
    store: &Store,
    home: &Path,
    on_progress: &mut dyn FnMut(u64),
) -> Result<u64, CoreError> {
    let mut ix = Indexer::open(store, home)?;
    let n = ix.catch_up(store, on_progress)?;
    if n > 0 {
        ix.commit()?;
    }
    Ok(n)
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
}

/// Runs `query` over the index.
pub fn search(
    store: &Store,
    lib: &Library,
    home: &Path,
    query: &str,
    limit: usize,
    by_date: bool,
    now: i64,
) -> Result<SearchResults, CoreError> {
    let dir = index_dir(home);
    if !dir.exists() {
        return Err(CoreError::NotFound(
            "no search index yet: run `lpl import` (or `lpl search --reindex`)".into(),
        ));
    }
    // Read-only: no writer lock, so a search can run beside an import.
    let index = SearchIndex::open(
        &dir,
        &IndexOptions {
            writable: false,
            ..Default::default()
        },
    )
    .map_err(se)?;
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
    let hits = index.search(query, &opts).map_err(|e| match e {
        lpl_search::Error::Query(q) => CoreError::Invalid(q.to_string()),
        other => se(other),
    })?;
    let pos: std::collections::HashMap<i64, usize> =
        lib.rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut out = Vec::new();
    for h in hits.hits {
        let Ok(id) = h.key.as_str().parse::<i64>() else {
            continue;
        };
        let Some(&i) = pos.get(&id) else { continue };
        let m = &lib.metas[i];
        let root = lib
            .analysis
            .threads
            .root(lib.analysis.threads.node_of_message(i));
        out.push(SearchHit {
            message_id: m.message_id.as_str().to_owned(),
            subject: m.subject.clone(),
            from: m.from_name.clone().unwrap_or_else(|| m.from_email.clone()),
            date: Some(m.date),
            score: h.score,
            series: lib
                .analysis
                .assembly
                .revision_of_message(i)
                .map(|r| lib.short_id(r)),
            thread: Some(lib.analysis.threads.node(root).id.as_str().to_owned()),
        });
    }
    let _ = store;
    Ok(SearchResults {
        total: hits.total,
        hits: out,
    })
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
) -> Result<Vec<NotebookHit>, CoreError> {
    use lpl_notebook::search::ItemKind;
    let mut index = SearchIndex::in_memory(&IndexOptions::default()).map_err(se)?;
    let items: Vec<_> = lpl_notebook::search::search_items(nb).collect();
    for (i, it) in items.iter().enumerate() {
        let kind = match it.kind {
            ItemKind::Entry => lpl_search::DocKind::Entry,
            ItemKind::Note => lpl_search::DocKind::Note,
            ItemKind::Question => lpl_search::DocKind::Question,
        };
        index
            .add(&SearchDoc {
                key: DocKey::new(i.to_string()),
                kind,
                anchor: Some(it.anchor.clone()),
                message_id: it.message_id.as_ref().map(|m| m.as_str().to_owned()),
                subject: it.text.clone(),
                body: lpl_search::BodyText::from_text(&it.text),
                ..SearchDoc::default()
            })
            .map_err(se)?;
    }
    index.commit().map_err(se)?;
    let hits = index
        .search(
            query,
            &SearchOptions {
                limit,
                now,
                ..Default::default()
            },
        )
        .map_err(|e| match e {
            lpl_search::Error::Query(q) => CoreError::Invalid(q.to_string()),
            other => se(other),
        })?;
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
