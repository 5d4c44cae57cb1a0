//! Integration tests of lpl-archive on real data (the shared corpus) and on
//! small archives built with the git CLI.

mod common;
mod detect;
mod epoch;
mod files;
mod git_synthetic;
mod mbox;
mod too_large;

/// Every `.rs` file in this directory must be a module above, or its tests
/// would silently never run (jj's forgotten-file check).
#[test]
fn no_forgotten_test_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("read main.rs");
    for entry in std::fs::read_dir(&dir).expect("list tests/it") {
        let path = entry.expect("dir entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            assert!(
                main.contains(&format!("mod {stem};")),
                "tests/it/{stem}.rs is not declared in main.rs"
            );
        }
    }
}
