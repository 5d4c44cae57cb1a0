//! The rendered site: internal links resolve, text is escaped, and headless
//! Chromium loads it (skipped with a message where Chromium is absent; CI
//! installs the Debian `chromium` package).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lpl_notebook::{Notebook, fsio, html};

use crate::archive::FixtureArchive;
use crate::seed::decoded;

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(k) = rest.find(&pat) {
        let after = &rest[k + pat.len()..];
        let end = after.find('"').expect("closed attribute");
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every relative href of every page names an existing page, and every
/// `#fragment` an existing id in it.
fn check_links(site: &html::Site) -> usize {
    let pages: HashMap<&str, &str> = site
        .pages
        .iter()
        .map(|p| (p.path.as_str(), p.html.as_str()))
        .collect();
    let mut checked = 0;
    for p in &site.pages {
        let dir = Path::new(&p.path).parent().unwrap_or(Path::new(""));
        for href in attr_values(&p.html, "href") {
            let href = unescape_attr(href);
            if href.starts_with("https://") || href.starts_with("http://") {
                continue;
            }
            assert!(
                !href.contains(':'),
                "unexpected scheme in {href} on {}",
                p.path
            );
            let (file, frag) = href
                .split_once('#')
                .map_or((href.as_str(), None), |(a, b)| (a, Some(b)));
            let target = if file.is_empty() {
                p.path.clone()
            } else {
                let mut t = PathBuf::new();
                for c in dir.join(file).components() {
                    match c {
                        std::path::Component::ParentDir => {
                            t.pop();
                        }
                        c => t.push(c),
                    }
                }
                t.to_string_lossy().into_owned()
            };
            let html = pages
                .get(target.as_str())
                .unwrap_or_else(|| panic!("{} links to missing {target}", p.path));
            if let Some(f) = frag {
                assert!(
                    html.contains(&format!("id=\"{f}\"")),
                    "{} links to missing #{f} in {target}",
                    p.path
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn site_links_resolve_and_text_is_escaped() {
    let nb = Notebook::parse(decoded());
    let site = html::render(&nb, &FixtureArchive::load());
    assert_eq!(
        site.pages.len(),
        2 + 42,
        "index, timeline, one page per entry"
    );
    let n = check_links(&site);
    assert!(n > 42 * 3, "{n} internal links checked");
    // The Zi Yan page shows the user's note beside v1..v5 from the archive.
    let zi = site
        .pages
        .iter()
        .find(|p| p.path == "entries/20240226205534-1603748-1-zi-yan-sent-com.html")
        .expect("entry page");
    for want in [
        "Your notes",
        "In the archive",
        "支\u{FFFD}将 folio split",
        ">v5<",
        ">v1<",
        "Patches of v5",
        "Cover letter",
        "1 Reviewed-by, 4 Acked-by",
    ] {
        assert!(zi.html.contains(want), "{want}");
    }
    // A per-patch note links the patch's row in the archive panel.
    let nb = Notebook::parse(decoded());
    let k = lpl_notebook::select::find_entry(&nb, "lower order folios", None).unwrap();
    let e = lpl_notebook::edit::add_note(
        &nb,
        k,
        &lpl_notebook::edit::NoteTarget::Patch {
            counter: 3,
            subject: None,
        },
        "memcg: order instead of nr",
    )
    .unwrap();
    let nb = Notebook::parse(e.bytes);
    let site = html::render(&nb, &FixtureArchive::load());
    let zi = site
        .pages
        .iter()
        .find(|p| p.path == "entries/20240226205534-1603748-1-zi-yan-sent-com.html")
        .unwrap();
    assert!(
        zi.html.contains("[PATCH v5 3/8] <a href=\"#p3\""),
        "the new per-patch note links row 3"
    );
    check_links(&site);
    // Hostile text stays text.
    let evil = "## <script>alert(1)</script>\n\n- 2024-01-01 [\\[PATCH\\] <img src=x onerror=alert(1)> - \"Q\"](https://lore.kernel.org/r/a\"b@c)\n  - note <b>bold</b> `x<y`\n  - [javascript](javascript:alert(1))\n";
    let nb = Notebook::parse(evil.as_bytes().to_vec());
    let site = html::render(&nb, &lpl_notebook::NoArchive);
    for p in &site.pages {
        assert!(
            !p.html.contains("<script>") && !p.html.contains("<img") && !p.html.contains("<b>"),
            "{}",
            p.html
        );
        assert!(!p.html.contains("javascript:"), "{}", p.path);
    }
    check_links(&site);
}

/// Issue 20: an *entry* linking `javascript:` (or `data:`, `vbscript:`, a
/// scheme split by a tab) became a live link on its page. Only http(s),
/// mailto and relative links are followed, and every page carries a
/// Content-Security-Policy that forbids scripts anyway.
#[test]
fn hostile_entry_links_stay_text_and_pages_carry_a_csp() {
    let hostile = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "file:///etc/passwd",
    ];
    let mut md = String::from("# nb\n\n## t\n\n");
    for (i, u) in hostile.iter().enumerate() {
        md.push_str(&format!("- 2024-01-0{} [evil {i}]({u})\n", i + 1));
    }
    md.push_str(
        "- [ok](https://lore.kernel.org/all/x@y/) [mail](mailto:a@b.org) [rel](../x.html)\n",
    );
    let nb = Notebook::parse(md.into_bytes());
    assert_eq!(
        nb.entries().len(),
        hostile.len() + 1,
        "every line is an entry"
    );
    let site = html::render(&nb, &lpl_notebook::NoArchive);
    for p in &site.pages {
        let lower = p.html.to_ascii_lowercase();
        for bad in [
            "href=\"javascript",
            "href=\"data:",
            "href=\"vbscript",
            "href=\"java\tscript",
            "href=\"file:",
            "href=\" javascript",
        ] {
            assert!(!lower.contains(bad), "{}: {bad}\n{}", p.path, p.html);
        }
        assert!(
            p.html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
            ),
            "{} has no CSP",
            p.path
        );
    }
    for (u, want) in [
        ("https://e.org/a", Some("https://e.org/a")),
        ("mailto:a@b", Some("mailto:a@b")),
        ("../x.html#y", Some("../x.html#y")),
        ("x/y:z", Some("x/y:z")),
        ("javascript:alert(1)", None),
        ("jav\nascript:alert(1)", None),
        ("\u{1}javascript:x", None),
        ("data:,x", None),
    ] {
        assert_eq!(html::safe_href(u).as_deref(), want, "{u:?}");
    }
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium with the given arguments; returns stdout.
fn run_chromium(bin: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn site_opens_in_headless_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("skipping: chromium not installed (apt-get install -y chromium)");
        return;
    };
    let nb = Notebook::parse(decoded());
    let dir = tempfile::tempdir().unwrap();
    fsio::render_html(&nb, &FixtureArchive::load(), dir.path()).unwrap();
    let entry = dir
        .path()
        .join("entries/20240226205534-1603748-1-zi-yan-sent-com.html");
    let dom = run_chromium(
        &bin,
        &["--dump-dom".into(), format!("file://{}", entry.display())],
    );
    assert!(
        dom.contains("Split a folio to any lower order folios"),
        "{dom:.300}"
    );
    assert!(dom.contains("Patches of v5"));
    // The DOM Chromium built has every internal link resolving too.
    for href in attr_values(&dom, "href")
        .into_iter()
        .filter(|h| !h.starts_with("http"))
    {
        let file = unescape_attr(href.split('#').next().unwrap_or(""));
        if !file.is_empty() {
            assert!(entry.parent().unwrap().join(&file).is_file(), "{file}");
        }
    }
    // Screenshots, looked at by a person: kept when LPL_NOTEBOOK_SHOTS names a directory.
    let shots = std::env::var_os("LPL_NOTEBOOK_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("shots"));
    std::fs::create_dir_all(&shots).unwrap();
    for (name, url, size) in [
        (
            "timeline.png",
            format!("file://{}/timeline.html", dir.path().display()),
            "1280,1500",
        ),
        (
            "index.png",
            format!("file://{}/index.html", dir.path().display()),
            "1280,1400",
        ),
        (
            "entry.png",
            format!("file://{}", entry.display()),
            "1280,1800",
        ),
    ] {
        let png = shots.join(name);
        run_chromium(
            &bin,
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={size}"),
                url,
            ],
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "{name}: {} bytes",
            bytes.len()
        );
    }
}
