//! `lpl diff`: what changed between two revisions of a series, as `git
//! range-diff` would show it, computed from the mail alone
//! ([`lpl_series::range_diff`]), with what a reviewer wants on top: the
//! cover letters' changelogs, trailers gained or lost per patch, patches
//! that were rewritten rather than dropped and added, and the patches that
//! could not be compared.

use std::collections::BTreeSet;

use serde::Serialize;

use lpl_mail::Trailer;
use lpl_series::range_diff::{self, Entry, PatchText, Unusable};
pub use lpl_series::range_diff::{CREATION_FACTOR_DEFAULT, Status};
use lpl_store::Store;

use crate::error::{Error, Invalid, NotFound};
use crate::library::Library;
use crate::series::{self, SeriesSummary};

/// Options of `lpl diff`.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// git's `--creation-factor` (percent).
    pub creation_factor: u32,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            creation_factor: range_diff::CREATION_FACTOR_DEFAULT,
        }
    }
}

/// One patch of a compared revision.
#[derive(Debug, Clone, Serialize)]
pub struct DiffPatch {
    /// `N` of `N/M`.
    pub counter: u32,
    /// Message-ID.
    pub message_id: String,
    /// Short id of the Message-ID (where git prints a commit hash).
    pub short_id: String,
    /// The commit subject `git am` would record.
    pub subject: String,
    /// Trailers: the patch's own and those given in replies to it.
    pub trailers: Vec<String>,
    /// The text compared (git's per-patch text).
    #[serde(skip)]
    pub text: PatchText,
    /// Binary files: path and the blob id the patch gives them (`index`
    /// line), which git's texts do not show.
    #[serde(skip)]
    pub binaries: Vec<(String, Option<String>)>,
}

/// A message of a revision that takes no part in the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct NotCompared {
    /// Revision number.
    pub revision: u32,
    /// `N` of `N/M`.
    pub counter: u32,
    /// Message-ID.
    pub message_id: String,
    /// Subject as sent.
    pub subject: String,
    /// Why.
    pub why: Unusable,
}

/// One compared revision.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSide {
    /// The revision's summary (`lpl series` line).
    pub summary: SeriesSummary,
    /// The cover letter's changelog, if it has one.
    pub changelog: Option<String>,
    /// The patches compared, in order.
    pub patches: Vec<DiffPatch>,
}

/// One line of the range-diff, with lpl's additions.
#[derive(Debug, Clone, Serialize)]
pub struct DiffEntry {
    /// Index into the old revision's patches.
    pub old: Option<usize>,
    /// Index into the new revision's patches.
    pub new: Option<usize>,
    /// `equal`, `changed`, `removed`, `added`.
    pub status: Status,
    /// A removed patch and an added one with the same subject: git shows a
    /// drop and an add because the diffs differ too much to pair.
    pub rewritten: bool,
    /// Trailers the new patch has that the old one had not.
    pub trailers_gained: Vec<String>,
    /// Trailers the old patch had (own or given in replies) that the new
    /// one has not.
    pub trailers_lost: Vec<String>,
    /// The diff of the two patch texts, as `git range-diff` prints it
    /// (plain), for changed pairs.
    pub diff: Option<String>,
    /// Binary files both patches change, with different contents: git's
    /// range-diff cannot see those (it compares `Binary files ... differ`).
    pub binary_changed: Vec<String>,
}

/// How the range-diff was made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    /// From the mail alone.
    Mail,
    /// `git am` of both revisions into a repository, then `git range-diff`.
    Repository {
        /// The repository.
        repo: String,
        /// The bases the revisions were applied on.
        bases: (String, String),
    },
}

/// `lpl diff SERIES [vA] [vB]`.
#[derive(Debug, Clone, Serialize)]
pub struct RangeDiffView {
    /// The older revision.
    pub old: DiffSide,
    /// The newer revision.
    pub new: DiffSide,
    /// git's creation factor used.
    pub creation_factor: u32,
    /// From the mail, or through a repository.
    pub method: Method,
    /// The range-diff, in git's order.
    pub entries: Vec<DiffEntry>,
    /// Messages of either revision that could not be compared.
    pub not_compared: Vec<NotCompared>,
    /// git's own output when made through a repository.
    pub git_output: Option<String>,
}

