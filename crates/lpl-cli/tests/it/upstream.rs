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

    // The liburing series: a status (merged or not) against liburing.
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
