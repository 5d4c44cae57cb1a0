//! `lpl search` shows hits from the saved links (thread, series) and
//! recomputes them when the archive changes.

use crate::util::*;

fn search(home: &std::path::Path, q: &str) -> serde_json::Value {
    json(home, &["search", "--json", "-n", "500", q])
}

#[test]
fn saved_links_give_the_same_results_and_follow_new_mail() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let all = "d:1990-01-01..2040-01-01";
    // A slice of the io-uring epoch first, the bundled linux-mm sample later.
    let dir = t.path().join("epochs");
    let ep = epoch("io-uring", &dir, Some(300));
    lpl_ok(&home, &["import", &ep.to_string_lossy()]);
    // First search: no saved links yet, computed from the library and saved.
    let first = search(&home, all);
    // Second: read from the saved links. Same hits, threads and series.
    let second = search(&home, all);
    assert_eq!(first, second);
    let hits = second["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 300, "{}", second["total"]);
    assert!(hits.iter().all(|h| h["thread"].is_string()));
    let series = second["series"].as_array().expect("series");
    assert!(!series.is_empty(), "the slice holds patch series");
    // Every series a hit names is summarised, once.
    let named: std::collections::BTreeSet<&str> =
        hits.iter().filter_map(|h| h["series"].as_str()).collect();
    let briefs: Vec<&str> = series.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(named.len(), briefs.len());
    assert!(briefs.iter().all(|b| named.contains(b)));

    // New mail makes the saved links stale: the next search sees it.
    let s = sample().to_string_lossy().into_owned();
    lpl_ok(&home, &["import", &s]);
    let after = search(&home, all);
    assert_eq!(after["hits"].as_array().map(Vec::len), Some(500));
    assert_eq!(after["total"], 640);
    let again = search(&home, all);
    assert_eq!(after, again);
    let zi = search(&home, "f:zi.yan s:\"lower order\"");
    let hits = zi["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    for h in hits {
        // Patches name their series, and so do replies to them (issue 15).
        let in_series = h["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("[PATCH") || s.starts_with("Re: [PATCH"));
        assert_eq!(
            h["series"].is_string(),
            in_series,
            "patches and replies to them: {h}"
        );
    }
    // The five revisions of "Split a folio to any lower order folios".
    let mut revs: Vec<u64> = zi["series"]
        .as_array()
        .expect("series")
        .iter()
        .filter_map(|s| s["revision"].as_u64())
        .collect();
    revs.sort_unstable();
    assert_eq!(revs, [1, 2, 3, 4, 5], "{}", zi["series"]);
}

/// `search --series` when every hit is a reply: the replies count for the
/// series they answer (issue 15: `dfhh:split_huge_page_to_list_to_order
/// --series` printed nothing). Mark Brown only replied to Zi Yan's v5.
#[test]
fn replies_count_for_their_series() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    let q = "f:broonie s:\"enable debugfs\"";
    let res = search(&home, q);
    let hits = res["hits"].as_array().expect("hits");
    assert!(!hits.is_empty(), "{res}");
    assert!(
        hits.iter()
            .all(|h| h["subject"].as_str().is_some_and(|s| s.starts_with("Re:"))),
        "only replies: {res}"
    );
    let series = res["series"].as_array().expect("series");
    assert_eq!(series.len(), 1, "{res}");
    assert_eq!(series[0]["revision"], 5);
    assert!(hits.iter().all(|h| h["series"] == series[0]["id"]), "{res}");
    // Saved links give the same answer as the library.
    assert_eq!(search(&home, q), res);
    let shown = lpl_ok(&home, &["search", "--series", q]);
    assert!(
        shown.contains("Split a folio to any lower order folios"),
        "{shown}"
    );
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["message_id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// Chinese and Japanese runs (written without spaces) are found by any
/// word inside them, in real mail (gb2312, UTF-8, ISO-2022-JP) and in the
/// first user's notebook, with the example: `延迟拆分` inside
/// `首次支持延迟拆分大页`.
#[test]
fn cjk_words_are_found_inside_runs_in_mail_and_notebook() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let data = repo_root().join("crates/lpl-cli/tests/data/cjk");
    // A note of the roadmap's line, mailed as a user writes it.
    let mine = t.path().join("thp.eml");
    std::fs::write(
        &mine,
        "From: Learner <l@example.org>\nSubject: =?UTF-8?B?5bu26L+f5ouG5YiG?= notes\nMessage-ID: <thp-zh@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\nthp: introduce deferred_split_huge_page() 首次支持延迟拆分大页。\n",
    )
    .expect("write");
    for f in ["gb2312-reply.eml", "union-find-zh.eml", "iso-2022-jp.eml"] {
        lpl_ok(&home, &["import", &data.join(f).to_string_lossy()]);
    }
    lpl_ok(&home, &["import", &mine.to_string_lossy()]);
    let cases: &[(&str, &[&str])] = &[
        ("延迟拆分", &["thp-zh@example.org"]),
        ("拆分大页", &["thp-zh@example.org"]),
        ("s:延迟", &["thp-zh@example.org"]),
        ("并查集", &["20240623023901.218892-2-xavier_qy@163.com"]),
        ("邮件原件", &["018226cf88194edc9cabdd947b40c9e7@huawei.com"]),
        (
            "发送时间 pids",
            &["018226cf88194edc9cabdd947b40c9e7@huawei.com"],
        ),
        ("フリー", &["199707281508.AAA24167@hoyogw.example"]),
    ];
    for (q, want) in cases {
        let v = search(&home, q);
        assert_eq!(ids(&v), *want, "{q}: {v}");
    }
    // Bigrams that are in no text find nothing.
    for q in ["拆延", "大页拆分", "查并"] {
        let out = lpl(&home, &["search", "--json", q]);
        assert_eq!(out.status.code(), Some(1), "{q}");
    }
    // The notebook: the seed roadmap's line 36.
    let nb = shared().join("seed/roadmap-decoded.md");
    let v = json(
        &home,
        &[
            "search",
            "--json",
            "--notebook",
            &nb.to_string_lossy(),
            "延迟拆分",
        ],
    );
    let lines: Vec<u64> = v["notebook"]
        .as_array()
        .expect("notebook hits")
        .iter()
        .filter_map(|h| h["line"].as_u64())
        .collect();
    assert_eq!(lines, [36], "{v}");
    assert_eq!(ids(&v), ["thp-zh@example.org"]);
}

/// An index written before CJK runs were split is another version's:
/// `search` says to rebuild it, the next import (or `--reindex`) does, and
/// says so.
#[test]
fn an_index_of_the_previous_analysis_is_rebuilt_with_a_note() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let data = repo_root().join("crates/lpl-cli/tests/data/cjk");
    let jp = data.join("iso-2022-jp.eml");
    lpl_ok(&home, &["import", &jp.to_string_lossy()]);
    let meta = home.join("search/meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    std::fs::write(&meta, text.replace("\"lpl-index-4\"", "\"lpl-index-3\"")).expect("write");
    let out = lpl(&home, &["search", "フリー"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "was written by another version of lpl (format lpl-index-3; this one reads lpl-index-4)"
        ) && err.contains("lpl search --reindex"),
        "{err}"
    );
    let out = lpl(
        &home,
        &["import", &data.join("union-find-zh.eml").to_string_lossy()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("note: the search index was written by another version of lpl"),
        "{err}"
    );
    assert_eq!(
        ids(&search(&home, "フリー")),
        ["199707281508.AAA24167@hoyogw.example"]
    );
    assert_eq!(
        ids(&search(&home, "并查集")),
        ["20240623023901.218892-2-xavier_qy@163.com"]
    );
}

/// The revisions (numbers) of "Split a folio to any lower order folios"
/// among the series of `q`'s hits.
fn zi_yan_revisions(home: &std::path::Path, q: &str) -> Vec<u64> {
    let v = search(home, q);
    let mut revs: Vec<u64> = v["series"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|s| {
            s["title"]
                .as_str()
                .is_some_and(|t| t.contains("Split a folio to any lower order folios"))
        })
        .filter_map(|s| s["revision"].as_u64())
        .collect();
    revs.sort_unstable();
    revs.dedup();
    revs
}

/// `dffn:` names the functions a hunk really changes (issue 15): the
/// first patch of Zi Yan's v2-v4, "mm/memcg: use order instead of nr in
/// split_page_memcg()", changes `split_page_memcg()` in a hunk of
/// mm/memcontrol.c whose header is the function before it,
/// `memcg_memory_event_mm`, so lore's `dfhh:split_page_memcg` misses it;
/// `dfhh:` keeps lore's meaning.
#[test]
fn dffn_finds_the_functions_a_hunk_changes() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    let patch1 = |v: u32| {
        format!("[PATCH v{v} 1/7] mm/memcg: use order instead of nr in split_page_memcg()")
    };
    let subjects = |q: &str| -> Vec<String> {
        search(&home, q)["hits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|h| h["subject"].as_str().map(str::to_owned))
            .collect()
    };
    let dffn = subjects("dffn:split_page_memcg");
    let dfhh = subjects("dfhh:split_page_memcg");
    for v in 2..=4 {
        assert!(dffn.contains(&patch1(v)), "v{v} 1/7 by dffn: {dffn:#?}");
        assert!(!dfhh.contains(&patch1(v)), "v{v} 1/7 by dfhh: {dfhh:#?}");
    }
    // Every hunk header that names it is a hunk inside it (lore's hunk
    // headers name the function a hunk starts in).
    for s in &dfhh {
        assert!(dffn.contains(s), "{s} by dfhh, not by dffn");
    }
    assert!(dffn.len() > dfhh.len(), "{dffn:#?}\n{dfhh:#?}");
    assert_eq!(
        zi_yan_revisions(&home, "dffn:split_page_memcg"),
        [1, 2, 3, 4, 5]
    );
    // dffn: is a field of its own: not in bare words or b:.
    let bare = subjects("split_page_memcg");
    assert!(!bare.is_empty());
    let out = lpl(&home, &["search", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("dffn:"), "{help}");
}
