//! Property tests: any Markdown round-trips byte for byte, and edits touch
//! only the lines they must.

use lpl_notebook::edit::{self, Change};
use lpl_notebook::{Notebook, Progress};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("folio".to_string()),
            Just("支持 THP 的".to_string()),
            Just("`page_add_file_rmap()`".to_string()),
            Just("[\\[PATCH v2 1/3\\] x](https://lore.kernel.org/linux-mm/a%40b/)".to_string()),
            Just("https://lwn.net/Articles/1/".to_string()),
            Just("🚧".to_string()),
            Just("📖".to_string()),
            Just("\\[".to_string()),
            Just("[".to_string()),
            Just("](".to_string()),
            Just(")".to_string()),
            Just("#".to_string()),
            Just("\t".to_string()),
            Just("  ".to_string()),
            Just("\u{FFFD}".to_string()),
            "[a-zA-Z0-9 ]{0,12}",
        ],
        0..8,
    )
    .prop_map(|v| v.join(" "))
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (2000u16..2030, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02} ")),
        (2000u16..2030, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (1usize..4, text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        4 => Just(String::new()),
        2 => Just("   ".to_string()),
        6 => (date(), prop::option::of(prop_oneof![Just("🚧 "), Just("📖 "), Just("🚧 ✅ ")]), text(), "[a-z0-9.-]{1,12}@[a-z.]{1,8}")
            .prop_map(|(d, m, t, id)| format!("- {d}{}[\\[PATCH v3 0/2\\] {t} - A B](https://lore.kernel.org/linux-mm/{id}/)", m.unwrap_or_default())),
        5 => (0usize..4, prop_oneof![Just("- "), Just("* "), Just("1. "), Just("- [ ] "), Just("- [x] ")], text())
            .prop_map(|(i, m, t)| format!("{}{m}{t}", "  ".repeat(i))),
        4 => text(),
        1 => Just("```".to_string()),
        1 => (0usize..3, text()).prop_map(|(i, t)| format!("{}{t}  ", "    ".repeat(i))),
    ]
}

fn document() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((line(), prop::bool::weighted(0.2)), 0..40),
        any::<bool>(),
    )
        .prop_map(|(lines, final_nl)| {
            let mut out = Vec::new();
            let n = lines.len();
            for (k, (l, crlf)) in lines.into_iter().enumerate() {
                out.extend_from_slice(l.as_bytes());
                if k + 1 < n || final_nl {
                    out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
            }
            out
        })
}

/// Lines of `b`, terminators included.
fn lines(b: &[u8]) -> Vec<&[u8]> {
    b.split_inclusive(|&c| c == b'\n').collect()
}

