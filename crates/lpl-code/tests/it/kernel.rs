//! The kernel tree the tests read: `/usr/src/linux-source-6.12.tar.xz`
//! (Debian package linux-source-6.12, installed by `.ci/run`), with only
//! the directories the tests need extracted once into Cargo's target
//! directory, and one index of it built per test run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

/// Where Debian's linux-source-6.12 puts its tarball; `LPL_LINUX_SOURCE`
/// names another copy of the same release.
const DEBIAN_TARBALL: &str = "/usr/src/linux-source-6.12.tar.xz";

/// The kernel tarball the tests read.
pub fn tarball() -> PathBuf {
    std::env::var_os("LPL_LINUX_SOURCE")
        .map_or_else(|| PathBuf::from(DEBIAN_TARBALL), PathBuf::from)
}
const TOP: &str = "linux-source-6.12";
/// What is extracted (the top-level files make it look like a kernel tree).
const PARTS: &[&str] = &[
    "mm",
    "include",
    "kernel",
    "Kconfig",
    "Makefile",
    "MAINTAINERS",
];

/// The extracted tree (mm/, include/, kernel/ and the top-level files).
pub fn tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-6.12");
        let top = base.join(TOP);
        let done = base.join(".extracted");
        if done.exists() {
            return top;
        }
        let tarball = tarball();
        assert!(
            tarball.exists(),
            "{} is missing: install the Debian package linux-source-6.12 (.ci/run does) \
             or set LPL_LINUX_SOURCE to a linux-source-6.12.tar.xz",
            tarball.display()
        );
        std::fs::create_dir_all(&base).expect("target dir");
        // Test binaries may race: each extracts into a directory of its own
        // and the first rename wins.
        let tmp = tempfile::tempdir_in(&base).expect("temp dir");
        let members: Vec<String> = PARTS.iter().map(|p| format!("{TOP}/{p}")).collect();
        let status = std::process::Command::new("tar")
            .arg("-xJf")
            .arg(&tarball)
            .arg("-C")
            .arg(tmp.path())
            .args(&members)
            .status()
            .expect("tar runs");
        assert!(status.success(), "tar failed extracting {members:?}");
        match std::fs::rename(tmp.path().join(TOP), &top) {
            Ok(()) => {}
            Err(_) if top.exists() => {}
            Err(e) => panic!("moving the extracted tree into place: {e}"),
        }
        std::fs::write(&done, b"").expect("marker");
        top
    })
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
