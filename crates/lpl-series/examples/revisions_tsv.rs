//! Print every series revision of a corpus epoch as TSV, with the chain the
//! linker put it in: the raw material for labelling chains by hand and for
//! eyeballing series assembly.
//!
//! `cargo run --release -p lpl-series --example revisions_tsv -- cgroups.vger.kernel.org.0 > out.tsv`

#[path = "../benches/epoch_loader.rs"]
mod epoch_loader;

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cgroups.vger.kernel.org.0".into());
    let scratch = std::env::temp_dir().join("lpl-series-bench");
    let Some(repo) = epoch_loader::epoch_repo(&name, &scratch) else {
        eprintln!("no epoch {name}");
        std::process::exit(1);
    };
    let metas = epoch_loader::load_epoch(&repo);
    let a = lpl_series::analyse(&metas, &[]);
    println!(
        "rev\tdate\tsender\tv\tkind\ttotal\tnpatches\tmissing\tcover\ttitle\tkey_msgid\tchain\tpred\treason\tconfidence"
    );
    for (i, r) in a.assembly.revisions.iter().enumerate() {
        let link = a.chains.predecessor(i);
        println!(
            "{i}\t{}\t{}\t{}\t{:?}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            lpl_series::am::rfc2822(r.date, 0).get(5..16).unwrap_or(""),
            r.sender_email,
            r.revision,
            r.kind,
            r.total.map_or(String::new(), |t| t.to_string()),
            r.patches.len(),
            r.missing.len(),
            r.cover.is_some(),
            r.title,
            metas[r.key_message()].message_id,
            a.chains.chain_of[i],
            link.map_or(String::new(), |l| l.from.to_string()),
            link.map_or(String::new(), |l| format!("{:?}", l.reason)),
            link.map_or(String::new(), |l| format!("{:.2}", l.confidence)),
        );
    }
}
