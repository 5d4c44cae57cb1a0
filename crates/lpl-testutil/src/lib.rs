//! Test support shared by lpl's crates (never published, only ever a
//! dev-dependency):
//!
//! - [`corpus`]: the shared real-data corpus, found as `../shared/corpus`
//!   next to the workspace root, and its epochs unpacked once per machine;
//! - [`git`]: the git CLI as an oracle, isolated from the user's settings;
//! - [`kernel`]: the Linux 6.12 source tree of the code tests, extracted
//!   once per machine;
//! - [`lore`]: a lore look-alike on 127.0.0.1 serving a small real epoch
//!   (thread mboxes, `/raw`, search, bad answers, git smart HTTP through
//!   the real `git http-backend`);
//! - [`workspace_root`] and [`cargo_metadata`], for tests of the
//!   workspace's architecture.
//!
//! One rule for a missing corpus: the test fails, saying where it looked.
//! The corpus is part of the test environment (`.ci/run` checks it first),
//! so a test that silently skipped would claim what it never checked.

#![forbid(unsafe_code)]
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

pub mod corpus;
pub mod git;
pub mod kernel;
pub mod lore;

use std::path::{Path, PathBuf};

/// The workspace root (the directory of the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(Path::parent)
        .expect("crates/lpl-testutil is two levels below the root")
        .to_owned()
}

/// `cargo metadata` of the workspace (with dependencies resolved), as JSON.
pub fn cargo_metadata() -> serde_json::Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed (it runs --offline: `cargo fetch --locked` once \
         downloads every package of Cargo.lock, the other platforms' too): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}
