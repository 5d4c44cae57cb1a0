//! `lpl series`, `lpl show SERIES`, `lpl thread`, `lpl revisions`, `lpl am`.

use serde::Serialize;

use lpl_series::{CollectedTrailer, Counts, LinkReason, SeriesKind};
use lpl_store::Store;

use crate::error::{Error, Invalid, NotFound};
use crate::library::Library;

/// One line of `lpl series`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SeriesSummary {
    /// Short id (`lpl show ID`).
    pub id: String,
    /// Key Message-ID (cover, else first patch).
    pub message_id: String,
    /// Title without tags.
    pub title: String,
    /// Subject of the key message.
    pub subject: String,
    /// Revision (1 when unlabeled).
    pub revision: u32,
    /// The version as users read it: `RFC`, `RFC v2`, `v3`.
    #[serde(default)]
    pub label: String,
    /// The revision number of each version of its chain, oldest first (a
    /// version posted twice counts once).
    pub revisions: Vec<u32>,
    /// The label of each version of its chain, oldest first.
    #[serde(default)]
    pub versions: Vec<String>,
    /// How many times this version was posted (resends, more lists).
    #[serde(default)]
    pub postings: u32,
    /// A stable backport: the branch it targets (`6.12.y`).
    #[serde(default)]
    pub backport: Option<String>,
    /// Is this the latest revision of its chain.
    pub latest: bool,
    /// Patches announced (`N` of `M/N`).
    pub total: Option<u32>,
    /// Patches present.
    pub present: u32,
    /// Counters missing.
    pub missing: Vec<u32>,
    /// Cover letter present.
    pub has_cover: bool,
    /// Complete (all patches present).
    pub complete: bool,
    /// RFC.
    pub rfc: bool,
    /// Kind: series, single patch, pull request.
    pub kind: SeriesKind,
    /// Author name.
    pub author: Option<String>,
    /// Author address.
    pub email: String,
    /// Date (unix seconds).
    pub date: i64,
    /// List-Id of the key message.
    pub list: Option<String>,
    /// Acked-by / Reviewed-by / Tested-by over the revision.
    pub trailers: Counts,
}

/// Filters of `lpl series`.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    /// Words that must all appear in the title (case-insensitive).
    pub words: Vec<String>,
    /// Words that must each appear in the title or the author's name or
    /// address (case-insensitive): what a filter typed over a list of
    /// series matches.
    pub text: Vec<String>,
    /// Substring of the author's name or address.
    pub author: Option<String>,
    /// Substring of the List-Id.
    pub list: Option<String>,
    /// Not before (unix seconds).
    pub since: Option<i64>,
    /// Not after (unix seconds).
    pub until: Option<i64>,
    /// Every revision, not only the latest of each chain.
    pub all_revisions: bool,
    /// Include single patches and pull requests.
    pub singles: bool,
    /// Skip this many of those selected (pages of a long list: the next
    /// page's `offset` is the rows read so far).
    pub offset: usize,
    /// At most this many (after `offset`).
    pub limit: Option<usize>,
}

/// Summary of revision `r`.
pub(crate) fn summary(lib: &Library, r: usize) -> SeriesSummary {
    let rev = &lib.revisions()[r];
    let key = rev.key_message();
    let versions = lib.analysis.chains.versions(r);
    let present = rev.patches.len() as u32;
    SeriesSummary {
        id: lib.short_id(r),
        message_id: lib.metas[key].message_id.as_str().to_owned(),
        title: rev.title.clone(),
        subject: lib.metas[key].subject.clone(),
        revision: rev.revision,
        label: rev.label(),
        revisions: versions
            .iter()
            .map(|v| lib.revisions()[v[0]].revision)
            .collect(),
        versions: versions
            .iter()
            .map(|v| lib.revisions()[v[0]].label())
            .collect(),
        postings: versions
            .iter()
            .find(|v| v.contains(&r))
            .map_or(1, |v| v.len() as u32),
        backport: rev.backport.clone(),
        latest: lib.analysis.chains.latest(r) == r,
        total: rev.total,
        present,
        missing: rev.missing.clone(),
        has_cover: rev.cover.is_some(),
        complete: rev.is_complete(),
        rfc: rev.is_rfc,
        kind: rev.kind,
        author: rev.sender_name.clone(),
        email: rev.sender_email.clone(),
        date: rev.date,
        list: lib.metas[key].list.clone(),
        trailers: lib.trailers.get(r).map(|t| t.counts).unwrap_or_default(),
    }
}

