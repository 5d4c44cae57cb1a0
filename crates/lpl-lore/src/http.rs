//! HTTP behind a trait: one request, one response with a streaming body.

use std::io::Read;
use std::time::Duration;

use crate::Config;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST with a form body.
    Post,
}

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    /// GET or POST.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Form fields of a POST.
    pub form: Vec<(String, String)>,
}

/// A response whose body has not been read yet.
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// `Content-Type` without parameters, lower case.
    pub content_type: Option<String>,
    /// `Retry-After` in seconds, when given.
    pub retry_after: Option<u64>,
    /// The body (transfer/content encodings already undone).
    pub body: Box<dyn Read + Send>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Name resolution failed: retrying will not help soon.
    #[error("{0}")]
    HostNotFound(String),
    /// Connection refused, reset, TLS failure.
    #[error("{0}")]
    Connect(String),
    /// No answer in time.
    #[error("timed out ({0})")]
    Timeout(String),
    /// Redirects went round in circles.
    #[error("too many redirects")]
    TooManyRedirects,
    /// A redirect that is not followed (another host, another scheme).
    #[error("redirected to {to}: {reason}")]
    RedirectRefused {
        /// The `Location` the server gave.
        to: String,
        /// Why it is not followed.
        reason: String,
    },
    /// Anything else (the request could not even be made).
    #[error("{0}")]
    Other(String),
}

/// Sends requests. [`UreqTransport`] is the real one.
pub trait Transport: Send + Sync {
    /// Sends `req` and returns the response head with a body to stream.
    fn send(&self, req: &Request) -> Result<HttpResponse, TransportError>;
}

/// HTTPS with rustls through `ureq`: timeouts on connect, on the response
/// head and on every body read (a stalled server never hangs us), gzip
/// `Content-Encoding`, redirects up to a limit and only to the same host
/// (unless configured otherwise) over http(s), never from https down to
/// http, a User-Agent naming `lpl`.
pub struct UreqTransport {
    agent: ureq::Agent,
    max_redirects: u32,
    other_hosts: bool,
}

impl UreqTransport {
    /// A transport configured from `cfg`.
    pub fn new(cfg: &Config) -> UreqTransport {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(cfg.user_agent.as_str())
            // Redirects are followed here, where each target is checked.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_resolve(Some(cfg.connect_timeout))
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_send_request(Some(cfg.read_timeout))
            .timeout_send_body(Some(cfg.read_timeout))
            .timeout_recv_response(Some(cfg.read_timeout))
            .timeout_per_read(Some(cfg.read_timeout))
            .build()
            .new_agent();
        UreqTransport {
            agent,
            max_redirects: cfg.max_redirects,
            other_hosts: cfg.redirect_other_hosts,
        }
    }
}

/// Where a redirect from `from` to `location` leads, if lpl follows it:
/// http(s) only, never from https down to http, and on the same host
/// (name and port) unless `other_hosts`.
pub fn redirect_target(
    from: &str,
    location: &str,
    other_hosts: bool,
) -> Result<String, TransportError> {
    let refuse = |reason: &str| TransportError::RedirectRefused {
        to: location.to_owned(),
        reason: reason.to_owned(),
    };
    let loc = location.trim();
    if loc.chars().any(char::is_control) {
        return Err(refuse("the address holds control characters"));
    }
    let (from_scheme, from_rest) = from.split_once("://").unwrap_or(("https", from));
    let origin_end = from_rest.find(['/', '?', '#']).unwrap_or(from_rest.len());
    let origin = &from[..from.len() - from_rest.len() + origin_end];
    let scheme_of = |u: &str| -> Option<String> {
        let colon = u.find(':')?;
        let s = &u[..colon];
        let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        ok.then(|| s.to_ascii_lowercase())
    };
    let target = if let Some(rest) = loc.strip_prefix("//") {
        format!("{from_scheme}://{rest}")
    } else if let Some(s) = scheme_of(loc) {
        if s != "http" && s != "https" {
            return Err(refuse(&format!("a {s}: address, not http(s)")));
        }
        loc.to_owned()
    } else if loc.starts_with('/') {
        format!("{origin}{loc}")
    } else {
        // Relative to the current path's directory.
        let path_end = from.find(['?', '#']).unwrap_or(from.len());
        let base = &from[..path_end];
        let dir = match base.rfind('/') {
            Some(i) if i >= origin.len() => &base[..=i],
            _ => return Ok(format!("{origin}/{loc}")),
        };
        format!("{dir}{loc}")
    };
    let to_scheme = scheme_of(&target).unwrap_or_default();
    if from_scheme.eq_ignore_ascii_case("https") && to_scheme == "http" {
        return Err(refuse("from https down to plain http"));
    }
    let (a, b) = (
        crate::url::host(from).to_ascii_lowercase(),
        crate::url::host(&target).to_ascii_lowercase(),
    );
    if b.is_empty() {
        return Err(refuse("no host"));
    }
    if a != b && !other_hosts {
        return Err(refuse(&format!(
            "another host than {a} (lpl stays on the configured server)"
        )));
    }
    Ok(target)
}

