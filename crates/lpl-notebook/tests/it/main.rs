//! Integration tests of the notebook on the real seed roadmap.

mod edits;
mod seed;
