//! `lpl code`: the kernel source index (Linux 6.12's mm/, include/ and
//! kernel/, from lpl-testutil) joined to the cgroups epoch.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{epoch, json, lpl, lpl_ok, shared};

/// A home with the whole cgroups epoch imported and the 6.12 tree indexed
/// as `v6.12` (built once per test run; read-only for the tests).
fn home() -> &'static Path {
    static HOME: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, home) = HOME.get_or_init(|| {
        let t = tempfile::tempdir().expect("temp dir");
        let ep = epoch("cgroups", t.path(), None);
        let home = t.path().join("home");
        lpl_ok(&home, &["import", &ep.to_string_lossy()]);
        let tree = lpl_testutil::kernel::tree();
        let out = lpl_ok(
            &home,
            &[
                "code",
                "index",
                &tree.to_string_lossy(),
                "--name",
                "v6.12",
                "--json",
            ],
        );
        let rep: Value = serde_json::from_str(&out).expect("index report is JSON");
        assert!(rep["files"].as_u64().unwrap_or(0) > 6_000, "{rep}");
        assert!(
            rep["failed"].as_array().is_some_and(|f| f.is_empty()),
            "{rep}"
        );
        (t, home)
    });
    home
}

const ZI_YAN_TITLE: &str = "Split a folio to any lower order folios";

#[test]
fn history_lists_the_revisions_that_change_a_function() {
    let h = json(home(), &["code", "history", "split_page_memcg", "--json"]);
    assert_eq!(h["tree"], "v6.12");
    let entries = h["entries"].as_array().expect("entries");
    // Zi Yan's series changed split_page_memcg() in every revision.
    let mut zi: Vec<u64> = entries
        .iter()
        .filter(|e| e["series"]["title"] == ZI_YAN_TITLE)
        .map(|e| e["series"]["revision"].as_u64().expect("revision"))
        .collect();
    zi.sort_unstable();
    assert_eq!(zi, [1, 2, 3, 4, 5], "{entries:#?}");
    for e in entries
        .iter()
        .filter(|e| e["series"]["title"] == ZI_YAN_TITLE)
    {
        let files: Vec<&str> = e["patches"]
            .as_array()
            .expect("patches")
            .iter()
            .flat_map(|p| p["files"].as_array().expect("files"))
            .filter_map(Value::as_str)
            .collect();
        assert!(files.contains(&"mm/memcontrol.c"), "{e:#}");
    }
    // Newest first.
    let dates: Vec<i64> = entries
        .iter()
        .map(|e| e["series"]["date"].as_i64().expect("date"))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    // A patch that changes the lines next to it (the function above, in
    // the same hunk's context) is not listed.
    assert!(
        !entries
            .iter()
            .any(|e| e["series"]["title"] == "mm: memcontrol: remove page_memcg()"),
        "{entries:#?}"
    );
    // The text form names the revisions and their trailers.
    let text = lpl_ok(home(), &["code", "history", "split_page_memcg"]);
    assert!(
        text.contains("v5 Split a folio to any lower order folios"),
        "{text}"
    );
    assert!(text.contains("Acked-by"), "{text}");
}

#[test]
fn def_callers_callees_and_json() {
    let defs = json(home(), &["code", "def", "split_page_memcg", "--json"]);
    let defs = defs.as_array().expect("a list");
    let paths: Vec<&str> = defs.iter().filter_map(|d| d["path"].as_str()).collect();
    // The function, and its stub for !CONFIG_MEMCG.
    assert!(paths.contains(&"mm/memcontrol.c"), "{defs:#?}");
    assert!(paths.contains(&"include/linux/memcontrol.h"), "{defs:#?}");
    assert!(defs.iter().all(|d| d["tree"] == "v6.12"));
    let text = lpl_ok(home(), &["code", "def", "split_page_memcg"]);
    assert!(text.contains("mm/memcontrol.c:"), "{text}");

    let callers = json(home(), &["code", "callers", "split_page_memcg", "--json"]);
    let from: Vec<&str> = callers["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .filter_map(|s| s["from"].as_str())
        .collect();
    // mm/huge_memory.c and mm/page_alloc.c call it in 6.12.
    assert!(from.contains(&"__split_huge_page"), "{from:?}");
    assert!(from.contains(&"split_page"), "{from:?}");

    let callees = json(home(), &["code", "callees", "madvise_walk_vmas", "--json"]);
    let names: Vec<&str> = callees["callees"]
        .as_array()
        .expect("callees")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"find_vma_prev"), "{names:?}");
}

