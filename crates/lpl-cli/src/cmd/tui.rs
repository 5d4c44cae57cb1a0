//! `lpl tui`: the terminal UI (lpl-tui) over the archive and the roadmap.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::app::{App, ColorChoice};
use crate::config;
use crate::error::{CmdResult, CommandError};

/// Read series and learn them in the terminal: roadmap, series, patches, threads
///
/// Starts on your roadmap (NOTEBOOK, else the one `lpl notebook use`
/// remembered), or on the series list when there is none. Keys are those
/// of tig, mutt and less: j/k, Enter, q, /, n/N, g/G, Tab; ? lists them all.
/// Notes (c), questions (C) and reading marks (m, M) go into the roadmap
/// entry of what you read, as `lpl notebook` writes them (FILE.bak kept;
/// nothing written if the file changed on disk meanwhile). o shows the
/// lore URL (and opens it in $BROWSER when set); a writes a git am mbox of
/// the series into the current directory. NO_COLOR turns colours off.
///
/// Examples:
///   lpl tui                         # the roadmap remembered by `lpl notebook use`
///   lpl tui ~/notes/roadmap.md
///   NO_COLOR=1 lpl tui
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The roadmap (default: notebook.file in the config file)
    notebook: Option<PathBuf>,
}

pub fn run(app: &App, a: Args) -> CmdResult {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CommandError::user("lpl tui needs a terminal")
            .hint("for output to a pipe or file use lpl series, lpl show, lpl notebook check"));
    }
    let notebook = a
        .notebook
        .or_else(|| config::get("notebook", "file").map(PathBuf::from));
    let ws = app.workspace()?;
    let color = match app.color {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let browser = std::env::var("BROWSER").ok().filter(|b| !b.is_empty());
    let cwd = std::env::current_dir()?;
    let opts = lpl_tui::Options::new(notebook, cwd)
        .color(color)
        .browser(browser)
        .reply(
            crate::cmd::reply::identity().ok(),
            Some(crate::cmd::reply::editor()),
        );
    lpl_tui::run(ws, opts)?;
    Ok(0)
}
