//! Immutable index segments: how they are built in memory and written,
//! and how they are read back.
//!
//! Why not tantivy (which lpl used first): its writer keeps a growing
//! postings list with positions per term and inserts every token into it,
//! ~500 ns per token here; the whole import with the index could not keep
//! up with `mairix` (see the crate README). A segment here is built the
//! other way round:
//!
//! - every token is looked up once in one hash map of the segment's
//!   vocabulary (a word's Snowball stem is computed once per distinct word,
//!   not per occurrence) and appended, as a number, to the document's
//!   *forward* stream of its field;
//! - at the end of each document its distinct (field, term) pairs with their
//!   frequencies are packed into one `u64` each; at flush one sort of those
//!   gives every postings list (documents and frequencies);
//! - positions are not kept in the postings: a phrase is checked against
//!   the forward streams of the documents that hold all its words. The
//!   forward streams are also what a merge re-reads.
//!
//! Layout of a segment file (little-endian): sections back to back (the
//! *data*), then a CRC-32 of every 4 KiB page of the data, then a footer of
//! `(offset, length)` pairs, the data's length, the document and term
//! counts, the CRC-32 of the page sums, the CRC-32 of the footer itself
//! and a magic. See [`Sec`]. Every read checks the sums of the pages it
//! touches, so a flipped or truncated byte anywhere is an error
//! ([`io::ErrorKind::InvalidData`]: the index is damaged and rebuilt), never
//! a wrong answer.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::sync::{Arc, OnceLock};

use crate::fields::{ALL, Field, NFIELDS};
use crate::tokenize::{self, STEM_MARK};

/// Leading character of raw (whole-value) terms, which keeps them apart
/// from words in the shared lexicon.
pub(crate) const RAW_MARK: char = '\u{2}';

const MAGIC: &[u8; 8] = b"LPLSEG02";
/// Bytes of data per checksum.
const PAGE: u64 = 4096;
/// Terms per block of the lexicon (one block is read per lookup).
const BLOCK: usize = 64;
/// Term id of a break between values (no phrase spans it).
const BREAK: u32 = u32::MAX;
/// Largest within-document frequency kept (12 bits in a pair).
const MAX_TF: u64 = 4095;
/// Documents per segment (20 bits in a pair).
pub(crate) const MAX_DOCS: u32 = 1 << 20;
/// Distinct terms per segment (27 bits in a pair).
const MAX_TERMS: u32 = 1 << 27;

/// Sections of a segment file, in file order.
#[derive(Clone, Copy)]
enum Sec {
    TermBytes,
    TermOff,
    RankToId,
    Bidx,
    Pdir,
    Pent,
    Postings,
    KeyBytes,
    KeyOff,
    AnchorBytes,
    AnchorOff,
    Kind,
    Ts,
    Day,
    Second,
    Rt,
    Norms,
    FwdBytes,
    FwdOff,
    Totals,
}
const NSEC: usize = 20;
/// Sections, data length, counts, two sums, magic.
const FOOTER: usize = NSEC * 16 + 8 + 8 + 8 + 8;

