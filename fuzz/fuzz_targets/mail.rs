//! The mail parser: any bytes are a message (never a panic).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = lpl_mail::parse(data);
    let _ = lpl_mail::content_hash(&parsed.message);
    if let Some(p) = &parsed.message.patch {
        let _ = p.parsed_diff();
        let _ = p.line_counts();
    }
});
