//! `lpl quickstart`: the main job on the bundled sample, no network needed.

use std::io::Write;

use lpl_core::{Workspace, time};

use crate::app::{App, style};
use crate::error::CmdResult;

/// Import the bundled sample (real linux-mm threads) and show what lpl understood
///
/// Uses --home or $LPL_HOME when given, else a scratch archive in the
/// system's temporary directory, so your own archive is left alone.
/// Running it again is harmless: nothing is stored twice.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(app: &App, _a: Args) -> CmdResult {
    let home = if app.home_explicit {
        app.home.clone()
    } else {
        std::env::temp_dir().join("lpl-quickstart")
    };
    let qs = App {
        home: home.clone(),
        home_explicit: true,
        color: app.color,
        pager: false,
    };
    let mut ws = Workspace::open(&home)?;
    let mut out = qs.plain();
    let mut p = |s: String| out.write_str(&s);
    p(format!(
        "{}\n",
        style::paint(
            style::HEADER,
            "lpl quickstart: the bundled sample of real linux-mm mail"
        )
    ))?;
    p(format!("archive: {}\n\n", home.display()))?;

    let cancel = &crate::app::INTERRUPTED;
    let q = ws.quickstart(crate::app::now_unix(), cancel, &mut |_| {})?;
    let r = &q.import;
    let st = q.store;
    p(format!(
        "{} {} messages read from the sample mbox: {} new, {} already there, {} skipped; the archive holds {} messages, {} of them patches.\n\n",
        style::paint(style::BOLD, "1. Import."),
        r.read,
        r.imported,
        r.already + r.duplicates,
        r.skipped.len(),
        st.messages,
        st.patches
    ))?;
    p(format!(
        "{} {} threads, {} series revisions, assembled into {} chains of revisions:\n",
        style::paint(style::BOLD, "2. Understand."),
        q.threads,
        q.revisions,
        q.series.len()
    ))?;
    for (s, chain) in &q.series {
        p(format!(
            "   {}  {}  {:<6} {}/{} patches  A{} R{} T{}  {}  {}\n",
            style::paint(style::KEY, &s.id),
            time::date(s.date),
            s.label,
            s.present,
            s.total.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
            s.trailers.acked,
            s.trailers.reviewed,
            s.trailers.tested,
            s.author.as_deref().unwrap_or(&s.email),
            s.title
        ))?;
        if chain.len() > 1 {
            let parts: Vec<String> = chain
                .iter()
                .map(|c| match c.reason {
                    Some(why) => format!(
                        "{} ({})",
                        c.label,
                        serde_json::to_value(why)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ),
                    None => c.label.clone(),
                })
                .collect();
            p(format!("             revisions: {}\n", parts.join(" -> ")))?;
            let titles: Vec<&str> = chain.iter().map(|c| c.title.as_str()).collect();
            if titles.windows(2).any(|w| w[0] != w[1]) {
                p(format!(
                    "             (title changed on the way: \"{}\" -> \"{}\")\n",
                    titles[0],
                    titles[titles.len() - 1]
                ))?;
            }
        }
    }
    // Search, with lore's query language.
    p(format!(
        "\n{} lore/lei queries over the local archive:\n",
        style::paint(style::BOLD, "3. Search.")
    ))?;
    for (q, total, newest) in &q.searches {
        let newest = newest
            .as_ref()
            .map(|s| format!("  newest: {s}"))
            .unwrap_or_default();
        p(format!(
            "   {:<46} {:>4} messages{newest}\n",
            style::paint(style::KEY, q),
            total
        ))?;
    }
    // 4. The notebook: the user's roadmap linked to the archive.
    let nb_path = &q.roadmap;
    let stats = &q.stats;
    p(format!(
        "\n{} The example roadmap ({}): {} topics, {} entries, {} of them series; {} linked to this archive, {} not in it; {} open questions.\n",
        style::paint(style::BOLD, "4. Learn."),
        nb_path.display(),
        q.topics,
        stats.entries,
        stats.series,
        stats.found,
        stats.missing,
        stats.open_questions
    ))?;
    for e in q.check.entries.iter().filter(|e| e.series.is_some()) {
        let revs: Vec<String> = e.revisions.iter().map(|v| format!("v{v}")).collect();
        p(format!(
            "   L{:<4} {}\n         in the archive: revisions {}, trailers R{} A{} T{}{}\n",
            e.line,
            e.title,
            revs.join(","),
            e.trailers.reviewed_by,
            e.trailers.acked_by,
            e.trailers.tested_by,
            if e.stale.is_empty() {
                String::new()
            } else {
                format!(
                    "; stale: {}",
                    e.stale
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))?;
    }
    let first = q
        .series
        .iter()
        .map(|(s, _)| s)
        .find(|s| s.title.contains("Split a folio"))
        .or(q.series.first().map(|(s, _)| s));
    p(format!("\n{}\n", style::paint(style::BOLD, "Try next:")))?;
    let env = format!("LPL_HOME={}", home.display());
    if let Some(s) = first {
        p(format!(
            "   {env} lpl show {}            # cover, patches, trailers, revisions\n",
            s.id
        ))?;
        p(format!(
            "   {env} lpl thread {}   # the reply tree\n",
            s.message_id
        ))?;
        p(format!(
            "   {env} lpl am {} -o series.mbx   # git am-ready, trailers folded in\n",
            s.id
        ))?;
    }
    p(format!(
        "   {env} lpl series --all --singles   # every revision and single patch\n"
    ))?;
    p(format!(
        "   {env} lpl search --series 'dfn:mm/huge_memory.c s:folio'   # by series, with trailers\n"
    ))?;
    p(format!(
        "   {env} lpl notebook --file {} check   # every entry against the archive\n",
        nb_path.display()
    ))?;
    p(format!(
        "   {env} lpl notebook --file {} render --html {}/site\n",
        nb_path.display(),
        home.display()
    ))?;
    p("   lpl import ~/lore/linux-mm   # your own mirror: git clone --mirror https://lore.kernel.org/linux-mm/0\n".to_string())?;
    out.finish()?;
    std::io::stdout().flush()?;
    Ok(0)
}
