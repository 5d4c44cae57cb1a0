//! Diffs, hunk headers, the patch split and trailers of a message body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let d = lpl_mail::diff::parse(s);
    for f in &d.files {
        let _ = f.path();
    }
    let _ = lpl_mail::diff::find_start(s);
    for l in s.lines() {
        let _ = lpl_mail::diff::parse_hunk_header(l);
    }
    for attached in [false, true] {
        if let Some(p) = lpl_mail::patch::split(s, attached) {
            let _ = p.parsed_diff();
            let _ = p.line_counts();
            let _ = lpl_mail::patch_id::patch_id_stable(p.diff.as_bytes());
        }
    }
    let _ = lpl_mail::patch_id::patch_ids_stable(s.as_bytes());
    for t in lpl_mail::trailer::parse_commit_trailers(s) {
        let _ = t.kind();
        let _ = t.person();
    }
    for t in lpl_mail::trailer::parse_reply_trailers(s) {
        let _ = t.person();
    }
});
