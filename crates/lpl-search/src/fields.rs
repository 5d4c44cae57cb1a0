//! The indexed fields, named after public-inbox's Xapian term prefixes.

use crate::query::Prefix;

/// One field of the index. Text fields are split into words (with
/// positions, kept in the forward index); raw fields hold whole values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum Field {
    /// The caller's key (raw).
    Key = 0,
    /// Document kind (raw).
    Kind,
    /// `Q`: exact Message-ID (raw).
    Mid,
    /// `G`: exact List-Id (raw).
    Lid,
    /// `XDFPRE`: pre-image blob ids (raw; searched by prefix of 7+).
    DfPre,
    /// `XDFPOST`.
    DfPost,
    /// `XDFID`: patch-id (raw).
    PatchId,
    /// `XM`: Message-ID words.
    Xm,
    /// `S`: subject.
    Subject,
    /// `A`: From.
    From,
    /// `XTO`.
    To,
    /// `XCC`.
    Cc,
    /// `XL`: List-Id words.
    List,
    /// `XQUOT`.
    Quoted,
    /// `XNQ`.
    Unquoted,
    /// `XFN`: attachment file names.
    FileName,
    /// `XDFN`.
    Dfn,
    /// `XDFA`.
    Dfa,
    /// `XDFB`.
    Dfb,
    /// `XDFHH`.
    Dfhh,
    /// `XDFCTX`.
    Dfctx,
    /// `dffn:` (lpl's own, no public-inbox prefix): the functions a hunk
    /// really changes, worked out from the diff's lines by the caller.
    Dffn,
}

/// Number of fields.
pub(crate) const NFIELDS: usize = 22;

/// Every field, in id order.
pub(crate) const ALL: [Field; NFIELDS] = [
    Field::Key,
    Field::Kind,
    Field::Mid,
    Field::Lid,
    Field::DfPre,
    Field::DfPost,
    Field::PatchId,
    Field::Xm,
    Field::Subject,
    Field::From,
    Field::To,
    Field::Cc,
    Field::List,
    Field::Quoted,
    Field::Unquoted,
    Field::FileName,
    Field::Dfn,
    Field::Dfa,
    Field::Dfb,
    Field::Dfhh,
    Field::Dfctx,
    Field::Dffn,
];

/// Names, in id order (written into the index's meta to detect schema
/// changes).
pub(crate) const NAMES: [&str; NFIELDS] = [
    "key", "kind", "q", "g", "xdfpre", "xdfpost", "xdfid", "xm", "s", "a", "xto", "xcc", "xl",
    "xquot", "xnq", "xfn", "xdfn", "xdfa", "xdfb", "xdfhh", "xdfctx", "xdffn",
];

impl Field {
    pub(crate) fn id(self) -> usize {
        self as usize
    }

    /// Whether values are split into words.
    pub(crate) fn is_text(self) -> bool {
        self >= Field::Xm
    }

    /// Text fields searched for a probabilistic prefix (public-inbox
    /// `%prob_prefix`), and whether the raw blob/patch-id terms are included
    /// (the non-quoted body set lists `XDFPRE XDFPOST XDFID`).
    pub(crate) fn text_fields(p: Prefix) -> (Vec<Field>, bool) {
        use Field as F;
        let nq = [F::Unquoted, F::Dfn, F::Dfa, F::Dfb, F::Dfhh, F::Dfctx];
        match p {
            Prefix::Default => {
                let mut v = vec![F::Xm, F::Subject, F::From, F::Quoted, F::FileName];
                v.extend(nq);
                (v, true)
            }
            Prefix::Subject => (vec![F::Subject], false),
            Prefix::From => (vec![F::From], false),
            Prefix::To => (vec![F::To], false),
            Prefix::Cc => (vec![F::Cc], false),
            Prefix::ToCc => (vec![F::To, F::Cc], false),
            Prefix::ToCcFrom | Prefix::Address => (vec![F::To, F::Cc, F::From], false),
            Prefix::ListId => (vec![F::List], false),
            Prefix::MessageId => (vec![F::Xm], false),
            Prefix::Body => {
                let mut v = nq.to_vec();
                v.push(F::Quoted);
                (v, true)
            }
            Prefix::BodySubject => {
                let mut v = nq.to_vec();
                v.push(F::Quoted);
                v.push(F::Subject);
                (v, true)
            }
            Prefix::Quoted => (vec![F::Quoted], false),
            Prefix::FileName => (vec![F::FileName], false),
            Prefix::NonQuoted => (nq.to_vec(), true),
            Prefix::DiffFile => (vec![F::Dfn], false),
            Prefix::DiffRemoved => (vec![F::Dfa], false),
            Prefix::DiffAdded => (vec![F::Dfb], false),
            Prefix::DiffContext => (vec![F::Dfctx], false),
            Prefix::DiffHunkHeader => (vec![F::Dfhh], false),
            Prefix::DiffFunction => (vec![F::Dffn], false),
            Prefix::ListIdExact
            | Prefix::MessageIdExact
            | Prefix::DiffPreBlob
            | Prefix::DiffPostBlob
            | Prefix::DiffBlob
            | Prefix::PatchId
            | Prefix::Kind => (Vec::new(), false),
        }
    }

    /// Raw fields of a boolean prefix.
    pub(crate) fn exact_fields(p: Prefix) -> Vec<Field> {
        match p {
            Prefix::ListIdExact => vec![Field::Lid],
            Prefix::MessageIdExact => vec![Field::Mid],
            Prefix::DiffPreBlob => vec![Field::DfPre],
            Prefix::DiffPostBlob => vec![Field::DfPost],
            Prefix::DiffBlob => vec![Field::DfPre, Field::DfPost],
            Prefix::PatchId => vec![Field::PatchId],
            Prefix::Kind => vec![Field::Kind],
            _ => Vec::new(),
        }
    }

    /// Whether a raw field is matched by prefix (abbreviated blob ids).
    pub(crate) fn is_blob(self) -> bool {
        matches!(self, Field::DfPre | Field::DfPost)
    }
}
