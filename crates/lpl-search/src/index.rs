//! The on-disk index: open, add, delete, commit, search.

use std::path::{Path, PathBuf};

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order as TOrder, ReloadPolicy, Searcher,
    TantivyDocument, Term,
};

use crate::doc::{Addr, DocKey, DocKind, SearchDoc};
use crate::query::{self, Node, QueryError};
use crate::schema::{self, Fields};
use crate::tokenize::{XAPIAN_TOKENIZER, XapianTokenizer};
use crate::translate::Translator;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text is malformed.
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    /// The index directory could not be opened or created.
    #[error("cannot open index at {path}: {source}")]
    Open {
        /// Index directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index on disk was written with another schema (by another
    /// version of lpl): it must be rebuilt.
    #[error("the search index at {path} was written by another version of lpl")]
    SchemaChanged {
        /// Index directory.
        path: PathBuf,
    },
    /// The index was opened read-only and a write was attempted.
    #[error("index opened read-only")]
    ReadOnly,
    /// Tantivy failed while writing or searching.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Knobs for opening an index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Open for writing (takes tantivy's single-writer lock).
    pub writable: bool,
    /// Writer memory budget in bytes, split among threads (tantivy#2156:
    /// small budgets flush tiny segments). Default 256 MB.
    pub writer_memory: usize,
    /// Indexing threads. Default 1.
    pub threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            writable: true,
            writer_memory: 256 << 20,
            threads: 1,
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Best match first (BM25), ties newest first.
    #[default]
    Relevance,
    /// Newest first.
    DateDesc,
    /// Oldest first.
    DateAsc,
}

/// Knobs for one search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Skip this many hits first.
    pub offset: usize,
    /// Ranking.
    pub order: Order,
    /// "Now" for relative dates (`d:2.weeks.ago..`), unix seconds.
    pub now: i64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 50,
            offset: 0,
            order: Order::Relevance,
            now: 0,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The caller's key.
    pub key: DocKey,
    /// What the document is.
    pub kind: DocKind,
    /// Notebook anchor, if the document has one.
    pub anchor: Option<String>,
    /// Date (unix seconds), if known.
    pub date: Option<i64>,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
}

/// Results of [`SearchIndex::search`].
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// Total number of matching documents.
    pub total: usize,
    /// The requested page.
    pub hits: Vec<Hit>,
}

