//! Edits on a copy of the real seed: the file diff is exactly the intended lines.

use lpl_notebook::edit::{self, AddOptions, EditError, NewEntry, NoteTarget};
use lpl_notebook::select::{self, SelectError};
use lpl_notebook::{Date, MessageId, Notebook, Progress, fsio, mojibake};

use crate::seed::{decoded, raw};

/// A line diff computed independently of the edit's own change list:
/// common prefix and suffix removed, the middle shown as `-N:`/`+N:` lines.
pub fn diff(old: &[u8], new: &[u8]) -> Vec<String> {
    let o: Vec<&[u8]> = old.split(|&b| b == b'\n').collect();
    let n: Vec<&[u8]> = new.split(|&b| b == b'\n').collect();
    let mut p = 0;
    while p < o.len() && p < n.len() && o[p] == n[p] {
        p += 1;
    }
    let mut s = 0;
    while s < o.len() - p && s < n.len() - p && o[o.len() - 1 - s] == n[n.len() - 1 - s] {
        s += 1;
    }
    let mut out = Vec::new();
    for (k, l) in o[p..o.len() - s].iter().enumerate() {
        out.push(format!("-{}: {}", p + k + 1, String::from_utf8_lossy(l)));
    }
    for (k, l) in n[p..n.len() - s].iter().enumerate() {
        out.push(format!("+{}: {}", p + k + 1, String::from_utf8_lossy(l)));
    }
    out
}

fn nth_page_v2() -> NewEntry {
    NewEntry {
        date: Some(Date {
            year: 2025,
            month: 9,
            day: 1,
        }),
        subject: "[PATCH v2 00/37] mm: remove nth_page()".into(),
        author: Some("David Hildenbrand".into()),
        url: "https://lore.kernel.org/linux-mm/20250901150359.867252-1-david@redhat.com/".into(),
        message_id: MessageId::new("20250901150359.867252-1-david@redhat.com"),
        status: Progress::Unread,
        not_merged: false,
    }
}

#[test]
fn add_goes_to_its_dated_place_in_the_users_style() {
    let nb = Notebook::parse(decoded());
    let e = edit::add_entry(
        &nb,
        &nth_page_v2(),
        &AddOptions {
            topic: "mm init".into(),
            create_topic: false,
        },
    )
    .expect("add");
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "+174: - 2025-09-01 [\\[PATCH v2 00/37\\] mm: remove nth_page() - David Hildenbrand](https://lore.kernel.org/linux-mm/20250901150359.867252-1-david@redhat.com/)"
        ]
    );
    assert_eq!(e.changes.len(), 1);
    let after = Notebook::parse(e.bytes.clone());
    assert_eq!(after.entries().len(), nb.entries().len() + 1);
    let t = select::find_topic(&after, "mm init").unwrap();
    assert_eq!(after.topics()[t].entries.len(), 2);

    // In THP (dated, mostly ascending), a 2024-03-01 series goes right after
    // the 2024-02-26 entry and its note.
    let mut s = nth_page_v2();
    s.date = Some(Date {
        year: 2024,
        month: 3,
        day: 1,
    });
    s.subject = "[PATCH v1 0/1] x".into();
    s.message_id = MessageId::new("x@y");
    s.url = "https://lore.kernel.org/linux-mm/x@y/".into();
    s.status = Progress::Reading;
    let e = edit::add_entry(
        &nb,
        &s,
        &AddOptions {
            topic: "THP".into(),
            create_topic: false,
        },
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "+69: - 2024-03-01 📖 [\\[PATCH v1 0/1\\] x - David Hildenbrand](https://lore.kernel.org/linux-mm/x@y/)"
        ]
    );
    // 🚧 (not merged yet) as the learner writes it: after the date, before
    // the progress mark (`- 2017-05-15 🚧 [...]` in the seed); it reads
    // back as the entry's not-merged mark.
    s.not_merged = true;
    let e = edit::add_entry(
        &nb,
        &s,
        &AddOptions {
            topic: "THP".into(),
            create_topic: false,
        },
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "+69: - 2024-03-01 🚧 📖 [\\[PATCH v1 0/1\\] x - David Hildenbrand](https://lore.kernel.org/linux-mm/x@y/)"
        ]
    );
    let after = Notebook::parse(e.bytes.clone());
    let added = &after.entries()[after
        .entries()
        .iter()
        .position(|e| e.line == 68)
        .expect("the new entry")];
    assert!(added.not_merged);
    assert_eq!(added.progress(), Some(Progress::Reading));
    s.not_merged = false;
    // The fewest dated entries on the wrong side: after 2023-07-10 and
    // before 2024-04-15 (only 2024-04-09 before it and 2024-02-26 and the
    // final 2017 entry after it are out of place, as they already were).
    assert_eq!(nb.line_text(67).get(..12), Some("- 2023-07-10"));
}

