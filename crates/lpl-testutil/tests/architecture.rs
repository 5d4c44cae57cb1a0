//! The architecture, held by checks rather than discipline (ARCHITECTURE.md,
//! "Dependency direction"): from `cargo metadata`,
//!
//! 1. no crate depends on one above it: libraries on lpl-mail only (or
//!    nothing), lpl-core on libraries, front ends on lpl-core alone (the
//!    `lpl` binary, lpl-cli, also on the front ends it hosts);
//!    dev-dependencies never point up, and lpl-testutil depends on no lpl
//!    crate (it is a dev-dependency of all of them);
//! 2. libraries use no front-end crate (clap, anyhow, terminal and web UI
//!    crates, the allocator);
//! 3. every dependency is used: a normal dependency is named in the
//!    crate's code (`src/`, `build.rs`), a dev-dependency in its tests,
//!    benches, examples or code, unless listed with the reason in
//!    `[package.metadata.cargo-machete] ignored` (a dependency pulled in
//!    for a feature only). `.ci/run` runs this test first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Front ends: glue over lpl-core.
const FRONT_ENDS: &[&str] = &["lpl-cli", "lpl-tui", "lpl-web"];

/// Crates only front ends may use.
const UI_ONLY: &[&str] = &[
    "clap",
    "clap_complete",
    "clap_mangen",
    "anyhow",
    "indicatif",
    "anstream",
    "ratatui",
    "crossterm",
    "axum",
    "mimalloc",
];

/// How high a crate sits: 0 the mail model, 1 libraries (and the test
/// support), 2 lpl-core, 3 front ends.
fn rank(name: &str) -> u8 {
    match name {
        "lpl-mail" => 0,
        "lpl-core" => 2,
        n if FRONT_ENDS.contains(&n) => 3,
        _ => 1,
    }
}

/// Whether `name` may depend on the lpl crate `dep` (normal dependency).
fn allowed(name: &str, dep: &str) -> bool {
    match name {
        "lpl-testutil" | "lpl-mail" => false,
        "lpl-core" => rank(dep) < 2 && dep != "lpl-testutil",
        // The `lpl` binary hosts the other front ends (`lpl tui`, `lpl
        // serve`): it may call them, they call lpl-core alone.
        "lpl-cli" => dep == "lpl-core" || (FRONT_ENDS.contains(&dep) && dep != "lpl-cli"),
        n if FRONT_ENDS.contains(&n) => dep == "lpl-core",
        // A library: the mail model only.
        _ => dep == "lpl-mail",
    }
}

/// Whether `name` may dev-depend on the lpl crate `dep`: the test support,
/// or a crate not above it (never a front end).
fn allowed_dev(name: &str, dep: &str) -> bool {
    if dep == name {
        return false;
    }
    (dep == "lpl-testutil" && name != "lpl-testutil")
        || (rank(dep) <= rank(name) && rank(dep) < 3 && dep != "lpl-testutil")
}

struct Dep {
    name: String,
    dev: bool,
}

struct Package {
    name: String,
    dir: PathBuf,
    deps: Vec<Dep>,
    ignored: BTreeSet<String>,
}

fn packages() -> Vec<Package> {
    let meta = lpl_testutil::cargo_metadata();
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(id)))
        .map(|p| {
            let manifest = PathBuf::from(p["manifest_path"].as_str().expect("manifest"));
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].as_str() != Some("build"))
                .map(|d| Dep {
                    name: d["rename"]
                        .as_str()
                        .or(d["name"].as_str())
                        .expect("name")
                        .to_owned(),
                    dev: d["kind"].as_str() == Some("dev"),
                })
                .collect();
            let ignored = p["metadata"]["cargo-machete"]["ignored"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            Package {
                name: p["name"].as_str().expect("name").to_owned(),
                dir: manifest.parent().expect("crate dir").to_owned(),
                deps,
                ignored,
            }
        })
        .collect()
}

#[test]
fn no_crate_depends_on_one_above_it() {
    let pkgs = packages();
    assert!(pkgs.len() >= 10, "the workspace's crates were found");
    let mut bad = Vec::new();
    for p in &pkgs {
        for d in p.deps.iter().filter(|d| d.name.starts_with("lpl-")) {
            let ok = if d.dev {
                allowed_dev(&p.name, &d.name)
            } else {
                allowed(&p.name, &d.name)
            };
            if !ok {
                bad.push(format!(
                    "{} -> {}{}",
                    p.name,
                    d.name,
                    if d.dev { " (dev)" } else { "" }
                ));
            }
        }
        if !FRONT_ENDS.contains(&p.name.as_str()) {
            for d in p.deps.iter().filter(|d| !d.dev) {
                if UI_ONLY.contains(&d.name.as_str()) {
                    bad.push(format!("{} -> {} (a front end's crate)", p.name, d.name));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "forbidden dependency edges (see ARCHITECTURE.md, Dependency direction):\n  {}",
        bad.join("\n  ")
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Whether `ident` occurs as a whole word in `text`.
fn names(text: &str, ident: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut from = 0;
    while let Some(i) = text[from..].find(ident) {
        let (s, e) = (from + i, from + i + ident.len());
        if (s == 0 || !word(b[s - 1])) && (e == b.len() || !word(b[e])) {
            return true;
        }
        from = e;
    }
    false
}

#[test]
fn every_dependency_is_used() {
    let mut unused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in packages() {
        let mut code = Vec::new();
        rust_files(&p.dir.join("src"), &mut code);
        code.push(p.dir.join("build.rs"));
        let mut dev = code.clone();
        for d in ["tests", "benches", "examples"] {
            rust_files(&p.dir.join(d), &mut dev);
        }
        let read = |files: &[PathBuf]| -> String {
            files
                .iter()
                .filter_map(|f| std::fs::read_to_string(f).ok())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (code, dev) = (read(&code), read(&dev));
        for d in &p.deps {
            if p.ignored.contains(&d.name) {
                continue;
            }
            let ident = d.name.replace('-', "_");
            let text = if d.dev { &dev } else { &code };
            if !names(text, &ident) {
                unused.entry(p.name.clone()).or_default().push(format!(
                    "{}{}",
                    d.name,
                    if d.dev { " (dev)" } else { "" }
                ));
            }
        }
    }
    assert!(
        unused.is_empty(),
        "dependencies no code names (remove them, or list them with the reason in [package.metadata.cargo-machete] ignored): {unused:#?}"
    );
}

#[test]
fn the_rules_can_fail() {
    assert!(names("use lpl_mail::x;", "lpl_mail"));
    assert!(!names("use lpl_mail_extra::x;", "lpl_mail"));
    assert!(!allowed("lpl-store", "lpl-core"));
    assert!(!allowed("lpl-cli", "lpl-store"));
    assert!(allowed("lpl-core", "lpl-store"));
    assert!(!allowed("lpl-core", "lpl-cli"));
    assert!(allowed("lpl-cli", "lpl-tui"));
    assert!(!allowed("lpl-tui", "lpl-cli"));
    assert!(!allowed("lpl-tui", "lpl-store"));
    assert!(!allowed("lpl-testutil", "lpl-lore"));
    assert!(!allowed_dev("lpl-lore", "lpl-core"));
    assert!(allowed_dev("lpl-cli", "lpl-store"));
    assert!(allowed_dev("lpl-lore", "lpl-testutil"));
}
