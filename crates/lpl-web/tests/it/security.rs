//! The guard: Host, Origin, CSRF token, path traversal.

use crate::fixture::{archive, notebook, serve};
use crate::http::{get, post_form, request};
use crate::pages::{field, first_entry};

#[test]
fn foreign_hosts_writes_without_token_or_origin_and_traversal_are_refused() {
    let a = archive();
    let dir = tempfile::tempdir().expect("tmp");
    let nb = notebook(dir.path(), a);
    let before = std::fs::read(&nb).expect("read");
    let srv = serve(a, Some(nb.clone()));
    let addr = srv.addr();

    // DNS rebinding: another name for 127.0.0.1.
    for host in [
        "evil.example",
        "evil.example:80",
        &format!("attacker.test:{}", addr.port()),
        "",
    ] {
        let r = request(addr, "GET", "/", &[("Host", host)], b"");
        assert_eq!(r.status, 421, "Host {host:?}");
    }
    assert_eq!(
        request(
            addr,
            "GET",
            "/",
            &[("Host", &format!("localhost:{}", addr.port()))],
            b""
        )
        .status,
        200
    );

    let entry = first_entry(&get(addr, "/").text());
    let page = get(addr, &entry).text();
    let (csrf, rev) = (field(&page, "csrf"), field(&page, "rev"));
    let note = format!("{entry}/note");
    // No token, a wrong token, another origin, no origin at all.
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
    let cases: [Case; 5] = [
        (&[("rev", &rev), ("text", "x")], None),
        (&[("csrf", "00"), ("rev", &rev), ("text", "x")], None),
        (
            &[("csrf", &csrf), ("rev", &rev), ("text", "x")],
            Some("http://evil.example"),
        ),
        (
            &[("csrf", &csrf), ("rev", &rev), ("text", "x")],
            Some("null"),
        ),
        (&[("csrf", &csrf), ("rev", &rev), ("text", "x")], Some("")),
    ];
    for (fields, origin) in cases {
        let r = post_form(addr, &note, fields, origin);
        assert_eq!(r.status, 403, "{fields:?} {origin:?}");
    }
    assert_eq!(std::fs::read(&nb).expect("read"), before, "nothing written");

    // Traversal in every URL parameter.
    for p in [
        "/..%2F..%2Fetc%2Fpasswd/raw",
        "/%2e%2e/raw",
        "/a%40b%2F..%2F..%2Fx/raw",
        "/series/..%2F..%2Fetc",
        "/io-uring/..%2Fa%40b/",
        "/a%40b%5C..%5Cx/",
        "/a%40b%00/raw",
    ] {
        let r = get(addr, p);
        assert_eq!(r.status, 400, "{p}: {}", r.text());
    }
    for p in ["/entry/..%2F..%2Fetc%2Fpasswd", "/entry/..", "/entry/A%2Fb"] {
        let r = get(addr, p);
        assert!(r.status == 400 || r.status == 404, "{p}: {}", r.status);
        assert!(!r.text().contains("root:"), "{p}");
    }
    let r = post_form(
        addr,
        "/entry/..%2F..%2Fx/note",
        &[("csrf", &csrf), ("rev", &rev), ("text", "x")],
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(std::fs::read(&nb).expect("read"), before, "nothing written");
}
