//! `r`: a reply to the message under the cursor, written as `lpl reply`
//! writes it (lpl-core's composer), as a draft in the directory of `a`,
//! then handed to the editor (issue 18).

use std::path::Path;

use lpl_core::Workspace;
use lpl_core::types::Address;
use lpl_tui::{App, Options};
use ratatui::crossterm::event::KeyCode;

use crate::*;

fn app_replying(dir: &Path, nb: std::path::PathBuf, editor: Option<&str>) -> App {
    let ws = Workspace::open_read_only(sample_home()).expect("open read-only");
    let me = Address {
        name: Some("Tess Ter".into()),
        email: "tess@example.org".into(),
    };
    let opts = Options::new(Some(nb), dir.to_owned())
        .color(false)
        .reply(Some(me), editor.map(str::to_owned));
    let mut a = App::new(ws, opts);
    settle(&mut a);
    a
}

fn drafts(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    v.sort();
    v
}

fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

#[test]
fn r_writes_a_reply_to_the_message_under_the_cursor() {
    let (_d, nb) = roadmap_copy();
    let out = tempfile::tempdir().expect("tempdir");
    let mut a = app_replying(out.path(), nb, None);
    // Patch 7/8, read as a message.
    keys(&mut a, "/split a folio to any\n\n/v5 7/8\n\n");
    press(&mut a, KeyCode::Char('r'));
    let d = drafts(out.path());
    assert_eq!(d.len(), 1, "{d:?}");
    let name = d[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("reply-") && name.ends_with(".eml"),
        "{name}"
    );
    let text = std::fs::read_to_string(&d[0]).expect("read");
    assert_eq!(
        header(&text, "In-Reply-To"),
        Some("<20240226205534.1603748-8-zi.yan@sent.com>"),
        "{text}"
    );
    assert_eq!(
        header(&text, "Subject"),
        Some("Re: [PATCH v5 7/8] mm: thp: split huge page to any lower order pages"),
        "{text}"
    );
    assert_eq!(header(&text, "From"), Some("Tess Ter <tess@example.org>"));
    assert!(
        header(&text, "To").is_some_and(|t| t.contains("zi.yan@sent.com")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("> ")), "quoted:\n{text}");
    // No editor configured: nothing to open.
    assert!(a.take_edit().is_none());
    // The status line names the draft and how to send it.
    let s = screen(&mut a, 100, 30).replace(&out.path().display().to_string(), "DIR");
    assert!(s.contains("wrote DIR/reply-"), "{s}");
    snapshot("reply_written_100x30", &s);

    // In the thread, the reply under the cursor (Ryan Roberts's) is the
    // one answered; a second draft never overwrites the first.
    press(&mut a, KeyCode::Char('t'));
    keys(&mut a, "/Ryan Roberts\n");
    press(&mut a, KeyCode::Char('r'));
    let d2 = drafts(out.path());
    assert_eq!(d2.len(), 2, "{d2:?}");
    assert_eq!(std::fs::read_to_string(&d[0]).expect("read"), text);
    let second = d2.iter().find(|p| **p != d[0]).expect("second draft");
    let t2 = std::fs::read_to_string(second).expect("read");
    assert!(
        header(&t2, "To").is_some_and(|t| t.contains("Ryan Roberts")),
        "{t2}"
    );
    assert_ne!(header(&t2, "In-Reply-To"), header(&text, "In-Reply-To"));
}

#[test]
fn r_hands_the_draft_to_the_editor_and_refuses_without_a_replier() {
    let (_d, nb) = roadmap_copy();
    let out = tempfile::tempdir().expect("tempdir");
    let mut a = app_replying(out.path(), nb.clone(), Some("true"));
    keys(&mut a, "/split a folio to any\n\n/v5 7/8\n\n");
    press(&mut a, KeyCode::Char('r'));
    let d = drafts(out.path());
    assert_eq!(d.len(), 1);
    assert_eq!(a.take_edit(), Some(("true".to_owned(), d[0].clone())));
    assert_eq!(a.take_edit(), None, "asked once");
    a.edited(&d[0], Ok(()));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("edited; send it with: git send-email"), "{s}");

    // No identity: r says how to set one, writes nothing.
    let none = tempfile::tempdir().expect("tempdir");
    let ws = Workspace::open_read_only(sample_home()).expect("open");
    let mut a = App::new(
        ws,
        Options::new(Some(nb), none.path().to_owned()).color(false),
    );
    settle(&mut a);
    keys(&mut a, "/split a folio to any\n\n/v5 7/8\n\n");
    press(&mut a, KeyCode::Char('r'));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("who is replying?"), "{s}");
    assert!(drafts(none.path()).is_empty());
}
