//! Times the phases of indexing a repository (walk, per-commit work with 1
//! and N threads, first tags): `cargo run --release --example phases -- REPO [LIMIT]`.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: phases REPO")?;
    let repo = lpl_upstream::index::Repo::open(std::path::Path::new(&path))?;
    let t = Instant::now();
    let tips = repo.tips(&["HEAD".to_owned()])?;
    let mut ids = repo.non_merge_commits(&tips, &[])?;
    if let Some(n) = std::env::args().nth(2).and_then(|n| n.parse().ok()) {
        ids.truncate(n);
    }
    if std::env::args().nth(3).as_deref() == Some("oldest-first") {
        ids.reverse();
    }
    println!("walk: {} commits in {:.2?}", ids.len(), t.elapsed());
    for threads in [1, 2] {
        let t = Instant::now();
        let r = repo.index_commits(&ids, Some(threads));
        let e = t.elapsed();
        println!(
            "index_commits ({threads} threads): {} ok in {:.2?} = {:.0}/s",
            r.iter().filter(|r| r.is_ok()).count(),
            e,
            ids.len() as f64 / e.as_secs_f64()
        );
    }
    let t = Instant::now();
    let tags = repo.release_tags()?;
    let f = repo.first_tags(&tags, 0, &[])?;
    println!(
        "first tags: {} tags, {} commits in {:.2?}",
        tags.len(),
        f.len(),
        t.elapsed()
    );
    Ok(())
}
