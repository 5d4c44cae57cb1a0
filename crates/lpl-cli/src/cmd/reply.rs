//! `lpl reply`: answer a message (a review), as an `.eml` to edit and send.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lpl_core::reply::ReplyOptions;
use lpl_core::types::Address;

use crate::app::{App, now_unix, style};
use crate::config;
use crate::error::{CmdResult, CommandError};

/// Write a reply to a message (a review), and send it with --send
///
/// The reply goes to the sender with everyone else in Cc, as lore's reply
/// instructions say, threaded under the message (In-Reply-To, References),
/// with a `Re:` subject and the message quoted with `> `. --reviewed-by,
/// --acked-by and --tested-by add your trailer where reviewers put it:
/// under the quoted commit message of a patch, before its `---`.
///
/// It is written as an .eml file (`reply-<short id>.eml` in the current
/// directory, or -o FILE) that git send-email, mutt -H and neomutt -H take,
/// then opened in your editor ($VISUAL, $EDITOR, else git's editor) unless
/// --no-edit. Nothing is sent without --send, which hands the file to the
/// command in the [reply] sendmail setting of lpl's config (it gets the
/// message on standard input, as `sendmail -t` does), else to
/// `git send-email` (configure its SMTP server with git config
/// sendemail.smtpServer ...). An emptied file is not sent.
///
/// You are the From: the [reply] name and email settings of lpl's config,
/// else git's user.name and user.email.
///
/// Examples:
///   lpl reply 20240226205534.1603748-4-zi.yan@sent.com --reviewed-by
///   lpl reply https://lore.kernel.org/linux-mm/MSGID/ --acked-by --no-edit -o ack.eml
///   lpl reply MSGID --tested-by --send
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Message-ID or lore URL of the message to answer
    msgid: String,
    /// Add "Reviewed-by: you"
    #[arg(long)]
    reviewed_by: bool,
    /// Add "Acked-by: you"
    #[arg(long)]
    acked_by: bool,
    /// Add "Tested-by: you"
    #[arg(long)]
    tested_by: bool,
    /// Write the reply to FILE (default: reply-<short id>.eml here)
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Do not open an editor
    #[arg(long)]
    no_edit: bool,
    /// Send it once written (and edited)
    #[arg(long)]
    send: bool,
    /// Print JSON (where the reply is, its recipients, whether it was sent)
    #[arg(long)]
    json: bool,
}

