//! `lpl diff`: what changed between two revisions of a series.

use std::path::PathBuf;

use lpl_core::diff::Status;
use lpl_core::diff::{self, DiffOptions, DiffSide, Method, RangeDiffView};
use lpl_core::time;

use crate::app::{App, style};
use crate::error::{CmdResult, CommandError};

/// Show what changed between two revisions of a series (a range-diff)
///
/// The answer `git range-diff` would give if both revisions were applied to
/// the tree they were made against, computed from the mail alone: each
/// patch of the newer revision is paired with the patch of the older one it
/// became, by git's own method (the size of the diff between the two
/// patches' diffs, with git's assignment solver and creation factor), so
/// that a reworded patch or a new Acked-by still pairs.
///
/// Each line: the old patch's number, the new patch's number and how they
/// relate: `=` unchanged, `!` changed (its diff of diffs follows, in git's
/// layout and colours), `<` only in the old revision, `>` only in the new.
/// Numbers are the patch counters (`N` of `N/M`). Where git prints an
/// abbreviated commit hash, lpl prints the patch's short id: 8 hex digits
/// of a hash of its Message-ID (`--json` has the Message-IDs).
///
/// On top of git: the cover letters' changelogs side by side, the trailers
/// a patch gained or lost (its own and those given in replies), patches
/// marked "rewritten" where git shows a removal and an addition with the
/// same subject, and the messages that could not be compared (pull
/// requests, mails without a diff) named instead of silently left out.
/// --git prints only git's part.
///
/// With --repo DIR, both revisions are applied to a git repository that
/// has the trees they were made against (the series' base-commit, else
/// HEAD; a three-way apply needs the pre-image blobs), without touching its
/// refs, work tree or objects, and the real `git range-diff` is shown, as
/// `b4 diff` does.
///
/// Revisions: none compares the two newest revisions of the series; one
/// (v5) compares it with the revision before it; two (v3 v5) compare those.
///
/// Examples:
///   lpl diff 20240226205534.1603748-1-zi.yan@sent.com
///   lpl diff 5f3c2a1e v3 v5 --creation-factor 80
///   lpl diff SERIES --stat
///   lpl diff SERIES --repo ~/src/linux
///   lpl diff SERIES --json | jq '.entries[] | select(.status == "changed")'
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Series: short id (as `lpl series` prints), Message-ID or lore URL of any of its messages
    series: String,
    /// Revisions to compare: OLD NEW (`v3 v5` or `3 5`), or NEW alone
    #[arg(value_name = "REVISION", num_args = 0..=2)]
    revisions: Vec<String>,
    /// Percentage by which creating or deleting a patch is weighted against
    /// pairing it with a changed one (git's --creation-factor)
    #[arg(long, value_name = "PERCENT", default_value_t = lpl_core::diff::CREATION_FACTOR_DEFAULT)]
    creation_factor: u32,
    /// Only the pairing, one line per patch, and a summary (no diffs)
    #[arg(long)]
    stat: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Apply both revisions to this git repository and run git range-diff
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Print only what git range-diff prints (no changelogs, no notes)
    #[arg(long)]
    git: bool,
}

fn parse_revision(s: &str) -> CmdResult<u32> {
    let t = s.trim();
    let digits = t.strip_prefix(['v', 'V']).unwrap_or(t);
    digits.parse::<u32>().map_err(|_| {
        CommandError::user(format!("{s:?} is not a revision: expected v3 or 3"))
            .hint("lpl revisions SERIES lists the revisions known")
    })
}

