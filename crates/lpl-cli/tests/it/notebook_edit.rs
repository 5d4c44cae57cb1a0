//! `lpl notebook status|answer|repair --apply` end to end, on copies of
//! the real seed (`../shared/seed`): the exact lines each command changes
//! in the file, the `.bak` it keeps, and its refusal to write when the file
//! changed on disk after it was read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

fn raw_seed() -> PathBuf {
    shared().join("seed/000_0295a41324e4dde3.txt")
}

fn decoded_seed() -> PathBuf {
    shared().join("seed/roadmap-decoded.md")
}

fn lines(p: &Path) -> Vec<String> {
    String::from_utf8(std::fs::read(p).expect("read"))
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Line-by-line difference of two files of the same length: (1-based
/// line, old, new) for each line that differs.
fn changed(old: &[String], new: &[String]) -> Vec<(usize, String, String)> {
    assert_eq!(old.len(), new.len(), "same number of lines");
    old.iter()
        .zip(new)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i + 1, a.clone(), b.clone()))
        .collect()
}

fn nb(home: &Path, file: &Path, args: &[&str]) -> String {
    let f = file.to_string_lossy().into_owned();
    let mut a = vec!["notebook", "--file", &f];
    a.extend_from_slice(args);
    lpl_ok(home, &a)
}

/// The raw seed imported as `lpl notebook import` repairs it.
fn imported(t: &Path, home: &Path) -> PathBuf {
    let out = t.join("roadmap.md");
    let raw = raw_seed().to_string_lossy().into_owned();
    lpl_ok(
        home,
        &["notebook", "import", &raw, "-o", &out.to_string_lossy()],
    );
    out
}

#[test]
fn status_of_an_entry_writes_its_mark_and_keeps_the_not_merged_mark() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let file = imported(t.path(), &home);
    let before = lines(&file);
    let swap = before[76].clone();
    assert!(swap.starts_with("- 2017-05-15 🚧 [\\[PATCH -mm -v11 0/5\\] THP swap"));

    nb(&home, &file, &["status", "L77", "reading"]);
    let after = lines(&file);
    assert_eq!(
        changed(&before, &after),
        [(77, swap.clone(), swap.replacen("🚧 [", "🚧 📖 [", 1))]
    );
    // .bak holds the file as it was before this command.
    assert_eq!(
        std::fs::read(file.with_file_name("roadmap.md.bak")).expect("bak"),
        before
            .join("\n")
            .into_bytes()
            .into_iter()
            .chain([b'\n'])
            .collect::<Vec<u8>>()
    );

    nb(&home, &file, &["status", "L77", "read"]);
    let read = lines(&file);
    assert_eq!(
        changed(&after, &read),
        [(77, after[76].clone(), swap.replacen("🚧 [", "🚧 ✅ [", 1))]
    );
    nb(&home, &file, &["status", "L77", "unread"]);
    assert_eq!(lines(&file), before, "unread gives the line back");

    // An entry without a mark gets one before its link; --dry-run writes
    // nothing.
    let zi = before[70].clone();
    assert!(zi.starts_with("- 2024-02-26 [\\[PATCH v5 0/8\\] Split a folio"));
    let dry = nb(&home, &file, &["status", "L71", "read", "--dry-run"]);
    assert!(dry.contains("nothing written"), "{dry}");
    assert_eq!(lines(&file), before);
    nb(&home, &file, &["status", "L71", "read"]);
    assert_eq!(
        changed(&before, &lines(&file)),
        [(71, zi.clone(), zi.replacen("26 [", "26 ✅ [", 1))]
    );
}

