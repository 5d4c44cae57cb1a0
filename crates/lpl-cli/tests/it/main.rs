//! End-to-end tests of the `lpl` binary on real data: the bundled sample and
//! slices of the public-inbox epochs in `../shared/corpus/lists/`.

mod fetch;
mod import;
mod quickstart;
mod search;
mod util;
