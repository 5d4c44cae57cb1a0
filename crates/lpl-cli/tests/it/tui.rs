//! `lpl tui` in a real terminal: tmux runs it at 100x30 on the bundled
//! sample; keys go in with `send-keys`, the screen comes out with
//! `capture-pane -p`. The walk: roadmap -> entry -> series -> patch ->
//! reply thread, a note added, quit; then the notebook file has exactly
//! one new line.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{lpl_ok, repo_root};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs (install it: apt-get install tmux)")
    }

    fn keys(&self, keys: &[&str]) {
        let mut a = vec!["send-keys", "-t", "lpl"];
        a.extend_from_slice(keys);
        let out = self.cmd(&a);
        assert!(out.status.success(), "send-keys {keys:?}: {out:?}");
    }

    /// Literal text (no key names).
    fn text(&self, s: &str) {
        let out = self.cmd(&["send-keys", "-t", "lpl", "-l", s]);
        assert!(out.status.success(), "send-keys -l {s:?}: {out:?}");
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "lpl"]).stdout).into_owned()
    }

    /// Waits until the screen shows `what`.
    fn wait_for(&self, what: &str) -> String {
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < end,
                "waited 60 s for {what:?}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn walk_the_sample_and_add_a_note() {
    let home = tempfile::tempdir().expect("tempdir");
    let sample = repo_root().join("sample");
    lpl_ok(
        home.path(),
        &[
            "import",
            &sample.join("linux-mm-sample.mbox").to_string_lossy(),
        ],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let nb = dir.path().join("roadmap.md");
    std::fs::copy(sample.join("roadmap.md"), &nb).expect("copy roadmap");
    let before = std::fs::read_to_string(&nb).expect("read");

    let tmux = Tmux {
        socket: format!("lpl-tui-test-{}", std::process::id()),
    };
    // The editor `r` opens: a script that signs the draft.
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\necho 'Signed-off-by-editor' >> \"$1\"\n",
    )
    .expect("editor");
    let cmd = format!(
        "cd {} && env LPL_HOME={} LPL_CONFIG=/nonexistent NO_COLOR=1 TERM=xterm-256color \
         VISUAL= EDITOR='sh {}' GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.email GIT_CONFIG_VALUE_0=tess@example.org \
         GIT_CONFIG_KEY_1=user.name GIT_CONFIG_VALUE_1='Tess Ter' {} tui {}; echo lpl-exited-$?; sleep 30",
        q(dir.path()),
        q(home.path()),
        editor.to_string_lossy(),
        q(Path::new(env!("CARGO_BIN_EXE_lpl"))),
        q(&nb)
    );
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "lpl",
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);
    assert!(out.status.success(), "tmux new-session: {out:?}");

    // The roadmap, with its badges once checked against the archive.
    let s = tmux.wait_for("[not in archive");
    assert!(s.contains("lpl · roadmap"), "{s}");
    // The entry.
    tmux.keys(&["/"]);
    tmux.text("split a folio to any");
    tmux.keys(&["Enter"]);
    tmux.wait_for("] Split a folio to any lower order folios");
    // The series.
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("Revisions (5)");
    assert!(
        s.contains("[PATCH v5 0/8] Split a folio to any lower order folios"),
        "{s}"
    );
    // Patch 7/8 with its diff and replies.
    tmux.keys(&["/"]);
    tmux.text("v5 7/8");
    tmux.keys(&["Enter", "Enter"]);
    let s = tmux.wait_for("Message-ID: <20240226205534.1603748-8-zi.yan@sent.com>");
    assert!(s.contains("› message"), "{s}");
    assert!(
        s.contains("mm: thp: split huge page to any lower order pages"),
        "{s}"
    );
    // Its thread; the reply of Ryan Roberts.
    tmux.keys(&["t"]);
    let s = tmux.wait_for("Ryan Roberts");
    assert!(s.contains("› thread"), "{s}");
    tmux.keys(&["/"]);
    tmux.text("Ryan Roberts");
    tmux.keys(&["Enter", "Enter"]);
    let s = tmux.wait_for("From: Ryan Roberts");
    assert!(s.contains("› thread › message"), "{s}");
    // A note (Chinese and an emoji) into the roadmap entry.
    tmux.keys(&["c"]);
    tmux.wait_for("note:");
    tmux.text("拆分到 order-1 的 folio 📖");
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("previous version");
    assert!(s.contains("拆分到 order-1 的 folio 📖"), "{s}");
    // A reply to Ryan's message: the draft written here, the editor run
    // on it (the terminal handed over and taken back).
    tmux.keys(&["r"]);
    let s = tmux.wait_for("edited; send it with: git send-email");
    assert!(s.contains("› thread › message"), "{s}");
    let drafts: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let draft = std::fs::read_to_string(&drafts[0]).expect("draft");
    assert!(
        draft
            .lines()
            .any(|l| l == "From: Tess Ter <tess@example.org>"),
        "{draft}"
    );
    assert!(draft.contains("\nTo: Ryan Roberts"), "{draft}");
    assert!(draft.ends_with("Signed-off-by-editor\n"), "{draft}");
    // Quit.
    tmux.keys(&["Q"]);
    let s = tmux.wait_for("lpl-exited-");
    assert!(s.contains("lpl-exited-0"), "{s}");

    let after = std::fs::read_to_string(&nb).expect("read");
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(a.len(), b.len() + 1, "one line added");
    let added: Vec<&&str> = a.iter().filter(|l| !b.contains(l)).collect();
    assert_eq!(added, vec![&"  - 拆分到 order-1 的 folio 📖"]);
    // It went under the entry of the series.
    let at = a
        .iter()
        .position(|l| *l == "  - 拆分到 order-1 的 folio 📖")
        .expect("line");
    assert!(
        a[..at]
            .iter()
            .rev()
            .find(|l| l.starts_with("- "))
            .is_some_and(|l| l.contains("20240226205534.1603748-1-zi.yan@sent.com"))
    );
}

fn q(p: &Path) -> String {
    format!("'{}'", p.to_string_lossy().replace('\'', "'\\''"))
}