#[test]
fn status_of_a_patch_adds_the_learners_titled_bullet() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    let file = t.path().join("roadmap.md");
    std::fs::copy(decoded_seed(), &file).expect("copy");
    let before = lines(&file);
    assert!(before[66].contains("mm: mapcount for large folios"));

    nb(&home, &file, &["status", "L67", "--patch", "4", "read"]);
    let after = lines(&file);
    // One line inserted after the entry, titled as the archive names
    // patch 4 (subject without its tags), with the mark.
    let mut expected = before.clone();
    expected.insert(
        67,
        "  - ✅ mm: track mapcount of large folios in single value".to_owned(),
    );
    assert_eq!(after, expected);
    // Marked again: the same bullet, no second one.
    nb(&home, &file, &["status", "L67", "--patch", "4", "reading"]);
    let again = lines(&file);
    assert_eq!(
        changed(&after, &again),
        [(
            68,
            after[67].clone(),
            "  - 📖 mm: track mapcount of large folios in single value".to_owned()
        )]
    );
    let check = json(
        &home,
        &[
            "notebook",
            "--file",
            &file.to_string_lossy(),
            "check",
            "--json",
        ],
    );
    let e = check
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["line"] == 67)
        .expect("entry");
    assert_eq!(e["patches"], serde_json::json!([[4, "reading"]]), "{e}");
}

#[test]
fn answer_text_ticks_the_question_and_nests_the_answer() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let file = t.path().join("roadmap.md");
    std::fs::copy(decoded_seed(), &file).expect("copy");
    let before = lines(&file);
    let q = before[40].clone();
    assert!(q.starts_with("    - [ ] 对 mlocked THP"), "{q}");

    nb(
        &home,
        &file,
        &["answer", "L41", "--text", "mlocked THP 拆分前先 munlock"],
    );
    let after = lines(&file);
    let mut expected = before.clone();
    expected[40] = q.replacen("[ ]", "[x]", 1);
    expected.insert(41, "      - mlocked THP 拆分前先 munlock".to_owned());
    assert_eq!(after, expected);
    // More text under an answered question goes after the first answer.
    nb(&home, &file, &["answer", "L41", "--text", "see also L50"]);
    let mut expected2 = expected.clone();
    expected2.insert(42, "      - see also L50".to_owned());
    assert_eq!(lines(&file), expected2);
    // Without text an answered question is refused, and nothing is written.
    let f = file.to_string_lossy().into_owned();
    let out = lpl(&home, &["notebook", "--file", &f, "answer", "L41"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lines(&file), expected2);
}

#[test]
fn repair_apply_fills_the_holes_import_left_and_keeps_hand_edits() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let file = imported(t.path(), &home);
    // The learner rewrote one damaged line by hand since the import.
    let mut mine = lines(&file);
    assert!(mine[71].contains('\u{FFFD}'), "{}", mine[71]);
    mine[71] = "  - 支持把 folio 拆到任意更低的 order".to_owned();
    std::fs::write(&file, mine.join("\n") + "\n").expect("write");
    let before = lines(&file);
    let holed: Vec<usize> = before
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains('\u{FFFD}'))
        .map(|(i, _)| i + 1)
        .collect();
    assert!(holed.len() > 30, "{}", holed.len());

    let raw = raw_seed().to_string_lossy().into_owned();
    let dry = nb(&home, &file, &["repair", &raw, "--suggest"]);
    assert!(dry.contains(&format!("{} lines of", holed.len())), "{dry}");
    assert_eq!(lines(&file), before, "--suggest writes nothing");

    nb(&home, &file, &["repair", &raw, "--apply"]);
    let after = lines(&file);
    let diff = changed(&before, &after);
    let at: Vec<usize> = diff.iter().map(|d| d.0).collect();
    assert_eq!(at, holed, "every holed line, and only those, changes");
    assert!(after.iter().all(|l| !l.contains('\u{FFFD}')));
    assert_eq!(after[14], "  - 支持 anon THP");
    assert_eq!(after[71], "  - 支持把 folio 拆到任意更低的 order");
    // Each filled line differs from its holed line only at the holes.
    for (_, old, new) in &diff {
        let kept: String = old.chars().filter(|&c| c != '\u{FFFD}').collect();
        let mut rest = new.chars();
        assert!(
            kept.chars().all(|k| rest.any(|c| c == k)),
            "{old:?} -> {new:?}"
        );
    }
    assert_eq!(
        std::fs::read(file.with_file_name("roadmap.md.bak")).expect("bak"),
        std::fs::read_to_string(&file)
            .map(|_| before.join("\n") + "\n")
            .expect("read")
            .into_bytes()
    );
    // Applied again: nothing left to fill.
    let again = nb(&home, &file, &["repair", &raw, "--suggest"]);
    assert!(again.contains(" 0 lines of"), "{again}");
}

