//! Tests against real servers on 127.0.0.1: a lore look-alike serving the
//! fixture epoch's messages, and `git http-backend` serving the epoch.

mod client;
mod corpus;
mod hostile;
mod server;
mod store;
