//! What every request passes before a page is made: the Host header names
//! this server (a page on another site that rebinds its DNS name to
//! 127.0.0.1 sends its own name, and is refused), a write carries the
//! CSRF token and comes from this server's own origin, and no URL
//! parameter can climb out of what it names. Every answer carries the
//! security headers ([`HEADERS`]).

use std::io::Read as _;
use std::net::SocketAddr;

/// The Content-Security-Policy of every page: no script at all, styles
/// only from the server's own style sheet, images only inline (the SVG
/// timelines are inline elements, not images), forms post only here, no
/// framing, no `<base>`.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Headers on every answer.
pub const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    // Not `no-referrer` (neither here nor in the pages' <meta
    // name="referrer">, which overrides this header): with it Chromium
    // sends `Origin: null` on a form post, and the write is refused as
    // cross-origin.
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// The server's identity: its address, the Host values it answers to and
/// its CSRF token.
#[derive(Debug)]
pub struct Guard {
    addr: SocketAddr,
    hosts: Vec<String>,
    token: String,
}

impl Guard {
    /// A guard for a server listening on `addr`, with a fresh random token.
    pub fn new(addr: SocketAddr) -> std::io::Result<Guard> {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Guard::with_token(addr, token))
    }

    fn with_token(addr: SocketAddr, token: String) -> Guard {
        let port = addr.port();
        let mut hosts = vec![addr.to_string()];
        if addr.ip().is_loopback() || addr.ip().is_unspecified() {
            for h in ["127.0.0.1", "localhost", "[::1]"] {
                hosts.push(format!("{h}:{port}"));
            }
        }
        hosts.sort();
        hosts.dedup();
        Guard { addr, hosts, token }
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The CSRF token forms carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether `host` (the Host header) names this server.
    pub fn host_ok(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.hosts.iter().any(|x| x.eq_ignore_ascii_case(h)))
    }

    /// Whether a write's `Origin` (or, without one, its `Referer`) is this
    /// server: `http://HOST` for a Host it answers to. A write with
    /// neither is refused: browsers send `Origin` on every form post.
    pub fn origin_ok(&self, origin: Option<&str>, referer: Option<&str>) -> bool {
        let same = |o: &str| {
            o.strip_prefix("http://")
                .map(|h| h.split('/').next().unwrap_or(h))
                .is_some_and(|h| self.host_ok(Some(h)))
        };
        match (origin, referer) {
            (Some(o), _) => same(o),
            (None, Some(r)) => same(r),
            (None, None) => false,
        }
    }

    /// Whether `token` is this server's CSRF token (compared in constant
    /// time).
    pub fn token_ok(&self, token: &str) -> bool {
        let (a, b) = (token.as_bytes(), self.token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Decodes one URL path segment (`%XX`), refusing what could climb or
/// confuse a path: `.` and `..`, a `/` or `\` that would make `..` a
/// segment, NUL and other control characters, bytes that are not UTF-8.
pub fn segment(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let (h, l) = (
                b.get(i + 1).copied().and_then(hex)?,
                b.get(i + 2).copied().and_then(hex)?,
            );
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    let climbs =
        s == "." || s == ".." || s.contains('\\') || s.split('/').any(|p| p == ".." || p == ".");
    if climbs || s.chars().any(char::is_control) {
        return None;
    }
    Some(s)
}

/// Whether `s` is a notebook anchor (`[a-z0-9-]`, as `slug` makes them).
pub fn anchor_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_origins_tokens() {
        let g = Guard::with_token("127.0.0.1:8080".parse().expect("addr"), "ab12".into());
        assert!(g.host_ok(Some("127.0.0.1:8080")));
        assert!(g.host_ok(Some("localhost:8080")));
        assert!(!g.host_ok(Some("evil.example:8080")));
        assert!(!g.host_ok(Some("127.0.0.1:8081")));
        assert!(!g.host_ok(None));
        assert!(g.origin_ok(Some("http://localhost:8080"), None));
        assert!(!g.origin_ok(Some("http://evil.example"), Some("http://127.0.0.1:8080/")));
        assert!(!g.origin_ok(Some("null"), None));
        assert!(g.origin_ok(None, Some("http://127.0.0.1:8080/entry/x")));
        assert!(!g.origin_ok(None, None));
        assert!(g.token_ok("ab12"));
        assert!(!g.token_ok("ab13"));
        assert!(!g.token_ok(""));
    }

    #[test]
    fn segments_that_climb_are_refused() {
        assert_eq!(segment("a%40b.c").as_deref(), Some("a@b.c"));
        for bad in [
            "..",
            ".",
            "%2e%2e",
            "%2E.",
            "a%2F..%2Fb",
            "..%2Fetc",
            "a%5Cb",
            "a%00b",
            "%0a",
            "%ff",
            "%4",
        ] {
            assert_eq!(segment(bad), None, "{bad}");
        }
        assert!(anchor_ok("thp-refcounting-2"));
        assert!(!anchor_ok("../x"));
        assert!(!anchor_ok(""));
    }
}
