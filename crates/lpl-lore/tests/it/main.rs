//! Tests against real servers on 127.0.0.1: a lore look-alike serving the
//! fixture epoch's messages (`lpl_testutil::lore`), and `git http-backend`
//! serving the epoch. The end-to-end fetch and sync into an archive are
//! lpl-core's tests.

mod client;
mod hostile;
