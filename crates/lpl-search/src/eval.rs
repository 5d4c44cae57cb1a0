//! Query AST → plan (Xapian `QueryParser` semantics: STEM_SOME,
//! punctuation-joined words as phrases, boolean filters with one prefix
//! OR-ed together) → per-segment bit sets and BM25 scores.

use std::collections::HashMap;
use std::io;
use std::rc::Rc;

use crate::date::Resolved;
use crate::fields::Field;
use crate::query::{Node, Prefix, Term as QTerm, TermMode};
use crate::segment::{RAW_MARK, Segment, get_varint, norm_len, put_varint};
use crate::tokenize::{self, Word};

/// Characters that make Xapian's query parser treat `a.b`, `a-b`, `a/b`,
/// `a:b`, `a\b`, `a@b` as a phrase.
fn is_phrase_generator(s: &str) -> bool {
    matches!(s, "." | "-" | "/" | ":" | "\\" | "@")
}

/// Shortest abbreviation of a blob id that public-inbox indexes.
const MIN_BLOB: usize = 7;

/// What a query asks of each segment.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Every document.
    All,
    /// One term of one field.
    Term {
        field: Field,
        text: String,
        scored: bool,
    },
    /// Raw blob ids starting with `prefix` (7+ digits), unscored.
    BlobPrefix { field: Field, prefix: String },
    /// Adjacent words; with `prefix_last`, the last one is a prefix.
    Phrase {
        field: Field,
        words: Vec<String>,
        prefix_last: bool,
    },
    /// A date range, unscored.
    Range(Resolved),
    /// Any of these.
    Or(Vec<Plan>),
    /// All of `must`, none of `not`.
    And { must: Vec<Plan>, not: Vec<Plan> },
}

fn or(mut qs: Vec<Plan>) -> Option<Plan> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Plan::Or(qs)),
    }
}

fn and(mut qs: Vec<Plan>) -> Option<Plan> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Plan::And {
            must: qs,
            not: Vec::new(),
        }),
    }
}

pub(crate) struct Planner {
    pub now: i64,
    pub stemmer: frostem::Stemmer,
}

impl Planner {
    /// Plans a node; `None` means "matches nothing" (a term without
    /// words, like Xapian dropping it).
    pub(crate) fn node(&self, node: &Node) -> Option<Plan> {
        match node {
            Node::Term(t) => self.term(t),
            Node::Date(r) => Some(Plan::Range(r.resolve(self.now))),
            Node::Or(children) => or(children.iter().filter_map(|c| self.node(c)).collect()),
            // `-x` where x has no words: everything.
            Node::Not(_) => self.and(std::slice::from_ref(node)).or(Some(Plan::All)),
            Node::And(children) => self.and(children),
        }
    }

    fn and(&self, children: &[Node]) -> Option<Plan> {
        let mut must: Vec<Plan> = Vec::new();
        let mut not: Vec<Plan> = Vec::new();
        let mut positives = 0;
        // Xapian ORs boolean filter terms that share a prefix.
        let mut filters: Vec<(Prefix, Vec<Plan>)> = Vec::new();
        for c in children {
            match c {
                Node::Not(inner) => {
                    if let Some(q) = self.node(inner) {
                        not.push(q);
                    }
                }
                Node::Term(t) if t.prefix.is_boolean() => {
                    let q = self.term(t).unwrap_or(Plan::Or(Vec::new()));
                    positives += 1;
                    match filters.iter_mut().find(|(p, _)| *p == t.prefix) {
                        Some((_, v)) => v.push(q),
                        None => filters.push((t.prefix, vec![q])),
                    }
                }
                other => {
                    positives += 1;
                    // A positive term without words is ignored, like Xapian.
                    if let Some(q) = self.node(other) {
                        must.push(q);
                    }
                }
            }
        }
        for (_, qs) in filters {
            if let Some(q) = or(qs) {
                must.push(q);
            }
        }
        if must.is_empty() {
            if positives > 0 {
                return None;
            }
            must.push(Plan::All);
        }
        if must.len() == 1 && not.is_empty() {
            return must.pop();
        }
        Some(Plan::And { must, not })
    }

    fn exact(field: Field, text: &str) -> Plan {
        let marked = format!("{RAW_MARK}{text}");
        if field.is_blob() {
            if text.len() < MIN_BLOB {
                return Plan::Or(Vec::new());
            }
            return Plan::BlobPrefix {
                field,
                prefix: marked,
            };
        }
        Plan::Term {
            field,
            text: marked,
            scored: false,
        }
    }

