//! `lpl show MSGID`

use lpl_core::show::MessageView;
use lpl_core::{ShowAs, Shown, time};

use crate::app::{App, style};
use crate::error::CmdResult;

/// Show a message as understood, or a series (cover, patches, trailers, revisions)
///
/// A patch or a reply is shown as a message: headers, subject tags, trailers,
/// files and functions touched, diff. A cover letter, a series id (as `lpl
/// series` prints) or --series shows the series instead.
///
/// MSGID is a Message-ID (with or without <>), `id:MSGID`, or a lore URL
/// (https://lore.kernel.org/LIST/MSGID/, /all/, /r/, /T/#u, #m anchors) or
/// https://patch.msgid.link/MSGID.
///
/// Examples:
///   lpl show 20240226205534.1603748-1-zi.yan@sent.com
///   lpl show https://lore.kernel.org/linux-mm/20240226205534.1603748-2-zi.yan@sent.com/ --stat
///   lpl show MSGID --json | jq .patch.files
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Message-ID or lore URL
    #[arg(value_name = "MSGID")]
    msgid: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Leave out the diff (headers, trailers, diffstat and functions only)
    #[arg(long)]
    stat: bool,
    /// Also print the body of a message that is not a patch
    #[arg(long)]
    body: bool,
    /// Show the series the message belongs to (default for a cover letter or a series id)
    #[arg(long, conflicts_with = "message")]
    series: bool,
    /// Show the message itself, even for a cover letter
    #[arg(long)]
    message: bool,
    /// With the series view: revision N of its chain
    #[arg(short = 'v', long = "revision", value_name = "N")]
    version: Option<u32>,
}

fn line(s: &mut String, key: &str, value: &str) {
    let value = style::inert(value);
    s.push_str(&format!(
        "{} {value}\n",
        style::paint(style::KEY, &format!("{key:>11}:"))
    ));
}

