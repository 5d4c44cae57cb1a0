//! The roadmap as a daily driver (issue 21), on copies of the real seed:
//! entries by line (the duplicate split_huge_page_test entry), per-patch
//! bullets written as patch titles, answers, progress marks, an honest
//! check of msharefs, links and reading per entry. Every edit is checked
//! as the exact lines changed, by a diff computed independently.

use lpl_notebook::archive::Archive;
use lpl_notebook::check::{self, Found};
use lpl_notebook::edit::{self, NoteTarget, PatchRef};
use lpl_notebook::select::{self, SelectError};
use lpl_notebook::{MessageId, Notebook, Progress, html, mojibake};

use crate::archive::FixtureArchive;
use crate::edits::diff;
use crate::seed::{decoded, raw};

/// The seed with the learner's own bullet for patch 4 under David
/// Hildenbrand's mapcount entry (line 67), as they write per-patch notes:
/// the patch's title, no tags.
fn with_title_bullet() -> Vec<u8> {
    let text = String::from_utf8(decoded()).expect("utf-8");
    let mut out = String::new();
    for (k, l) in text.split_inclusive('\n').enumerate() {
        out.push_str(l);
        if k + 1 == 67 {
            out.push_str("  - mm: track mapcount of large folios in single value\n");
        }
    }
    out.into_bytes()
}

fn subject_of(a: &FixtureArchive, id: &str, counter: u32) -> String {
    let s = a
        .series_by_message_id(&MessageId::new(id).expect("id"))
        .expect("in the fixture");
    s.patches
        .iter()
        .find(|p| p.counter == counter)
        .expect("patch")
        .subject
        .clone()
}

const MAPCOUNT: &str = "20240409192301.907377-1-david@redhat.com";

