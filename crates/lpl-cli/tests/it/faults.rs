//! Fault injection with real processes and real files (issue 20): a
//! read-only data directory, a full disk. Tests run as root here, which
//! ignores permission bits, so each fault is made for real: a read-only
//! bind mount or a small tmpfs in a private mount namespace (`unshare`),
//! lpl run as another user (`setpriv`), or a file-size limit (`ulimit -f`).
//! A mechanism this machine does not permit is named on stderr and another
//! one is used; none is skipped silently.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::*;

const LPL: &str = env!("CARGO_BIN_EXE_lpl");

/// `sh -c SCRIPT` with `$LPL` and `$HOME_DIR` set, optionally inside a
/// private user and mount namespace.
fn sh(in_namespace: bool, home: &Path, script: &str, args: &[&str]) -> Output {
    let mut c = if in_namespace {
        let mut c = Command::new("unshare");
        c.args(["-rm", "sh", "-c", script, "sh"]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", script, "sh"]);
        c
    };
    c.args(args)
        .env("LPL", LPL)
        .env("HOME_DIR", home)
        .env("LPL_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("PAGER")
        .output()
        .expect("sh runs")
}

/// Whether this machine lets a test make a private mount namespace (and
/// mount in it); the reason when not.
fn mount_namespace() -> Result<(), String> {
    let d = tempfile::tempdir().expect("tempdir");
    let out = sh(
        true,
        d.path(),
        r#"mount -t tmpfs -o size=64k tmpfs "$HOME_DIR""#,
        &[],
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`unshare -rm` + mount: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let f = tempfile::NamedTempFile::new().expect("tempfile");
    f.as_file().metadata().expect("metadata").uid() == 0
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every file of the home with its size and modification time.
fn snapshot(home: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut v = Vec::new();
    let mut stack = vec![home.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let m = e.metadata().expect("metadata");
            if m.is_dir() {
                stack.push(e.path());
            } else {
                v.push((
                    e.path().display().to_string(),
                    m.len(),
                    m.modified().expect("mtime"),
                ));
            }
        }
    }
    v.sort();
    v
}

/// How lpl is made to see a read-only home.
#[derive(Debug, Clone, Copy)]
enum ReadOnly {
    /// A read-only bind mount of the home (EROFS), in a mount namespace.
    BindMount,
    /// lpl run as `nobody` over root's files (EACCES).
    OtherUser,
    /// The home made read-only with chmod (a user other than root).
    Chmod,
}

fn run_read_only(how: ReadOnly, home: &Path, args: &[&str]) -> Output {
    match how {
        ReadOnly::BindMount => sh(
            true,
            home,
            r#"mount --bind -o ro "$HOME_DIR" "$HOME_DIR" && exec "$LPL" "$@""#,
            args,
        ),
        ReadOnly::OtherUser => sh(
            false,
            home,
            r#"exec setpriv --reuid=65534 --regid=65534 --clear-groups "$LPL" "$@""#,
            args,
        ),
        ReadOnly::Chmod => sh(false, home, r#"exec "$LPL" "$@""#, args),
    }
}

/// A read-only data directory: the reading commands answer as on a
/// writable one; the writing ones stop with "cannot be written" and exit 2;
/// no file of the home changes.
#[test]
fn a_read_only_home_reads_and_refuses_writes_clearly() {
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let sample = sample();
    let sample = sample.to_str().expect("utf-8");
    lpl_ok(&home, &["import", sample]);
    let mid = "20240226205534.1603748-4-zi.yan@sent.com";
    lpl_ok(&home, &["review", "note", mid, "nr vs order"]);
    let reads: Vec<Vec<&str>> = vec![
        vec!["series", "--json"],
        vec!["show", mid],
        vec!["thread", mid],
        vec!["search", "--json", "s:lruvec"],
        vec!["sources", "--json"],
        vec!["review", "list", "--json"],
    ];
    let expected: Vec<String> = reads.iter().map(|a| lpl_ok(&home, a)).collect();

    let mut ways = Vec::new();
    match mount_namespace() {
        Ok(()) => ways.push(ReadOnly::BindMount),
        Err(why) => eprintln!("note: no read-only bind mount on this machine ({why})"),
    }
    if is_root() {
        // `nobody` must reach the home and the binary.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let probe = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", LPL])
            .arg("--version")
            .output();
        match probe {
            Ok(o) if o.status.success() => ways.push(ReadOnly::OtherUser),
            Ok(o) => eprintln!(
                "note: cannot run lpl as nobody here: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => eprintln!("note: setpriv is not available here ({e})"),
        }
    } else {
        ways.push(ReadOnly::Chmod);
    }
    assert!(
        !ways.is_empty(),
        "no way to make the home read-only on this machine (see the notes above)"
    );

    for how in ways {
        eprintln!("read-only home by {how:?}");
        let chmod = |mode: u32| {
            if matches!(how, ReadOnly::Chmod) {
                let st = Command::new("chmod")
                    .args(["-R", &format!("{mode:o}")])
                    .arg(&home)
                    .status()
                    .expect("chmod runs");
                assert!(st.success());
            }
        };
        chmod(0o555);
        let before = snapshot(&home);
        for (args, want) in reads.iter().zip(&expected) {
            let out = run_read_only(how, &home, args);
            assert!(out.status.success(), "{how:?} lpl {args:?}: {}", text(&out));
            assert_eq!(
                &String::from_utf8_lossy(&out.stdout),
                want,
                "{how:?} lpl {args:?}"
            );
        }
        let writes: Vec<Vec<&str>> = vec![
            vec!["import", sample],
            vec!["search", "--reindex", "s:lruvec"],
            vec!["sync", "--add", "mm", "https://lore.kernel.org/linux-mm"],
            vec!["review", "note", mid, "check the callers"],
        ];
        for args in &writes {
            let out = run_read_only(how, &home, args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{how:?} lpl {args:?}: {}",
                text(&out)
            );
            assert!(
                err.starts_with("error: the data directory cannot be written"),
                "{how:?} lpl {args:?}: {err}"
            );
            assert!(err.contains("reading commands"), "{err}");
        }
        assert_eq!(before, snapshot(&home), "{how:?}: the home changed");
        chmod(0o755);
    }
}

/// An mbox of `n` messages with bodies lz4 cannot shrink (so the disk
/// fills), as a list archive holds them.
fn incompressible_mbox(path: &Path, n: usize) {
    let mut s = String::with_capacity(n * 1100);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        s.push_str(&format!(
            "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Dev {i} <dev{i}@example.org>\nSubject: [PATCH] mm: change {i}\nMessage-ID: <full{i}@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n"
        ));
        for _ in 0..12 {
            for _ in 0..70 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(char::from(b"0123456789abcdef"[(x % 16) as usize]));
            }
            s.push('\n');
        }
        s.push('\n');
    }
    std::fs::write(path, s).expect("write mbox");
}

fn count(err: &str, after: &str) -> Option<u64> {
    let i = err.find(after)? + after.len();
    err[i..]
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())?
        .parse()
        .ok()
}

/// The disk fills during an import: it stops saying so (exit 2), what was
/// committed is kept, and the same import once there is room again ends
/// with every message exactly once.
#[test]
fn a_full_disk_stops_an_import_cleanly_and_the_rerun_completes() {
    const N: u64 = 3_000;
    let t = tempfile::tempdir().expect("tempdir");
    let mbox = t.path().join("full.mbox");
    incompressible_mbox(&mbox, N as usize);
    let mbox = mbox.to_str().expect("utf-8");
    let mut ran = 0;

    // A 1.5 MB tmpfs: a real ENOSPC. The rerun gets a bigger one (the same
    // files: tmpfs is resized in place), all in one namespace.
    match mount_namespace() {
        Ok(()) => {
            let home = t.path().join("tmpfs-home");
            std::fs::create_dir(&home).expect("mkdir");
            let script = r#"
                mount -t tmpfs -o size=1536k tmpfs "$HOME_DIR" || exit 90
                "$LPL" import --batch-size 100 "$1"; echo "first-exit=$?"
                "$LPL" sources --json > "$HOME_DIR/../sources-after-full.json"
                mount -o remount,size=64m "$HOME_DIR" || exit 91
                "$LPL" import --batch-size 100 "$1"; echo "second-exit=$?"
                "$LPL" sources --json; echo "sources-exit=$?"
                "$LPL" show full2999@example.org >/dev/null; echo "show-exit=$?"
            "#;
            let out = sh(true, &home, script, &[mbox]);
            let all = text(&out);
            assert!(out.status.success(), "{all}");
            let so = String::from_utf8_lossy(&out.stdout);
            assert!(so.contains("first-exit=2"), "{all}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("error: the disk is full: "), "{all}");
            assert!(err.contains("what was committed before is kept"), "{all}");
            assert!(!err.contains("internal error"), "{all}");
            let kept: serde_json::Value = serde_json::from_slice(
                &std::fs::read(t.path().join("sources-after-full.json")).expect("sources"),
            )
            .expect("json");
            let kept = kept["totals"]["messages"].as_u64().expect("count");
            assert!(kept < N, "the disk was not full: {all}");
            assert!(kept > 0, "no batch fitted: make the tmpfs larger: {all}");
            assert!(so.contains("[continued after the last import]"), "{all}");
            assert!(so.contains("second-exit=0"), "{all}");
            let imported = so
                .lines()
                .rev()
                .filter(|l| l.contains("full.mbox: ") && l.contains(" imported"))
                .find_map(|l| count(l, "read, "))
                .expect("the rerun's report");
            assert_eq!(kept + imported, N, "{all}");
            let j = so
                .find('{')
                .and_then(|a| so.rfind('}').map(|b| &so[a..=b]))
                .expect("sources json");
            let j: serde_json::Value = serde_json::from_str(j).expect("json");
            assert_eq!(j["totals"]["messages"].as_u64(), Some(N), "{all}");
            assert_eq!(j["sources"][0]["imported"].as_u64(), Some(N), "{all}");
            assert!(
                so.contains("sources-exit=0") && so.contains("show-exit=0"),
                "{all}"
            );
            ran += 1;
        }
        Err(why) => eprintln!("note: no tmpfs on this machine ({why}): using RLIMIT_FSIZE only"),
    }

    // A file-size limit (RLIMIT_FSIZE, no privilege needed): writes past
    // it fail with EFBIG (SIGXFSZ ignored, as a shell's `ulimit -f` user
    // would see). SQLite reports some of those as a plain "disk I/O error",
    // so only the outcome is held here: stopped, nothing lost, exact rerun.
    let home = t.path().join("fsize-home");
    let out = sh(
        false,
        &home,
        r#"trap '' XFSZ; ulimit -f 3072; exec "$LPL" import --batch-size 100 "$1""#,
        &[mbox],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("disk"), "{}", text(&out));
    assert!(!err.contains("panicked"), "{}", text(&out));
    let first = json(&home, &["sources", "--json"])["totals"]["messages"]
        .as_u64()
        .expect("count");
    assert!(first < N, "the limit was not reached: {}", text(&out));
    let out = lpl(&home, &["import", "--batch-size", "100", mbox]);
    assert!(out.status.success(), "{}", text(&out));
    let j = json(&home, &["sources", "--json"]);
    assert_eq!(j["totals"]["messages"].as_u64(), Some(N));
    assert_eq!(j["sources"][0]["imported"].as_u64(), Some(N));
    lpl_ok(&home, &["show", "full2999@example.org"]);
    ran += 1;
    assert!(ran >= 1);
}

/// A server that answers every request with a 200 whose body comes one
/// byte every 20 ms and never ends (a slow mirror); counts the requests.
fn trickle_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", l.local_addr().expect("addr"));
    let asked = std::sync::Arc::new(AtomicUsize::new(0));
    let count = asked.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().expect("clone"));
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: 100000000\r\n\r\n";
                if s.write_all(head.as_bytes()).is_err() {
                    return;
                }
                while s.write_all(b"\x1f").is_ok() {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            });
        }
    });
    (base, asked)
}