pub fn run(app: &App, a: Args) -> CmdResult {
    let revs: Vec<u32> = a
        .revisions
        .iter()
        .map(|s| parse_revision(s))
        .collect::<CmdResult<_>>()?;
    let ws = app.workspace()?;
    let opts = DiffOptions {
        creation_factor: a.creation_factor,
    };
    let repo = a.repo.as_deref().map(|d| (d, !a.json));
    let view = ws
        .range_diff(
            &a.series,
            revs.first().copied(),
            revs.get(1).copied(),
            &opts,
            repo,
        )
        .map_err(|e| {
            let hint = match &e {
                lpl_core::Error::NotFound(_)
                | lpl_core::Error::Invalid(lpl_core::error::Invalid::SameRevision { .. }) => {
                    format!("lpl revisions {} lists the revisions known", a.series)
                }
                _ if a.repo.is_some() => {
                    "leave out --repo to compare from the mail alone".to_owned()
                }
                _ => String::new(),
            };
            let c = CommandError::from(e);
            if hint.is_empty() { c } else { c.hint(hint) }
        })?;
    if view.old.patches.is_empty() && view.new.patches.is_empty() {
        return Err(CommandError::not_found(format!(
            "nothing to compare: neither v{} nor v{} has a patch with a diff",
            view.old.summary.revision, view.new.summary.revision
        ))
        .hint("pull requests and mails without a diff cannot be range-diffed"));
    }
    if a.json {
        let mut out = app.plain();
        out.write_str(&format!("{}\n", serde_json::to_string_pretty(&view)?))?;
        out.finish()?;
        return Ok(0);
    }
    let text = if a.git {
        git_part(&view, a.stat, false)
    } else {
        full(&view, a.stat)
    };
    let mut out = app.output();
    out.write_str(&text)?;
    out.finish()?;
    Ok(0)
}

/// git's part: git's own output through a repository, else lpl's
/// rendering of it (with lpl's notes after the headers when `notes`).
fn git_part(v: &RangeDiffView, stat: bool, notes: bool) -> String {
    if let Some(out) = &v.git_output {
        return if stat {
            out.lines()
                .filter(|l| !l.starts_with("    "))
                .map(|l| format!("{l}\n"))
                .collect()
        } else {
            out.clone()
        };
    }
    diff::render_git(v, true, stat, |k, out| {
        if notes {
            annotate(v, k, out);
        }
    })
}

/// lpl's notes on entry `k`, below its header line.
fn annotate(v: &RangeDiffView, k: usize, out: &mut String) {
    let e = &v.entries[k];
    if !e.trailers_gained.is_empty() || !e.trailers_lost.is_empty() {
        let mut parts: Vec<String> = e
            .trailers_gained
            .iter()
            .map(|t| style::paint(style::ADD, &format!("+{t}")))
            .collect();
        parts.extend(
            e.trailers_lost
                .iter()
                .map(|t| style::paint(style::DEL, &format!("-{t}"))),
        );
        out.push_str(&format!(
            "    {} {}\n",
            style::paint(style::DIM, "trailers:"),
            parts.join(", ")
        ));
    }
    if !e.binary_changed.is_empty() {
        out.push_str(&format!(
            "    {}\n",
            style::paint(
                style::WARN,
                &format!(
                    "binary content differs (git's range-diff cannot show it): {}",
                    e.binary_changed.join(", ")
                )
            )
        ));
    }
    if e.rewritten {
        let text = match e.status {
            Status::Added => {
                "rewritten: a patch with this subject was removed above; the diffs differ too much to pair (a higher --creation-factor pairs them)"
            }
            _ => "rewritten: a patch with this subject is added below",
        };
        out.push_str(&format!("    {}\n", style::paint(style::WARN, text)));
    }
}

fn describe(s: &DiffSide) -> String {
    let sm = &s.summary;
    let total = sm.total.map(|t| format!("/{t}")).unwrap_or_default();
    format!(
        "{} {} {} {}{} patches",
        style::paint(style::BOLD, &format!("v{}", sm.revision)),
        style::paint(style::KEY, &sm.id),
        time::date(sm.date),
        sm.present,
        total
    )
}

