//! `lpl completions SHELL` and `lpl man`.

use std::path::PathBuf;

use crate::error::CmdResult;

/// Print a shell completion script
///
/// Example: lpl completions bash > ~/.local/share/bash-completion/completions/lpl
#[derive(clap::Args)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Write the man page (lpl.1, and one per subcommand with --dir)
///
/// Example: lpl man --dir ~/.local/share/man/man1 && man lpl
#[derive(clap::Args)]
pub struct ManArgs {
    /// Write lpl.1 and lpl-SUBCOMMAND.1 into this directory instead of printing lpl.1
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(a: Args, mut cmd: clap::Command) -> CmdResult {
    clap_complete::generate(a.shell, &mut cmd, "lpl", &mut std::io::stdout());
    Ok(0)
}

pub fn man(a: ManArgs, cmd: clap::Command) -> CmdResult {
    match a.dir {
        None => {
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            clap_mangen::generate_to(cmd, &dir)?;
            eprintln!("wrote man pages to {}", dir.display());
        }
    }
    Ok(0)
}