fn map_err(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::HostNotFound => TransportError::HostNotFound("host not found".into()),
        ureq::Error::Timeout(t) => TransportError::Timeout(t.to_string()),
        ureq::Error::TooManyRedirects => TransportError::TooManyRedirects,
        ureq::Error::ConnectionFailed => TransportError::Connect("connection failed".into()),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                TransportError::Timeout(io.to_string())
            }
            // getaddrinfo failures arrive as plain I/O errors.
            _ if is_dns_failure(&io.to_string()) => TransportError::HostNotFound(io.to_string()),
            _ => TransportError::Connect(io.to_string()),
        },
        ureq::Error::Tls(t) => TransportError::Connect(format!("TLS: {t}")),
        ureq::Error::Rustls(t) => TransportError::Connect(format!("TLS: {t}")),
        other => TransportError::Other(other.to_string()),
    }
}

impl Transport for UreqTransport {
    fn send(&self, req: &Request) -> Result<HttpResponse, TransportError> {
        let mut url = req.url.clone();
        let mut method = req.method;
        let mut hops = 0;
        let res = loop {
            let res = match method {
                Method::Get => self.agent.get(&url).call(),
                Method::Post => self
                    .agent
                    .post(&url)
                    .send_form(req.form.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            }
            .map_err(map_err)?;
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            match (status, location) {
                (301 | 302 | 303 | 307 | 308, Some(loc)) => {
                    hops += 1;
                    if hops > self.max_redirects {
                        return Err(TransportError::TooManyRedirects);
                    }
                    url = redirect_target(&url, &loc, self.other_hosts)?;
                    if status == 303 || (matches!(status, 301 | 302) && method == Method::Post) {
                        method = Method::Get;
                    }
                }
                _ => break res,
            }
        };
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase());
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = res.into_body().into_reader();
        Ok(HttpResponse {
            status,
            content_type,
            retry_after,
            body: Box::new(body),
        })
    }
}

fn is_dns_failure(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "failed to lookup address",
        "name or service not known",
        "temporary failure in name resolution",
        "no address associated",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// The backoff before retry number `attempt` (0-based): `base * 2^attempt`,
/// at most 30 s, or the server's `Retry-After` when it asks for longer (up
/// to 5 minutes).
pub(crate) fn backoff(base: Duration, attempt: u32, retry_after: Option<u64>) -> Duration {
    let exp = base
        .saturating_mul(1u32 << attempt.min(10))
        .min(Duration::from_secs(30));
    match retry_after {
        Some(s) => exp.max(Duration::from_secs(s.min(300))),
        None => exp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_failures_are_recognised_and_backoff_grows() {
        assert!(is_dns_failure(
            "failed to lookup address information: Name or service not known"
        ));
        assert!(!is_dns_failure("Connection refused (os error 111)"));
        let b = Duration::from_millis(100);
        assert_eq!(backoff(b, 0, None), b);
        assert_eq!(backoff(b, 3, None), Duration::from_millis(800));
        assert_eq!(backoff(b, 20, None), Duration::from_secs(30));
        assert_eq!(backoff(b, 0, Some(7)), Duration::from_secs(7));
    }

    #[test]
    fn redirects_stay_on_the_host_and_on_http() {
        let from = "https://lore.kernel.org/all/x@y/t.mbox.gz";
        let ok = |l: &str| redirect_target(from, l, false).map_err(|e| e.to_string());
        assert_eq!(
            ok("/linux-mm/x@y/t.mbox.gz").as_deref(),
            Ok("https://lore.kernel.org/linux-mm/x@y/t.mbox.gz")
        );
        assert_eq!(
            ok("t2.mbox.gz").as_deref(),
            Ok("https://lore.kernel.org/all/x@y/t2.mbox.gz")
        );
        assert_eq!(
            ok("HTTPS://LORE.kernel.org/a").as_deref(),
            Ok("HTTPS://LORE.kernel.org/a")
        );
        for bad in [
            "file:///etc/passwd",
            "file:/etc/passwd",
            "ftp://lore.kernel.org/x",
            "javascript:alert(1)",
            "https://evil.example/x",
            "//evil.example/x",
            "http://lore.kernel.org/x",
            "https://lore.kernel.org:8443/x",
            "/a\nb",
        ] {
            let e = ok(bad).expect_err(bad);
            assert!(e.starts_with("redirected to"), "{bad}: {e}");
        }
        assert!(
            ok("file:///etc/passwd")
                .unwrap_err()
                .contains("a file: address")
        );
        assert!(redirect_target(from, "https://mirror.example/x", true).is_ok());
        assert!(redirect_target("http://127.0.0.1:8080/a", "/b", false).is_ok());
    }
}