#[test]
fn tree_prints_nested_bullets_and_goes_into_a_notebook() {
    let text = lpl_ok(home(), &["code", "tree", "do_madvise", "--depth", "3"]);
    assert!(text.contains("\n- do_madvise\n"), "{text}");
    assert!(text.contains("\n  - madvise_walk_vmas"), "{text}");
    assert!(
        text.contains("    - madvise_vma_behavior [maybe: passed to madvise_walk_vmas]"),
        "{text}"
    );
    let t = json(
        home(),
        &["code", "tree", "do_madvise", "--depth", "6", "--json"],
    );
    assert_eq!(t["tree"], "v6.12");
    assert_eq!(t["root"]["name"], "do_madvise");

    // Pasted under an entry of the sample roadmap.
    let dir = tempfile::tempdir().expect("temp dir");
    let nb = dir.path().join("roadmap.md");
    std::fs::copy(crate::util::repo_root().join("sample/roadmap.md"), &nb).expect("copy");
    let before = std::fs::read_to_string(&nb).expect("read");
    lpl_ok(
        home(),
        &[
            "code",
            "tree",
            "zap_pmd_range",
            "--depth",
            "1",
            "--into-notebook",
            "use per_vma lock for MADV_DONTNEED",
            "--file",
            &nb.to_string_lossy(),
        ],
    );
    let after = std::fs::read_to_string(&nb).expect("read");
    assert!(after.len() > before.len());
    let added: Vec<&str> = after
        .lines()
        .filter(|l| l.trim_start().starts_with("- zap_pmd_range") || l.contains("- zap_pte_range"))
        .collect();
    assert!(
        added.iter().any(|l| l.trim_start() == "- zap_pmd_range"),
        "{added:?}"
    );
}

