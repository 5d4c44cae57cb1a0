//! One module per subcommand.

pub mod completions;
pub mod import;
pub mod quickstart;
pub mod series;
pub mod show;
pub mod sources;
