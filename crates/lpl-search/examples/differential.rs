//! Compares our hits with public-inbox's on a whole epoch.
//!
//! ```text
//! cargo run --release -p lpl-search --example differential -- INBOX_DIR [--build-from EPOCH]
//! ```
//! INBOX_DIR is a public-inbox v2 inbox indexed with `public-inbox-index`
//! (`-L full`); its `git/0.git` is read for our side. With `--build-from`
//! and no INBOX_DIR yet, the epoch (a bare git repository or bundle, e.g.
//! the io-uring epoch 0) is cloned and indexed there first (several
//! minutes; the config lives in `INBOX_DIR.home`).

#[path = "../tests/common/pi.rs"]
mod pi;

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() -> Result<(), String> {
    let usage = "usage: differential INBOX_DIR [--build-from EPOCH]";
    let mut args = std::env::args().skip(1);
    let inbox = PathBuf::from(args.next().ok_or(usage)?);
    let build_from = match (args.next().as_deref(), args.next()) {
        (None, _) => None,
        (Some("--build-from"), Some(epoch)) => Some(PathBuf::from(epoch)),
        _ => return Err(usage.into()),
    };
    if let Some(epoch) = build_from
        && !inbox.exists()
    {
        let t = Instant::now();
        let mut name = inbox.clone().into_os_string();
        name.push(".epoch.git");
        let clone = PathBuf::from(&name);
        pi::clone_epoch(&epoch, &clone, None)?;
        let mut home = inbox.clone().into_os_string();
        home.push(".home");
        pi::make_inbox(&clone, &inbox, &PathBuf::from(home))?;
        println!("public-inbox-index in {:.1?}", t.elapsed());
    }
    let t = Instant::now();
    let msgs = pi::read_messages(&inbox.join("git/0.git"))?;
    println!("read {} messages in {:.1?}", msgs.len(), t.elapsed());
    let t = Instant::now();
    let (ours, n) = pi::build_ours(&msgs, None)?;
    println!("parsed+indexed {n} in {:.1?}", t.elapsed());
    let queries = pi::queries();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let results = pi::compare(&inbox, &ours, &queries, now)?;
    let mut same = 0;
    println!(
        "{:<50} {:>7} {:>7} {:>6} {:>6}",
        "query", "theirs", "ours", "-th", "-ours"
    );
    for c in &results {
        let (t, o) = (
            c.theirs
                .as_ref()
                .map_or_else(|e| format!("ERR {e}"), |s| s.len().to_string()),
            c.ours
                .as_ref()
                .map_or_else(|e| format!("ERR {e}"), |s| s.len().to_string()),
        );
        let (ot, oo) = (c.only_theirs(), c.only_ours());
        if ot.is_empty() && oo.is_empty() && c.theirs.is_ok() && c.ours.is_ok() {
            same += 1;
        }
        println!(
            "{:<50} {:>7} {:>7} {:>6} {:>6}",
            c.query,
            t,
            o,
            ot.len(),
            oo.len()
        );
        for m in ot.iter().take(3) {
            println!("    only theirs: {m}");
        }
        for m in oo.iter().take(3) {
            println!("    only ours:   {m}");
        }
    }
    println!("{same}/{} queries with identical hit sets", results.len());
    Ok(())
}
