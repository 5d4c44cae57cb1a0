//! `lpl`: archive, understand and learn Linux kernel patch series from the
//! mailing lists.

#![forbid(unsafe_code)]

mod app;
mod cmd;
mod config;
mod error;
mod table;

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use app::{App, ColorChoice};
use error::{CommandError, exit};

const ABOUT: &str =
    "Archive, understand and learn Linux kernel patch series from the mailing lists";

const LONG_ABOUT: &str = "\
lpl keeps a local archive of kernel mailing lists (public-inbox epochs as lore
serves them, mbox, Maildir, single messages), understands each message as a
patch where it is one (subject tags, commit message, trailers, diffstat, files
and functions touched, git patch-id), and links it all to your own Markdown
roadmap of the series you study.

Start here:
  lpl quickstart                 import the bundled sample and show what lpl found
  lpl import ~/lore/linux-mm/git/0.git
                                 import a public-inbox epoch (or an mbox, a Maildir ...)
  lpl show <message-id>          one message as understood (a lore URL works too)
  lpl diff <series>              what changed between its two newest revisions
  lpl code history <function>    every series that changed a function (after lpl code index)

The archive lives in $LPL_HOME, else $XDG_DATA_HOME/lpl (~/.local/share/lpl).";

const AFTER_HELP: &str = "\
Exit status: 0 success, 1 nothing found, 2 wrong usage or input (also: the data
directory is read-only or its disk is full), 130 a second Ctrl-C, 255 internal error.
Ctrl-C stops a long command at the next safe point and says what was kept.
Colour follows the terminal; NO_COLOR=1 or --color never turns it off.
Long output goes through $LPL_PAGER or $PAGER (default: less -FRX); --no-pager turns it off.";

#[derive(Parser)]
#[command(name = "lpl", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
struct Cli {
    /// Data directory (default: $LPL_HOME, else $XDG_DATA_HOME/lpl)
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,

    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    /// Do not page long output
    #[arg(long, global = true)]
    no_pager: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Import(cmd::import::Args),
    Fetch(cmd::fetch::FetchArgs),
    Sync(cmd::fetch::SyncArgs),
    Series(cmd::series::ListArgs),
    Show(cmd::show::Args),
    Thread(cmd::series::ThreadArgs),
    Revisions(cmd::series::RevisionsArgs),
    Diff(cmd::diff::Args),
    Reply(cmd::reply::Args),
    Review(cmd::review::Args),
    Am(cmd::series::AmArgs),
    Notebook(cmd::notebook::Args),
    Upstream(cmd::upstream::Args),
    Code(cmd::code::Args),
    Search(cmd::search::Args),
    Serve(cmd::serve::Args),
    Sources(cmd::sources::Args),
    Quickstart(cmd::quickstart::Args),
    Tui(cmd::tui::Args),
    Completions(cmd::completions::Args),
    Man(cmd::completions::ManArgs),
}

fn run(cli: Cli) -> Result<i32, CommandError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = if no_color && cli.color == ColorChoice::Auto {
        ColorChoice::Never
    } else {
        cli.color
    };
    let home_explicit =
        cli.home.is_some() || std::env::var_os("LPL_HOME").is_some_and(|h| !h.is_empty());
    let home = app::resolve_home(cli.home)?;
    let app = App {
        home,
        home_explicit,
        color,
        pager: !cli.no_pager,
    };
    match cli.command {
        Command::Import(a) => cmd::import::run(&app, a),
        Command::Fetch(a) => cmd::fetch::run_fetch(&app, a),
        Command::Sync(a) => cmd::fetch::run_sync(&app, a),
        Command::Show(a) => cmd::show::run(&app, a),
        Command::Series(a) => cmd::series::list(&app, a),
        Command::Thread(a) => cmd::series::thread(&app, a),
        Command::Revisions(a) => cmd::series::revisions(&app, a),
        Command::Diff(a) => cmd::diff::run(&app, a),
        Command::Reply(a) => cmd::reply::run(&app, a),
        Command::Review(a) => cmd::review::run(&app, a),
        Command::Am(a) => cmd::series::am(&app, a),
        Command::Notebook(a) => cmd::notebook::run(&app, a),
        Command::Upstream(a) => cmd::upstream::run(&app, a),
        Command::Code(a) => cmd::code::run(&app, a),
        Command::Search(a) => cmd::search::run(&app, a),
        Command::Serve(a) => cmd::serve::run(&app, a),
        Command::Sources(a) => cmd::sources::run(&app, a),
        Command::Quickstart(a) => cmd::quickstart::run(&app, a),
        Command::Tui(a) => cmd::tui::run(&app, a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man(a) => cmd::completions::man(a, Cli::command()),
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Panics never reach the user as a Rust backtrace and exit 101: the hook
/// says what happened in lpl's own words, and `main` turns the unwinding
/// into the documented exit status 255. (A panic on another thread is
/// reported by the hook too; the thread's owner turns it into an error.)
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("a worker thread");
        eprintln!(
            "error: internal error in lpl ({name}): {what}{at}\n  hint: this is a bug in lpl: \
             please report it with the command you ran (see SECURITY.md); what was \
             committed before it is kept"
        );
    }));
}

fn main() {
    install_panic_hook();
    app::install_interrupt_handler();
    let code = std::panic::catch_unwind(real_main).unwrap_or(exit::INTERNAL);
    std::process::exit(code);
}

fn real_main() -> i32 {
    let cli = Cli::parse();
    // A test hook: proves that a panic ends as exit 255 with a message.
    if std::env::var_os("LPL_TEST_PANIC").is_some() {
        panic!("LPL_TEST_PANIC is set");
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => exit::OK,
        Err(e) => {
            let mut err = anstream::stderr();
            let _ = std::io::Write::write_all(
                &mut err,
                format!(
                    "{}: {}\n",
                    app::style::paint(app::style::DEL, "error"),
                    e.message
                )
                .as_bytes(),
            );
            for h in &e.hints {
                let _ = std::io::Write::write_all(
                    &mut err,
                    format!("  {}: {h}\n", app::style::paint(app::style::KEY, "hint")).as_bytes(),
                );
            }
            e.exit_code()
        }
    }
}
