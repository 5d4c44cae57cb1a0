//! The user's notebook against the archive: `lpl_notebook::Archive` over
//! the store and its analysis, and `notebook fetch`'s plan.
//!
//! The notebook crate's pure parts (parse, edits, selection, mojibake
//! repair, checks, the file's atomic save) are re-exported here, so that
//! front ends need no other crate than this one.

use std::path::Path;

use lpl_code::DefKind;
use lpl_notebook::archive::{
    Archive, CodeChange, CodeView, PatchView, PreviousDiff, RevisionView, SeriesView,
    TrailerCounts, UpstreamView,
};
use lpl_notebook::lore::MessageId as NbId;
pub use lpl_notebook::{Notebook, Progress, check, edit, fsio, html, lore, mojibake, select};
use lpl_store::Store;

use crate::error::{Error, NotFound};
use crate::library::Library;
use crate::understanding::{Lib, Names};
use crate::workspace::Workspace;

/// Where the analysis answering a notebook's questions comes from.
#[derive(Clone, Copy)]
pub(crate) enum Src<'a> {
    /// One analysis holding everything asked about (the whole archive's,
    /// or the unit of the revision at hand).
    Whole(&'a Library),
    /// The workspace: the saved unit of each entry, when current.
    Ws(&'a Workspace),
}

impl<'a> Src<'a> {
    /// The analysis that holds the series `arg` names.
    fn lib_for(self, arg: &str) -> Option<Lib<'a>> {
        match self {
            Src::Whole(l) => Some(Lib::Whole(l)),
            Src::Ws(w) => w.lib_for(arg, Names::Series).ok(),
        }
    }

    /// The analyses that hold every revision titled `norm_title`.
    fn with_title(self, norm_title: &str) -> Vec<Lib<'a>> {
        match self {
            Src::Whole(l) => vec![Lib::Whole(l)],
            Src::Ws(w) => w.libs_with_title(norm_title).unwrap_or_default(),
        }
    }
}

/// How much of each series a notebook's lookups fill in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Detail {
    /// What a check, the roadmap's index and timeline and the TUI's
    /// roadmap show: revisions, patches with their trailers, the upstream
    /// status. No message is read or parsed, no range-diff computed: the
    /// patches' diffstats, the cover letter's body and the range-diff from
    /// the previous revision are left out (`None`).
    #[default]
    Light,
    /// Everything: also each patch's diffstat, the cover letter's body and
    /// the range-diff from the previous revision (an entry's page, the
    /// static site, `notebook check --json`).
    Full,
}

/// Checks every entry of `nb` against the archive.
pub(crate) fn check(
    store: &Store,
    src: Src<'_>,
    nb: &Notebook,
    detail: Detail,
) -> check::CheckReport {
    check::check(nb, &StoreArchive::new(store, src, detail))
}

/// Writes the HTML site of `nb` under `dir`.
pub(crate) fn render(store: &Store, src: Src<'_>, nb: &Notebook, dir: &Path) -> Result<(), Error> {
    // Every entry gets a page of its own: the whole view of each.
    Ok(lpl_notebook::fsio::render_html(
        nb,
        &StoreArchive::new(store, src, Detail::Full),
        dir,
    )?)
}

/// One page of the notebook's site with `links` (`None`: no such entry).
pub(crate) fn page(
    store: &Store,
    src: Src<'_>,
    nb: &Notebook,
    links: html::Links,
    which: html::Which,
) -> Option<html::PageParts> {
    // The index and the timeline show no diffstat, cover letter or
    // range-diff: light lookups; an entry's page shows them, for its one
    // entry.
    let detail = match which {
        html::Which::Entry(_) => Detail::Full,
        _ => Detail::Light,
    };
    html::render_page(nb, &StoreArchive::new(store, src, detail), links, which)
}

