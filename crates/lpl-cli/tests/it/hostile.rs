//! Hostile input and faults seen from the command line (issue 20).

use std::process::Command;

use crate::util::lpl;

/// A panic anywhere ends as exit 255 with lpl's own message, never as
/// Rust's exit 101 with a backtrace note.
#[test]
fn a_panic_is_exit_255_with_a_message() {
    let home = tempfile::tempdir().expect("home");
    let out = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(["sources"])
        .env("LPL_HOME", home.path())
        .env("NO_COLOR", "1")
        .env("LPL_TEST_PANIC", "1")
        .output()
        .expect("lpl runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(255), "{err}");
    assert!(err.starts_with("error: internal error in lpl"), "{err}");
    assert!(err.contains("please report it"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

/// Random and hostile queries are answered or refused (exit 2), never a
/// crash: the forms that panicked or overflowed the stack before.
#[test]
fn hostile_queries_are_refused_not_crashes() {
    let home = tempfile::tempdir().expect("home");
    let deep = format!("{}a{}", "(".repeat(2_500), ")".repeat(2_500));
    for q in [
        "rt:\"ééééééé\"",
        "d:ééééééééé..",
        "dt:..2024-01-0é.12:00",
        deep.as_str(),
    ] {
        let out = lpl(home.path(), &["search", q]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(1 | 2)),
            "{q:.40}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// An index that lags behind the archive (meta.json removed, or a killed
/// import) does not answer "no message matches": it says it is behind and
/// what to run (issue 20).
#[test]
fn a_lagging_index_says_so_instead_of_no_match() {
    let home = tempfile::tempdir().expect("home");
    let sample = crate::util::repo_root().join("sample/linux-mm-sample.mbox");
    let sample = sample.to_str().expect("utf-8");
    crate::util::lpl_ok(home.path(), &["import", sample]);
    let out = lpl(home.path(), &["search", "s:lruvec"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(home.path().join("search/meta.json")).expect("rm meta.json");
    let out = lpl(home.path(), &["search", "s:lruvec"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the search index is behind the archive"),
        "{err}"
    );
    assert!(err.contains("lpl search --reindex"), "{err}");
    // A word that is nowhere, in an index that is up to date: exit 1.
    crate::util::lpl_ok(home.path(), &["search", "--reindex", "s:lruvec"]);
    let out = lpl(home.path(), &["search", "s:zzzqqqnothing"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A wildcard matching more words than the bound is searched with the
/// first ones, and search says so (issue 20).
#[test]
fn a_cut_wildcard_is_reported() {
    let home = tempfile::tempdir().expect("home");
    let words: Vec<String> = (0..1_100).map(|i| format!("zq{i:05}")).collect();
    let mbox = format!(
        "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a@example.org\nSubject: many words\nMessage-ID: <w@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n{}\n",
        words.join(" ")
    );
    let path = home.path().join("w.mbox");
    std::fs::write(&path, mbox).expect("write");
    crate::util::lpl_ok(home.path(), &["import", path.to_str().expect("utf-8")]);
    let out = lpl(home.path(), &["search", "zq*"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("note: `zq*` matches more than 1000 words"),
        "{err}"
    );
    let out = lpl(home.path(), &["search", "zq0000*"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
}

/// A Message-ID holding a NUL, and a subject and a sender's name holding
/// terminal escapes: plain `lpl search` prints none of them raw. The ID
/// is printed as its percent-encoded lore URL, which names the message
/// again for `lpl show` (issue 20: the NUL was dropped, so the printed
/// `<id>` named nothing).
#[test]
fn control_characters_in_search_output_are_shown_inert() {
    let home = tempfile::tempdir().expect("home");
    let mail = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n\
From: \"Evil \x1b[31mRed\" <evil@example.org>\n\
Subject: inert check \x1b]0;pwned\x07 here\n\
Message-ID: <nul\x00id@example.org>\n\
Date: Mon, 1 Jan 2024 10:00:00 +0000\n\
\n\
inertcheck body\n";
    let path = home.path().join("m.mbox");
    std::fs::write(&path, mail).expect("write");
    crate::util::lpl_ok(home.path(), &["import", path.to_str().expect("utf-8")]);

    for args in [
        &["search", "inertcheck"][..],
        &["search", "-t", "inertcheck"],
    ] {
        let out = lpl(home.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let raw = out.stdout;
        let text = String::from_utf8_lossy(&raw);
        assert!(
            raw.iter().all(|&b| b == b'\n' || (b >= 0x20 && b != 0x7f)),
            "{args:?}: a control byte printed raw: {text:?}"
        );
        assert!(
            text.contains("https://lore.kernel.org/all/nul%00id@example.org/"),
            "{args:?}: {text}"
        );
        assert!(
            text.contains("inert check ^[]0;pwned^G here"),
            "{args:?}: {text}"
        );
    }
    let out = lpl(home.path(), &["search", "inertcheck"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Evil ^[[31mRed"));

    // What was printed names the message.
    let shown = crate::util::lpl_ok(
        home.path(),
        &["show", "https://lore.kernel.org/all/nul%00id@example.org/"],
    );
    assert!(shown.contains("inert check"), "{shown}");
    assert!(
        !shown.chars().any(|c| c != '\n' && c.is_control()),
        "{shown:?}"
    );
    // JSON keeps the exact ID (escaped by JSON itself).
    let v = crate::util::json(home.path(), &["search", "--json", "inertcheck"]);
    assert_eq!(v["hits"][0]["message_id"], "nul\u{0}id@example.org");
}

/// Ctrl-C (SIGINT) during an import stops it at a batch boundary with a
/// message saying what was kept; the same command then finishes the job,
/// with the counts of an uninterrupted run (issue 20).
#[test]
fn sigint_stops_an_import_cleanly_and_the_rerun_completes() {
    let home = tempfile::tempdir().expect("home");
    let n = 60_000;
    let mut mbox = String::with_capacity(n * 160);
    for i in 0..n {
        mbox.push_str(&format!(
            "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a{i}@example.org\nSubject: message {i}\nMessage-ID: <m{i}@x>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nbody {i}\n\n"
        ));
    }
    let path = home.path().join("big.mbox");
    std::fs::write(&path, mbox).expect("write");
    let path = path.to_str().expect("utf-8");
    let child = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(["import", "--batch-size", "200", path])
        .env("LPL_HOME", home.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lpl runs");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "finished before the signal? {err}"
    );
    assert!(
        err.contains("what was stored before the interruption is kept"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // It names what it kept, and that is what the archive holds.
    let kept: u64 = err
        .split("interrupted: kept ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|k| k.parse().ok())
        .unwrap_or_else(|| panic!("no count kept: {err}"));
    assert!(err.contains(&format!("new messages from {path};")), "{err}");
    let v = crate::util::json(home.path(), &["sources", "--json"]);
    assert_eq!(v["totals"]["messages"].as_u64(), Some(kept), "{v}");
    assert!(kept > 0 && kept < n as u64, "{err}");
    // The rerun goes on from there: every message once.
    let out = crate::util::lpl_ok(home.path(), &["import", path]);
    assert!(
        out.contains(&format!("{} imported", n as u64 - kept)),
        "{out}"
    );
    let v = crate::util::json(home.path(), &["sources", "--json"]);
    assert_eq!(v["totals"]["messages"].as_u64(), Some(n as u64), "{v}");
}

/// The payloads of a hostile series: each would act on a terminal if it
/// reached it raw (clear the screen, retitle the window, ring, return to
/// column 0 and overwrite, reorder a line).
const PAYLOADS: [&str; 5] = ["\x1b[2J", "\x1b]0;pwned\x07", "\x07", "\rover", "\u{202e}"];

/// `show`, `thread`, `series` and `revisions` print the control characters
/// of mail inert, even with colour on (their own escapes stay): a series
/// whose subjects, names, commit message, diff and reply carry escape
/// sequences, a bell, a carriage return and a bidi override (issue 20).
#[test]
fn control_characters_in_show_thread_series_are_shown_inert() {
    let home = tempfile::tempdir().expect("home");
    let from = "From: \"Evil \x1b]0;pwned\x07 Dev\" <evil@example.org>";
    let cover = format!(
        "From mboxrd@z Thu Jan  1 00:00:00 1970\n{from}\n\
Subject: [PATCH 0/1] mm: inertseries \x1b[2J cover\n\
Message-ID: <inert-0@example.org>\n\
Date: Mon, 1 Jan 2024 10:00:00 +0000\n\
\n\
Cover text \x1b[2J with a bell \x07 and\rover and \u{202e}txet.\n\n"
    );
    let patch = format!(
        "From mboxrd@z Thu Jan  1 00:00:00 1970\n{from}\n\
Subject: [PATCH 1/1] mm: inertpatch \u{202e}sdrawkcab\n\
Message-ID: <inert-1@example.org>\n\
In-Reply-To: <inert-0@example.org>\n\
References: <inert-0@example.org>\n\
Date: Mon, 1 Jan 2024 10:00:01 +0000\n\
\n\
Commit message \x1b[2J clears\rover the screen \x07.\n\
\n\
Signed-off-by: Evil \x1b[2J Dev <evil@example.org>\n\
---\n\
\x20mm/inert.c | 2 +-\n\
\x201 file changed, 1 insertion(+), 1 deletion(-)\n\
\n\
diff --git a/mm/inert.c b/mm/inert.c\n\
index 1111111..2222222 100644\n\
--- a/mm/inert.c\n\
+++ b/mm/inert.c\n\
@@ -1,3 +1,3 @@ int inert\x1b]0;pwned\x07(void)\n\
\x20int a;\n\
-int b = 1;\n\
+int b = 2; /* \x1b[2J \u{202e} \x07 */\n\
\x20int c;\n\
-- \n2.40.0\n\n"
    );
    let reply = format!(
        "From mboxrd@z Thu Jan  1 00:00:00 1970\n{from}\n\
Subject: Re: [PATCH 1/1] mm: inertpatch \x1b[2J\n\
Message-ID: <inert-2@example.org>\n\
In-Reply-To: <inert-1@example.org>\n\
References: <inert-0@example.org> <inert-1@example.org>\n\
Date: Mon, 1 Jan 2024 11:00:00 +0000\n\
\n\
Reply \x1b[2J text\rover \x07.\n\
\n\
Reviewed-by: Evil \x1b]0;pwned\x07 Dev <evil@example.org>\n"
    );
    let path = home.path().join("m.mbox");
    std::fs::write(&path, format!("{cover}{patch}{reply}")).expect("write");
    crate::util::lpl_ok(home.path(), &["import", path.to_str().expect("utf-8")]);

    let runs: [&[&str]; 8] = [
        &["show", "inert-0@example.org"],
        &["show", "--message", "--body", "inert-0@example.org"],
        &["show", "inert-1@example.org"],
        &["show", "--body", "inert-2@example.org"],
        &["thread", "inert-0@example.org"],
        &["series", "inertseries"],
        &["series", "--all"],
        &["revisions", "inert-0@example.org"],
    ];
    for args in runs {
        let mut full = vec!["--color", "always"];
        full.extend_from_slice(args);
        let out = lpl(home.path(), &full);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("inert"),
            "{args:?} printed nothing of the series: {text}"
        );
        for p in PAYLOADS {
            assert!(
                !text.contains(p),
                "{args:?}: {p:?} reached the terminal raw:\n{text:?}"
            );
        }
        // Only lpl's own colour escapes (CSI ... m) remain.
        let mut rest = &*text;
        while let Some(i) = rest.find('\x1b') {
            let tail = &rest[i + 1..];
            let end = tail.find('m').unwrap_or(tail.len());
            assert!(
                tail.starts_with('[')
                    && tail[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                "{args:?}: an escape that is not lpl's colour: {:?}",
                &tail[..tail.len().min(20)]
            );
            rest = &tail[end..];
        }
    }
    // The payloads are there to be read, in caret notation.
    let shown = crate::util::lpl_ok(home.path(), &["show", "inert-1@example.org"]);
    assert!(
        shown.contains("Commit message ^[[2J clears^Mover"),
        "{shown}"
    );
    assert!(
        shown.contains("+int b = 2; /* ^[[2J <U+202E> ^G */"),
        "{shown}"
    );
}
