//! The roadmap's 🚧 (not merged yet) against a real upstream: a slice of
//! the io-uring list (../shared/corpus) holding liburing's "Add query and
//! mock tests" series, which liburing's history (the corpus's
//! `git/liburing.bundle`) merged as six commits with `Link:` trailers, and
//! a kernel patch that liburing never took. `notebook add --not-merged`
//! writes the mark, `check` flags it once `lpl upstream` knows the merge
//! (issue 21), and `stats` counts it in a table aligned by display width.

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use crate::util::*;

/// The cover letter of "[PATCH liburing 0/6] Add query and mock tests"
/// (list message 31429), merged in liburing as d5673a9b and its parents.
const MERGED: &str = "cover.1757589613.git.asml.silence@gmail.com";
/// "[PATCH for-next] io_uring/query: check for loops in in_query()" (list
/// message 31420): a kernel patch, not in liburing.
const KERNEL: &str = "2a4811de-1e35-428d-8784-a162c0e4ea8f@kernel.dk";

/// List messages 31420..=31436 as a directory of .eml files.
fn slice(dir: &Path) -> std::path::PathBuf {
    let epoch = lpl_testutil::corpus::epoch("io-uring");
    let msgs = lpl_testutil::corpus::epoch_slice(&epoch, 31419..31436);
    assert_eq!(msgs.len(), 17);
    let mail = dir.join("mail");
    std::fs::create_dir_all(&mail).expect("mkdir");
    for (k, m) in msgs.iter().enumerate() {
        std::fs::write(mail.join(format!("{k:02}.eml")), m).expect("write");
    }
    mail
}

fn nb(home: &Path, file: &Path, args: &[&str]) -> String {
    let f = file.to_string_lossy().into_owned();
    let mut a = vec!["notebook", "--file", &f];
    a.extend_from_slice(args);
    lpl_ok(home, &a)
}

fn nb_json(home: &Path, file: &Path, args: &[&str]) -> serde_json::Value {
    let s = nb(home, file, args);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{args:?}: bad JSON ({e}):\n{s}"))
}

/// The entry of `check --json` whose link names `id`.
fn entry<'a>(check: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    check
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| {
            e["links"]
                .as_array()
                .is_some_and(|l| l.iter().any(|l| l["message_id"] == id))
        })
        .unwrap_or_else(|| panic!("no entry links {id}: {check:#}"))
}

/// Display column at which each blank-separated token of `line` ends.
fn column_ends(line: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut col = 0;
    let mut in_tok = false;
    for c in line.chars() {
        let blank = c == ' ';
        if blank && in_tok {
            ends.push(col);
        }
        in_tok = !blank;
        col += UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str);
    }
    if in_tok {
        ends.push(col);
    }
    ends
}

