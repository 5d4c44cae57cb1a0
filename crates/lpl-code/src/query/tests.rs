use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::*;
use crate::{IndexOptions, TreeSource};

#[test]
fn edit_distance() {
    assert_eq!(distance("split_page_memcg", "split_page_memcg"), 0);
    assert_eq!(distance("split_page_memcgg", "split_page_memcg"), 1);
    assert_eq!(distance("abc", "xyz"), 3);
}

/// The same small call graph (with a function passed as an argument to a
/// walker that calls it, as on the madvise path), among `filler` files
/// that have nothing to do with it.
fn synthetic(dir: &Path, filler: usize) -> CodeIndex {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("lib")).expect("mkdir");
    std::fs::write(
        src.join("chain.c"),
        "static int leaf(int x) { return x + 1; }\n\
         static int mid(int x) { return leaf(x) + leaf(x + 1); }\n\
         int visit(int x) { return mid(x); }\n\
         int walk(int (*fn)(int)) { return fn(1); }\n\
         int top(void) { return walk(visit) + mid(2); }\n",
    )
    .expect("write");
    for i in 0..filler {
        std::fs::write(
            src.join(format!("lib/f{i}.c")),
            format!("int other_{i}(int x) {{ return helper_{i}(x) + leaf_{i}(x); }}\nint helper_{i}(int x) {{ return x; }}\n"),
        )
        .expect("write");
    }
    let path = dir.join("code.sqlite3");
    let mut ix = CodeIndex::open(&path).expect("open");
    ix.index_tree(
        &TreeSource::Dir(src),
        &IndexOptions {
            name: Some("t".into()),
            force: true,
        },
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .expect("index");
    drop(ix);
    CodeIndex::open_read(&path).expect("open")
}

/// SQLite virtual machine steps taken by `f` (every row a query visits
/// costs some).
fn steps(ix: &mut CodeIndex, f: impl FnOnce(&CodeIndex)) -> u64 {
    let n = Arc::new(AtomicU64::new(0));
    let c = n.clone();
    ix.conn
        .progress_handler(
            1,
            Some(move || {
                c.fetch_add(1, Ordering::Relaxed);
                false
            }),
        )
        .expect("progress handler");
    f(ix);
    ix.conn
        .progress_handler(0, None::<fn() -> bool>)
        .expect("progress handler off");
    n.load(Ordering::Relaxed)
}

/// Every lookup a query makes, once.
fn ask(ix: &CodeIndex) {
    let t = ix
        .call_tree(
            "top",
            None,
            TreeOptions {
                depth: 6,
                ..TreeOptions::default()
            },
        )
        .expect("tree");
    fn names(n: &TreeNode, out: &mut Vec<String>) {
        out.push(n.name.clone());
        n.children.iter().for_each(|c| names(c, out));
    }
    let mut all = Vec::new();
    names(&t.root, &mut all);
    for n in ["walk", "visit", "mid", "leaf"] {
        assert!(all.iter().any(|a| a == n), "{n} not in {all:?}");
    }
    assert_eq!(ix.definitions("leaf", None).expect("def").len(), 1);
    let callers = ix.callers("leaf", None).expect("callers").sites;
    assert!(callers.iter().all(|c| c.from == "mid") && !callers.is_empty());
    assert_eq!(ix.callees("mid", None).expect("callees").callees.len(), 1);
    let path = ix
        .call_path(
            "top",
            "leaf",
            None,
            TreeOptions {
                depth: 6,
                ..TreeOptions::default()
            },
        )
        .expect("path");
    assert!(path.is_some());
}

/// A lookup must cost the same whatever the size of the tree: the
/// whole-tree scan that made `lpl code tree do_madvise --depth 6` take
/// 62 s on Linux 6.12 (`defs_of_names` walking every file of the tree,
/// issue #17) grows with the number of files and fails this.
#[test]
fn lookups_do_not_grow_with_the_tree() {
    let small = tempfile::tempdir().expect("temp dir");
    let large = tempfile::tempdir().expect("temp dir");
    let mut a = synthetic(small.path(), 10);
    let mut b = synthetic(large.path(), 2_000);
    // Warm the statement cache, so that both count only execution.
    ask(&a);
    ask(&b);
    let sa = steps(&mut a, ask);
    let sb = steps(&mut b, ask);
    assert!(sa > 0);
    assert!(
        sb < sa + sa / 2,
        "the same questions took {sb} steps among 2,000 files, {sa} among 10"
    );
}

/// An index written before the call graph was stored (schema 1) gets it
/// when it is next opened: its call trees are the same as a new index's.
#[test]
fn an_index_of_schema_1_gets_its_call_graph() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ix = synthetic(dir.path(), 3);
    let want = ix
        .call_tree("top", None, TreeOptions::default())
        .expect("tree");
    drop(ix);
    let path = dir.path().join("code.sqlite3");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch("DROP TABLE calls; PRAGMA user_version = 1;")
        .expect("back to schema 1");
    drop(conn);
    let ix = CodeIndex::open_read(&path).expect("open and migrate");
    let got = ix
        .call_tree("top", None, TreeOptions::default())
        .expect("tree");
    assert_eq!(got, want);
    assert!(!got.root.children.is_empty());
}