    fn term(&self, t: &QTerm) -> Option<Plan> {
        if t.prefix.is_boolean() {
            return or(Field::exact_fields(t.prefix)
                .into_iter()
                .map(|f| Self::exact(f, &t.text))
                .collect());
        }
        let (fields, raw_ids) = Field::text_fields(t.prefix);
        let mut words: Vec<Word> = Vec::new();
        tokenize::words(&t.text, |w| words.push(w));
        if words.is_empty() {
            return None;
        }
        let texts = |ws: &[Word]| ws.iter().map(|w| w.text.clone()).collect::<Vec<_>>();
        match t.mode {
            TermMode::Phrase => or(fields.iter().map(|&f| phrase(f, texts(&words))).collect()),
            TermMode::Wildcard => or(fields
                .iter()
                .map(|&field| Plan::Phrase {
                    field,
                    words: texts(&words),
                    prefix_last: true,
                })
                .collect()),
            TermMode::Words => {
                // Split into groups joined by phrase generators.
                let mut groups: Vec<Vec<Word>> = Vec::new();
                let mut prev_end = None;
                for w in words {
                    // The bigrams of one CJK run overlap: a phrase.
                    let joined = w.joined
                        || prev_end.is_some_and(|e: usize| {
                            t.text.get(e..w.start).is_some_and(is_phrase_generator)
                        });
                    prev_end = Some(w.end);
                    match groups.last_mut() {
                        Some(g) if joined => g.push(w),
                        _ => groups.push(vec![w]),
                    }
                }
                let mut parts = Vec::new();
                for g in groups {
                    let q = if let [w] = g.as_slice() {
                        let stem = !w.capitalised && tokenize::should_stem(&w.text);
                        let mut alts: Vec<Plan> = Vec::new();
                        let scored = |field, text: &str| Plan::Term {
                            field,
                            text: text.to_owned(),
                            scored: true,
                        };
                        if stem {
                            let marked = tokenize::stem_term(&self.stemmer, &w.text);
                            let plain = &marked[tokenize::STEM_MARK.len_utf8()..];
                            for &f in &fields {
                                alts.push(scored(f, &marked));
                                alts.push(scored(f, plain));
                            }
                        } else {
                            alts.extend(fields.iter().map(|&f| scored(f, &w.text)));
                        }
                        if raw_ids {
                            for f in [Field::DfPre, Field::DfPost, Field::PatchId] {
                                alts.push(Self::exact(f, &w.text));
                            }
                        }
                        or(alts)
                    } else {
                        or(fields.iter().map(|&f| phrase(f, texts(&g))).collect())
                    }?;
                    parts.push(q);
                }
                and(parts)
            }
        }
    }
}

fn phrase(field: Field, mut words: Vec<String>) -> Plan {
    if words.len() == 1 {
        return Plan::Term {
            field,
            text: words.pop().unwrap_or_default(),
            scored: true,
        };
    }
    Plan::Phrase {
        field,
        words,
        prefix_last: false,
    }
}

/// A set of a segment's documents.
#[derive(Debug, Clone)]
pub(crate) struct Bits(pub Vec<u64>);

impl Bits {
    pub(crate) fn empty(n: u32) -> Self {
        Bits(vec![0; (n as usize).div_ceil(64)])
    }

    pub(crate) fn full(n: u32) -> Self {
        let mut b = Bits(vec![!0; (n as usize).div_ceil(64)]);
        let rem = n as usize % 64;
        if rem != 0
            && let Some(last) = b.0.last_mut()
        {
            *last = (1u64 << rem) - 1;
        }
        b
    }

    pub(crate) fn set(&mut self, d: u32) {
        if let Some(w) = self.0.get_mut(d as usize / 64) {
            *w |= 1 << (d % 64);
        }
    }

    pub(crate) fn get(&self, d: u32) -> bool {
        self.0
            .get(d as usize / 64)
            .is_some_and(|w| w & (1 << (d % 64)) != 0)
    }

    fn and(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a &= b;
        }
    }

    fn or(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }

    pub(crate) fn and_not(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a &= !b;
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros();
                w &= w - 1;
                Some(i as u32 * 64 + t)
            })
        })
    }

    pub(crate) fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Statistics over every segment, for BM25, and the term lookups of one
