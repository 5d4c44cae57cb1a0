//! The upstream view (`u`) on a real upstream index: a git repository
//! made by the test whose commits carry `Link:` trailers to the sample's
//! "Split a folio to any lower order folios" v5 patches, tagged v6.10
//! (synthetic history: the sample has no linux.git beside it), indexed
//! and matched through lpl-core as `lpl upstream index` and `--all` do.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use lpl_core::Workspace;
use lpl_core::types::MatchOptions;
use ratatui::crossterm::event::KeyCode;

use crate::*;

fn repo_linking_the_v5_patches(dir: &Path, home: &Path) -> PathBuf {
    let repo = dir.join("linux");
    let run = |args: &[&str]| lpl_testutil::git::run(Some(&repo), args, b"");
    std::fs::create_dir_all(&repo).expect("mkdir");
    run(&["init", "-q", "-b", "master"]);
    let ws = Workspace::open_read_only(home).expect("open");
    for k in 2..=9 {
        let id = format!("20240226205534.1603748-{k}-zi.yan@sent.com");
        // The commit touches the files the patch touches (the repository
        // must cover them for a status to be known).
        let m = ws.message(&id).expect("the patch");
        let diff = &m[0].patch.as_ref().expect("a patch").diff;
        for path in diff
            .lines()
            .filter_map(|l| l.strip_prefix("diff --git a/"))
            .filter_map(|l| l.split(" b/").next())
        {
            let f = repo.join(path);
            std::fs::create_dir_all(f.parent().expect("dir")).expect("mkdir");
            let mut text = std::fs::read_to_string(&f).unwrap_or_default();
            text.push_str(&format!("/* patch {k} */\n"));
            std::fs::write(&f, text).expect("write");
        }
        run(&["add", "."]);
        let msg = format!("mm: patch {k} of the series\n\nLink: https://lore.kernel.org/r/{id}\n");
        run(&["commit", "-q", "-m", &msg]);
    }
    run(&["tag", "v6.10"]);
    repo
}

#[test]
fn upstream_view_on_an_indexed_repository() {
    let home = home_with(&[sample("linux-mm-sample.mbox")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_linking_the_v5_patches(dir.path(), home.path());
    {
        let mut ws = Workspace::open(home.path()).expect("open");
        ws.upstream_index(&repo, Vec::new(), &AtomicBool::new(false), &mut |_| {})
            .expect("index");
        let m = ws
            .upstream_match_all(&MatchOptions::default())
            .expect("match");
        assert!(m.matched >= 8, "{} matched", m.matched);
    }
    let (_d, nb) = roadmap_copy();
    let mut a = app(home.path(), Some(nb));
    keys(&mut a, "/split a folio to any\n\n");
    press(&mut a, KeyCode::Char('u'));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("› upstream"), "{s}");
    assert!(s.contains("merged"), "{s}");
    assert!(s.contains("first in v6.10"), "{s}");
    assert!(!s.contains("not merged"), "{s}");
    snapshot("upstream_100x30", &s);
}
