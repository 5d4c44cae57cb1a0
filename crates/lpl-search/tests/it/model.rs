//! The index against a model (issue 20: it replaced a library, so it is
//! tested like one): random sequences of adds, replaces, deletes, commits
//! (with merges, since small commits pile up segments) and reopenings, on
//! disk; after every commit each query's keys equal the model's.

use std::collections::BTreeMap;

use lpl_search::{BodyText, DocKey, IndexOptions, SearchDoc, SearchIndex, SearchOptions};
use proptest::prelude::*;

const WORDS: &[&str] = &["folio", "page", "split", "lock", "cache", "huge"];

#[derive(Debug, Clone)]
enum Op {
    Add(u8, Vec<usize>),
    Delete(u8),
    Commit,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0u8..12, proptest::collection::vec(0..WORDS.len(), 1..4)).prop_map(|(k, w)| Op::Add(k, w)),
        2 => (0u8..12).prop_map(Op::Delete),
        2 => Just(Op::Commit),
        1 => Just(Op::Reopen),
    ]
}

fn keys(ix: &SearchIndex, q: &str) -> Vec<String> {
    let hits = ix
        .search(
            q,
            &SearchOptions {
                limit: 1000,
                ..SearchOptions::default()
            },
        )
        .expect("query runs");
    assert_eq!(hits.total, hits.hits.len(), "{q}");
    let mut v: Vec<String> = hits
        .hits
        .iter()
        .map(|h| h.key.as_str().to_owned())
        .collect();
    v.sort();
    v
}

fn check(ix: &SearchIndex, model: &BTreeMap<u8, Vec<usize>>) {
    assert_eq!(ix.num_docs(), model.len() as u64);
    for (wi, w) in WORDS.iter().enumerate() {
        let mut want: Vec<String> = model
            .iter()
            .filter(|(_, ws)| ws.contains(&wi))
            .map(|(k, _)| k.to_string())
            .collect();
        want.sort();
        assert_eq!(keys(ix, &format!("s:{w}")), want, "s:{w}");
    }
    let mut all: Vec<String> = model.keys().map(u8::to_string).collect();
    all.sort();
    assert_eq!(keys(ix, "NOT s:nothingmatches"), all);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn index_agrees_with_a_model(ops in proptest::collection::vec(op(), 1..60)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("ix");
        let mut ix = SearchIndex::open(&dir, &IndexOptions::default()).expect("open");
        let mut committed: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
        let mut pending = committed.clone();
        for op in ops {
            match op {
                Op::Add(k, ws) => {
                    let subject = ws.iter().map(|&i| WORDS[i]).collect::<Vec<_>>().join(" ");
                    ix.add(&SearchDoc {
                        key: DocKey::new(k.to_string()),
                        subject,
                        body: BodyText::from_text("x\n"),
                        ..SearchDoc::default()
                    })
                    .expect("add");
                    pending.insert(k, ws);
                }
                Op::Delete(k) => {
                    ix.delete(&DocKey::new(k.to_string())).expect("delete");
                    pending.remove(&k);
                }
                Op::Commit => {
                    ix.commit().expect("commit");
                    committed = pending.clone();
                    check(&ix, &committed);
                }
                Op::Reopen => {
                    // Uncommitted work is dropped, the last commit kept.
                    drop(ix);
                    ix = SearchIndex::open(&dir, &IndexOptions::default()).expect("reopen");
                    pending = committed.clone();
                    check(&ix, &committed);
                }
            }
        }
        ix.commit().expect("commit");
        check(&ix, &pending);
    }
}
