//! Hostile input in every field that reaches a page: messages (subject,
//! From, Message-ID, In-Reply-To, List-Id, body, commit message, file
//! names, diff lines, trailers) and the notebook's Markdown (headings,
//! titles, URLs, notes, questions). Each page is checked twice:
//!
//! - over HTTP, its markup: only known elements and attributes, no event
//!   handler, no inline style, no `javascript:`/`data:` URL, and the CSP
//!   header;
//! - in headless Chromium with the page's Content-Security-Policy
//!   bypassed (so escaping alone must hold): no payload ran (each would set
//!   `window.__xss` or log to the console), no `<script>` element, no
//!   event-handler attribute, and the payloads show as text.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use lpl_core::Workspace;
use lpl_core::notebook::lore::{MessageId, escape_msgid};
use serde_json::json;

use crate::cdp::{Browser, chromium};
use crate::http::{enc, get};

/// A payload that, if it ran, would say which field let it through.
fn script(field: &str) -> String {
    format!("<script>window.__xss='{field}';console.log('XSS {field}')</script>")
}

fn handler(field: &str) -> String {
    format!("<img src=x onerror=\"window.__xss='{field}'\">")
}

/// Everything nasty at once, tagged with the field's name.
fn nasty(field: &str) -> String {
    format!(
        "{} {} <a href=\"javascript:window.__xss='{field}'\">j</a> \
         <svg onload=window.__xss='{field}'> </pre></div></table>\"'> \
         <style>body{{display:none}}</style> <iframe src=\"javascript:1\"></iframe> \
         \u{202E}evil\u{202C} \u{1b}[31m\u{7}\u{1}",
        script(field),
        handler(field)
    )
}

const COVER: &str = "cover\"onmouseover=\"window.__xss=1@evil.example";
const PATCH: &str = "patch1'\"&amp;x=1;@evil.example";
const REPLY: &str = "javascript:window.__xss=1@evil.example";
const V2: &str = "v2-cover@evil.example";
const V2P: &str = "v2-patch1@evil.example";