#[test]
fn a_name_no_tree_defines_exits_1_with_near_matches() {
    for cmd in ["def", "callers", "callees", "tree", "history"] {
        let out = lpl(home(), &["code", cmd, "split_page_memcgg"]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("did you mean: split_page_memcg"),
            "{cmd}: {err}"
        );
    }
    let out = lpl(home(), &["code", "def", "x", "--tree", "v9.9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("indexed trees: v6.12"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trees = json(home(), &["code", "trees", "--json"]);
    assert_eq!(trees[0]["name"], "v6.12");
}

#[test]
fn hunks_of_an_older_archive_are_recorded_on_first_use() {
    // An archive as an lpl before the hunks table left it: the rows
    // dropped and the backfill range set, as the migration does.
    let t = tempfile::tempdir().expect("temp dir");
    let ep = epoch("cgroups", t.path(), Some(3000));
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &ep.to_string_lossy()]);
    let fresh = json(
        &home,
        &["code", "history", "hugetlb_reserve_pages", "--json"],
    );
    assert!(
        !fresh["entries"].as_array().expect("entries").is_empty(),
        "{fresh:#}"
    );
    {
        let db = lpl_store::rusqlite::Connection::open(home.join("lpl.sqlite3")).expect("open");
        db.execute_batch(
            "DELETE FROM hunks;
             INSERT INTO state(key, value) SELECT 'hunks_backfill', '0 ' || (max(id) + 1) FROM messages;",
        )
        .expect("make it old");
    }
    let again = json(
        &home,
        &["code", "history", "hugetlb_reserve_pages", "--json"],
    );
    assert_eq!(fresh, again);
    let db = lpl_store::rusqlite::Connection::open(home.join("lpl.sqlite3")).expect("open");
    let left: i64 = db
        .query_row(
            "SELECT count(*) FROM state WHERE key = 'hunks_backfill'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(left, 0);
}

/// The seed roadmap's madvise chain (written against a newer kernel than
/// 6.12): `notebook check` names the functions 6.12 does not define, and
/// the rendered site links the others to their definitions and history.
#[test]
fn the_roadmaps_call_chains_are_checked_and_linked() {
    let nb = shared().join("seed/roadmap-decoded.md");
    let nb = nb.to_string_lossy();
    let rep = json(home(), &["notebook", "check", "--json", "--file", &nb]);
    let undefined: Vec<(String, u64)> = rep
        .as_array()
        .expect("entries")
        .iter()
        .flat_map(|e| {
            e["undefined_functions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|f| {
            (
                f["name"].as_str().expect("name").to_owned(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    let names: Vec<&str> = undefined.iter().map(|(n, _)| n.as_str()).collect();
    // Added after 6.12 (the per-VMA-lock madvise work, PT_RECLAIM's
    // batched zap).
    for n in ["madvise_lock", "map_page_range_single_batched"] {
        assert!(names.contains(&n), "{n} not in {undefined:?}");
    }
    assert!(
        undefined.contains(&("madvise_lock".to_owned(), 128)),
        "{undefined:?}"
    );
    // In 6.12.
    for n in [
        "do_madvise",
        "madvise_vma_behavior",
        "unmap_page_range",
        "zap_pte_range",
    ] {
        assert!(!names.contains(&n), "{n} in {undefined:?}");
    }
    let text = lpl_ok(home(), &["notebook", "check", "--file", &nb]);
    assert!(
        text.contains("not defined in the indexed tree: ") && text.contains("madvise_lock (L128)"),
        "{text}"
    );

    let site = tempfile::tempdir().expect("temp dir");
    lpl_ok(
        home(),
        &[
            "notebook",
            "render",
            "--file",
            &nb,
            "--html",
            &site.path().to_string_lossy(),
        ],
    );
    let entry = std::fs::read_dir(site.path().join("entries"))
        .expect("entries")
        .filter_map(|e| std::fs::read_to_string(e.expect("entry").path()).ok())
        .find(|h| h.contains("zap_pmd_range"))
        .expect("the page of the entry with the madvise chain");
    let at = entry
        .find("><code>zap_pte_range</code></a>")
        .expect("zap_pte_range linked");
    let link = &entry[entry[..at].rfind("<a class=\"code\"").expect("its link")..at];
    assert!(
        link.contains("href=\"https://elixir.bootlin.com/linux/v6.12")
            && link.contains("/source/mm/memory.c#L"),
        "{link}"
    );
    assert!(
        entry.contains("href=\"../code/zap_pte_range.html\""),
        "{entry}"
    );
    assert!(
        entry.contains("<code class=\"undefined\" title=\"not defined in the indexed tree\">madvise_lock</code>"),
        "{entry}"
    );
    let page = std::fs::read_to_string(site.path().join("code/zap_pte_range.html"))
        .expect("zap_pte_range's page");
    assert!(page.contains("mm/memory.c:"), "{page}");
}

/// `notebook check --help` says what check tells of code (issue #17) and
/// what `--json`'s merged/upstream fields mean.
#[test]
fn notebook_check_help_names_undefined_functions_and_merged() {
    let t = tempfile::tempdir().expect("temp dir");
    let out = lpl(&t.path().join("home"), &["notebook", "check", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for want in [
        "no indexed kernel tree defines",
        "undefined_functions",
        "merged",
        "upstream",
    ] {
        assert!(help.contains(want), "{want} not in:\n{help}");
    }
}
