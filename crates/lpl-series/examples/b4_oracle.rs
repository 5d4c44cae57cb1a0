//! Oracle test against `b4 am` (offline, `-m MBOX`): for revisions sampled
//! at random from the corpus epochs, cut the threads of the revision into
//! their own mbox, ask b4 for that revision and compare the patch lists
//! (Message-IDs in order).
//!
//! `cargo run --release -p lpl-series --example b4_oracle -- [N] [SEED] [OUTDIR]`
//! Prints one line per disagreement and the agreement rate; keeps every
//! mbox and b4 output in OUTDIR (default `$TMPDIR/lpl-b4-oracle`).
//!
//! - The sample: in each epoch, the N/2 revisions whose key Message-ID
//!   hashes lowest under SEED. A revision stays in (or out of) the sample
//!   whatever happens to the others, so a change that adds or removes a
//!   few revisions does not redraw the whole sample.
//! - The mbox holds the threads in archive order, as lore's thread mbox
//!   does (public-inbox lists a thread by article number): b4 reads the
//!   messages in that order, and its answer can depend on it.
//! - How b4's refusals count: when b4 answers nothing ("Unable to find
//!   revision N") there is no agreement. The first figure counts each
//!   refusal as a disagreement; the second leaves the refusals out of the
//!   total ("where b4 answers"). Both are printed; each refusal is listed
//!   like any other disagreement, to be checked by hand.

#[path = "../benches/epoch_loader.rs"]
mod epoch_loader;

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::process::Command;

use lpl_series::{SeriesKind, analyse};