fn message(id: &str, irt: Option<&str>, subject: &str, date: &str, body: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n");
    let mut h = format!(
        "From: \"{}\" <evil@example.com>\nTo: <list@evil.example>\nSubject: {subject}\n\
         Date: {date}\nMessage-ID: <{id}>\nList-Id: {} <evil.lists.example>\n",
        handler("from").replace('"', "'"),
        script("list-id"),
    );
    if let Some(p) = irt {
        h.push_str(&format!("In-Reply-To: <{p}>\nReferences: <{p}>\n"));
    }
    h.push_str("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n");
    out.extend_from_slice(h.as_bytes());
    for line in body.lines() {
        if line.trim_start_matches('>').starts_with("From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
}

fn patch_body(field: &str) -> String {
    let long = "A".repeat(200_000);
    format!(
        "{commit}\n\nSigned-off-by: {sob} <s@evil.example>\nReviewed-by: {rev} <r@evil.example>\n---\n \
         \"a/<img src=x onerror=window.__xss=1>.c\" | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n\
         diff --git \"a/<img src=x onerror=window.__xss=1>.c\" \"b/<img src=x onerror=window.__xss=1>.c\"\n\
         index 1111111..2222222 100644\n\
         --- \"a/<img src=x onerror=window.__xss=1>.c\"\n\
         +++ \"b/<img src=x onerror=window.__xss=1>.c\"\n\
         @@ -1,3 +1,3 @@ <script>window.__xss='hunk'</script>\n \
         int x;\n-{old}\n+{new}\n \
         {long}\n-- \n2.43.0\n",
        commit = nasty(&format!("{field}-commit")),
        sob = script("sob"),
        rev = handler("trailer"),
        old = script("diff-del"),
        new = nasty("diff-add"),
    )
}

/// The hostile mbox: a two-patch series in two revisions and a reply.
fn mbox() -> Vec<u8> {
    let mut out = Vec::new();
    let subj = format!("[PATCH 0/1] {}", nasty("subject"));
    message(
        COVER,
        None,
        &subj,
        "Mon, 1 Jan 2024 10:00:00 +0000",
        &format!("{}\n\n{}\n", nasty("cover-body"), "B".repeat(100_000)),
        &mut out,
    );
    message(
        PATCH,
        Some(COVER),
        &format!("[PATCH 1/1] evil: {}", script("patch-subject")),
        "Mon, 1 Jan 2024 10:00:01 +0000",
        &patch_body("v1"),
        &mut out,
    );
    message(
        REPLY,
        Some(PATCH),
        &format!("Re: [PATCH 1/1] evil: {}", script("reply-subject")),
        "Mon, 1 Jan 2024 11:00:00 +0000",
        &format!(
            "> {}\n\n{}\n\nReviewed-by: {} <x@evil.example>\n",
            script("quoted"),
            nasty("reply-body"),
            script("reply-trailer")
        ),
        &mut out,
    );
    message(
        V2,
        None,
        &format!("[PATCH v2 0/1] {}", nasty("subject")),
        "Mon, 8 Jan 2024 10:00:00 +0000",
        &format!(
            "v2: {}\n\nv1: https://lore.kernel.org/evil/{COVER}/\n",
            nasty("changelog")
        ),
        &mut out,
    );
    message(
        V2P,
        Some(V2),
        &format!("[PATCH v2 1/1] evil: {}", script("patch-subject")),
        "Mon, 8 Jan 2024 10:00:01 +0000",
        &patch_body("v2"),
        &mut out,
    );
    out
}

/// The hostile notebook.
fn notebook_text() -> String {
    let link = |id: &str| format!("https://lore.kernel.org/evil/{}/", enc(id));
    format!(
        "# {h1}\n\n## {topic}\n\n\
         - 2024-01-01 [\\[PATCH 0/1\\] {title}]({cover})\n\
         \x20 - {note}\n\
         \x20 - [click me](javascript:window.__xss='md-link')\n\
         \x20 - [data](data:text/html,<script>window.__xss=1</script>)\n\
         \x20 - ![img](javascript:window.__xss='md-img')\n\
         \x20 - <iframe src=\"javascript:window.__xss='iframe'\"></iframe> <style>body{{display:none}}</style>\n\
         \x20 - `{code}` **{bold}** <b onmouseover=\"window.__xss='raw-html'\">b</b>\n\
         \x20 - [ ] {question}\n\
         \x20 - [x] answered {answered}\n\
         - 2024-01-08 [v2 {title2}]({v2})\n\
         - 2024-01-09 [an entry linking javascript](javascript:window.__xss='entry-url')\n\
         - 2024-01-10 [\"><script>window.__xss='url-quote'</script>](https://lore.kernel.org/evil/\"><script>x</script>/)\n\
         - 📖 [\u{202E}rtl {long}](https://lore.kernel.org/evil/{patch}/)\n\n\
         ## <svg/onload=window.__xss='topic2'>\n\n\
         - [x] 2024-01-11 [{title3}](https://lore.kernel.org/evil/{reply}/)\n",
        h1 = script("h1"),
        topic = handler("topic"),
        title = script("title"),
        cover = link(COVER),
        note = nasty("note"),
        code = script("code"),
        bold = handler("bold"),
        question = nasty("question"),
        answered = script("answer"),
        title2 = handler("title2"),
        v2 = link(V2),
        long = "C".repeat(50_000),
        patch = enc(PATCH),
        title3 = nasty("title3"),
        reply = enc(REPLY),
    )
}

struct Hostile {
    _dir: tempfile::TempDir,
    home: PathBuf,
    notebook: PathBuf,
}

fn hostile() -> &'static Hostile {
    static H: OnceLock<Hostile> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let mb = dir.path().join("hostile.mbox");
        std::fs::write(&mb, mbox()).expect("mbox");
        let home = dir.path().join("home");
        let mut ws = Workspace::open(&home).expect("workspace");
        let out = ws
            .import(
                &[mb],
                &Default::default(),
                &AtomicBool::new(false),
                &mut |_| {},
            )
            .expect("import");
        assert!(out.failures.is_empty(), "{:?}", out.failures);
        let notebook = dir.path().join("roadmap.md");
        std::fs::write(&notebook, notebook_text()).expect("notebook");
        Hostile {
            _dir: dir,
            home,
            notebook,
        }
    })
}

fn serve(h: &Hostile) -> lpl_web::Running {
    lpl_web::Server::bind(lpl_web::Config {
        home: h.home.clone(),
        notebook: Some(h.notebook.clone()),
        addr: "127.0.0.1:0".parse().expect("addr"),
        workers: 2,
    })
    .expect("bind")
    .spawn()
    .expect("spawn")
}

