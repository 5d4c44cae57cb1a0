//! lpl-web's integration tests: the real server on 127.0.0.1 (port 0),
//! used over HTTP, on an archive imported from the shared corpus.

mod fixture;
mod http;
mod pages;
mod security;
