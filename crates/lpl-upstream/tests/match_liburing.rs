//! Matching the io-uring list's patches to liburing commits, scored against
//! the ground truth (565 commits whose `Link:` names a message of the epoch).

mod common;

use std::sync::atomic::AtomicBool;

use lpl_upstream::series::{SeriesInput, SeriesState, by_message, series_status};
use lpl_upstream::{IndexOptions, MatchMethod, MatchOptions, index, store};

#[path = "common/eval.rs"]
mod eval;

#[test]
fn liburing_matches_meet_the_targets() {
    let (_t1, repo) = common::liburing();
    let (_t2, epoch) = common::io_uring_epoch();
    let truth = common::ground_truth();
    assert_eq!(truth.len(), 565);

    let mut conn = rusqlite::Connection::open_in_memory().expect("sqlite");
    index::index_repository(
        &mut conn,
        &repo,
        &IndexOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("index");
    let repo_id = store::repositories(&conn).expect("read")[0].id;
    let ix = store::load_index(&conn, repo_id).expect("load");
    let patches = eval::epoch_patches(&epoch);
    assert!(patches.len() > 10_000, "{} patches", patches.len());

    // Link trailers alone find every ground-truth pair.
    let with_links = ix.match_patches(&patches, &MatchOptions::default());
    let links: Vec<_> = with_links
        .matches
        .iter()
        .filter(|m| m.method == MatchMethod::Link)
        .cloned()
        .collect();
    let s = eval::score(&links, &truth);
    assert_eq!(
        s.correct, 565,
        "Link: method finds all: missed {:?}",
        s.missed
    );
    // Three commits carry a Link: to a ground-truth message that the truth
    // pairs with a sibling commit (e.g. two commits of one series linking the
    // same patch): real trailers, counted as "wrong" by the strict scoring.
    assert!(s.wrong.len() <= 3, "{:?}", s.wrong);

    // Without them, the inferred methods.
    let opts = MatchOptions {
        no_link_trailers: true,
        ..Default::default()
    };
    let out = ix.match_patches(&patches, &opts);
    let s = eval::score(&out.matches, &truth);
    for (m, why) in &s.wrong {
        eprintln!(
            "false: {} -> {} ({}, {:.2}): {why}",
            m.message_id, m.commit, m.method, m.score
        );
    }
    eprintln!(
        "precision {:.4} recall {:.4} correct {} wrong {} missed {}",
        s.precision(),
        s.recall(),
        s.correct,
        s.wrong.len(),
        s.missed.len()
    );
    for (k, v) in &s.per_method {
        eprintln!("  {k}: correct {} wrong {}", v.0, v.1);
    }
    assert!(s.precision() >= 0.99, "precision {}", s.precision());
    assert!(s.recall() >= 0.95, "recall {}", s.recall());

    // Series status on a real series: the liburing mock-file series of 6
    // patches (ground truth list_msg_n 31430..31435).
    let six: Vec<String> = truth
        .iter()
        .filter(|(_, _, n)| (31430..=31435).contains(n))
        .map(|(_, m, _)| m.clone())
        .collect();
    if six.len() >= 2 {
        let by = by_message(&with_links.matches);
        let chain = vec![SeriesInput {
            label: "v1".into(),
            patches: six.clone(),
        }];
        let st = series_status(
            &chain,
            0,
            &|m| by.get(m).cloned().unwrap_or_default(),
            &|t| {
                lpl_upstream::tags::parse_version(t)
                    .map(|v| v.numbers.iter().fold(0usize, |a, n| a * 1000 + *n as usize))
            },
        )
        .expect("status");
        assert_eq!(st.state, SeriesState::Merged, "{}", st.summary());
        assert_eq!(st.merged, six.len());
    }
}
