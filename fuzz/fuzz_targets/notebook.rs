//! The Markdown notebook: parse, check and render to HTML.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let nb = lpl_notebook::Notebook::parse(data.to_vec());
    assert_eq!(nb.as_bytes(), data, "the notebook must round-trip byte for byte");
    let _ = lpl_notebook::html::render(&nb, &lpl_notebook::NoArchive);
});
