//! The index's segment reader over arbitrary bytes (checksums re-sealed,
//! so the reader itself is exercised, not only the checksum test).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lpl_search::fuzzing::segment(data);
});
