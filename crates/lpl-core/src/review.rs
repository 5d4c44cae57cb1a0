//! Review notes on patches (`lpl review`): kept in the store by Message-ID,
//! shown with the series, and carried to the next revision when the patch
//! pairs with `=` or `!` in the range-diff of the two revisions (so a note
//! on v4's patch 3 shows on v5's patch 4 that it became).

use std::collections::HashMap;

use serde::Serialize;

use lpl_series::range_diff::{self, PatchText};
use lpl_store::{ReviewNote, Store};

use crate::error::{Error, Invalid, NotFound};
use crate::library::Library;
use crate::show::resolve_message_id;

/// A note as shown on a patch.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    /// Note id (`lpl review rm ID`).
    pub id: i64,
    /// The note.
    pub text: String,
    /// When it was written (unix seconds).
    pub created_at: i64,
    /// The patch it was written on.
    pub message_id: String,
    /// Written on an earlier revision and carried here: that revision.
    pub carried_from_revision: Option<u32>,
}

fn view(n: &ReviewNote, carried: Option<u32>) -> NoteView {
    NoteView {
        id: n.id,
        text: n.text.clone(),
        created_at: n.created_at,
        message_id: n.message_id.clone(),
        carried_from_revision: carried,
    }
}

fn message_id(arg: &str) -> Result<lpl_mail::MessageId, Error> {
    resolve_message_id(arg).ok_or_else(|| {
        Invalid::MessageId {
            arg: arg.to_owned(),
        }
        .into()
    })
}

/// Adds a note on the message named by `arg`; returns the note's id and
/// the Message-ID.
pub(crate) fn add(
    store: &mut Store,
    arg: &str,
    text: &str,
    now: i64,
) -> Result<(i64, String), Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::EmptyNote.into());
    }
    let id = message_id(arg)?;
    if store.messages_by_id(id.as_str())?.is_empty() {
        return Err(NotFound::Message {
            message_id: id.as_str().to_owned(),
        }
        .into());
    }
    let note = store.add_review_note(id.as_str(), text, now)?;
    Ok((note, id.as_str().to_owned()))
}

/// Removes note `id`.
pub(crate) fn remove(store: &mut Store, id: i64) -> Result<(), Error> {
    if store.remove_review_note(id)? {
        Ok(())
    } else {
        Err(NotFound::ReviewNote { id }.into())
    }
}

/// Every note, oldest first, or those on the message named by `arg`.
pub(crate) fn list(store: &Store, arg: Option<&str>) -> Result<Vec<NoteView>, Error> {
    let notes = match arg {
        Some(a) => store.review_notes_on(message_id(a)?.as_str())?,
        None => store.review_notes()?,
    };
    Ok(notes.iter().map(|n| view(n, None)).collect())
}

/// The notes to show on each patch slot of revision `r`: its own, and
/// those carried along the revision chain, each step following the
/// range-diff pairs (`=` or `!`) of two consecutive revisions.
pub(crate) fn notes_for_revision(
    store: &Store,
    lib: &Library,
    r: usize,
) -> Result<Vec<Vec<NoteView>>, Error> {
    let all = store.review_notes()?;
    let slots = lib.revisions()[r].patches.len();
    if all.is_empty() {
        return Ok(vec![Vec::new(); slots]);
    }
    let mut by_message: HashMap<&str, Vec<&ReviewNote>> = HashMap::new();
    for n in &all {
        by_message.entry(n.message_id.as_str()).or_default().push(n);
    }
    let own = |rev: usize| -> Vec<Vec<NoteView>> {
        lib.revisions()[rev]
            .patches
            .iter()
            .map(|p| {
                by_message
                    .get(lib.metas[p.message].message_id.as_str())
                    .map(|v| v.iter().map(|n| view(n, None)).collect())
                    .unwrap_or_default()
            })
            .collect()
    };
    let chain = lib.analysis.chains.chain(r);
    let upto = chain.iter().position(|&c| c == r).unwrap_or(0);
    // The first revision of the chain, up to r, that has a note.
    let first = chain[..=upto]
        .iter()
        .position(|&c| own(c).iter().any(|v| !v.is_empty()));
    let Some(first) = first else {
        return Ok(vec![Vec::new(); slots]);
    };
    let mut notes = own(chain[first]);
    let mut texts = crate::diff::patch_texts(store, lib, chain[first])?;
    for &next in &chain[first + 1..=upto] {
        let next_texts = crate::diff::patch_texts(store, lib, next)?;
        let a: Vec<PatchText> = texts.iter().map(|t| t.2.clone()).collect();
        let b: Vec<PatchText> = next_texts.iter().map(|t| t.2.clone()).collect();
        let corr = range_diff::correspond(&a, &b, range_diff::CREATION_FACTOR_DEFAULT);
        let from_revision = lib.revisions()[chain_prev(chain, next)].revision;
        let mut carried = own(next);
        for (bj, ai) in corr.b_to_a.iter().enumerate() {
            let Some(ai) = *ai else { continue };
            let (old_slot, new_slot) = (texts[ai].0, next_texts[bj].0);
            for n in &notes[old_slot] {
                if carried[new_slot].iter().any(|c| c.id == n.id) {
                    continue;
                }
                let mut n = n.clone();
                n.carried_from_revision.get_or_insert(from_revision);
                carried[new_slot].push(n);
            }
        }
        notes = carried;
        texts = next_texts;
    }
    Ok(notes)
}

fn chain_prev(chain: &[usize], r: usize) -> usize {
    let at = chain.iter().position(|&c| c == r).unwrap_or(0);
    chain[at.saturating_sub(1)]
}
