//! `lpl upstream`: was it merged, as which commits, first in which release.

use std::path::PathBuf;

use lpl_core::types::MatchOptions;

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// Tell whether and where a series was merged, from your clone of linux.git
///
/// First index the repository (incremental: later runs read only new
/// commits), then match the archive's patches to its commits, strongest
/// method first: a Link:/Message-ID: trailer naming the mail, an equal
/// patch-id, the same subject and author, then diff similarity.
///
/// The answer names the repository and the revision (the indexed tips) it
/// was checked against. When no repository is indexed, or the indexed one
/// never touched the series' files (liburing for a kernel series), or one
/// that could hold the series was not matched against it since it was
/// indexed or since the series arrived (run --all again), the answer is
/// "unknown", never "not merged".
///
/// Examples:
///   lpl upstream index --repo ~/src/linux
///   lpl upstream --all                 # match every patch; --json lists each match
///   lpl upstream 20240226205534.1603748-1-zi.yan@sent.com
///   lpl upstream --all --no-link-trailers --json    # score the inferred methods
///
/// Exit status: 0 a status (merged, partially, not merged, superseded);
/// 3 unknown: no indexed repository covers the series' files, or one that
/// does was not matched against it (the reason says which); 1 no such
/// series; 2 usage error.
#[derive(clap::Args)]
#[command(verbatim_doc_comment, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Sub>,
    /// Series to report on (short id, Message-ID or lore URL)
    series: Option<String>,
    /// Match every patch of the archive
    #[arg(long)]
    all: bool,
    /// Ignore Link:/Message-ID: trailers (to score the other methods honestly)
    #[arg(long)]
    no_link_trailers: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Index a local git repository (non-merge commits, patch-ids, release tags)
    Index {
        /// The repository (a clone of linux.git, or any git repository)
        #[arg(long, value_name = "DIR")]
        repo: PathBuf,
        /// Revisions to index besides release tags (default: HEAD)
        #[arg(long = "rev", value_name = "REV")]
        revs: Vec<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

pub fn run(app: &App, a: Args) -> CmdResult {
    if let Some(Sub::Index { repo, revs, json }) = a.cmd {
        let mut ws = app.workspace_rw()?;
        let cancel = &crate::app::INTERRUPTED;
        let rep = ws.upstream_index(&repo, revs, cancel, &mut |_| {})?;
        let mut out = app.plain();
        if json {
            out.write_str(&format!(
                "{}\n",
                serde_json::to_string_pretty(&serde_json::json!({
                    "repo": rep.repo, "new_commits": rep.new_commits, "total_commits": rep.total_commits,
                    "release_tags": rep.release_tags, "tags_recomputed": rep.tags_recomputed,
                    "warnings": rep.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                }))?
            ))?;
        } else {
            out.write_str(&format!(
                "{}: {} new commits indexed, {} in all, {} release tags\n",
                rep.repo.display(),
                rep.new_commits,
                rep.total_commits,
                rep.release_tags
            ))?;
            for w in &rep.warnings {
                out.write_str(&format!("{} {w}\n", style::paint(style::WARN, "warning:")))?;
            }
        }
        return Ok(0);
    }
    if a.all {
        let mut ws = app.workspace_existing_rw()?;
        let opts = MatchOptions {
            no_link_trailers: a.no_link_trailers,
            ..Default::default()
        };
        let rep = ws.upstream_match_all(&opts).map_err(|e| {
            CommandError::from(e).hint("index a repository first: lpl upstream index --repo DIR")
        })?;
        let mut out = app.plain();
        if a.json {
            out.write_str(&format!("{}\n", serde_json::to_string_pretty(&rep)?))?;
        } else {
            let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
            for m in &rep.matches {
                *by.entry(m.method.as_str()).or_default() += 1;
            }
            out.write_str(&format!(
                "{} of {} patches matched to upstream commits\n",
                rep.matched, rep.patches
            ))?;
            for (k, n) in by {
                out.write_str(&format!("  {k}: {n} matches\n"))?;
            }
        }
        return Ok(0);
    }
    let arg = a.series.ok_or_else(|| {
        CommandError::user("name a series, or use --all, or `lpl upstream index --repo DIR`")
    })?;
    let ws = app.workspace()?;
    let (sm, st) = ws.upstream_status(&arg)?;
    // "Unknown" is an answer of its own: scripts must not read it as
    // "not merged".
    let code = if st.is_merged().is_none() {
        UNKNOWN_EXIT
    } else {
        0
    };
    let mut out = app.plain();
    if a.json {
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&st)?))?;
        return Ok(code);
    }
    out.write_str(&format!(
        "{}  {}: {}\n",
        style::paint(style::KEY, &sm.id),
        sm.subject,
        style::paint(style::BOLD, &st.summary())
    ))?;
    let at = |revision: &[lpl_core::types::CommitId]| {
        let tips: Vec<String> = revision
            .iter()
            .map(|t| t.to_string()[..12].to_owned())
            .collect();
        if tips.is_empty() {
            "no indexed revision".to_owned()
        } else {
            tips.join(", ")
        }
    };
    if let Some(repo) = &st.repository {
        // An unknown that names a repository: it could hold the series but
        // its stored matches do not answer for it (not matched yet).
        let how = if st.is_merged().is_none() {
            "not matched against"
        } else {
            "checked against"
        };
        out.write_str(&format!("  {how} {repo} at {}\n", at(&st.revision)))?;
    }
    // The other indexed repositories, and why they did not answer.
    for c in st
        .checked
        .iter()
        .filter(|c| st.repository.as_ref() != Some(&c.repository))
    {
        out.write_str(&format!(
            "  {} {} at {}{}\n",
            if st.repository.is_some() {
                "also checked"
            } else {
                "checked against"
            },
            c.repository,
            at(&c.revision),
            if c.covers {
                ""
            } else {
                " (its history never touched these files)"
            }
        ))?;
    }
    if st.repository.is_none() && st.checked.is_empty() {
        out.write_str("  checked against no repository\n")?;
    }
    for p in &st.patches {
        match p.matches.first() {
            Some(m) => out.write_str(&format!(
                "  {}  <{}>  {} ({}, {:.2}){}\n",
                style::paint(style::ADD, "merged"),
                p.message_id,
                &m.commit.to_string()[..12],
                m.method.as_str(),
                m.score,
                m.first_tag
                    .as_deref()
                    .map(|t| format!(" in {t}"))
                    .unwrap_or_default()
            ))?,
            None => out.write_str(&format!(
                "  {}  <{}>\n",
                style::paint(style::WARN, "not merged"),
                p.message_id
            ))?,
        }
    }
    Ok(code)
}

/// Exit status of `lpl upstream SERIES` when the status is unknown.
const UNKNOWN_EXIT: i32 = 3;