fn path_of(mid: &str) -> String {
    format!(
        "/{}/",
        escape_msgid(MessageId::new(mid).expect("id").as_str())
    )
}

/// Every page a hostile field reaches.
fn pages(addr: std::net::SocketAddr) -> Vec<String> {
    let mut v: Vec<String> = [
        "/",
        "/timeline",
        "/series",
        "/search?q=script",
        "/search?q=s%3Aevil",
    ]
    .map(String::from)
    .to_vec();
    for id in [COVER, PATCH, REPLY, V2, V2P] {
        let p = path_of(id);
        v.push(p.clone());
        v.push(format!("{p}T/"));
        v.push(format!("/series{}", p.trim_end_matches('/')));
    }
    // The entry pages, as the roadmap links them.
    let home = get(addr, "/").text();
    let mut rest = home.as_str();
    while let Some(k) = rest.find("href=\"/entry/") {
        let after = &rest[k + 6..];
        let end = after.find('"').expect("closed");
        v.push(after[..end].to_owned());
        rest = &after[end..];
    }
    v.sort();
    v.dedup();
    v
}

const TAGS: &[&str] = &[
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "header",
    "nav",
    "main",
    "footer",
    "section",
    "article",
    "aside",
    "div",
    "span",
    "p",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "pre",
    "code",
    "strong",
    "em",
    "b",
    "i",
    "small",
    "details",
    "summary",
    "blockquote",
    "br",
    "hr",
    "form",
    "input",
    "textarea",
    "select",
    "option",
    "button",
    "label",
    "svg",
    "g",
    "rect",
    "circle",
    "line",
    "text",
    "path",
    "polyline",
    "time",
    "mark",
    "del",
    "ins",
    "kbd",
    "dl",
    "dt",
    "dd",
    "abbr",
    "sup",
    "sub",
];
const ATTRS: &[&str] = &[
    "href",
    "size",
    "class",
    "id",
    "lang",
    "charset",
    "name",
    "content",
    "rel",
    "title",
    "type",
    "value",
    "method",
    "action",
    "for",
    "rows",
    "required",
    "placeholder",
    "selected",
    "checked",
    "disabled",
    "open",
    "xmlns",
    "viewbox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "fill",
    "stroke",
    "stroke-width",
    "text-anchor",
    "font-size",
    "d",
    "role",
    "aria-label",
    "datetime",
    "colspan",
    "start",
    "dominant-baseline",
    "points",
    "stroke-dasharray",
    "opacity",
    "transform",
    "font-weight",
    "data-lines",
];

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        let after = &rest[k..];
        let end = after.find(';').unwrap_or(0);
        let ent = &after[..=end];
        let c = match ent {
            "&amp;" => Some('&'),
            "&lt;" => Some('<'),
            "&gt;" => Some('>'),
            "&quot;" => Some('"'),
            "&#39;" => Some('\''),
            e if e.starts_with("&#x") => u32::from_str_radix(&e[3..e.len() - 1], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with("&#") => e[2..e.len() - 1].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every tag of `html` is known, with known attributes only, and no URL
/// attribute holds a script.
fn check_markup(page: &str, html: &str) {
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(k) = html[i..].find('<') {
        let at = i + k;
        if html[at..].starts_with("<!DOCTYPE html>") {
            i = at + 15;
            continue;
        }
        let mut j = at + 1;
        if b.get(j) == Some(&b'/') {
            j += 1;
        }
        let name_end = html[j..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(html.len(), |e| j + e);
        let name = html[j..name_end].to_ascii_lowercase();
        assert!(
            TAGS.contains(&name.as_str()),
            "{page}: element <{name}> at byte {at}: {}",
            &html[at..(at + 120).min(html.len())]
        );
        // Attributes up to the closing `>` (values are quoted, and quotes
        // inside them escaped).
        let mut p = name_end;
        loop {
            while p < b.len() && (b[p].is_ascii_whitespace() || b[p] == b'/') {
                p += 1;
            }
            assert!(p < b.len(), "{page}: unterminated tag at {at}");
            if b[p] == b'>' {
                p += 1;
                break;
            }
            let an_end = html[p..]
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>')
                .map_or(html.len(), |e| p + e);
            let attr = html[p..an_end].to_ascii_lowercase();
            assert!(
                ATTRS.contains(&attr.as_str()),
                "{page}: attribute {attr:?} on <{name}>: {}",
                &html[at..(an_end + 80).min(html.len())]
            );
            p = an_end;
            if b.get(p) == Some(&b'=') {
                p += 1;
                let q = b[p];
                assert!(
                    q == b'"' || q == b'\'',
                    "{page}: unquoted {attr} on <{name}>"
                );
                let vend = html[p + 1..].find(char::from(q)).expect("closed value") + p + 1;
                let value = decode_entities(&html[p + 1..vend]);
                if matches!(attr.as_str(), "href" | "action") {
                    let v: String = value
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    assert!(
                        v.starts_with('/')
                            || v.starts_with('#')
                            || v.starts_with("https://")
                            || v.starts_with("http://")
                            || v.starts_with("mailto:"),
                        "{page}: {attr}={value:?}"
                    );
                }
                p = vend + 1;
            }
        }
        // The content of <title> and <textarea> is text (escaped anyway).
        i = p;
    }
}

#[test]
fn hostile_fields_are_escaped_in_the_markup() {
    let h = hostile();
    let srv = serve(h);
    let addr = srv.addr();
    let list = pages(addr);
    assert!(
        list.iter().filter(|p| p.starts_with("/entry/")).count() >= 5,
        "{list:?}"
    );
    let mut seen_payload = 0;
    for p in &list {
        let r = get(addr, p);
        assert!(r.status == 200, "{p}: {} {}", r.status, r.text());
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.contains("default-src 'none'") && !c.contains("script-src")),
            "{p}: CSP"
        );
        let html = r.text();
        check_markup(p, &html);
        assert!(!html.contains('\u{202E}'), "{p}: an RTL override left in");
        assert!(!html.contains('\u{1b}'), "{p}: a control character left in");
        if html.contains("&lt;script&gt;window.__xss=") {
            seen_payload += 1;
        }
    }
    assert!(
        seen_payload * 2 >= list.len(),
        "payloads shown escaped on {seen_payload} of {} pages",
        list.len()
    );
    // The raw message is served as plain text, never as HTML.
    let r = get(addr, &format!("{}raw", path_of(PATCH)));
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn no_hostile_payload_runs_in_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: no chromium on PATH (.ci/run installs it)");
        return;
    };
    let h = hostile();
    let srv = serve(h);
    let list = pages(srv.addr());
    let shots = crate::browser::artefacts();
    let mut b = Browser::start(&bin);
    // Escaping alone must hold: the page's CSP is switched off.
    b.call("Page.setBypassCSP", json!({ "enabled": true }));
    for p in &list {
        b.goto(&srv.url(p));
        let v = b.eval(
            "JSON.stringify({
               xss: window.__xss === undefined ? null : String(window.__xss),
               title: document.title,
               scripts: document.querySelectorAll('script, iframe, object, embed, style, base').length,
               handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                   .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
               jsurls: [...document.querySelectorAll('[href],[src],[action]')].map(e =>
                   e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
                   .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
               text: document.body.innerText.includes(\"<script>window.__xss=\"),
               shown: document.body.offsetHeight > 0,
             })",
        );
        let v: serde_json::Value =
            serde_json::from_str(v.as_str().expect("a JSON string")).expect("JSON");
        assert_eq!(v["xss"], serde_json::Value::Null, "{p}: a payload ran: {v}");
        assert_eq!(v["scripts"], 0, "{p}: {v}");
        assert_eq!(v["handlers"], json!([]), "{p}: {v}");
        assert_eq!(v["jsurls"], json!([]), "{p}: {v}");
        assert_eq!(v["shown"], true, "{p}: injected CSS hid the page: {v}");
        if p == &path_of(COVER) {
            assert_eq!(v["text"], true, "{p}: the payload shows as text: {v}");
            b.screenshot(&shots.join("hostile-cover.png"));
        }
    }
    let fired: Vec<&serde_json::Value> = b
        .events
        .iter()
        .filter(|e| {
            e["method"] == "Runtime.consoleAPICalled" || e["method"] == "Runtime.exceptionThrown"
        })
        .filter(|e| e.to_string().contains("XSS"))
        .collect();
    assert!(fired.is_empty(), "console: {fired:?}");
}