fn full(v: &RangeDiffView, stat: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "{}\n",
        style::paint(
            style::HEADER,
            &format!("Range-diff: {}", v.new.summary.title)
        )
    ));
    s.push_str(&format!("{}  ->  {}\n", describe(&v.old), describe(&v.new)));
    let how = match &v.method {
        Method::Mail => format!(
            "from the mail alone, by git's range-diff method (creation factor {}); --repo DIR runs git on the applied patches",
            v.creation_factor
        ),
        Method::Repository { repo, bases } => format!(
            "git range-diff in {repo}, after applying v{} on {} and v{} on {}",
            v.old.summary.revision,
            &bases.0[..bases.0.len().min(12)],
            v.new.summary.revision,
            &bases.1[..bases.1.len().min(12)]
        ),
    };
    s.push_str(&format!("{}\n", style::paint(style::DIM, &how)));
    for side in [&v.old, &v.new] {
        if !side.summary.missing.is_empty() {
            s.push_str(&format!(
                "{}\n",
                style::paint(
                    style::WARN,
                    &format!(
                        "v{} is incomplete: patches {:?} are not in the archive and not compared",
                        side.summary.revision, side.summary.missing
                    )
                )
            ));
        }
    }
    for n in &v.not_compared {
        s.push_str(&format!(
            "{}\n",
            style::paint(
                style::WARN,
                &format!(
                    "not compared: v{} {}/{} <{}> \"{}\": {}",
                    n.revision,
                    n.counter,
                    if n.revision == v.old.summary.revision {
                        &v.old
                    } else {
                        &v.new
                    }
                    .summary
                    .total
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "?".into()),
                    n.message_id,
                    n.subject,
                    n.why.describe()
                )
            )
        ));
    }
    if !stat {
        s.push_str(&changelogs(v));
    }
    s.push('\n');
    s.push_str(&git_part(v, stat, v.git_output.is_none()));
    s.push('\n');
    s.push_str(&summary(v));
    s
}

fn summary(v: &RangeDiffView) -> String {
    let count = |st: Status| v.entries.iter().filter(|e| e.status == st).count();
    let rewritten = v
        .entries
        .iter()
        .filter(|e| e.rewritten && e.status == Status::Added)
        .count();
    let mut line = format!(
        "{} unchanged, {} changed, {} removed, {} added",
        count(Status::Equal),
        count(Status::Changed),
        count(Status::Removed),
        count(Status::Added)
    );
    if rewritten > 0 {
        line.push_str(&format!(" ({rewritten} of them rewritten)"));
    }
    let mut s = format!("{}\n", style::paint(style::BOLD, &line));
    if v.paired() == 0 && !v.old.patches.is_empty() && !v.new.patches.is_empty() {
        s.push_str(&format!(
            "{}\n",
            style::paint(
                style::WARN,
                &format!(
                    "no patch of v{} pairs with one of v{}: are they revisions of the same work? (lpl revisions {} shows why they were linked; --creation-factor 100 pairs more)",
                    v.old.summary.revision, v.new.summary.revision, v.new.summary.id
                )
            )
        ));
    }
    s
}

/// Width of the terminal, for the changelogs side by side.
fn columns() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&c: &usize| c >= 40)
        .unwrap_or(160)
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.replace('\t', "        ");
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            out.push(String::new());
            continue;
        }
        for chunk in chars.chunks(width.max(1)) {
            out.push(chunk.iter().collect());
        }
    }
    out
}

fn changelogs(v: &RangeDiffView) -> String {
    let text_of = |side: &DiffSide| -> String {
        match &side.changelog {
            Some(c) => c.clone(),
            None if side.summary.has_cover => "(no changelog found in the cover letter)".into(),
            None => "(no cover letter)".into(),
        }
    };
    if v.old.changelog.is_none() && v.new.changelog.is_none() {
        return String::new();
    }
    let (left, right) = (text_of(&v.old), text_of(&v.new));
    let total = columns();
    let mut s = String::from("\n");
    let heading = |side: &DiffSide| format!("v{} changelog", side.summary.revision);
    if total < 80 {
        for (h, t) in [(heading(&v.old), &left), (heading(&v.new), &right)] {
            s.push_str(&format!("{}\n", style::paint(style::BOLD, &h)));
            for l in wrap(t, total) {
                s.push_str(&format!("{l}\n"));
            }
        }
        return s;
    }
    let w = (total - 3) / 2;
    let (l, r) = (wrap(&left, w), wrap(&right, w));
    s.push_str(&format!(
        "{}{} | {}\n",
        style::paint(style::BOLD, &heading(&v.old)),
        " ".repeat(w.saturating_sub(heading(&v.old).chars().count())),
        style::paint(style::BOLD, &heading(&v.new))
    ));
    for k in 0..l.len().max(r.len()) {
        let a = l.get(k).map(String::as_str).unwrap_or("");
        let b = r.get(k).map(String::as_str).unwrap_or("");
        let pad = w.saturating_sub(a.chars().count());
        let row = format!("{a}{} | {b}", " ".repeat(pad));
        s.push_str(row.trim_end());
        s.push('\n');
    }
    s
}
