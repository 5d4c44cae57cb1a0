//! One process timed as a whole under `/usr/bin/time` (shared by the
//! `code` and `understand` benches).

use std::process::{Command, Stdio};
use std::time::Instant;

/// What one timed process gave.
pub struct Timed {
    /// Wall seconds from spawn to exit.
    pub secs: f64,
    /// Peak RSS in KiB (`/usr/bin/time -f %M`; 0 when unknown).
    pub rss: u64,
    /// Whether it exited 0.
    pub ok: bool,
    /// Its stdout when `capture`, else empty (sent to /dev/null).
    pub stdout: Vec<u8>,
}

/// Runs `cmd` (its program, arguments, environment and directory) under
/// `/usr/bin/time`; stderr goes to /dev/null, stdout too unless `capture`.
pub fn timed(cmd: &mut Command, capture: bool) -> Timed {
    let out = std::env::temp_dir().join(format!("lpl-bench-rss-{}", std::process::id()));
    let prog = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let mut c = Command::new("/usr/bin/time");
    c.args(["-f", "%M", "-o"])
        .arg(&out)
        .arg(prog)
        .args(args)
        .envs(envs)
        .stdin(Stdio::null())
        .stdout(if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::null());
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    let t = Instant::now();
    let o = c.output().expect("run /usr/bin/time");
    let secs = t.elapsed().as_secs_f64();
    let rss = std::fs::read_to_string(&out)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    Timed {
        secs,
        rss,
        ok: o.status.success(),
        stdout: o.stdout,
    }
}