/// The entry `lpl notebook add` writes for revision `r`.
pub(crate) fn new_entry(
    store: &Store,
    lib: &Library,
    r: usize,
    status: Progress,
) -> Result<edit::NewEntry, Error> {
    let key = lib.revisions()[r].key_message();
    let arch = StoreArchive::new(store, Src::Whole(lib), Detail::Light);
    let mid = lib.metas[key].message_id.as_str();
    let view = NbId::new(mid)
        .and_then(|id| arch.series_by_message_id(&id))
        .ok_or_else(|| NotFound::Message {
            message_id: mid.to_owned(),
        })?;
    // The list's short name (`linux-mm` of `linux-mm.kvack.org`) for the
    // lore URL.
    let list = lib.metas[key]
        .list
        .as_deref()
        .and_then(|l| l.split('.').next())
        .map(str::to_owned);
    Ok(edit::NewEntry::from_series(&view, list.as_deref(), status))
}

/// The store plus its analysis, for notebook checks, rendering and `add`.
pub(crate) struct StoreArchive<'a> {
    /// The store (raw messages for diffstats and cover letters).
    pub store: &'a Store,
    /// The analysis.
    pub src: Src<'a>,
    /// What each lookup fills in.
    detail: Detail,
    /// The code index and its newest tree, opened when first asked (the
    /// workspace's only).
    code: std::cell::OnceCell<Option<(lpl_code::CodeIndex, lpl_code::TreeInfo)>>,
}

impl<'a> StoreArchive<'a> {
    pub(crate) fn new(store: &'a Store, src: Src<'a>, detail: Detail) -> Self {
        StoreArchive {
            store,
            src,
            detail,
            code: std::cell::OnceCell::new(),
        }
    }

    /// The code index and the tree indexed last, if any.
    fn code(&self) -> Option<&(lpl_code::CodeIndex, lpl_code::TreeInfo)> {
        self.code
            .get_or_init(|| {
                let Src::Ws(w) = self.src else {
                    return None;
                };
                let ix = crate::code::open(w.layout()).ok()?;
                let tree = ix.trees().ok()?.pop()?;
                Some((ix, tree))
            })
            .as_ref()
    }
}

/// What the lookups of this thread cost: messages read and parsed,
/// range-diffs computed (the tests' proof that a light check does
/// neither).
#[cfg(test)]
pub(crate) mod cost {
    use std::cell::Cell;

    thread_local! {
        pub(crate) static PARSED: Cell<usize> = const { Cell::new(0) };
        pub(crate) static RANGE_DIFFS: Cell<usize> = const { Cell::new(0) };
    }

    /// (messages parsed, range-diffs) since the last call; resets both.
    pub(crate) fn take() -> (usize, usize) {
        (PARSED.replace(0), RANGE_DIFFS.replace(0))
    }
}

/// Counts a message read and parsed by a lookup (tests only).
fn count_parse() {
    #[cfg(test)]
    cost::PARSED.set(cost::PARSED.get() + 1);
}

fn nb_id(s: &str) -> Option<NbId> {
    NbId::new(s)
}

fn counts(c: &lpl_series::Counts) -> TrailerCounts {
    TrailerCounts {
        reviewed_by: c.reviewed,
        acked_by: c.acked,
        tested_by: c.tested,
        other: 0,
    }
}

