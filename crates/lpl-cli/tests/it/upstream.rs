//! `lpl upstream SERIES`: the status names the repository and revision it
//! was checked against, and is "unknown" (exit 3), never "not merged",
//! when no indexed repository could hold the series (issue 15).

use crate::util::*;

/// Gabriel Krisman Bertazi's kernel series "Introduce getsockname
/// io_uring_cmd" v4 and his liburing series "liburing: getsockname
/// support" v3 (io-uring epoch; lpl-series' tests/data/revisions).
const KERNEL: &str = "20251125211806.2673912-1-krisman@suse.de";
const LIBURING: &str = "20251203195223.3578559-1-krisman@suse.de";

fn getsockname() -> std::path::PathBuf {
    repo_root().join("crates/lpl-series/tests/data/revisions/getsockname.mbox")
}

fn upstream(home: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = lpl(home, args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn unknown_without_a_repository_that_covers_the_files() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &getsockname().to_string_lossy()]);

    // No repository indexed at all.
    let (code, out) = upstream(&home, &["upstream", KERNEL]);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("unknown: no indexed repository covers these files"),
        "{out}"
    );
    assert!(!out.contains("not merged"), "{out}");
    assert!(out.contains("checked against no repository"), "{out}");

    // Only liburing indexed (a real clone of the corpus bundle).
    let repo = t.path().join("liburing.git");
    let bundle = shared().join("corpus/git/liburing.bundle");
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(&bundle)
        .arg(&repo)
        .status()
        .expect("git runs");
    assert!(st.success());
    lpl_ok(
        &home,
        &["upstream", "index", "--repo", &repo.to_string_lossy()],
    );
    let head = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git runs");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let canon = std::fs::canonicalize(&repo).expect("canonical path");

    // The kernel series: liburing never touched io_uring/, net/, include/.
    let (code, out) = upstream(&home, &["upstream", KERNEL]);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("unknown: no indexed repository covers these files"),
        "{out}"
    );
    assert!(out.contains(&canon.to_string_lossy().into_owned()), "{out}");
    assert!(out.contains(&head[..12]), "names the revision: {out}");
    let out = lpl(&home, &["upstream", "--json", KERNEL]);
    assert_eq!(out.status.code(), Some(3));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["state"], "unknown", "{j}");
    // No repository answered; liburing was checked and could not hold it.
    assert_eq!(j["repository"], serde_json::Value::Null, "{j}");
    assert_eq!(j["checked"].as_array().map(Vec::len), Some(1), "{j}");
    assert_eq!(j["checked"][0]["covers"], false, "{j}");
    assert_eq!(
        j["checked"][0]["repository"],
        canon.to_string_lossy().as_ref(),
        "{j}"
    );
    assert!(
        j["checked"][0]["revision"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == head.as_str())),
        "{j}"
    );

    // The liburing series: liburing could hold it, but it was never
    // matched (issue 15): unknown until `--all` ran.
    let (code, out) = upstream(&home, &["upstream", LIBURING]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("never matched"), "{out}");
    assert!(!out.contains("not merged"), "{out}");
    lpl_ok(&home, &["upstream", "--all"]);

    // Then a status (merged or not) against liburing.
    let (code, out) = upstream(&home, &["upstream", LIBURING]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("unknown"), "{out}");
    assert!(
        out.contains(&format!(
            "checked against {} at {}",
            canon.to_string_lossy(),
            &head[..12]
        )),
        "{out}"
    );
}

/// "[PATCH liburing 0/6] Add query and mock tests" (io-uring list message
/// 31429), merged in liburing as six commits ending at d5673a9b.
const MOCK_TESTS: &str = "cover.1757589613.git.asml.silence@gmail.com";
/// "[PATCH liburing v1] barrier: Convert C++ barrier functions into macros"
/// (list message 31482, Ammar Faizi), which arrives after the match runs.
const BARRIER: &str = "20250913131547.466233-1-ammarfaizi2@gnuweeb.org";

fn run_git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn eml_dir(dir: &std::path::Path, range: std::ops::Range<usize>) -> std::path::PathBuf {
    let epoch = lpl_testutil::corpus::epoch("io-uring");
    std::fs::create_dir_all(dir).expect("mkdir");
    for (k, m) in lpl_testutil::corpus::epoch_slice(&epoch, range)
        .iter()
        .enumerate()
    {
        std::fs::write(dir.join(format!("{k:02}.eml")), m).expect("write");
    }
    dir.to_owned()
}

