//! lpl-web's integration tests: the real server on 127.0.0.1 (port 0),
//! used over HTTP and by headless Chromium, on an archive imported from
//! the shared corpus.

mod browser;
mod cdp;
mod fixture;
mod hostile;
mod http;
mod pages;
mod security;