#[test]
fn the_duplicate_entry_is_addressed_by_line_in_every_edit() {
    let nb = Notebook::parse(decoded());
    // Its title words and its Message-ID name both copies.
    for q in [
        "split_huge_page_test",
        "20250818184622.1521620-1-ziy@nvidia.com",
    ] {
        match select::find_entry(&nb, q, None) {
            Err(e @ SelectError::Ambiguous { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("line 82 [linux_patch_learn / THP / selftest]"),
                    "{msg}"
                );
                assert!(
                    msg.contains("line 108 [linux_patch_learn / mTHP / selftests]"),
                    "{msg}"
                );
                assert!(msg.contains("name one by its line: L82"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }
    let first = select::find_entry(&nb, "L82", None).unwrap();
    assert_eq!(nb.entries()[first].line + 1, 82);
    // A line of its notes names it too; so does `line:N`.
    assert_eq!(select::find_entry(&nb, "L89", None), Ok(first));
    assert_eq!(select::find_entry(&nb, "line:82", None), Ok(first));
    let second = select::find_entry(&nb, "L108", None).unwrap();
    assert_ne!(first, second);
    assert!(matches!(
        select::find_entry(&nb, "L90", None),
        Err(SelectError::NotFound { .. })
    ));

    let e = edit::add_note(
        &nb,
        first,
        &NoteTarget::Entry,
        "memremapped THP not handled",
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+90:   - memremapped THP not handled"]
    );
    let e = edit::ask(&nb, first, "why not check the PFN?").unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        ["+90:   - [ ] why not check the PFN?"]
    );
    let e = edit::set_status(&nb, first, Progress::Reading).unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-82: - 2025-8-18[\\[PATCH v5 0/5\\] Better split_huge_page_test result check](https://lore.kernel.org/linux-mm/20250818184622.1521620-1-ziy@nvidia.com/)",
            "+82: - 2025-8-18 📖 [\\[PATCH v5 0/5\\] Better split_huge_page_test result check](https://lore.kernel.org/linux-mm/20250818184622.1521620-1-ziy@nvidia.com/)"
        ]
    );
    let e = edit::set_status(&nb, second, Progress::Read).unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-108: - 2025-08-18 [\\[PATCH v5 0/5\\] Better split_huge_page_test result check - Zi Yan](https://lore.kernel.org/linux-mm/20250818184622.1521620-1-ziy@nvidia.com/)",
            "+108: - 2025-08-18 ✅ [\\[PATCH v5 0/5\\] Better split_huge_page_test result check - Zi Yan](https://lore.kernel.org/linux-mm/20250818184622.1521620-1-ziy@nvidia.com/)"
        ]
    );
    let after = Notebook::parse(e.bytes);
    assert_eq!(after.entries()[second].progress(), Some(Progress::Read));
    assert_eq!(after.entries()[first].progress(), Some(Progress::Unread));
}

#[test]
fn a_bullet_written_as_the_patch_title_is_that_patchs_note() {
    let a = FixtureArchive::load();
    let subject = subject_of(&a, MAPCOUNT, 4);
    assert_eq!(
        subject,
        "[PATCH v1 04/18] mm: track mapcount of large folios in single value"
    );
    let src = with_title_bullet();
    let nb = Notebook::parse(src.clone());
    let e = select::find_entry(&nb, "L67", None).unwrap();
    let target = NoteTarget::Patch {
        counter: 4,
        subject: Some(subject.clone()),
    };
    let ed = edit::add_note(&nb, e, &target, "one atomic per folio, no per-page loop").unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &ed.bytes),
        ["+69:     - one atomic per folio, no per-page loop"]
    );
    // The check sees the bullet as patch 4's note, and the entry page puts
    // it beside patch 4's row.
    let after = Notebook::parse(ed.bytes);
    let rep = check::check(&after, &a);
    let c = rep.entries.iter().find(|c| c.line == 67).unwrap();
    let s = c.series.as_ref().unwrap();
    assert_eq!(
        lpl_notebook::patches::patch_notes(&after.entries()[e], &s.patches),
        [(0, 4)]
    );
    let site = html::render(&after, &a);
    let page = site
        .pages
        .iter()
        .find(|p| p.path == format!("entries/{}.html", after.entries()[e].anchor))
        .unwrap();
    let row = page.html.split("<tr id=\"p4\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("mm: track mapcount of large folios in single value</div>")
            && row.contains("one atomic per folio, no per-page loop"),
        "{row}"
    );

    // Without the learner's bullet, the new one is the patch title (the
    // style the seed uses most: 12 title bullets against 5 tagged ones),
    // not an untitled `[PATCH v1 04/18]`.
    let plain = Notebook::parse(decoded());
    let e = select::find_entry(&plain, "L67", None).unwrap();
    let ed = edit::add_note(&plain, e, &target, "one atomic per folio").unwrap();
    assert_eq!(
        diff(plain.as_bytes(), &ed.bytes),
        [
            "+68:   - mm: track mapcount of large folios in single value",
            "+69:     - one atomic per folio"
        ]
    );
    // An entry whose per-patch notes carry tags keeps them, with the title.
    let rc = select::find_entry(&plain, "THP refcounting redesign", None).unwrap();
    let ed = edit::add_note(
        &plain,
        rc,
        &NoteTarget::Patch {
            counter: 31,
            subject: Some("[PATCHv12 31/37] thp: update documentation".into()),
        },
        "x",
    )
    .unwrap();
    assert_eq!(
        diff(plain.as_bytes(), &ed.bytes),
        [
            "+30:   - [PATCHv12 31/37] thp: update documentation",
            "+31:     - x"
        ]
    );
    // A title bullet with the subsystem prefix left out is found too.
    let short = String::from_utf8(src)
        .unwrap()
        .replace("  - mm: track mapcount", "  - track mapcount");
    let nb = Notebook::parse(short);
    let ed = edit::add_note(&nb, e, &target, "y").unwrap();
    assert_eq!(diff(nb.as_bytes(), &ed.bytes), ["+69:     - y"]);
}

#[test]
fn answers_go_under_their_question() {
    let nb = Notebook::parse(decoded());
    let q = select::find_question(&nb, "mlocked").unwrap();
    let e = edit::answer(
        &nb,
        q,
        Some("mlocked THP is split like any other; see PATCHv12 34/37"),
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-41:     - [ ] 对 mlocked THP 的处\u{FFFD}",
            "+41:     - [x] 对 mlocked THP 的处\u{FFFD}",
            "+42:       - mlocked THP is split like any other; see PATCHv12 34/37"
        ]
    );
    assert_eq!(e.changes.len(), 2);
    // By line, a multi-line answer, and more text for an answered question.
    let q50 = select::find_question(&nb, "L50").unwrap();
    let e = edit::answer(
        &nb,
        q50,
        Some("file pages have no PG_double_map\nso each PTE counts"),
    )
    .unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &e.bytes),
        [
            "-50:     - [ ] `page_add_file_rmap()` 对\u{FFFD} THP 会把\u{FFFD}个 subpage 的 mapcount 都 +1。\u{FFFD}\u{FFFD}解为什\u{FFFD}能和 `page_add_anon_rmap()` 一样，commit message 里说是\u{FFFD}\u{FFFD}\u{FFFD}优化。",
            "+50:     - [x] `page_add_file_rmap()` 对\u{FFFD} THP 会把\u{FFFD}个 subpage 的 mapcount 都 +1。\u{FFFD}\u{FFFD}解为什\u{FFFD}能和 `page_add_anon_rmap()` 一样，commit message 里说是\u{FFFD}\u{FFFD}\u{FFFD}优化。",
            "+51:       - file pages have no PG_double_map",
            "+52:         so each PTE counts"
        ]
    );
    let after = Notebook::parse(e.bytes);
    assert!(after.questions()[q50].answered);
    assert_eq!(after.questions().len(), 3, "an answer is not a question");
    let e2 = edit::answer(&after, q50, Some("and later")).unwrap();
    assert_eq!(
        diff(after.as_bytes(), &e2.bytes),
        ["+53:       - and later"]
    );
    assert_eq!(
        edit::answer(&after, q50, None),
        Err(edit::EditError::AlreadyAnswered { line: 50 })
    );
}