/// `lpl series [QUERY]`: newest first.
pub(crate) fn list(lib: &Library, f: &SeriesFilter) -> Vec<SeriesSummary> {
    let words: Vec<String> = f.words.iter().map(|w| w.to_lowercase()).collect();
    let text: Vec<String> = f
        .text
        .iter()
        .map(|w| w.to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<SeriesSummary> = (0..lib.revisions().len())
        .filter(|&r| {
            let rev = &lib.revisions()[r];
            if !f.all_revisions && lib.analysis.chains.latest(r) != r {
                return false;
            }
            if !f.singles && rev.kind != SeriesKind::Series {
                return false;
            }
            let t = rev.normalized_title.to_lowercase();
            if !words.iter().all(|w| t.contains(w.as_str())) {
                return false;
            }
            if !text.is_empty() {
                let hay = format!(
                    "{}\n{}\n{}",
                    rev.normalized_title,
                    rev.sender_name.as_deref().unwrap_or(""),
                    rev.sender_email
                )
                .to_lowercase();
                if !text.iter().all(|w| hay.contains(w.as_str())) {
                    return false;
                }
            }
            if let Some(a) = &f.author {
                let a = a.to_lowercase();
                let name = rev.sender_name.as_deref().unwrap_or("").to_lowercase();
                if !name.contains(&a) && !rev.sender_email.to_lowercase().contains(&a) {
                    return false;
                }
            }
            if let Some(l) = &f.list {
                let key = rev.key_message();
                if !lib.metas[key]
                    .list
                    .as_deref()
                    .unwrap_or("")
                    .contains(l.as_str())
                {
                    return false;
                }
            }
            f.since.is_none_or(|s| rev.date >= s) && f.until.is_none_or(|u| rev.date <= u)
        })
        .map(|r| summary(lib, r))
        .collect();
    out.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| b.revision.cmp(&a.revision))
    });
    out.drain(..f.offset.min(out.len()));
    if let Some(n) = f.limit {
        out.truncate(n);
    }
    out
}

/// A trailer as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TrailerView {
    /// `Reviewed-by`.
    pub key: String,
    /// Value.
    pub value: String,
    /// Who gave it (From of the reply).
    pub giver: Option<String>,
    /// The giver is not the reply's sender (someone typed another's trailer).
    pub giver_is_not_sender: bool,
    /// Written by a bot (syzbot, kernel test robot, CI): not counted.
    pub by_bot: bool,
    /// Given on the cover letter (applies to every patch).
    pub from_cover: bool,
    /// Carried from an earlier revision (same patch-id), with its revision.
    pub carried_from_revision: Option<u32>,
    /// Message-ID of the reply that gave it.
    pub source: String,
}

fn trailer_view(lib: &Library, t: &CollectedTrailer) -> TrailerView {
    TrailerView {
        key: t.trailer.key.clone(),
        value: t.trailer.value.clone(),
        giver: t.giver.as_ref().map(|g| g.display()),
        giver_is_not_sender: t.giver_is_not_sender,
        by_bot: t.by_bot,
        from_cover: t.from_cover,
        carried_from_revision: t.carried_from.map(|r| lib.revisions()[r].revision),
        source: lib.metas[t.source].message_id.as_str().to_owned(),
    }
}

/// One patch of a shown series.
#[derive(Debug, Clone, Serialize)]
pub struct PatchItem {
    /// Counter.
    pub counter: u32,
    /// Message-ID.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Sent with an earlier revision (partial reroll).
    pub inherited: bool,
    /// Files: (path, added, removed).
    pub files: Vec<(String, u32, u32)>,
    /// patch-id.
    pub patch_id: Option<String>,
    /// A/R/T counts.
    pub counts: Counts,
    /// Collected review trailers.
    pub trailers: Vec<TrailerView>,
}

