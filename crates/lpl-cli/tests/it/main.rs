//! End-to-end tests of the `lpl` binary on real data: the bundled sample and
//! slices of the public-inbox epochs in `../shared/corpus/lists/`.

mod code;
mod concurrency;
mod diff;
mod faults;
mod fetch;
mod hostile;
mod import;
mod notebook_edit;
mod notebook_fetch;
mod notebook_upstream;
mod quickstart;
mod reply;
mod review;
mod revisions;
mod search;
mod tui;
mod upstream;
mod util;