/// The status as JSON, with the exit code.
fn status_json(home: &std::path::Path, id: &str) -> (Option<i32>, serde_json::Value) {
    let out = lpl(home, &["upstream", "--json", id]);
    let j = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{id}: bad JSON ({e}): {out:?}"));
    (out.status.code(), j)
}

/// Issue 15: a repository indexed but never matched against a series (no
/// `lpl upstream --all` since it was indexed, or the series arrived after
/// the last run) says "unknown" with the reason and what to run, never
/// "not merged". Real data: io-uring list messages 31419..31435 and
/// 31482..31485, liburing's history (a clone of the corpus bundle cut
/// before the mock-tests series, then brought up to date).
#[test]
fn unmatched_repository_answers_unknown_until_matched() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(
        &home,
        &[
            "import",
            &eml_dir(&t.path().join("a"), 31419..31436).to_string_lossy(),
        ],
    );

    // liburing as it was before the series: master at the series' base,
    // no tags.
    let repo = t.path().join("liburing.git");
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--mirror"])
        .arg(shared().join("corpus/git/liburing.bundle"))
        .arg(&repo)
        .status()
        .expect("git runs");
    assert!(st.success());
    let tip = run_git(&repo, &["rev-parse", "refs/heads/master"]);
    let base = run_git(&repo, &["rev-parse", "d5673a9b~6"]);
    for tag in run_git(&repo, &["tag", "-l"]).lines() {
        run_git(&repo, &["tag", "-d", tag]);
    }
    run_git(&repo, &["update-ref", "refs/heads/master", &base]);
    let r = repo.to_string_lossy().into_owned();
    lpl_ok(&home, &["upstream", "index", "--repo", &r]);
    let canon = std::fs::canonicalize(&repo).expect("canonical path");
    let canon = canon.to_string_lossy().into_owned();

    // Indexed, never matched: unknown, naming the repository and saying
    // what to run.
    let (code, j) = status_json(&home, MOCK_TESTS);
    assert_eq!(code, Some(3), "{j:#}");
    assert_eq!(j["state"], "unknown", "{j:#}");
    assert_eq!(j["repository"], canon.as_str(), "{j:#}");
    let reason = j["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("never matched") && reason.contains("lpl upstream --all"),
        "{j:#}"
    );
    let (code, out) = upstream(&home, &["upstream", MOCK_TESTS]);
    assert_eq!(code, Some(3), "{out}");
    assert!(!out.contains("not merged"), "{out}");
    assert!(
        out.contains(&format!("not matched against {canon}")),
        "{out}"
    );

    // Matched at the old revision: not merged there, a real answer.
    lpl_ok(&home, &["upstream", "--all"]);
    let (code, j) = status_json(&home, MOCK_TESTS);
    assert_eq!(
        (code, &j["state"]),
        (Some(0), &"not-merged".into()),
        "{j:#}"
    );

    // Indexed again with the series' commits: the stored "not merged" is
    // stale until the next match run.
    run_git(&repo, &["update-ref", "refs/heads/master", &tip]);
    lpl_ok(&home, &["upstream", "index", "--repo", &r]);
    let (code, j) = status_json(&home, MOCK_TESTS);
    assert_eq!(code, Some(3), "{j:#}");
    let reason = j["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("indexed again after the last match run")
            && reason.contains("lpl upstream --all"),
        "{j:#}"
    );
    lpl_ok(&home, &["upstream", "--all"]);
    let (code, j) = status_json(&home, MOCK_TESTS);
    assert_eq!((code, &j["state"]), (Some(0), &"merged".into()), "{j:#}");
    assert_eq!(j["merged"], 6, "{j:#}");

    // A liburing patch that arrives after the last match run.
    lpl_ok(
        &home,
        &[
            "import",
            &eml_dir(&t.path().join("b"), 31482..31486).to_string_lossy(),
        ],
    );
    let (code, j) = status_json(&home, BARRIER);
    assert_eq!(code, Some(3), "{j:#}");
    let reason = j["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("arrived after the last match run") && reason.contains("--all"),
        "{j:#}"
    );
    // The series matched before keep their answer.
    assert_eq!(status_json(&home, MOCK_TESTS).0, Some(0));
    lpl_ok(&home, &["upstream", "--all"]);
    let (code, j) = status_json(&home, BARRIER);
    assert_eq!(code, Some(0), "{j:#}");
    assert_ne!(j["state"], "unknown", "{j:#}");
}
