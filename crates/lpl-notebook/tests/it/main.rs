//! Integration tests of the notebook on the real seed roadmap.

mod archive;
mod edits;
mod roundtrip;
mod seed;