/// FNV-1a of the seed and a Message-ID: a fixed, portable order.
fn rank(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(250);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(42);
    let outdir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lpl-b4-oracle"));
    std::fs::create_dir_all(&outdir).expect("outdir");
    let scratch = std::env::temp_dir().join("lpl-series-bench");
    let (mut agree, mut total, mut refused) = (0usize, 0usize, 0usize);
    for epoch in ["cgroups.vger.kernel.org.0", "io-uring.vger.kernel.org.0"] {
        let Some(repo) = epoch_loader::epoch_repo(epoch, &scratch) else {
            eprintln!("no epoch {epoch}");
            continue;
        };
        let (metas, pos) = epoch_loader::load_epoch_positions(&repo);
        let a = analyse(&metas, &[]);
        let mut candidates: Vec<(u64, usize)> = (0..a.assembly.revisions.len())
            .filter(|&i| {
                let r = &a.assembly.revisions[i];
                r.kind != SeriesKind::PullRequest && !r.patches.is_empty()
            })
            .map(|i| {
                let key = metas[a.assembly.revisions[i].key_message()]
                    .message_id
                    .as_str();
                (rank(seed, key), i)
            })
            .collect();
        candidates.sort_unstable();
        let picked: BTreeSet<usize> = candidates.iter().take(n / 2).map(|&(_, i)| i).collect();
        // Messages to cut out: every thread touched by the revision.
        let mut per_rev: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut wanted: HashSet<usize> = HashSet::new();
        for &ri in &picked {
            let r = &a.assembly.revisions[ri];
            let mut roots = BTreeSet::new();
            for m in r.own_messages().chain(r.patches.iter().map(|p| p.message)) {
                roots.insert(a.threads.root(a.threads.node_of_message(m)));
            }
            let mut msgs = Vec::new();
            for root in roots {
                for e in a.threads.walk(root) {
                    if let Some(m) = e.message {
                        msgs.push(m);
                        wanted.insert(pos[m]);
                    }
                }
            }
            // Archive order, as lore serves a thread.
            msgs.sort_by_key(|&m| pos[m]);
            msgs.dedup();
            per_rev.push((ri, msgs));
        }
        let raws = epoch_loader::raws_at(&repo, &wanted);
        for (ri, msgs) in per_rev {
            let r = &a.assembly.revisions[ri];
            let key = metas[r.key_message()].message_id.as_str().to_string();
            let base = outdir.join(format!("{}-{ri}", &epoch[..6]));
            let mbox = base.with_extension("mbox");
            let mut f = std::fs::File::create(&mbox).expect("mbox");
            for &m in &msgs {
                let Some(raw) = raws.get(&pos[m]) else {
                    continue;
                };
                let _ = f.write_all(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
                // Headers unfolded (an RFC 5322 no-op): b4 0.12 crashes on
                // folded Subject headers under Python 3.11.
                let raw = unfold_headers(raw);
                let raw = &raw;
                for line in raw.split_inclusive(|&b| b == b'\n') {
                    let l = line
                        .iter()
                        .skip_while(|&&b| b == b'>')
                        .copied()
                        .collect::<Vec<u8>>();
                    if l.starts_with(b"From ") {
                        let _ = f.write_all(b">");
                    }
                    let _ = f.write_all(line);
                }
                if !raw.ends_with(b"\n") {
                    let _ = f.write_all(b"\n");
                }
                let _ = f.write_all(b"\n");
            }
            drop(f);
            let ours: Vec<String> = r
                .patches
                .iter()
                .map(|p| metas[p.message].message_id.as_str().to_string())
                .collect();
            let out = Command::new("b4")
                .args([
                    "--offline-mode",
                    "am",
                    "-C",
                    "-T",
                    "--no-cover",
                    "-o",
                    "-",
                    "-m",
                ])
                .arg(&mbox)
                .args(["-v", &r.revision.to_string()])
                .arg(&key)
                .output();
            let (theirs, err) = match out {
                Ok(o) => (
                    message_ids(&o.stdout),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                ),
                Err(e) => (Vec::new(), e.to_string()),
            };
            let _ = std::fs::write(base.with_extension("b4.err"), &err);
            total += 1;
            let refusal = theirs.is_empty() && err.contains("Unable to find revision");
            if theirs == ours {
                agree += 1;
            } else {
                refused += usize::from(refusal);
                println!(
                    "{} {epoch} rev {ri} v{} {:?} key <{key}> ours {} theirs {} | {}",
                    if refusal { "REFUSED " } else { "DISAGREE" },
                    r.revision,
                    r.title,
                    ours.len(),
                    theirs.len(),
                    err.lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("")
                );
                println!("   ours:   {ours:?}");
                println!("   theirs: {theirs:?}");
            }
        }
    }
    let pct = |a: usize, t: usize| 100.0 * a as f64 / t.max(1) as f64;
    println!(
        "agreement: {agree}/{total} = {:.1}% (b4's refusals counted as disagreements)",
        pct(agree, total)
    );
    println!(
        "where b4 answers: {agree}/{} = {:.1}% ({refused} refusals left out)",
        total - refused,
        pct(agree, total - refused)
    );
}

fn message_ids(mbox: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(mbox);
    let mut out = Vec::new();
    let mut in_headers = false;
    for line in text.lines() {
        if line.starts_with("From ") {
            in_headers = true;
            continue;
        }
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            if let Some(v) = line
                .get(..11)
                .filter(|h| h.eq_ignore_ascii_case("message-id:"))
                .and_then(|_| line.get(11..))
            {
                let v = v.trim().trim_start_matches('<').trim_end_matches('>');
                out.push(v.to_string());
            }
        }
    }
    out
}

fn unfold_headers(raw: &[u8]) -> Vec<u8> {
    let raw: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\r').collect();
    let end = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(raw.len(), |p| p + 1);
    let mut out = Vec::with_capacity(raw.len());
    for line in raw[..end].split_inclusive(|&b| b == b'\n') {
        if (line.starts_with(b" ") || line.starts_with(b"\t")) && out.ends_with(b"\n") {
            out.pop();
            out.push(b' ');
            let t = line.iter().skip_while(|b| **b == b' ' || **b == b'\t');
            out.extend(t);
        } else {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&raw[end..]);
    out
}
