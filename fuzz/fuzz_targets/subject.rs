//! Subject tags: `[PATCH v2 3/7]` and everything that is not.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let t = lpl_mail::subject::parse(s);
    let _ = t.normalized_title();
    let _ = t.revision_or_1();
    let _ = t.is_cover_counter();
    let _ = lpl_mail::subject::normalize_title(s);
});
