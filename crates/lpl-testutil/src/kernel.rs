//! The kernel tree the code tests read: Debian's linux-source-6.12
//! tarball (`/usr/src/linux-source-6.12.tar.xz`, installed by `.ci/run`;
//! `LPL_LINUX_SOURCE` names another copy of the same release), with only
//! the directories the tests need extracted, once per machine.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// Where Debian's linux-source-6.12 puts its tarball.
const DEBIAN_TARBALL: &str = "/usr/src/linux-source-6.12.tar.xz";
const TOP: &str = "linux-source-6.12";
/// What is extracted (the top-level files make it look like a kernel tree).
const PARTS: &[&str] = &[
    "mm",
    "include",
    "kernel",
    "Kconfig",
    "Makefile",
    "MAINTAINERS",
];

/// The kernel tarball the tests read.
pub fn tarball() -> PathBuf {
    std::env::var_os("LPL_LINUX_SOURCE")
        .map_or_else(|| PathBuf::from(DEBIAN_TARBALL), PathBuf::from)
}

/// The extracted tree (mm/, include/, kernel/ and the top-level files),
/// shared by every test: do not write into it. Extracted beside its
/// place and renamed, so a killed run never leaves half a tree behind.
pub fn tree() -> PathBuf {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    let _g = LOCK.get_or_init(|| Mutex::new(())).lock();
    let base = crate::corpus::cache_dir().join("kernel-6.12");
    let top = base.join(TOP);
    if base.join(".extracted").exists() {
        return top;
    }
    let tarball = tarball();
    assert!(
        tarball.exists(),
        "{} is missing: install the Debian package linux-source-6.12 (.ci/run does) \
         or set LPL_LINUX_SOURCE to a linux-source-6.12.tar.xz",
        tarball.display()
    );
    std::fs::create_dir_all(&base).expect("create the kernel cache directory");
    // Test binaries may race: each extracts into a directory of its own
    // and the first rename wins.
    let tmp = tempfile::tempdir_in(&base).expect("temp dir");
    let members: Vec<String> = PARTS.iter().map(|p| format!("{TOP}/{p}")).collect();
    let status = std::process::Command::new("tar")
        .arg("-xJf")
        .arg(&tarball)
        .arg("-C")
        .arg(tmp.path())
        .args(&members)
        .status()
        .expect("tar runs");
    assert!(status.success(), "tar failed extracting {members:?}");
    match std::fs::rename(tmp.path().join(TOP), &top) {
        Ok(()) => {}
        Err(_) if top.exists() => {}
        Err(e) => panic!("moving the extracted tree into place: {e}"),
    }
    std::fs::write(base.join(".extracted"), b"").expect("marker");
    top
}