/// The file is a FIFO: `lpl` reads the content the test writes into it,
/// and when it reads the file again just before saving (as every save
/// does) the test gives it other content, as an editor saving meanwhile
/// would. The save must be refused, with nothing written beside the file.
#[test]
fn an_edit_is_refused_when_the_file_changed_on_disk() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let file = t.path().join("roadmap.md");
    let ok = Command::new("mkfifo")
        .arg(&file)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
    let seed = std::fs::read(decoded_seed()).expect("seed");
    let mut edited = seed.clone();
    edited.extend_from_slice(
        "- 2025-01-01 [a note added in the editor](https://lwn.net/)\n".as_bytes(),
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(["notebook", "--file"])
        .arg(&file)
        .args(["status", "L71", "read"])
        .env("LPL_HOME", &home)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lpl runs");
    let pid = child.id();
    let writer = {
        let file = file.clone();
        std::thread::spawn(move || {
            // First read: the seed.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&file)
                .expect("open fifo");
            f.write_all(&seed).expect("write fifo");
            drop(f);
            // The second read (the check before saving) blocks in open
            // until a writer comes: wait until lpl sleeps there, then give
            // it the edited file. (Once our first open returned, lpl was
            // woken from its first open, so this can only be the second.)
            let wchan = format!("/proc/{pid}/wchan");
            let start = Instant::now();
            loop {
                let w = std::fs::read_to_string(&wchan).unwrap_or_default();
                if w == "wait_for_partner" || w == "fifo_open" {
                    break;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(120),
                    "lpl never read the file again ({w:?})"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&file)
                .expect("open fifo");
            f.write_all(&edited).expect("write fifo");
        })
    };
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("lpl did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    writer.join().expect("writer");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("changed on disk since it was read"), "{err}");
    // Nothing written: no backup, no temporary file, the FIFO still there.
    let names: Vec<String> = std::fs::read_dir(t.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "home")
        .collect();
    assert_eq!(names, ["roadmap.md"]);
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(
        &std::fs::symlink_metadata(&file).expect("meta").file_type()
    ));
}

/// `use` and `check` on the raw (double-encoded) seed say so, naming the
/// code page, what can be restored and how (issue 21, point 7); on the
/// repaired file they say nothing.
#[test]
fn use_and_check_warn_about_a_double_encoded_file() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let raw = t.path().join("raw.md");
    std::fs::copy(raw_seed(), &raw).expect("copy");
    let fixed = imported(t.path(), &home);
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_lpl"))
            .args(args)
            .env("LPL_HOME", &home)
            .env("LPL_CONFIG", t.path().join("config.toml"))
            .env("NO_COLOR", "1")
            .output()
            .expect("lpl runs");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let (r, f) = (
        raw.to_string_lossy().into_owned(),
        fixed.to_string_lossy().into_owned(),
    );
    for args in [
        vec!["notebook", "use", r.as_str()],
        vec!["notebook", "--file", r.as_str(), "check"],
    ] {
        let err = run(&args);
        assert!(
            err.contains("looks double-encoded (UTF-8 read as Cp1254)")
                && err.contains("repair it with: lpl notebook import"),
            "{args:?}: {err}"
        );
    }
    for args in [
        vec!["notebook", "use", f.as_str()],
        vec!["notebook", "--file", f.as_str(), "check"],
    ] {
        let err = run(&args);
        assert!(!err.contains("double-encoded"), "{args:?}: {err}");
    }
}
