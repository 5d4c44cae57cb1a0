//! Integration tests of the notebook on the real seed roadmap.

mod archive;
mod daily;
mod edits;
mod render;
mod repair;
mod roundtrip;
mod search;
mod seed;

/// Every test file in this directory is compiled (jj's forgotten-file check).
#[test]
fn no_forgotten_test_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it");
    let main = std::fs::read_to_string(format!("{dir}/main.rs")).expect("main.rs");
    for f in std::fs::read_dir(dir).expect("tests/it") {
        let name = f.expect("entry").file_name().to_string_lossy().into_owned();
        if let Some(m) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(
                main.contains(&format!("mod {m};")),
                "tests/it/{name} is not a module of main.rs"
            );
        }
    }
}
