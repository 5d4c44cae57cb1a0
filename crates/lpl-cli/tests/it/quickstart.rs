//! The README's first command: `lpl quickstart` on the bundled sample.

use crate::util::*;

fn number_before(text: &str, what: &str) -> Option<u64> {
    let i = text.find(what)?;
    text[..i].split_whitespace().last()?.parse().ok()
}

#[test]
fn quickstart_imports_understands_searches_and_links_the_roadmap() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let out = lpl_ok(&home, &["quickstart"]);
    assert_eq!(
        number_before(&out, "messages read from the sample"),
        Some(340),
        "{out}"
    );
    assert_eq!(number_before(&out, "chains of revisions"), Some(4), "{out}");
    // Zi Yan's "Split a folio" v1..v5, one chain, and the seed roadmap's entry.
    assert!(out.contains("revisions: v1 -> v2"), "{out}");
    assert_eq!(
        number_before(&out, "linked to this archive"),
        Some(2),
        "{out}"
    );
    // The search step finds something for each example query.
    let search = out
        .split("3. Search.")
        .nth(1)
        .and_then(|s| s.split("4. Learn.").next())
        .expect("a search section");
    let counts: Vec<u64> = search
        .lines()
        .filter_map(|l| number_before(l, " messages"))
        .collect();
    assert_eq!(counts.len(), 3, "{search}");
    assert!(counts.iter().all(|&n| n > 0), "{search}");
    // Running it again stores nothing twice.
    let again = lpl_ok(&home, &["quickstart"]);
    assert!(again.contains(": 0 new,"), "{again}");
    assert_eq!(
        number_before(&again, "messages, 150 of them patches"),
        Some(340),
        "{again}"
    );
}
