//! Format detection on paths that are not archives.

use lpl_archive::{OpenError, Options, SourceKind, detect, open};

#[test]
fn stdin_and_errors() {
    assert_eq!(detect("-".as_ref()).expect("stdin"), SourceKind::Stdin);
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("missing");
    assert!(matches!(detect(&missing), Err(OpenError::Io { .. })));
    assert!(matches!(
        open(&missing, None, &Options::default()),
        Err(OpenError::Io { .. })
    ));
    let binary = tmp.path().join("blob.bin");
    std::fs::write(&binary, b"\x7fELF\x00\x00").expect("write");
    let err = detect(&binary).expect_err("not mail");
    assert!(matches!(err, OpenError::Unrecognised { .. }));
    assert!(err.to_string().contains("blob.bin"), "{err}");

    // A git repository that is no inbox.
    let repo = tmp.path().join("code.git");
    crate::common::git(
        None,
        &["init", "-q", "--bare", repo.to_str().expect("utf-8")],
        b"",
    );
    let blob = crate::common::git(Some(&repo), &["hash-object", "-w", "--stdin"], b"int x;\n");
    let tree = crate::common::git(
        Some(&repo),
        &["mktree"],
        format!("100644 blob {}\tmain.c\n", blob.trim()).as_bytes(),
    );
    let commit = crate::common::git(Some(&repo), &["commit-tree", tree.trim(), "-m", "c"], b"");
    crate::common::git(
        Some(&repo),
        &["update-ref", "refs/heads/master", commit.trim()],
        b"",
    );
    assert!(matches!(detect(&repo), Err(OpenError::Unrecognised { .. })));

    // Forcing a kind skips detection.
    let mut opts = Options::default();
    opts.kind = Some(SourceKind::MessageFile);
    let mut reader = open(&binary, None, &opts).expect("open forced");
    assert!(matches!(reader.next(), Some(Err(_))));
}
