//! Revision chains scored against hand-labelled chains of the cgroups epoch
//! (`tests/data/cgroups-chains.tsv`, see `tests/data/README.md`).
//!
//! Only the labelled senders' non-reply messages are parsed (the linker
//! links revisions of one sender, except for change-id links), which keeps
//! the test within seconds.

mod common;

use std::collections::{HashMap, HashSet};

use lpl_series::{MessageMeta, analyse};

struct Label {
    chain: String,
    revision: String,
    key: String,
}

fn labels() -> Vec<Label> {
    let text = include_str!("data/cgroups-chains.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Label {
                chain: f[0].to_string(),
                revision: f[2].to_string(),
                key: f[5].to_string(),
            }
        })
        .collect()
}

#[test]
fn cgroups_chains_precision_recall() {
    let Some(repo) = common::epoch_repo("cgroups.vger.kernel.org.0") else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let labels = labels();
    let senders: HashSet<String> = {
        let text = include_str!("data/cgroups-chains.tsv");
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').nth(3))
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let raws = common::epoch_raws(&repo, |author, subject| {
        senders.contains(&author.to_ascii_lowercase())
            && !lpl_mail::subject::parse(subject).is_reply
    });
    let metas: Vec<MessageMeta> = raws
        .iter()
        .filter_map(|r| MessageMeta::from_message(&lpl_mail::parse(r).message))
        .collect();
    let a = analyse(&metas, &[]);
    let rev_of_key: HashMap<&str, usize> = a
        .assembly
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| (metas[r.key_message()].message_id.as_str(), i))
        .collect();

    // True links: consecutive labelled revisions of each chain.
    let mut truth: HashSet<(usize, usize)> = HashSet::new();
    let mut labelled: HashSet<usize> = HashSet::new();
    let mut missing_keys = Vec::new();
    let mut prev: Option<(&str, usize)> = None;
    let mut prev_rev: &str = "";
    // Consecutive labels of one chain with the same revision number are
    // postings of one version (a resend): they must be grouped.
    let mut same_version: Vec<(usize, usize)> = Vec::new();
    for l in &labels {
        let Some(&r) = rev_of_key.get(l.key.as_str()) else {
            missing_keys.push(l.key.clone());
            prev = None;
            continue;
        };
        labelled.insert(r);
        if let Some((c, p)) = prev
            && c == l.chain
        {
            if prev_rev == l.revision {
                same_version.push((p, r));
                prev = Some((&l.chain, r));
                continue;
            }
            truth.insert((p, r));
        }
        prev = Some((&l.chain, r));
        prev_rev = &l.revision;
    }
    assert!(
        missing_keys.is_empty(),
        "labelled revisions not assembled with that key message: {missing_keys:?}"
    );
    // Versions, not postings, are compared: a version posted twice (a
    // resend) is one version, named here by its first posting.
    let canon = |r: usize| a.chains.postings(r)[0];
    let truth: HashSet<(usize, usize)> = truth.iter().map(|&(p, r)| (canon(p), canon(r))).collect();
    let labelled_versions: HashSet<usize> = labelled.iter().map(|&r| canon(r)).collect();
    // Predicted links between versions into labelled versions.
    let predicted: HashSet<(usize, usize)> = a
        .chains
        .links
        .iter()
        .filter(|l| l.reason != lpl_series::LinkReason::Repost)
        .filter(|l| labelled_versions.contains(&canon(l.to)))
        .map(|l| (canon(l.from), canon(l.to)))
        .collect();
    let grouped = same_version
        .iter()
        .filter(|&&(p, r)| canon(p) == canon(r))
        .count();
    let correct = predicted.intersection(&truth).count();
    let precision = correct as f64 / predicted.len().max(1) as f64;
    let recall = (correct + grouped) as f64 / (truth.len() + same_version.len()).max(1) as f64;
    eprintln!(
        "cgroups chains: {grouped} of {} labelled re-postings grouped as one version",
        same_version.len()
    );
    eprintln!(
        "cgroups chains: {} labelled links in {} chains; predicted {}, correct {}: precision {:.3}, recall {:.3}",
        truth.len(),
        labels
            .iter()
            .map(|l| &l.chain)
            .collect::<HashSet<_>>()
            .len(),
        predicted.len(),
        correct,
        precision,
        recall
    );
    let title = |r: usize| {
        let rv = &a.assembly.revisions[r];
        format!("v{} {}", rv.revision, rv.title)
    };
    for &(f, t) in &predicted {
        if !truth.contains(&(f, t)) {
            let why = a.chains.predecessor(t).map(|l| l.evidence.clone());
            eprintln!("  wrong: {} -> {} ({why:?})", title(f), title(t));
        }
    }
    for &(f, t) in &truth {
        if !predicted.contains(&(f, t)) {
            eprintln!("  missed: {} -> {}", title(f), title(t));
        }
    }
    assert!(
        truth.len() >= 100,
        "at least 30 chains / 100 links labelled"
    );
    assert!(precision >= 0.99, "precision {precision:.3}");
    assert!(recall >= 0.97, "recall {recall:.3}");
}
