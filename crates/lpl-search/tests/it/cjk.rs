//! Chinese, Japanese and Korean text (issue 15): runs written without
//! spaces are found by any word inside them, scored against the text
//! itself on the first user's real roadmap and on a real Japanese mail.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lpl_search::{BodyText, DocKey, DocKind, Error, IndexOptions, SearchDoc, SearchIndex};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn is_cjk_letter(c: char) -> bool {
    let p = c as u32;
    c.is_alphanumeric()
        && matches!(p, 0x2e80..=0x2eff | 0x3000..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff | 0xff00..=0xffef)
}

/// The CJK runs of a text.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for c in text.chars() {
        if is_cjk_letter(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn keys(index: &SearchIndex, q: &str) -> BTreeSet<String> {
    index
        .matching_keys(q, 0)
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect()
}

/// Each line of the seed roadmap is a notebook entry; every word of 1 to 5
/// characters taken from its CJK runs finds exactly the lines that contain
/// it (a phrase of bigrams is a substring), on disk, after a reopen.
#[test]
fn every_word_of_the_roadmap_finds_the_lines_holding_it() {
    let text = std::fs::read_to_string(shared().join("seed/roadmap-decoded.md"))
        .expect("the seed roadmap (../shared/seed)");
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = SearchIndex::open(dir.path(), &IndexOptions::default()).expect("open");
    for (i, line) in lines.iter().enumerate() {
        index
            .add(&SearchDoc {
                key: DocKey::new(i.to_string()),
                kind: DocKind::Entry,
                body: BodyText::from_text(line),
                ..SearchDoc::default()
            })
            .expect("add");
    }
    index.commit().expect("commit");
    drop(index);
    let index = SearchIndex::open(dir.path(), &IndexOptions::default()).expect("reopen");

    // The example: the deferred split line.
    let hits = keys(&index, "延迟拆分");
    assert!(!hits.is_empty());
    for k in &hits {
        let line = lines[k.parse::<usize>().expect("key")];
        assert!(line.contains("延迟拆分"), "{line}");
    }
    let want: BTreeSet<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("延迟拆分大页"))
        .map(|(i, _)| i.to_string())
        .collect();
    assert!(!want.is_empty() && want.is_subset(&hits));
    // Mixed with the English of the same line.
    assert_eq!(keys(&index, "拆分 deferred_split_huge_page"), want);

    // Every 1..=5-character word at every place of every run.
    let mut words = BTreeSet::new();
    for run in lines.iter().flat_map(|l| runs(l)) {
        for start in 0..run.len() {
            for len in 1..=5 {
                if start + len <= run.len() {
                    words.insert(run[start..start + len].iter().collect::<String>());
                }
            }
        }
    }
    assert!(words.len() > 900, "{} words", words.len());
    let mut wrong = Vec::new();
    for w in &words {
        let truth: BTreeSet<String> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains(w.as_str()))
            .map(|(i, _)| i.to_string())
            .collect();
        let got = keys(&index, w);
        // A phrase of bigrams can only add a line whose runs, cut by
        // punctuation, hold the word's bigrams one after another; none on
        // this text does.
        if got != truth {
            wrong.push(format!("{w}: got {got:?}, lines holding it {truth:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        words.len(),
        wrong.join("\n")
    );
}

/// A real Japanese mail (public-inbox's iso-2022-jp sample), through the
/// mail parser: kana and kanji runs are found by their words, and a
/// bigram that is not in the text is not.
#[test]
fn japanese_mail_is_found_by_its_words() {
    let raw = std::fs::read(shared().join("corpus/mail/public-inbox/t/iso-2202-jp.eml"))
        .expect("the public-inbox sample");
    let m = lpl_mail::parse(&raw).message;
    let mut index = SearchIndex::in_memory(&IndexOptions::default()).expect("index");
    index
        .add(&SearchDoc::from_message(DocKey::new("jp"), &m))
        .expect("add");
    index
        .add(&SearchDoc {
            key: DocKey::new("en"),
            body: BodyText::from_text("free as in freedom\n"),
            ..SearchDoc::default()
        })
        .expect("add");
    index.commit().expect("commit");
    let jp: BTreeSet<String> = ["jp".to_owned()].into();
    for q in [
        "フリー",
        "今は",
        "今はフリー",
        "けいじゅ",
        "いじ",
        "です",
        "b:フリー",
        "今",
        "ー",
    ] {
        assert_eq!(keys(&index, q), jp, "{q}");
    }
    for q in ["フリ今", "リフ", "\"けいじゅ です\"", "今ー"] {
        assert!(keys(&index, q).is_empty(), "{q}");
    }
}

/// An index of an older format (`lpl-index-3`, before `dffn:`) is
/// refused as another version's, naming its format, so callers rebuild it.
#[test]
fn an_index_of_the_previous_analysis_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = SearchIndex::open(dir.path(), &IndexOptions::default()).expect("open");
    index
        .add(&SearchDoc {
            key: DocKey::new("1"),
            subject: "首次支持延迟拆分大页".into(),
            ..SearchDoc::default()
        })
        .expect("add");
    index.commit().expect("commit");
    drop(index);
    let meta = dir.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    assert!(text.contains("\"lpl-index-4\""), "{text}");
    std::fs::write(&meta, text.replace("\"lpl-index-4\"", "\"lpl-index-3\"")).expect("write");
    let e = SearchIndex::open(dir.path(), &IndexOptions::default()).expect_err("refused");
    assert!(matches!(e, Error::SchemaChanged { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("another version of lpl (format lpl-index-3; this one reads lpl-index-4)"),
        "{msg}"
    );
}
