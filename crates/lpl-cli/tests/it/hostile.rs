//! Hostile input and faults seen from the command line (issue 20).

use std::process::Command;

use crate::util::lpl;

/// A panic anywhere ends as exit 255 with lpl's own message, never as
/// Rust's exit 101 with a backtrace note.
#[test]
fn a_panic_is_exit_255_with_a_message() {
    let home = tempfile::tempdir().expect("home");
    let out = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(["sources"])
        .env("LPL_HOME", home.path())
        .env("NO_COLOR", "1")
        .env("LPL_TEST_PANIC", "1")
        .output()
        .expect("lpl runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    assert!(err.starts_with("error: internal error in lpl"), "{err}");
    assert!(err.contains("please report it"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

/// Random and hostile queries are answered or refused (exit 2), never a
/// crash: the forms that panicked or overflowed the stack before.
#[test]
fn hostile_queries_are_refused_not_crashes() {
    let home = tempfile::tempdir().expect("home");
    let deep = format!("{}a{}", "(".repeat(2_500), ")".repeat(2_500));
    for q in [
        "rt:\"ééééééé\"",
        "d:ééééééééé..",
        "dt:..2024-01-0é.12:00",
        deep.as_str(),
    ] {
        let out = lpl(home.path(), &["search", q]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(1 | 2)),
            "{q:.40}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// An index that lags behind the archive (meta.json removed, or a killed
/// import) does not answer "no message matches": it says it is behind and
/// what to run (issue 20).
#[test]
fn a_lagging_index_says_so_instead_of_no_match() {
    let home = tempfile::tempdir().expect("home");
    let sample = crate::util::repo_root().join("sample/linux-mm-sample.mbox");
    let sample = sample.to_str().expect("utf-8");
    crate::util::lpl_ok(home.path(), &["import", sample]);
    let out = lpl(home.path(), &["search", "s:lruvec"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(home.path().join("search/meta.json")).expect("rm meta.json");
    let out = lpl(home.path(), &["search", "s:lruvec"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the search index is behind the archive"),
        "{err}"
    );
    assert!(err.contains("lpl search --reindex"), "{err}");
    // A word that is nowhere, in an index that is up to date: exit 1.
    crate::util::lpl_ok(home.path(), &["search", "--reindex", "s:lruvec"]);
    let out = lpl(home.path(), &["search", "s:zzzqqqnothing"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
