//! AST → tantivy query, with Xapian `QueryParser` semantics (STEM_SOME,
//! punctuation-joined words as phrases, boolean filters with one prefix
//! OR-ed together).

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::date::Resolved;
use crate::query::{Node, Prefix, Term as QTerm, TermMode};
use crate::schema::Fields;
use crate::tokenize::{self, Word};

/// Characters that make Xapian's query parser treat `a.b`, `a-b`, `a/b`,
/// `a:b`, `a\b`, `a@b` as a phrase.
fn is_phrase_generator(s: &str) -> bool {
    matches!(s, "." | "-" | "/" | ":" | "\\" | "@")
}

pub(crate) struct Translator<'a> {
    pub fields: &'a Fields,
    pub now: i64,
    pub stemmer: frostem::Stemmer,
}

type Q = Box<dyn Query>;

fn or(mut qs: Vec<Q>) -> Option<Q> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

fn and(mut qs: Vec<Q>) -> Option<Q> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

fn term_query(field: Field, text: &str) -> Q {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn filter(q: Q) -> Q {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

impl Translator<'_> {
    /// Translates a node; `None` means "matches nothing" (a term without
    /// words, like Xapian dropping it).
    pub(crate) fn node(&self, node: &Node) -> Option<Q> {
        match node {
            Node::Term(t) => self.term(t),
            Node::Date(r) => Some(self.date(r.resolve(self.now))),
            Node::Or(children) => or(children.iter().filter_map(|c| self.node(c)).collect()),
            Node::Not(inner) => self.and(std::slice::from_ref(node)).or_else(|| {
                // `-x` where x has no words: everything.
                let _ = inner;
                Some(Box::new(AllQuery))
            }),
            Node::And(children) => self.and(children),
        }
    }

    fn and(&self, children: &[Node]) -> Option<Q> {
        let mut clauses: Vec<(Occur, Q)> = Vec::new();
        let mut positives = 0;
        // Xapian ORs boolean filter terms that share a prefix.
        let mut filters: Vec<(Prefix, Vec<Q>)> = Vec::new();
        for c in children {
            match c {
                Node::Not(inner) => {
                    if let Some(q) = self.node(inner) {
                        clauses.push((Occur::MustNot, q));
                    }
                }
                Node::Term(t) if t.prefix.is_boolean() => {
                    let q = self.term(t).unwrap_or_else(|| Box::new(EmptyQuery));
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
                        clauses.push((Occur::Must, q));
                    }
                }
            }
        }
        for (_, qs) in filters {
            if let Some(q) = or(qs) {
                clauses.push((Occur::Must, q));
            }
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            if positives > 0 {
                return None;
            }
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            return clauses.pop().map(|(_, q)| q);
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn date(&self, r: Resolved) -> Q {
        let (field, lo, hi) = match r {
            Resolved::Day(lo, hi) => (self.fields.day, lo, hi),
            Resolved::Second(lo, hi) => (self.fields.second, lo, hi),
            Resolved::Received(lo, hi) => {
                let field = self.fields.received;
                let b = |v: Option<i64>| match v {
                    Some(v) => Bound::Included(Term::from_field_i64(field, v)),
                    None => Bound::Unbounded,
                };
                return filter(Box::new(RangeQuery::new(b(lo), b(hi))));
            }
        };
        let b = |v: Option<u64>| match v {
            Some(v) => Bound::Included(Term::from_field_u64(field, v)),
            None => Bound::Unbounded,
        };
        filter(Box::new(RangeQuery::new(b(lo), b(hi))))
    }

    fn term(&self, t: &QTerm) -> Option<Q> {
        if t.prefix.is_boolean() {
            let fields = self.fields.exact_fields(t.prefix);
            let text = t.text.as_str();
            return or(fields
                .into_iter()
                .map(|f| filter(term_query(f, text)))
                .collect());
        }
        let (fields, raw_ids) = self.fields.text_fields(t.prefix);
        let mut words: Vec<Word> = Vec::new();
        tokenize::words(&t.text, |w| words.push(w));
        if words.is_empty() {
            return None;
        }
        match t.mode {
            TermMode::Phrase => or(fields.iter().map(|&f| phrase(f, &words)).collect()),
            TermMode::Wildcard => or(fields
                .iter()
                .map(|&f| {
                    let terms: Vec<Term> = words
                        .iter()
                        .map(|w| Term::from_field_text(f, &w.text))
                        .collect();
                    let mut q = PhrasePrefixQuery::new(terms);
                    q.set_max_expansions(u32::MAX);
                    Box::new(q) as Q
                })
                .collect()),
            TermMode::Words => {
                // Split into groups joined by phrase generators.
                let mut groups: Vec<Vec<Word>> = Vec::new();
                let mut prev_end = None;
                for w in words {
                    let joined =
                        prev_end.is_some_and(|e: usize| is_phrase_generator(&t.text[e..w.start]));
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
                        let mut alts: Vec<Q> = Vec::new();
                        if stem {
                            let marked = tokenize::stem_term(&self.stemmer, &w.text);
                            let plain = &marked[tokenize::STEM_MARK.len_utf8()..];
                            for &f in &fields {
                                alts.push(term_query(f, &marked));
                                alts.push(term_query(f, plain));
                            }
                        } else {
                            alts.extend(fields.iter().map(|&f| term_query(f, &w.text)));
                        }
                        if raw_ids {
                            for f in [self.fields.dfpre, self.fields.dfpost, self.fields.patchid] {
                                alts.push(term_query(f, &w.text));
                            }
                        }
                        or(alts)
                    } else {
                        or(fields.iter().map(|&f| phrase(f, &g)).collect())
                    }?;
                    parts.push(q);
                }
                and(parts)
            }
        }
    }
}

fn phrase(field: Field, words: &[Word]) -> Q {
    if let [w] = words {
        return term_query(field, &w.text);
    }
    let terms = words
        .iter()
        .map(|w| Term::from_field_text(field, &w.text))
        .collect();
    Box::new(PhraseQuery::new(terms))
}
