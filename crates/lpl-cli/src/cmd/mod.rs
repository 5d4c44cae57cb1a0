//! One module per subcommand.

pub mod completions;
pub mod import;
pub mod quickstart;
pub mod show;
pub mod sources;
