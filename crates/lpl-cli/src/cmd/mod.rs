//! One module per subcommand.

pub mod code;
pub mod completions;
pub mod diff;
pub mod fetch;
pub mod import;
pub mod notebook;
pub mod quickstart;
pub mod reply;
pub mod review;
pub mod search;
pub mod series;
pub mod serve;
pub mod show;
pub mod sources;
pub mod tui;
pub mod upstream;
