//! The kernel tree the tests read (`lpl_testutil::kernel`: Debian's
//! linux-source-6.12, the directories the tests need extracted once per
//! machine), and one index of it built per test run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

/// The extracted tree (mm/, include/, kernel/ and the top-level files).
pub fn tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(lpl_testutil::kernel::tree)
}

/// An index of the tree (built once per test binary run), opened for
/// the caller.
pub fn index() -> lpl_code::CodeIndex {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("code.sqlite3");
        let mut ix = lpl_code::CodeIndex::open(&path).expect("open");
        let r = ix
            .index_tree(
                &lpl_code::TreeSource::Dir(tree().to_owned()),
                &lpl_code::IndexOptions {
                    name: Some("v6.12".into()),
                    force: false,
                },
                &mut |_| {},
                &AtomicBool::new(false),
            )
            .expect("index the kernel tree");
        assert!(r.files > 6_000, "{} files", r.files);
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        (dir, path)
    });
    lpl_code::CodeIndex::open_read(path).expect("open the index")
}