impl RangeDiffView {
    /// Patches paired (`=` or `!`).
    pub fn paired(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.old.is_some() && e.new.is_some())
            .count()
    }
}

/// The two revisions `lpl diff` compares: both named, one named (and the
/// revision before it in the chain), or none (the two newest of the chain).
pub(crate) fn pick_revisions(
    lib: &Library,
    r: usize,
    old: Option<u32>,
    new: Option<u32>,
) -> Result<(usize, usize), Error> {
    // One entry per version: its latest posting (a resend is not a new
    // revision to compare with).
    let chain: Vec<usize> = lib
        .analysis
        .chains
        .versions(r)
        .iter()
        .filter_map(|v| v.last().copied())
        .collect();
    let known = || -> Vec<u32> { chain.iter().map(|&c| lib.revisions()[c].revision).collect() };
    let position = |x: usize| {
        let postings = lib.analysis.chains.postings(x);
        chain.iter().position(|c| postings.contains(c))
    };
    let (a, b) = match (old, new) {
        (Some(va), Some(vb)) => (
            series::pick_version(lib, r, Some(va))?,
            series::pick_version(lib, r, Some(vb))?,
        ),
        (Some(v), None) | (None, Some(v)) => {
            let b = series::pick_version(lib, r, Some(v))?;
            let at = position(b).unwrap_or(0);
            if at == 0 {
                return Err(NotFound::EarlierRevision {
                    revision: v,
                    known: known(),
                }
                .into());
            }
            (chain[at - 1], b)
        }
        (None, None) => {
            if chain.len() < 2 {
                return Err(NotFound::OneRevision { known: known() }.into());
            }
            (chain[chain.len() - 2], chain[chain.len() - 1])
        }
    };
    if a == b {
        return Err(Invalid::SameRevision {
            revision: lib.revisions()[a].revision,
            known: known(),
        }
        .into());
    }
    Ok((a, b))
}

fn trailer_key(t: &Trailer) -> String {
    format!("{}: {}", t.key.trim(), t.value.trim())
}