/// A full-text index directory.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
    dirty: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("writable", &self.writer.is_some())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if
    /// needed.
    pub fn open(dir: &Path, options: &IndexOptions) -> Result<Self, Error> {
        let open_err = |source| Error::Open {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| open_err(tantivy::TantivyError::from(e)))?;
        let (schema, fields) = schema::build();
        let mmap = MmapDirectory::open(dir).map_err(|e| open_err(e.into()))?;
        let index = if Index::exists(&mmap).map_err(|e| open_err(e.into()))? {
            let index = Index::open(mmap).map_err(open_err)?;
            if index.schema() != schema {
                return Err(Error::SchemaChanged {
                    path: dir.to_owned(),
                });
            }
            index
        } else {
            Index::create(mmap, schema, tantivy::IndexSettings::default()).map_err(open_err)?
        };
        Self::with_index(index, fields, options).map_err(open_err)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory(options: &IndexOptions) -> Result<Self, Error> {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        Ok(Self::with_index(index, fields, options)?)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        options: &IndexOptions,
    ) -> Result<Self, tantivy::TantivyError> {
        index
            .tokenizers()
            .register(XAPIAN_TOKENIZER, XapianTokenizer::new());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = if options.writable {
            let threads = options.threads.max(1);
            // tantivy's minimum is 15 MB per thread.
            let memory = options.writer_memory.max(threads * (16 << 20));
            Some(index.writer_with_num_threads(threads, memory)?)
        } else {
            None
        };
        Ok(Self {
            index,
            reader,
            writer,
            fields,
            dirty: false,
        })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter, Error> {
        self.writer.as_mut().ok_or(Error::ReadOnly)
    }

    /// Adds (or replaces) a document. Visible after [`SearchIndex::commit`].
    pub fn add(&mut self, doc: &SearchDoc) -> Result<(), Error> {
        let tdoc = self.to_tantivy(doc);
        let key = Term::from_field_text(self.fields.key, doc.key.as_str());
        let w = self.writer()?;
        w.delete_term(key);
        w.add_document(tdoc)?;
        self.dirty = true;
        Ok(())
    }

    /// Adds a document whose key is known not to be indexed yet (no
    /// replace): the bulk path of an import, where keys are new store rows
    /// above the committed watermark ([`SearchIndex::payload`]). Skipping
    /// the delete saves tantivy a term lookup per document at commit.
    pub fn add_new(&mut self, doc: &SearchDoc) -> Result<(), Error> {
        let tdoc = self.to_tantivy(doc);
        self.writer()?.add_document(tdoc)?;
        self.dirty = true;
        Ok(())
    }

    /// Commits like [`SearchIndex::commit`], storing `payload` atomically
    /// with the commit (e.g. the last store row indexed).
    pub fn commit_with_payload(&mut self, payload: &str) -> Result<(), Error> {
        if let Some(w) = self.writer.as_mut() {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(payload);
            prepared.commit()?;
            self.dirty = false;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The payload of the last commit, if any.
    pub fn payload(&self) -> Result<Option<String>, Error> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Removes the document with `key`, if any. Visible after commit.
    pub fn delete(&mut self, key: &DocKey) -> Result<(), Error> {
        let key = Term::from_field_text(self.fields.key, key.as_str());
        self.writer()?.delete_term(key);
        self.dirty = true;
        Ok(())
    }

    /// Makes added and deleted documents durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), Error> {
        if let Some(w) = self.writer.as_mut()
            && self.dirty
        {
            w.commit()?;
            self.dirty = false;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Picks up commits made by another process's writer.
    pub fn reload(&self) -> Result<(), Error> {
        Ok(self.reader.reload()?)
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Parses and runs `query`.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Hits, Error> {
        let node = query::parse(query)?;
        self.search_node(&node, options)
    }

    /// Runs a parsed query.
    pub fn search_node(&self, node: &Node, options: &SearchOptions) -> Result<Hits, Error> {
        let searcher = self.reader.searcher();
        let q = self.translate(node, options.now);
        let top = TopDocs::with_limit(options.limit.max(1)).and_offset(options.offset);
        let (total, addrs): (usize, Vec<(f32, DocAddress)>) = match options.order {
            Order::Relevance => searcher.search(&*q, &(Count, top.order_by_score()))?,
            Order::DateDesc | Order::DateAsc => {
                let order = if options.order == Order::DateDesc {
                    TOrder::Desc
                } else {
                    TOrder::Asc
                };
                let (n, v) =
                    searcher.search(&*q, &(Count, top.order_by_fast_field::<i64>("ts", order)))?;
                (n, v.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let mut hits = Vec::with_capacity(addrs.len());
        if options.limit > 0 {
            for (score, addr) in addrs {
                hits.push(self.hit(&searcher, addr, score)?);
            }
        }
        Ok(Hits { total, hits })
    }

    /// Keys of every document matching `query` (unordered), for tests and
    /// set operations.
    pub fn matching_keys(&self, query: &str, now: i64) -> Result<Vec<DocKey>, Error> {
        let node = query::parse(query)?;
        let searcher = self.reader.searcher();
        let q = self.translate(&node, now);
        let addrs = searcher.search(&*q, &DocSetCollector)?;
        let mut keys = Vec::with_capacity(addrs.len());
        for addr in addrs {
            keys.push(self.hit(&searcher, addr, 0.0)?.key);
        }
        Ok(keys)
    }

    fn translate(&self, node: &Node, now: i64) -> Box<dyn Query> {
        let t = Translator {
            fields: &self.fields,
            now,
            stemmer: crate::tokenize::english(),
        };
        t.node(node)
            .unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery))
    }

    fn hit(&self, searcher: &Searcher, addr: DocAddress, score: f32) -> Result<Hit, Error> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |f| doc.get_first(f).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(Hit {
            key: DocKey::new(text(self.fields.key).unwrap_or_default()),
            kind: text(self.fields.kind)
                .and_then(|k| DocKind::from_name(&k))
                .unwrap_or_default(),
            anchor: text(self.fields.anchor),
            date: doc.get_first(self.fields.ts).and_then(|v| v.as_i64()),
            score,
        })
    }

    fn to_tantivy(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut t = TantivyDocument::new();
        t.add_text(f.key, d.key.as_str());
        t.add_text(f.kind, d.kind.as_str());
        if let Some(a) = &d.anchor {
            t.add_text(f.anchor, a);
        }
        if let Some(mid) = &d.message_id {
            t.add_text(f.mid, mid);
            t.add_text(f.xm, mid);
            // public-inbox also indexes the long words of long Message-IDs.
            if has_word_run(mid, 12) {
                let long: Vec<&str> = mid
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| w.chars().count() >= 3)
                    .collect();
                t.add_text(f.xm, long.join(" "));
            }
        }
        if !d.subject.is_empty() {
            t.add_text(f.subject, &d.subject);
        }
        for (field, addrs) in [(f.from, &d.from), (f.to, &d.to), (f.cc, &d.cc)] {
            if !addrs.is_empty() {
                t.add_text(field, addresses(addrs));
            }
        }
        if let Some(l) = &d.list_id {
            let l = l.to_lowercase();
            t.add_text(f.lid, &l);
            t.add_text(f.list, &l);
        }
        let b = &d.body;
        // One value per field, Xapian's term-position gaps kept by VALUE_BREAK
        // (far cheaper than one tantivy value per diff line).
        for (field, values) in [
            (f.quoted, &b.quoted),
            (f.unquoted, &b.unquoted),
            (f.dfn, &b.diff.files),
            (f.dfa, &b.diff.removed),
            (f.dfb, &b.diff.added),
            (f.dfctx, &b.diff.context),
            (f.dfhh, &b.diff.hunk_headers),
        ] {
            if !values.is_empty() {
                let sep = crate::tokenize::VALUE_BREAK.to_string();
                t.add_text(field, values.join(&sep));
            }
        }
        for (field, ids) in [(f.dfpre, &b.diff.pre_blobs), (f.dfpost, &b.diff.post_blobs)] {
            for id in ids {
                // Every abbreviation of 7+ digits, like public-inbox.
                for len in (7..=id.len()).rev() {
                    if let Some(p) = id.get(..len) {
                        t.add_text(field, p);
                    }
                }
            }
        }
        if let Some(p) = &d.patch_id {
            t.add_text(f.patchid, p);
        }
        if !d.attachments.is_empty() {
            // One value per name: a phrase never spans two names.
            let sep = crate::tokenize::VALUE_BREAK.to_string();
            t.add_text(f.filename, d.attachments.join(&sep));
        }
        if let Some(rt) = d.received {
            t.add_i64(f.received, rt);
        }
        if let Some(date) = d.date
            && let Some((day, second)) = crate::date::index_values(date)
        {
            t.add_u64(f.day, day);
            t.add_u64(f.second, second);
            t.add_i64(f.ts, date);
        }
        t
    }
}

fn has_word_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn addresses(addrs: &[Addr]) -> String {
    let mut s = String::new();
    for a in addrs {
        if !s.is_empty() {
            s.push_str(", ");
        }
        if let Some(n) = &a.name {
            s.push_str(n);
            s.push(' ');
        }
        s.push_str(&a.email);
    }
    s
}
