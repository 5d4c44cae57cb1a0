//! Every view drawn on the sample, at 100x30, 80x24 and narrow sizes.

use ratatui::crossterm::event::KeyCode;

use crate::*;

#[test]
fn roadmap_with_chinese_notes_and_badges() {
    let (_d, nb) = roadmap_copy();
    let mut a = app(sample_home(), Some(nb));
    keys(&mut a, "/split a folio to any\n");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("Split a folio to any lower order folios"), "{s}");
    // The entry is found in the archive at the linked revision.
    assert!(s.contains("[v5"), "{s}");
    assert!(s.contains("支"), "the Chinese notes are drawn:\n{s}");
    snapshot("roadmap_100x30", &s);
    // Narrow: cut at the edge, wide characters never split.
    snapshot("roadmap_40x12", &screen(&mut a, 40, 12));
    // Tab past the last topic hides the notes.
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Tab);
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("支持"), "{s}");
}

#[test]
fn series_list_filter_and_search() {
    let mut a = app(sample_home(), None);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Split a folio"), "{s}");
    snapshot("series_list_80x24", &s);
    // Filter as you type.
    keys(&mut a, "flru");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("per memcg lru_lock"), "{s}");
    assert!(!s.contains("Split a folio"), "{s}");
    snapshot("series_list_filtered", &s);
    press(&mut a, KeyCode::Esc);
    // A lei query.
    keys(&mut a, "/s:folio AND f:david\n");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("matches for s:folio AND f:david"), "{s}");
    snapshot("search_100x30", &s);
}

#[test]
fn series_patch_replies_thread_and_range_diff() {
    let (_d, nb) = roadmap_copy();
    let mut a = app(sample_home(), Some(nb));
    keys(&mut a, "/split a folio to any\n\n");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("[PATCH v5 0/8] Split a folio"), "{s}");
    assert!(s.contains("Revisions (5)"), "{s}");
    snapshot("series_100x30", &s);
    // Patch 7/8 and its replies.
    keys(&mut a, "/v5 7/8\n\n");
    let s = screen(&mut a, 100, 30);
    assert!(
        s.contains("mm: thp: split huge page to any lower order pages"),
        "{s}"
    );
    assert!(s.contains("diff --git") || s.contains("---"), "{s}");
    snapshot("patch_100x30", &s);
    keys(&mut a, "/replies (\n");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("Replies (5)"), "{s}");
    assert!(s.contains("quoted lines folded"), "{s}");
    snapshot("patch_replies_100x30", &s);
    // Unfold the first quoted block.
    keys(&mut a, "/quoted lines folded\nz");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("> "), "{s}");
    // The thread tree.
    press(&mut a, KeyCode::Char('t'));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("Ryan Roberts"), "{s}");
    snapshot("thread_100x30", &s);
    // Back to the series; the range-diff v4..v5.
    keys(&mut a, "qqg");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("Revisions (5)"), "{s}");
    press(&mut a, KeyCode::Char('d'));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("1:  "), "{s}");
    snapshot("range_diff_100x30", &s);
}

#[test]
fn help_overlay_and_tiny_terminals() {
    let (_d, nb) = roadmap_copy();
    let mut a = app(sample_home(), Some(nb));
    press(&mut a, KeyCode::Char('?'));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("add a note"), "{s}");
    snapshot("help_80x24", &s);
    press(&mut a, KeyCode::Char('x'));
    // Every view at 20x5, 1x1 and 0 rows: drawn without a panic.
    for k in [
        "",
        "/split a folio to any\n\n",
        "/v5 7/8\n\n",
        "t",
        "qqd",
        "q?",
    ] {
        keys(&mut a, k);
        for (w, h) in [(20, 5), (1, 1), (5, 2), (200, 3)] {
            let _ = screen(&mut a, w, h);
        }
    }
    snapshot("help_20x5", &screen(&mut a, 20, 5));
}
