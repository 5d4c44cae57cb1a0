//! Prints the diff text lpl-upstream generates for a commit, and its
//! patch-id: `cargo run --example commit_diff -- REPO COMMIT`.
//! Compare with `git show --full-index --no-renames --format= COMMIT`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(repo), Some(commit)) = (args.next(), args.next()) else {
        eprintln!("usage: commit_diff REPO COMMIT");
        std::process::exit(2);
    };
    let repo = lpl_upstream::index::Repo::open(std::path::Path::new(&repo))?;
    let text = repo.commit_diff(commit.parse()?)?;
    print!("{text}");
    eprintln!(
        "patch-id {:?}",
        lpl_mail::patch_id::patch_id_stable(text.as_bytes()).map(|p| p.to_string())
    );
    Ok(())
}
