//! The understood archive: every message's metadata from the store, run
//! through threading, series assembly, revision chains and trailer
//! collection (`lpl-series`). Built on demand by the commands that need it.

use std::collections::HashMap;

use lpl_mail::{MessageId, PatchId, SubjectTags, Trailer};
use lpl_series::{Analysis, MessageMeta, Override, OverrideKind, RevisionTrailers, SeriesRevision};
use lpl_store::{MetaRow, Store};

use crate::error::{Error, Invalid, NotFound};
use crate::show::resolve_message_id;

/// The analysed archive.
pub struct Library {
    /// Store row id of each message (parallel to `metas`).
    pub rows: Vec<i64>,
    /// Input of the analysis.
    pub metas: Vec<MessageMeta>,
    /// Threads, series, chains.
    pub analysis: Analysis,
    /// Collected trailers per revision.
    pub trailers: Vec<RevisionTrailers>,
    by_mid: HashMap<MessageId, Vec<usize>>,
}

fn meta_of(r: MetaRow) -> Option<MessageMeta> {
    let message_id = MessageId::new(&r.message_id)?;
    // Tags are re-read from the subject (microseconds each): archives
    // imported by an older lpl then get what the parser learnt since
    // (`[ver #N]`, stable backports, `(was OLD)`). The stored JSON is the
    // fallback for a row without a subject.
    let tags: SubjectTags = if r.subject.is_empty() {
        serde_json::from_str(&r.tags_json).unwrap_or_default()
    } else {
        lpl_mail::subject::parse(&r.subject)
    };
    let (mut patch_trailers, mut reply_trailers) = (Vec::new(), Vec::new());
    for (key, value, in_patch) in r.trailers {
        let t = Trailer { key, value };
        if in_patch {
            patch_trailers.push(t)
        } else {
            reply_trailers.push(t)
        }
    }
    Some(MessageMeta {
        message_id,
        in_reply_to: r.in_reply_to.as_deref().and_then(MessageId::new),
        references: r
            .references
            .iter()
            .filter_map(|s| MessageId::new(s))
            .collect(),
        subject: r.subject,
        tags,
        from_name: r.from_name,
        from_email: r.from_email.unwrap_or_default(),
        date: r.date.unwrap_or(0),
        has_patch: r.is_patch,
        is_pull_request: r.is_pull,
        patch_id: r
            .patch_id
            .as_deref()
            .and_then(|p| p.parse::<PatchId>().ok()),
        files: r.files,
        change_id: r.change_id,
        patch_trailers,
        reply_trailers,
        list: r.list_id,
        version_links: r
            .version_links
            .iter()
            .filter_map(|s| MessageId::new(s))
            .collect(),
    })
}

/// A short, stable name of a revision: the short id of its key Message-ID
/// ([`lpl_mail::id::short_id`]).
pub fn short_id(message_id: &str) -> String {
    lpl_mail::id::short_id(message_id)
}

/// The analysis input of stored rows, with their row ids (rows without a
/// usable Message-ID are left out).
pub(crate) fn metas_of(all: Vec<MetaRow>) -> (Vec<i64>, Vec<MessageMeta>) {
    let mut rows = Vec::with_capacity(all.len());
    let mut metas = Vec::with_capacity(all.len());
    for r in all {
        let id = r.id;
        if let Some(m) = meta_of(r) {
            rows.push(id);
            metas.push(m);
        }
    }
    (rows, metas)
}

/// The user's corrections of revision chains.
pub(crate) fn overrides(store: &Store) -> Result<Vec<Override>, Error> {
    Ok(store
        .revision_overrides()?
        .into_iter()
        .filter_map(|(older, newer, kind)| {
            Some(Override {
                kind: if kind == "unlink" {
                    OverrideKind::Unlink
                } else {
                    OverrideKind::Link
                },
                older: MessageId::new(&older)?,
                newer: MessageId::new(&newer)?,
            })
        })
        .collect())
}

impl Library {
    /// Loads and analyses everything in `store`.
    pub fn load(store: &Store) -> Result<Library, Error> {
        let (rows, metas) = metas_of(store.all_meta()?);
        let overrides = overrides(store)?;
        let analysis = lpl_series::analyse(&metas, &overrides);
        Ok(Library::from_parts(rows, metas, analysis))
    }

    /// A library of these messages (`rows` parallel to `metas`) and their
    /// analysis; the trailers are collected here.
    pub(crate) fn from_parts(rows: Vec<i64>, metas: Vec<MessageMeta>, analysis: Analysis) -> Self {
        let trailers = lpl_series::collect(
            &metas,
            &analysis.threads,
            &analysis.assembly,
            &analysis.chains,
        );
        let mut by_mid: HashMap<MessageId, Vec<usize>> = HashMap::new();
        for (i, m) in metas.iter().enumerate() {
            by_mid.entry(m.message_id.clone()).or_default().push(i);
        }
        Library {
            rows,
            metas,
            analysis,
            trailers,
            by_mid,
        }
    }

    /// The revisions.
    pub fn revisions(&self) -> &[SeriesRevision] {
        &self.analysis.assembly.revisions
    }

    /// Messages with this Message-ID.
    pub fn messages(&self, id: &MessageId) -> &[usize] {
        self.by_mid.get(id).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// The short id of revision `r`.
    pub fn short_id(&self, r: usize) -> String {
        short_id(
            self.metas[self.revisions()[r].key_message()]
                .message_id
                .as_str(),
        )
    }

    /// Finds the revision named by `arg`: the short id `lpl series` prints,
    /// the Message-ID (or lore URL) of any message in it, or of a reply in
    /// its thread.
    pub fn find_revision(&self, arg: &str) -> Result<usize, Error> {
        let a = arg.trim();
        if a.len() >= 4 && a.len() <= 8 && a.bytes().all(|b| b.is_ascii_hexdigit()) {
            let hits: Vec<usize> = (0..self.revisions().len())
                .filter(|&r| self.short_id(r).starts_with(&a.to_ascii_lowercase()))
                .collect();
            match hits.len() {
                1 => return Ok(hits[0]),
                0 => {}
                n => {
                    return Err(Invalid::AmbiguousId {
                        id: a.to_owned(),
                        count: n,
                    }
                    .into());
                }
            }
        }
        let id = resolve_message_id(a).ok_or_else(|| Invalid::SeriesRef { arg: a.to_owned() })?;
        let msgs = self.messages(&id);
        if msgs.is_empty() {
            return Err(NotFound::Message {
                message_id: id.as_str().to_owned(),
            }
            .into());
        }
        for &m in msgs {
            if let Some(r) = self.analysis.assembly.revision_of_message(m) {
                return Ok(r);
            }
            // A reply: the revision of its nearest ancestor that has one.
            for anc in self.analysis.threads.ancestor_messages(m) {
                if let Some(r) = self.analysis.assembly.revision_of_message(anc) {
                    return Ok(r);
                }
            }
        }
        Err(NotFound::NoSeries {
            message_id: id.as_str().to_owned(),
        }
        .into())
    }
}
