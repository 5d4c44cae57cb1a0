//! The real terminal: raw mode, the alternate screen, the event loop.

use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::{Terminal, backend::CrosstermBackend};

use crate::app::App;
use crate::draw::draw;

/// Restores the terminal however the loop ends (an error, a panic).
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen);
    }
}

/// Runs `app` on the terminal until the user quits.
pub fn run(mut app: App) -> io::Result<()> {
    enable_raw_mode()?;
    let _restore = Restore;
    execute!(io::stdout(), EnterAlternateScreen)?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    loop {
        if app.dirty {
            term.draw(|f| draw(f, &mut app))?;
        }
        if app.quitting() {
            return Ok(());
        }
        if let Some((editor, path)) = app.take_edit() {
            // The editor gets the terminal as lpl found it, then lpl takes
            // it back and draws again.
            disable_raw_mode()?;
            execute!(io::stdout(), LeaveAlternateScreen)?;
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("{editor} \"$@\""))
                .arg(&editor)
                .arg(&path)
                .status();
            execute!(io::stdout(), EnterAlternateScreen)?;
            enable_raw_mode()?;
            term.clear()?;
            app.edited(
                &path,
                match status {
                    Ok(s) if s.success() => Ok(()),
                    Ok(s) => Err(s.to_string()),
                    Err(e) => Err(format!("{editor}: {e}")),
                },
            );
            continue;
        }
        // Input first; answers from the worker while no key is pending.
        if event::poll(Duration::from_millis(if app.busy() { 5 } else { 100 }))? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => app.key(k),
                Event::Resize(..) => app.dirty = true,
                _ => {}
            }
            continue;
        }
        if app.busy() {
            app.wait(Duration::from_millis(20));
        }
    }
}
