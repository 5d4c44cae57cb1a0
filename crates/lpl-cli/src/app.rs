//! What every command needs: where the data lives, the workspace, and
//! output (colour that respects NO_COLOR and pipes, a pager for long
//! output).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anstream::AutoStream;
use lpl_core::Workspace;

use crate::error::{CmdResult, CommandError};

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Global settings, resolved once from flags and the environment.
pub struct App {
    pub home: PathBuf,
    /// The home was chosen by --home or $LPL_HOME (not the default).
    pub home_explicit: bool,
    pub color: ColorChoice,
    pub pager: bool,
}

/// The data directory: `--home`, else `$LPL_HOME`, else
/// `$XDG_DATA_HOME/lpl`, else `~/.local/share/lpl`.
/// Now, in unix seconds ("now" of relative dates such as `d:2.weeks.ago..`).
/// Set by Ctrl-C: the cancel flag every long command hands to core, which
/// stops at the next safe point (a batch boundary: what was stored before
/// is committed with its source position).
pub static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Installs the Ctrl-C handler: the first press asks the running command
/// to stop cleanly; a second one quits at once (exit 130).
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: stopping at the next safe point (Ctrl-C again quits at once)");
    });
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn resolve_home(flag: Option<PathBuf>) -> CmdResult<PathBuf> {
    if let Some(h) = flag {
        return Ok(h);
    }
    if let Some(h) = std::env::var_os("LPL_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(x).join("lpl"));
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".local/share/lpl")),
        None => Err(CommandError::user("cannot find a data directory: neither --home, $LPL_HOME, $XDG_DATA_HOME nor $HOME is set")
            .hint("pass --home DIR or set LPL_HOME")),
    }
}

impl App {
    /// The archive for a command that writes (created when missing).
    pub fn workspace_rw(&self) -> CmdResult<Workspace> {
        Ok(Workspace::open(&self.home)?)
    }

    /// The existing archive, for a command that writes into it.
    pub fn workspace_existing_rw(&self) -> CmdResult<Workspace> {
        Ok(Workspace::open_existing(&self.home)?)
    }

    /// The existing archive, read-only (read commands on a fresh machine
    /// say what to do instead of creating an empty one).
    pub fn workspace(&self) -> CmdResult<Workspace> {
        Ok(Workspace::open_read_only(&self.home)?)
    }

    fn anstream_choice(&self) -> anstream::ColorChoice {
        match self.color {
            ColorChoice::Auto => anstream::ColorChoice::Auto,
            ColorChoice::Always => anstream::ColorChoice::Always,
            ColorChoice::Never => anstream::ColorChoice::Never,
        }
    }

    /// Output for a long listing: through the pager when stdout is a
    /// terminal (and paging is on), else straight to stdout.
    pub fn output(&self) -> Output {
        let tty = std::io::stdout().is_terminal();
        if tty
            && self.pager
            && let Some(child) = spawn_pager()
        {
            let color = match self.color {
                ColorChoice::Never => anstream::ColorChoice::Never,
                _ if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                    && self.color == ColorChoice::Auto =>
                {
                    anstream::ColorChoice::Never
                }
                _ => anstream::ColorChoice::Always,
            };
            return Output::Pager { child, color };
        }
        Output::Stdout(AutoStream::new(std::io::stdout(), self.anstream_choice()))
    }

    /// Output that is never paged (short answers, JSON).
    pub fn plain(&self) -> Output {
        Output::Stdout(AutoStream::new(std::io::stdout(), self.anstream_choice()))
    }
}

fn spawn_pager() -> Option<Child> {
    let cmd = std::env::var("LPL_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less".to_owned());
    let cmd = cmd.trim();
    if cmd.is_empty() || cmd == "cat" {
        return None;
    }
    let mut parts = cmd.split_whitespace();
    let prog = parts.next()?;
    let mut c = Command::new(prog);
    c.args(parts).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        c.env("LESS", "FRX");
    }
    c.spawn().ok()
}

/// Where a command writes its output.
pub enum Output {
    Stdout(AutoStream<std::io::Stdout>),
    Pager {
        child: Child,
        color: anstream::ColorChoice,
    },
}

impl Output {
    /// Writes, stripping colour when it is not wanted.
    pub fn write_str(&mut self, s: &str) -> std::io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(s.as_bytes()),
            Output::Pager { child, color } => {
                let stdin = child
                    .stdin
                    .as_mut()
                    .ok_or_else(|| std::io::Error::other("pager has no stdin"))?;
                if *color == anstream::ColorChoice::Never {
                    stdin.write_all(anstream::adapter::strip_str(s).to_string().as_bytes())
                } else {
                    stdin.write_all(s.as_bytes())
                }
            }
        }
    }

    /// Flushes and waits for the pager.
    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::Pager { mut child, .. } => {
                drop(child.stdin.take());
                child.wait().map(|_| ())
            }
        }
    }
}

/// Styles used across commands.
pub mod style {
    use anstyle::{AnsiColor, Style};
    pub const HEADER: Style = AnsiColor::Yellow.on_default().bold();
    pub const KEY: Style = AnsiColor::Cyan.on_default();
    pub const DIM: Style = Style::new().dimmed();
    pub const ADD: Style = AnsiColor::Green.on_default();
    pub const DEL: Style = AnsiColor::Red.on_default();
    pub const HUNK: Style = AnsiColor::Cyan.on_default();
    pub const WARN: Style = AnsiColor::Yellow.on_default();
    pub const BOLD: Style = Style::new().bold();

    /// `s` wrapped in `style`; its own control characters, if any, shown
    /// inert ([`inert_text`]): the only escapes printed are the style's.
    pub fn paint(style: Style, s: &str) -> String {
        format!("{style}{}{style:#}", inert_text(s))
    }

    /// One line of mail (a subject, a name, a Message-ID) for the terminal:
    /// control characters, tabs and newlines shown inert (`^[`, `<U+202E>`).
    /// Mail comes from strangers; an escape must not reach the terminal.
    pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
        if s.chars().all(|c| !c.is_control() && !is_override(c)) {
            std::borrow::Cow::Borrowed(s)
        } else {
            std::borrow::Cow::Owned(lpl_tui::sanitize::clean(s))
        }
    }

    /// A multi-line text of mail (a body, a diff): newlines and tabs kept,
    /// every other control character shown inert.
    pub fn inert_text(s: &str) -> std::borrow::Cow<'_, str> {
        lpl_tui::sanitize::text(s)
    }

    fn is_override(c: char) -> bool {
        matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
}