fn git_config(key: &str) -> Option<String> {
    let out = Command::new("git")
        .args(["config", "--get", key])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// You: lpl's `[reply]` name/email, else git's user.name/user.email.
pub(crate) fn identity() -> CmdResult<Address> {
    let name = config::get("reply", "name").or_else(|| git_config("user.name"));
    let email = config::get("reply", "email").or_else(|| git_config("user.email"));
    match email {
        Some(email) if email.contains('@') => Ok(Address { name, email }),
        _ => Err(CommandError::user("who is replying? no email address configured")
            .hint("git config --global user.name \"Your Name\" && git config --global user.email you@example.org")
            .hint("or set [reply] name and email in lpl's config file")),
    }
}

/// The editor: $VISUAL, $EDITOR, else git's (`git var GIT_EDITOR`), else vi.
pub(crate) fn editor() -> String {
    for var in ["VISUAL", "EDITOR"] {
        if let Ok(v) = std::env::var(var)
            && !v.trim().is_empty()
        {
            return v;
        }
    }
    Command::new("git")
        .args(["var", "GIT_EDITOR"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs the editor as git does: through the shell, so `code --wait` works.
fn edit(path: &Path) -> CmdResult<()> {
    let ed = editor();
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!("{ed} \"$@\""))
        .arg(&ed)
        .arg(path)
        .status()
        .map_err(|e| CommandError::user(format!("cannot run the editor {ed:?}: {e}")))?;
    if !st.success() {
        return Err(CommandError::user(format!(
            "the editor {ed:?} failed ({st}); the reply stays in {}",
            path.display()
        )));
    }
    Ok(())
}

/// Sends the file: the configured sendmail command, else git send-email.
fn send(path: &Path, from: &Address) -> CmdResult<String> {
    let text = std::fs::read(path)?;
    if let Some(cmd) = config::get("reply", "sendmail").filter(|c| !c.trim().is_empty()) {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| CommandError::user(format!("cannot run {cmd:?}: {e}")))?;
        if let Some(mut w) = child.stdin.take() {
            std::io::Write::write_all(&mut w, &text)?;
        }
        let st = child.wait()?;
        if !st.success() {
            return Err(
                CommandError::user(format!("{cmd:?} failed ({st}); not sent"))
                    .hint(format!("the reply stays in {}", path.display())),
            );
        }
        return Ok(cmd);
    }
    let from_arg = format!("--from={}", lpl_core::reply::mailbox(from));
    let out = Command::new("git")
        .args([
            "send-email",
            "--confirm=never",
            "--suppress-cc=self",
            "--quiet",
        ])
        .arg(&from_arg)
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| CommandError::user(format!("cannot run git send-email: {e}")))?;
    if !out.status.success() {
        return Err(CommandError::user(format!(
            "git send-email failed; not sent: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .hint("configure it (git config sendemail.smtpServer ...), or set [reply] sendmail = \"msmtp -t\" in lpl's config")
        .hint(format!("the reply stays in {}", path.display())));
    }
    Ok("git send-email".to_owned())
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let from = identity()?;
    let mut trailers = Vec::new();
    for (on, key) in [
        (a.reviewed_by, "Reviewed-by"),
        (a.acked_by, "Acked-by"),
        (a.tested_by, "Tested-by"),
    ] {
        if on {
            trailers.push(key.to_owned());
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let opts = ReplyOptions {
        message_id: lpl_core::reply::new_message_id(&from, now_unix(), now, std::process::id()),
        from: from.clone(),
        trailers,
        date: now_unix(),
        user_agent: format!("lpl/{}", env!("CARGO_PKG_VERSION")),
    };
    let ws = app.workspace()?;
    let (reply, short) = ws.reply(&a.msgid, &opts)?;
    let path = match a.output {
        Some(p) => p,
        None => lpl_core::reply::draft_path(Path::new("."), &short),
    };
    std::fs::write(&path, &reply.text)
        .map_err(|e| CommandError::user(format!("cannot write {}: {e}", path.display())))?;
    if !a.no_edit {
        edit(&path)?;
    }
    let mut sent_with = None;
    if a.send {
        let edited = std::fs::read_to_string(&path).unwrap_or_default();
        if edited.trim().is_empty() {
            return Err(CommandError::user(format!(
                "{} is empty: not sent",
                path.display()
            )));
        }
        sent_with = Some(send(&path, &from)?);
    }
    if a.json {
        let mut out = app.plain();
        let addr = |v: &[Address]| v.iter().map(Address::display).collect::<Vec<_>>();
        out.write_str(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "path": path.display().to_string(),
                "subject": reply.subject,
                "to": addr(&reply.to),
                "cc": addr(&reply.cc),
                "sent": sent_with.is_some(),
                "sent_with": sent_with,
            }))?
        ))?;
        return Ok(0);
    }
    let mut s = format!(
        "wrote {} ({}: {}{})\n",
        style::paint(style::BOLD, &path.display().to_string()),
        reply.subject,
        reply
            .to
            .iter()
            .map(Address::display)
            .collect::<Vec<_>>()
            .join(", "),
        if reply.cc.is_empty() {
            String::new()
        } else {
            format!(", Cc {} more", reply.cc.len())
        }
    );
    match &sent_with {
        Some(how) => s.push_str(&format!("sent with {how}\n")),
        None => s.push_str(&format!(
            "{}\n",
            style::paint(
                style::DIM,
                &format!(
                    "not sent (--send sends); `git send-email {}` sends this file",
                    path.display()
                )
            )
        )),
    }
    let mut out = app.plain();
    out.write_str(&s)?;
    Ok(0)
}