/// One revision in a chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainItem {
    /// Short id.
    pub id: String,
    /// Revision.
    pub revision: u32,
    /// The version as users read it: `RFC`, `RFC v2`, `v3`.
    pub label: String,
    /// Another posting of the version above it (a resend, more lists).
    pub repost: bool,
    /// A stable backport: the branch it targets.
    pub backport: Option<String>,
    /// Title.
    pub title: String,
    /// Date.
    pub date: i64,
    /// Key Message-ID.
    pub message_id: String,
    /// Patches present / announced.
    pub present: u32,
    /// Announced total.
    pub total: Option<u32>,
    /// Why it is linked to the previous one (None for the first).
    pub reason: Option<LinkReason>,
    /// How sure, 0..=1 (`None` for the first and for a manual link).
    pub confidence: Option<f32>,
    /// The evidence that linked it, in words.
    pub evidence: Option<String>,
    /// The revision asked about.
    pub current: bool,
}

/// `lpl show SERIES`.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    /// Summary.
    pub summary: SeriesSummary,
    /// Cover letter: Message-ID and body.
    pub cover: Option<(String, String)>,
    /// Trailers given on the cover.
    pub cover_trailers: Vec<TrailerView>,
    /// Patches in order.
    pub patches: Vec<PatchItem>,
    /// Revision chain.
    pub chain: Vec<ChainItem>,
    /// Stable backports of this work (never in its chain).
    pub backports: Vec<ChainItem>,
    /// Messages that were duplicates (resent copies).
    pub duplicates: Vec<String>,
    /// Unthreaded series (found by sender/time, not references).
    pub unthreaded: bool,
}

/// The chain of revision `r`.
pub(crate) fn chain(lib: &Library, r: usize) -> Vec<ChainItem> {
    lib.analysis
        .chains
        .chain(r)
        .iter()
        .map(|&c| chain_item(lib, c, r))
        .collect()
}

/// The stable backports beside the chain of `r` (or beside the chain a
/// backport `r` backports).
pub(crate) fn backports(lib: &Library, r: usize) -> Vec<ChainItem> {
    let chains = &lib.analysis.chains;
    let c = chains.backport_of[r].unwrap_or(chains.chain_of[r]);
    chains
        .backports(c)
        .filter(|&b| b != r)
        .map(|b| chain_item(lib, b, r))
        .collect()
}

fn chain_item(lib: &Library, c: usize, current: usize) -> ChainItem {
    let rev = &lib.revisions()[c];
    let link = lib.analysis.chains.predecessor(c);
    ChainItem {
        id: lib.short_id(c),
        revision: rev.revision,
        label: rev.label(),
        repost: link.is_some_and(|l| l.reason == LinkReason::Repost),
        backport: rev.backport.clone(),
        title: rev.title.clone(),
        date: rev.date,
        message_id: lib.metas[rev.key_message()].message_id.as_str().to_owned(),
        present: rev.patches.len() as u32,
        total: rev.total,
        reason: link.map(|l| l.reason),
        confidence: link
            .filter(|l| l.reason != LinkReason::Manual)
            .map(|l| l.confidence),
        evidence: link.map(|l| l.evidence.clone()),
        current: c == current,
    }
}

/// Picks revision `v` of the chain of `r` (or `r` itself).
pub(crate) fn pick_version(lib: &Library, r: usize, v: Option<u32>) -> Result<usize, Error> {
    match v {
        None => Ok(r),
        Some(v) => lib
            .analysis
            .chains
            .chain(r)
            .iter()
            .rev()
            .copied()
            .find(|&c| lib.revisions()[c].revision == v)
            .ok_or_else(|| {
                NotFound::Revision {
                    wanted: v,
                    known: lib
                        .analysis
                        .chains
                        .chain(r)
                        .iter()
                        .map(|&c| lib.revisions()[c].revision)
                        .collect(),
                }
                .into()
            }),
    }
}

