//! `lpl notebook ...`: the user's Markdown roadmap, linked to the archive.

use std::path::PathBuf;

use lpl_core::Workspace;
use lpl_core::fetch::FetchOptions;
use lpl_core::notebook::Detail;
use lpl_core::notebook::check::Found;
use lpl_core::notebook::edit::{self, AddOptions, NoteTarget, PatchRef};
use lpl_core::notebook::{Notebook, NotebookFetchEvent, Progress, fsio, select};
use lpl_core::types::SeriesState;

use crate::app::{App, style};
use crate::config;
use crate::error::{CmdResult, CommandError};
use crate::table::{Align, Table};

/// Your Markdown roadmap of series: check it against the archive, edit it, render it
///
/// The notebook is your own file (in your own git repository): lpl reads it,
/// edits only the lines it must (atomically, keeping FILE.bak, refusing if
/// the file changed on disk meanwhile), and never moves it. Name it with
/// --file, or once with `lpl notebook use FILE` (kept in the config file).
///
/// Marks, written by hand or by `status`, between an entry's date and its
/// link (or at the start of a patch's bullet):
///   ✅ read    📖 reading    (none, or - [ ]) not read yet
///   🚧 the series is not merged yet (check flags it once upstream has it)
///
/// Examples:
///   lpl notebook import roadmap-raw.md -o roadmap.md   # repair double-encoded UTF-8
///   lpl notebook use ~/notes/roadmap.md
///   lpl notebook check
///   lpl notebook add 20240226205534.1603748-1-zi.yan@sent.com --topic THP
///   lpl notebook note "lower order folios" --patch 3 "memcg split handled per order"
///   lpl notebook ask "lower order folios" "why is order-1 special?"
///   lpl notebook answer L41 --text "split like any other THP"
///   lpl notebook status L82 reading               # an entry by its line
///   lpl notebook status "mapcount" --patch 4 read  # one patch of it
///   lpl notebook stats                             # per topic: read, reading, merged, 🚧, open ?
///   lpl notebook render --html site/
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The notebook file (default: notebook.file in the config file)
    #[arg(long, global = true, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Repair a double-encoded (mojibake) file exactly, reporting where bytes were lost
    Import {
        /// The file as received
        raw: PathBuf,
        /// Where to write the repaired notebook (default: FILE itself, keeping FILE.bak)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Suggest the characters mojibake lost (the U+FFFD holes), as a diff to accept
    ///
    /// RAW is the file as it arrived (double-encoded; default: the notebook
    /// itself). Its surviving bytes allow a few characters per hole; the
    /// likeliest is chosen from how often each occurs in Chinese technical
    /// text, and with the characters beside the hole. --suggest shows each
    /// changed line with the alternatives; --apply writes them into the
    /// notebook: every line still as `import` wrote it gets its holes
    /// filled, lines you edited since are left alone (or, when the notebook
    /// is itself the raw file, it is repaired and filled in one go).
    ///
    /// Examples:
    ///   lpl notebook repair roadmap-raw.md --suggest
    ///   lpl notebook repair roadmap-raw.md --apply
    Repair {
        /// The raw (double-encoded) file (default: the notebook)
        raw: Option<PathBuf>,
        /// Show the suggestions, write nothing
        #[arg(long, conflicts_with = "apply")]
        suggest: bool,
        /// Write the suggestions into the notebook (keeping FILE.bak)
        #[arg(long)]
        apply: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Fetch from lore the series your entries link that the archive lacks
    ///
    /// For every series entry (or those named), the thread its link names
    /// and the revisions its notes give (v33 https://...) are downloaded
    /// with `lpl fetch`'s machinery when they are not stored yet, then the
    /// other revisions their cover letters link (Link to v1: ...). A
    /// second run fetches nothing; a run cut short resumes where it
    /// stopped. Entries: L<line>, Message-ID, lore URL or title words.
    ///
    /// With --newer, lore's search is also asked, once per series entry,
    /// for later revisions of it (s:"TITLE" f:SENDER, the sender's address
    /// when the series is stored, else the name in the link's title); the
    /// whole threads of those newer than every revision the entry links or
    /// the archive holds are fetched too. With --dry-run the searches are
    /// still made (they download only the matching messages), and the
    /// threads they would bring are listed.
    ///
    /// Examples:
    ///   lpl notebook fetch --dry-run        # the URLs it would fetch
    ///   lpl notebook fetch                  # every entry
    ///   lpl notebook fetch L157 L161        # two entries
    ///   lpl notebook fetch --newer L71      # and any later revision on lore
    Fetch {
        /// Entries to fetch (default: all)
        entries: Vec<String>,
        /// List what would be fetched (entry, URL, why), fetch nothing
        #[arg(long)]
        dry_run: bool,
        /// Also look for newer revisions on lore (one search per entry)
        #[arg(long)]
        newer: bool,
        /// Server to ask (default https://lore.kernel.org/all, or lore.json's base_url)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remember FILE as your notebook (in the config file)
    Use { path: PathBuf },
    /// Per entry: in the archive or not, revisions known, trailers, open questions, what looks stale
    ///
    /// Also names the functions of an entry's call chains (nested bullets
    /// of `code` names) that no indexed kernel tree defines: renamed,
    /// removed, or newer than the tree (`lpl code index`); nothing is said
    /// of them when no tree is indexed.
    ///
    /// --json prints one object per entry; among its fields:
    ///   merged                true (merged, or superseded by a merged revision),
    ///                         false (not, or partly, merged), null when unknown
    ///   upstream              the status behind `merged`: summary, the reason when
    ///                         unknown, the repository and revision checked
    ///   undefined_functions   the call-chain names no indexed tree defines, with their line
    ///
    /// Examples:
    ///   lpl notebook check --todo
    ///   lpl notebook check --json | jq '.[] | select(.merged == false) | .title'
    #[command(verbatim_doc_comment)]
    Check {
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Only entries with something to look at (stale, not found, open questions)
        #[arg(long)]
        todo: bool,
    },
    /// Entries per topic, found/missing in the archive, open questions
    Stats {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Add a series as a dated entry in a topic, in your own style
    ///
    /// The entry is written as your other entries are (date form, escaped
    /// title, list marker) where its date belongs in the topic:
    /// `- 2024-02-26 [\[PATCH v5 0/8\] Split a folio ... - Zi Yan](URL)`,
    /// with 🚧 after the date (--not-merged) and 📖 (--reading).
    ///
    /// Examples:
    ///   lpl notebook add 20240226205534.1603748-1-zi.yan@sent.com --topic THP
    ///   lpl notebook add https://lore.kernel.org/linux-mm/MSGID/ --topic mTHP --not-merged
    ///   lpl notebook add 1a2b3c --topic "vma optimization" --create-topic --dry-run
    Add {
        /// Series (short id, Message-ID or lore URL)
        series: String,
        /// Topic (heading) to put it in
        #[arg(long)]
        topic: String,
        /// Create the topic if it does not exist
        #[arg(long)]
        create_topic: bool,
        /// Mark it as being read (📖)
        #[arg(long)]
        reading: bool,
        /// Mark it 🚧: not merged yet (`check` flags it once upstream has it)
        #[arg(long, visible_alias = "wip")]
        not_merged: bool,
        /// Print what would change, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Add a note under an entry (or under one of its patches)
    ///
    /// With --patch N the note goes under the bullet about patch N: one
    /// with its tags ([PATCH v2 3/8] ...) or one written as the patch's
    /// title (with or without the subsystem prefix), as the archive knows
    /// it. A missing bullet is added in the style the entry already uses.
    Note {
        /// Entry: L<line>, Message-ID, lore URL, or words of its title
        entry: String,
        /// Note on patch N of the series
        #[arg(long, value_name = "N")]
        patch: Option<u32>,
        /// The note
        text: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Add an open question ([ ]) under an entry
    Ask {
        /// Entry: L<line>, Message-ID, lore URL, or words of its title
        entry: String,
        /// The question
        text: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Mark a question as answered ([x]), writing the answer under it
    Answer {
        /// Words of the question, or L<line>
        question: String,
        /// The answer, written as a bullet under the question
        #[arg(long)]
        text: Option<String>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Mark your reading progress: read (✅), reading (📖) or unread (no mark)
    ///
    /// The mark is written into the roadmap itself, where you would write it:
    /// between the entry's date and its link, as its task box if the entry is
    /// a task (- [ ] / - [x]), or with --patch N at the start of the bullet
    /// about that patch (added, titled as the patch, when missing).
    ///
    /// 🚧 is not a reading mark: written by hand beside the date, it says the
    /// series is not merged yet. It stays as you wrote it; `check` flags an
    /// entry marked 🚧 whose series the upstream index knows as merged.
    Status {
        /// Entry: L<line>, Message-ID, lore URL, or words of its title
        entry: String,
        #[arg(value_parser = ["read", "reading", "unread"])]
        status: String,
        /// Mark patch N of the series instead of the entry
        #[arg(long, value_name = "N")]
        patch: Option<u32>,
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a static HTML site: timeline by topic, each entry beside its series
    Render {
        /// Output directory
        #[arg(long, value_name = "DIR")]
        html: PathBuf,
    },
}

pub(crate) fn notebook_path(a: &Option<PathBuf>) -> CmdResult<PathBuf> {
    if let Some(p) = a {
        return Ok(p.clone());
    }
    match config::get("notebook", "file") {
        Some(p) => Ok(PathBuf::from(p)),
        None => Err(CommandError::user("no notebook file named")
            .hint("pass --file FILE, or remember it once: lpl notebook use FILE")),
    }
}

pub(crate) fn load(path: &std::path::Path) -> CmdResult<(fsio::Loaded, Notebook)> {
    let loaded = fsio::load(path).map_err(|e| CommandError::user(e.to_string()))?;
    let nb = Notebook::parse(loaded.bytes.clone());
    Ok((loaded, nb))
}

/// The notebook plus the archive it is checked against.
fn with_archive(app: &App, file: &Option<PathBuf>) -> CmdResult<(Notebook, Workspace)> {
    let (loaded, nb) = load(&notebook_path(file)?)?;
    warn_mojibake(&loaded.bytes, &loaded.path);
    Ok((nb, app.workspace()?))
}

/// The subject of patch `counter` of entry `e`'s series, when the archive
/// has it (to find or write the bullet titled as the patch). Without an
/// archive, per-patch bullets are found by their tags only.
fn patch_subject(app: &App, nb: &Notebook, e: usize, counter: u32) -> Option<String> {
    app.workspace()
        .ok()?
        .notebook_patch_subject(nb, e, counter)
        .ok()
        .flatten()
}

/// A warning when the file looks double-encoded (read as a Windows code
/// page and saved again): edits would work on mojibake.
fn warn_mojibake(bytes: &[u8], path: &std::path::Path) {
    let r = lpl_core::notebook::mojibake::repair(bytes);
    if r.detected {
        eprintln!(
            "{} {} looks double-encoded (UTF-8 read as {:?}): {} characters can be restored exactly, {} were damaged; repair it with: lpl notebook import {} -o FIXED.md",
            style::paint(style::WARN, "warning:"),
            path.display(),
            r.code_page,
            r.restored,
            r.lost.len(),
            path.display()
        );
    }
}

pub(crate) fn sel_err(e: select::SelectError) -> CommandError {
    CommandError::user(e.to_string()).hint(
        "name an entry by its line (L82), its Message-ID, lore URL, or more words of its title",
    )
}

pub(crate) fn apply(
    app: &App,
    loaded: &fsio::Loaded,
    ed: Result<edit::Edit, edit::EditError>,
    dry_run: bool,
) -> CmdResult {
    let ed = ed.map_err(|e| CommandError::user(e.to_string()))?;
    let mut out = app.plain();
    out.write_str(&format!("{ed}"))?;
    if !ed.to_string().ends_with('\n') {
        out.write_str("\n")?;
    }
    if dry_run {
        out.write_str(&style::paint(style::DIM, "(dry run: nothing written)\n"))?;
        return Ok(0);
    }
    let backup = fsio::save(loaded, &ed.bytes).map_err(|e| {
        CommandError::user(e.to_string())
            .hint("the file changed since it was read, or is not writable: nothing was written")
    })?;
    out.write_str(&style::paint(
        style::DIM,
        &format!(
            "written {} (previous version: {})\n",
            loaded.path.display(),
            backup.display()
        ),
    ))?;
    Ok(0)
}

pub fn run(app: &App, a: Args) -> CmdResult {
    match a.cmd {
        Sub::Import { raw, output, json } => {
            let bytes = std::fs::read(&raw)
                .map_err(|e| CommandError::user(format!("cannot read {}: {e}", raw.display())))?;
            let r = lpl_core::notebook::mojibake::repair(&bytes);
            let mut out = app.plain();
            if json {
                let lost: Vec<_> = r
                    .lost
                    .iter()
                    .map(|l| serde_json::json!({"line": l.line, "column": l.column, "missing_bytes": l.missing, "detail": l.to_string()}))
                    .collect();
                out.write_str(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "detected": r.detected, "code_page": format!("{:?}", r.code_page),
                        "restored": r.restored, "lost": lost,
                    }))?
                ))?;
            } else if r.detected {
                out.write_str(&format!(
                    "{}: double-encoded UTF-8 (read as {:?}): {} characters restored exactly, {} spots where bytes were lost (marked U+FFFD):\n",
                    raw.display(),
                    r.code_page,
                    r.restored,
                    r.lost.len()
                ))?;
                for l in &r.lost {
                    out.write_str(&format!("  {l}\n"))?;
                }
            } else {
                out.write_str(&format!(
                    "{}: no double encoding found; nothing to repair\n",
                    raw.display()
                ))?;
            }
            let target = output.unwrap_or(raw.clone());
            if r.detected || target != raw {
                if target == raw {
                    let loaded = fsio::Loaded {
                        path: raw.clone(),
                        bytes,
                    };
                    fsio::save(&loaded, &r.text).map_err(|e| CommandError::user(e.to_string()))?;
                } else {
                    std::fs::write(&target, &r.text)?;
                }
                if !json {
                    out.write_str(&format!("wrote {}\n", target.display()))?;
                }
            }
            Ok(0)
        }
        Sub::Repair {
            raw,
            suggest: _,
            apply: write,
            json,
        } => {
            let path = notebook_path(&a.file)?;
            let raw = raw.unwrap_or_else(|| path.clone());
            let bytes = std::fs::read(&raw)
                .map_err(|e| CommandError::user(format!("cannot read {}: {e}", raw.display())))?;
            let r = lpl_core::notebook::mojibake::repair(&bytes);
            if !r.detected {
                return Err(CommandError::not_found(format!(
                    "{}: no double encoding found; nothing to suggest",
                    raw.display()
                ))
                .hint("give the file as it arrived: lpl notebook repair RAW --suggest"));
            }
            let sugg = lpl_core::notebook::mojibake::suggest(&r);
            let filled = lpl_core::notebook::mojibake::apply_suggestions(&r, &sugg);
            let (loaded, nb) = load(&path)?;
            // The notebook is the raw file itself: repaired and filled.
            let ed = if loaded.bytes == bytes {
                lpl_core::notebook::edit::replace_all(&nb, &filled)
            } else {
                lpl_core::notebook::edit::fill_lines(&nb, &r.text, &filled)
            };
            let mut out = app.plain();
            if json {
                let v: Vec<_> = sugg
                    .iter()
                    .map(|x| serde_json::json!({"line": x.line, "column": x.column, "best": x.best.to_string(), "ranked": x.ranked.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "confidence": x.confidence}))
                    .collect();
                out.write_str(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&serde_json::json!({"holes": r.lost.len(), "suggestions": v, "lines_changed": ed.changes.len()}))?
                ))?;
            } else {
                for x in &sugg {
                    let alt: String = x.ranked.iter().skip(1).take(5).collect();
                    out.write_str(&format!(
                        "L{}:{}  {} ({:.0}%; else {alt})\n",
                        x.line,
                        x.column,
                        x.best,
                        x.confidence * 100.0
                    ))?;
                }
                out.write_str(&format!("{ed}"))?;
                out.write_str(&format!(
                    "{} holes, {} suggestions, {} lines of {} would change\n",
                    r.lost.len(),
                    sugg.len(),
                    ed.changes.len(),
                    path.display()
                ))?;
            }
            if !write {
                if !json {
                    out.write_str(&style::paint(
                        style::DIM,
                        "(suggestions only: --apply writes them)\n",
                    ))?;
                }
                return Ok(0);
            }
            let backup = fsio::save(&loaded, &ed.bytes)
                .map_err(|e| CommandError::user(e.to_string()).hint("nothing was written"))?;
            eprintln!(
                "written {} (previous version: {})",
                path.display(),
                backup.display()
            );
            Ok(0)
        }
        Sub::Fetch {
            entries,
            dry_run,
            newer,
            base_url,
            json,
        } => run_fetch(
            app,
            &a.file,
            &entries,
            FetchFlags {
                dry_run,
                newer,
                json,
            },
            base_url.as_deref(),
        ),
        Sub::Use { path } => {
            let abs = std::fs::canonicalize(&path)
                .map_err(|e| CommandError::user(format!("{}: {e}", path.display())))?;
            if let Ok(bytes) = std::fs::read(&abs) {
                warn_mojibake(&bytes, &abs);
            }
            let cfg = config::set("notebook", "file", &abs.to_string_lossy())?;
            eprintln!(
                "notebook: {} (recorded in {})",
                abs.display(),
                cfg.display()
            );
            Ok(0)
        }
        Sub::Check { json, todo } => {
            let (nb, ws) = with_archive(app, &a.file)?;
            // The JSON carries each series whole (diffstats, cover letter,
            // range-diff from the previous revision); the text shows none
            // of them.
            let detail = if json { Detail::Full } else { Detail::Light };
            let rep = ws.notebook_check(&nb, detail)?;
            if json {
                let mut out = app.plain();
                out.write_str(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&rep.entries)?
                ))?;
                return Ok(0);
            }
            let mut s = String::new();
            for e in &rep.entries {
                let interesting = !e.stale.is_empty()
                    || e.open_questions > 0
                    || e.found == Found::NotFound
                    || !e.undefined_functions.is_empty();
                if todo && !interesting {
                    continue;
                }
                if e.found == Found::NotASeries && !todo && e.undefined_functions.is_empty() {
                    continue;
                }
                let badge = match e.found {
                    Found::ByMessageId | Found::ByOtherRevision | Found::BySubject => {
                        style::paint(style::ADD, "found")
                    }
                    Found::NotFound => style::paint(style::WARN, "not in archive"),
                    Found::NotASeries => style::paint(style::DIM, "link"),
                };
                s.push_str(&format!(
                    "L{:<4} {badge}  {}  {}\n",
                    e.line,
                    style::paint(style::DIM, &e.topic),
                    e.title
                ));
                if !e.revisions.is_empty() {
                    let revs: Vec<String> = e.revisions.iter().map(|v| format!("v{v}")).collect();
                    let linked = match (e.linked_revision, e.linked_in_archive) {
                        (Some(v), true) => format!("linked v{v}"),
                        (Some(v), false) => format!("the linked v{v} is not in the archive"),
                        (None, _) => "linked ?".into(),
                    };
                    s.push_str(&format!(
                        "       in the archive: {} ({linked})  trailers R{} A{} T{}\n",
                        revs.join(","),
                        e.trailers.reviewed_by,
                        e.trailers.acked_by,
                        e.trailers.tested_by
                    ));
                }
                if e.found != Found::NotASeries {
                    s.push_str(&format!("       {}\n", style::paint(style::DIM, &e.reason)));
                }
                // Said only once a repository is indexed: before, every
                // entry would be "unknown" for the same reason.
                if let Some(u) = &e.upstream
                    && let Some(repo) = &u.repository
                {
                    let tips: Vec<&str> =
                        u.revision.iter().map(|t| &t[..t.len().min(12)]).collect();
                    s.push_str(&format!(
                        "       upstream: {} ({repo} at {})\n",
                        u.what,
                        tips.join(",")
                    ));
                }
                for r in &e.reading {
                    s.push_str(&format!(
                        "       reading ({}, {}): {}\n",
                        r.kind, r.why, r.url
                    ));
                }
                if e.open_questions > 0 {
                    s.push_str(&format!("       {} open question(s)\n", e.open_questions));
                }
                for st in &e.stale {
                    s.push_str(&format!(
                        "       {} {st}\n",
                        style::paint(style::WARN, "stale:")
                    ));
                }
                if !e.undefined_functions.is_empty() {
                    let names: Vec<String> = e
                        .undefined_functions
                        .iter()
                        .map(|f| format!("{} (L{})", f.name, f.line))
                        .collect();
                    s.push_str(&format!(
                        "       {} {}\n",
                        style::paint(style::WARN, "not defined in the indexed tree:"),
                        names.join(", ")
                    ));
                }
            }
            let stats = lpl_core::notebook::check::stats(&nb, &rep);
            s.push_str(&format!(
                "{} entries: {} series, {} found in the archive, {} not; {} open questions\n",
                stats.entries, stats.series, stats.found, stats.missing, stats.open_questions
            ));
            let mut out = app.output();
            out.write_str(&s)?;
            out.finish()?;
            Ok(0)
        }
        Sub::Stats { json } => {
            let (nb, ws) = with_archive(app, &a.file)?;
            let rep = ws.notebook_check(&nb, Detail::Light)?;
            let st = lpl_core::notebook::check::stats(&nb, &rep);
            let mut out = app.plain();
            if json {
                out.write_str(&format!("{}\n", serde_json::to_string_pretty(&st)?))?;
                return Ok(0);
            }
            let mut t = Table::new(&[
                ("topic", Align::Left, 40),
                ("entries", Align::Right, 0),
                ("read", Align::Right, 0),
                ("reading", Align::Right, 0),
                ("series", Align::Right, 0),
                ("found", Align::Right, 0),
                ("missing", Align::Right, 0),
                ("merged", Align::Right, 0),
                ("🚧", Align::Right, 0),
                ("open?", Align::Right, 0),
            ]);
            let row = |name: &str, c: [usize; 9]| {
                std::iter::once(name.to_owned())
                    .chain(c.iter().map(usize::to_string))
                    .collect::<Vec<_>>()
            };
            for tp in &st.topics {
                t.row(row(
                    &tp.path,
                    [
                        tp.entries,
                        tp.read,
                        tp.reading,
                        tp.series,
                        tp.found,
                        tp.missing,
                        tp.merged,
                        tp.marked_not_merged,
                        tp.open_questions,
                    ],
                ));
            }
            t.row(row(
                "total",
                [
                    st.entries,
                    st.read,
                    st.reading,
                    st.series,
                    st.found,
                    st.missing,
                    st.merged,
                    st.marked_not_merged,
                    st.open_questions,
                ],
            ));
            let s = t.render();
            out.write_str(&s)?;
            Ok(0)
        }
        Sub::Add {
            series,
            topic,
            create_topic,
            reading,
            not_merged,
            dry_run,
        } => {
            let (loaded, nb) = load(&notebook_path(&a.file)?)?;
            let ws = app.workspace()?;
            let mut new = ws.notebook_entry(
                &series,
                if reading {
                    Progress::Reading
                } else {
                    Progress::Unread
                },
            )?;
            new.not_merged = not_merged;
            if not_merged
                && let Ok((_, st)) = ws.upstream_status(&series)
                && matches!(
                    st.state,
                    SeriesState::Merged | SeriesState::Superseded { .. }
                )
            {
                eprintln!(
                    "{} the upstream index knows this series as merged ({}): `check` will flag the 🚧",
                    style::paint(style::WARN, "warning:"),
                    st.summary()
                );
            }
            let ed = edit::add_entry(
                &nb,
                &new,
                &AddOptions {
                    topic,
                    create_topic,
                },
            );
            apply(app, &loaded, ed, dry_run)
        }
        Sub::Note {
            entry,
            patch,
            text,
            dry_run,
        } => {
            let (loaded, nb) = load(&notebook_path(&a.file)?)?;
            let e = select::find_entry(&nb, &entry, None).map_err(sel_err)?;
            let target = match patch {
                Some(counter) => NoteTarget::Patch {
                    counter,
                    subject: patch_subject(app, &nb, e, counter),
                },
                None => NoteTarget::Entry,
            };
            apply(
                app,
                &loaded,
                edit::add_note(&nb, e, &target, &text),
                dry_run,
            )
        }
        Sub::Ask {
            entry,
            text,
            dry_run,
        } => {
            let (loaded, nb) = load(&notebook_path(&a.file)?)?;
            let e = select::find_entry(&nb, &entry, None).map_err(sel_err)?;
            apply(app, &loaded, edit::ask(&nb, e, &text), dry_run)
        }
        Sub::Answer {
            question,
            text,
            dry_run,
        } => {
            let (loaded, nb) = load(&notebook_path(&a.file)?)?;
            let q = select::find_question(&nb, &question).map_err(sel_err)?;
            apply(app, &loaded, edit::answer(&nb, q, text.as_deref()), dry_run)
        }
        Sub::Status {
            entry,
            status,
            patch,
            dry_run,
        } => {
            let (loaded, nb) = load(&notebook_path(&a.file)?)?;
            let e = select::find_entry(&nb, &entry, None).map_err(sel_err)?;
            let st = match status.as_str() {
                "read" => Progress::Read,
                "reading" => Progress::Reading,
                _ => Progress::Unread,
            };
            let ed = match patch {
                Some(counter) => edit::set_patch_status(
                    &nb,
                    e,
                    &PatchRef {
                        counter,
                        subject: patch_subject(app, &nb, e, counter),
                    },
                    st,
                ),
                None => edit::set_status(&nb, e, st),
            };
            apply(app, &loaded, ed, dry_run)
        }
        Sub::Render { html } => {
            let (nb, ws) = with_archive(app, &a.file)?;
            ws.notebook_render(&nb, &html)?;
            eprintln!(
                "wrote {} (open {}/index.html)",
                html.display(),
                html.display()
            );
            Ok(0)
        }
    }
}