impl StoreArchive<'_> {
    fn view(&self, lib: &Library, r: usize) -> Option<SeriesView> {
        let rev = &lib.revisions()[r];
        let key = rev.key_message();
        let rt = lib.trailers.get(r);
        let chain = lib.analysis.chains.chain(r);
        let revisions = chain
            .iter()
            .filter_map(|&c| {
                let cr = &lib.revisions()[c];
                let k = cr.key_message();
                Some(RevisionView {
                    version: cr.revision,
                    message_id: nb_id(lib.metas[k].message_id.as_str())?,
                    subject: lib.metas[k].subject.clone(),
                    date: Some(cr.date),
                })
            })
            .collect();
        let latest = lib.revisions()[lib.analysis.chains.latest(r)].revision;
        let full = self.detail == Detail::Full;
        let mut patches = Vec::new();
        for (i, p) in rev.patches.iter().enumerate() {
            let m = &lib.metas[p.message];
            let diffstat = full
                .then(|| self.store.raw(lib.rows[p.message]).ok())
                .flatten()
                .and_then(|raw| {
                    count_parse();
                    lpl_mail::parse(&raw)
                        .message
                        .patch
                        .and_then(|pt| pt.diffstat)
                });
            patches.push(PatchView {
                counter: p.counter,
                subject: m.subject.clone(),
                message_id: nb_id(m.message_id.as_str())?,
                diffstat,
                trailers: rt
                    .and_then(|t| t.patch_counts.get(i))
                    .map(counts)
                    .unwrap_or_default(),
            });
        }
        let cover_body = rev
            .cover
            .filter(|_| full)
            .and_then(|c| self.store.raw(lib.rows[c]).ok())
            .map(|raw| {
                count_parse();
                lpl_mail::parse(&raw).message.body
            });
        Some(SeriesView {
            title: lib.metas[key].subject.clone(),
            author: rev
                .sender_name
                .clone()
                .unwrap_or_else(|| rev.sender_email.clone()),
            date: Some(rev.date),
            revision: rev.revision,
            message_id: nb_id(lib.metas[key].message_id.as_str())?,
            revisions,
            latest,
            patches,
            cover_body,
            trailers: rt.map(|t| counts(&t.counts)).unwrap_or_default(),
            upstream: self.upstream(lib, r),
            previous_diff: full.then(|| self.previous_diff(lib, r)).flatten(),
        })
    }

    /// The range-diff from the revision before `r` in its chain, as `lpl
    /// diff --git` prints it (plain); `None` for a first revision or when
    /// neither has a patch with a diff.
    fn previous_diff(&self, lib: &Library, r: usize) -> Option<PreviousDiff> {
        let chain = lib.analysis.chains.chain(r);
        let at = chain.iter().position(|&c| c == r)?;
        let prev = *chain.get(at.checked_sub(1)?)?;
        #[cfg(test)]
        cost::RANGE_DIFFS.set(cost::RANGE_DIFFS.get() + 1);
        let v = crate::diff::range_diff(
            self.store,
            lib,
            prev,
            r,
            &crate::diff::DiffOptions::default(),
        )
        .ok()?;
        if v.old.patches.is_empty() && v.new.patches.is_empty() {
            return None;
        }
        Some(PreviousDiff {
            from_revision: lib.revisions()[prev].revision,
            text: crate::diff::render_git(&v, false, false, |_, _| {}),
        })
    }

    /// The upstream status of revision `r`, the one `lpl upstream` gives:
    /// merged (every patch, or a later revision), not merged, or unknown
    /// with its reason, naming the repository and revision checked.
    fn upstream(&self, lib: &Library, r: usize) -> Option<UpstreamView> {
        use lpl_upstream::series::SeriesState;
        let st = crate::upstream::status(self.store, lib, r).ok()??;
        Some(UpstreamView {
            merged: st.is_merged(),
            what: st.summary(),
            reason: match &st.state {
                SeriesState::Unknown { reason } => Some(reason.clone()),
                _ => None,
            },
            repository: st.repository.clone(),
            revision: st.revision.iter().map(ToString::to_string).collect(),
            date: None,
        })
    }
}

