//! The search hook: what the index gets from the seed.

use std::collections::HashSet;

use lpl_notebook::search::{ItemKind, search_items};
use lpl_notebook::{NoArchive, Notebook, edit, html, select};

use crate::seed::decoded;

#[test]
fn seed_search_items() {
    let nb = Notebook::parse(decoded());
    let items: Vec<_> = search_items(&nb).collect();
    let kind = |k: ItemKind| items.iter().filter(|i| i.kind == k).count();
    let notes: usize = nb.entries().iter().map(|e| e.notes.len()).sum();
    assert_eq!(kind(ItemKind::Entry), 42);
    assert_eq!(kind(ItemKind::Question), 3);
    assert_eq!(kind(ItemKind::Note), notes - 3);
    let anchors: HashSet<&str> = items.iter().map(|i| i.anchor.as_str()).collect();
    assert_eq!(anchors.len(), items.len(), "anchors are unique");
    // The series linked from two topics gets two anchors.
    assert!(anchors.contains("20250818184622-1521620-1-ziy-nvidia-com"));
    assert!(anchors.contains("20250818184622-1521620-1-ziy-nvidia-com-2"));
    let q = items.iter().find(|i| i.text.contains("mlocked")).unwrap();
    assert_eq!(
        (q.kind, q.line, q.answered),
        (ItemKind::Question, 41, Some(false))
    );
    assert_eq!(
        q.message_id.as_ref().unwrap().as_str(),
        "1444145044-72349-1-git-send-email-kirill.shutemov@linux.intel.com"
    );
    // Every href points at a page and an element of the rendered site.
    let site = html::render(&nb, &NoArchive);
    for i in &items {
        let (page, frag) = i
            .href
            .split_once('#')
            .map_or((i.href.as_str(), None), |(a, b)| (a, Some(b)));
        let p = site
            .pages
            .iter()
            .find(|p| p.path == page)
            .unwrap_or_else(|| panic!("{}", i.href));
        if let Some(f) = frag {
            assert!(p.html.contains(&format!("id=\"{f}\"")), "{}", i.href);
        }
    }
}

#[test]
fn anchors_are_stable_across_edits_elsewhere() {
    let nb = Notebook::parse(decoded());
    let before: Vec<_> = search_items(&nb).collect();
    let k = select::find_entry(&nb, "THP refcounting", None).unwrap();
    let e = edit::add_note(
        &nb,
        k,
        &edit::NoteTarget::Patch {
            counter: 31,
            subject: None,
        },
        "x",
    )
    .unwrap();
    let after_nb = Notebook::parse(e.bytes);
    let after: Vec<_> = search_items(&after_nb).collect();
    let other = |v: &[lpl_notebook::search::SearchItem]| -> Vec<(String, String)> {
        v.iter()
            .filter(|i| i.entry != Some(k))
            .map(|i| (i.anchor.clone(), i.text.clone()))
            .collect()
    };
    assert_eq!(other(&before), other(&after));
    assert_eq!(
        after.len(),
        before.len() + 2,
        "the per-patch note and its child"
    );
}
