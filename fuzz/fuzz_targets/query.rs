//! The query language, parsed and run against a small index.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = lpl_search::parse(s);
    lpl_search::fuzzing::search(s);
});
