//! lpl-tui end to end on real archives: the bundled sample imported into a
//! temporary home, the app driven by keys, frames drawn on ratatui's
//! `TestBackend` and compared with the plain-text snapshots in
//! `tests/snapshots/` (`LPL_UPDATE_SNAPSHOTS=1` rewrites them; review the
//! diff before committing).

mod edit;
mod hostile;
mod reply;
mod upstream;
mod views;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use lpl_core::Workspace;
use lpl_core::import::ImportOptions;
use lpl_tui::{App, Options};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;

/// A home with `mboxes` imported.
pub fn home_with(mboxes: &[PathBuf]) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tempdir");
    let mut ws = Workspace::open(home.path()).expect("open");
    if !mboxes.is_empty() {
        ws.import(
            mboxes,
            &ImportOptions::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .expect("import");
    }
    home
}

/// The bundled sample, imported once per test run.
pub fn sample_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| home_with(&[sample("linux-mm-sample.mbox")]))
        .path()
}

/// A file of the bundled sample.
pub fn sample(name: &str) -> PathBuf {
    lpl_testutil::workspace_root().join("sample").join(name)
}

/// A copy of the sample roadmap in a temporary directory.
pub fn roadmap_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("roadmap.md");
    std::fs::copy(sample("roadmap.md"), &p).expect("copy roadmap");
    (dir, p)
}

/// The app on `home`, colours off, first answers in.
pub fn app(home: &Path, notebook: Option<PathBuf>) -> App {
    let ws = Workspace::open_read_only(home).expect("open read-only");
    let am = std::env::temp_dir();
    let mut a = App::new(ws, Options::new(notebook, am).color(false));
    settle(&mut a);
    a
}

/// Waits for every answer awaited.
pub fn settle(a: &mut App) {
    assert!(
        a.settle(Duration::from_secs(60)),
        "the worker did not answer"
    );
}

/// One key, then the answers it asked for.
pub fn press(a: &mut App, code: KeyCode) {
    a.key(KeyEvent::new(code, KeyModifiers::NONE));
    settle(a);
}

/// Keys typed (`\n` is Enter, `\t` Tab).
pub fn keys(a: &mut App, s: &str) {
    for c in s.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        press(a, code);
    }
}

/// The screen as text: one line per row, wide characters once, trailing
/// spaces kept (a width bug shows as a shifted line).
pub fn screen(a: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| lpl_tui::draw(f, a)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        assert!(
            line.width() <= usize::from(w),
            "row {y} is wider than the terminal: {line:?}"
        );
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Compares `got` with `tests/snapshots/NAME.txt`.
pub fn snapshot(name: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("LPL_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with LPL_UPDATE_SNAPSHOTS=1 and review it\n{got}",
            path.display()
        )
    });
    if want != got {
        let mut diff = String::new();
        for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
            if w != g {
                diff.push_str(&format!("row {i}:\n  want {w:?}\n  got  {g:?}\n"));
            }
        }
        panic!(
            "{name}: the screen differs from {}\n{diff}\nwhole screen:\n{got}",
            path.display()
        );
    }
}

/// No control character reaches the terminal.
pub fn assert_inert(s: &str) {
    for (i, c) in s.chars().enumerate() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)),
            "control character {c:?} at {i} in\n{s}"
        );
    }
}
