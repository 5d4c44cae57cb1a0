//! Notes, questions and marks written into the roadmap from the UI.

use ratatui::crossterm::event::KeyCode;

use crate::*;

fn changed_lines(old: &str, new: &str) -> Vec<String> {
    let (o, n): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    n.iter()
        .filter(|l| !o.contains(l))
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn a_note_from_a_patch_reply_goes_under_the_entry() {
    let (_d, nb) = roadmap_copy();
    let before = std::fs::read_to_string(&nb).expect("read");
    let mut a = app(sample_home(), Some(nb.clone()));
    // roadmap -> entry -> series -> patch 7/8 -> thread -> a reply
    keys(
        &mut a,
        "/split a folio to any\n\n/v5 7/8\n\nt/Ryan Roberts\n",
    );
    keys(&mut a, "c拆分 order-1 要注意 📖\n");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("previous version"), "{s}");
    let after = std::fs::read_to_string(&nb).expect("read");
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    assert_eq!(
        changed_lines(&before, &after),
        vec!["  - 拆分 order-1 要注意 📖"]
    );
    let bak = std::fs::read_to_string(lpl_core::notebook::fsio::backup_path(&nb)).expect("bak");
    assert_eq!(bak, before);
    // The roadmap shows the note once it is read again.
    keys(&mut a, "Rj");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("拆分 order-1 要注意 📖"), "{s}");
}

#[test]
fn question_and_marks_on_the_entry_and_a_patch() {
    let (_d, nb) = roadmap_copy();
    let before = std::fs::read_to_string(&nb).expect("read");
    let mut a = app(sample_home(), Some(nb.clone()));
    keys(&mut a, "/split a folio to any\n");
    keys(&mut a, "Cwhy is order-1 special?\n");
    let after = std::fs::read_to_string(&nb).expect("read");
    assert_eq!(
        changed_lines(&before, &after),
        vec!["  - [ ] why is order-1 special?"]
    );
    keys(&mut a, "m");
    let marked = std::fs::read_to_string(&nb).expect("read");
    assert!(
        marked.contains("- 2024-02-26 ✅ [\\[PATCH v5 0/8\\] Split a folio"),
        "{marked}"
    );
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("✅ 2024-02-26 [v5 ?1]"), "{s}");
}

#[test]
fn an_edit_is_refused_when_the_file_changed_underneath() {
    let (_d, nb) = roadmap_copy();
    let mut a = app(sample_home(), Some(nb.clone()));
    keys(&mut a, "/split a folio to any\n");
    // Someone edits the file while the UI shows it.
    let mut text = std::fs::read_to_string(&nb).expect("read");
    text.push_str("- edited elsewhere\n");
    std::fs::write(&nb, &text).expect("write");
    keys(&mut a, "cmy note\n");
    let s = screen(&mut a, 120, 30);
    assert!(s.contains("not written"), "{s}");
    assert_eq!(std::fs::read_to_string(&nb).expect("read"), text);
    // Ctrl-R reads it again; then the note is written.
    a.key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    settle(&mut a);
    keys(&mut a, "cmy note\n");
    let now = std::fs::read_to_string(&nb).expect("read");
    assert!(now.contains("  - my note\n") && now.contains("- edited elsewhere\n"));
}

#[test]
fn am_writes_the_series_mbox() {
    let (d, nb) = roadmap_copy();
    let ws = lpl_core::Workspace::open_read_only(sample_home()).expect("open");
    let mut a = lpl_tui::App::new(
        ws,
        lpl_tui::Options::new(Some(nb), d.path().to_owned()).color(false),
    );
    settle(&mut a);
    keys(&mut a, "/split a folio to any\n\na");
    let s = screen(&mut a, 120, 30);
    assert!(s.contains("wrote 8 patches"), "{s}");
    let mbx = std::fs::read_dir(d.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "mbx"))
        .expect("an mbx file");
    let text = std::fs::read_to_string(mbx.path()).expect("read");
    assert_eq!(text.matches("\nSubject: [PATCH v5 ").count(), 8);
    // o shows the lore URL without a browser.
    keys(&mut a, "o");
    let s = screen(&mut a, 120, 30);
    assert!(
        s.contains("https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/"),
        "{s}"
    );
}
