//! Run `lpl_mail::subject::parse` over every subject of the io-uring epoch
//! (the real public-inbox bundle in the shared corpus): nothing may panic,
//! and most patch subjects must yield their counter.

mod common;

#[test]
fn io_uring_epoch_subjects() {
    let Some(repo) = common::epoch_repo("io-uring.vger.kernel.org.0") else {
        eprintln!("corpus not available; skipping");
        return;
    };
    let subjects = common::git_subjects(&repo);
    assert!(subjects.len() > 30_000, "{} subjects", subjects.len());
    let mut patches = 0usize;
    let mut with_counter = 0usize;
    let mut with_revision = 0usize;
    let mut versioned_mention = 0usize;
    let mut missed_counter = Vec::new();
    for s in &subjects {
        let t = lpl_mail::subject::parse(s);
        if !t.is_patch || t.is_reply {
            continue;
        }
        patches += 1;
        if t.counter.is_some() {
            with_counter += 1;
        } else if s.contains('/') && s.split(']').next().is_some_and(|p| p.contains('/')) {
            missed_counter.push(s.clone());
        }
        if t.revision.is_some() {
            with_revision += 1;
        }
        // A `vN` inside the first bracket that we did not pick up.
        let head = s.split(']').next().unwrap_or("").to_ascii_lowercase();
        if head.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            w.len() > 1 && w.starts_with('v') && w[1..].bytes().all(|b| b.is_ascii_digit())
        }) {
            versioned_mention += 1;
            if t.revision.is_none() {
                missed_counter.push(s.clone());
            }
        }
    }
    let share = |n: usize| 100.0 * n as f64 / patches.max(1) as f64;
    eprintln!(
        "io-uring: {} subjects, {} patch subjects (not replies): {:.1}% with counter, {:.1}% with revision ({} mention vN); {} missed",
        subjects.len(),
        patches,
        share(with_counter),
        share(with_revision),
        versioned_mention,
        missed_counter.len()
    );
    for s in missed_counter.iter().take(20) {
        eprintln!("  missed: {s}");
    }
    assert!(patches > 10_000);
    // Every `[... vN ...]` and `[... N/M ...]` patch prefix must be understood.
    assert!(missed_counter.len() * 1000 < patches, "{missed_counter:#?}");
}
