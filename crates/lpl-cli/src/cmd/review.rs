//! `lpl review`: the user's notes on patches.

use lpl_core::time;

use crate::app::{App, now_unix, style};
use crate::error::{CmdResult, CommandError};

/// Keep review notes on patches
///
/// A note belongs to one message (a patch, usually). `lpl show SERIES`
/// lists each patch's notes, and carries them forward: a note written on
/// v4's patch also shows on the v5 patch that it became, when the two pair
/// (`=` or `!`) in the range-diff of v4 and v5 (see `lpl diff`). A patch
/// that was dropped or rewritten beyond pairing leaves its notes behind.
///
/// Examples:
///   lpl review note 20240226205534.1603748-4-zi.yan@sent.com "nr vs order: check callers"
///   lpl review list
///   lpl review list 20240226205534.1603748-4-zi.yan@sent.com --json
///   lpl review rm 3
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Add a note on a message (Message-ID or lore URL)
    Note {
        /// The patch
        msgid: String,
        /// The note (several words are joined)
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// List the notes, all or on one message
    List {
        /// Only the notes on this message
        msgid: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove a note by its id
    Rm {
        /// Note id (as `lpl review list` prints it)
        id: i64,
    },
}

pub fn run(app: &App, a: Args) -> CmdResult {
    match a.command {
        Sub::Note { msgid, text } => {
            let mut ws = app.workspace_existing_rw()?;
            let (id, mid) = ws.review_note(&msgid, &text.join(" "), now_unix())?;
            let mut out = app.plain();
            out.write_str(&format!(
                "note {id} on <{mid}> ({})\n",
                style::paint(
                    style::DIM,
                    "lpl show shows it with the series, and on later revisions"
                )
            ))?;
            Ok(0)
        }
        Sub::List { msgid, json } => {
            let notes = app.workspace()?.review_notes(msgid.as_deref())?;
            let mut out = app.plain();
            if json {
                out.write_str(&format!("{}\n", serde_json::to_string_pretty(&notes)?))?;
                return Ok(if notes.is_empty() { 1 } else { 0 });
            }
            if notes.is_empty() {
                return Err(CommandError::not_found("no review notes")
                    .hint("lpl review note MSGID \"text\" adds one"));
            }
            let mut s = String::new();
            for n in &notes {
                s.push_str(&format!(
                    "{} {} <{}>\n    {}\n",
                    style::paint(style::KEY, &format!("{:>4}", n.id)),
                    time::date(n.created_at),
                    n.message_id,
                    n.text
                ));
            }
            out.write_str(&s)?;
            Ok(0)
        }
        Sub::Rm { id } => {
            app.workspace_existing_rw()?.review_remove(id)?;
            let mut out = app.plain();
            out.write_str(&format!("removed note {id}\n"))?;
            Ok(0)
        }
    }
}