#[test]
fn progress_per_entry_and_per_patch() {
    let a = FixtureArchive::load();
    let nb = Notebook::parse(with_title_bullet());
    let e = select::find_entry(&nb, "L67", None).unwrap();
    let p4 = PatchRef {
        counter: 4,
        subject: Some(subject_of(&a, MAPCOUNT, 4)),
    };
    let ed = edit::set_patch_status(&nb, e, &p4, Progress::Read).unwrap();
    assert_eq!(
        diff(nb.as_bytes(), &ed.bytes),
        [
            "-68:   - mm: track mapcount of large folios in single value",
            "+68:   - ✅ mm: track mapcount of large folios in single value"
        ]
    );
    let after = Notebook::parse(ed.bytes.clone());
    let ed2 = edit::set_patch_status(&after, e, &p4, Progress::Unread).unwrap();
    assert_eq!(ed2.bytes, nb.as_bytes(), "unread removes the mark again");
    // A patch without a bullet gets one, marked, in the entry's style.
    let p5 = PatchRef {
        counter: 5,
        subject: Some(subject_of(&a, MAPCOUNT, 5)),
    };
    let ed3 = edit::set_patch_status(&after, e, &p5, Progress::Reading).unwrap();
    assert_eq!(
        diff(after.as_bytes(), &ed3.bytes),
        ["+69:   - 📖 mm: improve folio_likely_mapped_shared() using the mapcount of large folios"]
    );
    let rep = check::check(&Notebook::parse(ed3.bytes), &a);
    let c = rep.entries.iter().find(|c| c.line == 67).unwrap();
    assert_eq!(c.patches, [(4, Progress::Read), (5, Progress::Reading)]);

    // A tagged per-patch bullet: the mark goes after the list marker.
    let rc = select::find_entry(&nb, "THP refcounting redesign", None).unwrap();
    let ed = edit::set_patch_status(
        &nb,
        rc,
        &PatchRef {
            counter: 29,
            subject: None,
        },
        Progress::Read,
    )
    .unwrap();
    let d = diff(nb.as_bytes(), &ed.bytes);
    assert_eq!(d.len(), 2);
    assert!(
        d[1].starts_with("+25:   - ✅ [PATCHv12 29/37] thp: implement split_huge_pmd()"),
        "{d:?}"
    );
    let after = Notebook::parse(ed.bytes);
    let notes = &after.entries()[rc].notes;
    assert!(
        notes
            .iter()
            .any(|n| n.patch == Some(29) && n.mark == Some(lpl_notebook::Mark::Read))
    );

    // An entry written as a task: the box is its mark.
    let src = "## A\n\n- [ ] 2024-01-01 [\\[PATCH\\] a - B](https://lore.kernel.org/r/a@b)\n";
    let t = Notebook::parse(src);
    assert_eq!(t.entries().len(), 1);
    assert!(t.questions().is_empty(), "a task entry is not a question");
    assert_eq!(t.entries()[0].progress(), Some(Progress::Unread));
    let ed = edit::set_status(&t, 0, Progress::Reading).unwrap();
    assert_eq!(
        String::from_utf8(ed.bytes.clone()).unwrap(),
        src.replace("[ ] ", "[ ] 📖 ")
    );
    let t2 = Notebook::parse(ed.bytes);
    assert_eq!(t2.entries()[0].progress(), Some(Progress::Reading));
    let ed = edit::set_status(&t2, 0, Progress::Read).unwrap();
    assert_eq!(
        String::from_utf8(ed.bytes).unwrap(),
        src.replace("[ ]", "[x]")
    );
}

