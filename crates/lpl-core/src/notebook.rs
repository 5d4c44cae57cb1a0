//! The archive as the notebook sees it: `lpl_notebook::Archive` over the
//! store and its analysis.

use lpl_notebook::archive::{Archive, PatchView, RevisionView, SeriesView, TrailerCounts};
use lpl_notebook::lore::MessageId as NbId;
use lpl_store::Store;

use crate::library::Library;

/// The store plus its analysis, for notebook checks, rendering and `add`.
pub struct StoreArchive<'a> {
    /// The store (raw messages for diffstats and cover letters).
    pub store: &'a Store,
    /// The analysis.
    pub lib: &'a Library,
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
    fn view(&self, r: usize) -> Option<SeriesView> {
        let lib = self.lib;
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
        let mut patches = Vec::new();
        for (i, p) in rev.patches.iter().enumerate() {
            let m = &lib.metas[p.message];
            let diffstat = self.store.raw(lib.rows[p.message]).ok().and_then(|raw| {
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
            .and_then(|c| self.store.raw(lib.rows[c]).ok())
            .map(|raw| lpl_mail::parse(&raw).message.body);
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
            merged: None,
        })
    }
}

impl Archive for StoreArchive<'_> {
    fn series_by_message_id(&self, id: &NbId) -> Option<SeriesView> {
        let r = self.lib.find_revision(id.as_str()).ok()?;
        self.view(r)
    }

    fn series_by_subject(&self, subject: &str, author: Option<&str>) -> Vec<SeriesView> {
        let want = lpl_mail::subject::parse(subject).normalized_title();
        if want.is_empty() {
            return Vec::new();
        }
        let author = author.map(|a| a.to_lowercase());
        let mut hits: Vec<usize> = (0..self.lib.revisions().len())
            .filter(|&r| {
                let rev = &self.lib.revisions()[r];
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
            .collect();
        hits.sort_by_key(|&r| std::cmp::Reverse(self.lib.revisions()[r].date));
        hits.into_iter().filter_map(|r| self.view(r)).collect()
    }
}
