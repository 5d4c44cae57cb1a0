//! Headless Chromium walks the site as a reader would: the roadmap, an
//! entry (adding a note through its form), its series, a patch, the
//! reply thread. Screenshots of each page go to
//! `target/tmp/web-screenshots/` (the test's artefacts). Skipped with a
//! message where Chromium is absent (`.ci/run` installs Debian's).

use std::path::PathBuf;

use lpl_core::notebook::lore::{MessageId, escape_msgid};

use crate::cdp::{Browser, chromium};
use crate::fixture::{archive, notebook, serve};

pub fn artefacts() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&d).expect("artefact dir");
    d
}

/// The HTML links (not the SVG timeline's) matching `selector` (a JS
/// string literal), as a JS expression.
fn links(selector: &str) -> String {
    format!(
        "[...document.querySelectorAll({selector})].filter(a => a instanceof HTMLAnchorElement)"
    )
}

/// Clicks the first HTML link matching `selector`.
fn click(b: &mut Browser, selector: &str) {
    let found = b.eval(&format!("{}.length > 0", links(selector)));
    assert_eq!(found, true, "no {selector} on {}", b.url());
    b.eval_and_wait(&format!("{}[0].click()", links(selector)));
}

#[test]
fn chromium_walks_roadmap_entry_series_patch_thread() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: no chromium on PATH (.ci/run installs it)");
        return;
    };
    let a = archive();
    let dir = tempfile::tempdir().expect("tmp");
    let nb = notebook(dir.path(), a);
    let srv = serve(a, Some(nb.clone()));
    let shots = artefacts();
    let mut b = Browser::start(&bin);

    b.goto(&srv.url("/"));
    assert_eq!(b.eval("document.querySelectorAll('svg').length > 0"), true);
    b.screenshot(&shots.join("1-roadmap.png"));

    // The second entry is the series of the patch with replies.
    let entry_links = links("'a[href^=\"/entry/\"]'");
    let entries = b.eval(&format!("{entry_links}.length"));
    assert!(entries.as_u64().is_some_and(|n| n >= 2), "{entries}");
    b.eval_and_wait(&format!("{entry_links}[1].click()"));
    let entry_url = b.url();
    assert!(entry_url.contains("/entry/"), "{entry_url}");
    assert_eq!(
        b.eval("document.querySelector('form textarea[name=text]') !== null"),
        true
    );
    b.screenshot(&shots.join("2-entry.png"));

    // A note through the form, typed and submitted as a reader does: the
    // notebook gains exactly that line (Chromium's post was refused as
    // `Origin: null` while the pages said `no-referrer`).
    let before = std::fs::read_to_string(&nb).expect("read notebook");
    b.eval("document.querySelector('form textarea[name=text]').value = 'noted in Chromium 浏览器'");
    b.eval_and_wait(
        "document.querySelector('form textarea[name=text]').form.querySelector('button').click()",
    );
    assert!(b.url().contains("saved=note"), "{}", b.url());
    assert_eq!(
        b.eval("document.querySelector('.flash') && document.querySelector('.flash').textContent"),
        "Note added."
    );
    let after = std::fs::read_to_string(&nb).expect("read notebook");
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(new.len(), old.len() + 1, "{after}");
    let added: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
    assert_eq!(added, [&"  - noted in Chromium 浏览器"], "{after}");
    b.screenshot(&shots.join("2b-entry-noted.png"));

    click(&mut b, "'a[href^=\"/series/\"]'");
    assert!(b.url().contains("/series/"));
    assert_eq!(
        b.eval("[...document.querySelectorAll('h2')].some(h => h.textContent === 'Patches')"),
        true
    );
    b.screenshot(&shots.join("3-series.png"));

    let patch = format!(
        "/{}/",
        escape_msgid(MessageId::new(&a.replied_patch).expect("id").as_str())
    );
    let sel = serde_json::to_string(&format!("tr[id^=\"p\"] a[href=\"{patch}\"]")).expect("json");
    click(&mut b, &sel);
    assert!(b.url().ends_with(&patch), "{}", b.url());
    assert_eq!(
        b.eval("[...document.querySelectorAll('h2')].some(h => h.textContent === 'Replies')"),
        true,
        "replies inline"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('.add, .del').length > 0"),
        true,
        "a coloured diff"
    );
    b.screenshot(&shots.join("4-patch.png"));

    let thread = serde_json::to_string(&format!("a[href=\"{patch}T/\"]")).expect("json");
    click(&mut b, &thread);
    assert!(b.url().ends_with("/T/"), "{}", b.url());
    let n = b.eval("document.querySelectorAll('article').length");
    assert!(
        n.as_u64().is_some_and(|n| n >= 2),
        "the thread's messages: {n}"
    );
    b.screenshot(&shots.join("5-thread.png"));

    for f in [
        "1-roadmap.png",
        "2-entry.png",
        "3-series.png",
        "4-patch.png",
        "5-thread.png",
    ] {
        let len = std::fs::metadata(shots.join(f)).expect("screenshot").len();
        assert!(len > 1000, "{f}: {len} bytes");
    }
}