#[test]
fn check_flags_a_not_merged_mark_once_upstream_merged_the_series() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let mail = slice(t.path());
    lpl_ok(&home, &["import", &mail.to_string_lossy()]);

    // Both series added as the learner marks what is not merged yet.
    let file = t.path().join("roadmap.md");
    std::fs::write(&file, "# io_uring\n").expect("write");
    nb(
        &home,
        &file,
        &[
            "add",
            MERGED,
            "--topic",
            "用户态 liburing",
            "--create-topic",
            "--not-merged",
        ],
    );
    nb(
        &home,
        &file,
        &[
            "add",
            KERNEL,
            "--topic",
            "kernel",
            "--create-topic",
            "--wip",
        ],
    );
    let text = std::fs::read_to_string(&file).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "# io_uring",
            "",
            "## 用户态 liburing",
            "",
            "- 2025-09-11 🚧 [\\[PATCH liburing 0/6\\] Add query and mock tests - Pavel Begunkov](https://lore.kernel.org/io-uring/cover.1757589613.git.asml.silence@gmail.com/)",
            "",
            "## kernel",
            "",
            "- 2025-09-11 🚧 [\\[PATCH for-next\\] io_uring/query: check for loops in in_query() - Jens Axboe](https://lore.kernel.org/io-uring/2a4811de-1e35-428d-8784-a162c0e4ea8f@kernel.dk/)",
        ],
        "{text}"
    );

    // Without an upstream index nothing is known to be merged.
    let before = nb_json(&home, &file, &["check", "--json"]);
    for id in [MERGED, KERNEL] {
        let e = entry(&before, id);
        assert_eq!(e["marked_not_merged"], true, "{e:#}");
        assert_eq!(e["stale"], serde_json::json!([]), "{e:#}");
        assert_eq!(e["merged"], serde_json::Value::Null, "{e:#}");
        let reason = e["upstream"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("none is indexed"), "{e:#}");
        assert_eq!(
            e["upstream"]["repository"],
            serde_json::Value::Null,
            "{e:#}"
        );
    }

    // liburing's history, indexed and matched.
    let repo = lpl_testutil::corpus::liburing();
    lpl_ok(
        &home,
        &["upstream", "index", "--repo", &repo.to_string_lossy()],
    );
    let m = json(&home, &["upstream", "--all", "--json"]);
    assert!(
        m["matched"].as_u64().is_some_and(|n| n >= 6),
        "{}",
        m["matched"]
    );

    let after = nb_json(&home, &file, &["check", "--json"]);
    let merged = entry(&after, MERGED);
    let stale = merged["stale"].as_array().expect("stale");
    assert_eq!(stale.len(), 1, "{merged:#}");
    let why = stale[0]["MarkedNotMergedButMerged"]["merged"]
        .as_str()
        .unwrap_or_else(|| panic!("not flagged as merged: {merged:#}"));
    assert!(why.contains("merged"), "{why}");
    assert_eq!(merged["merged"], true, "{merged:#}");
    let kernel = entry(&after, KERNEL);
    assert_eq!(kernel["stale"], serde_json::json!([]), "{kernel:#}");
    // liburing never touched the kernel patch's files: unknown, not
    // "not merged", and said why.
    assert_eq!(kernel["merged"], serde_json::Value::Null, "{kernel:#}");
    assert_eq!(
        kernel["upstream"]["reason"], "no indexed repository covers these files",
        "{kernel:#}"
    );
    // Each entry's answer is `lpl upstream`'s, with the same repository
    // and revision.
    let canon = std::fs::canonicalize(&repo).expect("canonical path");
    for (e, id, want) in [
        (merged, MERGED, serde_json::json!(true)),
        (kernel, KERNEL, serde_json::Value::Null),
    ] {
        let out = lpl(&home, &["upstream", "--json", id]);
        let st: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(
            out.status.code(),
            Some(if want.is_null() { 3 } else { 0 }),
            "{st:#}"
        );
        assert_eq!(e["merged"], want, "{e:#}");
        let u = &e["upstream"];
        assert_eq!(u["repository"], st["repository"], "{e:#}\n{st:#}");
        assert_eq!(u["revision"], st["revision"], "{e:#}\n{st:#}");
        // The merged one names liburing; the unknown one names none (it
        // says why in its reason).
        if want.is_null() {
            assert_eq!(u["repository"], serde_json::Value::Null, "{e:#}");
        } else {
            assert_eq!(u["repository"], canon.to_string_lossy().as_ref(), "{e:#}");
            assert!(
                u["revision"].as_array().is_some_and(|r| !r.is_empty()),
                "{e:#}"
            );
        }
    }
    assert!(
        merged["upstream"]["what"]
            .as_str()
            .is_some_and(|w| w.starts_with("merged") && w.ends_with("(6/6)")),
        "{merged:#}"
    );

    // The plain check says it under the entry, by its line.
    let plain = nb(&home, &file, &["check"]);
    let at = plain
        .lines()
        .position(|l| l.starts_with("L5 "))
        .unwrap_or_else(|| panic!("no L5 in:\n{plain}"));
    let block: Vec<&str> = plain
        .lines()
        .skip(at + 1)
        .take_while(|l| l.starts_with(' '))
        .collect();
    assert!(
        block
            .iter()
            .any(|l| l.contains("stale: marked 🚧 (not merged) but merged")),
        "{plain}"
    );
    assert!(
        block.iter().any(|l| l.contains("upstream: merged")
            && l.contains(canon.to_string_lossy().as_ref())),
        "{plain}"
    );
    let k = plain
        .lines()
        .position(|l| l.starts_with("L9 "))
        .expect("L9");
    assert!(
        !plain
            .lines()
            .skip(k + 1)
            .take_while(|l| l.starts_with(' '))
            .any(|l| l.contains("stale")),
        "{plain}"
    );

    // stats: per topic, merged and 🚧 counted, the table's columns lined
    // up by display width (🚧 and the Chinese topic take two columns per
    // character).
    let st = nb_json(&home, &file, &["stats", "--json"]);
    assert_eq!(
        (st["merged"].as_u64(), st["marked_not_merged"].as_u64()),
        (Some(1), Some(2)),
        "{st:#}"
    );
    let table = nb(&home, &file, &["stats"]);
    let rows: Vec<&str> = table.lines().collect();
    // Header, the three topics (the title heading is one), the total.
    assert_eq!(rows.len(), 5, "{table}");
    assert!(
        rows[0].starts_with("topic") && rows[0].contains(" 🚧 "),
        "{table}"
    );
    let row = |p: &str| {
        *rows
            .iter()
            .find(|r| r.starts_with(p))
            .unwrap_or_else(|| panic!("no {p}:\n{table}"))
    };
    // The nine numeric columns end where their headers end.
    let head: Vec<usize> = column_ends(rows[0]).split_off(1);
    assert_eq!(head.len(), 9, "{table}");
    for r in &rows[1..] {
        let ends = column_ends(r);
        assert_eq!(ends[ends.len() - 9..], head[..], "misaligned:\n{table}");
    }
    let merged_col = |r: &str| r.split_whitespace().rev().nth(2).map(str::to_owned);
    assert_eq!(
        merged_col(row("io_uring / 用户态 liburing")).as_deref(),
        Some("1"),
        "{table}"
    );
    assert_eq!(
        merged_col(row("io_uring / kernel")).as_deref(),
        Some("0"),
        "{table}"
    );
    assert_eq!(merged_col(row("total")).as_deref(), Some("1"), "{table}");
}
