//! Real revision pairs of the cgroups epoch, range-diffed from the mail
//! alone and kept as snapshots (`tests/data/range_diff/*.txt`, plain
//! output as `lpl diff --no-color` prints it, with each patch's short
//! Message-ID id where git prints a commit hash):
//!
//! - Zi Yan's "Split a folio to any lower order folios" v4 -> v5: patches
//!   1 and 2 are new in v5, v4's patch 6 was dropped;
//! - Alex Shi's "per lruvec lru_lock for memcg" v9 -> "per memcg lru lock"
//!   v10, across the rename of the series.
//!
//! A changed snapshot fails the test and is written next to the old one as
//! `*.txt.new` for review.

mod common;

use std::path::PathBuf;

use lpl_mail::Message;
use lpl_series::range_diff::{self, Entry, PatchText, RenderOptions, Side, Status};
use lpl_series::{MessageMeta, analyse};

struct Loaded {
    messages: Vec<Message>,
    analysis: lpl_series::Analysis,
}

fn load(senders: &[&str]) -> Option<Loaded> {
    let repo = common::epoch_repo("cgroups.vger.kernel.org.0")?;
    let raws = common::epoch_raws(&repo, |author, subject| {
        senders.contains(&author.to_ascii_lowercase().as_str())
            && !lpl_mail::subject::parse(subject).is_reply
    });
    let messages: Vec<Message> = raws
        .iter()
        .map(|r| lpl_mail::parse(r).message)
        .filter(|m| m.message_id.is_some())
        .collect();
    let metas: Vec<MessageMeta> = messages
        .iter()
        .map(|m| MessageMeta::from_message(m).expect("has a Message-ID"))
        .collect();
    let analysis = analyse(&metas, &[]);
    Some(Loaded { messages, analysis })
}

struct Range {
    texts: Vec<PatchText>,
    numbers: Vec<u32>,
    labels: Vec<String>,
    subjects: Vec<String>,
}

fn range(l: &Loaded, key: &str, revision: Option<u32>) -> Range {
    let id = lpl_mail::MessageId::new(key).expect("id");
    let r = l
        .analysis
        .revision_for(&id)
        .expect("the series is assembled");
    let r = match revision {
        Some(n) => l
            .analysis
            .chain_revision(r, n)
            .expect("the revision is in the chain"),
        None => r,
    };
    let rev = &l.analysis.assembly.revisions[r];
    let mut out = Range {
        texts: Vec::new(),
        numbers: Vec::new(),
        labels: Vec::new(),
        subjects: Vec::new(),
    };
    for p in &rev.patches {
        let m = &l.messages[p.message];
        let c = range_diff::commit_of(m).expect("every patch has a diff");
        out.texts.push(c.text);
        out.numbers.push(p.counter);
        out.subjects.push(c.subject);
        out.labels
            .push(m.message_id.as_ref().expect("id").short_id());
    }
    out
}

fn side(r: &Range) -> Side<'_> {
    Side {
        texts: &r.texts,
        numbers: &r.numbers,
        labels: &r.labels,
        subjects: &r.subjects,
    }
}

fn snapshot(name: &str, a: &Range, b: &Range) -> Vec<Entry> {
    let corr = range_diff::correspond(&a.texts, &b.texts, range_diff::CREATION_FACTOR_DEFAULT);
    let entries = range_diff::entries(&a.texts, &b.texts, &corr);
    let out = range_diff::render(side(a), side(b), &entries, &RenderOptions::default());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/range_diff")
        .join(format!("{name}.txt"));
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != out {
        let new = path.with_extension("txt.new");
        std::fs::write(&new, &out).expect("write the new snapshot");
        panic!("{name}: output differs from {path:?}; see {new:?}");
    }
    entries
}

#[test]
fn zi_yan_split_folio_v4_to_v5() {
    let Some(l) = load(&["zi.yan@sent.com", "ziy@nvidia.com"]) else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let v5 = range(&l, "20240226205534.1603748-1-zi.yan@sent.com", None);
    let v4 = range(&l, "20240226205534.1603748-1-zi.yan@sent.com", Some(4));
    let entries = snapshot("zi-yan-split-folio-v4-v5", &v4, &v5);
    let added: Vec<usize> = entries
        .iter()
        .filter(|e| e.status == Status::Added)
        .filter_map(|e| e.b)
        .collect();
    let removed: Vec<usize> = entries
        .iter()
        .filter(|e| e.status == Status::Removed)
        .filter_map(|e| e.a)
        .collect();
    assert_eq!(added, [0, 1], "v5's patches 1 and 2 are new");
    assert_eq!(removed, [5], "v4's patch 6 was dropped");
}

#[test]
fn alex_shi_lru_lock_across_the_rename() {
    let Some(l) = load(&["alex.shi@linux.alibaba.com"]) else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let key = |subject_start: &str| -> String {
        l.messages
            .iter()
            .find(|m| m.subject.starts_with(subject_start))
            .and_then(|m| m.message_id.as_ref())
            .map(|id| id.as_str().to_owned())
            .unwrap_or_else(|| panic!("no {subject_start}"))
    };
    let v9 = range(
        &l,
        &key("[PATCH v9 00/21] per lruvec lru_lock for memcg"),
        None,
    );
    let v10 = range(&l, &key("[PATCH v10 00/15] per memcg lru lock"), None);
    let entries = snapshot("alex-shi-lru-lock-v9-v10", &v9, &v10);
    let paired = entries
        .iter()
        .filter(|e| e.a.is_some() && e.b.is_some())
        .count();
    assert!(paired >= 10, "most of v10 pairs with v9 ({paired} pairs)");
}