#[test]
fn add_refuses_duplicates_and_unknown_topics_and_creates_on_request() {
    let nb = Notebook::parse(decoded());
    let mut s = nth_page_v2();
    s.message_id = MessageId::new("20250827220141.262669-1-david@redhat.com");
    assert_eq!(
        edit::add_entry(
            &nb,
            &s,
            &AddOptions {
                topic: "mm init".into(),
                create_topic: false
            }
        ),
        Err(EditError::AlreadyPresent { line: 173 })
    );
    assert_eq!(
        edit::add_entry(
            &nb,
            &nth_page_v2(),
            &AddOptions {
                topic: "page cache".into(),
                create_topic: false
            }
        ),
        Err(EditError::TopicNotFound("page cache".into()))
    );
    let e = edit::add_entry(
        &nb,
        &nth_page_v2(),
        &AddOptions {
            topic: "page cache".into(),
            create_topic: true,
        },
    )
    .unwrap();
    let mut want = decoded();
    want.extend_from_slice(b"\n## page cache\n\n- 2025-09-01 [\\[PATCH v2 00/37\\] mm: remove nth_page() - David Hildenbrand](https://lore.kernel.org/linux-mm/20250901150359.867252-1-david@redhat.com/)\n");
    assert_eq!(
        String::from_utf8(e.bytes.clone()).unwrap(),
        String::from_utf8(want).unwrap()
    );
    assert_eq!(e.changes.len(), 4);
    let after = Notebook::parse(e.bytes);
    let t = select::find_topic(&after, "page cache").unwrap();
    assert_eq!(after.topics()[t].entries.len(), 1);
    // An empty topic with a label in it (rmap): the entry goes first, and a
    // blank line keeps the label a label.
    let e = edit::add_entry(
        &nb,
        &nth_page_v2(),
        &AddOptions {
            topic: "rmap".into(),
            create_topic: false,
        },
    )
    .unwrap();
    assert_eq!(diff(nb.as_bytes(), &e.bytes)[..2], ["+116: - 2025-09-01 [\\[PATCH v2 00/37\\] mm: remove nth_page() - David Hildenbrand](https://lore.kernel.org/linux-mm/20250901150359.867252-1-david@redhat.com/)".to_string(), "+117: ".to_string()]);
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.topics().len(), nb.topics().len());
}

