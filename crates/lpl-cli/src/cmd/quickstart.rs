//! `lpl quickstart`: the main job on the bundled sample.

use crate::app::App;
use crate::error::CmdResult;

/// Import the bundled sample (real linux-mm threads) and show what lpl found
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_app: &App, _a: Args) -> CmdResult {
    Ok(0)
}
