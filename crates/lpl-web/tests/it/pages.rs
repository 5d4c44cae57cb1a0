//! Every page over HTTP, on the real archive.

use std::io::Read as _;

use lpl_core::Workspace;
use lpl_core::notebook::lore::{MessageId, escape_msgid};

use crate::fixture::{archive, notebook, serve};
use crate::http::{get, post_form};

fn path_of(mid: &str) -> String {
    format!(
        "/{}/",
        escape_msgid(MessageId::new(mid).expect("id").as_str())
    )
}

/// `name="NAME" value="..."` of the first such input.
pub fn field(html: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    let at = html.find(&pat).expect("field") + pat.len();
    html[at..].split('"').next().expect("value").to_owned()
}

/// The first `/entry/...` link of a page.
pub fn first_entry(html: &str) -> String {
    let at = html.find("href=\"/entry/").expect("an entry link") + 6;
    html[at..].split('"').next().expect("href").to_owned()
}

#[test]
fn roadmap_entry_series_patch_thread_and_lore_urls() {
    let a = archive();
    let dir = tempfile::tempdir().expect("tmp");
    let nb = notebook(dir.path(), a);
    let srv = serve(a, Some(nb));
    let addr = srv.addr();

    let r = get(addr, "/");
    assert_eq!(r.status, 200, "{}", r.text());
    let home = r.text();
    assert!(home.contains("<svg"), "roadmap timeline");
    assert!(home.contains("io_uring"));
    assert!(
        r.header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'"))
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    let entry = first_entry(&home);
    let r = get(addr, &entry);
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(page.contains("first note"), "the user's notes");
    assert!(page.contains("name=\"csrf\""), "edit forms");
    assert!(page.contains("/series/"), "the series link");

    let ms = path_of(&a.multi);
    let r = get(addr, &format!("/series{}", ms.trim_end_matches('/')));
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.text();
    assert!(
        s.contains("Revisions") && s.contains("revs-svg"),
        "revision timeline"
    );
    assert!(
        s.contains("Range-diff v"),
        "range-diff to the previous revision"
    );
    assert!(s.contains("Cover letter"));

    let pp = path_of(&a.replied_patch);
    let r = get(addr, &pp);
    assert_eq!(r.status, 200);
    let p = r.text();
    assert!(
        p.contains("class=\"add\"") && p.contains("class=\"del\"") || p.contains("class=\"add\""),
        "coloured diff"
    );
    assert!(p.contains("<h2>Replies</h2>"), "replies inline");

    // The same under a list name, as lore writes it.
    let r = get(addr, &format!("/{}{pp}", a.list));
    assert_eq!(r.status, 200);

    // raw is the stored message, byte for byte.
    let ws = Workspace::open_read_only(&a.home).expect("ws");
    let r = get(addr, &format!("{pp}raw"));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, ws.raw(&a.replied_patch).expect("raw"));

    // t.mbox.gz: every message of the thread.
    let r = get(addr, &format!("{pp}t.mbox.gz"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/gzip"));
    let mut mbox = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut mbox)
        .expect("gunzip");
    let n = mbox
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"From mboxrd@z "))
        .count();
    assert_eq!(n, ws.thread(&a.replied_patch).expect("thread").lines.len());

    let r = get(addr, &format!("{pp}T/"));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("class=\"tree\""));

    let r = get(addr, "/search?q=s%3Aio_uring");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Messages ("));
    // The notebook's hits too.
    let r = get(addr, "/search?q=why");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("In your notebook"), "{}", r.text());

    assert_eq!(get(addr, "/series").status, 200);
    assert_eq!(get(addr, "/timeline").status, 200);
    assert_eq!(get(addr, "/style.css").status, 200);
    assert_eq!(get(addr, "/nobody@nowhere.invalid/").status, 404);
    assert_eq!(get(addr, "/entry/no-such-entry").status, 404);
}

#[test]
fn a_note_through_the_form_changes_one_line() {
    let a = archive();
    let dir = tempfile::tempdir().expect("tmp");
    let nb = notebook(dir.path(), a);
    let before = std::fs::read_to_string(&nb).expect("read");
    let srv = serve(a, Some(nb.clone()));
    let addr = srv.addr();
    let entry = first_entry(&get(addr, "/").text());
    let page = get(addr, &entry).text();
    let (csrf, rev) = (field(&page, "csrf"), field(&page, "rev"));

    let r = post_form(
        addr,
        &format!("{entry}/note"),
        &[
            ("csrf", &csrf),
            ("rev", &rev),
            ("text", "seen from the browser"),
        ],
        None,
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let after = std::fs::read_to_string(&nb).expect("read");
    let (b, f): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(f.len(), b.len() + 1);
    let added: Vec<&&str> = f.iter().filter(|l| !b.contains(l)).collect();
    assert_eq!(added, [&"  - seen from the browser"]);
    assert_eq!(
        std::fs::read_to_string(nb.with_file_name("roadmap.md.bak")).expect("bak"),
        before
    );

    // The page shown before the edit is stale now: refused.
    let r = post_form(
        addr,
        &format!("{entry}/question"),
        &[("csrf", &csrf), ("rev", &rev), ("text", "again?")],
        None,
    );
    assert_eq!(r.status, 409);

    // Status, question and answer on the fresh page.
    let page = get(addr, &entry).text();
    assert!(page.contains("seen from the browser"));
    let rev = field(&page, "rev");
    let r = post_form(
        addr,
        &format!("{entry}/status"),
        &[("csrf", &csrf), ("rev", &rev), ("status", "reading")],
        None,
    );
    assert_eq!(r.status, 303);
    assert!(std::fs::read_to_string(&nb).expect("read").contains("📖"));
    let page = get(addr, &entry).text();
    let q = field(&page, "question");
    let rev = field(&page, "rev");
    let r = post_form(
        addr,
        &format!("{entry}/answer"),
        &[
            ("csrf", &csrf),
            ("rev", &rev),
            ("question", &q),
            ("text", ""),
        ],
        None,
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        std::fs::read_to_string(&nb)
            .expect("read")
            .contains("- [x] why this way?")
    );
}

/// Quoted text of replies (`> ` lines) is folded into closed `<details>`
/// on the message page (replies inline) and the thread page, escaped;
/// the page's own text is not folded (issue 19).
#[test]
fn quoted_reply_text_is_folded_and_escaped() {
    let a = archive();
    let srv = serve(a, None);
    let addr = srv.addr();
    let patch = path_of(&a.replied_patch);
    for path in [patch.clone(), format!("{patch}T/")] {
        let r = get(addr, &path);
        assert_eq!(r.status, 200, "{path}");
        let html = r.text();
        let folded: Vec<&str> = html.split("<details class=\"quote\">").skip(1).collect();
        assert!(!folded.is_empty(), "{path}: no folded quote");
        assert!(!html.contains("<details class=\"quote\" open"), "{path}");
        for block in folded {
            let summary = block.split("</summary>").next().expect("summary");
            assert!(summary.contains(" quoted lines"), "{summary}");
            let pre = block
                .split("<pre>")
                .nth(1)
                .and_then(|p| p.split("</pre>").next())
                .expect("the quote");
            // Every line of it is quoted (or blank between quoted ones),
            // its `>` escaped.
            for l in pre.lines() {
                assert!(
                    l.trim().is_empty() || l.trim_start().starts_with("&gt;"),
                    "{path}: {l:?} folded"
                );
            }
        }
    }
}
