//! Integration tests of the notebook on the real seed roadmap.

mod archive;
mod edits;
mod render;
mod roundtrip;
mod search;
mod seed;