/// query (a bare word is looked up for a dozen fields, and again for its
/// idf: once per segment is enough).
pub(crate) struct Stats<'a> {
    pub segments: &'a [&'a Segment],
    pub docs: f32,
    /// Wildcard prefixes whose expansion was cut at
    /// [`crate::MAX_WILDCARD_TERMS`] in some segment.
    pub capped: Vec<String>,
    idf: HashMap<(Field, String), f32>,
    ids: HashMap<(usize, String), Option<u32>>,
    /// Per segment, the terms a wildcard prefix stands for (a bare `a*`
    /// is looked up in a dozen fields, and may be repeated in the query).
    expansions: HashMap<(usize, String), Expansion>,
    /// Per segment and field, what a lone wildcard word matches: the ranks
    /// (+1) of its terms that occur and the documents holding any.
    prefix_docs: HashMap<(usize, Field, String), Rc<PrefixDocs>>,
}

/// The terms (rank, text) a wildcard prefix stands for in one segment.
type Expansion = Rc<[(u32, String)]>;

/// What a lone `prefix*` matches in one field of one segment.
struct PrefixDocs {
    lasts: Vec<u32>,
    docs: Vec<u32>,
}

impl<'a> Stats<'a> {
    pub(crate) fn new(segments: &'a [&'a Segment]) -> Self {
        let docs = segments
            .iter()
            .map(|s| s.ndocs as f32)
            .sum::<f32>()
            .max(1.0);
        Self {
            capped: Vec::new(),
            segments,
            docs,
            idf: HashMap::new(),
            ids: HashMap::new(),
            expansions: HashMap::new(),
            prefix_docs: HashMap::new(),
        }
    }

    /// Id of `term` in segment `si`.
    fn find(&mut self, si: usize, term: &str) -> io::Result<Option<u32>> {
        if let Some(&id) = self.ids.get(&(si, term.to_owned())) {
            return Ok(id);
        }
        let id = match self.segments.get(si) {
            Some(s) => s.find(term)?,
            None => None,
        };
        self.ids.insert((si, term.to_owned()), id);
        Ok(id)
    }

    fn idf(&mut self, field: Field, term: &str) -> io::Result<f32> {
        if let Some(&v) = self.idf.get(&(field, term.to_owned())) {
            return Ok(v);
        }
        let mut df = 0u32;
        for (si, s) in self.segments.iter().enumerate() {
            if let Some(r) = self.find(si, term)? {
                df += s.df(r, field)?;
            }
        }
        let df = df as f32;
        let v = (1.0 + (self.docs - df + 0.5) / (df + 0.5)).ln();
        self.idf.insert((field, term.to_owned()), v);
        Ok(v)
    }

    fn avgdl(&self, field: Field) -> f32 {
        let t: u64 = self.segments.iter().map(|s| s.totals[field.id()]).sum();
        (t as f32 / self.docs).max(1.0)
    }
}

/// A segment's matches and, when ranking, their scores (0 where unmatched).
pub(crate) struct Matches {
    pub bits: Bits,
    pub scores: Option<Vec<f32>>,
}

pub(crate) struct Eval<'s, 'a> {
    pub seg: &'s Segment,
    /// Index of `seg` in [`Stats::segments`].
    pub si: usize,
    pub stats: &'s mut Stats<'a>,
    pub scoring: bool,
}

impl Eval<'_, '_> {
    /// The terms a wildcard `prefix*` stands for: the first
    /// [`crate::MAX_WILDCARD_TERMS`] in lexicon order (Xapian's
    /// `WILDCARD_LIMIT_FIRST`); a cut expansion is recorded, so the caller
    /// can say so. 20 unbounded `a*` took 6.8 s on 36k messages.
    /// Expanded once per segment and query, however often the prefix
    /// occurs.
    fn expand(&mut self, prefix: &str) -> io::Result<Expansion> {
        let key = (self.si, prefix.to_owned());
        if let Some(terms) = self.stats.expansions.get(&key) {
            return Ok(Rc::clone(terms));
        }
        let mut terms = self.seg.with_prefix(prefix, crate::MAX_WILDCARD_TERMS)?;
        if terms.len() > crate::MAX_WILDCARD_TERMS {
            terms.truncate(crate::MAX_WILDCARD_TERMS);
            if !self.stats.capped.iter().any(|p| p == prefix) {
                self.stats.capped.push(prefix.to_owned());
            }
        }
        let terms: Expansion = terms.into();
        self.stats.expansions.insert(key, Rc::clone(&terms));
        Ok(terms)
    }