impl Archive for StoreArchive<'_> {
    fn code_tree(&self) -> Option<String> {
        self.code().map(|(_, t)| t.name.clone())
    }

    fn code_definition(&self, name: &str) -> Option<CodeView> {
        let (ix, tree) = self.code()?;
        let defs = ix.definitions(name, Some(&tree.name)).ok()?;
        // The function's body (not a prototype's macro or a header's
        // stub) where there are several.
        let d = defs
            .iter()
            .filter(|d| matches!(d.kind, DefKind::Function | DefKind::Macro))
            .min_by_key(|d| (d.kind != DefKind::Function, d.path.ends_with(".h")))
            .or(defs.first())?;
        Some(CodeView {
            tree: d.tree.clone(),
            path: d.path.clone(),
            line: d.line,
            url: crate::code::source_url(tree, &d.path, d.line),
        })
    }

    fn code_history(&self, name: &str) -> Vec<CodeChange> {
        let Some((ix, tree)) = self.code() else {
            return Vec::new();
        };
        let lib = match self.src {
            Src::Whole(l) => Some(l),
            Src::Ws(w) => w.library().ok(),
        };
        let Some(lib) = lib else {
            return Vec::new();
        };
        let Ok(h) = crate::code::history(self.store, lib, Some(ix), name, Some(&tree.name)) else {
            return Vec::new();
        };
        h.entries
            .into_iter()
            .filter_map(|e| {
                Some(CodeChange {
                    message_id: NbId::new(&e.series.message_id)?,
                    title: e.series.title,
                    revision: e.series.revision,
                    date: e.series.date,
                })
            })
            .collect()
    }

    fn series_by_message_id(&self, id: &NbId) -> Option<SeriesView> {
        let lib = self.src.lib_for(id.as_str())?;
        let r = lib.find_revision(id.as_str()).ok()?;
        self.view(&lib, r)
    }

    fn has_series(&self, id: &NbId) -> bool {
        // No view: the revision found is all a badge needs.
        self.src
            .lib_for(id.as_str())
            .is_some_and(|lib| lib.find_revision(id.as_str()).is_ok())
    }

    fn series_by_subject(&self, subject: &str, author: Option<&str>) -> Vec<SeriesView> {
        let want = lpl_mail::subject::parse(subject).normalized_title();
        if want.is_empty() {
            return Vec::new();
        }
        let author = author.map(|a| a.to_lowercase());
        let libs = self.src.with_title(&want);
        // Newest first; equal dates in analysis order (date, key row).
        let mut hits: Vec<(std::cmp::Reverse<i64>, i64, usize, usize)> = Vec::new();
        for (k, lib) in libs.iter().enumerate() {
            hits.extend(
                (0..lib.revisions().len())
                    .filter(|&r| {
                        let rev = &lib.revisions()[r];
                        rev.normalized_title == want
                            && author.as_deref().is_none_or(|a| {
                                rev.sender_name
                                    .as_deref()
                                    .unwrap_or("")
                                    .to_lowercase()
                                    .contains(a)
                                    || rev.sender_email.to_lowercase().contains(a)
                            })
                    })
                    .map(|r| {
                        let rev = &lib.revisions()[r];
                        (
                            std::cmp::Reverse(rev.date),
                            lib.rows[rev.key_message()],
                            k,
                            r,
                        )
                    }),
            );
        }
        hits.sort();
        hits.into_iter()
            .filter_map(|(_, _, k, r)| self.view(&libs[k], r))
            .collect()
    }
}

/// What `lpl notebook fetch` asks lore for on behalf of one entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchPlan {
    /// Index into the notebook's entries.
    pub entry: usize,
    /// 1-based line of the entry.
    pub line: usize,
    /// The entry's title.
    pub title: String,
    /// The threads to fetch: Message-ID and the URL it was named by.
    pub wants: Vec<Wanted>,
}

/// One thread to fetch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Wanted {
    /// Its Message-ID.
    pub message_id: String,
    /// The URL that names it (the entry's link, a revision in a note, or a
    /// link in a stored cover letter).
    pub url: String,
    /// `entry`, `revision` or `cover letter`.
    pub why: String,
}

fn stored(store: &Store, id: &str) -> bool {
    store.messages_by_id(id).is_ok_and(|r| !r.is_empty())
}

/// Links to other revisions in a cover letter's body: lore links on a
/// line that names a revision (`v2:`, `Link to v1:`, `RFC`, `previous`).
pub fn revision_links(body: &str) -> Vec<(NbId, String)> {
    let mut out = Vec::new();
    for line in body.lines() {
        let lower = line.to_ascii_lowercase();
        let names_rev = lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            w == "rfc"
                || w == "previous"
                || w == "version"
                || (w.len() >= 2
                    && w.starts_with('v')
                    && w[1..].bytes().all(|b| b.is_ascii_digit()))
        });
        if !names_rev {
            continue;
        }
        for l in lpl_notebook::inline::scan_links(line) {
            if let Some(id) = lpl_notebook::lore::message_id_from_url(&l.url)
                && !out.iter().any(|(x, _)| x == &id)
            {
                out.push((id, l.url));
            }
        }
    }
    out
}

