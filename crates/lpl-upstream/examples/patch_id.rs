//! Prints `git patch-id --stable`-style lines for stdin, computed by
//! `lpl_mail::patch_id`: `cargo run --example patch_id < diffs`.

use std::io::Read;

fn main() -> std::io::Result<()> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    for e in lpl_mail::patch_id::patch_ids_stable(&input) {
        let c: String = e
            .commit
            .unwrap_or([0; 20])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        println!("{} {c}", e.patch_id);
    }
    Ok(())
}