/// The seed's own marks, counted per topic, against counts taken
/// independently of the parser: `grep -n '🚧\|📖\|✅\|\[ \]\|\[x\]'` over the
/// repaired seed hits lines 41, 50, 51 (`[ ]`), 77 and 93 (`🚧`), none with
/// `📖`, `✅` or `[x]`; the heading or label above each hit (`grep -n '^#\|^selftest\|^TAO'`)
/// is `## THP` (line 12) for 41-77 and the label `TAO` (line 91) for 93.
/// THP has 16 entries of its own and TAO 2 (`seed.rs`). 🚧 is the
/// learner's "not merged yet", not a reading mark: no entry is being read
/// or read, and the two 🚧 entries are counted as not merged.
#[test]
fn the_seeds_own_marks_counted_per_topic() {
    let repaired = mojibake::repair(&raw()).text;
    let text = String::from_utf8(repaired.clone()).unwrap();
    // The independent count, as the grep above.
    let mut topic = "";
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for l in text.lines() {
        if l.starts_with('#') || ["selftest", "TAO", "selftests"].contains(&l) {
            topic = l.trim_start_matches('#').trim();
        }
        for m in ["🚧", "📖", "✅", "[ ]", "[x]"] {
            if l.contains(m) {
                seen.push((topic, m));
            }
        }
    }
    assert_eq!(
        seen,
        [
            ("THP", "[ ]"),
            ("THP", "[ ]"),
            ("THP", "[ ]"),
            ("THP", "🚧"),
            ("TAO", "🚧")
        ]
    );
    let count = |t: &str, m: &str| seen.iter().filter(|&&(a, b)| a == t && b == m).count();
    // Entries per topic, by grep on the repaired text (`seed.rs`).
    let (thp_entries, tao_entries) = (16, 2);

    let nb = Notebook::parse(repaired);
    let rep = check::check(&nb, &FixtureArchive::load());
    let st = check::stats(&nb, &rep);
    let row = |p: &str| st.topics.iter().find(|t| t.path == p).unwrap();
    let thp = row("linux_patch_learn / THP");
    let read = count("THP", "✅") + count("THP", "[x]");
    let reading = count("THP", "📖");
    assert_eq!(
        (
            thp.entries,
            thp.read,
            thp.reading,
            thp.unread,
            thp.marked_not_merged,
            thp.open_questions,
            thp.answered_questions
        ),
        (
            thp_entries,
            read,
            reading,
            thp_entries - read - reading,
            count("THP", "🚧"),
            count("THP", "[ ]"),
            count("THP", "[x]")
        )
    );
    let tao = row("linux_patch_learn / THP / TAO");
    assert_eq!(
        (
            tao.entries,
            tao.read,
            tao.reading,
            tao.unread,
            tao.marked_not_merged
        ),
        (tao_entries, 0, 0, tao_entries, count("TAO", "🚧"))
    );
    assert_eq!(
        (st.read, st.reading, st.unread, st.marked_not_merged),
        (
            0,
            0,
            st.entries,
            seen.iter().filter(|s| s.1 == "🚧").count()
        )
    );
    // Each 🚧 entry by line, as check reports it.
    let wip: Vec<usize> = rep
        .entries
        .iter()
        .filter(|c| c.marked_not_merged)
        .map(|c| c.line)
        .collect();
    assert_eq!(wip, [77, 93]);
    // `render` shows the same per topic in the site's table of contents:
    // entries, read, merged, 🚧, open questions.
    let site = html::render(&nb, &FixtureArchive::load());
    let index = &site
        .pages
        .iter()
        .find(|p| p.path == "index.html")
        .expect("index page")
        .html;
    let toc = |title: &str| -> String {
        index
            .split(&format!(">{title}</a> <span class=\"muted\">"))
            .nth(1)
            .and_then(|r| r.split("</span>").next())
            .unwrap_or_else(|| panic!("no {title} in the contents"))
            .to_owned()
    };
    let merged = |n: usize| {
        if n > 0 {
            format!(" · {n} merged")
        } else {
            String::new()
        }
    };
    assert_eq!(
        toc("THP"),
        format!(
            "{thp_entries} entries · {read} read{} · {} 🚧 · {} open ?",
            merged(thp.merged),
            count("THP", "🚧"),
            count("THP", "[ ]")
        )
    );
    assert_eq!(
        toc("TAO"),
        format!(
            "{tao_entries} entries · 0 read{} · {} 🚧",
            merged(tao.merged),
            count("TAO", "🚧")
        )
    );
    // The hand-decoded copy has the two marks damaged (`?` + U+FFFD): they
    // are counted apart, neither as read nor as unread nor as 🚧.
    let nb = Notebook::parse(decoded());
    let st = check::stats(&nb, &check::check(&nb, &FixtureArchive::load()));
    let thp = st
        .topics
        .iter()
        .find(|t| t.path == "linux_patch_learn / THP")
        .unwrap();
    assert_eq!(
        (
            thp.reading,
            thp.other_marks,
            thp.unread,
            thp.marked_not_merged
        ),
        (0, 1, thp_entries - 1, 0)
    );
}