struct FetchFlags {
    dry_run: bool,
    newer: bool,
    json: bool,
}

fn run_fetch(
    app: &App,
    file: &Option<PathBuf>,
    entries: &[String],
    flags: FetchFlags,
    base_url: Option<&str>,
) -> CmdResult {
    let FetchFlags {
        dry_run,
        newer,
        json,
    } = flags;
    let (loaded, nb) = load(&notebook_path(file)?)?;
    warn_mojibake(&loaded.bytes, &loaded.path);
    let only = entries
        .iter()
        .map(|q| select::find_entry(&nb, q, None).map_err(sel_err))
        .collect::<CmdResult<Vec<usize>>>()?;
    let mut ws = app.workspace_rw()?;
    let mut plan = ws.notebook_fetch_plan(&nb, &only);
    let mut fo = FetchOptions::default();
    fo.base_url = base_url.map(str::to_owned);
    let cancel = &crate::app::INTERRUPTED;
    if newer {
        let searches = ws.notebook_newer(&nb, &only, &mut plan, &fo, cancel)?;
        for s in &searches {
            if let Some(err) = &s.error {
                eprintln!(
                    "{} L{} {}: {err}",
                    style::paint(style::WARN, "search failed:"),
                    s.line,
                    s.query
                );
            }
        }
    }
    let mut out = app.plain();
    if dry_run {
        if json {
            out.write_str(&format!("{}\n", serde_json::to_string_pretty(&plan)?))?;
        } else {
            for p in &plan {
                out.write_str(&format!("L{:<4} {}\n", p.line, p.title))?;
                for w in &p.wants {
                    out.write_str(&format!("       {} ({})\n", w.url, w.why))?;
                }
            }
            out.write_str(&format!(
                "{} entries, {} threads to fetch (dry run: nothing fetched)\n",
                plan.len(),
                plan.iter().map(|p| p.wants.len()).sum::<usize>()
            ))?;
        }
        out.finish()?;
        return Ok(0);
    }
    if plan.is_empty() {
        if json {
            out.write_str("{\"entries\": [], \"imported\": 0}\n")?;
        } else {
            out.write_str(&format!(
                "nothing to fetch: every series entry is in the archive{}\n",
                if newer {
                    ", and lore has no newer revision"
                } else {
                    ""
                }
            ))?;
        }
        out.finish()?;
        return Ok(0);
    }
    let pb = if json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::hidden()
    } else {
        let pb = indicatif::ProgressBar::new(plan.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    };
    let res = ws.notebook_fetch(&plan, &fo, cancel, &mut |e| {
        if let NotebookFetchEvent::Entry {
            index, line, title, ..
        } = e
        {
            pb.set_position(*index as u64);
            pb.set_message(format!(
                "L{line} {}",
                title.chars().take(50).collect::<String>()
            ));
        }
    });
    pb.finish_and_clear();
    let done = res?;
    let imported: u64 = done.iter().map(|d| d.imported()).sum();
    let failed: usize = done.iter().map(|d| d.failed.len()).sum();
    if json {
        out.write_str(&format!(
            "{}\n",
            serde_json::to_string_pretty(
                &serde_json::json!({"entries": done, "imported": imported, "failed": failed})
            )?
        ))?;
    } else {
        for d in &done {
            let fetched: u64 = d.threads.iter().map(|t| t.fetched).sum();
            out.write_str(&format!(
                "L{:<4} {}: {} thread{}, {} messages, {} new\n",
                d.line,
                d.title,
                d.threads.len(),
                if d.threads.len() == 1 { "" } else { "s" },
                fetched,
                d.imported()
            ))?;
            for (id, why) in &d.failed {
                out.write_str(&format!(
                    "       {} <{id}>: {why}\n",
                    style::paint(style::WARN, "not fetched:")
                ))?;
            }
        }
        out.write_str(&format!(
            "{} entries fetched, {imported} new messages{}\n",
            done.len(),
            if failed > 0 {
                format!(", {failed} threads not fetched")
            } else {
                String::new()
            }
        ))?;
    }
    out.finish()?;
    Ok(0)
}