/// The patches of revision `r` as range-diff input, and those that could
/// not be used.
fn side(
    store: &Store,
    lib: &Library,
    r: usize,
    not_compared: &mut Vec<NotCompared>,
) -> Result<DiffSide, Error> {
    let rev = &lib.revisions()[r];
    let collected = lib.trailers.get(r);
    let changelog = match rev.cover {
        Some(c) => {
            let raw = store.raw(lib.rows[c])?;
            lpl_mail::changelog::extract(&lpl_mail::parse(&raw).message.body)
        }
        None => None,
    };
    let mut patches = Vec::new();
    for (i, slot) in rev.patches.iter().enumerate() {
        let meta = &lib.metas[slot.message];
        let raw = store.raw(lib.rows[slot.message])?;
        let m = lpl_mail::parse(&raw).message;
        match range_diff::commit_of(&m) {
            Ok(c) => {
                let mut trailers: Vec<String> = m
                    .patch
                    .as_ref()
                    .map(|p| p.trailers.iter().map(trailer_key).collect())
                    .unwrap_or_default();
                for t in collected
                    .and_then(|t| t.patches.get(i))
                    .into_iter()
                    .flatten()
                {
                    let k = trailer_key(&t.trailer);
                    if !trailers.contains(&k) {
                        trailers.push(k);
                    }
                }
                let binaries = m
                    .patch
                    .as_ref()
                    .map(|p| {
                        p.files
                            .iter()
                            .filter(|f| f.binary)
                            .map(|f| (f.path().to_owned(), f.new_blob.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                patches.push(DiffPatch {
                    counter: slot.counter,
                    message_id: meta.message_id.as_str().to_owned(),
                    short_id: meta.message_id.short_id(),
                    subject: c.subject,
                    trailers,
                    text: c.text,
                    binaries,
                });
            }
            Err(why) => not_compared.push(NotCompared {
                revision: rev.revision,
                counter: slot.counter,
                message_id: meta.message_id.as_str().to_owned(),
                subject: meta.subject.clone(),
                why,
            }),
        }
    }
    Ok(DiffSide {
        summary: series::summary(lib, r),
        changelog,
        patches,
    })
}

/// The patches of revision `r` that have a diff: slot index, Message-ID
/// and the text the range-diff compares.
pub(crate) fn patch_texts(
    store: &Store,
    lib: &Library,
    r: usize,
) -> Result<Vec<(usize, String, PatchText)>, Error> {
    let mut out = Vec::new();
    for (i, slot) in lib.revisions()[r].patches.iter().enumerate() {
        let raw = store.raw(lib.rows[slot.message])?;
        if let Ok(c) = range_diff::commit_of(&lpl_mail::parse(&raw).message) {
            out.push((
                i,
                lib.metas[slot.message].message_id.as_str().to_owned(),
                c.text,
            ));
        }
    }
    Ok(out)
}

/// The range-diff of revisions `a` (old) and `b` (new), from the mail.
pub(crate) fn range_diff(
    store: &Store,
    lib: &Library,
    a: usize,
    b: usize,
    opts: &DiffOptions,
) -> Result<RangeDiffView, Error> {
    let mut not_compared = Vec::new();
    let old = side(store, lib, a, &mut not_compared)?;
    let new = side(store, lib, b, &mut not_compared)?;
    let a_texts: Vec<PatchText> = old.patches.iter().map(|p| p.text.clone()).collect();
    let b_texts: Vec<PatchText> = new.patches.iter().map(|p| p.text.clone()).collect();
    let corr = range_diff::correspond(&a_texts, &b_texts, opts.creation_factor);
    let entries = range_diff::entries(&a_texts, &b_texts, &corr);
    let entries = annotate(&old, &new, &entries);
    Ok(RangeDiffView {
        old,
        new,
        creation_factor: opts.creation_factor,
        method: Method::Mail,
        entries,
        not_compared,
        git_output: None,
    })
}

/// The range-diff through a repository (`--repo`): both revisions applied
/// to `repo` and compared by the real `git range-diff`, whose output is in
/// [`RangeDiffView::git_output`]; the entries and annotations are still
/// lpl's own, from the mail.
pub(crate) fn range_diff_repo(
    store: &Store,
    lib: &Library,
    a: usize,
    b: usize,
    opts: &DiffOptions,
    repo: &std::path::Path,
    color: bool,
) -> Result<RangeDiffView, Error> {
    let mut view = range_diff(store, lib, a, b, opts)?;
    let mails = |side: &DiffSide| -> Result<(Vec<Vec<u8>>, Option<String>), Error> {
        let mut raws = Vec::new();
        let mut base = None;
        for p in &side.patches {
            let id = lpl_mail::MessageId::new(&p.message_id).ok_or_else(|| Invalid::MessageId {
                arg: p.message_id.clone(),
            })?;
            let row = lib
                .messages(&id)
                .first()
                .map(|&m| lib.rows[m])
                .ok_or_else(|| NotFound::Message {
                    message_id: id.as_str().to_owned(),
                })?;
            let raw = store.raw(row)?;
            if base.is_none() {
                base = lpl_mail::parse(&raw).message.base_commit;
            }
            raws.push(raw);
        }
        Ok((raws, base))
    };
    let cover_base = |r: usize| -> Result<Option<String>, Error> {
        match lib.revisions()[r].cover {
            Some(c) => Ok(lpl_mail::parse(&store.raw(lib.rows[c])?)
                .message
                .base_commit),
            None => Ok(None),
        }
    };
    let (old_mails, old_patch_base) = mails(&view.old)?;
    let (new_mails, new_patch_base) = mails(&view.new)?;
    let old_side = crate::diff_repo::RepoSide {
        name: format!("v{}", view.old.summary.revision),
        mails: &old_mails,
        base: cover_base(a)?.or(old_patch_base),
    };
    let new_side = crate::diff_repo::RepoSide {
        name: format!("v{}", view.new.summary.revision),
        mails: &new_mails,
        base: cover_base(b)?.or(new_patch_base),
    };
    let out = crate::diff_repo::range_diff_in_repo(
        repo,
        &old_side,
        &new_side,
        opts.creation_factor,
        color,
    )?;
    view.method = Method::Repository {
        repo: repo.display().to_string(),
        bases: out.bases,
    };
    view.git_output = Some(out.output);
    Ok(view)
}

/// Adds lpl's annotations to git's entries.
fn annotate(old: &DiffSide, new: &DiffSide, entries: &[Entry]) -> Vec<DiffEntry> {
    let norm = |s: &str| lpl_mail::subject::normalize_title(s);
    let removed: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.status == Status::Removed)
        .filter_map(|e| e.a.map(|i| norm(&old.patches[i].subject)))
        .collect();
    let added: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.status == Status::Added)
        .filter_map(|e| e.b.map(|j| norm(&new.patches[j].subject)))
        .collect();
    entries
        .iter()
        .map(|e| {
            let subject = match (e.a, e.b) {
                (Some(i), _) => norm(&old.patches[i].subject),
                (None, Some(j)) => norm(&new.patches[j].subject),
                (None, None) => String::new(),
            };
            let rewritten = match e.status {
                Status::Removed => added.contains(&subject),
                Status::Added => removed.contains(&subject),
                _ => false,
            };
            let (mut gained, mut lost) = (Vec::new(), Vec::new());
            let mut diff = None;
            let mut binary_changed = Vec::new();
            if let (Some(i), Some(j)) = (e.a, e.b) {
                let (po, pn) = (&old.patches[i], &new.patches[j]);
                gained = pn
                    .trailers
                    .iter()
                    .filter(|t| !po.trailers.contains(t))
                    .cloned()
                    .collect();
                lost = po
                    .trailers
                    .iter()
                    .filter(|t| !pn.trailers.contains(t))
                    .cloned()
                    .collect();
                if e.status == Status::Changed {
                    diff = Some(plain_diff(po.text.text(), pn.text.text()));
                }
                for (path, blob) in &pn.binaries {
                    let before = po.binaries.iter().find(|(p, _)| p == path);
                    if before.is_some_and(|(_, b)| b != blob) {
                        binary_changed.push(path.clone());
                    }
                }
            }
            DiffEntry {
                old: e.a,
                new: e.b,
                status: e.status,
                rewritten,
                trailers_gained: gained,
                trailers_lost: lost,
                diff,
                binary_changed,
            }
        })
        .collect()
}

fn plain_diff(a: &str, b: &str) -> String {
    use range_diff::OuterLine;
    let mut s = String::new();
    for l in range_diff::diff_of_diffs(a, b) {
        match l {
            OuterLine::Hunk(f) if f.is_empty() => s.push_str("@@"),
            OuterLine::Hunk(f) => {
                s.push_str("@@ ");
                s.push_str(&f);
            }
            OuterLine::Context(t) => {
                s.push(' ');
                s.push_str(t);
            }
            OuterLine::Removed(t) => {
                s.push('-');
                s.push_str(t);
            }
            OuterLine::Added(t) => {
                s.push('+');
                s.push_str(t);
            }
        }
        s.push('\n');
    }
    s
}

/// The git layout of a view made from the mail (`color`: git's colours);
/// `after_header(k, out)` may add lines after entry `k`'s header.
pub fn render_git(
    v: &RangeDiffView,
    color: bool,
    no_patch: bool,
    after_header: impl FnMut(usize, &mut String),
) -> String {
    let texts =
        |s: &DiffSide| -> Vec<PatchText> { s.patches.iter().map(|p| p.text.clone()).collect() };
    let (at, bt) = (texts(&v.old), texts(&v.new));
    let labels =
        |s: &DiffSide| -> Vec<String> { s.patches.iter().map(|p| p.short_id.clone()).collect() };
    let (al, bl) = (labels(&v.old), labels(&v.new));
    let subjects =
        |s: &DiffSide| -> Vec<String> { s.patches.iter().map(|p| p.subject.clone()).collect() };
    let (asu, bsu) = (subjects(&v.old), subjects(&v.new));
    let numbers = |s: &DiffSide| -> Vec<u32> { s.patches.iter().map(|p| p.counter).collect() };
    let (an, bn) = (numbers(&v.old), numbers(&v.new));
    let entries: Vec<Entry> = v
        .entries
        .iter()
        .map(|e| Entry {
            a: e.old,
            b: e.new,
            status: e.status,
        })
        .collect();
    range_diff::render_with(
        range_diff::Side {
            texts: &at,
            numbers: &an,
            labels: &al,
            subjects: &asu,
        },
        range_diff::Side {
            texts: &bt,
            numbers: &bn,
            labels: &bl,
            subjects: &bsu,
        },
        &entries,
        &range_diff::RenderOptions { color, no_patch },
        after_header,
    )
}
