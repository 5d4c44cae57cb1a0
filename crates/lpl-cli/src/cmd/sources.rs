//! `lpl sources`: what has been imported, with counts.

use crate::app::{App, style};
use crate::error::CmdResult;

/// List imported sources with their counts and skipped items
///
/// Example: lpl sources --skipped
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Also list each skipped item with its location and reason
    #[arg(long)]
    skipped: bool,
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let ws = app.workspace()?;
    let sources = ws.sources()?;
    let stats = ws.stats()?;
    if a.json {
        let mut list = Vec::new();
        for s in &sources {
            let mut v = serde_json::to_value(s)?;
            if a.skipped {
                let sk: Vec<_> = ws
                    .skipped(s.id)?
                    .into_iter()
                    .map(|(location, reason)| serde_json::json!({"location": location, "reason": reason}))
                    .collect();
                v["skipped_items"] = serde_json::Value::Array(sk);
            }
            list.push(v);
        }
        let v = serde_json::json!({"sources": list, "totals": stats});
        let mut out = app.plain();
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(0);
    }
    let mut out = app.output();
    let mut s = String::new();
    for src in &sources {
        s.push_str(&format!(
            "{}  {}\n    {} imported, {} duplicates, {} skipped, {} deletions\n",
            style::paint(style::KEY, &src.kind),
            src.path,
            src.imported,
            src.duplicates,
            src.skipped,
            src.deleted
        ));
        if a.skipped {
            for (loc, why) in ws.skipped(src.id)? {
                s.push_str(&format!(
                    "    {} {loc}: {why}\n",
                    style::paint(style::WARN, "skipped")
                ));
            }
        }
    }
    s.push_str(&format!(
        "{} messages ({} patches) from {} sources; {:.1} MB raw stored in {:.1} MB\n",
        stats.messages,
        stats.patches,
        stats.sources,
        stats.raw_bytes as f64 / 1e6,
        stats.stored_bytes as f64 / 1e6
    ));
    out.write_str(&s)?;
    out.finish()?;
    Ok(0)
}