/// The revision links in the stored message `id`'s body (a cover letter).
fn cover_links(store: &Store, id: &str) -> Vec<(NbId, String)> {
    let Ok(rows) = store.messages_by_id(id) else {
        return Vec::new();
    };
    let Some(row) = rows.first() else {
        return Vec::new();
    };
    let Ok(raw) = store.raw(row.id) else {
        return Vec::new();
    };
    revision_links(&lpl_mail::parse(&raw).message.body)
}

/// What `notebook fetch` would ask for: for each series entry (all, or
/// those in `only`), its link and the revisions its notes give when their
/// threads are not stored, and the revisions that stored cover letters
/// link. Entries with nothing missing are left out, so after a complete
/// run the plan is empty and a killed run resumes where it stopped.
pub(crate) fn fetch_plan(nb: &Notebook, store: &Store, only: &[usize]) -> Vec<FetchPlan> {
    let mut out = Vec::new();
    for (i, e) in nb.entries().iter().enumerate() {
        if !only.is_empty() && !only.contains(&i) {
            continue;
        }
        let Some(own) = &e.message_id else { continue };
        let mut wants: Vec<Wanted> = Vec::new();
        let add = |id: &NbId, url: &str, why: &str, wants: &mut Vec<Wanted>| {
            if !wants.iter().any(|w| w.message_id == id.as_str()) && !stored(store, id.as_str()) {
                wants.push(Wanted {
                    message_id: id.as_str().to_owned(),
                    url: url.to_owned(),
                    why: why.to_owned(),
                });
            }
        };
        add(own, &e.url, "entry", &mut wants);
        for r in &e.other_revisions {
            let url = lpl_notebook::lore::lore_url(None, &r.message_id);
            add(&r.message_id, &url, "revision", &mut wants);
        }
        for id in std::iter::once(own).chain(e.other_revisions.iter().map(|r| &r.message_id)) {
            for (rid, url) in cover_links(store, id.as_str()) {
                add(&rid, &url, "cover letter", &mut wants);
            }
        }
        if !wants.is_empty() {
            out.push(FetchPlan {
                entry: i,
                line: e.line + 1,
                title: e.title.clone(),
                wants,
            });
        }
    }
    out
}

/// A lore search for revisions of an entry's series newer than the newest
/// it links (`notebook fetch --newer`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewerSearch {
    /// Index into the notebook's entries.
    pub entry: usize,
    /// 1-based line of the entry.
    pub line: usize,
    /// The query asked (`s:"TITLE" f:ADDR`).
    pub query: String,
    /// The newest revision the entry links or the store holds.
    pub newest_known: u32,
    /// Newer revisions lore has: (version, Message-ID), newest first.
    pub found: Vec<(u32, String)>,
    /// Why the search failed, when it did (the other entries go on).
    pub error: Option<String>,
}

/// The lore query for later revisions of a series: its title (tags
/// stripped) as a subject phrase, and its sender (`f:ADDR`, or the name in
/// quotes when only the name is known).
pub fn newer_query(title: &str, from: Option<&str>) -> String {
    let phrase: String = title.chars().filter(|&c| c != '"').collect();
    let mut q = format!("s:\"{}\"", phrase.trim());
    if let Some(f) = from.map(str::trim).filter(|f| !f.is_empty()) {
        let f: String = f.chars().filter(|&c| c != '"').collect();
        if f.contains(char::is_whitespace) {
            q.push_str(&format!(" f:\"{f}\""));
        } else {
            q.push_str(&format!(" f:{f}"));
        }
    }
    q
}

