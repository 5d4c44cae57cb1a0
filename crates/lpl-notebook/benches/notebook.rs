//! Timings of the notebook operations on the real seed (and a 64× copy of
//! it as a large notebook). Run: `cargo bench -p lpl-notebook`.

use std::hint::black_box;
use std::time::Instant;

use lpl_notebook::edit::{self, NoteTarget};
use lpl_notebook::{NoArchive, Notebook, check, html, mojibake, search};

fn time<T>(label: &str, iters: u32, bytes: usize, mut f: impl FnMut() -> T) {
    for _ in 0..iters.min(3) {
        black_box(f());
    }
    let t = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    let per = t.elapsed() / iters;
    let mbs = bytes as f64 / per.as_secs_f64() / 1e6;
    println!("{label:<42} {per:>12.2?}/op  {mbs:>8.1} MB/s");
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seed");
    let raw = std::fs::read(format!("{dir}/roadmap-raw.md")).expect("seed");
    let dec = std::fs::read(format!("{dir}/roadmap-decoded.md")).expect("seed");
    let big: Vec<u8> = dec.iter().copied().cycle().take(dec.len() * 64).collect();
    println!(
        "seed: {} bytes raw, {} decoded; large: {} bytes",
        raw.len(),
        dec.len(),
        big.len()
    );

    time("mojibake::repair (raw seed)", 200, raw.len(), || {
        mojibake::repair(&raw)
    });
    time("Notebook::parse (seed)", 500, dec.len(), || {
        Notebook::parse(dec.clone())
    });
    time("Notebook::parse (64x seed)", 10, big.len(), || {
        Notebook::parse(big.clone())
    });
    let nb = Notebook::parse(dec.clone());
    let bignb = Notebook::parse(big.clone());
    time("edit::add_note (seed)", 500, dec.len(), || {
        edit::add_note(
            &nb,
            5,
            &NoteTarget::Patch {
                counter: 31,
                subject: None,
            },
            "x",
        )
    });
    time("edit::ask (64x seed, last entry)", 50, big.len(), || {
        edit::ask(&bignb, bignb.entries().len() - 1, "why?")
    });
    time("check::check (seed, empty archive)", 500, dec.len(), || {
        check::check(&nb, &NoArchive)
    });
    time("html::render (seed, empty archive)", 100, dec.len(), || {
        html::render(&nb, &NoArchive)
    });
    time("search::search_items (seed)", 500, dec.len(), || {
        search::search_items(&nb).count()
    });
}
