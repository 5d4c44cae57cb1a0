//! `lpl tui`: a terminal UI for reading and learning patch series.
//!
//! Views (a stack; `q` goes back): the roadmap (the user's notebook, each
//! entry with its badges: in the archive, newer revision, open questions,
//! 🚧/merged, reading progress), the series list (newest first, filter as
//! you type, lei queries), a series (summary, upstream, revisions, patches
//! with diffstat and trailers, cover letter), a message (a patch's commit
//! message and coloured diff, the replies below it inline, quoted text
//! folded), the thread tree, the range-diff of two revisions, search
//! results, the upstream commits. From any view a note or a question goes
//! into the roadmap entry of what is read, through the notebook's own edit
//! functions (byte-exact, `.bak`, refused when the file changed).
//!
//! Every query runs on a worker thread that owns a read-only
//! [`lpl_core::Workspace`]; the draw loop never waits for the archive.
//! Every string from mail is made inert ([`sanitize::clean`]) before it is
//! drawn. What this crate does not do: decide what an argument names,
//! where files live in the home, or when an index is rebuilt (lpl-core
//! does); read the environment (the caller passes [`Options`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod draw;
mod rows;
pub mod sanitize;
mod term;
mod theme;
mod worker;

pub use app::{App, Options};
pub use draw::draw;
pub use term::run as run_app;

/// Opens `ws` in the terminal and runs until the user quits.
pub fn run(ws: lpl_core::Workspace, opts: Options) -> std::io::Result<()> {
    term::run(App::new(ws, opts))
}
