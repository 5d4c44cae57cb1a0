//! A real `git am` test: for liburing commits whose `Link:` names a patch
//! in the io-uring epoch (`corpus/git/liburing-commit-to-msgid.tsv`),
//! export that patch with [`lpl_series::am::write_mbox`] (collected
//! trailers folded in), `git am` it on the upstream parent and compare the
//! resulting tree with the upstream commit's tree. The raw message as
//! received is applied the same way as a baseline, so failures caused by
//! the export can be told from patches the maintainer edited on the way.
//!
//! `cargo run --release -p lpl-series --example am_liburing -- [WORKDIR]`

#[path = "../benches/epoch_loader.rs"]
mod epoch_loader;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use lpl_series::am::{AmOptions, AmPatch, am_subject, write_mbox};
use lpl_series::trailers::{collect, trailers_to_add};

fn git(repo: &Path, args: &[&str]) -> Option<String> {
    let o = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// `git am` the mbox on `parent`; the resulting tree id.
fn apply(repo: &Path, parent: &str, mbox: &Path) -> Option<String> {
    git(repo, &["checkout", "-q", "-f", "--detach", parent])?;
    let ok = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=lpl",
            "-c",
            "user.email=lpl@example.org",
            "am",
            "-q",
        ])
        .arg(mbox)
        .output()
        .ok()
        .is_some_and(|o| o.status.success());
    if !ok {
        let _ = git(repo, &["am", "--abort"]);
        return None;
    }
    git(repo, &["rev-parse", "HEAD^{tree}"])
}

fn main() {
    let work = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lpl-am-liburing"));
    std::fs::create_dir_all(&work).expect("workdir");
    let corpus = epoch_loader::corpus_dir().expect("corpus");
    let repo = work.join("liburing");
    if !repo.exists() {
        let st = Command::new("git")
            .args(["clone", "-q"])
            .arg(corpus.join("git/liburing.bundle"))
            .arg(&repo)
            .status()
            .expect("git clone");
        assert!(st.success());
    }
    let scratch = std::env::temp_dir().join("lpl-series-bench");
    let epoch = epoch_loader::epoch_repo("io-uring.vger.kernel.org.0", &scratch).expect("epoch");
    let (metas, pos) = epoch_loader::load_epoch_positions(&epoch);
    let a = lpl_series::analyse(&metas, &[]);
    let trailers = collect(&metas, &a.threads, &a.assembly, &a.chains);
    let by_id: HashMap<&str, usize> = metas
        .iter()
        .enumerate()
        .map(|(i, m)| (m.message_id.as_str(), i))
        .collect();

    let tsv =
        std::fs::read_to_string(corpus.join("git/liburing-commit-to-msgid.tsv")).expect("tsv");
    let rows: Vec<(String, String)> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.first()?.to_string(), f.get(2)?.to_string()))
        })
        .collect();
    let wanted: HashSet<usize> = rows
        .iter()
        .filter_map(|(_, id)| by_id.get(id.as_str()).map(|&i| pos[i]))
        .collect();
    let raws = epoch_loader::raws_at(&epoch, &wanted);

    let (mut tried, mut ours_ok, mut raw_ok, mut both_ok, mut not_found, mut not_in_series) =
        (0, 0, 0, 0, 0, 0);
    for (commit, id) in &rows {
        let Some(&i) = by_id.get(id.as_str()) else {
            not_found += 1;
            continue;
        };
        let Some(ri) = a.assembly.revision_of_message(i) else {
            not_in_series += 1;
            continue;
        };
        let r = &a.assembly.revisions[ri];
        let Some((k, slot)) = r.patches.iter().enumerate().find(|(_, s)| s.message == i) else {
            not_in_series += 1;
            continue;
        };
        let Some(raw) = raws.get(&pos[i]) else {
            continue;
        };
        let Some(parent) = git(&repo, &["rev-parse", &format!("{commit}^")]) else {
            continue;
        };
        let Some(want) = git(&repo, &["rev-parse", &format!("{commit}^{{tree}}")]) else {
            continue;
        };
        tried += 1;
        let mbox = write_mbox(
            &[AmPatch {
                raw,
                subject: am_subject(r, slot.counter, &metas[i].tags.title),
                add: trailers_to_add(&metas[i].patch_trailers, &trailers[ri].patches[k]),
            }],
            &AmOptions::default(),
        );
        let ours_path = work.join("ours.mbox");
        std::fs::write(&ours_path, &mbox).expect("write");
        let mut rawbox = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n".to_vec();
        rawbox.extend_from_slice(raw);
        let raw_path = work.join("raw.mbox");
        std::fs::write(&raw_path, &rawbox).expect("write");
        let o = apply(&repo, &parent, &ours_path).is_some_and(|t| t == want);
        let w = apply(&repo, &parent, &raw_path).is_some_and(|t| t == want);
        ours_ok += usize::from(o);
        raw_ok += usize::from(w);
        both_ok += usize::from(o && w);
        if o != w {
            println!("DIFF {commit} <{id}> ours {o} raw {w}");
        }
    }
    println!(
        "liburing: {} mapped commits; {not_found} messages not in epoch, {not_in_series} not a series patch; \
         applied {tried}: lpl am reproduces the tree for {ours_ok} ({:.1}%), the raw message for {raw_ok}, both {both_ok}",
        rows.len(),
        100.0 * ours_ok as f64 / tried.max(1) as f64
    );
}
