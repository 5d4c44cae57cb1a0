//! `lpl code ...`: the kernel source index, and the series that changed a
//! function.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lpl_core::Event;
use lpl_core::code::{self as code, Edge, Progress, TreeOptions, TreeSource};

use crate::app::{App, Output, style};
use crate::error::CmdResult;

/// Navigate kernel source: definitions, callers, call trees, and every series that changed a function
///
/// Index a kernel tree once (a directory, or a git clone at a tag or
/// commit); several trees (versions) can be indexed side by side, and
/// re-indexing a newer tag parses only the files that changed. Every
/// answer names the tree it comes from (default: the tree indexed last;
/// --tree NAME picks another). Macros are indexed as definitions;
/// functions passed as arguments or stored in `.field = fn` are "maybe"
/// callees.
///
/// Examples:
///   lpl code index ~/src/linux                      # a directory (named after it)
///   lpl code index ~/src/linux --rev v6.12          # a git clone at a tag
///   lpl code def zap_pte_range
///   lpl code callers split_page_memcg --json
///   lpl code tree do_madvise --depth 6
///   lpl code tree do_madvise --depth 4 --into-notebook 'per_vma lock' --file roadmap.md
///   lpl code history split_page_memcg               # every series that changed it
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(clap::Args)]
struct Common {
    /// The indexed tree to ask (default: the one indexed last; see `lpl code trees`)
    #[arg(long, value_name = "NAME")]
    tree: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Index a kernel tree (a directory, or a git repository with --rev)
    ///
    /// Unparsable files are reported and counted; indexing goes on.
    /// Example: lpl code index ~/src/linux --rev v6.12 --name v6.12
    Index {
        /// The top directory of the kernel tree, or of a git repository
        src: PathBuf,
        /// Name of the tree (default: the revision, or the directory's name); an existing tree of that name is replaced
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Index this revision of the git repository SRC (a tag, branch or commit)
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
        /// Index SRC even if it does not look like a kernel tree
        #[arg(long)]
        force: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List the indexed trees
    ///
    /// Example: lpl code trees --json
    Trees {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove an indexed tree
    ///
    /// Example: lpl code remove v6.11
    Remove {
        /// The tree's name
        name: String,
    },
    /// Where NAME is defined (every #ifdef variant)
    ///
    /// Example: lpl code def zap_pte_range
    Def {
        /// A function, macro, struct, union, enum, typedef or global
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Who calls NAME (direct calls first, then "maybe" callers)
    ///
    /// Example: lpl code callers split_page_memcg
    Callers {
        /// A function or function-like macro
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// What NAME calls, in source order
    ///
    /// Example: lpl code callees madvise_walk_vmas
    Callees {
        /// A function or function-like macro
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// The call tree below NAME, as nested bullets in the roadmap's style
    ///
    /// Each function is expanded once, where it is first met ("(above)"
    /// elsewhere); "…" marks where the depth cut it.
    /// Example: lpl code tree do_madvise --depth 6
    Tree {
        /// A function
        name: String,
        /// Levels below NAME
        #[arg(long, default_value_t = 3)]
        depth: u32,
        /// Leave out "maybe" edges (functions passed as arguments)
        #[arg(long)]
        no_maybe: bool,
        /// Also show macros and names the tree does not define
        #[arg(long)]
        all: bool,
        /// Paste the tree under this notebook entry (its line L82, Message-ID, lore URL or title words)
        #[arg(long, value_name = "ENTRY")]
        into_notebook: Option<String>,
        /// The notebook file (default: the one `lpl notebook use` remembered)
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// With --into-notebook: show the edit, write nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Every series in the archive whose patches change NAME, newest first
    ///
    /// A hunk counts when its changed lines fall in NAME's body: placed by
    /// the indexed tree's line spans where it has the file (the hunk's own
    /// definitions line them up), else by the diff's own lines (the hunk
    /// header and the definitions it shows).
    /// Example: lpl code history split_page_memcg
    History {
        /// A function or macro
        name: String,
        #[command(flatten)]
        common: Common,
    },
}

fn bar(json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len} files ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

fn json_out(app: &App, text: String) -> CmdResult {
    let mut out = app.plain();
    out.write_str(&text)?;
    out.write_str("\n")?;
    Ok(0)
}

fn edge_note(e: &Edge) -> String {
    match e {
        Edge::Call => String::new(),
        Edge::FieldCall => " (through a field)".into(),
        Edge::PassedTo { via, arg } => format!(" (maybe: passed to {via} as argument {})", arg + 1),
        Edge::StoredIn { field } if field.is_empty() => " (maybe: stored in a variable)".into(),
        Edge::StoredIn { field } => format!(" (maybe: stored in .{field})"),
    }
}

/// Asks the code index (in `--tree`), and prints the answer: as JSON with
/// `--json`, else with `text`. Gives the answer back for the exit status.
fn answer<T>(
    app: &App,
    common: &Common,
    question: impl FnOnce(&lpl_core::Workspace, Option<&str>) -> lpl_core::Result<T>,
    json: impl FnOnce(&T) -> serde_json::Result<String>,
    text: impl FnOnce(&mut Output, &T) -> CmdResult<()>,
) -> CmdResult<T> {
    let ws = app.workspace()?;
    let answer = question(&ws, common.tree.as_deref())?;
    if common.json {
        json_out(app, json(&answer)?)?;
    } else {
        text(&mut app.plain(), &answer)?;
    }
    Ok(answer)
}

fn date(secs: i64) -> String {
    lpl_core::time::date(secs)
}

pub fn run(app: &App, a: Args) -> CmdResult {
    match a.cmd {
        Sub::Index {
            src,
            name,
            rev,
            force,
            json,
        } => {
            let mut ws = app.workspace_rw()?;
            let source = match rev {
                Some(rev) => TreeSource::Git { repo: src, rev },
                None => TreeSource::Dir(src),
            };
            let opts = code::IndexOptions { name, force };
            let pb = bar(json);
            pb.set_message("listing");
            let rep = ws.code_index(&source, &opts, &crate::app::INTERRUPTED, &mut |p| match p {
                Progress::Listed { files, .. } => {
                    pb.set_length(files);
                    pb.set_message("parsing");
                }
                Progress::Parsed { done, total } => {
                    pb.set_length(total);
                    pb.set_position(done);
                }
                Progress::Finishing => pb.set_message("writing the index"),
                _ => {}
            });
            pb.finish_and_clear();
            let rep = rep?;
            if json {
                return json_out(app, serde_json::to_string_pretty(&rep)?);
            }
            let mut out = app.plain();
            out.write_str(&format!(
                "{}: {} C files ({} parsed, {} unchanged), {} definitions, {} references{}\n",
                style::paint(style::KEY, &rep.tree),
                rep.files,
                rep.parsed,
                rep.reused,
                rep.defs,
                rep.refs,
                rep.version
                    .as_deref()
                    .map(|v| format!(", Linux {v}"))
                    .unwrap_or_default()
            ))?;
            if !rep.failed.is_empty() {
                out.write_str(&format!(
                    "{} {} files not indexed:\n",
                    style::paint(style::WARN, "warning:"),
                    rep.failed.len()
                ))?;
                for f in rep.failed.iter().take(20) {
                    out.write_str(&format!("  {}: {}\n", f.path, f.what))?;
                }
            }
            if !rep.with_errors.is_empty() {
                out.write_str(&format!(
                    "{} files parsed with errors (what the errors hide may be missing); the first:\n",
                    rep.with_errors.len()
                ))?;
                for f in rep.with_errors.iter().take(10) {
                    out.write_str(&format!("  {}: {}\n", f.path, f.what))?;
                }
            }
            Ok(0)
        }
        Sub::Trees { json } => {
            let ws = app.workspace()?;
            let trees = ws.code_trees()?;
            if json {
                json_out(app, serde_json::to_string_pretty(&trees)?)?;
            } else {
                let mut out = app.plain();
                for t in &trees {
                    out.write_str(&format!(
                        "{}  {} {}{}  {} files, {} definitions, {} references{}\n",
                        style::paint(style::KEY, &t.name),
                        t.kind,
                        t.source,
                        t.rev
                            .as_deref()
                            .map(|r| format!(" at {r}"))
                            .unwrap_or_default(),
                        t.files,
                        t.defs,
                        t.refs,
                        t.version
                            .as_deref()
                            .map(|v| format!(", Linux {v}"))
                            .unwrap_or_default()
                    ))?;
                }
            }
            Ok(if trees.is_empty() { 1 } else { 0 })
        }
        Sub::Remove { name } => {
            let mut ws = app.workspace_existing_rw()?;
            let n = ws.code_remove(&name)?;
            app.plain().write_str(&format!(
                "removed {name} ({n} file contents no other tree uses)\n"
            ))?;
            Ok(0)
        }
        Sub::Def { name, common } => {
            answer(
                app,
                &common,
                |ws, t| ws.code_definitions(&name, t),
                serde_json::to_string_pretty,
                |out, defs| {
                    for d in defs {
                        out.write_str(&format!(
                            "{}  {} {}  {}:{}{}\n",
                            style::paint(style::DIM, &d.tree),
                            d.kind.as_str(),
                            style::paint(style::BOLD, &d.name),
                            d.path,
                            d.line,
                            if d.end > d.start {
                                format!("-{}", d.end)
                            } else {
                                String::new()
                            }
                        ))?;
                    }
                    Ok(())
                },
            )?;
            Ok(0)
        }
        Sub::Callers { name, common } => {
            let c = answer(
                app,
                &common,
                |ws, t| ws.code_callers(&name, t),
                serde_json::to_string_pretty,
                |out, c| {
                    out.write_str(&format!(
                        "{} in {}: {} callers\n",
                        style::paint(style::BOLD, &c.name),
                        c.tree,
                        c.sites.len()
                    ))?;
                    for s in &c.sites {
                        out.write_str(&format!(
                            "  {}  {}:{}{}\n",
                            style::paint(style::KEY, &s.from),
                            s.path,
                            s.line,
                            edge_note(&s.edge)
                        ))?;
                    }
                    Ok(())
                },
            )?;
            Ok(if c.sites.is_empty() { 1 } else { 0 })
        }
        Sub::Callees { name, common } => {
            answer(
                app,
                &common,
                |ws, t| ws.code_callees(&name, t),
                serde_json::to_string_pretty,
                |out, c| {
                    for d in &c.definitions {
                        out.write_str(&format!(
                            "{} in {}: {}:{}\n",
                            style::paint(style::BOLD, &d.name),
                            c.tree,
                            d.path,
                            d.line
                        ))?;
                    }
                    for e in &c.callees {
                        let at = match (&e.path, e.def_line) {
                            (Some(p), Some(l)) => format!("  ({p}:{l})"),
                            _ => String::new(),
                        };
                        out.write_str(&format!(
                            "  line {}: {}{}{}\n",
                            e.line,
                            style::paint(style::KEY, &e.name),
                            edge_note(&e.edge),
                            style::paint(style::DIM, &at)
                        ))?;
                    }
                    Ok(())
                },
            )?;
            Ok(0)
        }
        Sub::Tree {
            name,
            depth,
            no_maybe,
            all,
            into_notebook,
            file,
            dry_run,
            common,
        } => {
            let ws = app.workspace()?;
            let opts = TreeOptions {
                depth,
                maybe: !no_maybe,
                all,
            };
            let t = ws.code_call_tree(&name, common.tree.as_deref(), opts)?;
            if let Some(entry) = into_notebook {
                let path = crate::cmd::notebook::notebook_path(&file)?;
                let (loaded, nb) = crate::cmd::notebook::load(&path)?;
                let e = lpl_core::notebook::select::find_entry(&nb, &entry, None)
                    .map_err(crate::cmd::notebook::sel_err)?;
                let list = code::bullets(&t, 0);
                let ed = lpl_core::notebook::edit::add_list(&nb, e, &list);
                return crate::cmd::notebook::apply(app, &loaded, ed, dry_run);
            }
            if common.json {
                return json_out(app, serde_json::to_string_pretty(&t)?);
            }
            let mut out = app.output();
            out.write_str(&style::paint(
                style::DIM,
                &format!("# call tree of {name} in {}, depth {depth}\n", t.tree),
            ))?;
            out.write_str(&code::bullets(&t, 0))?;
            out.finish()?;
            Ok(0)
        }
        Sub::History { name, common } => {
            let mut ws = app.workspace()?;
            if ws.hunks_pending()? > 0 {
                // Patches stored by an older lpl: record their hunks once.
                let mut rw = app.workspace_existing_rw()?;
                let pb = if common.json || !std::io::stderr().is_terminal() {
                    ProgressBar::hidden()
                } else {
                    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                    pb.set_style(
                        ProgressStyle::with_template(
                            "recording the hunks of stored patches {bar:30} {pos}/{len}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    pb
                };
                rw.backfill_hunks(&crate::app::INTERRUPTED, &mut |e| {
                    if let Event::Hunks { done, total } = e {
                        pb.set_length(*total);
                        pb.set_position(*done);
                    }
                })?;
                pb.finish_and_clear();
                drop(rw);
                ws = app.workspace()?;
            }
            let h = ws.code_history(&name, common.tree.as_deref())?;
            if common.json {
                json_out(app, serde_json::to_string_pretty(&h)?)?;
                return Ok(if h.entries.is_empty() { 1 } else { 0 });
            }
            let mut out = app.output();
            let basis = match &h.tree {
                Some(t) => format!("line spans of {t}, else the diffs' own lines"),
                None => "the diffs' own lines (no tree indexed)".to_owned(),
            };
            out.write_str(&format!(
                "{}: {} revisions change it ({})\n",
                style::paint(style::BOLD, &h.name),
                h.entries.len(),
                basis
            ))?;
            for e in &h.entries {
                let s = &e.series;
                let t = &s.trailers;
                out.write_str(&format!(
                    "{}  {}  {} {}  {}  [{}]{}\n",
                    date(s.date),
                    style::paint(style::KEY, &s.id),
                    if s.label.is_empty() {
                        format!("v{}", s.revision)
                    } else {
                        s.label.clone()
                    },
                    s.title,
                    style::paint(style::DIM, s.author.as_deref().unwrap_or(&s.email)),
                    trailer_counts(t),
                    e.upstream
                        .as_deref()
                        .map(|u| format!("  {u}"))
                        .unwrap_or_default()
                ))?;
                for p in &e.patches {
                    let what = if p.adds_it {
                        "adds it".to_owned()
                    } else if p.deletes_it {
                        "deletes it".to_owned()
                    } else {
                        format!("+{} -{}", p.added, p.removed)
                    };
                    out.write_str(&format!(
                        "    {} {}  {}\n",
                        p.counter.map(|c| format!("{c}:")).unwrap_or_default(),
                        style::paint(style::DIM, &what),
                        p.files.join(" ")
                    ))?;
                }
            }
            out.finish()?;
            Ok(if h.entries.is_empty() { 1 } else { 0 })
        }
    }
}

fn trailer_counts(t: &lpl_core::types::Counts) -> String {
    let parts: Vec<String> = [
        ("Acked-by", t.acked),
        ("Reviewed-by", t.reviewed),
        ("Tested-by", t.tested),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{k} {n}"))
    .collect();
    if parts.is_empty() {
        "no trailers".into()
    } else {
        parts.join(", ")
    }
}