    /// The terms of `prefix*` that occur in `field`, and the documents
    /// holding any of them; read once per segment, field and query.
    fn prefix_docs(&mut self, field: Field, prefix: &str) -> io::Result<Rc<PrefixDocs>> {
        let key = (self.si, field, prefix.to_owned());
        if let Some(p) = self.stats.prefix_docs.get(&key) {
            return Ok(Rc::clone(p));
        }
        let (mut lasts, mut docs) = (Vec::new(), Vec::new());
        for (r, _) in self.expand(prefix)?.iter() {
            let p = self.seg.postings(*r, field)?;
            if !p.docs.is_empty() {
                lasts.push(r + 1);
                docs.extend(p.docs);
            }
        }
        docs.sort_unstable();
        docs.dedup();
        lasts.sort_unstable();
        let p = Rc::new(PrefixDocs { lasts, docs });
        self.stats.prefix_docs.insert(key, Rc::clone(&p));
        Ok(p)
    }

    fn none(&self) -> Matches {
        Matches {
            bits: Bits::empty(self.seg.ndocs),
            scores: self.scoring.then(|| vec![0.0; self.seg.ndocs as usize]),
        }
    }

    pub(crate) fn run(&mut self, plan: &Plan) -> io::Result<Matches> {
        let n = self.seg.ndocs;
        Ok(match plan {
            Plan::All => Matches {
                bits: Bits::full(n),
                scores: self.scoring.then(|| vec![0.0; n as usize]),
            },
            Plan::Term {
                field,
                text,
                scored,
            } => {
                let mut m = self.none();
                let Some(rank) = self.stats.find(self.si, text)? else {
                    return Ok(m);
                };
                let p = self.seg.postings(rank, *field)?;
                for &d in &p.docs {
                    m.bits.set(d);
                }
                if *scored && let Some(scores) = m.scores.as_mut() {
                    let idf = self.stats.idf(*field, text)?;
                    let avg = self.stats.avgdl(*field);
                    let norms = self.seg.norms(*field)?;
                    for (&d, &tf) in p.docs.iter().zip(&p.tfs) {
                        let dl = norms.get(d as usize).map_or(1.0, |&c| norm_len(c));
                        if let Some(s) = scores.get_mut(d as usize) {
                            *s += bm25(idf, tf as f32, dl, avg);
                        }
                    }
                }
                m
            }
            Plan::BlobPrefix { field, prefix } => {
                let mut m = self.none();
                for (rank, _) in self.expand(prefix)?.iter() {
                    for d in self.seg.postings(*rank, *field)?.docs {
                        m.bits.set(d);
                    }
                }
                m
            }
            Plan::Phrase {
                field,
                words,
                prefix_last,
            } => self.phrase(*field, words, *prefix_last)?,
            Plan::Range(r) => {
                let mut m = self.none();
                match *r {
                    Resolved::Day(lo, hi) => {
                        range(&mut m.bits, self.seg.day()?, 0, lo, hi);
                    }
                    Resolved::Second(lo, hi) => {
                        range(&mut m.bits, self.seg.second()?, 0, lo, hi);
                    }
                    Resolved::Received(lo, hi) => {
                        range(&mut m.bits, self.seg.rt()?, i64::MIN, lo, hi);
                    }
                }
                m
            }
            Plan::Or(children) => {
                let mut m = self.none();
                for c in children {
                    let x = self.run(c)?;
                    m.bits.or(&x.bits);
                    add(&mut m.scores, x.scores.as_deref());
                }
                m
            }
            Plan::And { must, not } => {
                let mut m = Matches {
                    bits: Bits::full(n),
                    scores: self.scoring.then(|| vec![0.0; n as usize]),
                };
                for c in must {
                    let x = self.run(c)?;
                    m.bits.and(&x.bits);
                    add(&mut m.scores, x.scores.as_deref());
                }
                if !not.is_empty() {
                    let scoring = std::mem::replace(&mut self.scoring, false);
                    for c in not {
                        let x = self.run(c);
                        match x {
                            Ok(x) => m.bits.and_not(&x.bits),
                            Err(e) => {
                                self.scoring = scoring;
                                return Err(e);
                            }
                        }
                    }
                    self.scoring = scoring;
                }
                if let Some(s) = m.scores.as_mut() {
                    for (d, v) in s.iter_mut().enumerate() {
                        if !m.bits.get(d as u32) {
                            *v = 0.0;
                        }
                    }
                }
                m
            }
        })
    }

