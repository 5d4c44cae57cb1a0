//! Bad input: hostile mail, an empty archive, a roadmap that is not one.

use ratatui::crossterm::event::KeyCode;

use crate::*;

/// A patch series whose subject, author and body carry escape sequences,
/// carriage returns, a bell, a C1 CSI and a bidi override.
fn hostile_mbox(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("hostile.mbox");
    let mut m = String::new();
    let evil = "\x1b]0;pwned\x07\x1b[2J\r\u{9b}31m\u{202e}";
    for (n, id) in [(0, "cover"), (1, "p1")] {
        m.push_str("From mboxrd@z Thu Jan  1 00:00:00 1970\n");
        m.push_str(&format!(
            "From: Mal{evil}lory <mallory@example.org>\nSubject: [PATCH {n}/1] evil{evil}subject\nDate: Mon, 1 Jan 2024 00:00:0{n} +0000\nMessage-ID: <{id}@example.org>\n"
        ));
        if n > 0 {
            m.push_str("In-Reply-To: <cover@example.org>\nReferences: <cover@example.org>\n");
        }
        m.push_str("Content-Type: text/plain; charset=utf-8\n\n");
        m.push_str(&format!("body line {evil} end\n\x1b[31mred\x1b[0m\n"));
        if n > 0 {
            m.push_str("---\n x | 1 +\n 1 file changed\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+\x1b[5mblink\n");
        }
        m.push('\n');
    }
    std::fs::write(&p, m).expect("write mbox");
    p
}

#[test]
fn escapes_in_subject_and_body_are_inert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = home_with(&[hostile_mbox(dir.path())]);
    let mut a = app(home.path(), None);
    let s = screen(&mut a, 100, 12);
    assert_inert(&s);
    assert!(s.contains("evil^[]0;pwned^G^[[2J"), "{s}");
    assert!(s.contains("<U+009B>31m<U+202E>"), "{s}");
    snapshot("hostile_series_list", &s);
    keys(&mut a, "\n");
    let s = screen(&mut a, 100, 20);
    assert_inert(&s);
    snapshot("hostile_series", &s);
    keys(&mut a, "/] evil\n\n");
    let s = screen(&mut a, 100, 20);
    assert_inert(&s);
    assert!(s.contains("^[[31mred^[[0m"), "{s}");
    assert!(s.contains("+^[[5mblink"), "{s}");
    snapshot("hostile_patch", &s);
}

#[test]
fn an_empty_archive() {
    let home = home_with(&[]);
    let mut a = app(home.path(), None);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("no series in the archive"), "{s}");
    snapshot("empty_archive", &s);
    keys(&mut a, "/anything\n");
    let s = screen(&mut a, 80, 24);
    assert_inert(&s);
    // Every key on an empty view is harmless.
    for c in "jkgGnN\tzdtuacmSo ".chars() {
        press(&mut a, KeyCode::Char(c));
        let _ = screen(&mut a, 20, 5);
    }
}

#[test]
fn a_roadmap_that_is_not_one() {
    // Missing: said on the roadmap view, the series list still works.
    let mut a = app(sample_home(), Some("/nonexistent/roadmap.md".into()));
    let s = screen(&mut a, 100, 10);
    assert!(s.contains("/nonexistent/roadmap.md"), "{s}");
    snapshot("roadmap_missing", &s);
    keys(&mut a, "s");
    assert!(screen(&mut a, 100, 10).contains("Split a folio"));

    // Binary garbage, controls and broken Markdown: shown inert, no entries.
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path().join("roadmap.md");
    let mut bytes =
        b"## \x1b[31mtopic\n- [unclosed](http://x\n\xff\xfe\x00\x01 - 2024-13-45 [x](\n".to_vec();
    bytes.extend_from_slice(
        "- 2024-01-01 [标题 \u{1b}[2J](https://lore.kernel.org/all/nope@x/)\n".as_bytes(),
    );
    std::fs::write(&p, &bytes).expect("write");
    let mut a = app(sample_home(), Some(p.clone()));
    let s = screen(&mut a, 80, 12);
    assert_inert(&s);
    snapshot("roadmap_garbage", &s);
    keys(&mut a, "jjjj\n");
    let s = screen(&mut a, 80, 12);
    assert_inert(&s);
    // A note is refused for an entry that is not in the archive only when
    // there is no entry at all; here it goes under the entry, byte-exact.
    keys(&mut a, "cnote\n");
    let after = std::fs::read(&p).expect("read");
    assert!(after.starts_with(&bytes[..40]));
}
