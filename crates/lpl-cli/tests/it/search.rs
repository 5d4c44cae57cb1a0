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
        let patch = h["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("[PATCH"));
        assert_eq!(
            h["series"].is_string(),
            patch,
            "patches and only patches: {h}"
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
