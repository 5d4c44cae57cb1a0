//! The real seed roadmap: repair, parse, round trip.

use lpl_notebook::doc::TopicKind;
use lpl_notebook::{LinkKind, Notebook, mojibake};

pub fn data(name: &str) -> Vec<u8> {
    let p = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

pub fn decoded() -> Vec<u8> {
    data("seed/roadmap-decoded.md")
}

pub fn raw() -> Vec<u8> {
    data("seed/roadmap-raw.md")
}

/// Independent counts, taken with grep on the decoded copy:
/// `grep -c '^#'` = 14 headings; `grep -c '^- '` = 42 top-level items, all
/// with a link (`grep -c '^- .*\](http'` = 42), 31 of them to lore
/// (`grep -c '^- .*\](https://lore.kernel.org'`); 4 label lines used as
/// sub-headings (`selftest`, `TAO`, `selftests` twice); `grep -c '\[ \] '`
/// = 3 open questions; 271 U+FFFD characters.
const HEADINGS: usize = 14;
const LABELS: usize = 4;
const ENTRIES: usize = 42;
const LORE_ENTRIES: usize = 31;
const OPEN_QUESTIONS: usize = 3;
/// Truncated UTF-8 sequences in the raw seed mapped back through Python's
/// cp1254 codec (independently of this crate): 247 missing one byte, 18
/// missing two (265 = 271 U+FFFD in the decoded copy minus the 2 × 3 of the
/// two 🚧 marks its decoder could not restore).
const ONE_LOST: usize = 247;
const TWO_LOST: usize = 18;

#[test]
fn raw_seed_is_repaired_and_lost_bytes_reported() {
    let raw = raw();
    let r = mojibake::repair(&raw);
    assert!(r.detected);
    let decoded = decoded();
    let dec = String::from_utf8(decoded).expect("utf-8");
    let fffd_in_decoded = dec.matches('\u{FFFD}').count();
    assert_eq!(fffd_in_decoded, 271);
    // The hand-decoded copy shows each of the two 🚧 marks as `?` plus three
    // U+FFFD: its decoder did not know that `ğ` is byte 0xF0 in cp1254.
    // Every other U+FFFD is one spot where a byte was lost: 271 - 2 * 3.
    assert_eq!(r.lost.len(), 265);
    let fixed = String::from_utf8(r.text.clone()).expect("repaired is utf-8");
    assert_eq!(fixed.matches('\u{FFFD}').count(), 265);
    assert_eq!(fixed.matches('🚧').count(), 2);
    // The only difference to the hand-decoded copy: the two marks.
    assert_eq!(fixed.replace('🚧', "?\u{FFFD}\u{FFFD}\u{FFFD}"), dec);
    // Spots are located where the U+FFFD is, and carry their candidates.
    for s in &r.lost {
        let line = fixed.lines().nth(s.line - 1).expect("line exists");
        assert_eq!(line.chars().nth(s.column - 1), Some('\u{FFFD}'), "{s:?}");
        assert!(!s.candidates.is_empty());
    }
    // Where a character lost both continuation bytes only its lead byte
    // survived (`后` is E5 90 8E: `å` alone).
    let by_missing = |n| r.lost.iter().filter(|s| s.missing == n).count();
    assert_eq!((by_missing(1), by_missing(2)), (ONE_LOST, TWO_LOST));
    assert_eq!(r.code_page, mojibake::CodePage::Cp1254);
    // `支持` on line 15: 持 is E6 8C 81, its 0x81 was lost.
    let s = r
        .lost
        .iter()
        .find(|s| s.line == 15)
        .expect("spot on line 15");
    assert_eq!(s.column, 6);
    assert!(s.candidates.contains(&'持'), "{:?}", s.candidates);
    assert_eq!(
        s.to_string(),
        "line 15, column 6: 1 byte lost after E6 8C (could be: 恌 持 挍 挎 挏 挐 挝 挞 捌 掌 揌 搌 杌 枌)"
    );
    // The repaired seed parses with 🚧 (not merged yet) on two entries,
    // and no reading mark on either.
    let nb = Notebook::parse(r.text);
    let wip: Vec<&str> = nb
        .entries()
        .iter()
        .filter(|e| e.not_merged && e.mark.is_none())
        .map(|e| e.subject.as_str())
        .collect();
    assert_eq!(
        wip,
        [
            "[PATCH -mm -v11 0/5] THP swap: Delay splitting THP during swapping out",
            "[LSF/MM/BPF TOPIC] TAO: THP Allocator Optimizations"
        ]
    );
}

#[test]
fn decoded_seed_is_not_mojibake() {
    let d = decoded();
    let r = mojibake::repair(&d);
    assert!(!r.detected);
    assert_eq!(r.text, d);
}

#[test]
fn seed_round_trips_byte_identical() {
    for bytes in [decoded(), raw(), mojibake::repair(&raw()).text] {
        let nb = Notebook::parse(bytes.clone());
        assert_eq!(nb.as_bytes(), &bytes[..]);
        let joined: Vec<u8> = nb
            .lines()
            .iter()
            .flat_map(|l| bytes[l.span.clone()].iter().copied())
            .collect();
        assert_eq!(joined, bytes);
    }
}

#[test]
fn seed_topics_entries_questions() {
    let nb = Notebook::parse(decoded());
    let headings = nb
        .topics()
        .iter()
        .filter(|t| t.kind == TopicKind::Heading)
        .count();
    let labels: Vec<String> = nb
        .topics()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TopicKind::Label)
        .map(|(i, _)| nb.topic_path(i).join(" / "))
        .collect();
    assert_eq!(headings, HEADINGS);
    assert_eq!(labels.len(), LABELS);
    assert_eq!(
        labels,
        [
            "linux_patch_learn / THP / selftest",
            "linux_patch_learn / THP / TAO",
            "linux_patch_learn / mTHP / selftests",
            "linux_patch_learn / rmap / selftests"
        ]
    );
    assert_eq!(nb.entries().len(), ENTRIES);
    assert_eq!(
        nb.entries().iter().filter(|e| e.is_series()).count(),
        LORE_ENTRIES
    );
    assert_eq!(
        nb.questions().iter().filter(|q| !q.answered).count(),
        OPEN_QUESTIONS
    );
    assert_eq!(nb.questions().len(), OPEN_QUESTIONS);
    // Every question is under the entry it was written in.
    let q_entries: Vec<&str> = nb
        .questions()
        .iter()
        .map(|q| {
            nb.entries()[q.entry.expect("under an entry")]
                .subject
                .as_str()
        })
        .collect();
    assert_eq!(
        q_entries,
        [
            "[PATCHv12 00/37] THP refcounting redesign",
            "[PATCHv9 00/32] THP-enabled tmpfs/shmem using compound pages",
            "[PATCHv9 00/32] THP-enabled tmpfs/shmem using compound pages"
        ]
    );
    // Entries per topic (file order), counted by hand from the file.
    let per_topic: Vec<(String, usize)> = nb
        .topics()
        .iter()
        .map(|t| (t.title.clone(), t.entries.len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let want: Vec<(String, usize)> = [
        ("roadmap", 3),
        ("THP", 16),
        ("selftest", 1),
        ("TAO", 2),
        ("mTHP", 7),
        ("selftests", 1),
        ("CONT PTE", 1),
        ("selftests", 1),
        ("madvise", 1),
        ("msharefs", 1),
        ("LUO", 1),
        ("MGLRU", 1),
        ("", 1),
        ("mm init", 1),
        ("vma optimization", 1),
        ("reclaim", 3),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), *b))
    .collect();
    assert_eq!(per_topic, want);
}