#[test]
fn note_ask_answer() {
    let nb = Notebook::parse(decoded());
    let zi = select::find_entry(
        &nb,
        "https://lore.kernel.org/all/20240226205534.1603748-1-zi.yan@sent.com/T/#u",
        None,
    )
    .unwrap();
    let e = edit::add_note(
        &nb,
        zi,
        &NoteTarget::Entry,
        "v5 splits to any order; compare with v10 of the non-uniform split",
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+73:   - v5 splits to any order; compare with v10 of the non-uniform split"]
    );
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.entries()[zi].notes.len(), 2);

    let rc = select::find_entry(&nb, "THP refcounting redesign", None).unwrap();
    let e = edit::add_note(
        &nb,
        rc,
        &NoteTarget::Patch {
            counter: 29,
            subject: None,
        },
        "see also `__split_huge_pmd_locked()`",
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+27:     - see also `__split_huge_pmd_locked()`"]
    );
    let e = edit::add_note(
        &nb,
        rc,
        &NoteTarget::Patch {
            counter: 31,
            subject: None,
        },
        "new per-patch note",
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+30:   - [PATCHv12 31/37]", "+31:     - new per-patch note"]
    );
    let after = Notebook::parse(e.bytes);
    let patches: Vec<u32> = after.entries()[rc]
        .notes
        .iter()
        .filter_map(|n| n.patch)
        .collect();
    assert_eq!(patches, [29, 30, 31, 32, 34]);

    // After a lazy paragraph (the `2025-8-18[...]` entry and its prose).
    let st = select::find_entry(&nb, "split_huge_page_test", Some("THP")).unwrap();
    let e = edit::add_note(&nb, st, &NoteTarget::Entry, "memremapped THP not handled").unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+90:   - memremapped THP not handled"]
    );
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.entries()[st].notes.len(), 2);
    assert_eq!(after.topics().len(), nb.topics().len());

    let e = edit::ask(&nb, zi, "why is order-1 anon split refused?").unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+73:   - [ ] why is order-1 anon split refused?"]
    );
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.questions().len(), 4);
    assert_eq!(after.questions()[3].entry, Some(zi));

    let q = select::find_question(&nb, "mlocked").unwrap();
    let e = edit::answer(&nb, q, None).unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-41:     - [ ] 对 mlocked THP 的处\u{FFFD}",
            "+41:     - [x] 对 mlocked THP 的处\u{FFFD}"
        ]
    );
    let after = Notebook::parse(e.bytes);
    assert!(after.questions()[q].answered);
    assert_eq!(
        edit::answer(&after, q, None),
        Err(EditError::AlreadyAnswered { line: 41 })
    );
    assert_eq!(select::find_question(&nb, "L50").unwrap(), 1);
}

#[test]
fn status_marks() {
    let repaired = Notebook::parse(mojibake::repair(&raw()).text);
    let swap = select::find_entry(&repaired, "THP swap", None).unwrap();
    // The seed's 🚧 says "not merged yet": no reading mark to remove.
    assert!(repaired.entries()[swap].not_merged);
    assert_eq!(repaired.entries()[swap].progress(), Some(Progress::Unread));
    assert_eq!(
        edit::set_status(&repaired, swap, Progress::Unread),
        Err(EditError::Unchanged { line: 77 })
    );
    // Reading and read go beside it; the 🚧 stays.
    let e = edit::set_status(&repaired, swap, Progress::Reading).unwrap();
    let d = diff(repaired.as_bytes(), &e.bytes);
    assert_eq!(d.len(), 2);
    assert!(
        d[0].starts_with("-77: - 2017-05-15 🚧 [\\[PATCH -mm -v11 0/5\\]"),
        "{d:?}"
    );
    assert!(
        d[1].starts_with("+77: - 2017-05-15 🚧 📖 [\\[PATCH -mm -v11 0/5\\]"),
        "{d:?}"
    );
    let reading = Notebook::parse(e.bytes.clone());
    assert!(reading.entries()[swap].not_merged);
    assert_eq!(reading.entries()[swap].progress(), Some(Progress::Reading));
    let e2 = edit::set_status(&reading, swap, Progress::Read).unwrap();
    assert!(
        diff(reading.as_bytes(), &e2.bytes)[1].starts_with("+77: - 2017-05-15 🚧 ✅ [\\[PATCH")
    );
    let read = Notebook::parse(e2.bytes);
    let e3 = edit::set_status(&read, swap, Progress::Unread).unwrap();
    assert_eq!(e3.bytes, repaired.as_bytes(), "unread gives the line back");

    let nb = Notebook::parse(decoded());
    // The decoded copy's damaged mark is replaced.
    assert!(!nb.entries()[swap].not_merged);
    let e = edit::set_status(&nb, swap, Progress::Reading).unwrap();
    assert!(diff(nb.as_bytes(), &e.bytes)[1].starts_with("+77: - 2017-05-15 📖 [\\[PATCH"));
    // No mark yet: inserted before the link.
    let zi = select::find_entry(&nb, "20240226205534.1603748-1-zi.yan@sent.com", None).unwrap();
    let e = edit::set_status(&nb, zi, Progress::Read).unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-71: - 2024-02-26 [\\[PATCH v5 0/8\\] Split a folio to any lower order folios - Zi Yan](https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/)",
            "+71: - 2024-02-26 ✅ [\\[PATCH v5 0/8\\] Split a folio to any lower order folios - Zi Yan](https://lore.kernel.org/linux-mm/20240226205534.1603748-1-zi.yan@sent.com/)"
        ]
    );
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.entries()[zi].mark, Some(lpl_notebook::Mark::Read));
    // `2025-8-18[...]` (no blank before the link).
    let st = select::find_entry(&nb, "split_huge_page_test", Some("selftest")).unwrap();
    let e = edit::set_status(&nb, st, Progress::Reading).unwrap();
    assert!(
        diff(nb.as_bytes(), &e.bytes)[1].starts_with("+82: - 2025-8-18 📖 [\\[PATCH v5 0/5\\]")
    );
}