/// `lpl show SERIES`.
pub(crate) fn show(store: &Store, lib: &Library, r: usize) -> Result<SeriesView, Error> {
    let rev = &lib.revisions()[r];
    let rt = lib.trailers.get(r);
    let cover = match rev.cover {
        Some(c) => {
            let raw = store.raw(lib.rows[c])?;
            Some((
                lib.metas[c].message_id.as_str().to_owned(),
                lpl_mail::parse(&raw).message.body,
            ))
        }
        None => None,
    };
    let mut patches = Vec::new();
    for (i, p) in rev.patches.iter().enumerate() {
        let m = &lib.metas[p.message];
        let raw = store.raw(lib.rows[p.message])?;
        let parsed = lpl_mail::parse(&raw).message;
        let files = parsed
            .patch
            .as_ref()
            .map(|pt| {
                pt.files
                    .iter()
                    .map(|f| (f.path().to_owned(), f.added, f.removed))
                    .collect()
            })
            .unwrap_or_default();
        patches.push(PatchItem {
            counter: p.counter,
            message_id: m.message_id.as_str().to_owned(),
            subject: m.subject.clone(),
            inherited: p.inherited_from.is_some(),
            files,
            patch_id: m.patch_id.map(|x| x.to_string()),
            counts: rt
                .and_then(|t| t.patch_counts.get(i).copied())
                .unwrap_or_default(),
            trailers: rt
                .and_then(|t| t.patches.get(i))
                .map(|v| v.iter().map(|t| trailer_view(lib, t)).collect())
                .unwrap_or_default(),
        });
    }
    Ok(SeriesView {
        summary: summary(lib, r),
        cover,
        cover_trailers: rt
            .map(|t| t.cover.iter().map(|c| trailer_view(lib, c)).collect())
            .unwrap_or_default(),
        patches,
        chain: chain(lib, r),
        backports: backports(lib, r),
        duplicates: rev
            .duplicates
            .iter()
            .map(|&d| lib.metas[d].message_id.as_str().to_owned())
            .collect(),
        unthreaded: rev.unthreaded,
    })
}

/// One line of `lpl thread`.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadLine {
    /// Depth in the tree (0: root).
    pub depth: u32,
    /// Message-ID.
    pub message_id: String,
    /// Subject (None for a message we never received).
    pub subject: Option<String>,
    /// Sender.
    pub from: Option<String>,
    /// Date.
    pub date: Option<i64>,
    /// Trailers given in it.
    pub trailers: Vec<String>,
}

/// `lpl thread MSGID`: the whole thread containing the message.
pub(crate) fn thread(lib: &Library, arg: &str) -> Result<Vec<ThreadLine>, Error> {
    let id = crate::show::resolve_message_id(arg).ok_or_else(|| Invalid::MessageId {
        arg: arg.to_owned(),
    })?;
    let entries = lib
        .analysis
        .threads
        .thread_of(&id)
        .ok_or_else(|| NotFound::Message {
            message_id: id.as_str().to_owned(),
        })?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let m = e.message.map(|i| &lib.metas[i]);
            ThreadLine {
                depth: e.depth,
                message_id: e.message_id.as_str().to_owned(),
                subject: m.map(|m| m.subject.clone()),
                from: m.map(|m| m.from_name.clone().unwrap_or_else(|| m.from_email.clone())),
                date: m.map(|m| m.date),
                trailers: m
                    .map(|m| {
                        m.reply_trailers
                            .iter()
                            .map(|t| format!("{}: {}", t.key, t.value))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect())
}

/// `lpl am SERIES [-v N]`: the mbox bytes and the number of patches.
pub(crate) fn am(store: &Store, lib: &Library, r: usize) -> Result<(Vec<u8>, usize), Error> {
    let rev = &lib.revisions()[r];
    if rev.patches.is_empty() {
        return Err(NotFound::NoPatches.into());
    }
    let rt = lib.trailers.get(r);
    let raws: Vec<Vec<u8>> = rev
        .patches
        .iter()
        .map(|p| store.raw(lib.rows[p.message]))
        .collect::<Result<_, _>>()?;
    let patches: Vec<lpl_series::am::AmPatch<'_>> = rev
        .patches
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let m = &lib.metas[p.message];
            let collected = rt
                .and_then(|t| t.patches.get(i))
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            lpl_series::am::AmPatch {
                raw: &raws[i],
                subject: lpl_series::am::am_subject(rev, p.counter, &m.tags.title),
                add: lpl_series::trailers::trailers_to_add(&m.patch_trailers, collected),
            }
        })
        .collect();
    let mbox = lpl_series::am::write_mbox(&patches, &lpl_series::am::AmOptions::default());
    Ok((mbox, patches.len()))
}
