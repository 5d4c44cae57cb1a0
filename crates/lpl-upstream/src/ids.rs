//! The commit identity: lpl-mail's one `CommitId`, and its conversions to
//! and from gix's object ids (the only place gix meets it).

pub use lpl_mail::commit_id::{CommitId, ParseCommitIdError};

/// gix's id of `c`.
pub(crate) fn oid(c: CommitId) -> gix::ObjectId {
    gix::ObjectId::from_bytes_or_panic(c.as_bytes())
}

/// The `CommitId` of a gix object id (SHA-1: the only hash this build of gix
/// reads).
pub(crate) fn commit_id(o: &gix::oid) -> CommitId {
    let mut out = [0u8; 20];
    let b = o.as_bytes();
    let n = b.len().min(20);
    out[..n].copy_from_slice(&b[..n]);
    CommitId(out)
}