#[test]
fn naming_entries() {
    let nb = Notebook::parse(decoded());
    // The seed links one series from two topics.
    match select::find_entry(&nb, "<20250818184622.1521620-1-ziy@nvidia.com>", None) {
        Err(SelectError::Ambiguous { candidates, .. }) => {
            let lines: Vec<usize> = candidates.iter().map(|c| c.line).collect();
            assert_eq!(lines, [82, 108]);
        }
        other => panic!("{other:?}"),
    }
    let k =
        select::find_entry(&nb, "20250818184622.1521620-1-ziy@nvidia.com", Some("mTHP")).unwrap();
    assert_eq!(nb.entries()[k].line + 1, 108);
    let err = select::find_entry(&nb, "folio split", None).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("ambiguous (3 candidates)")
            && msg.contains("line 71 [linux_patch_learn / THP]"),
        "{msg}"
    );
    assert!(matches!(
        select::find_entry(&nb, "no such thing", None),
        Err(SelectError::NotFound { .. })
    ));
    let k = select::find_entry(
        &nb,
        "https://patch.msgid.link/20240409192301.907377-1-david@redhat.com",
        None,
    )
    .unwrap();
    assert_eq!(nb.entries()[k].author.as_deref(), Some("David Hildenbrand"));
    // The v33 URL of a note names its entry too.
    let k = select::find_entry(
        &nb,
        "https://lore.kernel.org/all/20101215051540.GP5638@random.random/",
        None,
    )
    .unwrap();
    assert_eq!(nb.entries()[k].line + 1, 14);
}

#[test]
fn crlf_and_missing_final_newline_are_kept() {
    let src =
        b"## A\r\n\r\n- 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)".to_vec();
    let nb = Notebook::parse(src.clone());
    assert_eq!(nb.as_bytes(), &src[..]);
    let mut s = nth_page_v2();
    s.date = Some(Date {
        year: 2024,
        month: 2,
        day: 1,
    });
    let e = edit::add_entry(
        &nb,
        &s,
        &AddOptions {
            topic: "A".into(),
            create_topic: false,
        },
    )
    .unwrap();
    let want = "## A\r\n\r\n- 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)\r\n- 2024-02-01 [\\[PATCH v2 00/37\\] mm: remove nth_page() - David Hildenbrand](https://lore.kernel.org/linux-mm/20250901150359.867252-1-david@redhat.com/)";
    assert_eq!(String::from_utf8(e.bytes.clone()).unwrap(), want);
    let e = edit::ask(&Notebook::parse(e.bytes), 0, "q").unwrap();
    assert!(String::from_utf8(e.bytes).unwrap().starts_with(&format!(
        "{}\r\n  - [ ] q",
        &want[..want.find("\r\n- 2024-02").unwrap()]
    )));
}

