//! End-to-end tests of the `lpl` binary on real data: the bundled sample and
//! slices of the public-inbox epochs in `../shared/corpus/lists/`.

#[allow(dead_code)]
#[path = "../../../lpl-lore/tests/it/corpus.rs"]
mod corpus;
mod diff;
mod fetch;
mod hostile;
mod import;
mod notebook_fetch;
mod quickstart;
mod search;
#[allow(dead_code)]
#[path = "../../../lpl-lore/tests/it/server.rs"]
mod server;
mod util;
