//! Integration tests of the store: a real SQLite file and a real pack file
//! in a temporary directory.

mod notes;
mod pack;
mod readers;
mod skipped;