#[test]
fn atomic_save_keeps_a_backup_and_refuses_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roadmap.md");
    std::fs::write(&path, decoded()).unwrap();
    let loaded = fsio::load(&path).unwrap();
    let nb = Notebook::parse(loaded.bytes.clone());
    let zi = select::find_entry(&nb, "lower order", None).unwrap();
    let e = edit::ask(&nb, zi, "first").unwrap();
    let bak = fsio::save(&loaded, &e.bytes).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), e.bytes);
    assert_eq!(std::fs::read(&bak).unwrap(), decoded());
    assert_eq!(bak, dir.path().join("roadmap.md.bak"));
    // Saving again from the stale read is refused, and nothing changes.
    let e2 = edit::ask(&nb, zi, "second").unwrap();
    match fsio::save(&loaded, &e2.bytes) {
        Err(fsio::FileError::ChangedOnDisk { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), e.bytes);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|d| d.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn topics_by_path_and_marks_before_dates() {
    let nb = Notebook::parse(decoded());
    // Two labels are called `selftests`: name them by path.
    let err = select::find_topic(&nb, "selftests").unwrap_err();
    assert!(
        err.to_string().contains("ambiguous (2 candidates)"),
        "{err}"
    );
    let t = select::find_topic(&nb, "mTHP/selftests").unwrap();
    assert_eq!(nb.topics()[t].line + 1, 106);
    assert_eq!(
        select::find_topic(&nb, "vma").map(|t| nb.topics()[t].title.as_str()),
        Ok("vma optimization")
    );
    assert!(matches!(
        edit::add_entry(
            &nb,
            &nth_page_v2(),
            &AddOptions {
                topic: "selftests".into(),
                create_topic: true
            }
        ),
        Err(EditError::Select(SelectError::Ambiguous { .. }))
    ));

    let src = "## A\n- 📖 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)\n";
    let nb = Notebook::parse(src.as_bytes().to_vec());
    let e = &nb.entries()[0];
    assert_eq!(
        (e.mark.clone(), e.date_text.as_deref(), e.not_merged),
        (Some(lpl_notebook::Mark::Reading), Some("2024-01-01"), false)
    );
    let ed = edit::set_status(&nb, 0, Progress::Unread).unwrap();
    assert_eq!(
        String::from_utf8(ed.bytes).unwrap(),
        "## A\n- 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)\n"
    );
    let ed = edit::set_status(&nb, 0, Progress::Read).unwrap();
    assert_eq!(
        String::from_utf8(ed.bytes).unwrap(),
        src.replace('📖', "✅")
    );
    // 🚧 before the date: not merged, no reading mark; reading goes
    // before the link and 🚧 stays.
    let src = "## A\n- 🚧 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)\n";
    let nb = Notebook::parse(src.as_bytes().to_vec());
    let e = &nb.entries()[0];
    assert_eq!(
        (e.mark.clone(), e.date_text.as_deref(), e.not_merged),
        (None, Some("2024-01-01"), true)
    );
    let ed = edit::set_status(&nb, 0, Progress::Reading).unwrap();
    let s2 = String::from_utf8(ed.bytes).unwrap();
    assert_eq!(s2, src.replace("01 [", "01 📖 ["));
    let nb2 = Notebook::parse(s2.into_bytes());
    let e = &nb2.entries()[0];
    assert_eq!(
        (e.progress(), e.not_merged),
        (Some(Progress::Reading), true)
    );
    let ed = edit::set_status(&nb2, 0, Progress::Unread).unwrap();
    assert_eq!(String::from_utf8(ed.bytes).unwrap(), src);
}