/// Runs `lpl ARGS`, sends SIGINT once `ready()` holds (or after 60 s),
/// returns its output.
fn interrupted(home: &Path, args: &[&str], ready: impl Fn() -> bool) -> Output {
    let child = Command::new(LPL)
        .args(args)
        .env("LPL_HOME", home)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lpl runs");
    let start = std::time::Instant::now();
    while !ready() && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Inside the download now: let it read a few bytes.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success());
    child.wait_with_output().expect("wait")
}

/// Ctrl-C during a `fetch` or `sync` download that never ends (a slow
/// mirror): the command stops at once, says nothing was stored, exits 2;
/// the archive is untouched and usable.
#[test]
fn sigint_stops_fetch_and_sync_downloads_cleanly() {
    use std::sync::atomic::Ordering;
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    let (base, asked) = trickle_server();
    let sample = sample();
    lpl_ok(&home, &["import", sample.to_str().expect("utf-8")]);
    let before = json(&home, &["sources", "--json"]);

    let all = format!("{base}/all");
    let n = asked.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    let out = interrupted(
        &home,
        &["fetch", "--base-url", &all, "never-ends@example.org"],
        || asked.load(Ordering::SeqCst) > n,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(err.contains("interrupted: nothing new was stored"), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(50));
    assert_eq!(json(&home, &["sources", "--json"]), before);

    lpl_ok(
        &home,
        &[
            "sync",
            "--add",
            "slow",
            &format!("{base}/slow"),
            "--no-sync",
        ],
    );
    let n = asked.load(Ordering::SeqCst);
    let out = interrupted(&home, &["sync", "slow"], || {
        asked.load(Ordering::SeqCst) > n
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(err.contains("interrupted: nothing new was stored"), "{err}");
    assert_eq!(json(&home, &["sources", "--json"]), before);
    lpl_ok(&home, &["show", "20240226205534.1603748-4-zi.yan@sent.com"]);
}