fn render(v: &MessageView, a: &Args, s: &mut String) {
    s.push_str(&format!("{}\n", style::paint(style::HEADER, &v.subject)));
    line(s, "Message-ID", &format!("<{}>", v.message_id));
    if let Some(f) = &v.from {
        line(s, "From", &f.display());
    }
    if let Some(d) = &v.date {
        let mut t = time::datetime(d.timestamp, d.offset_minutes);
        if d.suspect {
            t.push_str(&format!(
                " {}",
                style::paint(style::WARN, "(impossible Date header; best reading)")
            ));
        }
        line(s, "Date", &t);
    }
    if !v.to.is_empty() {
        line(
            s,
            "To",
            &v.to
                .iter()
                .map(|a| a.display())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !v.cc.is_empty() {
        line(
            s,
            "Cc",
            &v.cc
                .iter()
                .map(|a| a.display())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(l) = &v.list_id {
        line(s, "List-Id", l);
    }
    if let Some(i) = &v.in_reply_to {
        line(s, "In-Reply-To", &format!("<{i}>"));
    }
    let t = &v.tags;
    let mut tags = Vec::new();
    if t.is_reply {
        tags.push("reply".to_owned());
    }
    if t.is_patch {
        tags.push("PATCH".to_owned());
    }
    if t.is_rfc {
        tags.push("RFC".to_owned());
    }
    if t.is_resend {
        tags.push("RESEND".to_owned());
    }
    if t.is_pull {
        tags.push("PULL".to_owned());
    }
    if let Some(r) = t.revision {
        tags.push(format!("v{r}"));
    }
    if let (Some(c), Some(n)) = (t.counter, t.total) {
        tags.push(format!("{c}/{n}"));
    }
    tags.extend(t.extra.iter().cloned());
    line(
        s,
        "Tags",
        &format!("{}  title: {}", tags.join(" "), t.title),
    );
    for (src, loc) in &v.locations {
        line(s, "Source", &format!("{loc}  ({src})"));
    }
    for (k, d) in &v.diagnostics {
        line(s, "Note", &style::paint(style::WARN, &format!("{k}: {d}")));
    }
    if !v.reply_trailers.is_empty() {
        s.push('\n');
        s.push_str(&format!(
            "{}\n",
            style::paint(style::BOLD, "Trailers given in this reply:")
        ));
        for tr in &v.reply_trailers {
            s.push_str(&format!(
                "  {}: {}\n",
                style::paint(style::KEY, &tr.key),
                style::inert(&tr.value)
            ));
        }
    }
    match &v.patch {
        Some(p) => {
            s.push('\n');
            if let Some(au) = &p.author {
                line(s, "Author", &au.display());
            }
            if let Some(id) = &p.patch_id {
                line(s, "patch-id", id);
            }
            s.push('\n');
            for l in style::inert_text(&p.commit_message).lines() {
                s.push_str(&format!("    {l}\n"));
            }
            if let Some(n) = &p.notes {
                s.push_str(&format!("\n{}\n", style::paint(style::DIM, "---")));
                for l in n.lines() {
                    s.push_str(&format!("    {}\n", style::paint(style::DIM, l)));
                }
            }
            s.push('\n');
            let (add, del) = p
                .files
                .iter()
                .fold((0, 0), |(a, d), f| (a + f.added, d + f.removed));
            s.push_str(&format!(
                "{} {} files, {} {}\n",
                style::paint(style::BOLD, "Files:"),
                p.files.len(),
                style::paint(style::ADD, &format!("+{add}")),
                style::paint(style::DEL, &format!("-{del}"))
            ));
            for f in &p.files {
                let what = match &f.old_path {
                    Some(o) => format!("{o} => {}", f.path),
                    None => f.path.clone(),
                };
                let what = style::inert(&what);
                let change = serde_json::to_value(&f.change)
                    .ok()
                    .and_then(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .or_else(|| v.as_object().and_then(|o| o.keys().next().cloned()))
                    })
                    .unwrap_or_default();
                s.push_str(&format!(
                    "  {what}  {} {}{}{}\n",
                    style::paint(style::ADD, &format!("+{}", f.added)),
                    style::paint(style::DEL, &format!("-{}", f.removed)),
                    if change == "modified" {
                        String::new()
                    } else {
                        format!("  ({change})")
                    },
                    if f.binary { "  (binary)" } else { "" }
                ));
                for func in &f.functions {
                    s.push_str(&format!(
                        "      {} {}\n",
                        style::paint(style::DIM, "@@"),
                        style::inert(func)
                    ));
                }
            }
            if !p.trailers.is_empty() {
                s.push_str(&format!("{}\n", style::paint(style::BOLD, "Trailers:")));
                for tr in &p.trailers {
                    s.push_str(&format!(
                        "  {}: {}\n",
                        style::paint(style::KEY, &tr.key),
                        style::inert(&tr.value)
                    ));
                }
            }
            if !a.stat {
                s.push('\n');
                for l in style::inert_text(&p.diff).lines() {
                    let painted = if l.starts_with("diff --git")
                        || l.starts_with("+++ ")
                        || l.starts_with("--- ")
                    {
                        style::paint(style::BOLD, l)
                    } else if l.starts_with("@@") {
                        style::paint(style::HUNK, l)
                    } else if l.starts_with('+') {
                        style::paint(style::ADD, l)
                    } else if l.starts_with('-') {
                        style::paint(style::DEL, l)
                    } else {
                        l.to_owned()
                    };
                    s.push_str(&painted);
                    s.push('\n');
                }
            }
        }
        None => {
            if a.body {
                s.push('\n');
                s.push_str(&style::inert_text(&v.body));
                if !v.body.ends_with('\n') {
                    s.push('\n');
                }
            }
        }
    }
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let ws = app.workspace()?;
    let as_ = if a.series {
        ShowAs::Series
    } else if a.message {
        ShowAs::Message
    } else {
        ShowAs::Auto
    };
    let views = match ws.show(&a.msgid, as_, a.version)? {
        Shown::Series(s) => return crate::cmd::series::render_shown(app, &s, a.json),
        Shown::Messages(v) => v,
        _ => return Err(crate::error::CommandError::internal("unknown view")),
    };
    if a.json {
        let mut out = app.plain();
        let v = if views.len() == 1 {
            serde_json::to_value(&views[0])?
        } else {
            serde_json::to_value(&views)?
        };
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(0);
    }
    let mut s = String::new();
    for (i, v) in views.iter().enumerate() {
        if i > 0 {
            s.push_str(&format!(
                "\n{}\n\n",
                style::paint(
                    style::WARN,
                    "another message with the same Message-ID but different content:"
                )
            ));
        }
        render(v, &a, &mut s);
    }
    let mut out = app.output();
    out.write_str(&s)?;
    out.finish()?;
    Ok(0)
}