/// Cover letters (or single patches) of `title`'s series in the mbox at
/// `path` (a search answer): (version, Message-ID), newest version first.
fn revisions_in(path: &std::path::Path, title: &str) -> Vec<(u32, String)> {
    let Ok(reader) = lpl_archive::open(path, None, &lpl_archive::Options::default()) else {
        return Vec::new();
    };
    let mut out: Vec<(u32, String)> = Vec::new();
    for ev in reader {
        let Ok(lpl_archive::Event::Message(m)) = ev else {
            continue;
        };
        let msg = lpl_mail::parse(&m.bytes).message;
        let t = &msg.tags;
        let head = matches!(
            (t.counter, t.total),
            (None, _) | (Some(0), _) | (Some(1), Some(1))
        );
        if t.is_reply || !t.is_patch || !head || t.normalized_title() != title {
            continue;
        }
        let Some(id) = msg.message_id else { continue };
        let id = id.as_str().to_owned();
        if !out.iter().any(|(_, x)| *x == id) {
            out.push((t.revision.unwrap_or(1), id));
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.0));
    out
}

/// Adds to `plan` the revisions newer than each series entry's newest
/// known one (its link, its notes, the revisions stored) that lore's
/// search finds and the store lacks: one search per entry (all, or those
/// in `only`), asking for the matching messages only, not their threads.
/// A failed search is reported in its [`NewerSearch`] and the others go
/// on; cancelling stops.
pub(crate) fn plan_newer(
    nb: &Notebook,
    store: &Store,
    src: Src<'_>,
    lore: &lpl_lore::Lore,
    only: &[usize],
    plan: &mut Vec<FetchPlan>,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<Vec<NewerSearch>, Error> {
    let mut out = Vec::new();
    for (i, e) in nb.entries().iter().enumerate() {
        if !only.is_empty() && !only.contains(&i) {
            continue;
        }
        let Some(own) = &e.message_id else { continue };
        let title = lpl_mail::subject::parse(&e.subject);
        let norm = title.normalized_title();
        if norm.is_empty() || !title.is_patch {
            continue;
        }
        let mut newest = e.tags.version.unwrap_or(1);
        for r in &e.other_revisions {
            newest = newest.max(r.version);
        }
        let mut from = e.author.clone();
        let ids = std::iter::once(own).chain(e.other_revisions.iter().map(|r| &r.message_id));
        for id in ids {
            let Some(lib) = src.lib_for(id.as_str()) else {
                continue;
            };
            if let Ok(r) = lib.find_revision(id.as_str()) {
                from = Some(lib.revisions()[r].sender_email.clone());
                for &c in lib.analysis.chains.chain(r) {
                    newest = newest.max(lib.revisions()[c].revision);
                }
                break;
            }
        }
        let query = newer_query(&title.title, from.as_deref());
        let mut s = NewerSearch {
            entry: i,
            line: e.line + 1,
            query: query.clone(),
            newest_known: newest,
            found: Vec::new(),
            error: None,
        };
        match lore.search(&query, false, Some(200), cancel) {
            Ok(Some(d)) => {
                s.found = revisions_in(&d.path, &norm)
                    .into_iter()
                    .filter(|(v, _)| *v > newest)
                    .collect();
            }
            Ok(None) => {}
            Err(lpl_lore::LoreError::Cancelled) => return Err(Error::cancelled()),
            Err(err) => s.error = Some(err.to_string()),
        }
        let wants: Vec<Wanted> = s
            .found
            .iter()
            .filter(|(_, id)| !stored(store, id))
            .filter_map(|(v, id)| {
                let nid = NbId::new(id)?;
                Some(Wanted {
                    message_id: id.clone(),
                    url: lpl_notebook::lore::lore_url(None, &nid),
                    why: format!("newer revision v{v}"),
                })
            })
            .collect();
        if !wants.is_empty() {
            match plan.iter_mut().find(|p| p.entry == i) {
                Some(p) => {
                    for w in wants {
                        if !p.wants.iter().any(|x| x.message_id == w.message_id) {
                            p.wants.push(w);
                        }
                    }
                }
                None => plan.push(FetchPlan {
                    entry: i,
                    line: e.line + 1,
                    title: e.title.clone(),
                    wants,
                }),
            }
        }
        out.push(s);
    }
    plan.sort_by_key(|p| p.entry);
    Ok(out)
}

/// Progress of `notebook fetch`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum NotebookFetchEvent {
    /// Entry `index` of `total` starts.
    Entry {
        /// 0-based position in the plan.
        index: usize,
        /// Entries in the plan.
        total: usize,
        /// Its line.
        line: usize,
        /// Its title.
        title: String,
    },
    /// A fetch reported progress.
    Fetch(crate::event::Event),
}