fn check_structure(src: &[u8]) {
    let nb = Notebook::parse(src.to_vec());
    assert_eq!(nb.as_bytes(), src);
    let mut pos = 0;
    for l in nb.lines() {
        assert_eq!(l.span.start, pos);
        assert!(l.content_end <= l.span.end);
        pos = l.span.end;
    }
    assert_eq!(pos, src.len());
    for e in nb.entries() {
        assert!(e.lines.start <= e.line && e.line < e.lines.end && e.lines.end <= nb.lines().len());
        let link = &src[e.link_span.clone()];
        assert_eq!(link.first(), Some(&b'['));
        assert_eq!(link.last(), Some(&b')'));
        for n in &e.notes {
            assert!(
                e.lines.start < n.lines.start && n.lines.end <= e.lines.end,
                "{n:?} in {:?}",
                e.lines
            );
            assert!(n.subtree.start == n.lines.start && n.subtree.end >= n.lines.end);
        }
    }
    for q in nb.questions() {
        assert!(matches!(src[q.mark_offset], b' ' | b'x' | b'X'));
    }
    for t in nb.topics() {
        assert!(t.lines.start == t.line && t.lines.end <= nb.lines().len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn generated_markdown_round_trips(doc in document()) {
        check_structure(&doc);
    }

    #[test]
    fn arbitrary_bytes_round_trip(doc in prop::collection::vec(prop_oneof![
        Just(b'\n'), Just(b'\r'), Just(b' '), Just(b'-'), Just(b'['), Just(b']'), Just(b'('), Just(b')'),
        Just(b'#'), Just(b'`'), Just(b'\\'), Just(0xE6u8), Just(0x94u8), Just(0xFFu8), any::<u8>()
    ], 0..300)) {
        check_structure(&doc);
    }

    #[test]
    fn edits_touch_only_their_lines(doc in document()) {
        let nb = Notebook::parse(doc.clone());
        let old = lines(&doc);
        for k in 0..nb.entries().len().min(3) {
            // ask: exactly one inserted line; everything else identical.
            let e = match edit::ask(&nb, k, "why?") {
                Ok(e) => e,
                Err(edit::EditError::InsideCode { .. }) => continue,
                Err(e) => panic!("{e}"),
            };
            let Change::Inserted { line, text } = &e.changes[0] else { panic!("{:?}", e.changes) };
            prop_assert_eq!(e.changes.len(), 1);
            prop_assert!(text.ends_with("- [ ] why?"));
            let new = lines(&e.bytes);
            prop_assert_eq!(new.len(), old.len() + 1);
            let mut without: Vec<u8> = Vec::new();
            for (i, l) in new.iter().enumerate() {
                if i + 1 != *line {
                    without.extend_from_slice(l);
                }
            }
            // Appending after an unterminated last line adds its newline.
            let mut want = doc.clone();
            if *line == new.len() && !doc.ends_with(b"\n") && !doc.is_empty() {
                let last = without.len() - (without.ends_with(b"\r\n") as usize + 1);
                want.extend_from_slice(&without[last..]);
                prop_assert_eq!(&without[..last], &doc[..]);
            } else {
                prop_assert_eq!(&without, &want);
            }
            let after = Notebook::parse(e.bytes.clone());
            prop_assert_eq!(after.entries().len(), nb.entries().len());
            prop_assert_eq!(after.questions().len(), nb.questions().len() + 1);
            prop_assert!(after.questions().iter().any(|q| q.entry == Some(k) && q.text == "why?"));

            // status: only the entry's own line changes.
            if let Ok(e) = edit::set_status(&nb, k, Progress::Read) {
                let new = lines(&e.bytes);
                prop_assert_eq!(new.len(), old.len());
                let line = nb.entries()[k].line;
                for (i, (a, b)) in old.iter().zip(&new).enumerate() {
                    if i != line {
                        prop_assert_eq!(a, b);
                    }
                }
                let after = Notebook::parse(e.bytes.clone());
                prop_assert_eq!(after.entries()[k].mark.clone(), Some(lpl_notebook::Mark::Read));
            }
        }
        for q in 0..nb.questions().len() {
            if let Ok(e) = edit::answer(&nb, q, None) {
                let differing = doc.iter().zip(&e.bytes).filter(|(a, b)| a != b).count();
                prop_assert_eq!(differing, 1);
                prop_assert_eq!(e.bytes.len(), doc.len());
            }
        }
    }

    #[test]
    fn add_keeps_every_other_entry(doc in document(), y in 2000u16..2030, m in 1u8..13, wip in any::<bool>()) {
        let nb = Notebook::parse(doc.clone());
        for t in 0..nb.topics().len().min(4) {
            let path = nb.topic_path(t).join("/");
            let new = edit::NewEntry {
                date: Some(lpl_notebook::Date { year: y, month: m, day: 1 }),
                subject: "[PATCH v2 0/3] new series".into(),
                author: Some("N. Ew".into()),
                url: "https://lore.kernel.org/linux-mm/new@x/".into(),
                message_id: lpl_notebook::MessageId::new("new@x"),
                status: Progress::Unread,
                not_merged: wip,
            };
            let opts = edit::AddOptions { topic: path.clone(), create_topic: false };
            let e = match edit::add_entry(&nb, &new, &opts) {
                Ok(e) => e,
                // Ambiguous paths (same titles), or a topic ending in open code.
                Err(edit::EditError::Select(_) | edit::EditError::InsideCode { .. }) => continue,
                Err(e) => panic!("{e}"),
            };
            // Only inserted lines; the old lines all still there in order.
            let only_inserts = e.changes.iter().all(|c| matches!(c, Change::Inserted { .. }));
            prop_assert!(only_inserts);
            let after = Notebook::parse(e.bytes.clone());
            prop_assert_eq!(after.entries().len(), nb.entries().len() + 1);
            let titles = |n: &Notebook| n.entries().iter().map(|e| e.title.clone()).collect::<Vec<_>>();
            let mut got = titles(&after);
            let k = after.entries().iter().position(|e| e.message_id.as_ref().is_some_and(|m| m.as_str() == "new@x") && e.title == "[PATCH v2 0/3] new series - N. Ew");
            prop_assert!(k.is_some(), "new entry not parsed: {:?}", String::from_utf8_lossy(&e.bytes));
            let k = k.unwrap();
            prop_assert_eq!(after.entries()[k].not_merged, wip);
            let nt = after.entries()[k].topic.expect("in a topic");
            prop_assert_eq!(after.topic_path(nt).join("/"), path);
            got.remove(k);
            prop_assert_eq!(got, titles(&nb));
            prop_assert_eq!(after.topics().len(), nb.topics().len());
        }
    }
}

/// Found by `edits_touch_only_their_lines` (seed 0fdaccfd in
/// proptest-regressions): removing the 📖 beside a task box left `](`
/// as the line's only mark, and the line stopped reading as an entry.
/// Such an edit is refused; the entry and the file stay as they were.
#[test]
fn status_edit_never_loses_the_entry() {
    let doc = "- [ ] 📖 ]( [\\[PATCH v2 1/3\\] x](https://lore.kernel.org/linux-mm/a%40b/)";
    let nb = Notebook::parse(doc.as_bytes().to_vec());
    assert_eq!(nb.entries().len(), 1);
    for p in [Progress::Read, Progress::Unread] {
        match edit::set_status(&nb, 0, p) {
            Ok(e) => {
                let after = Notebook::parse(e.bytes);
                assert_eq!(after.entries().len(), 1);
                assert_eq!(after.entries()[0].progress(), Some(p));
            }
            Err(e) => assert_eq!(e, edit::EditError::WouldLoseEntry { line: 1 }),
        }
    }
    // A plain one still works.
    let nb =
        Notebook::parse(b"- [ ] \xF0\x9F\x93\x96 [x](https://lore.kernel.org/all/a@b/)\n".to_vec());
    let e = edit::set_status(&nb, 0, Progress::Read).expect("read");
    assert_eq!(e.bytes, b"- [x] [x](https://lore.kernel.org/all/a@b/)\n");
}
