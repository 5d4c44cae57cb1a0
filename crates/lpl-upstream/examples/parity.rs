//! Compares lpl-upstream's patch-ids with git's for every non-merge commit of
//! `HEAD`:
//! `git -C REPO log -p --no-merges --no-renames --full-index --format='commit %H' | git patch-id --stable > ids`
//! then `cargo run --release --example parity -- REPO ids`.

use std::collections::HashMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: parity REPO GIT_PATCH_ID_OUTPUT");
        std::process::exit(2);
    }
    let git: HashMap<String, String> = std::fs::read_to_string(&args[1])?
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(p, c)| (c.to_owned(), p.to_owned())))
        .collect();
    let repo = lpl_upstream::index::Repo::open(std::path::Path::new(&args[0]))?;
    let tips = repo.tips(&["HEAD".to_owned()])?;
    let ids = repo.non_merge_commits(&tips[..1], &[])?;
    let (mut same, mut differ) = (0usize, 0usize);
    for r in repo.index_commits(&ids, None) {
        let c = r?;
        let ours = c.patch_id.map(|p| p.to_string());
        if ours == git.get(&c.id.to_string()).cloned() {
            same += 1;
        } else {
            differ += 1;
            if differ <= 10 {
                println!("differs: {} ours {ours:?}", c.id);
            }
        }
    }
    println!("{same} same, {differ} differ, of {} commits", ids.len());
    Ok(())
}