/// A fast hash for short words (the vocabulary map's, one per token).
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*i`; a truncated one ends the stream (returns 0 and
/// moves `*i` to the end).
pub(crate) fn get_varint(b: &[u8], i: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0;
    while let Some(&x) = b.get(*i) {
        *i += 1;
        v |= u32::from(x & 0x7f) << shift;
        if x < 0x80 {
            return v;
        }
        shift += 7;
        if shift > 28 {
            break;
        }
    }
    *i = b.len();
    v
}

/// Field length norm in one byte: `ceil(sqrt(len))`, saturated.
fn norm_code(len: u32) -> u8 {
    let mut c = (f64::from(len)).sqrt().ceil() as u32;
    if c * c < len {
        c += 1;
    }
    c.min(255) as u8
}

/// Approximate field length of a norm code.
pub(crate) fn norm_len(code: u8) -> f32 {
    let c = f32::from(code);
    c * c
}

/// What a document carries besides its words.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocMeta {
    pub key: String,
    pub kind: u8,
    pub anchor: Option<String>,
    /// Unix seconds of the Date header.
    pub ts: Option<i64>,
    /// `YYYYMMDD` (UTC).
    pub day: Option<u64>,
    /// `YYYYMMDDHHMMSS` (UTC).
    pub second: Option<u64>,
    /// Received time, unix seconds.
    pub rt: Option<i64>,
}

/// Entries of [`Builder`]'s cache of recent words (a power of two).
const HOT: usize = 1 << 13;

/// A short word packed for the cache: its length, then its bytes, zero
/// padded (words of more than 23 bytes are not cached).
type HotKey = [u64; 3];

fn hot_key(w: &[u8]) -> Option<HotKey> {
    if w.is_empty() || w.len() > 23 {
        return None;
    }
    // Bytes `from..` of the word (at most 8), little-endian, zero padded;
    // built without a call to memcpy (this runs once per token).
    let load = |from: usize| -> u64 {
        let Some(rest) = w.get(from..) else { return 0 };
        if let Some(c) = rest.first_chunk::<8>() {
            return u64::from_le_bytes(*c);
        }
        let mut v = 0u64;
        for (i, &b) in rest.iter().enumerate() {
            v |= u64::from(b) << (8 * i);
        }
        v
    };
    // The length, then bytes 0..7, 7..15 and 15..23.
    Some([(w.len() as u64) | (load(0) << 8), load(7), load(15)])
}

fn hot_slot(k: &HotKey) -> usize {
    let h =
        (k[0] ^ k[1].rotate_left(21) ^ k[2].rotate_left(42)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - HOT.trailing_zeros())) as usize
}

/// A segment being filled in memory.
pub(crate) struct Builder {
    /// A direct-mapped cache in front of `vocab` for the words met most:
    /// a hit costs one compare in a table that stays in the CPU cache,
    /// where the map costs a probe and a compare with a key elsewhere in
    /// memory (the two were 40% of the index thread's time).
    hot: Box<[(HotKey, u32)]>,
    vocab: FastMap<Box<str>, u32>,
    /// Term id → id of its marked stem, or [`BREAK`] for none.
    stem_of: Vec<u32>,
    /// Per word id: the unigram of a CJK bigram's second character
    /// (`BREAK` for other words); the first one's is in `stem_of`.
    second_of: Vec<u32>,
    /// Ids taken by marked terms.
    others: u32,
    stemmer: frostem::Stemmer,
    word: String,
    cur: Vec<Vec<u32>>,
    scratch: Vec<u32>,
    /// Per word id: its frequency in the field being ended (0 otherwise).
    tf_of: Vec<u32>,
    stems: Vec<(u32, u32)>,
    fwd: Vec<Vec<u8>>,
    fwd_off: Vec<Vec<u32>>,
    norms: Vec<Vec<u8>>,
    totals: [u64; NFIELDS],
    pairs: Vec<u64>,
    keys: String,
    key_off: Vec<u32>,
    anchors: String,
    anchor_off: Vec<u32>,
    kind: Vec<u8>,
    ts: Vec<i64>,
    day: Vec<u64>,
    second: Vec<u64>,
    rt: Vec<i64>,
    by_key: FastMap<String, u32>,
    /// Documents replaced by a later one with the same key.
    pub deleted: Vec<u32>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub(crate) fn new() -> Self {
        Self {
            hot: vec![([0u64; 3], 0u32); HOT].into_boxed_slice(),
            vocab: FastMap::default(),
            stem_of: Vec::new(),
            second_of: Vec::new(),
            others: 0,
            stemmer: tokenize::english(),
            word: String::new(),
            cur: vec![Vec::new(); NFIELDS],
            scratch: Vec::new(),
            tf_of: Vec::new(),
            stems: Vec::new(),
            fwd: vec![Vec::new(); NFIELDS],
            fwd_off: vec![vec![0]; NFIELDS],
            norms: vec![Vec::new(); NFIELDS],
            totals: [0; NFIELDS],
            pairs: Vec::new(),
            keys: String::new(),
            key_off: vec![0],
            anchors: String::new(),
            anchor_off: vec![0],
            kind: Vec::new(),
            ts: Vec::new(),
            day: Vec::new(),
            second: Vec::new(),
            rt: Vec::new(),
            by_key: FastMap::default(),
            deleted: Vec::new(),
        }
    }

    /// Documents added (replaced ones included).
    pub(crate) fn len(&self) -> u32 {
        self.kind.len() as u32
    }

    /// Bytes held, roughly (for the flush budget).
    pub(crate) fn memory(&self) -> usize {
        self.pairs.len() * 8
            + self.fwd.iter().map(Vec::len).sum::<usize>()
            + (self.stem_of.len() + self.others as usize) * 52
            + self.keys.len() * 3
            + self.kind.len() * (NFIELDS * 5 + 48)
    }

    /// Whether another document may not fit the pair encoding.
    pub(crate) fn full(&self) -> bool {
        self.len() + 1 >= MAX_DOCS
            || self.stem_of.len() as u32 + self.others + (1 << 20) >= MAX_TERMS
    }

    /// A word of a text field, with its stem (computed once per word).
    /// Words take ids from 0 up, so the frequent ones, met early, stay
    /// short in the forward streams.
    fn intern_word(&mut self, w: &str) -> u32 {
        let Some(key) = hot_key(w.as_bytes()) else {
            return self.intern_word_slow(w);
        };
        let slot = hot_slot(&key);
        if let Some(&(k, id)) = self.hot.get(slot)
            && k == key
        {
            return id;
        }
        let id = self.intern_word_slow(w);
        if let Some(e) = self.hot.get_mut(slot) {
            *e = (key, id);
        }
        id
    }

    fn intern_word_slow(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.vocab.get(w) {
            return id;
        }
        let id = self.stem_of.len() as u32;
        self.vocab.insert(w.into(), id);
        self.stem_of.push(BREAK);
        self.second_of.push(BREAK);
        if let Some((a, b)) = tokenize::cjk_pair(w) {
            let first = self.intern_other(&tokenize::unigram_term(a));
            let second = self.intern_other(&tokenize::unigram_term(b));
            self.stem_of[id as usize] = first;
            self.second_of[id as usize] = second;
        } else if tokenize::should_stem(w) {
            // A lone CJK character is its own unigram: no stem.
            let marked = tokenize::stem_term(&self.stemmer, w);
            if marked[STEM_MARK.len_utf8()..] != *w {
                let sid = self.intern_other(&marked);
                self.stem_of[id as usize] = sid;
            }
        }
        id
    }

    /// A marked term (stem or raw value): ids from the top down, renumbered
    /// after the words when the segment is written.
    fn intern_other(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.vocab.get(t) {
            return id;
        }
        self.others += 1;
        let id = MAX_TERMS - self.others;
        self.vocab.insert(t.into(), id);
        id
    }

    /// Splits one value of a text field (a line, a section, a name) into
    /// words. Values are kept apart by a break, like Xapian's
    /// `increase_termpos` between them: no phrase spans two.
    pub(crate) fn text(&mut self, field: Field, value: &str) {
        let f = field.id();
        let mut ids = std::mem::take(&mut self.cur[f]);
        let mut word = std::mem::take(&mut self.word);
        if ids.last().is_some_and(|&l| l != BREAK) {
            ids.push(BREAK);
        }
        tokenize::words_into(&mut word, value, |w| ids.push(self.intern_word(w)));
        self.word = word;
        self.cur[f] = ids;
    }

    /// Adds a word or a break (`None`) as read back from another segment.
    pub(crate) fn token(&mut self, field: Field, term: Option<&str>) {
        let id = match term {
            None => BREAK,
            Some(t) if field.is_text() => self.intern_word(t),
            Some(t) => self.intern_other(t),
        };
        self.cur[field.id()].push(id);
    }

    /// One whole value of a raw field.
    pub(crate) fn raw(&mut self, field: Field, value: &str) {
        let mut marked = std::mem::take(&mut self.word);
        marked.clear();
        marked.push(RAW_MARK);
        marked.push_str(value);
        let id = self.intern_other(&marked);
        self.word = marked;
        self.cur[field.id()].push(id);
    }

    /// Ends the document whose words were just given; with `replace`, an
    /// earlier document of this segment with the same key is deleted.
    pub(crate) fn end_doc(&mut self, meta: DocMeta, replace: bool) {
        let doc = self.len();
        if replace && let Some(old) = self.by_key.insert(meta.key.clone(), doc) {
            self.deleted.push(old);
        }
        for f in ALL {
            let i = f.id();
            let ids = std::mem::take(&mut self.cur[i]);
            let mut n = 0u32;
            for &id in &ids {
                put_varint(&mut self.fwd[i], id.wrapping_add(1));
                if id != BREAK {
                    n += 1;
                }
            }
            self.fwd_off[i].push(self.fwd[i].len() as u32);
            self.norms[i].push(norm_code(n));
            self.totals[i] += u64::from(n);
            if n > 0 {
                self.postings_of(f, doc, &ids);
            }
            let mut ids = ids;
            ids.clear();
            self.cur[i] = ids;
        }
        self.keys.push_str(&meta.key);
        self.key_off.push(self.keys.len() as u32);
        if let Some(a) = &meta.anchor {
            self.anchors.push_str(a);
        }
        self.anchor_off.push(self.anchors.len() as u32);
        self.kind.push(meta.kind);
        self.ts.push(meta.ts.unwrap_or(i64::MIN));
        self.day.push(meta.day.unwrap_or(0));
        self.second.push(meta.second.unwrap_or(0));
        self.rt.push(meta.rt.unwrap_or(i64::MIN));
    }

    fn pair(field: Field, id: u32, doc: u32, tf: u64) -> u64 {
        (u64::from(id) << 37) | ((field as u64) << 32) | (u64::from(doc) << 12) | tf.min(MAX_TF)
    }

    fn postings_of(&mut self, field: Field, doc: u32, ids: &[u32]) {
        if field.is_text() {
            return self.text_postings_of(field, doc, ids);
        }
        // A raw field: a few whole values, no stems.
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        s.extend(ids.iter().copied().filter(|&i| i != BREAK));
        s.sort_unstable();
        for run in s.chunk_by(|a, b| a == b) {
            self.pairs
                .push(Self::pair(field, run[0], doc, run.len() as u64));
        }
        self.scratch = s;
    }

    /// [`Builder::postings_of`] for a text field, whose ids are all word
    /// ids (below the vocabulary size): frequencies are counted in a table
    /// indexed by id instead of sorting the document's words.
    fn text_postings_of(&mut self, field: Field, doc: u32, ids: &[u32]) {
        if self.tf_of.len() < self.stem_of.len() {
            self.tf_of.resize(self.stem_of.len(), 0);
        }
        let mut distinct = std::mem::take(&mut self.scratch);
        distinct.clear();
        for &id in ids {
            if let Some(tf) = self.tf_of.get_mut(id as usize) {
                if *tf == 0 {
                    distinct.push(id);
                }
                *tf += 1;
            }
        }
        for &id in &distinct {
            let tf = std::mem::take(&mut self.tf_of[id as usize]);
            self.pairs.push(Self::pair(field, id, doc, u64::from(tf)));
            let stem = self.stem_of[id as usize];
            if stem != BREAK {
                self.stems.push((stem, tf));
                let second = self.second_of[id as usize];
                if second != BREAK {
                    self.stems.push((second, tf));
                }
            }
        }
        // A stem's frequency: its words' frequencies, summed.
        self.stems.sort_unstable();
        for run in self.stems.chunk_by(|a, b| a.0 == b.0) {
            let tf: u32 = run.iter().map(|&(_, tf)| tf).sum();
            self.pairs
                .push(Self::pair(field, run[0].0, doc, u64::from(tf)));
        }
        self.stems.clear();
        self.scratch = distinct;
    }

    /// Writes the segment; returns its size in bytes.
    pub(crate) fn write(mut self, out: &mut dyn Write) -> io::Result<u64> {
        let n = self.len() as usize;
        // Sort the vocabulary; term ids stay as they are (the forward
        // streams and postings use them), the lexicon maps rank → id.
        let nwords = self.stem_of.len() as u32;
        // Marked terms follow the words.
        let low = MAX_TERMS - self.others;
        let renumber = |id: u32| {
            if id >= low {
                nwords + (MAX_TERMS - 1 - id)
            } else {
                id
            }
        };
        let mut vocab: Vec<(Box<str>, u32)> = std::mem::take(&mut self.vocab)
            .into_iter()
            .map(|(t, id)| (t, renumber(id)))
            .collect();
        vocab.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let nterms = vocab.len();
        let mut w = Counting {
            out,
            n: 0,
            page: crc32fast::Hasher::new(),
            sums: Vec::new(),
        };
        let mut secs = [(0u64, 0u64); NSEC];
        // Lexicon.
        secs[Sec::TermBytes as usize].0 = w.n;
        let mut term_off = Vec::with_capacity(nterms + 1);
        let mut rank_to_id = Vec::with_capacity(nterms);
        let mut bidx = Vec::new();
        term_off.push(0u32);
        let mut total = 0u32;
        for (r, (t, id)) in vocab.iter().enumerate() {
            w.write_all(t.as_bytes())?;
            total += t.len() as u32;
            term_off.push(total);
            rank_to_id.push(*id);
            if r % BLOCK == 0 {
                bidx.extend_from_slice(&(t.len() as u32).to_le_bytes());
                bidx.extend_from_slice(t.as_bytes());
            }
        }
        drop(vocab);
        secs[Sec::TermBytes as usize].1 = w.n - secs[Sec::TermBytes as usize].0;
        put_section(&mut w, &mut secs, Sec::TermOff, &u32s(&term_off))?;
        drop(term_off);
        put_section(&mut w, &mut secs, Sec::RankToId, &u32s(&rank_to_id))?;
        drop(rank_to_id);
        put_section(&mut w, &mut secs, Sec::Bidx, &bidx)?;
        drop(bidx);
        // Postings, in (id, field, doc) order: a stable radix sort on
        // (id, field) keeps each list in document order.
        let mut pairs = std::mem::take(&mut self.pairs);
        for p in &mut pairs {
            let id = (*p >> 37) as u32;
            if id >= low {
                *p = (u64::from(renumber(id)) << 37) | (*p & ((1 << 37) - 1));
            }
        }
        radix_sort_hi32(&mut pairs);
        let mut pdir = vec![0u32; nterms + 1];
        let mut pent: Vec<u8> = Vec::new();
        let mut postings: Vec<u8> = Vec::new();
        let mut tfs: Vec<u8> = Vec::new();
        let mut i = 0;
        let mut next_id = 0usize;
        while i < pairs.len() {
            let id = (pairs[i] >> 37) as usize;
            while next_id <= id {
                pdir[next_id] = pent.len() as u32;
                next_id += 1;
            }
            // This term's entries: the offset of its first list, then
            // (field, df, length) per field.
            pent.extend_from_slice(&(postings.len() as u64).to_le_bytes());
            while i < pairs.len() && (pairs[i] >> 37) as usize == id {
                let key = pairs[i] >> 32;
                let start = postings.len();
                let mut prev = 0u32;
                let mut df = 0u32;
                tfs.clear();
                while i < pairs.len() && pairs[i] >> 32 == key {
                    let doc = ((pairs[i] >> 12) & 0xf_ffff) as u32;
                    put_varint(&mut postings, doc - prev);
                    prev = doc;
                    put_varint(&mut tfs, (pairs[i] & MAX_TF) as u32);
                    df += 1;
                    i += 1;
                }
                postings.extend_from_slice(&tfs);
                pent.push((key & 0x1f) as u8);
                put_varint(&mut pent, df);
                put_varint(&mut pent, (postings.len() - start) as u32);
            }
        }
        drop(pairs);
        while next_id <= nterms {
            pdir[next_id] = pent.len() as u32;
            next_id += 1;
        }
        put_section(&mut w, &mut secs, Sec::Pdir, &u32s(&pdir))?;
        put_section(&mut w, &mut secs, Sec::Pent, &pent)?;
        put_section(&mut w, &mut secs, Sec::Postings, &postings)?;
        drop((pdir, pent, postings));
        // Documents.
        put_section(&mut w, &mut secs, Sec::KeyBytes, self.keys.as_bytes())?;
        put_section(&mut w, &mut secs, Sec::KeyOff, &u32s(&self.key_off))?;
        put_section(&mut w, &mut secs, Sec::AnchorBytes, self.anchors.as_bytes())?;
        put_section(&mut w, &mut secs, Sec::AnchorOff, &u32s(&self.anchor_off))?;
        put_section(&mut w, &mut secs, Sec::Kind, &self.kind)?;
        let i64s = |v: &[i64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let u64s = |v: &[u64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        put_section(&mut w, &mut secs, Sec::Ts, &i64s(&self.ts))?;
        put_section(&mut w, &mut secs, Sec::Day, &u64s(&self.day))?;
        put_section(&mut w, &mut secs, Sec::Second, &u64s(&self.second))?;
        put_section(&mut w, &mut secs, Sec::Rt, &i64s(&self.rt))?;
        let norms: Vec<u8> = self.norms.concat();
        put_section(&mut w, &mut secs, Sec::Norms, &norms)?;
        // Forward streams, field after field.
        secs[Sec::FwdBytes as usize].0 = w.n;
        let mut fwd_off: Vec<u32> = Vec::with_capacity(NFIELDS * (n + 1));
        let mut written = 0u32;
        for f in ALL {
            let mut src = std::mem::take(&mut self.fwd[f.id()]);
            let mut offs = std::mem::take(&mut self.fwd_off[f.id()]);
            if !f.is_text() {
                // Raw values carry marked ids: renumber them.
                let mut out = Vec::with_capacity(src.len());
                let mut new_offs = Vec::with_capacity(offs.len());
                new_offs.push(0);
                for d in 0..n {
                    let s = &src[offs[d] as usize..offs[d + 1] as usize];
                    let mut j = 0;
                    while j < s.len() {
                        let v = get_varint(s, &mut j);
                        let v = if v == 0 { 0 } else { renumber(v - 1) + 1 };
                        put_varint(&mut out, v);
                    }
                    new_offs.push(out.len() as u32);
                }
                src = out;
                offs = new_offs;
            }
            fwd_off.extend(offs.iter().map(|o| written + o));
            w.write_all(&src)?;
            written += src.len() as u32;
        }
        secs[Sec::FwdBytes as usize].1 = w.n - secs[Sec::FwdBytes as usize].0;
        put_section(&mut w, &mut secs, Sec::FwdOff, &u32s(&fwd_off))?;
        let totals = u64s(&self.totals);
        put_section(&mut w, &mut secs, Sec::Totals, &totals)?;
        let data_end = w.n;
        let sums = w.page_sums();
        let out = w.out;
        out.write_all(&sums)?;
        let footer = footer(&secs, data_end, n as u32, nterms as u32, &sums);
        out.write_all(&footer)?;
        out.flush()?;
        Ok(data_end + sums.len() as u64 + footer.len() as u64)
    }
}

/// The footer of a segment whose data is `data_end` bytes long with page
/// sums `sums`.
fn footer(
    secs: &[(u64, u64); NSEC],
    data_end: u64,
    ndocs: u32,
    nterms: u32,
    sums: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(FOOTER);
    for (o, l) in secs {
        f.extend_from_slice(&o.to_le_bytes());
        f.extend_from_slice(&l.to_le_bytes());
    }
    f.extend_from_slice(&data_end.to_le_bytes());
    f.extend_from_slice(&ndocs.to_le_bytes());
    f.extend_from_slice(&nterms.to_le_bytes());
    f.extend_from_slice(&crc32fast::hash(sums).to_le_bytes());
    let own = crc32fast::hash(&f);
    f.extend_from_slice(&own.to_le_bytes());
    f.extend_from_slice(MAGIC);
    f
}

/// Bytes of page sums for `data_end` bytes of data.
fn sums_len(data_end: u64) -> u64 {
    data_end.div_ceil(PAGE) * 4
}

/// Rewrites the page sums and footer of a would-be segment so that they
/// match its bytes (the segment fuzz target uses it to reach the reader
/// behind the checksums). Returns `None` when `bytes` is too short to hold
/// a footer.
pub(crate) fn reseal(bytes: &[u8]) -> Option<Vec<u8>> {
    let len = bytes.len() as u64;
    if len < FOOTER as u64 {
        return None;
    }
    let f = &bytes[bytes.len() - FOOTER..];
    let mut secs = [(0u64, 0u64); NSEC];
    for (i, s) in secs.iter_mut().enumerate() {
        *s = (le_u64(&f[i * 16..]), le_u64(&f[i * 16 + 8..]));
    }
    let data_end = le_u64(&f[NSEC * 16..]).min(len - FOOTER as u64);
    let (ndocs, nterms) = (le_u32(&f[NSEC * 16 + 8..]), le_u32(&f[NSEC * 16 + 12..]));
    let data = &bytes[..data_end as usize];
    let sums: Vec<u8> = data
        .chunks(PAGE as usize)
        .flat_map(|p| crc32fast::hash(p).to_le_bytes())
        .collect();
    let mut out = data.to_vec();
    out.extend_from_slice(&sums);
    out.extend_from_slice(&footer(&secs, data_end, ndocs, nterms, &sums));
    Some(out)
}

/// Sorts by the high 32 bits (term id and field), stably: three passes of
/// an LSD radix sort.
fn radix_sort_hi32(v: &mut Vec<u64>) {
    let mut buf = vec![0u64; v.len()];
    for (shift, bits) in [(32u32, 11u32), (43, 11), (54, 10)] {
        let mask = (1u64 << bits) - 1;
        let mut counts = vec![0usize; 1 << bits];
        for &x in v.iter() {
            counts[((x >> shift) & mask) as usize] += 1;
        }
        if counts.contains(&v.len()) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &x in v.iter() {
            let b = ((x >> shift) & mask) as usize;
            buf[counts[b]] = x;
            counts[b] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn put_section(
    w: &mut Counting<'_>,
    secs: &mut [(u64, u64); NSEC],
    s: Sec,
    bytes: &[u8],
) -> io::Result<()> {
    secs[s as usize] = (w.n, bytes.len() as u64);
    w.write_all(bytes)
}

/// Counts the bytes written and sums each [`PAGE`] of them.
struct Counting<'a> {
    out: &'a mut dyn Write,
    n: u64,
    page: crc32fast::Hasher,
    sums: Vec<u8>,
}

impl Counting<'_> {
    /// Ends the data: the sums of its pages (the last one partial).
    fn page_sums(&mut self) -> Vec<u8> {
        if !self.n.is_multiple_of(PAGE) {
            let h = std::mem::take(&mut self.page);
            self.sums.extend_from_slice(&h.finalize().to_le_bytes());
        }
        std::mem::take(&mut self.sums)
    }
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Up to the end of the current page at most.
        let room = (PAGE - self.n % PAGE) as usize;
        let k = self.out.write(&buf[..buf.len().min(room)])?;
        self.page.update(&buf[..k]);
        self.n += k as u64;
        if self.n.is_multiple_of(PAGE) && k > 0 {
            let h = std::mem::take(&mut self.page);
            self.sums.extend_from_slice(&h.finalize().to_le_bytes());
        }
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where a segment's bytes live.
#[derive(Clone)]
pub(crate) enum Source {
    File(Arc<File>),
    Mem(Arc<Vec<u8>>),
}

impl Source {
    fn len(&self) -> io::Result<u64> {
        match self {
            Source::File(f) => Ok(f.metadata()?.len()),
            Source::Mem(v) => Ok(v.len() as u64),
        }
    }

    fn read(&self, off: u64, len: u64) -> io::Result<Vec<u8>> {
        match self {
            Source::File(f) => {
                let mut buf = vec![0u8; len as usize];
                f.read_exact_at(&mut buf, off)?;
                Ok(buf)
            }
            Source::Mem(v) => v
                .get(off as usize..(off + len) as usize)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| corrupt("section out of range")),
        }
    }
}

pub(crate) fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt segment: {what}"),
    )
}

/// Postings of one term in one field.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    pub docs: Vec<u32>,
    pub tfs: Vec<u32>,
}

/// An open segment.
pub(crate) struct Segment {
    src: Source,
    secs: [(u64, u64); NSEC],
    /// Length of the data (sections), which the page sums cover.
    data_end: u64,
    /// CRC-32 of each page of the data.
    sums: Vec<u32>,
    pub ndocs: u32,
    /// File size.
    pub bytes: u64,
    nterms: u32,
    /// First term of every block.
    bidx: Vec<Box<[u8]>>,
    pub totals: [u64; NFIELDS],
    ts: OnceLock<Vec<i64>>,
    day: OnceLock<Vec<u64>>,
    second: OnceLock<Vec<u64>>,
    rt: OnceLock<Vec<i64>>,
    norms: Vec<OnceLock<Vec<u8>>>,
    fwd_off: Vec<OnceLock<Vec<u32>>>,
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

impl Segment {
    pub(crate) fn open(src: Source) -> io::Result<Self> {
        let len = src.len()?;
        if len < FOOTER as u64 {
            return Err(corrupt("too short"));
        }
        let f = src.read(len - FOOTER as u64, FOOTER as u64)?;
        if &f[FOOTER - 8..] != MAGIC {
            return Err(corrupt(
                "bad magic (truncated, or written by another version)",
            ));
        }
        let own = le_u32(&f[FOOTER - 12..]);
        if crc32fast::hash(&f[..FOOTER - 12]) != own {
            return Err(corrupt("footer checksum mismatch"));
        }
        let data_end = le_u64(&f[NSEC * 16..]);
        let ndocs = le_u32(&f[NSEC * 16 + 8..]);
        let nterms = le_u32(&f[NSEC * 16 + 12..]);
        let sums_crc = le_u32(&f[NSEC * 16 + 16..]);
        let nsums = sums_len(data_end);
        if data_end
            .checked_add(nsums)
            .and_then(|x| x.checked_add(FOOTER as u64))
            != Some(len)
        {
            return Err(corrupt("length does not match the footer (truncated?)"));
        }
        let raw_sums = src.read(data_end, nsums)?;
        if crc32fast::hash(&raw_sums) != sums_crc {
            return Err(corrupt("page checksums damaged"));
        }
        let sums = raw_sums.chunks_exact(4).map(le_u32).collect();
        let mut secs = [(0u64, 0u64); NSEC];
        for (i, s) in secs.iter_mut().enumerate() {
            *s = (le_u64(&f[i * 16..]), le_u64(&f[i * 16 + 8..]));
            if s.0.checked_add(s.1).is_none_or(|end| end > data_end) {
                return Err(corrupt("section out of range"));
            }
        }
        // Counts that size allocations must agree with the sections.
        let count = |s: Sec, width: u64| secs[s as usize].1 / width;
        if count(Sec::TermOff, 4) != u64::from(nterms) + 1
            || count(Sec::RankToId, 4) != u64::from(nterms)
            || count(Sec::KeyOff, 4) != u64::from(ndocs) + 1
            || count(Sec::Kind, 1) != u64::from(ndocs)
        {
            return Err(corrupt("counts do not match the sections"));
        }
        let mut seg = Self {
            src,
            secs,
            data_end,
            sums,
            ndocs,
            bytes: len,
            nterms,
            bidx: Vec::new(),
            totals: [0; NFIELDS],
            ts: OnceLock::new(),
            day: OnceLock::new(),
            second: OnceLock::new(),
            rt: OnceLock::new(),
            norms: (0..NFIELDS).map(|_| OnceLock::new()).collect(),
            fwd_off: (0..NFIELDS).map(|_| OnceLock::new()).collect(),
        };
        let b = seg.section(Sec::Bidx)?;
        let mut i = 0;
        while i + 4 <= b.len() {
            let l = le_u32(&b[i..]) as usize;
            let t = b
                .get(i + 4..i + 4 + l)
                .ok_or_else(|| corrupt("block index"))?;
            seg.bidx.push(t.into());
            i += 4 + l;
        }
        let t = seg.section(Sec::Totals)?;
        for (k, tot) in seg.totals.iter_mut().enumerate() {
            *tot = t.get(k * 8..k * 8 + 8).map(le_u64).unwrap_or(0);
        }
        Ok(seg)
    }

    /// Reads `len` bytes of data at `off`, checking the sums of the pages
    /// they lie in.
    fn read(&self, off: u64, len: u64) -> io::Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let end = off
            .checked_add(len)
            .filter(|&e| e <= self.data_end)
            .ok_or_else(|| corrupt("read past the data"))?;
        let first = off / PAGE;
        let from = first * PAGE;
        let to = (end.div_ceil(PAGE) * PAGE).min(self.data_end);
        let pages = self.src.read(from, to - from)?;
        for (i, p) in pages.chunks(PAGE as usize).enumerate() {
            let want = self.sums.get(first as usize + i).copied();
            if want != Some(crc32fast::hash(p)) {
                return Err(corrupt(&format!(
                    "checksum mismatch in bytes {}..{}",
                    from + i as u64 * PAGE,
                    from + i as u64 * PAGE + p.len() as u64
                )));
            }
        }
        let skip = (off - from) as usize;
        if skip == 0 && pages.len() as u64 == len {
            return Ok(pages);
        }
        Ok(pages[skip..skip + len as usize].to_vec())
    }

    fn section(&self, s: Sec) -> io::Result<Vec<u8>> {
        let (o, l) = self.secs[s as usize];
        self.read(o, l)
    }

    fn part(&self, s: Sec, off: u64, len: u64) -> io::Result<Vec<u8>> {
        let (o, l) = self.secs[s as usize];
        if off.checked_add(len).is_none_or(|end| end > l) {
            return Err(corrupt("read past a section"));
        }
        self.read(o + off, len)
    }

    /// Terms of block `b`: their ranks start at `b * BLOCK`.
    fn block(&self, b: usize) -> io::Result<Vec<Vec<u8>>> {
        let first = b * BLOCK;
        let last = ((b + 1) * BLOCK).min(self.nterms as usize);
        if first >= last {
            return Ok(Vec::new());
        }
        let offs = self.part(
            Sec::TermOff,
            first as u64 * 4,
            (last - first + 1) as u64 * 4,
        )?;
        let o: Vec<u32> = offs.chunks_exact(4).map(le_u32).collect();
        let bytes = self.part(
            Sec::TermBytes,
            u64::from(o[0]),
            u64::from(o[o.len() - 1].saturating_sub(o[0])),
        )?;
        Ok(o.windows(2)
            .map(|w| {
                let (a, b) = (w[0].saturating_sub(o[0]), w[1].saturating_sub(o[0]));
                bytes.get(a as usize..b as usize).unwrap_or(&[]).to_vec()
            })
            .collect())
    }

    /// The block that would hold `term`.
    fn block_of(&self, term: &[u8]) -> usize {
        self.bidx
            .partition_point(|first| &**first <= term)
            .saturating_sub(1)
    }

    /// Term ids of ranks `first..first + n`.
    fn ids_of(&self, first: usize, n: usize) -> io::Result<Vec<u32>> {
        let b = self.part(Sec::RankToId, first as u64 * 4, n as u64 * 4)?;
        Ok(b.chunks_exact(4).map(le_u32).collect())
    }

    /// Id of `term`, if present.
    pub(crate) fn find(&self, term: &str) -> io::Result<Option<u32>> {
        let b = self.block_of(term.as_bytes());
        let terms = self.block(b)?;
        match terms.binary_search_by(|t| t.as_slice().cmp(term.as_bytes())) {
            Ok(i) => Ok(self.ids_of(b * BLOCK + i, 1)?.first().copied()),
            Err(_) => Ok(None),
        }
    }

    /// The terms starting with `prefix`, with their ids, in lexicon order:
    /// at most `limit + 1` of them (one more than `limit` tells the caller
    /// that there were more).
    pub(crate) fn with_prefix(&self, prefix: &str, limit: usize) -> io::Result<Vec<(u32, String)>> {
        let p = prefix.as_bytes();
        let mut out = Vec::new();
        let mut b = self.block_of(p);
        while out.len() <= limit {
            let terms = self.block(b)?;
            if terms.is_empty() {
                break;
            }
            let ids = self.ids_of(b * BLOCK, terms.len())?;
            let mut past = false;
            for (t, &id) in terms.iter().zip(&ids) {
                if t.starts_with(p) {
                    out.push((id, String::from_utf8_lossy(t).into_owned()));
                    if out.len() > limit {
                        break;
                    }
                } else if t.as_slice() > p {
                    past = true;
                    break;
                }
            }
            if past {
                break;
            }
            b += 1;
        }
        Ok(out)
    }

    /// Every term of the segment, indexed by id (for merges).
    pub(crate) fn all_terms(&self) -> io::Result<Vec<String>> {
        let offs = self.section(Sec::TermOff)?;
        let bytes = self.section(Sec::TermBytes)?;
        let ids = self.ids_of(0, self.nterms as usize)?;
        let o: Vec<u32> = offs.chunks_exact(4).map(le_u32).collect();
        let mut out = vec![String::new(); self.nterms as usize];
        for (w, &id) in o.windows(2).zip(&ids) {
            if let Some(slot) = out.get_mut(id as usize) {
                *slot =
                    String::from_utf8_lossy(bytes.get(w[0] as usize..w[1] as usize).unwrap_or(&[]))
                        .into_owned();
            }
        }
        Ok(out)
    }

    /// `(field, df, offset, length)` of each postings list of term `id`.
    fn entries(&self, id: u32) -> io::Result<Vec<(u8, u32, u64, u32)>> {
        let d = self.part(Sec::Pdir, u64::from(id) * 4, 8)?;
        let (a, b) = (le_u32(&d), le_u32(&d[4..]));
        if b.saturating_sub(a) <= 8 {
            return Ok(Vec::new());
        }
        let e = self.part(Sec::Pent, u64::from(a), u64::from(b - a))?;
        let mut off = le_u64(&e);
        let mut i = 8;
        let mut out = Vec::new();
        while i < e.len() {
            let field = e[i];
            i += 1;
            let df = get_varint(&e, &mut i);
            let len = get_varint(&e, &mut i);
            out.push((field, df, off, len));
            off += u64::from(len);
        }
        Ok(out)
    }

    /// Postings of term `id` in `field`.
    pub(crate) fn postings(&self, id: u32, field: Field) -> io::Result<Postings> {
        let Some((_, df, off, len)) = self.entries(id)?.into_iter().find(|e| e.0 == field as u8)
        else {
            return Ok(Postings::default());
        };
        let bytes = self.part(Sec::Postings, off, u64::from(len))?;
        let mut p = Postings {
            docs: Vec::with_capacity(df as usize),
            tfs: Vec::with_capacity(df as usize),
        };
        let mut i = 0;
        let mut doc = 0u32;
        for _ in 0..df {
            doc = doc.wrapping_add(get_varint(&bytes, &mut i));
            p.docs.push(doc);
        }
        for _ in 0..df {
            p.tfs.push(get_varint(&bytes, &mut i));
        }
        Ok(p)
    }

    /// Number of documents holding term `id` in `field`.
    pub(crate) fn df(&self, id: u32, field: Field) -> io::Result<u32> {
        Ok(self
            .entries(id)?
            .into_iter()
            .find(|e| e.0 == field as u8)
            .map_or(0, |e| e.1))
    }

    fn column<'a, T: Clone>(
        &'a self,
        cell: &'a OnceLock<Vec<T>>,
        s: Sec,
        conv: impl Fn(&[u8]) -> T,
        width: usize,
    ) -> io::Result<&'a [T]> {
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let bytes = self.section(s)?;
        let v: Vec<T> = bytes.chunks_exact(width).map(conv).collect();
        if v.len() < self.ndocs as usize {
            return Err(corrupt("short column"));
        }
        Ok(cell.get_or_init(|| v))
    }

    pub(crate) fn ts(&self) -> io::Result<&[i64]> {
        self.column(&self.ts, Sec::Ts, |b| le_u64(b) as i64, 8)
    }

    pub(crate) fn day(&self) -> io::Result<&[u64]> {
        self.column(&self.day, Sec::Day, le_u64, 8)
    }

    pub(crate) fn second(&self) -> io::Result<&[u64]> {
        self.column(&self.second, Sec::Second, le_u64, 8)
    }

    pub(crate) fn rt(&self) -> io::Result<&[i64]> {
        self.column(&self.rt, Sec::Rt, |b| le_u64(b) as i64, 8)
    }

    pub(crate) fn norms(&self, field: Field) -> io::Result<&[u8]> {
        let cell = &self.norms[field.id()];
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let n = u64::from(self.ndocs);
        let v = self.part(Sec::Norms, field.id() as u64 * n, n)?;
        Ok(cell.get_or_init(|| v))
    }

    fn fwd_offsets(&self, field: Field) -> io::Result<&[u32]> {
        let cell = &self.fwd_off[field.id()];
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let n = u64::from(self.ndocs) + 1;
        let bytes = self.part(Sec::FwdOff, field.id() as u64 * n * 4, n * 4)?;
        let v: Vec<u32> = bytes.chunks_exact(4).map(le_u32).collect();
        Ok(cell.get_or_init(|| v))
    }

    /// The forward streams of `field` for `docs` (ascending): term ids +
    /// 1, 0 for a break.
    pub(crate) fn forward(&self, field: Field, docs: &[u32]) -> io::Result<Vec<Vec<u32>>> {
        let mut out = Vec::with_capacity(docs.len());
        self.each_forward(field, docs, |_, bytes| {
            let mut v = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                v.push(get_varint(bytes, &mut i));
            }
            out.push(v);
        })?;
        Ok(out)
    }

    /// Calls `f(i, bytes)` with the encoded forward stream of `field` for
    /// each of `docs` (ascending), without copying each one out.
    pub(crate) fn each_forward(
        &self,
        field: Field,
        docs: &[u32],
        mut f: impl FnMut(usize, &[u8]),
    ) -> io::Result<()> {
        let offs = self.fwd_offsets(field)?;
        let span = |d: u32| -> io::Result<(u64, u64)> {
            let a = *offs.get(d as usize).ok_or_else(|| corrupt("forward"))?;
            let b = *offs.get(d as usize + 1).ok_or_else(|| corrupt("forward"))?;
            Ok((u64::from(a), u64::from(b.saturating_sub(a))))
        };
        // Neighbouring documents are read together: runs of streams whose
        // gaps are under GAP bytes take one read each.
        const GAP: u64 = 8 << 10;
        let mut i = 0;
        while i < docs.len() {
            let (start, l) = span(docs[i])?;
            let mut end = start + l;
            let mut j = i + 1;
            while j < docs.len() {
                let (o, l) = span(docs[j])?;
                if o > end + GAP {
                    break;
                }
                end = o + l;
                j += 1;
            }
            let bytes = self.part(Sec::FwdBytes, start, end - start)?;
            for (k, &d) in docs.iter().enumerate().take(j).skip(i) {
                let (o, l) = span(d)?;
                let s = (o - start) as usize;
                f(k, bytes.get(s..s + l as usize).unwrap_or(&[]));
            }
            i = j;
        }
        Ok(())
    }

    /// Key, kind and anchor of document `d`.
    pub(crate) fn doc(&self, d: u32) -> io::Result<(String, u8, Option<String>)> {
        let text = |off: Sec, bytes: Sec| -> io::Result<String> {
            let o = self.part(off, u64::from(d) * 4, 8)?;
            let (a, b) = (le_u32(&o), le_u32(&o[4..]));
            let s = self.part(bytes, u64::from(a), u64::from(b.saturating_sub(a)))?;
            Ok(String::from_utf8_lossy(&s).into_owned())
        };
        let key = text(Sec::KeyOff, Sec::KeyBytes)?;
        let anchor = text(Sec::AnchorOff, Sec::AnchorBytes)?;
        let kind = self.part(Sec::Kind, u64::from(d), 1)?[0];
        Ok((key, kind, (!anchor.is_empty()).then_some(anchor)))
    }

    /// Every document's metadata (for merges).
    pub(crate) fn metas(&self) -> io::Result<Vec<DocMeta>> {
        let n = self.ndocs as usize;
        let offs = |s: Sec| -> io::Result<Vec<u32>> {
            Ok(self.section(s)?.chunks_exact(4).map(le_u32).collect())
        };
        let (ko, kb) = (offs(Sec::KeyOff)?, self.section(Sec::KeyBytes)?);
        let (ao, ab) = (offs(Sec::AnchorOff)?, self.section(Sec::AnchorBytes)?);
        let kind = self.section(Sec::Kind)?;
        let (ts, day, second, rt) = (self.ts()?, self.day()?, self.second()?, self.rt()?);
        let slice = |o: &[u32], b: &[u8], d: usize| -> String {
            let (x, y) = (
                o.get(d).copied().unwrap_or(0),
                o.get(d + 1).copied().unwrap_or(0),
            );
            String::from_utf8_lossy(b.get(x as usize..y as usize).unwrap_or(&[])).into_owned()
        };
        Ok((0..n)
            .map(|d| {
                let anchor = slice(&ao, &ab, d);
                DocMeta {
                    key: slice(&ko, &kb, d),
                    kind: kind.get(d).copied().unwrap_or(0),
                    anchor: (!anchor.is_empty()).then_some(anchor),
                    ts: (ts[d] != i64::MIN).then_some(ts[d]),
                    day: (day[d] != 0).then_some(day[d]),
                    second: (second[d] != 0).then_some(second[d]),
                    rt: (rt[d] != i64::MIN).then_some(rt[d]),
                }
            })
            .collect())
    }

    /// Local documents whose key is `key`.
    pub(crate) fn docs_with_key(&self, key: &str) -> io::Result<Vec<u32>> {
        Ok(match self.find(&format!("{RAW_MARK}{key}"))? {
            Some(r) => self.postings(r, Field::Key)?.docs,
            None => Vec::new(),
        })
    }
}

/// Re-adds the live documents of `seg` to `b` (a merge).
pub(crate) fn copy_into(b: &mut Builder, seg: &Segment, deleted: &[u32]) -> io::Result<()> {
    let terms = seg.all_terms()?;
    let metas = seg.metas()?;
    let all: Vec<u32> = (0..seg.ndocs).collect();
    let mut streams = Vec::with_capacity(NFIELDS);
    for f in ALL {
        streams.push(seg.forward(f, &all)?);
    }
    for (d, meta) in metas.into_iter().enumerate() {
        if deleted.binary_search(&(d as u32)).is_ok() {
            continue;
        }
        for f in ALL {
            for &v in &streams[f.id()][d] {
                let t = if v == 0 {
                    None
                } else {
                    Some(terms.get((v - 1) as usize).map_or("", String::as_str))
                };
                b.token(f, t);
            }
        }
        b.end_doc(meta, false);
    }
    Ok(())
}
