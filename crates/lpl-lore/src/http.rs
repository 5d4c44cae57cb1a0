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
/// `Content-Encoding`, redirects up to a limit, a User-Agent naming `lpl`.
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// A transport configured from `cfg`.
    pub fn new(cfg: &Config) -> UreqTransport {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(cfg.user_agent.as_str())
            .max_redirects(cfg.max_redirects)
            .max_redirects_will_error(true)
            .timeout_resolve(Some(cfg.connect_timeout))
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_send_request(Some(cfg.read_timeout))
            .timeout_send_body(Some(cfg.read_timeout))
            .timeout_recv_response(Some(cfg.read_timeout))
            .timeout_per_read(Some(cfg.read_timeout))
            .build()
            .new_agent();
        UreqTransport { agent }
    }
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
        let res = match req.method {
            Method::Get => self.agent.get(&req.url).call(),
            Method::Post => self
                .agent
                .post(&req.url)
                .send_form(req.form.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        }
        .map_err(map_err)?;
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
}
