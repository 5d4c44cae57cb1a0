//! Integration tests of the code index on the real kernel source (Debian's
//! linux-source-6.12, extracted once under target/).

mod attribute;
mod calls;
mod ctags;
mod kernel;
mod trees;