/// What was fetched for one entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryFetch {
    /// 1-based line of the entry.
    pub line: usize,
    /// Its title.
    pub title: String,
    /// Threads downloaded (the plan's, then those their cover letters link).
    pub threads: Vec<crate::fetch::FetchReport>,
    /// Threads that could not be fetched: Message-ID and why.
    pub failed: Vec<(String, String)>,
}

impl EntryFetch {
    /// New messages stored for this entry.
    pub fn imported(&self) -> u64 {
        self.threads.iter().map(|t| t.imported).sum()
    }
}

/// The subject of patch `counter` of entry `e`'s series (any of its
/// revisions), when the archive has it.
pub(crate) fn patch_subject(
    store: &Store,
    src: Src<'_>,
    nb: &Notebook,
    e: usize,
    counter: u32,
) -> Option<String> {
    let arch = StoreArchive::new(store, src, Detail::Light);
    let en = nb.entries().get(e)?;
    let ids = en
        .message_id
        .iter()
        .chain(en.other_revisions.iter().map(|r| &r.message_id));
    ids.filter_map(|id| arch.series_by_message_id(id))
        .find_map(|s| {
            s.patches
                .into_iter()
                .find(|p| p.counter == counter)
                .map(|p| p.subject)
        })
}

/// What the threads fetched so far stored.
fn kept_in(done: &[EntryFetch], current: &EntryFetch) -> crate::error::Kept {
    let mut k = crate::error::Kept::default();
    for r in done
        .iter()
        .chain(std::iter::once(current))
        .flat_map(|e| &e.threads)
    {
        k.add(r.request.clone(), r.imported);
    }
    k
}