#[test]
fn seed_entries_in_corpus_have_their_message_ids() {
    let nb = Notebook::parse(decoded());
    for (id, subject) in [
        (
            "20240226205534.1603748-1-zi.yan@sent.com",
            "[PATCH v5 0/8] Split a folio to any lower order folios",
        ),
        (
            "20240409192301.907377-1-david@redhat.com",
            "[PATCH v1 00/18] mm: mapcount for large folios + page_mapcount() cleanups",
        ),
        (
            "20250827220141.262669-1-david@redhat.com",
            "[PATCH v1 00/36] mm: remove nth_page()",
        ),
    ] {
        let e = nb
            .entries()
            .iter()
            .find(|e| e.subject == subject)
            .unwrap_or_else(|| panic!("{subject}"));
        assert_eq!(
            e.message_id.as_ref().map(|m| m.as_str()),
            Some(id),
            "{subject}"
        );
    }
    let zi = nb
        .entries()
        .iter()
        .find(|e| e.subject.starts_with("[PATCH v5 0/8] Split"))
        .unwrap();
    assert_eq!(zi.author.as_deref(), Some("Zi Yan"));
    assert_eq!(
        (zi.tags.version, zi.tags.counter, zi.tags.total),
        (Some(5), Some(0), Some(8))
    );
    assert_eq!(zi.date.map(|d| d.iso()).as_deref(), Some("2024-02-26"));
    assert_eq!(zi.notes.len(), 1);
    // `2025-8-18[...]`: unpadded date, no space before the link.
    let st = nb
        .entries()
        .iter()
        .find(|e| e.date_text.as_deref() == Some("2025-8-18"))
        .unwrap();
    assert_eq!(
        st.message_id.as_ref().unwrap().as_str(),
        "20250818184622.1521620-1-ziy@nvidia.com"
    );
    assert_eq!(
        nb.topic_path(st.topic.unwrap()),
        ["linux_patch_learn", "THP", "selftest"]
    );
    assert_eq!(st.notes.len(), 1, "the lazy paragraph under it is one note");
    assert_eq!(st.notes[0].lines.len(), 7);
    // A second version's URL given in a note.
    let thp = nb
        .entries()
        .iter()
        .find(|e| e.subject.contains("Transparent Hugepage Support #32"))
        .unwrap();
    assert_eq!(
        thp.message_id.as_ref().unwrap().as_str(),
        "patchbomb.1288798055@v2.random"
    );
    assert_eq!(thp.other_revisions.len(), 1);
    assert_eq!(thp.other_revisions[0].version, 33);
    assert_eq!(
        thp.other_revisions[0].message_id.as_str(),
        "20101215051540.GP5638@random.random"
    );
    // Per-patch notes.
    let rc = nb
        .entries()
        .iter()
        .find(|e| e.subject.contains("THP refcounting redesign"))
        .unwrap();
    let patches: Vec<u32> = rc.notes.iter().filter_map(|n| n.patch).collect();
    assert_eq!(patches, [29, 30, 32, 34]);
    // `/T/#m...` URL resolves to the thread's Message-ID.
    let mm_init = nb
        .entries()
        .iter()
        .find(|e| e.subject.contains("remove nth_page"))
        .unwrap();
    assert!(mm_init.url.contains("/T/#mc904b"));
}

#[test]
fn seed_other_links() {
    let nb = Notebook::parse(decoded());
    let count = |k: fn(&LinkKind) -> bool| nb.links().iter().filter(|l| k(&l.kind)).count();
    // grep -o 'https\?://[^ )]*' | wc -l = 47 URLs in the file.
    assert_eq!(nb.links().len(), 47);
    assert_eq!(count(|k| matches!(k, LinkKind::Lwn)), 5);
    assert_eq!(count(|k| matches!(k, LinkKind::KernelNewbies)), 2);
    assert_eq!(count(|k| matches!(k, LinkKind::Paper)), 2);
    assert_eq!(count(|k| matches!(k, LinkKind::Conference)), 1);
    assert_eq!(
        count(|k| matches!(k, LinkKind::Message(_))),
        35,
        "31 entry links, v33, 2 in patch notes, 1 in a paragraph"
    );
    assert_eq!(
        count(|k| matches!(k, LinkKind::Other)),
        2,
        "zhihu and cnblogs"
    );
}
