//! `lpl reply`: the .eml must parse with Python's `email` and with `git
//! mailinfo`; `--send` must deliver it, through `git send-email`, to a real
//! SMTP server (Debian's python3-aiosmtpd) on 127.0.0.1, and through a
//! configured sendmail command; nothing is sent without `--send`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

const PATCH_ID: &str = "20240226205534.1603748-4-zi.yan@sent.com";

/// lpl with a private git identity and configuration.
fn lpl_env(
    home: &Path,
    gitconfig: &Path,
    lplconfig: &Path,
    editor: &str,
    args: &[&str],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lpl"))
        .args(args)
        .env("LPL_HOME", home)
        .env("LPL_CONFIG", lplconfig)
        .env("GIT_CONFIG_GLOBAL", gitconfig)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env("EDITOR", editor)
        .env_remove("VISUAL")
        .env_remove("PAGER")
        .output()
        .expect("lpl runs")
}

fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

const SERVER: &str = r#"
import json, os, sys, time
from aiosmtpd.controller import Controller

out, port = sys.argv[1], int(sys.argv[2])

class Save:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(out) if f.endswith(".json")])
        with open(os.path.join(out, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(out, f"{n}.json"), "w") as f:
            json.dump({"from": envelope.mail_from, "rcpt": envelope.rcpt_tos}, f)
        return "250 OK"

c = Controller(Save(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
while True:
    time.sleep(1)
"#;

struct Smtp {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp(python: &str, dir: &Path) -> Smtp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let script = dir.join("smtp.py");
    std::fs::write(&script, SERVER).expect("script");
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let mut child = Command::new(python)
        .arg(&script)
        .arg(&inbox)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the SMTP server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("server output");
    assert_eq!(line.trim(), "ready");
    Smtp {
        child,
        port,
        dir: inbox,
    }
}

fn received(s: &Smtp, n: usize) -> Vec<(String, serde_json::Value)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut got = Vec::new();
        for k in 0.. {
            let j = s.dir.join(format!("{k}.json"));
            let Ok(meta) = std::fs::read_to_string(&j) else {
                break;
            };
            let eml = std::fs::read_to_string(s.dir.join(format!("{k}.eml"))).expect("message");
            got.push((eml, serde_json::from_str(&meta).expect("json")));
        }
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Python's `email` with the strict default policy: the headers it reads.
fn python_parse(python: &str, eml: &Path) -> serde_json::Value {
    let code = r#"
import email, email.policy, json, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(json.dumps({
    "defects": [type(d).__name__ for d in m.defects],
    "header_defects": [type(d).__name__ for h in m.values() for d in getattr(h, "defects", [])],
    "from": str(m["From"]), "to": [a.addr_spec for a in m["To"].addresses],
    "cc": [a.addr_spec for a in m["Cc"].addresses] if m["Cc"] else [],
    "subject": str(m["Subject"]), "in_reply_to": str(m["In-Reply-To"]),
    "references": str(m["References"]).split(),
    "body": m.get_content(),
}))
"#;
    let out = Command::new(python)
        .args(["-c", code])
        .arg(eml)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn reply_writes_parses_and_sends() {
    let Some(python) = python() else {
        panic!(
            "python3 with aiosmtpd is needed (Debian: apt-get install python3-aiosmtpd; .ci/run installs it)"
        );
    };
    let t = tempfile::tempdir().expect("tempdir");
    let home = t.path().join("home");
    lpl_ok(&home, &["import", &sample().to_string_lossy()]);
    let server = smtp(python, t.path());
    let gitconfig = t.path().join("gitconfig");
    std::fs::write(
        &gitconfig,
        format!(
            "[user]\n\tname = Rev Iewer\n\temail = rev@example.org\n[sendemail]\n\tsmtpServer = 127.0.0.1\n\tsmtpServerPort = {}\n",
            server.port
        ),
    )
    .expect("gitconfig");
    let lplconfig = t.path().join("lpl.toml");
    // An editor that adds a line, run the way git runs editors.
    let editor = t.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf '\\nLooks good to me.\\n' >> \"$1\"\n",
    )
    .expect("editor");
    Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .expect("chmod");
    let editor = editor.to_string_lossy().into_owned();

    // Written, edited, not sent.
    let eml = t.path().join("r.eml");
    let eml_s = eml.to_string_lossy().into_owned();
    let out = lpl_env(
        &home,
        &gitconfig,
        &lplconfig,
        &editor,
        &[
            "reply",
            PATCH_ID,
            "--reviewed-by",
            "--acked-by",
            "-o",
            &eml_s,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("not sent"));
    let text = std::fs::read_to_string(&eml).expect("eml");
    assert!(text.ends_with("\nLooks good to me.\n"), "edited: {text}");
    assert!(text.contains("\n\nReviewed-by: Rev Iewer <rev@example.org>\nAcked-by: Rev Iewer <rev@example.org>\n\n> ---\n"), "{text}");

    let p = python_parse(python, &eml);
    assert_eq!(p["defects"], serde_json::json!([]), "{p}");
    assert_eq!(p["header_defects"], serde_json::json!([]), "{p}");
    assert_eq!(p["from"], "Rev Iewer <rev@example.org>");
    assert_eq!(p["to"], serde_json::json!(["zi.yan@sent.com"]));
    let cc: Vec<&str> = p["cc"]
        .as_array()
        .expect("cc")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        cc.contains(&"linux-mm@kvack.org") && cc.contains(&"mkoutny@suse.com"),
        "{cc:?}"
    );
    assert!(!cc.contains(&"rev@example.org"));
    assert_eq!(
        p["subject"],
        "Re: [PATCH v5 3/8] mm/memcg: use order instead of nr in split_page_memcg()"
    );
    assert_eq!(p["in_reply_to"], format!("<{PATCH_ID}>"));
    assert_eq!(
        p["references"],
        serde_json::json!([
            "<20240226205534.1603748-1-zi.yan@sent.com>",
            format!("<{PATCH_ID}>")
        ])
    );
    let body = p["body"].as_str().expect("body");
    assert!(body.contains("Zi Yan wrote:\n> "), "{body}");

    // git mailinfo reads it as git am would.
    let mailinfo = Command::new("git")
        .arg("mailinfo")
        .arg(t.path().join("mi-msg"))
        .arg(t.path().join("mi-patch"))
        .stdin(std::fs::File::open(&eml).expect("eml"))
        .output()
        .expect("git mailinfo");
    assert!(mailinfo.status.success());
    let info = String::from_utf8_lossy(&mailinfo.stdout);
    assert!(
        info.contains("Author: Rev Iewer\nEmail: rev@example.org\n"),
        "{info}"
    );
    assert!(
        info.contains("Subject: mm/memcg: use order instead of nr in split_page_memcg()"),
        "{info}"
    );

    // Nothing was sent so far.
    std::thread::sleep(Duration::from_millis(300));
    assert!(received(&server, 0).is_empty(), "sent without --send");

    // --send through git send-email to the SMTP server.
    let sent = t.path().join("sent.eml");
    let out = lpl_env(
        &home,
        &gitconfig,
        &lplconfig,
        &editor,
        &[
            "reply",
            PATCH_ID,
            "--tested-by",
            "--send",
            "--no-edit",
            "--json",
            "-o",
            &sent.to_string_lossy(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["sent_with"], "git send-email");
    let got = received(&server, 1);
    assert_eq!(got.len(), 1, "one message delivered");
    let (msg, env) = &got[0];
    assert_eq!(env["from"], "rev@example.org");
    let rcpt: Vec<&str> = env["rcpt"]
        .as_array()
        .expect("rcpt")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        rcpt.contains(&"zi.yan@sent.com") && rcpt.contains(&"linux-mm@kvack.org"),
        "{rcpt:?}"
    );
    assert!(
        !rcpt.contains(&"rev@example.org"),
        "not to oneself: {rcpt:?}"
    );
    let delivered = t.path().join("delivered.eml");
    std::fs::write(&delivered, msg).expect("write");
    let d = python_parse(python, &delivered);
    assert_eq!(d["in_reply_to"], format!("<{PATCH_ID}>"));
    let delivered_body = d["body"].as_str().unwrap_or("").replace("\r\n", "\n");
    assert!(
        delivered_body.contains("\n\nTested-by: Rev Iewer <rev@example.org>\n\n> ---\n"),
        "{d}"
    );

    // --send through a configured sendmail command.
    let captured = t.path().join("captured.eml");
    std::fs::write(
        &lplconfig,
        format!("[reply]\nsendmail = \"cat > {}\"\n", captured.display()),
    )
    .expect("config");
    let via = t.path().join("via.eml");
    let out = lpl_env(
        &home,
        &gitconfig,
        &lplconfig,
        &editor,
        &[
            "reply",
            PATCH_ID,
            "--send",
            "--no-edit",
            "-o",
            &via.to_string_lossy(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&captured).expect("captured"),
        std::fs::read(&via).expect("written")
    );
    assert_eq!(
        received(&server, 2).len(),
        1,
        "the sendmail command, not SMTP"
    );

    // No identity: a usage error that says what to configure.
    let empty = t.path().join("empty-gitconfig");
    std::fs::write(&empty, "").expect("empty");
    let out = lpl_env(
        &home,
        &empty,
        &t.path().join("none.toml"),
        &editor,
        &["reply", PATCH_ID, "--no-edit"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("user.email"));
    // An unknown message: not found.
    let out = lpl_env(
        &home,
        &gitconfig,
        &lplconfig,
        &editor,
        &["reply", "nope@example.org", "--no-edit"],
    );
    assert_eq!(out.status.code(), Some(1));
}
