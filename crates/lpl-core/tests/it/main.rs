//! lpl-core's use cases end to end, on real files: fetch and sync from a
//! lore look-alike on 127.0.0.1.

mod fetch;
mod replies;