    fn phrase(&mut self, field: Field, words: &[String], prefix_last: bool) -> io::Result<Matches> {
        let mut m = self.none();
        let Some((last, fixed)) = words.split_last() else {
            return Ok(m);
        };
        // Ranks of the fixed words, then the candidates holding all of them.
        let mut ranks = Vec::with_capacity(words.len());
        let mut cand: Option<Vec<u32>> = None;
        let intersect = |cand: &mut Option<Vec<u32>>, docs: Vec<u32>| {
            *cand = Some(match cand.take() {
                None => docs,
                Some(c) => {
                    let mut out = Vec::with_capacity(c.len().min(docs.len()));
                    let (mut i, mut j) = (0, 0);
                    while i < c.len() && j < docs.len() {
                        match c[i].cmp(&docs[j]) {
                            std::cmp::Ordering::Less => i += 1,
                            std::cmp::Ordering::Greater => j += 1,
                            std::cmp::Ordering::Equal => {
                                out.push(c[i]);
                                i += 1;
                                j += 1;
                            }
                        }
                    }
                    out
                }
            });
        };
        for w in fixed {
            let Some(r) = self.stats.find(self.si, w)? else {
                return Ok(m);
            };
            ranks.push(r + 1);
            intersect(&mut cand, self.seg.postings(r, field)?.docs);
        }
        // The last word: itself, or every term it starts.
        let mut lasts: Vec<u32> = Vec::new();
        if prefix_last {
            let p = self.prefix_docs(field, last)?;
            lasts.extend_from_slice(&p.lasts);
            intersect(&mut cand, p.docs.clone());
        } else if let Some(r) = self.stats.find(self.si, last)? {
            lasts.push(r + 1);
            intersect(&mut cand, self.seg.postings(r, field)?.docs);
        }
        let cand = cand.unwrap_or_default();
        if lasts.is_empty() || cand.is_empty() {
            return Ok(m);
        }
        lasts.sort_unstable();
        let k = ranks.len();
        let mut idf = 0.0;
        if self.scoring {
            for w in fixed {
                idf += self.stats.idf(field, w)?;
            }
            if !prefix_last {
                idf += self.stats.idf(field, last)?;
            } else if k == 0 {
                idf = 1.0;
            }
        }
        let avg = self.stats.avgdl(field);
        let norms = if self.scoring {
            Some(self.seg.norms(field)?)
        } else {
            None
        };
        let mut tfs = vec![0u32; cand.len()];
        if k == 0 {
            // A single prefix word: no order to check.
            tfs.fill(1);
        } else {
            let counting = self.scoring;
            // Ids are varints, so the phrase is a byte pattern: search it
            // in the encoded streams (a hit must start a varint, i.e.
            // follow a byte < 0x80), then check a prefix word's id.
            let mut pat = Vec::new();
            for &r in &ranks {
                put_varint(&mut pat, r);
            }
            if !prefix_last && let [only] = lasts.as_slice() {
                put_varint(&mut pat, *only);
            }
            let tail = prefix_last;
            let finder = memchr::memmem::Finder::new(&pat);
            self.seg.each_forward(field, &cand, |i, bytes| {
                let mut n = 0u32;
                for p in finder.find_iter(bytes) {
                    if p > 0 && bytes[p - 1] >= 0x80 {
                        continue;
                    }
                    if tail {
                        let mut j = p + pat.len();
                        if j >= bytes.len()
                            || lasts.binary_search(&get_varint(bytes, &mut j)).is_err()
                        {
                            continue;
                        }
                    }
                    n += 1;
                    if !counting {
                        break;
                    }
                }
                tfs[i] = n;
            })?;
        }
        for (&d, &tf) in cand.iter().zip(&tfs) {
            if tf == 0 {
                continue;
            }
            m.bits.set(d);
            if let (Some(scores), Some(norms)) = (m.scores.as_mut(), norms) {
                let dl = norms.get(d as usize).map_or(1.0, |&c| norm_len(c));
                if let Some(v) = scores.get_mut(d as usize) {
                    *v += bm25(idf, tf as f32, dl, avg);
                }
            }
        }
        Ok(m)
    }
}

fn bm25(idf: f32, tf: f32, dl: f32, avgdl: f32) -> f32 {
    idf * (tf * (K1 + 1.0)) / (tf + K1 * (1.0 - B + B * dl / avgdl))
}

fn add(acc: &mut Option<Vec<f32>>, x: Option<&[f32]>) {
    if let (Some(a), Some(x)) = (acc.as_mut(), x) {
        for (a, b) in a.iter_mut().zip(x) {
            *a += b;
        }
    }
}

fn range<T: PartialOrd + Copy>(bits: &mut Bits, col: &[T], none: T, lo: Option<T>, hi: Option<T>) {
    for (d, &v) in col.iter().enumerate() {
        if v != none && lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h) {
            bits.set(d as u32);
        }
    }
}