/// Fetches what `plan` names with `lpl fetch`'s machinery (whole threads
/// from lore, imported and deduplicated), then the revisions that the
/// fetched cover letters link, one level deep. A thread lore does not have
/// is reported and the others go on; cancelling stops between threads, and
/// what was imported stays (the next plan leaves it out).
pub(crate) fn fetch_entries(
    store: &mut Store,
    lore: &lpl_lore::Lore,
    plan: &[FetchPlan],
    cancel: &std::sync::atomic::AtomicBool,
    mut index: Option<&mut crate::search::Indexer>,
    on_event: &mut dyn FnMut(&NotebookFetchEvent),
) -> Result<Vec<EntryFetch>, Error> {
    let opts = crate::import::ImportOptions::default();
    let mut out = Vec::new();
    for (k, p) in plan.iter().enumerate() {
        on_event(&NotebookFetchEvent::Entry {
            index: k,
            total: plan.len(),
            line: p.line,
            title: p.title.clone(),
        });
        let mut ef = EntryFetch {
            line: p.line,
            title: p.title.clone(),
            threads: Vec::new(),
            failed: Vec::new(),
        };
        let mut queue: Vec<String> = p.wants.iter().map(|w| w.message_id.clone()).collect();
        let mut done: Vec<String> = Vec::new();
        let mut i = 0;
        while i < queue.len() {
            let id = queue[i].clone();
            i += 1;
            if done.contains(&id) {
                continue;
            }
            done.push(id.clone());
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::cancelled().kept_after(kept_in(&out, &ef)));
            }
            let first = i <= p.wants.len();
            if !first && stored(store, &id) {
                continue;
            }
            match crate::fetch::fetch(
                store,
                lore,
                &id,
                &opts,
                cancel,
                index.as_deref_mut(),
                &mut |e| on_event(&NotebookFetchEvent::Fetch(e.clone())),
            ) {
                Ok(r) => {
                    ef.threads.push(r);
                    if first {
                        for (rid, _) in cover_links(store, &id) {
                            queue.push(rid.as_str().to_owned());
                        }
                    }
                }
                Err(e @ Error::Cancelled { .. }) => {
                    return Err(e.kept_after(kept_in(&out, &ef)));
                }
                Err(Error::Lore(lpl_lore::LoreError::Cancelled)) => {
                    return Err(Error::cancelled().kept_after(kept_in(&out, &ef)));
                }
                Err(e) => ef.failed.push((id, e.to_string())),
            }
        }
        out.push(ef);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::import::ImportOptions;
    use crate::quickstart::{ROADMAP, SAMPLE_MBOX};

    /// The bundled sample imported, and the example roadmap.
    fn sample() -> (tempfile::TempDir, Workspace, Notebook) {
        let home = tempfile::tempdir().expect("tempdir");
        let mbox = home.path().join("sample.mbox");
        std::fs::write(&mbox, SAMPLE_MBOX).expect("write the sample");
        let mut ws = Workspace::open(home.path().join("home")).expect("open");
        let opts = ImportOptions {
            index: false,
            ..Default::default()
        };
        ws.import(&[mbox], &opts, &AtomicBool::new(false), &mut |_| {})
            .expect("import");
        (home, ws, Notebook::parse(ROADMAP.to_vec()))
    }

    /// Issue 18/19: the check, the roadmap's index and timeline (the TUI's
    /// first screen, `lpl serve`'s `/`) read no message and compute no
    /// range-diff; `check --json` and an entry's page still have all of
    /// it, and the light report is the full one without those parts.
    #[test]
    fn a_light_check_parses_nothing_and_diffs_nothing() {
        let (_home, ws, nb) = sample();
        let ws = ws.reader().expect("reader");
        cost::take();
        let light = ws.notebook_check(&nb, Detail::Light).expect("check");
        assert_eq!(
            cost::take(),
            (0, 0),
            "a light check parses and diffs nothing"
        );
        let full = ws.notebook_check(&nb, Detail::Full).expect("check");
        let (parsed, diffs) = cost::take();
        assert!(
            parsed > 0 && diffs > 0,
            "{parsed} parsed, {diffs} range-diffs"
        );

        // Zi Yan's v5 is found, with v1..v5, and in full its range-diff
        // from v4.
        let zi = |r: &check::CheckReport| {
            r.entries
                .iter()
                .find(|e| {
                    e.series.as_ref().is_some_and(|s| {
                        s.message_id.as_str() == "20240226205534.1603748-1-zi.yan@sent.com"
                    })
                })
                .cloned()
                .expect("Zi Yan's series is found")
        };
        let (l, f) = (zi(&light), zi(&full));
        assert_eq!(l.revisions, [1, 2, 3, 4, 5]);
        let fs = f.series.as_ref().expect("series");
        assert_eq!(fs.previous_diff.as_ref().map(|d| d.from_revision), Some(4));
        assert!(fs.patches.iter().all(|p| p.diffstat.is_some()));
        assert!(fs.cover_body.is_some());

        // Light = full without the diffstats, cover letters and range-diffs.
        let mut stripped = full.clone();
        for e in &mut stripped.entries {
            if let Some(s) = &mut e.series {
                s.previous_diff = None;
                s.cover_body = None;
                for p in &mut s.patches {
                    p.diffstat = None;
                }
            }
        }
        assert_eq!(light, stripped);
        let found = light.entries.iter().filter(|e| e.series.is_some()).count();
        assert!(found >= 2, "{found} entries found");

        // The index and the timeline: light. An entry's page: its one
        // entry in full (one range-diff, its patches and cover parsed).
        for which in [html::Which::Index, html::Which::Timeline] {
            ws.notebook_page(&nb, html::Links::Served, which)
                .expect("page")
                .expect("a page");
            assert_eq!(cost::take(), (0, 0), "{which:?}");
        }
        let page = ws
            .notebook_page(&nb, html::Links::Served, html::Which::Entry(f.entry))
            .expect("page")
            .expect("an entry page");
        let (parsed, diffs) = cost::take();
        assert_eq!(diffs, 1, "the entry's own range-diff only");
        assert_eq!(parsed, fs.patches.len() + 1, "its patches and cover letter");
        assert!(
            page.body.contains("diffstat"),
            "the entry page shows diffstats"
        );
    }
}
