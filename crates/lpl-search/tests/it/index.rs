//! Index behaviour: incremental updates, idempotence, ordering, persistence.

use lpl_search::{
    BodyText, DocKey, DocKind, IndexOptions, Order, SearchDoc, SearchIndex, SearchOptions,
};

fn doc(key: &str, subject: &str, date: i64) -> SearchDoc {
    SearchDoc {
        key: DocKey::new(key),
        subject: subject.to_owned(),
        date: Some(date),
        body: BodyText::from_text("some text\n"),
        ..SearchDoc::default()
    }
}

fn keys(index: &SearchIndex, q: &str) -> Vec<String> {
    let mut v: Vec<String> = index
        .matching_keys(q, 0)
        .expect("query runs")
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn readding_a_key_replaces_and_delete_removes() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = SearchIndex::open(dir.path(), &IndexOptions::default()).expect("open");
    index
        .add(&doc("a", "folio split", 1_700_000_000))
        .expect("add");
    index
        .add(&doc("b", "folio lock", 1_700_000_100))
        .expect("add");
    index.commit().expect("commit");
    assert_eq!(keys(&index, "s:folio"), ["a", "b"]);
    index
        .add(&doc("a", "page split", 1_700_000_000))
        .expect("re-add");
    index
        .add(&doc("a", "page split", 1_700_000_000))
        .expect("re-add twice");
    index.commit().expect("commit");
    assert_eq!(keys(&index, "s:folio"), ["b"]);
    assert_eq!(keys(&index, "s:page"), ["a"]);
    assert_eq!(index.num_docs(), 2);
    index.delete(&DocKey::new("b")).expect("delete");
    index.commit().expect("commit");
    assert!(keys(&index, "s:folio").is_empty());
    drop(index);
    // Reopening finds the committed state; new mail is added, not rebuilt.
    let mut index = SearchIndex::open(dir.path(), &IndexOptions::default()).expect("reopen");
    assert_eq!(keys(&index, "s:split"), ["a"]);
    index
        .add(&doc("c", "split again", 1_700_000_200))
        .expect("add");
    index.commit().expect("commit");
    assert_eq!(keys(&index, "s:split"), ["a", "c"]);
}

#[test]
fn orders_by_date_and_relevance_and_pages() {
    let mut index = SearchIndex::in_memory(&IndexOptions::default()).expect("index");
    index
        .add(&doc("old", "folio folio folio", 1_600_000_000))
        .expect("add");
    index
        .add(&doc(
            "new",
            "folio and a lot of other words here",
            1_700_000_000,
        ))
        .expect("add");
    index
        .add(&doc("mid", "folio with words", 1_650_000_000))
        .expect("add");
    index.commit().expect("commit");
    let run = |order, limit, offset| {
        let hits = index
            .search(
                "s:folio",
                &SearchOptions {
                    limit,
                    offset,
                    order,
                    now: 0,
                },
            )
            .expect("search");
        assert_eq!(hits.total, 3);
        hits.hits
            .into_iter()
            .map(|h| h.key.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(Order::DateDesc, 10, 0), ["new", "mid", "old"]);
    assert_eq!(run(Order::DateAsc, 10, 0), ["old", "mid", "new"]);
    assert_eq!(run(Order::DateDesc, 1, 1), ["mid"]);
    assert_eq!(run(Order::Relevance, 1, 0), ["old"]);
}

#[test]
fn notebook_items_are_searchable_as_such() {
    let mut index = SearchIndex::in_memory(&IndexOptions::default()).expect("index");
    index
        .add(&doc("m1", "memcg lru lock", 1_600_000_000))
        .expect("add");
    index
        .add(&SearchDoc {
            key: DocKey::new("note:7"),
            kind: DocKind::Question,
            anchor: Some("folio-split".into()),
            subject: "why is the lru lock per memcg?".into(),
            ..SearchDoc::default()
        })
        .expect("add");
    index.commit().expect("commit");
    let hits = index
        .search("lru lock kind:question", &SearchOptions::default())
        .expect("search");
    assert_eq!(hits.hits.len(), 1);
    assert_eq!(hits.hits[0].kind, DocKind::Question);
    assert_eq!(hits.hits[0].anchor.as_deref(), Some("folio-split"));
    assert_eq!(keys(&index, "lru -kind:question"), ["m1"]);
}

#[test]
fn malformed_query_is_an_error_with_a_column() {
    let index = SearchIndex::in_memory(&IndexOptions::default()).expect("index");
    let err = index
        .search("s:(folio OR page", &SearchOptions::default())
        .expect_err("bad");
    assert_eq!(
        err.to_string(),
        "bad query: unbalanced parenthesis at column 1"
    );
}