#[test]
fn msharefs_is_reported_as_what_the_archive_has() {
    let nb = Notebook::parse(decoded());
    let a = FixtureArchive::load();
    let rep = check::check(&nb, &a);
    let c = rep.entries.iter().find(|c| c.line == 157).unwrap();
    assert_eq!(c.found, Found::BySubject);
    assert_eq!(c.revisions, [1]);
    assert_eq!((c.linked_revision, c.latest), (Some(3), Some(1)));
    assert!(!c.linked_in_archive);
    assert!(c.stale.is_empty(), "{:?}", c.stale);
    assert_eq!(
        c.reason,
        "<20250820010415.699353-1-anthony.yznaga@oracle.com> is not in the archive; a series with the same subject is (v1), but not the revision linked (v3)"
    );
    assert_eq!(c.links.len(), 1);
    assert_eq!(c.links[0].list.as_deref(), Some("linux-mm"));
    assert!(!c.links[0].in_archive);
    let site = html::render(&nb, &a);
    let page = site
        .pages
        .iter()
        .find(|p| p.path == format!("entries/{}.html", c.anchor))
        .unwrap();
    assert!(
        page.html.contains("in archive: v1 (the linked v3 is not)"),
        "badge"
    );
    assert!(!page.html.contains("v3 of v1"));
}

#[test]
fn every_entry_carries_its_links_and_why() {
    let nb = Notebook::parse(decoded());
    let rep = check::check(&nb, &FixtureArchive::load());
    let by_line = |l: usize| rep.entries.iter().find(|c| c.line == l).unwrap();
    // Not found: the URL, Message-ID and list a script needs to fetch it.
    let thp = by_line(14);
    assert_eq!(thp.found, Found::NotFound);
    let links: Vec<(&str, &str, Option<&str>, Option<u32>)> = thp
        .links
        .iter()
        .map(|l| (l.role, l.message_id.as_str(), l.list.as_deref(), l.version))
        .collect();
    assert_eq!(
        links,
        [
            ("entry", "patchbomb.1288798055@v2.random", None, None),
            (
                "revision",
                "20101215051540.GP5638@random.random",
                None,
                Some(33)
            )
        ]
    );
    assert!(
        thp.reason.starts_with(
            "<patchbomb.1288798055@v2.random> is not in the archive, nor another revision"
        ),
        "{}",
        thp.reason
    );
    let rc = by_line(21);
    assert_eq!(
        rc.links
            .iter()
            .map(|l| (l.role, l.line))
            .collect::<Vec<_>>(),
        [("entry", 21), ("note", 28), ("note", 29)]
    );
    assert!(
        by_line(71)
            .reason
            .starts_with("<20240226205534.1603748-1-zi.yan@sent.com> is in the archive: v5")
    );
    assert_eq!(
        by_line(20).reason,
        "not a mailing-list message (https://lwn.net/Articles/619738/)"
    );
}

#[test]
fn lwn_and_papers_are_a_series_reading() {
    let nb = Notebook::parse(decoded());
    let rep = check::check(&nb, &FixtureArchive::load());
    let reading: Vec<(usize, usize, &str, &str)> = rep
        .entries
        .iter()
        .flat_map(|c| {
            c.reading
                .iter()
                .map(move |r| (c.line, r.line, r.kind, r.why))
        })
        .collect();
    assert_eq!(reading, [(93, 94, "lwn", "names its title")]);
    // Under an entry.
    let src = "## A\n\n- 2024-01-01 [\\[PATCH 0/2\\] Folio accounting - B](https://lore.kernel.org/r/a@b)\n  - read https://lwn.net/Articles/974223/ first\n";
    let nb = Notebook::parse(src);
    let rep = check::check(&nb, &lpl_notebook::NoArchive);
    assert_eq!(rep.entries[0].reading.len(), 1);
    assert_eq!(rep.entries[0].reading[0].why, "under the entry");
}
